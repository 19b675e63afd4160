//! The native request (docs/contracts.md, Run request), parsed at the boundary into a
//! `corral_rust::request::Request`.

use crate::error::ApiError;
use corral_rust::key::TimeMode;
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
            (None, Some(files)) => {
                if files.len() > 20 {
                    return Err(ApiError::bad_request(format!(
                        "{} files: at most 20 per request",
                        files.len()
                    )));
                }
                let mut code = None;
                let mut extra = vec![];
                for f in files {
                    if f.name == root {
                        if code.is_some() {
                            return Err(ApiError::bad_request(format!(
                                "two files are named {root}; each file needs its own name"
                            )));
                        }
                        code = Some(f.content);
                    } else {
                        extra.push((f.name, f.content));
                    }
                }
                let code = code.ok_or_else(|| {
                    ApiError::bad_request(format!("files must include the crate root {root}"))
                })?;
                (code, extra)
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
        };
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_need_the_crate_root_and_code_xor_files() {
        let r: RunRequest = serde_json::from_str(r#"{"files": [{"name": "src/main.rs", "content": "mod a; fn main() {}"}, {"name": "src/a.rs", "content": ""}]}"#).unwrap();
        let req = r.into_request().unwrap();
        assert_eq!(
            (req.code.as_str(), req.extra_files.len(), req.time),
            ("mod a; fn main() {}", 1, TimeMode::Virtual)
        );
        let r: RunRequest =
            serde_json::from_str(r#"{"files": [{"name": "src/a.rs", "content": ""}]}"#).unwrap();
        assert!(
            r.into_request()
                .unwrap_err()
                .message
                .contains("src/main.rs")
        );
        let r: RunRequest = serde_json::from_str(
            r#"{"files": [{"name": "src/main.rs", "content": "fn main() {}"}, {"name": "src/main.rs", "content": ""}]}"#,
        )
        .unwrap();
        assert!(
            r.into_request()
                .unwrap_err()
                .message
                .contains("two files are named src/main.rs")
        );
        let r: RunRequest = serde_json::from_str(r#"{"code": "", "files": []}"#).unwrap();
        assert!(r.into_request().is_err());
        assert!(
            serde_json::from_str::<RunRequest>(r#"{"code": "", "colour": 1}"#).is_err(),
            "unknown fields are refused"
        );
        let r: RunRequest = serde_json::from_str(r#"{"code": "", "edition": "2027"}"#).unwrap();
        assert!(r.into_request().unwrap_err().message.contains("2024"));
    }
}
