use super::*;
use crate::config::StepLimits;
use crate::tools::EmitTarget;

fn toolchain(name: &str, channel: &str) -> Toolchain {
    Toolchain {
        name: format!("{name}-x86_64-unknown-linux-gnu"),
        channel: channel.into(),
        version: "1.95.0".into(),
        commit_hash: "abc".into(),
        commit_date: "2020-01-01".into(),
        host: "x86_64-unknown-linux-gnu".into(),
        path: "/nonexistent".into(),
        components: vec![],
        targets: vec![],
    }
}

/// A pipeline with a stable toolchain and a pinned one of the same commit; no bake.
fn pipeline(root: &std::path::Path) -> Pipeline {
    Pipeline::new(
        corral_sandbox::Sandbox::new("/proc/self/exe").expect("sandbox"),
        vec![toolchain("stable", "stable"), toolchain("1.95.0", "1.95.0")],
        StepLimits::default(),
        root.join("bake"),
        root.join("work"),
    )
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("corral-plan-{name}-{}", std::process::id()))
}

fn req(files: &[(&str, &str)]) -> Request {
    Request {
        code: "mod a; fn main() { a::f() }".into(),
        extra_files: files
            .iter()
            .map(|(n, c)| (n.to_string(), c.to_string()))
            .collect(),
        ..Request::default()
    }
}

