//! Every file the project cites exists. Scans the Markdown documents (README.md,
//! ARCHITECTURE.md, docs/ and every other `*.md` of the repository) and the sources
//! (`*.rs`, `*.toml`, `*.sh`, `*.js`, `*.mjs`, `*.py` under crates/, attacks/,
//! harnesses/, vetted/, web/src, web/test, scripts/, bench/, fuzz/, and .ci/run) for:
//!
//! - relative Markdown links, `[text](path)`, `[text](path#anchor)`, `![alt](path)` and
//!   `[label]: path`, in Markdown files (outside code), resolved from the citing file's
//!   folder (a leading `/` from the repository's root);
//! - an upper-case document name such as `README.md` anywhere: some file of the
//!   repository must have that name;
//! - a path under the root's `docs/` folder, such as `docs/contracts.md`, anywhere,
//!   resolved from the repository's root.
//!
//! URLs (`https:`, `mailto:`, any `scheme:`) and links to an anchor of the same page are
//! not files and are skipped. Offline, no tool but the file system: the repository is
//! `CARGO_MANIFEST_DIR/../..`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Folders that are not the project's text: build output, installed packages, the
/// fuzzers' generated corpora, the built page assets, and vendored Markdown whose links
/// point into another project's site (Rocket's guide).
const NOT_SCANNED: &[&str] = &[
    ".git",
    "third_party/rocket-guide/guide",
    "target",
    "node_modules",
    "web/dist",
    "fuzz/corpus",
    "fuzz/artifacts",
    "fuzz/coverage",
];

/// Folders (from the root) whose source files are scanned for citations.
const SOURCE_DIRS: &[&str] = &[
    "crates",
    "attacks",
    "harnesses",
    "vetted",
    "web/src",
    "web/test",
    "scripts",
    "bench",
    "fuzz",
];

const SOURCE_EXTS: &[&str] = &["rs", "toml", "sh", "js", "mjs", "py"];

/// The files and folders of the repository, as `/`-separated paths from its root.
struct Repo {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
    /// The last part of every file's path.
    names: BTreeSet<String>,
}

impl Repo {
    fn from_paths<'a>(files: impl IntoIterator<Item = &'a str>) -> Repo {
        let mut repo = Repo {
            files: BTreeSet::new(),
            dirs: BTreeSet::from([String::new()]),
            names: BTreeSet::new(),
        };
        for f in files {
            let mut prefix = String::new();
            let parts: Vec<&str> = f.split('/').collect();
            for part in &parts[..parts.len() - 1] {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                repo.dirs.insert(prefix.clone());
            }
            repo.names.insert(parts[parts.len() - 1].to_string());
            repo.files.insert(f.to_string());
        }
        repo
    }

    /// Walks `root`, skipping [`NOT_SCANNED`] (which hold no cited file).
    fn walk(root: &Path) -> Repo {
        let mut found = Vec::new();
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let dir = root.join(&rel);
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            for entry in entries {
                let entry = entry.expect("directory entry");
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                if NOT_SCANNED.contains(&path.as_str()) || name == "node_modules" {
                    continue;
                }
                let kind = entry.file_type().expect("file type");
                if kind.is_dir() {
                    stack.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        let mut repo = Repo::from_paths(found.iter().map(String::as_str));
        // Empty folders count too (a link may name a folder).
        for f in &found {
            let mut p = f.as_str();
            while let Some((parent, _)) = p.rsplit_once('/') {
                repo.dirs.insert(parent.to_string());
                p = parent;
            }
        }
        repo
    }

    fn has_path(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.files.contains(path) || self.dirs.contains(path)
    }
}

/// One citation: where it is, what it names, and why that is not in the repository.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Missing {
    file: String,
    line: usize,
    cited: String,
    why: String,
}

/// `path` relative to `base` (a folder, `/`-separated, from the root), lexically
/// normalised; `None` when it climbs out of the repository.
fn resolve(base: &str, path: &str) -> Option<String> {
    let joined = if let Some(abs) = path.strip_prefix('/') {
        PathBuf::from(abs)
    } else {
        Path::new(base).join(path)
    };
    let mut parts: Vec<String> = Vec::new();
    for c in joined.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => {}
        }
    }
    Some(parts.join("/"))
}

