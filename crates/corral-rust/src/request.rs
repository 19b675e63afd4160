//! A Rust request (CONTRACTS.md section 4), parsed and validated at the boundary.

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edition {
    #[serde(rename = "2015")]
    E2015,
    #[serde(rename = "2018")]
    E2018,
    #[serde(rename = "2021")]
    E2021,
    #[serde(rename = "2024")]
    E2024,
}

impl Edition {
    pub fn parse(s: &str) -> Result<Edition, RequestError> {
        match s {
            "2015" => Ok(Edition::E2015),
            "2018" => Ok(Edition::E2018),
            "2021" => Ok(Edition::E2021),
            "2024" => Ok(Edition::E2024),
            _ => Err(RequestError::Invalid(format!(
                "edition {s:?} is not one of 2015, 2018, 2021, 2024"
            ))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::E2015 => "2015",
            Edition::E2018 => "2018",
            Edition::E2021 => "2021",
            Edition::E2024 => "2024",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildMode {
    Debug,
    Release,
}

impl BuildMode {
    pub fn parse(s: &str) -> Result<BuildMode, RequestError> {
        match s {
            "debug" => Ok(BuildMode::Debug),
            "release" => Ok(BuildMode::Release),
            _ => Err(RequestError::Invalid(format!(
                "mode {s:?} is not debug or release"
            ))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            BuildMode::Debug => "debug",
            BuildMode::Release => "release",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrateType {
    Bin,
    Lib,
}

impl CrateType {
    pub fn parse(s: &str) -> Result<CrateType, RequestError> {
        match s {
            "bin" => Ok(CrateType::Bin),
            "lib" => Ok(CrateType::Lib),
            _ => Err(RequestError::Invalid(format!(
                "crate type {s:?} is not bin or lib"
            ))),
        }
    }
}

/// Limits a request may ask for; each can only lower the configured one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitRequest {
    pub wall: Option<Duration>,
    pub memory: Option<u64>,
    pub output: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The user's text (for `bin`, the whole of `src/main.rs`).
    pub code: String,
    /// More files of the user's crate (e.g. `src/a.rs` for `mod a;`), validated paths
    /// relative to the crate's directory; see [`validate_file_name`].
    pub extra_files: Vec<(String, String)>,
    pub harness: String,
    pub args: serde_json::Map<String, serde_json::Value>,
    pub channel: String,
    pub edition: Edition,
    pub mode: BuildMode,
    pub crate_type: CrateType,
    pub stdin: Vec<u8>,
    pub argv: Vec<String>,
    pub backtrace: bool,
    pub compile_limits: LimitRequest,
    pub run_limits: LimitRequest,
    /// The program's clock (the compiler always has real time).
    pub time: TimeMode,
    /// Seeds the program's randomness under virtual time.
    pub seed: u64,
    /// Stop after the compile step (rustdoc's `no_run`, `compile_fail`).
    pub compile_only: bool,
}

/// Whether the program's clock is virtual (the default: sleeps return at once, output
/// is timed, randomness is seeded) or real.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeMode {
    #[default]
    Virtual,
    Real,
}

impl TimeMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeMode::Virtual => "virtual",
            TimeMode::Real => "real",
        }
    }
}

impl Default for Request {
    fn default() -> Self {
        Request {
            code: String::new(),
            extra_files: vec![],
            harness: "bin".into(),
            args: Default::default(),
            channel: "stable".into(),
            edition: Edition::E2024,
            mode: BuildMode::Debug,
            crate_type: CrateType::Bin,
            stdin: vec![],
            argv: vec![],
            backtrace: false,
            compile_limits: LimitRequest::default(),
            run_limits: LimitRequest::default(),
            time: TimeMode::Virtual,
            seed: 0,
            compile_only: false,
        }
    }
}

/// CONTRACTS.md section 4: relative, no `..`, at most 200 characters and 10 levels.
pub fn validate_file_name(name: &str) -> Result<(), RequestError> {
    let path = std::path::Path::new(name);
    let bad = |why: &str| Err(RequestError::Invalid(format!("file name {name:?} {why}")));
    if name.is_empty() || name.chars().count() > 200 {
        return bad("must have 1 to 200 characters");
    }
    let parts_ok = name
        .split('/')
        .all(|p| !p.is_empty() && p != "." && p != "..");
    if !parts_ok || !corral_sandbox::policy::is_relative_clean(path) || name.contains('\0') {
        return bad("must be a relative path without `..`, `.` or empty parts");
    }
    if path.components().count() > 10 {
        return bad("is more than 10 levels deep");
    }
    if path.starts_with("target") {
        return bad("may not be under target/ (the compiler's output)");
    }
    Ok(())
}

/// Source normalisation of CONTRACTS.md section 5: strip a BOM, CRLF -> LF, nothing else.
pub fn normalise_source(code: &str) -> String {
    code.strip_prefix('\u{feff}')
        .unwrap_or(code)
        .replace("\r\n", "\n")
}

/// Why a request cannot run: the user's fault, with what to change.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Toolchain(#[from] crate::toolchain::ToolchainError),
    #[error("unknown harness {0:?}; available: {1}")]
    UnknownHarness(String, String),
    #[error("{0}")]
    Harness(String),
    #[error(
        "the crates for {toolchain} ({mode}) are not baked yet: run `corral bake --toolchain {channel}{release}`"
    )]
    NotBaked {
        toolchain: String,
        channel: String,
        mode: &'static str,
        release: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_says_what_is_valid() {
        assert_eq!(Edition::parse("2021").unwrap(), Edition::E2021);
        assert!(
            Edition::parse("2027")
                .unwrap_err()
                .to_string()
                .contains("2015, 2018, 2021, 2024")
        );
        assert_eq!(BuildMode::parse("release").unwrap(), BuildMode::Release);
        assert!(BuildMode::parse("fast").is_err());
        assert_eq!(CrateType::parse("lib").unwrap(), CrateType::Lib);
    }

    #[test]
    fn file_names_are_relative_clean_and_bounded() {
        for ok in ["src/main.rs", "src/a/b.rs", "README.md"] {
            assert!(validate_file_name(ok).is_ok(), "{ok}");
        }
        let deep = ["d"; 11].join("/");
        let long = "a".repeat(201);
        for bad in [
            "",
            "/etc/passwd",
            "../x.rs",
            "src/../x",
            "./a.rs",
            "src//a.rs",
            "target/x",
            deep.as_str(),
            long.as_str(),
        ] {
            assert!(validate_file_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn normalisation_strips_bom_and_crlf_only() {
        assert_eq!(
            normalise_source("\u{feff}fn main() {}\r\n  \t\n"),
            "fn main() {}\n  \t\n"
        );
    }
}
