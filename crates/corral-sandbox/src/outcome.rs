//! The outcome of one sandboxed step (docs/contracts.md, Step outcome).

use serde::{Deserialize, Serialize};

/// How a step ended, from the user's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    RuntimeError,
    Timeout,
    MemoryLimit,
    OutputLimit,
    Killed,
    InternalError,
}

/// Which limit ended (or visibly hurt) a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    Wall,
    Cpu,
    Memory,
    Pids,
    Output,
    FileSize,
    Disk,
    Inodes,
    OpenFiles,
}

/// Everything the caller learns about a finished step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    pub limit: Option<LimitKind>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub wall_ms: u64,
    pub cpu_ms: u64,
    pub memory_bytes: u64,
    /// Raw bytes of the streams (the strings above are their lossy UTF-8 form).
    #[serde(skip)]
    pub stdout_bytes: Vec<u8>,
    #[serde(skip)]
    pub stderr_bytes: Vec<u8>,
    /// Why corral failed, when `status` is `internal_error`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

impl Outcome {
    /// The exit code contract of `corral exec` (docs/contracts.md, Exit codes):
    /// the command's own code, 128+N for signal N, 124 on timeout, 125 for corral's error.
    pub fn exit_code_for_cli(&self) -> i32 {
        match self.status {
            Status::Timeout => 124,
            Status::InternalError => 125,
            _ => match (self.exit_code, self.signal) {
                (Some(code), _) => code,
                (None, Some(sig)) => 128 + sig,
                (None, None) => 125,
            },
        }
    }
}
