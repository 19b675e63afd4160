//! Tests of the built-in harnesses: manifests, argument validation, generated files and
//! source maps, and real compiles with the installed stable rustc (skipped with a printed
//! reason when there is none). The `rocket-request` harness compiles for real only when
//! `CORRAL_TEST_ROCKET_DEPS` names a directory holding a built `librocket-*.rlib` and its
//! dependencies (e.g. `target/debug/deps` of a crate depending on rocket 0.5.1).

use super::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

fn args(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn no_args() -> Map<String, Value> {
    Map::new()
}

fn file<'a>(p: &'a Prepared, path: &str) -> &'a str {
    &p.files
        .iter()
        .find(|(f, _)| f == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .1
}

// ---- registry and manifests ----

#[test]
fn every_builtin_harness_loads_and_has_a_schema() {
    let ids: Vec<&str> = builtin().iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["bin", "expr", "test", "doctest", "rocket-request"]);
    for h in builtin() {
        assert!(h.version >= 1);
        let schema = serde_json::to_value(h.schema()).unwrap();
        assert_eq!(schema["id"], h.id.as_str());
        // Every template renders with default arguments, leaving no placeholder behind.
        let p = h.prepare("fn main() {}", &no_args()).unwrap();
        for (path, text) in &p.files {
            assert!(!text.contains("{{"), "{}: {path}", h.id);
        }
    }
    let rocket = serde_json::to_value(find("rocket-request").unwrap().schema()).unwrap();
    assert_eq!(rocket["crates"], json!(["rocket"]));
    assert_eq!(
        rocket["args"][0],
        json!({"name": "method", "type": "enum", "required": false, "default": "GET",
               "description": "The request's HTTP method.",
               "values": ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"]})
    );
    assert_eq!(rocket["args"][3]["format"], "header");
    assert!(find("nope").is_none());
    let err = get("nope").unwrap_err().to_string();
    assert!(
        err.contains("\"nope\"") && err.contains("rocket-request"),
        "{err}"
    );
}

// ---- arguments ----

#[test]
fn arguments_are_validated_with_defaults() {
    let h = find("rocket-request").unwrap();
    assert_eq!(
        h.canonical_args(&no_args()).unwrap(),
        args(json!({"method": "GET", "uri": "/", "header": [], "then": []}))
    );
    assert_eq!(
        h.canonical_args(&args(
            json!({"method": "post", "uri": "/a?b=c", "body": "x", "header": "X-A: 1"})
        ))
        .unwrap(),
        args(
            json!({"method": "POST", "uri": "/a?b=c", "body": "x", "header": ["X-A: 1"], "then": []})
        )
    );
    // null is absent.
    assert_eq!(
        h.canonical_args(&args(json!({"body": null}))).unwrap(),
        h.canonical_args(&no_args()).unwrap()
    );

    let err = |v: Value| h.canonical_args(&args(v)).unwrap_err();
    assert!(matches!(
        err(json!({"methd": "GET"})),
        HarnessError::UnknownArgument { .. }
    ));
    assert!(matches!(
        err(json!({"method": "BREW"})),
        HarnessError::NotAllowed { .. }
    ));
    assert!(matches!(
        err(json!({"method": 1})),
        HarnessError::WrongType { .. }
    ));
    assert!(matches!(
        err(json!({"uri": "relative"})),
        HarnessError::Invalid { .. }
    ));
    assert!(matches!(
        err(json!({"uri": "/a b"})),
        HarnessError::Invalid { .. }
    ));
    assert!(matches!(
        err(json!({"uri": format!("/{}", "a".repeat(3000))})),
        HarnessError::TooLong { .. }
    ));
    assert!(matches!(
        err(json!({"header": ["no colon"]})),
        HarnessError::Invalid { .. }
    ));
    assert!(matches!(
        err(json!({"header": ["Bad Name: v"]})),
        HarnessError::Invalid { .. }
    ));
    assert!(matches!(
        err(json!({"header": ["X: a\r\nInjected: 1"]})),
        HarnessError::Invalid { .. }
    ));
    assert!(matches!(
        err(json!({"header": vec!["X: 1"; 33]})),
        HarnessError::TooMany { .. }
    ));
    assert!(matches!(
        err(json!({"body": ["x"]})),
        HarnessError::WrongType { .. }
    ));

    assert_eq!(
        err(json!({"method": "BREW"})).to_string(),
        "argument \"method\": \"BREW\" is not allowed; expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE, CONNECT"
    );
    assert_eq!(
        find("bin")
            .unwrap()
            .prepare("", &args(json!({"x": 1})))
            .unwrap_err()
            .to_string(),
        "harness \"bin\" has no argument \"x\"; its arguments: none"
    );
}

// ---- generated files and source maps ----

#[test]
fn bin_is_the_stub_unchanged() {
    let stub = "fn main() {\n    println!(\"hi\");\n}\n";
    let p = find("bin").unwrap().prepare(stub, &no_args()).unwrap();
    assert_eq!(p.files, vec![("src/main.rs".to_string(), stub.to_string())]);
    assert_eq!(p.crate_root, "src/main.rs");
    assert!(!p.test && p.run_args.is_empty());
    assert_eq!(p.source_map.file, "src/main.rs");
    assert_eq!(
        p.source_map.lines,
        vec![Some((1, 0)), Some((2, 0)), Some((3, 0)), Some((4, 0))]
    );
    assert_eq!(p.source_map.lookup("src/main.rs", 2), Some((2, 0)));
    assert_eq!(p.source_map.lookup("src/main.rs", 9), None);
    assert_eq!(p.source_map.lookup("src/other.rs", 1), None);
}

#[test]
fn expr_keeps_the_stub_in_its_own_file_and_lifts_inner_attributes() {
    let stub = "#![allow(unused_parens)] // why\n(1 + 2)\n";
    let p = find("expr").unwrap().prepare(stub, &no_args()).unwrap();
    assert_eq!(p.crate_root, "src/main.rs");
    assert_eq!(
        file(&p, "src/user.rs"),
        "                         // why\n(1 + 2)\n"
    );
    let main = file(&p, "src/main.rs");
    assert!(main.contains("\n#![allow(unused_parens)]\n"), "{main}");
    assert!(main.contains("include!(\"user.rs\")"));
    assert_eq!(p.source_map.file, "src/user.rs");
    assert_eq!(p.source_map.lookup("src/user.rs", 2), Some((2, 0)));
    assert_eq!(p.source_map.lookup("src/main.rs", 2), Some((1, 0)));
    assert_eq!(p.source_map.lookup("src/main.rs", 1), None);
}

#[test]
fn test_harness_compiles_the_stub_as_a_libtest_crate() {
    let h = find("test").unwrap();
    let p = h.prepare("#[test]\nfn t() {}\n", &no_args()).unwrap();
    assert_eq!(p.crate_root, "src/lib.rs");
    assert!(p.test);
    assert_eq!(p.run_args, ["--test-threads=1", "--show-output"]);
    assert_eq!(p.files.len(), 1);
}

#[test]
fn doctest_maps_hidden_lines_back() {
    let p = find("doctest")
        .unwrap()
        .prepare("# let x = 1;\nassert_eq!(x, 1);", &no_args())
        .unwrap();
    assert_eq!(
        file(&p, "src/main.rs"),
        "#![allow(unused)]\nfn main() {\nlet x = 1;\nassert_eq!(x, 1);\n}"
    );
    assert_eq!(p.source_map.lookup("src/main.rs", 3), Some((1, 2)));
    assert_eq!(p.source_map.lookup("src/main.rs", 4), Some((2, 0)));
    assert_eq!(p.source_map.lookup("src/main.rs", 5), None);
}

const ROCKET_LAUNCH: &str = r#"#[macro_use] extern crate rocket;

#[get("/hello/<name>")]
fn hello(name: &str) -> String {
    format!("Hello, {name}!")
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![hello])
}"#;

