//! The audit trail is append-only and tamper-evident on both databases, and parallel writers never fork it.

use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::any::install_default_drivers;
use std::sync::Arc;

on_both_databases!(
    the_database_refuses_changes_and_verify_finds_a_tampered_entry,
    parallel_writers_keep_one_unbroken_chain,
    group_committed_reads_and_parallel_writes_keep_one_unbroken_chain
);

async fn connect(server: &TestServer) -> AnyConnection {
    install_default_drivers();
    AnyConnection::connect(&server.database_url).await.expect("direct database connection")
}

async fn verify(server: &TestServer) -> (bool, String) {
    let out = server.run(&["audit", "verify"], None).await;
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn the_database_refuses_changes_and_verify_finds_a_tampered_entry(db: Backend) {
    let server = TestServer::start(db).await;
    let (ok, out) = verify(&server).await;
    assert!(ok && out.starts_with("OK: "), "{out}");
    let mut conn = connect(&server).await;

    for statement in ["UPDATE audit_log SET reason = 'edited' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2"] {
        let refused = sqlx::query(statement).execute(&mut conn).await;
        let message = format!("{refused:?}");
        assert!(refused.is_err() && message.contains("append-only"), "{statement}: {message}");
    }

    // Someone with database rights removes the guard and edits an entry behind the server's back.
    let drop_guard = match db {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    sqlx::query(drop_guard).execute(&mut conn).await.expect("dropping the trigger");
    sqlx::query("UPDATE audit_log SET actor_name = 'Somebody Else' WHERE seq = 3")
        .execute(&mut conn)
        .await
        .expect("tampering");
    conn.close().await.ok();

    let (ok, out) = verify(&server).await;
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains("BROKEN: entry 3:"), "{out}");
}

async fn parallel_writers_keep_one_unbroken_chain(db: Backend) {
    let server = TestServer::start(db).await;
    let (_, before) = verify(&server).await;
    let count = |out: &str| out.split_whitespace().nth(1).and_then(|n| n.parse::<i64>().ok()).expect("a count");
    let start = count(&before);

    let emails = ["admin", "lead", "qa", "operator", "viewer"];
    let orgs = ["helix", "norvia", "castellan"];
    let mut tasks = Vec::new();
    for round in 0..4 {
        for org in orgs {
            for who in emails {
                let base = server.base_url.clone();
                tasks.push(tokio::spawn(async move {
                    let mut client = ApiClient::new(&base);
                    let password = if round == 3 { "wrong-password" } else { DEMO_PASSWORD };
                    client.login(&format!("{who}@{org}.example"), password).await.status
                }));
            }
        }
    }
    let mut writes = 0;
    for task in tasks {
        let status = task.await.expect("task");
        assert!(matches!(status, 200 | 401 | 429), "unexpected {status}");
        // All 60 come from one address: attempts are counted against its limit of 30 while their passwords are
        // checked, so some of the burst is refused (429) and writes no entry.
        if status != 429 {
            writes += 1;
        }
    }
    assert!(writes >= 30, "enough parallel writers got through: {writes}");
    let (ok, after) = verify(&server).await;
    assert!(ok, "{after}");
    assert_eq!(count(&after), start + writes, "every login and failed login is one entry: {after}");
}

/// Partner reads, whose entries the group commit appends on its own connection, interleaved with units of work that
/// append under the chain's lock: every read has exactly one entry, every write its own, and the chain is whole.
async fn group_committed_reads_and_parallel_writes_keep_one_unbroken_chain(db: Backend) {
    const SHARED_TRANSFER: &str = "00000003-0000-4000-8000-000000000001";
    const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
    const READS: usize = 160;
    const DRAFTS: usize = 40;
    let server = TestServer::start(db).await;
    let reader = Arc::new(ApiClient::logged_in(&server.base_url, "admin@norvia.example").await);
    let writer = Arc::new(ApiClient::logged_in(&server.base_url, "admin@helix.example").await);
    let path = format!("/transfers/{SHARED_TRANSFER}");
    let count_reads = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND record_type = 'transfer' \
         AND record_id = '{SHARED_TRANSFER}'"
    );
    let reads_before = server.scalar(&count_reads).await;
    let drafts_before = server.scalar("SELECT COUNT(*) FROM audit_log WHERE record_type = 'agreement'").await;

    let mut tasks = Vec::new();
    for n in 0..READS + DRAFTS {
        let (reader, writer, path) = (reader.clone(), writer.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            if n % 5 == 4 {
                let terms = json!({
                    "title": format!("Parallel draft {n}"),
                    "grantee": NORVIA,
                    "scope": {"products": {"kind": "all"}, "transfers": {"kind": "all"},
                              "data_classes": ["process_description"]},
                    "permission": "view",
                    "valid_from": "2026-01-01T00:00:00Z",
                    "valid_until": "2030-01-01T00:00:00Z"
                });
                send(writer.request(Method::POST, "/agreements").json(&terms)).await.status
            } else {
                reader.get(&path).await.status
            }
        }));
    }
    for task in tasks {
        let status = task.await.expect("task");
        assert!(matches!(status, 200 | 201), "every request succeeds: {status}");
    }

    assert_eq!(server.scalar(&count_reads).await - reads_before, READS as i64, "one entry per partner read");
    let drafts = server.scalar("SELECT COUNT(*) FROM audit_log WHERE record_type = 'agreement'").await;
    assert_eq!(drafts - drafts_before, DRAFTS as i64, "one entry per draft");
    let (ok, out) = verify(&server).await;
    assert!(ok && out.starts_with("OK: "), "{out}");
}
