//! Benchmark: live updates. With N subscribers (`BATON_BENCH_SUBSCRIBERS`, default 1,000) holding open
//! `/api/v1/events` streams, writes a change W times (`BATON_BENCH_WRITES`, default 50) and prints the latency from
//! sending the write to each subscriber receiving its event (p50, p99, max), and the server's resident memory before
//! and with the N idle streams open. On PostgreSQL (`BATON_BENCH_BACKEND=postgres`, `BATON_TEST_DATABASE_URL`) two
//! instances share the database: the writes go through instance A and every subscriber listens on instance B, so the
//! figure includes NOTIFY/LISTEN. On SQLite one instance serves both. Prints figures; asserts nothing.

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

/// Reads one subscriber's stream, reporting the arrival time of every event.
async fn subscribe(mut response: reqwest::Response, arrivals: mpsc::UnboundedSender<Instant>, open: Arc<AtomicUsize>) {
    open.fetch_add(1, Ordering::SeqCst);
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l.starts_with("data:")) && arrivals.send(now).is_err() {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let subscribers = setting("BATON_BENCH_SUBSCRIBERS", 1000);
    let writes = setting("BATON_BENCH_WRITES", 50);
    let postgres = std::env::var("BATON_BENCH_BACKEND").as_deref() == Ok("postgres");
    let backend = if postgres { Backend::Postgres } else { Backend::Sqlite };
    let a = TestServer::start(backend).await;
    let b = if postgres { Some(a.another_instance().await) } else { None };
    let listening = b.as_ref().unwrap_or(&a);
    let writer = ApiClient::logged_in(&a.base_url, "lead@helix.example").await;
    let reader = ApiClient::logged_in(&listening.base_url, "lead@norvia.example").await;
    let before = rss_kb(listening);

    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let open = Arc::new(AtomicUsize::new(0));
    for _ in 0..subscribers {
        let response = reader.http.get(reader.api("/events")).send().await.expect("opening a stream");
        assert_eq!(response.status(), 200, "stream refused");
        tokio::spawn(subscribe(response, arrivals.clone(), open.clone()));
    }
    while open.load(Ordering::SeqCst) < subscribers {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_kb(listening);

    let plan = writer.get(&format!("/transfers/{VELARIMAB_DS}/stages")).await.body;
    let stages = plan["stages"].as_array().expect("stages");
    let stage =
        stages.iter().find(|s| s["gate"]["state"] == "open" && s["deliverables"][0].is_object()).expect("stage");
    let id = stage["deliverables"][0]["id"].as_str().expect("deliverable id").to_owned();
    let mut latencies = Vec::with_capacity(subscribers * writes);
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
                Ok(Some(at)) => latencies.push(at.saturating_duration_since(sent)),
                _ => panic!("a subscriber did not receive write {i} within 30 s"),
            }
        }
    }
    latencies.sort_unstable();
    write_times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let engine =
        if postgres { "PostgreSQL, write on instance A, subscribers on instance B" } else { "SQLite, one instance" };
    println!("Live updates ({engine}): {subscribers} subscribers, {writes} writes");
    println!(
        "  write acknowledged:        p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&write_times, 0.5)),
        ms(percentile(&write_times, 0.99))
    );
    println!(
        "  write → event at each subscriber: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries)",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
        latencies.len()
    );
    let mb = |kb: Option<u64>| kb.map_or("unknown".to_owned(), |kb| format!("{:.1} MB", kb as f64 / 1024.0));
    println!("  server RSS: {} before, {} with {subscribers} idle streams", mb(before), mb(idle));
}
