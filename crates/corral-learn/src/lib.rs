//! corral-learn: interactive tutorials. The tutorials in `tutorials/` (embedded at
//! build time by `build.rs`), loaded and checked once ([`tutorials`]), and the
//! evaluation of a lesson's check against a run's result ([`Check::evaluate`]).
//!
//! A tutorial is `tutorials/<id>/tutorial.toml` (title, description, order, and the
//! lessons in order) and one directory per lesson: `lesson.toml` (title, harness, args,
//! `[check]`), `text.md` (the lesson, Markdown), `start/` and `solution/` (the crate's
//! files at their paths in the crate, e.g. `start/src/main.rs`). docs/learn.md
//! describes the format for authors.
//!
//! **Invariant:** this crate runs nothing; the server runs the user's files through its
//! normal run path and hands the result to [`Check::evaluate`].

use corral_rust::result::{RustResult, Status};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/tutorials.rs"));
}

/// One tutorial: an ordered list of lessons.
#[derive(Clone, Debug, Serialize)]
pub struct Tutorial {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Where it is listed among the tutorials (lowest first).
    #[serde(skip)]
    pub order: i64,
    pub lessons: Vec<Lesson>,
}

/// A file of the user's crate: its path in the crate (`src/main.rs`) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub name: String,
    pub content: String,
}

/// One lesson: its text, the files it starts from, its solution, and its check.
#[derive(Clone, Debug, Serialize)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    /// The lesson's text as written (Markdown).
    pub markdown: String,
    /// The text rendered to HTML (raw HTML in the Markdown is shown as text).
    pub html: String,
    /// The files the learner starts from; the crate root first.
    pub files: Vec<File>,
    pub solution: Vec<File>,
    /// The harness the lesson's code runs under, and its arguments.
    pub harness: String,
    pub args: Map<String, Value>,
    pub check: Check,
}

/// What must hold of a run for a lesson to pass. Every key given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The program's exit code (a run whose tests fail exits 101).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The program's whole stdout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// Text stdout must contain (one string or a list).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub stdout_contains: Vec<String>,
    /// `test` harness: at least this many tests pass, and none fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests_passed: Option<u32>,
    /// `rocket-request`: the response's status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `rocket-request`: the response's whole body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `rocket-request`: text the body must contain (one string or a list).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub body_contains: Vec<String>,
    /// `rocket-request`: text the response's `Content-Type` must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `rocket-request`: response headers and the values they must have (names in any
    /// case).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// A check's outcome: whether it passed, and in words what held or what differed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub verdict: String,
}

impl Verdict {
    fn fail(verdict: impl Into<String>) -> Verdict {
        Verdict {
            passed: false,
            verdict: verdict.into(),
        }
    }
}

/// At most 160 characters of `s`, quoted as Rust would (`"a\nb"`), `…` marking a cut.
fn quote(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        return format!("{s:?}");
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{:?}…", cut)
}

/// What a run that did not finish ran into, in words.
fn unfinished(status: Status) -> Option<&'static str> {
    Some(match status {
        Status::Timeout => "the run took too long and was stopped (time limit)",
        Status::MemoryLimit => "the run used too much memory and was stopped",
        Status::OutputLimit => "the program printed more than the output limit",
        Status::Killed => "the run was killed",
        Status::InternalError => "corral could not run the program (internal error)",
        _ => return None,
    })
}

impl Check {
    /// Whether the check has anything to check.
    pub fn is_empty(&self) -> bool {
        *self == Check::default()
    }

    /// Whether the check reads the `rocket-request` harness's response.
    fn reads_response(&self) -> bool {
        self.status.is_some()
            || self.body.is_some()
            || !self.body_contains.is_empty()
            || self.content_type.is_some()
            || !self.headers.is_empty()
    }

