//! Analytical method transfer over the API: criteria are the sponsor's, each site's results its own; the
//! evaluation is computed only where both sites' results may be seen; a failing attribute opens one investigation
//! deliverable in the plan; results change only on the version shown.

use baton_tests::client::{Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const DS_METHOD: &str = "0000000d-0000-4000-8000-000000000100";
const DP_METHOD: &str = "0000000d-0000-4000-8000-000000000300";

on_both_databases!(results_are_each_sites_own_and_a_failure_opens_one_investigation);

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

fn monomer(values: &[&str], row_version: i64) -> Value {
    json!({"results": [{"attribute": "Monomer", "values": values},
        {"attribute": "High-molecular-weight species", "values": ["0.95", "0.91", "0.97"]}], "row_version": row_version})
}

async fn investigations(client: &ApiClient) -> Vec<Value> {
    let plan = client.get(&format!("/transfers/{VELARIMAB_DS}/stages")).await;
    plan.body["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .flat_map(|s| s["deliverables"].as_array().cloned().unwrap_or_default())
        .filter(|d| d["title"].as_str().unwrap_or_default().starts_with("Investigate failed method transfer"))
        .collect()
}

async fn results_are_each_sites_own_and_a_failure_opens_one_investigation(db: Backend) {
    let server = TestServer::start(db).await;
    let cmo_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let sponsor = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;

    let seen = cmo_qa.get(&format!("/methods/{DS_METHOD}")).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["verdict"], "pass", "{:?}", seen.body["evaluations"]);
    let by_sponsor = sponsor.get(&format!("/methods/{DS_METHOD}")).await;
    assert!(by_sponsor.body["ru"]["hidden"].is_string(), "Norvia has not shared its results with Helix");
    assert!(by_sponsor.body["evaluations"].is_null(), "no evaluation from a hidden side");

    let path = format!("/methods/{DS_METHOD}/ru-results");
    let version = seen.body["ru"]["results"]["row_version"].as_i64().expect("version");
    let unknown = put(
        &cmo_qa,
        &path,
        &json!({"results": [{"attribute": "Charge variants", "values": ["1"]}], "row_version": version}),
    )
    .await;
    assert_eq!((unknown.status, unknown.error_field()), (422, "results[0].attribute"));
    assert!(investigations(&sponsor).await.is_empty());

    let failing = put(&cmo_qa, &path, &monomer(&["97.1", "97.4", "97.2"], version)).await;
    assert_eq!(failing.status, 200, "{:?}", failing.body);
    assert_eq!(failing.body["verdict"], "fail");
    let opened = investigations(&sponsor).await;
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(opened[0]["title"], "Investigate failed method transfer: SEC-HPLC purity · Monomer");
    assert_eq!(opened[0]["owner"]["name"], "Norvia CDMO");
    assert_eq!(opened[0]["stage_number"], 4, "in the analytical method transfer stage");

    let stale = put(&cmo_qa, &path, &monomer(&["97.0", "97.4", "97.2"], version)).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    let still_failing = put(&cmo_qa, &path, &monomer(&["97.0", "97.4", "97.2"], version + 1)).await;
    assert_eq!(still_failing.status, 200, "{:?}", still_failing.body);
    assert_eq!(investigations(&sponsor).await.len(), 1, "an attribute failing already opens nothing new");

    let written_by_sponsor = put(&sponsor, &path, &monomer(&["99.0"], version + 2)).await;
    assert_eq!(written_by_sponsor.status, 403, "the RU's results are Norvia's");
    let method = json!({"name": "Karl Fischer water", "attributes": [{"attribute": "Water", "unit": "%",
        "criteria": [{"kind": "absolute_mean_difference", "max": "0.2"}]}]});
    let methods = format!("/transfers/{VELARIMAB_DS}/methods");
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    assert_eq!(send(viewer.request(Method::POST, &methods).json(&method)).await.status, 403, "a viewer adds nothing");
    // Helix's agreement lets Norvia contribute analytical methods to this transfer: the rule, not the role, decides.
    let added = send(cmo_qa.request(Method::POST, &methods).json(&method)).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(sponsor.get(&methods).await.body["methods"].as_array().map(Vec::len), Some(2));
    let no_agreement = put(
        &cmo_qa,
        &format!("/methods/{DP_METHOD}/ru-results"),
        &json!({"results": [{"attribute": "Relative potency", "values": ["99"]}], "row_version": 0}),
    )
    .await;
    assert_eq!(no_agreement.status, 403, "results are entered against a method the rule lets one read");
    let stranger = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    assert_eq!(stranger.get(&format!("/methods/{DS_METHOD}")).await.status, 403);
}
