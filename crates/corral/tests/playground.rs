//! The Rust Playground's API on a real `corral serve`: requests shaped exactly as
//! mdBook's book.js, ferrisbot and playbot_ng send them, /compile, the tools, errors
//! in each route's shape, gists, CORS, and the compile-time attacks through every
//! tool route.

mod common;

use common::server::Server;
use serde_json::{Value, json};

const CANARY_ENV: &str = "pg-canary-env-6502";
const CANARY_FILE: &str = "pg-canary-file-8086";

fn start() -> Option<Server> {
    if !common::sandbox_available() {
        return None;
    }
    Server::start(
        "[server]\nrate_per_minute = 0\n",
        &[("PG_CANARY_ENV", CANARY_ENV)],
    )
}

/// One HTTP exchange: status, headers (lower-case names), body text and JSON.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
    json: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn send(s: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut req = ureq::request(method, &s.url(path));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let res = if method == "GET" || method == "OPTIONS" {
        req.call()
    } else {
        req.send_string(body)
    };
    let r = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: transport error: {e}"),
    };
    let status = r.status();
    let headers = r
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = r.header(&n).unwrap_or("").to_string();
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    let text = r.into_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// POST a JSON body as the clients do (`Content-Type: application/json`).
fn post(s: &Server, path: &str, body: &Value) -> Reply {
    send(
        s,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
}

/// The object's keys, sorted: the response shape.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort();
    k
}

const EXECUTE_SHAPE: [&str; 4] = ["exitDetail", "stderr", "stdout", "success"];
const COMPILE_SHAPE: [&str; 5] = ["code", "exitDetail", "stderr", "stdout", "success"];
const TOOL_SHAPE: [&str; 4] = ["exit_detail", "stderr", "stdout", "success"];

/// What /meta/versions says of a channel or tool that is not installed.
const NOT_INSTALLED: &str = "not installed";

/// Installed channels, from /meta/versions (which names all three).
fn channels(s: &Server) -> Vec<String> {
    let r = send(s, "GET", "/meta/versions", &[], "");
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["rustc"]["version"] != NOT_INSTALLED)
        .map(|(c, _)| c.clone())
        .collect()
}

