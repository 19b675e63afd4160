//! The page: `/` and `/p/<id>` answer the editor (web/dist/index.html), `/assets/<file>`
//! its bundle. The embed: `/embed.js`, the script documentation sites include to make
//! their code blocks runnable, and the frame page `/embed?code=…` and `/embed/p/<id>`.
//! The tutorials: `/learn`, `/learn/<tutorial>` and `/learn/<tutorial>/<lesson>` answer
//! web/dist/learn.html, which loads its lesson from `/api/v1/tutorials`.
//! The assets are built by `npm run build` in web/ and embedded here, so the binary
//! needs no Node. A strict Content-Security-Policy everywhere; only the frame page may
//! be framed.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::get;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::shield::{Frame, Shield};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Cursor;
use std::sync::OnceLock;

const INDEX: &str = include_str!("../../../../web/dist/index.html");
const EMBED_HTML: &str = include_str!("../../../../web/dist/embed.html");
const APP_JS: &[u8] = include_bytes!("../../../../web/dist/app.js");
const APP_CSS: &[u8] = include_bytes!("../../../../web/dist/app.css");
const EMBED_JS: &[u8] = include_bytes!("../../../../web/dist/embed.js");
const EMBED_CSS: &[u8] = include_bytes!("../../../../web/dist/embed.css");
const LEARN_HTML: &str = include_str!("../../../../web/dist/learn.html");
const LEARN_JS: &[u8] = include_bytes!("../../../../web/dist/learn.js");
const LEARN_CSS: &[u8] = include_bytes!("../../../../web/dist/learn.css");

/// Who may frame a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No one (`frame-ancestors 'none'`, `X-Frame-Options: DENY`): the editor, the assets.
    Deny,
    /// Any site (`frame-ancestors *`): the embed frame page only.
    Any,
}

/// Rocket's default Shield without its `X-Frame-Options: SAMEORIGIN`, which other sites'
/// frames of the embed page would trip over; [`FrameGuard`] takes its place.
pub fn shield() -> Shield {
    Shield::default().disable::<Frame>()
}

/// No response may be framed unless its own policy says so: every response without
/// `frame-ancestors *` in its Content-Security-Policy gets `X-Frame-Options: DENY`.
pub struct FrameGuard;

#[rocket::async_trait]
impl Fairing for FrameGuard {
    fn info(&self) -> Info {
        Info {
            name: "X-Frame-Options",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, res: &mut Response<'r>) {
        let frameable = res
            .headers()
            .get("Content-Security-Policy")
            .any(|p| p.contains("frame-ancestors *"));
        if !frameable {
            res.set_header(Header::new("X-Frame-Options", "DENY"));
        }
    }
}

/// The page's policy: its own scripts, styles and API only. The editor injects one
/// `<style>` element, admitted by a nonce fresh for each response.
pub fn csp(nonce: Option<&str>, framing: Framing) -> String {
    let style = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let ancestors = match framing {
        Framing::Deny => "'none'",
        Framing::Any => "*",
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'{style}; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// 128 random bits, hex, from the kernel; `None` without randomness (the policy then
/// admits no `<style>` element: the editor loads unstyled rather than with a guessable
/// nonce).
fn nonce() -> Option<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    match std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)) {
        Ok(()) => Some(bytes.iter().map(|b| format!("{b:02x}")).collect()),
        Err(e) => {
            tracing::warn!("no randomness for the page's nonce: {e}");
            None
        }
    }
}

/// An asset's version: the first 16 hex digits of its SHA-256.
fn version(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One embedded file as served.
struct Asset {
    content_type: ContentType,
    body: Cow<'static, [u8]>,
    version: String,
    /// Loaded by other sites (the embed): readable cross-origin.
    cross_origin: bool,
}

impl Asset {
    fn new(content_type: ContentType, body: Cow<'static, [u8]>, cross_origin: bool) -> Self {
        let version = version(&body);
        Asset {
            content_type,
            body,
            version,
            cross_origin,
        }
    }
}

/// The assets by name: `app.js`, `app.css`, `embed.js`, `embed.css`, `learn.js`,
/// `learn.css`. embed.js names
/// embed.css with its version (it adds the stylesheet to the pages that include it).
fn assets() -> &'static [(&'static str, Asset)] {
    static ASSETS: OnceLock<Vec<(&'static str, Asset)>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let css = Asset::new(ContentType::CSS, Cow::Borrowed(EMBED_CSS), true);
        let js = String::from_utf8_lossy(EMBED_JS).replace(
            "\"assets/embed.css\"",
            &format!("\"assets/embed.css?v={}\"", css.version),
        );
        vec![
            (
                "app.js",
                Asset::new(ContentType::JavaScript, Cow::Borrowed(APP_JS), false),
            ),
            (
                "app.css",
                Asset::new(ContentType::CSS, Cow::Borrowed(APP_CSS), false),
            ),
            (
                "embed.js",
                Asset::new(ContentType::JavaScript, Cow::Owned(js.into_bytes()), true),
            ),
            ("embed.css", css),
            (
                "learn.js",
                Asset::new(ContentType::JavaScript, Cow::Borrowed(LEARN_JS), false),
            ),
            (
                "learn.css",
                Asset::new(ContentType::CSS, Cow::Borrowed(LEARN_CSS), false),
            ),
        ]
    })
}

