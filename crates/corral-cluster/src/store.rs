//! The memo store and the shares in JetStream key-value buckets, shared by every API
//! node: a result computed through one node is a hit through any other.

use crate::{Cluster, Error};
use async_nats::jetstream::{kv, stream::StorageType};
use corral_server::memo::Store;
use futures::future::BoxFuture;
use std::time::Duration;

pub const MEMO_BUCKET: &str = "corral_memo";
pub const SHARES_BUCKET: &str = "corral_shares";
/// The largest result kept (bigger ones are computed again when asked).
pub const MAX_VALUE: i32 = 1 << 20;

pub const CLAIMS_BUCKET: &str = "corral_claims";
/// The longest a claim on a key lives (an API node that died holding one frees it then).
pub const MAX_CLAIM: Duration = Duration::from_secs(15 * 60);

pub struct KvStore {
    memo: kv::Store,
    shares: kv::Store,
    /// Memo keys some API node is running now: single flight across API nodes.
    claims: kv::Store,
}

/// A memo key as a bucket key (`sha256:…` has a character keys may not hold).
pub(crate) fn bucket_key(key: &str) -> String {
    key.replace(':', "_")
}

impl KvStore {
    /// Opens (or creates) the buckets; the memo keeps `memo_bytes` at most, oldest
    /// entries going first.
    pub async fn open(cluster: &Cluster, memo_bytes: u64) -> Result<KvStore, Error> {
        let bucket = |name: &str, max_bytes: i64, max_age: Duration| kv::Config {
            bucket: name.into(),
            history: 1,
            max_bytes,
            max_value_size: MAX_VALUE,
            max_age,
            storage: StorageType::File,
            num_replicas: cluster.replicas,
            ..Default::default()
        };
        let memo_bytes = i64::try_from(memo_bytes).unwrap_or(i64::MAX);
        let memo = crate::key_value(&cluster.js, bucket(MEMO_BUCKET, memo_bytes, Duration::ZERO))
            .await
            .map_err(Error::from("the memo bucket"))?;
        let shares = crate::key_value(&cluster.js, bucket(SHARES_BUCKET, -1, Duration::ZERO))
            .await
            .map_err(Error::from("the shares bucket"))?;
        let claims = crate::key_value(&cluster.js, bucket(CLAIMS_BUCKET, -1, MAX_CLAIM))
            .await
            .map_err(Error::from("the claims bucket"))?;
        Ok(KvStore {
            memo,
            shares,
            claims,
        })
    }
}

async fn get(store: &kv::Store, key: &str) -> Option<String> {
    match store.get(bucket_key(key)).await {
        Ok(Some(bytes)) => String::from_utf8(bytes.to_vec()).ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("memo bucket: {e}");
            None
        }
    }
}

async fn put(store: &kv::Store, key: &str, value: String) -> Result<(), String> {
    if value.len() > MAX_VALUE as usize {
        return Ok(());
    }
    store
        .put(bucket_key(key), value.into())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl Store for KvStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(get(&self.memo, key))
    }

    fn put<'a>(&'a self, key: &'a str, value: String) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(put(&self.memo, key, value))
    }

    fn get_share<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(get(&self.shares, id))
    }

    fn put_share<'a>(&'a self, id: &'a str, code: String) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(put(&self.shares, id, code))
    }

    fn bytes(&self) -> u64 {
        0
    }

    fn claim<'a>(&'a self, key: &'a str, _hold: Duration) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match self.claims.create(bucket_key(key), "1".into()).await {
                Ok(_) => true,
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => false,
                // The claim cannot be checked: run it here rather than wait.
                Err(e) => {
                    tracing::warn!("claims bucket: {e}");
                    true
                }
            }
        })
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self.claims.purge(bucket_key(key)).await {
                tracing::warn!("claims bucket: {e}");
            }
        })
    }

    fn wait<'a>(&'a self, key: &'a str, within: Duration) -> BoxFuture<'a, Option<String>> {
        Box::pin(async move {
            let until = tokio::time::Instant::now() + within;
            // Polled: the holder stores the result (if worth keeping), then releases.
            loop {
                if let Some(found) = get(&self.memo, key).await {
                    return Some(found);
                }
                let held = matches!(self.claims.get(bucket_key(key)).await, Ok(Some(_)));
                if !held || tokio::time::Instant::now() >= until {
                    // Released without a result worth keeping (or abandoned): one last look.
                    return get(&self.memo, key).await;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn memo_keys_are_bucket_keys() {
        let k = super::bucket_key("sha256:0123abcd");
        assert_eq!(k, "sha256_0123abcd");
        assert!(
            k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-/_=.".contains(c))
        );
    }
}