    /// Evaluates this check against the result of running the learner's files.
    pub fn evaluate(&self, result: &RustResult) -> Verdict {
        if result.status == Status::CompileError || !result.compile.success {
            let first = result
                .compile
                .diagnostics
                .iter()
                .find(|d| d.level == "error");
            return Verdict::fail(match first {
                Some(d) => {
                    let code = d
                        .code
                        .as_deref()
                        .map(|c| format!("[{c}]"))
                        .unwrap_or_default();
                    let at = match (&d.file, d.line_start) {
                        (Some(f), Some(l)) if !d.in_harness => format!(" ({f}, line {l})"),
                        _ => String::new(),
                    };
                    format!(
                        "The code did not compile: error{code}: {}{at}. Fix it and check again.",
                        d.message
                    )
                }
                None => "The code did not compile: see the compiler's messages.".into(),
            });
        }
        if let Some(why) = unfinished(result.status) {
            let detail = result
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            return Verdict::fail(format!("Not passed: {why}{detail}."));
        }
        let Some(run) = &result.run else {
            return Verdict::fail("Not passed: the code compiled but did not run.");
        };
        let mut differs: Vec<String> = vec![];
        let mut held: Vec<String> = vec![];
        if let Some(want) = self.exit_code {
            match (run.exit_code, run.signal) {
                (Some(got), _) if got == want => held.push(format!("exit code {want}")),
                (Some(got), _) => differs.push(format!("expected exit code {want}, got {got}")),
                (None, Some(sig)) => differs.push(format!(
                    "expected exit code {want}, but the program was ended by signal {sig}"
                )),
                (None, None) => differs.push(format!("expected exit code {want}, got none")),
            }
        }
        if let Some(want) = &self.stdout {
            if run.stdout == *want {
                held.push(format!("stdout {}", quote(want)));
            } else {
                differs.push(format!(
                    "expected stdout to be {}, got {}",
                    quote(want),
                    quote(&run.stdout)
                ));
            }
        }
        for want in &self.stdout_contains {
            if run.stdout.contains(want.as_str()) {
                held.push(format!("stdout contains {}", quote(want)));
            } else {
                differs.push(format!(
                    "expected stdout to contain {}, got {}",
                    quote(want),
                    quote(&run.stdout)
                ));
            }
        }
        if let Some(want) = self.tests_passed {
            let h = &run.harness;
            let passed = h["passed"].as_u64().unwrap_or(0);
            let failed: Vec<String> = h["tests"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["outcome"] == "failed")
                .map(|t| t["name"].as_str().unwrap_or("?").to_string())
                .collect();
            if !failed.is_empty() {
                differs.push(format!(
                    "expected every test to pass, but {} failed: {}",
                    failed.len(),
                    failed.join(", ")
                ));
            } else if passed < u64::from(want) {
                differs.push(format!(
                    "expected at least {want} passing test{}, got {passed}",
                    if want == 1 { "" } else { "s" }
                ));
            } else {
                held.push(format!(
                    "{passed} test{} passed",
                    if passed == 1 { "" } else { "s" }
                ));
            }
        }
        if self.reads_response() {
            self.evaluate_response(&run.harness, &mut held, &mut differs);
        }
        if differs.is_empty() {
            return Verdict {
                passed: true,
                verdict: format!("Passed: {}.", held.join("; ")),
            };
        }
        let mut verdict = format!("Not passed: {}.", differs.join("; "));
        if result.status == Status::RuntimeError
            && let Some(line) = panic_line(&run.stderr)
        {
            write!(verdict, " The program panicked: {}", quote(line)).unwrap();
        }
        Verdict::fail(verdict)
    }

