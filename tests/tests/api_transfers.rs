//! Reading transfers over the API: a party with an agreement, a stranger, bad ids, no session.

use baton_domain::transfer::TransferDetail;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const CORVASTATIN: &str = "00000003-0000-4000-8000-000000000002";

on_both_databases!(
    a_party_reads_a_transfer_and_a_stranger_is_refused_without_a_leak,
    unknown_and_malformed_ids_are_told_apart,
    nothing_is_served_without_a_session,
);

async fn a_party_reads_a_transfer_and_a_stranger_is_refused_without_a_leak(db: Backend) {
    let server = TestServer::start(db).await;
    let cmo = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let reply = cmo.get(&format!("/transfers/{VELARIMAB_DS}")).await;
    assert_eq!(reply.status, 200);
    let detail: TransferDetail = serde_json::from_value(reply.body).expect("detail");
    assert_eq!(detail.product, "Velarimab drug substance");
    assert_eq!(detail.sending_site.name, "Helix Basel Biologics");
    assert_eq!(detail.receiving_site.name, "Norvia Ghent Biologics Plant");
    assert_eq!(detail.stage.describe(), "Analytical method transfer (stage 4 of 8)");
    assert_eq!(detail.team.len(), 4, "{:?}", detail.team);

    let stranger = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    let refused = stranger.get(&format!("/transfers/{VELARIMAB_DS}")).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code(), "no_access");
    let text = refused.body.to_string();
    for secret in ["Velarimab", "Basel", "Ghent", "TT-2026-001", "Norvia"] {
        assert!(!text.contains(secret), "the refusal leaks {secret:?}: {text}");
    }
    assert_eq!(stranger.get(&format!("/transfers/{CORVASTATIN}")).await.status, 200);
}

async fn unknown_and_malformed_ids_are_told_apart(db: Backend) {
    let server = TestServer::start(db).await;
    let client = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let unknown = client.get("/transfers/00000003-0000-4000-8000-0000000000ff").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "not_found");
    for bad in ["42", "not-a-uuid", "00000003-0000-4000-8000-00000000000g", "%00"] {
        let reply = client.get(&format!("/transfers/{bad}")).await;
        assert_eq!(reply.status, 422, "{bad}: {:?}", reply.body);
        assert_eq!(reply.error_field(), "id", "{bad}");
    }
    let nowhere = client.get("/no-such-endpoint").await;
    assert_eq!(nowhere.status, 404);
    assert_eq!(nowhere.error_code(), "not_found");
}

/// Every operation in the OpenAPI document, except logging in, refuses a caller without a session.
async fn nothing_is_served_without_a_session(db: Backend) {
    let server = TestServer::start(db).await;
    let anonymous = ApiClient::new(&server.base_url);
    let doc = anonymous.get("/openapi.json").await;
    assert_eq!(doc.status, 200);
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            if path == "/session" && method == "post" {
                continue;
            }
            let concrete = path.replace("{record_type}", "transfer").replace("{id}", VELARIMAB_DS);
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let reply = baton_tests::client::send(anonymous.request(method.clone(), &concrete)).await;
            assert_eq!(reply.status, 401, "{method} {path}: {:?}", reply.body);
            assert_eq!(reply.error_code(), "unauthenticated", "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 4, "the document lists the session and transfer operations ({checked} checked)");
}
