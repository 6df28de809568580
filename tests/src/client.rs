//! An HTTP client that behaves like the app: keeps the session cookie and sends the anti-forgery token.

use baton_domain::session::{CSRF_HEADER, LoginRequest, SessionInfo};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "baton-demo-2026";

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Value::Null` if empty; a JSON string holding the text if not JSON).
    pub body: Value,
}

impl Reply {
    /// The `error.code` of an API error body.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// The `error.field` of an API error body.
    pub fn error_field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or_default()
    }
}

/// Sends a request and reads the whole response; an event stream's, which never ends, is left unread (and closed).
pub async fn send(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let kind = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if kind.starts_with("text/event-stream") {
        return Reply { status, headers, body: Value::Null };
    }
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Reply { status, headers, body }
}

/// A client with its own cookie jar.
pub struct ApiClient {
    /// The underlying client, for requests the helpers do not cover.
    pub http: reqwest::Client,
    base_url: String,
    /// The anti-forgery token of the current session, if logged in.
    pub csrf_token: Option<String>,
}

impl ApiClient {
    /// A client for the server at `base_url`, not logged in.
    pub fn new(base_url: &str) -> ApiClient {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        ApiClient { http, base_url: base_url.to_owned(), csrf_token: None }
    }

    /// A client already logged in as `email` with the demo password.
    pub async fn logged_in(base_url: &str, email: &str) -> ApiClient {
        let mut client = ApiClient::new(base_url);
        let reply = client.login(email, DEMO_PASSWORD).await;
        assert_eq!(reply.status, 200, "demo login of {email} failed: {:?}", reply.body);
        client
    }

    /// Posts credentials; on success remembers the anti-forgery token.
    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        let body = LoginRequest { email: email.to_owned(), password: password.to_owned() };
        let reply = send(self.http.post(self.api("/session")).json(&body)).await;
        if reply.status == 200 {
            let info: SessionInfo = serde_json::from_value(reply.body.clone()).expect("a SessionInfo");
            self.csrf_token = Some(info.csrf_token);
        }
        reply
    }

    /// A request to `/api/v1{path}`, carrying the anti-forgery token if logged in.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self.http.request(method, self.api(path));
        match &self.csrf_token {
            Some(token) => builder.header(CSRF_HEADER, token),
            None => builder,
        }
    }

    /// `GET /api/v1{path}`.
    pub async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    /// The full URL of an API path.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base_url, path)
    }

    /// Approves agreement `id` with `password`, as the agreement reads now (its current content hash), the way the
    /// app's signing dialog does.
    pub async fn approve_agreement(&self, id: &str, password: &str) -> Reply {
        let shown = self.get(&format!("/agreements/{id}")).await;
        let hash = shown.body["content_hash"].as_str().unwrap_or_default().to_owned();
        let body = serde_json::json!({"password": password, "meaning": "approved", "content_hash": hash});
        send(self.request(Method::POST, &format!("/agreements/{id}/signatures")).json(&body)).await
    }

    /// Revokes agreement `id` with `reason`, as the agreement reads now (its current row version).
    pub async fn revoke_agreement(&self, id: &str, reason: &str) -> Reply {
        let shown = self.get(&format!("/agreements/{id}")).await;
        let body = serde_json::json!({
            "password": DEMO_PASSWORD, "reason": reason, "row_version": shown.body["row_version"].as_i64().unwrap_or(0)
        });
        send(self.request(Method::POST, &format!("/agreements/{id}/revocation")).json(&body)).await
    }
}
