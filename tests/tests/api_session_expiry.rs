//! Sessions end after a spell of inactivity and at an absolute limit after login, on a server started with limits
//! of a few seconds; an open event stream ends with its session.

use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::sse::EventStream;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

on_both_databases!(
    an_idle_session_ends_and_its_row_is_deleted,
    activity_keeps_a_session_alive_past_the_idle_limit,
    a_busy_session_still_ends_at_the_absolute_limit,
    an_event_stream_delivers_nothing_once_its_session_is_logged_out,
);

/// Logs in with a client without a cookie jar and returns the raw cookie, so that expiry is judged by the server,
/// not by the client dropping an expired cookie.
async fn login(server: &TestServer, http: &reqwest::Client) -> String {
    let reply = send(
        http.post(server.url("/api/v1/session")).json(&json!({"email": "qa@helix.example", "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let set_cookie = reply.headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("a session cookie");
    set_cookie.split(';').next().expect("name=value").to_owned()
}

async fn whoami(server: &TestServer, http: &reqwest::Client, cookie: &str) -> u16 {
    let reply = send(http.get(server.url("/api/v1/session")).header("cookie", cookie)).await;
    if reply.status == 401 {
        assert_eq!(reply.error_code(), "unauthenticated");
    }
    reply.status
}

async fn an_idle_session_ends_and_its_row_is_deleted(db: Backend) {
    let server =
        TestServer::start_with_env(db, &[("BATON_SESSION_IDLE_SECS", "2"), ("BATON_SESSION_MAX_SECS", "600")]).await;
    let http = reqwest::Client::new();
    let cookie = login(&server, &http).await;
    assert_eq!(whoami(&server, &http, &cookie).await, 200);
    assert_eq!(server.session_rows().await, 1);
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(whoami(&server, &http, &cookie).await, 401, "idle for longer than the limit");
    assert_eq!(server.session_rows().await, 0, "the ended session's row is deleted");
}

async fn activity_keeps_a_session_alive_past_the_idle_limit(db: Backend) {
    let server =
        TestServer::start_with_env(db, &[("BATON_SESSION_IDLE_SECS", "3"), ("BATON_SESSION_MAX_SECS", "600")]).await;
    let http = reqwest::Client::new();
    let cookie = login(&server, &http).await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(whoami(&server, &http, &cookie).await, 200, "after {:?}", started.elapsed());
    }
}

async fn a_busy_session_still_ends_at_the_absolute_limit(db: Backend) {
    let server =
        TestServer::start_with_env(db, &[("BATON_SESSION_IDLE_SECS", "3"), ("BATON_SESSION_MAX_SECS", "5")]).await;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let cookie = login(&server, &http).await;
    let mut ended = None;
    while started.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let at = started.elapsed();
        let status = whoami(&server, &http, &cookie).await;
        if at < Duration::from_millis(4500) {
            assert_eq!(status, 200, "still within both limits after {at:?}");
        }
        if status == 401 {
            ended.get_or_insert(at);
        } else {
            assert!(ended.is_none(), "an ended session does not come back ({at:?})");
        }
    }
    let ended = ended.expect("the session ended despite activity");
    assert!(ended <= Duration::from_millis(6500), "ended {ended:?} after login, the limit is 5 s");
    assert_eq!(server.session_rows().await, 0);
}

/// A stream checks its session at half the idle limit (at most every 30 s) when it wakes: once its user has logged
/// out, the next change ends it instead of reaching it.
async fn an_event_stream_delivers_nothing_once_its_session_is_logged_out(db: Backend) {
    let server =
        TestServer::start_with_env(db, &[("BATON_SESSION_IDLE_SECS", "4"), ("BATON_SESSION_MAX_SECS", "600")]).await;
    let (viewer, writer) = (
        ApiClient::logged_in(&server.base_url, "lead@norvia.example").await,
        ApiClient::logged_in(&server.base_url, "lead@helix.example").await,
    );
    let comment = |text: &str| {
        let path = "/comments/transfer/00000003-0000-4000-8000-000000000001";
        send(writer.request(Method::POST, path).json(&json!({ "text": text })))
    };
    let mut feed = EventStream::open(&viewer, None).await;
    assert_eq!(comment("Before the logout.").await.status, 201);
    assert_eq!(feed.next().await.data["action"], "comment", "the stream works while the session lives");

    assert_eq!(send(viewer.request(Method::DELETE, "/session")).await.status, 204);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(comment("After the logout.").await.status, 201);
    assert!(feed.ends_within(Duration::from_secs(5)).await, "the stream of a logged-out session ended");
}
