//! Live updates over the API: a change is announced on `/api/v1/events` to every subscriber the access rule lets
//! read the record, decided when it is delivered (an agreement revoked a second ago stops the flow), and to no one
//! else; a stream that reconnects with `Last-Event-ID` receives everything it missed, in order; on PostgreSQL a
//! change written through one instance reaches a subscriber of another.

use baton_tests::client::{Reply, send};
use baton_tests::sse::EventStream;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// Velarimab drug substance (TT-2026-001), which an agreement in force shares with Norvia.
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
/// Corvastatin tablets (TT-2025-014), shared with Castellan.
const CORVASTATIN: &str = "00000003-0000-4000-8000-000000000002";
/// Norvia CDMO.
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
/// Helix's agreement sharing Velarimab drug substance with Norvia.
const VELARIMAB_DS_AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";

on_both_databases!(
    a_change_reaches_the_readers_of_the_record_and_no_one_else,
    a_stream_resumed_with_last_event_id_loses_nothing,
    revoking_an_agreement_stops_delivery_at_once,
    the_stream_needs_a_session,
    open_streams_do_not_hold_up_a_graceful_shutdown,
    many_streams_on_one_instance_share_one_read_of_the_table,
    a_stream_resumed_from_before_the_kept_events_is_told_to_reload,
    an_event_names_the_tab_that_made_the_change,
);

/// The first deliverable of `transfer`'s first stage whose gate is open (its deliverables may change), as `client`
/// sees it.
async fn first_deliverable(client: &ApiClient, transfer: &str) -> Value {
    let plan = client.get(&format!("/transfers/{transfer}/stages")).await;
    assert_eq!(plan.status, 200, "{:?}", plan.body);
    let stages = plan.body["stages"].as_array().expect("stages");
    let open = stages.iter().find(|s| s["gate"]["state"] == "open" && s["deliverables"][0].is_object());
    open.expect("a stage with an open gate and deliverables")["deliverables"][0].clone()
}

/// Changes the description of `transfer`'s first changeable deliverable to `note`, on the version shown; returns its id.
async fn touch(client: &ApiClient, transfer: &str, note: &str) -> String {
    let d = first_deliverable(client, transfer).await;
    let id = d["id"].as_str().expect("deliverable id").to_owned();
    let fields = json!({"title": d["title"], "description": note, "owner_org": d["owner"]["id"],
        "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": d["status"]});
    let body = json!({"deliverable": fields, "row_version": d["row_version"]});
    let reply: Reply = send(client.request(Method::PUT, &format!("/deliverables/{id}")).json(&body)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    id
}

async fn a_change_reaches_the_readers_of_the_record_and_no_one_else(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let castellan = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    let mut helix_feed = EventStream::open(&helix, None).await;
    let mut norvia_feed = EventStream::open(&norvia, None).await;
    let mut castellan_feed = EventStream::open(&castellan, None).await;

    let changed = touch(&helix, VELARIMAB_DS, "Reviewed with Norvia on site.").await;
    for feed in [&mut helix_feed, &mut norvia_feed] {
        let event = feed.next().await;
        assert_eq!(event.event, "change");
        assert_eq!(event.data["record_type"], "deliverable");
        assert_eq!(event.data["record_id"], changed.as_str());
        assert_eq!(event.data["action"], "update");
        assert_eq!(event.data["actor_name"], "Marco Lenz");
        assert_eq!(event.id, event.data["id"].to_string());
    }
    // Castellan's first event is a later change it may read: the one before passed it by.
    let marker = touch(&helix, CORVASTATIN, "Marker for Castellan.").await;
    let (before, event) = castellan_feed.until_record(&marker).await;
    assert!(before.is_empty(), "Castellan received {before:?}");
    assert_eq!(event.data["record_type"], "deliverable");
    // ...and Norvia, which may not read Corvastatin's records, does not receive that one.
    assert!(norvia_feed.next_within(Duration::from_millis(800)).await.is_none());
}

async fn a_stream_resumed_with_last_event_id_loses_nothing(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut feed = EventStream::open(&norvia, None).await;
    touch(&helix, VELARIMAB_DS, "First note.").await;
    let first = feed.next().await;
    drop(feed);

    // While Norvia's tab is away, three more changes.
    for note in ["Second note.", "Third note.", "Fourth note."] {
        touch(&helix, VELARIMAB_DS, note).await;
    }
    let mut resumed = EventStream::open(&norvia, Some(&first.id)).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let event = resumed.next().await;
        assert_eq!(event.data["record_type"], "deliverable");
        ids.push(event.data["id"].as_i64().expect("id"));
    }
    let first_id = first.data["id"].as_i64().expect("id");
    assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > first_id, "{first_id} then {ids:?}");
    assert!(resumed.next_within(Duration::from_millis(500)).await.is_none(), "nothing more");

    // A stream opened without an id starts from now: none of the earlier changes come again.
    let mut fresh = EventStream::open(&norvia, None).await;
    assert!(fresh.next_within(Duration::from_millis(500)).await.is_none());
    // A malformed id is treated as none.
    let mut odd = EventStream::open(&norvia, Some("not-a-number")).await;
    assert!(odd.next_within(Duration::from_millis(300)).await.is_none());
}

