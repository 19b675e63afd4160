//! `/download`: what a presenter offers the room (`corral serve --offer`): the corral
//! binary, a bake archive and the public key that signed it, each with its SHA-256
//! (computed once at start), and the commands that check and import them. The files
//! are streamed from disk. Without an offer, `/download` is 404.

use crate::state::App;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::{Request, State, get};
use std::io::Cursor;
use std::path::PathBuf;

/// What is offered. The files are named by their `name` under `/download/`.
#[derive(Clone, Debug)]
pub struct Offer {
    /// The corral binary (`corral`).
    pub binary: Offered,
    /// The bake archive.
    pub archive: Offered,
    /// The public key that signed the archive (the `.pub` file).
    pub key: Offered,
    /// The key file's text, shown on the page.
    pub key_text: String,
    /// The key's fingerprint, to compare with the one the presenter shows.
    pub fingerprint: String,
}

#[derive(Clone, Debug)]
pub struct Offered {
    /// Its name in URLs and commands: plain characters only (checked by [`Offer::new`]).
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

impl Offer {
    /// Checks that the three names differ and are plain file names.
    pub fn new(
        binary: Offered,
        archive: Offered,
        key: Offered,
        key_text: String,
        fingerprint: String,
    ) -> Result<Offer, String> {
        let names = [&binary.name, &archive.name, &key.name];
        for n in names {
            let plain = !n.is_empty()
                && !n.starts_with('.')
                && n.len() <= 100
                && n.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._-+".contains(&c));
            if !plain {
                return Err(format!(
                    "{n:?}: an offered file's name may hold letters, digits and . _ - + only"
                ));
            }
        }
        if names[0] == names[1] || names[0] == names[2] || names[1] == names[2] {
            return Err("the offered files need three different names".into());
        }
        Ok(Offer {
            binary,
            archive,
            key,
            key_text,
            fingerprint,
        })
    }

    fn files(&self) -> [&Offered; 3] {
        [&self.binary, &self.archive, &self.key]
    }
}

/// The page's one style element.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5}pre,code{font-family:ui-monospace,monospace;font-size:.9rem}\
pre{background:#f4f4f4;padding:1rem;overflow-x:auto}td{padding:.2rem .8rem .2rem 0;\
vertical-align:top}code.sha256{word-break:break-all}";

/// The policy of the page: no script, its one style element (by hash), nothing
/// loaded, not framed.
fn csp() -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / 1048576.0)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// The page; `base` is where the room reached this server (`http://host:port`).
pub fn page(offer: &Offer, base: &str) -> String {
    let mut rows = String::new();
    for f in offer.files() {
        rows.push_str(&format!(
            "<tr><td><a href=\"/download/{n}\" download>{n}</a></td><td>{size}</td><td><code class=\"sha256\">{h}</code></td></tr>\n",
            n = escape(&f.name),
            size = human(f.size),
            h = escape(&f.sha256),
        ));
    }
    let (bin, arc, key) = (
        escape(&offer.binary.name),
        escape(&offer.archive.name),
        escape(&offer.key.name),
    );
    let base = escape(base);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>corral: take the playground home</title>
<style>{STYLE}</style></head>
<body>
<h1>Take the playground home</h1>
<p>The corral binary (Linux x86_64) and the crates baked for this session, signed by the presenter's key.</p>
<table><tr><th>file</th><th>size</th><th>SHA-256</th></tr>
{rows}</table>
<h2>The signer's public key</h2>
<pre id="key">{key_text}</pre>
<p>Fingerprint <code id="fingerprint">{fp}</code>: compare it with the one the presenter shows.</p>
<h2>Fetch, check, import</h2>
<pre>curl -fO {base}/download/{bin} -fO {base}/download/{arc} -fO {base}/download/{key}
sha256sum -c &lt;&lt;'EOF'
{bin_h}  {bin}
{arc_h}  {arc}
{key_h}  {key}
EOF
chmod +x {bin}
./{bin} bake --import {arc} --trust {key}
./{bin} run hello.rs     # any Rust program: the baked crates are there</pre>
<p><code>--import</code> verifies the signature of the archive's manifest with that key, then every
file's SHA-256, before any bake is put in place.</p>
</body></html>
"#,
        key_text = escape(offer.key_text.trim()),
        fp = escape(&offer.fingerprint),
        bin_h = escape(&offer.binary.sha256),
        arc_h = escape(&offer.archive.sha256),
        key_h = escape(&offer.key.sha256),
    )
}

/// The host the request named, when it is a plain host[:port]; else this server's.
pub struct Base(String);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Base {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> rocket::request::Outcome<Self, ()> {
        let host = req
            .headers()
            .get_one("Host")
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b".-:[]".contains(&c))
            })
            .unwrap_or("HOST:PORT");
        rocket::request::Outcome::Success(Base(format!("http://{host}")))
    }
}

pub struct Html(String);

impl<'r> Responder<'r, 'static> for Html {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::HTML)
            .header(Header::new("Content-Security-Policy", csp()))
            .header(Header::new("Cache-Control", "no-store"))
            .header(Header::new("Referrer-Policy", "no-referrer"))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .sized_body(self.0.len(), Cursor::new(self.0))
            .ok()
    }
}

/// A file, streamed from disk.
pub struct Download {
    file: rocket::tokio::fs::File,
    name: String,
    size: u64,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::Binary)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.name),
            ))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Cache-Control", "no-store"))
            .sized_body(usize::try_from(self.size).ok(), self.file)
            .ok()
    }
}

#[get("/download")]
pub fn index(app: &State<App>, base: Base) -> Option<Html> {
    let offer = app.offer.as_ref()?;
    Some(Html(page(offer, &base.0)))
}

#[get("/download/<name>")]
pub async fn file(app: &State<App>, name: &str) -> Result<Download, Status> {
    let offer = app.offer.as_ref().ok_or(Status::NotFound)?;
    let f = offer
        .files()
        .into_iter()
        .find(|f| f.name == name)
        .ok_or(Status::NotFound)?;
    let file = rocket::tokio::fs::File::open(&f.path).await.map_err(|e| {
        tracing::warn!("cannot open the offered {}: {e}", f.path.display());
        Status::InternalServerError
    })?;
    Ok(Download {
        file,
        name: f.name.clone(),
        size: f.size,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, file]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(name: &str) -> Offered {
        Offered {
            name: name.into(),
            path: "/nonexistent".into(),
            size: 3 << 20,
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn names_are_plain_and_distinct_and_the_page_escapes() {
        let ok = Offer::new(
            offered("corral"),
            offered("bake.tar"),
            offered("k.pub"),
            "corral-ed25519-public AAAA".into(),
            "SHA256:x".into(),
        )
        .unwrap();
        for bad in ["../x", "a b", ".hidden", "<b>", ""] {
            assert!(
                Offer::new(
                    offered("corral"),
                    offered(bad),
                    offered("k.pub"),
                    String::new(),
                    "f".into()
                )
                .is_err(),
                "{bad}"
            );
        }
        assert!(
            Offer::new(
                offered("corral"),
                offered("corral"),
                offered("k.pub"),
                String::new(),
                "f".into()
            )
            .is_err()
        );
        let html = page(&ok, "http://h<x>:1");
        assert!(html.contains("http://h&lt;x&gt;:1/download/bake.tar"));
        assert!(html.contains(&format!("{}  bake.tar", "ab".repeat(32))));
        assert!(html.contains("bake --import bake.tar --trust k.pub"));
        assert!(html.contains("3.0 MiB"));
    }
}
