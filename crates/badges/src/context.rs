//! Which standard a JSON document declares through its `@context`: the one place the context
//! URLs are compared. Baking ([`crate::bake::json_version`]) and verification
//! ([`crate::verify::docs::version`]) both ask here, then add what their job needs (a VC-JWT's
//! `vc` claim; the shapes of 0.5 and 1.0 documents, which have no context).

use serde_json::Value;

/// The Open Badges 2.0 JSON-LD context.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// The W3C Verifiable Credentials 2.0 context.
pub const VC2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The W3C Verifiable Credentials 1.1 context (older OB 3.0 credentials).
pub const VC1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";
/// Prefix of the Open Badges 3.0 contexts (`…/context-3.0.3.json` and friends).
pub const OB3_CONTEXT_PREFIX: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context";

/// What a document's `@context` declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// Open Badges 2.0.
    Ob2,
    /// Open Badges 3.0: a Verifiable Credentials context and an OB 3.0 context.
    Ob3,
    /// Open Badges 1.x (`openbadges/v1`).
    Ob1,
    /// A context, but none of the above.
    Other,
    /// No `@context` at all.
    Nothing,
}

/// The contexts of `doc` (a string or an array; objects in the array are skipped).
pub fn contexts(doc: &Value) -> Vec<&str> {
    match doc.get("@context") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `doc` is typed `OpenBadgeCredential` or `AchievementCredential`.
fn names_a_badge_credential(doc: &Value) -> bool {
    let types: Vec<&str> = match doc.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    types
        .iter()
        .any(|t| matches!(*t, "OpenBadgeCredential" | "AchievementCredential"))
}

/// What `doc` declares. A trailing `/` on a context URL is ignored.
pub fn declared(doc: &Value) -> Declared {
    let ctx = contexts(doc);
    let has = |f: &dyn Fn(&str) -> bool| ctx.iter().any(|c| f(c.trim_end_matches('/')));
    if has(&|c| c == OB2_CONTEXT) {
        Declared::Ob2
    } else if has(&|c| c == VC2_CONTEXT || c == VC1_CONTEXT)
        && (has(&|c| c.starts_with(OB3_CONTEXT_PREFIX)) || names_a_badge_credential(doc))
    {
        // A credential typed as a badge but without the 3.0 context (a draft's URL) is still
        // judged as 3.0, so the verdict can say what is wrong with it.
        Declared::Ob3
    } else if has(&|c| c.contains("openbadges/v1") || c.contains("openbadges.org/v1")) {
        Declared::Ob1
    } else if doc.get("@context").is_some() {
        Declared::Other
    } else {
        Declared::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_standard_is_told_apart_by_its_contexts() {
        let ob3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
        for (doc, want) in [
            (json!({"@context": OB2_CONTEXT}), Declared::Ob2),
            (
                json!({"@context": [format!("{OB2_CONTEXT}/"), {"x": "y"}]}),
                Declared::Ob2,
            ),
            (json!({"@context": [VC2_CONTEXT, ob3]}), Declared::Ob3),
            (json!({"@context": [VC1_CONTEXT, ob3]}), Declared::Ob3),
            (json!({"@context": [VC2_CONTEXT]}), Declared::Other),
            (json!({"@context": [ob3]}), Declared::Other),
            (
                json!({"@context": "https://w3id.org/openbadges/v1"}),
                Declared::Ob1,
            ),
            (json!({"@context": 7}), Declared::Other),
            (json!({"id": "x"}), Declared::Nothing),
        ] {
            assert_eq!(declared(&doc), want, "{doc}");
        }
    }
}