async fn revoking_an_agreement_stops_delivery_at_once(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let helix_admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut feed = EventStream::open(&norvia, None).await;
    let changed = touch(&helix, VELARIMAB_DS, "Before the revocation.").await;
    assert_eq!(feed.next().await.data["record_id"], changed.as_str());

    let _admin_feed = EventStream::open(&helix_admin, None).await;
    let revoked = helix_admin.revoke_agreement(VELARIMAB_DS_AGREEMENT, "Contract ended.").await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    touch(&helix, VELARIMAB_DS, "After the revocation.").await;
    // Norvia's own change to its own data, which it still reads: everything before it has been decided.
    let own = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let template = own.get("/stage-template").await;
    assert_eq!(template.status, 200, "{:?}", template.body);
    let body = json!({"name": template.body["name"], "stages": template.body["stages"],
        "row_version": template.body["row_version"]});
    let saved = send(own.request(Method::PUT, "/stage-template").json(&body)).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let (before, marker) = feed.until_record(NORVIA).await;
    assert_eq!(marker.data["record_type"], "stage_templates");
    assert!(
        before.iter().all(|e| e.data["record_type"] == "agreement"),
        "after the revocation Norvia received {before:?}"
    );
}

async fn the_stream_needs_a_session(db: Backend) {
    let server = TestServer::start(db).await;
    let anonymous = ApiClient::new(&server.base_url);
    let reply = send(anonymous.http.get(anonymous.api("/events"))).await;
    assert_eq!(reply.status, 401, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "unauthenticated");
}

async fn open_streams_do_not_hold_up_a_graceful_shutdown(db: Backend) {
    let server = TestServer::start(db).await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut feed = EventStream::open(&norvia, None).await;
    // SIGTERM ends the streams, so the server stops (terminate waits at most 10 s) and the stream closes.
    assert!(server.terminate().await.success());
    assert!(feed.next_within(Duration::from_secs(2)).await.is_none());
}

/// How many times PostgreSQL has scanned the events table (sequentially or by an index) since it started.
const EVENT_SCANS: &str = "SELECT CAST(COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0)), 0) AS BIGINT) \
     FROM pg_stat_user_tables WHERE relname = 'events'";

/// PostgreSQL's table statistics reach the views only after a backend flushes them: at most every 10 s when idle.
const STATISTICS_FLUSHED: Duration = Duration::from_secs(11);

async fn many_streams_on_one_instance_share_one_read_of_the_table(db: Backend) {
    const STREAMS: usize = 200;
    const WRITES: usize = 3;
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut feeds = Vec::with_capacity(STREAMS);
    for _ in 0..STREAMS {
        feeds.push(EventStream::open(&norvia, None).await);
    }
    let counting = db == Backend::Postgres;
    if counting {
        tokio::time::sleep(STATISTICS_FLUSHED).await;
    }
    let scans_before = if counting { server.scalar(EVENT_SCANS).await } else { 0 };
    for write in 0..WRITES {
        let changed = touch(&helix, VELARIMAB_DS, &format!("Shared read {write}.")).await;
        for feed in &mut feeds {
            assert_eq!(feed.next().await.data["record_id"], changed.as_str(), "every stream receives write {write}");
        }
    }
    if counting {
        tokio::time::sleep(STATISTICS_FLUSHED).await;
        let scans = server.scalar(EVENT_SCANS).await - scans_before;
        // A few reads per write for the whole instance (the writer's own wake and PostgreSQL's notification each
        // start one); a read per stream would be at least STREAMS per write.
        assert!(
            scans <= (WRITES * 10) as i64,
            "{scans} scans of the events table for {WRITES} writes to {STREAMS} streams"
        );
    }
}

