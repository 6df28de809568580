//! `baton seed-demo --history-years N`: a year of quality history for three CMOs, in the expected amounts, with the
//! rules the shared crate states holding on every row, loaded once however often the command runs.

use baton_domain::batch::{ResultValue, yield_ratio};
use baton_domain::decimal::Decimal;
use baton_domain::delivery::DeliveryInput;
use baton_domain::deviation::Classification;
use baton_domain::ids::ProductId;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::{DateTime, NaiveDate};
use sqlx::{AnyConnection, Connection};

on_both_databases!(a_year_of_history_keeps_the_rules_and_loads_once);

const HELIX: &str = "00000001-0000-4000-8000-000000000001";

async fn connect(server: &TestServer) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&server.database_url).await.expect("connecting to the server's database")
}

async fn count(conn: &mut AnyConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a stored date")
}

fn time(text: &str) -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339(text).expect("a stored time").to_utc()
}

fn decimal(text: Option<&str>) -> Option<Decimal> {
    text.map(|t| Decimal::parse(t).expect("a stored decimal"))
}

/// Counts of each table, to compare before and after a second run.
async fn sizes(conn: &mut AnyConnection) -> Vec<i64> {
    let mut sizes = Vec::new();
    for table in ["batches", "batch_results", "deviations", "capas", "capa_deviations", "deliveries", "audit_log"] {
        sizes.push(count(conn, &format!("SELECT COUNT(*) FROM {table}")).await);
    }
    sizes
}

