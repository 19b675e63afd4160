//! Rocket's guide, whole: every runnable Rust block of its chapters
//! (`third_party/rocket-guide/guide/*.md`, Rocket v0.5.1) runs through the `doctest`
//! harness of a real `corral serve` and behaves as rustdoc would have it, as upstream
//! tests the guide (its `.md` files are doc comments of a test crate of edition 2021).
//!
//! A block is what rustdoc takes for a doctest: a fenced code block whose info string
//! is empty or names `rust`, or has only rustdoc's own words. `ignore` is left out;
//! `no_run` and `compile_fail` are compiled only; `should_panic` must panic. Hidden
//! `# ` lines are the harness's business, so each block goes as written.

mod common;

use common::server::Server;
use common::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The runnable blocks of the guide at Rocket v0.5.1 (`ignore` blocks left out).
const RUNNABLE: usize = 162;

/// How a block should behave: rustdoc's attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Run,
    Panic,
    CompileOnly,
    CompileFail,
}

#[derive(Debug)]
struct Block {
    file: String,
    /// The line of the opening fence (1-based).
    line: usize,
    code: String,
    expect: Expect,
    edition: Option<String>,
}

/// What rustdoc makes of an info string: `None` when the block is not a Rust doctest
/// (another language, or `ignore`), else how it should behave and its edition.
fn doctest_attributes(info: &str) -> Option<(Expect, Option<String>)> {
    let words: Vec<&str> = info
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let (mut rust, mut other, mut ignore) = (false, false, false);
    let (mut panic, mut no_run, mut compile_fail) = (false, false, false);
    let mut edition = None;
    for w in &words {
        match *w {
            "rust" => rust = true,
            "should_panic" => panic = true,
            "no_run" => no_run = true,
            "compile_fail" => compile_fail = true,
            "test_harness" | "standalone_crate" | "allow_fail" => {}
            w if w == "ignore" || w.starts_with("ignore-") => ignore = true,
            w if w.starts_with("edition") && w[7..].parse::<u16>().is_ok() => {
                edition = Some(w[7..].to_string())
            }
            w if w.len() == 5
                && w.starts_with('E')
                && w[1..].chars().all(|c| c.is_ascii_digit()) => {}
            _ => other = true,
        }
    }
    // rustdoc: a block is Rust unless it names something else (and not `rust` too).
    if (other && !rust) || ignore {
        return None;
    }
    let expect = if compile_fail {
        Expect::CompileFail
    } else if no_run {
        Expect::CompileOnly
    } else if panic {
        Expect::Panic
    } else {
        Expect::Run
    };
    Some((expect, edition))
}

/// The fenced code blocks of a Markdown text: (opening line, info string, code). The
/// indentation of a fence (as in a list item) is taken off its lines, as CommonMark does.
fn fenced_blocks(text: &str) -> Vec<(usize, String, String)> {
    let mut out = vec![];
    let mut open: Option<(usize, usize, char, usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let fence_char = rest.chars().next().filter(|c| *c == '`' || *c == '~');
        let fence_len = fence_char.map_or(0, |c| rest.len() - rest.trim_start_matches(c).len());
        match &mut open {
            None => {
                if let Some(c) = fence_char
                    && fence_len >= 3
                {
                    let info = rest[fence_len..].trim().to_string();
                    open = Some((i + 1, indent, c, fence_len, info, String::new()));
                }
            }
            Some((start, fence_indent, c, len, info, code)) => {
                let closes = fence_char == Some(*c)
                    && fence_len >= *len
                    && rest[fence_len..].trim().is_empty();
                if closes {
                    out.push((*start, std::mem::take(info), std::mem::take(code)));
                    open = None;
                } else {
                    let strip = indent.min(*fence_indent);
                    code.push_str(&line[strip..]);
                    code.push('\n');
                }
            }
        }
    }
    out
}

fn guide_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../third_party/rocket-guide/guide")
}

/// Every runnable block of the guide's chapters, in file and line order.
fn guide_blocks() -> Vec<Block> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(guide_dir())
        .expect("third_party/rocket-guide/guide")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut blocks = vec![];
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (line, info, code) in fenced_blocks(&text) {
            if let Some((expect, edition)) = doctest_attributes(&info) {
                blocks.push(Block {
                    file: file.clone(),
                    line,
                    code,
                    expect,
                    edition,
                });
            }
        }
    }
    blocks
}

