//! Errors as the API returns them: a status and the shared JSON body, never a panic or a bare 500 for bad input.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A client error, reported as is.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A server failure; logged, and reported without details.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A client error not tied to one field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Api(ApiError::new(code, message))
    }

    /// The error for a request without a valid session.
    pub fn unauthenticated() -> Self {
        AppError::new(ErrorCode::Unauthenticated, "You are not logged in, or your session has ended. Log in again.")
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let error = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON (Content-Type: application/json).",
            ),
            _ => match &rejection {
                JsonRejection::JsonDataError(e) => ApiError::invalid(field_of(&e.body_text()), e.body_text()),
                _ => ApiError {
                    code: ErrorCode::MalformedRequest,
                    message: format!("The body is not valid JSON: {}", rejection.body_text()),
                    field: Some("body".into()),
                    problems: Vec::new(),
                },
            },
        };
        AppError::Api(error)
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::Api(ApiError::invalid("path", rejection.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        // "Failed to deserialize query string: limit: invalid digit found in string" names the parameter.
        let message = rejection.body_text();
        let field = message
            .split_once("query string: ")
            .and_then(|(_, rest)| rest.split_once(": "))
            .map(|(name, _)| name)
            .filter(|name| !name.is_empty() && !name.contains(' '))
            .unwrap_or("query")
            .to_owned();
        AppError::Api(ApiError::invalid(field, message))
    }
}

/// Pulls the offending field's name out of serde's message ("missing field `email`", "…type: password: invalid type").
pub(crate) fn field_of(message: &str) -> String {
    // serde_path_to_error puts the path to the value at fault first ("scope.transfers: …"), when it is not the root.
    let path = message
        .split_once("target type: ")
        .or_else(|| message.split_once("as JSON: "))
        .and_then(|(_, rest)| rest.split_once(": "))
        .map(|(path, _)| path)
        .filter(|path| !path.is_empty() && !path.contains(' '));
    if let Some((_, rest)) = message.split_once("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        // A missing field is named inside the object that lacks it.
        return path.map_or_else(|| field.to_owned(), |path| format!("{path}.{field}"));
    }
    path.map_or_else(|| "body".to_owned(), str::to_owned)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = match self {
            AppError::Api(e) => e,
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                ApiError::new(ErrorCode::Internal, "Something went wrong on the server. Try again in a moment.")
            }
        };
        let status = StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(ErrorBody { error })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_in_serde_messages() {
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: missing field `email` at line 1 column 2"
            ),
            "email"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: password: invalid type: integer `5`, expected a string at line 1 column 30"
            ),
            "password"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: email: invalid type: integer `5`, expected a string at line 1 column 10"
            ),
            "email"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: invalid type: integer `5`, expected struct LoginRequest at line 1 column 1"
            ),
            "body"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: scope.transfers: missing field `kind` at line 1 column 122"
            ),
            "scope.transfers.kind"
        );
        assert_eq!(
            field_of("Failed to parse the request body as JSON: rows[0].sponsor: expected value at line 1 column 55"),
            "rows[0].sponsor"
        );
        assert_eq!(field_of("something else entirely"), "body");
    }
}
