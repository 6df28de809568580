//! Building request targets from untrusted pieces: every path parameter and query value is percent-encoded, so an
//! id that contains `/`, `?`, `#`, `%` or spaces stays one segment or one value and cannot change what is asked.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

/// Why a request target could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// A path parameter that a URL parser would not keep as a segment of its own: empty, `.` or `..` (which
    /// browsers resolve even when percent-encoded).
    #[error("`{0}` is not a valid path segment")]
    Segment(&'static str),
    /// The query is not a flat object of strings, numbers and booleans.
    #[error("the query must be a flat object: {0}")]
    Query(String),
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// How many `{name}` placeholders a path template has; `const` so that it can size an endpoint's parameters.
pub const fn placeholders(template: &str) -> usize {
    let bytes = template.as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'{' {
            count += 1;
        }
        i += 1;
    }
    count
}

/// Fills the template's placeholders, in order, with the encoded `params`.
pub fn fill(template: &'static str, params: &[&str]) -> Result<String, TargetError> {
    let mut out = String::with_capacity(template.len());
    let mut params = params.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let name = rest.get(open + 1..close).unwrap_or_default();
        let value = params.next().copied().unwrap_or_default();
        if matches!(value, "" | "." | "..") {
            return Err(TargetError::Segment(name));
        }
        out.push_str(&rest[..open]);
        out.push_str(&encode_component(value));
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The query string (without `?`) for `value`, a struct of optional scalars: absent fields are left out.
pub fn query<T: Serialize>(value: &T) -> Result<String, TargetError> {
    let fields = match serde_json::to_value(value).map_err(|e| TargetError::Query(e.to_string()))? {
        Value::Null => return Ok(String::new()),
        Value::Object(fields) => fields,
        other => return Err(TargetError::Query(other.to_string())),
    };
    let mut pairs = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            nested => return Err(TargetError::Query(format!("{key} is {nested}"))),
        };
        pairs.push(format!("{}={}", encode_component(&key), encode_component(&text)));
    }
    Ok(pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(encode_component("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_component("00000003-0000-4000-8000-000000000001"), "00000003-0000-4000-8000-000000000001");
        assert_eq!(encode_component("é+&="), "%C3%A9%2B%26%3D");
    }

    #[test]
    fn a_parameter_stays_one_segment() {
        let template = "/agreements/{id}/signatures";
        for hostile in ["x/../../session", "x?y=1", "x#frag", "50%", "a b", "%2F", "/", "?", "#", "a\\b", "%2e%2e"] {
            let path = fill(template, &[hostile]).expect("fills");
            assert!(path.starts_with("/agreements/") && path.ends_with("/signatures"), "{path}");
            let segment = &path["/agreements/".len()..path.len() - "/signatures".len()];
            assert!(!segment.contains(['/', '?', '#', ' ', '\\']) && segment != "..", "{hostile} -> {path}");
            assert_eq!(path.matches('/').count(), 3, "{hostile} -> {path}");
        }
        assert_eq!(fill(template, &["a/b"]), Ok("/agreements/a%2Fb/signatures".to_owned()));
        // A percent sign is itself encoded, so encoded dots arrive as text, not as a `..` a URL parser resolves.
        assert_eq!(fill(template, &["%2e%2e"]), Ok("/agreements/%252e%252e/signatures".to_owned()));
    }

    #[test]
    fn segments_a_url_parser_would_resolve_are_refused() {
        for bad in ["", ".", ".."] {
            assert_eq!(fill("/transfers/{id}", &[bad]), Err(TargetError::Segment("id")));
        }
        assert_eq!(fill("/transfers/{id}", &["..."]), Ok("/transfers/...".to_owned()));
    }

    #[test]
    fn several_parameters_fill_in_order() {
        assert_eq!(fill("/history/{record_type}/{id}", &["agreement", "x y"]), Ok("/history/agreement/x%20y".into()));
        assert_eq!(fill("/transfers", &[]), Ok("/transfers".into()));
        assert_eq!(placeholders("/history/{record_type}/{id}"), 2);
        assert_eq!(placeholders("/audit"), 0);
    }

    #[derive(Serialize)]
    struct Filters {
        action: Option<String>,
        limit: Option<i64>,
        record_id: Option<String>,
    }

    #[test]
    fn query_values_are_encoded_and_absent_fields_left_out() {
        let filters = Filters { action: None, limit: Some(200), record_id: Some("a&b=c#d e%".into()) };
        assert_eq!(query(&filters), Ok("limit=200&record_id=a%26b%3Dc%23d%20e%25".into()));
        assert_eq!(query(&()), Ok(String::new()));
        assert!(query(&vec![1]).is_err());
        assert!(query(&serde_json::json!({"a": [1]})).is_err());
    }
}
