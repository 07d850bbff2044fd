//! `POST /api/v1/badgeclasses/:id/awards` bodies: a cohort of recipients, as JSON or CSV.
//!
//! - JSON: `{"recipients": [{email, name?, issued_on?, expires?, evidence_url?, narrative?}]}`.
//! - CSV (`text/csv`, UTF-8, RFC 4180 quoting): a header row naming some of the columns
//!   `email` (required), `name`, `issued_on`, `expires`, `evidence_url`, `narrative`, in any
//!   order; an unknown column is refused (a typo would otherwise drop data silently). Empty
//!   cells are absent values.
//!
//! Each row becomes the body of a single award (`POST /assertions`), so a row is checked by
//! exactly the rules a single award is; a row that fails them is reported, not fatal.

use serde_json::{Map, Value, json};

use emblem_badges::error::Error;

/// Most rows in one request.
pub const MAX_ROWS: usize = 5000;

/// The columns a cohort row may have.
pub const COLUMNS: [&str; 6] = [
    "email",
    "name",
    "issued_on",
    "expires",
    "evidence_url",
    "narrative",
];

/// One row: the award body it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRow {
    /// 1-based position among the data rows.
    pub row: usize,
    /// The email as written (for the answer), if any.
    pub email: Option<String>,
    /// The `POST /assertions` body for this row.
    pub body: Value,
}

fn too_many(n: usize) -> Error {
    Error::invalid(
        "recipients",
        format!("at most {MAX_ROWS} recipients per request; this one has {n}"),
    )
}

/// The award body of one row of `fields` (column → cell) for class `badge_id`.
fn row_body(badge_id: &str, fields: &Map<String, Value>) -> Value {
    let mut recipient = Map::new();
    let mut body = Map::new();
    body.insert("badgeclass".into(), json!(badge_id));
    for (k, v) in fields {
        if v.is_null() || v.as_str() == Some("") {
            continue;
        }
        match k.as_str() {
            "email" | "name" => {
                recipient.insert(k.clone(), v.clone());
            }
            "evidence_url" => {
                body.insert("evidence".into(), json!([{"url": v}]));
            }
            other => {
                body.insert(other.to_owned(), v.clone());
            }
        }
    }
    body.insert("recipient".into(), Value::Object(recipient));
    Value::Object(body)
}

/// Rows from a JSON body.
pub fn from_json(badge_id: &str, body: &Value) -> Result<Vec<CohortRow>, Error> {
    let list = body
        .get("recipients")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid("recipients", "must be an array of recipients"))?;
    if list.is_empty() {
        return Err(Error::invalid("recipients", "must not be empty"));
    }
    if list.len() > MAX_ROWS {
        return Err(too_many(list.len()));
    }
    let mut rows = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let fields = match item {
            Value::Object(o) => o.clone(),
            _ => Map::new(),
        };
        for key in fields.keys() {
            if !COLUMNS.contains(&key.as_str()) {
                return Err(Error::invalid(
                    format!("recipients[{i}].{key}"),
                    format!("unknown field; use {}", COLUMNS.join(", ")),
                ));
            }
        }
        rows.push(CohortRow {
            row: i + 1,
            email: fields
                .get("email")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body: row_body(badge_id, &fields),
        });
    }
    Ok(rows)
}

/// Rows from a CSV body.
pub fn from_csv(badge_id: &str, body: &[u8]) -> Result<Vec<CohortRow>, Error> {
    let text =
        std::str::from_utf8(body).map_err(|_| Error::invalid("body", "the CSV is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("body", format!("the CSV header row: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(Error::invalid(
                "body",
                format!(
                    "the CSV column {} is {h:?}, not one of {}",
                    i + 1,
                    COLUMNS.join(", ")
                ),
            ));
        }
        if headers[..i].contains(h) {
            return Err(Error::invalid(
                "body",
                format!("the CSV column {h:?} appears twice"),
            ));
        }
    }
    if !headers.iter().any(|h| h == "email") {
        return Err(Error::invalid("body", "the CSV has no email column"));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Error::invalid("body", format!("the CSV row {} does not parse: {e}", i + 1))
        })?;
        // Rows are numbered from 1 after the header; blank lines are skipped and not counted.
        let row = i + 1;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(too_many(MAX_ROWS + 1));
        }
        let fields: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), Value::String(v.to_owned())))
            .collect();
        rows.push(CohortRow {
            row,
            email: fields
                .get("email")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body: row_body(badge_id, &fields),
        });
    }
    if rows.is_empty() {
        return Err(Error::invalid("body", "the CSV has no rows"));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_award_bodies() {
        let csv = "Email,name,issued_on,evidence_url\n\
                   a@example.org,\"Lee, Ann\",2026-01-02T00:00:00Z,https://e.example.org/1\n\
                   \n\
                   b@example.org,,,\n";
        let rows = from_csv("B", csv.as_bytes()).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].body,
            json!({"badgeclass": "B", "recipient": {"email": "a@example.org", "name": "Lee, Ann"},
                   "issued_on": "2026-01-02T00:00:00Z", "evidence": [{"url": "https://e.example.org/1"}]})
        );
        assert_eq!(rows[1].row, 2, "blank lines are skipped and not counted");
        assert_eq!(
            rows[1].body,
            json!({"badgeclass": "B", "recipient": {"email": "b@example.org"}})
        );
    }

    #[test]
    fn a_csv_with_an_unknown_or_missing_column_is_refused_whole() {
        for bad in [
            "email,nmae\na@b.org,x\n",
            "name\nx\n",
            "email,email\na,b\n",
            "email\n",
        ] {
            assert_eq!(
                from_csv("B", bad.as_bytes()).map_err(|e| e.status()),
                Err(422),
                "{bad}"
            );
        }
        let many = format!("email\n{}", "a@b.org\n".repeat(MAX_ROWS + 1));
        assert!(from_csv("B", many.as_bytes()).is_err());
    }

    #[test]
    fn json_rows_name_unknown_fields() {
        let e = from_json(
            "B",
            &json!({"recipients": [{"email": "a@b.org", "mail": "x"}]}),
        )
        .expect_err("unknown");
        assert_eq!(e.problem().errors[0].field, "recipients[0].mail");
        assert!(from_json("B", &json!({"recipients": []})).is_err());
    }
}
