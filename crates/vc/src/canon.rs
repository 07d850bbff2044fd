//! JSON-LD to canonical N-Quads: the transformation of `eddsa-rdfc-2022` (W3C vc-di-eddsa
//! §3.3.2) and the input of its hashes.
//!
//! 1. The document is expanded to RDF by oxjsonld (JSON-LD 1.1 to RDF), contexts loaded only
//!    from the pinned table ([`crate::contexts`]); any other URL is an error.
//! 2. In [`Mode::Strict`] (signing and verifying), a term the contexts do not define is
//!    refused. JSON-LD drops such a property silently (the published VCDM 2.0 context has no
//!    `@vocab`), so its value would be outside what is signed yet shown to every reader. The
//!    probe is W3C's own: the document is expanded with the `undefined-terms/v2` context put
//!    first (one `@vocab` mapping every undefined term to `…/undefined-term#`), and any IRI
//!    there is refused. Without one, the probe's RDF is exactly the document's, so that RDF is
//!    the one canonicalised: one expansion, not two.
//! 3. The dataset is canonicalised with RDFC-1.0 (SHA-256), within a work limit
//!    ([`crate::rdfc`]), then written as canonical N-Quads, one statement per line, lines
//!    sorted by code point.

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::{NamedOrBlankNode, Quad, Term};
use serde_json::{Map, Value};

use crate::contexts::{self, Table};
use crate::rdfc;

/// The IRI space the probe maps undefined terms to.
pub const UNDEFINED_TERM: &str = "https://www.w3.org/ns/credentials/undefined-term#";
/// The W3C context that maps every undefined term into [`UNDEFINED_TERM`] (one `@vocab`),
/// used only by the signing probe, never published in a document.
const UNDEFINED_TERMS_CONTEXT: &str = "https://www.w3.org/ns/credentials/undefined-terms/v2";
const UNDEFINED_TERMS_DOC: &str =
    r#"{"@context": {"@vocab": "https://www.w3.org/ns/credentials/undefined-term#"}}"#;

/// Refuse or accept undefined terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every term must be defined by a context: issuing, and verifying (a property JSON-LD
    /// drops is not covered by the proof, so anyone could add or change it; the same rule as
    /// JSON-LD "safe mode" in other verifiers).
    Strict,
    /// Undefined terms are dropped as JSON-LD says (the specification's test vectors).
    Lenient,
}

/// Why a document could not be canonicalised.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonError {
    /// The JSON-LD is malformed, or names a context that is not pinned.
    #[error("JSON-LD: {0}")]
    JsonLd(String),
    /// A property or type no context defines (in [`Mode::Strict`]).
    #[error("the term {0:?} is not defined by the document's contexts")]
    UndefinedTerm(String),
    /// Blank nodes so alike that canonicalising them would take too long (a poisoned dataset).
    #[error(transparent)]
    TooComplex(#[from] rdfc::TooComplex),
}

/// The canonical N-Quads of a JSON-LD document.
pub fn nquads(doc: &Value, table: Table, mode: Mode) -> Result<String, CanonError> {
    canonical(expand(doc, table, mode)?)
}

/// The RDF of a document, in `mode`.
fn expand(doc: &Value, table: Table, mode: Mode) -> Result<Vec<Quad>, CanonError> {
    match mode {
        // One expansion serves both: with no undefined term, the probe's RDF is the document's
        // (the probe's `@vocab` only gives IRIs to terms that would otherwise have none).
        Mode::Strict => {
            let quads = to_quads(&with_undefined_terms_vocab(doc), table, true)?;
            for quad in &quads {
                let undefined = [quad.predicate.as_str(), term_iri(&quad.object)]
                    .into_iter()
                    .find_map(|iri| iri.strip_prefix(UNDEFINED_TERM));
                if let Some(term) = undefined {
                    return Err(CanonError::UndefinedTerm(term.to_owned()));
                }
            }
            Ok(quads)
        }
        Mode::Lenient => to_quads(doc, table, false),
    }
}

/// RDFC-1.0 (SHA-256) of `quads` as canonical N-Quads, lines sorted ([`crate::rdfc`], which
/// refuses poisoned datasets).
fn canonical(quads: Vec<Quad>) -> Result<String, CanonError> {
    Ok(rdfc::nquads(quads, rdfc::Hash::Sha256)?)
}

