//! Shaping: typed results as the playground's responses.

use super::wire::{Code, CompileOut, EvaluateOut, ExecuteOut, FormatOut, ToolOut};
use crate::error::ApiError;
use corral_rust::result::{LimitKind, RustResult, Status, Step};
use corral_rust::tools::{ARTIFACT_CAP, ToolOutput, exit_detail};
use rocket::http::Status as Http;

pub const KILLED: &str = "Exited with signal 9 (SIGKILL): kill program";

/// A run that could not start here (a channel that is not installed), as the
/// playground answers it: in its output, not as an HTTP error.
pub fn unavailable_execute(message: String) -> ExecuteOut {
    ExecuteOut {
        success: false,
        exit_detail: String::new(),
        stdout: String::new(),
        stderr: message,
    }
}

pub fn push_line(text: &mut String, line: &str) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
}

/// What a user reads when a limit stopped a step.
pub fn limit_note(result: &RustResult) -> Option<String> {
    let who = match result.step {
        Step::Compile => "the compiler",
        Step::Run => "the program",
    };
    let why = match (result.status, result.limit) {
        (Status::Timeout, Some(LimitKind::Cpu)) => "it used up its CPU time",
        (Status::Timeout, _) => "it ran out of time",
        (Status::MemoryLimit, _) => "it used too much memory",
        (Status::OutputLimit, _) => "it wrote too much output",
        (Status::Killed, _) => "it was killed",
        _ => return None,
    };
    Some(format!("corral: {who} was stopped: {why}"))
}

/// A run result (docs/contracts.md, Rust result) as the playground's execute response.
pub fn execute_out(result: &RustResult) -> Result<ExecuteOut, ApiError> {
    let status = result.status;
    if status == Status::InternalError {
        return Err(ApiError::new(
            Http::InternalServerError,
            format!(
                "corral failed to run the request: {}",
                result.error.as_deref().unwrap_or("unknown error")
            ),
        ));
    }
    let stopped = matches!(
        status,
        Status::Timeout | Status::MemoryLimit | Status::Killed
    );
    let (detail, stdout, mut stderr) = match &result.run {
        Some(run) => {
            let mut detail = exit_detail(run.exit_code, run.signal);
            if detail.is_empty() && stopped {
                detail = KILLED.into();
            }
            // The compiler's warnings first, then the program's stderr, as upstream
            // (its stderr is cargo's output followed by the program's).
            let mut stderr = result.compile.stderr.clone();
            stderr.push_str(&run.stderr);
            (detail, run.stdout.clone(), stderr)
        }
        None => {
            // No program ran: the compiler's diagnostics are what the user needs.
            let detail = match status {
                Status::Success => "Exited with status 0",
                _ if stopped => KILLED,
                _ => "Exited with status 1",
            };
            (
                detail.to_string(),
                String::new(),
                result.compile.stderr.clone(),
            )
        }
    };
    if let Some(note) = limit_note(result) {
        push_line(&mut stderr, &note);
    }
    Ok(ExecuteOut {
        success: status == Status::Success,
        exit_detail: detail,
        stdout,
        stderr,
    })
}

/// `/evaluate.json`'s answer: the output, or the diagnostics as the error.
pub fn evaluate_out(out: ExecuteOut) -> EvaluateOut {
    if out.success {
        EvaluateOut {
            result: out.stdout,
            error: None,
        }
    } else {
        let both = out.stderr + &out.stdout;
        EvaluateOut {
            result: both.clone(),
            error: Some(both),
        }
    }
}

/// A tool's answer: what it produced, or why it cannot run here (a tool, component or
/// channel that is not installed), which the playground shows in its output.
pub enum ToolAnswer {
    Ran(ToolOutput),
    Unavailable(String),
}

impl ToolAnswer {
    /// A tool that ran but failed inside corral is a 500, as for runs.
    pub fn checked(self) -> Result<ToolAnswer, ApiError> {
        match &self {
            ToolAnswer::Ran(out) if out.status == Status::InternalError => Err(ApiError::new(
                Http::InternalServerError,
                format!(
                    "corral failed to run the tool: {}",
                    out.error.as_deref().unwrap_or("unknown error")
                ),
            )),
            _ => Ok(self),
        }
    }

    pub fn success(&self) -> bool {
        matches!(self, ToolAnswer::Ran(out) if out.success)
    }

    /// The artifact (formatted code, asm, …), empty when there is none.
    pub fn code(&self) -> String {
        match self {
            ToolAnswer::Ran(out) => out.code.clone().unwrap_or_default(),
            ToolAnswer::Unavailable(_) => String::new(),
        }
    }

    pub fn stdout(&self) -> String {
        match self {
            ToolAnswer::Ran(out) => out.stdout.clone(),
            ToolAnswer::Unavailable(_) => String::new(),
        }
    }

    pub fn exit_detail(&self) -> String {
        match self {
            ToolAnswer::Ran(out) => out.exit_detail.clone(),
            ToolAnswer::Unavailable(_) => String::new(),
        }
    }

    /// `stderr`, with a note when the artifact was cut.
    pub fn stderr(&self) -> String {
        match self {
            ToolAnswer::Ran(out) => {
                let mut stderr = out.stderr.clone();
                if out.code_truncated {
                    push_line(
                        &mut stderr,
                        &format!("corral: the output was cut at {ARTIFACT_CAP} bytes"),
                    );
                }
                stderr
            }
            ToolAnswer::Unavailable(why) => why.clone(),
        }
    }

    /// /clippy, /miri and /macro-expansion's answer, with `stdout` as given.
    pub fn tool_out(&self, stdout: String) -> ToolOut {
        ToolOut {
            success: self.success(),
            exit_detail: self.exit_detail(),
            stdout,
            stderr: self.stderr(),
        }
    }

    /// /format's answer for one string, with `code` as given.
    pub fn format_out(&self, code: Code) -> FormatOut {
        FormatOut {
            success: self.success(),
            exit_detail: self.exit_detail(),
            code,
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }

    /// /compile's answer, with `code` as given.
    pub fn compile_out(&self, code: String) -> CompileOut {
        CompileOut {
            success: self.success(),
            exit_detail: self.exit_detail(),
            code,
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }
}
