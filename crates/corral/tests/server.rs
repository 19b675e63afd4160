//! `corral serve` on loopback: the native API, the memo, single-flight, the 503 and
//! 429 paths, every error path, and the compile-time attacks through the API.

mod common;

use common::server::Server;
use serde_json::json;

const DEFAULT: &str = "";

fn start(config: &str) -> Option<Server> {
    if !common::sandbox_available() {
        return None;
    }
    Server::start(config, &[("CORRAL_CANARY_ENV", "server-canary-31337")])
}

#[test]
fn a_run_is_remembered_and_answered_from_the_memo() {
    let Some(s) = start(DEFAULT) else { return };
    let code = "fn main() {\n    println!(\"memo me\");\n}\n";
    let req = json!({ "code": code });
    let (status, first, _) = s.post("/api/v1/run", &req);
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (first["status"].as_str(), first["cached"].as_bool()),
        (Some("success"), Some(false))
    );
    assert_eq!(first["run"]["stdout"], "memo me\n");
    let key = first["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("sha256:") && key.len() == 7 + 64);
    let (_, second, _) = s.post("/api/v1/run", &req);
    assert_eq!(
        (second["cached"].as_bool(), second["key"].as_str()),
        (Some(true), Some(key.as_str()))
    );
    assert_eq!(second["run"]["stdout"], "memo me\n");
    // A BOM and CRLF line ends normalise away: the same key, from the memo.
    let windows = format!("\u{feff}{}", code.replace('\n', "\r\n"));
    let (_, third, _) = s.post("/api/v1/run", &json!({ "code": windows }));
    assert_eq!(
        (third["cached"].as_bool(), third["key"].as_str()),
        (Some(true), Some(key.as_str()))
    );
    // Anything else is another text: another key.
    let (_, fourth, _) = s.post(
        "/api/v1/run",
        &json!({ "code": code.replace("    ", "  ") }),
    );
    assert_ne!(fourth["key"].as_str(), Some(key.as_str()));
    // Real time is never cached.
    let real = json!({"code": "fn main() { println!(\"memo me\"); }", "time": "real"});
    let (_, r1, _) = s.post("/api/v1/run", &real);
    let (_, r2, _) = s.post("/api/v1/run", &real);
    assert_eq!(
        (r1["cached"].as_bool(), r2["cached"].as_bool()),
        (Some(false), Some(false))
    );
    // A timeout is never cached.
    let slow = json!({"code": "fn main() { loop { std::hint::black_box(0); } }", "limits": {"run": {"wall_ms": 300}}});
    let (_, t1, _) = s.post("/api/v1/run", &slow);
    assert_eq!(t1["status"], "timeout", "{t1}");
    let (_, t2, _) = s.post("/api/v1/run", &slow);
    assert_eq!(t2["cached"], false);
}

#[test]
fn identical_requests_in_flight_share_one_execution() {
    let Some(s) = start(DEFAULT) else { return };
    // Prints the kernel's AT_RANDOM bytes (the one source of randomness virtual time
    // cannot seed): two executions would print different values. Spins on real CPU
    // time (which stays real) so the three requests overlap.
    let code = "unsafe extern \"C\" {\n    fn getauxval(kind: u64) -> u64;\n    fn clock() -> i64;\n}\nfn main() {\n    // SAFETY: AT_RANDOM (25) points at 16 bytes the kernel wrote.\n    let b = unsafe { *(getauxval(25) as *const [u8; 16]) };\n    // SAFETY: clock has no preconditions.\n    while unsafe { clock() } < 800_000 {\n        std::hint::black_box(0);\n    }\n    println!(\"{b:?}\");\n}\n";
    let req = json!({"code": code});
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = s.url("/api/v1/run");
            let body = req.to_string();
            std::thread::spawn(move || {
                let r = ureq::post(&url)
                    .set("Content-Type", "application/json")
                    .send_string(&body)
                    .unwrap();
                r.into_json::<serde_json::Value>().unwrap()
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let outputs: Vec<&str> = results
        .iter()
        .map(|r| r["run"]["stdout"].as_str().unwrap())
        .collect();
    assert!(
        outputs.iter().all(|o| *o == outputs[0]),
        "one execution served all three: {outputs:?}"
    );
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let Some(s) = start("[server]\nworkers = 1\nqueue = 1\nrate_per_minute = 0\n") else {
        return;
    };
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let url = s.url("/api/v1/run");
            // Distinct programs (no single-flight), each sleeping.
            let body = json!({"code": format!("fn main() {{ std::thread::sleep(std::time::Duration::from_millis(1500)); println!(\"{i}\"); }}"), "time": "real"}).to_string();
            std::thread::spawn(move || match ureq::post(&url).set("Content-Type", "application/json").send_string(&body) {
                Ok(r) => (r.status(), None),
                Err(ureq::Error::Status(code, r)) => (code, r.header("Retry-After").map(String::from)),
                Err(e) => panic!("{e}"),
            })
        })
        .collect();
    let results: Vec<(u16, Option<String>)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let busy: Vec<_> = results.iter().filter(|(c, _)| *c == 503).collect();
    assert!(
        !busy.is_empty(),
        "with one worker and one waiting slot, four at once cannot all run: {results:?}"
    );
    assert!(
        busy.iter().all(|(_, retry)| retry.is_some()),
        "503 carries Retry-After: {results:?}"
    );
    assert!(results.iter().any(|(c, _)| *c == 200));
}

