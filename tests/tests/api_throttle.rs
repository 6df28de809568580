//! Throttles under parallel attempts: every attempt is counted before its password is checked, so a burst cannot
//! outrun the limits; refused signatures are on the audit trail.

use baton_domain::agreement::AgreementView;
use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::{Method, RequestBuilder};
use serde_json::json;
use tokio::task::JoinSet;

on_both_databases!(
    parallel_wrong_passwords_for_one_account_get_at_most_five_tries,
    a_parallel_flood_from_one_address_gets_at_most_thirty_tries,
    successful_logins_do_not_use_up_the_address_limit,
    parallel_wrong_signatures_lock_signing_after_five_and_are_audited,
    a_wrong_password_on_a_quality_agreement_is_audited_and_the_right_one_still_signs,
);

/// Sends all requests at once; returns how many got 401 and how many 429 (and fails on any other answer).
async fn burst(requests: Vec<RequestBuilder>) -> (usize, usize) {
    let mut running = JoinSet::new();
    for request in requests {
        running.spawn(send(request));
    }
    let (mut refused, mut throttled) = (0, 0);
    while let Some(reply) = running.join_next().await {
        let reply: Reply = reply.expect("request task");
        match reply.status {
            401 => refused += 1,
            429 => {
                assert_eq!(reply.error_code(), "too_many_attempts", "{:?}", reply.body);
                throttled += 1;
            }
            other => panic!("unexpected {other}: {:?}", reply.body),
        }
    }
    (refused, throttled)
}

fn login(http: &reqwest::Client, server: &TestServer, email: &str, password: &str) -> RequestBuilder {
    http.post(server.url("/api/v1/session")).json(&json!({"email": email, "password": password}))
}

async fn parallel_wrong_passwords_for_one_account_get_at_most_five_tries(db: Backend) {
    let server = TestServer::start(db).await;
    let http = reqwest::Client::new();
    let guesses = (0..20).map(|i| login(&http, &server, "qa@helix.example", &format!("guess-{i}"))).collect();
    let (refused, throttled) = burst(guesses).await;
    assert!((1..=5).contains(&refused), "{refused} wrong passwords were checked, the limit is 5");
    assert_eq!(refused + throttled, 20);
    let mut client = ApiClient::new(&server.base_url);
    let right = client.login("qa@helix.example", DEMO_PASSWORD).await;
    assert_eq!(right.status, 429, "the right password is refused until the lock ends: {:?}", right.body);
}

async fn a_parallel_flood_from_one_address_gets_at_most_thirty_tries(db: Backend) {
    let server = TestServer::start(db).await;
    let http = reqwest::Client::new();
    let guesses = (0..100).map(|i| login(&http, &server, &format!("user{i}@spray.example"), "Winter2026!")).collect();
    let (refused, throttled) = burst(guesses).await;
    assert!((1..=30).contains(&refused), "{refused} guesses were checked, the address limit is 30");
    assert_eq!(refused + throttled, 100);
    let mut client = ApiClient::new(&server.base_url);
    assert_eq!(client.login("admin@norvia.example", DEMO_PASSWORD).await.status, 429, "the address is locked");
}

async fn successful_logins_do_not_use_up_the_address_limit(db: Backend) {
    let server = TestServer::start(db).await;
    // No cookie jar: each login is a new session, as from many browsers behind one plant-floor address.
    let http = reqwest::Client::new();
    for i in 0..35 {
        let reply = send(login(&http, &server, "operator@norvia.example", DEMO_PASSWORD)).await;
        assert_eq!(reply.status, 200, "login {i}: {:?}", reply.body);
    }
    for i in 0..29 {
        let reply = send(login(&http, &server, &format!("nobody{i}@spray.example"), "x")).await;
        assert_eq!(reply.status, 401, "guess {i}: {:?}", reply.body);
    }
    let reply = send(login(&http, &server, "operator@norvia.example", DEMO_PASSWORD)).await;
    assert_eq!(reply.status, 200, "29 failures are within the address limit: {:?}", reply.body);
}

fn terms() -> serde_json::Value {
    json!({
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
    })
}

async fn parallel_wrong_signatures_lock_signing_after_five_and_are_audited(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let drafted = send(sponsor.request(Method::POST, "/agreements").json(&terms())).await;
    assert_eq!(drafted.status, 201, "{:?}", drafted.body);
    let agreement: AgreementView = serde_json::from_value(drafted.body).expect("an agreement");
    let id = agreement.id.to_string();
    let path = format!("/agreements/{id}/signatures");
    let hash = agreement.content_hash.clone();

    let attempts = (0..20)
        .map(|i| {
            sponsor
                .request(Method::POST, &path)
                .json(&json!({"password": format!("not-my-password-{i}"), "meaning": "approved", "content_hash": hash}))
        })
        .collect();
    let (refused, throttled) = burst(attempts).await;
    assert!((1..=5).contains(&refused), "{refused} wrong signing passwords were checked, the limit is 5");
    assert_eq!(refused + throttled, 20);
    let right = sponsor.approve_agreement(&id, DEMO_PASSWORD).await;
    assert_eq!(right.status, 429, "signing stays locked for the right password: {:?}", right.body);
    let unchanged = sponsor.get(&format!("/agreements/{id}")).await;
    assert_eq!(unchanged.body["signatures"].as_array().map(Vec::len), Some(0));

    let trail = sponsor.get(&format!("/audit?action=sign_failed&record_type=agreement&record_id={id}")).await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    let entries = trail.body["items"].as_array().expect("items");
    assert_eq!(entries.len(), refused, "one audit entry per wrong password checked: {entries:?}");
    for entry in entries {
        assert_eq!(entry["actor_name"], "Priya Natarajan");
        assert_eq!(entry["record_type"], "agreement");
        assert_eq!(entry["record_id"], id.as_str());
    }
    let verified = server.run(&["audit", "verify"], None).await;
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));
}

async fn a_wrong_password_on_a_quality_agreement_is_audited_and_the_right_one_still_signs(db: Backend) {
    let server = TestServer::start(db).await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    let current = qa.get("/partnerships/00000005-0000-4000-8000-000000000002/quality-agreement").await;
    assert_eq!(current.status, 200, "{:?}", current.body);
    let version = current.body["versions"][0]["id"].as_str().expect("a version id").to_owned();
    let path = format!("/quality-agreements/{version}/signatures");
    let hash = current.body["versions"][0]["content_hash"].clone();
    let sign = |password: &str| {
        let body = json!({"password": password, "meaning": "approved", "content_hash": hash});
        send(qa.request(Method::POST, &path).json(&body))
    };

    let wrong = sign("not-my-password").await;
    assert_eq!(wrong.status, 401, "{:?}", wrong.body);
    assert_eq!(wrong.error_field(), "password");
    let trail = qa.get(&format!("/audit?action=sign_failed&record_type=quality_agreement&record_id={version}")).await;
    let entries = trail.body["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor_name"], "Chiara Bassi");

    let right = sign(DEMO_PASSWORD).await;
    assert_eq!(right.status, 200, "one failure does not lock signing: {:?}", right.body);
}
