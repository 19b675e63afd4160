//! `corral mdbook`: point an mdBook's runnable examples at a corral server.
//!
//! mdBook's `book.js` posts the code of a runnable block to
//! `https://play.rust-lang.org/evaluate.json` and asks
//! `https://play.rust-lang.org/meta/crates` which crates it may `extern crate`; neither
//! URL is configurable. Rather than a patched copy of `book.js` (which would freeze the
//! book's scripts at one mdBook version), this writes a small block into the theme's
//! `head.hbs`, the partial that mdBook (0.4 and 0.5 at least) includes inside `<head>`,
//! before `book.js` is loaded. The block's script wraps `fetch` (and `XMLHttpRequest`) so that
//! any request to `https://play.rust-lang.org/…` goes to the same path on corral, which
//! serves the Playground's routes. The block sits between two marker comments: writing
//! it again replaces it, `--remove` takes it out, and whatever else the author put in
//! `head.hbs` is kept.

use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct MdbookArgs {
    /// The book: the directory holding its book.toml.
    #[arg(value_name = "BOOK_DIR", default_value = ".")]
    book: PathBuf,
    /// The corral server that runs the book's examples, such as
    /// https://play.example.org (a path prefix is kept).
    #[arg(
        long,
        value_name = "URL",
        required_unless_present = "remove",
        conflicts_with = "remove"
    )]
    playground: Option<String>,
    /// Take corral's block out of the theme's head.hbs (and the file, when nothing else
    /// is left in it).
    #[arg(long)]
    remove: bool,
}

pub fn run(args: MdbookArgs) -> anyhow::Result<u8> {
    let book = Book::open(&args.book)?;
    let shown = book.shown(&book.head());
    match args.playground {
        Some(url) => {
            let base = playground_base(&url)?;
            for note in book.notes(&base) {
                eprintln!("corral mdbook: note: {note}");
            }
            let done = match book.install(&base)? {
                Change::Created => format!("wrote {shown}"),
                Change::Updated => format!("updated {shown}"),
                _ => format!("{shown} was already up to date"),
            };
            println!(
                "{done}: the book's Run buttons call {base}/evaluate.json (and \
                 {base}/meta/crates) once it is rebuilt (mdbook build)"
            );
        }
        None => match book.remove()? {
            Change::Removed => println!("removed corral's block from {shown}"),
            _ => println!("nothing to remove: {shown} holds no corral block"),
        },
    }
    Ok(0)
}

/// What writing or removing did to `head.hbs`.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// The file did not exist and now holds the block.
    Created,
    /// The file's block was added or replaced.
    Updated,
    /// The file already said exactly that.
    Unchanged,
    /// The block was taken out (and the file deleted if nothing else was in it).
    Removed,
    /// There was no block to remove.
    Absent,
}

/// The first line of corral's block (its start is what is looked for).
const BEGIN: &str = "<!-- corral-playground begin: written by `corral mdbook`, \
                     taken out by `corral mdbook --remove`; edits inside are overwritten -->";
const BEGIN_PREFIX: &str = "<!-- corral-playground begin";
/// The last line of corral's block.
const END: &str = "<!-- corral-playground end -->";

/// Checks a playground URL and gives the base the book's requests go to: http or https,
/// a host, no user, query or fragment; without the trailing `/`.
pub fn playground_base(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| {
        anyhow::anyhow!(
            "--playground {url:?} is not a URL ({e}); give the server's address, \
             such as https://play.example.org or http://127.0.0.1:8000"
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        bail!(
            "--playground {url:?}: the scheme must be http or https, not {}",
            parsed.scheme()
        );
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        bail!("--playground {url:?} has no host");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!(
            "--playground {url:?}: a user or password in the URL would be published with the book"
        );
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        bail!(
            "--playground {url:?}: give the server's base URL, without a query or fragment \
             (corral's routes such as /evaluate.json are added to it)"
        );
    }
    let base = parsed.as_str().trim_end_matches('/').to_string();
    // The URL crate percent-encodes quotes, `<`, `>`, braces and spaces in what it
    // serializes; checked again since the base is written into a script in a template.
    if base
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "\"'<>`{}\\".contains(c))
    {
        bail!("--playground {url:?} holds characters that cannot be used in the book's script");
    }
    for route in ["/evaluate.json", "/meta/crates"] {
        if base.ends_with(route) {
            bail!(
                "--playground {url:?}: give the server's base URL, without {route} \
                 (the book's requests keep their own paths)"
            );
        }
    }
    Ok(base)
}