#[test]
fn one_client_is_rate_limited_with_429() {
    let Some(s) = start("[server]\nrate_per_minute = 6\nrate_burst = 2\n") else {
        return;
    };
    let req = json!({"code": "fn main() {}"});
    let codes: Vec<(u16, Option<String>)> = (0..3)
        .map(|_| {
            let (c, _, retry) = s.post("/api/v1/run", &req);
            (c, retry)
        })
        .collect();
    assert_eq!(codes[0].0, 200);
    assert_eq!(codes[1].0, 200);
    assert_eq!(codes[2].0, 429, "{codes:?}");
    assert!(
        codes[2]
            .1
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().unwrap() >= 1)
    );
}

#[test]
fn every_bad_input_gets_a_4xx_that_says_what_was_wrong() {
    let Some(s) = start(DEFAULT) else { return };
    let cases = [
        (s.post_raw("/api/v1/run", "application/json", "{not json"), 400, "invalid request"),
        (s.post("/api/v1/run", &json!({"code": "", "colour": "red"})), 400, "unknown field"),
        (s.post("/api/v1/run", &json!({})), 400, "missing `code`"),
        (s.post("/api/v1/run", &json!({"code": "", "channel": "beta"})), 400, "not installed"),
        (s.post("/api/v1/run", &json!({"code": "", "edition": "2030"})), 400, "2024"),
        (s.post("/api/v1/run", &json!({"code": "", "harness": "nope"})), 400, "rocket-request"),
        (s.post("/api/v1/run", &json!({"code": "", "harness": "rocket-request", "args": {"method": "FETCH"}})), 400, "method"),
        (s.post("/api/v1/run", &json!({"files": [{"name": "../x.rs", "content": ""}, {"name": "src/main.rs", "content": ""}]})), 400, "..")
        ,
        (s.post("/api/v1/run", &json!({"code": "x".repeat(2 << 20)})), 413, "too large"),
        (s.get("/no/such/route"), 404, "no such route"),
    ];
    for ((status, body, _), want_status, want_text) in cases {
        assert_eq!(status, want_status, "{body}");
        let msg = body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("an error body: {body}"));
        assert!(msg.contains(want_text), "{want_text:?} in {msg:?}");
    }
    // And the server still answers.
    assert_eq!(s.get("/healthz").0, 200);
}

