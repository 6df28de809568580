//! Batches over the API: recorded by the CMO at its own site, results judged against their limits (OOS computed,
//! never typed), dispositioned only by QA of the party the quality agreement makes accountable, on the content the
//! signer was shown; the scorecard's right-first-time and lot acceptance follow the dispositions.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const NORVIA_GHENT: &str = "00000002-0000-4000-8000-000000000003";
const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";
/// Norvia's commercial Velarimab drug substance batch 4, whose assay is out of specification.
const OOS_BATCH: &str = "0000000e-0000-4000-8000-000000000104";

on_both_databases!(
    a_batch_is_recorded_judged_and_dispositioned_by_the_accountable_qa,
    a_result_is_corrected_with_a_reason_and_the_value_replaced_is_kept,
    the_scorecard_follows_dispositions_and_is_the_partnership_s
);

fn batch(number: &str) -> Value {
    json!({"number": number, "batch_type": "commercial", "site": NORVIA_GHENT, "product": VELARIMAB_DS_PRODUCT,
        "planned_start": "2026-11-02", "planned_end": "2026-11-14", "actual_start": "2026-11-02",
        "actual_end": "2026-11-15", "theoretical_yield": "250.0", "actual_yield": "231.0", "yield_unit": "kg"})
}

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

fn assay(value: &str) -> Value {
    json!({"test": "Assay", "value": {"kind": "numeric", "value": value, "lower": "95.0", "upper": "105.0", "unit": "%"}})
}

async fn a_batch_is_recorded_judged_and_dispositioned_by_the_accountable_qa(db: Backend) {
    let server = TestServer::start(db).await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let created = post(&operator, "/batches", &batch("VDS-26-0100")).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["status"], "completed");
    let id = created.body["id"].as_str().expect("id").to_owned();

    let again = post(&operator, "/batches", &batch("VDS-26-0100")).await;
    assert_eq!((again.status, again.error_field()), (422, "number"), "numbers are unique per CMO");
    let mut reversed = batch("VDS-26-0101");
    reversed["planned_end"] = json!("2026-10-01");
    let reversed = post(&operator, "/batches", &reversed).await;
    assert_eq!((reversed.status, reversed.error_field()), (422, "planned_end"));
    let fraction = post(&operator, "/batches", &json!({"number": "X", "theoretical_yield": 250.0})).await;
    assert_eq!(fraction.status, 422, "malformed bodies are refused: {:?}", fraction.body);
    // Only the CMO records its batches; Helix reads them through the agreement Norvia granted, Castellan not at all.
    for (who, reads) in [("operator@castellan.example", 403), ("operator@helix.example", 200)] {
        let client = ApiClient::logged_in(&server.base_url, who).await;
        let refused = post(&client, "/batches", &batch("VDS-26-0102")).await;
        assert_eq!((refused.status, refused.error_code()), (403, "no_access"), "{who}: {:?}", refused.body);
        let read = client.get(&format!("/batches/{id}")).await;
        assert_eq!(read.status, reads, "{who}: {:?}", read.body);
    }

    let judged = post(&operator, &format!("/batches/{id}/results"), &assay("94.9")).await;
    assert_eq!(judged.status, 201, "{:?}", judged.body);
    assert_eq!(judged.body["results"][0]["out_of_spec"], true, "computed from the limits");
    let typed = post(
        &operator,
        &format!("/batches/{id}/results"),
        &json!({"test": "Assay", "out_of_spec": false,
        "value": {"kind": "numeric", "value": "94.9", "lower": "95.0", "unit": "%"}}),
    )
    .await;
    match typed.status {
        201 => assert_eq!(typed.body["results"][1]["out_of_spec"], true, "a typed out_of_spec is ignored"),
        status => assert_eq!(status, 422, "a typed out_of_spec is refused or ignored: {:?}", typed.body),
    }

    // Helix's QA releases (the quality agreement makes Helix accountable for batch release); Norvia's may not.
    let norvia_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let shown = norvia_qa.get(&format!("/batches/{id}")).await.body;
    let hash = shown["content_hash"].as_str().expect("hash").to_owned();
    let sign = |disposition: &str, hash: &str| json!({"disposition": disposition, "reason": "Assay below limit", "password": DEMO_PASSWORD, "content_hash": hash});
    let not_accountable = post(&norvia_qa, &format!("/batches/{id}/disposition"), &sign("rejected", &hash)).await;
    assert_eq!(not_accountable.status, 409, "{:?}", not_accountable.body);
    assert!(not_accountable.body.to_string().contains("Helix Biologics"), "{:?}", not_accountable.body);

    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let release = post(&helix_qa, &format!("/batches/{id}/disposition"), &sign("released", &hash)).await;
    assert_eq!(release.status, 409, "no release with results out of specification: {:?}", release.body);
    assert!(release.body.to_string().contains("Assay"), "{:?}", release.body);
    let stale = post(&helix_qa, &format!("/batches/{id}/disposition"), &sign("rejected", "0000")).await;
    assert_eq!(stale.status, 409, "signed on content the signer was not shown: {:?}", stale.body);
    let helix_lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let not_qa = post(&helix_lead, &format!("/batches/{id}/disposition"), &sign("rejected", &hash)).await;
    assert_eq!(not_qa.status, 403, "{:?}", not_qa.body);
    let mut no_reason = sign("rejected", &hash);
    no_reason["reason"] = json!(" ");
    let no_reason = post(&helix_qa, &format!("/batches/{id}/disposition"), &no_reason).await;
    assert_eq!((no_reason.status, no_reason.error_field()), (422, "reason"));

    let rejected = post(&helix_qa, &format!("/batches/{id}/disposition"), &sign("rejected", &hash)).await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["disposition"]["signature"]["meaning"], "rejected");
    assert_eq!(rejected.body["disposition"]["signature"]["signer_name"], "Dana Kim");
    let twice = post(&helix_qa, &format!("/batches/{id}/disposition"), &sign("rejected", &hash)).await;
    assert_eq!(twice.status, 409, "{:?}", twice.body);
    let after = post(&operator, &format!("/batches/{id}/results"), &assay("99.0")).await;
    assert_eq!(after.status, 409, "a dispositioned batch's record no longer changes: {:?}", after.body);

    let history = norvia_qa.get(&format!("/history/batch/{id}")).await;
    let actions: Vec<&str> =
        history.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"create") && actions.contains(&"sign") && actions.contains(&"state_change"),
        "{actions:?}"
    );
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