    fn evaluate_response(&self, h: &Value, held: &mut Vec<String>, differs: &mut Vec<String>) {
        if let Some(error) = h["error"].as_str() {
            differs.push(format!("expected a response, got none: {error}"));
            return;
        }
        if h["status"].is_null() {
            differs.push("expected a response, got none".into());
            return;
        }
        if let Some(want) = self.status {
            match h["status"].as_u64() {
                Some(got) if got == u64::from(want) => held.push(format!("status {want}")),
                // Another status answers another body (often an error page): the
                // status is what to fix first.
                Some(got) => {
                    differs.push(format!("expected status {want}, got {got}"));
                    return;
                }
                None => differs.push(format!("expected status {want}, got none")),
            }
        }
        let body = h["body"].as_str().unwrap_or("");
        if let Some(want) = &self.body {
            if body == want {
                held.push(format!("body {}", quote(want)));
            } else {
                differs.push(format!(
                    "expected the body to be {}, got {}",
                    quote(want),
                    quote(body)
                ));
            }
        }
        for want in &self.body_contains {
            if body.contains(want.as_str()) {
                held.push(format!("body contains {}", quote(want)));
            } else {
                differs.push(format!(
                    "expected the body to contain {}, got {}",
                    quote(want),
                    quote(body)
                ));
            }
        }
        let header = |name: &str| -> Option<String> {
            h["headers"].as_object().and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str().unwrap_or("").to_string())
            })
        };
        if let Some(want) = &self.content_type {
            let got = header("content-type").unwrap_or_default();
            if got.contains(want.as_str()) {
                held.push(format!("content type {want}"));
            } else if got.is_empty() {
                differs.push(format!("expected content type {want}, got none"));
            } else {
                differs.push(format!("expected content type {want}, got {got}"));
            }
        }
        for (name, want) in &self.headers {
            match header(name) {
                Some(got) if got == *want => held.push(format!("header {name}: {want}")),
                Some(got) => differs.push(format!(
                    "expected header {name} to be {}, got {}",
                    quote(want),
                    quote(&got)
                )),
                None => differs.push(format!("expected a header {name}, got none")),
            }
        }
    }
}

/// The line of `stderr` saying where and why a thread panicked, and its message.
fn panic_line(stderr: &str) -> Option<&str> {
    let mut lines = stderr.lines();
    let at = lines.position(|l| l.contains("panicked at"))?;
    let next = stderr
        .lines()
        .nth(at + 1)
        .filter(|l| !l.starts_with("note:"));
    next.or_else(|| stderr.lines().nth(at))
}

/// Why the tutorials could not be loaded: the tutorial and lesson, and what was wrong.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TutorialToml {
    title: String,
    description: String,
    #[serde(default)]
    order: i64,
    lessons: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonToml {
    title: String,
    #[serde(default = "default_harness")]
    harness: String,
    #[serde(default)]
    args: Map<String, Value>,
    check: Check,
}

fn default_harness() -> String {
    "bin".into()
}

/// The crate root of every lesson's files (the harnesses it uses build binaries).
pub const CRATE_ROOT: &str = "src/main.rs";

/// Every tutorial, loaded from the embedded files and checked once (the server calls
/// this at start; a test makes a broken lesson a test failure naming it).
pub fn tutorials() -> Result<&'static [Tutorial], &'static Error> {
    static ALL: OnceLock<Result<Vec<Tutorial>, Error>> = OnceLock::new();
    ALL.get_or_init(|| load(embedded::FILES))
        .as_ref()
        .map(Vec::as_slice)
}

/// One tutorial by id.
pub fn tutorial(id: &str) -> Option<&'static Tutorial> {
    tutorials().ok()?.iter().find(|t| t.id == id)
}

