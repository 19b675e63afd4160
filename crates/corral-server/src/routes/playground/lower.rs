//! Lowering: the playground's bodies checked (with its messages) and turned into
//! pipeline requests, one function per body, shared by the HTTP routes and the
//! WebSocket. The pipeline then plans them (`Pipeline::plan`), where every other
//! check lives.

use super::wire::{Code, ExecuteIn, FileIn};
use crate::error::ApiError;
use corral_rust::request::{BuildMode, CrateType, Edition, Request, TimeMode};

pub fn invalid(value: &str, what: &str) -> ApiError {
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
pub fn split_files(
    files: Vec<FileIn>,
    crate_type: CrateType,
) -> Result<(String, Vec<(String, String)>), ApiError> {
    if files.is_empty() {
        return Err(ApiError::bad_request("`code` has no files"));
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

/// `/execute`'s body (and the WebSocket's) as a run request. `time`: virtual for
/// HTTP (memoized, reproducible), real for the WebSocket (live).
pub fn execute(b: ExecuteIn, time: TimeMode) -> Result<Request, ApiError> {
    let channel = parse_channel(&b.channel)?;
    let mode = parse_mode(&b.mode)?;
    let edition = parse_edition(b.edition.as_deref())?;
    let crate_type = parse_crate_type(&b.crate_type)?;
    let mut req = run(channel, mode, edition, crate_type, b.tests, b.code)?;
    req.backtrace = b.backtrace;
    req.time = time;
    Ok(req)
}

/// The run request of /execute and /evaluate.json: `tests` picks the test harness
/// (which builds its own libtest binary, so the crate type is then bin).
pub fn run(
    channel: &str,
    mode: BuildMode,
    edition: Edition,
    crate_type: CrateType,
    tests: bool,
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
        crate_type: if tests { CrateType::Bin } else { crate_type },
        ..Request::default()
    })
}

/// A tool's request on one file.
pub fn tool(
    tool: corral_rust::tools::Tool,
    channel: &str,
    edition: Edition,
    mode: BuildMode,
    crate_type: CrateType,
    code: String,
) -> Request {
    Request {
        code,
        channel: channel.to_string(),
        edition,
        mode,
        crate_type,
        tool: Some(tool),
        ..Request::default()
    }
}

/// A tool's request on a crate given as `code`: a list of files lowers to the crate
/// root and the files around it, which the compiler's tools read (rustfmt takes one
/// file: /format formats each file on its own).
pub fn tool_code(
    tool: corral_rust::tools::Tool,
    channel: &str,
    edition: Edition,
    mode: BuildMode,
    crate_type: CrateType,
    code: Code,
) -> Result<Request, ApiError> {
    let (root, extra_files) = match code {
        Code::Text(t) => (t, vec![]),
        Code::Files(files) => split_files(files, crate_type)?,
    };
    Ok(Request {
        extra_files,
        ..self::tool(tool, channel, edition, mode, crate_type, root)
    })
}
