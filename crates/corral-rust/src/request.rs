//! A Rust request (docs/contracts.md, Run request), parsed and validated at the boundary.

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
    /// Diagnostics rendered with ANSI colours (the CLI on a terminal).
    pub color: bool,
    /// A tool on the crate root instead of a run (then `harness` and the run's fields
    /// are not used).
    pub tool: Option<crate::tools::Tool>,
}

/// Whether the program's clock is virtual (the default: sleeps return at once, output
/// is timed, randomness is seeded) or real.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
            color: false,
            tool: None,
        }
    }
}

/// At most this many files per request, the crate root included.
pub const MAX_FILES: usize = 20;

/// A file name of a request: relative, no `..`, at most 200 characters and 10 levels; no
/// control characters (newline, NUL, tab, …) and no blank parts.
pub fn validate_file_name(name: &str) -> Result<(), RequestError> {
    let path = std::path::Path::new(name);
    let bad = |why: &str| Err(RequestError::Invalid(format!("file name {name:?} {why}")));
    if name.trim().is_empty() {
        return bad("is blank; give each file a name such as src/utils.rs");
    }
    if name.chars().count() > 200 {
        return bad("must have 1 to 200 characters");
    }
    // Newlines, NUL, tabs, escapes (C0, DEL, C1) and the Unicode line separators: a
    // name is one line of printable text.
    if name
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return bad(
            "contains a control character (newline, tab, NUL, …); use printable characters only",
        );
    }
    let parts_ok = name
        .split('/')
        .all(|p| !p.is_empty() && p != "." && p != "..");
    if !parts_ok || !corral_sandbox::policy::is_relative_clean(path) {
        return bad("must be a relative path without `..`, `.` or empty parts");
    }
    if name.split('/').any(|p| p.trim().is_empty()) {
        return bad("has a blank part; each folder and file needs a visible name");
    }
    if path.components().count() > 10 {
        return bad("is more than 10 levels deep");
    }
    if path.starts_with("target") {
        return bad("may not be under target/ (the compiler's output)");
    }
    Ok(())
}

/// Every file of a crate: each name valid, no two alike, and no name that is also a
/// folder of another (`src/a` and `src/a/b.rs`). `names` is in the user's order, the
/// crate root first; the first conflict is reported in the user's terms.
pub fn validate_file_set<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), RequestError> {
    let mut seen = std::collections::BTreeSet::new();
    let names: Vec<&str> = names.into_iter().collect();
    for name in &names {
        validate_file_name(name)?;
        if !seen.insert(*name) {
            return Err(RequestError::Invalid(format!(
                "two files are named {name}; each file needs its own name"
            )));
        }
    }
    for name in &names {
        let mut folder = *name;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if seen.contains(parent) {
                return Err(RequestError::Invalid(format!(
                    "{parent} is a file but also the folder of {name}; rename one of them"
                )));
            }
            folder = parent;
        }
    }
    Ok(())
}

impl Request {
    /// Where [`Request::code`] goes: `src/main.rs`, or `src/lib.rs` for a library.
    pub fn crate_root(&self) -> &'static str {
        match self.crate_type {
            CrateType::Bin => "src/main.rs",
            CrateType::Lib => "src/lib.rs",
        }
    }

    /// The one check of a request's files (the memo key and the compile step both call
    /// it): at most [`MAX_FILES`] with the crate root, and [`validate_file_set`] over
    /// the root and `extra_files`, so that each name holds exactly one text.
    pub fn validate_files(&self) -> Result<(), RequestError> {
        let count = self.extra_files.len() + 1;
        if count > MAX_FILES {
            return Err(RequestError::Invalid(format!(
                "{count} files: at most {MAX_FILES} per request, the crate root included"
            )));
        }
        validate_file_set(
            std::iter::once(self.crate_root())
                .chain(self.extra_files.iter().map(|(n, _)| n.as_str())),
        )
    }
}

/// Source normalisation for the memo key (docs/contracts.md, Memoization): strip a BOM, CRLF -> LF, nothing else.
pub fn normalise_source(code: &str) -> String {
    code.strip_prefix('\u{feff}')
        .unwrap_or(code)
        .replace("\r\n", "\n")
}

