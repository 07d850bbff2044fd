//! The app as an OCI artifact, as SpinKube and `spin up` take it: `spin registry push` of
//! `spin.toml` with its seven components and static files to a real registry (Debian's
//! `docker-registry`, on a free loopback port), then `spin up` from the pushed reference,
//! serving a static file, the issuer API and a hosted document. Runs on real Spin only
//! (`SPIN_BIN`); `cargo xtask test` installs the registry and, in CI, a missing one fails.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use emblem_tests::{ADMIN_TOKEN, KEY_ENCRYPTION_KEY, root, spin_binary};
use serde_json::{Value, json};

/// Kills the process, and the process group it leads, when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        // The whole process group: `spin up` serves from a child (`spin trigger http`) that
        // killing `spin up` alone leaves running. Processes started here lead their own group.
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-9", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn wait_for(url: &str, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ureq::get(url).call().is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut text = String::new();
    let _ = std::fs::File::open(log).map(|mut f| f.read_to_string(&mut text));
    panic!("{what} did not answer {url}:\n{text}");
}

#[test]
fn the_app_pushed_to_a_registry_runs_from_it() {
    let Some(spin) = spin_binary() else {
        eprintln!("skipped: the OCI artifact is Spin's; set SPIN_BIN (CI does)");
        return;
    };
    let registry_bin = Command::new("sh")
        .args(["-c", "command -v docker-registry"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let Some(registry_bin) = registry_bin else {
        assert!(
            std::env::var_os("CI").is_none(),
            "docker-registry is missing (cargo xtask test installs it with apt)"
        );
        eprintln!("skipped: no docker-registry (cargo xtask test installs it)");
        return;
    };
    let dir = root()
        .join("target/e2e-state")
        .join(format!("oci-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");

    // A registry of our own.
    let registry_port = free_port();
    let config = dir.join("registry.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{registry_port}\n",
            dir.join("registry").display()
        ),
    )
    .expect("registry config");
    let registry_log = dir.join("registry.log");
    let _registry = Running(
        Command::new(&registry_bin)
            .arg("serve")
            .arg(&config)
            .stdout(std::fs::File::create(&registry_log).expect("log"))
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start docker-registry"),
    );
    wait_for(
        &format!("http://127.0.0.1:{registry_port}/v2/"),
        "the registry",
        &registry_log,
    );

    // Push the app as built (`cargo xtask build`), then run it from the registry.
    let reference = format!("127.0.0.1:{registry_port}/emblem/emblem:test");
    let push = Command::new(&spin)
        .args(["registry", "push", "--insecure", "-f"])
        .arg(root().join("spin.toml"))
        .arg(&reference)
        .env("SPIN_DATA_DIR", dir.join("spin-data"))
        .output()
        .expect("spin registry push");
    assert!(
        push.status.success(),
        "push failed: {}{}",
        String::from_utf8_lossy(&push.stdout),
        String::from_utf8_lossy(&push.stderr)
    );
    let tags: Value = ureq::get(&format!(
        "http://127.0.0.1:{registry_port}/v2/emblem/emblem/tags/list"
    ))
    .call()
    .expect("tags")
    .body_mut()
    .read_json()
    .expect("json");
    assert_eq!(tags["tags"], json!(["test"]));

    let app_port = free_port();
    let app_log = dir.join("spin.log");
    // Spin knows only the `default` store unless told: the sealed keys' `secrets` store is
    // named here, as every deployment's runtime config names it.
    let runtime_config = dir.join("runtime-config.toml");
    std::fs::write(
        &runtime_config,
        "[key_value_store.default]\ntype = \"spin\"\npath = \"kv.db\"\n\n\
         [key_value_store.secrets]\ntype = \"spin\"\npath = \"secrets.db\"\n",
    )
    .expect("runtime config");
    let log_file = std::fs::File::create(&app_log).expect("log");
    let _app = Running(
        Command::new(&spin)
            .args(["up", "--insecure", "-f", &reference])
            .arg("--listen")
            .arg(format!("127.0.0.1:{app_port}"))
            .arg("--variable")
            .arg(format!("admin_token={ADMIN_TOKEN}"))
            .arg("--variable")
            .arg("public_base_url_from_request=true")
            .arg("--variable")
            .arg(format!("key_encryption_key={KEY_ENCRYPTION_KEY}"))
            .arg("--runtime-config-file")
            .arg(&runtime_config)
            .arg("--state-dir")
            .arg(dir.join("state"))
            .current_dir(&dir)
            .env("SPIN_DATA_DIR", dir.join("spin-data"))
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("spin up"),
    );
    let base = format!("http://127.0.0.1:{app_port}");
    wait_for(
        &format!("{base}/static/emblem.css"),
        "the pulled app",
        &app_log,
    );

    let css = ureq::get(&format!("{base}/static/emblem.css"))
        .call()
        .expect("css");
    assert_eq!(css.status().as_u16(), 200);
    let mut created = ureq::post(&format!("{base}/api/v1/issuers"))
        .header("authorization", &format!("Bearer {ADMIN_TOKEN}"))
        .send_json(json!({
            "name": "Registry Academy",
            "url": "https://registry.example.org",
            "email": "badges@registry.example.org"
        }))
        .expect("create issuer");
    assert_eq!(created.status().as_u16(), 201);
    let issuer: Value = created.body_mut().read_json().expect("json");
    let profile_url = issuer["issuer_url"].as_str().expect("issuer_url");
    let mut profile = ureq::get(profile_url)
        .header("accept", "application/ld+json")
        .call()
        .expect("profile");
    assert_eq!(profile.status().as_u16(), 200);
    let doc: Value = profile.body_mut().read_json().expect("json-ld");
    assert_eq!(doc["type"], "Issuer");
    assert_eq!(doc["id"], profile_url);
    // The issuer's 3.0 keys: made on first use, sealed in the `secrets` store.
    let id = issuer["id"].as_str().expect("id");
    let mut jwks = ureq::get(&format!("{base}/profiles/{id}/jwks"))
        .call()
        .expect("jwks");
    let jwks: Value = jwks.body_mut().read_json().expect("json");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2), "{jwks}");
    let _ = std::fs::remove_dir_all(&dir);
}
