//! RDFC-1.0, W3C RDF Dataset Canonicalization (§4), with a work limit.
//!
//! Written here rather than taken from oxrdf, for two reasons found with real credentials:
//!
//! - **Related blank nodes are a list, not a set** (§4.8.3 step 3.1.2 "add a mapping … adding
//!   an entry as necessary"). A blank node met through several quads with the same related hash
//!   (a proof node has all its quads in one named graph: position `g`, no predicate) is listed
//!   once per quad, and every permutation of that list is a path. The reference implementation
//!   (rdf-canonize, by the specification's editors) and 1EdTech's validator do this; oxrdf
//!   0.3 keeps a set, which gives other labels as soon as a credential embeds two signed
//!   endorsements, so their proofs did not verify (1EdTech's `complete.json`, which
//!   digitalbazaar's verifier accepts). Permutations that repeat the same sequence give the
//!   same path, so only distinct ones are tried.
//! - **Poisoned datasets** (§4.1): blank nodes that all look alike (a clique) make Hash
//!   N-Degree Quads try every ordering of them, and a credential sent to `/verify` is such a
//!   dataset if its author wants it to be. Every call of Hash N-Degree Quads and every
//!   permutation it tries costs one step; past [`MAX_STEPS`] the dataset is refused.
//!
//! oxrdf still provides the terms and their N-Quads form. The W3C test suite runs against this
//! module (`tests/rdf_canon.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use sha2::Digest as _;

/// The most steps (see the module docs) a canonicalisation may take. Measured natively (about
/// 3 µs a step): the W3C suite's "evil" poison graphs (tests 044 to 046) take 3,348 steps
/// (12 ms); a clique of 6 blank nodes 41,046 (135 ms), of 7 403,207 (1.3 s); the suite's
/// 10-node clique (test074), which it says must be refused, far more. The limit admits the
/// 6-clique and refuses the 7.
pub const MAX_STEPS: u64 = 50_000;

/// The hash function of RDFC-1.0 (SHA-256 unless a suite says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hash {
    /// SHA-256, what `eddsa-rdfc-2022` uses.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

