//! The corral server, over its HTTP API only: `POST /api/v1/run` for a run and
//! `POST /meta/gist` for a share link (docs/api.md, docs/playground-api.md). Calls block
//! (ureq): the IRC loop makes them on a blocking thread. Every call is a fresh request
//! with a connect timeout and a total timeout, so a server that went away and came back
//! is simply answering again.

use crate::command::RunRequest;
use serde::Deserialize;
use std::io::Read;
use std::time::Duration;

/// Connect timeout, and the whole request's (a Rocket app may compile for a minute).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(90);
/// The largest answer read (a result holds at most two 64 KiB outputs and their events).
const MAX_ANSWER: u64 = 4 << 20;

/// The part of a Rust result the bot reads (docs/contracts.md, Rust result); other
/// fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RunResult {
    pub status: String,
    pub step: String,
    pub limit: Option<String>,
    pub compile: Compile,
    pub run: Option<Run>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Compile {
    pub stderr: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Diagnostic {
    pub level: String,
    pub code: Option<String>,
    pub message: String,
    pub line_start: Option<u64>,
    pub column_start: Option<u64>,
    pub in_harness: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Run {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub events: Vec<Event>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Event {
    pub message: String,
}

/// Why a call gave no result, worded for the person who asked.
#[derive(Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer at all (refused, timed out, reset), or a 5xx without corral's own body
    /// (a proxy in front of a stopped server).
    Down { base: String, why: String },
    /// corral answered an error: its status and message.
    Refused { status: u16, message: String },
    /// An answer that is not what corral sends.
    Garbled { base: String, why: String },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Down { base, why } => {
                write!(
                    f,
                    "corral at {base} is not answering ({why}); try again later"
                )
            }
            ApiError::Refused {
                status: 429,
                message,
            } => {
                write!(f, "corral is rate-limiting this bot: {message}")
            }
            ApiError::Refused {
                status: 503,
                message,
            } => {
                write!(f, "corral cannot run it now: {message}; try again later")
            }
            ApiError::Refused { status, message } if *status >= 500 => {
                write!(f, "corral failed ({status}): {message}")
            }
            ApiError::Refused { message, .. } => write!(f, "corral: {message}"),
            ApiError::Garbled { base, why } => {
                write!(
                    f,
                    "corral at {base} gave an answer the bot cannot read ({why})"
                )
            }
        }
    }
}

pub struct Api {
    base: String,
    agent: ureq::Agent,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

#[derive(Deserialize)]
struct Gist {
    id: String,
}

impl Api {
    /// A client of the corral server at `base` (`http://host:port`, optionally with a
    /// path prefix).
    pub fn new(base: &str) -> Api {
        let mut agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT);
        match crate::tls_config() {
            Ok(tls) => agent = agent.tls_config(tls),
            Err(e) => tracing::warn!("TLS with the system's roots: {e}; using ureq's own"),
        }
        Api {
            base: base.trim_end_matches('/').to_string(),
            agent: agent.build(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /api/v1/run`.
    pub fn run(&self, request: &RunRequest) -> Result<RunResult, ApiError> {
        self.post(
            "/api/v1/run",
            serde_json::to_value(request).expect("a request"),
        )
    }

    /// Stores `code` with `POST /meta/gist`; the page's link to it, `<base>/p/<id>`.
    pub fn share(&self, code: &str) -> Result<String, ApiError> {
        let gist: Gist = self.post("/meta/gist", serde_json::json!({ "code": code }))?;
        if gist.id.is_empty()
            || !gist
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(self.garbled(format!("a gist id {:?}", gist.id)));
        }
        Ok(format!("{}/p/{}", self.base, gist.id))
    }

    fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, ApiError> {
        let response = match self
            .agent
            .post(&format!("{}{path}", self.base))
            .send_json(body)
        {
            Ok(r) => r,
            Err(ureq::Error::Status(status, r)) => return Err(self.refused(status, r)),
            Err(ureq::Error::Transport(t)) => {
                return Err(ApiError::Down {
                    base: self.base.clone(),
                    why: transport_reason(&t),
                });
            }
        };
        let mut text = String::new();
        response
            .into_reader()
            .take(MAX_ANSWER)
            .read_to_string(&mut text)
            .map_err(|e| ApiError::Down {
                base: self.base.clone(),
                why: format!("the answer broke off: {}", io_reason(&e)),
            })?;
        serde_json::from_str(&text).map_err(|e| self.garbled(e.to_string()))
    }

    /// An error answer: corral's `{"error": "…"}`, or a 5xx from something else.
    fn refused(&self, status: u16, response: ureq::Response) -> ApiError {
        let mut text = String::new();
        let _ = response
            .into_reader()
            .take(64 << 10)
            .read_to_string(&mut text);
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ApiError::Refused {
                status,
                message: body.error,
            },
            Err(_) if status >= 500 => ApiError::Down {
                base: self.base.clone(),
                why: format!("HTTP {status}"),
            },
            Err(_) => self.garbled(format!("HTTP {status}")),
        }
    }

    fn garbled(&self, why: String) -> ApiError {
        ApiError::Garbled {
            base: self.base.clone(),
            why,
        }
    }
}

/// A transport failure in a few words: the I/O error's kind when there is one.
fn transport_reason(t: &ureq::Transport) -> String {
    let mut source = std::error::Error::source(t);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_reason(io);
        }
        source = e.source();
    }
    match t.kind() {
        ureq::ErrorKind::Dns => "its name does not resolve".into(),
        kind => kind.to_string().to_lowercase(),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => "connection refused".into(),
        TimedOut | WouldBlock => "timed out".into(),
        ConnectionReset | ConnectionAborted => "connection reset".into(),
        UnexpectedEof => "connection closed".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_port_is_reported_as_not_answering() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let api = Api::new(&format!("http://127.0.0.1:{port}/"));
        let err = api.run(&crate::command::RunRequest {
            harness: "expr",
            code: "1".into(),
            channel: None,
            edition: None,
            mode: None,
        });
        let err = err.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "corral at http://127.0.0.1:{port} is not answering (connection refused); try again later"
            )
        );
    }

    #[test]
    fn errors_read_as_one_sentence() {
        let beta = ApiError::Refused {
            status: 400,
            message: "toolchain \"beta\" is not installed; installed: stable".into(),
        };
        assert_eq!(
            beta.to_string(),
            "corral: toolchain \"beta\" is not installed; installed: stable"
        );
        let busy = ApiError::Refused {
            status: 503,
            message: "the queue is full".into(),
        };
        assert!(busy.to_string().contains("try again later"));
    }
}