#[test]
fn rocket_request_lifts_macro_use_and_appends_one_line() {
    let h = find("rocket-request").unwrap();
    let p = h
        .prepare(
            ROCKET_LAUNCH,
            &args(json!({"method": "post", "uri": "/hello/\"x\"", "body": "b\u{e9}", "header": ["Content-Type: text/plain"]})),
        )
        .unwrap();
    assert_eq!(p.crate_root, "src/main.rs");
    let user = file(&p, "src/user.rs");
    let stub_lines: Vec<&str> = ROCKET_LAUNCH.split('\n').collect();
    let user_lines: Vec<&str> = user.split('\n').collect();
    // Same lines, the lifted one blanked, then the appended declaration.
    assert_eq!(user_lines.len(), stub_lines.len() + 2);
    assert_eq!(user_lines[0], " ".repeat(stub_lines[0].len()));
    assert_eq!(user_lines[1..stub_lines.len()], stub_lines[1..]);
    assert_eq!(
        user_lines[stub_lines.len()],
        "#[path = \"__corral_entry.rs\"] pub(crate) mod __corral_entry;"
    );
    assert_eq!(p.source_map.lookup("src/user.rs", 3), Some((3, 0)));
    assert_eq!(
        p.source_map.lookup("src/user.rs", stub_lines.len() + 1),
        None
    );

    let main = file(&p, "src/main.rs");
    assert!(
        main.contains("\n#[macro_use] extern crate rocket;\n"),
        "{main}"
    );
    // The stub binds `rocket` itself, so the harness adds no `extern crate rocket;`.
    assert!(!main.contains("\nextern crate rocket;"), "{main}");
    assert!(main.contains("\nmod user;\n"));
    let lifted_at = main
        .split('\n')
        .position(|l| l == "#[macro_use] extern crate rocket;")
        .unwrap();
    assert_eq!(
        p.source_map.lookup("src/main.rs", lifted_at + 1),
        Some((1, 0))
    );

    let entry = file(&p, "src/__corral_entry.rs");
    assert!(entry.contains("const METHOD: &str = \"POST\";"));
    assert!(entry.contains("const URI: &str = \"/hello/\\\"x\\\"\";"));
    assert!(entry.contains("const BODY: Option<&str> = Some(\"b\\u{e9}\");"));
    assert!(entry.contains("const HEADERS: &[&str] = &[\"Content-Type: text/plain\"];"));
    assert!(entry.contains("const MARKER: &str = \"__CORRAL_HARNESS__\";"));
    // `#[launch]` generates a `main` in the stub's module: the entry refers to it.
    assert!(entry.contains("    let _ = super::main;"));

    // A plain `fn rocket()` without `extern crate`: the harness declares the crate (for 2015).
    let plain = "use rocket::{Build, Rocket};\nfn rocket() -> Rocket<Build> { rocket::build() }";
    let p = h.prepare(plain, &no_args()).unwrap();
    assert!(file(&p, "src/main.rs").contains("\nextern crate rocket;\n"));
    assert!(!file(&p, "src/__corral_entry.rs").contains("super::main"));
    assert!(file(&p, "src/__corral_entry.rs").contains("const BODY: Option<&str> = None;"));
    assert_eq!(
        file(&p, "src/user.rs"),
        format!("{plain}\n#[path = \"__corral_entry.rs\"] pub(crate) mod __corral_entry;\n")
    );
}

