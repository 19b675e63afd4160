//! The API node's side: [`NatsJobs`] implements the server's `Jobs` by publishing each
//! plan on its capability's subject and waiting for the answer on this node's result
//! subject. A plan no connected worker can run is refused at once; a job nobody
//! finishes within its deliveries gets a clear error; a full stream is a 503.

use crate::caps::{self, WorkerInfo};
use crate::wire::{self, Answer, Envelope, LiveIn};
use crate::{ACK_WAIT, Cluster, MAX_DELIVER, STREAM};
use async_nats::jetstream::context::PublishErrorKind;
use corral_rust::request::RequestError;
use corral_rust::result::Progress;
use corral_server::queue::{Job, JobResult, Jobs, Live, RunError};
use futures::StreamExt;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct NatsJobs {
    inner: Arc<Inner>,
}

struct Inner {
    cluster: Cluster,
    /// This node's result subject.
    results: String,
    /// Jobs waiting for their answer, by id.
    pending: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    /// The stream sequence of each pending job (to match max-delivery advisories).
    sequences: Mutex<HashMap<u64, String>>,
    /// The workers that announced themselves recently.
    workers: RwLock<Vec<WorkerInfo>>,
    /// Plans waiting in the stream, as last read.
    depth: std::sync::atomic::AtomicU64,
    /// Memo key → the worker that produced the result (`corral cluster drop-worker`).
    origins: async_nats::jetstream::kv::Store,
}