fn find(name: &str) -> Option<&'static Asset> {
    assets().iter().find(|(n, _)| *n == name).map(|(_, a)| a)
}

/// The current version of a named asset.
fn current(name: &str) -> &'static str {
    find(name).map_or("", |a| a.version.as_str())
}

/// index.html with versioned asset URLs, so the assets can be cached for good.
fn index_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        INDEX
            .replace(
                "/assets/app.js\"",
                &format!("/assets/app.js?v={}\"", current("app.js")),
            )
            .replace(
                "/assets/app.css\"",
                &format!("/assets/app.css?v={}\"", current("app.css")),
            )
    })
}

/// learn.html likewise.
fn learn_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        LEARN_HTML
            .replace(
                "/assets/learn.js\"",
                &format!("/assets/learn.js?v={}\"", current("learn.js")),
            )
            .replace(
                "/assets/learn.css\"",
                &format!("/assets/learn.css?v={}\"", current("learn.css")),
            )
    })
}

/// embed.html likewise.
fn embed_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        EMBED_HTML
            .replace(
                "/embed.js\"",
                &format!("/embed.js?v={}\"", current("embed.js")),
            )
            .replace(
                "/assets/embed.css\"",
                &format!("/assets/embed.css?v={}\"", current("embed.css")),
            )
    })
}

/// A page response with the security headers (the Shield adds `X-Content-Type-Options`,
/// [`FrameGuard`] `X-Frame-Options` unless the policy allows framing).
pub struct Page {
    content_type: ContentType,
    body: Cow<'static, [u8]>,
    nonce: Option<String>,
    cache: &'static str,
    etag: Option<String>,
    not_modified: bool,
    framing: Framing,
    cross_origin: bool,
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut res = Response::build();
        if self.not_modified {
            res.status(Status::NotModified);
        } else {
            res.header(self.content_type)
                .sized_body(self.body.len(), Cursor::new(self.body.into_owned()));
        }
        if let Some(etag) = self.etag {
            res.header(Header::new("ETag", etag));
        }
        if self.cross_origin {
            // Other sites load the embed (also with `crossorigin` or under COEP).
            res.header(Header::new("Access-Control-Allow-Origin", "*"))
                .header(Header::new("Cross-Origin-Resource-Policy", "cross-origin"));
        }
        res.header(Header::new("Cache-Control", self.cache))
            .header(Header::new(
                "Content-Security-Policy",
                csp(self.nonce.as_deref(), self.framing),
            ))
            .header(Header::new("Referrer-Policy", "no-referrer"))
            .header(Header::new("Cross-Origin-Opener-Policy", "same-origin"))
            .ok()
    }
}

fn page() -> Page {
    page_of(index_html())
}

/// `html` (the editor or the tutorials) with a fresh nonce for the editor's style.
fn page_of(html: &str) -> Page {
    let nonce = nonce();
    let html = html.replace(
        "<meta name=\"style-nonce\" content=\"\">",
        &format!(
            "<meta name=\"style-nonce\" content=\"{}\">",
            nonce.as_deref().unwrap_or("")
        ),
    );
    Page {
        content_type: ContentType::HTML,
        body: Cow::Owned(html.into_bytes()),
        nonce,
        cache: "no-cache",
        etag: None,
        not_modified: false,
        framing: Framing::Deny,
        cross_origin: false,
    }
}

/// The frame page: no inline style or script, so no nonce; framed by anyone.
fn frame_page() -> Page {
    Page {
        content_type: ContentType::HTML,
        body: Cow::Borrowed(embed_html().as_bytes()),
        nonce: None,
        cache: "no-cache",
        etag: None,
        not_modified: false,
        framing: Framing::Any,
        cross_origin: true,
    }
}

/// The editor.
#[get("/")]
pub fn index() -> Page {
    page()
}

/// A shared snippet: the page loads it from /meta/gist/<id>.
#[get("/p/<_id>")]
pub fn shared(_id: &str) -> Page {
    page()
}

/// The tutorials.
#[get("/learn")]
pub fn learn() -> Page {
    page_of(learn_html())
}

