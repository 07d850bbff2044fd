//! The key-value store: SQLite in Spin's own table layout.
//!
//! Spin's default store keeps every label's data in one table,
//! `spin_key_value(store, key, value)`, in `.spin/sqlite_key_value.db`
//! beside the manifest. Using the same file and layout means data moves
//! freely between `spin up` and `emblem-host up`.
//!
//! Reads run on a small pool of reader connections (WAL mode lets them
//! proceed while a write commits); writes go through one writer connection,
//! each in its own transaction with `synchronous = FULL`, so an acknowledged
//! write survives a crash of the process or of the machine.
//!
//! The atomic operations do what Spin's SQLite store (`crates/key-value-spin`)
//! does, quirks included, so that the app is tested against them:
//! - `increment` keeps an i64 as 8 little-endian bytes; a missing key is 0;
//!   a value that is not 8 bytes is an error (Spin panics there);
//! - compare-and-swap remembers the value its `current` read; `swap` then
//!   updates only while the row still holds it, but when `current` saw no
//!   value (or was never called) `swap` is an upsert that always succeeds.

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many idle reader connections to keep.
const MAX_IDLE_READERS: usize = 8;

/// A key and its value, if any (a batch read's answer).
pub type Entry = (String, Option<Vec<u8>>);

/// One SQLite database file holding any number of stores (labels).
#[derive(Debug)]
pub struct SqliteKv {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// Errors surfaced to guests. The detail goes to the host log only.
#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("storage error")]
    Redis(#[from] redis::RedisError),
    #[error("stored value for an atomic counter is not an 8-byte integer")]
    NotACounter,
    #[error("counter overflow")]
    Overflow,
    #[error("storage error")]
    Storage(#[from] rusqlite::Error),
    #[error("storage error")]
    Poisoned,
}

impl SqliteKv {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteKv> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let writer = Self::connect(path)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS spin_key_value (
                     store TEXT NOT NULL,
                     key   TEXT NOT NULL,
                     value BLOB NOT NULL,
                     PRIMARY KEY (store, key)
                 );",
            )
            .with_context(|| format!("cannot initialise {}", path.display()))?;
        Ok(SqliteKv {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn connect(path: &Path) -> Result<Connection> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the key-value database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;")?;
        Ok(conn)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, KvError> {
        let pooled = self.readers.lock().map_err(|_| KvError::Poisoned)?.pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => Self::connect(&self.path).map_err(|e| {
                eprintln!("emblem-host: kv: {e:#}");
                KvError::Poisoned
            })?,
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().map_err(|_| KvError::Poisoned)?;
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        Ok(result?)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, KvError>,
    ) -> Result<T, KvError> {
        let mut conn = self.writer.lock().map_err(|_| KvError::Poisoned)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.read(|c| {
            c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row(params![store, key], |row| row.get(0))
                .optional()
        })
    }

    pub fn exists(&self, store: &str, key: &str) -> Result<bool, KvError> {
        self.read(|c| {
            c.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .exists(params![store, key])
        })
    }

    pub fn keys(&self, store: &str) -> Result<Vec<String>, KvError> {
        self.read(|c| {
            c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")?
                .query_map(params![store], |row| row.get(0))?
                .collect()
        })
    }

    pub fn get_many(&self, store: &str, keys: &[String]) -> Result<Vec<Entry>, KvError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?;
            keys.iter()
                .map(|k| {
                    let v = stmt
                        .query_row(params![store, k], |row| row.get(0))
                        .optional()?;
                    Ok((k.clone(), v))
                })
                .collect()
        })
    }

    pub fn set(&self, store: &str, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.set_many(store, &[(key.to_string(), value.to_vec())])
    }

