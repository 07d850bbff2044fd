//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `up [host flags…]`: build the components and the host, then run the app
//!   on 127.0.0.1:3000 with the embedded SQLite store (`.spin/`).
//! - `build`: build the WebAssembly components and the host.
//! - `test`: build everything, install the reference bakers for the interop
//!   tests (`tests/interop/setup.sh`), then run every test (unit, end-to-end,
//!   interop), after installing Chromium and playwright-core for the browser
//!   tests (`tests/browser/setup.sh`).
//! - `bench-http [seconds]`: the load benchmark (wrk against the real host).
//! - `bench-verify [seconds]`: `POST /verify` of a hosted badge against its
//!   `GET /assertions/:id` (wrk).
//! - `bench-bake`: bake and unbake timings of Emblem against the two reference
//!   bakers on the same files, as a markdown table.
//! - `bench-credentials [seconds]`: Open Badges 3.0: credentials signed and verified per
//!   second natively, `GET /credentials/:id` and `POST /verify` of a credential against
//!   `GET /assertions/:id` (wrk), and digitalbazaar's verifier on the same credential.
//! - `bench-bake-http [seconds]`: `GET /assertions/:id/image` (baked) against
//!   `GET /badges/:id/image` (the same stored image, plain), wrk.
//!
//! The host is built with the `host` profile (optimised, no LTO) and the
//! components with `release` (small `.wasm`; three with a profile of their own, see
//! `PROFILED`), both into `target/`.

mod crate_graph;
mod cycles;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Every crate that builds a `.wasm` component (app and test fixtures).
const WASM_PACKAGES: &[&str] = &[
    "emblem-bake",
    "emblem-canon",
    "emblem-claim",
    "emblem-credentials",
    "emblem-hosting",
    "emblem-issuing",
    "emblem-mail",
    "emblem-share",
    "emblem-static",
    "emblem-verify",
    "emblem-test-hello",
    "emblem-test-probe",
];

/// The components built with a profile of their own (Cargo.toml), each into
/// `target/wasm32-wasip2/<profile>/`: `credentials` for size with its hot path excepted,
/// `small` for size (components whose work is I/O). Every other one is `release`.
const PROFILED: &[(&str, &str)] = &[
    ("emblem-credentials", "credentials"),
    ("emblem-issuing", "small"),
    ("emblem-mail", "small"),
];

/// The profile `package` is built with.
fn profile_of(package: &str) -> &'static str {
    PROFILED
        .iter()
        .find(|(p, _)| *p == package)
        .map_or("release", |(_, profile)| *profile)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("up") => up(&args[1..]),
        Some("build") => build(),
        Some("cycles") => no_cycles(),
        Some("test") => test(&args[1..]),
        Some("bench-http") => bench_load("http_load", &args[1..]),
        Some("bench-bake") => bench_bake(),
        Some("bench-verify") => bench_load("verify_load", &args[1..]),
        Some("bench-bake-http") => bench_load("bake_load", &args[1..]),
        Some("bench-credentials") => bench_load("credentials_load", &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <up|build|test|cycles|bench-http|bench-bake|bench-bake-http|bench-verify|bench-credentials> [args…]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

/// Makes sure the `wasm32-wasip2` target is installed (a fresh machine may lack it).
fn ensure_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-wasip2"))
        .unwrap_or(false);
    if !installed {
        run(Command::new("rustup").args(["target", "add", "wasm32-wasip2"]))?;
    }
    Ok(())
}

fn build() -> Result<(), String> {
    ensure_wasm_target()?;
    // One cargo run per profile, `release` first.
    let mut profiles: Vec<&str> = vec!["release"];
    for (_, profile) in PROFILED {
        if !profiles.contains(profile) {
            profiles.push(profile);
        }
    }
    for profile in profiles {
        let mut wasm = cargo();
        wasm.args(["build", "--target", "wasm32-wasip2", "--profile", profile]);
        for p in WASM_PACKAGES.iter().filter(|p| profile_of(p) == profile) {
            wasm.args(["-p", p]);
        }
        run(&mut wasm)?;
    }
    // The host is built together with every native target of the workspace,
    // so its dependencies (wasmtime above all) get the same unified features
    // as in `native_tests` and are compiled once, not twice.
    run(cargo()
        .args(["build", "--profile", "host", "--all-targets"])
        .args(native_packages()))
}

/// `--workspace` less the component crates: those are thin adapters built
/// for `wasm32-wasip2` (their logic and its tests live in `emblem-badges` and `emblem-web`), and
/// a native link of their wasm exports fails.
fn native_packages() -> Vec<String> {
    let mut args = vec!["--workspace".to_string()];
    for p in WASM_PACKAGES {
        args.push("--exclude".to_string());
        args.push((*p).to_string());
    }
    args
}

fn host_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    target.join("host").join("emblem-host")
}

