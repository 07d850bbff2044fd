//! The end-to-end harness: starts the real `emblem-host` binary on the real
//! `.wasm` components with a fresh SQLite store, and talks to it over HTTP.
//!
//! Build first with `cargo xtask build` (or run everything with
//! `cargo xtask test`): the harness uses `target/host/emblem-host` and
//! `target/wasm32-wasip2/{release,credentials}/*.wasm` and fails with that advice when
//! they are missing.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The admin token every test app is started with.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
/// The key-encryption key of every test app (`key_encryption_key`; 32 bytes, hex).
pub const KEY_ENCRYPTION_KEY: &str =
    "6b65792d656e6372797074696f6e2d6b65792d666f722d7465737473212121ff";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The host binary, built by `cargo xtask build`.
pub fn host_binary() -> PathBuf {
    let path = target_dir().join("host").join("emblem-host");
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask test` (or `cargo xtask build` first)",
        path.display()
    );
    path
}

/// A fresh, empty directory for one app's state.
pub fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = target_dir()
        .join("e2e-state")
        .join(format!("{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

mod redis;
pub use redis::Redis;

/// How to start an app.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub manifest: PathBuf,
    pub state_dir: PathBuf,
    pub variables: Vec<(String, String)>,
    /// The `runtime-config.toml` text (key-value backends); None: SQLite at `kv.db` in the
    /// state directory.
    pub runtime_config: Option<String>,
    /// Appended to the runtime config (e.g. an `[outbound_networking]` table).
    pub runtime_config_extra: String,
}

impl AppConfig {
    /// The real `spin.toml`, a fresh store, and the test admin token.
    pub fn emblem(name: &str) -> AppConfig {
        AppConfig {
            manifest: root().join("spin.toml"),
            state_dir: scratch_dir(name),
            variables: vec![
                ("admin_token".into(), ADMIN_TOKEN.into()),
                // Ids follow each test app's own random port.
                ("public_base_url_from_request".into(), "true".into()),
                ("key_encryption_key".into(), KEY_ENCRYPTION_KEY.into()),
            ],
            runtime_config: None,
            runtime_config_extra: String::new(),
        }
    }

    /// A manifest under `tests/apps/`.
    pub fn fixture(app: &str, name: &str) -> AppConfig {
        AppConfig {
            manifest: root()
                .join("tests")
                .join("apps")
                .join(app)
                .join("spin.toml"),
            state_dir: scratch_dir(name),
            variables: vec![
                ("public_base_url_from_request".into(), "true".into()),
                ("key_encryption_key".into(), KEY_ENCRYPTION_KEY.into()),
            ],
            runtime_config: None,
            runtime_config_extra: String::new(),
        }
    }

    pub fn variable(mut self, name: &str, value: &str) -> AppConfig {
        self.variables.retain(|(n, _)| n != name);
        self.variables.push((name.into(), value.into()));
        self
    }

    pub fn without_variable(mut self, name: &str) -> AppConfig {
        self.variables.retain(|(n, _)| n != name);
        self
    }

    /// Use `redis` as the default store (`type = "redis"`), shared with any other app on it.
    pub fn redis(mut self, redis: &Redis) -> AppConfig {
        // The sealed private keys share the Redis database: their keys (`sealed/…`) are
        // their own, as in deploy/runtime-config.redis.toml.
        self.runtime_config = Some(format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"{url}\"\n\n\
             [key_value_store.secrets]\ntype = \"redis\"\nurl = \"{url}\"\n",
            url = redis.url
        ));
        self
    }

    /// Spin's SSRF guard for production: `[outbound_networking] block_networks = ["private"]`.
    pub fn block_private_networks(mut self) -> AppConfig {
        self.runtime_config_extra =
            "\n[outbound_networking]\nblock_networks = [\"private\"]\n".into();
        self
    }

    /// The same app again with its own state directory (a second instance on the same store).
    pub fn another(&self, name: &str) -> AppConfig {
        AppConfig {
            state_dir: scratch_dir(name),
            ..self.clone()
        }
    }

    pub fn start(self) -> App {
        App::start(self)
    }
}

/// A running host, killed when dropped.
#[derive(Debug)]
pub struct App {
    config: AppConfig,
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// One HTTP client per test thread, each connecting from that thread's own loopback
    /// address ([`client_address`]).
    agents: std::sync::Mutex<std::collections::HashMap<std::thread::ThreadId, ureq::Agent>>,
}

/// The real Spin CLI the apps run on instead of `emblem-host`, when `SPIN_BIN` names one
/// (`.ci/run` sets it from `../shared/tools/spin/` when that archive is present).
pub fn spin_binary() -> Option<PathBuf> {
    std::env::var_os("SPIN_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Which runtime the apps run on, for messages and for the few tests of `emblem-host` itself.
pub fn runtime_name() -> &'static str {
    if spin_binary().is_some() {
        "spin"
    } else {
        "emblem-host"
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Reads `stream` line by line into `log`, sending the address after `Serving ` once.
fn watch_output(
    stream: impl std::io::Read + Send + 'static,
    log: std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>,
    tx: mpsc::Sender<String>,
) {
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Ok(mut log) = log.lock()
                && let Some(log) = log.as_mut()
            {
                use std::io::Write;
                let _ = writeln!(log, "{line}");
            }
            let trimmed = line.trim();
            if !sent && let Some(addr) = trimmed.strip_prefix("Serving ") {
                let _ = tx.send(addr.trim().to_string());
                sent = true;
            }
        }
    });
}

pub mod client_address {
    //! Every test thread talks to the apps from its own loopback address (`127.77.x.y`), so
    //! what the app counts per client address (lockout) is counted per test: one test's
    //! failed logins never lock another out. ureq connects through [`FromThisTest`], which
    //! binds the socket to [`current`] before connecting.

    use std::io::{Read, Write};
    use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use ureq::unversioned::transport::{
        Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
    };

    thread_local! {
        static ADDRESS: Ipv4Addr = next();
    }

    fn next() -> Ipv4Addr {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed) % (250 * 250);
        let [_, _, hi, lo] = n.to_be_bytes();
        let n = u16::from_be_bytes([hi, lo]);
        Ipv4Addr::new(127, 77, (n / 250) as u8, (n % 250) as u8 + 2)
    }

    /// The address this thread's requests come from.
    pub fn current() -> Ipv4Addr {
        ADDRESS.with(|a| *a)
    }

    /// Connects from [`current`].
    #[derive(Debug)]
    pub struct FromThisTest;

    impl Connector<()> for FromThisTest {
        type Out = Bound;

        fn connect(
            &self,
            details: &ConnectionDetails,
            _chained: Option<()>,
        ) -> Result<Option<Bound>, ureq::Error> {
            let target = details.addrs.first().copied().ok_or_else(|| {
                ureq::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no address to connect to",
                ))
            })?;
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
            socket.bind(&SocketAddr::new(IpAddr::V4(current()), 0).into())?;
            socket.connect_timeout(&target.into(), Duration::from_secs(10))?;
            let stream: TcpStream = socket.into();
            stream.set_nodelay(true)?;
            let buffers = LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            );
            Ok(Some(Bound { stream, buffers }))
        }
    }

    /// A plain TCP transport over a socket bound to the test's address.
    #[derive(Debug)]
    pub struct Bound {
        stream: TcpStream,
        buffers: LazyBuffers,
    }

    impl Transport for Bound {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            let output = &self.buffers.output()[..amount];
            self.stream.write_all(output)?;
            Ok(())
        }

        fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
            let wait = match timeout.after {
                ureq::unversioned::transport::time::Duration::Exact(d) => {
                    d.clamp(Duration::from_millis(1), Duration::from_secs(120))
                }
                _ => Duration::from_secs(120),
            };
            self.stream.set_read_timeout(Some(wait))?;
            let input = self.buffers.input_append_buf();
            match self.stream.read(input) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    Ok(n > 0)
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    Err(ureq::Error::Timeout(timeout.reason))
                }
                Err(e) => Err(e.into()),
            }
        }

        fn is_open(&mut self) -> bool {
            // Open when nothing is waiting to be read and the peer has not closed it.
            if self.stream.set_nonblocking(true).is_err() {
                return false;
            }
            let mut byte = [0];
            let open = matches!(
                self.stream.peek(&mut byte),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
            );
            open && self.stream.set_nonblocking(false).is_ok()
        }
    }
}

/// Fail when a component's `.wasm` is older than a source it is built from: the tests would
/// otherwise run yesterday's code and prove nothing about today's. Checked once per process.
pub fn assert_wasm_fresh() {
    static CHECKED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    if let Err(e) = CHECKED.get_or_init(|| wasm_freshness(&root())) {
        panic!("{e}");
    }
}

/// The components the apps under test load.
const WASM: &[&str] = &[
    "emblem_issuing",
    "emblem_mail",
    "emblem_hosting",
    "emblem_bake",
    "emblem_canon",
    "emblem_share",
    "emblem_claim",
    "emblem_verify",
    "emblem_static",
    "emblem_test_hello",
    "emblem_test_probe",
];

/// The directory a component's `.wasm` is built into: its cargo profile's (Cargo.toml;
/// `xtask`'s `PROFILED`): `credentials`, `small` for `issuing` and `mail`, else `release`.
pub fn wasm_dir(root: &Path, name: &str) -> PathBuf {
    let profile = match name {
        "emblem_credentials" => "credentials",
        "emblem_issuing" | "emblem_mail" => "small",
        _ => "release",
    };
    root.join("target/wasm32-wasip2").join(profile)
}

/// The check behind [`assert_wasm_fresh`], for a workspace at `root`: each `.wasm` against
/// the sources its build read, as cargo listed them in the `.d` file beside it (every `.rs`
/// file and template compiled in, and nothing else, so editing a test or another component
/// does not count). A listed file that is gone also means a rebuild is due.
pub fn wasm_freshness(root: &Path) -> Result<(), String> {
    let mut stale = Vec::new();
    for name in WASM {
        let dir = wasm_dir(root, name);
        let wasm = dir.join(format!("{name}.wasm"));
        let built = std::fs::metadata(&wasm)
            .and_then(|m| m.modified())
            .map_err(|e| format!("{}: {e}; run `cargo xtask build`", wasm.display()))?;
        let deps = std::fs::read_to_string(dir.join(format!("{name}.d")))
            .map_err(|e| format!("{name}.d: {e}; run `cargo xtask build`"))?;
        for source in dep_info_sources(&deps) {
            let newer = std::fs::metadata(&source)
                .and_then(|m| m.modified())
                .map_or(true, |t| t > built);
            if newer {
                stale.push(format!("{name} (older than {})", source.display()));
                break;
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "stale .wasm: {}; run `cargo xtask build` (or `cargo xtask test`)",
            stale.join(", ")
        ))
    }
}

/// The prerequisites of a make-style dep-info file (`target: a b\ c`), spaces unescaped.
fn dep_info_sources(text: &str) -> Vec<PathBuf> {
    let Some((_, rest)) = text.lines().next().and_then(|l| l.split_once(": ")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    out.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(PathBuf::from(current));
    }
    out
}

impl App {
    pub fn start(config: AppConfig) -> App {
        assert_wasm_fresh();
        let runtime_config = config.state_dir.join("runtime-config.toml");
        let rc_text = config.runtime_config.clone().unwrap_or_else(|| {
            format!(
                "[key_value_store.default]\ntype = \"spin\"\npath = \"{}\"\n\n\
                 [key_value_store.secrets]\ntype = \"spin\"\npath = \"{}\"\n",
                config.state_dir.join("kv.db").display(),
                config.state_dir.join("secrets.db").display()
            )
        });
        std::fs::write(
            &runtime_config,
            format!("{rc_text}{}", config.runtime_config_extra),
        )
        .expect("write runtime config");
        let mut cmd = match spin_binary() {
            // Spin does not stop when its standard input closes. The wrapper does: it starts
            // Spin in a process group of its own, says its pid (the group's id), and kills the
            // group when the pipe from the tests closes, so apps held in statics never outlive
            // the test process. The group, not the pid: `spin up` serves from a child process
            // (`spin trigger http`) that a SIGKILL of `spin up` alone leaves running.
            Some(spin) => {
                let mut cmd = Command::new("sh");
                cmd.arg("-c")
                    .arg(
                        r#"setsid "$@" & child=$!; echo "emblem-test-pid $child" >&2; \
                           cat >/dev/null; kill -9 "-$child" 2>/dev/null"#,
                    )
                    .arg("sh")
                    .arg(spin)
                    .arg("up")
                    .arg("--listen")
                    .arg(format!("127.0.0.1:{}", free_port()))
                    .arg("--state-dir")
                    .arg(config.state_dir.join("spin-state"));
                cmd
            }
            None => {
                let mut cmd = Command::new(host_binary());
                cmd.arg("up")
                    .args(["--listen", "127.0.0.1:0"])
                    // The host exits when this pipe closes, for the same reason.
                    .env("EMBLEM_HOST_EXIT_ON_STDIN_EOF", "1");
                cmd
            }
        };
        cmd.arg("-f")
            .arg(&config.manifest)
            .arg("--runtime-config-file")
            .arg(&runtime_config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &config.variables {
            cmd.arg("--variable").arg(format!("{k}={v}"));
        }
        // Variables come only from the flags above, never from the caller's environment.
        for (k, _) in std::env::vars() {
            if k.starts_with("SPIN_VARIABLE_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", runtime_name()));
        let log = std::sync::Arc::new(std::sync::Mutex::new(
            std::fs::File::create(config.state_dir.join("host.log")).ok(),
        ));
        let (tx, rx) = mpsc::channel();
        watch_output(
            child.stderr.take().expect("stderr"),
            log.clone(),
            tx.clone(),
        );
        watch_output(child.stdout.take().expect("stdout"), log, tx);
        let base = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let log =
                    std::fs::read_to_string(config.state_dir.join("host.log")).unwrap_or_default();
                panic!("{} did not start:\n{log}", runtime_name());
            }
        };
        // Spin may announce itself before its listener accepts connections.
        for _ in 0..200 {
            let addr = base.trim_start_matches("http://");
            if std::net::TcpStream::connect(addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        App {
            config,
            child: Some(child),
            base,
            agents: std::sync::Mutex::default(),
        }
    }

    /// This thread's client: its connections come from [`client_address::current`], and are
    /// pooled for this thread only, so two tests never share a client address (nor the
    /// lockout counted against it).
    fn agent(&self) -> ureq::Agent {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        agents
            .entry(std::thread::current().id())
            .or_insert_with(|| {
                let config = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build();
                ureq::Agent::with_parts(
                    config,
                    client_address::FromThisTest,
                    ureq::unversioned::resolver::DefaultResolver::default(),
                )
            })
            .clone()
    }

    /// The pid of the process serving (Spin's, not its wrapper's), from the log.
    fn server_pid(&self) -> Option<u32> {
        let child = self.child.as_ref()?;
        if spin_binary().is_none() {
            return Some(child.id());
        }
        self.log()
            .lines()
            .find_map(|l| l.strip_prefix("emblem-test-pid "))
            .and_then(|p| p.trim().parse().ok())
    }

    /// Stops the host (SIGKILL: no graceful shutdown, as in a crash). On Spin, the whole
    /// process group: `spin up` and the `spin trigger http` child that serves.
    pub fn kill(&mut self) {
        if let Some(target) = self.kill_target() {
            let _ = Command::new("kill").args(["-9", "--", &target]).status();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What `kill -9 --` needs to stop every process that serves this app: the pid on
    /// `emblem-host`, the process group (`-<pgid>`) on Spin.
    pub fn kill_target(&self) -> Option<String> {
        let pid = self.server_pid()?;
        Some(match spin_binary() {
            Some(_) => format!("-{pid}"),
            None => pid.to_string(),
        })
    }

    /// Kills the host and starts it again on the same store.
    pub fn restart(&mut self) {
        self.kill();
        let fresh = App::start(self.config.clone());
        *self = fresh;
    }

    /// The SQLite key-value database of this app (Spin's table layout).
    pub fn kv_path(&self) -> PathBuf {
        self.config.state_dir.join("kv.db")
    }

    /// The SQLite database of the `secrets` store (the sealed private keys).
    pub fn secrets_path(&self) -> PathBuf {
        self.config.state_dir.join("secrets.db")
    }

    /// The configuration this app was started with.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// The host's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.config.state_dir.join("host.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Starts a request: `app.request("GET", "/x").header(..).send()`.
    pub fn request(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            app: self,
            method: method.to_string(),
            url: self.url(path),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path).send()
    }

    /// POST JSON with a bearer token.
    pub fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.request("POST", path).bearer(token).json(body).send()
    }

    /// Sends `head` (request line and headers, without the blank line) and
    /// `body` over a plain socket, tolerating the server closing the
    /// connection early (as it may when it refuses an oversized body), and
    /// returns the status and the raw response text.
    pub fn raw(&self, head: &str, body: &[u8]) -> (u16, String) {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(request.as_bytes());
        // The server may answer and close before the whole body is sent.
        let _ = stream.write_all(body);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        (status, text)
    }

    /// GET with a bearer token.
    pub fn get_auth(&self, path: &str, token: &str) -> Resp {
        self.request("GET", path).bearer(token).send()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A request being built.
#[derive(Debug)]
pub struct Req<'a> {
    app: &'a App,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, value: &Value) -> Self {
        self.header("Content-Type", "application/json")
            .body(serde_json::to_vec(value).expect("json"))
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub fn send(self) -> Resp {
        let (method, url) = (self.method.clone(), self.url.clone());
        let app = self.app;
        self.try_send()
            .unwrap_or_else(|e| panic!("{method} {url} failed: {e}\nhost log:\n{}", app.log()))
    }

    /// Sends, returning a transport error (connection refused or cut) instead of panicking.
    pub fn try_send(self) -> Result<Resp, ureq::Error> {
        let mut builder = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(&self.url);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(self.body).expect("request");
        let mut response = self.app.agent().run(request)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()?;
        Ok(Resp {
            status,
            headers,
            body,
        })
    }
}

/// A response, fully read.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text()))
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status,
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.text()
        );
        self
    }

    /// Asserts a problem+json error with this status.
    #[track_caller]
    pub fn expect_problem(&self, status: u16) -> Value {
        self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "problem content type; body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status, "problem body status: {body}");
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "problem title: {body}"
        );
        body
    }
}

/// Where `tests/interop/setup.sh` installs the npm verifiers (`tests/interop/vcjs/`).
pub fn vcjs_dir() -> PathBuf {
    root().join("target/interop/vcjs")
}

/// Runs `tests/interop/<script>` under Node with `input` on stdin and the installed verifiers
/// (`EMBLEM_VCJS_DIR`), `EMBLEM_VC_REPEAT` set when `repeat` is; the JSON its last stdout line
/// prints. Panics with the script's output when that is not JSON.
pub fn node_verifier(script: &str, input: &Value, repeat: Option<u32>) -> Value {
    let mut cmd = std::process::Command::new("node");
    cmd.arg(root().join("tests/interop").join(script))
        .env("EMBLEM_VCJS_DIR", vcjs_dir());
    if let Some(n) = repeat {
        cmd.env("EMBLEM_VC_REPEAT", n.to_string());
    }
    json_verdict(cmd, script, input)
}

/// Runs `cmd` with `input` on stdin; the JSON its last stdout line prints (stderr dropped).
/// Panics with the output when that is not JSON.
pub fn json_verdict(mut cmd: std::process::Command, label: &str, input: &Value) -> Value {
    use std::io::Write as _;
    use std::process::Stdio;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("run {label}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{label} printed {stdout:?}: {e}"))
}

#[cfg(test)]
mod freshness_tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, b"x").expect("write");
    }

    #[test]
    fn a_wasm_older_than_a_source_it_was_built_from_is_stale() {
        let root = std::env::temp_dir().join(format!("emblem-fresh-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir_of = |name: &str| wasm_dir(&root, name);
        let shared = root.join("crates/web/src/lib.rs");
        let page = root.join("crates/pages/templates/my page.html");
        let unrelated = root.join("crates/web/src/tests.rs");
        for path in [&shared, &page, &unrelated] {
            touch(path);
        }
        std::thread::sleep(Duration::from_millis(20));
        for name in WASM {
            let dir = dir_of(name);
            touch(&dir.join(format!("{name}.wasm")));
            let mut deps = format!("{}: {}", dir.join(name).display(), shared.display());
            if *name == "emblem_hosting" {
                let escaped = page.display().to_string().replace(' ', "\\ ");
                deps.push_str(&format!(" {escaped}"));
            }
            std::fs::write(dir.join(format!("{name}.d")), deps + "\n").expect("d");
        }
        assert_eq!(wasm_freshness(&root), Ok(()));

        // A file no build read: nothing is stale.
        std::thread::sleep(Duration::from_millis(20));
        touch(&unrelated);
        assert_eq!(wasm_freshness(&root), Ok(()));

        // A template only hosting reads: hosting alone is stale.
        touch(&page);
        let err = wasm_freshness(&root).expect_err("stale");
        assert!(
            err.contains("emblem_hosting") && err.contains("my page.html"),
            "{err}"
        );
        assert!(!err.contains("emblem_issuing"), "{err}");

        // A shared source: every component is.
        touch(&shared);
        let err = wasm_freshness(&root).expect_err("stale");
        assert!(
            err.contains("emblem_issuing") && err.contains("emblem_test_probe"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
