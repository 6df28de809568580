//! Benchmark: live updates. With N subscribers (`BATON_BENCH_SUBSCRIBERS`, default 1,000) holding open
//! `/api/v1/events` streams, writes a change W times (`BATON_BENCH_WRITES`, default 50) and prints the latency from
//! sending the write to each subscriber receiving its event (p50, p99, max), and each server's resident memory before
//! and with its idle streams open. On PostgreSQL (`BATON_BENCH_BACKEND=postgres`, `BATON_TEST_DATABASE_URL`) two
//! instances share the database and the subscribers are spread over both: the writes go through instance A, so
//! instance B's figure includes NOTIFY/LISTEN; it also prints how many times PostgreSQL scanned the events table per
//! write (one read per instance and wake, not one per subscriber). On SQLite one instance serves everything. Prints
//! figures; asserts nothing.

use baton_tests::client::{ApiClient, send};
use baton_tests::{Backend, TestServer};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Velarimab drug substance (TT-2026-001), which an agreement in force shares with Norvia.
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server process's resident memory now, in kB.
fn rss_kb(server: &TestServer) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Reads one subscriber's stream (on instance `instance`), reporting the arrival time of every event.
async fn subscribe(
    mut response: reqwest::Response,
    instance: usize,
    arrivals: mpsc::UnboundedSender<(usize, Instant)>,
    open: Arc<AtomicUsize>,
) {
    open.fetch_add(1, Ordering::SeqCst);
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l.starts_with("data:")) && arrivals.send((instance, now)).is_err() {
                return;
            }
        }
    }
}

/// How many times PostgreSQL has scanned the events table since it started (its statistics reach the view within
/// about 10 s).
const EVENT_SCANS: &str = "SELECT CAST(COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0)), 0) AS BIGINT) \
     FROM pg_stat_user_tables WHERE relname = 'events'";
const STATISTICS_FLUSHED: Duration = Duration::from_secs(11);

#[tokio::main]
async fn main() {
    let subscribers = setting("BATON_BENCH_SUBSCRIBERS", 1000);
    let writes = setting("BATON_BENCH_WRITES", 50);
    let postgres = std::env::var("BATON_BENCH_BACKEND").as_deref() == Ok("postgres");
    let backend = if postgres { Backend::Postgres } else { Backend::Sqlite };
    let a = TestServer::start(backend).await;
    let mut instances = vec![a];
    if postgres {
        let b = instances[0].another_instance().await;
        instances.push(b);
    }
    let writer = ApiClient::logged_in(&instances[0].base_url, "lead@helix.example").await;
    let before: Vec<Option<u64>> = instances.iter().map(rss_kb).collect();

    // The subscribers, spread evenly over the instances; each reports which instance it listens on.
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let open = Arc::new(AtomicUsize::new(0));
    let mut spread = vec![0; instances.len()];
    for (i, server) in instances.iter().enumerate() {
        let reader = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
        let count = subscribers / instances.len() + usize::from(i < subscribers % instances.len());
        spread[i] = count;
        for _ in 0..count {
            let response = reader.http.get(reader.api("/events")).send().await.expect("opening a stream");
            assert_eq!(response.status(), 200, "stream refused");
            tokio::spawn(subscribe(response, i, arrivals.clone(), open.clone()));
        }
    }
    while open.load(Ordering::SeqCst) < subscribers {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle: Vec<Option<u64>> = instances.iter().map(rss_kb).collect();

    let plan = writer.get(&format!("/transfers/{VELARIMAB_DS}/stages")).await.body;
    let stages = plan["stages"].as_array().expect("stages");
    let stage =
        stages.iter().find(|s| s["gate"]["state"] == "open" && s["deliverables"][0].is_object()).expect("stage");
    let id = stage["deliverables"][0]["id"].as_str().expect("deliverable id").to_owned();
    if postgres {
        tokio::time::sleep(STATISTICS_FLUSHED).await;
    }
    let scans_before = if postgres { instances[0].scalar(EVENT_SCANS).await } else { 0 };
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::with_capacity(subscribers * writes); instances.len()];
    let mut write_times = Vec::with_capacity(writes);
    for i in 0..writes {
        let d: Value = writer.get(&format!("/deliverables/{id}")).await.body;
        let fields = json!({"title": d["title"], "description": format!("Bench write {i}"), "owner_org": d["owner"]["id"],
            "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": d["status"]});
        let body = json!({"deliverable": fields, "row_version": d["row_version"]});
        let sent = Instant::now();
        let reply = send(writer.request(Method::PUT, &format!("/deliverables/{id}")).json(&body)).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        write_times.push(sent.elapsed());
        for _ in 0..subscribers {
            match tokio::time::timeout(Duration::from_secs(30), arrived.recv()).await {
                Ok(Some((instance, at))) => latencies[instance].push(at.saturating_duration_since(sent)),
                _ => panic!("a subscriber did not receive write {i} within 30 s"),
            }
        }
    }
    let scans = if postgres {
        tokio::time::sleep(STATISTICS_FLUSHED).await;
        Some(instances[0].scalar(EVENT_SCANS).await - scans_before)
    } else {
        None
    };
    write_times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mb = |kb: Option<u64>| kb.map_or("unknown".to_owned(), |kb| format!("{:.1} MB", kb as f64 / 1024.0));
    let engine = if postgres { "PostgreSQL, two instances" } else { "SQLite, one instance" };
    let spread_text = spread.iter().map(usize::to_string).collect::<Vec<_>>().join(" + ");
    println!("Live updates ({engine}): {subscribers} subscribers ({spread_text}), {writes} writes through instance A");
    println!(
        "  write acknowledged:                p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&write_times, 0.5)),
        ms(percentile(&write_times, 0.99))
    );
    for (i, mut instance) in latencies.into_iter().enumerate() {
        instance.sort_unstable();
        let name = ["A", "B"].get(i).copied().unwrap_or("?");
        println!(
            "  write → event on instance {name} subscribers: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries)",
            ms(percentile(&instance, 0.5)),
            ms(percentile(&instance, 0.99)),
            ms(instance.last().copied().unwrap_or_default()),
            instance.len()
        );
    }
    for (i, (before, idle)) in before.iter().zip(&idle).enumerate() {
        let name = ["A", "B"].get(i).copied().unwrap_or("?");
        println!("  instance {name} RSS: {} before, {} with {} idle streams", mb(*before), mb(*idle), spread[i]);
    }
    if let Some(scans) = scans {
        println!(
            "  events table scans (both instances): {scans} for {writes} writes, {:.1} per write",
            scans as f64 / writes as f64
        );
    }
}
