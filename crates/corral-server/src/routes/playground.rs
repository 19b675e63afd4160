//! The Rust Playground's public HTTP API (docs/playground-api.md): its
//! routes, field names and shapes, so that mdBook, rustdoc-style links and chat bots
//! work against corral. Runs go through the same memo store, single-flight, queue and
//! rate limit as the native API; client errors answer 4xx with `{"error": "…"}`.

use crate::error::ApiError;
use crate::routes::native::{self, Client};
use crate::state::{App, RunOutcome};
use corral_rust::pipeline::Pipeline;
use corral_rust::request::{BuildMode, CrateType, Edition, Request};
use corral_rust::tools::{AsmFlavor, EmitTarget, ToolError, ToolOutput, exit_detail};
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::{Header, Status};
use rocket::request::{self, FromRequest};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

/// The most a shared snippet may hold (docs/contracts.md, Memoization).
pub const SHARE_MAX: usize = 64 << 10;

const KILLED: &str = "Exited with signal 9 (SIGKILL): kill program";

// ---------------------------------------------------------------------------------
// Request bodies: JSON whose errors read like the playground's.

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

/// `code`: one string, or the files of a crate.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a string or a list of {\"name\", \"content\"} objects"
)]
pub enum Code {
    Text(String),
    Files(Vec<FileIn>),
}

#[derive(Debug, Deserialize)]
pub struct FileIn {
    pub name: String,
    pub content: String,
}

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
    pub code: String,
}

#[derive(Debug, Deserialize)]
pub struct ClippyIn {
    pub channel: Option<String>,
    #[serde(rename = "crateType")]
    pub crate_type: Option<String>,
    pub edition: Option<String>,
    pub code: String,
}

#[derive(Debug, Deserialize)]
pub struct MiriIn {
    pub code: String,
    pub edition: Option<String>,
    #[serde(default)]
    pub tests: bool,
    #[serde(rename = "aliasingModel")]
    pub aliasing_model: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct MacroExpansionIn {
    pub code: String,
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
    pub code: String,
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
    pub code: String,
}

// ---------------------------------------------------------------------------------
// Values, checked with the playground's messages.

fn invalid(value: &str, what: &str) -> ApiError {
    ApiError::bad_request(format!("'{value}' is not a valid {what}"))
}

pub fn parse_channel(s: &str) -> Result<&'static str, ApiError> {
    match s {
        "stable" => Ok("stable"),
        "beta" => Ok("beta"),
        "nightly" => Ok("nightly"),
        _ => Err(invalid(s, "channel")),
    }
}

pub fn parse_mode(s: &str) -> Result<BuildMode, ApiError> {
    BuildMode::parse(s).map_err(|_| invalid(s, "mode"))
}

/// An absent edition is 2015 (rustc's default); an empty or unknown one is refused.
pub fn parse_edition(s: Option<&str>) -> Result<Edition, ApiError> {
    match s {
        None => Ok(Edition::E2015),
        Some(e) => Edition::parse(e).map_err(|_| invalid(e, "edition")),
    }
}

pub fn parse_crate_type(s: &str) -> Result<CrateType, ApiError> {
    match s {
        "bin" => Ok(CrateType::Bin),
        "lib" => Ok(CrateType::Lib),
        "dylib" | "rlib" | "staticlib" | "cdylib" | "proc-macro" => Err(ApiError::bad_request(
            format!("crate type '{s}' is not supported by corral; use bin or lib"),
        )),
        _ => Err(invalid(s, "crate type")),
    }
}

/// The crate root's text. Several files are for /execute only.
fn single_code(code: Code, crate_type: CrateType) -> Result<String, ApiError> {
    match code {
        Code::Text(t) => Ok(t),
        Code::Files(mut files) if files.len() == 1 => Ok(files.remove(0).content),
        Code::Files(files) => {
            let (code, extra) = split_files(files, crate_type)?;
            if extra.is_empty() {
                Ok(code)
            } else {
                Err(ApiError::bad_request(
                    "this route takes one file; several files are supported by /execute",
                ))
            }
        }
    }
}

/// A file name as a crate path: a bare `x.rs` is `src/x.rs`.
fn crate_path(name: &str) -> String {
    if !name.contains('/') && name.ends_with(".rs") {
        format!("src/{name}")
    } else {
        name.to_string()
    }
}

