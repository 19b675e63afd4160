//! The Rust Playground's request and response bodies, with its exact field names
//! (docs/playground-api.md).

use crate::error::ApiError;
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A JSON body; a malformed one is a 400 `Unable to deserialize request: …`, an
/// oversized one a 413, both with `{"error": …}`.
pub struct PgJson<T>(pub Result<T, ApiError>);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for PgJson<T> {
    type Error = std::convert::Infallible;

    async fn from_data(req: &'r rocket::Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = req.limits().get("json").unwrap_or(1.mebibytes());
        let parsed = match data.open(limit).into_bytes().await {
            Ok(bytes) if !bytes.is_complete() => Err(ApiError::new(
                Status::PayloadTooLarge,
                format!("the request body is larger than {limit}"),
            )),
            Ok(bytes) => serde_json::from_slice(&bytes.into_inner())
                .map_err(|e| ApiError::bad_request(format!("Unable to deserialize request: {e}"))),
            Err(e) => Err(ApiError::bad_request(format!(
                "Unable to deserialize request: {e}"
            ))),
        };
        data::Outcome::Success(PgJson(parsed))
    }
}

/// `code`: one string, or the files of a crate (answered in the shape it came in:
/// `{"name", "content"}` per file, as upstream's `CodeFile`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(
    untagged,
    expecting = "a string or a list of {\"name\", \"content\"} objects"
)]
pub enum Code {
    Text(String),
    Files(Vec<FileIn>),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct FileIn {
    pub name: String,
    pub content: String,
}

/// The payload of `/execute` and of the WebSocket's `wsExecuteRequest`.
#[derive(Debug, Deserialize)]
pub struct ExecuteIn {
    pub channel: String,
    pub mode: String,
    /// Absent: 2015 (as rustc and the old playground); `""` is refused.
    pub edition: Option<String>,
    #[serde(rename = "crateType")]
    pub crate_type: String,
    pub tests: bool,
    #[serde(default)]
    pub backtrace: bool,
    pub code: Code,
}

#[derive(Debug, Deserialize)]
pub struct CompileIn {
    pub target: String,
    #[serde(rename = "assemblyFlavor")]
    pub assembly_flavor: Option<String>,
    #[serde(rename = "demangleAssembly")]
    pub demangle_assembly: Option<String>,
    #[serde(rename = "processAssembly")]
    pub process_assembly: Option<String>,
    pub channel: String,
    pub mode: String,
    pub edition: Option<String>,
    #[serde(rename = "crateType")]
    pub crate_type: String,
    pub tests: bool,
    #[serde(default)]
    pub backtrace: bool,
    pub code: Code,
}

#[derive(Debug, Deserialize)]
pub struct FormatIn {
    pub channel: Option<String>,
    pub edition: Option<String>,
    pub code: Code,
}

#[derive(Debug, Deserialize)]
pub struct ClippyIn {
    pub channel: Option<String>,
    #[serde(rename = "crateType")]
    pub crate_type: Option<String>,
    pub edition: Option<String>,
    pub code: Code,
}

#[derive(Debug, Deserialize)]
pub struct MiriIn {
    pub code: Code,
    pub edition: Option<String>,
    #[serde(default)]
    pub tests: bool,
    #[serde(rename = "aliasingModel")]
    pub aliasing_model: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct MacroExpansionIn {
    pub code: Code,
    pub edition: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct EvaluateIn {
    pub version: String,
    pub optimize: String,
    pub code: String,
    #[serde(default)]
    pub edition: String,
    #[serde(default)]
    pub tests: bool,
}

#[derive(Debug, Deserialize)]
pub struct GistIn {
    pub code: Code,
}

// ---------------------------------------------------------------------------------
// Responses, with the playground's exact field names.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecuteOut {
    pub success: bool,
    #[serde(rename = "exitDetail")]
    pub exit_detail: String,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompileOut {
    pub success: bool,
    #[serde(rename = "exitDetail")]
    pub exit_detail: String,
    pub code: String,
    pub stdout: String,
    pub stderr: String,
}

/// /clippy, /miri and /macro-expansion: `exit_detail` in snake case, as upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolOut {
    pub success: bool,
    pub exit_detail: String,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluateOut {
    pub result: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GistOut {
    pub id: String,
    pub url: String,
    pub code: Code,
}

/// /format's answer: `code` in the shape it was sent (a string, or the list of files
/// with each file's formatted content), as upstream's `FormatResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatOut {
    pub success: bool,
    #[serde(rename = "exitDetail")]
    pub exit_detail: String,
    pub code: Code,
    pub stdout: String,
    pub stderr: String,
}
