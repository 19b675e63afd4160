//! The worker's side: announce what this machine can run, pull one job at a time per
//! free slot from each capability's consumer, run it with `Pipeline::execute`, answer,
//! and only then acknowledge it. While a job runs it tells the stream it is alive, so a
//! long compile is not given to anyone else; if this process dies, the stream gives the
//! job to another worker after [`ACK_WAIT`].

use crate::caps::{self, WorkerInfo};
use crate::wire::{self, Answer, Envelope, LiveIn};
use crate::{ACK_WAIT, Cluster, Error, MAX_DELIVER, PROGRESS_EVERY};
use async_nats::jetstream::AckKind;
use async_nats::jetstream::consumer::{AckPolicy, PullConsumer, pull};
use corral_rust::pipeline::{Pipeline, Stop};
use corral_server::queue::RunError;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};

/// A worker: `slots` jobs at once on `pipeline`.
pub struct Worker {
    pub cluster: Cluster,
    pub pipeline: Arc<Pipeline>,
    pub slots: usize,
    pub id: String,
}

impl Worker {
    /// This worker's announcement.
    pub fn info(&self) -> WorkerInfo {
        WorkerInfo {
            id: self.id.clone(),
            arch: std::env::consts::ARCH.into(),
            slots: self.slots,
            caps: caps::of_pipeline(&self.pipeline),
            toolchains: self
                .pipeline
                .toolchains()
                .iter()
                .map(|t| format!("{} {} ({})", t.channel, t.version, &t.commit_hash))
                .collect(),
        }
    }

