//! A Redis store that sends exactly what Spin 4.1's `crates/key-value-redis`
//! sends, through the same `redis` crate, so its answers are Spin's:
//!
//! - `get`/`set`/`delete`/`exists`: `GET`/`SET`/`DEL`/`EXISTS`; keys are not
//!   prefixed by store label;
//! - `increment`: `INCRBY`, so a counter is stored as ASCII decimal;
//! - `get_many`: `KEYS <k1> <k2> …`, which Redis refuses for two or more keys;
//!   `set_many`/`delete_many`: `MSET`/`DEL`, atomic;
//! - compare-and-swap: a new connection per handle; `current` is `WATCH key`
//!   then `GET`; `swap` is `MULTI SET EXEC` followed by `UNWATCH key`, which
//!   Redis refuses (UNWATCH takes no argument), so every swap is reported as
//!   failed, including the ones that wrote.
//!
//! The host's key-value functions are synchronous to the guest; each Redis
//! call blocks its worker thread in place (`block_in_place`), as Spin's
//! SQLite store does for its queries.

use ::redis::aio::ConnectionManager;
use ::redis::{AsyncCommands, Client, RedisError};
use std::future::Future;
use tokio::sync::OnceCell;

use super::sqlite::{Entry, KvError};

/// One Redis database, shared by every store label that names it.
pub struct RedisKv {
    client: Client,
    connection: OnceCell<ConnectionManager>,
}

impl std::fmt::Debug for RedisKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisKv")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Runs `f` to completion on the current runtime from synchronous host code.
fn block<F: Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

impl RedisKv {
    /// A store for `url` (`redis://host:port[/db]`); connects on first use.
    pub fn open(url: &str) -> anyhow::Result<RedisKv> {
        let parsed = ::redis::parse_redis_url(url)
            .ok_or_else(|| anyhow::anyhow!("invalid Redis URL {url:?}"))?;
        Ok(RedisKv {
            client: Client::open(parsed)?,
            connection: OnceCell::new(),
        })
    }

    fn conn(&self) -> Result<ConnectionManager, KvError> {
        block(
            self.connection
                .get_or_try_init(|| self.client.get_connection_manager()),
        )
        .cloned()
        .map_err(KvError::from)
    }

    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        let mut c = self.conn()?;
        Ok(block(c.get::<_, Option<Vec<u8>>>(key))?)
    }

    pub fn exists(&self, key: &str) -> Result<bool, KvError> {
        let mut c = self.conn()?;
        Ok(block(c.exists::<_, bool>(key))?)
    }

    pub fn keys(&self) -> Result<Vec<String>, KvError> {
        let mut c = self.conn()?;
        Ok(block(c.keys::<_, Vec<String>>("*"))?)
    }

    /// Spin's batch read: `KEYS` with the keys as arguments.
    pub fn get_many(&self, keys: &[String]) -> Result<Vec<Entry>, KvError> {
        let mut c = self.conn()?;
        Ok(block(
            c.keys::<_, Vec<(String, Option<Vec<u8>>)>>(keys.to_vec()),
        )?)
    }

    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        let mut c = self.conn()?;
        Ok(block(c.set::<_, _, ()>(key, value))?)
    }

    pub fn set_many(&self, entries: &[(String, Vec<u8>)]) -> Result<(), KvError> {
        let mut c = self.conn()?;
        Ok(block(c.mset::<_, _, ()>(entries))?)
    }

    pub fn delete(&self, key: &str) -> Result<(), KvError> {
        let mut c = self.conn()?;
        Ok(block(c.del::<_, ()>(key))?)
    }

    pub fn delete_many(&self, keys: &[String]) -> Result<(), KvError> {
        let mut c = self.conn()?;
        Ok(block(c.del::<_, ()>(keys.to_vec()))?)
    }

    pub fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        let mut c = self.conn()?;
        Ok(block(c.incr::<_, _, i64>(key, delta))?)
    }

    /// A compare-and-swap handle's own connection (a `WATCH` is per connection).
    pub fn cas_connection(&self) -> Result<ConnectionManager, KvError> {
        Ok(block(self.client.get_connection_manager())?)
    }

    pub fn cas_current(
        &self,
        conn: &ConnectionManager,
        key: &str,
    ) -> Result<Option<Vec<u8>>, KvError> {
        block(async {
            ::redis::cmd("WATCH")
                .arg(key)
                .exec_async(&mut conn.clone())
                .await?;
            conn.clone().get::<_, Option<Vec<u8>>>(key).await
        })
        .map_err(KvError::from)
    }

    /// Ok(true) only if Spin would report success; see the module docs.
    pub fn cas_swap(
        &self,
        conn: &ConnectionManager,
        key: &str,
        value: &[u8],
    ) -> Result<bool, KvError> {
        block(async {
            let written: Result<(), RedisError> = ::redis::pipe()
                .atomic()
                .set(key, value)
                .query_async(&mut conn.clone())
                .await;
            let unwatched = ::redis::cmd("UNWATCH")
                .arg(key)
                .exec_async(&mut conn.clone())
                .await;
            Ok(unwatched.is_ok() && written.is_ok())
        })
    }
}

#[cfg(test)]
mod tests {
    //! Spin 4.1's Redis semantics, each assertion read from `crates/key-value-redis/src/store.rs`,
    //! checked against a real `redis-server` (Debian's; `.ci/run` installs it).

    use super::*;
    use std::process::{Child, Command, Stdio};

    struct Server(Child, String);

    impl Server {
        fn start() -> Server {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server must be installed (apt-get install redis-server)");
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Server(child, format!("redis://127.0.0.1:{port}"));
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!("redis-server did not start on port {port}");
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_host_answers_as_spins_redis_store_does() -> Result<(), KvError> {
        let server = Server::start();
        let kv = RedisKv::open(&server.1).expect("url");

        // `increment` is INCRBY: the counter is stored as ASCII decimal.
        assert_eq!(kv.increment("n", 15)?, 15);
        assert_eq!(kv.get("n")?, Some(b"15".to_vec()));

        // A swap over an unchanged value writes, and is reported as failed (UNWATCH <key>).
        let conn = kv.cas_connection()?;
        assert_eq!(kv.cas_current(&conn, "k")?, None);
        assert!(!kv.cas_swap(&conn, "k", b"mine")?);
        assert_eq!(kv.get("k")?, Some(b"mine".to_vec()));

        // A swap over a value changed since `current` does not write (EXEC aborts); also
        // reported as failed, so the two cases cannot be told apart from the report.
        let conn = kv.cas_connection()?;
        assert_eq!(kv.cas_current(&conn, "k")?, Some(b"mine".to_vec()));
        kv.set("k", b"theirs")?;
        assert!(!kv.cas_swap(&conn, "k", b"late")?);
        assert_eq!(kv.get("k")?, Some(b"theirs".to_vec()));

        // Batch reads send KEYS with the keys as arguments: refused for two keys.
        kv.set("a", b"1")?;
        assert!(kv.get_many(&["a".into(), "k".into()]).is_err());
        // Batch writes and deletes are MSET and DEL.
        kv.set_many(&[("x".into(), b"1".to_vec()), ("y".into(), b"2".to_vec())])?;
        assert_eq!(kv.get("y")?, Some(b"2".to_vec()));
        kv.delete_many(&["x".into(), "y".into()])?;
        assert!(!kv.exists("x")?);
        Ok(())
    }
}
