//! How long browsers may keep the front end's files: forever for the files Trunk names after their content
//! hash (a new build gets new names), never without revalidating for everything else, above all `index.html`,
//! which names the current hashed files.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For content-hashed files: a year, and no revalidation even on reload.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For `index.html`, the SPA fallback and unhashed files: use only after revalidating (ETag / Last-Modified).
pub const REVALIDATE: &str = "no-cache";

/// Whether a file name carries Trunk's content hash: `<stem>-<hash>.<ext>` or `<stem>-<hash>_bg.wasm`, the hash
/// being a 64-bit seahash in lowercase hex without leading zeros. At least 8 digits are required so that a
/// name such as `icon-add.svg` is not taken for hashed; a real hash is that short once in 4 billion builds.
pub fn is_content_hashed(file_name: &str) -> bool {
    let Some((stem, _extension)) = file_name.rsplit_once('.') else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_name, hash)) = stem.rsplit_once('-') else { return false };
    (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The Cache-Control for a front-end response to a request for `path`.
pub fn for_front_end(path: &str, response: &Response) -> HeaderValue {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A missing hashed file gets the SPA's index.html (text/html): that must never be kept under the hashed name.
    let served_the_file = (response.status().is_success() || response.status().as_u16() == 304) && !is_html;
    let file_name = path.rsplit('/').next().unwrap_or_default();
    HeaderValue::from_static(if served_the_file && is_content_hashed(file_name) { IMMUTABLE } else { REVALIDATE })
}

/// Middleware for the front-end router: sets Cache-Control, and `Vary: Accept-Encoding` because the precompressed
/// copies make the body depend on that header (tower-http's ServeDir does not say so itself).
pub async fn front_end_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let cache_control = for_front_end(&path, &response);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        for name in [
            "baton-app-6f1c0a9b2d4e8f17_bg.wasm",
            "baton-app-6f1c0a9b2d4e8f17.js",
            "baton-7a0c52e1d3b4f6a8.css",
            "baton-app-f1c0a9b2d4e8f17_bg.wasm",
        ] {
            assert!(is_content_hashed(name), "{name}");
        }
        for name in [
            "index.html",
            "favicon.svg",
            "icon-add.svg",
            "baton-app_bg.wasm",
            "baton-app-6F1C0A9B2D4E8F17.js",
            "baton-app-6f1c0a9b2d4e8f17aa.js",
            "baton-app-6f1c0a9g.js",
            "6f1c0a9b2d4e8f17",
        ] {
            assert!(!is_content_hashed(name), "{name}");
        }
    }

    fn response(status: StatusCode, content_type: &str) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).expect("ascii"));
        response
    }

    #[test]
    fn only_a_served_hashed_file_is_immutable() {
        let wasm = "/baton-app-6f1c0a9b2d4e8f17_bg.wasm";
        assert_eq!(for_front_end(wasm, &response(StatusCode::OK, "application/wasm")), IMMUTABLE);
        assert_eq!(for_front_end(wasm, &response(StatusCode::NOT_MODIFIED, "application/wasm")), IMMUTABLE);
        assert_eq!(for_front_end(wasm, &response(StatusCode::OK, "text/html")), REVALIDATE, "SPA fallback");
        assert_eq!(for_front_end(wasm, &response(StatusCode::NOT_FOUND, "text/plain")), REVALIDATE);
        assert_eq!(for_front_end("/", &response(StatusCode::OK, "text/html")), REVALIDATE);
        assert_eq!(for_front_end("/favicon.svg", &response(StatusCode::OK, "image/svg+xml")), REVALIDATE);
    }
}
