//! The tools (rustfmt, Clippy, asm/LLVM IR/MIR/HIR, macro expansion, Miri) through
//! `Pipeline`, each in the sandbox with the real toolchains.

mod common;

use corral_rust::config::StepLimits;
use corral_rust::pipeline::Pipeline;
use corral_rust::request::{BuildMode, CrateType, Edition, Request, RequestError};
use corral_rust::result::Status;
use corral_rust::tools::{AsmFlavor, EmitTarget, Tool, ToolOutput};
use corral_sandbox::Sandbox;

/// Each tool as one call: a tool request, lowered into a plan and executed
/// (`Pipeline::tool`), as the server does without its queue.
trait Tools {
    fn tool_on(
        &self,
        tool: Tool,
        code: &str,
        edition: Edition,
        channel: &str,
        crate_type: CrateType,
        mode: BuildMode,
    ) -> Result<ToolOutput, RequestError>;

    fn format(
        &self,
        code: &str,
        edition: Edition,
        channel: &str,
    ) -> Result<ToolOutput, RequestError> {
        self.tool_on(
            Tool::Format,
            code,
            edition,
            channel,
            CrateType::Bin,
            BuildMode::Debug,
        )
    }

    fn clippy(
        &self,
        code: &str,
        edition: Edition,
        channel: &str,
        crate_type: CrateType,
        mode: BuildMode,
    ) -> Result<ToolOutput, RequestError> {
        self.tool_on(Tool::Clippy, code, edition, channel, crate_type, mode)
    }

    fn emit(
        &self,
        code: &str,
        edition: Edition,
        channel: &str,
        mode: BuildMode,
        crate_type: CrateType,
        target: EmitTarget,
    ) -> Result<ToolOutput, RequestError> {
        self.tool_on(Tool::Emit(target), code, edition, channel, crate_type, mode)
    }

    fn miri(
        &self,
        code: &str,
        edition: Edition,
        channel: &str,
    ) -> Result<ToolOutput, RequestError> {
        self.tool_on(
            Tool::Miri,
            code,
            edition,
            channel,
            CrateType::Bin,
            BuildMode::Debug,
        )
    }
}

impl Tools for Pipeline {
    fn tool_on(
        &self,
        tool: Tool,
        code: &str,
        edition: Edition,
        channel: &str,
        crate_type: CrateType,
        mode: BuildMode,
    ) -> Result<ToolOutput, RequestError> {
        self.tool(&Request {
            code: code.into(),
            edition,
            channel: channel.into(),
            crate_type,
            mode,
            tool: Some(tool),
            ..Request::default()
        })
    }
}

const HELLO: &str = "fn main() { println!(\"hi\"); }\n";

fn pipeline_with(edit: impl FnOnce(&mut Vec<corral_rust::toolchain::Toolchain>)) -> Pipeline {
    let sandbox = Sandbox::new(env!("CARGO_BIN_EXE_corral")).expect("sandbox");
    let mut toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    edit(&mut toolchains);
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    Pipeline::new(
        sandbox,
        toolchains,
        StepLimits::default(),
        corral_rust::bake::default_store(),
        std::env::temp_dir().join(format!("corral-tools-test-{uid}")),
    )
}

/// The pipeline, or None (with a printed reason) when the sandbox or `channels` are missing.
fn pipeline(channels: &[&str]) -> Option<Pipeline> {
    if !common::sandbox_available() {
        return None;
    }
    let p = pipeline_with(|_| {});
    for c in channels {
        if !p.toolchains().iter().any(|t| t.channel == *c) {
            eprintln!("SKIP: no {c} toolchain installed");
            return None;
        }
    }
    Some(p)
}

macro_rules! require {
    ($($c:literal),*) => {
        match pipeline(&[$($c),*]) {
            Some(p) => p,
            None => return,
        }
    };
}

fn emit(p: &Pipeline, code: &str, channel: &str, target: EmitTarget) -> ToolOutput {
    p.emit(
        code,
        Edition::E2024,
        channel,
        BuildMode::Debug,
        CrateType::Bin,
        target,
    )
    .unwrap()
}

fn artifact(o: &ToolOutput) -> &str {
    assert!(o.success && o.status == Status::Success, "{o:#?}");
    assert_eq!(o.exit_detail, "Exited with status 0");
    o.code.as_deref().expect("an artifact")
}

