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
//! 3. The dataset is canonicalised with RDFC-1.0 (SHA-256) by oxrdf, then written as canonical
//!    N-Quads, one statement per line, lines sorted by code point.

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, Quad, Term};
use serde_json::Value;

use crate::contexts::{self, Table};

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
}

/// The canonical N-Quads of a JSON-LD document.
pub fn nquads(doc: &Value, table: Table, mode: Mode) -> Result<String, CanonError> {
    let quads = match mode {
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
            quads
        }
        Mode::Lenient => to_quads(doc, table, false)?,
    };
    let mut dataset: Dataset = quads.iter().collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

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
