//! The memo key (docs/contracts.md, Memoization): sha256 over a canonical encoding of
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
    ///
    /// A request whose files break [`Request::validate_files`] has no key: with two
    /// files of one name, the key (over sorted files) could not tell which one the
    /// program holds.
    pub fn memo_key(&self, req: &Request) -> Result<String, RequestError> {
        req.validate_files()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StepLimits;
    use crate::toolchain::Toolchain;

    fn pipeline(root: &std::path::Path) -> Pipeline {
        let toolchain = Toolchain {
            name: "stable-x86_64-unknown-linux-gnu".into(),
            channel: "stable".into(),
            version: "1.0.0".into(),
            commit_hash: "abc".into(),
            commit_date: "2020-01-01".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            path: "/nonexistent".into(),
            components: vec![],
            targets: vec![],
        };
        Pipeline::new(
            corral_sandbox::Sandbox::new("/proc/self/exe").expect("sandbox"),
            vec![toolchain],
            StepLimits::default(),
            root.join("bake"),
            root.join("work"),
        )
    }

    #[test]
    fn two_programs_never_share_a_key() {
        let root = std::env::temp_dir().join(format!("corral-key-test-{}", std::process::id()));
        let p = pipeline(&root);
        let req = |files: &[(&str, &str)]| Request {
            code: "mod a; fn main() { a::f() }".into(),
            extra_files: files
                .iter()
                .map(|(n, c)| (n.to_string(), c.to_string()))
                .collect(),
            ..Request::default()
        };
        let one = "pub fn f() { println!(\"1\") }";
        let two = "pub fn f() { println!(\"2\") }";
        // The work dir would hold the last of two same-named files: the two orders are
        // two programs, yet their sorted files are equal. Both are refused instead.
        for files in [
            [("src/a.rs", one), ("src/a.rs", two)],
            [("src/a.rs", two), ("src/a.rs", one)],
        ] {
            let e = p.memo_key(&req(&files)).unwrap_err();
            assert!(
                e.to_string().contains("two files are named src/a.rs"),
                "{e}"
            );
        }
        // A file that only differs in its duplicate is refused too.
        assert!(
            p.memo_key(&req(&[("src/a.rs", one), ("src/a.rs", one)]))
                .is_err()
        );
        // Distinct files: order does not matter, contents and names do.
        let k = |files: &[(&str, &str)]| p.memo_key(&req(files)).unwrap();
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
}
