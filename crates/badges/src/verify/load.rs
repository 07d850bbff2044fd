//! The fetch phase: every document a verification trusts is read from its own id, within a
//! budget.
//!
//! 1. [`Loader::get`] counts fetches and time: at most [`MAX_FETCHES`] documents and
//!    [`MAX_SECONDS`] seconds for one verification (redirects are bounded per document by
//!    [`super::fetch::MAX_REDIRECTS`], key candidates by [`MAX_KEYS`]), so one request cannot
//!    make Emblem fetch a thousand URLs. Past the budget a fetch fails as
//!    [`FetchError::OverBudget`]: the badge is `unverifiable`, never `invalid`.
//! 2. [`Loader::node`] fetches a document and makes its `id` the authority: a document that
//!    declares another http(s) id is fetched again from that id (with a warning, as
//!    validator-core does), and must declare the same id there.
//! 3. [`Loader::linked`] resolves a reference (`badge`, `issuer`, a key): a node with an
//!    http(s) id is always used as fetched from that id, never as embedded, because only what
//!    is served from the issuer's own URLs is under the issuer's control. A node without an
//!    http(s) id (a `urn:uuid` ephemeral BadgeClass) is used as embedded; the caller decides
//!    whether that is allowed where it stands.

use std::cell::Cell;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::check::Effect;
use super::docs;
use super::fetch::{Fetch, FetchError, Fetched};

/// Most documents fetched for one verification (assertion, class, issuer, keys, revocation
/// list, and a re-fetch for each id that differs from its URL).
pub const MAX_FETCHES: usize = 12;
/// Most key candidates tried for one signature.
pub const MAX_KEYS: usize = 4;
/// Most time one verification may spend fetching, in seconds.
pub const MAX_SECONDS: u64 = 30;

/// Why a step could not go on: what it means for the badge and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What the failure means.
    pub effect: Effect,
    /// Why.
    pub message: String,
}

impl Failure {
    /// The badge is not valid.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            effect: Effect::Invalid,
            message: message.into(),
        }
    }

    /// Emblem could not tell.
    pub fn unverifiable(message: impl Into<String>) -> Self {
        Self {
            effect: Effect::Unverifiable,
            message: message.into(),
        }
    }

    /// A fetch that failed: a network or policy problem, not a fault of the badge.
    pub fn fetch(e: &FetchError) -> Self {
        Self::unverifiable(format!(
            "{e}. This is a network or policy problem, not a fault of the badge."
        ))
    }
}

/// A document as trusted.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The document.
    pub doc: Value,
    /// Its id: where it was fetched from (or the id it declares, for embedded nodes).
    pub id: String,
    /// True when it came embedded in the badge (no http(s) id), not fetched.
    pub embedded: bool,
    /// Things a person should know (the id differed from the URL, an embedded copy was
    /// ignored).
    pub notes: Vec<String>,
}

/// Fetches within one verification's budget.
#[derive(Debug)]
pub struct Loader<'f, F: ?Sized> {
    fetch: &'f F,
    used: Cell<usize>,
    started: Instant,
}

impl<'f, F: Fetch + ?Sized> Loader<'f, F> {
    /// A fresh budget over `fetch`.
    pub fn new(fetch: &'f F) -> Self {
        Self {
            fetch,
            used: Cell::new(0),
            started: Instant::now(),
        }
    }

    /// How many documents were fetched so far.
    pub fn used(&self) -> usize {
        self.used.get()
    }

