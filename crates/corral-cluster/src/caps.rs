//! Capabilities: what a worker can run, as subject tokens. A plan needs one exact
//! capability: this machine's architecture, its toolchain's commit, its build mode and
//! the lockfile hash of the bake it compiles against (or `none`).

use corral_rust::bake::{self, BakeMode};
use corral_rust::pipeline::Pipeline;
use corral_rust::plan::Plan;
use corral_rust::request::BuildMode;
use serde::{Deserialize, Serialize};

fn short(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect()
}

fn capability(commit: &str, mode: BuildMode, bake: Option<&str>) -> String {
    format!(
        "{}-{}-{}-{}",
        std::env::consts::ARCH.replace('_', ""),
        short(commit),
        mode.as_str(),
        bake.map(short).unwrap_or_else(|| "none".into())
    )
}

/// The capability a plan needs.
pub fn of_plan(plan: &Plan) -> String {
    capability(&plan.toolchain.commit, plan.mode, plan.bake.as_deref())
}

/// The subject plans needing `cap` are published on.
pub fn subject(cap: &str) -> String {
    format!("corral.jobs.{cap}")
}

/// The durable consumer every worker with `cap` pulls from.
pub fn consumer(cap: &str) -> String {
    format!("w-{cap}")
}

/// A worker's announcement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerInfo {
    pub id: String,
    pub arch: String,
    /// Jobs it runs at once.
    pub slots: usize,
    pub caps: Vec<String>,
    /// `channel version (commit)` of each toolchain, for people.
    pub toolchains: Vec<String>,
}

/// What this machine's pipeline can run: for every toolchain and mode, plans without
/// baked crates, and plans with the bake this machine has.
pub fn of_pipeline(pipeline: &Pipeline) -> Vec<String> {
    let mut caps = vec![];
    for tc in pipeline.toolchains() {
        for (mode, bake_mode) in [
            (BuildMode::Debug, BakeMode::Debug),
            (BuildMode::Release, BakeMode::Release),
        ] {
            caps.push(capability(&tc.commit_hash, mode, None));
            if let Some(b) = bake::load_cached(pipeline.bake_store(), tc, bake_mode) {
                caps.push(capability(&tc.commit_hash, mode, Some(&b.lock_hash)));
            }
        }
    }
    caps.sort();
    caps.dedup();
    caps
}

/// Why no worker can run a plan, in the user's terms.
pub fn nobody_can(plan: &Plan, workers: &[WorkerInfo]) -> String {
    let have: Vec<String> = workers.iter().flat_map(|w| w.toolchains.clone()).collect();
    let mut have = have;
    have.sort();
    have.dedup();
    format!(
        "no worker in the cluster can run this request: it needs {} ({}, {} build{}); {}",
        plan.toolchain.channel,
        short(&plan.toolchain.commit),
        plan.mode.as_str(),
        if plan.bake.is_some() {
            ", with the baked crates"
        } else {
            ""
        },
        if workers.is_empty() {
            "no worker is connected".to_string()
        } else {
            format!("the workers have: {}", have.join("; "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_are_subject_and_consumer_safe() {
        let cap = capability(
            "59807616e1fa2540724bfbac14d7976d7e4a3860",
            BuildMode::Release,
            Some("ab:cd.ef0123456789xyz"),
        );
        assert!(cap.ends_with("-59807616e1fa-release-abcdef012345"), "{cap}");
        assert!(
            cap.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{cap}"
        );
        assert_eq!(subject(&cap), format!("corral.jobs.{cap}"));
        assert!(capability("x", BuildMode::Debug, None).ends_with("-x-debug-none"));
    }
}