#[test]
fn mdbook_book_js_requests_work_cross_origin() {
    let Some(s) = start() else { return };
    let origin = ("Origin", "https://doc.rust-lang.org");
    let json_ct = ("Content-Type", "application/json");
    // On load: POST /meta/crates, CORS, no body.
    let r = send(&s, "POST", "/meta/crates", &[origin, json_ct], "");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=600"));
    let etag = r.header("etag").unwrap().to_string();
    assert!(
        etag.starts_with("\"pg-ts-") && etag.ends_with('"'),
        "{etag}"
    );
    let crates = r.json["crates"].as_array().unwrap();
    assert!(!crates.is_empty());
    for c in crates {
        assert_eq!(keys(c), ["id", "name", "version"], "{c}");
        let id = c["id"].as_str().unwrap();
        assert!(!id.contains('-'), "ids are what `extern crate` names: {id}");
    }
    let ids: Vec<&str> = crates.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"rand"), "{ids:?}");
    // GET answers the same, and a revalidation is a 304.
    let g = send(&s, "GET", "/meta/crates", &[], "");
    assert_eq!((g.status, g.json.clone()), (200, r.json.clone()));
    let n = send(&s, "GET", "/meta/crates", &[("If-None-Match", &etag)], "");
    assert_eq!(n.status, 304);

    // Run: the browser preflights POST /evaluate.json (JSON content type).
    let pre = send(
        &s,
        "OPTIONS",
        "/evaluate.json",
        &[
            origin,
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        "",
    );
    assert!((200..300).contains(&pre.status), "{}", pre.status);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(
        pre.header("access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase()
            .contains("content-type")
    );
    assert!(
        pre.header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    let run = |version: &str, optimize: &str, code: &str, edition: &str| {
        let body =
            json!({"version": version, "optimize": optimize, "code": code, "edition": edition});
        let r = send(
            &s,
            "POST",
            "/evaluate.json",
            &[origin, json_ct],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(keys(&r.json), ["error", "result"], "{}", r.text);
        r.json
    };
    assert_eq!(
        run("stable", "0", "fn main() { println!(\"hi\"); }", "2021"),
        json!({"result": "hi\n", "error": null})
    );
    // mdBook's default edition is 2015; optimize other than "0" is release.
    assert_eq!(
        run(
            "stable",
            "3",
            "fn main() { let async = 1; println!(\"{}\", async); }",
            "2015"
        ),
        json!({"result": "1\n", "error": null})
    );
    assert_eq!(
        run("stable", "0", "fn main() {}", ""),
        json!({"result": "", "error": null}),
        "an empty edition means 2015 here"
    );
    // A failure puts stderr (+ stdout) in both fields.
    let failed = run("stable", "0", "fn main() { let x: u8 = \"no\"; }", "2021");
    assert_eq!(failed["result"], failed["error"]);
    assert!(
        failed["result"].as_str().unwrap().contains("error[E0308]"),
        "{failed}"
    );
    // Snippets with `#![feature` go to nightly.
    if channels(&s).iter().any(|c| c == "nightly") {
        assert_eq!(
            run(
                "nightly",
                "0",
                "#![feature(never_type)]\nfn main() { let _x: Option<!> = None; println!(\"ok\"); }",
                "2021"
            ),
            json!({"result": "ok\n", "error": null})
        );
    }
}

#[test]
fn ferrisbot_requests_execute_format_and_share() {
    let Some(s) = start() else { return };
    let nightly = channels(&s).iter().any(|c| c == "nightly");
    // ?eval: nightly, 2024, the expression wrapped in main.
    let eval = json!({
        "channel": "nightly", "edition": "2024",
        "code": "fn main(){ println!(\"{:?}\", {\n1 + 2\n}); }",
        "crateType": "bin", "mode": "debug", "tests": false,
    });
    let r = post(&s, "/execute", &eval);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), EXECUTE_SHAPE);
    if nightly {
        assert_eq!(r.json["success"], true, "{}", r.text);
        assert_eq!(r.json["exitDetail"], "Exited with status 0");
        assert_eq!(r.json["stdout"], "3\n");
    } else {
        assert_eq!(r.json["success"], false);
        assert!(r.json["stderr"].as_str().unwrap().contains("nightly"));
        return;
    }
    // ?play with several files.
    let files = json!({
        "channel": "nightly", "edition": "2024", "crateType": "bin", "mode": "release",
        "tests": false,
        "code": [
            {"name": "src/main.rs", "content": "mod a;\nfn main() { a::hi(); eprintln!(\"to stderr\"); }\n"},
            {"name": "src/a.rs", "content": "pub fn hi() { println!(\"hi from a\"); }\n"},
        ],
    });
    let r = post(&s, "/execute", &files);
    assert_eq!(
        (r.json["success"].clone(), r.json["stdout"].clone()),
        (json!(true), json!("hi from a\n")),
        "{}",
        r.text
    );
    assert_eq!(r.json["stderr"], "to stderr\n");
    // A compile error: stderr holds the compiler's diagnostics.
    let mut bad = eval.clone();
    bad["code"] = json!("fn main() { let x: i32 = \"no\"; }");
    let r = post(&s, "/execute", &bad);
    assert_eq!(r.json["success"], false);
    let stderr = r.json["stderr"].as_str().unwrap();
    assert!(
        stderr.contains("error[E0308]: mismatched types") && stderr.contains("src/main.rs:1"),
        "{stderr}"
    );
    // Tests: the libtest output on stdout.
    let tests = json!({
        "channel": "nightly", "edition": "2024", "crateType": "lib", "mode": "debug",
        "tests": true, "code": "#[test] fn adds() { assert_eq!(1 + 1, 2); }",
    });
    let r = post(&s, "/execute", &tests);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert!(
        r.json["stdout"]
            .as_str()
            .unwrap()
            .contains("test adds ... ok")
    );
    // ?fmt: /format with only code and edition (channel defaults to nightly).
    let r = post(
        &s,
        "/format",
        &json!({"code": "fn main(){let x=1;}", "edition": "2024"}),
    );
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert_eq!(r.json["code"], "fn main() {\n    let x = 1;\n}\n");
    // Long output goes to /meta/gist/ (trailing slash, a Referer), linked by id.
    let code = "fn main() { println!(\"shared\"); }";
    let r = send(
        &s,
        "POST",
        "/meta/gist/",
        &[
            ("Content-Type", "application/json"),
            ("Referer", "https://discord.gg/rust-lang-community"),
        ],
        &json!({ "code": code }).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), ["code", "id", "url"]);
    let id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 16);
    assert_eq!(r.json["url"], format!("{}/?gist={id}", s.base));
    let got = send(&s, "GET", &format!("/meta/gist/{id}"), &[], "");
    assert_eq!(got.status, 200);
    assert_eq!(got.json, r.json, "fetch answers what create did");
    // Content-addressed: the same code, the same id (also without the slash).
    let again = post(&s, "/meta/gist", &json!({ "code": code }));
    assert_eq!(again.json["id"], id.as_str());
    let other = post(&s, "/meta/gist", &json!({"code": "fn main() {}"}));
    assert_ne!(other.json["id"], id.as_str());
}

