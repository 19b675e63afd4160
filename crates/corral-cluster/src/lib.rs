//! corral-cluster: cluster mode on NATS JetStream. API nodes put plans on a work-queue
//! stream, one subject per capability (`corral.jobs.<arch>-<commit>-<mode>-<bake>`);
//! workers pull the subjects they can serve, run the plans in their own sandbox and
//! answer on the API node's result subject. Nothing is lost when a worker dies: a job
//! is acknowledged only after its result is sent, a running job tells the stream it is
//! alive every few seconds, and an abandoned one is delivered again (at most
//! [`MAX_DELIVER`] times, then its client gets a clear error). Results and shares live
//! in JetStream key-value buckets, so any API node answers any cached request.
//!
//! **Architecture invariant:** the cluster carries plans and typed results only; it
//! never runs anything itself (workers call `Pipeline::execute`).

pub mod admin;
pub mod caps;
pub mod jobs;
pub mod store;
pub mod wire;
pub mod worker;

use async_nats::jetstream::{self, kv, stream};
use std::path::PathBuf;
use std::time::Duration;

/// The work-queue stream of plans.
pub const STREAM: &str = "CORRAL_JOBS";
/// Workers' announcements (what they can run), each kept [`WORKER_TTL`].
pub const WORKERS_BUCKET: &str = "corral_workers";
/// A worker that has not announced itself for this long is gone.
pub const WORKER_TTL: Duration = Duration::from_secs(30);
/// How many times a job is delivered before its client gets an error.
pub const MAX_DELIVER: i64 = 3;
/// How long a delivered job may go without a sign of life before it is delivered again.
pub const ACK_WAIT: Duration = Duration::from_secs(10);
/// How often a running job says it is alive (well within [`ACK_WAIT`]).
pub const PROGRESS_EVERY: Duration = Duration::from_secs(3);
/// Answers too large for one message wait here (by job id) for their API node.
pub const RESULTS_BUCKET: &str = "corral_results";
/// The header of an answer message whose answer is in [`RESULTS_BUCKET`].
pub const OBJECT_HEADER: &str = "Corral-Object";
/// Plans that may wait in the stream before API nodes answer 503.
pub const MAX_WAITING: i64 = 10_000;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

impl Error {
    fn from<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> Error + '_ {
        move |e| Error(format!("{what}: {e}"))
    }
}

/// How to connect: the servers, and the credentials of this node (none, an nkey seed,
/// or a `.creds` file with a user JWT and seed).
#[derive(Clone, Debug, Default)]
pub struct Connect {
    /// `nats://host:port[,nats://…]`
    pub urls: String,
    pub nkey_seed_file: Option<PathBuf>,
    pub creds_file: Option<PathBuf>,
    /// The name this node shows to the servers.
    pub name: String,
}

/// A connection to the cluster with the stream and buckets corral uses.
#[derive(Clone)]
pub struct Cluster {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub workers: kv::Store,
    /// Replicas of the stream and buckets: the number of servers given, at most 3.
    pub replicas: usize,
}

