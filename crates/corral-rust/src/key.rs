//! The memo key of CONTRACTS.md section 5: sha256 over a canonical encoding of
//! everything that can change a result.

use crate::bake;
use crate::config::lowered;
use crate::harness;
use crate::pipeline::Pipeline;
use crate::request::{BuildMode, Request, RequestError, normalise_source};
use crate::toolchain;
use serde_json::json;
use sha2::{Digest, Sha256};

pub use crate::request::TimeMode;

impl Pipeline {
    /// `sha256:<hex>` of corral's version (with a hash of the sources that shape
    /// results), the toolchain's commit hash, the baked
    /// lockfile's hash, harness id and version, canonical arguments, edition, mode,
    /// crate type, effective limits, time mode and seed, stdin, argv and the sources
    /// after normalisation (BOM stripped, CRLF -> LF).
    pub fn memo_key(&self, req: &Request) -> Result<String, RequestError> {
        let tc = toolchain::resolve(self.toolchains(), &req.channel)?;
        let h = harness::find(&req.harness).ok_or_else(|| {
            let ids: Vec<&str> = harness::builtin().iter().map(|h| h.id.as_str()).collect();
            RequestError::UnknownHarness(req.harness.clone(), ids.join(", "))
        })?;
        let args = h
            .canonical_args(&req.args)
            .map_err(|e| RequestError::Harness(e.to_string()))?;
        let mode = match req.mode {
            BuildMode::Debug => bake::BakeMode::Debug,
            BuildMode::Release => bake::BakeMode::Release,
        };
        let lock = bake::load_cached(self.bake_store(), tc, mode)
            .map(|b| b.lock_hash.clone())
            .unwrap_or_default();
        let compile = lowered(&self.limits().compile, &req.compile_limits);
        let run = lowered(&self.limits().run, &req.run_limits);
        let mut files: Vec<(String, String)> = req
            .extra_files
            .iter()
            .map(|(n, c)| (n.clone(), normalise_source(c)))
            .collect();
        files.sort();
        let canonical = json!({
            "corral": concat!(env!("CARGO_PKG_VERSION"), "+", env!("CORRAL_SOURCE_HASH")),
            "toolchain": tc.commit_hash,
            "lock": lock,
            "harness": [h.id, h.version],
            "args": args,
            "edition": req.edition.as_str(),
            "mode": req.mode.as_str(),
            "crate_type": req.crate_type,
            "limits": {"compile": compile, "run": run},
            "time": req.time.as_str(),
            // The clock library's build: it shapes every virtual-time result.
            "vtime": (req.time == TimeMode::Virtual).then(corral_vtime::library_hash),
            "seed": req.seed,
            "compile_only": req.compile_only,
            "backtrace": req.backtrace,
            "stdin": hex(&req.stdin),
            "argv": req.argv,
            "code": normalise_source(&req.code),
            "files": files,
        });
        // serde_json's maps are sorted, so this encoding is canonical.
        let bytes =
            serde_json::to_vec(&canonical).map_err(|e| RequestError::Invalid(e.to_string()))?;
        Ok(format!("sha256:{}", hex(&Sha256::digest(&bytes))))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
