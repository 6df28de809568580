//! The record kernel as an attacker and a careful signer meet it: signatures and transitions bound to what the
//! signer saw, activation exactly once under simultaneous signatures, the actions each record offers its viewer,
//! and partner reads (of a record, of a list, of a history) on the owner's trail.

use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";

on_both_databases!(
    a_signature_on_terms_changed_since_they_were_shown_is_refused_and_writes_nothing,
    a_revocation_of_a_changed_agreement_is_refused,
    simultaneous_approvals_activate_the_agreement_exactly_once,
    each_record_offers_its_viewer_exactly_the_actions_the_rule_allows,
    partner_reads_of_a_record_a_list_and_a_history_are_on_the_owner_s_trail,
);

fn terms(permission: &str) -> Value {
    json!({
        "title": "Velarimab drug product — initiation data", "grantee": NORVIA,
        "scope": {"products": {"kind": "all"}, "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
                  "data_classes": ["process_description"]},
        "permission": permission, "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    })
}

async fn draft(sponsor: &ApiClient) -> String {
    let reply = send(sponsor.request(Method::POST, "/agreements").json(&terms("view"))).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().expect("id").to_owned()
}

/// The record's audit entries as its owner's QA sees them.
async fn history(sponsor_qa: &ApiClient, kind: &str, id: &str) -> Vec<Value> {
    let reply = sponsor_qa.get(&format!("/history/{kind}/{id}")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body.as_array().cloned().unwrap_or_default()
}

async fn a_signature_on_terms_changed_since_they_were_shown_is_refused_and_writes_nothing(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let id = draft(&sponsor).await;
    // Norvia's admin opens the draft: this is what the signing dialog shows.
    let shown = cmo.get(&format!("/agreements/{id}")).await.body;
    assert_eq!(shown["scope_labels"][VELARIMAB_DP], "TT-2026-007", "the signer reads what is covered");
    // Helix widens the terms behind the dialog's back.
    let changed = send(sponsor.request(Method::PUT, &format!("/agreements/{id}")).json(&json!({
        "terms": terms("download"), "row_version": shown["row_version"], "reason": "Allow downloads"
    })))
    .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let entries_before = history(&qa, "agreement", &id).await.len();

    let stale = send(cmo.request(Method::POST, &format!("/agreements/{id}/signatures")).json(&json!({
        "password": DEMO_PASSWORD, "meaning": "approved", "content_hash": shown["content_hash"]
    })))
    .await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    let message = stale.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Priya Natarajan changed") && message.contains("permission"), "{message}");
    assert!(message.contains("Allow downloads"), "the reason is named: {message}");
    let after = cmo.get(&format!("/agreements/{id}")).await.body;
    assert_eq!(after["signatures"].as_array().map(Vec::len), Some(0), "nothing was signed");
    assert_eq!(after["state"], "draft");
    assert_eq!(history(&qa, "agreement", &id).await.len(), entries_before, "nothing was audited either");

    // Signed as it now reads, it counts.
    assert_eq!(cmo.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    // A hash the server never showed anyone is refused the same way.
    let sponsor_sign = send(sponsor.request(Method::POST, &format!("/agreements/{id}/signatures")).json(&json!({
        "password": DEMO_PASSWORD, "meaning": "approved", "content_hash": "0".repeat(64)
    })))
    .await;
    assert_eq!(sponsor_sign.status, 409, "{:?}", sponsor_sign.body);
    assert_eq!(cmo.get(&format!("/agreements/{id}")).await.body["state"], "awaiting_signatures");
}

async fn a_revocation_of_a_changed_agreement_is_refused(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let id = draft(&sponsor).await;
    let shown = sponsor.get(&format!("/agreements/{id}")).await.body;
    assert_eq!(cmo.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    let stale = send(sponsor.request(Method::POST, &format!("/agreements/{id}/revocation")).json(&json!({
        "password": DEMO_PASSWORD, "reason": "Paused", "row_version": shown["row_version"]
    })))
    .await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    assert!(stale.body["error"]["message"].as_str().unwrap_or_default().contains("Jan De Smet signed"));
    assert_eq!(sponsor.get(&format!("/agreements/{id}")).await.body["state"], "awaiting_signatures");
    assert_eq!(sponsor.revoke_agreement(&id, "Paused").await.status, 200, "as it reads now, it goes through");
}

async fn simultaneous_approvals_activate_the_agreement_exactly_once(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    for round in 0..4 {
        let id = draft(&sponsor).await;
        let (a, b) =
            tokio::join!(sponsor.approve_agreement(&id, DEMO_PASSWORD), cmo.approve_agreement(&id, DEMO_PASSWORD));
        assert_eq!((a.status, b.status), (200, 200), "round {round}: {:?} {:?}", a.body, b.body);
        assert_eq!(sponsor.get(&format!("/agreements/{id}")).await.body["state"], "active", "round {round}");
        let entries = history(&qa, "agreement", &id).await;
        let activations = entries.iter().filter(|e| e["action"] == "state_change").count();
        assert_eq!(activations, 1, "round {round}: {entries:?}");
        assert_eq!(entries.iter().filter(|e| e["action"] == "sign").count(), 2, "round {round}");
    }
}

fn actions(body: &Value) -> Vec<String> {
    body["actions"].as_array().into_iter().flatten().map(|a| a.to_string().replace('"', "")).collect()
}

async fn each_record_offers_its_viewer_exactly_the_actions_the_rule_allows(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let cmo_viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    let sponsor_lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let id = draft(&sponsor).await;
    let path = format!("/agreements/{id}");
    let of = |body: Value| actions(&body);
    // Both parties discuss an agreement's terms beside it; viewers only read.
    assert_eq!(
        of(cmo_admin.get(&path).await.body),
        ["read", "comment", "download", "sign_agreement", "revoke_agreement"]
    );
    assert_eq!(of(cmo_viewer.get(&path).await.body), ["read", "download"]);
    assert_eq!(of(sponsor_lead.get(&path).await.body), ["read", "comment", "download", "draft_agreement"]);
    assert_eq!(cmo_admin.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    assert!(!of(cmo_admin.get(&path).await.body).contains(&"sign_agreement".to_owned()), "signed already");
    assert!(of(sponsor.get(&path).await.body).contains(&"sign_agreement".to_owned()));
    // Lists carry the same per-record actions, and whether the caller may draft at all.
    let list = cmo_viewer.get("/agreements").await.body;
    assert!(actions(&list).is_empty(), "a viewer drafts nothing");
    assert_eq!(actions(&cmo_admin.get("/agreements").await.body), ["draft_agreement"], "a CMO may grant too");
    // A transfer: the owner's QA may approve its records; the partner reading under a view agreement may only read.
    let ds = format!("/transfers/{VELARIMAB_DS}");
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    assert!(of(qa.get(&ds).await.body).contains(&"{sign:approved}".to_owned()), "{:?}", qa.get(&ds).await.body);
    let partner = of(cmo_viewer.get(&ds).await.body);
    assert!(partner.contains(&"read".to_owned()) && !partner.iter().any(|a| a.contains("sign")), "{partner:?}");
}

async fn partner_reads_of_a_record_a_list_and_a_history_are_on_the_owner_s_trail(db: Backend) {
    let server = TestServer::start(db).await;
    let cmo = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let sponsor_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let reads = |trail: Value, record_type: &str| {
        trail["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["action"] == "read" && e["record_type"] == record_type && e["actor_name"] == "Amina Haddad")
            .count()
    };
    let trail = || sponsor_qa.get("/audit?limit=500");
    assert_eq!(reads(trail().await.body, "transfer"), 0);
    assert_eq!(cmo.get(&format!("/transfers/{VELARIMAB_DS}")).await.status, 200);
    assert_eq!(reads(trail().await.body, "transfer"), 1, "a read of the record");
    assert_eq!(cmo.get(&format!("/history/transfer/{VELARIMAB_DS}")).await.status, 200);
    assert_eq!(reads(trail().await.body, "transfer"), 2, "reading its history reads it");
    assert_eq!(cmo.get("/transfers").await.status, 200);
    assert_eq!(reads(trail().await.body, "transfer_list"), 1, "one entry per owning organisation");
    // The owner reading its own data is not a partner read.
    assert_eq!(sponsor_qa.get(&format!("/transfers/{VELARIMAB_DS}")).await.status, 200);
    let own = trail().await.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "read" && e["actor_name"] == "Dana Kim")
        .count();
    assert_eq!(own, 0);
}