async fn a_result_is_corrected_with_a_reason_and_the_value_replaced_is_kept(db: Backend) {
    let server = TestServer::start(db).await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let id = post(&operator, "/batches", &batch("VDS-26-0300")).await.body["id"].as_str().expect("id").to_owned();
    let judged = post(&operator, &format!("/batches/{id}/results"), &assay("94.9")).await;
    assert_eq!(judged.body["results"][0]["out_of_spec"], true);
    let result_id = judged.body["results"][0]["id"].clone();
    let version = judged.body["row_version"].as_i64().expect("version");
    let path = format!("/batches/{id}/results");
    let correction = |value: &str, reason: &str, version: i64| json!({"result_id": result_id, "result": assay(value), "reason": reason, "row_version": version});

    let unexplained = put(&operator, &path, &correction("95.4", " ", version)).await;
    assert_eq!((unexplained.status, unexplained.error_field()), (422, "reason"));
    let mut reversed = correction("95.4", "Typo", version);
    reversed["result"]["value"]["lower"] = json!("106.0");
    let reversed = put(&operator, &path, &reversed).await;
    assert_eq!((reversed.status, reversed.error_field()), (422, "result.value.upper"));
    let mut unknown = correction("95.4", "Typo", version);
    unknown["result_id"] = json!(OOS_BATCH);
    let unknown = put(&operator, &path, &unknown).await;
    assert_eq!((unknown.status, unknown.error_field()), (422, "result_id"));
    let stale = put(&operator, &path, &correction("95.4", "Typo", version - 1)).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    assert_eq!(put(&viewer, &path, &correction("95.4", "Typo", version)).await.status, 403);
    let outsider = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    assert_eq!(put(&outsider, &path, &correction("95.4", "Typo", version)).await.status, 403);
    let unchanged = operator.get(&format!("/batches/{id}")).await.body;
    assert_eq!(
        (unchanged["results"][0]["out_of_spec"].as_bool(), unchanged["row_version"].as_i64()),
        (Some(true), Some(version))
    );

    let reason = "Transcription error: the chromatogram reads 95.4";
    let corrected = put(&operator, &path, &correction("95.4", reason, version)).await;
    assert_eq!(corrected.status, 200, "{:?}", corrected.body);
    assert_eq!(corrected.body["results"][0]["out_of_spec"], false, "judged again from the corrected value");
    assert_eq!(corrected.body["results"].as_array().map(Vec::len), Some(1), "corrected, not added");
    assert!(corrected.body["row_version"].as_i64() > Some(version), "what a disposition signs has changed");

    let history = operator.get(&format!("/history/batch/{id}")).await;
    let entry = history.body.as_array().expect("entries").iter().find(|e| e["reason"] == reason).cloned();
    let entry = entry.expect("the correction is on the trail");
    assert_eq!(
        (entry["old"]["value"]["value"].as_str(), entry["old"]["out_of_spec"].as_bool()),
        (Some("94.9"), Some(true))
    );
    assert_eq!(
        (entry["new"]["value"]["value"].as_str(), entry["new"]["out_of_spec"].as_bool()),
        (Some("95.4"), Some(false))
    );

    // Once dispositioned, the record no longer changes.
    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let hash = helix_qa.get(&format!("/batches/{id}")).await.body["content_hash"].clone();
    let release = json!({"disposition": "released", "reason": "", "password": DEMO_PASSWORD, "content_hash": hash});
    assert_eq!(post(&helix_qa, &format!("/batches/{id}/disposition"), &release).await.status, 200);
    let version = helix_qa.get(&format!("/batches/{id}")).await.body["row_version"].as_i64().expect("version");
    let after = put(&operator, &path, &correction("96.0", "Late typo", version)).await;
    assert_eq!(after.status, 409, "{:?}", after.body);
}

