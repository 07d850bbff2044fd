//! The part of Spin's application manifest (`spin.toml`, version 2) that
//! emblem-host understands.
//!
//! Anything Spin accepts that an app here does not use (Redis triggers,
//! SQLite databases, AI models, component dependencies) is refused with a
//! message naming the key, so a manifest never half-works.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed `spin.toml`, with paths resolved against its directory.
#[derive(Debug)]
pub struct App {
    /// The directory holding `spin.toml`: sources, mounts and `.spin/` are relative to it.
    pub dir: PathBuf,
    pub name: String,
    /// Application variables: name → definition.
    pub variables: BTreeMap<String, VariableDef>,
    /// HTTP routes in manifest order.
    pub routes: Vec<RouteDef>,
    /// Components by id.
    pub components: BTreeMap<String, ComponentDef>,
}

#[derive(Debug, Deserialize)]
struct RawManifest {
    spin_manifest_version: u32,
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, VariableDef>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, ComponentDef>,
}

#[derive(Debug, Deserialize)]
struct RawApplication {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
struct RawHttpTrigger {
    route: RawRoute,
    component: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRoute {
    Path(String),
    Private { private: bool },
}

/// An application variable (`[variables]`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VariableDef {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "read for Spin compatibility; emblem-host never prints any variable's value"
        )
    )]
    pub secret: bool,
}

/// One `[[trigger.http]]` entry with a public route.
#[derive(Debug, Clone)]
pub struct RouteDef {
    pub route: String,
    pub component: String,
}

/// A `[component.<id>]` table.
#[derive(Debug, Clone, Deserialize)]
pub struct ComponentDef {
    pub source: String,
    #[serde(default)]
    pub files: Vec<FileMount>,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub build: Option<BuildDef>,
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

/// A `files` entry: a directory mapping (`{ source, destination }`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileMount {
    Mapping { source: String, destination: String },
    Pattern(String),
}

/// A component's `[component.<id>.build]` table.
#[derive(Debug, Clone, Deserialize)]
pub struct BuildDef {
    pub command: BuildCommand,
    #[serde(default)]
    pub workdir: Option<String>,
}

/// `command` is a string or a list of strings, as in Spin.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BuildCommand {
    One(String),
    Many(Vec<String>),
}

impl BuildCommand {
    pub fn commands(&self) -> Vec<&str> {
        match self {
            BuildCommand::One(c) => vec![c.as_str()],
            BuildCommand::Many(cs) => cs.iter().map(String::as_str).collect(),
        }
    }
}

/// Keys Spin accepts in a component that this host cannot honour.
const UNSUPPORTED_COMPONENT_KEYS: &[&str] = &[
    "sqlite_databases",
    "ai_models",
    "dependencies",
    "dependencies_inherit_configuration",
];

impl App {
    /// Reads and checks `spin.toml` at `path`.
    pub fn load(path: &Path) -> Result<App> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the manifest {}", path.display()))?;
        let raw: RawManifest = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Spin manifest", path.display()))?;
        if raw.spin_manifest_version != 2 {
            bail!(
                "spin_manifest_version = {} is not supported (only 2)",
                raw.spin_manifest_version
            );
        }
        if let Some(kind) = raw.trigger.other.keys().next() {
            bail!("trigger type `{kind}` is not supported by emblem-host (only http)");
        }
        for (id, component) in &raw.component {
            if let Some(key) = component
                .other
                .keys()
                .find(|k| UNSUPPORTED_COMPONENT_KEYS.contains(&k.as_str()))
            {
                bail!("component `{id}`: `{key}` is not supported by emblem-host");
            }
            for mount in &component.files {
                if let FileMount::Pattern(p) = mount {
                    bail!(
                        "component `{id}`: file pattern `{p}` is not supported by emblem-host; \
                         use {{ source = \"dir\", destination = \"/\" }}"
                    );
                }
            }
        }
        let mut routes = Vec::new();
        for trigger in raw.trigger.http {
            if !raw.component.contains_key(&trigger.component) {
                bail!(
                    "route {:?} names component `{}`, which the manifest does not define",
                    trigger.route,
                    trigger.component
                );
            }
            match trigger.route {
                RawRoute::Path(route) => {
                    crate::router::Pattern::parse(&route)?;
                    routes.push(RouteDef {
                        route,
                        component: trigger.component,
                    });
                }
                // Private components are reachable only by self-requests.
                RawRoute::Private { private: true } => {}
                RawRoute::Private { private: false } => bail!(
                    "component `{}`: `route = {{ private = false }}` is not a route",
                    trigger.component
                ),
            }
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let dir = std::fs::canonicalize(&dir)
            .with_context(|| format!("cannot resolve {}", dir.display()))?;
        Ok(App {
            dir,
            name: raw.application.name,
            variables: raw.variables,
            routes,
            components: raw.component,
        })
    }

    /// The absolute path of a file named relative to the manifest.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<App> {
        let dir = std::env::temp_dir().join(format!(
            "emblem-manifest-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("spin.toml");
        std::fs::write(&path, text)?;
        App::load(&path)
    }

    #[test]
    fn a_minimal_manifest_loads_with_its_routes_in_order() -> Result<()> {
        let app = load(
            r#"
spin_manifest_version = 2
[application]
name = "a"
[variables]
token = { default = "", secret = true }
[[trigger.http]]
route = "/api/..."
component = "api"
[[trigger.http]]
route = { private = true }
component = "api"
[component.api]
source = "api.wasm"
key_value_stores = ["default"]
files = [{ source = "static", destination = "/" }]
[component.api.variables]
token = "{{ token }}"
[component.api.build]
command = "cargo build"
"#,
        )?;
        assert_eq!(app.routes.len(), 1);
        assert_eq!(app.routes[0].route, "/api/...");
        assert!(app.variables["token"].secret);
        assert_eq!(app.components["api"].key_value_stores, ["default"]);
        Ok(())
    }

    #[test]
    fn a_route_to_an_undefined_component_is_refused() {
        let err = load(
            r#"
spin_manifest_version = 2
[application]
name = "a"
[[trigger.http]]
route = "/..."
component = "ghost"
"#,
        )
        .expect_err("must be refused");
        assert!(format!("{err:#}").contains("ghost"), "{err:#}");
    }

    #[test]
    fn unsupported_component_keys_are_named() {
        let err = load(
            r#"
spin_manifest_version = 2
[application]
name = "a"
[component.c]
source = "c.wasm"
sqlite_databases = ["default"]
"#,
        )
        .expect_err("must be refused");
        assert!(format!("{err:#}").contains("sqlite_databases"), "{err:#}");
    }
}