/// The targets of the Markdown links on one line (inline code spans left out).
fn link_targets(line: &str) -> Vec<String> {
    // Inline code is not a link: drop every `…` span.
    let mut text = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            text.push_str(part);
        }
    }
    let mut out = Vec::new();
    // Reference definitions: `[label]: target`.
    let trimmed = text.trim_start();
    if trimmed.starts_with('[')
        && let Some(close) = trimmed.find("]:")
    {
        let rest = trimmed[close + 2..].trim_start();
        if let Some(t) = rest.split_whitespace().next() {
            out.push(t.trim_start_matches('<').trim_end_matches('>').to_string());
        }
    }
    let mut rest = text.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let target = if let Some(inner) = rest.strip_prefix('<') {
            inner.split('>').next().unwrap_or("")
        } else {
            let end = rest
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(rest.len());
            &rest[..end]
        };
        out.push(target.to_string());
    }
    out
}

/// Whether a link target is a URL (`https:`, `mailto:`, any `scheme:`) rather than a path.
fn is_url(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

/// Upper-case document names (`README.md`, `ARCHITECTURE.md`): a word boundary, an
/// upper-case letter, then upper-case letters and dashes, `.md`, a word boundary.
fn doc_names(line: &str) -> Vec<String> {
    let b = line.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_uppercase() && (i == 0 || !word(b[i - 1])) {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_uppercase() || b[j] == b'-') {
                j += 1;
            }
            if j - i >= 2 && line[j..].starts_with(".md") && b.get(j + 3).is_none_or(|&c| !word(c))
            {
                out.push(line[i..j + 3].to_string());
                i = j + 3;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Paths under the root's `docs/` folder: `docs/` (not inside a longer path) followed by
/// letters, digits, `_`, `.`, `/` or `-`, ending in `.md`.
fn docs_paths(line: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("docs/") {
        let start = from + at;
        from = start + 5;
        if line[..start].chars().next_back().is_some_and(path_char) {
            continue;
        }
        let end = line[start..]
            .find(|c: char| !path_char(c))
            .map_or(line.len(), |n| start + n);
        // The longest prefix that ends in `.md` (a sentence's full stop may follow).
        let candidate = &line[start..end];
        if let Some(md) = candidate.rfind(".md") {
            let path = &candidate[..md + 3];
            if path.len() > "docs/".len() + ".md".len() {
                out.push(path.to_string());
            }
        }
    }
    out
}

/// Every citation in `text` (the file `file`, a path from the root) that names no file or
/// folder of `repo`.
fn missing_citations(repo: &Repo, file: &str, text: &str) -> Vec<Missing> {
    let markdown = file.ends_with(".md");
    let base = file.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let mut miss = |cited: &str, why: &str| {
            out.insert(Missing {
                file: file.to_string(),
                line: n + 1,
                cited: cited.to_string(),
                why: why.to_string(),
            });
        };
        if markdown {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fenced = !fenced;
            } else if !fenced {
                for target in link_targets(line) {
                    let path = target.split(['#', '?']).next().unwrap_or("");
                    if path.is_empty() || is_url(&target) {
                        continue;
                    }
                    match resolve(base, path) {
                        Some(p) if repo.has_path(&p) => {}
                        Some(p) => miss(&target, &format!("link to {p}, which does not exist")),
                        None => miss(&target, "link out of the repository"),
                    }
                }
            }
        }
        for name in doc_names(line) {
            if !repo.names.contains(&name) {
                miss(&name, "no file of the repository has this name");
            }
        }
        for path in docs_paths(line) {
            if !repo.has_path(&path) {
                miss(&path, "not in the repository's docs/");
            }
        }
    }
    out.into_iter().collect()
}

/// The files scanned, as paths from the root.
fn scanned(repo: &Repo) -> Vec<String> {
    repo.files
        .iter()
        .filter(|f| {
            let ext = f.rsplit_once('.').map_or("", |(_, e)| e);
            ext == "md"
                || f.as_str() == ".ci/run"
                || (SOURCE_EXTS.contains(&ext)
                    && SOURCE_DIRS.iter().any(|d| f.starts_with(&format!("{d}/"))))
        })
        .cloned()
        .collect()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository's root")
}

#[test]
fn every_cited_file_exists() {
    let root = repo_root();
    let repo = Repo::walk(&root);
    let files = scanned(&repo);
    for must in ["README.md", "ARCHITECTURE.md", "docs/README.md"] {
        assert!(
            files.iter().any(|f| f == must),
            "{must} is not scanned: is {} the repository?",
            root.display()
        );
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("crates/") && f.ends_with(".rs")),
        "no source file scanned"
    );
    let mut missing = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(root.join(f)) else {
            continue; // not text
        };
        missing.extend(missing_citations(&repo, f, &text));
    }
    assert!(
        missing.is_empty(),
        "{} citation(s) of files that are not in the repository:\n{}",
        missing.len(),
        missing
            .iter()
            .map(|m| format!("  {}:{}: {} ({})", m.file, m.line, m.cited, m.why))
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!("{} files scanned, every cited file exists", files.len());
}

