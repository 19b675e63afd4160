//! The Rust Playground's public HTTP API (docs/playground-api.md): its routes, field
//! names and shapes, so that mdBook, rustdoc-style links and chat bots work against
//! corral. Each route lowers its body into a request (`lower`), the pipeline plans it,
//! the runner runs it (memo, single-flight, queue, as for every route family), and the
//! typed result is shaped into the playground's answer (`shape`); client errors answer
//! 4xx with `{"error": "…"}`.

pub mod asm;
pub mod lower;
pub mod meta;
pub mod shape;
pub mod wire;

use crate::error::ApiError;
use crate::queue::RunError;
use crate::routes::native::{self, Client};
use crate::state::App;
use corral_rust::request::{BuildMode, CrateType, Edition, Request, TimeMode};
use corral_rust::result::Output;
use corral_rust::tools::{AsmFlavor, EmitTarget, Tool};
use lower::{invalid, parse_channel, parse_crate_type, parse_edition, parse_mode};
use rocket::serde::json::Json;
use rocket::{State, post};
use shape::{ToolAnswer, evaluate_out, execute_out, unavailable_execute};
use wire::{
    ClippyIn, Code, CompileIn, CompileOut, EvaluateIn, EvaluateOut, ExecuteIn, ExecuteOut, FileIn,
    FormatIn, FormatOut, MacroExpansionIn, MiriIn, PgJson, ToolOut,
};

/// Plans and runs a request: its output, or (`Err` inside) why this server cannot
/// serve it (a channel, tool or component not installed, found when planning; crates
/// not baked for the channel, found when compiling), which the playground answers in
/// the route's own shape rather than as an HTTP error.
async fn plan_and_run(
    app: &App,
    req: Request,
) -> Result<Result<std::sync::Arc<Output>, String>, ApiError> {
    let refused = |e: corral_rust::request::RequestError| {
        if e.unavailable() {
            Ok(Err(e.to_string()))
        } else {
            Err(e.into())
        }
    };
    let plan = match app.pipeline.plan(&req) {
        Ok(plan) => plan,
        Err(e) => return refused(e),
    };
    match app.runner.run(plan).await {
        Ok(done) => Ok(Ok(done.output)),
        Err(RunError::Refused(e)) => refused(e),
        Err(e) => Err(e.into()),
    }
}

/// Plans and runs a run request: the playground's execute answer.
async fn execute_request(app: &App, req: Request) -> Result<ExecuteOut, ApiError> {
    let output = match plan_and_run(app, req).await? {
        Ok(output) => output,
        Err(why) => return Ok(unavailable_execute(why)),
    };
    match &*output {
        Output::Run(result) => execute_out(result),
        Output::Tool(_) => Err(ApiError::new(
            rocket::http::Status::InternalServerError,
            "a run answered with a tool's output",
        )),
    }
}

/// Plans and runs a tool request.
async fn tool_request(app: &App, req: Request) -> Result<ToolAnswer, ApiError> {
    let output = match plan_and_run(app, req).await? {
        Ok(output) => output,
        Err(why) => return Ok(ToolAnswer::Unavailable(why)),
    };
    match &*output {
        Output::Tool(out) => ToolAnswer::Ran(out.clone()).checked(),
        Output::Run(_) => Err(ApiError::new(
            rocket::http::Status::InternalServerError,
            "a tool answered with a run's result",
        )),
    }
}