/// corral's block for `head.hbs`, sending the playground's requests to `base`. No `{{`
/// anywhere: the file is a Handlebars template.
pub fn block(base: &str) -> String {
    let to = serde_json::to_string(&format!("{base}/")).expect("a string serializes");
    // `<` is never in a checked base; escaped anyway so `</script>` cannot appear.
    let to = to.replace('<', "\\u003c");
    format!(
        r#"{BEGIN}
<script>
(function () {{
    "use strict";
    // mdBook's book.js sends runnable examples to the Rust Playground; send them to
    // corral, which answers the same routes (/evaluate.json, /meta/crates).
    var to = {to};
    var from = /^https?:\/\/play\.rust-lang\.org\//;
    function redirect(url) {{
        return typeof url === "string" && from.test(url) ? url.replace(from, to) : url;
    }}
    window.corralPlayground = to;
    var fetch = window.fetch;
    if (fetch) {{
        window.fetch = function (input, init) {{
            if (typeof input === "string") {{
                input = redirect(input);
            }} else if (typeof URL !== "undefined" && input instanceof URL) {{
                input = redirect(input.href);
            }} else if (typeof Request !== "undefined" && input instanceof Request &&
                    redirect(input.url) !== input.url) {{
                input = new Request(redirect(input.url), input);
            }}
            return fetch.call(window, input, init);
        }};
    }}
    if (window.XMLHttpRequest) {{
        var open = XMLHttpRequest.prototype.open;
        XMLHttpRequest.prototype.open = function (method, url) {{
            var args = Array.prototype.slice.call(arguments);
            args[1] = redirect(String(url));
            return open.apply(this, args);
        }};
    }}
}})();
</script>
{END}
"#
    )
}

/// Where corral's block is in `text`: the byte range of its lines (with the end line's
/// newline). `None` when there is none; an error when the markers are damaged.
fn find_block(text: &str) -> anyhow::Result<Option<std::ops::Range<usize>>> {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with(BEGIN_PREFIX) {
            begins.push(at);
        } else if trimmed == END {
            ends.push(at + line.len());
        }
        at += line.len();
    }
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => Ok(None),
        ([b], [e]) if b < e => Ok(Some(*b..*e)),
        _ => bail!(
            "its corral block is damaged ({} begin and {} end markers, expected one of each, \
             in that order): remove its lines by hand, then run `corral mdbook` again",
            begins.len(),
            ends.len()
        ),
    }
}

/// `existing` (the file's text, if any) with corral's block set to `block`, or taken out
/// when `block` is `None`. `None` means the file should not exist.
pub fn merged(existing: Option<&str>, block: Option<&str>) -> anyhow::Result<Option<String>> {
    let text = existing.unwrap_or("");
    let found = find_block(text)?;
    let out = match (found, block) {
        (Some(r), Some(b)) => format!("{}{b}{}", &text[..r.start], &text[r.end..]),
        (Some(r), None) => format!("{}{}", &text[..r.start], &text[r.end..]),
        (None, Some(b)) if text.is_empty() => b.to_string(),
        // Added after the author's own head content, on a line of its own.
        (None, Some(b)) if text.ends_with('\n') => format!("{text}{b}"),
        (None, Some(b)) => format!("{text}\n{b}"),
        (None, None) => return Ok(existing.map(str::to_string)),
    };
    if block.is_none() && out.trim().is_empty() && existing.is_some() {
        return Ok(None);
    }
    Ok(Some(out))
}

/// A book on disk: its root (where book.toml is) and its theme directory.
pub struct Book {
    root: PathBuf,
    theme: PathBuf,
    /// `output.html.theme` names the theme directory (else the default `theme`).
    theme_configured: bool,
    config: toml::Table,
}