impl NatsJobs {
    /// Starts listening for answers, advisories and workers' announcements.
    pub async fn start(cluster: Cluster, node: &str) -> Result<NatsJobs, crate::Error> {
        let results = wire::results(node);
        // Made here, by a node with every permission: a restricted worker only uses it.
        cluster.results().await?;
        let origins = crate::admin::origins(&cluster).await?;
        let inner = Arc::new(Inner {
            cluster,
            results: results.clone(),
            pending: Mutex::new(HashMap::new()),
            sequences: Mutex::new(HashMap::new()),
            workers: RwLock::new(vec![]),
            depth: std::sync::atomic::AtomicU64::new(0),
            origins,
        });
        let client = &inner.cluster.client;
        let mut answers = client
            .subscribe(results)
            .await
            .map_err(crate::Error::from("subscribing to results"))?;
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            while let Some(m) = answers.next().await {
                let Some(inner) = weak.upgrade() else { return };
                let object = m
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(crate::OBJECT_HEADER))
                    .map(|v| v.as_str().to_string());
                match object {
                    // A large answer: fetched from the results store, then removed.
                    Some(name) => {
                        tokio::spawn(async move {
                            match fetch_large(&inner.cluster, &name).await {
                                Ok(a) => inner.answer(a),
                                Err(e) => inner.answer(Answer {
                                    id: name,
                                    worker: String::new(),
                                    result: Err(RunError::Lost(format!(
                                        "cannot read the result: {e}"
                                    ))),
                                }),
                            }
                        });
                    }
                    None => match serde_json::from_slice::<Answer>(&m.payload) {
                        Ok(a) => inner.answer(a),
                        Err(e) => tracing::warn!("a result that does not parse: {e}"),
                    },
                }
            }
        });
        // A job delivered MAX_DELIVER times without an answer: its client is told, and
        // the job leaves the stream (a work queue keeps what nobody acknowledged).
        let mut advisories = client
            .subscribe(format!(
                "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{STREAM}.*"
            ))
            .await
            .map_err(crate::Error::from("subscribing to advisories"))?;
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            #[derive(serde::Deserialize)]
            struct MaxDeliveries {
                stream_seq: u64,
                deliveries: u64,
            }
            while let Some(m) = advisories.next().await {
                let Some(inner) = weak.upgrade() else { return };
                let Ok(a) = serde_json::from_slice::<MaxDeliveries>(&m.payload) else {
                    continue;
                };
                let id = inner
                    .sequences
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&a.stream_seq);
                if let Ok(stream) = inner.cluster.stream().await {
                    let _ = stream.delete_message(a.stream_seq).await;
                }
                if let Some(id) = id {
                    inner.answer(Answer {
                        id,
                        worker: String::new(),
                        result: Err(lost(a.deliveries)),
                    });
                }
            }
        });
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                // A failed read keeps what was known: the bucket's own expiry (30 s)
                // is what says a worker is gone.
                match read_workers(&inner.cluster).await {
                    Ok(seen) => *inner.workers.write().unwrap_or_else(|p| p.into_inner()) = seen,
                    Err(e) => tracing::warn!("reading the workers' announcements: {e}"),
                }
                if let Ok(mut stream) = inner.cluster.stream().await
                    && let Ok(info) = stream.info().await
                {
                    inner.depth.store(info.state.messages, Ordering::Relaxed);
                }
                drop(inner);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        let jobs = NatsJobs { inner };
        if let Ok(seen) = read_workers(&jobs.inner.cluster).await {
            *jobs
                .inner
                .workers
                .write()
                .unwrap_or_else(|p| p.into_inner()) = seen;
        }
        Ok(jobs)
    }

    /// The workers seen in the last [`crate::WORKER_TTL`].
    pub fn workers(&self) -> Vec<WorkerInfo> {
        self.inner
            .workers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn lost(deliveries: u64) -> RunError {
    RunError::Lost(format!(
        "the job was given to a worker {deliveries} times and no worker finished it (each one stopped or went away); try again later"
    ))
}

/// A large answer from the results object store (removed once read).
async fn fetch_large(cluster: &Cluster, name: &str) -> Result<Answer, String> {
    use tokio::io::AsyncReadExt;
    let store = cluster.results().await.map_err(|e| e.to_string())?;
    let mut object = store.get(name).await.map_err(|e| e.to_string())?;
    let mut bytes = vec![];
    object
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| e.to_string())?;
    let _ = store.delete(name).await;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Every worker's latest announcement; an error when the bucket cannot be read now
/// (a NATS server lost, a leader being elected): that says nothing about the workers.
pub async fn read_workers(cluster: &Cluster) -> Result<Vec<WorkerInfo>, String> {
    let keys = cluster.workers.keys().await.map_err(|e| e.to_string())?;
    let keys: Vec<Result<String, _>> = keys.collect().await;
    let mut found = vec![];
    for key in keys {
        let key = key.map_err(|e| e.to_string())?;
        match cluster.workers.get(&key).await {
            Ok(Some(bytes)) => {
                if let Ok(info) = serde_json::from_slice::<WorkerInfo>(&bytes) {
                    found.push(info);
                }
            }
            // Expired or withdrawn since the listing.
            Ok(None) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

impl Inner {
    fn answer(&self, answer: Answer) {
        let waiting = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&answer.id);
        // A second answer (a job delivered again after its worker seemed gone) finds
        // nobody waiting: results are keyed by plan, so it is the same result.
        if let Some(tx) = waiting {
            let _ = tx.send(answer);
        }
    }

    fn forget(&self, id: &str, sequence: Option<u64>) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        if let Some(seq) = sequence {
            self.sequences
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&seq);
        }
    }
}

impl Jobs for NatsJobs {
    fn submit(&self, job: Job) -> BoxFuture<'static, JobResult> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let cap = caps::of_plan(&job.plan);
            let can = {
                let workers = inner.workers.read().unwrap_or_else(|p| p.into_inner());
                if workers.iter().any(|w| w.caps.contains(&cap)) {
                    None
                } else {
                    Some(caps::nobody_can(&job.plan, &workers))
                }
            };
            if let Some(why) = can {
                return Err(RunError::Refused(RequestError::Unsupported(why)));
            }
            let client = inner.cluster.client.clone();
            let id = client
                .new_inbox()
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_string();
            let (tx, rx) = oneshot::channel();
            inner
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.clone(), tx);
            // What shows the job is over to the helpers of a live job.
            let (done_tx, done) = tokio::sync::watch::channel(false);
            let live = job.live.is_some();
            let mut relayed = None;
            if let Some(l) = job.live {
                match relay_live(&client, &id, l, done.clone()).await {
                    Ok(r) => relayed = Some(r),
                    Err(e) => {
                        inner.forget(&id, None);
                        return Err(RunError::Lost(format!("cannot stream the run: {e}")));
                    }
                }
            }
            let limits = &job.plan.limits;
            let envelope = Envelope {
                id: id.clone(),
                reply: inner.results.clone(),
                live,
                plan: job.plan.clone(),
            };
            let payload = match serde_json::to_vec(&envelope) {
                Ok(p) => p,
                Err(e) => {
                    inner.forget(&id, None);
                    return Err(RunError::Lost(e.to_string()));
                }
            };
            let published = publish(&inner.cluster, caps::subject(&cap), &id, payload).await;
            let sequence = match published {
                Ok(ack) => ack.sequence,
                Err(e) => {
                    inner.forget(&id, None);
                    let _ = done_tx.send(true);
                    return Err(publish_error(&inner, e).await);
                }
            };
            inner
                .sequences
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(sequence, id.clone());
            job.started.store(true, Ordering::SeqCst);
            // Each delivery may take the whole of both steps plus a missed heartbeat.
            let per_delivery = limits.compile.wall + limits.run.wall + ACK_WAIT * 2;
            let patience = per_delivery * MAX_DELIVER as u32 + Duration::from_secs(10);
            let result = match tokio::time::timeout(patience, rx).await {
                Ok(Ok(answer)) => {
                    // Which worker made the result, for `corral cluster drop-worker`.
                    if answer.result.is_ok() && !answer.worker.is_empty() {
                        crate::admin::record_origin(&inner.origins, &job.plan.key, &answer.worker)
                            .await;
                    }
                    answer.result
                }
                Ok(Err(_)) => Err(RunError::Lost("the cluster connection closed".into())),
                Err(_) => Err(lost(MAX_DELIVER as u64)),
            };
            inner.forget(&id, Some(sequence));
            // A live job's output all passed on before its end (the worker sends an
            // end marker after the last event and before the answer).
            if let Some(relayed) = relayed {
                let _ = tokio::time::timeout(Duration::from_secs(5), relayed).await;
            }
            let _ = done_tx.send(true);
            result
        })
    }

    fn load(&self) -> (usize, usize) {
        let pending = self
            .inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len();
        (pending, 0)
    }

    fn unready(&self) -> Option<String> {
        let none = self
            .inner
            .workers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        none.then(|| "no worker has joined the cluster yet".to_string())
    }

    fn cluster(&self) -> Option<serde_json::Value> {
        let workers = self.workers();
        Some(serde_json::json!({
            "workers": workers.len(),
            "slots": workers.iter().map(|w| w.slots).sum::<usize>(),
            "stream_waiting": self.inner.depth.load(Ordering::Relaxed),
            "capabilities": workers.iter().map(|w| serde_json::json!({"id": w.id, "caps": w.caps, "toolchains": w.toolchains})).collect::<Vec<_>>(),
        }))
    }
}