async fn a_stream_resumed_from_before_the_kept_events_is_told_to_reload(db: Backend) {
    // Pruning every second; events are kept the default 30 days.
    let mut server = TestServer::start_with_env(db, &[("BATON_EVENT_PRUNE_SECS", "1")]).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut feed = EventStream::open(&norvia, None).await;
    touch(&helix, VELARIMAB_DS, "Old news.").await;
    let old = feed.next().await.data["id"].as_i64().expect("id");
    touch(&helix, VELARIMAB_DS, "Recent news.").await;
    let recent = feed.next().await.data["id"].as_i64().expect("id");
    drop(feed);

    // The first change (and any before it) becomes older than what is kept; a restarted server has no window of
    // recent events yet, so a stream resuming from before the second reads the table.
    server.kill().await;
    server.execute(&format!("UPDATE events SET at = '2020-01-01T00:00:00.000000Z' WHERE id <= {old}")).await;
    server.restart().await;
    let remaining = format!("SELECT COUNT(*) FROM events WHERE id <= {old}");
    for _ in 0..100 {
        if server.scalar(&remaining).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server.scalar(&remaining).await, 0, "the old event was pruned");
    assert_eq!(
        server.scalar(&format!("SELECT COUNT(*) FROM events WHERE id = {recent}")).await,
        1,
        "the recent one kept"
    );

    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    // From the pruned event's id: everything after it is still there, so nothing is missed.
    let mut caught_up = EventStream::open(&norvia, Some(&old.to_string())).await;
    let event = caught_up.next().await;
    assert_eq!((event.event.as_str(), event.data["id"].as_i64()), ("change", Some(recent)));

    // From before it: the stream cannot tell what was lost, so it says reload, and goes on from now.
    let mut resumed = EventStream::open(&norvia, Some(&(old - 1).to_string())).await;
    let reset = resumed.next().await;
    assert_eq!(reset.event, "reset", "{reset:?}");
    let from = reset.data["id"].as_i64().expect("reset id");
    assert!(from >= recent, "goes on from {from}, after {recent}");
    assert_eq!(reset.id, from.to_string(), "the browser resumes from there next time");
    let changed = touch(&helix, VELARIMAB_DS, "After the reset.").await;
    let next = resumed.next().await;
    assert_eq!((next.event.as_str(), next.data["record_id"].as_str()), ("change", Some(changed.as_str())));
    let newest = next.data["id"].as_i64().expect("id");
    drop((caught_up, resumed));

    // Every event pruned, the table empty: a stream resuming from before the newest still learns it missed some.
    server.kill().await;
    server.execute("UPDATE events SET at = '2020-01-01T00:00:00.000000Z'").await;
    server.restart().await;
    for _ in 0..100 {
        if server.scalar("SELECT COUNT(*) FROM events").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server.scalar("SELECT COUNT(*) FROM events").await, 0, "every event was pruned");
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let mut resumed = EventStream::open(&norvia, Some(&recent.to_string())).await;
    let reset = resumed.next().await;
    assert_eq!((reset.event.as_str(), reset.data["id"].as_i64()), ("reset", Some(newest)), "{reset:?}");
}

/// Two instances on one PostgreSQL database: a change written through A reaches a subscriber of B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_instance_reaches_a_subscriber_of_another() {
    if !baton_tests::database::postgres_available() {
        return;
    }
    let a = TestServer::start(Backend::Postgres).await;
    let b = a.another_instance().await;
    let helix_on_a = ApiClient::logged_in(&a.base_url, "lead@helix.example").await;
    let norvia_on_b = ApiClient::logged_in(&b.base_url, "lead@norvia.example").await;
    let mut feed = EventStream::open(&norvia_on_b, None).await;
    let changed = touch(&helix_on_a, VELARIMAB_DS, "Written through instance A.").await;
    let event = feed.next().await;
    assert_eq!(event.data["record_id"], changed.as_str());
    assert_eq!(event.data["actor_name"], "Marco Lenz");
}

/// A change names the browser tab whose request made it (`X-Baton-Tab`), so that tab skips its own change and the
/// user's other tabs load it; a request without a tab id, or with something else in the header, names none.
async fn an_event_names_the_tab_that_made_the_change(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let mut feed = EventStream::open(&helix, None).await;
    let path = format!("/comments/transfer/{VELARIMAB_DS}");
    for (tab, named) in
        [(Some("3f2a9c01-tab"), json!("3f2a9c01-tab")), (None, Value::Null), (Some("not a tab"), Value::Null)]
    {
        let mut request = helix.request(Method::POST, &path).json(&json!({"text": "Checked."}));
        if let Some(tab) = tab {
            request = request.header("x-baton-tab", tab);
        }
        assert_eq!(send(request).await.status, 201);
        let event = feed.next().await;
        assert_eq!((&event.data["action"], &event.data["origin"]), (&json!("comment"), &named), "{tab:?}");
    }
}
