//! A crash mid-burst loses nothing that was acknowledged: the server is killed with SIGKILL while partner reads
//! and agreement drafts are in flight, restarted on the same database, and every request that got a 2xx still has
//! its record and its audit entry, and the audit chain verifies.

use baton_tests::client::send;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::any::install_default_drivers;
use sqlx::{AnyConnection, Connection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

on_both_databases!(acknowledged_requests_survive_a_kill_mid_burst);

/// Helix's Velarimab drug substance transfer, which Norvia reads under an agreement in force.
const SHARED_TRANSFER: &str = "00000003-0000-4000-8000-000000000001";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
/// Requests in the burst; every fourth is a draft, the others partner reads.
const BURST: usize = 220;
/// Acknowledged drafts and answers in all to wait for before the kill: enough that both kinds have succeeded,
/// few enough that most of the burst is still pending.
const KILL_AFTER_DRAFTS: usize = 5;
const KILL_AFTER_ANSWERS: usize = 30;
/// Requests started together; the burst starts a wave every 2 ms.
const WAVE: usize = 10;

fn draft_terms(n: usize) -> Value {
    json!({
        "title": format!("Crash burst draft {n}"),
        "grantee": NORVIA,
        "scope": {
            "products": {"kind": "only", "items": ["00000007-0000-4000-8000-000000000003"]},
            "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
            "data_classes": ["process_description"]
        },
        "permission": "view",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z"
    })
}

/// How one request of the burst ended.
enum Outcome {
    /// A 2xx partner read.
    Read,
    /// A 2xx draft, with the new agreement's id.
    Created(String),
    /// Anything else: an error status, or the connection cut by the kill.
    Failed,
}

async fn count(conn: &mut AnyConnection, sql: &str, binds: &[&str]) -> i64 {
    let mut query = sqlx::query_scalar(sql);
    for value in binds {
        query = query.bind(*value);
    }
    query.fetch_one(conn).await.expect("counting audit entries")
}

async fn acknowledged_requests_survive_a_kill_mid_burst(db: Backend) {
    let mut server = TestServer::start(db).await;
    let reader = Arc::new(ApiClient::logged_in(&server.base_url, "admin@norvia.example").await);
    let writer = Arc::new(ApiClient::logged_in(&server.base_url, "admin@helix.example").await);
    let reader_id = reader.get("/session").await.body["user"]["id"].as_str().expect("a user id").to_owned();
    let read_path = format!("/transfers/{SHARED_TRANSFER}");
    assert_eq!(reader.get(&read_path).await.status, 200, "Norvia reads the shared transfer before the burst");

    // Reads and writes interleaved, started in quick waves (all at once, every draft would queue for the write lock
    // ahead of the first read's audit entry, and the kill could come before any read was answered); each reports as
    // soon as it has its answer.
    let (done, mut answers) = mpsc::unbounded_channel();
    for n in 0..BURST {
        if n % WAVE == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let done = done.clone();
        let (reader, writer, read_path) = (reader.clone(), writer.clone(), read_path.clone());
        tokio::spawn(async move {
            let outcome = if n % 4 == 3 {
                let request = writer.request(Method::POST, "/agreements").json(&draft_terms(n));
                match request.timeout(Duration::from_secs(20)).send().await {
                    Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                        Ok(body) => Outcome::Created(body["id"].as_str().expect("agreement id").to_owned()),
                        // The status line came but the body was cut: the client cannot know the id.
                        Err(_) => Outcome::Failed,
                    },
                    _ => Outcome::Failed,
                }
            } else {
                match reader.request(Method::GET, &read_path).timeout(Duration::from_secs(20)).send().await {
                    Ok(r) if r.status().is_success() => Outcome::Read,
                    _ => Outcome::Failed,
                }
            };
            done.send(outcome).ok();
        });
    }
    drop(done);

    let mut outcomes = Vec::new();
    let drafted = |outcomes: &[Outcome]| outcomes.iter().filter(|o| matches!(o, Outcome::Created(_))).count();
    let read = |outcomes: &[Outcome]| outcomes.iter().any(|o| matches!(o, Outcome::Read));
    while outcomes.len() < KILL_AFTER_ANSWERS || drafted(&outcomes) < KILL_AFTER_DRAFTS || !read(&outcomes) {
        outcomes.push(answers.recv().await.expect("the burst ended before the kill"));
    }
    server.kill().await;
    let outstanding_at_kill = BURST - outcomes.len();
    while let Some(outcome) = answers.recv().await {
        outcomes.push(outcome);
    }
    let reads_sent = BURST - BURST / 4;
    let reads_ok = outcomes.iter().filter(|o| matches!(o, Outcome::Read)).count();
    let created: Vec<&String> =
        outcomes.iter().filter_map(|o| if let Outcome::Created(id) = o { Some(id) } else { None }).collect();
    let failed = outcomes.iter().filter(|o| matches!(o, Outcome::Failed)).count();
    eprintln!(
        "{db:?}: killed with {outstanding_at_kill} of {} requests outstanding; {reads_ok} reads and {} drafts \
         acknowledged, {failed} cut off",
        BURST,
        created.len()
    );
    assert!(failed > 0, "the kill must land while requests are in flight");
    assert!(reads_ok > 0 && !created.is_empty(), "both kinds must have succeeded before the kill");

    server.restart().await;
    let writer = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    install_default_drivers();
    let mut conn = AnyConnection::connect(&server.database_url).await.expect("direct database connection");
    let audited_reads = count(
        &mut conn,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND record_type = 'transfer' AND record_id = $1 \
         AND actor_id = $2",
        &[SHARED_TRANSFER, &reader_id],
    )
    .await;
    // One read came before the burst.
    assert!(audited_reads > reads_ok as i64, "{audited_reads} read entries for {reads_ok} + 1 acknowledged reads");
    assert!(audited_reads <= reads_sent as i64 + 1, "{audited_reads} read entries for {reads_sent} + 1 reads sent");
    for id in &created {
        let reply = send(writer.request(Method::GET, &format!("/agreements/{id}"))).await;
        assert_eq!(reply.status, 200, "acknowledged draft {id} is gone: {:?}", reply.body);
        let entries = count(
            &mut conn,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND record_type = 'agreement' AND record_id = $1",
            &[id.as_str()],
        )
        .await;
        assert_eq!(entries, 1, "acknowledged draft {id} has {entries} create entries");
    }
    conn.close().await.ok();

    let verify = server.run(&["audit", "verify"], None).await;
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success() && stdout.starts_with("OK: "), "audit verify after the crash: {stdout}");
}