/// The canonical N-Quads of a Data Integrity proof configuration (without `@context`; it takes
/// the document's) and of the document, as [`nquads`] gives them, from one expansion.
///
/// Processing the contexts is most of the cost of an expansion, and both take the same ones,
/// so the two are expanded together, as the two nodes of one `@graph` under the document's
/// `@context`, then told apart: the configuration is the one blank node typed
/// `DataIntegrityProof` in the default graph, with only IRIs and literals as values and
/// nothing pointing at it. Anything else (no such node, or two) is done one at a time.
pub fn nquads_with_config(
    doc: &Map<String, Value>,
    config: &Map<String, Value>,
    table: Table,
    mode: Mode,
) -> Result<(String, String), CanonError> {
    if let Some(pair) = together(doc, config, table, mode)? {
        return Ok(pair);
    }
    let mut own = config.clone();
    if let Some(context) = doc.get("@context") {
        own.insert("@context".into(), context.clone());
    }
    Ok((
        nquads(&Value::Object(own), table, mode)?,
        nquads(&Value::Object(doc.clone()), table, mode)?,
    ))
}

/// [`nquads_with_config`] from one expansion, or `None` when the two cannot be told apart.
fn together(
    doc: &Map<String, Value>,
    config: &Map<String, Value>,
    table: Table,
    mode: Mode,
) -> Result<Option<(String, String)>, CanonError> {
    let (Some(context), false) = (doc.get("@context"), config.contains_key("@context")) else {
        return Ok(None);
    };
    let mut body = doc.clone();
    body.remove("@context");
    let mut both = Map::new();
    both.insert("@context".into(), context.clone());
    both.insert(
        "@graph".into(),
        Value::Array(vec![Value::Object(body), Value::Object(config.clone())]),
    );
    let quads = expand(&Value::Object(both), table, mode)?;
    let proof_type = |q: &Quad| {
        q.graph_name.is_default_graph()
            && q.predicate == oxrdf::vocab::rdf::TYPE
            && term_iri(&q.object) == DATA_INTEGRITY_PROOF
    };
    let mut candidates = quads
        .iter()
        .filter(|q| proof_type(q))
        .filter_map(|q| match &q.subject {
            NamedOrBlankNode::BlankNode(b) => Some(b.clone()),
            NamedOrBlankNode::NamedNode(_) => None,
        });
    let (Some(node), None) = (candidates.next(), candidates.next()) else {
        return Ok(None);
    };
    let is_node = |s: &NamedOrBlankNode| matches!(s, NamedOrBlankNode::BlankNode(b) if *b == node);
    let mut config_quads = Vec::new();
    let mut doc_quads = Vec::new();
    for q in quads {
        let points_at_node = matches!(&q.object, Term::BlankNode(b) if *b == node);
        if is_node(&q.subject) {
            if !q.graph_name.is_default_graph() || matches!(q.object, Term::BlankNode(_)) {
                return Ok(None);
            }
            config_quads.push(q);
        } else if points_at_node {
            return Ok(None);
        } else {
            doc_quads.push(q);
        }
    }
    Ok(Some((canonical(config_quads)?, canonical(doc_quads)?)))
}

/// The type IRI of a Data Integrity proof.
const DATA_INTEGRITY_PROOF: &str = "https://w3id.org/security#DataIntegrityProof";

fn term_iri(term: &Term) -> &str {
    match term {
        Term::NamedNode(n) => n.as_str(),
        _ => "",
    }
}

/// The RDF of a JSON-LD document, contexts from `table` (and the probe's, if `probe`).
fn to_quads(doc: &Value, table: Table, probe: bool) -> Result<Vec<Quad>, CanonError> {
    let bytes = serde_json::to_vec(doc).map_err(|e| CanonError::JsonLd(e.to_string()))?;
    let parser = JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(move |url, _| {
            let body = match contexts::lookup(table, url) {
                Some(body) => body,
                None if probe && url == UNDEFINED_TERMS_CONTEXT => UNDEFINED_TERMS_DOC,
                None => return Err(format!("the context {url} is not one Emblem knows").into()),
            };
            Ok(JsonLdRemoteDocument {
                document: body.as_bytes().to_vec(),
                document_url: url.to_owned(),
            })
        });
    parser
        .map(|quad| quad.map_err(|e| CanonError::JsonLd(e.to_string())))
        .collect()
}

