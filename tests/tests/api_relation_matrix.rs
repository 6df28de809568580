//! The access matrix for transfer data: every role of the CMO, under an agreement in each state the rule knows,
//! against every transfer-scoped operation in the OpenAPI document. Each cell asserts the status and that a refusal
//! leaks none of the transfer's protected fields. An operation on a transfer that the matrix does not know fails it.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const ROLES: [&str; 5] = ["admin", "lead", "qa", "operator", "viewer"];
/// Fields of the Velarimab drug product transfer that a refused caller must not see.
const PROTECTED: [&str; 4] = ["TT-2026-007", "Liquid in vial", "2027-10-29", "Helix Basel Biologics"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    OwnOrganisation,
    NoAgreement,
    Draft,
    AwaitingSignatures,
    Scheduled,
    Active,
    Expired,
    Revoked,
    ActiveOtherProduct,
    ActiveOtherTransfer,
}

const RELATIONS: [Relation; 10] = [
    Relation::OwnOrganisation,
    Relation::NoAgreement,
    Relation::Draft,
    Relation::AwaitingSignatures,
    Relation::Scheduled,
    Relation::Active,
    Relation::Expired,
    Relation::Revoked,
    Relation::ActiveOtherProduct,
    Relation::ActiveOtherTransfer,
];

impl Relation {
    fn grants_read(self) -> bool {
        matches!(self, Relation::OwnOrganisation | Relation::Active)
    }
}

on_both_databases!(every_role_under_every_agreement_state_on_every_transfer_operation);

fn terms(relation: Relation) -> Value {
    let (product, transfer, from, until) = match relation {
        Relation::Scheduled => ("Velarimab drug product", VELARIMAB_DP, "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z"),
        Relation::Expired => ("Velarimab drug product", VELARIMAB_DP, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        Relation::ActiveOtherProduct => {
            ("Corvastatin 20 mg tablets", VELARIMAB_DP, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
        }
        Relation::ActiveOtherTransfer => {
            ("Velarimab drug product", VELARIMAB_DS, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
        }
        _ => ("Velarimab drug product", VELARIMAB_DP, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
    };
    json!({
        "title": format!("{relation:?}"), "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [product]}, "transfers": {"kind": "only", "items": [transfer]},
                  "data_classes": ["process_description"]},
        "permission": "view", "valid_from": from, "valid_until": until
    })
}

async fn arrange(server: &TestServer, relation: Relation) {
    if matches!(relation, Relation::OwnOrganisation | Relation::NoAgreement) {
        return;
    }
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let created = send(sponsor.request(Method::POST, "/agreements").json(&terms(relation))).await;
    assert_eq!(created.status, 201, "{relation:?}: {:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let signers: &[&ApiClient] = match relation {
        Relation::Draft => &[],
        Relation::AwaitingSignatures => &[&sponsor],
        _ => &[&sponsor, &cmo],
    };
    for signer in signers {
        let signed = signer.approve_agreement(&id, DEMO_PASSWORD).await;
        assert_eq!(signed.status, 200, "{relation:?}: {:?}", signed.body);
    }
    if relation == Relation::Revoked {
        let revoked = sponsor.revoke_agreement(&id, "matrix").await;
        assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    }
    let state = sponsor.get(&format!("/agreements/{id}")).await.body["state"].clone();
    let expected = match relation {
        Relation::Draft => "draft",
        Relation::AwaitingSignatures => "awaiting_signatures",
        Relation::Scheduled => "scheduled",
        Relation::Expired => "expired",
        Relation::Revoked => "revoked",
        _ => "active",
    };
    assert_eq!(state, expected, "{relation:?}");
}

/// The transfer-scoped operations and how to call them for the DP transfer.
fn transfer_operations(doc: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            let call = match (method.as_str(), path.as_str()) {
                ("get", "/transfers") => "/transfers".to_owned(),
                ("get", "/transfers/{id}") => format!("/transfers/{VELARIMAB_DP}"),
                ("get", "/history/{record_type}/{id}") => format!("/history/transfer/{VELARIMAB_DP}"),
                (_, p) if p.starts_with("/transfers") => {
                    panic!("{method} {path} touches transfers but is not in the matrix")
                }
                _ => continue,
            };
            operations.push((path.clone(), call));
        }
    }
    operations
}

fn check(relation: Relation, who: &str, operation: &str, reply: &Reply) {
    let cell = format!("{relation:?} × {who} × {operation}");
    let text = reply.body.to_string();
    if operation == "/transfers" {
        assert_eq!(reply.status, 200, "{cell}");
        let listed = reply.body["items"].as_array().expect("items").iter().any(|t| t["id"] == VELARIMAB_DP);
        assert_eq!(listed, relation.grants_read(), "{cell}: {text}");
    } else if relation.grants_read() {
        assert_eq!(reply.status, 200, "{cell}: {text}");
    } else {
        assert_eq!(reply.status, 403, "{cell}: {text}");
        assert_eq!(reply.error_code(), "no_access", "{cell}");
    }
    if !relation.grants_read() {
        for field in PROTECTED {
            assert!(!text.contains(field), "{cell} leaks {field:?}: {text}");
        }
    }
}

async fn every_role_under_every_agreement_state_on_every_transfer_operation(db: Backend) {
    let mut cells = 0;
    for relation in RELATIONS {
        let server = TestServer::start(db).await;
        arrange(&server, relation).await;
        let org = if relation == Relation::OwnOrganisation { "helix" } else { "norvia" };
        let doc = ApiClient::new(&server.base_url).get("/openapi.json").await.body;
        let operations = transfer_operations(&doc);
        assert_eq!(operations.len(), 3, "{operations:?}");
        for role in ROLES {
            let who = format!("{role}@{org}.example");
            let client = ApiClient::logged_in(&server.base_url, &who).await;
            for (_, call) in &operations {
                check(relation, &who, call, &client.get(call).await);
                cells += 1;
            }
        }
    }
    assert_eq!(cells, RELATIONS.len() * ROLES.len() * 3);
}
