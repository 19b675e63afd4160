//! The result of a Rust request (docs/contracts.md, Rust result).

use crate::diagnostics::Diagnostic;
use corral_sandbox::{LimitKind, Status};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Compile,
    Run,
}

#[derive(Clone, Debug, Serialize)]
pub struct CompileResult {
    pub success: bool,
    pub stderr: String,
    pub diagnostics: Vec<Diagnostic>,
    pub wall_ms: u64,
    pub cpu_ms: u64,
    pub memory_bytes: u64,
}

/// Timed output (`run.events`), decoded by `corral-vtime`.
pub use corral_vtime::Event;

#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub events: Vec<Event>,
    pub harness: serde_json::Value,
    pub wall_ms: u64,
    pub cpu_ms: u64,
    pub memory_bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RustResult {
    pub status: Status,
    pub step: Step,
    pub limit: Option<LimitKind>,
    pub compile: CompileResult,
    pub run: Option<RunResult>,
    /// Why corral failed, when `status` is `internal_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RustResult {
    /// `corral run`'s exit code: the program's own, 128+N for signal N, 124 timeout,
    /// 125 corral's error, 1 for a compile error.
    pub fn exit_code_for_cli(&self) -> i32 {
        match self.status {
            Status::Timeout => 124,
            Status::InternalError => 125,
            _ if self.step == Step::Compile && !self.compile.success => 1,
            _ => match &self.run {
                Some(r) => match (r.exit_code, r.signal) {
                    (Some(c), _) => c,
                    (None, Some(s)) => 128 + s,
                    (None, None) => 125,
                },
                None => 0,
            },
        }
    }
}
