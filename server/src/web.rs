//! Serving the built front end: Trunk's `dist/` with an `index.html` fallback so that every deep link loads the
//! app, under a Content-Security-Policy derived from that `index.html`. Files are sent as the `.br` / `.gz` copies
//! `baton precompress` wrote beside them when the client accepts that encoding, with the cache lifetimes of
//! [`crate::cache_control`].

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tower_http::services::{ServeDir, ServeFile};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "baton_session";

/// The Content-Security-Policy for the built front end, recomputed when `index.html` changes, so a rebuilt front
/// end under a running server keeps working.
#[derive(Clone, Debug)]
pub struct CspSource {
    index: PathBuf,
    cached: Arc<Mutex<(Option<SystemTime>, HeaderValue)>>,
}

impl CspSource {
    /// A source reading `dist/index.html`.
    pub fn new(dist: &Path) -> Self {
        let source = CspSource { index: dist.join("index.html"), cached: Arc::new(Mutex::new((None, fallback_csp()))) };
        source.current();
        source
    }

    /// The policy for the `index.html` on disk now.
    pub fn current(&self) -> HeaderValue {
        let modified = std::fs::metadata(&self.index).and_then(|m| m.modified()).ok();
        let Ok(mut cached) = self.cached.lock() else { return fallback_csp() };
        if cached.0 != modified || modified.is_none() {
            let html = std::fs::read_to_string(&self.index).unwrap_or_default();
            let policy = HeaderValue::from_str(&content_security_policy(&html)).unwrap_or_else(|_| fallback_csp());
            *cached = (modified, policy);
        }
        cached.1.clone()
    }
}

fn fallback_csp() -> HeaderValue {
    HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
}

/// A router serving the front end from `dist`.
pub fn front_end(dist: &Path) -> Router {
    let index = dist.join("index.html");
    match std::fs::metadata(&index) {
        Ok(_) => {
            let index = ServeFile::new(index).precompressed_br().precompressed_gzip();
            let service = ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(true)
                .fallback(index);
            Router::new()
                .fallback_service(service)
                .layer(axum::middleware::from_fn(crate::cache_control::front_end_headers))
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
            Router::new().fallback(missing)
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
    fn the_policy_follows_a_rebuilt_index() {
        let dir = std::env::temp_dir().join(format!("baton-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("index.html"), "<script>one()</script>").expect("write");
        let source = CspSource::new(&dir);
        let first = source.current();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("index.html"), "<script>two()</script>").expect("write");
        let filetime_moved = std::fs::metadata(dir.join("index.html")).and_then(|m| m.modified()).is_ok();
        let second = source.current();
        assert!(filetime_moved);
        assert_ne!(first, second, "a new inline script gets a new hash");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn without_inline_scripts_the_policy_has_no_hashes() {
        assert!(!content_security_policy("<p>no scripts</p>").contains("sha256"));
    }
}
