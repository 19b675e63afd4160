//! Programs that use the baked crates, through `corral run`: each vetted crate, and
//! the Rocket guide's examples through the rocket-request harness.

mod common;

use common::*;
use serde_json::json;

fn stdout_of(code: &str) -> String {
    let o = run_code(&[], code);
    assert_eq!(o["status"], "success", "{o}");
    o["run"]["stdout"].as_str().unwrap().to_string()
}

#[test]
fn each_general_purpose_crate_works_without_a_manifest() {
    if !stable_baked() {
        return;
    }
    let cases: &[(&str, &str)] = &[
        (
            "use serde::{Serialize, Deserialize};\n#[derive(Serialize, Deserialize, Debug)]\nstruct P { x: i32, name: String }\nfn main() {\n    let p: P = serde_json::from_str(r#\"{\"x\": 3, \"name\": \"a\"}\"#).unwrap();\n    println!(\"{} {}\", p.x, serde_json::to_string(&p).unwrap());\n}\n",
            "3 {\"x\":3,\"name\":\"a\"}\n",
        ),
        (
            "use rand::{Rng, SeedableRng};\nfn main() {\n    let mut r = rand::rngs::StdRng::seed_from_u64(7);\n    let n: u32 = r.gen_range(1..=100);\n    println!(\"{}\", (1..=100).contains(&n));\n}\n",
            "true\n",
        ),
        (
            "fn main() { let re = regex::Regex::new(r\"(\\d+)-(\\d+)\").unwrap(); let c = re.captures(\"10-20\").unwrap(); println!(\"{} {}\", &c[1], &c[2]); }\n",
            "10 20\n",
        ),
        (
            "use itertools::Itertools;\nfn main() { println!(\"{}\", [3, 1, 2].iter().sorted().join(\",\")); }\n",
            "1,2,3\n",
        ),
        (
            "fn main() { println!(\"{}\", unsafe { libc::getuid() }); }\n",
            "1000\n",
        ),
        (
            "fn main() -> anyhow::Result<()> { let n: i32 = \"12\".parse()?; println!(\"{n}\"); Ok(()) }\n",
            "12\n",
        ),
        (
            "#[derive(Debug, thiserror::Error)]\n#[error(\"bad {0}\")]\nstruct E(u8);\nfn main() { println!(\"{}\", E(4)); }\n",
            "bad 4\n",
        ),
        (
            "fn main() { let d = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(); println!(\"{}\", d.format(\"%A\")); }\n",
            "Thursday\n",
        ),
        (
            "#[tokio::main]\nasync fn main() {\n    let h = tokio::spawn(async { 21 * 2 });\n    tokio::time::sleep(std::time::Duration::from_millis(10)).await;\n    println!(\"{}\", h.await.unwrap());\n}\n",
            "42\n",
        ),
        (
            "use figment::{Figment, providers::{Format, Toml}};\n#[derive(serde::Deserialize)]\nstruct C { port: u16 }\nfn main() { let c: C = Figment::new().merge(Toml::string(\"port = 8080\")).extract().unwrap(); println!(\"{}\", c.port); }\n",
            "8080\n",
        ),
    ];
    for (code, want) in cases {
        assert_eq!(stdout_of(code), *want, "{code}");
    }
}

/// The Rocket guide's first example, as written.
const HELLO: &str = r#"#[macro_use] extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
"#;

#[test]
fn rocket_guide_hello_world_answers_a_request() {
    if !stable_baked() {
        return;
    }
    let o = run_code(&["--harness", "rocket-request", "--arg", "uri=/"], HELLO);
    assert_eq!(o["status"], "success", "{o}");
    assert_eq!(o["run"]["harness"]["status"], 200, "{o}");
    assert_eq!(o["run"]["harness"]["body"], "Hello, world!");
    // The harness's own line is neither in stdout nor in the timed events.
    assert!(
        !o["run"]["stdout"]
            .as_str()
            .unwrap()
            .contains("__CORRAL_HARNESS__")
    );
    assert!(
        !o["run"]["events"]
            .to_string()
            .contains("__CORRAL_HARNESS__"),
        "{o}"
    );
    let o = run_code(
        &["--harness", "rocket-request", "--arg", "uri=/missing"],
        HELLO,
    );
    assert_eq!(o["run"]["harness"]["status"], 404, "{o}");
}

/// A Rocket app is linked against the bake's shared library of the crates (most of
/// its compile was the static link of Rocket, Tokio and Hyper), mapped read-only from
/// the run step's `/corral/lib`; the user's lines keep their numbers in diagnostics.
#[test]
fn rocket_apps_link_the_bakes_shared_library() {
    if !stable_baked() {
        return;
    }
    let app = r#"#[macro_use] extern crate rocket;

#[get("/")]
fn maps() -> String {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let shared = maps.lines().any(|l| l.ends_with("/corral/lib/libcorral_vetted.so"));
    let writable = std::fs::OpenOptions::new()
        .write(true)
        .open("/corral/lib/libcorral_vetted.so")
        .is_ok();
    format!("shared {shared} writable {writable}")
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![maps])
}
"#;
    let o = run_code(&["--harness", "rocket-request", "--arg", "uri=/"], app);
    assert_eq!(o["status"], "success", "{o}");
    assert_eq!(
        o["run"]["harness"]["body"], "shared true writable false",
        "{o}"
    );
    let broken = app.replace("routes![maps]", "routes![maps, missing]");
    let o = run_code(&["--harness", "rocket-request", "--arg", "uri=/"], &broken);
    assert_eq!(o["status"], "compile_error", "{o}");
    let d = &o["compile"]["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line_start"].as_u64()),
        (Some("src/main.rs"), Some(16)),
        "{o}"
    );
}

