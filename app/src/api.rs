//! Typed calls to the server's JSON API; the only place the app does HTTP.
//!
//! Every call names an endpoint of `baton_domain::endpoints`, which the server's routes are tested against, so no
//! path is written here and a parameter cannot escape its segment. State-changing calls carry the current session's
//! anti-forgery token, taken from the session context: pages and components never handle it.

use crate::auth;
use crate::upload::{self, Progress};
use baton_domain::document::DocumentView;
use baton_domain::endpoints::{self, BASE, Endpoint, GetSession, Logout, Method, UploadDocumentVersion};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::live::TAB_HEADER;
use baton_domain::session::{CSRF_HEADER, SessionInfo};
use baton_domain::url_encoding::TargetError;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

/// Why a call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The server refused, and said why.
    Api(ApiError),
    /// The server could not be reached, or its answer could not be read.
    Network(String),
}

impl Failure {
    /// The API's error code, if the server answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Failure::Api(e) => Some(e.code),
            Failure::Network(_) => None,
        }
    }

    /// A sentence for the user.
    pub fn message(&self) -> String {
        match self {
            Failure::Api(e) => e.message.clone(),
            Failure::Network(m) => m.clone(),
        }
    }

    /// True when the server answered 401: nobody is logged in, or a password was wrong.
    fn is_unauthenticated(&self) -> bool {
        self.code().is_some_and(|code| code.http_status() == 401)
    }
}

impl From<TargetError> for Failure {
    fn from(error: TargetError) -> Self {
        match error {
            // What the server says of a parameter it cannot parse, and the pages treat like it: no such record.
            TargetError::Segment(param) => {
                Failure::Api(ApiError::invalid(param, format!("That is not a valid {param}.")))
            }
            TargetError::Query(_) => Failure::Network(format!("The request could not be built: {error}")),
        }
    }
}

fn unreachable(_: gloo_net::Error) -> Failure {
    Failure::Network("Baton's server could not be reached. Check the connection and try again.".into())
}

async fn error_of(response: Response) -> Failure {
    match response.json::<ErrorBody>().await {
        Ok(body) => Failure::Api(body.error),
        Err(_) => Failure::Api(ApiError::new(
            ErrorCode::Internal,
            format!("The server answered with status {}. Try again in a moment.", response.status()),
        )),
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let unreadable =
        |e: &dyn std::fmt::Display| Failure::Network(format!("The server's answer could not be read: {e}"));
    if response.status() == 204 {
        // No content: only a `()` response reads from nothing.
        return serde_json::from_value(serde_json::Value::Null).map_err(|e| unreadable(&e));
    }
    response.json::<T>().await.map_err(|e| unreadable(&e))
}

/// The URL of `E` with these path parameters and query, for links the browser follows itself (downloads).
pub fn href<E: Endpoint>(params: E::Params<'_>, request: &E::Request) -> Result<String, Failure> {
    Ok(format!("{BASE}{}", endpoints::target::<E>(params, request)?))
}

/// Calls `E` with its path parameters (in the template's order) and its request: a JSON body for POST and PUT, the
/// query string otherwise.
pub async fn call<E: Endpoint>(params: E::Params<'_>, request: &E::Request) -> Result<E::Response, Failure> {
    let url = href::<E>(params, request)?;
    let builder = match E::METHOD {
        Method::Get => return read(Request::get(&url).send().await.map_err(unreachable)?).await,
        Method::Post => Request::post(&url),
        Method::Put => Request::put(&url),
        Method::Delete => Request::delete(&url),
    };
    let builder = with_csrf_token(builder);
    let response = if E::METHOD.has_body() {
        let request =
            builder.json(request).map_err(|e| Failure::Network(format!("The request could not be built: {e}")))?;
        request.send().await
    } else {
        builder.send().await
    };
    read(response.map_err(unreachable)?).await
}

/// Adds the session's anti-forgery token, which the server requires on every state-changing request of a session,
/// and the tab's id, by which the changes the request makes are known as this tab's own.
fn with_csrf_token(builder: RequestBuilder) -> RequestBuilder {
    let builder = builder.header(TAB_HEADER, &tab());
    match auth::csrf_token() {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

thread_local! {
    /// This tab's id, drawn when the app starts: each tab (and each reload) is its own.
    static TAB: String = format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64);
}

/// This browser tab's id, sent with every change it makes.
pub fn tab() -> String {
    TAB.with(Clone::clone)
}

/// The current session, or `None` when nobody is logged in.
pub async fn current_session() -> Result<Option<SessionInfo>, Failure> {
    match call::<GetSession>([], &()).await {
        Ok(info) => Ok(Some(info)),
        Err(failure) if failure.is_unauthenticated() => Ok(None),
        Err(failure) => Err(failure),
    }
}

/// Logs out; an already-ended session counts as success.
pub async fn logout() -> Result<(), Failure> {
    match call::<Logout>([], &()).await {
        Err(failure) if !failure.is_unauthenticated() => Err(failure),
        _ => Ok(()),
    }
}

/// Uploads `file` as a new version of document `id`, calling `on_progress` as its bytes go up. The body is the file
/// itself, which the browser streams; its type and name travel in headers.
pub async fn upload_version(
    id: &str,
    file: &web_sys::File,
    on_progress: impl Fn(Progress) + 'static,
) -> Result<DocumentView, Failure> {
    let url = href::<UploadDocumentVersion>([id], &String::new())?;
    upload::post_file(&url, file, on_progress).await
}
