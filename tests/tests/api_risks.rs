//! The risk register over the API: RPN and band computed, never typed; ratings 1–10; highest first; changes on the
//! version shown; a mitigation's deliverable must be the transfer's own; the rule decides who reads and writes.

use baton_tests::client::{Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
/// A deliverable of the drug product transfer (not the drug substance one).
const DP_DELIVERABLE: &str = "00000009-0000-4000-8000-000000030202";
/// A deliverable of the drug substance transfer.
const DS_DELIVERABLE: &str = "00000009-0000-4000-8000-000000010202";

on_both_databases!(risks_are_rated_computed_ordered_and_changed_on_the_version_shown);

fn risk(s: u8, o: u8, d: u8, deliverable: Option<&str>) -> Value {
    json!({"failure_mode": {"step": "Harvest clarification", "failure_mode": "Depth filter clogs earlier",
        "effect": "Yield loss", "ratings": {"severity": s, "occurrence": o, "detection": d},
        "mitigation": "Filter sizing study", "residual": {"severity": s, "occurrence": 2, "detection": 2}},
        "mitigation_deliverable": deliverable})
}

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn risks_are_rated_computed_ordered_and_changed_on_the_version_shown(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let path = format!("/transfers/{VELARIMAB_DS}/risks");
    let added = post(&lead, &path, &risk(9, 6, 5, Some(DS_DELIVERABLE))).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!((added.body["rpn"].clone(), added.body["level"].clone()), (json!(270), json!("high")));
    assert_eq!((added.body["residual_rpn"].clone(), added.body["residual_level"].clone()), (json!(36), json!("high")));
    let register = lead.get(&path).await;
    let rpns: Vec<u64> =
        register.body["risks"].as_array().expect("risks").iter().filter_map(|r| r["rpn"].as_u64()).collect();
    assert_eq!(rpns.first(), Some(&270), "highest first: {rpns:?}");
    assert!(rpns.windows(2).all(|w| w[0] >= w[1]), "{rpns:?}");

    let typed = post(
        &lead,
        &path,
        &json!({"failure_mode": {"step": "A", "failure_mode": "B", "effect": "C",
        "ratings": {"severity": 11, "occurrence": 1, "detection": 1}}, "rpn": 1}),
    )
    .await;
    assert_eq!(typed.status, 422, "a rating above 10, and an RPN is never taken from the request: {:?}", typed.body);
    let elsewhere = post(&lead, &path, &risk(5, 5, 5, Some(DP_DELIVERABLE))).await;
    assert_eq!((elsewhere.status, elsewhere.error_field()), (422, "mitigation_deliverable"));
    let unmitigated = post(&lead, &path, &json!({"failure_mode": {"step": "A", "failure_mode": "B", "effect": "C",
        "ratings": {"severity": 5, "occurrence": 5, "detection": 5}, "residual": {"severity": 5, "occurrence": 1, "detection": 1}}})).await;
    assert_eq!((unmitigated.status, unmitigated.error_field()), (422, "mitigation"));

    let id = added.body["id"].as_str().expect("id").to_owned();
    let change = |s: u8| json!({"risk": risk(s, 6, 5, Some(DS_DELIVERABLE)), "row_version": 1});
    let changed = send(lead.request(Method::PUT, &format!("/risks/{id}")).json(&change(8))).await;
    assert_eq!((changed.status, changed.body["rpn"].clone()), (200, json!(240)), "{:?}", changed.body);
    let stale = send(lead.request(Method::PUT, &format!("/risks/{id}")).json(&change(7))).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    let history = lead.get(&format!("/history/risk/{id}")).await;
    assert_eq!(history.body.as_array().map(Vec::len), Some(2), "created and changed: {:?}", history.body);

    let viewer = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    assert_eq!(post(&viewer, &path, &risk(5, 5, 5, None)).await.status, 403);
    let cmo = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    assert_eq!(cmo.get(&path).await.status, 200, "the agreement covers the transfer");
    assert_eq!(cmo.get(&format!("/transfers/{VELARIMAB_DP}/risks")).await.status, 403, "no agreement covers DP");
    let stranger = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    assert_eq!(stranger.get(&format!("/risks/{id}")).await.status, 403);
}