#[test]
fn playbot_ng_requests_execute() {
    let Some(s) = start() else { return };
    // playbot_ng sends no edition: rustc's default, 2015.
    let req = |code: &str, mode: &str| {
        json!({"channel": "stable", "mode": mode, "crateType": "bin", "tests": false,
               "backtrace": false, "code": code})
    };
    let template = "fn main() { println!(\"{:?}\", { vec![1, 2, 3].iter().sum::<i32>() }); }";
    let r = post(&s, "/execute", &req(template, "debug"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), EXECUTE_SHAPE);
    assert_eq!(
        (r.json["success"].clone(), r.json["stdout"].clone()),
        (json!(true), json!("6\n")),
        "{}",
        r.text
    );
    let r = post(
        &s,
        "/execute",
        &req(
            "fn main() { let async = 2; println!(\"{}\", async * 21); }",
            "release",
        ),
    );
    assert_eq!(r.json["stdout"], "42\n", "2015 edition: {}", r.text);
    // A panic: the first stderr line is what the bot shows.
    let r = post(
        &s,
        "/execute",
        &req("fn main() { panic!(\"boom\"); }", "debug"),
    );
    assert_eq!(r.json["success"], false);
    assert_eq!(r.json["exitDetail"], "Exited with status 101");
    assert!(
        r.json["stderr"].as_str().unwrap().contains("boom"),
        "{}",
        r.text
    );
    // Backtrace asked for: RUST_BACKTRACE is set for the program.
    let mut bt = req(
        "fn main() { println!(\"{:?}\", std::env::var(\"RUST_BACKTRACE\")); }",
        "debug",
    );
    bt["backtrace"] = json!(true);
    assert_eq!(post(&s, "/execute", &bt).json["stdout"], "Ok(\"1\")\n");
    // A killed program reads like the playground's.
    let r = post(&s, "/execute", &req("fn main() { loop {} }", "debug"));
    assert_eq!(r.json["success"], false);
    assert_eq!(
        r.json["exitDetail"], "Exited with signal 9 (SIGKILL): kill program",
        "{}",
        r.text
    );
}

