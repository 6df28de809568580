//! Benchmark: the partnership KPI dashboard at the scale of ten years of a sponsor with three CMOs (about 50,000
//! batches, 100,000 deviations, 20,000 CAPAs, 60,000 deliveries), on SQLite — the scorecard API's time (median and
//! p99: the first request after loading, whose finished months `seed-demo` kept; then warm; then right after a write
//! to one batch, which marks its months to be summed again; then with no month kept, summing all) against the same aggregation run directly on the
//! database by the server's own SQL over every record (no HTTP, no access check, no JSON, no kept months), and a deep
//! link to the scorecard opened in headless Chromium (navigation start to tiles and chart drawn). Against the server
//! binary in `BATON_BIN` serving `BATON_TEST_DIST`; run through `scripts/bench.sh`. Prints figures; asserts nothing.

use baton_domain::ids::OrgId;
use baton_domain::kpi::Month;
use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::DEMO_PASSWORD;
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use std::time::Instant;

const YEARS: u32 = 10;
const REQUESTS: usize = 50;
const LOADS: usize = 10;
const WRITES: usize = 10;
const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";
const CASTELLAN_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000002";

const SHOWN_TIME: &str =
    "return performance.getEntriesByName('baton:scorecard-shown').map(e => e.startTime)[0] ?? null;";

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * (values.len() as f64 - 1.0)).round() as usize;
    values[rank.min(values.len() - 1)]
}

#[tokio::main]
async fn main() {
    let server = TestServer::start(Backend::Sqlite).await;
    let started = Instant::now();
    let seeded = server.run(&["seed-demo", "--history-years", &YEARS.to_string()], None).await;
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    println!("seed-demo --history-years {YEARS}: {:.1} s", started.elapsed().as_secs_f64());

    let db = baton_server::db::connect(&server.database_url).await.expect("database");
    let mut conn = db.pool.acquire().await.expect("connection");
    for (table, what) in
        [("batches", "batches"), ("deviations", "deviations"), ("capas", "CAPAs"), ("deliveries", "deliveries")]
    {
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await.expect("count");
        print!("{count} {what}  ");
    }
    println!();

    let to = Month::of_date(chrono::Utc::now().date_naive()).expect("this month");
    let from = (0..(YEARS * 12 - 1)).try_fold(to, |m, _| m.prev()).expect("ten years back");
    let query = format!("from={from}&to={to}&grain=quarter");
    let path = format!("/partnerships/{CASTELLAN_PARTNERSHIP}/scorecard?{query}");

    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let timed = Instant::now();
    let first = qa.get(&path).await;
    let cold = timed.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let rows = first.body["monthly"].as_array().map_or(0, Vec::len);
    let mut api = Vec::new();
    for _ in 0..REQUESTS {
        let timed = Instant::now();
        let reply = qa.http.get(qa.api(&path)).send().await.expect("scorecard");
        let bytes = reply.bytes().await.expect("body").len();
        api.push(timed.elapsed().as_secs_f64() * 1000.0);
        assert!(bytes > 0);
    }
    // A write to one finished batch marks its months; the next view sums those again.
    let mut after_write = Vec::new();
    for n in 0..WRITES {
        sqlx::query(
            "UPDATE batches SET row_version = row_version + 1 WHERE id = (SELECT id FROM batches \
             WHERE cmo_org_id = $1 AND disposition_at IS NOT NULL ORDER BY disposition_at LIMIT 1 OFFSET $2)",
        )
        .bind(CASTELLAN)
        .bind(i64::try_from(n * 997).expect("offset"))
        .execute(&mut *conn)
        .await
        .expect("a write");
        let timed = Instant::now();
        let reply = qa.get(&path).await;
        after_write.push(timed.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(reply.body["monthly"], first.body["monthly"], "summing again changes nothing");
    }
    // Forgetting every kept month: the next view sums all ten years again and keeps them.
    sqlx::query("UPDATE kpi_months SET cached = 0").execute(&mut *conn).await.expect("forget");
    let timed = Instant::now();
    let resummed = qa.get(&path).await;
    let nothing_kept = timed.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(resummed.body["monthly"], first.body["monthly"]);
    let (sponsor, cmo): (OrgId, OrgId) = (HELIX.parse().expect("id"), CASTELLAN.parse().expect("id"));
    let today = chrono::Utc::now().date_naive().to_string();
    let mut sql = Vec::new();
    for _ in 0..REQUESTS {
        let timed = Instant::now();
        let monthly = baton_server::store::kpi::summed(&db, sponsor, cmo, from, to, &today).await.expect("sql");
        sql.push(timed.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(monthly.len(), rows);
    }
    drop(conn);
    let (api_median, sql_median) = (percentile(&mut api.clone(), 50.0), percentile(&mut sql.clone(), 50.0));
    println!(
        "scorecard of Helix–Castellan over {YEARS} years by quarter ({rows} month × site × product rows), {REQUESTS} requests each:"
    );
    println!("  GET /partnerships/{{id}}/scorecard, first request after loading (finished months kept): {cold:.1} ms");
    println!(
        "  GET /partnerships/{{id}}/scorecard, warm: median {api_median:.1} ms, p99 {:.1} ms",
        percentile(&mut api, 99.0)
    );
    println!(
        "  GET /partnerships/{{id}}/scorecard right after a write to one batch ({WRITES} writes): median {:.1} ms, max {:.1} ms",
        percentile(&mut after_write.clone(), 50.0),
        percentile(&mut after_write, 100.0)
    );
    println!(
        "  GET /partnerships/{{id}}/scorecard with no month kept (sums all ten years, keeps them): {nothing_kept:.1} ms"
    );
    println!(
        "  the same aggregation in SQL directly over every record (store::kpi::summed): median {sql_median:.1} ms, p99 {:.1} ms; API / SQL = {:.2}",
        percentile(&mut sql, 99.0),
        api_median / sql_median
    );

    let site = &server;
    let page = format!("{path}&kpi=right_first_time");
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        let mut shown = Vec::new();
        for _ in 0..LOADS {
            c.goto(&site.url(&page)).await?;
            wait_for(&c, "[data-testid=kpi-tiles] [data-testid=kpi-value]").await?;
            let time = c.execute(SHOWN_TIME, vec![]).await?;
            shown.push(time.as_f64().ok_or_else(|| anyhow::anyhow!("no performance mark: {time}"))?);
        }
        println!("deep link to that scorecard, headless Chromium 768×1024, {LOADS} loads:");
        println!(
            "  navigation start -> tiles and chart drawn: median {:.0} ms (first load {:.0} ms)",
            percentile(&mut shown.clone(), 50.0),
            shown[0]
        );
        Ok(())
    })
    .await;
}