    /// Runs until `stop` turns true: then takes no more jobs and waits for the running
    /// ones to answer.
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> Result<(), Error> {
        let info = self.info();
        let stream = self.cluster.stream().await?;
        let mut consumers: Vec<PullConsumer> = vec![];
        for cap in &info.caps {
            let name = caps::consumer(cap);
            let consumer = stream
                .get_or_create_consumer(
                    &name,
                    pull::Config {
                        durable_name: Some(name.clone()),
                        filter_subject: caps::subject(cap),
                        ack_policy: AckPolicy::Explicit,
                        ack_wait: ACK_WAIT,
                        max_deliver: MAX_DELIVER,
                        ..Default::default()
                    },
                )
                .await
                .map_err(Error::from("creating a consumer"))?;
            consumers.push(consumer);
        }
        let announce = announce(self.cluster.clone(), info.clone(), stop.clone());
        let announced = tokio::spawn(announce);
        let slots = Arc::new(Semaphore::new(self.slots.max(1)));
        let me = Arc::new(self);
        let mut pullers = vec![];
        for consumer in consumers {
            let (me, slots, stop) = (me.clone(), slots.clone(), stop.clone());
            pullers.push(tokio::spawn(
                async move { me.pull(consumer, slots, stop).await },
            ));
        }
        eprintln!(
            "corral worker {}: {} slots, {} capabilities",
            info.id,
            info.slots,
            info.caps.len()
        );
        let _ = stop.wait_for(|s| *s).await;
        // A pull in progress ends within its expiry (5 s), unless the connection is
        // gone: then it is abandoned (the server forgets it).
        for p in pullers {
            let abort = p.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), p)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        // Every slot back: every running job has answered (each is bounded by its limits).
        let _ = slots.acquire_many(me.slots.max(1) as u32).await;
        announced.abort();
        let withdraw = me.cluster.workers.delete(&me.id);
        let _ = tokio::time::timeout(Duration::from_secs(3), withdraw).await;
        Ok(())
    }

    async fn pull(
        self: Arc<Self>,
        consumer: PullConsumer,
        slots: Arc<Semaphore>,
        stop: watch::Receiver<bool>,
    ) {
        while !*stop.borrow() {
            // Ask for a job only while a slot is free (waiting for one, not taking it:
            // every consumer long-polls at once, so a job is taken the moment it comes).
            // A burst may hand over a few jobs at once; they wait here for a slot,
            // reported alive, never more than one per capability.
            match slots.acquire().await {
                Ok(free) => drop(free),
                Err(_) => return,
            }
            let batch = consumer
                .batch()
                .max_messages(1)
                .expires(Duration::from_secs(5))
                .messages()
                .await;
            let mut batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!("pulling jobs: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            match batch.next().await {
                Some(Ok(msg)) => {
                    let (me, slots) = (self.clone(), slots.clone());
                    tokio::spawn(async move { me.handle(msg, slots).await });
                }
                Some(Err(e)) => tracing::warn!("pulling jobs: {e}"),
                None => {}
            }
        }
    }

    async fn handle(&self, msg: async_nats::jetstream::Message, slots: Arc<Semaphore>) {
        let envelope: Envelope = match serde_json::from_slice(&msg.payload) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("a job that does not parse is dropped: {e}");
                let _ = msg.ack_with(AckKind::Term).await;
                return;
            }
        };
        // Alive while it runs.
        let (done_tx, done) = watch::channel(false);
        let acker = {
            let (reply, client) = (msg.reply.clone(), self.cluster.client.clone());
            let mut done = done.clone();
            tokio::spawn(async move {
                let Some(reply) = reply else { return };
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(PROGRESS_EVERY) => {
                            let _ = client.publish(reply.clone(), "+WPI".into()).await;
                        }
                        _ = done.changed() => return,
                    }
                }
            })
        };
        let Ok(_slot) = slots.acquire_owned().await else {
            return;
        };
        let result = self.execute(&envelope, done).await;
        let answer = Answer {
            id: envelope.id.clone(),
            worker: self.id.clone(),
            result,
        };
        let bytes = serde_json::to_vec(&answer).unwrap_or_default();
        let client = &self.cluster.client;
        let sent = if bytes.len() + 4096 > client.server_info().max_payload {
            self.send_large(&envelope, bytes).await
        } else {
            client
                .publish(envelope.reply.clone(), bytes.into())
                .await
                .map_err(|e| e.to_string())
        };
        let _ = client.flush().await;
        let _ = done_tx.send(true);
        acker.abort();
        match sent {
            Ok(()) => {
                if let Err(e) = msg.double_ack().await {
                    tracing::warn!("acknowledging job {}: {e}", envelope.id);
                }
            }
            // The answer did not go: let another delivery try.
            Err(e) => {
                tracing::warn!("answering job {}: {e}", envelope.id);
                let _ = msg.ack_with(AckKind::Nak(None)).await;
            }
        }
    }

    /// An answer larger than a message: into the results object store, and a message
    /// that names it.
    async fn send_large(&self, envelope: &Envelope, bytes: Vec<u8>) -> Result<(), String> {
        let store = self.cluster.results().await.map_err(|e| e.to_string())?;
        store
            .put(envelope.id.as_str(), &mut bytes.as_slice())
            .await
            .map_err(|e| e.to_string())?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(crate::OBJECT_HEADER, envelope.id.as_str());
        self.cluster
            .client
            .publish_with_headers(envelope.reply.clone(), headers, bytes::Bytes::new())
            .await
            .map_err(|e| e.to_string())
    }

    /// Runs the plan on a blocking thread; a live job's input and progress go over
    /// their subjects.
    async fn execute(
        &self,
        envelope: &Envelope,
        done: watch::Receiver<bool>,
    ) -> corral_server::queue::JobResult {
        let stop = Stop::default();
        let (stdin_tx, stdin_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
        let client = self.cluster.client.clone();
        let mut stdin = None;
        let mut relay = None;
        if envelope.live {
            stdin = Some(stdin_rx);
            let mut input = client
                .subscribe(wire::input(&envelope.id))
                .await
                .map_err(|e| RunError::Lost(format!("cannot stream the run: {e}")))?;
            let (kill, mut done) = (stop.clone(), done.clone());
            let mut tx = Some(stdin_tx);
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        m = input.next() => {
                            let Some(m) = m else { return };
                            match serde_json::from_slice::<LiveIn>(&m.payload) {
                                Ok(LiveIn::Stdin(chunk)) => if let Some(tx) = &tx {
                                    let _ = tx.send(chunk);
                                },
                                Ok(LiveIn::Close) => tx = None,
                                Ok(LiveIn::Kill) => kill.kill(),
                                Err(_) => {}
                            }
                        }
                        _ = done.changed() => return,
                    }
                }
            });
            let subject = wire::progress(&envelope.id);
            let client = client.clone();
            relay = Some(tokio::spawn(async move {
                while let Some(p) = progress_rx.recv().await {
                    let bytes = serde_json::to_vec(&p).unwrap_or_default();
                    let _ = client.publish(subject.clone(), bytes.into()).await;
                }
                // The end of the progress, before the answer.
                let _ = client.publish(subject, bytes::Bytes::new()).await;
            }));
        } else {
            drop(stdin_tx);
        }
        let (pipeline, plan, live) = (self.pipeline.clone(), envelope.plan.clone(), envelope.live);
        let ran = tokio::task::spawn_blocking(move || {
            let mut watch = |p| {
                if live {
                    let _ = progress_tx.send(p);
                }
            };
            pipeline.execute(&plan, stdin, &stop, &mut watch)
        })
        .await;
        if let Some(relay) = relay {
            let _ = relay.await;
        }
        match ran {
            Ok(result) => result.map_err(RunError::Refused),
            Err(e) => Err(RunError::Lost(format!("the worker failed: {e}"))),
        }
    }
}

/// Announces `info` every third of [`crate::WORKER_TTL`] until `stop`.
async fn announce(cluster: Cluster, info: WorkerInfo, mut stop: watch::Receiver<bool>) {
    let bytes = serde_json::to_vec(&info).unwrap_or_default();
    loop {
        if let Err(e) = cluster.workers.put(&info.id, bytes.clone().into()).await {
            tracing::warn!("announcing the worker: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(crate::WORKER_TTL / 3) => {}
            _ = stop.changed() => return,
        }
    }
}
