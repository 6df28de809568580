//! The transfer workspace over the API: starting a transfer from the organisation's template, deliverables with
//! optimistic concurrency, gates approved by both parties' QA in order, re-opening with a reason.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";
const HELIX_BASEL: &str = "00000002-0000-4000-8000-000000000001";
const NORVIA_GHENT: &str = "00000002-0000-4000-8000-000000000003";
const CASTELLAN_MONZA: &str = "00000002-0000-4000-8000-000000000004";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const CASTELLAN_LEAD: &str = "00000004-0000-4000-8000-000000000022";

on_both_databases!(
    a_sponsor_lead_starts_a_transfer_from_the_template_and_others_cannot,
    a_gate_passes_with_both_qa_approvals_in_order_and_reopens_with_a_reason,
    a_stale_deliverable_save_is_refused_naming_the_change,
    the_template_is_the_organisations_own_and_changes_on_the_version_shown,
);

fn draft() -> Value {
    json!({
        "product": VELARIMAB_DP_PRODUCT, "cmo": NORVIA, "sending_site": HELIX_BASEL, "receiving_site": NORVIA_GHENT,
        "started_on": "2026-12-01", "target_completion": "2027-12-01",
        "team": [{"user": "00000004-0000-4000-8000-000000000012", "responsibility": "Process lead"}]
    })
}

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

async fn a_sponsor_lead_starts_a_transfer_from_the_template_and_others_cannot(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let setup = lead.get("/transfer-setup").await;
    assert_eq!(setup.status, 200, "{:?}", setup.body);
    assert_eq!(setup.body["template"]["stages"].as_array().map(Vec::len), Some(8));
    let partners: Vec<&str> = setup.body["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .filter_map(|p| p["organisation"]["name"].as_str())
        .collect();
    assert_eq!(partners, ["Castellan Pharma Services", "Norvia CDMO"]);

    let created = post(&lead, "/transfers", &draft()).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["code"], "TT-2026-008");
    assert_eq!(created.body["stage"]["name"], "Initiation & feasibility");
    assert_eq!(created.body["team"][0]["responsibility"], "Process lead");
    let id = created.body["id"].as_str().expect("id").to_owned();
    let plan = lead.get(&format!("/transfers/{id}/stages")).await;
    let stages = plan.body["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 8);
    assert_eq!(stages[0]["planned_start"], "2026-12-01");
    assert_eq!(stages[7]["planned_end"], "2027-12-01");
    assert_eq!(stages[1]["deliverables"][0]["title"], "Transfer protocol");
    let history = lead.get(&format!("/history/transfer/{id}")).await;
    assert_eq!(history.body[0]["action"], "create", "{:?}", history.body);

    for who in ["qa@helix.example", "operator@helix.example", "viewer@helix.example", "lead@norvia.example"] {
        let other = ApiClient::logged_in(&server.base_url, who).await;
        let refused = post(&other, "/transfers", &draft()).await;
        assert_eq!(refused.status, 403, "{who}: {:?}", refused.body);
    }
    let mut bad = draft();
    bad["target_completion"] = json!("2026-11-01");
    assert_eq!(post(&lead, "/transfers", &bad).await.error_field(), "target_completion");
    let mut bad = draft();
    bad["receiving_site"] = json!(HELIX_BASEL);
    assert_eq!(post(&lead, "/transfers", &bad).await.error_field(), "receiving_site");
    let mut bad = draft();
    bad["team"] = json!([{"user": CASTELLAN_LEAD, "responsibility": "Observer"}]);
    assert_eq!(post(&lead, "/transfers", &bad).await.error_field(), "team[0].user");
    let mut bad = draft();
    bad["product"] = json!("00000007-0000-4000-8000-0000000000ff");
    assert_eq!(post(&lead, "/transfers", &bad).await.status, 404);
    let mut other_cmo = draft();
    other_cmo["cmo"] = json!(CASTELLAN);
    other_cmo["receiving_site"] = json!(CASTELLAN_MONZA);
    other_cmo["team"] = json!([]);
    assert_eq!(post(&lead, "/transfers", &other_cmo).await.status, 201, "Castellan is a partner too");
    let listed = lead.get("/transfers").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(5), "nothing refused was written");
}

async fn stage(client: &ApiClient, transfer: &str, number: usize) -> Value {
    let plan = client.get(&format!("/transfers/{transfer}/stages")).await;
    assert_eq!(plan.status, 200, "{:?}", plan.body);
    plan.body["stages"][number - 1].clone()
}

async fn approve(client: &ApiClient, stage: &Value) -> Reply {
    let body = json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": stage["gate"]["content_hash"]});
    post(client, &format!("/stages/{}/approvals", stage["id"].as_str().unwrap_or_default()), &body).await
}

