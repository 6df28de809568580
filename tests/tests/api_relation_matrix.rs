//! The access matrix for data inside transfers, generated from the API's own declarations: every operation whose
//! `x-baton-access` names a transfer, a stage or a deliverable (or whose history path can), for every role of the other party, under every
//! relation an agreement can make (none, each state, other product, other transfer, other data class, lower
//! permission, granted the other way) and for the owner's own roles. Change controls, records of the partnership
//! that both parties see, are in it too: under every relation their cells follow the role alone. Each cell asserts the status and that a
//! refusal leaks none of the transfer's protected fields. Expectations come from a table here, not from the
//! server's rule, so the two are checked against each other. A cell the rule allows may still be refused by the
//! record's workflow (409: a gate with open deliverables, a version changed by an earlier cell): that too is past
//! the rule, and is told apart from a refusal (403).

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
/// Velarimab drug product's first stage, and that stage's first deliverable (the demo's fixed ids).
const VELARIMAB_DP_STAGE_1: &str = "00000008-0000-4000-8000-000000000301";
const VELARIMAB_DP_DELIVERABLE: &str = "00000009-0000-4000-8000-000000030101";
/// Velarimab drug product's first sending-unit parameter (Helix's data) and the receiving unit's proposal for it
/// (Norvia's).
const VELARIMAB_DP_SU_PARAMETER: &str = "0000000a-0000-4000-8000-000003000000";
const VELARIMAB_DP_RU_PROPOSAL: &str = "0000000b-0000-4000-8000-000003000000";
/// Velarimab drug product's first failure mode.
const VELARIMAB_DP_RISK: &str = "0000000c-0000-4000-8000-000000000300";
/// Velarimab drug product's analytical method.
const VELARIMAB_DP_METHOD: &str = "0000000d-0000-4000-8000-000000000300";
/// Velarimab drug product's first engineering batch (Norvia's record).
const VELARIMAB_DP_BATCH: &str = "0000000e-0000-4000-8000-000000000301";
/// Norvia's change control in the Velarimab drug product transfer, awaiting Helix's approval.
const VELARIMAB_DP_CHANGE_CONTROL: &str = "00000012-0000-4000-8000-000000000001";
/// Norvia's first deviation in the Velarimab drug product transfer, and the CAPA answering it.
const VELARIMAB_DP_DEVIATION: &str = "0000000f-0000-4000-8000-000000000301";
const VELARIMAB_DP_CAPA: &str = "00000010-0000-4000-8000-000000000301";
const ROLES: [&str; 5] = ["admin", "lead", "qa", "operator", "viewer"];
/// Fields of the Velarimab drug product transfer that a refused caller must not see.
const PROTECTED: [&str; 4] = ["TT-2026-007", "Liquid in vial", "2027-10-29", "Helix Basel Biologics"];
const ALL_CLASSES: [&str; 8] = [
    "process_description",
    "process_parameters",
    "analytical_methods",
    "batch_records",
    "quality_events",
    "stability_data",
    "regulatory_documents",
    "commercial",
];

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
    ActiveOtherDataClass,
    ActiveLowerPermission,
    GrantedTheOtherWay,
    /// The same agreement (Norvia grants Helix), tried by Helix's users: the sponsor reading the CMO's data.
    GrantedByTheCmoToTheSponsor,
}

const RELATIONS: [Relation; 14] = [
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
    Relation::ActiveOtherDataClass,
    Relation::ActiveLowerPermission,
    Relation::GrantedTheOtherWay,
    Relation::GrantedByTheCmoToTheSponsor,
];

/// What an operation asks, from its declaration.
#[derive(Clone, Debug)]
struct Operation {
    method: String,
    path: String,
    record: String,
    /// Whose data it touches: "sponsor" or "cmo".
    owner: String,
    /// For the CMO's data, the sponsor's class it reads as well.
    also_reads: Option<String>,
    action: Value,
    data_class: Option<String>,
    list: bool,
    example: Value,
}