impl Hash {
    fn hex(self, input: &str) -> String {
        match self {
            Self::Sha256 => hex(&sha2::Sha256::digest(input.as_bytes())),
            Self::Sha384 => hex(&sha2::Sha384::digest(input.as_bytes())),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A dataset whose canonicalisation would take more than [`MAX_STEPS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the RDF has blank nodes so alike that canonicalising it would take more than {MAX_STEPS} steps"
)]
pub struct TooComplex;

/// The result of canonicalising a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical N-Quads: one statement per line, lines sorted by code point.
    pub nquads: String,
    /// The canonical label issued to each input blank node (input label → `c14nN`).
    pub issued: BTreeMap<String, String>,
    /// The steps it took (see the module docs).
    pub steps: u64,
}

/// An identifier issuer (§4.5): labels in the order issued.
#[derive(Debug, Clone)]
struct Issuer {
    prefix: &'static str,
    issued: HashMap<String, String>,
    order: Vec<String>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            issued: HashMap::new(),
            order: Vec::new(),
        }
    }

    fn get(&self, node: &str) -> Option<&str> {
        self.issued.get(node).map(String::as_str)
    }

    /// §4.5.3 Issue Identifier.
    fn issue(&mut self, node: &str) -> String {
        if let Some(id) = self.issued.get(node) {
            return id.clone();
        }
        let id = format!("{}{}", self.prefix, self.order.len());
        self.issued.insert(node.to_owned(), id.clone());
        self.order.push(node.to_owned());
        id
    }
}

/// Where a blank node sits in a quad.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Subject,
    Object,
    Graph,
}

impl Position {
    fn letter(self) -> &'static str {
        match self {
            Self::Subject => "s",
            Self::Object => "o",
            Self::Graph => "g",
        }
    }
}

/// The blank nodes of a quad with their positions, in subject, object, graph order.
fn blank_nodes(quad: &Quad) -> impl Iterator<Item = (&str, Position)> {
    let subject = match &quad.subject {
        NamedOrBlankNode::BlankNode(b) => Some((b.as_str(), Position::Subject)),
        NamedOrBlankNode::NamedNode(_) => None,
    };
    let object = match &quad.object {
        Term::BlankNode(b) => Some((b.as_str(), Position::Object)),
        _ => None,
    };
    let graph = match &quad.graph_name {
        GraphName::BlankNode(b) => Some((b.as_str(), Position::Graph)),
        _ => None,
    };
    [subject, object, graph].into_iter().flatten()
}

/// `quad` with every blank node relabelled by `label`, as a canonical N-Quads line.
fn line(quad: &Quad, label: impl Fn(&str) -> String) -> String {
    let relabel = |b: &BlankNode| BlankNode::new_unchecked(label(b.as_str()));
    let subject = match &quad.subject {
        NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(relabel(b)),
        other => other.clone(),
    };
    let object = match &quad.object {
        Term::BlankNode(b) => Term::BlankNode(relabel(b)),
        other => other.clone(),
    };
    let graph_name = match &quad.graph_name {
        GraphName::BlankNode(b) => GraphName::BlankNode(relabel(b)),
        other => other.clone(),
    };
    format!(
        "{} .\n",
        Quad::new(subject, quad.predicate.clone(), object, graph_name)
    )
}

/// The next distinct permutation of `items` in code point order (`false` after the last).
fn next_permutation(items: &mut [String]) -> bool {
    let Some(i) = (1..items.len()).rev().find(|&i| items[i - 1] < items[i]) else {
        return false;
    };
    let j = (i..items.len())
        .rev()
        .find(|&j| items[j] > items[i - 1])
        .unwrap_or(i);
    items.swap(i - 1, j);
    items[i..].reverse();
    true
}

/// The canonicalisation state (§4.3).
struct State<'a> {
    quads: &'a [Quad],
    /// Blank node → the quads that mention it (indexes into `quads`, each once).
    mentions: HashMap<&'a str, Vec<usize>>,
    first_degree: HashMap<&'a str, String>,
    canonical: Issuer,
    hash: Hash,
    steps: u64,
}

impl<'a> State<'a> {
    fn step(&mut self) -> Result<(), TooComplex> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(TooComplex);
        }
        Ok(())
    }

    /// §4.6 Hash First Degree Quads.
    fn hash_first_degree(&self, node: &str) -> String {
        let mut lines: Vec<String> = self.mentions[node]
            .iter()
            .map(|&q| line(&self.quads[q], |b| if b == node { "a" } else { "z" }.into()))
            .collect();
        lines.sort_unstable();
        self.hash.hex(&lines.concat())
    }

    /// §4.7 Hash Related Blank Node.
    fn hash_related(&self, related: &str, quad: &Quad, issuer: &Issuer, pos: Position) -> String {
        let mut input = pos.letter().to_owned();
        if pos != Position::Graph {
            input.push('<');
            input.push_str(quad.predicate.as_str());
            input.push('>');
        }
        match self.canonical.get(related).or_else(|| issuer.get(related)) {
            Some(id) => {
                input.push_str("_:");
                input.push_str(id);
            }
            None => input.push_str(&self.first_degree[related]),
        }
        self.hash.hex(&input)
    }

    /// §4.8 Hash N-Degree Quads: the hash of `node` and the issuer its chosen paths leave.
    fn hash_n_degree(
        &mut self,
        node: &str,
        issuer: &Issuer,
    ) -> Result<(Issuer, String), TooComplex> {
        self.step()?;
        let mut issuer = issuer.clone();
        // 1-3: related blank nodes by related hash, once per quad that relates them.
        let mut related: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for &q in &self.mentions[node] {
            let quad = &self.quads[q];
            for (other, pos) in blank_nodes(quad).filter(|(b, _)| *b != node) {
                let hash = self.hash_related(other, quad, &issuer, pos);
                related.entry(hash).or_default().push(other.to_owned());
            }
        }
        // 4-5
        let mut data = String::new();
        for (related_hash, mut list) in related {
            data.push_str(&related_hash);
            let mut chosen: Option<(String, Issuer)> = None;
            list.sort_unstable();
            loop {
                self.step()?;
                if let Some(candidate) = self.path(&list, &issuer, chosen.as_ref())? {
                    chosen = Some(candidate);
                }
                if !next_permutation(&mut list) {
                    break;
                }
            }
            let (path, chosen_issuer) = chosen.unwrap_or_else(|| (String::new(), issuer.clone()));
            data.push_str(&path);
            issuer = chosen_issuer;
        }
        Ok((issuer, self.hash.hex(&data)))
    }

    /// §4.8.3 step 5.4 for one permutation: its path and issuer, if it beats `chosen`.
    fn path(
        &mut self,
        permutation: &[String],
        issuer: &Issuer,
        chosen: Option<&(String, Issuer)>,
    ) -> Result<Option<(String, Issuer)>, TooComplex> {
        let worse = |path: &str| {
            chosen.is_some_and(|(best, _)| path.len() >= best.len() && path > best.as_str())
        };
        let mut copy = issuer.clone();
        let mut path = String::new();
        let mut recursion = Vec::new();
        for related in permutation {
            if let Some(id) = self.canonical.get(related) {
                path.push_str("_:");
                path.push_str(id);
            } else {
                if copy.get(related).is_none() {
                    recursion.push(related.as_str());
                }
                path.push_str("_:");
                path.push_str(&copy.issue(related));
            }
            if worse(&path) {
                return Ok(None);
            }
        }
        for related in recursion {
            let (result_issuer, result_hash) = self.hash_n_degree(related, &copy)?;
            path.push_str("_:");
            path.push_str(&copy.issue(related));
            path.push('<');
            path.push_str(&result_hash);
            path.push('>');
            copy = result_issuer;
            if worse(&path) {
                return Ok(None);
            }
        }
        let better = chosen.is_none_or(|(best, _)| path < *best);
        Ok(better.then_some((path, copy)))
    }
}

/// §4.4 the canonicalization algorithm: the canonical labels of `quads`' blank nodes.
fn issue_canonical(quads: &[Quad], hash: Hash) -> Result<(Issuer, u64), TooComplex> {
    let mut mentions: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (q, quad) in quads.iter().enumerate() {
        for (node, _) in blank_nodes(quad) {
            let list = mentions.entry(node).or_insert_with(|| {
                order.push(node);
                Vec::new()
            });
            if list.last() != Some(&q) {
                list.push(q);
            }
        }
    }
    let mut state = State {
        quads,
        mentions,
        first_degree: HashMap::new(),
        canonical: Issuer::new("c14n"),
        hash,
        steps: 0,
    };
    // 3: first-degree hashes; 4: a unique hash gives its node its label, in hash order.
    let mut by_hash: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &node in &order {
        let h = state.hash_first_degree(node);
        by_hash.entry(h.clone()).or_default().push(node);
        state.first_degree.insert(node, h);
    }
    for nodes in by_hash.values() {
        if let [only] = nodes.as_slice() {
            state.canonical.issue(only);
        }
    }
    // 5: the rest, group by group in hash order, by their n-degree hashes.
    for nodes in by_hash.values().filter(|n| n.len() > 1) {
        let mut results: Vec<(String, Issuer)> = Vec::new();
        for &node in nodes {
            if state.canonical.get(node).is_some() {
                continue;
            }
            let mut temporary = Issuer::new("b");
            temporary.issue(node);
            let (issuer, h) = state.hash_n_degree(node, &temporary)?;
            results.push((h, issuer));
        }
        results.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in results {
            for node in &issuer.order {
                state.canonical.issue(node);
            }
        }
    }
    Ok((state.canonical, state.steps))
}

/// Canonicalise `quads` (duplicates count once).
pub fn canonicalize(quads: Vec<Quad>, hash: Hash) -> Result<Canonical, TooComplex> {
    let mut seen = HashSet::new();
    let quads: Vec<Quad> = quads
        .into_iter()
        .filter(|q| seen.insert(q.clone()))
        .collect();
    let (canonical, steps) = issue_canonical(&quads, hash)?;
    let label = |b: &str| canonical.get(b).unwrap_or(b).to_owned();
    let mut lines: Vec<String> = quads.iter().map(|q| line(q, label)).collect();
    lines.sort_unstable();
    Ok(Canonical {
        nquads: lines.concat(),
        issued: canonical.issued.into_iter().collect(),
        steps,
    })
}

/// The canonical N-Quads of `quads`.
pub fn nquads(quads: Vec<Quad>, hash: Hash) -> Result<String, TooComplex> {
    canonicalize(quads, hash).map(|c| c.nquads)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clique(k: usize) -> Vec<Quad> {
        let p = oxrdf::NamedNode::new_unchecked("http://example.org/p");
        let node = |i: usize| BlankNode::new_unchecked(format!("e{i}"));
        (0..k)
            .flat_map(|i| (0..k).filter(move |j| *j != i).map(move |j| (i, j)))
            .map(|(i, j)| Quad::new(node(i), p.clone(), node(j), GraphName::DefaultGraph))
            .collect()
    }

    #[test]
    fn distinct_permutations_are_generated_once_each_in_order() {
        let mut items: Vec<String> = ["a", "a", "b"].map(String::from).to_vec();
        let mut seen = vec![items.concat()];
        while next_permutation(&mut items) {
            seen.push(items.concat());
        }
        assert_eq!(seen, ["aab", "aba", "baa"]);
    }

    #[test]
    fn small_cliques_are_canonicalised_and_larger_ones_refused() {
        let five = canonicalize(clique(5), Hash::Sha256).expect("a 5-clique");
        assert_eq!(five.issued.len(), 5);
        assert_eq!(canonicalize(clique(7), Hash::Sha256), Err(TooComplex));
    }
}