#[test]
fn rocket_request_response_is_read_from_the_marker_line() {
    let h = find("rocket-request").unwrap();
    let out = "user output\n__CORRAL_HARNESS__ {\"status\":404,\"headers\":[[\"content-type\",\"text/html; charset=utf-8\"]],\"body\":\"<p>nope</p>\"}\n";
    let (v, shown) = h.interpret(out, "", Some(0));
    assert_eq!(
        v,
        json!({"status": 404, "headers": {"content-type": "text/html; charset=utf-8"}, "body": "<p>nope</p>"})
    );
    assert_eq!(shown, "user output\n");
    let (v, _) = h.interpret("", "thread 'main' panicked", Some(101));
    assert!(v["error"].is_string());
}

// ---- real compiles ----

/// The stable toolchain's rustc, if there is one.
fn rustc() -> Option<PathBuf> {
    if let Ok(out) = Command::new("rustup")
        .args(["which", "rustc", "--toolchain", "stable"])
        .output()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && p.is_file() {
            return Some(p);
        }
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc");
    p.is_file().then_some(p)
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "corral-harness-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Ran {
    compiled: bool,
    compile_stderr: String,
    stdout: String,
    stderr: String,
    exit_code: Option<i32>,
}

/// Writes `p`'s files, compiles them like the pipeline does, and runs the program.
fn compile_and_run(rustc: &Path, p: &Prepared, edition: &str, extra: &[String]) -> Ran {
    let dir = TempDir::new(edition);
    for (path, text) in &p.files {
        let at = dir.0.join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, text).unwrap();
    }
    let mut cmd = Command::new(rustc);
    cmd.current_dir(&dir.0)
        .args(["--edition", edition, &p.crate_root, "-o", "prog"])
        .args(extra);
    if p.test {
        cmd.arg("--test");
    }
    let out = cmd.output().unwrap();
    let compile_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Ran {
            compiled: false,
            compile_stderr,
            stdout: String::new(),
            stderr: String::new(),
            exit_code: None,
        };
    }
    let run = Command::new(dir.0.join("prog"))
        .current_dir(&dir.0)
        .args(&p.run_args)
        .output()
        .unwrap();
    Ran {
        compiled: true,
        compile_stderr,
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
        exit_code: run.status.code(),
    }
}

