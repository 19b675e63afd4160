//! Harnesses: trusted code around a user's stub, defined as data (a manifest and templates
//! under `harnesses/<id>/`, embedded in the binary), and turned with a stub and arguments
//! into the source files of one request ([`Harness::prepare`]) and, after the run, into the
//! `harness` JSON of the result ([`Harness::interpret`]).
//!
//! The stub always keeps a file of its own; it is never pasted into the middle of trusted
//! code. Where it lives in a module or an `include!`d file, its leading crate-level items
//! (`#![feature]`, `#[macro_use] extern crate`) are lifted to the crate root and become
//! blanks in its file, so its lines and columns stay as the user wrote them; the
//! [`SourceMap`] says where every generated line came from.

mod args;
mod doctest;
mod lexer;
mod lift;
mod manifest;
mod outcome;
mod template;

pub use args::{ArgFormat, ArgSpec, ArgType};
pub use manifest::{builtin, find, get};

/// The lexer's tokens (byte span and kind, as `Debug` text), or the byte offset where it
/// stopped: for the fuzz targets in `fuzz/` only, not an API.
#[doc(hidden)]
pub fn fuzz_tokenize(src: &str) -> Result<Vec<(std::ops::Range<usize>, String)>, usize> {
    lexer::tokenize(src)
        .map(|ts| {
            ts.into_iter()
                .map(|t| (t.span, format!("{:?}", t.kind)))
                .collect()
        })
        .map_err(|e| e.at)
}

use serde::Serialize;
use serde_json::{Map, Value};

/// A harness: what its manifest says, and its templates.
#[derive(Clone, Debug)]
pub struct Harness {
    pub id: String,
    /// Bumped whenever the harness's generated code changes (part of the memo key).
    pub version: u32,
    pub description: String,
    /// A stub that runs with the default arguments (`GET /api/v1/harnesses`, the page).
    pub example: String,
    /// What a stub must provide, in the stub's terms: reported instead of a compile error
    /// that lands in the harness's own code (e.g. "needs a function `rocket()` …").
    pub needs: Option<String>,
    /// Always `bin` for now.
    pub crate_type: String,
    /// Compiled with `--test`.
    pub test: bool,
    /// Baked crates it needs.
    pub crates: Vec<String>,
    /// Its program links the bake's shared library of the crates (when the bake has
    /// one) instead of their rlibs: a line naming it is added to the harness's own
    /// crate root.
    pub link_shared: bool,
    pub args: Vec<ArgSpec>,
    placement: Placement,
    stub_file: String,
    crate_root: String,
    stub_suffix: Option<String>,
    run_args: Vec<String>,
    output: Output,
    /// (path in the work dir, template text).
    templates: Vec<(String, &'static str)>,
}

/// How the stub joins the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Placement {
    /// The stub is the crate root, unchanged.
    CrateRoot,
    /// The stub is an expression file that the harness `include!`s; every leading inner
    /// attribute and `extern crate` is lifted.
    Expression,
    /// The stub is a module of the harness's crate; crate-level items are lifted and the
    /// `stub_suffix` line (declaring a child module of the harness) is appended.
    Module,
    /// The stub is a documentation example, made a crate root by rustdoc's rules.
    Doctest,
}

/// How the program's outcome becomes the `harness` JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Output {
    /// `{}`; stdout as it is.
    #[default]
    Plain,
    /// libtest's counts: `{"passed": 3, "failed": 0, "ignored": 1}`.
    Libtest,
    /// The response the harness printed after its marker, removed from stdout.
    Response,
}

/// The source files of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Files to write under the request's work dir, relative paths like "src/main.rs".
    pub files: Vec<(String, String)>,
    /// The crate root to give rustc, e.g. "src/main.rs".
    pub crate_root: String,
    /// Compile with --test.
    pub test: bool,
    /// Extra argv for the program after compilation (e.g. libtest flags).
    pub run_args: Vec<String>,
    /// Where the user's text ended up, to map compiler diagnostics back to it.
    pub source_map: SourceMap,
}

