//! `/meta`: the crate list, the toolchains' versions, and shared snippets (gists).

use super::wire::{Code, FileIn, GistIn, GistOut, PgJson};
use crate::error::ApiError;
use crate::routes::native::Client;
use crate::state::App;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use corral_rust::toolchain::Toolchain;
use rocket::http::{Header, Status};
use rocket::request::{self, FromRequest};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The most a shared snippet may hold (docs/contracts.md, Memoization).
pub const SHARE_MAX: usize = 64 << 10;

/// A JSON body with the playground's caching headers; 304 when the client has it.
pub struct Cached {
    etag: String,
    body: Option<Value>,
}

impl<'r> Responder<'r, 'static> for Cached {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> response::Result<'static> {
        let mut res = match self.body {
            Some(v) => Json(v).respond_to(req)?,
            None => Response::build().status(Status::NotModified).finalize(),
        };
        res.set_header(Header::new("ETag", self.etag));
        res.set_header(Header::new("Cache-Control", "public, max-age=600"));
        Ok(res)
    }
}

/// The `If-None-Match` header, if any.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        request::Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(String::from),
        ))
    }
}

impl IfNoneMatch {
    fn matches(&self, etag: &str) -> bool {
        self.0.as_deref().is_some_and(|h| {
            h.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
    }
}

fn cached(value: &(Value, String), inm: &IfNoneMatch) -> Cached {
    let (body, etag) = value;
    Cached {
        etag: etag.clone(),
        body: (!inm.matches(etag)).then(|| body.clone()),
    }
}

fn stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("\"pg-ts-{secs}\"")
}

/// `{crates: [{name, version, id}]}`; `id` is the name `extern crate` uses.
fn crates_value() -> Result<&'static (Value, String), ApiError> {
    static CRATES: OnceLock<(Value, String)> = OnceLock::new();
    if let Some(v) = CRATES.get() {
        return Ok(v);
    }
    let list = corral_rust::bake::CrateList::builtin()
        .crates()
        .map_err(|e| ApiError::new(Status::InternalServerError, e.to_string()))?;
    let crates: Vec<Value> = list
        .iter()
        .map(|(name, version)| json!({"name": name, "version": version, "id": name.replace('-', "_")}))
        .collect();
    Ok(CRATES.get_or_init(|| (json!({ "crates": crates }), stamp())))
}

#[get("/meta/crates")]
pub fn meta_crates(inm: IfNoneMatch) -> Result<Cached, ApiError> {
    Ok(cached(crates_value()?, &inm))
}

#[post("/meta/crates")]
pub fn meta_crates_post(inm: IfNoneMatch) -> Result<Cached, ApiError> {
    Ok(cached(crates_value()?, &inm))
}

/// `/meta/versions`, built once when the server starts from what the toolchains
/// record (rustc's `-vV`, rustup's manifest for the tools): no tool runs per request.
pub struct Versions((Value, String));

impl Versions {
    pub fn new(toolchains: &[Toolchain]) -> Versions {
        Versions((versions_of(toolchains), stamp()))
    }
}

/// What a channel or tool that is not installed shows, in the shape of a version: the
/// playground's frontend checks that `stable`, `beta` and `nightly` each have `rustc`,
/// `rustfmt` and `clippy` as `{version, hash, date}` strings (`miri` may be absent)
/// and drops the whole answer otherwise.
pub const NOT_INSTALLED: &str = "not installed";

fn not_installed() -> Value {
    json!({"version": NOT_INSTALLED, "hash": "", "date": ""})
}

fn versions_of(toolchains: &[Toolchain]) -> Value {
    let mut all = serde_json::Map::new();
    for channel in ["stable", "beta", "nightly"] {
        let mut v = serde_json::Map::new();
        for key in ["rustc", "rustfmt", "clippy"] {
            v.insert(key.into(), not_installed());
        }
        if let Some(tc) = toolchains.iter().find(|t| t.channel == channel) {
            // The tools are built from the compiler's own commit.
            let hash: String = tc.commit_hash.chars().take(10).collect();
            v.insert(
                "rustc".into(),
                json!({"version": tc.version, "hash": tc.commit_hash, "date": tc.commit_date}),
            );
            for (tool, version) in tc.tool_versions(&["rustfmt", "clippy", "miri"]) {
                v.insert(
                    tool,
                    json!({"version": version, "hash": hash, "date": tc.commit_date}),
                );
            }
        }
        all.insert(channel.into(), Value::Object(v));
    }
    Value::Object(all)
}

#[get("/meta/versions")]
pub fn meta_versions(versions: &State<Versions>, inm: IfNoneMatch) -> Cached {
    cached(&versions.0, &inm)
}

