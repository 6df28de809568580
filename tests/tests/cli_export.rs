//! `baton export`: every table and every stored file, as of one moment, checked against the live database; a stored
//! file that is not the one recorded stops the export; every organisation's trail records it.

use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

on_both_databases!(
    an_export_holds_every_table_and_file_as_of_one_moment,
    a_stored_file_that_is_not_the_one_recorded_stops_the_export
);

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";

async fn connect(server: &TestServer) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&server.database_url).await.expect("direct database connection")
}

async fn tables(server: &TestServer) -> Vec<String> {
    let sql = match server.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    let mut conn = connect(server).await;
    sqlx::query_scalar(sql).fetch_all(&mut conn).await.expect("table names")
}

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("exported file")))
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest.json")).expect("JSON")
}

async fn an_export_holds_every_table_and_file_as_of_one_moment(db: Backend) {
    let server = TestServer::start(db).await;
    let scratch = tempfile::tempdir().expect("scratch");
    let out = scratch.path().join("baton-export");

    // A partner keeps reading while the export runs, so the audit trail grows under it.
    let reader = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    let running = Arc::new(AtomicBool::new(true));
    let reads = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn({
        let (running, reads) = (running.clone(), reads.clone());
        async move {
            while running.load(Ordering::SeqCst) {
                let reply = reader.get(&format!("/transfers/{VELARIMAB_DS}")).await;
                assert_eq!(reply.status, 200, "{:?}", reply.body);
                reads.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    while reads.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let exported = server.run(&["export", "--out", out.to_str().expect("utf-8 path")], None).await;
    running.store(false, Ordering::SeqCst);
    load.await.expect("reader");
    let stdout = String::from_utf8_lossy(&exported.stdout);
    assert!(exported.status.success(), "{stdout}{}", String::from_utf8_lossy(&exported.stderr));
    assert!(stdout.contains("The audit chain in the export is intact"), "{stdout}");

    let manifest = manifest(&out);
    assert_eq!(manifest["format"], "baton-export/1");
    assert_eq!(manifest["engine"], if db == Backend::Sqlite { "sqlite" } else { "postgresql" });
    assert_eq!(manifest["audit"]["verified"], "intact");

    // Every table of the schema, each file as the manifest describes it.
    let listed: Vec<&str> =
        manifest["tables"].as_array().expect("tables").iter().map(|t| t["name"].as_str().expect("name")).collect();
    assert_eq!(listed, tables(&server).await);
    let mut conn = connect(&server).await;
    for table in manifest["tables"].as_array().expect("tables") {
        let name = table["name"].as_str().expect("name");
        let path = out.join(table["file"].as_str().expect("file"));
        assert_eq!(table["sha256"], sha256(&path), "{name}");
        let columns: Vec<&str> =
            table["columns"].as_array().expect("columns").iter().map(|c| c.as_str().expect("column")).collect();
        let text = std::fs::read_to_string(&path).expect("a table's file");
        let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        assert_eq!(table["rows"], rows.len(), "{name}");
        for row in &rows {
            let mut keys: Vec<&str> = row.as_object().expect("an object").keys().map(String::as_str).collect();
            let mut expected = columns.clone();
            keys.sort_unstable();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{name}");
        }
        // Tables nothing wrote to since hold what the database holds; the trail grew, but only after the snapshot.
        let now: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {name}")).fetch_one(&mut conn).await.expect("count");
        if name == "audit_log" {
            assert!(now > rows.len() as i64, "the reads and the export's own entries came after the snapshot");
        } else if name != "audit_head" && name != "sessions" {
            assert_eq!(now, rows.len() as i64, "{name}");
        }
    }

    // One moment: the exported trail ends exactly at the exported head, and every exported entry is the stored one.
    let head_seq = manifest["audit"]["head_seq"].as_i64().expect("head");
    let trail = std::fs::read_to_string(out.join("tables/audit_log.jsonl")).expect("trail");
    let entries: Vec<Value> = trail.lines().map(|l| serde_json::from_str(l).expect("entry")).collect();
    assert_eq!(entries.len() as i64, head_seq);
    assert_eq!(manifest["audit"]["entries"], head_seq);
    let last = entries.iter().find(|e| e["seq"] == head_seq).expect("the head's entry is exported");
    assert_eq!(last["hash"], manifest["audit"]["head_hash"]);
    let stored: String = sqlx::query_scalar(&format!("SELECT hash FROM audit_log WHERE seq = {head_seq}"))
        .fetch_one(&mut conn)
        .await
        .expect("stored hash");
    assert_eq!(last["hash"], stored);
    assert!(reads.load(Ordering::SeqCst) >= 5);

    // Every stored file once, named by its checked SHA-256.
    let versions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT sha256 FROM document_versions").fetch_all(&mut conn).await.expect("files");
    assert!(!versions.is_empty(), "the demo data has documents");
    let documents = manifest["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), versions.len());
    for sha in &versions {
        assert_eq!(&sha256(&out.join("documents").join(sha)), sha);
    }

    // Each organisation's trail says the database was exported, through which entry.
    let organisations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&mut conn).await.expect("count");
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT new_values FROM audit_log WHERE record_type = 'database' AND action = 'download' ORDER BY seq",
    )
    .fetch_all(&mut conn)
    .await
    .expect("export entries");
    assert_eq!(told.len() as i64, organisations);
    let said: Value = serde_json::from_str(&told[0]).expect("JSON");
    assert_eq!(said["through_seq"], head_seq);
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let trail = qa.get("/audit?record_type=database").await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    assert_eq!(trail.body["items"].as_array().map(Vec::len), Some(1), "{:?}", trail.body);
    conn.close().await.ok();

    // Never into an existing directory, and a refused export records nothing.
    let again = server.run(&["export", "--out", out.to_str().expect("utf-8 path")], None).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(server.scalar("SELECT COUNT(*) FROM audit_log WHERE record_type = 'database'").await, organisations);
    let verified = server.run(&["audit", "verify"], None).await;
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));
}

async fn a_stored_file_that_is_not_the_one_recorded_stops_the_export(db: Backend) {
    let server = TestServer::start(db).await;
    let key: String = {
        let mut conn = connect(&server).await;
        sqlx::query_scalar("SELECT storage_key FROM document_versions ORDER BY id LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .expect("a stored file")
    };
    let version: String = {
        let mut conn = connect(&server).await;
        sqlx::query_scalar(&format!("SELECT id FROM document_versions WHERE storage_key = '{key}'"))
            .fetch_one(&mut conn)
            .await
            .expect("its version")
    };
    // Someone edits a stored file behind Baton's back.
    let stored = server.data_dir().join("documents").join(&key);
    let mut bytes = std::fs::read(&stored).expect("the stored file");
    bytes.extend_from_slice(b"\nappended later\n");
    std::fs::write(&stored, bytes).expect("tampering");

    let scratch = tempfile::tempdir().expect("scratch");
    let out = scratch.path().join("baton-export");
    let before = server.scalar("SELECT COUNT(*) FROM audit_log").await;
    let refused = server.run(&["export", "--out", out.to_str().expect("utf-8 path")], None).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains(&format!("document version {version}")) && stderr.contains("is not the one recorded"),
        "{stderr}"
    );
    assert!(!out.exists(), "no export appears");
    let left: Vec<_> = std::fs::read_dir(scratch.path()).expect("scratch").collect();
    assert!(left.is_empty(), "nothing half-written is left: {left:?}");
    assert_eq!(server.scalar("SELECT COUNT(*) FROM audit_log").await, before, "an export that failed records nothing");
}