async fn current(client: &ApiClient, kind: &str) -> Value {
    let card = client.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?grain=month")).await;
    assert_eq!(card.status, 200, "{:?}", card.body);
    let lines = card.body["lines"].as_array().expect("lines");
    lines.iter().find(|l| l["kind"] == kind).cloned().expect("line")
}

async fn the_scorecard_follows_dispositions_and_is_the_partnership_s(db: Backend) {
    let server = TestServer::start(db).await;
    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    // The demo's commercial batches were released this month: four of four, none with a deviation.
    for client in [&helix_qa, &norvia] {
        assert_eq!(current(client, "lot_acceptance").await["basis"], "4 of 4 dispositioned batches released");
        assert_eq!(current(client, "right_first_time").await["display"], "100.0 %");
    }
    let shown = helix_qa.get(&format!("/batches/{OOS_BATCH}")).await.body;
    let reject = json!({"disposition": "rejected", "reason": "Assay out of specification", "password": DEMO_PASSWORD,
        "content_hash": shown["content_hash"]});
    let rejected = post(&helix_qa, &format!("/batches/{OOS_BATCH}/disposition"), &reject).await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    let acceptance = current(&norvia, "lot_acceptance").await;
    assert_eq!((acceptance["display"].clone(), acceptance["rag"].clone()), (json!("80.0 %"), json!("red")));
    assert_eq!(
        current(&helix_qa, "right_first_time").await["basis"],
        "5 of 5 dispositioned batches without a deviation"
    );

    let csv = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard.csv?grain=month")).await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().map(str::to_owned).unwrap_or_else(|| csv.body.to_string());
    assert!(text.starts_with("period,kpi,value,shown,basis"), "{text}");
    assert!(text.contains("lot_acceptance,0.800000,80.0 %,4 of 5 dispositioned batches released"), "{text}");

    let castellan = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    let refused = castellan.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard.csv")).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    let outsider = castellan.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard")).await;
    assert_eq!(outsider.status, 403, "{:?}", outsider.body);
    let bad = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?from=2026-13")).await;
    assert_eq!((bad.status, bad.error_field()), (422, "from"));
    let reversed = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?from=2026-05&to=2026-01")).await;
    assert_eq!((reversed.status, reversed.error_field()), (422, "from"));
    let long = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?from=1990-01&to=2026-01")).await;
    assert_eq!((long.status, long.error_field()), (422, "from"));
}
