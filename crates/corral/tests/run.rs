//! `corral run` end to end: real programs through rustc and the program in the sandbox.

mod common;

use common::*;
use serde_json::Value;

fn rand_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    h.finish()
}

fn toolchain_available() -> bool {
    if !sandbox_available() {
        return false;
    }
    let home = std::env::var("RUSTUP_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or("/root".into()))
                .join(".rustup")
        });
    let ok = home
        .join("toolchains")
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some());
    if !ok {
        eprintln!("SKIP: no rustup toolchain under {}", home.display());
    }
    ok
}

macro_rules! require {
    () => {
        if !toolchain_available() {
            return;
        }
    };
}

#[test]
fn hello_world_compiles_and_runs() {
    require!();
    let o = run_code(&[], "fn main() { println!(\"hello, corral\"); }\n");
    assert_eq!(o["status"], "success", "{o}");
    assert_eq!(o["step"], "run");
    assert_eq!(o["compile"]["success"], true);
    assert_eq!(o["run"]["stdout"], "hello, corral\n");
    assert_eq!(o["run"]["exit_code"], 0);
    assert_eq!(o["run"]["events"][0]["message"], "hello, corral\n");
    assert_eq!(o["run"]["events"][0]["stream"], "stdout");
    assert!(o["compile"]["wall_ms"].as_u64().unwrap() > 0);
}

/// A throwaway program links std dynamically (the link is most of hello world's
/// compile): the toolchain's libstd is mapped read-only from the run step's
/// `/corral/lib`, and nothing else of the toolchain is there.
#[test]
fn programs_link_std_dynamically_from_a_read_only_bind() {
    require!();
    let code = r#"
fn main() {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let std_line = maps.lines().find(|l| l.contains("/corral/lib/libstd-")).expect("libstd mapped");
    println!("mapped {}", std_line.split_whitespace().last().unwrap().starts_with("/corral/lib/"));
    let dir: Vec<String> = std::fs::read_dir("/corral/lib").unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    println!("only std {}", dir.len() == 1 && dir[0].starts_with("libstd-"));
    let w = std::fs::OpenOptions::new().write(true).open(format!("/corral/lib/{}", dir[0]));
    println!("read-only {}", w.is_err());
    println!("no toolchain {}", !std::path::Path::new("/toolchain").exists());
}
"#;
    let o = run_code(&[], code);
    assert_eq!(o["status"], "success", "{o}");
    assert_eq!(
        o["run"]["stdout"], "mapped true\nonly std true\nread-only true\nno toolchain true\n",
        "{o}"
    );
}

