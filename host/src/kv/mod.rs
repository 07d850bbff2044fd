//! Key-value stores as Spin's `runtime-config.toml` defines them, each with
//! the observable semantics of Spin 4.1's own backend of that type:
//!
//! - `type = "spin"` ([`SqliteKv`], optional `path`): Spin's SQLite table,
//!   its little-endian counters and its upserting compare-and-swap;
//! - `type = "redis"` ([`RedisKv`], `url`): the same Redis commands Spin
//!   sends, so counters are `INCRBY` decimals, every swap is reported as
//!   failed and batch reads fail as they do on Spin.
//!
//! Mirroring the quirks is the point: a test run on `emblem-host` then
//! catches any reliance on an operation real Spin gets wrong. The list is in
//! `docs/storage.md`.

mod redis;
mod sqlite;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use self::redis::RedisKv;
pub use sqlite::{Entry, KvError, SqliteKv};

/// A store backend named by the runtime config.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreDef {
    /// SQLite at this path.
    Sqlite(PathBuf),
    /// Redis at this URL.
    Redis(String),
}

/// An open backend. Redis keys are not prefixed by label, as in Spin.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(Arc<SqliteKv>),
    Redis(Arc<RedisKv>),
}

/// What a compare-and-swap handle holds between `current` and `swap`.
pub enum CasState {
    /// The value `current` read (None before it is called, as in Spin).
    Sqlite(Option<Vec<u8>>),
    /// The handle's own connection, on which `current` ran `WATCH`.
    Redis(::redis::aio::ConnectionManager),
}

impl std::fmt::Debug for CasState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CasState::Sqlite(seen) => f.debug_tuple("Sqlite").field(seen).finish(),
            CasState::Redis(_) => f.write_str("Redis(..)"),
        }
    }
}

impl Db {
    /// Opens the backend `def` names.
    pub fn open(def: &StoreDef) -> Result<Db> {
        Ok(match def {
            StoreDef::Sqlite(path) => Db::Sqlite(Arc::new(SqliteKv::open(path)?)),
            StoreDef::Redis(url) => Db::Redis(Arc::new(RedisKv::open(url)?)),
        })
    }

    pub fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        match self {
            Db::Sqlite(db) => db.get(store, key),
            Db::Redis(db) => db.get(key),
        }
    }

    pub fn exists(&self, store: &str, key: &str) -> Result<bool, KvError> {
        match self {
            Db::Sqlite(db) => db.exists(store, key),
            Db::Redis(db) => db.exists(key),
        }
    }

    pub fn keys(&self, store: &str) -> Result<Vec<String>, KvError> {
        match self {
            Db::Sqlite(db) => db.keys(store),
            Db::Redis(db) => db.keys(),
        }
    }

    pub fn get_many(&self, store: &str, keys: &[String]) -> Result<Vec<Entry>, KvError> {
        match self {
            Db::Sqlite(db) => db.get_many(store, keys),
            Db::Redis(db) => db.get_many(keys),
        }
    }

    pub fn set(&self, store: &str, key: &str, value: &[u8]) -> Result<(), KvError> {
        match self {
            Db::Sqlite(db) => db.set(store, key, value),
            Db::Redis(db) => db.set(key, value),
        }
    }

    pub fn set_many(&self, store: &str, entries: &[(String, Vec<u8>)]) -> Result<(), KvError> {
        match self {
            Db::Sqlite(db) => db.set_many(store, entries),
            Db::Redis(db) => db.set_many(entries),
        }
    }

    pub fn delete(&self, store: &str, key: &str) -> Result<(), KvError> {
        match self {
            Db::Sqlite(db) => db.delete(store, key),
            Db::Redis(db) => db.delete(key),
        }
    }

    pub fn delete_many(&self, store: &str, keys: &[String]) -> Result<(), KvError> {
        match self {
            Db::Sqlite(db) => db.delete_many(store, keys),
            Db::Redis(db) => db.delete_many(keys),
        }
    }

    pub fn increment(&self, store: &str, key: &str, delta: i64) -> Result<i64, KvError> {
        match self {
            Db::Sqlite(db) => db.increment(store, key, delta),
            Db::Redis(db) => db.increment(key, delta),
        }
    }

    /// Spin's `new_compare_and_swap`: nothing read yet (Redis: a new connection).
    pub fn cas_new(&self) -> Result<CasState, KvError> {
        match self {
            Db::Sqlite(_) => Ok(CasState::Sqlite(None)),
            Db::Redis(db) => Ok(CasState::Redis(db.cas_connection()?)),
        }
    }

    /// Spin's `Cas::current`: read (SQLite: and remember; Redis: `WATCH`, then `GET`).
    pub fn cas_current(
        &self,
        store: &str,
        key: &str,
        state: &mut CasState,
    ) -> Result<Option<Vec<u8>>, KvError> {
        match (self, state) {
            (Db::Sqlite(db), CasState::Sqlite(seen)) => {
                let value = db.get(store, key)?;
                seen.clone_from(&value);
                Ok(value)
            }
            (Db::Redis(db), CasState::Redis(conn)) => db.cas_current(conn, key),
            _ => Err(KvError::Poisoned),
        }
    }

    /// Spin's `Cas::swap`: Ok(true) when Spin reports success, Ok(false) when
    /// it reports `cas-failed` (on Redis: always, whether or not it wrote).
    pub fn cas_swap(
        &self,
        store: &str,
        key: &str,
        state: &CasState,
        value: &[u8],
    ) -> Result<bool, KvError> {
        match (self, state) {
            (Db::Sqlite(db), CasState::Sqlite(seen)) => db.swap(store, key, seen.as_deref(), value),
            (Db::Redis(db), CasState::Redis(conn)) => db.cas_swap(conn, key, value),
            _ => Err(KvError::Poisoned),
        }
    }
}

