//! Request extractors whose rejections use the API's JSON error shape instead of axum's plain text.
//!
//! They also refuse text containing U+0000: PostgreSQL cannot store it in `TEXT` (the query fails, which would be
//! a 500), and no Baton field has a use for it, so it is refused up front, on both databases alike, naming the field.

use crate::error::AppError;
use crate::error::field_of;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use baton_domain::error::{ApiError, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The message for text containing U+0000.
const NUL_MESSAGE: &str = "Text may not contain the NUL character (U+0000).";

/// A JSON body; malformed, oversized or non-JSON bodies become 4xx [`AppError`]s naming the problem.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned + Serialize,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
            }
            _ => malformed(rejection.body_text()),
        })?;
        // Syntax first, on its own: serde_json reports some type errors (`false` where an enum belongs) as syntax
        // errors, and those would otherwise be answered "not valid JSON" about a body that is valid JSON.
        let sent: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
        let value = match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => value,
            Err(rejection) => {
                // The JSON is valid, so whatever serde calls it, this is the body not matching the type.
                let message = rejection.body_text().replace(
                    "Failed to parse the request body as JSON: ",
                    "Failed to deserialize the JSON body into the target type: ",
                );
                return Err(ApiError::invalid(field_of(&message), message).into());
            }
        };
        // Checked on the parsed value, not the bytes, so that fields serde ignores do not count and the error can
        // name the field; every request type serialises, and re-serialising a small body costs next to nothing.
        let parsed = serde_json::to_value(&value).map_err(anyhow::Error::from)?;
        if let Some(field) = nul_in(&parsed, "") {
            return Err(ApiError::invalid(if field.is_empty() { "body".to_owned() } else { field }, NUL_MESSAGE).into());
        }
        // serde also reads a struct from a list of its fields in order, and a decimal from a JSON integer; the API
        // document allows neither, so neither is accepted, whatever the type would make of it.
        if let Some((field, message)) = off_document(&sent, &parsed, "") {
            return Err(ApiError::invalid(if field.is_empty() { "body".to_owned() } else { field }, message).into());
        }
        Ok(ApiJson(value))
    }
}

/// Whether the body is declared JSON: `application/json` or `application/*+json`, as axum's own `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some((kind, subtype)) => kind == "application" && (subtype == "json" || subtype.ends_with("+json")),
        None => false,
    }
}

fn malformed(detail: String) -> AppError {
    AppError::Api(ApiError {
        code: ErrorCode::MalformedRequest,
        message: format!("The body is not valid JSON: {detail}"),
        field: Some("body".into()),
        problems: Vec::new(),
    })
}

/// The first place (path, and what to write instead) where the body sent has another shape than the type read from
/// it: a list where the type has an object, a JSON number where it has text (an exact decimal).
fn off_document(sent: &Value, parsed: &Value, path: &str) -> Option<(String, &'static str)> {
    match (sent, parsed) {
        (Value::Array(_), Value::Object(_)) => {
            Some((path.to_owned(), "Write this as an object with named fields, not as a list."))
        }
        (Value::Number(_), Value::String(_)) => {
            Some((path.to_owned(), "Write this number as a string, e.g. \"7.20\", so that no digit is lost."))
        }
        (Value::Array(sent), Value::Array(parsed)) => {
            sent.iter().zip(parsed).enumerate().find_map(|(i, (s, p))| off_document(s, p, &format!("{path}[{i}]")))
        }
        (Value::Object(sent), Value::Object(parsed)) => sent.iter().find_map(|(key, s)| {
            let p = parsed.get(key)?;
            off_document(s, p, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })
        }),
        _ => None,
    }
}

/// The path (`a.b[2]`) of the first string in `value` containing U+0000, if any.
fn nul_in(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then(|| path.to_owned()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(path.to_owned());
            }
            nul_in(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") })
        }),
        _ => None,
    }
}

/// Path parameters, with rejections in the API's error shape.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Decoded parameters by name, so that the error names the one at fault; undecodable ones are left to `Path`.
        if let Ok(raw) = axum::extract::RawPathParams::from_request_parts(parts, state).await
            && let Some((name, _)) = raw.iter().find(|(_, value)| value.contains('\0'))
        {
            return Err(ApiError::invalid(name, NUL_MESSAGE).into());
        }
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(value))
    }
}

/// Query parameters, with rejections in the API's error shape, naming the parameter at fault.
pub struct ApiQuery<T>(pub T);

impl<T> std::ops::Deref for ApiQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        if let Some(pair) = query.split('&').find(|pair| contains_encoded_nul(pair)) {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            return Err(ApiError::invalid(name, NUL_MESSAGE).into());
        }
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
    }
}

fn contains_encoded_nul(text: &str) -> bool {
    text.contains("%00")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_nul_characters_by_field_path() {
        assert_eq!(nul_in(&json!({"a": "fine", "b": ["x", "y\u{0}"]}), ""), Some("b[1]".into()));
        assert_eq!(nul_in(&json!({"terms": {"title": "\u{0}"}}), ""), Some("terms.title".into()));
        assert_eq!(nul_in(&json!({"a": "fine", "n": 5, "z": null}), ""), None);
        assert_eq!(nul_in(&json!("\u{0}"), ""), Some(String::new()));
    }

    #[test]
    fn bodies_shaped_otherwise_than_documented_are_named() {
        let parsed = json!({"nor": {"low": "1", "high": "2"}, "rows": [{"setpoint": "37.0"}], "n": 3, "t": "x"});
        let same = json!({"nor": {"low": "1", "high": "2"}, "rows": [{"setpoint": "37.0"}], "n": 3, "t": "x", "x": 1});
        assert_eq!(off_document(&same, &parsed, ""), None, "unknown fields are not this check's business");
        let list = json!({"nor": ["1", "2"], "rows": [], "n": 3});
        assert_eq!(off_document(&list, &parsed, "").map(|f| f.0), Some("nor".into()));
        let integer = json!({"rows": [{"setpoint": 37}]});
        assert_eq!(off_document(&integer, &parsed, "").map(|f| f.0), Some("rows[0].setpoint".into()));
        assert_eq!(off_document(&json!([1, 2]), &json!({"a": 1}), "").map(|f| f.0), Some(String::new()));
    }

    #[test]
    fn json_content_types_are_those_axum_accepts() {
        let headers = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static(value));
            h
        };
        for ok in
            ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/problem+json"]
        {
            assert!(is_json(&headers(ok)), "{ok}");
        }
        for bad in ["text/plain", "application/jsonx", "text/json", "json", ""] {
            assert!(!is_json(&headers(bad)), "{bad}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn encoded_nul_is_spotted_in_paths_and_queries() {
        assert!(contains_encoded_nul("/transfers/%00"));
        assert!(contains_encoded_nul("record_id=a%00b"));
        assert!(!contains_encoded_nul("record_id=a%2500b"), "an encoded percent sign followed by 00");
        assert!(!contains_encoded_nul("/transfers/00000003-0000-4000-8000-000000000001"));
    }
}
