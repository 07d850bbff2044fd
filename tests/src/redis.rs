//! A real Redis for the tests: Debian's `redis-server` on a free loopback port, its data in a
//! scratch directory, stopped when dropped. `.ci/run` installs the package.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `redis-server`.
#[derive(Debug)]
pub struct Redis {
    child: Child,
    /// `redis://127.0.0.1:<port>`.
    pub url: String,
    /// Its working directory (append-only file, log).
    pub dir: PathBuf,
}

impl Redis {
    /// Starts a fresh server with an fsync'd append-only file, so an acknowledged write is
    /// durable as it would be in a careful deployment.
    pub fn start(name: &str) -> Redis {
        let dir = crate::scratch_dir(&format!("redis-{name}"));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&dir)
            .arg("--logfile")
            .arg(dir.join("redis.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server; .ci/run does)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Redis {
                    child,
                    url: format!("redis://127.0.0.1:{port}"),
                    dir,
                };
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not start on port {port}");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
