//! Test support: a pipeline that plans requests against made-up toolchains (stable
//! and nightly of one commit, with rustfmt and Clippy), so lowering can be tested
//! without a rustup installation.

use corral_rust::pipeline::Pipeline;
use corral_rust::plan::Plan;
use corral_rust::request::Request;
use corral_rust::toolchain::Toolchain;
use std::path::PathBuf;

fn toolchain(root: &std::path::Path, channel: &str) -> Toolchain {
    let path = root.join(channel);
    std::fs::create_dir_all(path.join("bin")).unwrap();
    for tool in ["rustc", "rustfmt", "clippy-driver"] {
        std::fs::write(path.join("bin").join(tool), "").unwrap();
    }
    Toolchain {
        name: format!("{channel}-x86_64-unknown-linux-gnu"),
        channel: channel.into(),
        version: "1.95.0".into(),
        commit_hash: format!("{channel}-commit"),
        commit_date: "2026-01-01".into(),
        host: "x86_64-unknown-linux-gnu".into(),
        path,
        components: vec!["rustfmt-preview".into(), "clippy-preview".into()],
        targets: vec![],
    }
}

/// A planner over made-up toolchains in a temporary folder (kept for the process).
pub fn planner() -> Pipeline {
    let root: PathBuf =
        std::env::temp_dir().join(format!("corral-server-tests-{}", std::process::id()));
    let toolchains = vec![toolchain(&root, "stable"), toolchain(&root, "nightly")];
    Pipeline::planner(toolchains, root.join("bake")).unwrap()
}

/// `req`'s plan, or the error's message.
pub fn plan(req: &Request) -> Result<Plan, String> {
    planner().plan(req).map_err(|e| e.to_string())
}
