//! RDFC-1.0 (W3C RDF Dataset Canonicalization) with a work limit.
//!
//! oxrdf implements the algorithm; what it lacks is the limit the specification asks for
//! (§4.1, "dataset poisoning"): a dataset of blank nodes that all look alike (a clique) makes
//! Hash N-Degree Quads try every permutation of them, and a credential sent to `/verify` is
//! such a dataset if its author wants it to be. So before canonicalising, [`check`] estimates
//! that work and refuses a dataset above [`MAX_WORK`]:
//!
//! 1. Each blank node gets its first-degree signature (§4.6: the quads that mention it, itself
//!    written `_:a` and every other blank node `_:z`, sorted). Nodes whose signature is
//!    unique get their canonical label from it directly and cost nothing more.
//! 2. Each node whose signature is shared goes through Hash N-Degree Quads (§4.8), which tries
//!    every ordering of each group of its related blank nodes that look alike. Its cost is
//!    counted as the product of the factorials of those group sizes (groups by first-degree
//!    signature, never smaller than the algorithm's own groups, so never an underestimate of
//!    this first level), and the dataset's work is the sum over such nodes.
//!
//! Documents that are trees of distinct objects, as credentials are, have no shared
//! signatures at all; two identical evidence entries cost 2. The W3C suite's "evil" poison
//! graphs (tests 044 to 046) cost at most 72, and the 10-node clique it says must be refused
//! (test074) 3,628,800. Measured natively, a k-node clique costs k·(k−1)! = k! and takes
//! 32 ms at k = 6 (720), 315 ms at 7 (5,040) and 3.7 s at 8 (40,320): the limit admits the
//! first and refuses the others.

use std::collections::{BTreeMap, HashMap};

use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{BlankNode, Dataset, GraphName, NamedOrBlankNode, Quad, Term};

/// The most work (see the module docs) a dataset may cost.
pub const MAX_WORK: u64 = 1_000;

/// The hash function of RDFC-1.0 (SHA-256 unless a suite says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hash {
    /// SHA-256, what `eddsa-rdfc-2022` uses.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

/// A dataset whose canonicalisation would cost more than [`MAX_WORK`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the RDF has blank nodes so alike that canonicalising it would cost {work} steps (at most {MAX_WORK})"
)]
pub struct TooComplex {
    /// The estimated work.
    pub work: u64,
}

fn algorithm(hash: Hash) -> CanonicalizationAlgorithm {
    CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: match hash {
            Hash::Sha256 => CanonicalizationHashAlgorithm::Sha256,
            Hash::Sha384 => CanonicalizationHashAlgorithm::Sha384,
        },
    }
}

/// The blank nodes of a quad, in subject, object, graph order.
fn blank_nodes(quad: &Quad) -> impl Iterator<Item = &BlankNode> {
    let subject = match &quad.subject {
        NamedOrBlankNode::BlankNode(b) => Some(b),
        NamedOrBlankNode::NamedNode(_) => None,
    };
    let object = match &quad.object {
        Term::BlankNode(b) => Some(b),
        _ => None,
    };
    let graph = match &quad.graph_name {
        GraphName::BlankNode(b) => Some(b),
        _ => None,
    };
    [subject, object, graph].into_iter().flatten()
}

/// `quad` with `node` written `_:a` and every other blank node `_:z`.
fn masked(quad: &Quad, node: &BlankNode) -> String {
    let mask = |b: &BlankNode| BlankNode::new_unchecked(if b == node { "a" } else { "z" });
    let subject = match &quad.subject {
        NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(mask(b)),
        other => other.clone(),
    };
    let object = match &quad.object {
        Term::BlankNode(b) => Term::BlankNode(mask(b)),
        other => other.clone(),
    };
    let graph_name = match &quad.graph_name {
        GraphName::BlankNode(b) => GraphName::BlankNode(mask(b)),
        other => other.clone(),
    };
    Quad::new(subject, quad.predicate.clone(), object, graph_name).to_string()
}

