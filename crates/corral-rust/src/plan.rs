//! A plan: a request lowered, once, at the boundary, into everything a job needs and
//! nothing it does not: the toolchain resolved to its commit, the harness and its
//! canonical arguments, the user's files normalised, the effective limits, the time
//! mode and seed, the bake it compiles against, and what to do (run, or a tool). Every
//! check of a request happens here ([`Pipeline::plan`]); a plan is serializable, so a
//! job can be queued in another process or on another machine, and it carries its memo
//! key ([`Plan::key`], docs/contracts.md, Memoization), a function of the plan alone.

use crate::bake::{self, BakeMode};
use crate::config::lowered;
use crate::harness::{self, Harness, Prepared};
use crate::pipeline::Pipeline;
use crate::request::{
    BuildMode, CrateType, Edition, Request, RequestError, TimeMode, normalise_source,
    validate_file_set,
};
use crate::toolchain::{self, Toolchain, ToolchainError};
use crate::tools::Tool;
use corral_sandbox::Limits;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One job, ready to run anywhere that has its toolchain and bake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub toolchain: ToolchainRef,
    pub edition: Edition,
    pub mode: BuildMode,
    pub crate_type: CrateType,
    /// The user's files, normalised (no BOM, LF line ends): the crate root first
    /// (`src/main.rs`, or `src/lib.rs` for a library), then the others by name.
    pub files: Vec<(String, String)>,
    pub job: Job,
    /// The lockfile hash of the baked crates the job compiles against; None when
    /// nothing is baked for this toolchain and mode.
    pub bake: Option<String>,
    /// The effective limits of the compile and run steps (configured, lowered by the request).
    pub limits: PlanLimits,
    /// `sha256:<hex>` of the plan's canonical form: the memo and single-flight key.
    pub key: String,
}

/// A toolchain as a plan names it: where this machine has it, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolchainRef {
    /// rustup's name here, e.g. `stable-x86_64-unknown-linux-gnu`.
    pub name: String,
    /// The channel asked for (`stable`, `nightly`, `1.95.0`).
    pub channel: String,
    /// rustc's commit hash: what the result depends on.
    pub commit: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLimits {
    pub compile: Limits,
    pub run: Limits,
}

/// What the job does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Job {
    /// Compile with a harness and (unless `compile_only`) run the program.
    Run(RunJob),
    /// One tool step (rustfmt, Clippy, rustc's `--emit`/`-Zunpretty`) on the crate root.
    Tool(Tool),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunJob {
    pub harness: String,
    pub harness_version: u32,
    /// The harness's arguments, validated, with defaults applied.
    pub args: serde_json::Map<String, serde_json::Value>,
    #[serde(with = "base64_bytes")]
    pub stdin: Vec<u8>,
    pub argv: Vec<String>,
    pub backtrace: bool,
    pub time: TimeMode,
    pub seed: u64,
    pub compile_only: bool,
    /// Diagnostics rendered with ANSI colours (the CLI on a terminal).
    pub color: bool,
}

impl Plan {
    /// The memo key (also the single-flight key).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether results of this plan may be remembered (docs/contracts.md, Memoization):
    /// runs with virtual time (real time makes results depend on the moment), and tools.
    pub fn memoizable(&self) -> bool {
        match &self.job {
            Job::Run(r) => r.time == TimeMode::Virtual,
            Job::Tool(_) => true,
        }
    }

    /// The crate root's text.
    pub fn code(&self) -> &str {
        self.files.first().map(|(_, c)| c.as_str()).unwrap_or("")
    }

