//! Benchmark: how long `baton audit verify` takes for 1,000,000 entries. Writes a synthetic, correctly chained trail
//! into a fresh SQLite database migrated by the real binary (`BATON_BIN`), then times the real command.
//! Prints figures; asserts nothing but that verify said OK.

use baton_domain::audit::{AuditAction, AuditEntry, GENESIS_HASH};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::json;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use std::time::Instant;

const ENTRIES: i64 = 1_000_000;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("audit.sqlite").display());
    let binary = baton_tests::server::binary();
    let migrated = std::process::Command::new(&binary)
        .args(["migrate"])
        .env("BATON_DATABASE_URL", &url)
        .output()
        .expect("migrate");
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));

    let started = Instant::now();
    let mut conn = SqliteConnection::connect(&url).await.expect("connect");
    let mut tx = conn.begin().await.expect("begin");
    let origin: DateTime<Utc> = DateTime::from_timestamp(1_790_000_000, 0).expect("valid");
    let mut previous = GENESIS_HASH.to_owned();
    for seq in 1..=ENTRIES {
        let entry = AuditEntry {
            seq,
            at: origin + Duration::milliseconds(seq * 37),
            actor_id: None,
            actor_name: format!("Bench user {}", seq % 97),
            actor_org: None,
            owner_org: None,
            action: AuditAction::Update,
            record_type: baton_domain::record::RecordType::Agreement,
            record_id: format!("record-{}", seq % 1000),
            old: Some(json!({"permission": "view"})),
            new: Some(json!({"permission": "comment"})),
            reason: Some("Bench amendment".into()),
        };
        let hash = entry.chained_hash(&previous);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_org_id, owner_org_id, action, record_type, record_id, \
             old_values, new_values, reason, prev_hash, hash) VALUES (?, ?, NULL, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(entry.at.to_rfc3339_opts(SecondsFormat::Micros, true))
        .bind(&entry.actor_name)
        .bind(entry.action.as_str())
        .bind(entry.record_type.as_str())
        .bind(&entry.record_id)
        .bind(entry.old.as_ref().map(ToString::to_string))
        .bind(entry.new.as_ref().map(ToString::to_string))
        .bind(&entry.reason)
        .bind(&previous)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .expect("insert");
        previous = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")
        .bind(ENTRIES)
        .bind(&previous)
        .execute(&mut *tx)
        .await
        .expect("head");
    tx.commit().await.expect("commit");
    conn.close().await.ok();
    println!("wrote {ENTRIES} chained audit entries in {:.1} s", started.elapsed().as_secs_f64());

    let mut times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let out = std::process::Command::new(&binary)
            .args(["audit", "verify"])
            .env("BATON_DATABASE_URL", &url)
            .output()
            .expect("verify");
        let elapsed = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && stdout.starts_with("OK: 1000000 "), "{stdout}");
        times.push(elapsed);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "baton audit verify, {ENTRIES} entries (SQLite): median {:.2} s over 3 runs (min {:.2}, max {:.2})",
        times[1], times[0], times[2]
    );
}
