//! The test manifests (`tests/apps/*/spin.toml`) are copies of `spin.toml` with a few test
//! additions. These checks keep the copies in step: every Emblem route and component a test
//! manifest declares is declared the same way in `spin.toml` (route, wasm file, stores, file
//! mounts, variables), test additions are limited to the switches named here, and no
//! production manifest declares a test-only switch.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml::Value;

/// The switches only test manifests may declare: each loosens a security rule for a test.
const TEST_ONLY_VARIABLES: &[&str] = &["verify_allow_http_loopback", "webhook_allow_loopback_http"];

/// The Emblem components (fixture components such as `hello` and `probe` are the tests' own).
const EMBLEM_COMPONENTS: &[&str] = &[
    "issuing",
    "mail",
    "hosting",
    "credentials",
    "bake",
    "canon",
    "share",
    "claim",
    "verify",
    "static",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn test_manifests() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("tests/apps"))
        .expect("tests/apps")
        .filter_map(Result::ok)
        .map(|e| e.path().join("spin.toml"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    assert!(found.len() >= 3, "{found:?}");
    found
}

fn routes(manifest: &Value) -> BTreeSet<(String, String)> {
    manifest["trigger"]["http"]
        .as_array()
        .expect("[[trigger.http]]")
        .iter()
        .map(|t| {
            // `route = { private = true }`: reached by service chaining only.
            let route = match &t["route"] {
                Value::Table(r) if r.get("private") == Some(&Value::Boolean(true)) => {
                    "(private)".to_owned()
                }
                r => r.as_str().expect("route").to_owned(),
            };
            let component = t["component"].as_str().expect("component").to_owned();
            (route, component)
        })
        .collect()
}

fn strings(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
        .collect()
}

fn file_name(v: &Value) -> String {
    let source = v["source"].as_str().expect("source");
    Path::new(source)
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

fn variables(component: &Value) -> BTreeSet<String> {
    component
        .get("variables")
        .and_then(Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn test_manifests_declare_emblem_as_spin_toml_does() {
    let prod = read(&root().join("spin.toml"));
    let prod_routes = routes(&prod);
    for path in test_manifests() {
        let test = read(&path);
        let name = path.display();
        for (route, component) in routes(&test) {
            if EMBLEM_COMPONENTS.contains(&component.as_str()) {
                assert!(
                    prod_routes.contains(&(route.clone(), component.clone())),
                    "{name}: route {route} -> {component} is not in spin.toml"
                );
            }
        }
        let components = test["component"].as_table().expect("[component]");
        for (id, c) in components
            .iter()
            .filter(|(id, _)| EMBLEM_COMPONENTS.contains(&id.as_str()))
        {
            let p = &prod["component"][id.as_str()];
            assert_eq!(file_name(c), file_name(p), "{name}: {id} source");
            assert_eq!(
                strings(c.get("key_value_stores")),
                strings(p.get("key_value_stores")),
                "{name}: {id} key_value_stores"
            );
            let mounts = |v: &Value| strings(v.get("files")).len();
            assert_eq!(mounts(c), mounts(p), "{name}: {id} files");
            let extra: BTreeSet<String> = variables(c).difference(&variables(p)).cloned().collect();
            for var in &extra {
                assert!(
                    TEST_ONLY_VARIABLES.contains(&var.as_str()),
                    "{name}: {id} declares variable {var}, which spin.toml does not"
                );
            }
            let missing: Vec<_> = variables(p).difference(&variables(c)).cloned().collect();
            assert!(
                missing.is_empty(),
                "{name}: {id} lacks variables {missing:?}"
            );
            let outbound = strings(c.get("allowed_outbound_hosts"));
            for host in strings(p.get("allowed_outbound_hosts")) {
                assert!(
                    outbound.contains(&host),
                    "{name}: {id} lacks outbound {host}"
                );
            }
        }
    }
}

/// Every `http://<component>.spin.internal` a component may call names a component the same
/// manifest declares: otherwise the chained request fails at run time, not at load.
#[test]
fn every_chaining_target_is_declared_in_the_same_manifest() {
    let mut manifests = test_manifests();
    manifests.push(root().join("spin.toml"));
    for path in manifests {
        let manifest = read(&path);
        let components = manifest["component"].as_table().expect("[component]");
        for (id, c) in components {
            for host in strings(c.get("allowed_outbound_hosts")) {
                if let Some(target) = host
                    .strip_prefix("http://")
                    .and_then(|h| h.strip_suffix(".spin.internal"))
                {
                    assert!(
                        components.contains_key(target),
                        "{}: {id} may call {host}, but no component {target} is declared",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn no_production_manifest_can_turn_on_a_test_only_switch() {
    for path in [root().join("spin.toml")] {
        let text = std::fs::read_to_string(&path).expect("read");
        let manifest: Value = toml::from_str(&text).expect("toml");
        let app_vars: BTreeSet<String> = manifest
            .get("variables")
            .and_then(Value::as_table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        for var in TEST_ONLY_VARIABLES {
            assert!(
                !app_vars.contains(*var),
                "{}: declares {var}",
                path.display()
            );
            for (id, c) in manifest["component"].as_table().expect("[component]") {
                assert!(
                    !variables(c).contains(*var),
                    "{}: component {id} declares {var}",
                    path.display()
                );
            }
        }
    }
}
