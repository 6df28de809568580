//! Finding a record from the top bar by its number, code or title: the query, the hits, and the rule for a match.

use crate::error::ApiError;
use crate::record::RecordType;
use serde::{Deserialize, Serialize};

/// The most hits one search returns.
pub const MAX_HITS: usize = 30;
/// The shortest query searched: one character would match nearly everything.
pub const MIN_QUERY_CHARS: usize = 2;
/// The longest query accepted.
pub const MAX_QUERY_CHARS: usize = 100;

/// `GET /search?q=…`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// Words that must all appear in a record's number, title, product or place, in any case; 2 to 100 characters
    /// (blank finds nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

/// A record that matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// What kind of record.
    pub record_type: RecordType,
    /// Its id (every kind searched has a UUID).
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub id: String,
    /// Its number or code, e.g. "DEV-2026-00001"; a document's or an agreement's title.
    pub number: String,
    /// Its title (a transfer's: its product; a document's: its latest file; an agreement's: its state and permission).
    pub title: String,
    /// Where it belongs, e.g. the product and the partner.
    pub context: String,
}

/// What a search found, best matches first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    /// The records found that the caller may read.
    pub items: Vec<SearchHit>,
    /// More matched than are shown: the query should be more precise.
    pub truncated: bool,
}

/// The words of a query, lower-cased (none for a blank one: nothing to search for); refused, naming the field `q`,
/// when it is too short to be worth searching or too long.
pub fn terms(query: &str) -> Result<Vec<String>, ApiError> {
    let query = query.trim();
    let length = query.chars().count();
    if length == 0 {
        return Ok(Vec::new());
    }
    if length < MIN_QUERY_CHARS {
        return Err(ApiError::invalid("q", format!("Type at least {MIN_QUERY_CHARS} characters to search.")));
    }
    if length > MAX_QUERY_CHARS {
        return Err(ApiError::invalid("q", format!("Search for at most {MAX_QUERY_CHARS} characters.")));
    }
    Ok(query.split_whitespace().map(str::to_lowercase).collect())
}

/// How well a record with `number` and other `fields` matches `terms`: `None` unless every term appears in one of
/// them; otherwise lower is better — the number itself (0), the start of the number (1), anywhere (2).
pub fn rank(terms: &[String], number: &str, fields: &[&str]) -> Option<u8> {
    let number = number.to_lowercase();
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    let found = terms.iter().all(|t| number.contains(t.as_str()) || fields.iter().any(|f| f.contains(t.as_str())));
    if !found {
        return None;
    }
    let whole = terms.join(" ");
    Some(if number == whole {
        0
    } else if number.starts_with(&whole) {
        1
    } else {
        2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(query: &str) -> Vec<String> {
        terms(query).expect("a query")
    }

    #[test]
    fn every_word_must_appear_in_some_field_in_any_case() {
        let fields = ["Fill weight drift on vial line 2", "Velarimab drug product"];
        assert_eq!(rank(&t("fill velarimab"), "DEV-2026-00001", &fields), Some(2));
        assert_eq!(rank(&t("FILL drift"), "DEV-2026-00001", &fields), Some(2));
        assert_eq!(rank(&t("fill corvastatin"), "DEV-2026-00001", &fields), None, "every word, not any");
    }

    #[test]
    fn the_number_itself_ranks_first_then_its_start() {
        let none: [&str; 0] = [];
        assert_eq!(rank(&t("dev-2026-00001"), "DEV-2026-00001", &none), Some(0));
        assert_eq!(rank(&t("DEV-2026"), "DEV-2026-00001", &none), Some(1));
        assert_eq!(rank(&t("00001"), "DEV-2026-00001", &none), Some(2));
    }

    #[test]
    fn a_query_too_short_or_too_long_is_refused_naming_q() {
        for bad in [" a ", &"x".repeat(MAX_QUERY_CHARS + 1)] {
            let refused = terms(bad).expect_err(bad);
            assert_eq!(refused.field.as_deref(), Some("q"), "{bad:?}");
        }
        assert_eq!(t("  TT  2026 "), ["tt", "2026"]);
        assert_eq!(t("   "), Vec::<String>::new(), "blank: nothing to search for");
    }
}
