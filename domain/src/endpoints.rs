//! Every operation of the JSON API, defined once: method, path template, what the client sends and what it gets
//! back. The app's client calls through these definitions, and a server test checks that they and the routes in
//! the OpenAPI document are the same set, with the same request and response types.

use crate::agreement::{
    AgreementChange, AgreementList, AgreementTerms, AgreementView, AmendRequest, PartnerList, RevokeRequest,
};
use crate::audit::AuditEntry;
use crate::audit_trail::{AuditActor, AuditPage, AuditQuery};
use crate::quality::{QualityAgreement, QualityAgreementDraft};
use crate::session::{LoginRequest, SessionInfo};
use crate::signature::SignRequest;
use crate::transfer::{TransferDetail, TransferList};
use crate::url_encoding::{self, TargetError, placeholders};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where the API is mounted; endpoint paths are relative to it.
pub const BASE: &str = "/api/v1";

/// An HTTP method the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// Reads; never changes anything.
    Get,
    /// Creates or acts.
    Post,
    /// Replaces.
    Put,
    /// Ends (a session).
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// True when the request is sent as a JSON body; otherwise it is sent as the query string.
    pub const fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// One operation of the API.
pub trait Endpoint {
    /// Its method.
    const METHOD: Method;
    /// Its path under [`BASE`], with `{name}` for each path parameter.
    const PATH: &'static str;
    /// The path parameters, in the template's order.
    type Params<'a>: AsRef<[&'a str]>;
    /// The JSON body (for POST and PUT) or the query (otherwise); `()` when there is none.
    type Request: Serialize + DeserializeOwned;
    /// The success response's body; `()` when there is none.
    type Response: Serialize + DeserializeOwned;
}

/// The request target (path and query, under [`BASE`]) for `E` with these parameters and request.
pub fn target<E: Endpoint>(params: E::Params<'_>, request: &E::Request) -> Result<String, TargetError> {
    let path = url_encoding::fill(E::PATH, params.as_ref())?;
    if E::METHOD.has_body() {
        return Ok(path);
    }
    let query = url_encoding::query(request)?;
    Ok(if query.is_empty() { path } else { format!("{path}?{query}") })
}

/// An endpoint described as data, for comparing the definitions with the server's routes.
#[derive(Clone, Copy, Debug)]
pub struct Description {
    /// The endpoint type's name.
    pub name: &'static str,
    /// Its method.
    pub method: Method,
    /// Its path template.
    pub path: &'static str,
    /// The Rust type name of its request (`std::any::type_name`).
    pub request: fn() -> &'static str,
    /// The Rust type name of its response.
    pub response: fn() -> &'static str,
}

impl Description {
    const fn of<E: Endpoint>(name: &'static str) -> Description {
        Description {
            name,
            method: E::METHOD,
            path: E::PATH,
            request: std::any::type_name::<E::Request>,
            response: std::any::type_name::<E::Response>,
        }
    }
}

macro_rules! endpoints {
    ($($(#[$doc:meta])* $name:ident: $method:ident $path:literal, $request:ty => $response:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name;

            impl Endpoint for $name {
                const METHOD: Method = Method::$method;
                const PATH: &'static str = $path;
                type Params<'a> = [&'a str; placeholders($path)];
                type Request = $request;
                type Response = $response;
            }
        )*

        /// Every endpoint of the API.
        pub const ALL: &[Description] = &[$(Description::of::<$name>(stringify!($name))),*];
    };
}

endpoints! {
    /// Who is logged in (401 when nobody is).
    GetSession: Get "/session", () => SessionInfo;
    /// Logs in.
    Login: Post "/session", LoginRequest => SessionInfo;
    /// Logs out.
    Logout: Delete "/session", () => ();
    /// The transfers the caller's organisation takes part in.
    ListTransfers: Get "/transfers", () => TransferList;
    /// One transfer.
    GetTransfer: Get "/transfers/{id}", () => TransferDetail;
    /// The caller's partner organisations.
    ListPartners: Get "/partners", () => PartnerList;
    /// The agreements the caller's organisation is party to.
    ListAgreements: Get "/agreements", () => AgreementList;
    /// Drafts an agreement.
    CreateAgreement: Post "/agreements", AgreementTerms => AgreementView;
    /// One agreement.
    GetAgreement: Get "/agreements/{id}", () => AgreementView;
    /// Changes a draft agreement's terms.
    ChangeAgreement: Put "/agreements/{id}", AgreementChange => AgreementView;
    /// Approves an agreement's terms.
    SignAgreement: Post "/agreements/{id}/signatures", SignRequest => AgreementView;
    /// Revokes an agreement.
    RevokeAgreement: Post "/agreements/{id}/revocation", RevokeRequest => AgreementView;
    /// Starts an amendment of an agreement in force.
    AmendAgreement: Post "/agreements/{id}/amendments", AmendRequest => AgreementView;
    /// A partnership's quality agreement, every version.
    GetQualityAgreement: Get "/partnerships/{id}/quality-agreement", () => QualityAgreement;
    /// Proposes a new version of a partnership's quality agreement.
    ProposeQualityAgreement: Post "/partnerships/{id}/quality-agreement", QualityAgreementDraft => QualityAgreement;
    /// QA approval of one version of a quality agreement.
    SignQualityAgreement: Post "/quality-agreements/{id}/signatures", SignRequest => QualityAgreement;
    /// A page of the organisation's audit trail.
    ListAudit: Get "/audit", AuditQuery => AuditPage;
    /// The same entries as CSV text.
    ExportAudit: Get "/audit/export.csv", AuditQuery => String;
    /// The people in the organisation's audit trail.
    ListAuditActors: Get "/audit/actors", () => Vec<AuditActor>;
    /// One record's history (record type, then id), oldest first.
    GetHistory: Get "/history/{record_type}/{id}", () => Vec<AuditEntry>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn each_operation_is_defined_once() {
        let operations: BTreeSet<_> = ALL.iter().map(|d| (d.method, d.path)).collect();
        assert_eq!(operations.len(), ALL.len());
        let names: BTreeSet<_> = ALL.iter().map(|d| d.name).collect();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn targets_encode_parameters_and_queries() {
        assert_eq!(target::<SignAgreement>(["a/b?c"], &sign()), Ok("/agreements/a%2Fb%3Fc/signatures".into()));
        assert_eq!(target::<GetHistory>(["agreement", "x#y"], &()), Ok("/history/agreement/x%23y".into()));
        assert_eq!(target::<ListTransfers>([], &()), Ok("/transfers".into()));
        assert_eq!(target::<GetTransfer>([".."], &()), Err(TargetError::Segment("id")));
        let query = AuditQuery { record_id: Some("a&b".into()), limit: Some(5), ..AuditQuery::default() };
        assert_eq!(target::<ListAudit>([], &query), Ok("/audit?limit=5&record_id=a%26b".into()));
        assert_eq!(target::<ListAudit>([], &AuditQuery::default()), Ok("/audit".into()));
    }

    fn sign() -> SignRequest {
        SignRequest { password: "p".into(), meaning: crate::signature::Meaning::Approved, content_hash: "h".into() }
    }

    #[test]
    fn body_requests_ignore_the_query() {
        assert!(Method::Post.has_body() && Method::Put.has_body());
        assert!(!Method::Get.has_body() && !Method::Delete.has_body());
        assert_eq!(Logout::METHOD.as_str(), "DELETE");
    }
}