impl Tutorial {
    /// A lesson by id, with its position (0-based).
    pub fn lesson(&self, id: &str) -> Option<(usize, &Lesson)> {
        self.lessons.iter().enumerate().find(|(_, l)| l.id == id)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Loads tutorials from `files` ((path under tutorials/, contents)).
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Tutorial>, Error> {
    let by_path: BTreeMap<&str, &str> = files.iter().copied().collect();
    let mut out = vec![];
    for (path, text) in files {
        let Some(id) = path.strip_suffix("/tutorial.toml") else {
            continue;
        };
        let err = |m: String| Error(format!("tutorial {id}: {m}"));
        if !valid_id(id) {
            return Err(err(
                "the id (its directory) must be lowercase letters, digits and dashes".into(),
            ));
        }
        let t: TutorialToml =
            toml::from_str(text).map_err(|e| err(format!("tutorial.toml: {e}")))?;
        if t.title.trim().is_empty() || t.description.trim().is_empty() {
            return Err(err("tutorial.toml needs a title and a description".into()));
        }
        if t.lessons.is_empty() {
            return Err(err("tutorial.toml lists no lessons".into()));
        }
        let mut lessons: Vec<Lesson> = vec![];
        for lesson in &t.lessons {
            if lessons.iter().any(|l| &l.id == lesson) {
                return Err(err(format!("lesson {lesson} is listed twice")));
            }
            let l = load_lesson(&by_path, id, lesson)
                .map_err(|m| Error(format!("tutorial {id}, lesson {lesson}: {m}")))?;
            lessons.push(l);
        }
        // Every lesson directory is listed (a lesson left out by mistake is an error).
        let prefix = format!("{id}/");
        for p in by_path.keys() {
            if let Some(rest) = p.strip_prefix(&prefix)
                && let Some((dir, _)) = rest.split_once('/')
                && !t.lessons.iter().any(|l| l == dir)
            {
                return Err(err(format!(
                    "tutorials/{id}/{dir}/ is not listed in tutorial.toml's lessons"
                )));
            }
        }
        out.push(Tutorial {
            id: id.to_string(),
            title: t.title,
            description: t.description,
            order: t.order,
            lessons,
        });
    }
    out.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The files under `<tutorial>/<lesson>/<dir>/`, named by their path in the crate, the
/// crate root first.
fn files_under(
    by_path: &BTreeMap<&str, &str>,
    tutorial: &str,
    lesson: &str,
    dir: &str,
) -> Result<Vec<File>, String> {
    let prefix = format!("{tutorial}/{lesson}/{dir}/");
    let mut files: Vec<File> = by_path
        .iter()
        .filter_map(|(p, c)| {
            p.strip_prefix(&prefix).map(|name| File {
                name: name.to_string(),
                content: c.to_string(),
            })
        })
        .collect();
    files.sort_by_key(|f| (f.name != CRATE_ROOT, f.name.clone()));
    if files.first().is_none_or(|f| f.name != CRATE_ROOT) {
        return Err(format!("{dir}/ has no {CRATE_ROOT}"));
    }
    for f in &files {
        corral_rust::request::validate_file_name(&f.name)
            .map_err(|e| format!("{dir}/{}: {e}", f.name))?;
    }
    Ok(files)
}

fn load_lesson(by_path: &BTreeMap<&str, &str>, tutorial: &str, id: &str) -> Result<Lesson, String> {
    if !valid_id(id) {
        return Err("the id (its directory) must be lowercase letters, digits and dashes".into());
    }
    let get = |name: &str| {
        by_path
            .get(format!("{tutorial}/{id}/{name}").as_str())
            .copied()
            .ok_or_else(|| format!("missing {name}"))
    };
    let meta: LessonToml =
        toml::from_str(get("lesson.toml")?).map_err(|e| format!("lesson.toml: {e}"))?;
    let markdown = get("text.md")?.to_string();
    if meta.title.trim().is_empty() || markdown.trim().is_empty() {
        return Err("a lesson needs a title and a text".into());
    }
    let harness = corral_rust::harness::find(&meta.harness)
        .ok_or_else(|| format!("unknown harness {:?}", meta.harness))?;
    harness
        .canonical_args(&meta.args)
        .map_err(|e| format!("args: {e}"))?;
    if meta.check.is_empty() {
        return Err("[check] is empty: say what must hold".into());
    }
    if meta.check.reads_response() && meta.harness != "rocket-request" {
        return Err(
            "status, body, body_contains, content_type and headers need the rocket-request harness"
                .into(),
        );
    }
    if meta.check.tests_passed.is_some() && meta.harness != "test" {
        return Err("tests_passed needs the test harness".into());
    }
    let files = files_under(by_path, tutorial, id, "start")?;
    let solution = files_under(by_path, tutorial, id, "solution")?;
    Ok(Lesson {
        id: id.to_string(),
        title: meta.title,
        html: markdown_html(&markdown),
        markdown,
        files,
        solution,
        harness: meta.harness,
        args: meta.args,
        check: meta.check,
    })
}

/// The lesson's Markdown as HTML. The text is the project's own, but raw HTML in it is
/// still shown as text rather than passed through, so a lesson can only be Markdown.
pub fn markdown_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[cfg(test)]
mod tests;