fn run(harness: &str, stub: &str, edition: &str) -> Option<Ran> {
    let Some(rustc) = rustc() else {
        println!("SKIP: no stable rustc (rustup which rustc) to compile the {harness} harness");
        return None;
    };
    let p = find(harness).unwrap().prepare(stub, &no_args()).unwrap();
    Some(compile_and_run(&rustc, &p, edition, &[]))
}

fn assert_runs(r: &Ran, stdout: &str) {
    assert!(r.compiled, "compile failed:\n{}", r.compile_stderr);
    assert!(
        !r.compile_stderr.contains("warning"),
        "warnings:\n{}",
        r.compile_stderr
    );
    assert_eq!(r.exit_code, Some(0), "stderr:\n{}", r.stderr);
    assert_eq!(r.stdout, stdout);
}

#[test]
fn compiled_bin_runs() {
    let Some(r) = run("bin", "fn main() { println!(\"hi\"); }", "2024") else {
        return;
    };
    assert_runs(&r, "hi\n");
}

#[test]
fn compiled_expr_prints_the_value_in_every_edition() {
    for edition in ["2015", "2018", "2021", "2024"] {
        let Some(r) = run("expr", "1 + 2", edition) else {
            return;
        };
        assert_runs(&r, "3\n");
    }
    // Comments, a trailing newline, a block with statements, a lifted attribute, and a
    // temporary borrowed for the whole print.
    let stub = "// the answer\n#![allow(unused_parens)]\n{\n    let x = 2;\n    (x * 21) /* ! */\n} // done\n";
    let Some(r) = run("expr", stub, "2024") else {
        return;
    };
    assert_runs(&r, "42\n");
    let Some(r) = run("expr", "String::from(\"a\").as_str()\n", "2024") else {
        return;
    };
    assert_runs(&r, "\"a\"\n");
}

#[test]
fn compiled_expr_errors_point_into_the_users_file() {
    let Some(r) = run("expr", "\n1 + \"x\"", "2024") else {
        return;
    };
    assert!(!r.compiled);
    assert!(
        r.compile_stderr.contains("src/user.rs:2:"),
        "{}",
        r.compile_stderr
    );
}