/// A tutorial (the page goes on to its current or first lesson), or one of its
/// lessons; 404 for a tutorial or lesson that does not exist.
#[get("/learn/<tutorial>/<lesson..>")]
pub fn learn_lesson(tutorial: &str, lesson: std::path::PathBuf) -> Option<Page> {
    let t = corral_learn::tutorial(tutorial)?;
    let mut rest = lesson.iter();
    match (rest.next(), rest.next()) {
        (None, _) => {}
        (Some(l), None) if t.lesson(&l.to_string_lossy()).is_some() => {}
        _ => return None,
    }
    Some(page_of(learn_html()))
}

/// A runnable snippet for an `<iframe>`: `/embed?code=…&harness=…&edition=…&version=…
/// &mode=…&args=<JSON>&theme=light|dark` (the script reads the query).
#[get("/embed")]
pub fn embed() -> Page {
    frame_page()
}

/// A shared snippet in a frame: the script loads it from /meta/gist/<id>.
#[get("/embed/p/<_id>")]
pub fn embed_shared(_id: &str) -> Page {
    frame_page()
}

/// The `If-None-Match` request header, if any.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        request::Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(String::from),
        ))
    }
}

/// A named asset. With the current `?v=` it may be cached for a year; otherwise the
/// client revalidates by ETag.
fn serve(name: &str, v: Option<&str>, inm: IfNoneMatch) -> Option<Page> {
    let asset = find(name)?;
    let etag = format!("\"{}\"", asset.version);
    let not_modified = inm
        .0
        .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    Some(Page {
        content_type: asset.content_type.clone(),
        body: Cow::Borrowed(&asset.body),
        nonce: None,
        cache: if v == Some(asset.version.as_str()) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        },
        etag: Some(etag),
        not_modified,
        framing: Framing::Deny,
        cross_origin: asset.cross_origin,
    })
}

/// The bundles.
#[get("/assets/<file>?<v>")]
pub fn asset(file: &str, v: Option<&str>, inm: IfNoneMatch) -> Option<Page> {
    serve(file, v, inm)
}

/// The embed script, at a short URL for other sites' `<script src>`: unversioned, so
/// revalidated on each use (the frame page names it with its version).
#[get("/embed.js?<v>")]
pub fn embed_script(v: Option<&str>, inm: IfNoneMatch) -> Option<Page> {
    serve("embed.js", v, inm)
}