/// A snippet's content-addressed id: base64url (no padding) of the first 12 bytes of
/// its SHA-256, 16 characters.
pub fn share_id(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

/// This server's own address as the client named it, for share links.
pub struct BaseUrl(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BaseUrl {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let h = req.headers();
        let scheme = match h.get_one("X-Forwarded-Proto") {
            Some("https") => "https",
            _ => "http",
        };
        let host = h
            .get_one("X-Forwarded-Host")
            .or_else(|| h.get_one("Host"))
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .map(String::from)
            .or_else(|| req.rocket().config().address.to_string().into())
            .unwrap_or_default();
        request::Outcome::Success(BaseUrl(format!("{scheme}://{host}")))
    }
}

/// What a share stores for `code`: a string as it is; a list of files (as upstream,
/// which keeps each file of a list in the gist under its name) as JSON after a marker
/// no Rust source starts with, the files sorted by name (a gist's files are a map), so
/// the same files share one id. A list of one file is that file's text, as upstream
/// answers a gist of one file.
const FILES_MARKER: &str = "\0corral-files\n";

fn stored(code: Code) -> String {
    match code {
        Code::Text(t) => t,
        Code::Files(mut files) if files.len() == 1 => files.remove(0).content,
        Code::Files(mut files) => {
            files.sort_by(|a, b| a.name.cmp(&b.name));
            let json = serde_json::to_string(&files).unwrap_or_default();
            format!("{FILES_MARKER}{json}")
        }
    }
}

/// A share's text as the `code` it was given as.
fn loaded(text: String) -> Code {
    match text
        .strip_prefix(FILES_MARKER)
        .and_then(|json| serde_json::from_str::<Vec<FileIn>>(json).ok())
    {
        Some(files) => Code::Files(files),
        None => Code::Text(text),
    }
}

fn gist_out(base: &BaseUrl, id: String, code: Code) -> GistOut {
    GistOut {
        url: format!("{}/?gist={id}", base.0),
        id,
        code,
    }
}

async fn gist_create_inner(
    body: PgJson<GistIn>,
    app: &App,
    client: &Client,
    base: &BaseUrl,
) -> Result<Json<GistOut>, ApiError> {
    crate::routes::native::rate_limit(app, client)?;
    let code = stored(body.0?.code);
    if code.len() > SHARE_MAX {
        return Err(ApiError::new(
            Status::PayloadTooLarge,
            format!(
                "the snippet is {} bytes; a share holds at most {SHARE_MAX}",
                code.len()
            ),
        ));
    }
    let id = share_id(&code);
    app.memo.put_share(&id, code.clone()).await.map_err(|e| {
        ApiError::new(
            Status::InternalServerError,
            format!("cannot store the snippet: {e}"),
        )
    })?;
    Ok(Json(gist_out(base, id, loaded(code))))
}

#[post("/meta/gist", data = "<body>")]
pub async fn gist_create(
    body: PgJson<GistIn>,
    app: &State<App>,
    client: Client,
    base: BaseUrl,
) -> Result<Json<GistOut>, ApiError> {
    gist_create_inner(body, app, &client, &base).await
}

#[get("/meta/gist/<id>")]
pub async fn gist_get(
    id: &str,
    app: &State<App>,
    base: BaseUrl,
) -> Result<Json<GistOut>, ApiError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let found = match valid {
        true => app.memo.get_share(id).await,
        false => None,
    };
    match found {
        Some(code) => Ok(Json(gist_out(&base, id.to_string(), loaded(code)))),
        None => Err(ApiError::new(
            Status::NotFound,
            format!("no gist with id '{id}'"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_ids_are_content_addressed() {
        let a = share_id("fn main() {}");
        assert_eq!(a.len(), 16);
        assert_eq!(a, share_id("fn main() {}"));
        assert_ne!(a, share_id("fn main() { }"));
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn versions_name_each_installed_channel() {
        let found = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
        let v = versions_of(&found);
        for t in found.iter().filter(|t| t.channel == "stable") {
            assert_eq!(v["stable"]["rustc"]["hash"], json!(t.commit_hash));
            if t.has("rustfmt") {
                assert!(v["stable"]["rustfmt"]["version"].is_string(), "{v}");
            }
        }
    }

    #[test]
    fn versions_always_have_every_channel_in_the_frontends_shape() {
        for v in [
            versions_of(&[]),
            versions_of(&corral_rust::toolchain::discover(
                &corral_rust::toolchain::rustup_home(),
            )),
        ] {
            for channel in ["stable", "beta", "nightly"] {
                for tool in ["rustc", "rustfmt", "clippy"] {
                    for field in ["version", "hash", "date"] {
                        assert!(v[channel][tool][field].is_string(), "{channel} {tool}: {v}");
                    }
                }
                if let Some(miri) = v[channel].get("miri") {
                    assert!(miri["version"].is_string(), "{v}");
                }
            }
        }
        let none = versions_of(&[]);
        assert_eq!(none["beta"]["rustc"]["version"], NOT_INSTALLED);
        assert!(none["nightly"].get("miri").is_none());
    }

    #[test]
    fn a_list_of_files_is_shared_as_a_list() {
        let f = |n: &str, c: &str| FileIn {
            name: n.into(),
            content: c.into(),
        };
        let files = vec![f("src/main.rs", "mod a;\nfn main() {}"), f("src/a.rs", "")];
        let text = stored(Code::Files(files.clone()));
        assert!(text.starts_with(FILES_MARKER));
        // Sorted by name: the same files are one share.
        assert_eq!(
            text,
            stored(Code::Files(files.iter().rev().cloned().collect()))
        );
        assert_eq!(
            loaded(text),
            Code::Files(vec![files[1].clone(), files[0].clone()])
        );
        assert_eq!(stored(Code::Files(vec![f("main.rs", "x")])), "x");
        assert_eq!(
            loaded("fn main() {}".into()),
            Code::Text("fn main() {}".into())
        );
    }
}