    pub fn set_many(&self, store: &str, entries: &[(String, Vec<u8>)]) -> Result<(), KvError> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )?;
            for (key, value) in entries {
                stmt.execute(params![store, key, value])?;
            }
            Ok(())
        })
    }

    pub fn delete(&self, store: &str, key: &str) -> Result<(), KvError> {
        self.delete_many(store, &[key.to_string()])
    }

    pub fn delete_many(&self, store: &str, keys: &[String]) -> Result<(), KvError> {
        self.write(|tx| {
            let mut stmt =
                tx.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?;
            for key in keys {
                stmt.execute(params![store, key])?;
            }
            Ok(())
        })
    }

    /// Adds `delta` to the counter at `key` (missing = 0) and returns the new value.
    pub fn increment(&self, store: &str, key: &str, delta: i64) -> Result<i64, KvError> {
        self.write(|tx| {
            let current: Option<Vec<u8>> = tx
                .prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row(params![store, key], |row| row.get(0))
                .optional()?;
            let current = match current {
                None => 0,
                Some(bytes) => {
                    let bytes: [u8; 8] = bytes
                        .as_slice()
                        .try_into()
                        .map_err(|_| KvError::NotACounter)?;
                    i64::from_le_bytes(bytes)
                }
            };
            let next = current.checked_add(delta).ok_or(KvError::Overflow)?;
            tx.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![store, key, next.to_le_bytes().to_vec()])?;
            Ok(next)
        })
    }

    /// Spin's SQLite `swap`: with a `seen` value, update the row only while it
    /// still holds that value; with none, upsert. Returns whether one row changed
    /// (Spin reports `cas-failed` otherwise).
    pub fn swap(
        &self,
        store: &str,
        key: &str,
        seen: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, KvError> {
        self.write(|tx| {
            let rows = match seen {
                Some(old) => tx
                    .prepare_cached(
                        "UPDATE spin_key_value SET value = ?4
                         WHERE store = ?1 AND key = ?2 AND value = ?3",
                    )?
                    .execute(params![store, key, old, new])?,
                None => tx
                    .prepare_cached(
                        "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                         ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![store, key, new])?,
            };
            Ok(rows == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> SqliteKv {
        let dir = std::env::temp_dir().join(format!("emblem-kv-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        SqliteKv::open(&dir.join("kv.db")).expect("open")
    }

    // The durability the docs promise: WAL, and every commit synced (`synchronous = FULL`, 2)
    // on the connection that writes and on the ones that read.
    #[test]
    fn every_connection_is_in_wal_mode_with_full_sync() -> Result<(), KvError> {
        let kv = temp_store("durability");
        let pragmas = |c: &Connection| -> rusqlite::Result<(String, i64)> {
            let mode = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let sync = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            Ok((mode, sync))
        };
        let written = kv.write(|tx| Ok(pragmas(tx)?))?;
        assert_eq!(written, ("wal".to_owned(), 2));
        assert_eq!(kv.read(pragmas)?, ("wal".to_owned(), 2));
        Ok(())
    }

    #[test]
    fn values_round_trip_per_store_label() -> Result<(), KvError> {
        let kv = temp_store("roundtrip");
        kv.set("default", "k", b"v")?;
        assert_eq!(kv.get("default", "k")?, Some(b"v".to_vec()));
        assert_eq!(kv.get("other", "k")?, None);
        assert!(kv.exists("default", "k")?);
        kv.delete("default", "k")?;
        assert_eq!(kv.get("default", "k")?, None);
        Ok(())
    }

    #[test]
    fn increment_keeps_eight_little_endian_bytes_from_zero() -> Result<(), KvError> {
        let kv = temp_store("incr");
        assert_eq!(kv.increment("default", "n", 1)?, 1);
        assert_eq!(kv.increment("default", "n", 41)?, 42);
        assert_eq!(kv.get("default", "n")?, Some(42i64.to_le_bytes().to_vec()));
        kv.set("default", "text", b"abc")?;
        assert!(matches!(
            kv.increment("default", "text", 1),
            Err(KvError::NotACounter)
        ));
        Ok(())
    }

    #[test]
    fn swap_is_exact_over_a_value_and_an_upsert_over_none_as_in_spin() -> Result<(), KvError> {
        // crates/key-value-spin: `UPDATE … WHERE value = old`, or `INSERT … ON CONFLICT DO
        // UPDATE` when `current` saw no value.
        let kv = temp_store("cas");
        assert!(kv.swap("default", "k", None, b"1")?);
        assert!(kv.swap("default", "k", None, b"2")?, "absent: an upsert");
        assert_eq!(kv.get("default", "k")?, Some(b"2".to_vec()));
        assert!(kv.swap("default", "k", Some(b"2"), b"3")?);
        assert!(!kv.swap("default", "k", Some(b"2"), b"4")?);
        assert_eq!(kv.get("default", "k")?, Some(b"3".to_vec()));
        Ok(())
    }

    #[test]
    fn concurrent_increments_are_never_lost() -> Result<(), KvError> {
        let kv = std::sync::Arc::new(temp_store("race"));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let kv = kv.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        kv.increment("default", "n", 1).expect("increment");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(kv.increment("default", "n", 0)?, 200);
        Ok(())
    }
}