/// (the crate root's text, the other files). The root is `src/main.rs` (bin) or
/// `src/lib.rs` (lib), else the other of the two, else a lone file whatever its name.
fn split_files(
    files: Vec<FileIn>,
    crate_type: CrateType,
) -> Result<(String, Vec<(String, String)>), ApiError> {
    if files.is_empty() {
        return Err(ApiError::bad_request("`code` has no files"));
    }
    if files.len() > 20 {
        return Err(ApiError::bad_request(format!(
            "{} files: at most 20 per request",
            files.len()
        )));
    }
    let mut files: Vec<(String, String)> = files
        .into_iter()
        .map(|f| (crate_path(&f.name), f.content))
        .collect();
    let (first, second) = match crate_type {
        CrateType::Lib => ("src/lib.rs", "src/main.rs"),
        CrateType::Bin => ("src/main.rs", "src/lib.rs"),
    };
    let at = files
        .iter()
        .position(|(n, _)| n == first)
        .or_else(|| files.iter().position(|(n, _)| n == second))
        .or(if files.len() == 1 { Some(0) } else { None })
        .ok_or_else(|| {
            ApiError::bad_request(format!("`code` must include the crate root {first}"))
        })?;
    let (_, root) = files.remove(at);
    Ok((root, files))
}

// ---------------------------------------------------------------------------------
// Toolchains and shaped errors.

/// Why `channel` cannot serve, when it is not installed (docs/playground-api.md, Errors).
fn missing_channel(app: &App, channel: &str) -> Option<String> {
    corral_rust::toolchain::resolve(app.pipeline.toolchains(), channel)
        .err()
        .map(|e| e.to_string())
}

fn shaped_execute(message: String) -> ExecuteOut {
    ExecuteOut {
        success: false,
        exit_detail: String::new(),
        stdout: String::new(),
        stderr: message,
    }
}

fn push_line(text: &mut String, line: &str) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
}

/// What a user reads when a limit stopped a step.
fn limit_note(result: &Value) -> Option<String> {
    let who = if result["step"] == "compile" {
        "the compiler"
    } else {
        "the program"
    };
    let why = match (result["status"].as_str()?, result["limit"].as_str()) {
        ("timeout", Some("cpu")) => "it used up its CPU time",
        ("timeout", _) => "it ran out of time",
        ("memory_limit", _) => "it used too much memory",
        ("output_limit", _) => "it wrote too much output",
        ("killed", _) => "it was killed",
        _ => return None,
    };
    Some(format!("corral: {who} was stopped: {why}"))
}

