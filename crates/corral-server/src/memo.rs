//! The memo store (docs/contracts.md, Memoization) and shared snippets, in one SQLite file:
//! results by key with a byte cap and least-recently-used eviction; shares are
//! never evicted.

use futures::future::BoxFuture;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Memo {
    db: Mutex<Connection>,
    cap_bytes: u64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Memo {
    pub fn open(path: &Path, cap_bytes: u64) -> rusqlite::Result<Memo> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS memo (key TEXT PRIMARY KEY, result TEXT NOT NULL,
                 bytes INTEGER NOT NULL, last_used INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS memo_lru ON memo(last_used);
             CREATE TABLE IF NOT EXISTS shares (id TEXT PRIMARY KEY, code TEXT NOT NULL,
                 created INTEGER NOT NULL);",
        )?;
        Ok(Memo {
            db: Mutex::new(db),
            cap_bytes,
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached result for `key`, marking it used.
    pub fn get(&self, key: &str) -> Option<String> {
        let db = self.db();
        let found: Option<String> = db
            .query_row(
                "SELECT result FROM memo WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .ok()?;
        if found.is_some() {
            let _ = db.execute(
                "UPDATE memo SET last_used = ?1 WHERE key = ?2",
                params![now_ms(), key],
            );
        }
        found
    }

    /// Stores a result, then evicts the least recently used ones beyond the byte cap.
    pub fn put(&self, key: &str, result: &str) -> rusqlite::Result<()> {
        let db = self.db();
        db.execute(
            "INSERT OR REPLACE INTO memo (key, result, bytes, last_used) VALUES (?1, ?2, ?3, ?4)",
            params![key, result, result.len() as i64, now_ms()],
        )?;
        let total: i64 =
            db.query_row("SELECT COALESCE(SUM(bytes), 0) FROM memo", [], |r| r.get(0))?;
        if total as u64 > self.cap_bytes {
            let mut excess = total - self.cap_bytes as i64;
            let mut stmt = db.prepare("SELECT key, bytes FROM memo ORDER BY last_used ASC")?;
            let victims: Vec<(String, i64)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (k, b) in victims {
                if excess <= 0 {
                    break;
                }
                db.execute("DELETE FROM memo WHERE key = ?1", params![k])?;
                excess -= b;
            }
        }
        Ok(())
    }

    /// Bytes held by cached results.
    pub fn bytes(&self) -> u64 {
        self.db()
            .query_row("SELECT COALESCE(SUM(bytes), 0) FROM memo", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap_or(0) as u64
    }

    pub fn put_share(&self, id: &str, code: &str) -> rusqlite::Result<()> {
        self.db().execute(
            "INSERT OR IGNORE INTO shares (id, code, created) VALUES (?1, ?2, ?3)",
            params![id, code, now_ms()],
        )?;
        Ok(())
    }

    pub fn get_share(&self, id: &str) -> Option<String> {
        self.db()
            .query_row("SELECT code FROM shares WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()
            .ok()?
    }
}

/// Where results and shares are kept: the SQLite file of one server ([`Memo`]), or a
/// store shared by every API node of a cluster. Values are the typed results as JSON.
pub trait Store: Send + Sync {
    /// The result stored under a memo key, if any.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<String>>;
    /// Keeps a result under its memo key.
    fn put<'a>(&'a self, key: &'a str, value: String) -> BoxFuture<'a, Result<(), String>>;
    fn get_share<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Option<String>>;
    fn put_share<'a>(&'a self, id: &'a str, code: String) -> BoxFuture<'a, Result<(), String>>;
    /// Bytes held by results (for /metrics), when the store can tell cheaply.
    fn bytes(&self) -> u64;

    /// Claims the running of `key` among every server sharing this store, for at most
    /// `hold`: false when another server holds the claim (then [`Store::wait`] for its
    /// result). A store of one server always grants it.
    fn claim<'a>(&'a self, _key: &'a str, _hold: Duration) -> BoxFuture<'a, bool> {
        Box::pin(std::future::ready(true))
    }

    /// Gives a claim back (the result is stored, or the run failed).
    fn release<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(std::future::ready(()))
    }

    /// Waits at most `within` for the result another server is producing under `key`.
    fn wait<'a>(&'a self, _key: &'a str, _within: Duration) -> BoxFuture<'a, Option<String>> {
        Box::pin(std::future::ready(None))
    }
}

impl Store for Memo {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(std::future::ready(Memo::get(self, key)))
    }

    fn put<'a>(&'a self, key: &'a str, value: String) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(std::future::ready(
            Memo::put(self, key, &value).map_err(|e| e.to_string()),
        ))
    }

    fn get_share<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(std::future::ready(Memo::get_share(self, id)))
    }

    fn put_share<'a>(&'a self, id: &'a str, code: String) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(std::future::ready(
            Memo::put_share(self, id, &code).map_err(|e| e.to_string()),
        ))
    }

    fn bytes(&self) -> u64 {
        Memo::bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_memo(cap: u64) -> (Memo, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("corral-memo-{}-{cap}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("memo.sqlite");
        let _ = std::fs::remove_file(&path);
        (Memo::open(&path, cap).unwrap(), dir)
    }

    #[test]
    fn least_recently_used_results_go_first_and_shares_stay() {
        let (m, dir) = temp_memo(250);
        m.put_share("abc", "fn main() {}").unwrap();
        m.put("a", &"x".repeat(100)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        m.put("b", &"y".repeat(100)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(m.get("a").is_some(), "a is now the most recently used");
        std::thread::sleep(std::time::Duration::from_millis(2));
        m.put("c", &"z".repeat(100)).unwrap();
        assert!(m.get("b").is_none(), "b was the least recently used");
        assert!(m.get("a").is_some() && m.get("c").is_some());
        assert!(m.bytes() <= 250);
        assert_eq!(m.get_share("abc").as_deref(), Some("fn main() {}"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
