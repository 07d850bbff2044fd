//! `cargo xtask cycles`: no import cycle between the top-level modules of any crate.
//!
//! Crates already point one way (Cargo refuses a cycle between crates); this check does the
//! same inside each crate. A module `a` depends on `b` when code in `a` (any file under
//! `src/a.rs` or `src/a/`) names `crate::b`, directly or in a `use crate::{…}` group. Comments
//! and test-only code (`#[cfg(test)] mod … { … }` blocks, files named `tests.rs`) are left out:
//! tests may reach across modules, the shipped code may not. A cycle is printed as the path
//! that closes it, e.g. `html -> share -> html`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module dependency graph of one crate: module -> modules it names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the crate whose sources are under `src` (the directory holding `lib.rs`).
pub fn graph(src: &Path) -> Result<Graph, String> {
    let mut graph = Graph::new();
    for file in rust_files(src)? {
        let rel = file.strip_prefix(src).map_err(|e| e.to_string())?;
        let Some(top) = top_module(rel) else { continue };
        let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let deps = graph.entry(top.clone()).or_default();
        for name in crate_references(&strip_test_code(&strip_comments(&text))) {
            if name != top {
                deps.insert(name);
            }
        }
    }
    // Names that are not modules of this crate (re-exported items, other crates' modules
    // re-exported under `crate::`) cannot close a cycle here; keep only edges between modules
    // that have sources in this crate.
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    Ok(graph)
}

/// The first cycle found, as the module path that closes it.
pub fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut marks, &mut Vec::new()))
}

/// Check every crate of the workspace under `root`; the error lists each crate's cycle.
pub fn check(root: &Path) -> Result<usize, String> {
    let mut problems = Vec::new();
    let mut crates = 0;
    for dir in ["crates", "components", "tests/components"] {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut srcs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("src"))
            .collect();
        srcs.sort();
        for src in srcs {
            problems.extend(check_crate(&src, &mut crates)?);
        }
    }
    for src in ["host/src", "tests/src", "xtask/src"] {
        problems.extend(check_crate(&root.join(src), &mut crates)?);
    }
    if problems.is_empty() {
        Ok(crates)
    } else {
        Err(format!("import cycles:\n{}", problems.join("\n")))
    }
}

fn check_crate(src: &Path, crates: &mut usize) -> Result<Option<String>, String> {
    if !src.join("lib.rs").is_file() && !src.join("main.rs").is_file() {
        return Ok(None);
    }
    *crates += 1;
    Ok(find_cycle(&graph(src)?).map(|c| format!("  {}: {}", src.display(), c.join(" -> "))))
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `a/b.rs` -> `a`; `a.rs` -> `a`; the crate root and test files -> none.
fn top_module(rel: &Path) -> Option<String> {
    if rel.file_name().is_some_and(|f| f == "tests.rs")
        || rel.components().any(|c| c.as_os_str() == "tests")
    {
        return None;
    }
    let first = rel.components().next()?.as_os_str().to_str()?;
    if first == "lib.rs" || first == "main.rs" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_owned())
}

/// The text without `//` comments (doc comments included) and `/* */` blocks. String
/// literals are kept; a `//` inside one (a URL) cuts the rest of that line, which can only
/// hide a reference, and `crate::` paths do not follow URLs on a line.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let line_c = rest.find("//");
        let block_c = rest.find("/*");
        match (line_c, block_c) {
            (Some(l), b) if b.is_none_or(|b| l < b) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                rest = rest[b..].find("*/").map_or("", |e| &rest[b + e + 2..]);
            }
            _ => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    out
}

/// The text without `#[cfg(test)] mod name { … }` blocks.
fn strip_test_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let head = after.trim_start();
        let is_mod = head.starts_with("mod ")
            || head.starts_with("pub mod ")
            || head.starts_with("pub(crate) mod ");
        match (is_mod, after.find('{'), after.find(';')) {
            (true, Some(open), semi) if semi.is_none_or(|s| open < s) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, ch) in after[open..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            // `#[cfg(test)] mod tests;` (a file, skipped by name) or a test-only item.
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// Every module named as `crate::<name>` or inside `use crate::{<name>, <name>::…}`.
fn crate_references(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group).unwrap_or(group.len());
            for item in split_top_level(&group[..end]) {
                if let Some(name) = leading_ident(item) {
                    names.insert(name);
                }
            }
        } else if let Some(name) = leading_ident(rest) {
            names.insert(name);
        }
    }
    names.retain(|n| n != "self" && n.chars().next().is_some_and(|c| c.is_lowercase()));
    names
}

fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (i, ch) in s.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn split_top_level(s: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, ch) in s.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
}

fn leading_ident(s: &str) -> Option<String> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| s[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().expect("parent")).expect("dir");
            fs::write(p, text).expect("write");
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("emblem-cycles-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn references_are_read_from_paths_and_use_groups_but_not_comments_or_tests() {
        let code = "use crate::{a::X, b, c::{d, e}};\nfn f() { crate::g::h(); }\n\
                    // crate::commented\n/// [`crate::doc`]\n/* crate::block */\n\
                    #[cfg(test)]\nmod tests { use crate::tested; }\nuse crate::Item;\n\
                    fn k() -> my_crate::other {}";
        let found = crate_references(&strip_test_code(&strip_comments(code)));
        let want: BTreeSet<String> = ["a", "b", "c", "g"].map(String::from).into();
        assert_eq!(found, want);
    }

    #[test]
    fn a_deliberate_cycle_is_found_and_named() {
        let root = scratch("cycle");
        write(
            &root,
            &[
                ("src/lib.rs", "pub mod html;\npub mod share;\npub mod kv;\n"),
                ("src/html.rs", "use crate::kv::Kv;\n"),
                ("src/share/mod.rs", "use crate::html;\n"),
                (
                    "src/kv.rs",
                    "pub struct Kv;\n#[cfg(test)]\nmod tests { use crate::share; }\n",
                ),
            ],
        );
        let graph = graph(&root.join("src")).expect("graph");
        assert_eq!(find_cycle(&graph), None, "test code does not count");

        // The shipped code of kv now names share: share -> html -> kv -> share.
        write(
            &root,
            &[(
                "src/kv.rs",
                "pub struct Kv;\nfn f() { crate::share::x(); }\n",
            )],
        );
        let graph = super::graph(&root.join("src")).expect("graph");
        let cycle = find_cycle(&graph).expect("a cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4, "{cycle:?}");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn the_workspace_has_no_import_cycle() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        match check(&root) {
            Ok(crates) => assert!(crates >= 10, "checked only {crates} crates"),
            Err(e) => panic!("{e}"),
        }
    }
}