#[test]
fn rustdoc_attributes_and_fences_are_read_as_rustdoc_reads_them() {
    use Expect::*;
    for (info, want) in [
        ("", Some(Run)),
        ("rust", Some(Run)),
        ("rust,no_run", Some(CompileOnly)),
        ("should_panic", Some(Panic)),
        ("rust,compile_fail,E0382", Some(CompileFail)),
        ("rust,ignore", None),
        ("toml", None),
        ("toml,ignore", None),
        ("sh", None),
        ("text", None),
        ("rust edition2018", Some(Run)),
    ] {
        assert_eq!(doctest_attributes(info).map(|a| a.0), want, "{info:?}");
    }
    assert_eq!(
        doctest_attributes("rust,edition2018").unwrap().1.as_deref(),
        Some("2018")
    );
    let md = "text\n```rust\nfn a() {}\n```\n\n  1. item\n\n     ```rust,no_run\n     let x = 1;\n       indented();\n     ```\n~~~~\n```\nnot a fence end\n~~~~\n";
    let blocks = fenced_blocks(md);
    assert_eq!(
        blocks,
        [
            (2, "rust".into(), "fn a() {}\n".into()),
            (
                8,
                "rust,no_run".into(),
                "let x = 1;\n  indented();\n".into()
            ),
            (12, "".into(), "```\nnot a fence end\n".into()),
        ]
    );
}

/// What a result says against what the block's attributes expect: `None` when it
/// behaved, else why not.
fn misbehaved(expect: Expect, r: &Value) -> Option<String> {
    let status = r["status"].as_str().unwrap_or("?");
    let ok = match expect {
        Expect::Run | Expect::CompileOnly => status == "success",
        Expect::Panic => status == "runtime_error" && r["run"]["exit_code"] == 101,
        Expect::CompileFail => status == "compile_error",
    };
    if ok {
        return None;
    }
    let tail = |s: &Value| {
        let s = s.as_str().unwrap_or("");
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(12)..].join("\n    ")
    };
    Some(format!(
        "expected {expect:?}, got {status} (limit {}, error {})\n    compile: {}\n    run: {}",
        r["limit"],
        r["error"],
        tail(&r["compile"]["stderr"]),
        tail(&r["run"]["stderr"]),
    ))
}

#[test]
fn every_runnable_block_of_the_rocket_guide_runs() {
    let blocks = guide_blocks();
    assert_eq!(
        blocks.len(),
        RUNNABLE,
        "runnable blocks in {}",
        guide_dir().display()
    );
    if !stable_baked() {
        return;
    }
    // Two workers (as on a small server), four clients to keep both busy.
    let config = "[server]\nworkers = 2\nqueue = 64\nrate_per_minute = 0\n";
    let Some(server) = Server::start(config, &[]) else {
        return;
    };
    let started = Instant::now();
    let next = Mutex::new(0usize);
    let failures = Mutex::new(vec![]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(b) = blocks.get(i) else { break };
                    let req = json!({
                        "code": b.code,
                        "harness": "doctest",
                        "edition": b.edition.as_deref().unwrap_or("2021"),
                        "compile_only": matches!(b.expect, Expect::CompileOnly | Expect::CompileFail),
                    });
                    let r = post_run(&server, &req);
                    if let Some(why) = misbehaved(b.expect, &r) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}:{}: {why}", b.file, b.line));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let passed = blocks.len() - failures.len();
    eprintln!(
        "the Rocket guide: {passed} of {} runnable blocks pass ({:.0?})",
        blocks.len(),
        started.elapsed()
    );
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} blocks failed:\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n")
    );
}

/// `POST /api/v1/run`, waiting out a full queue.
fn post_run(server: &Server, req: &Value) -> Value {
    for _ in 0..60 {
        let (status, body, _) = server.post("/api/v1/run", req);
        if status == 503 || status == 429 {
            std::thread::sleep(Duration::from_secs(1));
            continue;
        }
        assert_eq!(status, 200, "{body}");
        return body;
    }
    panic!("the server stayed busy");
}