/// No import cycle between the modules of any crate (see `cycles.rs`), and the crate graph
/// is the one `docs/ARCHITECTURE.md` draws (see `crate_graph.rs`).
fn no_cycles() -> Result<(), String> {
    let crates = cycles::check(&root())?;
    eprintln!("xtask: no import cycle in {crates} crates");
    let page = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md"))
        .map_err(|e| format!("docs/ARCHITECTURE.md: {e}"))?;
    let diff = crate_graph::differences(
        &crate_graph::from_doc(&page)?,
        &crate_graph::from_metadata(&root())?,
    );
    if !diff.is_empty() {
        return Err(format!(
            "the crate graph in docs/ARCHITECTURE.md is out of date:\n{}",
            diff.join("\n")
        ));
    }
    eprintln!("xtask: the crate graph is the one docs/ARCHITECTURE.md draws");
    Ok(())
}

/// Runs the app for development: unless `public_base_url` is given, ids follow the request's
/// origin (`public_base_url_from_request=true`; a deployment sets `public_base_url`). Unless
/// given, the stores are SQLite files in `.spin/` (the `secrets` store of the sealed private
/// keys beside the default one) and the key-encryption key is a random one kept in
/// `.spin/dev-key-encryption-key`, made on the first run.
fn up(extra: &[String]) -> Result<(), String> {
    build()?;
    let mut cmd = Command::new(host_binary());
    cmd.current_dir(root()).arg("up").args(extra);
    if !extra.iter().any(|a| a.starts_with("public_base_url")) {
        cmd.args(["--variable", "public_base_url_from_request=true"]);
    }
    let state = root().join(".spin");
    std::fs::create_dir_all(&state).map_err(|e| format!("{}: {e}", state.display()))?;
    if !extra.iter().any(|a| a.starts_with("--runtime-config-file")) {
        let config = state.join("dev-runtime-config.toml");
        let text = "# Written by `cargo xtask up`: the development stores.\n\
                    [key_value_store.default]\ntype = \"spin\"\npath = \"sqlite_key_value.db\"\n\n\
                    [key_value_store.secrets]\ntype = \"spin\"\npath = \"secrets.db\"\n";
        std::fs::write(&config, text).map_err(|e| format!("{}: {e}", config.display()))?;
        cmd.arg("--runtime-config-file").arg(config);
    }
    if !extra.iter().any(|a| a.starts_with("key_encryption_key"))
        && std::env::var_os("SPIN_VARIABLE_KEY_ENCRYPTION_KEY").is_none()
    {
        let kek = dev_key_encryption_key(&state.join("dev-key-encryption-key"))?;
        cmd.args(["--variable", &format!("key_encryption_key={kek}")]);
    }
    run(&mut cmd)
}

/// The development key-encryption key in `path` (64 hex digits), made from the system's
/// randomness the first time, readable by its owner only.
fn dev_key_encryption_key(path: &Path) -> Result<String, String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return Ok(text.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    let kek: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(path, &kek).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(kek)
}

/// Installs the reference bakers into `target/interop/` (idempotent). When it
/// fails, the interop tests fail with the reason; the other tests still run.
fn interop_setup() -> Result<(), String> {
    run(Command::new("bash")
        .arg(root().join("tests").join("interop").join("setup.sh"))
        .current_dir(root()))
}

/// Installs Chromium and playwright-core for the real-browser tests
/// (`tests/browser/setup.sh`, idempotent).
fn browser_setup() -> Result<(), String> {
    run(Command::new("bash")
        .arg(root().join("tests").join("browser").join("setup.sh"))
        .current_dir(root()))
}

/// Installs Debian's `redis-server` for the many-instance tests when it is missing
/// (as root, or through sudo). When it fails, those tests fail with the reason.
/// Debian's `redis-server` (the many-instance tests) and `docker-registry` (the OCI artifact
/// test on real Spin), installed with apt when missing.
fn apt_setup() -> Result<(), String> {
    let missing: Vec<&str> = [
        ("redis-server", "redis-server"),
        ("docker-registry", "docker-registry"),
    ]
    .into_iter()
    .filter(|(binary, _)| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {binary}"))
            .output()
            .map_or(true, |o| !o.status.success())
    })
    .map(|(_, package)| package)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u")).is_ok_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        run(cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing);
    apt(&args)
}

