//! The audit trail is append-only and tamper-evident on both databases, and parallel writers never fork it.

use baton_tests::client::DEMO_PASSWORD;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::any::install_default_drivers;

on_both_databases!(
    the_database_refuses_changes_and_verify_finds_a_tampered_entry,
    parallel_writers_keep_one_unbroken_chain
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