#[test]
fn compiled_tests_are_counted() {
    let h = find("test").unwrap();
    let stub = "#[test]\nfn a() {}\n#[test]\nfn b() { assert_eq!(1, 2); }\n#[test]\n#[ignore]\nfn c() {}\n";
    for edition in ["2015", "2024"] {
        let Some(r) = run("test", stub, edition) else {
            return;
        };
        assert!(r.compiled, "{}", r.compile_stderr);
        assert_eq!(r.exit_code, Some(101));
        let (v, shown) = h.interpret(&r.stdout, &r.stderr, r.exit_code);
        assert_eq!(
            (&v["passed"], &v["failed"], &v["ignored"]),
            (&json!(1), &json!(1), &json!(1))
        );
        let outcomes: Vec<_> = v["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap(), t["outcome"].as_str().unwrap()))
            .collect();
        assert_eq!(
            outcomes,
            [("a", "passed"), ("b", "failed"), ("c", "ignored")]
        );
        assert!(
            v["tests"][1]["output"]
                .as_str()
                .unwrap()
                .contains("left: 1")
        );
        assert_eq!(shown, r.stdout);
    }
    let Some(r) = run("test", "#[test]\nfn ok() {}\n", "2021") else {
        return;
    };
    assert_eq!(r.exit_code, Some(0));
    assert_eq!(
        h.interpret(&r.stdout, "", r.exit_code).0,
        json!({"passed": 1, "failed": 0, "ignored": 0, "tests": [{"name": "ok", "outcome": "passed"}]})
    );
}

#[test]
fn compiled_doctests_follow_rustdoc() {
    // Hidden lines, no fn main.
    let stub = "# use std::collections::HashMap;\n# let mut m = HashMap::new();\nm.insert(1, \"one\");\nprintln!(\"{}\", m[&1]);\n";
    for edition in ["2015", "2024"] {
        let Some(r) = run("doctest", stub, edition) else {
            return;
        };
        assert!(r.compiled, "{}", r.compile_stderr);
        assert_eq!((r.exit_code, r.stdout.as_str()), (Some(0), "one\n"));
    }
    // Its own (hidden) main, a lifted feature-free crate attribute and an extern crate.
    let stub =
        "#![allow(dead_code)]\nextern crate core;\n# fn main() {\nprintln!(\"main\");\n# }\n";
    let Some(r) = run("doctest", stub, "2021") else {
        return;
    };
    assert_runs(&r, "main\n");
    // `?` with `Ok::<(), E>(())` at the end.
    let stub = "let n: i32 = \"42\".parse()?;\nprintln!(\"{n}\");\nOk::<(), std::num::ParseIntError>(())\n";
    for edition in ["2015", "2024"] {
        let Some(r) = run("doctest", stub, edition) else {
            return;
        };
        assert!(r.compiled, "{}", r.compile_stderr);
        assert_eq!((r.exit_code, r.stdout.as_str()), (Some(0), "42\n"));
    }
    // `##` becomes `#`.
    let stub = "##[derive(Debug)]\nstruct S;\nprintln!(\"{:?}\", S);\n";
    let Some(r) = run("doctest", stub, "2024") else {
        return;
    };
    assert!(r.compiled, "{}", r.compile_stderr);
    assert_eq!(r.stdout, "S\n");
    // An error maps back through the hidden-line shift.
    let stub = "let a = 1;\n#   let b: u8 = \"x\";\n";
    let rustc = rustc().unwrap();
    let p = find("doctest").unwrap().prepare(stub, &no_args()).unwrap();
    let r = compile_and_run(&rustc, &p, "2024", &[]);
    assert!(!r.compiled);
    // "src/main.rs:L:C" → user line 2, column C + 4.
    let at = r.compile_stderr.find("src/main.rs:").unwrap() + "src/main.rs:".len();
    let pos: Vec<usize> = r.compile_stderr[at..]
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    let (line, shift) = p.source_map.lookup("src/main.rs", pos[0]).unwrap();
    assert_eq!(line, 2);
    assert_eq!(
        &stub.split('\n').nth(1).unwrap()[pos[1] - 1 + shift..][..3],
        "\"x\""
    );
}

// ---- rocket-request against a real Rocket, when one is at hand ----

fn rocket_deps() -> Option<(PathBuf, Vec<String>)> {
    let Some(dir) = std::env::var_os("CORRAL_TEST_ROCKET_DEPS").map(PathBuf::from) else {
        println!(
            "SKIP: CORRAL_TEST_ROCKET_DEPS is not set: the rocket-request harness is not compiled"
        );
        return None;
    };
    let rlib = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("librocket-") && n.ends_with(".rlib"))
        })?;
    let rustc = rustc()?;
    let extra = vec![
        "-L".to_string(),
        format!("dependency={}", dir.display()),
        "--extern".to_string(),
        format!("rocket={}", rlib.display()),
    ];
    Some((rustc, extra))
}