/// A run result (docs/contracts.md, Rust result) as the playground's execute response.
pub fn execute_out(result: &Value) -> Result<ExecuteOut, ApiError> {
    let status = result["status"].as_str().unwrap_or("internal_error");
    if status == "internal_error" {
        return Err(ApiError::new(
            Status::InternalServerError,
            format!(
                "corral failed to run the request: {}",
                result["error"].as_str().unwrap_or("unknown error")
            ),
        ));
    }
    let run = &result["run"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let stopped = matches!(status, "timeout" | "memory_limit" | "killed");
    let (detail, stdout, mut stderr) = if run.is_object() {
        let code = run["exit_code"]
            .as_i64()
            .and_then(|c| i32::try_from(c).ok());
        let signal = run["signal"].as_i64().and_then(|s| i32::try_from(s).ok());
        let mut detail = exit_detail(code, signal);
        if detail.is_empty() {
            detail = if stopped {
                KILLED.into()
            } else {
                String::new()
            };
        }
        (detail, text(&run["stdout"]), text(&run["stderr"]))
    } else {
        // No program ran: the compiler's diagnostics are what the user needs.
        let detail = match status {
            "success" => "Exited with status 0",
            _ if stopped => KILLED,
            _ => "Exited with status 1",
        };
        (
            detail.to_string(),
            String::new(),
            text(&result["compile"]["stderr"]),
        )
    };
    if let Some(note) = limit_note(result) {
        push_line(&mut stderr, &note);
    }
    Ok(ExecuteOut {
        success: status == "success",
        exit_detail: detail,
        stdout,
        stderr,
    })
}

/// Builds the run request of /execute and /evaluate.json.
fn run_request(
    channel: &str,
    mode: BuildMode,
    edition: Edition,
    crate_type: CrateType,
    tests: bool,
    backtrace: bool,
    code: Code,
) -> Result<Request, ApiError> {
    let (code, extra_files) = match code {
        Code::Text(t) => (t, vec![]),
        Code::Files(files) => split_files(files, crate_type)?,
    };
    Ok(Request {
        code,
        extra_files,
        harness: if tests { "test" } else { "bin" }.into(),
        channel: channel.to_string(),
        edition,
        mode,
        // The test harness builds its own libtest binary.
        crate_type: if tests { CrateType::Bin } else { crate_type },
        backtrace,
        ..Request::default()
    })
}

// ---------------------------------------------------------------------------------
// The tools, through the queue and the memo store.

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The memo key of a tool run: the run key of the same source and settings (which
/// holds corral's version, the toolchain, the baked lockfile and the limits) with
/// the tool and its options. None when the channel is missing (nothing to cache).
fn tool_key(app: &App, req: &Request, tool: &str) -> Option<String> {
    let base = app.pipeline.memo_key(req).ok()?;
    Some(format!(
        "sha256:{}",
        sha256_hex(format!("{base}\0tool\0{tool}").as_bytes())
    ))
}

/// A tool's answer as a JSON value: the `ToolOutput`, or (status `unavailable`) why
/// the tool cannot run here. Err is an HTTP error.
fn tool_value(r: Result<ToolOutput, ToolError>) -> Result<Value, (u16, String)> {
    match r {
        Ok(out) if out.status == corral_sandbox::Status::InternalError => Err((
            500,
            format!(
                "corral failed to run the tool: {}",
                out.error.as_deref().unwrap_or("unknown error")
            ),
        )),
        Ok(out) => serde_json::to_value(&out).map_err(|e| (500, e.to_string())),
        Err(ToolError::Invalid(m)) => Err((400, m)),
        Err(e) => Ok(unavailable(e.to_string())),
    }
}

fn unavailable(message: String) -> Value {
    json!({"success": false, "exit_detail": "", "code": null, "code_truncated": false,
           "stdout": "", "stderr": message, "status": "unavailable"})
}

/// Runs a tool once per key (memo, single-flight) on the job queue.
async fn run_tool<F>(app: &App, key: Option<String>, work: F) -> Result<Value, ApiError>
where
    F: FnOnce(&Pipeline) -> Result<ToolOutput, ToolError> + Send + 'static,
{
    if let Some(k) = &key
        && let Some(hit) = app.memo.get(k)
        && let Ok(v) = serde_json::from_str::<Value>(&hit)
    {
        app.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
        return Ok(v);
    }
    let pipeline = app.pipeline.clone();
    let submit = move || {
        let job = Box::new(move || -> RunOutcome { Arc::new(tool_value(work(&pipeline))) });
        app.queued(job)
    };
    let outcome = match &key {
        Some(k) => {
            let out = app.single_flight(k, submit).await;
            app.finished(k);
            out
        }
        None => submit().await,
    };
    match &*outcome {
        Ok(v) => {
            if let Some(k) = &key
                && matches!(v["status"].as_str(), Some("success" | "compile_error"))
                && let Err(e) = app.memo.put(k, &v.to_string())
            {
                tracing::warn!("memo store: {e}");
            }
            Ok(v.clone())
        }
        Err((code, msg)) => Err(app.outcome_error(*code, msg)),
    }
}

fn text_of(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or("").to_string()
}

/// `stderr` of a tool value, with a note when the artifact was cut.
fn tool_stderr(v: &Value) -> String {
    let mut stderr = text_of(v, "stderr");
    if v["code_truncated"] == true {
        push_line(
            &mut stderr,
            &format!(
                "corral: the output was cut at {} bytes",
                corral_rust::tools::ARTIFACT_CAP
            ),
        );
    }
    stderr
}

fn tool_out(v: &Value, stdout: String) -> ToolOut {
    ToolOut {
        success: v["success"] == true,
        exit_detail: text_of(v, "exit_detail"),
        stdout,
        stderr: tool_stderr(v),
    }
}

// ---------------------------------------------------------------------------------
// Assembly clean-up: the playground's `processAssembly: filter` and
// `demangleAssembly: demangle`.

enum AsmLine<'a> {
    Keep,
    Label(&'a str),
    Data(&'a str),
    Drop,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$')
}

/// Identifiers after the first word of a line (the mnemonic or directive).
fn operands(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !is_ident_char(c))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.'))
        .skip(1)
}

const DATA_DIRECTIVES: [&str; 14] = [
    ".string", ".asciz", ".ascii", ".byte", ".2byte", ".4byte", ".8byte", ".short", ".word",
    ".long", ".quad", ".value", ".zero", ".octa",
];

/// Drops directives, comments, blank lines and the labels (with their data) that no
/// instruction uses, directly or through other data.
pub fn filter_asm(asm: &str) -> String {
    use std::collections::{HashMap, HashSet};
    let mut kinds = Vec::new();
    let mut labels: HashSet<&str> = HashSet::new();
    let mut used: HashSet<&str> = HashSet::new();
    let mut data_refs: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut current = "";
    for line in asm.lines() {
        let t = line.trim();
        let kind = if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            AsmLine::Drop
        } else if let Some(label) = t.strip_suffix(':')
            && !label.contains(char::is_whitespace)
        {
            labels.insert(label);
            current = label;
            AsmLine::Label(label)
        } else if t.starts_with('.') {
            let word = t.split(char::is_whitespace).next().unwrap_or("");
            if DATA_DIRECTIVES.contains(&word) && !current.is_empty() {
                data_refs.entry(current).or_default().extend(operands(t));
                AsmLine::Data(current)
            } else {
                if word == ".type"
                    && let Some(name) = t[5..].trim().strip_suffix(",@function")
                {
                    used.insert(name.trim());
                }
                AsmLine::Drop
            }
        } else {
            used.extend(operands(t));
            AsmLine::Keep
        };
        kinds.push(kind);
    }
    // Labels used by code, then whatever their data points at.
    let mut todo: Vec<&str> = used
        .iter()
        .copied()
        .filter(|l| labels.contains(l))
        .collect();
    let mut keep: HashSet<&str> = HashSet::new();
    while let Some(l) = todo.pop() {
        if keep.insert(l) {
            todo.extend(data_refs.get(l).into_iter().flatten().copied());
        }
    }
    let mut out = String::new();
    for (line, kind) in asm.lines().zip(kinds) {
        match kind {
            AsmLine::Keep => {}
            AsmLine::Data(l) if keep.contains(l) => {}
            AsmLine::Label(l) if keep.contains(l) => out.push('\n'),
            _ => continue,
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One legacy-mangled symbol (`_ZN…E`) at the start of `s`: (demangled, bytes used).
fn demangle_legacy(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut i = 3; // "_ZN"
    let mut parts: Vec<String> = vec![];
    while i < b.len() && b[i] != b'E' {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let len: usize = s.get(start..i)?.parse().ok()?;
        let ident = s.get(i..i.checked_add(len)?)?;
        i += len;
        parts.push(unescape(ident)?);
    }
    if i >= b.len() || parts.is_empty() {
        return None;
    }
    // The last part `h<16 hex digits>` is a hash: left out, as `{:#}` does.
    if let Some(h) = parts.last()
        && h.len() == 17
        && h.starts_with('h')
        && h[1..].chars().all(|c| c.is_ascii_hexdigit())
        && parts.len() > 1
    {
        parts.pop();
    }
    Some((parts.join("::"), i + 1))
}

fn unescape(ident: &str) -> Option<String> {
    // A leading `_` only keeps an identifier from starting with `$`.
    let mut rest = if ident.starts_with("_$") {
        &ident[1..]
    } else {
        ident
    };
    let mut out = String::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = r;
        } else if let Some(r) = rest.strip_prefix('$') {
            let end = r.find('$')?;
            let code = &r[..end];
            let c = match code {
                "SP" => '@',
                "BP" => '*',
                "RF" => '&',
                "LT" => '<',
                "GT" => '>',
                "LP" => '(',
                "RP" => ')',
                "C" => ',',
                _ => {
                    let hex = code.strip_prefix('u')?;
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
            };
            out.push(c);
            rest = &r[end + 1..];
        } else {
            let c = rest.chars().next()?;
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(out)
}

/// Demangles legacy Rust symbols (`_ZN…E`); v0 symbols (`_R…`) stay as they are.
pub fn demangle_asm(asm: &str) -> String {
    let mut out = String::with_capacity(asm.len());
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < asm.len() {
        let rest = &asm[i..];
        if rest.starts_with("_ZN")
            && !prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
            && let Some((name, used)) = demangle_legacy(rest)
        {
            out.push_str(&name);
            i += used;
            prev = Some('E');
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    out
}

// ---------------------------------------------------------------------------------
// Routes.

#[post("/execute", data = "<body>")]
pub async fn execute(
    body: PgJson<ExecuteIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<ExecuteOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let channel = parse_channel(&b.channel)?;
    let mode = parse_mode(&b.mode)?;
    let edition = parse_edition(b.edition.as_deref())?;
    let crate_type = parse_crate_type(&b.crate_type)?;
    if let Some(why) = missing_channel(app, channel) {
        return Ok(Json(shaped_execute(why)));
    }
    let req = run_request(
        channel,
        mode,
        edition,
        crate_type,
        b.tests,
        b.backtrace,
        b.code,
    )?;
    let result = native::execute(app, req).await?;
    Ok(Json(execute_out(&result)?))
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
    let out = match missing_channel(app, channel) {
        Some(why) => shaped_execute(why),
        None => {
            let req = run_request(
                channel,
                mode,
                edition,
                CrateType::Bin,
                b.tests,
                false,
                Code::Text(b.code),
            )?;
            execute_out(&native::execute(app, req).await?)?
        }
    };
    Ok(Json(if out.success {
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
    }))
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
    let code = single_code(b.code, crate_type)?;
    let shaped = |why: String| CompileOut {
        success: false,
        exit_detail: String::new(),
        code: String::new(),
        stdout: String::new(),
        stderr: why,
    };
    if let Some(why) = missing_channel(app, channel) {
        return Ok(Json(shaped(why)));
    }
    let Some(target) = target else {
        const WASM: &str = "wasm32-unknown-unknown";
        let installed = corral_rust::toolchain::resolve(app.pipeline.toolchains(), channel)
            .is_ok_and(|tc| tc.targets.iter().any(|t| t == WASM));
        return Ok(Json(shaped(if installed {
            format!(
                "corral cannot build WebAssembly yet (the {WASM} target is installed for {channel})"
            )
        } else {
            format!(
                "WebAssembly output needs the {WASM} target, which is not installed for {channel}: add it with `rustup target add {WASM} --toolchain {channel}`"
            )
        })));
    };
    let req = Request {
        code: code.clone(),
        channel: channel.into(),
        edition,
        mode,
        crate_type,
        ..Request::default()
    };
    let tag = match target {
        EmitTarget::Asm(AsmFlavor::Intel) => "emit:asm-intel",
        EmitTarget::Asm(AsmFlavor::Att) => "emit:asm-att",
        other => other.as_str(),
    };
    let key = tool_key(app, &req, tag);
    let v = run_tool(app, key, move |p| {
        p.emit(&code, edition, channel, mode, crate_type, target)
    })
    .await?;
    let mut artifact = text_of(&v, "code");
    if matches!(target, EmitTarget::Asm(_)) {
        if filter {
            artifact = filter_asm(&artifact);
        }
        if demangle {
            artifact = demangle_asm(&artifact);
        }
    }
    Ok(Json(CompileOut {
        success: v["success"] == true,
        exit_detail: text_of(&v, "exit_detail"),
        code: artifact,
        stdout: text_of(&v, "stdout"),
        stderr: tool_stderr(&v),
    }))
}

#[post("/format", data = "<body>")]
pub async fn format(
    body: PgJson<FormatIn>,
    app: &State<App>,
    client: Client,
) -> Result<Json<CompileOut>, ApiError> {
    native::admit(app, &client)?;
    let b = body.0?;
    let channel = parse_channel(b.channel.as_deref().unwrap_or("nightly"))?;
    let edition = parse_edition(b.edition.as_deref())?;
    let original = b.code;
    let req = Request {
        code: original.clone(),
        channel: channel.into(),
        edition,
        ..Request::default()
    };
    let key = tool_key(app, &req, "format");
    let code = original.clone();
    let v = run_tool(app, key, move |p| p.format(&code, edition, channel)).await?;
    let success = v["success"] == true;
    Ok(Json(CompileOut {
        success,
        exit_detail: text_of(&v, "exit_detail"),
        // On failure the code comes back as it was sent.
        code: if success {
            text_of(&v, "code")
        } else {
            original
        },
        stdout: text_of(&v, "stdout"),
        stderr: tool_stderr(&v),
    }))
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
    let req = Request {
        code: b.code.clone(),
        channel: channel.into(),
        edition,
        crate_type,
        ..Request::default()
    };
    let key = tool_key(app, &req, "clippy");
    let code = b.code;
    let v = run_tool(app, key, move |p| {
        p.clippy(&code, edition, channel, crate_type, BuildMode::Debug)
    })
    .await?;
    Ok(Json(tool_out(&v, text_of(&v, "stdout"))))
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
    let code = b.code;
    // Not memoized: today Miri only ever answers why it cannot run.
    let v = run_tool(app, None, move |p| p.miri(&code, edition, "nightly")).await?;
    Ok(Json(tool_out(&v, text_of(&v, "stdout"))))
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
    let req = Request {
        code: b.code.clone(),
        channel: "nightly".into(),
        edition,
        ..Request::default()
    };
    let key = tool_key(app, &req, "macro-expansion");
    let code = b.code;
    let v = run_tool(app, key, move |p| {
        p.emit(
            &code,
            edition,
            "nightly",
            BuildMode::Debug,
            CrateType::Bin,
            EmitTarget::MacroExpansion,
        )
    })
    .await?;
    // The expanded code is the output, as `cargo rustc -- -Zunpretty=expanded` prints it.
    let expanded = match v["code"].as_str() {
        Some(c) => c.to_string(),
        None => text_of(&v, "stdout"),
    };
    Ok(Json(tool_out(&v, expanded)))
}

// ---------------------------------------------------------------------------------
// /meta: crates, versions, gists.

/// A JSON body with the playground's caching headers; 304 when the client has it.
pub struct Cached {
    etag: String,
    body: Option<Value>,
}

impl<'r> Responder<'r, 'static> for Cached {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> response::Result<'static> {
        let mut res = match self.body {
            Some(v) => Json(v).respond_to(req)?,
            None => Response::build().status(Status::NotModified).finalize(),
        };
        res.set_header(Header::new("ETag", self.etag));
        res.set_header(Header::new("Cache-Control", "public, max-age=600"));
        Ok(res)
    }
}

/// The `If-None-Match` header, if any.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        request::Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(String::from),
        ))
    }
}

impl IfNoneMatch {
    fn matches(&self, etag: &str) -> bool {
        self.0.as_deref().is_some_and(|h| {
            h.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
    }
}

fn cached(value: &(Value, String), inm: &IfNoneMatch) -> Cached {
    let (body, etag) = value;
    Cached {
        etag: etag.clone(),
        body: (!inm.matches(etag)).then(|| body.clone()),
    }
}

fn stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("\"pg-ts-{secs}\"")
}

/// `{crates: [{name, version, id}]}`; `id` is the name `extern crate` uses.
fn crates_value() -> Result<&'static (Value, String), ApiError> {
    static CRATES: OnceLock<(Value, String)> = OnceLock::new();
    if let Some(v) = CRATES.get() {
        return Ok(v);
    }
    let list = corral_rust::bake::CrateList::builtin()
        .crates()
        .map_err(|e| ApiError::new(Status::InternalServerError, e.to_string()))?;
    let crates: Vec<Value> = list
        .iter()
        .map(|(name, version)| json!({"name": name, "version": version, "id": name.replace('-', "_")}))
        .collect();
    Ok(CRATES.get_or_init(|| (json!({ "crates": crates }), stamp())))
}

#[get("/meta/crates")]
pub fn meta_crates(inm: IfNoneMatch) -> Result<Cached, ApiError> {
    Ok(cached(crates_value()?, &inm))
}

#[post("/meta/crates")]
pub fn meta_crates_post(inm: IfNoneMatch) -> Result<Cached, ApiError> {
    Ok(cached(crates_value()?, &inm))
}

/// `{version, hash, date}` from a `NAME VERSION (HASH DATE)` line.
fn parse_tool_version(line: &str) -> Option<Value> {
    let mut words = line.split_whitespace();
    let _name = words.next()?;
    let version = words.next()?;
    let hash = words.next()?.strip_prefix('(')?;
    let date = words.next()?.strip_suffix(')')?;
    Some(json!({"version": version, "hash": hash, "date": date}))
}

/// Runs a trusted toolchain binary (it reads no user input) for its version line.
fn tool_version(tc: &corral_rust::toolchain::Toolchain, binary: &str) -> Option<Value> {
    let out = std::process::Command::new(tc.path.join("bin").join(binary))
        .arg("--version")
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_tool_version(String::from_utf8_lossy(&out.stdout).lines().next()?)
}

fn versions_of(toolchains: &[corral_rust::toolchain::Toolchain]) -> Value {
    let mut all = serde_json::Map::new();
    for channel in ["stable", "beta", "nightly"] {
        let Some(tc) = toolchains.iter().find(|t| t.channel == channel) else {
            continue;
        };
        let mut v = serde_json::Map::new();
        v.insert(
            "rustc".into(),
            json!({"version": tc.version, "hash": tc.commit_hash, "date": tc.commit_date}),
        );
        for (key, component, binary) in [
            ("rustfmt", "rustfmt", "rustfmt"),
            ("clippy", "clippy", "clippy-driver"),
            ("miri", "miri", "miri"),
        ] {
            if tc.has(component)
                && let Some(version) = tool_version(tc, binary)
            {
                v.insert(key.into(), version);
            }
        }
        all.insert(channel.into(), Value::Object(v));
    }
    Value::Object(all)
}

#[get("/meta/versions")]
pub async fn meta_versions(app: &State<App>, inm: IfNoneMatch) -> Result<Cached, ApiError> {
    static VERSIONS: rocket::tokio::sync::OnceCell<(Value, String)> =
        rocket::tokio::sync::OnceCell::const_new();
    let pipeline = app.pipeline.clone();
    let value = VERSIONS
        .get_or_try_init(|| async move {
            rocket::tokio::task::spawn_blocking(move || versions_of(pipeline.toolchains()))
                .await
                .map(|v| (v, stamp()))
                .map_err(|e| ApiError::new(Status::InternalServerError, e.to_string()))
        })
        .await?;
    Ok(cached(value, &inm))
}

/// A snippet's content-addressed id: base64url (no padding) of the first 12 bytes of
/// its SHA-256, 16 characters.
pub fn share_id(code: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(code.as_bytes());
    let mut id = String::with_capacity(16);
    for chunk in digest[..12].chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        for shift in [18, 12, 6, 0] {
            id.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
        }
    }
    id
}

/// This server's own address as the client named it, for share links.
pub struct BaseUrl(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BaseUrl {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let h = req.headers();
        let scheme = match h.get_one("X-Forwarded-Proto") {
            Some("https") => "https",
            _ => "http",
        };
        let host = h
            .get_one("X-Forwarded-Host")
            .or_else(|| h.get_one("Host"))
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .map(String::from)
            .or_else(|| req.rocket().config().address.to_string().into())
            .unwrap_or_default();
        request::Outcome::Success(BaseUrl(format!("{scheme}://{host}")))
    }
}

fn gist_out(base: &BaseUrl, id: String, code: String) -> GistOut {
    GistOut {
        url: format!("{}/?gist={id}", base.0),
        id,
        code,
    }
}

fn gist_create_inner(
    body: PgJson<GistIn>,
    app: &App,
    client: &Client,
    base: &BaseUrl,
) -> Result<Json<GistOut>, ApiError> {
    if let Err(wait) = app.limiter.check(client.0) {
        app.metrics.rejected_rate.fetch_add(1, Ordering::Relaxed);
        let mut e = ApiError::new(
            Status::TooManyRequests,
            format!("too many requests from {}; try again in {wait} s", client.0),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let code = body.0?.code;
    if code.len() > SHARE_MAX {
        return Err(ApiError::new(
            Status::PayloadTooLarge,
            format!(
                "the snippet is {} bytes; a share holds at most {SHARE_MAX}",
                code.len()
            ),
        ));
    }
    let id = share_id(&code);
    app.memo.put_share(&id, &code).map_err(|e| {
        ApiError::new(
            Status::InternalServerError,
            format!("cannot store the snippet: {e}"),
        )
    })?;
    Ok(Json(gist_out(base, id, code)))
}

#[post("/meta/gist", data = "<body>")]
pub fn gist_create(
    body: PgJson<GistIn>,
    app: &State<App>,
    client: Client,
    base: BaseUrl,
) -> Result<Json<GistOut>, ApiError> {
    gist_create_inner(body, app, &client, &base)
}

#[get("/meta/gist/<id>")]
pub fn gist_get(id: &str, app: &State<App>, base: BaseUrl) -> Result<Json<GistOut>, ApiError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match valid.then(|| app.memo.get_share(id)).flatten() {
        Some(code) => Ok(Json(gist_out(&base, id.to_string(), code))),
        None => Err(ApiError::new(
            Status::NotFound,
            format!("no gist with id '{id}'"),
        )),
    }
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
        meta_crates,
        meta_crates_post,
        meta_versions,
        gist_create,
        gist_get,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_with_the_playgrounds_messages() {
        assert_eq!(
            parse_channel("x").unwrap_err().message,
            "'x' is not a valid channel"
        );
        assert_eq!(
            parse_edition(Some("")).unwrap_err().message,
            "'' is not a valid edition"
        );
        assert_eq!(parse_edition(None).unwrap(), Edition::E2015);
        assert!(
            parse_crate_type("cdylib")
                .unwrap_err()
                .message
                .contains("use bin or lib")
        );
        assert_eq!(
            parse_crate_type("exe").unwrap_err().message,
            "'exe' is not a valid crate type"
        );
        assert_eq!(
            parse_mode("fast").unwrap_err().message,
            "'fast' is not a valid mode"
        );
    }

    #[test]
    fn files_pick_the_crate_root() {
        let f = |n: &str, c: &str| FileIn {
            name: n.into(),
            content: c.into(),
        };
        let (root, extra) = split_files(
            vec![f("src/a.rs", "a"), f("src/main.rs", "m")],
            CrateType::Bin,
        )
        .unwrap();
        assert_eq!(
            (root.as_str(), extra),
            ("m", vec![("src/a.rs".into(), "a".into())])
        );
        let (root, _) =
            split_files(vec![f("lib.rs", "l"), f("a.rs", "a")], CrateType::Lib).unwrap();
        assert_eq!(root, "l");
        let (root, _) = split_files(vec![f("playground.rs", "p")], CrateType::Bin).unwrap();
        assert_eq!(root, "p");
        assert!(split_files(vec![f("a.rs", ""), f("b.rs", "")], CrateType::Bin).is_err());
        assert!(split_files(vec![], CrateType::Bin).is_err());
    }

    #[test]
    fn run_results_read_like_the_playground() {
        let ok = json!({"status": "success", "step": "run", "limit": null,
            "compile": {"stderr": "warning: unused"},
            "run": {"exit_code": 0, "signal": null, "stdout": "hi\n", "stderr": ""}});
        assert_eq!(
            execute_out(&ok).unwrap(),
            ExecuteOut {
                success: true,
                exit_detail: "Exited with status 0".into(),
                stdout: "hi\n".into(),
                stderr: String::new()
            }
        );
        let failed = json!({"status": "compile_error", "step": "compile", "limit": null,
            "compile": {"stderr": "error[E0308]: mismatched types\n"}, "run": null});
        let out = execute_out(&failed).unwrap();
        assert!(!out.success && out.stderr.starts_with("error[E0308]"));
        assert_eq!(out.exit_detail, "Exited with status 1");
        let slow = json!({"status": "timeout", "step": "run", "limit": "wall",
            "compile": {"stderr": ""},
            "run": {"exit_code": null, "signal": 9, "stdout": "", "stderr": ""}});
        let out = execute_out(&slow).unwrap();
        assert_eq!(out.exit_detail, KILLED);
        assert_eq!(
            out.stderr,
            "corral: the program was stopped: it ran out of time\n"
        );
        let broken = json!({"status": "internal_error", "error": "boom"});
        assert_eq!(execute_out(&broken).unwrap_err().status.code, 500);
    }

    #[test]
    fn assembly_is_filtered_and_demangled() {
        let asm = "\t.section\t.text._ZN1m3add17h465eb130f9b17eb7E,\"ax\",@progbits\n\
            \t.type\t_ZN1m3add17h465eb130f9b17eb7E,@function\n\
            _ZN1m3add17h465eb130f9b17eb7E:\n\
            \t.cfi_startproc\n\
            \tleaq\t.Lanon.1(%rip), %rdi\n\
            \tretq\n\
            .Lfunc_end0:\n\
            \t.size\t_ZN1m3add17h465eb130f9b17eb7E, .Lfunc_end0-_ZN1m3add17h465eb130f9b17eb7E\n\
            # comment\n\
            .Lanon.1:\n\
            \t.quad\t.Lanon.2\n\
            .Lanon.2:\n\
            \t.asciz\t\"hi\"\n\
            .Lunused:\n\
            \t.asciz\t\"no\"\n";
        let filtered = filter_asm(asm);
        assert_eq!(
            filtered,
            "\n_ZN1m3add17h465eb130f9b17eb7E:\n\tleaq\t.Lanon.1(%rip), %rdi\n\tretq\n\
             \n.Lanon.1:\n\t.quad\t.Lanon.2\n\n.Lanon.2:\n\t.asciz\t\"hi\"\n"
        );
        assert!(demangle_asm(&filtered).starts_with("\nm::add:\n"));
        assert_eq!(
            demangle_asm(
                "callq _ZN54_$LT$$LP$$RP$$u20$as$u20$std..process..Termination$GT$6report17h2585065ca48fe458E"
            ),
            "callq <() as std::process::Termination>::report"
        );
        assert_eq!(demangle_asm("x_ZN1a1bE _ZN1a"), "x_ZN1a1bE _ZN1a");
    }

    #[test]
    fn share_ids_are_content_addressed() {
        let a = share_id("fn main() {}");
        assert_eq!(a.len(), 16);
        assert_eq!(a, share_id("fn main() {}"));
        assert_ne!(a, share_id("fn main() { }"));
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn tool_versions_parse() {
        assert_eq!(
            parse_tool_version("rustfmt 1.9.0-stable (59807616e1 2026-04-14)").unwrap(),
            json!({"version": "1.9.0-stable", "hash": "59807616e1", "date": "2026-04-14"})
        );
        assert!(parse_tool_version("garbage").is_none());
    }
}
