//! The server's shared state: the pipeline, the memo store, the job queue, the rate
//! limiter, readiness (the bake) and counters for /metrics.

use crate::front::{Peers, Stats};
use crate::memo::{Memo, Store};
use crate::queue::{InProcess, Jobs};
use crate::ratelimit::RateLimiter;
use crate::runner::{Runner, executor};
use corral_rust::pipeline::{Pipeline, Stop};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use crate::queue::SHUTTING_DOWN;

pub struct App {
    pub pipeline: Arc<Pipeline>,
    pub memo: Arc<dyn Store>,
    /// Every job of every route family runs through it.
    pub runner: Runner,
    pub limiter: RateLimiter,
    pub readiness: Arc<Readiness>,
    pub metrics: Arc<Metrics>,
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
    /// What `/download` offers (`corral serve --offer`); none: 404.
    pub offer: Option<Arc<crate::routes::download::Offer>>,
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
    pub runs: AtomicU64,
    pub rejected_busy: AtomicU64,
    pub rejected_rate: AtomicU64,
}

impl App {
    /// The application over `pipeline`, with the in-process queue (`workers` jobs at
    /// once, `max_waiting` more waiting) and the SQLite memo store.
    pub fn new(
        pipeline: Pipeline,
        memo: Memo,
        workers: usize,
        max_waiting: usize,
        limiter: RateLimiter,
    ) -> App {
        App::with_jobs(
            pipeline,
            Arc::new(memo),
            limiter,
            |pipeline, lifecycle, metrics| {
                let execute = executor(pipeline, lifecycle, metrics);
                Box::new(InProcess::new(workers, max_waiting, execute))
            },
        )
    }

    /// The application over `pipeline` with another store and queue (a cluster's):
    /// `jobs` is made from the pipeline, shutdown's lifecycle and the metrics.
    pub fn with_jobs(
        pipeline: Pipeline,
        memo: Arc<dyn Store>,
        limiter: RateLimiter,
        jobs: impl FnOnce(Arc<Pipeline>, Arc<Lifecycle>, Arc<Metrics>) -> Box<dyn Jobs>,
    ) -> App {
        App::assemble(pipeline, memo, limiter, false, jobs)
    }

    /// A cluster's API node: like [`App::with_jobs`], and every run's result is
    /// recorded by its plan (real-time runs included), so a job delivered twice and a
    /// request repeated through another node get the one result.
    pub fn for_cluster(
        pipeline: Pipeline,
        memo: Arc<dyn Store>,
        limiter: RateLimiter,
        jobs: Box<dyn Jobs>,
    ) -> App {
        App::assemble(pipeline, memo, limiter, true, |_, _, _| jobs)
    }

    fn assemble(
        pipeline: Pipeline,
        memo: Arc<dyn Store>,
        limiter: RateLimiter,
        record_real_time: bool,
        jobs: impl FnOnce(Arc<Pipeline>, Arc<Lifecycle>, Arc<Metrics>) -> Box<dyn Jobs>,
    ) -> App {
        let pipeline = Arc::new(pipeline);
        let metrics = Arc::new(Metrics::default());
        let lifecycle = Arc::new(Lifecycle::default());
        let jobs = jobs(pipeline.clone(), lifecycle.clone(), metrics.clone());
        App {
            runner: Runner::new(jobs, memo.clone(), metrics.clone(), lifecycle.clone())
                .record_real_time(record_real_time),
            pipeline,
            memo,
            limiter,
            readiness: Arc::new(Readiness::default()),
            metrics,
            metrics_token: None,
            lifecycle,
            peers: Arc::new(Peers::default()),
            connections: Arc::new(Stats::default()),
            ip_header: None,
            offer: None,
        }
    }

    /// Whether runs can be served, and why not: the default crates are baked and, in a
    /// cluster, some worker has joined.
    pub fn readiness(&self) -> (bool, String) {
        let (ready, detail) = self.readiness.get();
        if ready && let Some(why) = self.runner.unready() {
            return (false, why);
        }
        (ready, detail)
    }
}
