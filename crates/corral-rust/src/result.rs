//! The result of a job (docs/contracts.md, Rust result): typed from the step that made
//! it to the route that shapes it, and serializable both ways so that a result can be
//! memoized or cross a process boundary.

use crate::diagnostics::Diagnostic;
use crate::tools::ToolOutput;
use serde::{Deserialize, Serialize};

/// Which limit ended (or visibly hurt) a step: the jail's own kinds.
pub use corral_sandbox::LimitKind;

/// How a Rust job ended, from the user's point of view: the jail's statuses plus
/// `compile_error`, which only a pipeline whose first step is a compiler can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    CompileError,
    RuntimeError,
    Timeout,
    MemoryLimit,
    OutputLimit,
    Killed,
    InternalError,
}

impl From<corral_sandbox::Status> for Status {
    fn from(s: corral_sandbox::Status) -> Status {
        use corral_sandbox::Status as S;
        match s {
            S::Success => Status::Success,
            S::RuntimeError => Status::RuntimeError,
            S::Timeout => Status::Timeout,
            S::MemoryLimit => Status::MemoryLimit,
            S::OutputLimit => Status::OutputLimit,
            S::Killed => Status::Killed,
            S::InternalError => Status::InternalError,
        }
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::CompileError => "compile_error",
            Status::RuntimeError => "runtime_error",
            Status::Timeout => "timeout",
            Status::MemoryLimit => "memory_limit",
            Status::OutputLimit => "output_limit",
            Status::Killed => "killed",
            Status::InternalError => "internal_error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Compile,
    Run,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustResult {
    pub status: Status,
    pub step: Step,
    pub limit: Option<LimitKind>,
    pub compile: CompileResult,
    pub run: Option<RunResult>,
    /// Why corral failed, when `status` is `internal_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// The step whose numbers (time, memory) describe the job: the run if there was one.
    pub fn last_step_usage(&self) -> (u64, u64) {
        match &self.run {
            Some(r) => (r.cpu_ms, r.memory_bytes),
            None => (self.compile.cpu_ms, self.compile.memory_bytes),
        }
    }
}

/// What a job produced: a compile-and-run result, or a tool's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "result", rename_all = "lowercase")]
pub enum Output {
    Run(RustResult),
    Tool(ToolOutput),
}

impl Output {
    pub fn status(&self) -> Status {
        match self {
            Output::Run(r) => r.status,
            Output::Tool(t) => t.status,
        }
    }

    /// Whether the memo store keeps it (docs/contracts.md, Memoization): outcomes that
    /// depend only on the plan. Timeouts, kills and corral's own failures depend on
    /// the machine and the moment, so they are run again.
    pub fn cacheable(&self) -> bool {
        match self {
            Output::Run(r) => matches!(
                r.status,
                Status::Success
                    | Status::CompileError
                    | Status::RuntimeError
                    | Status::MemoryLimit
                    | Status::OutputLimit
            ),
            Output::Tool(t) => matches!(t.status, Status::Success | Status::CompileError),
        }
    }
}

/// Which stream a piece of output came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// What a caller can watch while a job runs, as it happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    /// The job left the queue: its first step is starting.
    Started,
    /// The compile step ended; its diagnostics (rendered) are final.
    Compiled { success: bool, stderr: String },
    /// The program wrote this, just now (already decoded under virtual time).
    Output { stream: Stream, data: Vec<u8> },
}