#[test]
fn compile_emits_assembly_mir_and_ir() {
    let Some(s) = start() else { return };
    let code = "#[inline(never)]\npub fn add(a: u64, b: u64) -> u64 { a.wrapping_add(b) }\n\
                fn main() { println!(\"{}\", add(std::env::args().count() as u64, 2)); }\n";
    let req = |target: &str, extra: Value| {
        let mut v = json!({"target": target, "channel": "stable", "mode": "release",
            "edition": "2021", "crateType": "bin", "tests": false, "code": code});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    // asm, filtered and demangled by default.
    let r = post(&s, "/compile", &req("asm", json!({})));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert_eq!(r.json["exitDetail"], "Exited with status 0");
    let asm = r.json["code"].as_str().unwrap();
    assert!(asm.contains("playground::add:"), "{asm}");
    assert!(
        !asm.contains(".cfi_startproc") && !asm.contains("_ZN10playground3add"),
        "{asm}"
    );
    // Raw and mangled, Intel syntax.
    let r = post(
        &s,
        "/compile",
        &req(
            "asm",
            json!({"assemblyFlavor": "intel", "demangleAssembly": "mangle", "processAssembly": "raw"}),
        ),
    );
    let asm = r.json["code"].as_str().unwrap();
    assert!(
        asm.contains(".cfi_startproc") && asm.contains("_ZN10playground3add"),
        "{asm}"
    );
    assert!(asm.contains("lea") || asm.contains("add"), "{asm}");
    assert!(
        !asm.contains("%rdi"),
        "Intel syntax has no % registers: {asm}"
    );
    // MIR and LLVM IR.
    let r = post(&s, "/compile", &req("mir", json!({"mode": "debug"})));
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert!(
        r.json["code"].as_str().unwrap().contains("fn add(_1: u64"),
        "{}",
        r.text
    );
    let r = post(&s, "/compile", &req("llvm-ir", json!({})));
    assert!(
        r.json["code"].as_str().unwrap().contains("define "),
        "{}",
        r.text
    );
    // A compile error: success false, the diagnostics on stderr, no artifact.
    let mut broken = req("mir", json!({}));
    broken["code"] = json!("fn main() { let x: u8 = \"no\"; }");
    let r = post(&s, "/compile", &broken);
    assert_eq!(
        (r.json["success"].clone(), r.json["code"].clone()),
        (json!(false), json!(""))
    );
    assert!(r.json["stderr"].as_str().unwrap().contains("E0308"));
    // wasm: no target installed (or not built by corral): a clear error, same shape.
    let r = post(&s, "/compile", &req("wasm", json!({})));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], false);
    assert!(
        r.json["stderr"]
            .as_str()
            .unwrap()
            .contains("wasm32-unknown-unknown")
    );
    // HIR needs nightly: on stable, a clear error in the route's shape.
    let r = post(&s, "/compile", &req("hir", json!({})));
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], false);
    assert!(
        r.json["stderr"].as_str().unwrap().contains("nightly"),
        "{}",
        r.text
    );
    if channels(&s).iter().any(|c| c == "nightly") {
        let mut hir = req("hir", json!({}));
        hir["channel"] = json!("nightly");
        let r = post(&s, "/compile", &hir);
        assert_eq!(r.json["success"], true, "{}", r.text);
        assert!(r.json["code"].as_str().unwrap().contains("fn add"));
    }
    // The second identical request comes from the memo.
    let hits = || -> u64 {
        let text = send(&s, "GET", "/metrics", &[], "").text;
        text.lines()
            .find_map(|l| l.strip_prefix("corral_cache_hits_total "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap()
    };
    let before = hits();
    let first = post(&s, "/compile", &req("llvm-ir", json!({})));
    assert_eq!(hits(), before + 1, "llvm-ir was asked for above");
    assert_eq!(first.json["success"], true);
}

#[test]
fn format_clippy_miri_and_macro_expansion() {
    let Some(s) = start() else { return };
    let installed = channels(&s);
    let nightly = installed.iter().any(|c| c == "nightly");
    // /format on stable; a syntax error gives the code back unchanged.
    let r = post(
        &s,
        "/format",
        &json!({"channel": "stable", "edition": "2021", "code": "fn  main( ) { }"}),
    );
    assert_eq!(
        (r.json["success"].clone(), r.json["code"].clone()),
        (json!(true), json!("fn main() {}\n")),
        "{}",
        r.text
    );
    let broken = "fn main( {";
    let r = post(
        &s,
        "/format",
        &json!({"channel": "stable", "edition": "2021", "code": broken}),
    );
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], false);
    assert_eq!(r.json["code"], broken);
    assert!(!r.json["stderr"].as_str().unwrap().is_empty());
    // /clippy: `exit_detail` in snake case; a deny-by-default lint fails.
    let clippy = |channel: Option<&str>, code: &str| {
        let mut v = json!({"edition": "2021", "crateType": "bin", "code": code});
        if let Some(c) = channel {
            v["channel"] = json!(c);
        }
        post(&s, "/clippy", &v)
    };
    let r = clippy(Some("stable"), "fn main() { let x = 5; if x == x {} }");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    assert_eq!(r.json["success"], false);
    assert!(
        r.json["stderr"].as_str().unwrap().contains("eq_op"),
        "{}",
        r.text
    );
    let r = clippy(
        Some("stable"),
        "fn main() { let v = vec![1]; println!(\"{}\", v.len() == 0); }",
    );
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert_eq!(r.json["exit_detail"], "Exited with status 0");
    assert!(r.json["stderr"].as_str().unwrap().contains("len_zero"));
    // The default channel is nightly.
    let r = clippy(None, "fn main() {}");
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    assert_eq!(r.json["success"], nightly, "{}", r.text);
    // /miri: not installed here, a clear error in the route's own shape.
    let r = post(
        &s,
        "/miri",
        &json!({"edition": "2021", "aliasingModel": "stacked", "code": "fn main() {}"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    assert_eq!(r.json["success"], false);
    assert!(
        r.json["stderr"].as_str().unwrap().contains("Miri"),
        "{}",
        r.text
    );
    let r = post(
        &s,
        "/miri",
        &json!({"edition": "2021", "aliasingModel": "pointy", "code": ""}),
    );
    assert_eq!(
        (r.status, r.json.clone()),
        (
            400,
            json!({"error": "'pointy' is not a valid aliasing model"})
        )
    );
    // /macro-expansion (nightly): the expanded code on stdout.
    let r = post(
        &s,
        "/macro-expansion",
        &json!({"edition": "2021", "code": "fn main() { println!(\"hi\"); }"}),
    );
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    if nightly {
        assert_eq!(r.json["success"], true, "{}", r.text);
        assert!(
            r.json["stdout"].as_str().unwrap().contains("format_args!"),
            "{}",
            r.text
        );
    } else {
        assert!(r.json["stderr"].as_str().unwrap().contains("nightly"));
    }
}

/// `code` as a list of files (`[{"id"?, "name", "content"}]`, as the playground's
/// frontend sends a crate), on /format, the tools and /meta/gist.
#[test]
fn format_the_tools_and_gists_take_a_list_of_files() {
    let Some(s) = start() else { return };
    let nightly = channels(&s).iter().any(|c| c == "nightly");
    let toml = "[package]\nname  =  \"x\"\n";
    // /format: each Rust file formatted, the others as sent; `code` the list.
    let r = post(
        &s,
        "/format",
        &json!({"channel": "stable", "edition": "2021", "code": [
            {"id": 0, "name": "src/main.rs", "content": "mod a;fn  main( ) { a::f( ) }"},
            {"id": 1, "name": "src/a.rs", "content": "pub fn f( ){}"},
            {"id": 2, "name": "Cargo.toml", "content": toml},
        ]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert_eq!(r.json["exitDetail"], "Exited with status 0", "{}", r.text);
    assert_eq!(
        r.json["code"],
        json!([
            {"name": "src/main.rs", "content": "mod a;\nfn main() {\n    a::f()\n}\n"},
            {"name": "src/a.rs", "content": "pub fn f() {}\n"},
            {"name": "Cargo.toml", "content": toml},
        ]),
        "{}",
        r.text
    );
    // One file that does not parse: it comes back as sent, the others formatted, and
    // the message names it.
    let r = post(
        &s,
        "/format",
        &json!({"channel": "stable", "edition": "2021", "code": [
            {"name": "src/main.rs", "content": "fn  main( ) { }"},
            {"name": "src/broken.rs", "content": "fn f( {"},
        ]}),
    );
    assert_eq!(keys(&r.json), COMPILE_SHAPE);
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert_eq!(r.json["code"][0]["content"], "fn main() {}\n", "{}", r.text);
    assert_eq!(r.json["code"][1]["content"], "fn f( {", "{}", r.text);
    assert!(
        r.json["stderr"].as_str().unwrap().contains("src/broken.rs"),
        "{}",
        r.text
    );
    let r = post(&s, "/format", &json!({"channel": "stable", "code": []}));
    assert_eq!(r.status, 400, "{}", r.text);
    // /clippy: the crate root and the module it declares, linted together.
    let files = json!([
        {"id": 0, "name": "main.rs", "content": "mod a;\nfn main() { a::f() }"},
        {"id": 1, "name": "a.rs", "content": "pub fn f() { let x = 5; if x == x {} }"},
    ]);
    let r = post(
        &s,
        "/clippy",
        &json!({"channel": "stable", "edition": "2021", "crateType": "bin", "code": files}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    assert_eq!(r.json["success"], false, "{}", r.text);
    let stderr = r.json["stderr"].as_str().unwrap();
    assert!(
        stderr.contains("eq_op") && stderr.contains("a.rs"),
        "{}",
        r.text
    );
    // /macro-expansion (nightly): the module's code is expanded too.
    let r = post(
        &s,
        "/macro-expansion",
        &json!({"edition": "2021", "code": [
            {"name": "src/main.rs", "content": "mod a;\nfn main() { a::f() }"},
            {"name": "src/a.rs", "content": "pub fn f() { println!(\"from_a\"); }"},
        ]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    if nightly {
        assert_eq!(r.json["success"], true, "{}", r.text);
        assert!(
            r.json["stdout"].as_str().unwrap().contains("from_a"),
            "{}",
            r.text
        );
    } else {
        assert!(r.json["stderr"].as_str().unwrap().contains("nightly"));
    }
    // /miri: a list is accepted (and answered in the route's shape).
    let r = post(&s, "/miri", &json!({"edition": "2021", "code": files}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), TOOL_SHAPE);
    // A list without its crate root is refused.
    let r = post(
        &s,
        "/clippy",
        &json!({"channel": "stable", "code": [{"name": "a.rs", "content": ""},
                                              {"name": "b.rs", "content": ""}]}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    // /meta/gist: a list is shared as a list, as upstream keeps each file of a gist.
    let r = post(&s, "/meta/gist", &json!({ "code": files }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys(&r.json), ["code", "id", "url"]);
    let sorted = json!([
        {"name": "a.rs", "content": "pub fn f() { let x = 5; if x == x {} }"},
        {"name": "main.rs", "content": "mod a;\nfn main() { a::f() }"},
    ]);
    assert_eq!(r.json["code"], sorted, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_string();
    let got = send(&s, "GET", &format!("/meta/gist/{id}"), &[], "");
    assert_eq!(got.status, 200);
    assert_eq!(got.json, r.json, "fetch answers what create did");
    let again = post(&s, "/meta/gist", &json!({ "code": sorted }));
    assert_eq!(again.json["id"], id.as_str(), "the same files, the same id");
    // A list of one file is that file's text, as upstream answers a one-file gist.
    let one = post(
        &s,
        "/meta/gist",
        &json!({"code": [{"name": "main.rs", "content": "fn main() {}"}]}),
    );
    assert_eq!(one.json["code"], "fn main() {}", "{}", one.text);
}

#[test]
fn bad_input_answers_4xx_and_missing_channels_the_routes_shape() {
    let Some(s) = start() else { return };
    let exec = |channel: &str| {
        json!({"channel": channel, "mode": "debug", "edition": "2021", "crateType": "bin",
               "tests": false, "code": "fn main() {}"})
    };
    // Malformed JSON, missing fields, wrong types.
    for (path, body) in [
        ("/execute", "{\"channel\": "),
        ("/execute", "{\"channel\": \"stable\"}"),
        ("/compile", "[]"),
        ("/evaluate.json", "{\"version\": \"stable\"}"),
        ("/format", "not json"),
        ("/meta/gist", "{}"),
        (
            "/execute",
            "{\"channel\":\"stable\",\"mode\":\"debug\",\"edition\":\"2021\",\"crateType\":\"bin\",\"tests\":false,\"code\":7}",
        ),
    ] {
        let r = send(
            &s,
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text);
        assert_eq!(keys(&r.json), ["error"]);
        assert!(
            r.json["error"]
                .as_str()
                .unwrap()
                .starts_with("Unable to deserialize request: "),
            "{}",
            r.text
        );
    }
    // Invalid values: 400 with the playground's message.
    let cases = [
        ("/execute", exec("x"), "'x' is not a valid channel"),
        (
            "/execute",
            json!({"channel": "stable", "mode": "fast", "edition": "2021", "crateType": "bin", "tests": false, "code": ""}),
            "'fast' is not a valid mode",
        ),
        (
            "/execute",
            json!({"channel": "stable", "mode": "debug", "edition": "", "crateType": "bin", "tests": false, "code": ""}),
            "'' is not a valid edition",
        ),
        (
            "/execute",
            json!({"channel": "stable", "mode": "debug", "edition": "2021", "crateType": "exe", "tests": false, "code": ""}),
            "'exe' is not a valid crate type",
        ),
        (
            "/compile",
            json!({"target": "x86", "channel": "stable", "mode": "debug", "edition": "2021", "crateType": "bin", "tests": false, "code": ""}),
            "'x86' is not a valid target",
        ),
        (
            "/compile",
            json!({"target": "asm", "assemblyFlavor": "arm", "channel": "stable", "mode": "debug", "edition": "2021", "crateType": "bin", "tests": false, "code": ""}),
            "'arm' is not a valid assembly flavor",
        ),
        (
            "/format",
            json!({"channel": "x", "edition": "2021", "code": ""}),
            "'x' is not a valid channel",
        ),
        (
            "/clippy",
            json!({"channel": "x", "edition": "2021", "code": ""}),
            "'x' is not a valid channel",
        ),
        (
            "/macro-expansion",
            json!({"edition": "1999", "code": ""}),
            "'1999' is not a valid edition",
        ),
        (
            "/evaluate.json",
            json!({"version": "x", "optimize": "0", "code": ""}),
            "'x' is not a valid channel",
        ),
    ];
    for (path, body, message) in cases {
        let r = post(&s, path, &body);
        assert_eq!(
            (r.status, r.json.clone()),
            (400, json!({ "error": message })),
            "{path} {body}"
        );
    }
    // Crate types the playground has and corral does not: a clear 400.
    let mut dylib = exec("stable");
    dylib["crateType"] = json!("cdylib");
    let r = post(&s, "/execute", &dylib);
    assert_eq!(r.status, 400);
    assert!(r.json["error"].as_str().unwrap().contains("bin or lib"));
    // A channel that is not installed: the route's own shape, saying so.
    if !channels(&s).iter().any(|c| c == "beta") {
        let says = |v: &Value, field: &str| {
            let text = v[field].as_str().unwrap_or_else(|| panic!("{field}: {v}"));
            assert!(
                text.contains("beta") && text.contains("not installed"),
                "{v}"
            );
        };
        let r = post(&s, "/execute", &exec("beta"));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(keys(&r.json), EXECUTE_SHAPE);
        assert_eq!(r.json["success"], false);
        says(&r.json, "stderr");
        let mut compile = exec("beta");
        compile["target"] = json!("asm");
        let r = post(&s, "/compile", &compile);
        assert_eq!(keys(&r.json), COMPILE_SHAPE);
        says(&r.json, "stderr");
        let r = post(
            &s,
            "/format",
            &json!({"channel": "beta", "edition": "2021", "code": "fn main(){}"}),
        );
        assert_eq!(keys(&r.json), COMPILE_SHAPE);
        assert_eq!(r.json["code"], "fn main(){}");
        says(&r.json, "stderr");
        let r = post(
            &s,
            "/clippy",
            &json!({"channel": "beta", "edition": "2021", "code": "fn main(){}"}),
        );
        assert_eq!(keys(&r.json), TOOL_SHAPE);
        says(&r.json, "stderr");
        let r = post(
            &s,
            "/evaluate.json",
            &json!({"version": "beta", "optimize": "0", "code": "fn main(){}"}),
        );
        assert_eq!(keys(&r.json), ["error", "result"]);
        says(&r.json, "result");
        says(&r.json, "error");
    }
    // Gists: unknown ids are 404, oversized snippets 413, both {"error"}.
    for id in ["AAAAAAAAAAAAAAAA", "no%20such", "x"] {
        let r = send(&s, "GET", &format!("/meta/gist/{id}"), &[], "");
        assert_eq!(r.status, 404, "{id}: {}", r.text);
        assert_eq!(keys(&r.json), ["error"]);
    }
    let big = "/".repeat(64 * 1024 + 1);
    let r = post(&s, "/meta/gist", &json!({ "code": big }));
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(keys(&r.json), ["error"]);
    // Several files compile as one crate, as for /execute.
    let mut multi = exec("stable");
    multi["target"] = json!("mir");
    multi["code"] = json!([{"name": "src/main.rs", "content": "mod a; fn main() { a::f() }"},
                           {"name": "src/a.rs", "content": "pub fn f() {}"}]);
    let r = post(&s, "/compile", &multi);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert!(
        r.json["code"].as_str().unwrap().contains("fn f("),
        "{}",
        r.text
    );
    // ... but a list must name its crate root.
    multi["code"] = json!([{"name": "src/b.rs", "content": ""},
                           {"name": "src/a.rs", "content": ""}]);
    let r = post(&s, "/compile", &multi);
    assert_eq!(r.status, 400, "{}", r.text);
    // A file name that escapes the crate is refused.
    let mut escape = exec("stable");
    escape["code"] = json!([{"name": "src/main.rs", "content": "fn main() {}"},
                            {"name": "../../etc/x.rs", "content": ""}]);
    let r = post(&s, "/execute", &escape);
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(keys(&r.json), ["error"]);
}

#[test]
fn meta_versions_lists_installed_channels() {
    let Some(s) = start() else { return };
    let r = send(&s, "GET", "/meta/versions", &[], "");
    assert_eq!(r.status, 200, "{}", r.text);
    let all = r.json.as_object().unwrap();
    // The frontend's check (ui/frontend/reducers/versions.ts): all three channels,
    // each with rustc, rustfmt and clippy as {version, hash, date} strings, whether
    // installed or not; miri optional.
    assert_eq!(keys(&r.json), ["beta", "nightly", "stable"], "{}", r.text);
    let installed = channels(&s);
    assert!(installed.iter().any(|c| c == "stable"), "{}", r.text);
    for (channel, v) in all {
        for tool in ["rustc", "rustfmt", "clippy"] {
            let t = &v[tool];
            assert_eq!(
                keys(t),
                ["date", "hash", "version"],
                "{channel} {tool}: {v}"
            );
            assert!(t["hash"].is_string() && t["date"].is_string(), "{v}");
            let version = t["version"].as_str().unwrap();
            assert!(!version.is_empty());
            if !installed.contains(channel) {
                assert_eq!(version, NOT_INSTALLED, "{channel} {tool}: {v}");
            }
        }
        if let Some(m) = v.get("miri") {
            assert_eq!(keys(m), ["date", "hash", "version"]);
        }
    }
    let stable = &all["stable"]["rustc"];
    assert!(stable["hash"].as_str().unwrap().len() >= 7);
    assert!(stable["version"].as_str().unwrap().starts_with("1."));
}

#[test]
fn cors_preflight_is_answered_on_the_compatible_routes() {
    let Some(s) = start() else { return };
    for path in [
        "/execute",
        "/compile",
        "/format",
        "/clippy",
        "/miri",
        "/macro-expansion",
        "/meta/crates",
        "/meta/gist",
        "/evaluate.json",
    ] {
        let r = send(
            &s,
            "OPTIONS",
            path,
            &[
                ("Origin", "https://example.org"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            "",
        );
        assert!((200..300).contains(&r.status), "{path}: {}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
        assert!(
            r.header("access-control-allow-methods")
                .is_some_and(|m| m.contains("POST")),
            "{path}"
        );
    }
    // And on the answers themselves.
    let r = send(
        &s,
        "POST",
        "/execute",
        &[
            ("Origin", "https://example.org"),
            ("Content-Type", "application/json"),
        ],
        "{}",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn compile_time_attacks_through_every_tool_route_leak_nothing() {
    let Some(s) = start() else { return };
    let secret = s.data_dir.join("pg-secret.txt");
    std::fs::write(&secret, CANARY_FILE).unwrap();
    let secret = secret.to_str().unwrap().to_string();
    let nightly = channels(&s).iter().any(|c| c == "nightly");
    // Host users the sandbox's own /etc/passwd does not have.
    let host_only: Vec<String> = std::fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            let user = l.split(':').next().unwrap_or("");
            !l.is_empty() && !["root", "sandbox", "nobody"].contains(&user)
        })
        .map(String::from)
        .collect();
    let attacks = [
        "const S: &str = include_str!(\"/etc/passwd\");".to_string(),
        format!("const S: &str = include_str!({secret:?});"),
        "const S: &str = env!(\"PG_CANARY_ENV\");".to_string(),
        "const S: Option<&str> = option_env!(\"PG_CANARY_ENV\");".to_string(),
        "const S: &str = include_str!(\"/proc/self/environ\");".to_string(),
        "const S: &[u8] = include_bytes!(\"/proc/1/environ\");".to_string(),
    ];
    let mut answers = 0;
    for attack in &attacks {
        let code = format!("{attack}\nfn main() {{ println!(\"{{:?}}\", S); }}\n");
        let mut routes: Vec<(&str, Value)> = vec![
            (
                "/execute",
                json!({"channel": "stable", "mode": "debug", "edition": "2021",
                       "crateType": "bin", "tests": false, "code": code}),
            ),
            (
                "/compile",
                json!({"target": "mir", "channel": "stable", "mode": "debug",
                       "edition": "2021", "crateType": "bin", "tests": false, "code": code}),
            ),
            (
                "/compile",
                json!({"target": "asm", "processAssembly": "raw", "channel": "stable",
                       "mode": "debug", "edition": "2021", "crateType": "bin",
                       "tests": false, "code": code}),
            ),
            (
                "/clippy",
                json!({"channel": "stable", "edition": "2021", "code": code}),
            ),
            (
                "/format",
                json!({"channel": "stable", "edition": "2021", "code": code}),
            ),
            (
                "/evaluate.json",
                json!({"version": "stable", "optimize": "0", "code": code, "edition": "2021"}),
            ),
            ("/miri", json!({"edition": "2021", "code": code})),
        ];
        if nightly {
            routes.push(("/macro-expansion", json!({"edition": "2021", "code": code})));
            routes.push((
                "/compile",
                json!({"target": "hir", "channel": "nightly", "mode": "debug",
                       "edition": "2021", "crateType": "bin", "tests": false, "code": code}),
            ));
        }
        for (path, body) in routes {
            let r = post(&s, path, &body);
            assert_eq!(r.status, 200, "{path} {attack}: {}", r.text);
            answers += 1;
            // The attack did run: the compiler read the sandbox's own /etc/passwd.
            if attack.contains("/etc/passwd") && matches!(path, "/execute" | "/macro-expansion") {
                assert!(r.text.contains("sandbox:x:1000"), "{path}: {}", r.text);
            }
            for canary in [CANARY_ENV, CANARY_FILE] {
                assert!(
                    !r.text.contains(canary),
                    "{path} leaked {canary} with {attack}: {}",
                    r.text
                );
            }
            for line in &host_only {
                assert!(
                    !r.text.contains(line.as_str()),
                    "{path} leaked the host's /etc/passwd with {attack}: {}",
                    r.text
                );
            }
        }
    }
    assert!(answers >= attacks.len() * 7);
    // The variable is the server's, not the program's either.
    let r = post(
        &s,
        "/execute",
        &json!({"channel": "stable", "mode": "debug", "edition": "2021", "crateType": "bin",
                "tests": false,
                "code": "fn main() { println!(\"{:?}\", std::env::var(\"PG_CANARY_ENV\")); }"}),
    );
    assert_eq!(r.json["stdout"], "Err(NotPresent)\n", "{}", r.text);
}

/// A channel whose crates are not baked (here nightly, with a bake store that holds
/// only stable's bake): code that uses a baked crate is refused with the command to
/// run, in each route's own shape, instead of a compile error about a missing crate.
#[test]
fn crates_on_a_channel_that_is_not_baked_are_refused_with_the_command() {
    if !common::stable_baked() {
        return;
    }
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    if corral_rust::toolchain::resolve(&toolchains, "nightly").is_err() {
        eprintln!("SKIP: no nightly toolchain");
        return;
    }
    let stable = corral_rust::toolchain::resolve(&toolchains, "stable").unwrap();
    let key = corral_rust::bake::toolchain_key(stable);
    let store =
        std::env::temp_dir().join(format!("corral-stable-only-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store).unwrap();
    std::os::unix::fs::symlink(
        corral_rust::bake::default_store().join(&key),
        store.join(&key),
    )
    .unwrap();
    let s = Server::start(
        "[server]\nrate_per_minute = 0\n",
        &[("CORRAL_BAKE_DIR", store.to_str().unwrap())],
    );
    let Some(s) = s else {
        let _ = std::fs::remove_dir_all(&store);
        return;
    };
    let refused = |text: &str, krate: &str| {
        text.contains(&format!("`{krate}` is one of the baked crates"))
            && text.contains("corral bake --toolchain nightly")
    };

    // /execute: 200, success false, the reason in stderr.
    let r = post(
        &s,
        "/execute",
        &json!({"channel": "nightly", "mode": "debug", "edition": "2024",
                "crateType": "bin", "tests": false,
                "code": "use rand::Rng;\nfn main() { println!(\"{}\", rand::thread_rng().gen_range(1..=6)); }"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert!(
        refused(r.json["stderr"].as_str().unwrap(), "rand"),
        "{}",
        r.text
    );

    // Macro expansion always uses nightly: `#[tokio::main]` names tokio.
    let r = post(
        &s,
        "/macro-expansion",
        &json!({"edition": "2024", "code": "#[tokio::main]\nasync fn main() {}"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert!(
        refused(r.json["stderr"].as_str().unwrap(), "tokio"),
        "{}",
        r.text
    );

    // The native API: 503 with the same words.
    let r = post(
        &s,
        "/api/v1/run",
        &json!({"channel": "nightly", "code": "use serde_json::json;\nfn main() { println!(\"{}\", json!(1)); }"}),
    );
    assert_eq!(r.status, 503, "{}", r.text);
    assert!(refused(&r.text, "serde_json"), "{}", r.text);

    // Without crates nightly runs; an unknown crate stays the user's compile error.
    let r = post(
        &s,
        "/execute",
        &json!({"channel": "nightly", "mode": "debug", "edition": "2024",
                "crateType": "bin", "tests": false,
                "code": "fn main() { println!(\"plain nightly\"); }"}),
    );
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert!(r.json["stdout"].as_str().unwrap().contains("plain nightly"));
    let r = post(
        &s,
        "/execute",
        &json!({"channel": "nightly", "mode": "debug", "edition": "2024",
                "crateType": "bin", "tests": false,
                "code": "use nonesuch_crate::X;\nfn main() {}"}),
    );
    assert_eq!(r.json["success"], false, "{}", r.text);
    let stderr = r.json["stderr"].as_str().unwrap();
    assert!(
        stderr.contains("nonesuch_crate") && !stderr.contains("corral bake"),
        "{stderr}"
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&store);
}