#[post("/execute", data = "<body>")]
pub async fn execute(
    body: PgJson<ExecuteIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ExecuteOut>, ApiError> {
    native::admit(app, &client)?;
    let req = lower::execute(body.0?, TimeMode::Virtual)?;
    Ok(Json(execute_request(app, req).await?))
}

#[post("/evaluate.json", data = "<body>")]
pub async fn evaluate(
    body: PgJson<EvaluateIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<EvaluateOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let channel = parse_channel(&b.version)?;
    let mode = if b.optimize == "0" {
        BuildMode::Debug
    } else {
        BuildMode::Release
    };
    let edition = if b.edition.trim().is_empty() {
        Edition::E2015
    } else {
        parse_edition(Some(&b.edition))?
    };
    let req = lower::run(
        channel,
        mode,
        edition,
        CrateType::Bin,
        b.tests,
        Code::Text(b.code),
    )?;
    Ok(Json(evaluate_out(execute_request(app, req).await?)))
}

#[post("/compile", data = "<body>")]
pub async fn compile(
    body: PgJson<CompileIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<CompileOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let flavor = match b.assembly_flavor.as_deref() {
        None | Some("att") => AsmFlavor::Att,
        Some("intel") => AsmFlavor::Intel,
        Some(f) => return Err(invalid(f, "assembly flavor")),
    };
    let demangle = match b.demangle_assembly.as_deref() {
        None | Some("demangle") => true,
        Some("mangle") => false,
        Some(d) => return Err(invalid(d, "demangle option")),
    };
    let filter = match b.process_assembly.as_deref() {
        None | Some("filter") => true,
        Some("raw") => false,
        Some(p) => return Err(invalid(p, "assembly processing option")),
    };
    let target = match b.target.as_str() {
        "asm" => Some(EmitTarget::Asm(flavor)),
        "llvm-ir" => Some(EmitTarget::LlvmIr),
        "mir" => Some(EmitTarget::Mir),
        "hir" => Some(EmitTarget::Hir),
        "wasm" => None,
        t => return Err(invalid(t, "target")),
    };
    let channel = parse_channel(&b.channel)?;
    let mode = parse_mode(&b.mode)?;
    let edition = parse_edition(b.edition.as_deref())?;
    let crate_type = parse_crate_type(&b.crate_type)?;
    let Some(target) = target else {
        return Ok(Json(
            ToolAnswer::Unavailable(wasm_unavailable(app, channel)).compile_out(String::new()),
        ));
    };
    let req = lower::tool_code(
        Tool::Emit(target),
        channel,
        edition,
        mode,
        crate_type,
        b.code,
    )?;
    let answer = tool_request(app, req).await?;
    let mut artifact = answer.code();
    if matches!(target, EmitTarget::Asm(_)) {
        if filter {
            artifact = asm::filter_asm(&artifact);
        }
        if demangle {
            artifact = asm::demangle_asm(&artifact);
        }
    }
    Ok(Json(answer.compile_out(artifact)))
}

/// Why /compile cannot give WebAssembly.
fn wasm_unavailable(app: &App, channel: &str) -> String {
    const WASM: &str = "wasm32-unknown-unknown";
    match corral_rust::toolchain::resolve(app.pipeline.toolchains(), channel) {
        Err(e) => e.to_string(),
        Ok(tc) if tc.targets.iter().any(|t| t == WASM) => format!(
            "corral cannot build WebAssembly yet (the {WASM} target is installed for {channel})"
        ),
        Ok(_) => format!(
            "WebAssembly output needs the {WASM} target, which is not installed for {channel}: add it with `rustup target add {WASM} --toolchain {channel}`"
        ),
    }
}

/// rustfmt on one file: its answer and the code to give back (as it was sent when
/// rustfmt failed).
async fn format_one(
    app: &App,
    channel: &str,
    edition: Edition,
    original: String,
) -> Result<(ToolAnswer, String), ApiError> {
    let req = lower::tool(
        Tool::Format,
        channel,
        edition,
        BuildMode::Debug,
        CrateType::Bin,
        original.clone(),
    );
    let answer = tool_request(app, req).await?;
    let code = if answer.success() {
        answer.code()
    } else {
        original
    };
    Ok((answer, code))
}

/// `code` a string: formatted. `code` a list of files: each Rust file (`*.rs`)
/// formatted on its own (one rustfmt run each, each memoized), the others as sent;
/// the answer's `code` is the list, in the order sent, and succeeds when every file
/// did, with each file's messages naming it.
#[post("/format", data = "<body>")]
pub async fn format(
    body: PgJson<FormatIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<FormatOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let channel = parse_channel(b.channel.as_deref().unwrap_or("nightly"))?;
    let edition = parse_edition(b.edition.as_deref())?;
    let files = match b.code {
        Code::Text(original) => {
            let (answer, code) = format_one(app, channel, edition, original).await?;
            return Ok(Json(answer.format_out(Code::Text(code))));
        }
        Code::Files(files) if files.is_empty() => {
            return Err(ApiError::bad_request("`code` has no files"));
        }
        Code::Files(files) => files,
    };
    let mut out = FormatOut {
        success: true,
        exit_detail: String::new(),
        code: Code::Text(String::new()),
        stdout: String::new(),
        stderr: String::new(),
    };
    let mut formatted = Vec::with_capacity(files.len());
    let mut rest = files.into_iter();
    for file in rest.by_ref() {
        if !file.name.ends_with(".rs") {
            formatted.push(file);
            continue;
        }
        let (answer, content) = format_one(app, channel, edition, file.content).await?;
        if let ToolAnswer::Unavailable(why) = &answer {
            // rustfmt is not here: every file as sent, and why once.
            out.success = false;
            out.stderr = why.clone();
            formatted.push(FileIn { content, ..file });
            break;
        }
        if out.success {
            out.exit_detail = answer.exit_detail();
        }
        out.success &= answer.success();
        let named = |text: String| text.replace("<stdin>", &file.name);
        out.stdout.push_str(&named(answer.stdout()));
        out.stderr.push_str(&named(answer.stderr()));
        formatted.push(FileIn { content, ..file });
    }
    formatted.extend(rest);
    out.code = Code::Files(formatted);
    Ok(Json(out))
}

#[post("/clippy", data = "<body>")]
pub async fn clippy(
    body: PgJson<ClippyIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let channel = parse_channel(b.channel.as_deref().unwrap_or("nightly"))?;
    let crate_type = parse_crate_type(b.crate_type.as_deref().unwrap_or("bin"))?;
    let edition = parse_edition(b.edition.as_deref())?;
    let req = lower::tool_code(
        Tool::Clippy,
        channel,
        edition,
        BuildMode::Debug,
        crate_type,
        b.code,
    )?;
    let answer = tool_request(app, req).await?;
    Ok(Json(answer.tool_out(answer.stdout())))
}

#[post("/miri", data = "<body>")]
pub async fn miri(
    body: PgJson<MiriIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let edition = parse_edition(b.edition.as_deref())?;
    if let Some(m) = b.aliasing_model.as_deref()
        && !matches!(m, "stacked" | "tree")
    {
        return Err(invalid(m, "aliasing model"));
    }
    let _ = b.tests;
    let req = lower::tool_code(
        Tool::Miri,
        "nightly",
        edition,
        BuildMode::Debug,
        CrateType::Bin,
        b.code,
    )?;
    let answer = tool_request(app, req).await?;
    Ok(Json(answer.tool_out(answer.stdout())))
}

#[post("/macro-expansion", data = "<body>")]
pub async fn macro_expansion(
    body: PgJson<MacroExpansionIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ToolOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let edition = parse_edition(b.edition.as_deref())?;
    let req = lower::tool_code(
        Tool::Emit(EmitTarget::MacroExpansion),
        "nightly",
        edition,
        BuildMode::Debug,
        CrateType::Bin,
        b.code,
    )?;
    let answer = tool_request(app, req).await?;
    // The expanded code is the output, as `cargo rustc -- -Zunpretty=expanded` prints it.
    let expanded = match &answer {
        ToolAnswer::Ran(out) if out.code.is_some() => answer.code(),
        _ => answer.stdout(),
    };
    Ok(Json(answer.tool_out(expanded)))
}

/// Every route of the playground's API, to mount at `/`.
pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        execute,
        evaluate,
        compile,
        format,
        clippy,
        miri,
        macro_expansion,
        meta::meta_crates,
        meta::meta_crates_post,
        meta::meta_versions,
        meta::gist_create,
        meta::gist_get,
    ]
}

#[cfg(test)]
mod tests;
