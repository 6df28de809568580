//! Cross-site request forgery protection for every state-changing request.
//!
//! Three layers: the session cookie is SameSite=Strict; a request that a browser marks as cross-site (or whose
//! Origin is not this host) is refused; and a signed-in session's requests must echo its token in `X-CSRF-Token`,
//! which another site cannot read or set.

use crate::auth::CSRF_KEY;
use crate::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use baton_domain::error::ErrorCode;
use baton_domain::session::CSRF_HEADER;
use tower_sessions::Session;

fn rejected(message: &str) -> Response {
    AppError::new(ErrorCode::CsrfRejected, message).into_response()
}

/// True when the browser says the request came from another site.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin_host != host
}

/// Refuses unsafe requests that fail any of the checks above.
pub async fn protect(session: Session, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if is_cross_site(request.headers()) {
        return rejected("Requests from other sites are not accepted.");
    }
    let expected: Option<String> = session.get(CSRF_KEY).await.ok().flatten();
    if let Some(expected) = expected {
        let sent = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if sent != Some(expected.as_str()) {
            return rejected("The request's anti-forgery token is missing or stale. Reload the page and try again.");
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_and_headerless_requests_pass() {
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
    }

    #[test]
    fn foreign_origins_are_cross_site() {
        assert!(is_cross_site(&headers(&[("host", "127.0.0.1:8080"), ("origin", "https://evil.example")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("host", "baton.example"), ("origin", "null")])));
    }
}
