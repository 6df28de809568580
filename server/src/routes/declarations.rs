//! What each API operation touches and does, declared beside the routes and published in the OpenAPI document as
//! the `x-baton-access` extension of every operation. The access matrices generate their cells from it, so a new
//! operation is tested for every role and relation as soon as it is declared, and an undeclared one fails.

use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::record::RecordType;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;

/// The OpenAPI extension that carries a [`Declared`].
pub const EXTENSION: &str = "x-baton-access";

/// An operation's access declaration.
#[derive(Clone, Debug, Serialize)]
pub struct Declared {
    /// The kind of record the path's `{id}` names, or that the operation lists or creates; `None` for operations on
    /// the caller's own session, and for `/history/{record_type}/{id}`, whose record type is in the path.
    pub record: Option<RecordType>,
    /// What the access rule is asked; `None` when no rule applies (logging in, the caller's own session).
    pub action: Option<Action>,
    /// The class of data it reads or writes, for operations on data inside a transfer.
    pub data_class: Option<DataClass>,
    /// It lists records (each filtered by the rule) rather than acting on the one named.
    pub list: bool,
    /// A request body that passes validation, for the matrices to send.
    pub example: Option<Value>,
}

const fn on(record: RecordType, action: Action) -> Declared {
    Declared { record: Some(record), action: Some(action), data_class: None, list: false, example: None }
}

const fn listing(record: RecordType) -> Declared {
    Declared { record: Some(record), action: Some(Action::Read), data_class: None, list: true, example: None }
}

fn with(declared: Declared, example: Value) -> Declared {
    Declared { example: Some(example), ..declared }
}

/// The declaration of `method` `path`, if there is one.
pub fn declaration(method: &str, path: &str) -> Option<Declared> {
    use RecordType as R;
    let terms = json!({
        "title": "Example", "grantee": "00000001-0000-4000-8000-000000000002",
        "scope": {"products": {"kind": "all"}, "transfers": {"kind": "all"}, "data_classes": ["process_description"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"
    });
    let signature = json!({"password": "baton-demo-2026", "meaning": "approved", "content_hash": "shown"});
    let session = Declared { record: Some(R::Session), action: None, data_class: None, list: false, example: None };
    Some(match (method, path) {
        ("get" | "delete", "/session") => session,
        ("post", "/session") => with(session, json!({"email": "someone@example.com", "password": "x"})),
        ("get", "/transfers") => listing(R::Transfer),
        ("get", "/transfers/{id}") => on(R::Transfer, Action::Read),
        ("get", "/partners") => listing(R::Partnership),
        ("get", "/agreements") => listing(R::Agreement),
        ("post", "/agreements") => with(on(R::Agreement, Action::DraftAgreement), terms),
        ("get", "/agreements/{id}") => on(R::Agreement, Action::Read),
        ("put", "/agreements/{id}") => with(
            on(R::Agreement, Action::DraftAgreement),
            json!({"terms": terms, "row_version": 1, "reason": "Example"}),
        ),
        ("post", "/agreements/{id}/signatures") => with(on(R::Agreement, Action::SignAgreement), signature),
        ("post", "/agreements/{id}/revocation") => with(
            on(R::Agreement, Action::RevokeAgreement),
            json!({"password": "baton-demo-2026", "reason": "Example", "row_version": 1}),
        ),
        ("post", "/agreements/{id}/amendments") => {
            with(on(R::Agreement, Action::DraftAgreement), json!({"reason": "Example", "row_version": 1}))
        }
        ("get", "/partnerships/{id}/quality-agreement") => on(R::Partnership, Action::Read),
        ("post", "/partnerships/{id}/quality-agreement") => with(
            on(R::Partnership, Action::DraftAgreement),
            json!({"rows": [{"activity": "Batch release", "sponsor": "A", "cmo": "R"}], "reason": "Example"}),
        ),
        ("post", "/quality-agreements/{id}/signatures") => {
            with(on(R::QualityAgreement, Action::SignAgreement), signature)
        }
        ("get", "/audit") | ("get", "/audit/actors") => listing(R::AuditTrail),
        ("get", "/audit/export.csv") => Declared { action: Some(Action::Download), ..listing(R::AuditTrail) },
        ("get", "/history/{record_type}/{id}") => {
            Declared { record: None, action: Some(Action::Read), data_class: None, list: false, example: None }
        }
        _ => return None,
    })
}

fn operations(doc: &mut OpenApi) -> impl Iterator<Item = (&'static str, &String, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.map(|op| (method, path, op)))
    })
}

/// Publishes every operation's declaration in `doc`; returns the operations that have none.
pub fn publish(doc: &mut OpenApi) -> Vec<String> {
    let mut undeclared = Vec::new();
    for (method, path, operation) in operations(doc) {
        match declaration(method, path) {
            Some(declared) => {
                let value = serde_json::to_value(&declared).unwrap_or(Value::Null);
                let extension = ExtensionsBuilder::new().add(EXTENSION, value).build();
                match operation.extensions.as_mut() {
                    Some(existing) => existing.merge(extension),
                    None => operation.extensions = Some(extension),
                }
            }
            None => undeclared.push(format!("{} {path}", method.to_uppercase())),
        }
    }
    undeclared
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_is_declared() {
        let (_, mut doc) = super::super::api();
        assert_eq!(super::publish(&mut doc), Vec::<String>::new(), "declare these in routes/declarations.rs");
        let operations = super::operations(&mut doc).count();
        let json = doc.to_json().unwrap_or_default();
        assert_eq!(json.matches(super::EXTENSION).count(), operations, "one declaration per operation");
        assert!(operations >= 20, "{operations}");
    }
}
