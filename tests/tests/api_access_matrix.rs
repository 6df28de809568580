//! Every operation in the OpenAPI document, called by an outsider to the record it names, is refused without
//! leaking the record. An operation this matrix does not know how to call fails the test, so new endpoints must
//! be added here.

use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DS_AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";

on_both_databases!(outsiders_are_refused_on_every_operation);

/// How to call an operation as an outsider: the concrete path, a body, and what must be true of the answer.
enum Expect {
    /// 403 and no secret in the body.
    Refused,
    /// 200, and the body must not mention the outsider's partners' records.
    OnlyOwn,
    /// Not about another organisation's record (logging in and out, the API description).
    NotApplicable,
}

fn plan(method: &str, path: &str, quality_version: &str) -> Option<(String, Value, Expect)> {
    let terms = json!({
        "title": "x", "grantee": "00000001-0000-4000-8000-000000000002",
        "scope": {"products": {"kind": "all"}, "transfers": {"kind": "all"}, "data_classes": ["commercial"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"
    });
    let agreement = format!("/agreements/{VELARIMAB_DS_AGREEMENT}");
    Some(match (method, path) {
        ("get" | "post" | "delete", "/session") => (path.into(), Value::Null, Expect::NotApplicable),
        ("get", "/transfers") => (path.into(), Value::Null, Expect::OnlyOwn),
        ("get", "/transfers/{id}") => (format!("/transfers/{VELARIMAB_DS}"), Value::Null, Expect::Refused),
        ("get", "/partners") => (path.into(), Value::Null, Expect::OnlyOwn),
        ("get", "/agreements") => (path.into(), Value::Null, Expect::OnlyOwn),
        // Drafting for another organisation's partnership is refused: the outsider has no partnership with Norvia.
        ("post", "/agreements") => (path.into(), terms, Expect::Refused),
        ("get", "/agreements/{id}") => (agreement, Value::Null, Expect::Refused),
        ("put", "/agreements/{id}") => {
            (agreement, json!({"terms": terms, "row_version": 1, "reason": "x"}), Expect::Refused)
        }
        ("post", "/agreements/{id}/signatures") => (
            format!("{agreement}/signatures"),
            json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": "x"}),
            Expect::Refused,
        ),
        ("post", "/agreements/{id}/amendments") => {
            (format!("{agreement}/amendments"), json!({"reason": "x", "row_version": 1}), Expect::Refused)
        }
        ("post", "/agreements/{id}/revocation") => (
            format!("{agreement}/revocation"),
            json!({"password": DEMO_PASSWORD, "reason": "x", "row_version": 1}),
            Expect::Refused,
        ),
        ("get", "/audit") | ("get", "/audit/export.csv") | ("get", "/audit/actors") => {
            (path.into(), Value::Null, Expect::OnlyOwn)
        }
        ("get", "/partnerships/{id}/quality-agreement") => {
            (format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement"), Value::Null, Expect::Refused)
        }
        ("post", "/partnerships/{id}/quality-agreement") => (
            format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement"),
            json!({"rows": [{"activity": "Batch release", "sponsor": "A", "cmo": "R"}], "reason": "x"}),
            Expect::Refused,
        ),
        ("post", "/quality-agreements/{id}/signatures") => (
            format!("/quality-agreements/{quality_version}/signatures"),
            json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": "x"}),
            Expect::Refused,
        ),
        ("get", "/history/{record_type}/{id}") => {
            (format!("/history/agreement/{VELARIMAB_DS_AGREEMENT}"), Value::Null, Expect::Refused)
        }
        _ => return None,
    })
}

async fn outsiders_are_refused_on_every_operation(db: Backend) {
    let server = TestServer::start(db).await;
    // Castellan's admin (a signatory, the strongest role) is an outsider to Helix–Norvia records.
    let outsider = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    let insider = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let quality = insider.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement")).await;
    let quality_version = quality.body["versions"][0]["id"].as_str().expect("a version").to_owned();
    let doc = outsider.get("/openapi.json").await;
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut covered = 0;
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let (concrete, body, expect) = plan(method, path, &quality_version)
                .unwrap_or_else(|| panic!("{method} {path} is not in the access matrix: add it"));
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let mut request = outsider.request(http_method, &concrete);
            if !body.is_null() {
                request = request.json(&body);
            }
            match expect {
                Expect::NotApplicable => continue,
                Expect::Refused => {
                    let reply = send(request).await;
                    assert!(
                        reply.status == 403 || reply.status == 422,
                        "{method} {path}: {} {:?}",
                        reply.status,
                        reply.body
                    );
                    let text = reply.body.to_string();
                    for secret in ["Velarimab", "Norvia Ghent", "Basel"] {
                        assert!(!text.contains(secret), "{method} {path} leaks {secret}: {text}");
                    }
                }
                Expect::OnlyOwn => {
                    let reply = send(request).await;
                    assert_eq!(reply.status, 200, "{method} {path}: {:?}", reply.body);
                    let text = reply.body.to_string();
                    for secret in ["Velarimab", "Norvia CDMO", "Jan De Smet", "Amina Haddad"] {
                        assert!(!text.contains(secret), "{method} {path} shows another partnership's {secret}: {text}");
                    }
                }
            }
            covered += 1;
        }
    }
    assert!(covered >= 12, "only {covered} operations checked");
}
