//! Benchmark: document upload. Uploads a PDF-typed file (a valid PDF header, random bytes after) of
//! `BATON_BENCH_UPLOAD_MB` MB (default 200, the default limit) three times through `POST /documents/{id}/versions`
//! and prints the median throughput in MB/s and the server's peak resident memory (VmHWM) before the uploads, after a
//! 20 MB upload and after the large ones — equal peaks mean the upload is streamed, not held. Runs on the local store
//! and on an S3-compatible bucket (an `s3s-fs` server in this process, on the same disk). Prints figures; asserts
//! nothing.

use baton_tests::client::send;
use baton_tests::{ApiClient, Backend, S3Server, TestServer};
use reqwest::Method;
use serde_json::json;
use std::time::Instant;

/// Velarimab drug substance (TT-2026-001).
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const MB: usize = 1000 * 1000;

/// `size` bytes that start as a PDF and go on as random bytes (which no compression or dedup shortens).
fn pdf_typed(size: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let take = (size - bytes.len()).min(8);
        bytes.extend_from_slice(&state.to_le_bytes()[..take]);
    }
    bytes
}

/// The server's peak resident memory so far, in MB.
fn peak_mb(server: &TestServer) -> String {
    server.peak_rss_kb().map_or_else(|| "?".to_owned(), |kb| format!("{:.0} MB", kb as f64 / 1024.0))
}

/// Uploads `file` as a new version; returns the seconds it took.
async fn upload(client: &ApiClient, document: &str, file: &bytes::Bytes) -> f64 {
    let started = Instant::now();
    let request = client
        .request(Method::POST, &format!("/documents/{document}/versions"))
        .header("content-type", "application/pdf")
        .header("x-file-name", "bench.pdf")
        .body(file.clone());
    let reply = send(request).await;
    assert_eq!(reply.status, 201, "upload refused: {:?}", reply.body);
    started.elapsed().as_secs_f64()
}

async fn bench(label: &str, env: &[(&str, &str)], small: &bytes::Bytes, large: &bytes::Bytes) {
    let server = TestServer::start_with_env(Backend::Sqlite, env).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let created = send(lead.request(Method::POST, "/documents").json(&json!({
        "transfer": VELARIMAB_DS, "title": "Upload benchmark", "data_class": "process_description"})))
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let document = created.body["id"].as_str().expect("id").to_owned();
    let before = peak_mb(&server);
    upload(&lead, &document, small).await;
    let after_small = peak_mb(&server);
    let mut seconds = Vec::new();
    for _ in 0..3 {
        seconds.push(upload(&lead, &document, large).await);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[1];
    let size_mb = large.len() as f64 / MB as f64;
    println!(
        "  {label:<28} {:>7.1} MB/s (median of 3: {:.2} s)   peak RSS: {before} before, {after_small} after {} MB, {} after {size_mb:.0} MB",
        size_mb / median,
        median,
        small.len() / MB,
        peak_mb(&server)
    );
}

#[tokio::main]
async fn main() {
    let size_mb = std::env::var("BATON_BENCH_UPLOAD_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let small = bytes::Bytes::from(pdf_typed(20 * MB));
    let large = bytes::Bytes::from(pdf_typed(size_mb * MB));
    println!("Upload of a {size_mb} MB PDF through POST /documents/{{id}}/versions (SQLite, loopback):");
    bench("local directory", &[], &small, &large).await;
    let s3 = S3Server::start();
    let settings = s3.settings("bench");
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    bench("S3 bucket (s3s-fs, loopback)", &settings, &small, &large).await;
}
