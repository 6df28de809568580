//! Serving the built front end: Trunk's `dist/` with an `index.html` fallback so that every deep link loads the
//! app, under a Content-Security-Policy derived from that `index.html`.

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "baton_session";

/// A router serving the front end from `dist`, and the CSP its pages need.
pub fn front_end(dist: &Path) -> (Router, String) {
    let index = dist.join("index.html");
    match std::fs::read_to_string(&index) {
        Ok(html) => {
            let service = ServeDir::new(dist).append_index_html_on_directories(true).fallback(ServeFile::new(index));
            (Router::new().fallback_service(service), content_security_policy(&html))
        }
        Err(e) => {
            tracing::warn!(path = %index.display(), error = %e, "front end not built; serving the API only");
            let missing = || async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The Baton front end is not built. Run scripts/run.sh, or trunk build.",
                )
                    .into_response()
            };
            (Router::new().fallback(missing), content_security_policy(""))
        }
    }
}

/// A policy allowing only this origin, the WASM module, and the exact inline scripts Trunk wrote.
pub fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<head><script type="module">import init from '/app.js'; init();</script>
            <script src="/other.js"></script><script>x()</script></head>"#;
        let bodies: Vec<_> = inline_scripts(html).collect();
        assert_eq!(bodies, vec!["import init from '/app.js'; init();", "x()"]);
        let csp = content_security_policy(html);
        assert_eq!(csp.matches("'sha256-").count(), 2);
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn without_inline_scripts_the_policy_has_no_hashes() {
        assert!(!content_security_policy("<p>no scripts</p>").contains("sha256"));
    }
}
