//! Typed calls to the server's JSON API; the only place the app does HTTP.

use baton_domain::agreement::{
    AgreementChange, AgreementList, AgreementTerms, AgreementView, AmendRequest, PartnerList, RevokeRequest,
};
use baton_domain::audit::AuditEntry;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::quality::{QualityAgreement, QualityAgreementDraft};
use baton_domain::record::RecordType;
use baton_domain::session::{CSRF_HEADER, LoginRequest, SessionInfo};
use baton_domain::signature::SignRequest;
use baton_domain::transfer::{TransferDetail, TransferList};
use gloo_net::http::{Request, Response};
use serde::Serialize;
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

async fn send_json<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    csrf_token: &str,
    body: &B,
) -> Result<T, Failure> {
    let url = format!("{BASE}{path}");
    let builder = match method {
        "PUT" => Request::put(&url),
        _ => Request::post(&url),
    };
    let request = builder
        .header(CSRF_HEADER, csrf_token)
        .json(body)
        .map_err(|e| Failure::Network(format!("The request could not be built: {e}")))?;
    read(request.send().await.map_err(unreachable)?).await
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    read(Request::get(&format!("{BASE}{path}")).send().await.map_err(unreachable)?).await
}

/// The user's partner organisations.
pub async fn partners() -> Result<PartnerList, Failure> {
    get("/partners").await
}

/// The agreements the user's organisation is party to.
pub async fn agreements() -> Result<AgreementList, Failure> {
    get("/agreements").await
}

/// One agreement.
pub async fn agreement(id: &str) -> Result<AgreementView, Failure> {
    get(&format!("/agreements/{}", String::from(js_sys::encode_uri_component(id)))).await
}

/// Drafts an agreement.
pub async fn create_agreement(csrf_token: &str, terms: &AgreementTerms) -> Result<AgreementView, Failure> {
    send_json("POST", "/agreements", csrf_token, terms).await
}

/// Approves an agreement's terms.
pub async fn sign_agreement(csrf_token: &str, id: &str, request: &SignRequest) -> Result<AgreementView, Failure> {
    send_json("POST", &format!("/agreements/{id}/signatures"), csrf_token, request).await
}

/// Revokes an agreement.
pub async fn revoke_agreement(csrf_token: &str, id: &str, request: &RevokeRequest) -> Result<AgreementView, Failure> {
    send_json("POST", &format!("/agreements/{id}/revocation"), csrf_token, request).await
}

/// A record's history.
pub async fn history(record_type: RecordType, id: &str) -> Result<Vec<AuditEntry>, Failure> {
    get(&format!("/history/{}/{id}", record_type.as_str())).await
}

/// A page of the audit trail; `query` is the URL query string (without `?`).
pub async fn audit(query: &str) -> Result<AuditPage, Failure> {
    get(&format!("/audit?{query}")).await
}

/// A page of the audit trail.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// For the next page.
    pub next_before_seq: Option<i64>,
}

/// A partnership's quality agreement.
pub async fn quality_agreement(partnership: &str) -> Result<QualityAgreement, Failure> {
    get(&format!("/partnerships/{}/quality-agreement", String::from(js_sys::encode_uri_component(partnership)))).await
}

/// Proposes a new version of a quality agreement.
pub async fn propose_quality_agreement(
    csrf_token: &str,
    partnership: &str,
    draft: &QualityAgreementDraft,
) -> Result<QualityAgreement, Failure> {
    send_json("POST", &format!("/partnerships/{partnership}/quality-agreement"), csrf_token, draft).await
}

/// QA approval of one version.
pub async fn sign_quality_agreement(
    csrf_token: &str,
    version: &str,
    request: &SignRequest,
) -> Result<QualityAgreement, Failure> {
    send_json("POST", &format!("/quality-agreements/{version}/signatures"), csrf_token, request).await
}

/// Changes a draft agreement's terms.
pub async fn change_agreement(csrf_token: &str, id: &str, change: &AgreementChange) -> Result<AgreementView, Failure> {
    send_json("PUT", &format!("/agreements/{id}"), csrf_token, change).await
}

/// Starts an amendment of an agreement in force.
pub async fn amend_agreement(csrf_token: &str, id: &str, request: &AmendRequest) -> Result<AgreementView, Failure> {
    send_json("POST", &format!("/agreements/{id}/amendments"), csrf_token, request).await
}

/// Someone who appears in the audit trail.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct AuditActor {
    /// Their user id.
    pub id: String,
    /// Their printed name.
    pub name: String,
}

/// The people in the organisation's audit trail.
pub async fn audit_actors() -> Result<Vec<AuditActor>, Failure> {
    get("/audit/actors").await
}