async fn a_year_of_history_keeps_the_rules_and_loads_once(db: Backend) {
    let server = TestServer::start(db).await;
    let run = server.run(&["seed-demo", "--history-years", "1"], None).await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("3 CMOs loaded") && stdout.contains("qa@kestrel.example"), "{stdout}");
    let mut conn = connect(&server).await;

    // About 5,000 batches, 10,000 deviations, 2,000 CAPAs and 6,000 deliveries a year, across three CMOs.
    let in_range = |what: &str, n: i64, low: i64, high: i64| assert!((low..=high).contains(&n), "{what}: {n}");
    in_range("batches", count(&mut conn, "SELECT COUNT(*) FROM batches").await, 4_000, 6_000);
    in_range("results", count(&mut conn, "SELECT COUNT(*) FROM batch_results").await, 12_000, 30_000);
    in_range("deviations", count(&mut conn, "SELECT COUNT(*) FROM deviations").await, 7_000, 13_000);
    in_range("CAPAs", count(&mut conn, "SELECT COUNT(*) FROM capas").await, 1_200, 3_000);
    in_range("deliveries", count(&mut conn, "SELECT COUNT(*) FROM deliveries").await, 4_500, 7_500);
    let cmos = count(&mut conn, "SELECT COUNT(DISTINCT cmo_org_id) FROM batches").await;
    assert_eq!(cmos, 3);
    let no_capa_links = "SELECT COUNT(*) FROM capas c \
         WHERE (SELECT COUNT(*) FROM capa_deviations l WHERE l.capa_id = c.id) NOT BETWEEN 1 AND 3";
    assert_eq!(count(&mut conn, no_capa_links).await, 0, "every CAPA answers one to three deviations");
    let strangers = "SELECT COUNT(*) FROM deviations d JOIN users u ON u.id = d.raised_by \
         WHERE u.organisation_id <> d.owner_org_id";
    assert_eq!(count(&mut conn, strangers).await, 0, "deviations are raised by their owner's people");
    let released_unready = "SELECT COUNT(*) FROM batches b WHERE b.disposition = 'released' AND (\
         EXISTS (SELECT 1 FROM batch_results r WHERE r.batch_id = b.id AND r.out_of_spec = 1) OR \
         EXISTS (SELECT 1 FROM deviations d WHERE d.batch_id = b.id AND (d.closed_at IS NULL OR d.closed_at > b.disposition_at)))";
    assert_eq!(count(&mut conn, released_unready).await, 0, "released only with results in spec and deviations closed");
    let shares = format!(
        "SELECT COUNT(*) FROM agreements WHERE grantee_org_id = '{HELIX}' AND activated_at IS NOT NULL \
         AND all_products = 1 AND all_transfers = 1"
    );
    assert_eq!(count(&mut conn, &shares).await, 3, "each CMO shares its records with Helix");
    let rejected = count(&mut conn, "SELECT COUNT(*) FROM batches WHERE disposition = 'rejected'").await;
    let dispositioned = count(&mut conn, "SELECT COUNT(*) FROM batches WHERE disposition IS NOT NULL").await;
    assert!(rejected > 0 && rejected * 10 < dispositioned, "{rejected} of {dispositioned} rejected");

    let deviations: Vec<(String, String, String)> =
        sqlx::query_as("SELECT classification, opened_at, due_on FROM deviations")
            .fetch_all(&mut conn)
            .await
            .expect("deviations");
    for (class, opened, due) in &deviations {
        let class: Classification = class.parse().expect("a class");
        assert_eq!(class.due_on(time(opened).date_naive()), date(due), "{class:?} opened {opened}");
    }
    type BatchColumns = (Option<String>, Option<String>, Option<String>, Option<String>, Option<f64>);
    let batches: Vec<BatchColumns> =
        sqlx::query_as("SELECT actual_end, disposition_at, theoretical_yield, actual_yield, yield_ratio FROM batches")
            .fetch_all(&mut conn)
            .await
            .expect("batches");
    for (end, at, theoretical, actual, ratio) in &batches {
        if let Some(at) = at {
            let end = end.as_deref().expect("a dispositioned batch has finished");
            assert!(time(at).date_naive() >= date(end), "dispositioned {at} before its end {end}");
        }
        assert_eq!(*ratio, yield_ratio(decimal(theoretical.as_deref()), decimal(actual.as_deref())));
    }
    let results: Vec<(String, i64)> = sqlx::query_as("SELECT value_json, out_of_spec FROM batch_results")
        .fetch_all(&mut conn)
        .await
        .expect("results");
    for (json, out_of_spec) in &results {
        let value: ResultValue = serde_json::from_str(json).expect("a result value");
        assert_eq!(value.out_of_spec(), *out_of_spec == 1, "{json}");
    }
    assert!(results.iter().any(|(_, oos)| *oos == 1), "some results are out of specification");
    type DeliveryColumns = (String, String, String, Option<String>, Option<String>, Option<i64>);
    let deliveries: Vec<DeliveryColumns> = sqlx::query_as(
        "SELECT product_id, promised_on, promised_quantity, delivered_on, delivered_quantity, on_time_in_full \
         FROM deliveries",
    )
    .fetch_all(&mut conn)
    .await
    .expect("deliveries");
    for (product, promised_on, promised, on, quantity, otif) in &deliveries {
        let input = DeliveryInput {
            product: product.parse::<ProductId>().expect("a product id"),
            reference: "x".into(),
            promised_on: date(promised_on),
            promised_quantity: Decimal::parse(promised).expect("a quantity"),
            unit: "kg".into(),
            delivered_on: on.as_deref().map(date),
            delivered_quantity: decimal(quantity.as_deref()),
        };
        assert_eq!(input.on_time_in_full(), otif.map(|v| v == 1));
    }

    // One audit entry per CMO, in an intact chain.
    let entries = count(&mut conn, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'quality_history'").await;
    assert_eq!(entries, 3);
    let verified = server.run(&["audit", "verify"], None).await;
    assert!(String::from_utf8_lossy(&verified.stdout).starts_with("OK"), "{verified:?}");

    // Kestrel's people log in; Helix sees each CMO's sharing agreement in force.
    ApiClient::logged_in(&server.base_url, "qa@kestrel.example").await;
    let helix = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let agreements = helix.get("/agreements").await.body;
    let kestrel = agreements["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["grantor"]["name"] == "Kestrel Contract Manufacturing");
    assert_eq!(kestrel.map(|a| a["state"].clone()), Some("active".into()), "{agreements}");

    // Again, with more years: nothing changes.
    let before = sizes(&mut conn).await;
    let again = server.run(&["seed-demo", "--history-years", "2"], None).await;
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already loaded for"), "{again:?}");
    assert_eq!(sizes(&mut conn).await, before);
    conn.close().await.ok();
}