#[test]
fn two_programs_never_share_a_key() {
    let root = temp("programs");
    let p = pipeline(&root);
    let one = "pub fn f() { println!(\"1\") }";
    let two = "pub fn f() { println!(\"2\") }";
    // The work dir would hold the last of two same-named files: the two orders are
    // two programs, yet their sorted files are equal. Both are refused instead.
    for files in [
        [("src/a.rs", one), ("src/a.rs", two)],
        [("src/a.rs", two), ("src/a.rs", one)],
    ] {
        let e = p.plan(&req(&files)).unwrap_err();
        assert!(
            e.to_string().contains("two files are named src/a.rs"),
            "{e}"
        );
    }
    assert!(
        p.plan(&req(&[("src/a.rs", one), ("src/a.rs", one)]))
            .is_err()
    );
    // Distinct files: order does not matter, contents and names do.
    let k = |files: &[(&str, &str)]| p.plan(&req(files)).unwrap().key;
    assert_eq!(
        k(&[("src/a.rs", one), ("src/b.rs", two)]),
        k(&[("src/b.rs", two), ("src/a.rs", one)])
    );
    assert_ne!(k(&[("src/a.rs", one)]), k(&[("src/a.rs", two)]));
    assert_ne!(
        k(&[("src/a.rs", one), ("src/b.rs", two)]),
        k(&[("src/a.rs", two), ("src/b.rs", one)])
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn what_the_memo_rules_ignore_leaves_the_key_alone() {
    let root = temp("ignored");
    let p = pipeline(&root);
    let base = Request {
        code: "fn main() {\n    println!(\"hi\");\n}\n".into(),
        ..Request::default()
    };
    let key = p.plan(&base).unwrap().key;
    // A BOM and CRLF line ends are normalised away.
    let crlf = Request {
        code: format!("\u{feff}{}", base.code.replace('\n', "\r\n")),
        ..base.clone()
    };
    assert_eq!(p.plan(&crlf).unwrap().key, key);
    // Two names of one compiler (same commit) are one key.
    let pinned = Request {
        channel: "1.95.0".into(),
        ..base.clone()
    };
    let plan = p.plan(&pinned).unwrap();
    assert_eq!(plan.toolchain.name, "1.95.0-x86_64-unknown-linux-gnu");
    assert_eq!(plan.key, key);
    // Limits asked above the configured ones are the configured ones.
    let generous = Request {
        run_limits: crate::request::LimitRequest {
            wall: Some(std::time::Duration::from_secs(1 << 20)),
            ..Default::default()
        },
        ..base.clone()
    };
    assert_eq!(p.plan(&generous).unwrap().key, key);
    // What changes a result changes the key.
    for other in [
        Request {
            seed: 1,
            ..base.clone()
        },
        Request {
            time: TimeMode::Real,
            ..base.clone()
        },
        Request {
            stdin: b"x".to_vec(),
            ..base.clone()
        },
        Request {
            edition: Edition::E2021,
            ..base.clone()
        },
        Request {
            mode: BuildMode::Release,
            ..base.clone()
        },
        Request {
            backtrace: true,
            ..base.clone()
        },
        Request {
            code: base.code.replace("hi", "ho"),
            ..base.clone()
        },
    ] {
        assert_ne!(p.plan(&other).unwrap().key, key, "{other:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_plan_survives_serialization_and_its_key_is_its_own() {
    let root = temp("serde");
    let p = pipeline(&root);
    let plan = p
        .plan(&Request {
            stdin: vec![0, 159, 146, 150, b'\n'],
            argv: vec!["--flag".into()],
            seed: 7,
            ..req(&[("src/a.rs", "pub fn f() {}")])
        })
        .unwrap();
    let text = serde_json::to_string(&plan).unwrap();
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, plan);
    assert_eq!(back.compute_key(), plan.key);
    assert!(plan.memoizable());
    assert_eq!(plan.files[0].0, "src/main.rs");
    let Job::Run(run) = &plan.job else {
        panic!("not a run: {plan:?}")
    };
    assert_eq!((run.harness.as_str(), run.seed), ("bin", 7));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn requests_are_checked_once_here() {
    let root = temp("checks");
    let p = pipeline(&root);
    let e = p
        .plan(&Request {
            channel: "beta".into(),
            ..Request::default()
        })
        .unwrap_err();
    assert!(matches!(e, RequestError::Toolchain(_)), "{e:?}");
    assert!(e.unavailable());
    let e = p
        .plan(&Request {
            harness: "nope".into(),
            ..Request::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("unknown harness \"nope\""), "{e}");
    let e = p
        .plan(&Request {
            crate_type: CrateType::Lib,
            harness: "test".into(),
            ..Request::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("crate type lib"), "{e}");
    // A harness that needs crates, with nothing baked.
    let e = p
        .plan(&Request {
            harness: "rocket-request".into(),
            code: "#[get(\"/\")] fn index() -> &'static str { \"hi\" }".into(),
            args: serde_json::json!({"uri": "/"}).as_object().unwrap().clone(),
            ..Request::default()
        })
        .unwrap_err();
    assert!(matches!(e, RequestError::NotBaked { .. }), "{e:?}");
    // Tools: their files, and what the toolchain lacks is said before anything runs.
    let tool = |tool, files: &[(&str, &str)]| {
        p.plan(&Request {
            tool: Some(tool),
            ..req(files)
        })
    };
    let e = tool(Tool::Format, &[]).unwrap_err();
    assert!(matches!(e, RequestError::NotInstalled { .. }), "{e:?}");
    let e = tool(Tool::Emit(EmitTarget::Hir), &[]).unwrap_err();
    assert!(matches!(e, RequestError::NeedsNightly { .. }), "{e:?}");
    // rustfmt takes one file; the compiler's tools take the crate's files.
    let e = tool(Tool::Format, &[("src/a.rs", "")]).unwrap_err();
    assert!(e.to_string().contains("takes one file"), "{e}");
    let several = tool(Tool::Emit(EmitTarget::Mir), &[("src/a.rs", "")]).unwrap();
    assert_eq!(several.files.len(), 2, "{:?}", several.files);
    assert_eq!(several.files[1].0, "src/a.rs");
    let mir = tool(Tool::Emit(EmitTarget::Mir), &[]).unwrap();
    assert_eq!(mir.job, Job::Tool(Tool::Emit(EmitTarget::Mir)));
    assert!(mir.memoizable());
    let _ = std::fs::remove_dir_all(&root);
}