// The scanner itself. Names of missing documents are built at run time, so that this
// file cites nothing that is missing.

fn fixture() -> Repo {
    Repo::from_paths([
        "README.md",
        "docs/README.md",
        "docs/cli.md",
        "docs/page.png",
        "crates/a/src/lib.rs",
    ])
}

#[test]
fn a_link_to_a_missing_file_is_reported() {
    let repo = fixture();
    let text = "See [the CLI](cli.md#exec), [the API](api.md) and ![page](page.png).\n";
    let found = missing_citations(&repo, "docs/README.md", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].line, found[0].cited.as_str()), (1, "api.md"));
}

#[test]
fn links_resolve_from_the_citing_file() {
    let repo = fixture();
    let ok = "[up](../README.md) [root](/docs/cli.md) [dir](../crates/a/) [same](#x)\n";
    assert!(missing_citations(&repo, "docs/cli.md", ok).is_empty());
    // From the root, `cli.md` is not `docs/cli.md`.
    let found = missing_citations(&repo, "README.md", "[cli](cli.md)\n");
    assert_eq!(found.len(), 1, "{found:?}");
    let found = missing_citations(&repo, "README.md", "[out](../elsewhere.md)\n");
    assert_eq!(found[0].why, "link out of the repository");
}

#[test]
fn urls_anchors_and_code_are_not_files() {
    let repo = fixture();
    let text = "[a](https://example.com/x.md) [b](mailto:x@example.com) [c](#anchor)\n\
                `[inline](nothing.md)`\n```\nlet x = v[0](1);\n```\n";
    assert!(missing_citations(&repo, "README.md", text).is_empty());
}

#[test]
fn a_missing_document_name_is_reported_anywhere() {
    let repo = fixture();
    let name = format!("{}.md", "missing-doc".to_ascii_uppercase());
    let text = format!("// The format is in {name}, next to README.md.\n");
    let found = missing_citations(&repo, "crates/a/src/lib.rs", &text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].cited, name);
    // A file of that name anywhere in the repository is enough.
    assert!(missing_citations(&repo, "crates/a/src/lib.rs", "docs/README.md README.md").is_empty());
    // Lower-case names and longer words are not document names.
    assert!(doc_names("notes.md, A.md, xREADME.md, README.mdx").is_empty());
}

#[test]
fn a_missing_docs_path_is_reported_anywhere() {
    let repo = fixture();
    let cited = format!("docs/{}.md", "gone");
    let text = format!("/// See {cited}. And docs/cli.md, web/docs/other.md.\n");
    let found = missing_citations(&repo, "crates/a/src/lib.rs", &text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].cited, cited);
    let nested = format!("docs/{}.md", "a/b-c_d");
    assert_eq!(
        docs_paths(&format!("(docs/cli.md#exec), `{nested}`.")),
        ["docs/cli.md".to_string(), nested]
    );
}
