//! The native request (docs/contracts.md, Run request), parsed at the boundary into a
//! `corral_rust::request::Request`.

use crate::error::ApiError;
use corral_rust::request::TimeMode;
use corral_rust::request::{BuildMode, CrateType, Edition, LimitRequest, Request};
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileIn {
    pub name: String,
    pub content: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepLimitsIn {
    pub wall_ms: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub output_bytes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsIn {
    pub compile: Option<StepLimitsIn>,
    pub run: Option<StepLimitsIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub code: Option<String>,
    pub files: Option<Vec<FileIn>>,
    pub harness: Option<String>,
    pub args: Option<serde_json::Map<String, serde_json::Value>>,
    pub channel: Option<String>,
    pub edition: Option<String>,
    pub mode: Option<String>,
    pub crate_type: Option<String>,
    pub stdin: Option<String>,
    pub argv: Option<Vec<String>>,
    pub time: Option<String>,
    /// Seeds the program's randomness (virtual time only); 0 when absent.
    pub seed: Option<u64>,
    /// Compile (with the harness) but do not run: rustdoc's `no_run` and `compile_fail`.
    pub compile_only: Option<bool>,
    pub limits: Option<LimitsIn>,
    pub backtrace: Option<bool>,
}

fn limits(l: Option<StepLimitsIn>) -> LimitRequest {
    let l = l.unwrap_or_default();
    LimitRequest {
        wall: l.wall_ms.map(Duration::from_millis),
        memory: l.memory_bytes,
        output: l.output_bytes,
    }
}

impl RunRequest {
    pub fn into_request(self) -> Result<Request, ApiError> {
        let crate_type = CrateType::parse(self.crate_type.as_deref().unwrap_or("bin"))?;
        let root = if crate_type == CrateType::Lib {
            "src/lib.rs"
        } else {
            "src/main.rs"
        };
        let (code, extra_files) = match (self.code, self.files) {
            (Some(code), None) => (code, vec![]),
            (None, Some(mut files)) => {
                // The crate root is `code`; the others (a second root included, which
                // the plan's file check refuses) are the extra files.
                let at = files.iter().position(|f| f.name == root).ok_or_else(|| {
                    ApiError::bad_request(format!("files must include the crate root {root}"))
                })?;
                let code = files.remove(at).content;
                (
                    code,
                    files.into_iter().map(|f| (f.name, f.content)).collect(),
                )
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "give either `code` or `files`, not both",
                ));
            }
            (None, None) => return Err(ApiError::bad_request("missing `code` (or `files`)")),
        };
        let time = match self.time.as_deref().unwrap_or("virtual") {
            "virtual" => TimeMode::Virtual,
            "real" => TimeMode::Real,
            other => {
                return Err(ApiError::bad_request(format!(
                    "time {other:?} is not virtual or real"
                )));
            }
        };
        let limits_in = self.limits.unwrap_or_default();
        let req = Request {
            code,
            extra_files,
            harness: self.harness.unwrap_or_else(|| "bin".into()),
            args: self.args.unwrap_or_default(),
            channel: self.channel.unwrap_or_else(|| "stable".into()),
            edition: Edition::parse(self.edition.as_deref().unwrap_or("2024"))?,
            mode: BuildMode::parse(self.mode.as_deref().unwrap_or("debug"))?,
            crate_type,
            stdin: self.stdin.unwrap_or_default().into_bytes(),
            argv: self.argv.unwrap_or_default(),
            backtrace: self.backtrace.unwrap_or(false),
            compile_limits: limits(limits_in.compile),
            run_limits: limits(limits_in.run),
            time,
            seed: self.seed.unwrap_or(0),
            compile_only: self.compile_only.unwrap_or(false),
            color: false,
            tool: None,
        };
        Ok(req)
    }
}

/// Reserved query keys of /run/<harness>; every other key is a harness argument.
pub const RUN_OPTIONS: [&str; 5] = ["channel", "edition", "mode", "time", "stdin"];

