//! Reads served from the read cache are never older than the last write a reader could know of: through the same
//! instance, the next read sees it; through another instance on PostgreSQL, as soon as its notification arrives (well
//! inside the cache's one-second lifetime, which alone would leave a just-read record stale for up to a second).

use baton_tests::client::{Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const DS_DELIVERABLE: &str = "00000009-0000-4000-8000-000000010202";
/// The agreement by which Helix shares the drug substance transfer with Norvia.
const VELARIMAB_DS_AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";

on_both_databases!(a_read_right_after_a_change_sees_it_every_time);

fn risk(severity: u8) -> Value {
    json!({"failure_mode": {"step": "Harvest clarification", "failure_mode": "Depth filter clogs earlier",
        "effect": "Yield loss", "ratings": {"severity": severity, "occurrence": 6, "detection": 5},
        "mitigation": "Filter sizing study", "residual": {"severity": severity, "occurrence": 2, "detection": 2}},
        "mitigation_deliverable": DS_DELIVERABLE})
}

/// Adds a risk through `client`, returning its id.
async fn add_risk(client: &ApiClient) -> String {
    let added = send(client.request(Method::POST, &format!("/transfers/{VELARIMAB_DS}/risks")).json(&risk(2))).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    added.body["id"].as_str().expect("id").to_owned()
}

/// Rates the risk's severity `severity` through `client`, on the version shown.
async fn rate(client: &ApiClient, id: &str, severity: u8, row_version: i64) -> Reply {
    let body = json!({"risk": risk(severity), "row_version": row_version});
    send(client.request(Method::PUT, &format!("/risks/{id}")).json(&body)).await
}

/// Twenty changes, each read back at once by its author and by the other party (both reads of a record the previous
/// round left in the cache): every read shows the change just made. Then the agreement is revoked, and the partner's
/// very next read is refused, though its record and agreements were read a moment before.
async fn a_read_right_after_a_change_sees_it_every_time(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let id = add_risk(&helix).await;
    for round in 1..=20i64 {
        let severity = (round % 10 + 1) as u8;
        for reader in [&helix, &norvia] {
            assert_eq!(reader.get(&format!("/risks/{id}")).await.status, 200, "warms the cache");
        }
        let changed = rate(&helix, &id, severity, round).await;
        assert_eq!(changed.status, 200, "{:?}", changed.body);
        for reader in [&helix, &norvia] {
            let read = reader.get(&format!("/risks/{id}")).await;
            assert_eq!(read.body["rpn"], json!(u64::from(severity) * 30), "round {round}: {:?}", read.body);
        }
    }
    let admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    assert_eq!(norvia.get(&format!("/risks/{id}")).await.status, 200, "read under the agreement");
    let revoked = admin.revoke_agreement(VELARIMAB_DS_AGREEMENT, "The study is closed.").await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    let refused = norvia.get(&format!("/risks/{id}")).await;
    assert_eq!(refused.status, 403, "refused at once: {:?}", refused.body);
}

/// How long `check` took to come true, asked every 10 ms for up to half the cache's lifetime; `None` if it never did.
async fn time_until<F, Fut>(check: F) -> Option<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(500) {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Two instances on one PostgreSQL database: a change and a logout made through A are seen by B's next reads, a
/// record B had just read included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_or_a_logout_through_one_instance_is_seen_by_another() {
    if !baton_tests::database::postgres_available() {
        return;
    }
    let a = TestServer::start(Backend::Postgres).await;
    let b = a.another_instance().await;
    let helix = ApiClient::logged_in(&a.base_url, "lead@helix.example").await;
    let on_b = |path: &str| format!("{}/api/v1{path}", b.base_url);
    let id = add_risk(&helix).await;
    let read_on_b = || async {
        let reply = helix.http.get(on_b(&format!("/risks/{id}"))).send().await.expect("request");
        reply.json::<Value>().await.expect("json")
    };
    assert_eq!(read_on_b().await["rpn"], json!(60), "B reads the risk (and keeps it)");
    assert_eq!(rate(&helix, &id, 9, 1).await.status, 200);
    let seen = time_until(|| async { read_on_b().await["rpn"] == json!(270) }).await;
    assert!(seen.is_some(), "B sees the change made through A at once, not after the cache's lifetime");

    // The session's cookie, replayed by hand: a cookie jar would drop it at logout and prove nothing.
    let http = reqwest::Client::new();
    let login = send(http.post(format!("{}/api/v1/session", a.base_url)).json(&json!({
        "email": "qa@helix.example", "password": baton_tests::client::DEMO_PASSWORD})))
    .await;
    assert_eq!(login.status, 200);
    let cookie = login.headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie");
    let cookie = cookie.split(';').next().expect("name=value").to_owned();
    let token = login.body["csrf_token"].as_str().expect("token").to_owned();
    let status_on_b =
        || async { http.get(on_b("/session")).header("cookie", &cookie).send().await.expect("request").status() };
    assert_eq!(status_on_b().await, 200, "B knows the session (and keeps it)");
    let logout = http.delete(format!("{}/api/v1/session", a.base_url)).header("cookie", &cookie);
    assert_eq!(send(logout.header(baton_domain::session::CSRF_HEADER, &token)).await.status, 204);
    let ended = time_until(|| async { status_on_b().await == 401 }).await;
    assert!(ended.is_some(), "a logout through A ends the session on B");
}
