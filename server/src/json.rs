//! Request extractors whose rejections use the API's JSON error shape instead of axum's plain text.
//!
//! They also refuse text containing U+0000: PostgreSQL cannot store it in `TEXT` (the query fails, which would be
//! a 500), and no Baton field has a use for it, so it is refused up front, on both databases alike, naming the field.

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use baton_domain::error::ApiError;
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
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        // Checked on the parsed value, not the bytes, so that fields serde ignores do not count and the error can
        // name the field; every request type serialises, and re-serialising a small body costs next to nothing.
        if let Some(field) = serde_json::to_value(&value).ok().as_ref().and_then(|v| nul_in(v, "")) {
            return Err(ApiError::invalid(if field.is_empty() { "body".to_owned() } else { field }, NUL_MESSAGE).into());
        }
        Ok(ApiJson(value))
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
        // A NUL can only arrive percent-encoded: a raw one is not a valid URI.
        if contains_encoded_nul(parts.uri.path()) {
            return Err(ApiError::invalid("path", NUL_MESSAGE).into());
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
    fn encoded_nul_is_spotted_in_paths_and_queries() {
        assert!(contains_encoded_nul("/transfers/%00"));
        assert!(contains_encoded_nul("record_id=a%00b"));
        assert!(!contains_encoded_nul("record_id=a%2500b"), "an encoded percent sign followed by 00");
        assert!(!contains_encoded_nul("/transfers/00000003-0000-4000-8000-000000000001"));
    }
}