/// The permission level an action needs on another organisation's data (0 view … 3 download), or `None` when no
/// agreement can grant it.
fn needed_level(action: &Value) -> Option<u8> {
    match action.as_str() {
        Some("read") => Some(0),
        Some("comment") => Some(1),
        Some("contribute" | "plan") => Some(2),
        Some("download") => Some(3),
        _ if action.get("sign").is_some() => Some(2),
        _ => None,
    }
}

/// Which roles may take an action on data at all (own or shared).
fn role_may(role: &str, action: &Value) -> bool {
    match (action.as_str(), action.get("sign").and_then(Value::as_str)) {
        (Some("read" | "download"), _) => true,
        (Some("comment" | "contribute"), _) => role != "viewer",
        (Some("plan"), _) => matches!(role, "admin" | "lead"),
        (_, Some("authored")) => role != "viewer",
        (_, Some("reviewed")) => matches!(role, "admin" | "lead" | "qa"),
        (_, Some("approved" | "released" | "revoked" | "rejected")) => role == "qa",
        _ => false,
    }
}

/// Which roles of either party may take an action on a partnership record (a change control), whatever the
/// agreements: everyone reads; admins, leads and QA raise, assess and record; QA signs.
fn partnership_role_may(role: &str, action: &Value) -> bool {
    match (action.as_str(), action.get("sign").and_then(Value::as_str)) {
        (Some("read" | "download"), _) => true,
        (Some("comment"), _) => role != "viewer",
        (Some("contribute"), _) => matches!(role, "admin" | "lead" | "qa"),
        (_, Some("approved" | "rejected")) => role == "qa",
        _ => false,
    }
}

/// The agreement each relation sets up: (product, transfer, classes, permission, from, until, grantor is the CMO).
fn agreement(
    relation: Relation,
) -> Option<(&'static str, &'static str, Vec<&'static str>, &'static str, &'static str)> {
    let (product, transfer, window) = (VELARIMAB_DP_PRODUCT, VELARIMAB_DP, "2026-01-01T00:00:00Z");
    Some(match relation {
        Relation::OwnOrganisation | Relation::NoAgreement => return None,
        Relation::ActiveOtherProduct => (VELARIMAB_DS_PRODUCT, transfer, ALL_CLASSES.to_vec(), "download", window),
        Relation::ActiveOtherTransfer => (product, VELARIMAB_DS, ALL_CLASSES.to_vec(), "download", window),
        Relation::ActiveOtherDataClass => (product, transfer, vec!["commercial"], "download", window),
        Relation::ActiveLowerPermission => (product, transfer, ALL_CLASSES.to_vec(), "view", window),
        Relation::Scheduled => (product, transfer, ALL_CLASSES.to_vec(), "download", "2030-01-01T00:00:00Z"),
        Relation::Expired => (product, transfer, ALL_CLASSES.to_vec(), "download", "2024-01-01T00:00:00Z"),
        _ => (product, transfer, ALL_CLASSES.to_vec(), "download", window),
    })
}

/// Whether the relation lets `role` of its organisation do what `op` asks: the expectation of each cell.
fn grants(relation: Relation, role: &str, op: &Operation) -> bool {
    if op.record == "change_control" {
        // Both parties' records: being a party is enough, so no relation changes a cell.
        return partnership_role_may(role, &op.action);
    }
    if !role_may(role, &op.action) {
        return false;
    }
    let Some(needed) = needed_level(&op.action) else { return false };
    if op.owner == "cmo" {
        // The receiving unit's data: Norvia's own; Helix reaches it only through an agreement Norvia granted.
        // (Helix's own users hold none; under GrantedByTheCmoToTheSponsor they hold one; everyone else is Norvia.)
        // Reading the sponsor's data as well needs, for Norvia, an agreement letting it view that class.
        let reads_sponsor = match relation {
            Relation::OwnOrganisation | Relation::GrantedByTheCmoToTheSponsor => true,
            Relation::Active | Relation::ActiveLowerPermission => true,
            Relation::ActiveOtherDataClass => op.also_reads.as_deref() == Some("commercial"),
            _ => false,
        };
        return relation != Relation::OwnOrganisation && (op.also_reads.is_none() || reads_sponsor);
    }
    match relation {
        Relation::OwnOrganisation | Relation::GrantedByTheCmoToTheSponsor => true,
        Relation::Active => true,
        Relation::ActiveLowerPermission => needed == 0,
        // A transfer's overview is revealed by any agreement covering the transfer; a class only by its own.
        Relation::ActiveOtherDataClass => op.data_class.as_deref().is_none_or(|c| c == "commercial"),
        _ => false,
    }
}