#[test]
fn format_fixes_the_code_and_reports_syntax_errors() {
    let p = require!("stable");
    let o = p
        .format("fn main(){println!(\"hi\")}", Edition::E2021, "stable")
        .unwrap();
    assert!(o.success, "{o:#?}");
    assert_eq!(
        o.code.as_deref(),
        Some("fn main() {\n    println!(\"hi\")\n}\n")
    );
    assert_eq!(o.exit_detail, "Exited with status 0");

    let o = p.format("fn main( {", Edition::E2021, "stable").unwrap();
    assert!(!o.success && o.code.is_none(), "{o:#?}");
    assert_eq!(o.status, Status::CompileError);
    assert!(o.exit_detail.starts_with("Exited with status "), "{o:#?}");
    assert!(o.stderr.contains("error"), "{o:#?}");
}

#[test]
fn clippy_reports_lints() {
    let p = require!("stable");
    let code = "fn main() { let x = 3.14; println!(\"{x}\"); }\n";
    let o = p
        .clippy(
            code,
            Edition::E2024,
            "stable",
            CrateType::Bin,
            BuildMode::Debug,
        )
        .unwrap();
    assert!(o.stderr.contains("approx_constant"), "{o:#?}");
    // approx_constant is deny-by-default: Clippy fails.
    assert!(!o.success && o.status == Status::CompileError, "{o:#?}");

    let o = p
        .clippy(
            "pub fn f(v: &Vec<u8>) -> usize { v.len() }\n",
            Edition::E2024,
            "stable",
            CrateType::Lib,
            BuildMode::Release,
        )
        .unwrap();
    assert!(o.success, "{o:#?}");
    assert!(o.stderr.contains("clippy::ptr_arg"), "{o:#?}");
}

#[test]
fn asm_llvm_ir_and_mir_are_emitted() {
    let p = require!("stable");
    let att = emit(&p, HELLO, "stable", EmitTarget::Asm(AsmFlavor::Att));
    let att = artifact(&att);
    assert!(att.contains("main") && att.contains("%rsp"), "{att}");
    let intel = emit(&p, HELLO, "stable", EmitTarget::Asm(AsmFlavor::Intel));
    let intel = artifact(&intel);
    assert!(
        intel.contains("main") && intel.contains(".intel_syntax"),
        "{intel}"
    );
    assert!(!intel.contains("%rsp"), "{intel}");
    let ir = emit(&p, HELLO, "stable", EmitTarget::LlvmIr);
    assert!(artifact(&ir).contains("define"));
    let mir = emit(&p, HELLO, "stable", EmitTarget::Mir);
    assert!(artifact(&mir).contains("fn main()"));

    let lib = p
        .emit(
            "pub fn add(a: u64, b: u64) -> u64 { a.wrapping_add(b) }\n",
            Edition::E2021,
            "stable",
            BuildMode::Release,
            CrateType::Lib,
            EmitTarget::Mir,
        )
        .unwrap();
    assert!(artifact(&lib).contains("fn add("));

    let bad = emit(
        &p,
        "fn main() { let x: u8 = \"no\"; }\n",
        "stable",
        EmitTarget::LlvmIr,
    );
    assert!(!bad.success && bad.code.is_none(), "{bad:#?}");
    assert_eq!(bad.status, Status::CompileError);
    assert!(bad.stderr.contains("mismatched types"), "{bad:#?}");
}

#[test]
fn hir_and_macro_expansion_work_on_nightly_only() {
    let p = require!("stable", "nightly");
    let hir = emit(&p, HELLO, "nightly", EmitTarget::Hir);
    assert!(artifact(&hir).contains("fn main()"));
    let expanded = emit(&p, HELLO, "nightly", EmitTarget::MacroExpansion);
    let expanded = artifact(&expanded);
    assert!(
        expanded.contains("fn main()") && !expanded.contains("println!"),
        "{expanded}"
    );
    for target in [EmitTarget::Hir, EmitTarget::MacroExpansion] {
        let e = p
            .emit(
                HELLO,
                Edition::E2024,
                "stable",
                BuildMode::Debug,
                CrateType::Bin,
                target,
            )
            .unwrap_err();
        assert!(matches!(e, RequestError::NeedsNightly { .. }), "{e:?}");
        assert!(e.to_string().contains("needs a nightly toolchain"), "{e}");
    }
}