/// Puts a job on the stream. While a NATS server is lost the stream may not answer
/// for a few seconds (a new leader, a reconnection): that is retried for a while, with
/// the job's id as the message id, so a retry never queues the job twice.
async fn publish(
    cluster: &Cluster,
    subject: String,
    id: &str,
    payload: Vec<u8>,
) -> Result<async_nats::jetstream::publish::PublishAck, async_nats::jetstream::context::PublishError>
{
    use async_nats::jetstream::message::PublishMessage;
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let payload = bytes::Bytes::from(payload);
    loop {
        let message = PublishMessage::build()
            .payload(payload.clone())
            .message_id(id);
        let attempt = async {
            cluster
                .js
                .send_publish(subject.clone(), message)
                .await?
                .await
        };
        match attempt.await {
            Err(e)
                if matches!(
                    e.kind(),
                    PublishErrorKind::StreamNotFound
                        | PublishErrorKind::TimedOut
                        | PublishErrorKind::BrokenPipe
                ) && tokio::time::Instant::now() < until =>
            {
                tracing::info!("queueing a job: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}

/// A publish that failed: a full stream is the 503 of a full queue.
async fn publish_error(inner: &Inner, e: async_nats::jetstream::context::PublishError) -> RunError {
    let full = e.kind() == PublishErrorKind::Other
        && std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<async_nats::jetstream::Error>())
            .is_some_and(|j| {
                j.error_code() == async_nats::jetstream::ErrorCode::STREAM_STORE_FAILED
            });
    if full {
        let waiting = match inner.cluster.stream().await {
            Ok(mut s) => s
                .info()
                .await
                .map(|i| i.state.messages as usize)
                .unwrap_or(0),
            Err(_) => 0,
        };
        return RunError::Busy { waiting };
    }
    RunError::Lost(format!("cannot queue the job: {e}"))
}

/// Passes a live job's progress from its worker to `live.progress`, and its stdin and
/// kill to the worker, until `done`.
async fn relay_live(
    client: &async_nats::Client,
    id: &str,
    live: Live,
    done: tokio::sync::watch::Receiver<bool>,
) -> Result<oneshot::Receiver<()>, async_nats::SubscribeError> {
    let mut progress = client.subscribe(wire::progress(id)).await?;
    let sink = live.progress;
    let mut until = done.clone();
    let (ended, relayed) = oneshot::channel();
    // The worker listens for input before it starts the job, and `Started` is the job's
    // first event: input sent earlier would be lost, so it waits for that.
    let (started_tx, started) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                m = progress.next() => match m {
                    // The end marker.
                    Some(m) if m.payload.is_empty() => break,
                    Some(m) => if let Ok(p) = serde_json::from_slice::<Progress>(&m.payload) {
                        let _ = started_tx.send(true);
                        let _ = sink.send(p);
                    },
                    None => break,
                },
                _ = until.changed() => break,
            }
        }
        let _ = ended.send(());
    });
    // Stdin is a blocking channel: a thread reads it into an async one.
    let (chunks_tx, mut chunks) = tokio::sync::mpsc::unbounded_channel::<LiveIn>();
    let stdin = live.stdin;
    let kill_tx = chunks_tx.clone();
    std::thread::spawn(move || {
        for chunk in stdin {
            if chunks_tx.send(LiveIn::Stdin(chunk)).is_err() {
                return;
            }
        }
        let _ = chunks_tx.send(LiveIn::Close);
    });
    let (stop, mut until) = (live.stop, done.clone());
    tokio::spawn(async move {
        loop {
            if stop.killed() {
                let _ = kill_tx.send(LiveIn::Kill);
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = until.changed() => return,
            }
        }
    });
    let (client, input, mut until) = (client.clone(), wire::input(id), done);
    let mut started = started;
    tokio::spawn(async move {
        tokio::select! {
            _ = started.wait_for(|s| *s) => {}
            _ = until.changed() => return,
        }
        loop {
            tokio::select! {
                m = chunks.recv() => {
                    let Some(m) = m else { return };
                    let bytes = serde_json::to_vec(&m).unwrap_or_default();
                    let _ = client.publish(input.clone(), bytes.into()).await;
                }
                _ = until.changed() => return,
            }
        }
    });
    Ok(relayed)
}