#[test]
fn discovery_routes_describe_harnesses_toolchains_and_crates() {
    let Some(s) = start(DEFAULT) else { return };
    let (_, h, _) = s.get("/api/v1/harnesses");
    let ids: Vec<&str> = h["harnesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["bin", "expr", "test", "doctest", "rocket-request"]);
    let rocket = &h["harnesses"][4];
    assert!(
        rocket["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "uri"),
        "{rocket}"
    );
    let (_, t, _) = s.get("/api/v1/toolchains");
    let stable = t["toolchains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["channel"] == "stable")
        .unwrap();
    assert!(stable["commit_hash"].as_str().unwrap().len() == 40);
    assert_eq!(stable["baked"]["debug"], true);
    let (_, c, _) = s.get("/api/v1/crates");
    let names: Vec<&str> = c["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for want in ["rocket", "serde", "tokio", "rand", "regex"] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
}

#[test]
fn curl_friendly_harness_routes() {
    let Some(s) = start(DEFAULT) else { return };
    let text = ureq::post(&s.url("/run/expr"))
        .set("Accept", "text/plain")
        .send_string("6 * 7")
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(text, "42\n");
    let app = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/rocket.rs"
    ))
    .unwrap();
    let (status, body, _) = s.post_raw("/run/rocket-request?method=GET&uri=/", "text/plain", &app);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run"]["harness"]["status"], 200);
    assert_eq!(body["run"]["harness"]["body"], "Hello, world!");
    let (status, body, _) = s.post_raw("/run/rocket-request?method=BREW", "text/plain", &app);
    assert_eq!(status, 400, "{body}");
}

#[test]
fn compile_time_attacks_through_the_api_leak_nothing() {
    let Some(s) = start(DEFAULT) else { return };
    let secret = s.data_dir.join("secret.txt");
    std::fs::write(&secret, "server-canary-31337").unwrap();
    let codes = [
        format!("const S: &str = include_str!({secret:?}); fn main() {{ println!(\"{{S}}\"); }}"),
        "const S: &str = include_str!(\"/etc/shadow\"); fn main() { println!(\"{S}\"); }"
            .to_string(),
        "fn main() { println!(\"{}\", env!(\"CORRAL_CANARY_ENV\")); }".to_string(),
    ];
    for code in codes {
        let (status, body, _) = s.post("/api/v1/run", &json!({"code": code}));
        assert_eq!(status, 200);
        assert_eq!(body["status"], "compile_error", "{body}");
        assert!(!body.to_string().contains("server-canary-31337"), "{body}");
    }
    let (_, body, _) = s.post(
        "/api/v1/run",
        &json!({"code": "fn main() { println!(\"{:?}\", std::env::var(\"CORRAL_CANARY_ENV\")); }"}),
    );
    assert_eq!(body["run"]["stdout"], "Err(NotPresent)\n");
    // The compiler sees the sandbox's own /etc/passwd, not the host's.
    let (_, body, _) = s.post("/api/v1/run", &json!({"code": "const S: &str = include_str!(\"/etc/passwd\"); fn main() { print!(\"{S}\"); }"}));
    let passwd = body["run"]["stdout"].as_str().unwrap();
    assert!(
        passwd.contains("sandbox:x:1000") && !passwd.contains("corral-test"),
        "{passwd}"
    );
}

#[test]
fn metrics_can_require_a_token() {
    let Some(s) = Server::start("", &[("CORRAL_METRICS_TOKEN", "t0k3n")]) else {
        return;
    };
    assert_eq!(s.get("/metrics").0, 401);
    let text = ureq::get(&s.url("/metrics"))
        .set("Authorization", "Bearer t0k3n")
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(text.contains("corral_requests_total"), "{text}");
}

#[test]
fn native_tool_routes_run_in_the_sandbox() {
    let Some(s) = start(DEFAULT) else { return };
    let (status, f, _) = s.post(
        "/api/v1/format",
        &json!({"code": "fn main(){println!(\"hi\")}"}),
    );
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["code"], "fn main() {\n    println!(\"hi\")\n}\n");
    let (_, c, _) = s.post(
        "/api/v1/clippy",
        &json!({"code": "fn main() { let x = 3.14; println!(\"{x}\"); }"}),
    );
    assert!(
        c["stderr"].as_str().unwrap().contains("approx_constant"),
        "{c}"
    );
    let (_, a, _) = s.post("/api/v1/compile", &json!({"code": "pub fn add(a: u64, b: u64) -> u64 { a + b }", "crate_type": "lib", "target": "asm"}));
    assert!(a["code"].as_str().unwrap().contains("add"), "{a}");
    let (status, m, _) = s.post(
        "/api/v1/miri",
        &json!({"code": "fn main() {}", "channel": "nightly"}),
    );
    assert_eq!(status, 400, "{m}");
    assert!(
        m["error"]
            .as_str()
            .unwrap()
            .contains("Miri is not installed"),
        "{m}"
    );
    let (status, e, _) = s.post(
        "/api/v1/compile",
        &json!({"code": "fn main() {}", "target": "wasm"}),
    );
    assert_eq!(status, 400, "{e}");
    // The tools read user code inside the sandbox too.
    let secret = s.data_dir.join("tool-secret.txt");
    std::fs::write(&secret, "tool-canary-2718").unwrap();
    let code = format!("pub const S: &str = include_str!({secret:?});");
    for route in ["/api/v1/clippy", "/api/v1/compile"] {
        let (_, r, _) = s.post(
            route,
            &json!({"code": code, "crate_type": "lib", "target": "mir"}),
        );
        assert_eq!(r["success"], false, "{route}: {r}");
        assert!(!r.to_string().contains("tool-canary-2718"), "{route}: {r}");
    }
}

#[test]
fn compile_only_applies_the_harness_and_does_not_run() {
    let Some(s) = start(DEFAULT) else { return };
    // A doctest without `fn main` (the harness wraps it) that would panic if run.
    let req = json!({"code": "let v = vec![1];\nassert_eq!(v.len(), 2);\n", "harness": "doctest", "compile_only": true});
    let (status, built, _) = s.post("/api/v1/run", &req);
    assert_eq!(status, 200, "{built}");
    assert_eq!(
        (built["status"].as_str(), built["step"].as_str()),
        (Some("success"), Some("compile"))
    );
    assert!(built["run"].is_null(), "not run: {built}");
    let (_, ran, _) = s.post(
        "/api/v1/run",
        &json!({"code": req["code"], "harness": "doctest"}),
    );
    assert_eq!(ran["status"], "runtime_error");
    assert_ne!(ran["key"], built["key"]);
    let bad = json!({"code": "let x: u8 = \"no\";", "harness": "doctest", "compile_only": true});
    let (_, failed, _) = s.post("/api/v1/run", &bad);
    assert_eq!(failed["status"], "compile_error");
    assert_eq!(failed["compile"]["diagnostics"][0]["code"], "E0308");
}

/// Every harness's example (from `GET /api/v1/harnesses`) runs as it is; a stub that
/// lacks what its harness calls gets the harness's need in its own terms, never a
/// generated file; the test harness lists each test with its outcome and output.
#[test]
fn harness_examples_run_and_errors_speak_the_stubs_terms() {
    let Some(s) = start(DEFAULT) else { return };
    let (status, list, _) = s.get("/api/v1/harnesses");
    assert_eq!(status, 200);
    let harnesses = list["harnesses"].as_array().unwrap();
    assert_eq!(harnesses.len(), 5);
    for h in harnesses {
        let example = h["example"].as_str().expect("an example");
        let (status, r, _) = s.post("/api/v1/run", &json!({"code": example, "harness": h["id"]}));
        assert_eq!(
            (status, r["status"].as_str()),
            (200, Some("success")),
            "{}: {r}",
            h["id"]
        );
    }
    let rocket = harnesses
        .iter()
        .find(|h| h["id"] == "rocket-request")
        .unwrap();
    let (_, r, _) = s.post(
        "/api/v1/run",
        &json!({"code": "fn main() {\n    println!(\"hi\");\n}\n", "harness": "rocket-request"}),
    );
    assert_eq!(r["status"], "compile_error", "{r}");
    let text = r.to_string();
    assert!(
        !text.contains("__corral") && !text.contains("user.rs"),
        "{text}"
    );
    let first = &r["compile"]["diagnostics"][0];
    assert_eq!(first["message"], rocket["needs"]);
    assert!(first["message"].as_str().unwrap().contains("`rocket()`"));
    assert_eq!(
        (&first["file"], &first["line_start"], &first["in_harness"]),
        (&json!("src/main.rs"), &json!(1), &json!(false))
    );
    assert!(
        r["compile"]["stderr"]
            .as_str()
            .unwrap()
            .starts_with("error: the `rocket-request` harness needs a function `rocket()`"),
        "{r}"
    );
    // An expression that cannot be printed: the error is at the user's text, and the
    // harness's `println!` around it is not shown.
    let (_, r, _) = s.post(
        "/api/v1/run",
        &json!({"code": "{ struct S; S }", "harness": "expr"}),
    );
    assert_eq!(r["status"], "compile_error", "{r}");
    let stderr = r["compile"]["stderr"].as_str().unwrap();
    assert!(stderr.contains("--> src/main.rs:1:1"), "{stderr}");
    assert!(
        !stderr.contains("user.rs") && !stderr.contains("println"),
        "{stderr}"
    );
    // Per-test results.
    let tests = "#[test]\nfn passes() { println!(\"said by passes\"); }\n#[test]\nfn fails() { assert_eq!(1 + 1, 3, \"arithmetic\"); }\n#[test]\n#[ignore = \"slow\"]\nfn later() {}\n";
    let (_, r, _) = s.post("/api/v1/run", &json!({"code": tests, "harness": "test"}));
    assert_eq!(r["status"], "runtime_error", "{r}");
    let list = r["run"]["harness"]["tests"].as_array().unwrap();
    let by_name = |n: &str| {
        list.iter()
            .find(|t| t["name"] == n)
            .unwrap_or_else(|| panic!("{n}: {r}"))
    };
    assert_eq!(by_name("passes")["outcome"], "passed");
    assert_eq!(by_name("passes")["output"], "said by passes\n");
    assert_eq!(by_name("fails")["outcome"], "failed");
    assert!(
        by_name("fails")["output"]
            .as_str()
            .unwrap()
            .contains("arithmetic")
    );
    assert_eq!(
        (&by_name("later")["outcome"], &by_name("later")["reason"]),
        (&json!("ignored"), &json!("slow"))
    );
}