fn factorial(n: usize) -> u64 {
    (2..=n as u64).fold(1u64, u64::saturating_mul)
}

/// The estimated work of canonicalising `quads` (see the module docs).
pub fn work(quads: &[Quad]) -> u64 {
    let mut mentions: HashMap<&BlankNode, Vec<&Quad>> = HashMap::new();
    for quad in quads {
        for node in blank_nodes(quad) {
            let list = mentions.entry(node).or_default();
            if !list.last().is_some_and(|q| std::ptr::eq(*q, quad)) {
                list.push(quad);
            }
        }
    }
    let signature: HashMap<&BlankNode, String> = mentions
        .iter()
        .map(|(node, quads)| {
            let mut lines: Vec<String> = quads.iter().map(|q| masked(q, node)).collect();
            lines.sort_unstable();
            (*node, lines.concat())
        })
        .collect();
    let mut alike: HashMap<&str, usize> = HashMap::new();
    for sig in signature.values() {
        *alike.entry(sig.as_str()).or_default() += 1;
    }
    let mut total = 0u64;
    for (node, quads) in &mentions {
        if alike[signature[node].as_str()] < 2 {
            continue;
        }
        let mut related: BTreeMap<&str, Vec<&BlankNode>> = BTreeMap::new();
        for quad in quads {
            for other in blank_nodes(quad).filter(|b| b != node) {
                let group = related.entry(signature[other].as_str()).or_default();
                if !group.contains(&other) {
                    group.push(other);
                }
            }
        }
        let cost = related
            .values()
            .map(|g| factorial(g.len()))
            .fold(1u64, u64::saturating_mul);
        total = total.saturating_add(cost);
    }
    total
}

/// Refuse a dataset whose canonicalisation would cost more than [`MAX_WORK`].
pub fn check(quads: &[Quad]) -> Result<(), TooComplex> {
    match work(quads) {
        work if work > MAX_WORK => Err(TooComplex { work }),
        _ => Ok(()),
    }
}

/// The canonical N-Quads of `quads`: one statement per line, lines sorted by code point.
pub fn nquads(quads: Vec<Quad>, hash: Hash) -> Result<String, TooComplex> {
    check(&quads)?;
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(algorithm(hash));
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

/// The canonical label RDFC-1.0 issues for each blank node of `quads` (input label →
/// `c14nN`).
pub fn issued_identifiers(
    quads: Vec<Quad>,
    hash: Hash,
) -> Result<BTreeMap<String, String>, TooComplex> {
    check(&quads)?;
    let dataset: Dataset = quads.into_iter().collect();
    Ok(dataset
        .canonicalize_blank_nodes(algorithm(hash))
        .into_iter()
        .map(|(from, to)| (from.as_str().to_owned(), to.as_str().to_owned()))
        .collect())
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
    fn a_clique_costs_k_factorial_and_above_six_nodes_is_refused() {
        assert_eq!(work(&clique(6)), 720);
        assert!(nquads(clique(6), Hash::Sha256).is_ok());
        assert_eq!(
            nquads(clique(7), Hash::Sha256),
            Err(TooComplex { work: 5040 })
        );
    }

    #[test]
    fn distinct_and_duplicate_tree_nodes_cost_nothing_or_little() {
        let p = oxrdf::NamedNode::new_unchecked("http://example.org/p");
        let root = oxrdf::NamedNode::new_unchecked("http://example.org/root");
        let quads: Vec<Quad> = (0..3)
            .map(|i| {
                Quad::new(
                    root.clone(),
                    p.clone(),
                    BlankNode::new_unchecked(format!("b{i}")),
                    GraphName::DefaultGraph,
                )
            })
            .collect();
        // Three alike children of one named node: shared signatures, nothing related.
        assert_eq!(work(&quads), 3);
        assert_eq!(work(&quads[..1]), 0);
    }
}