/// Why a request cannot run: the user's fault (or a tool or bake this machine lacks),
/// with what to change.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
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
        "{}the crates for {toolchain} ({mode}) are not baked yet: run `corral bake --toolchain {channel}{release}`",
        if uses.is_empty() { String::new() } else { format!("`{uses}` is one of the baked crates, but ") }
    )]
    NotBaked {
        toolchain: String,
        channel: String,
        mode: String,
        release: String,
        /// The baked crate the code uses, when that is how the lack showed (empty
        /// when the harness itself needs the crates).
        #[serde(default)]
        uses: String,
    },
    #[error(
        "{tool} is not installed for {channel}; installed for: {}; ask for one of those or add it with `rustup component add {component} --toolchain {channel}`",
        if installed_for.is_empty() { "none".to_string() } else { installed_for.join(", ") }
    )]
    NotInstalled {
        tool: String,
        component: String,
        channel: String,
        installed_for: Vec<String>,
    },
    #[error("{what} needs a nightly toolchain, and {channel} is not one: ask for channel nightly")]
    NeedsNightly { what: String, channel: String },
    #[error("{0}")]
    Unsupported(String),
}

impl RequestError {
    /// Whether the request was fine but this server cannot serve it (a channel, tool
    /// or component that is not installed, crates not baked for the channel): the Rust
    /// Playground answers these in its output rather than as an HTTP error.
    pub fn unavailable(&self) -> bool {
        matches!(
            self,
            RequestError::Toolchain(_)
                | RequestError::NotInstalled { .. }
                | RequestError::NeedsNightly { .. }
                | RequestError::Unsupported(_)
                | RequestError::NotBaked { .. }
        )
    }
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
    fn file_names_are_one_line_of_visible_text() {
        for bad in [
            " ",
            "\t",
            "src/ /a.rs",
            "src/a.rs\n",
            "src/a\nb.rs",
            "src/a\0.rs",
            "src/a\r.rs",
            "src/\u{1b}[31ma.rs",
            "src/a\u{7f}.rs",
            "src/a\u{85}.rs",
            "src/a\u{2028}.rs",
        ] {
            let e = validate_file_name(bad).unwrap_err().to_string();
            assert!(e.contains("file name"), "{bad:?}: {e}");
        }
        assert!(
            validate_file_name("src/a\nb.rs")
                .unwrap_err()
                .to_string()
                .contains("control character")
        );
        assert!(
            validate_file_name("  ")
                .unwrap_err()
                .to_string()
                .contains("blank")
        );
        assert!(validate_file_name("src/é ü.rs").is_ok());
    }

    fn files(root: &str, names: &[&str]) -> Request {
        Request {
            code: root.into(),
            extra_files: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), format!("// {i}")))
                .collect(),
            ..Request::default()
        }
    }

    #[test]
    fn each_file_needs_its_own_name() {
        assert!(
            files("", &["src/utils.rs", "src/a/b.rs", "README.md"])
                .validate_files()
                .is_ok()
        );
        let e = files("", &["src/utils.rs", "src/a.rs", "src/utils.rs"])
            .validate_files()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "two files are named src/utils.rs; each file needs its own name"
        );
        // The crate root is a file too.
        let e = files("", &["src/main.rs"]).validate_files().unwrap_err();
        assert!(
            e.to_string().contains("two files are named src/main.rs"),
            "{e}"
        );
        let mut lib = files("", &["src/lib.rs"]);
        lib.crate_type = CrateType::Lib;
        assert!(lib.validate_files().is_err());
        lib.extra_files[0].0 = "src/main.rs".into();
        assert!(lib.validate_files().is_ok());
        // A file cannot also be a folder.
        let e = files("", &["src/a", "src/a/b.rs"])
            .validate_files()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("src/a is a file but also the folder of src/a/b.rs"),
            "{e}"
        );
        let e = files("", &["src/main.rs/x.rs"])
            .validate_files()
            .unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
        // Names are checked here too, and the count includes the root.
        assert!(files("", &["a\n"]).validate_files().is_err());
        let many: Vec<String> = (0..19).map(|i| format!("src/m{i}.rs")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(files("", &many).validate_files().is_ok());
        let mut too_many = many.clone();
        too_many.push("src/one_more.rs");
        let e = files("", &too_many).validate_files().unwrap_err();
        assert!(e.to_string().contains("21 files: at most 20"), "{e}");
    }

    #[test]
    fn normalisation_strips_bom_and_crlf_only() {
        assert_eq!(
            normalise_source("\u{feff}fn main() {}\r\n  \t\n"),
            "fn main() {}\n  \t\n"
        );
    }
}
