//! Benchmark: throughput of an authenticated, access-checked `GET /api/v1/transfers/{id}` on the real server
//! (`BATON_BIN`; SQLite, or PostgreSQL with `BATON_BENCH_BACKEND=postgres` and `BATON_TEST_DATABASE_URL`) against a
//! bare axum handler returning the same JSON from memory, with 10 and 1,000 agreements in force between the sponsor
//! and the CMO; and the top bar's search as each party. Prints figures; asserts nothing.

use baton_tests::client::{ApiClient, DEMO_PASSWORD, send};
use baton_tests::{Backend, TestServer};
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const CONCURRENCY: usize = 16;
const SECONDS: u64 = 5;
const ROUNDS: usize = 3;

/// One run: requests per second sustained by CONCURRENCY clients for SECONDS, and the 99th-percentile latency.
struct Run {
    per_second: f64,
    p99: Duration,
}

async fn throughput(client: reqwest::Client, url: String) -> Run {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, done) = (client.clone(), url.clone(), done.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let response = client.get(&url).send().await.expect("request");
                    assert_eq!(response.status(), 200, "{url}");
                    response.bytes().await.expect("body");
                    latencies.push(sent.elapsed());
                    done.fetch_add(1, Ordering::Relaxed);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    latencies.sort();
    let p99 = latencies.get(latencies.len() * 99 / 100).copied().unwrap_or_default();
    Run { per_second: done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(), p99 }
}

/// The median time to make a 4 KiB append durable (write, then fdatasync) in `dir`, over 200 appends.
fn durable_append_median(dir: &std::path::Path) -> Duration {
    use std::io::Write;
    let path = dir.join("fdatasync-probe");
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).expect("probe file");
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let started = Instant::now();
            file.write_all(&[0u8; 4096]).expect("append");
            file.sync_data().expect("fdatasync");
            started.elapsed()
        })
        .collect();
    std::fs::remove_file(&path).expect("probe removed");
    times.sort();
    times[times.len() / 2]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn bare_server(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let body = Arc::new(body);
    let app = axum::Router::new().route(
        "/transfer",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body.as_ref().clone()) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("bare server") });
    format!("http://{addr}/transfer")
}

/// Adds active agreements (drafted by the sponsor, approved by both admins) until `target` exist.
async fn grow_agreements(server: &TestServer, sponsor: &ApiClient, cmo: &ApiClient, have: usize, target: usize) {
    for i in have..target {
        let terms = json!({
            "title": format!("Bench agreement {i}"),
            "grantee": NORVIA,
            "scope": {"products": {"kind": "all"}, "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
                      "data_classes": ["process_description"]},
            "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
        });
        let created = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["id"].as_str().expect("id").to_owned();
        for client in [sponsor, cmo] {
            let signed = client.approve_agreement(&id, DEMO_PASSWORD).await;
            assert_eq!(signed.status, 200, "{:?}", signed.body);
        }
    }
    let _ = server;
}

#[tokio::main]
async fn main() {
    let backend = match std::env::var("BATON_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let server = TestServer::start(backend).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let sponsor_reader = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    let cmo_reader = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    let url = sponsor.api(&format!("/transfers/{VELARIMAB_DS}"));
    let body = sponsor_reader.http.get(&url).send().await.expect("request").bytes().await.expect("body").to_vec();
    let bare = bare_server(body.clone()).await;
    println!(
        "GET /api/v1/transfers/{{id}} on {backend:?}: {} B of JSON, {CONCURRENCY} concurrent clients, {ROUNDS} rounds of {SECONDS} s, median req/s",
        body.len()
    );
    println!(
        "{:>10} {:>9} {:>11} {:>9} {:>12} {:>9} {:>11} {:>9} {:>9}",
        "agreements", "bare", "own (spons)", "own/bare", "partner CMO", "part/own", "own p99", "part p99", "bare p99"
    );

    let mut have = 1; // the seeded agreement with Norvia
    for target in [10, 1000] {
        grow_agreements(&server, &sponsor, &cmo_admin, have, target).await;
        have = target;
        let (mut b, mut s, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            b.push(throughput(reqwest::Client::new(), bare.clone()).await);
            s.push(throughput(sponsor_reader.http.clone(), url.clone()).await);
            c.push(throughput(cmo_reader.http.clone(), url.clone()).await);
        }
        let ms = |runs: &[Run]| median(runs.iter().map(|r| r.p99.as_secs_f64() * 1000.0).collect());
        let (bp, sp, cp) = (ms(&b), ms(&s), ms(&c));
        let rate = |runs: &[Run]| median(runs.iter().map(|r| r.per_second).collect());
        let (b, s, c) = (rate(&b), rate(&s), rate(&c));
        println!(
            "{target:>10} {b:>9.0} {s:>11.0} {:>9.2} {c:>12.0} {:>9.2} {sp:>8.1}ms {cp:>7.1}ms {bp:>7.1}ms",
            s / b,
            c / s
        );
    }
    // The top bar's search reads five lists and keeps what matches and the rule allows; the CMO's matches include the
    // sponsor's transfer, so each search also appends a partner-read entry.
    let search = sponsor.api("/search?q=velarimab");
    let (mut own, mut partner) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        own.push(throughput(sponsor_reader.http.clone(), search.clone()).await);
        partner.push(throughput(cmo_reader.http.clone(), search.clone()).await);
    }
    let rate = |runs: &[Run]| median(runs.iter().map(|r| r.per_second).collect());
    let ms = |runs: &[Run]| median(runs.iter().map(|r| r.p99.as_secs_f64() * 1000.0).collect());
    println!(
        "GET /api/v1/search?q=velarimab: sponsor {:.0} req/s (p99 {:.1} ms), CMO {:.0} req/s (p99 {:.1} ms)",
        rate(&own),
        ms(&own),
        rate(&partner),
        ms(&partner)
    );
    // The floor under the partner figure: each partner read is answered only once the group commit holding its entry
    // is durable. A read arriving while one commit is under way waits for it and then for its own: about 1.5 commits.
    let durable = durable_append_median(server.data_dir());
    let ceiling = CONCURRENCY as f64 / (1.5 * durable.as_secs_f64());
    println!(
        "A durable 4 KiB append (write + fdatasync) on this disk: median {:.2} ms, so {CONCURRENCY} partner clients \
         waiting 1.5 commits each cannot pass {ceiling:.0} req/s, whatever the server does.",
        durable.as_secs_f64() * 1000.0
    );
}
