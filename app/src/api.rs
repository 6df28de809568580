//! Typed calls to the server's JSON API; the only place the app does HTTP.

use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::session::{CSRF_HEADER, LoginRequest, SessionInfo};
use baton_domain::transfer::{TransferDetail, TransferList};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

const BASE: &str = "/api/v1";

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
    response.json::<T>().await.map_err(|e| Failure::Network(format!("The server's answer could not be read: {e}")))
}

/// The current session, or `None` when nobody is logged in.
pub async fn current_session() -> Result<Option<SessionInfo>, Failure> {
    let response = Request::get(&format!("{BASE}/session")).send().await.map_err(unreachable)?;
    if response.status() == 401 {
        return Ok(None);
    }
    read(response).await.map(Some)
}

/// Logs in.
pub async fn login(credentials: &LoginRequest) -> Result<SessionInfo, Failure> {
    let request = Request::post(&format!("{BASE}/session"))
        .json(credentials)
        .map_err(|e| Failure::Network(format!("The request could not be built: {e}")))?;
    read(request.send().await.map_err(unreachable)?).await
}

/// Logs out; an already-ended session counts as success.
pub async fn logout(csrf_token: &str) -> Result<(), Failure> {
    let response = Request::delete(&format!("{BASE}/session"))
        .header(CSRF_HEADER, csrf_token)
        .send()
        .await
        .map_err(unreachable)?;
    if response.ok() || response.status() == 401 { Ok(()) } else { Err(error_of(response).await) }
}

/// The transfers the user's organisation takes part in.
pub async fn transfers() -> Result<TransferList, Failure> {
    read(Request::get(&format!("{BASE}/transfers")).send().await.map_err(unreachable)?).await
}

/// One transfer, by the id in its deep link.
pub async fn transfer(id: &str) -> Result<TransferDetail, Failure> {
    let id = String::from(js_sys::encode_uri_component(id));
    read(Request::get(&format!("{BASE}/transfers/{id}")).send().await.map_err(unreachable)?).await
}
