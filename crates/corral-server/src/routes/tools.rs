//! Native routes for the tools (format, clippy, asm/LLVM IR/MIR/HIR, macro expansion,
//! Miri), each run in the sandbox under the compile policy, through the job queue.

use crate::error::ApiError;
use crate::routes::native::{Client, admit};
use crate::state::{App, RunOutcome};
use corral_rust::request::{BuildMode, CrateType, Edition};
use corral_rust::tools::{EmitTarget, ToolError, ToolOutput};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolRequest {
    pub code: String,
    pub channel: Option<String>,
    pub edition: Option<String>,
    pub mode: Option<String>,
    pub crate_type: Option<String>,
    /// For /api/v1/compile: asm, llvm-ir, mir, hir, macro-expansion.
    pub target: Option<String>,
    /// For asm: att (default) or intel.
    pub flavor: Option<String>,
}

enum Tool {
    Format,
    Clippy,
    Emit,
    Miri,
}

fn tool_error(e: ToolError) -> (u16, String) {
    (400, e.to_string())
}

async fn run_tool(
    app: &App,
    client: Client,
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    tool: Tool,
) -> Result<Json<Value>, ApiError> {
    admit(app, &client)?;
    let req = body
        .map_err(crate::routes::native::json_error)?
        .into_inner();
    let edition = Edition::parse(req.edition.as_deref().unwrap_or("2024"))?;
    let mode = BuildMode::parse(req.mode.as_deref().unwrap_or("debug"))?;
    let crate_type = CrateType::parse(req.crate_type.as_deref().unwrap_or("bin"))?;
    let channel = req.channel.clone().unwrap_or_else(|| "stable".into());
    let target = match tool {
        Tool::Emit => Some(
            EmitTarget::parse(
                req.target.as_deref().unwrap_or("asm"),
                req.flavor.as_deref(),
            )
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        ),
        _ => None,
    };
    let pipeline = app.pipeline.clone();
    let job = Box::new(move || -> RunOutcome {
        let out: Result<ToolOutput, ToolError> = match tool {
            Tool::Format => pipeline.format(&req.code, edition, &channel),
            Tool::Clippy => pipeline.clippy(&req.code, edition, &channel, crate_type, mode),
            Tool::Emit => pipeline.emit(
                &req.code,
                edition,
                &channel,
                mode,
                crate_type,
                target.expect("parsed above"),
            ),
            Tool::Miri => pipeline.miri(&req.code, edition, &channel),
        };
        Arc::new(
            out.map_err(tool_error)
                .and_then(|o| serde_json::to_value(o).map_err(|e| (500, e.to_string()))),
        )
    });
    match &*app.queued(job).await {
        Ok(v) => Ok(Json(v.clone())),
        Err((code, msg)) => Err(app.outcome_error(*code, msg)),
    }
}

#[post("/api/v1/format", data = "<body>")]
pub async fn format(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<Value>, ApiError> {
    run_tool(app, client, body, Tool::Format).await
}

#[post("/api/v1/clippy", data = "<body>")]
pub async fn clippy(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<Value>, ApiError> {
    run_tool(app, client, body, Tool::Clippy).await
}

#[post("/api/v1/compile", data = "<body>")]
pub async fn compile(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<Value>, ApiError> {
    run_tool(app, client, body, Tool::Emit).await
}

#[post("/api/v1/miri", data = "<body>")]
pub async fn miri(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<Value>, ApiError> {
    run_tool(app, client, body, Tool::Miri).await
}
