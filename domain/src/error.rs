//! The one error shape of the API: `{"error": {"code": "...", "message": "...", "field": "..."}}`.

use serde::{Deserialize, Serialize};

/// What went wrong, in a form a program can branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or a parameter breaks a rule; `field` names it.
    InvalidInput,
    /// The body is not parseable JSON at all.
    MalformedRequest,
    /// No valid session: log in first.
    Unauthenticated,
    /// E-mail or password is wrong.
    InvalidCredentials,
    /// Too many failed attempts: wait before trying again.
    TooManyAttempts,
    /// Logged in, but the access rule refuses this.
    NoAccess,
    /// The state-changing request lacked a valid anti-forgery token or came from another site.
    CsrfRejected,
    /// No such record.
    NotFound,
    /// The record changed since it was read.
    Conflict,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// The server failed; the request may be retried.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this error.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput => 422,
            ErrorCode::MalformedRequest => 400,
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::NoAccess | ErrorCode::CsrfRejected => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Internal => 500,
        }
    }
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ApiError,
}

/// An error as the API reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct ApiError {
    /// Machine-readable kind.
    pub code: ErrorCode,
    /// A sentence for a person: what happened and what to do.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, where a request has several (an imported file's rows): each by line and column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// One problem of several, located by line (of an imported file) and column or field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The line, counting the header as line 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The column or field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// An error not tied to one field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), field: None, problems: Vec::new() }
    }

    /// Bad input in the named field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            field: Some(field.into()),
            problems: Vec::new(),
        }
    }

    /// Bad input with several problems, each located; `field` names the part of the request that holds them.
    pub fn problems(field: impl Into<String>, message: impl Into<String>, problems: Vec<Problem>) -> Self {
        ApiError { problems, ..ApiError::invalid(field, message) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody { error: ApiError::invalid("email", "Enter an e-mail address.") };
        let json = serde_json::to_value(&body).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "invalid_input", "message": "Enter an e-mail address.", "field": "email"}})
        );
        let without_field =
            serde_json::to_value(ErrorBody { error: ApiError::new(ErrorCode::NotFound, "x") }).expect("serialises");
        assert!(without_field["error"].get("field").is_none());
    }

    #[test]
    fn client_errors_are_4xx_and_only_internal_is_5xx() {
        let codes = [
            ErrorCode::InvalidInput,
            ErrorCode::MalformedRequest,
            ErrorCode::Unauthenticated,
            ErrorCode::InvalidCredentials,
            ErrorCode::TooManyAttempts,
            ErrorCode::NoAccess,
            ErrorCode::CsrfRejected,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
        ];
        for code in codes {
            assert!((400..500).contains(&code.http_status()), "{code:?}");
        }
        assert_eq!(ErrorCode::Internal.http_status(), 500);
    }
}