impl Book {
    pub fn open(dir: &Path) -> anyhow::Result<Book> {
        let toml_path = dir.join("book.toml");
        let text = match std::fs::read_to_string(&toml_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} is not an mdBook book: there is no book.toml in it",
                dir.display()
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", toml_path.display()));
            }
        };
        let config: toml::Table = text
            .parse()
            .with_context(|| format!("cannot parse {}", toml_path.display()))?;
        let configured = config
            .get("output")
            .and_then(|o| o.get("html"))
            .and_then(|h| h.get("theme"));
        let theme_configured = configured.is_some();
        let theme = match configured {
            None => dir.join("theme"),
            Some(toml::Value::String(t)) => dir.join(t),
            Some(other) => bail!(
                "{}: output.html.theme should be a directory's name, not {other}",
                toml_path.display()
            ),
        };
        Ok(Book {
            root: dir.to_path_buf(),
            theme,
            theme_configured,
            config,
        })
    }

    /// The `head.hbs` that mdBook includes in every page's `<head>`.
    pub fn head(&self) -> PathBuf {
        self.theme.join("head.hbs")
    }

    /// `path` as the user will recognize it: from the book's root when inside it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Whatever in the book would keep the block from working, as sentences. A custom
    /// `index.hbs` without the head partial is an error ([`Book::check_index`]).
    pub fn notes(&self, base: &str) -> Vec<String> {
        let mut notes = Vec::new();
        let playground = self
            .config
            .get("output")
            .and_then(|o| o.get("html"))
            .and_then(|h| h.get("playground").or_else(|| h.get("playpen")));
        if playground.and_then(|p| p.get("runnable")) == Some(&toml::Value::Boolean(false)) {
            notes.push(
                "book.toml sets output.html.playground.runnable = false: mdBook shows no Run \
                 buttons until it is true"
                    .to_string(),
            );
        }
        let book_js = self.theme.join("book.js");
        if let Ok(js) = std::fs::read_to_string(&book_js)
            && !js.contains("play.rust-lang.org")
        {
            notes.push(format!(
                "{} is customized and never names play.rust-lang.org: the redirect only \
                 changes requests to play.rust-lang.org",
                self.shown(&book_js)
            ));
        }
        let plain_remote = url::Url::parse(base).is_ok_and(|u| {
            u.scheme() == "http"
                && match u.host() {
                    Some(url::Host::Domain(d)) => d != "localhost",
                    Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
                    None => false,
                }
        });
        if plain_remote {
            notes.push(format!(
                "{base} is plain http: a book served over https cannot call it (browsers \
                 block mixed content); use https unless the book is only read locally"
            ));
        }
        notes
    }

    /// A custom `index.hbs` must include the head partial, or `head.hbs` is never used.
    fn check_index(&self) -> anyhow::Result<()> {
        let index = self.theme.join("index.hbs");
        let text = match std::fs::read_to_string(&index) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", index.display())),
        };
        if !includes_head_partial(&text) {
            bail!(
                "{} is customized and does not include the head partial, so mdBook would \
                 never use {}: add `{{{{> head}}}}` inside its <head>, before book.js is \
                 loaded, then run `corral mdbook` again",
                self.shown(&index),
                self.shown(&self.head())
            );
        }
        Ok(())
    }

    /// Writes (or replaces) corral's block in `head.hbs`.
    pub fn install(&self, base: &str) -> anyhow::Result<Change> {
        self.check_index()?;
        let head = self.head();
        let existing = read_if_there(&head)?;
        let shown = self.shown(&head);
        let new = merged(existing.as_deref(), Some(&block(base)))
            .with_context(|| format!("{shown} is left as it was"))?
            .expect("a block is written");
        if existing.as_deref() == Some(new.as_str()) {
            return Ok(Change::Unchanged);
        }
        std::fs::create_dir_all(&self.theme)
            .with_context(|| format!("cannot create {}", self.theme.display()))?;
        std::fs::write(&head, &new).with_context(|| format!("cannot write {}", head.display()))?;
        Ok(if existing.is_some() {
            Change::Updated
        } else {
            Change::Created
        })
    }

    /// Takes corral's block out of `head.hbs`; deletes the file if nothing else was in
    /// it, and then the default theme directory if it is left empty.
    pub fn remove(&self) -> anyhow::Result<Change> {
        let head = self.head();
        let Some(existing) = read_if_there(&head)? else {
            return Ok(Change::Absent);
        };
        let shown = self.shown(&head);
        let new =
            merged(Some(&existing), None).with_context(|| format!("{shown} is left as it was"))?;
        match new {
            Some(text) if text == existing => return Ok(Change::Absent),
            Some(text) => std::fs::write(&head, text)
                .with_context(|| format!("cannot write {}", head.display()))?,
            None => {
                std::fs::remove_file(&head)
                    .with_context(|| format!("cannot remove {}", head.display()))?;
                // mdBook treats a missing `theme` like an empty one; a configured theme
                // directory stays, since mdBook may expect it.
                if !self.theme_configured
                    && std::fs::read_dir(&self.theme).is_ok_and(|mut d| d.next().is_none())
                {
                    let _ = std::fs::remove_dir(&self.theme);
                }
            }
        }
        Ok(Change::Removed)
    }
}