fn valid_until(from: &str) -> &'static str {
    if from.starts_with("2024") { "2025-01-01T00:00:00Z" } else { "2031-01-01T00:00:00Z" }
}

async fn arrange(server: &TestServer, relation: Relation) {
    let Some((product, transfer, classes, permission, from)) = agreement(relation) else { return };
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let (grantor, other, grantee) =
        if matches!(relation, Relation::GrantedTheOtherWay | Relation::GrantedByTheCmoToTheSponsor) {
            (&cmo, &sponsor, HELIX)
        } else {
            (&sponsor, &cmo, NORVIA)
        };
    let terms = json!({
        "title": format!("{relation:?}"), "grantee": grantee,
        "scope": {"products": {"kind": "only", "items": [product]}, "transfers": {"kind": "only", "items": [transfer]},
                  "data_classes": classes},
        "permission": permission, "valid_from": from, "valid_until": valid_until(from)
    });
    let created = send(grantor.request(Method::POST, "/agreements").json(&terms)).await;
    assert_eq!(created.status, 201, "{relation:?}: {:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let signers: &[&ApiClient] = match relation {
        Relation::Draft => &[],
        Relation::AwaitingSignatures => &[grantor],
        _ => &[grantor, other],
    };
    for signer in signers {
        let signed = signer.approve_agreement(&id, DEMO_PASSWORD).await;
        assert_eq!(signed.status, 200, "{relation:?}: {:?}", signed.body);
    }
    if relation == Relation::Revoked {
        let revoked = grantor.revoke_agreement(&id, "matrix").await;
        assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    }
    let state = grantor.get(&format!("/agreements/{id}")).await.body["state"].clone();
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

/// Every operation that reaches data in a transfer, from the document's declarations. An operation without a
/// declaration fails the test.
fn transfer_operations(doc: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let declared = &operation["x-baton-access"];
            assert!(declared.is_object(), "{method} {path} has no x-baton-access declaration");
            let in_transfer = matches!(
                declared["record"].as_str(),
                Some(
                    "transfer"
                        | "stage"
                        | "deliverable"
                        | "parameter"
                        | "risk"
                        | "method"
                        | "batch"
                        | "deviation"
                        | "capa"
                        | "change_control"
                )
            );
            // Starting a transfer names no existing one: the access matrix and the workspace tests cover it.
            let creates = method == "post" && !path.contains('{');
            // Editing or resolving names one comment as well, which `api_comments` addresses (only its author
            // edits a comment); the rule's cells of the discussion are those of reading and posting.
            if !(in_transfer || path.contains("{record_type}")) || creates || path.contains("{comment}") {
                continue;
            }
            assert!(method == "get" || declared["example"].is_object(), "{method} {path}: declare an example body");
            operations.push(Operation {
                method: method.clone(),
                path: path.clone(),
                record: declared["record"].as_str().unwrap_or("transfer").to_owned(),
                owner: declared["owner"].as_str().unwrap_or("sponsor").to_owned(),
                also_reads: declared["also_reads"].as_str().map(str::to_owned),
                action: declared["action"].clone(),
                data_class: declared["data_class"].as_str().map(str::to_owned),
                list: declared["list"] == true,
                example: declared["example"].clone(),
            });
        }
    }
    // A list is about the records it lists: whose they are and their class come from reading one of them.
    let reads: Vec<Operation> = operations.iter().filter(|op| !op.list && op.action == "read").cloned().collect();
    for op in operations.iter_mut().filter(|op| op.list) {
        if let Some(read) = reads.iter().find(|read| read.record == op.record) {
            op.owner = read.owner.clone();
            op.data_class = read.data_class.clone();
        }
    }
    operations
}

