//! The server's shared state: the pipeline, the memo store, the job queue, the rate
//! limiter, readiness (the bake) and counters for /metrics.

use crate::front::{Peers, Stats};
use crate::memo::Memo;
use crate::queue::{InProcess, Jobs};
use crate::ratelimit::RateLimiter;
use corral_rust::pipeline::{Pipeline, Stop};
use futures::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A finished run as the API returns it (the result JSON without `cached`/`key`), or
/// an HTTP status and message.
pub type RunOutcome = Arc<Result<serde_json::Value, (u16, String)>>;

/// The answer to a run refused or stopped because the server is shutting down.
pub const SHUTTING_DOWN: &str = "the server is shutting down; try again shortly";

pub struct App {
    pub pipeline: Arc<Pipeline>,
    pub memo: Memo,
    pub jobs: Box<dyn Jobs<RunOutcome>>,
    pub limiter: RateLimiter,
    pub readiness: Arc<Readiness>,
    /// Runs in flight by memo key: identical requests share one execution.
    pub inflight: Mutex<HashMap<String, Shared<BoxFuture<'static, RunOutcome>>>>,
    pub metrics: Metrics,
    pub metrics_token: Option<String>,
    /// Shutdown: whether the server is draining, and the runs it may have to stop.
    pub lifecycle: Arc<Lifecycle>,
    /// The client behind each connection the front layer forwards (for the rate limit).
    pub peers: Arc<Peers>,
    /// The front layer's connection counters.
    pub connections: Arc<Stats>,
    /// The header naming the client's address, when a trusted proxy sets it
    /// (`[server] ip_header`); otherwise the connection's peer address is used.
    pub ip_header: Option<String>,
}

/// What shutdown needs: a draining flag every new job checks, and a `Stop` for every
/// run in flight, so that runs still going at the end of the grace period are killed.
#[derive(Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    next: AtomicU64,
    stops: Mutex<HashMap<u64, Stop>>,
}

/// A run registered with [`Lifecycle::register`]; unregisters on drop.
pub struct Registered {
    lifecycle: Arc<Lifecycle>,
    id: u64,
    pub stop: Stop,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.lifecycle
            .stops
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

impl Lifecycle {
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// From now on jobs that have not started answer 503 instead of running.
    pub fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Registers `stop` (of a run about to start) until the returned value is dropped.
    pub fn register(self: &Arc<Self>, stop: Stop) -> Registered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.stops
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, stop.clone());
        if self.draining() {
            stop.kill();
        }
        Registered {
            lifecycle: self.clone(),
            id,
            stop,
        }
    }

    /// Runs registered now (in flight).
    pub fn running(&self) -> usize {
        self.stops.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Kills every registered run; returns how many there were.
    pub fn kill_all(&self) -> usize {
        let stops = self.stops.lock().unwrap_or_else(|p| p.into_inner());
        for s in stops.values() {
            s.kill();
        }
        stops.len()
    }
}

/// Whether runs can be served yet (the default crates are baked), and why not.
#[derive(Default)]
pub struct Readiness {
    ready: AtomicBool,
    detail: Mutex<String>,
}

impl Readiness {
    pub fn set(&self, ready: bool, detail: impl Into<String>) {
        *self.detail.lock().unwrap_or_else(|p| p.into_inner()) = detail.into();
        self.ready.store(ready, Ordering::SeqCst);
    }

    pub fn get(&self) -> (bool, String) {
        let detail = self
            .detail
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        (self.ready.load(Ordering::SeqCst), detail)
    }
}

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub cache_hits: AtomicU64,
    /// Jobs actually executed (memo hits, shared executions and refusals are not).
    pub runs: Arc<AtomicU64>,
    pub rejected_busy: AtomicU64,
    pub rejected_rate: AtomicU64,
}