async fn finish_deliverables(client: &ApiClient, stage: &Value) {
    for d in stage["deliverables"].as_array().expect("deliverables") {
        let mut fields = json!({"title": d["title"], "description": d["description"], "owner_org": d["owner"]["id"],
            "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": "done"});
        if d["owner_person"].is_null() {
            fields["owner_person"] = Value::Null;
        }
        let body = json!({"deliverable": fields, "row_version": d["row_version"]});
        let done = put(client, &format!("/deliverables/{}", d["id"].as_str().unwrap_or_default()), &body).await;
        assert_eq!(done.status, 200, "{:?}", done.body);
    }
}

/// Shares the Velarimab drug product transfer with Norvia (contribute), both admins signing.
async fn share_drug_product(server: &TestServer) {
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let terms = json!({
        "title": "Velarimab DP transfer", "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DP_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DP]}, "data_classes": ["process_description"]},
        "permission": "contribute", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let created = post(&sponsor, "/agreements", &terms).await;
    let id = created.body["id"].as_str().expect("agreement").to_owned();
    for signer in [&sponsor, &cmo] {
        assert_eq!(signer.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    }
}

async fn a_gate_passes_with_both_qa_approvals_in_order_and_reopens_with_a_reason(db: Backend) {
    let server = TestServer::start(db).await;
    let (lead, sponsor_qa, cmo_qa) = (
        ApiClient::logged_in(&server.base_url, "lead@helix.example").await,
        ApiClient::logged_in(&server.base_url, "qa@helix.example").await,
        ApiClient::logged_in(&server.base_url, "qa@norvia.example").await,
    );
    let first = stage(&sponsor_qa, VELARIMAB_DP, 1).await;
    let blocked = approve(&sponsor_qa, &first).await;
    assert_eq!(blocked.status, 409, "{:?}", blocked.body);
    let message = blocked.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("still open: “Feasibility assessment”"), "{message}");
    let second = stage(&sponsor_qa, VELARIMAB_DP, 2).await;
    let out_of_order = approve(&sponsor_qa, &second).await;
    assert!(out_of_order.body.to_string().contains("Gates pass in order"), "{:?}", out_of_order.body);

    finish_deliverables(&lead, &first).await;
    let stale = approve(&sponsor_qa, &first).await;
    assert_eq!(stale.status, 409, "the deliverables changed since: {:?}", stale.body);
    let first = stage(&sponsor_qa, VELARIMAB_DP, 1).await;
    assert!(first["gate"]["blocked_by"].is_null(), "{first}");
    let approved = approve(&sponsor_qa, &first).await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["gate"]["state"], "open", "one party is not enough");
    assert_eq!(approve(&sponsor_qa, &first).await.status, 409, "one approval per party");

    assert_eq!(approve(&cmo_qa, &first).await.status, 403, "no agreement covers the transfer for Norvia yet");
    share_drug_product(&server).await;
    let shown = stage(&cmo_qa, VELARIMAB_DP, 1).await;
    let passed = approve(&cmo_qa, &shown).await;
    assert_eq!(passed.status, 200, "{:?}", passed.body);
    assert_eq!(passed.body["gate"]["state"], "passed");
    assert_eq!(passed.body["gate"]["approvals"].as_array().map(Vec::len), Some(2));
    let detail = lead.get(&format!("/transfers/{VELARIMAB_DP}")).await;
    assert_eq!(detail.body["stage"]["number"], 2);

    let passed_stage = stage(&lead, VELARIMAB_DP, 1).await;
    let id = passed_stage["id"].as_str().expect("id").to_owned();
    let closed = post(
        &lead,
        &format!("/stages/{id}/deliverables"),
        &json!({"title": "Late", "owner_org": HELIX, "status": "open"}),
    )
    .await;
    assert_eq!(closed.status, 409, "a passed stage takes no new deliverables: {:?}", closed.body);
    let hash = passed_stage["gate"]["content_hash"].clone();
    let reason = json!({"reason": " ", "password": DEMO_PASSWORD, "content_hash": hash});
    assert_eq!(post(&sponsor_qa, &format!("/stages/{id}/reopening"), &reason).await.error_field(), "reason");
    let by_lead = json!({"reason": "Gap analysis incomplete", "password": DEMO_PASSWORD, "content_hash": hash});
    assert_eq!(post(&lead, &format!("/stages/{id}/reopening"), &by_lead).await.status, 403, "QA re-opens gates");
    let reopened = post(&cmo_qa, &format!("/stages/{id}/reopening"), &by_lead).await;
    assert_eq!(reopened.status, 200, "{:?}", reopened.body);
    assert_eq!(reopened.body["gate"]["state"], "open");
    assert_eq!(reopened.body["gate"]["round"], 1);
    let approvals = reopened.body["gate"]["approvals"].as_array().expect("approvals");
    assert!(approvals.iter().all(|a| a["valid"] == false), "re-opening voids the approvals: {approvals:?}");
    let history = lead.get(&format!("/history/stage/{id}")).await;
    let reasons: Vec<&str> =
        history.body.as_array().expect("entries").iter().filter_map(|e| e["reason"].as_str()).collect();
    assert!(reasons.contains(&"Gap analysis incomplete"), "{reasons:?}");
    let detail = lead.get(&format!("/transfers/{VELARIMAB_DP}")).await;
    assert_eq!(detail.body["stage"]["number"], 1);

    // The overview's latest changes: newest first, changes only (no reads), the re-opening on top.
    let changes = lead.get(&format!("/transfers/{VELARIMAB_DP}/changes")).await;
    let entries = changes.body.as_array().expect("entries");
    assert!(!entries.is_empty() && entries.len() <= 10, "{entries:?}");
    assert!(entries.iter().all(|e| e["action"] != "read"));
    assert!(entries.windows(2).all(|w| w[0]["seq"].as_i64() > w[1]["seq"].as_i64()), "newest first");
    assert_eq!(
        (entries[0]["record_type"].clone(), entries[0]["reason"].clone()),
        (json!("stage"), json!("Gap analysis incomplete"))
    );
    assert!(entries.iter().any(|e| e["record_type"] == "deliverable" && e["action"] == "update"));
    let stranger = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    assert_eq!(stranger.get(&format!("/transfers/{VELARIMAB_DP}/changes")).await.status, 403);
}

async fn a_stale_deliverable_save_is_refused_naming_the_change(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@helix.example").await;
    let shown = stage(&lead, VELARIMAB_DP, 2).await["deliverables"][0].clone();
    let path = format!("/deliverables/{}", shown["id"].as_str().expect("id"));
    let edit = |status: &str, due: &str| {
        json!({"deliverable": {"title": shown["title"], "description": "", "owner_org": HELIX, "owner_person": null,
            "due_on": due, "status": status}, "row_version": shown["row_version"]})
    };
    let first = put(&lead, &path, &edit("in_progress", "2027-01-15")).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let second = put(&operator, &path, &edit("done", "2027-02-01")).await;
    assert_eq!(second.status, 409, "{:?}", second.body);
    let message = second.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Marco Lenz changed (due on, owner person, status)"), "{message}");
    let now = operator.get(&path).await;
    assert_eq!((now.body["status"].clone(), now.body["due_on"].clone()), (json!("in_progress"), json!("2027-01-15")));

    let mut foreign = edit("done", "2027-02-01");
    foreign["row_version"] = now.body["row_version"].clone();
    foreign["deliverable"]["owner_org"] = json!(CASTELLAN);
    assert_eq!(put(&operator, &path, &foreign).await.error_field(), "owner_org");
    foreign["deliverable"]["owner_org"] = json!(NORVIA);
    foreign["deliverable"]["owner_person"] = json!(CASTELLAN_LEAD);
    assert_eq!(put(&operator, &path, &foreign).await.error_field(), "owner_person");
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    foreign["deliverable"]["owner_person"] = Value::Null;
    assert_eq!(put(&viewer, &path, &foreign).await.status, 403);
    let stranger = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    assert_eq!(stranger.get(&path).await.status, 403);
    assert_eq!(put(&stranger, &path, &foreign).await.status, 403);
}

async fn the_template_is_the_organisations_own_and_changes_on_the_version_shown(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let standard = lead.get("/stage-template").await;
    assert_eq!(standard.body["row_version"], 0);
    let change = json!({"name": "Biologics DP", "row_version": 0, "stages": [
        {"name": "Kick-off", "deliverables": ["Team charter"]},
        {"name": "Fill-finish runs", "deliverables": []}
    ]});
    let changed = put(&lead, "/stage-template", &change).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["row_version"], 1);
    assert_eq!(put(&lead, "/stage-template", &change).await.status, 409, "made on version 0");
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    let mut next = change.clone();
    next["row_version"] = json!(1);
    assert_eq!(put(&viewer, "/stage-template", &next).await.status, 403);
    next["stages"][1]["name"] = json!("kick-off");
    assert_eq!(put(&lead, "/stage-template", &next).await.error_field(), "stages[1].name");
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    assert_eq!(norvia.get("/stage-template").await.body["row_version"], 0, "Norvia keeps its own");

    let created = post(&lead, "/transfers", &draft()).await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let plan = lead.get(&format!("/transfers/{id}/stages")).await;
    let names: Vec<&str> =
        plan.body["stages"].as_array().expect("stages").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["Kick-off", "Fill-finish runs"]);
    assert_eq!(plan.body["stages"][0]["deliverables"][0]["title"], "Team charter");
}