/// Where each store label lives, from Spin's `runtime-config.toml`
/// (`[key_value_store.<label>]`: `type = "spin"` with an optional `path`, or
/// `type = "redis"` with `url`). Without one, `default` is SQLite in
/// `.spin/sqlite_key_value.db` beside the manifest, as in Spin.
pub fn store_defs(
    app_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<Vec<(String, StoreDef)>> {
    let default_path = app_dir.join(".spin").join("sqlite_key_value.db");
    let mut stores = vec![(
        "default".to_string(),
        StoreDef::Sqlite(default_path.clone()),
    )];
    let Some(path) = runtime_config else {
        return Ok(stores);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read runtime config {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    if let Some(kv) = table.get("key_value_store").and_then(|v| v.as_table()) {
        for (label, def) in kv {
            let kind = def.get("type").and_then(|t| t.as_str()).unwrap_or("");
            let store = match kind {
                "spin" => StoreDef::Sqlite(match def.get("path").and_then(|p| p.as_str()) {
                    Some(p) => base.join(p),
                    None => default_path.clone(),
                }),
                "redis" => StoreDef::Redis(
                    def.get("url")
                        .and_then(|u| u.as_str())
                        .with_context(|| format!("key_value_store.{label}: redis needs `url`"))?
                        .to_string(),
                ),
                other => bail!(
                    "key_value_store.{label}: type {other:?} is not supported by emblem-host \
                     (\"spin\" for SQLite, \"redis\"); run the app with `spin up` for others"
                ),
            };
            stores.retain(|(l, _)| l != label);
            stores.push((label.clone(), store));
        }
    }
    Ok(stores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_config_names_sqlite_and_redis_stores() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("emblem-rc-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let rc = dir.join("runtime-config.toml");
        std::fs::write(
            &rc,
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:6390\"\n\
             [key_value_store.other]\ntype = \"spin\"\npath = \"x.db\"\n",
        )?;
        let defs = store_defs(Path::new("/app"), Some(&rc))?;
        assert_eq!(
            defs,
            vec![
                (
                    "default".to_string(),
                    StoreDef::Redis("redis://127.0.0.1:6390".into())
                ),
                ("other".to_string(), StoreDef::Sqlite(dir.join("x.db"))),
            ]
        );
        std::fs::write(&rc, "[key_value_store.default]\ntype = \"azure_cosmos\"\n")?;
        assert!(store_defs(Path::new("/app"), Some(&rc)).is_err());
        std::fs::write(&rc, "[key_value_store.default]\ntype = \"redis\"\n")?;
        let missing = store_defs(Path::new("/app"), Some(&rc)).expect_err("no url");
        assert!(format!("{missing:#}").contains("url"), "{missing:#}");
        Ok(())
    }
}