/// Where the user's text ended up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMap {
    /// The generated file that holds the user's text, e.g. "src/main.rs" or "src/user.rs".
    pub file: String,
    /// For each line of `file` (index 0 = line 1; one entry per `text.split('\n')` item, so
    /// the position after a final newline is included): `Some((user_line_1_based,
    /// bytes_removed_from_the_line_start))` when it comes from the user's text, `None` when
    /// it is harness code.
    pub lines: Vec<Option<(usize, usize)>>,
    /// Other generated files holding some of the user's lines (the crate root, for lifted
    /// crate-level items), with the same per-line meaning. Usually empty.
    pub other: Vec<(String, LineMap)>,
}

/// Per generated line: `Some((user_line_1_based, bytes_removed_from_the_line_start))`, or
/// `None` for harness code.
pub type LineMap = Vec<Option<(usize, usize)>>;

impl SourceMap {
    fn identity(file: &str, text: &str) -> SourceMap {
        SourceMap {
            file: file.to_string(),
            lines: (1..=text.split('\n').count())
                .map(|n| Some((n, 0)))
                .collect(),
            other: Vec::new(),
        }
    }

    /// Where line `line` (1-based) of generated `file` came from: `Some((user_line,
    /// bytes_removed_from_the_line_start))`, or `None` for harness code (or a file the
    /// harness wrote itself). A column `c` (1-based, in bytes) on a mapped line is column
    /// `c + bytes_removed` of the user's line.
    pub fn lookup(&self, file: &str, line: usize) -> Option<(usize, usize)> {
        let lines = if file == self.file {
            &self.lines
        } else {
            &self.other.iter().find(|(f, _)| f == file)?.1
        };
        *lines.get(line.checked_sub(1)?)?
    }
}

/// What was wrong with a request's harness or arguments; the message is for the user.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HarnessError {
    #[error("unknown harness {id:?}; available: {}", known.join(", "))]
    UnknownHarness { id: String, known: Vec<String> },
    #[error("harness {harness:?} has no argument {name:?}; its arguments: {}",
        if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownArgument {
        harness: String,
        name: String,
        known: Vec<String>,
    },
    #[error("argument {name:?} is required ({description})")]
    MissingArgument { name: String, description: String },
    #[error("argument {name:?} must be {expected}, not {found}")]
    WrongType {
        name: String,
        expected: String,
        found: String,
    },
    #[error("argument {name:?}: {value:?} is not allowed; expected one of {}", allowed.join(", "))]
    NotAllowed {
        name: String,
        value: String,
        allowed: Vec<String>,
    },
    #[error("argument {name:?} is too long: {len} characters, at most {max}")]
    TooLong {
        name: String,
        len: usize,
        max: usize,
    },
    #[error("argument {name:?} has too many items: {count}, at most {max}")]
    TooMany {
        name: String,
        count: usize,
        max: usize,
    },
    #[error("argument {name:?} is out of range: {value} (allowed: {range})")]
    OutOfRange {
        name: String,
        value: i64,
        range: String,
    },
    #[error("argument {name:?}: {reason}")]
    Invalid { name: String, reason: String },
}

/// A harness as `GET /api/v1/harnesses` describes it.
#[derive(Clone, Debug, Serialize)]
pub struct HarnessSchema<'a> {
    pub id: &'a str,
    pub version: u32,
    pub description: &'a str,
    pub example: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<&'a str>,
    pub crate_type: &'a str,
    pub test: bool,
    pub crates: &'a [String],
    pub args: &'a [ArgSpec],
}

impl Harness {
    /// The harness's public description: id, version, description, crates and each
    /// argument's type, default and rules.
    /// Whether the program's stdout carries a machine-readable part that [`Harness::interpret`]
    /// removes (so it must not be shown to a person as it comes).
    pub fn rewrites_stdout(&self) -> bool {
        self.output == Output::Response
    }