    /// GET `url`, if the budget allows.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let over = |reason: String| FetchError::OverBudget {
            url: url.to_owned(),
            reason,
        };
        if self.used.get() >= MAX_FETCHES {
            return Err(over(format!(
                "one verification fetches at most {MAX_FETCHES} documents"
            )));
        }
        if self.started.elapsed() > Duration::from_secs(MAX_SECONDS) {
            return Err(over(format!(
                "one verification may spend at most {MAX_SECONDS} seconds fetching"
            )));
        }
        self.used.set(self.used.get() + 1);
        self.fetch.get(url).await
    }

    /// The JSON document at `url`, its declared id made the authority (see the module docs).
    pub async fn node(&self, url: &str, what: &str) -> Result<Node, Failure> {
        let (doc, got) = self.json(url, what).await?;
        let declared = docs::str_of(&doc, "id").map(str::to_owned);
        match declared {
            Some(d) if d != url && d != got.url => {
                if !docs::is_http_url(&d) {
                    return Err(Failure::invalid(format!(
                        "The {what} served at {url} declares its id as {d:?}, which is not \
                         where it is served from."
                    )));
                }
                let (again, _) = self.json(&d, what).await?;
                if docs::str_of(&again, "id") != Some(d.as_str()) {
                    return Err(Failure::invalid(format!(
                        "The {what} served at {url} declares its id as {d}, and the document \
                         at {d} declares yet another id."
                    )));
                }
                Ok(Node {
                    doc: again,
                    notes: vec![format!(
                        "the {what} fetched from {url} declares its id as {d}; the id is \
                         authoritative, so it was fetched again from there"
                    )],
                    id: d,
                    embedded: false,
                })
            }
            _ => Ok(Node {
                doc,
                id: url.to_owned(),
                embedded: false,
                notes: Vec::new(),
            }),
        }
    }

    /// A 200 JSON object at `url` (its id not checked: see [`Loader::node`] for that).
    pub async fn json(&self, url: &str, what: &str) -> Result<(Value, Fetched), Failure> {
        let got = self.get(url).await.map_err(|e| Failure::fetch(&e))?;
        if got.status != 200 {
            let message = format!(
                "The {what} at {url} could not be loaded: the server answered {}.",
                got.status
            );
            return Err(match got.status {
                404 | 410 => Failure::invalid(message),
                _ => Failure::unverifiable(message),
            });
        }
        match serde_json::from_slice::<Value>(&got.body) {
            Ok(doc) if doc.is_object() => Ok((doc, got)),
            _ => Err(Failure::invalid(format!(
                "The {what} at {url} is not a JSON object."
            ))),
        }
    }

    /// The node `value` refers to: fetched from its http(s) id, or embedded when it has none.
    pub async fn linked(&self, value: Option<&Value>, what: &str) -> Result<Node, Failure> {
        let missing = || Failure::invalid(format!("The {what} is missing."));
        let value = value.ok_or_else(missing)?;
        let id = docs::ref_id(value).map(str::to_owned);
        match (value, id) {
            (_, Some(id)) if docs::is_http_url(&id) => {
                let mut node = self.node(&id, what).await?;
                if value.as_object().is_some_and(|o| o.len() > 1) {
                    node.notes.push(format!(
                        "the {what} came embedded in the badge; only the copy served at its id \
                         {id} was used"
                    ));
                }
                Ok(node)
            }
            (Value::Object(_), id) => Ok(Node {
                doc: value.clone(),
                id: id.unwrap_or_default(),
                embedded: true,
                notes: Vec::new(),
            }),
            (_, Some(id)) => Err(Failure::invalid(format!(
                "The {what} {id:?} is neither embedded nor an http(s) URL it could be fetched \
                 from."
            ))),
            (_, None) => Err(missing()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use serde_json::json;
    use std::collections::HashMap;

    struct Net(HashMap<&'static str, Value>, Cell<usize>);

    impl Fetch for Net {
        async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
            self.1.set(self.1.get() + 1);
            let doc = self.0.get(url).ok_or(FetchError::Network {
                url: url.to_owned(),
                reason: "refused".into(),
            })?;
            Ok(Fetched::ok(url, "application/json", doc.to_string()))
        }
    }

    fn net(entries: &[(&'static str, Value)]) -> Net {
        Net(entries.iter().cloned().collect(), Cell::new(0))
    }

    #[test]
    fn an_embedded_node_with_an_http_id_is_replaced_by_the_served_one() {
        let n = net(&[(
            "https://v.org/i",
            json!({"id": "https://v.org/i", "name": "Real"}),
        )]);
        let l = Loader::new(&n);
        let forged = json!({"id": "https://v.org/i", "name": "Forged", "publicKey": "x"});
        let node = block_on(l.linked(Some(&forged), "issuer")).expect("node");
        assert_eq!(node.doc["name"], "Real");
        assert!(!node.embedded);
        assert_eq!(node.notes.len(), 1);
        let eph = json!({"id": "urn:uuid:1", "name": "Ephemeral"});
        let node = block_on(l.linked(Some(&eph), "BadgeClass")).expect("node");
        assert!(node.embedded);
        assert!(block_on(l.linked(Some(&json!("urn:uuid:1")), "BadgeClass")).is_err());
    }

    #[test]
    fn the_declared_id_is_the_authority() {
        let n = net(&[
            (
                "https://v.org/old",
                json!({"id": "https://v.org/new", "v": 1}),
            ),
            (
                "https://v.org/new",
                json!({"id": "https://v.org/new", "v": 2}),
            ),
            ("https://v.org/loop", json!({"id": "https://v.org/other"})),
            ("https://v.org/other", json!({"id": "https://v.org/third"})),
        ]);
        let l = Loader::new(&n);
        let node = block_on(l.node("https://v.org/old", "BadgeClass")).expect("node");
        assert_eq!(
            (node.id.as_str(), &node.doc["v"]),
            ("https://v.org/new", &json!(2))
        );
        let e = block_on(l.node("https://v.org/loop", "BadgeClass")).expect_err("refused");
        assert_eq!(e.effect, Effect::Invalid);
    }

    #[test]
    fn the_budget_stops_fetching() {
        let n = net(&[("https://v.org/i", json!({"id": "https://v.org/i"}))]);
        let l = Loader::new(&n);
        for _ in 0..MAX_FETCHES {
            block_on(l.get("https://v.org/i")).expect("within budget");
        }
        let e = block_on(l.get("https://v.org/i")).expect_err("over budget");
        assert!(matches!(e, FetchError::OverBudget { .. }), "{e:?}");
        assert_eq!(n.1.get(), MAX_FETCHES);
    }
}