    /// `sha256:<hex>` over the canonical JSON of the plan (serde_json's maps are
    /// sorted) without the key itself and without the toolchain's local name and the
    /// channel asked for, which name the same compiler on different machines and
    /// channels; plus corral's version and the hash of the sources that shape results,
    /// and, with virtual time, the clock library's build.
    pub fn compute_key(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = v.as_object_mut() {
            map.remove("key");
            map.insert("toolchain".into(), self.toolchain.commit.clone().into());
            map.insert(
                "corral".into(),
                concat!(env!("CARGO_PKG_VERSION"), "+", env!("CORRAL_SOURCE_HASH")).into(),
            );
            if matches!(&self.job, Job::Run(r) if r.time == TimeMode::Virtual) {
                map.insert("vtime".into(), corral_vtime::library_hash().into());
            }
        }
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        format!("sha256:{}", hex(&Sha256::digest(&bytes)))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn bake_mode(mode: BuildMode) -> BakeMode {
    match mode {
        BuildMode::Debug => BakeMode::Debug,
        BuildMode::Release => BakeMode::Release,
    }
}

impl Pipeline {
    /// Lowers `req` into its plan: every check of a request is here, so a request
    /// that plans runs (or fails as a result, never as the client's mistake).
    pub fn plan(&self, req: &Request) -> Result<Plan, RequestError> {
        req.validate_files()?;
        let tc = toolchain::resolve(self.toolchains(), &req.channel)?;
        let root = (req.crate_root().to_string(), normalise_source(&req.code));
        let mut extra: Vec<(String, String)> = req
            .extra_files
            .iter()
            .map(|(n, c)| (n.clone(), normalise_source(c)))
            .collect();
        extra.sort();
        let files: Vec<(String, String)> = std::iter::once(root).chain(extra).collect();
        let baked = bake::load_cached(self.bake_store(), tc, bake_mode(req.mode));
        let job = match req.tool {
            None => {
                let h = find_harness(&req.harness)?;
                let args = h
                    .canonical_args(&req.args)
                    .map_err(|e| RequestError::Harness(e.to_string()))?;
                // The harness's own checks of the stub, and of the files around it.
                prepare(h, &files, req.crate_type, &args)?;
                if baked.is_none() && !h.crates.is_empty() {
                    return Err(not_baked(tc, req.mode));
                }
                Job::Run(RunJob {
                    harness: h.id.clone(),
                    harness_version: h.version,
                    args,
                    stdin: req.stdin.clone(),
                    argv: req.argv.clone(),
                    backtrace: req.backtrace,
                    time: req.time,
                    seed: req.seed,
                    compile_only: req.compile_only,
                    color: req.color,
                })
            }
            Some(tool) => {
                // rustfmt reads one file on its stdin; the compiler's tools read the
                // crate from the work dir, the root and the files around it.
                if files.len() > 1 && tool == Tool::Format {
                    return Err(RequestError::Invalid(format!(
                        "{} takes one file; format each file on its own",
                        tool.name()
                    )));
                }
                self.check_tool(tc, tool)?;
                Job::Tool(tool)
            }
        };
        let mut plan = Plan {
            toolchain: ToolchainRef {
                name: tc.name.clone(),
                channel: req.channel.clone(),
                commit: tc.commit_hash.clone(),
            },
            edition: req.edition,
            mode: req.mode,
            crate_type: req.crate_type,
            files,
            job,
            bake: baked.map(|b| b.lock_hash.clone()),
            limits: PlanLimits {
                compile: lowered(&self.limits().compile, &req.compile_limits),
                run: lowered(&self.limits().run, &req.run_limits),
            },
            key: String::new(),
        };
        plan.key = plan.compute_key();
        Ok(plan)
    }

    /// The toolchain a plan names, on this machine: the same commit, preferably under
    /// the same name.
    pub(crate) fn toolchain_of(&self, plan: &Plan) -> Result<&Toolchain, RequestError> {
        let same = |t: &&Toolchain| t.commit_hash == plan.toolchain.commit;
        self.toolchains()
            .iter()
            .filter(same)
            .find(|t| t.name == plan.toolchain.name)
            .or_else(|| self.toolchains().iter().find(same))
            .ok_or_else(|| {
                RequestError::Toolchain(ToolchainError::NotInstalled {
                    asked: format!("{} ({})", plan.toolchain.channel, plan.toolchain.commit),
                    installed: self
                        .toolchains()
                        .iter()
                        .map(|t| t.channel.clone())
                        .collect(),
                })
            })
    }

    /// The bake a plan compiles against, as the plan saw it.
    pub(crate) fn bake_of(
        &self,
        plan: &Plan,
        tc: &Toolchain,
    ) -> Result<Option<std::sync::Arc<bake::Baked>>, RequestError> {
        let Some(want) = &plan.bake else {
            return Ok(None);
        };
        match bake::load_cached(self.bake_store(), tc, bake_mode(plan.mode)) {
            Some(b) if &b.lock_hash == want => Ok(Some(b)),
            _ => Err(not_baked(tc, plan.mode)),
        }
    }
}

pub(crate) fn find_harness(id: &str) -> Result<&'static Harness, RequestError> {
    harness::find(id).ok_or_else(|| {
        let ids: Vec<&str> = harness::builtin().iter().map(|h| h.id.as_str()).collect();
        RequestError::UnknownHarness(id.to_string(), ids.join(", "))
    })
}

fn not_baked(tc: &Toolchain, mode: BuildMode) -> RequestError {
    not_baked_using(tc, mode, "")
}

/// The refusal of a plan without a bake whose compile failed on a baked crate: the
/// code needs what `corral bake` makes, not a fix.
pub(crate) fn not_baked_using(tc: &Toolchain, mode: BuildMode, uses: &str) -> RequestError {
    RequestError::NotBaked {
        uses: uses.into(),
        toolchain: tc.name.clone(),
        channel: tc.channel.clone(),
        mode: mode.as_str().into(),
        release: if mode == BuildMode::Release {
            " --release".into()
        } else {
            String::new()
        },
    }
}

/// The source files of a run: the harness around the crate root's text, then the
/// user's other files; checked so that each name holds exactly one text.
pub(crate) fn prepare(
    harness: &Harness,
    files: &[(String, String)],
    crate_type: CrateType,
    args: &serde_json::Map<String, serde_json::Value>,
) -> Result<Prepared, RequestError> {
    let code = files.first().map(|(_, c)| c.as_str()).unwrap_or("");
    let mut prepared = harness
        .prepare(code, args)
        .map_err(|e| RequestError::Harness(e.to_string()))?;
    if crate_type == CrateType::Lib {
        if harness.id != "bin" || prepared.test {
            return Err(RequestError::Invalid(format!(
                "crate type lib works with the bin harness only, not {:?}",
                harness.id
            )));
        }
        for (name, _) in &mut prepared.files {
            if *name == prepared.crate_root {
                *name = "src/lib.rs".into();
            }
        }
        if prepared.source_map.file == prepared.crate_root {
            prepared.source_map.file = "src/lib.rs".into();
        }
        prepared.crate_root = "src/lib.rs".into();
    }
    for (name, content) in files.iter().skip(1) {
        if prepared.files.iter().any(|(n, _)| n == name) {
            return Err(RequestError::Invalid(format!(
                "file {name:?} is the harness's own; choose another name"
            )));
        }
        prepared.files.push((name.clone(), content.clone()));
    }
    validate_file_set(prepared.files.iter().map(|(n, _)| n.as_str()))?;
    Ok(prepared)
}

/// Bytes as one base64 string in a plan's JSON (stdin may be any bytes).
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