    /// What to say instead of an error in the harness's glue: its `needs`, or, for a
    /// harness that declares none, what the harness takes.
    pub fn need(&self) -> std::borrow::Cow<'_, str> {
        match &self.needs {
            Some(needs) => needs.as_str().into(),
            None => format!(
                "this code does not fit the `{}` harness ({})",
                self.id, self.description
            )
            .into(),
        }
    }

    pub fn schema(&self) -> HarnessSchema<'_> {
        HarnessSchema {
            id: &self.id,
            version: self.version,
            description: &self.description,
            example: &self.example,
            needs: self.needs.as_deref(),
            crate_type: &self.crate_type,
            test: self.test,
            crates: &self.crates,
            args: &self.args,
        }
    }

    /// Validates `args` (unknown names are errors) and returns them in canonical form, with
    /// defaults applied: what the memo key should hash.
    pub fn canonical_args(
        &self,
        args: &Map<String, Value>,
    ) -> Result<Map<String, Value>, HarnessError> {
        args::validate(&self.id, &self.args, args)
    }

    /// The source files for `stub` under this harness with `args`.
    pub fn prepare(&self, stub: &str, args: &Map<String, Value>) -> Result<Prepared, HarnessError> {
        let args = self.canonical_args(args)?;
        let (user_text, user_lines, lifted, extern_crates, stub_main) = match self.placement {
            Placement::CrateRoot => {
                let map = SourceMap::identity(&self.stub_file, stub);
                (stub.to_string(), map.lines, Vec::new(), Vec::new(), false)
            }
            Placement::Doctest => {
                let d = doctest::build(stub);
                (d.text, d.lines, Vec::new(), Vec::new(), false)
            }
            Placement::Expression | Placement::Module => {
                let policy = if self.placement == Placement::Expression {
                    lift::Policy::AllInner
                } else {
                    lift::Policy::CrateLevel
                };
                let found = lift::leading_crate_items(stub, policy);
                let mut text = lift::blank_out(stub, &found.ranges);
                let mut lines = SourceMap::identity(&self.stub_file, &text).lines;
                if let Some(suffix) = &self.stub_suffix {
                    if !text.ends_with('\n') {
                        text.push('\n');
                        lines.push(None);
                    }
                    // The last entry is the (empty) position after the final newline, which
                    // the suffix now occupies.
                    text.push_str(suffix);
                    text.push('\n');
                    *lines.last_mut().expect("at least one line") = None;
                    lines.push(None);
                }
                let needed: Vec<String> = self
                    .crates
                    .iter()
                    .filter(|c| !found.extern_crates.contains(c))
                    .cloned()
                    .collect();
                let lifted = lift::lifted_lines(stub, &found.ranges);
                (text, lines, lifted, needed, lift::defines_main(stub))
            }
        };

        let mut values: Vec<(String, String)> = self
            .args
            .iter()
            .map(|spec| {
                (
                    format!("arg.{}", spec.name),
                    spec.rust_literal(args.get(&spec.name)),
                )
            })
            .collect();
        values.push(("marker".into(), args::rust_str(outcome::MARKER)));
        let conditions: &[&str] = if stub_main { &["stub_main"] } else { &[] };
        let cx = template::Context {
            lifted: &lifted,
            extern_crates: &extern_crates,
            conditions,
            values: &values,
        };

        let mut files = vec![(self.stub_file.clone(), user_text)];
        let mut other = Vec::new();
        for (path, template) in &self.templates {
            let r = template::render(template, &cx)
                .unwrap_or_else(|e| panic!("harness {} template {path}: {e}", self.id));
            if r.lines.iter().any(Option::is_some) {
                other.push((path.clone(), r.lines));
            }
            files.push((path.clone(), r.text));
        }
        Ok(Prepared {
            files,
            crate_root: self.crate_root.clone(),
            test: self.test,
            run_args: self.run_args.clone(),
            source_map: SourceMap {
                file: self.stub_file.clone(),
                lines: user_lines,
                other,
            },
        })
    }

    /// Turns the program's outcome into the `harness` JSON of the result (docs/contracts.md) and
    /// the stdout to show the user (the harness may print a machine-readable part that is
    /// removed).
    pub fn interpret(
        &self,
        stdout: &str,
        _stderr: &str,
        exit_code: Option<i32>,
    ) -> (Value, String) {
        match self.output {
            Output::Plain => (Value::Object(Map::new()), stdout.to_string()),
            Output::Libtest => (outcome::libtest(stdout), stdout.to_string()),
            Output::Response => outcome::response(stdout, exit_code),
        }
    }
}

#[cfg(test)]
mod tests;