impl Connect {
    pub fn servers(&self) -> Vec<String> {
        self.urls
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Connects (retrying for up to `patience` while the servers start and elect a
    /// JetStream leader) and makes sure the stream and buckets exist.
    pub async fn cluster(&self, patience: Duration) -> Result<Cluster, Error> {
        let servers = self.servers();
        if servers.is_empty() {
            return Err(Error(
                "--cluster needs at least one nats://HOST:PORT".into(),
            ));
        }
        let mut options = match (&self.nkey_seed_file, &self.creds_file) {
            (Some(seed), _) => {
                let seed =
                    std::fs::read_to_string(seed).map_err(Error::from("reading the nkey seed"))?;
                async_nats::ConnectOptions::with_nkey(seed.trim().to_string())
            }
            (None, Some(creds)) => async_nats::ConnectOptions::with_credentials_file(creds)
                .await
                .map_err(Error::from("reading the credentials file"))?,
            (None, None) => async_nats::ConnectOptions::new(),
        };
        options = options
            .name(&self.name)
            .connection_timeout(Duration::from_secs(3))
            .event_callback(|event| async move { tracing::info!("nats: {event}") });
        let deadline = tokio::time::Instant::now() + patience;
        let client = loop {
            match options.clone().connect(servers.clone()).await {
                Ok(c) => break c,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::info!("nats: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => {
                    return Err(Error(format!(
                        "cannot connect to {}: {e}",
                        servers.join(",")
                    )));
                }
            }
        };
        let js = jetstream::new(client.clone());
        let replicas = servers.len().clamp(1, 3);
        // JetStream answers once its servers have elected a leader (seconds, in a new cluster).
        let (stream_config, workers_config) = configs(replicas);
        let workers = loop {
            let made = async {
                js.get_or_create_stream(stream_config.clone()).await?;
                key_value(&js, workers_config.clone()).await
            };
            match made.await {
                Ok(workers) => break workers,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::info!("jetstream not ready: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(Error(format!("JetStream is not available: {e}"))),
            }
        };
        Ok(Cluster {
            client,
            js,
            workers,
            replicas,
        })
    }
}

/// Opens a key-value bucket, creating its stream if needed. (The client's own
/// `create_key_value` first reads the account's information in a shape nats-server
/// 2.9, Debian's, does not send; the stream is the one it would create.)
pub async fn key_value(
    js: &jetstream::Context,
    config: kv::Config,
) -> Result<kv::Store, Box<dyn std::error::Error + Send + Sync>> {
    let stream = stream::Config {
        name: format!("KV_{}", config.bucket),
        subjects: vec![format!("$KV.{}.>", config.bucket)],
        max_messages_per_subject: config.history.max(1),
        max_bytes: config.max_bytes,
        max_age: config.max_age,
        max_message_size: config.max_value_size,
        storage: config.storage,
        allow_rollup: true,
        deny_delete: true,
        deny_purge: false,
        allow_direct: true,
        num_replicas: config.num_replicas.max(1),
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    };
    js.get_or_create_stream(stream).await?;
    Ok(js.get_key_value(&config.bucket).await?)
}

fn configs(replicas: usize) -> (stream::Config, kv::Config) {
    let stream = stream::Config {
        name: STREAM.into(),
        subjects: vec!["corral.jobs.>".into()],
        retention: stream::RetentionPolicy::WorkQueue,
        discard: stream::DiscardPolicy::New,
        max_messages: MAX_WAITING,
        max_bytes: 1 << 30,
        max_message_size: 1 << 20,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    let workers = kv::Config {
        bucket: WORKERS_BUCKET.into(),
        history: 1,
        max_age: WORKER_TTL,
        max_value_size: 64 << 10,
        storage: stream::StorageType::Memory,
        num_replicas: replicas,
        ..Default::default()
    };
    (stream, workers)
}

impl Cluster {
    /// The object store of large answers (made by the first node that needs it).
    pub async fn results(&self) -> Result<async_nats::jetstream::object_store::ObjectStore, Error> {
        if let Ok(store) = self.js.get_object_store(RESULTS_BUCKET).await {
            return Ok(store);
        }
        self.js
            .create_object_store(async_nats::jetstream::object_store::Config {
                bucket: RESULTS_BUCKET.into(),
                max_age: Duration::from_secs(15 * 60),
                max_bytes: 1 << 30,
                storage: stream::StorageType::File,
                num_replicas: self.replicas,
                ..Default::default()
            })
            .await
            .map_err(Error::from("the results object store"))
    }

    pub async fn stream(&self) -> Result<jetstream::stream::Stream, Error> {
        self.js
            .get_stream(STREAM)
            .await
            .map_err(Error::from("the jobs stream"))
    }
}
