//! The one way a job runs, for every route family: memo store, then single-flight
//! (identical plans in flight share one execution), then the queue, with shutdown and
//! busy handling in one place. Routes lower their request into a plan, call the
//! runner, and shape the typed result their own way.

use crate::memo::Store;
use crate::queue::{Executor, Job, JobResult, Jobs, Live, RunError};
use crate::state::{Lifecycle, Metrics};
use corral_rust::pipeline::{Pipeline, Stop};
use corral_rust::plan::Plan;
use corral_rust::result::Output;
use futures::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// A finished job as the routes see it.
#[derive(Clone, Debug)]
pub struct Done {
    pub output: Arc<Output>,
    /// Whether it came from the memo store.
    pub cached: bool,
}

type Flight = Shared<BoxFuture<'static, Result<Arc<Output>, RunError>>>;

pub struct Runner {
    jobs: Box<dyn Jobs>,
    memo: Arc<dyn Store>,
    /// Jobs in flight by memo key.
    inflight: Arc<Mutex<HashMap<String, Flight>>>,
    metrics: Arc<Metrics>,
    lifecycle: Arc<Lifecycle>,
    /// Remember real-time runs too (a cluster: one plan has one recorded result, however
    /// many times it was delivered and whichever API node asks).
    record_real_time: bool,
}

impl Runner {
    pub fn new(
        jobs: Box<dyn Jobs>,
        memo: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        lifecycle: Arc<Lifecycle>,
    ) -> Runner {
        Runner {
            jobs,
            memo,
            inflight: Arc::new(Mutex::new(HashMap::new())),
            metrics,
            lifecycle,
            record_real_time: false,
        }
    }

    /// Remembers the results of real-time runs as well (cluster mode; docs/cluster.md).
    pub fn record_real_time(mut self, yes: bool) -> Runner {
        self.record_real_time = yes;
        self
    }

    /// Jobs running and waiting now.
    pub fn load(&self) -> (usize, usize) {
        self.jobs.load()
    }

    /// Why no job can run now, if the queue knows.
    pub fn unready(&self) -> Option<String> {
        self.jobs.unready()
    }

    /// The cluster behind the queue, if it is a distributed one.
    pub fn cluster(&self) -> Option<serde_json::Value> {
        self.jobs.cluster()
    }

    /// Runs `plan`: from the memo store when it is there, else once per key however
    /// many ask at the same time, on the queue. Results worth keeping are stored.
    pub async fn run(&self, plan: Plan) -> Result<Done, RunError> {
        let is_run = matches!(&plan.job, corral_rust::plan::Job::Run(_));
        if !(plan.memoizable() || self.record_real_time && is_run) {
            let output = self.queued(Job::new(plan, None)).await?;
            return Ok(Done {
                output: Arc::new(output),
                cached: false,
            });
        }
        let key = plan.key.clone();
        if let Some(hit) = self.memo.get(&key).await
            && let Ok(output) = serde_json::from_str::<Output>(&hit)
        {
            self.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Done {
                output: Arc::new(output),
                cached: true,
            });
        }
        let flight = {
            let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            match inflight.get(&key) {
                Some(running) => running.clone(),
                None => {
                    // Long enough for both steps; a claim held longer has been abandoned.
                    let hold = plan.limits.compile.wall + plan.limits.run.wall + HOLD_MARGIN;
                    let work = self.queued(Job::new(plan, None));
                    let (memo, map, k) = (self.memo.clone(), self.inflight.clone(), key.clone());
                    // Stores and leaves the map when it ends, whoever is still waiting.
                    let flight = async move {
                        let result = once_across_servers(&memo, &k, hold, work).await;
                        map.lock().unwrap_or_else(|p| p.into_inner()).remove(&k);
                        result
                    }
                    .boxed()
                    .shared();
                    inflight.insert(key, flight.clone());
                    flight
                }
            }
        };
        let output = flight.await?;
        Ok(Done {
            output,
            cached: false,
        })
    }

    /// Runs a live job (never memoized: its input is not known in advance); its
    /// progress arrives on `live.progress` as it happens.
    pub fn run_live(&self, plan: Plan, live: Live) -> BoxFuture<'static, JobResult> {
        self.queued(Job::new(plan, Some(live)))
    }

    /// `job` on the queue. A job still waiting for a worker when shutdown begins is
    /// answered at once (it will not run); one that started is waited for.
    fn queued(&self, job: Job) -> BoxFuture<'static, JobResult> {
        let started = job.started.clone();
        let fut = self.jobs.submit(job);
        let (lifecycle, metrics) = (self.lifecycle.clone(), self.metrics.clone());
        async move {
            let mut fut = std::pin::pin!(fut);
            let result = loop {
                let tick = rocket::tokio::time::sleep(std::time::Duration::from_millis(100));
                rocket::tokio::select! {
                    out = &mut fut => break out,
                    _ = tick => if lifecycle.draining() && !started.load(Ordering::SeqCst) {
                        break Err(RunError::ShuttingDown);
                    },
                }
            };
            if matches!(result, Err(RunError::Busy { .. } | RunError::ShuttingDown)) {
                metrics.rejected_busy.fetch_add(1, Ordering::Relaxed);
            }
            result
        }
        .boxed()
    }
}