/// The demo record of the drug product transfer that `op` addresses (or lists).
fn record_id(op: &Operation) -> &'static str {
    match (op.record.as_str(), op.owner.as_str()) {
        ("stage", _) => VELARIMAB_DP_STAGE_1,
        ("deliverable", _) => VELARIMAB_DP_DELIVERABLE,
        ("parameter", "cmo") => VELARIMAB_DP_RU_PROPOSAL,
        ("parameter", _) => VELARIMAB_DP_SU_PARAMETER,
        ("risk", _) => VELARIMAB_DP_RISK,
        ("method", _) => VELARIMAB_DP_METHOD,
        ("batch", _) => VELARIMAB_DP_BATCH,
        ("deviation", _) => VELARIMAB_DP_DEVIATION,
        ("capa", _) => VELARIMAB_DP_CAPA,
        ("change_control", _) => VELARIMAB_DP_CHANGE_CONTROL,
        _ => VELARIMAB_DP,
    }
}

async fn call(client: &ApiClient, op: &Operation) -> Reply {
    let id = record_id(op);
    let path = op.path.replace("{record_type}", "transfer").replace("{id}", id);
    let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).expect("method");
    let mut request = client.request(method, &path);
    if !op.example.is_null() {
        request = request.json(&op.example);
    }
    send(request).await
}

fn check(relation: Relation, who: &str, role: &str, op: &Operation, reply: &Reply) {
    let cell = format!("{relation:?} × {who} × {} {}", op.method, op.path);
    let text = reply.body.to_string();
    let allowed = grants(relation, role, op);
    if op.list {
        assert_eq!(reply.status, 200, "{cell}");
        let listed = reply.body["items"].as_array().expect("items").iter().any(|t| t["id"] == record_id(op));
        assert_eq!(listed, allowed, "{cell}: {text}");
    } else if allowed {
        let past_the_rule = (200..300).contains(&reply.status) || reply.error_code() == "conflict";
        assert!(past_the_rule, "{cell}: {} {text}", reply.status);
    } else {
        assert_eq!(reply.status, 403, "{cell}: {text}");
        assert_eq!(reply.error_code(), "no_access", "{cell}");
    }
    if !allowed {
        for field in PROTECTED {
            assert!(!text.contains(field), "{cell} leaks {field:?}: {text}");
        }
    }
}

on_both_databases!(every_role_under_every_relation_on_every_declared_transfer_operation);

async fn every_role_under_every_relation_on_every_declared_transfer_operation(db: Backend) {
    let mut cells = 0;
    for relation in RELATIONS {
        let server = TestServer::start(db).await;
        arrange(&server, relation).await;
        let org = match relation {
            Relation::OwnOrganisation | Relation::GrantedByTheCmoToTheSponsor => "helix",
            _ => "norvia",
        };
        let doc = ApiClient::new(&server.base_url).get("/openapi.json").await.body;
        let operations = transfer_operations(&doc);
        assert!(operations.len() >= 3, "{operations:?}");
        for role in ROLES {
            let who = format!("{role}@{org}.example");
            let client = ApiClient::logged_in(&server.base_url, &who).await;
            for op in &operations {
                check(relation, &who, role, op, &call(&client, op).await);
                cells += 1;
            }
        }
    }
    println!("access matrix: {cells} cells ({} relations × {} roles × operations)", RELATIONS.len(), ROLES.len());
    assert!(cells >= RELATIONS.len() * ROLES.len() * 3);
}