fn test(extra: &[String]) -> Result<(), String> {
    no_cycles()?;
    build()?;
    if let Err(e) = apt_setup() {
        eprintln!("xtask: {e}; the Redis and OCI tests will fail");
    }
    if let Err(e) = interop_setup() {
        eprintln!("xtask: {e}; the interop tests will fail");
    }
    if let Err(e) = browser_setup() {
        eprintln!("xtask: {e}; the browser tests will fail");
    }
    // One profile for every native test: the host's dependencies (wasmtime)
    // are compiled once, already by `build`. The apps run on `emblem-host` here...
    let on_host = run(cargo()
        .args(["test", "--profile", "host", "--no-fail-fast"])
        .args(native_packages())
        .args(extra)
        .env_remove("SPIN_BIN"));
    // ...and, when SPIN_BIN names a real Spin CLI, every test that runs the app runs again
    // on it, so the suite proves Emblem on the runtime users deploy.
    let on_spin = match std::env::var_os("SPIN_BIN").filter(|v| !v.is_empty()) {
        Some(spin) => {
            eprintln!(
                "xtask: running the app tests again on {}",
                spin.to_string_lossy()
            );
            run(cargo()
                .args([
                    "test",
                    "--profile",
                    "host",
                    "--no-fail-fast",
                    "-p",
                    "emblem-tests",
                ])
                .args(["--test", "e2e", "--test", "interop", "--test", "browser"])
                .args(extra))
        }
        None => Ok(()),
    };
    on_host.and(on_spin)
}

/// One of the wrk load benchmarks of `tests/benches/` (`http_load`, `verify_load`,
/// `bake_load`), after a build, for `seconds` per run (default 10).
fn bench_load(bench: &str, extra: &[String]) -> Result<(), String> {
    build()?;
    run(cargo()
        .args(["bench", "-p", "emblem-tests", "--bench", bench])
        .env(
            "EMBLEM_BENCH_SECONDS",
            extra.first().map(String::as_str).unwrap_or("10"),
        ))
}

/// Runs `cmd` and returns its standard output.
fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|e| format!("{cmd:?}: {e}"))
    } else {
        Err(format!(
            "{cmd:?} failed with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Emblem (`examples/bake_timing.rs` in emblem-badges, `host` profile) against
/// the Python and Node reference bakers (`tests/interop/*_bakery.* time`), each
/// timed in its own process on the same files, start-up excluded. Beside them, the
/// floors (`benches/support/floors.rs`): a copy of the image, which no baker can beat,
/// and the least reading any reader keeping Emblem's checks must do; "the floor's
/// speed-up" is the most any such implementation could reach against the references.
fn bench_bake() -> Result<(), String> {
    const CASES: [(&str, &str, &str); 3] = [
        ("png-512", "png", "512×512 PNG"),
        ("png-2048", "png", "2048×2048 PNG"),
        ("svg-100k", "svg", "100 KB SVG"),
    ];
    interop_setup()?;
    let dir = root().join("target").join("interop").join("bench");
    let example = |mode: &str| {
        let mut cmd = cargo();
        cmd.args(["run", "--quiet", "--profile", "host", "-p", "emblem-badges"])
            .args(["--example", "bake_timing", "--", mode])
            .arg(&dir);
        cmd
    };
    run(&mut example("emit"))?;
    let emblem = output(&mut example("time"))?;
    let drivers = root().join("tests").join("interop");
    let mut rows = String::new();
    for (case, ext, label) in CASES {
        let mut times: Vec<Vec<String>> = Vec::new();
        let line = emblem
            .lines()
            .find(|l| l.split(' ').next() == Some(case))
            .ok_or(format!("no Emblem timing for {case}"))?;
        times.push(line.split(' ').skip(1).map(str::to_owned).collect());
        for (program, script) in [("python3", "py_bakery.py"), ("node", "node_bakery.js")] {
            let out = output(
                Command::new(program)
                    .arg(drivers.join(script))
                    .arg("time")
                    .arg(dir.join("assertion.json"))
                    .arg(dir.join(format!("{case}.{ext}")))
                    .arg(dir.join(format!("{case}.baked.{ext}"))),
            )?;
            times.push(out.split_whitespace().map(str::to_owned).collect());
        }
        // Emblem's line: bake, unbake, copy, read floor.
        let floors: Vec<f64> = times[0]
            .iter()
            .skip(2)
            .map(|v| v.parse().ok())
            .collect::<Option<_>>()
            .filter(|f: &Vec<f64>| f.len() == 2)
            .ok_or(format!(
                "no copy and floor timings for {case}: {:?}",
                times[0]
            ))?;
        let copy = floors[0];
        for (i, op) in ["bake", "unbake"].into_iter().enumerate() {
            let us: Vec<f64> = times
                .iter()
                .map(|t| t.get(i).and_then(|v| v.parse().ok()))
                .collect::<Option<_>>()
                .ok_or(format!("unreadable timings for {case}: {times:?}"))?;
            // Baking must write every byte: its floor is the copy; reading, the walk.
            let floor = floors[i];
            let reference = us[1].min(us[2]);
            rows.push_str(&format!(
                "| {op} {label} | {:.1} | {copy:.1} | {floor:.2} | {:.0} | {:.0} | {:.1}× | {:.0}× | {:.1}× |\n",
                us[0],
                us[1],
                us[2],
                reference / us[0],
                reference / floor,
                us[0] / copy,
            ));
        }
    }
    println!(
        "| case | Emblem µs | copy µs | floor µs | Python µs | Node µs | speed-up vs the faster reference | the floor's speed-up | Emblem ÷ copy |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    print!("{rows}");
    Ok(())
}
