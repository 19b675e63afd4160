//! Native routes for the tools (format, clippy, asm/LLVM IR/MIR/HIR, macro expansion,
//! Miri), each run in the sandbox under the compile policy, through the job queue.

use crate::error::ApiError;
use crate::routes::native::{Client, admit};
use crate::state::App;
use corral_rust::request::{BuildMode, CrateType, Edition, Request};
use corral_rust::result::Output;
use corral_rust::tools::{EmitTarget, Tool, ToolOutput};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;

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

/// Which route: the tool is chosen by the path, and `target` refines /api/v1/compile.
#[derive(Clone, Copy)]
enum Route {
    Format,
    Clippy,
    Compile,
    Miri,
}

impl ToolRequest {
    /// The native tool request as a pipeline request (defaults: stable, 2024, debug, bin).
    fn into_request(self, route: Route) -> Result<Request, ApiError> {
        let tool = match route {
            Route::Format => Tool::Format,
            Route::Clippy => Tool::Clippy,
            Route::Miri => Tool::Miri,
            Route::Compile => Tool::Emit(EmitTarget::parse(
                self.target.as_deref().unwrap_or("asm"),
                self.flavor.as_deref(),
            )?),
        };
        Ok(Request {
            code: self.code,
            channel: self.channel.unwrap_or_else(|| "stable".into()),
            edition: Edition::parse(self.edition.as_deref().unwrap_or("2024"))?,
            mode: BuildMode::parse(self.mode.as_deref().unwrap_or("debug"))?,
            crate_type: CrateType::parse(self.crate_type.as_deref().unwrap_or("bin"))?,
            tool: Some(tool),
            ..Request::default()
        })
    }
}

async fn run_tool(
    app: &App,
    client: Client,
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    route: Route,
) -> Result<Json<ToolOutput>, ApiError> {
    admit(app, &client)?;
    let req = body
        .map_err(crate::routes::native::json_error)?
        .into_inner()
        .into_request(route)?;
    let plan = app.pipeline.plan(&req)?;
    match &*app.runner.run(plan).await?.output {
        Output::Tool(out) => Ok(Json(out.clone())),
        Output::Run(_) => Err(ApiError::new(
            Status::InternalServerError,
            "a tool answered with a run's result",
        )),
    }
}

#[post("/api/v1/format", data = "<body>")]
pub async fn format(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOutput>, ApiError> {
    run_tool(app, client, body, Route::Format).await
}

#[post("/api/v1/clippy", data = "<body>")]
pub async fn clippy(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOutput>, ApiError> {
    run_tool(app, client, body, Route::Clippy).await
}

#[post("/api/v1/compile", data = "<body>")]
pub async fn compile(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOutput>, ApiError> {
    run_tool(app, client, body, Route::Compile).await
}

#[post("/api/v1/miri", data = "<body>")]
pub async fn miri(
    body: Result<Json<ToolRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOutput>, ApiError> {
    run_tool(app, client, body, Route::Miri).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::plan;
    use corral_rust::plan::Job;
    use corral_rust::tools::AsmFlavor;

    fn lowered(route: Route, body: &str) -> Result<corral_rust::plan::Plan, String> {
        let r: ToolRequest = serde_json::from_str(body).map_err(|e| e.to_string())?;
        plan(&r.into_request(route).map_err(|e| e.message)?)
    }

    #[test]
    fn tool_requests_lower_to_tool_plans() {
        let p = lowered(
            Route::Compile,
            r#"{"code": "pub fn f() {}", "crate_type": "lib", "target": "asm", "flavor": "intel"}"#,
        )
        .unwrap();
        assert_eq!(
            p.job,
            Job::Tool(Tool::Emit(EmitTarget::Asm(AsmFlavor::Intel)))
        );
        assert_eq!(p.files[0].0, "src/lib.rs");
        // The default target is asm (AT&T), spelt out or not.
        assert_eq!(
            lowered(Route::Compile, r#"{"code": "fn main() {}"}"#)
                .unwrap()
                .key,
            lowered(
                Route::Compile,
                r#"{"code": "fn main() {}", "target": "asm", "flavor": "att", "channel": "stable"}"#
            )
            .unwrap()
            .key
        );
        let e = lowered(Route::Compile, r#"{"code": "", "target": "wasm"}"#).unwrap_err();
        assert!(e.contains("asm, llvm-ir"), "{e}");
        let f = lowered(
            Route::Format,
            r#"{"code": "fn main(){}", "edition": "2021"}"#,
        )
        .unwrap();
        assert_eq!(
            (f.job, f.edition),
            (Job::Tool(Tool::Format), Edition::E2021)
        );
        // A run and a tool on the same code never share a key.
        let run = plan(&Request {
            code: "fn main(){}".into(),
            edition: Edition::E2021,
            ..Request::default()
        })
        .unwrap();
        assert_ne!(run.key, f.key);
        let e = lowered(Route::Miri, r#"{"code": ""}"#).unwrap_err();
        assert!(e.contains("Miri is not installed"), "{e}");
    }
}