impl App {
    pub fn new(
        pipeline: Pipeline,
        memo: Memo,
        workers: usize,
        max_waiting: usize,
        limiter: RateLimiter,
    ) -> App {
        App {
            pipeline: Arc::new(pipeline),
            memo,
            jobs: Box::new(InProcess::new(workers, max_waiting)),
            limiter,
            readiness: Arc::new(Readiness::default()),
            inflight: Mutex::new(HashMap::new()),
            metrics: Metrics::default(),
            metrics_token: None,
            lifecycle: Arc::new(Lifecycle::default()),
            peers: Arc::new(Peers::default()),
            connections: Arc::new(Stats::default()),
            ip_header: None,
        }
    }

    pub fn readiness(&self) -> (bool, String) {
        self.readiness.get()
    }

    /// Runs `work` once per key: a request whose key is already running waits for
    /// that run instead of starting another.
    pub fn single_flight(
        &self,
        key: &str,
        work: impl FnOnce() -> BoxFuture<'static, RunOutcome>,
    ) -> Shared<BoxFuture<'static, RunOutcome>> {
        let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(running) = inflight.get(key) {
            return running.clone();
        }
        let fut = work().shared();
        inflight.insert(key.to_string(), fut.clone());
        fut
    }

    /// Runs `job` on the queue. A full queue (503) or a lost worker (500) become an
    /// outcome like any other, so callers map every failure in one place.
    pub fn queued(&self, job: crate::queue::Job<RunOutcome>) -> BoxFuture<'static, RunOutcome> {
        use crate::queue::QueueError;
        let started = Arc::new(AtomicBool::new(false));
        let flag = started.clone();
        let job = self.counted(Box::new(move || {
            flag.store(true, Ordering::SeqCst);
            job()
        }));
        let fut = self.jobs.submit(job);
        let lifecycle = self.lifecycle.clone();
        async move {
            // A job still waiting for a worker when shutdown begins is answered at
            // once (it will not run); one that started is waited for.
            let mut fut = std::pin::pin!(fut);
            let outcome = loop {
                let tick = rocket::tokio::time::sleep(std::time::Duration::from_millis(100));
                rocket::tokio::select! {
                    out = &mut fut => break out,
                    _ = tick => if lifecycle.draining() && !started.load(Ordering::SeqCst) {
                        return Arc::new(Err((503, SHUTTING_DOWN.to_string())));
                    },
                }
            };
            match outcome {
                Ok(outcome) => outcome,
                Err(QueueError::Full { waiting }) => Arc::new(Err((
                    503,
                    format!("the server is busy ({waiting} runs waiting); try again shortly"),
                ))),
                Err(QueueError::Lost(e)) => Arc::new(Err((500, format!("the run was lost: {e}")))),
            }
        }
        .boxed()
    }

    /// `job` as the queue should run it: counted in `corral_runs_total` when it starts,
    /// and answered 503 without running once the server is shutting down.
    pub fn counted(&self, job: crate::queue::Job<RunOutcome>) -> crate::queue::Job<RunOutcome> {
        let runs = self.metrics.runs.clone();
        let lifecycle = self.lifecycle.clone();
        Box::new(move || {
            if lifecycle.draining() {
                return Arc::new(Err((503, SHUTTING_DOWN.to_string())));
            }
            runs.fetch_add(1, Ordering::Relaxed);
            job()
        })
    }

    /// A failed outcome as the client sees it: 503 (counted, with Retry-After) or the
    /// outcome's own status.
    pub fn outcome_error(&self, code: u16, message: &str) -> crate::error::ApiError {
        use crate::error::ApiError;
        use rocket::http::Status;
        if code == 503 {
            self.metrics.rejected_busy.fetch_add(1, Ordering::Relaxed);
            return ApiError::busy(message, 5);
        }
        ApiError::new(
            Status::from_code(code).unwrap_or(Status::InternalServerError),
            message,
        )
    }

    pub fn finished(&self, key: &str) {
        self.inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}
