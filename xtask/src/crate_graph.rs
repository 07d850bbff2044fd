//! The crate graph drawn in `docs/ARCHITECTURE.md` is the one `cargo metadata` reports.
//!
//! The page holds it as a table (`| crate | depends on |`, normal dependencies on workspace
//! crates); this module reads both and names every difference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// crate -> the workspace crates it depends on (normal dependencies).
pub type CrateGraph = BTreeMap<String, BTreeSet<String>>;

/// The graph from `cargo metadata --no-deps`.
pub fn from_metadata(root: &Path) -> Result<CrateGraph, String> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let names: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut graph = CrateGraph::new();
    for p in &packages {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        let deps = p["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str())
            .filter(|d| names.contains(*d))
            .map(str::to_owned)
            .collect();
        graph.insert(name.to_owned(), deps);
    }
    Ok(graph)
}

/// The graph from the `| crate | depends on |` table of the architecture page.
pub fn from_doc(text: &str) -> Result<CrateGraph, String> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with("| crate | depends on |"));
    if lines.next().is_none() {
        return Err("no `| crate | depends on |` table".into());
    }
    let mut graph = CrateGraph::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [name, deps] = cells[..] else {
            return Err(format!("malformed row: {line}"));
        };
        let deps = deps
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty() && *d != "—")
            .map(str::to_owned)
            .collect();
        graph.insert(name.to_owned(), deps);
    }
    Ok(graph)
}

/// Every difference between the documented graph and the real one, one line each.
pub fn differences(doc: &CrateGraph, real: &CrateGraph) -> Vec<String> {
    let mut out = Vec::new();
    for (name, deps) in real {
        match doc.get(name) {
            None => out.push(format!("{name} is missing from the table")),
            Some(d) if d != deps => out.push(format!(
                "{name}: the table says {d:?}, cargo metadata says {deps:?}"
            )),
            Some(_) => {}
        }
    }
    for name in doc.keys().filter(|n| !real.contains_key(*n)) {
        out.push(format!("{name} is in the table but not in the workspace"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_graph_is_the_documented_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("page");
        let doc = from_doc(&doc).expect("table");
        let real = from_metadata(&root).expect("metadata");
        assert!(real.len() >= 10, "{real:?}");
        let diff = differences(&doc, &real);
        assert!(
            diff.is_empty(),
            "docs/ARCHITECTURE.md:\n{}",
            diff.join("\n")
        );
    }

    #[test]
    fn a_changed_edge_is_named() {
        let doc =
            from_doc("| crate | depends on |\n|---|---|\n| a | b |\n| b | — |\n").expect("table");
        let mut real = doc.clone();
        real.get_mut("b").expect("b").insert("a".into());
        let diff = differences(&doc, &real);
        assert_eq!(diff.len(), 1, "{diff:?}");
        assert!(diff[0].starts_with("b:"), "{diff:?}");
    }
}
