//! The native API under /api/v1, the curl-friendly /run/<harness>, /healthz, /metrics.

use crate::api::RunRequest;
use crate::error::ApiError;
use crate::state::App;
use corral_rust::request::Request;
use corral_rust::result::{Output, RustResult};
use rocket::http::{ContentType, Status};
use rocket::request::{self, FromRequest};
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::Serialize;
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::atomic::Ordering;

/// The client's address, for the rate limit: the peer address of the client's
/// connection (which the front layer maps back from the connection it opened to
/// Rocket), or, only when `[server] ip_header` names one, that header's value.
pub struct Client(pub IpAddr);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Client {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let app = req.rocket().state::<App>();
        let from_header = app
            .and_then(|a| a.ip_header.as_deref())
            .and_then(|h| req.headers().get_one(h))
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let remote = req.remote();
        let ip = from_header
            .or_else(|| {
                let (app, remote) = (app?, remote?);
                Some(app.peers.get(remote)?.ip())
            })
            .or_else(|| remote.map(|r| r.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        request::Outcome::Success(Client(ip))
    }
}

/// The raw query string's pairs, decoded (for harness arguments).
pub struct QueryPairs(pub Vec<(String, String)>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for QueryPairs {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let pairs = req
            .uri()
            .query()
            .map(|q| {
                q.segments()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        request::Outcome::Success(QueryPairs(pairs))
    }
}

/// Whether the client prefers plain text.
pub struct WantsText(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for WantsText {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let text = req
            .accept()
            .is_some_and(|a| a.preferred().media_type().is_plain());
        request::Outcome::Success(WantsText(text))
    }
}

/// The client's rate limit: 429 with Retry-After when it is used up.
pub fn rate_limit(app: &App, client: &Client) -> Result<(), ApiError> {
    if let Err(wait) = app.limiter.check(client.0) {
        app.metrics.rejected_rate.fetch_add(1, Ordering::Relaxed);
        let mut e = ApiError::new(
            Status::TooManyRequests,
            format!("too many requests from {}; try again in {wait} s", client.0),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    Ok(())
}

/// Admission: rate limit, then readiness.
pub fn admit(app: &App, client: &Client) -> Result<(), ApiError> {
    app.metrics.requests.fetch_add(1, Ordering::Relaxed);
    rate_limit(app, client)?;
    if app.lifecycle.draining() {
        return Err(ApiError::busy(crate::state::SHUTTING_DOWN, 5));
    }
    let (ready, detail) = app.readiness();
    if !ready {
        return Err(ApiError::busy(format!("not ready: {detail}"), 10));
    }
    Ok(())
}

/// The native answer to a run: the Rust result, whether it came from the memo store,
/// and its memo key.
#[derive(Serialize)]
pub struct RunAnswer {
    #[serde(flatten)]
    pub result: RustResult,
    pub cached: bool,
    pub key: String,
}

/// Lowers `req` into its plan and runs it through the runner; the Rust result.
pub async fn run_request(app: &App, req: Request) -> Result<RunAnswer, ApiError> {
    let plan = app.pipeline.plan(&req)?;
    let key = plan.key.clone();
    let done = app.runner.run(plan).await?;
    match &*done.output {
        Output::Run(result) => Ok(RunAnswer {
            result: result.clone(),
            cached: done.cached,
            key,
        }),
        Output::Tool(_) => Err(ApiError::new(
            Status::InternalServerError,
            "a run answered with a tool's output",
        )),
    }
}

/// A JSON body that could not be read: 413 when it is over the limit, else 400.
pub fn json_error(e: rocket::serde::json::Error<'_>) -> ApiError {
    match e {
        rocket::serde::json::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            ApiError::new(Status::PayloadTooLarge, "the request body is too large")
        }
        other => ApiError::bad_request(format!("invalid request: {other}")),
    }
}

#[post("/api/v1/run", data = "<body>")]
pub async fn run(
    body: Result<Json<RunRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<RunAnswer>, ApiError> {
    admit(app, &client)?;
    let body = body.map_err(json_error)?;
    let req = body.into_inner().into_request()?;
    Ok(Json(run_request(app, req).await?))
}

#[post("/run/<harness>", data = "<stub>")]
pub async fn run_harness(
    harness: &str,
    stub: Result<String, std::io::Error>,
    query: QueryPairs,
    text: WantsText,
    app: &State<App>,
    client: Client,
) -> Result<(ContentType, String), ApiError> {
    admit(app, &client)?;
    let stub = stub.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ApiError::new(Status::PayloadTooLarge, "the request body is too large")
        } else {
            ApiError::bad_request(format!("the body must be UTF-8 text: {e}"))
        }
    })?;
    let body = crate::api::harness_request(harness, stub, query.0);
    let req = body.into_request()?;
    let answer = run_request(app, req).await?;
    if !text.0 {
        let json = serde_json::to_string(&answer)
            .map_err(|e| ApiError::new(Status::InternalServerError, e.to_string()))?;
        return Ok((ContentType::JSON, json));
    }
    // Plain text: what a person would read in a terminal.
    let mut out = String::new();
    match &answer.result.run {
        None => out.push_str(&answer.result.compile.stderr),
        Some(run) => {
            out.push_str(&run.stdout);
            out.push_str(&run.stderr);
            if run.harness.as_object().is_some_and(|h| !h.is_empty()) {
                out.push_str(&serde_json::to_string_pretty(&run.harness).unwrap_or_default());
                out.push('\n');
            }
        }
    }
    Ok((ContentType::Plain, out))
}

#[get("/api/v1/harnesses")]
pub fn harnesses() -> Json<Value> {
    let list: Vec<Value> = corral_rust::harness::builtin()
        .iter()
        .map(|h| json!(h.schema()))
        .collect();
    Json(json!({ "harnesses": list }))
}

#[get("/api/v1/toolchains")]
pub fn toolchains(app: &State<App>) -> Json<Value> {
    use corral_rust::bake::{BakeMode, load};
    let list: Vec<Value> = app
        .pipeline
        .toolchains()
        .iter()
        .map(|t| {
            let baked = |m| {
                load(app.pipeline.bake_store(), t, m)
                    .ok()
                    .flatten()
                    .is_some()
            };
            let mut v = json!(t);
            v["baked"] =
                json!({"debug": baked(BakeMode::Debug), "release": baked(BakeMode::Release)});
            v
        })
        .collect();
    Json(json!({ "toolchains": list }))
}

#[get("/api/v1/crates")]
pub fn crates() -> Result<Json<Value>, ApiError> {
    let list = corral_rust::bake::CrateList::builtin()
        .crates()
        .map_err(|e| ApiError::new(Status::InternalServerError, e.to_string()))?;
    let crates: Vec<Value> = list
        .iter()
        .map(|(name, version)| json!({"name": name, "version": version, "id": name}))
        .collect();
    Ok(Json(json!({ "crates": crates })))
}

#[get("/healthz")]
pub fn healthz(app: &State<App>) -> (Status, Json<Value>) {
    let (ready, detail) = app.readiness();
    let (running, waiting) = app.runner.load();
    let mut body = json!({
        "status": if ready { "ok" } else { "starting" },
        "detail": detail,
        "queue": {"running": running, "waiting": waiting},
    });
    if let Some(cluster) = app.runner.cluster() {
        body["cluster"] = cluster;
    }
    (
        if ready {
            Status::Ok
        } else {
            Status::ServiceUnavailable
        },
        Json(body),
    )
}

/// Bearer token for /metrics, when one is configured.
pub struct Bearer(pub Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Bearer {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> request::Outcome<Self, ()> {
        let token = req
            .headers()
            .get_one("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(String::from);
        request::Outcome::Success(Bearer(token))
    }
}

#[get("/metrics")]
pub fn metrics(app: &State<App>, bearer: Bearer) -> Result<(ContentType, String), ApiError> {
    if let Some(token) = &app.metrics_token
        && bearer.0.as_deref() != Some(token.as_str())
    {
        return Err(ApiError::new(
            Status::Unauthorized,
            "/metrics needs `Authorization: Bearer <token>`",
        ));
    }
    let (m, c) = (&app.metrics, &app.connections);
    let (running, waiting) = app.runner.load();
    let cluster = app.runner.cluster();
    let cluster_gauge = |key: &str| cluster.as_ref().and_then(|c| c[key].as_u64()).unwrap_or(0);
    let text = format!(
        "# HELP corral_requests_total requests to the run and tool routes, refused ones included\n\
         # TYPE corral_requests_total counter\ncorral_requests_total {}\n\
         # TYPE corral_cache_hits_total counter\ncorral_cache_hits_total {}\n\
         # HELP corral_runs_total jobs executed in the sandbox (not memo hits, shared executions or refusals)\n\
         # TYPE corral_runs_total counter\ncorral_runs_total {}\n\
         # TYPE corral_rejected_total counter\ncorral_rejected_total{{reason=\"busy\"}} {}\ncorral_rejected_total{{reason=\"rate\"}} {}\n\
         # TYPE corral_queue_running gauge\ncorral_queue_running {running}\n\
         # TYPE corral_queue_waiting gauge\ncorral_queue_waiting {waiting}\n\
         # TYPE corral_memo_bytes gauge\ncorral_memo_bytes {}\n\
         # HELP corral_cluster_workers workers seen in the cluster (0 without a cluster)\n\
         # TYPE corral_cluster_workers gauge\ncorral_cluster_workers {}\n\
         # HELP corral_cluster_stream_waiting plans waiting in the cluster's stream (0 without a cluster)\n\
         # TYPE corral_cluster_stream_waiting gauge\ncorral_cluster_stream_waiting {}\n\
         # TYPE corral_connections_open gauge\ncorral_connections_open {}\n\
         # HELP corral_connections_closed_total connections the server closed: over the cap (refused when all were busy, evicted when idle) or by a timer\n\
         # TYPE corral_connections_closed_total counter\n\
         corral_connections_closed_total{{reason=\"refused\"}} {}\n\
         corral_connections_closed_total{{reason=\"evicted\"}} {}\n\
         corral_connections_closed_total{{reason=\"timeout\"}} {}\n",
        m.requests.load(Ordering::Relaxed),
        m.cache_hits.load(Ordering::Relaxed),
        m.runs.load(Ordering::Relaxed),
        m.rejected_busy.load(Ordering::Relaxed),
        m.rejected_rate.load(Ordering::Relaxed),
        app.memo.bytes(),
        cluster_gauge("workers"),
        cluster_gauge("stream_waiting"),
        c.open.load(Ordering::Relaxed),
        c.refused.load(Ordering::Relaxed),
        c.evicted.load(Ordering::Relaxed),
        c.timed_out.load(Ordering::Relaxed),
    );
    Ok((
        ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        text,
    ))
}
