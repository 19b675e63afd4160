use super::lower::split_files;
use super::wire::FileIn;
use super::*;
use crate::testing::plan;
use corral_rust::plan::Job;
use corral_rust::result::RustResult;
use serde_json::json;

#[test]
fn values_are_checked_with_the_playgrounds_messages() {
    assert_eq!(
        parse_channel("x").unwrap_err().message,
        "'x' is not a valid channel"
    );
    assert_eq!(
        parse_edition(Some("")).unwrap_err().message,
        "'' is not a valid edition"
    );
    assert_eq!(parse_edition(None).unwrap(), Edition::E2015);
    assert!(
        parse_crate_type("cdylib")
            .unwrap_err()
            .message
            .contains("use bin or lib")
    );
    assert_eq!(
        parse_crate_type("exe").unwrap_err().message,
        "'exe' is not a valid crate type"
    );
    assert_eq!(
        parse_mode("fast").unwrap_err().message,
        "'fast' is not a valid mode"
    );
}

#[test]
fn files_pick_the_crate_root() {
    let f = |n: &str, c: &str| FileIn {
        name: n.into(),
        content: c.into(),
    };
    let (root, extra) = split_files(
        vec![f("src/a.rs", "a"), f("src/main.rs", "m")],
        CrateType::Bin,
    )
    .unwrap();
    assert_eq!(
        (root.as_str(), extra),
        ("m", vec![("src/a.rs".into(), "a".into())])
    );
    let (root, _) = split_files(vec![f("lib.rs", "l"), f("a.rs", "a")], CrateType::Lib).unwrap();
    assert_eq!(root, "l");
    let (root, _) = split_files(vec![f("playground.rs", "p")], CrateType::Bin).unwrap();
    assert_eq!(root, "p");
    assert!(split_files(vec![f("a.rs", ""), f("b.rs", "")], CrateType::Bin).is_err());
    assert!(split_files(vec![], CrateType::Bin).is_err());
}

fn execute_in(body: serde_json::Value) -> ExecuteIn {
    serde_json::from_value(body).unwrap()
}

#[test]
fn execute_lowers_to_the_expected_plan() {
    let req = lower::execute(
        execute_in(json!({"channel": "stable", "mode": "release", "edition": "2021",
            "crateType": "bin", "tests": false, "backtrace": true,
            "code": [{"id": 1, "name": "utils.rs", "content": "pub fn f() {}"},
                     {"id": 0, "name": "main.rs", "content": "mod utils;\r\nfn main() { utils::f() }"}]})),
        TimeMode::Virtual,
    )
    .unwrap();
    let p = plan(&req).unwrap();
    assert_eq!(p.toolchain.commit, "stable-commit");
    assert_eq!((p.mode, p.edition), (BuildMode::Release, Edition::E2021));
    // Bare file names are crate paths; the root comes first, normalised.
    assert_eq!(
        p.files,
        [
            (
                "src/main.rs".to_string(),
                "mod utils;\nfn main() { utils::f() }".to_string()
            ),
            ("src/utils.rs".to_string(), "pub fn f() {}".to_string()),
        ]
    );
    let Job::Run(run) = &p.job else {
        panic!("{p:?}")
    };
    assert_eq!(
        (run.harness.as_str(), run.backtrace, run.time),
        ("bin", true, TimeMode::Virtual)
    );
    // Tests: the test harness, always a bin crate.
    let tests = lower::execute(
        execute_in(
            json!({"channel": "nightly", "mode": "debug", "crateType": "lib",
            "tests": true, "code": "#[test] fn t() {}"}),
        ),
        TimeMode::Virtual,
    )
    .unwrap();
    let p = plan(&tests).unwrap();
    assert_eq!((p.crate_type, p.edition), (CrateType::Bin, Edition::E2015));
    assert!(matches!(&p.job, Job::Run(r) if r.harness == "test"));
}

#[test]
fn what_the_memo_rules_ignore_gives_one_key() {
    let key = |code: serde_json::Value| {
        let req = lower::execute(
            execute_in(
                json!({"channel": "stable", "mode": "debug", "edition": "2024",
                "crateType": "bin", "tests": false, "code": code}),
            ),
            TimeMode::Virtual,
        )
        .unwrap();
        plan(&req).unwrap().key
    };
    let one = key(json!("mod a;\nfn main() { a::f() }\n"));
    // A list of files, in any order, with or without `src/`, ids, CRLF or a BOM.
    for same in [
        json!([{"name": "src/main.rs", "content": "mod a;\nfn main() { a::f() }\n"}]),
        json!([{"id": 7, "name": "main.rs", "content": "\u{feff}mod a;\r\nfn main() { a::f() }\r\n"}]),
    ] {
        assert_eq!(key(same), one);
    }
    let two_files = key(json!([{"name": "a.rs", "content": "pub fn f() {}"},
        {"name": "main.rs", "content": "mod a;\nfn main() { a::f() }\n"}]));
    let swapped = key(
        json!([{"name": "src/main.rs", "content": "mod a;\nfn main() { a::f() }\n"},
        {"name": "src/a.rs", "content": "pub fn f() {}"}]),
    );
    assert_eq!(two_files, swapped);
    assert_ne!(two_files, one);
}

