//! Operating a cluster: which worker made each remembered result (so an operator can
//! drop one worker's results), and a check of the cluster for `corral doctor --cluster`.

use crate::store::{MEMO_BUCKET, bucket_key};
use crate::{Cluster, Error, STREAM};
use async_nats::jetstream::{kv, stream::StorageType};
use futures::StreamExt;
use std::time::Duration;

/// Memo key → the worker that produced the result.
pub const ORIGINS_BUCKET: &str = "corral_origins";

/// The origins bucket, made if needed (an API node opens it once, at start).
pub async fn origins(cluster: &Cluster) -> Result<kv::Store, Error> {
    crate::key_value(
        &cluster.js,
        kv::Config {
            bucket: ORIGINS_BUCKET.into(),
            history: 1,
            max_value_size: 1024,
            storage: StorageType::File,
            num_replicas: cluster.replicas,
            ..Default::default()
        },
    )
    .await
    .map_err(Error::from("the origins bucket"))
}

/// Records in `origins` that `worker` produced the result of the plan with memo key `key`.
pub async fn record_origin(origins: &kv::Store, key: &str, worker: &str) {
    if let Err(e) = origins
        .put(bucket_key(key), worker.to_string().into())
        .await
    {
        tracing::warn!("recording a result's worker: {e}");
    }
}

/// Removes from the memo every result `worker` produced; returns how many.
pub async fn drop_worker(cluster: &Cluster, worker: &str) -> Result<usize, Error> {
    // Both exist once an API node has run: nothing to drop before that.
    let (Ok(origins), Ok(memo)) = (
        cluster.js.get_key_value(ORIGINS_BUCKET).await,
        cluster.js.get_key_value(MEMO_BUCKET).await,
    ) else {
        return Ok(0);
    };
    let keys: Vec<String> = origins
        .keys()
        .await
        .map_err(Error::from("listing the origins"))?
        .filter_map(|k| async { k.ok() })
        .collect()
        .await;
    let mut dropped = 0;
    for key in keys {
        let Ok(Some(by)) = origins.get(&key).await else {
            continue;
        };
        if by.as_ref() == worker.as_bytes() {
            memo.purge(&key)
                .await
                .map_err(Error::from("removing a result"))?;
            origins
                .purge(&key)
                .await
                .map_err(Error::from("removing an origin"))?;
            dropped += 1;
        }
    }
    Ok(dropped)
}

/// One line of `corral doctor --cluster`: what was checked, whether it is fine, details.
pub struct Check {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

/// Checks the connection, the jobs stream's configuration and state, its consumers,
/// and the workers announced.
pub async fn doctor(cluster: &Cluster) -> Vec<Check> {
    let mut checks = vec![];
    let info = cluster.client.server_info();
    checks.push(Check {
        what: "connection".into(),
        ok: true,
        detail: format!(
            "server {} {} (JetStream {}), max message {} bytes",
            info.server_name, info.version, info.jetstream, info.max_payload
        ),
    });
    match cluster.stream().await {
        Ok(mut stream) => match stream.info().await {
            Ok(i) => {
                let c = &i.config;
                let ok = c.retention == async_nats::jetstream::stream::RetentionPolicy::WorkQueue
                    && c.discard == async_nats::jetstream::stream::DiscardPolicy::New;
                checks.push(Check {
                    what: "jobs stream".into(),
                    ok,
                    detail: format!(
                        "{STREAM}: {:?} retention, discard {:?}, {} replicas, {} jobs waiting (at most {})",
                        c.retention, c.discard, c.num_replicas, i.state.messages, c.max_messages
                    ),
                });
                let mut consumers = stream.consumers();
                let mut lines = vec![];
                while let Some(Ok(ci)) = consumers.next().await {
                    lines.push(format!(
                        "{} ({} waiting, {} running)",
                        ci.name, ci.num_pending, ci.num_ack_pending
                    ));
                }
                checks.push(Check {
                    what: "consumers".into(),
                    ok: true,
                    detail: if lines.is_empty() {
                        "none yet (workers create them)".into()
                    } else {
                        lines.join("; ")
                    },
                });
            }
            Err(e) => checks.push(Check {
                what: "jobs stream".into(),
                ok: false,
                detail: e.to_string(),
            }),
        },
        Err(e) => checks.push(Check {
            what: "jobs stream".into(),
            ok: false,
            detail: e.to_string(),
        }),
    }
    let read = tokio::time::timeout(Duration::from_secs(10), crate::jobs::read_workers(cluster));
    let workers = match read.await {
        Ok(Ok(w)) => w,
        Ok(Err(e)) => {
            checks.push(Check {
                what: "workers".into(),
                ok: false,
                detail: format!("cannot read the announcements: {e}"),
            });
            return checks;
        }
        Err(_) => vec![],
    };
    checks.push(Check {
        what: "workers".into(),
        ok: !workers.is_empty(),
        detail: if workers.is_empty() {
            "none has announced itself in the last 30 s".into()
        } else {
            workers
                .iter()
                .map(|w| {
                    format!(
                        "{} ({} slots, {} capabilities)",
                        w.id,
                        w.slots,
                        w.caps.len()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        },
    });
    checks
}

/// A new NATS nkey user for a worker: (seed, public key). The seed is the worker's
/// secret (`corral worker --nkey-seed FILE`); the public key goes into the servers'
/// `authorization` block.
pub fn new_user_nkey() -> Result<(String, String), Error> {
    let pair = nkeys::KeyPair::new_user();
    let seed = pair.seed().map_err(Error::from("making an nkey"))?;
    Ok((seed, pair.public_key()))
}