#[test]
fn compiled_rocket_requests_when_rocket_is_available() {
    let Some((rustc, extra)) = rocket_deps() else {
        return;
    };
    let h = find("rocket-request").unwrap();
    let go = |stub: &str, a: Value, edition: &str| {
        let p = h.prepare(stub, &args(a)).unwrap();
        let r = compile_and_run(&rustc, &p, edition, &extra);
        assert!(r.compiled, "{}", r.compile_stderr);
        assert!(
            !r.compile_stderr.contains("warning"),
            "{}",
            r.compile_stderr
        );
        let (v, shown) = h.interpret(&r.stdout, &r.stderr, r.exit_code);
        (v, shown, r)
    };

    // Rocket 0.5 itself does not build routes in edition 2015.
    for edition in ["2018", "2021", "2024"] {
        let (v, shown, r) = go(ROCKET_LAUNCH, json!({"uri": "/hello/world"}), edition);
        assert_eq!(v["status"], 200, "{v} {}", r.stderr);
        assert_eq!(v["body"], "Hello, world!");
        assert_eq!(v["headers"]["content-type"], "text/plain; charset=utf-8");
        assert_eq!(shown, "");
        assert_eq!(r.stderr, "");
    }

    // A plain `fn rocket()`, a POST with a header and a body, and the app's own output.
    let plain = r#"use rocket::{post, routes, Build, Rocket};
use rocket::http::ContentType;

#[post("/echo", data = "<body>")]
fn echo(ct: &ContentType, body: String) -> String {
    println!("handler ran");
    format!("{ct} {body}")
}

fn rocket() -> Rocket<Build> {
    rocket::build().mount("/", routes![echo])
}
"#;
    let (v, shown, _) = go(
        plain,
        json!({"method": "POST", "uri": "/echo", "body": "{\"a\":1}", "header": ["Content-Type: application/json"]}),
        "2021",
    );
    assert_eq!(v["status"], 200);
    assert_eq!(v["body"], "application/json {\"a\":1}");
    assert_eq!(shown, "handler ran\n");

    // An async `#[launch]`, a 404, and a feature-free lifted crate attribute.
    let launch_async = "#![recursion_limit = \"256\"]\n#[macro_use] extern crate rocket;\n#[get(\"/\")]\nfn index() -> &'static str { \"i\" }\n#[launch]\nasync fn rocket() -> _ { rocket::build().mount(\"/\", routes![index]) }\n";
    let (v, _, _) = go(launch_async, json!({"uri": "/missing"}), "2024");
    assert_eq!(v["status"], 404);
    let (v, _, _) = go(launch_async, json!({"method": "HEAD"}), "2024");
    assert_eq!(
        (v["status"].clone(), v["body"].clone()),
        (json!(200), json!(""))
    );

    // The harness's own code compiles in edition 2015 too (with a route-less app).
    let bare = "fn rocket() -> ::rocket::Rocket<::rocket::Build> { ::rocket::build() }\n";
    let (v, _, _) = go(bare, json!({"uri": "/x"}), "2015");
    assert_eq!(v["status"], 404);

    // A launch failure is reported, not a hang or a panic.
    let colliding = "#[macro_use] extern crate rocket;\n#[get(\"/\")] fn a() {}\n#[get(\"/\")] fn b() {}\n#[launch] fn rocket() -> _ { rocket::build().mount(\"/\", routes![a, b]) }\n";
    let (v, _, r) = go(colliding, json!({}), "2021");
    assert_eq!(r.exit_code, Some(1));
    assert!(
        v["error"].as_str().unwrap().contains("collides with"),
        "{v}"
    );
}
