//! Quality agreements over the API: versions, RACI validation, QA-only signing, supersession, history.

use baton_domain::quality::{QualityAgreement, QualityAgreementState};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::json;

const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";
const CASTELLAN_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000002";

on_both_databases!(a_new_version_signed_by_both_qas_supersedes_the_old_one, the_matrix_and_the_signers_are_checked);

async fn quality(client: &ApiClient, partnership: &str) -> QualityAgreement {
    let reply = client.get(&format!("/partnerships/{partnership}/quality-agreement")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    serde_json::from_value(reply.body).expect("quality agreement")
}

/// Approves `version` as the quality agreement shows it now (its content hash), like the app's dialog.
async fn sign(client: &ApiClient, version: &str) -> baton_tests::client::Reply {
    let hash = shown_hash(client, version).await;
    send(
        client
            .request(Method::POST, &format!("/quality-agreements/{version}/signatures"))
            .json(&json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": hash})),
    )
    .await
}

async fn shown_hash(client: &ApiClient, version: &str) -> String {
    for partnership in [NORVIA_PARTNERSHIP, CASTELLAN_PARTNERSHIP] {
        let reply = client.get(&format!("/partnerships/{partnership}/quality-agreement")).await;
        for v in reply.body["versions"].as_array().into_iter().flatten() {
            if v["id"] == version {
                return v["content_hash"].as_str().unwrap_or_default().to_owned();
            }
        }
    }
    String::new()
}

async fn a_new_version_signed_by_both_qas_supersedes_the_old_one(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let cmo_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let seeded = quality(&cmo_qa, NORVIA_PARTNERSHIP).await;
    assert_eq!(seeded.versions.len(), 1);
    assert_eq!(seeded.versions[0].state, QualityAgreementState::Effective);
    assert_eq!(seeded.versions[0].rows.len(), 8);

    let mut rows = serde_json::to_value(&seeded.versions[0].rows).expect("rows");
    rows.as_array_mut().expect("array").push(json!({"activity": "Annual product review", "sponsor": "A", "cmo": "C"}));
    let no_reason = send(
        cmo_qa
            .request(Method::POST, &format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement"))
            .json(&json!({"rows": rows})),
    )
    .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.error_field(), "reason");
    let proposed = send(
        cmo_qa
            .request(Method::POST, &format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement"))
            .json(&json!({"rows": rows, "reason": "Add annual product review"})),
    )
    .await;
    assert_eq!(proposed.status, 201, "{:?}", proposed.body);
    let after: QualityAgreement = serde_json::from_value(proposed.body).expect("quality agreement");
    assert_eq!(after.versions[0].version, 2);
    assert_eq!(after.versions[0].state, QualityAgreementState::Draft);
    assert_eq!(
        after.versions[1].state,
        QualityAgreementState::Effective,
        "the old version stays in force until both approve"
    );
    let v2 = after.versions[0].id.to_string();

    assert_eq!(sign(&cmo_qa, &v2).await.status, 200);
    assert_eq!(sign(&cmo_qa, &v2).await.status, 409, "one approval per party");
    let signed = sign(&sponsor_qa, &v2).await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    let now: QualityAgreement = serde_json::from_value(signed.body).expect("quality agreement");
    assert_eq!(now.versions[0].state, QualityAgreementState::Effective);
    assert_eq!(now.versions[1].state, QualityAgreementState::Superseded);
    assert_eq!(
        sign(&sponsor_qa, &now.versions[1].id.to_string()).await.status,
        409,
        "superseded versions cannot be signed"
    );

    let history = sponsor_qa.get(&format!("/history/quality_agreement/{v2}")).await;
    let actions: Vec<&str> =
        history.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["create", "sign", "sign", "state_change"]);
    assert_eq!(history.body[0]["reason"], "Add annual product review");
    assert_eq!(history.body[0]["old"]["version"], 1);
}

async fn the_matrix_and_the_signers_are_checked(db: Backend) {
    let server = TestServer::start(db).await;
    let castellan_qa = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    let castellan_admin = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@castellan.example").await;
    let seeded = quality(&castellan_qa, CASTELLAN_PARTNERSHIP).await;
    assert_eq!(seeded.versions[0].state, QualityAgreementState::AwaitingSignatures);
    let v1 = seeded.versions[0].id.to_string();

    let refused = sign(&castellan_admin, &v1).await;
    assert_eq!(refused.status, 403, "only QA signs quality agreements: {:?}", refused.body);
    let url = format!("/partnerships/{CASTELLAN_PARTNERSHIP}/quality-agreement");
    let by_operator = send(
        operator
            .request(Method::POST, &url)
            .json(&json!({"rows": [{"activity": "X", "sponsor": "A", "cmo": "R"}], "reason": "x"})),
    )
    .await;
    assert_eq!(by_operator.status, 403);
    for (rows, field) in [
        (json!([]), "rows"),
        (json!([{"activity": "Batch release", "sponsor": "A", "cmo": "A"}]), "rows[0]"),
        (json!([{"activity": "Batch release", "sponsor": "R", "cmo": "C"}]), "rows[0]"),
        (json!([{"activity": "", "sponsor": "A", "cmo": "C"}]), "rows[0].activity"),
        (
            json!([{"activity": "Batch release", "sponsor": "A", "cmo": "C"}, {"activity": "batch release", "sponsor": "C", "cmo": "A"}]),
            "rows[1].activity",
        ),
    ] {
        let reply = send(castellan_qa.request(Method::POST, &url).json(&json!({"rows": rows, "reason": "test"}))).await;
        assert_eq!(reply.status, 422, "{rows}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{rows}");
    }
    let bad_value = send(
        castellan_qa
            .request(Method::POST, &url)
            .json(&json!({"rows": [{"activity": "X", "sponsor": "Z", "cmo": "A"}], "reason": "x"})),
    )
    .await;
    assert_eq!(bad_value.status, 422, "{:?}", bad_value.body);
    assert_eq!(
        quality(&castellan_qa, CASTELLAN_PARTNERSHIP).await.versions.len(),
        1,
        "refused proposals change nothing"
    );

    let signed = sign(&castellan_qa, &v1).await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    assert_eq!(signed.body["versions"][0]["state"], "effective");
}