#[test]
fn missing_tools_and_channels_are_clear_errors() {
    let p = require!("nightly");
    // Miri: no toolchain here has the component.
    let e = p.miri(HELLO, Edition::E2024, "nightly").unwrap_err();
    if p.toolchains().iter().any(|t| t.has("miri")) {
        eprintln!("SKIP: Miri is installed here ({e})");
    } else {
        assert!(
            e.to_string()
                .starts_with("Miri is not installed for nightly"),
            "{e}"
        );
    }
    let e = p.format(HELLO, Edition::E2024, "0.9.0").unwrap_err();
    assert!(matches!(e, RequestError::Toolchain(_)), "{e:?}");

    // The same toolchains without their rustfmt and Clippy components.
    let p = pipeline_with(|tcs| {
        for t in tcs.iter_mut().filter(|t| t.channel == "nightly") {
            t.components
                .retain(|c| !c.starts_with("rustfmt") && !c.starts_with("clippy"));
        }
    });
    let e = p.format(HELLO, Edition::E2024, "nightly").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("rustfmt is not installed for nightly; installed for: "),
        "{e}"
    );
    assert!(
        e.to_string().contains("rustup component add rustfmt"),
        "{e}"
    );
    let e = p
        .clippy(
            HELLO,
            Edition::E2024,
            "nightly",
            CrateType::Bin,
            BuildMode::Debug,
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Clippy is not installed for nightly"),
        "{e}"
    );
}

#[test]
fn host_files_stay_out_of_reach_of_every_tool() {
    let p = require!("stable");
    let nightly = p.toolchains().iter().any(|t| t.channel == "nightly");
    // A host file with a token: the sandbox must not be able to include it.
    let secret = std::env::temp_dir().join(format!("corral-tools-secret-{}", std::process::id()));
    let token = "corral-tools-secret-token-5d1f";
    std::fs::write(&secret, token).unwrap();
    let shadow = std::fs::read_to_string("/etc/shadow").unwrap_or_default();
    let shadow_line = shadow.lines().next().unwrap_or("").to_string();
    for path in [secret.to_str().unwrap(), "/etc/shadow"] {
        let code = format!(
            "const S: &str = include_str!({path:?});\nfn main() {{ println!(\"{{}}\", S); }}\n"
        );
        let check = |what: &str, o: &ToolOutput| {
            assert!(!o.success, "{what} {path}: {o:#?}");
            assert!(o.stderr.contains("couldn't read"), "{what} {path}: {o:#?}");
            let all = format!("{o:?}");
            assert!(!all.contains(token), "{what} leaked {path}: {all}");
            if !shadow_line.is_empty() {
                assert!(!all.contains(&shadow_line), "{what} leaked {path}: {all}");
            }
        };
        let o = p
            .clippy(
                &code,
                Edition::E2024,
                "stable",
                CrateType::Bin,
                BuildMode::Debug,
            )
            .unwrap();
        check("clippy", &o);
        let mut targets = vec![
            EmitTarget::Asm(AsmFlavor::Att),
            EmitTarget::LlvmIr,
            EmitTarget::Mir,
        ];
        if nightly {
            targets.extend([EmitTarget::Hir, EmitTarget::MacroExpansion]);
        }
        for t in targets {
            let channel = if t == EmitTarget::Hir || t == EmitTarget::MacroExpansion {
                "nightly"
            } else {
                "stable"
            };
            check(t.as_str(), &emit(&p, &code, channel, t));
        }
    }
    std::fs::remove_file(&secret).unwrap();
}

#[test]
fn baked_crates_are_visible_to_clippy_and_emit() {
    let p = require!("stable");
    let stable = p
        .toolchains()
        .iter()
        .find(|t| t.channel == "stable")
        .unwrap();
    let store = corral_rust::bake::default_store();
    let baked = corral_rust::bake::load(&store, stable, corral_rust::bake::BakeMode::Debug);
    if !matches!(baked, Ok(Some(_))) {
        eprintln!("SKIP: the crates are not baked for stable (debug)");
        return;
    }
    let code = "use rand::{Rng, SeedableRng};\nfn main() {\n    let mut r = rand::rngs::StdRng::seed_from_u64(7);\n    let n: u32 = r.gen_range(1..=100);\n    println!(\"{n}\");\n}\n";
    let o = p
        .clippy(
            code,
            Edition::E2021,
            "stable",
            CrateType::Bin,
            BuildMode::Debug,
        )
        .unwrap();
    assert!(o.success, "{o:#?}");
    let mir = emit(&p, code, "stable", EmitTarget::Mir);
    assert!(artifact(&mir).contains("seed_from_u64"));
}