/// `POST /run/<harness>?k=v…` with `stub` as its body, as a native request: the
/// reserved keys are options, every other key a harness argument (repeated keys make
/// a list).
pub fn harness_request(harness: &str, stub: String, query: Vec<(String, String)>) -> RunRequest {
    use serde_json::Value;
    let mut body = RunRequest {
        code: Some(stub),
        harness: Some(harness.to_string()),
        ..Default::default()
    };
    let mut args = serde_json::Map::new();
    for (k, v) in query {
        match k.as_str() {
            "channel" => body.channel = Some(v),
            "edition" => body.edition = Some(v),
            "mode" => body.mode = Some(v),
            "time" => body.time = Some(v),
            "stdin" => body.stdin = Some(v),
            _ => match args.get_mut(&k) {
                Some(Value::Array(list)) => list.push(Value::String(v)),
                Some(first) => *first = Value::Array(vec![first.clone(), Value::String(v)]),
                None => {
                    args.insert(k, Value::String(v));
                }
            },
        }
    }
    debug_assert!(RUN_OPTIONS.iter().all(|o| !args.contains_key(*o)));
    body.args = Some(args);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::plan;
    use corral_rust::plan::Job;

    fn lowered(body: &str) -> Result<corral_rust::plan::Plan, String> {
        let r: RunRequest = serde_json::from_str(body).map_err(|e| e.to_string())?;
        plan(&r.into_request().map_err(|e| e.message)?)
    }

    #[test]
    fn files_need_the_crate_root_and_code_xor_files() {
        let p = lowered(r#"{"files": [{"name": "src/main.rs", "content": "mod a; fn main() {}"}, {"name": "src/a.rs", "content": ""}]}"#).unwrap();
        assert_eq!(
            p.files,
            [
                ("src/main.rs".to_string(), "mod a; fn main() {}".to_string()),
                ("src/a.rs".to_string(), String::new())
            ]
        );
        assert!(matches!(&p.job, Job::Run(r) if r.time == TimeMode::Virtual));
        let e = lowered(r#"{"files": [{"name": "src/a.rs", "content": ""}]}"#).unwrap_err();
        assert!(e.contains("src/main.rs"), "{e}");
        let e = lowered(r#"{"files": [{"name": "src/main.rs", "content": "fn main() {}"}, {"name": "src/main.rs", "content": ""}]}"#).unwrap_err();
        assert!(e.contains("two files are named src/main.rs"), "{e}");
        assert!(lowered(r#"{"code": "", "files": []}"#).is_err());
        let e = lowered(r#"{"code": "", "colour": 1}"#).unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        let e = lowered(r#"{"code": "", "edition": "2027"}"#).unwrap_err();
        assert!(e.contains("2024"), "{e}");
        let many: Vec<String> = (0..21)
            .map(|i| format!(r#"{{"name": "src/m{i}.rs", "content": ""}}"#))
            .collect();
        let e = lowered(&format!(
            r#"{{"files": [{{"name": "src/main.rs", "content": ""}}, {}]}}"#,
            many.join(",")
        ))
        .unwrap_err();
        assert!(e.contains("22 files: at most 20"), "{e}");
    }

    #[test]
    fn a_run_lowers_to_the_expected_plan_and_key() {
        let p = lowered(r#"{"code": "fn main() {}", "channel": "nightly", "edition": "2021", "mode": "release",
            "stdin": "in", "argv": ["a"], "seed": 3, "time": "real", "limits": {"run": {"wall_ms": 500}}}"#)
        .unwrap();
        assert_eq!(p.toolchain.commit, "nightly-commit");
        assert_eq!(p.limits.run.wall, std::time::Duration::from_millis(500));
        let Job::Run(r) = &p.job else { panic!("{p:?}") };
        assert_eq!(
            (r.stdin.as_slice(), r.argv.as_slice(), r.seed, r.time),
            (&b"in"[..], &["a".to_string()][..], 3, TimeMode::Real)
        );
        assert!(!p.memoizable());
        // Defaults spelt out, or left out: one plan.
        let short = lowered(r#"{"code": "fn main() {}"}"#).unwrap();
        let long = lowered(r#"{"code": "fn main() {}", "harness": "bin", "channel": "stable", "edition": "2024",
            "mode": "debug", "crate_type": "bin", "time": "virtual", "seed": 0, "stdin": "", "argv": []}"#)
        .unwrap();
        assert_eq!(short, long);
    }

    #[test]
    fn run_harness_lowers_like_the_json_route() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let from_query = harness_request(
            "expr",
            "6 * 7".into(),
            q(&[("edition", "2021"), ("stdin", "x")]),
        );
        let from_json: RunRequest = serde_json::from_str(
            r#"{"code": "6 * 7", "harness": "expr", "edition": "2021", "stdin": "x", "args": {}}"#,
        )
        .unwrap();
        let a = plan(&from_query.into_request().unwrap()).unwrap();
        let b = plan(&from_json.into_request().unwrap()).unwrap();
        assert_eq!(a, b);
        let Job::Run(r) = &a.job else { panic!("{a:?}") };
        assert_eq!(r.harness, "expr");
        // Other keys are harness arguments, checked by the plan.
        let bad = harness_request("expr", "1".into(), q(&[("colour", "red")]));
        let e = plan(&bad.into_request().unwrap()).unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }
}