#[test]
fn tools_lower_to_tool_plans() {
    let req = lower::tool(
        Tool::Emit(EmitTarget::Asm(AsmFlavor::Intel)),
        "stable",
        Edition::E2021,
        BuildMode::Release,
        CrateType::Lib,
        "pub fn f() {}".into(),
    );
    let p = plan(&req).unwrap();
    assert_eq!(
        p.job,
        Job::Tool(Tool::Emit(EmitTarget::Asm(AsmFlavor::Intel)))
    );
    assert_eq!(p.files[0].0, "src/lib.rs");
    let att = lower::tool(
        Tool::Emit(EmitTarget::Asm(AsmFlavor::Att)),
        "stable",
        Edition::E2021,
        BuildMode::Release,
        CrateType::Lib,
        "pub fn f() {}".into(),
    );
    assert_ne!(plan(&att).unwrap().key, p.key);
    // Macro expansion needs nightly; on stable it is unavailable, not a client error.
    let req = lower::tool(
        Tool::Emit(EmitTarget::MacroExpansion),
        "stable",
        Edition::E2021,
        BuildMode::Debug,
        CrateType::Bin,
        String::new(),
    );
    let e = crate::testing::planner().plan(&req).unwrap_err();
    assert!(e.unavailable(), "{e}");
    let fmt = lower::tool(
        Tool::Format,
        "nightly",
        Edition::E2024,
        BuildMode::Debug,
        CrateType::Bin,
        "fn main(){}".into(),
    );
    assert_eq!(plan(&fmt).unwrap().job, Job::Tool(Tool::Format));
}

fn result(v: serde_json::Value) -> RustResult {
    let mut full = json!({"status": "success", "step": "run", "limit": null,
        "compile": {"success": true, "stderr": "", "diagnostics": [], "wall_ms": 1, "cpu_ms": 1, "memory_bytes": 1},
        "run": null});
    for (k, val) in v.as_object().unwrap() {
        if let Some(inner) = val.as_object()
            && full[k].is_object()
        {
            for (ik, iv) in inner {
                full[k][ik] = iv.clone();
            }
        } else {
            full[k] = val.clone();
        }
    }
    if let Some(run) = full["run"].as_object_mut() {
        for (k, d) in [
            ("stdout", json!("")),
            ("stderr", json!("")),
            ("stdout_truncated", json!(false)),
            ("stderr_truncated", json!(false)),
            ("events", json!([])),
            ("harness", json!({})),
            ("wall_ms", json!(1)),
            ("cpu_ms", json!(1)),
            ("memory_bytes", json!(1)),
        ] {
            run.entry(k).or_insert(d);
        }
    }
    serde_json::from_value(full).unwrap()
}

#[test]
fn run_results_read_like_the_playground() {
    // The compiler's warnings come first in stderr, then the program's, as upstream.
    let ok = result(json!({"compile": {"stderr": "warning: unused\n"},
        "run": {"exit_code": 0, "signal": null, "stdout": "hi\n", "stderr": "note\n"}}));
    assert_eq!(
        execute_out(&ok).unwrap(),
        ExecuteOut {
            success: true,
            exit_detail: "Exited with status 0".into(),
            stdout: "hi\n".into(),
            stderr: "warning: unused\nnote\n".into()
        }
    );
    let failed = result(json!({"status": "compile_error", "step": "compile",
        "compile": {"success": false, "stderr": "error[E0308]: mismatched types\n"}}));
    let out = execute_out(&failed).unwrap();
    assert!(!out.success && out.stderr.starts_with("error[E0308]"));
    assert_eq!(out.exit_detail, "Exited with status 1");
    let slow = result(json!({"status": "timeout", "limit": "wall",
        "run": {"exit_code": null, "signal": 9}}));
    let out = execute_out(&slow).unwrap();
    assert_eq!(out.exit_detail, shape::KILLED);
    assert_eq!(
        out.stderr,
        "corral: the program was stopped: it ran out of time\n"
    );
    let broken = result(json!({"status": "internal_error", "error": "boom"}));
    assert_eq!(execute_out(&broken).unwrap_err().status.code, 500);
}

/// The frontend lets a client edit several files when the client's threshold, a
/// random number in [0, 1], is at most `multifileThreshold`; a null or missing one
/// keeps it off, and then a link to a gist of several files opens as an empty editor.
/// Every route takes a list of files, so every client must pass.
#[test]
fn the_websocket_lets_every_client_edit_several_files() {
    let flags = crate::routes::ws::feature_flags();
    assert_eq!(flags["type"], "featureFlags");
    assert_eq!(flags["meta"]["sequenceNumber"], -1);
    let threshold = flags["payload"]["multifileThreshold"].as_f64().unwrap();
    assert!(threshold >= 1.0, "{flags}");
}
