//! The audit CSV export cannot carry a spreadsheet formula: cells that would start one are quoted.

use baton_domain::agreement::AgreementView;
use baton_tests::client::send;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::json;

on_both_databases!(formula_like_values_come_out_of_the_csv_export_neutralised);

async fn formula_like_values_come_out_of_the_csv_export_neutralised(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let terms = json!({
        "title": "Velarimab drug product — initiation data",
        "grantee": "00000001-0000-4000-8000-000000000002",
        "scope": {
            "products": {"kind": "only", "items": ["00000007-0000-4000-8000-000000000003"]},
            "transfers": {"kind": "only", "items": ["00000003-0000-4000-8000-000000000003"]},
            "data_classes": ["process_description"]
        },
        "permission": "view",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z"
    });
    let drafted = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
    assert_eq!(drafted.status, 201, "{:?}", drafted.body);
    let mut agreement: AgreementView = serde_json::from_value(drafted.body).expect("an agreement");
    let id = agreement.id.to_string();
    for (permission, reason) in [("comment", "=HYPERLINK(\"http://evil.example\",\"Open\")"), ("view", "@SUM(1+1)")] {
        let mut changed = terms.clone();
        changed["permission"] = json!(permission);
        let edited = send(
            sponsor
                .request(Method::PUT, &format!("/agreements/{id}"))
                .json(&json!({"terms": changed, "row_version": agreement.row_version, "reason": reason})),
        )
        .await;
        assert_eq!(edited.status, 200, "{:?}", edited.body);
        agreement = serde_json::from_value(edited.body).expect("edited");
    }

    let csv = send(sponsor.request(Method::GET, &format!("/audit/export.csv?record_id={id}"))).await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().expect("csv text");
    assert!(text.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Open\"\")\"\n"), "{text}");
    assert!(text.contains(",'@SUM(1+1)\n"), "{text}");
    for line in text.lines() {
        for start in [",=", ",\"=", ",@", ",\"@", ",+", ",-", ",\"-", ",\t"] {
            assert!(!line.contains(start), "a live formula cell in {line:?}");
        }
    }
}