/// How much longer than its steps' wall limits a claim on a key is held.
const HOLD_MARGIN: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `work` unless another server sharing the store is running the same plan (then
/// its result is taken when it comes); stores what is worth keeping.
async fn once_across_servers(
    memo: &Arc<dyn Store>,
    key: &str,
    hold: std::time::Duration,
    work: BoxFuture<'static, JobResult>,
) -> Result<Arc<Output>, RunError> {
    // When the other server gives up or goes away, the job runs here.
    if !memo.claim(key, hold).await
        && let Some(text) = memo.wait(key, hold).await
        && let Ok(output) = serde_json::from_str::<Output>(&text)
    {
        return Ok(Arc::new(output));
    }
    let result = work.await.map(Arc::new);
    if let Ok(output) = &result
        && output.cacheable()
    {
        match serde_json::to_string(&**output) {
            Ok(text) => {
                if let Err(e) = memo.put(key, text).await {
                    tracing::warn!("memo store: {e}");
                }
            }
            Err(e) => tracing::warn!("memo store: {e}"),
        }
    }
    memo.release(key).await;
    result
}

/// The in-process executor: runs a job's plan in the pipeline on the calling thread,
/// registered with shutdown (which kills it at the end of the grace period) and
/// counted in `corral_runs_total` when it starts.
pub fn executor(
    pipeline: Arc<Pipeline>,
    lifecycle: Arc<Lifecycle>,
    metrics: Arc<Metrics>,
) -> Executor {
    Arc::new(move |job: Job| {
        job.started.store(true, Ordering::SeqCst);
        if lifecycle.draining() {
            return Err(RunError::ShuttingDown);
        }
        let (stdin, stop, progress) = match job.live {
            Some(Live {
                stdin,
                stop,
                progress,
            }) => (Some(stdin), stop, Some(progress)),
            None => (None, Stop::default(), None),
        };
        let registered = lifecycle.register(stop.clone());
        if stop.killed() {
            // Killed while it waited in the queue (or by shutdown): it never began.
            return Err(if progress.is_some() && !lifecycle.draining() {
                RunError::Cancelled
            } else {
                RunError::ShuttingDown
            });
        }
        metrics.runs.fetch_add(1, Ordering::Relaxed);
        let mut watch = |p| {
            if let Some(tx) = &progress {
                let _ = tx.send(p);
            }
        };
        let result = pipeline.execute(&job.plan, stdin, &registered.stop, &mut watch);
        // A run stopped by shutdown has no result worth giving (or remembering).
        if progress.is_none() && registered.stop.killed() {
            return Err(RunError::ShuttingDown);
        }
        result.map_err(RunError::Refused)
    })
}
