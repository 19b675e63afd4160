//! Job dispatch behind one small interface: a job is a plan (serializable), its answer
//! a typed result, so a queue in another process or on another machine can implement
//! [`Jobs`] without touching the routes. The in-process queue runs at most `workers`
//! jobs at once and lets at most `waiting` more wait; beyond that it is full.

use corral_rust::pipeline::{LiveStdin, Stop};
use corral_rust::plan::Plan;
use corral_rust::request::RequestError;
use corral_rust::result::{Output, Progress};
use futures::future::BoxFuture;
use rocket::tokio::sync::Semaphore;
use rocket::tokio::sync::mpsc::UnboundedSender;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The answer to a run refused or stopped because the server is shutting down.
pub const SHUTTING_DOWN: &str = "the server is shutting down; try again shortly";

/// One job: a plan, and for a live job (the WebSocket) its stdin, kill switch and
/// progress stream.
pub struct Job {
    pub plan: Plan,
    pub live: Option<Live>,
    /// Set when a worker starts the job (until then, shutdown may answer it at once).
    pub started: Arc<AtomicBool>,
}

impl Job {
    pub fn new(plan: Plan, live: Option<Live>) -> Job {
        Job {
            plan,
            live,
            started: Arc::new(AtomicBool::new(false)),
        }
    }
}

pub struct Live {
    /// Chunks for the program's stdin after the plan's own; end-of-file when dropped.
    pub stdin: LiveStdin,
    pub stop: Stop,
    pub progress: UnboundedSender<Progress>,
}

/// Why a job has no result. Each route family words these its own way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RunError {
    /// The request cannot run (here): the client's mistake, or a channel, tool or
    /// bake this server lacks.
    #[error("{0}")]
    Refused(RequestError),
    /// Too many jobs are waiting: try again later.
    #[error("the server is busy ({waiting} runs waiting); try again shortly")]
    Busy { waiting: usize },
    #[error("{SHUTTING_DOWN}")]
    ShuttingDown,
    /// A live job killed before it started.
    #[error("the run was killed before it started")]
    Cancelled,
    /// The worker failed (panicked, or the queue lost it).
    #[error("the run was lost: {0}")]
    Lost(String),
}

impl RunError {
    /// The HTTP status of this error.
    pub fn http_status(&self) -> u16 {
        match self {
            RunError::Refused(e) => refused_status(e),
            RunError::Busy { .. } | RunError::ShuttingDown => 503,
            RunError::Cancelled => 409,
            RunError::Lost(_) => 500,
        }
    }
}

/// The HTTP status of a refused request: the client's mistake (400), or a bake this
/// server lacks for now (503).
pub fn refused_status(e: &RequestError) -> u16 {
    match e {
        RequestError::NotBaked { .. } => 503,
        _ => 400,
    }
}

pub type JobResult = Result<Output, RunError>;

pub trait Jobs: Send + Sync {
    fn submit(&self, job: Job) -> BoxFuture<'static, JobResult>;
    /// Jobs running and waiting now.
    fn load(&self) -> (usize, usize);
    /// Why no job can run now (a cluster no worker has joined yet); None when jobs can.
    /// Asked on every request, so it must be cheap.
    fn unready(&self) -> Option<String> {
        None
    }
    /// What a distributed queue can tell about its cluster (workers, capabilities),
    /// for /healthz; None for the in-process queue.
    fn cluster(&self) -> Option<serde_json::Value> {
        None
    }
}

/// What runs a job on a worker thread (blocking).
pub type Executor = Arc<dyn Fn(Job) -> JobResult + Send + Sync>;

pub struct InProcess {
    slots: Arc<Semaphore>,
    workers: usize,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    execute: Executor,
}

impl InProcess {
    pub fn new(workers: usize, max_waiting: usize, execute: Executor) -> InProcess {
        InProcess {
            slots: Arc::new(Semaphore::new(workers)),
            workers,
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
            execute,
        }
    }
}

/// One place in the waiting room, given back on drop.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Jobs for InProcess {
    fn submit(&self, job: Job) -> BoxFuture<'static, JobResult> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Box::pin(async move { Err(RunError::Busy { waiting }) });
        }
        let slots = self.slots.clone();
        let execute = self.execute.clone();
        // Leaves the waiting room when the permit comes, or when the caller gives up
        // (its future dropped: the client went away, or shutdown answered it).
        let waiting = Waiting(self.waiting.clone());
        Box::pin(async move {
            let permit = slots.acquire_owned().await;
            drop(waiting);
            let _permit = permit.map_err(|e| RunError::Lost(e.to_string()))?;
            rocket::tokio::task::spawn_blocking(move || execute(job))
                .await
                .map_err(|e| RunError::Lost(e.to_string()))?
        })
    }

    fn load(&self) -> (usize, usize) {
        (
            self.workers - self.slots.available_permits(),
            self.waiting.load(Ordering::SeqCst),
        )
    }
}

#[cfg(test)]
mod tests;