/// The page's routes.
pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        index,
        shared,
        asset,
        embed,
        embed_shared,
        embed_script,
        learn,
        learn_lesson
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::local::blocking::Client;

    #[test]
    fn the_page_names_its_versioned_assets() {
        let html = index_html();
        let (js, css) = (current("app.js"), current("app.css"));
        assert!(
            html.contains(&format!("src=\"/assets/app.js?v={js}\"")),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/assets/app.css?v={css}\"")),
            "{html}"
        );
        assert!(!html.contains("<script>"), "no inline scripts");
        assert_eq!(js.len(), 16);
        assert!(html.contains("<meta name=\"style-nonce\" content=\"\">"));
        let (a, b) = (nonce().unwrap(), nonce().unwrap());
        assert!(a.len() == 32 && a != b);
        let with = csp(Some(&a), Framing::Deny);
        assert!(with.contains(&format!("style-src 'self' 'nonce-{a}';")));
        let without = csp(None, Framing::Deny);
        assert!(!without.contains("nonce") && !without.contains("unsafe"));
    }

    #[test]
    fn the_tutorials_page_names_its_versioned_assets() {
        let html = learn_html();
        let (js, css) = (current("learn.js"), current("learn.css"));
        assert!(
            html.contains(&format!("src=\"/assets/learn.js?v={js}\"")),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/assets/learn.css?v={css}\"")),
            "{html}"
        );
        assert!(!html.contains("<script>") && !html.contains("<style"));
        let client = Client::tracked(rocket::build().mount("/", routes())).unwrap();
        for (path, status) in [
            ("/learn", Status::Ok),
            ("/learn/rust-basics", Status::Ok),
            ("/learn/rust-basics/variables", Status::Ok),
            ("/learn/nope", Status::NotFound),
            ("/learn/rust-basics/nope", Status::NotFound),
            ("/learn/rust-basics/variables/more", Status::NotFound),
        ] {
            let res = client.get(path).dispatch();
            assert_eq!(res.status(), status, "{path}");
            if status == Status::Ok {
                let policy = res.headers().get_one("Content-Security-Policy").unwrap();
                assert!(policy.contains("script-src 'self';"), "{policy}");
                assert!(policy.contains("'nonce-"), "the editor's style: {policy}");
            }
        }
    }

    #[test]
    fn the_embed_names_its_versioned_assets() {
        let html = embed_html();
        let (js, css) = (current("embed.js"), current("embed.css"));
        assert!(
            html.contains(&format!("src=\"/embed.js?v={js}\"")),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/assets/embed.css?v={css}\"")),
            "{html}"
        );
        assert!(!html.contains("<script>") && !html.contains("<style"));
        // The script adds the stylesheet to the pages that include it, by version.
        let script = String::from_utf8_lossy(&find("embed.js").unwrap().body).into_owned();
        assert_eq!(
            script
                .matches(&format!("\"assets/embed.css?v={css}\""))
                .count(),
            1,
            "embed.js names embed.css once, with its version"
        );
        assert_ne!(
            current("embed.js"),
            version(EMBED_JS),
            "versioned as served"
        );
    }

    /// Header `name` of `path`'s response, and its status and content type.
    fn get(client: &Client, path: &str) -> (Status, Option<String>, Vec<(String, String)>) {
        let res = client.get(path).dispatch();
        let headers = res
            .headers()
            .iter()
            .map(|h| {
                (
                    h.name().as_str().to_ascii_lowercase(),
                    h.value().to_string(),
                )
            })
            .collect();
        (
            res.status(),
            res.content_type().map(|c| c.to_string()),
            headers,
        )
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn only_the_embed_frame_may_be_framed() {
        let rocket = rocket::build()
            .attach(shield())
            .attach(FrameGuard)
            .attach(crate::cors::Cors)
            .mount("/", routes());
        let client = Client::tracked(rocket).unwrap();
        let js = current("embed.js");
        for path in [
            "/",
            "/p/abc",
            "/assets/app.js",
            "/embed.js",
            "/assets/embed.css",
            "/learn",
            "/learn/rocket",
            "/learn/rocket/routes",
            "/assets/learn.js",
        ] {
            let (status, _, h) = get(&client, path);
            assert_eq!(status, Status::Ok, "{path}");
            let policy = header(&h, "content-security-policy").unwrap();
            assert!(
                policy.ends_with("frame-ancestors 'none'"),
                "{path}: {policy}"
            );
            assert_eq!(header(&h, "x-frame-options"), Some("DENY"), "{path}");
            assert_eq!(header(&h, "x-content-type-options"), Some("nosniff"));
        }
        for path in [
            "/embed",
            "/embed?code=fn%20main()%20%7B%7D&harness=bin",
            "/embed/p/abc",
        ] {
            let (status, ct, h) = get(&client, path);
            assert_eq!(status, Status::Ok, "{path}");
            assert_eq!(ct.as_deref(), Some("text/html; charset=utf-8"), "{path}");
            let policy = header(&h, "content-security-policy").unwrap();
            assert!(policy.ends_with("frame-ancestors *"), "{path}: {policy}");
            assert!(policy.contains("script-src 'self';"), "{policy}");
            assert!(
                policy.contains("style-src 'self';"),
                "no nonce, no inline style: {policy}"
            );
            assert!(!policy.contains("unsafe"), "{policy}");
            assert_eq!(header(&h, "x-frame-options"), None, "{path}");
            assert_eq!(header(&h, "cache-control"), Some("no-cache"));
        }

        // The script for other sites: JavaScript, readable cross-origin, revalidated
        // unless versioned.
        let (_, ct, h) = get(&client, "/embed.js");
        assert_eq!(ct.as_deref(), Some("text/javascript"));
        assert_eq!(header(&h, "access-control-allow-origin"), Some("*"));
        assert_eq!(
            header(&h, "cross-origin-resource-policy"),
            Some("cross-origin")
        );
        assert_eq!(header(&h, "cache-control"), Some("no-cache"));
        assert_eq!(header(&h, "etag"), Some(format!("\"{js}\"").as_str()));
        let (_, _, h) = get(&client, &format!("/embed.js?v={js}"));
        assert_eq!(
            header(&h, "cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let res = client
            .get("/embed.js")
            .header(Header::new("If-None-Match", format!("\"{js}\"")))
            .dispatch();
        assert_eq!(res.status(), Status::NotModified);
        let (_, ct, h) = get(&client, "/assets/embed.css");
        assert_eq!(ct.as_deref(), Some("text/css; charset=utf-8"));
        assert_eq!(header(&h, "access-control-allow-origin"), Some("*"));
        // The page's own bundle stays same-origin.
        let (_, _, h) = get(&client, "/assets/app.js");
        assert_eq!(header(&h, "access-control-allow-origin"), None);
        assert_eq!(header(&h, "cross-origin-resource-policy"), None);
        assert_eq!(get(&client, "/assets/embed.html").0, Status::NotFound);
        let (status, _, h) = get(&client, "/embed.css");
        assert_eq!(status, Status::NotFound);
        assert_eq!(header(&h, "x-frame-options"), Some("DENY"), "errors too");
    }
}
