//! The KPI facts kept for finished months (`store::kpi_months`) are always what summing every record now gives
//! (`store::kpi::summed`): on first read (which keeps them), on later reads (which read what was kept), and after
//! writes of every kind a KPI counts — the database's triggers mark the months a write touches, before and after.

use baton_domain::ids::OrgId;
use baton_domain::kpi::{Month, MonthlyFacts};
use baton_server::db::Db;
use baton_server::store::{kpi, kpi_months};
use baton_tests::{Backend, TestServer, on_both_databases};
use chrono::{Days, NaiveDate, Utc};

on_both_databases!(kept_months_always_equal_the_records);

const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";

/// The facts with the yield sum rounded: it is kept as JSON text, which may move its last binary digit.
fn rounded(mut facts: Vec<MonthlyFacts>) -> Vec<MonthlyFacts> {
    for m in &mut facts {
        m.facts.yield_sum = (m.facts.yield_sum * 1e9).round() / 1e9;
    }
    facts
}

struct Range {
    sponsor: OrgId,
    cmo: OrgId,
    from: Month,
    to: Month,
    today: NaiveDate,
}

async fn assert_kept_equals_summed(db: &Db, r: &Range, when: &str) -> usize {
    let kept = kpi_months::monthly(db, r.sponsor, r.cmo, r.from, r.to, r.today).await.expect("kept");
    let summed = kpi::summed(db, r.sponsor, r.cmo, r.from, r.to, &r.today.to_string()).await.expect("summed");
    assert!(!summed.is_empty(), "{when}: the history has facts");
    let rows = summed.len();
    let (kept, summed) = (rounded(kept), rounded(summed));
    let differing = kept.iter().zip(&summed).find(|(k, s)| k != s);
    assert!(kept.len() == rows && differing.is_none(), "{when}: kept and summed differ first at {differing:#?}");
    rows
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn write(db: &Db, sql: &str) {
    let done = sqlx::query(sql).bind(CASTELLAN).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

async fn kept_months_always_equal_the_records(db: Backend) {
    let server = TestServer::start(db).await;
    let run = server.run(&["seed-demo", "--history-years", "1"], None).await;
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let db = baton_server::db::connect(&server.database_url).await.expect("database");
    let today = Utc::now().date_naive();
    let to = Month::of_date(today).expect("this month");
    let from = Month::of_date(today.checked_sub_days(Days::new(400)).expect("a date")).expect("a month");
    let range = Range { sponsor: HELIX.parse().expect("id"), cmo: CASTELLAN.parse().expect("id"), from, to, today };

    // Loading the history kept its finished months; forgetting them makes the next read sum and keep them again.
    let castellan_kept = format!("SELECT COUNT(*) FROM kpi_facts WHERE cmo_org_id = '{CASTELLAN}'");
    let kept = count(&db, &castellan_kept).await;
    assert!(kept > 0, "seed-demo kept the history's finished months");
    let rows = assert_kept_equals_summed(&db, &range, "read after loading").await;
    assert!(kept < i64::try_from(rows).expect("rows"), "finished months kept, this month not: {kept} of {rows}");
    sqlx::query("UPDATE kpi_months SET cached = 0").execute(&db.pool).await.expect("forget");
    assert_kept_equals_summed(&db, &range, "first read after forgetting").await;
    assert_eq!(count(&db, &castellan_kept).await, kept, "kept again, the same rows");
    assert_kept_equals_summed(&db, &range, "second read").await;

    // Each write moves a record's facts from one month to another, or changes what it counts as.
    let writes = [
        "UPDATE batches SET disposition_at = '2025-12-01T00:00:00Z' WHERE id = (SELECT id FROM batches \
         WHERE cmo_org_id = $1 AND disposition_at > '2026-03-01' ORDER BY disposition_at LIMIT 1)",
        "UPDATE batches SET disposition = 'rejected' WHERE id = (SELECT id FROM batches \
         WHERE cmo_org_id = $1 AND disposition = 'released' ORDER BY disposition_at LIMIT 1 OFFSET 200)",
        "UPDATE batches SET actual_end = NULL, yield_ratio = NULL WHERE id = (SELECT id FROM batches \
         WHERE cmo_org_id = $1 AND yield_ratio IS NOT NULL ORDER BY actual_end LIMIT 1 OFFSET 150)",
        "UPDATE deviations SET closed_at = NULL WHERE id = (SELECT id FROM deviations \
         WHERE cmo_org_id = $1 AND closed_at IS NOT NULL ORDER BY closed_at LIMIT 1 OFFSET 300)",
        "UPDATE deviations SET batch_id = (SELECT id FROM batches b WHERE b.cmo_org_id = $1 \
         AND b.disposition_at > '2026-02-01' AND NOT EXISTS (SELECT 1 FROM deviations x WHERE x.batch_id = b.id) \
         ORDER BY b.disposition_at LIMIT 1) \
         WHERE id = (SELECT id FROM deviations WHERE cmo_org_id = $1 AND batch_id IS NULL LIMIT 1)",
        "UPDATE capas SET closed_at = NULL WHERE id = (SELECT id FROM capas \
         WHERE cmo_org_id = $1 AND closed_at IS NOT NULL ORDER BY due_on LIMIT 1 OFFSET 40)",
        "UPDATE deliveries SET on_time_in_full = 1 - on_time_in_full WHERE id = (SELECT id FROM deliveries \
         WHERE cmo_org_id = $1 AND on_time_in_full IS NOT NULL ORDER BY promised_on LIMIT 1 OFFSET 400)",
        "UPDATE deliveries SET promised_on = '2025-12-31' WHERE id = (SELECT id FROM deliveries \
         WHERE cmo_org_id = $1 AND on_time_in_full IS NOT NULL ORDER BY promised_on LIMIT 1 OFFSET 900)",
    ];
    for sql in writes {
        let generations = "SELECT CAST(SUM(generation) AS BIGINT) FROM kpi_months";
        let before = count(&db, generations).await;
        write(&db, sql).await;
        assert!(count(&db, generations).await > before, "the write marked no month: {sql}");
        assert_kept_equals_summed(&db, &range, sql).await;
    }
}
