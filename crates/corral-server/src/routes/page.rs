//! The page: `/` and `/p/<id>` answer the editor (web/dist/index.html), `/assets/<file>`
//! its bundle. The assets are built by `npm run build` in web/ and embedded here, so
//! the binary needs no Node; a strict Content-Security-Policy and no framing.

use rocket::get;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Cursor;
use std::sync::OnceLock;

const INDEX: &str = include_str!("../../../../web/dist/index.html");
const APP_JS: &[u8] = include_bytes!("../../../../web/dist/app.js");
const APP_CSS: &[u8] = include_bytes!("../../../../web/dist/app.css");

/// The page's policy: its own scripts, styles and API only; never framed. The editor
/// injects one `<style>` element, admitted by a nonce fresh for each response.
pub fn csp(nonce: Option<&str>) -> String {
    let style = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'{style}; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
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

/// The versions of app.js and app.css.
fn versions() -> &'static (String, String) {
    static V: OnceLock<(String, String)> = OnceLock::new();
    V.get_or_init(|| (version(APP_JS), version(APP_CSS)))
}

/// index.html with versioned asset URLs, so the assets can be cached for good.
fn index_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        let (js, css) = versions();
        INDEX
            .replace("/assets/app.js\"", &format!("/assets/app.js?v={js}\""))
            .replace("/assets/app.css\"", &format!("/assets/app.css?v={css}\""))
    })
}

/// A page response with the security headers.
pub struct Page {
    content_type: ContentType,
    body: Cow<'static, [u8]>,
    nonce: Option<String>,
    cache: &'static str,
    etag: Option<String>,
    not_modified: bool,
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
        res.header(Header::new("Cache-Control", self.cache))
            .header(Header::new(
                "Content-Security-Policy",
                csp(self.nonce.as_deref()),
            ))
            .header(Header::new("X-Frame-Options", "DENY"))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Referrer-Policy", "no-referrer"))
            .header(Header::new("Cross-Origin-Opener-Policy", "same-origin"))
            .ok()
    }
}

fn page() -> Page {
    let nonce = nonce();
    let html = index_html().replace(
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

/// The bundle. With the current `?v=` it may be cached for a year; otherwise the
/// client revalidates by ETag.
#[get("/assets/<file>?<v>")]
pub fn asset(file: &str, v: Option<&str>, inm: IfNoneMatch) -> Option<Page> {
    let (js, css) = versions();
    let (content_type, body, current) = match file {
        "app.js" => (ContentType::JavaScript, APP_JS, js),
        "app.css" => (ContentType::CSS, APP_CSS, css),
        _ => return None,
    };
    let etag = format!("\"{current}\"");
    let not_modified = inm
        .0
        .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    Some(Page {
        content_type,
        body: Cow::Borrowed(body),
        nonce: None,
        cache: if v == Some(current.as_str()) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        },
        etag: Some(etag),
        not_modified,
    })
}

/// The page's routes.
pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, shared, asset]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_its_versioned_assets() {
        let html = index_html();
        let (js, css) = versions();
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
        assert!(csp(Some(&a)).contains(&format!("style-src 'self' 'nonce-{a}';")));
        assert!(!csp(None).contains("nonce") && !csp(None).contains("unsafe"));
    }
}