/// `doc` with the undefined-terms context put before its own.
fn with_undefined_terms_vocab(doc: &Value) -> Value {
    let mut probe = doc.clone();
    if let Some(map) = probe.as_object_mut() {
        let mut list = match map.remove("@context") {
            Some(Value::Array(list)) => list,
            Some(one) => vec![one],
            None => Vec::new(),
        };
        // First, so a context of the document's own that sets `@vocab` still wins.
        list.insert(0, Value::String(UNDEFINED_TERMS_CONTEXT.to_owned()));
        map.insert("@context".into(), Value::Array(list));
    }
    probe
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contexts::PINNED;
    use crate::ob3;
    use emblem_badges::base_url::BaseUrl;
    use emblem_badges::ob2::fixtures;
    use serde_json::json;

    #[test]
    fn a_credential_whose_blank_nodes_form_a_clique_is_refused_not_computed() {
        // Ten subjects, each knowing the other nine (a term its own inline context defines, as
        // an attacker's may): every node alike.
        let subjects: Vec<Value> = (0..10)
            .map(|i| {
                let others: Vec<Value> = (0..10)
                    .filter(|j| *j != i)
                    .map(|j| json!({"id": format!("_:e{j}")}))
                    .collect();
                json!({"id": format!("_:e{i}"), "knows": others})
            })
            .collect();
        let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2",
                                      {"knows": {"@id": "https://x.example/knows", "@type": "@id"}}],
                         "type": ["VerifiableCredential"], "issuer": "https://x.example/i",
                         "credentialSubject": subjects});
        let started = std::time::Instant::now();
        let err = nquads(&doc, PINNED, Mode::Strict).expect_err("poisoned");
        assert!(matches!(err, CanonError::TooComplex(_)), "{err}");
        // Refused from a count, not after trying: far below the seconds the clique would take.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    fn config() -> Map<String, Value> {
        json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
               "created": "2026-01-01T00:00:00Z", "proofPurpose": "assertionMethod",
               "verificationMethod": "https://badges.example.org/profiles/p/keys/k"})
        .as_object()
        .cloned()
        .expect("test data")
    }

    fn separately(doc: &Map<String, Value>, mode: Mode) -> (String, String) {
        let mut own = config();
        own.insert("@context".into(), doc["@context"].clone());
        (
            nquads(&Value::Object(own), PINNED, mode).expect("test data"),
            nquads(&Value::Object(doc.clone()), PINNED, mode).expect("test data"),
        )
    }

    #[test]
    fn one_expansion_gives_what_two_give_for_every_document_emblem_signs() {
        let base = BaseUrl::parse("https://badges.example.org").expect("test data");
        let mut award = fixtures::award();
        award.recipient.name = Some("Ada".into());
        let credential = ob3::credential(&award, &fixtures::badge(), &fixtures::issuer(), &base);
        let doc = credential.as_object().cloned().expect("test data");
        for mode in [Mode::Strict, Mode::Lenient] {
            let joint = together(&doc, &config(), PINNED, mode).expect("test data");
            assert_eq!(joint, Some(separately(&doc, mode)), "{mode:?}");
        }
    }

    #[test]
    fn a_document_with_its_own_proof_node_is_expanded_on_its_own() {
        let mut doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": "https://i.example/",
            "credentialSubject": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}})
        .as_object()
        .cloned()
        .expect("test data");
        assert_eq!(
            together(&doc, &config(), PINNED, Mode::Lenient).expect("ok"),
            None
        );
        let (c, d) = nquads_with_config(&doc, &config(), PINNED, Mode::Lenient).expect("ok");
        assert_eq!((c, d), separately(&doc, Mode::Lenient));
        doc.remove("credentialSubject");
        assert!(
            together(&doc, &config(), PINNED, Mode::Lenient)
                .expect("ok")
                .is_some()
        );
    }
}