fn read_if_there(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Whether a Handlebars template includes the `head` partial: `{{> head}}`, with any
/// spacing and whitespace control (`{{~> head ~}}`).
fn includes_head_partial(text: &str) -> bool {
    text.match_indices("{{").any(|(at, _)| {
        let rest = text[at + 2..].trim_start_matches('~').trim_start();
        let Some(rest) = rest.strip_prefix('>') else {
            return false;
        };
        let rest = rest.trim_start();
        rest.strip_prefix("head")
            .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '}' || c == '~'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system's temporary one, removed when dropped.
    struct Dir(PathBuf);

    impl Dir {
        fn new() -> Dir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("corral-mdbook-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }

        fn book(toml: &str) -> Dir {
            let d = Dir::new();
            std::fs::write(d.0.join("book.toml"), toml).unwrap();
            d
        }

        fn read(&self, rel: &str) -> Option<String> {
            std::fs::read_to_string(self.0.join(rel)).ok()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const URL: &str = "http://127.0.0.1:8000";

    #[test]
    fn urls_are_checked_and_normalized() {
        assert_eq!(playground_base("http://127.0.0.1:8000").unwrap(), URL);
        assert_eq!(playground_base("http://127.0.0.1:8000/").unwrap(), URL);
        assert_eq!(
            playground_base(" https://Play.Example.org/corral/ ").unwrap(),
            "https://play.example.org/corral"
        );
        for bad in [
            "",
            "play.example.org",
            "127.0.0.1:8000",
            "ftp://example.org",
            "file:///tmp/x",
            "javascript:alert(1)",
            "https://",
            "https://user:pw@example.org",
            "https://example.org/?x=1",
            "https://example.org/#top",
            "https://example.org/evaluate.json",
            "https://example.org/meta/crates/",
        ] {
            assert!(playground_base(bad).is_err(), "{bad:?} is accepted");
        }
        // What the URL crate escapes stays out of the script.
        let odd = playground_base("https://example.org/a\"b<c>{{d}}").unwrap();
        assert!(!odd.contains(['"', '<', '>', '{', '}']), "{odd}");
    }

    #[test]
    fn the_block_is_a_safe_template() {
        let b = block(URL);
        assert!(
            b.starts_with(BEGIN) && b.ends_with(&format!("{END}\n")),
            "{b}"
        );
        assert!(!b.contains("{{"), "Handlebars would read it: {b}");
        assert!(b.contains(r#"var to = "http://127.0.0.1:8000/";"#), "{b}");
        assert_eq!(b.matches("</script>").count(), 1);
        assert_eq!(find_block(&b).unwrap(), Some(0..b.len()));
    }

    #[test]
    fn a_new_head_is_written_once_and_again_is_unchanged() {
        let d = Dir::book("[book]\ntitle = \"t\"\n");
        let book = Book::open(&d.0).unwrap();
        assert_eq!(book.install(URL).unwrap(), Change::Created);
        let first = d.read("theme/head.hbs").unwrap();
        assert_eq!(first, block(URL));
        assert_eq!(book.install(URL).unwrap(), Change::Unchanged);
        assert_eq!(d.read("theme/head.hbs").unwrap(), first);
        // Another URL replaces the block, and going back gives the same bytes.
        assert_eq!(
            book.install("https://play.example.org").unwrap(),
            Change::Updated
        );
        let other = d.read("theme/head.hbs").unwrap();
        assert!(other.contains("\"https://play.example.org/\""), "{other}");
        assert!(!other.contains("127.0.0.1"), "{other}");
        assert_eq!(book.install(URL).unwrap(), Change::Updated);
        assert_eq!(d.read("theme/head.hbs").unwrap(), first);
        // Removing leaves the book as it was: no head.hbs, no theme directory.
        assert_eq!(book.remove().unwrap(), Change::Removed);
        assert!(!d.0.join("theme").exists());
        assert_eq!(book.remove().unwrap(), Change::Absent);
    }

    #[test]
    fn an_authors_head_is_kept() {
        let d = Dir::book("");
        std::fs::create_dir(d.0.join("theme")).unwrap();
        let mine = "<meta name=\"author\" content=\"me\">\n{{#if is_print}}<!-- p -->{{/if}}";
        std::fs::write(d.0.join("theme/head.hbs"), mine).unwrap();
        let book = Book::open(&d.0).unwrap();
        assert_eq!(book.install(URL).unwrap(), Change::Updated);
        let with = d.read("theme/head.hbs").unwrap();
        assert_eq!(with, format!("{mine}\n{}", block(URL)));
        assert_eq!(book.install(URL).unwrap(), Change::Unchanged);
        // Content the author adds after the block stays where it is when it is replaced.
        let later = format!("{with}<link rel=\"me\" href=\"x\">\n");
        std::fs::write(d.0.join("theme/head.hbs"), &later).unwrap();
        book.install("https://p.example.org").unwrap();
        let replaced = d.read("theme/head.hbs").unwrap();
        assert_eq!(
            replaced,
            format!(
                "{mine}\n{}<link rel=\"me\" href=\"x\">\n",
                block("https://p.example.org")
            )
        );
        // Removing keeps the author's lines (and the file).
        assert_eq!(book.remove().unwrap(), Change::Removed);
        assert_eq!(
            d.read("theme/head.hbs").unwrap(),
            format!("{mine}\n<link rel=\"me\" href=\"x\">\n")
        );
        assert_eq!(book.remove().unwrap(), Change::Absent);
    }

    #[test]
    fn a_damaged_block_is_refused_and_left_alone() {
        let d = Dir::book("");
        std::fs::create_dir(d.0.join("theme")).unwrap();
        let book = Book::open(&d.0).unwrap();
        let full = block(URL);
        let no_end = full.replace(END, "");
        let twice = format!("{full}{full}");
        let swapped = format!("{END}\n{BEGIN}\n");
        for damaged in [no_end, twice, swapped] {
            std::fs::write(d.0.join("theme/head.hbs"), &damaged).unwrap();
            let e = book.install(URL).unwrap_err();
            assert!(format!("{e:#}").contains("damaged"), "{e:#}");
            assert!(book.remove().is_err());
            assert_eq!(d.read("theme/head.hbs").unwrap(), damaged);
        }
    }

    #[test]
    fn a_custom_index_without_the_head_partial_is_refused() {
        let d = Dir::book("");
        std::fs::create_dir(d.0.join("theme")).unwrap();
        let index = "<html><head><title>{{ title }}</title></head>\
                     <body>{{{ content }}}<script src=\"book.js\"></script></body></html>";
        std::fs::write(d.0.join("theme/index.hbs"), index).unwrap();
        let book = Book::open(&d.0).unwrap();
        let e = book.install(URL).unwrap_err();
        assert!(format!("{e:#}").contains("{{> head}}"), "{e:#}");
        assert!(d.read("theme/head.hbs").is_none());
        assert_eq!(d.read("theme/index.hbs").unwrap(), index);
        // With the partial, it is written.
        std::fs::write(
            d.0.join("theme/index.hbs"),
            index.replace("</title>", "</title>{{~> head }}"),
        )
        .unwrap();
        assert_eq!(book.install(URL).unwrap(), Change::Created);
    }

    #[test]
    fn the_head_partial_is_recognized() {
        for yes in [
            "{{> head}}",
            "{{>head}}",
            "{{~> head ~}}",
            "x {{>  head  }} y",
        ] {
            assert!(includes_head_partial(yes), "{yes}");
        }
        for no in ["{{> header}}", "{{ head }}", "{{!-- > head --}}", "<head>"] {
            assert!(!includes_head_partial(no), "{no}");
        }
    }

    #[test]
    fn a_configured_theme_directory_is_used_and_kept() {
        let d = Dir::book("[output.html]\ntheme = \"my-theme\"\n");
        let book = Book::open(&d.0).unwrap();
        assert_eq!(book.install(URL).unwrap(), Change::Created);
        assert!(d.read("my-theme/head.hbs").is_some());
        assert!(!d.0.join("theme").exists());
        book.remove().unwrap();
        assert!(d.0.join("my-theme").is_dir());
        assert!(d.read("my-theme/head.hbs").is_none());
    }

    #[test]
    fn not_a_book_is_an_error() {
        let d = Dir::new();
        let e = Book::open(&d.0).err().unwrap();
        assert!(format!("{e:#}").contains("no book.toml"), "{e:#}");
        std::fs::write(d.0.join("book.toml"), "[output.html]\ntheme = 3\n").unwrap();
        assert!(Book::open(&d.0).is_err());
        std::fs::write(d.0.join("book.toml"), "not toml [").unwrap();
        assert!(Book::open(&d.0).is_err());
    }

    #[test]
    fn notes_name_what_would_not_work() {
        let d = Dir::book("[output.html.playground]\nrunnable = false\n");
        let book = Book::open(&d.0).unwrap();
        let notes = book.notes("http://play.example.org");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("runnable"), "{notes:?}");
        assert!(notes[1].contains("mixed content"), "{notes:?}");
        let d = Dir::book("");
        let book = Book::open(&d.0).unwrap();
        for quiet in [
            URL,
            "http://localhost:8000",
            "http://[::1]:8000",
            "https://play.example.org",
        ] {
            assert!(book.notes(quiet).is_empty(), "{quiet}");
        }
    }
}
