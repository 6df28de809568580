//! `baton import`: an export moves a SQLite installation to PostgreSQL and back without a row changing, its users log
//! in and see what they saw; a database in use and an export that does not match its manifest are refused and
//! nothing is written.

use baton_tests::database::postgres_available;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

on_both_databases!(an_import_refuses_a_database_in_use_and_an_export_that_was_changed);

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";

/// Tables an import does not carry, or that record the move itself: the rest must come back byte for byte.
const MOVED_OR_REBUILT: [&str; 6] =
    ["sessions", "login_throttle", "kpi_months", "kpi_facts", "audit_log", "audit_head"];

async fn export(server: &TestServer, out: &Path) {
    let run = server.run(&["export", "--out", out.to_str().expect("utf-8 path")], None).await;
    assert!(run.status.success(), "export: {}", String::from_utf8_lossy(&run.stderr));
}

async fn import(server: &TestServer, from: &Path) -> std::process::Output {
    server.run(&["import", "--from", from.to_str().expect("utf-8 path")], None).await
}

/// What a user sees of a few records, by path.
async fn seen(server: &TestServer) -> Vec<(String, Value)> {
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let helix = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let mut seen = Vec::new();
    for (client, path) in [
        (&norvia, format!("/transfers/{VELARIMAB_DS}")),
        (&norvia, "/batches".to_owned()),
        (&helix, "/change-controls".to_owned()),
        (&helix, "/agreements".to_owned()),
        (&helix, format!("/transfers/{VELARIMAB_DS}/documents")),
    ] {
        let reply = client.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
        seen.push((path, reply.body));
    }
    let documents = &seen.last().expect("documents").1;
    let id = documents["items"][0]["id"].as_str().expect("a document").to_owned();
    let file = helix.http.get(helix.api(&format!("/documents/{id}/view"))).send().await.expect("file");
    assert_eq!(file.status(), 200);
    let sha = hex::encode(Sha256::digest(file.bytes().await.expect("bytes")));
    seen.push((format!("/documents/{id}/view"), Value::String(sha)));
    seen
}

fn same_tables(a: &Path, b: &Path) {
    for entry in std::fs::read_dir(a.join("tables")).expect("tables") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a name").to_owned();
        if MOVED_OR_REBUILT.contains(&name.as_str()) {
            continue;
        }
        let (left, right) =
            (std::fs::read(&path).expect("a"), std::fs::read(b.join("tables").join(format!("{name}.jsonl"))));
        assert!(right.as_ref().is_ok_and(|r| *r == left), "table {name} changed on the way");
    }
    // The trail comes back entry for entry, then says where it came from.
    let trail = |dir: &Path| std::fs::read_to_string(dir.join("tables/audit_log.jsonl")).expect("trail");
    let (before, after) = (trail(a), trail(b));
    assert!(after.starts_with(&before), "the moved trail begins with every exported entry, unchanged");
    let added: Vec<Value> = after[before.len()..].lines().map(|l| serde_json::from_str(l).expect("entry")).collect();
    assert!(!added.is_empty() && added.iter().all(|e| e["record_type"] == "database" && e["action"] == "create"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_moves_to_postgresql_and_back_unchanged() {
    if !postgres_available() {
        return;
    }
    let source = TestServer::start(Backend::Sqlite).await;
    // A year of history: thousands of rows a table, many statements each, NULLs and numbers in the same columns.
    let history = source.run(&["seed-demo", "--history-years", "1"], None).await;
    assert!(history.status.success(), "{}", String::from_utf8_lossy(&history.stderr));
    let before = seen(&source).await;
    let scratch = tempfile::tempdir().expect("scratch");
    let (first, second, third) = (scratch.path().join("a"), scratch.path().join("b"), scratch.path().join("c"));
    export(&source, &first).await;

    // Onto PostgreSQL, with the server stopped as an operator would.
    let mut postgres = TestServer::start_empty(Backend::Postgres).await;
    postgres.kill().await;
    let imported = import(&postgres, &first).await;
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{said}{}", String::from_utf8_lossy(&imported.stderr));
    assert!(said.contains("the audit chain verifies") && said.contains("not carried: sessions"), "{said}");
    export(&postgres, &second).await;
    same_tables(&first, &second);
    postgres.restart().await;
    assert_eq!(seen(&postgres).await, before, "users see on PostgreSQL what they saw on SQLite");
    let verified = postgres.run(&["audit", "verify"], None).await;
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));

    // And back onto SQLite.
    let mut sqlite = TestServer::start_empty(Backend::Sqlite).await;
    sqlite.kill().await;
    let back = import(&sqlite, &second).await;
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    export(&sqlite, &third).await;
    same_tables(&first, &third);
    sqlite.restart().await;
    assert_eq!(seen(&sqlite).await, before);
}

async fn an_import_refuses_a_database_in_use_and_an_export_that_was_changed(db: Backend) {
    let source = TestServer::start(db).await;
    let scratch = tempfile::tempdir().expect("scratch");
    let out = scratch.path().join("export");
    export(&source, &out).await;

    // Not into a database that holds data: nothing is written to it.
    let entries = source.scalar("SELECT COUNT(*) FROM audit_log").await;
    let refused = import(&source, &out).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains("already holds data"), "{stderr}");
    assert_eq!(source.scalar("SELECT COUNT(*) FROM audit_log").await, entries);

    // Not an export changed since it was written, even by one character: the empty database stays empty.
    let batches = out.join("tables/batches.jsonl");
    let text = std::fs::read_to_string(&batches).expect("batches");
    std::fs::write(&batches, text.replacen("released", "rejected", 1)).expect("tampering");
    let empty = TestServer::start_empty(db).await;
    let refused = import(&empty, &out).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("tables/batches.jsonl is not the file the manifest describes"), "{stderr}");
    assert_eq!(empty.scalar("SELECT COUNT(*) FROM organisations").await, 0);
    assert_eq!(empty.scalar("SELECT COUNT(*) FROM audit_log").await, 0);
    let stored = std::fs::read_dir(empty.data_dir().join("documents")).map_or(0, |d| d.count());
    assert_eq!(stored, 0, "no file reached the document store");
}