#[test]
fn rocket_json_post_with_headers() {
    if !stable_baked() {
        return;
    }
    let app = r#"#[macro_use] extern crate rocket;
use rocket::serde::{Deserialize, Serialize, json::Json};

#[derive(Deserialize, Serialize)]
#[serde(crate = "rocket::serde")]
struct Task { description: String, done: bool }

#[post("/todo", data = "<task>")]
fn new(task: Json<Task>) -> Json<Task> {
    Json(Task { description: task.description.to_uppercase(), done: !task.done })
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![new])
}
"#;
    let o = run_code(
        &[
            "--harness",
            "rocket-request",
            "--arg",
            "method=POST",
            "--arg",
            "uri=/todo",
            "--arg",
            "header=Content-Type: application/json",
            "--arg",
            r#"body={"description":"write","done":false}"#,
        ],
        app,
    );
    assert_eq!(o["run"]["harness"]["status"], 200, "{o}");
    assert_eq!(
        o["run"]["harness"]["body"],
        r#"{"description":"WRITE","done":true}"#
    );
    assert!(
        o["run"]["harness"]["headers"]["content-type"]
            .as_str()
            .unwrap()
            .contains("json")
    );
}

/// The picture examples: a plot drawn with `plotters` and printed as an `IMAGE:` line of
/// base64 SVG, and an animation of such frames, each after a form feed and a sleep.
#[test]
fn the_picture_examples_print_image_lines() {
    use base64::prelude::*;
    if !stable_baked() {
        return;
    }
    let example = |name: &str| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/").to_string() + name;
        let o = run_code(&[], &std::fs::read_to_string(path).unwrap());
        assert_eq!(o["status"], "success", "{o}");
        o
    };
    let svg_of = |line: &str| {
        let b64 = line.strip_prefix("IMAGE:").expect("an IMAGE: line");
        String::from_utf8(BASE64_STANDARD.decode(b64).expect("base64")).expect("UTF-8 SVG")
    };

    let plot = example("plot.rs");
    let stdout = plot["run"]["stdout"].as_str().unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout:.200}");
    let svg = svg_of(lines[0]);
    assert!(svg.starts_with("<svg"), "{svg:.100}");
    assert!(
        svg.contains("sin(x) and cos(x)") && svg.contains("<polyline"),
        "{svg:.300}"
    );
    assert!(
        !svg.contains("<script") && !svg.contains("href"),
        "a static picture"
    );
    assert_eq!(lines[1], "Plotted sin and cos on [-3.2, 3.2].");

    let anim = example("animation.rs");
    let stdout = anim["run"]["stdout"].as_str().unwrap();
    let frames: Vec<&str> = stdout.split('\x0c').filter(|f| !f.is_empty()).collect();
    assert_eq!(frames.len(), 60, "one form feed per frame");
    let first = svg_of(frames[0].lines().next().unwrap());
    let last = svg_of(frames[59].lines().next().unwrap());
    assert!(first.contains("<circle") && first != last, "the ball moves");
    // Virtual time: the sleeps are in the timeline (40 ms per frame), not in the run.
    let waited: u64 = anim["run"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delay_ns"].as_u64().unwrap_or(0))
        .sum();
    assert!(
        waited >= 59 * 40_000_000,
        "the frames are {waited} ns apart in all"
    );
}

/// rocket-request's `then`: more requests through the same client, so a cookie set by
/// one and managed state changed by one are seen by the next; every response is listed.
#[test]
fn rocket_requests_in_sequence_share_cookies_and_state() {
    if !stable_baked() {
        return;
    }
    let app = "#[macro_use]\nextern crate rocket;\nuse rocket::http::CookieJar;\nuse rocket::State;\nuse std::sync::atomic::{AtomicUsize, Ordering};\n\n#[post(\"/login\", data = \"<name>\")]\nfn login(name: &str, jar: &CookieJar<'_>) -> &'static str {\n    jar.add((\"user\", name.to_string()));\n    \"logged in\"\n}\n\n#[get(\"/me\")]\nfn me(jar: &CookieJar<'_>, hits: &State<AtomicUsize>) -> String {\n    let n = hits.fetch_add(1, Ordering::SeqCst) + 1;\n    let who = jar.get(\"user\").map(|c| c.value().to_string()).unwrap_or(\"nobody\".into());\n    format!(\"{who} (visit {n})\")\n}\n\n#[launch]\nfn rocket() -> _ {\n    rocket::build().manage(AtomicUsize::new(0)).mount(\"/\", routes![login, me])\n}\n";
    let then = r#"then=[{"method": "POST", "uri": "/login", "body": "ferris"}, {"uri": "/me"}, {"method": "DELETE", "uri": "/me"}]"#;
    let o = run_code(
        &[
            "--harness",
            "rocket-request",
            "--arg",
            "uri=/me",
            "--arg",
            then,
        ],
        app,
    );
    assert_eq!(o["status"], "success", "{o}");
    let h = &o["run"]["harness"];
    assert_eq!(
        (&h["status"], &h["body"]),
        (&json!(200), &json!("nobody (visit 1)"))
    );
    let seen: Vec<(&str, u64, &str)> = h["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["request"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
                r["body"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen[..3],
        [
            ("GET /me", 200, "nobody (visit 1)"),
            ("POST /login", 200, "logged in"),
            ("GET /me", 200, "ferris (visit 2)"),
        ]
    );
    assert_eq!((seen[3].0, seen[3].1), ("DELETE /me", 404));
    // One request: the result has no `responses`.
    let one = run_code(&["--harness", "rocket-request", "--arg", "uri=/me"], app);
    assert!(one["run"]["harness"].get("responses").is_none(), "{one}");
}