#[test]
fn compile_errors_point_at_the_users_text() {
    require!();
    let code = "fn main() {\n    let s = \"héllo\"; let x: i32 = \"no\";\n}\n";
    let o = run_code(&[], code);
    assert_eq!(
        (o["status"].as_str(), o["step"].as_str()),
        (Some("compile_error"), Some("compile")),
        "{o}"
    );
    assert_eq!(o["run"], Value::Null);
    let d = o["compile"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["level"] == "error")
        .unwrap()
        .clone();
    assert_eq!(d["code"], "E0308");
    assert_eq!(
        (
            d["file"].as_str(),
            d["line_start"].as_u64(),
            d["in_harness"].as_bool()
        ),
        (Some("src/main.rs"), Some(2), Some(false))
    );
    let (b0, b1) = (
        d["byte_start"].as_u64().unwrap() as usize,
        d["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        &code[b0..b1],
        "\"no\"",
        "byte offsets are UTF-8 offsets into the user's text"
    );
    let stderr = o["compile"]["stderr"].as_str().unwrap();
    assert!(
        stderr.contains("mismatched types")
            && !stderr.contains("/tmp/")
            && !stderr.contains("/root"),
        "{stderr}"
    );
    let (code, _, _) = {
        let dir = std::env::temp_dir().join(format!("corral-cerr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("e.rs"), "fn main() { x }").unwrap();
        let r = exec_raw(&["run", dir.join("e.rs").to_str().unwrap()], b"");
        std::fs::remove_dir_all(&dir).unwrap();
        r
    };
    assert_eq!(code, 1, "a compile error exits 1");
}

#[test]
fn panics_exit_codes_and_signals() {
    require!();
    let o = run_code(&[], "fn main() { panic!(\"boom\"); }");
    assert_eq!(
        (o["status"].as_str(), o["run"]["exit_code"].as_i64()),
        (Some("runtime_error"), Some(101))
    );
    assert!(o["run"]["stderr"].as_str().unwrap().contains("boom"));
    let o = run_code(&[], "fn main() { std::process::exit(7) }");
    assert_eq!(
        (o["status"].as_str(), o["run"]["exit_code"].as_i64()),
        (Some("runtime_error"), Some(7))
    );
    let o = run_code(&[], "fn main() { std::process::abort() }");
    assert_eq!(
        (o["status"].as_str(), o["run"]["signal"].as_i64()),
        (Some("runtime_error"), Some(6))
    );
}

#[test]
fn stdin_and_program_arguments() {
    require!();
    let dir = std::env::temp_dir().join(format!("corral-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), "3\n4\n").unwrap();
    std::fs::write(
        dir.join("m.rs"),
        "use std::io::BufRead;\nfn main() {\n    let sum: i64 = std::io::stdin().lock().lines().map(|l| l.unwrap().parse::<i64>().unwrap()).sum();\n    let args: Vec<String> = std::env::args().skip(1).collect();\n    println!(\"{sum} {args:?}\");\n}\n",
    )
    .unwrap();
    let (code, out, err) = exec_raw(
        &[
            "run",
            "--stdin",
            dir.join("in.txt").to_str().unwrap(),
            dir.join("m.rs").to_str().unwrap(),
            "--",
            "a",
            "b c",
        ],
        b"",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!((code, out.as_str()), (0, "7 [\"a\", \"b c\"]\n"), "{err}");
}

#[test]
fn editions_and_modes() {
    require!();
    // `async` is an identifier in 2015 only; `gen` is reserved from 2024.
    let o = run_code(
        &["--edition", "2015"],
        "fn main() { let async = 1; println!(\"{}\", async); }",
    );
    assert_eq!(o["run"]["stdout"], "1\n", "{o}");
    for edition in ["2018", "2021", "2024"] {
        let o = run_code(&["--edition", edition], "fn main() { let async = 1; }");
        assert_eq!(o["status"], "compile_error", "{edition}: {o}");
    }
    let o = run_code(
        &["--edition", "2021"],
        "fn main() { let gen = 2; println!(\"{gen}\"); }",
    );
    assert_eq!(o["run"]["stdout"], "2\n");
    let o = run_code(&["--edition", "2024"], "fn main() { let gen = 2; }");
    assert_eq!(o["status"], "compile_error");
    let overflow = "fn main() { let x: u8 = std::hint::black_box(255); println!(\"{}\", x + 1); }";
    let debug = run_code(&["--mode", "debug"], overflow);
    assert_eq!(
        debug["status"], "runtime_error",
        "debug builds check overflow: {debug}"
    );
    let release = run_code(&["--mode", "release"], overflow);
    assert_eq!(
        release["run"]["stdout"], "0\n",
        "release builds wrap: {release}"
    );
}

#[test]
fn a_library_crate_compiles_without_running() {
    require!();
    let o = run_code(
        &["--crate-type", "lib"],
        "pub fn add(a: u32, b: u32) -> u32 { a + b }\n",
    );
    assert_eq!(
        (o["status"].as_str(), o["step"].as_str()),
        (Some("success"), Some("compile")),
        "{o}"
    );
    assert_eq!(o["run"], Value::Null);
}

#[test]
fn an_unknown_channel_is_a_clear_error() {
    require!();
    let dir = std::env::temp_dir().join(format!("corral-chan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("m.rs"), "fn main() {}").unwrap();
    let (code, _, err) = exec_raw(
        &[
            "run",
            "--channel",
            "beta",
            dir.join("m.rs").to_str().unwrap(),
        ],
        b"",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 125);
    assert!(
        err.contains("\"beta\" is not installed") && err.contains("stable"),
        "{err}"
    );
}

#[test]
fn run_limits_apply_to_the_program() {
    require!();
    let o = run_code(
        &["--time", "1s"],
        "fn main() { loop { std::hint::black_box(0); } }",
    );
    assert_eq!(
        (
            o["status"].as_str(),
            o["step"].as_str(),
            o["limit"].as_str()
        ),
        (Some("timeout"), Some("run"), Some("wall")),
        "{o}"
    );
    let o = run_code(
        &["--memory", "64M"],
        "fn main() { let v = vec![1u8; 512 << 20]; println!(\"{}\", v.len()); }",
    );
    assert_eq!(o["status"], "memory_limit", "{o}");
    let o = run_code(
        &["--output", "1K"],
        "fn main() { loop { println!(\"flood\"); } }",
    );
    assert_eq!(
        (o["status"].as_str(), o["run"]["stdout_truncated"].as_bool()),
        (Some("output_limit"), Some(true)),
        "{o}"
    );
}

/// Compile-time attacks: the compiler is untrusted as soon as it reads user code
/// (`include_str!` of host files, the server's environment, bombs).
#[test]
fn compile_time_attacks_are_contained() {
    require!();
    let secret = format!("compile-secret-{}", rand_id());
    let dir = std::env::temp_dir().join(format!("corral-ct-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let canary = dir.join("canary.txt");
    std::fs::write(&canary, &secret).unwrap();
    let canary = canary.display().to_string();
    // Tighter compile limits keep the bombs below short.
    let config = dir.join("corral.toml");
    std::fs::write(
        &config,
        "[limits.compile]\nwall = \"8s\"\nmemory = \"1G\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let cfg = ["--config", config.as_str()];
    for code in [
        format!("const S: &str = include_str!(\"{canary}\"); fn main() {{ println!(\"{{S}}\"); }}"),
        format!(
            "const S: &[u8] = include_bytes!(\"{canary}\"); fn main() {{ println!(\"{{S:?}}\"); }}"
        ),
        "const S: &str = include_str!(\"/etc/shadow\"); fn main() { println!(\"{S}\"); }"
            .to_string(),
        "const S: &str = include_str!(\"/proc/1/environ\"); fn main() { println!(\"{S}\"); }"
            .to_string(),
    ] {
        let o = run_code(&cfg, &code);
        assert_eq!(o["status"], "compile_error", "{o}");
        assert!(!o.to_string().contains(&secret), "the secret leaked: {o}");
    }
    // The server's environment is not the compiler's.
    let o = run_code(
        &cfg,
        "fn main() { println!(\"{}\", env!(\"CORRAL_TEST_SECRET\")); }",
    );
    assert_eq!(o["status"], "compile_error", "{o}");
    let o = run_code(
        &cfg,
        "fn main() { println!(\"{:?} {:?}\", option_env!(\"CORRAL_TEST_SECRET\"), option_env!(\"HOME\")); }",
    );
    assert_eq!(o["run"]["stdout"], "None Some(\"/work\")\n", "{o}");
    // A device that never ends: the compile step's limits end it.
    let o = run_code(
        &cfg,
        "const Z: &[u8] = include_bytes!(\"/dev/zero\"); fn main() { println!(\"{}\", Z.len()); }",
    );
    assert_eq!(o["step"], "compile", "{o}");
    assert!(
        ["memory_limit", "timeout", "compile_error"].contains(&o["status"].as_str().unwrap()),
        "{o}"
    );
    // Exponential macro expansion.
    let bomb = "macro_rules! b { () => {}; ($x:tt $($r:tt)*) => { b!($($r)*); b!($($r)*); }; }\nfn main() { b!(a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a); }\n";
    let o = run_code(&cfg, bomb);
    assert_eq!(o["step"], "compile", "{o}");
    assert!(
        ["memory_limit", "timeout", "compile_error"].contains(&o["status"].as_str().unwrap()),
        "{o}"
    );
    // A flood of errors is capped.
    let flood: String = (0..20000)
        .map(|i| format!("fn f{i}() -> u8 {{ \"x\" }}\n"))
        .collect::<String>()
        + "fn main() {}";
    let o = run_code(&cfg, &flood);
    assert_eq!(o["step"], "compile", "{o}");
    assert!(
        ["compile_error", "output_limit"].contains(&o["status"].as_str().unwrap()),
        "{o}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_std_harness_through_corral_run() {
    require!();
    let o = run_code(
        &["--harness", "expr"],
        "(1..=4).map(|x| x * x).collect::<Vec<u32>>()\n",
    );
    assert_eq!(o["run"]["stdout"], "[1, 4, 9, 16]\n", "{o}");
    let tests = "#[test]\nfn passes() { assert_eq!(2 + 2, 4); }\n#[test]\nfn fails() { assert_eq!(2 + 2, 5); }\n#[test]\n#[ignore]\nfn skipped() {}\n";
    let o = run_code(&["--harness", "test"], tests);
    assert_eq!(
        o["status"], "runtime_error",
        "a failing test fails the run: {o}"
    );
    let h = &o["run"]["harness"];
    assert_eq!(
        (&h["passed"], &h["failed"], &h["ignored"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    let outcomes: Vec<(&str, &str)> = h["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("fails", "failed"),
            ("passes", "passed"),
            ("skipped", "ignored")
        ]
    );
    let o = run_code(&["--harness", "test"], "#[test]\nfn passes() {}\n");
    assert_eq!(
        (o["status"].as_str(), o["run"]["harness"]["passed"].as_u64()),
        (Some("success"), Some(1)),
        "{o}"
    );
    let doc = "# use std::collections::HashMap;\n# fn count() -> usize {\nlet mut m = HashMap::new();\nm.insert(\"a\", 1);\n# m.len()\n# }\n# println!(\"{}\", count());\n";
    let o = run_code(&["--harness", "doctest"], doc);
    assert_eq!(o["run"]["stdout"], "1\n", "{o}");
    // A diagnostic in a doctest points at the user's line and column, past the `# `.
    let o = run_code(
        &["--harness", "doctest"],
        "let x = 1;\n# let y: u8 = \"no\";\n",
    );
    let d = o["compile"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["level"] == "error")
        .unwrap()
        .clone();
    assert_eq!(
        (d["line_start"].as_u64(), d["in_harness"].as_bool()),
        (Some(2), Some(false)),
        "{o}"
    );
    assert_eq!(d["column_start"].as_u64(), Some(15), "{o}");
    let user = "let x = 1;\n# let y: u8 = \"no\";\n";
    assert_eq!(
        &user[d["byte_start"].as_u64().unwrap() as usize..d["byte_end"].as_u64().unwrap() as usize],
        "\"no\""
    );
}

#[test]
fn harness_arguments_are_validated() {
    require!();
    let dir = std::env::temp_dir().join(format!("corral-hargs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("s.rs"), "1").unwrap();
    let file = dir.join("s.rs").display().to_string();
    let (code, _, err) = exec_raw(
        &["run", "--harness", "expr", "--arg", "bogus=1", &file],
        b"",
    );
    assert_eq!(code, 125);
    assert!(err.contains("bogus"), "{err}");
    let (code, _, err) = exec_raw(&["run", "--harness", "nope", &file], b"");
    assert_eq!(code, 125);
    assert!(
        err.contains("nope") && err.contains("rocket-request"),
        "the error lists the harnesses: {err}"
    );
    let (code, _, err) = exec_raw(
        &[
            "run",
            "--harness",
            "rocket-request",
            "--arg",
            "method=FETCH",
            &file,
        ],
        b"",
    );
    assert_eq!(code, 125);
    assert!(err.contains("method"), "{err}");
    let (code, _, err) = exec_raw(
        &[
            "run",
            "--harness",
            "rocket-request",
            "--arg",
            "uri=no-slash",
            &file,
        ],
        b"",
    );
    assert_eq!(code, 125);
    assert!(err.contains("uri"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
