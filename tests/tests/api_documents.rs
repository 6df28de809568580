//! Documents over the API: a file uploaded as a raw body comes back byte for byte with the SHA-256 the server
//! computed; programs and files whose bytes are not their declared type are refused; the size limit answers 413
//! naming it; an upload cut off mid-body leaves no version and no file; the other party views a document through an
//! agreement but downloads it only with download permission, and its download is stamped and audited; an outsider
//! reaches nothing; each status step is signed on the content hash shown (a stale one is 409). The round trip and
//! the refusals run against both document stores: the local directory and an S3-compatible bucket (a real
//! S3-protocol server, `s3s-fs`, started by the test), whose start-up check refuses a bucket it cannot use.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::s3::BUCKET;
use baton_tests::{ApiClient, Backend, S3Server, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
/// Helix's demo transfer protocol in the drug substance transfer (regulatory documents, which Norvia's agreement
/// covers).
const DEMO_PROTOCOL: &str = "00000016-0000-4000-8000-000000000101";

on_both_databases!(
    documents_round_trip_are_shared_by_agreement_and_signed_step_by_step,
    uploads_past_the_limit_or_cut_off_leave_nothing,
    documents_round_trip_through_an_s3_bucket,
    uploads_past_the_limit_or_cut_off_leave_nothing_in_an_s3_bucket
);

/// Where a test server keeps its documents.
enum Store {
    /// `documents/` under its data directory, the default.
    Local,
    /// The S3 server's bucket, under a prefix.
    S3(S3Server),
}

/// The key prefix the S3 tests keep documents under.
const PREFIX: &str = "baton/documents";

impl Store {
    fn s3() -> Store {
        Store::S3(S3Server::start())
    }

    /// Starts a server with the demo data, keeping its documents here, with `env` besides.
    async fn server(&self, db: Backend, env: &[(&str, &str)]) -> TestServer {
        let mut settings: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        if let Store::S3(s3) = self {
            settings.extend(s3.settings(PREFIX));
        }
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        TestServer::start_with_env(db, &settings).await
    }

    /// Every file the store holds under the document's key prefix.
    fn files(&self, server: &TestServer, id: &str) -> Vec<String> {
        let dir = match self {
            Store::Local => server.data_dir().join("documents").join(id),
            Store::S3(s3) => s3.object_path(&format!("{PREFIX}/{id}")),
        };
        std::fs::read_dir(dir)
            .map(|entries| {
                entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
            })
            .unwrap_or_default()
    }
}

/// A PDF of about `size` bytes: a real header and body, padded with a comment.
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    let mut n: u32 = 0;
    while bytes.len() < size.saturating_sub(6) {
        n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.extend_from_slice(format!("% {n:08x}\n").as_bytes());
    }
    bytes.extend_from_slice(b"%%EOF\n");
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn create(client: &ApiClient, title: &str, class: &str) -> Reply {
    post(client, "/documents", &json!({"transfer": VELARIMAB_DS, "title": title, "data_class": class})).await
}

async fn upload(client: &ApiClient, id: &str, content_type: &str, name: &str, bytes: Vec<u8>) -> Reply {
    let request = client
        .request(Method::POST, &format!("/documents/{id}/versions"))
        .header("content-type", content_type)
        .header("x-file-name", name)
        .body(bytes);
    send(request).await
}

/// The raw bytes and headers of a GET.
async fn fetch(client: &ApiClient, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = client.request(Method::GET, path).send().await.expect("sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.expect("body").to_vec())
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Signs a step on the document as `client` last read it (or on `hash`).
async fn step(client: &ApiClient, id: &str, which: &str, hash: Option<&str>) -> Reply {
    let shown = client.get(&format!("/documents/{id}")).await;
    let hash = hash.map_or_else(|| shown.body["content_hash"].as_str().unwrap_or_default().to_owned(), str::to_owned);
    post(client, &format!("/documents/{id}/{which}"), &json!({"password": DEMO_PASSWORD, "content_hash": hash})).await
}

fn statuses(view: &Value) -> Vec<(u64, String)> {
    view["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| (v["number"].as_u64().unwrap_or(0), v["status"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

async fn documents_round_trip_are_shared_by_agreement_and_signed_step_by_step(db: Backend) {
    round_trip(db, Store::Local).await;
}

async fn documents_round_trip_through_an_s3_bucket(db: Backend) {
    round_trip(db, Store::s3()).await;
}

async fn round_trip(db: Backend, store: Store) {
    let server = store.server(db, &[]).await;
    let base = &server.base_url;
    let lead = ApiClient::logged_in(base, "lead@helix.example").await;
    let qa = ApiClient::logged_in(base, "qa@helix.example").await;
    let norvia = ApiClient::logged_in(base, "lead@norvia.example").await;
    let norvia_qa = ApiClient::logged_in(base, "qa@norvia.example").await;
    let outsider = ApiClient::logged_in(base, "admin@castellan.example").await;
    let viewer = ApiClient::logged_in(base, "viewer@helix.example").await;

    // Bad input changes nothing and names the field.
    let untitled = create(&lead, " ", "process_description").await;
    assert_eq!((untitled.status, untitled.error_field()), (422, "title"), "{:?}", untitled.body);
    let nowhere = post(
        &lead,
        "/documents",
        &json!({"transfer": "00000003-0000-4000-8000-0000000000ff",
        "title": "X", "data_class": "process_description"}),
    )
    .await;
    assert_eq!((nowhere.status, nowhere.error_field()), (422, "transfer"), "{:?}", nowhere.body);
    assert_eq!(create(&viewer, "Viewers add nothing", "process_description").await.status, 403);
    assert!(matches!(create(&outsider, "Not theirs", "process_description").await.status, 403 | 404));

    let created = create(&lead, "Process description, upstream", "process_description").await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.body["owner"]["name"], "Helix Biologics");
    assert!(created.body["status"].is_null() && statuses(&created.body).is_empty());

    // Round trip: the file comes back byte for byte, with the hash the server computed while streaming it.
    let file = pdf(3 * 1024 * 1024 + 17);
    let uploaded = upload(&lead, &id, "application/pdf", "Upstream%20process%20%E2%80%93%20v1.pdf", file.clone()).await;
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let v1 = &uploaded.body["versions"][0];
    assert_eq!((v1["sha256"].as_str(), v1["size"].as_u64()), (Some(sha256(&file).as_str()), Some(file.len() as u64)));
    assert_eq!((v1["file_name"].as_str(), v1["status"].as_str()), (Some("Upstream process – v1.pdf"), Some("draft")));
    let (status, headers, bytes) = fetch(&lead, &format!("/documents/{id}/view")).await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&bytes), sha256(&file));
    assert_eq!(header(&headers, "content-type"), "application/pdf");
    assert!(header(&headers, "content-disposition").starts_with("inline;"), "{headers:?}");
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");

    // Content check: a program renamed .pdf, bytes of another type, and a type not accepted at all.
    let program = [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec(), vec![0; 4096]].concat();
    let renamed = upload(&lead, &id, "application/pdf", "protocol.pdf", program.clone()).await;
    assert_eq!((renamed.status, renamed.error_field()), (422, "file"), "{:?}", renamed.body);
    assert!(renamed.body["error"]["message"].as_str().unwrap_or_default().contains("program"), "{:?}", renamed.body);
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01".to_vec();
    let mismatched = upload(&lead, &id, "application/pdf", "scan.pdf", png).await;
    assert_eq!((mismatched.status, mismatched.error_field()), (422, "file"), "{:?}", mismatched.body);
    let exe = upload(&lead, &id, "application/x-msdownload", "setup.exe", program).await;
    assert_eq!(exe.status, 415, "{:?}", exe.body);
    assert_eq!(statuses(&lead.get(&format!("/documents/{id}")).await.body), vec![(1, "draft".to_owned())]);

    // Norvia views it through the demo agreement (process description, contribute) but may not download it, and
    // does not see a document of a class the agreement leaves out.
    let stability = create(&lead, "Stability summary", "stability_data").await;
    assert_eq!(stability.status, 201, "{:?}", stability.body);
    let unshared = stability.body["id"].as_str().expect("id");
    let listed = norvia.get(&format!("/transfers/{VELARIMAB_DS}/documents")).await;
    let ids: Vec<&str> =
        listed.body["items"].as_array().expect("items").iter().filter_map(|d| d["id"].as_str()).collect();
    assert!(ids.contains(&id.as_str()) && ids.contains(&DEMO_PROTOCOL) && !ids.contains(&unshared), "{ids:?}");
    let (status, _, bytes) = fetch(&norvia, &format!("/documents/{id}/view")).await;
    assert_eq!((status, sha256(&bytes)), (200, sha256(&file)));
    let refused = norvia.get(&format!("/documents/{id}/download")).await;
    assert_eq!((refused.status, refused.error_code()), (403, "no_access"), "{:?}", refused.body);
    assert_eq!(norvia.get(&format!("/documents/{unshared}")).await.status, 403);

    // The outsider reaches nothing, and its list shows none of Helix's documents.
    for path in [format!("/documents/{id}"), format!("/documents/{id}/view"), format!("/documents/{id}/download")] {
        let reply = outsider.get(&path).await;
        assert!(matches!(reply.status, 403 | 404), "{path}: {:?}", reply.body);
    }
    let theirs = outsider.get(&format!("/transfers/{VELARIMAB_DS}/documents")).await;
    assert_eq!((theirs.status, theirs.body["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert!(matches!(upload(&outsider, &id, "application/pdf", "x.pdf", pdf(1000)).await.status, 403 | 404));

    // Helix grants download; Norvia's copy is stamped with its name and the time, and the download is audited.
    let grant = json!({"title": "Process description files", "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DS_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DS]}, "data_classes": ["process_description"]},
        "permission": "download", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2031-01-01T00:00:00Z"});
    let helix_admin = ApiClient::logged_in(base, "admin@helix.example").await;
    let agreement = post(&helix_admin, "/agreements", &grant).await;
    assert_eq!(agreement.status, 201, "{:?}", agreement.body);
    let agreement_id = agreement.body["id"].as_str().expect("id");
    assert_eq!(helix_admin.approve_agreement(agreement_id, DEMO_PASSWORD).await.status, 200);
    let norvia_admin = ApiClient::logged_in(base, "admin@norvia.example").await;
    assert_eq!(norvia_admin.approve_agreement(agreement_id, DEMO_PASSWORD).await.status, 200);
    let (status, headers, bytes) = fetch(&norvia, &format!("/documents/{id}/download")).await;
    assert_eq!((status, sha256(&bytes)), (200, sha256(&file)));
    let disposition = header(&headers, "content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("Norvia CDMO") && disposition.contains(" UTC.pdf"), "{disposition}");
    let trail = helix_admin.get(&format!("/audit?record_id={id}")).await;
    let downloads: Vec<&Value> =
        trail.body["items"].as_array().expect("entries").iter().filter(|e| e["action"] == "download").collect();
    assert_eq!(downloads.len(), 1, "{:?}", trail.body);
    assert_eq!(downloads[0]["actor_name"], "Sofie Claes");
    let stamped = downloads[0]["new"]["file_name"].as_str().unwrap_or_default();
    // The audited name is the name the copy went out under (in full, UTF-8, in `filename*`).
    let encoded = baton_domain::url_encoding::encode_component(stamped);
    assert!(disposition.ends_with(&format!("filename*=UTF-8''{encoded}")), "{stamped} / {disposition}");
    assert!(stamped.starts_with("Upstream process – v1 - Norvia CDMO ") && stamped.ends_with(" UTC.pdf"), "{stamped}");

    // Steps: submitted on a stale hash is refused, naming the change; then submitted, approved by the owner's QA.
    let stale = step(&lead, &id, "review", Some("0".repeat(64).as_str())).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    assert!(stale.body["error"]["message"].as_str().unwrap_or_default().contains("changed"), "{:?}", stale.body);
    assert_eq!(step(&lead, &id, "approval", None).await.status, 403, "only QA approves");
    let submitted = step(&lead, &id, "review", None).await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    assert_eq!(submitted.body["status"], "in_review");
    let blocked = upload(&lead, &id, "application/pdf", "v2.pdf", pdf(2000)).await;
    assert_eq!(blocked.status, 409, "{:?}", blocked.body);
    let partner = step(&norvia_qa, &id, "approval", None).await;
    assert!(matches!(partner.status, 403 | 409), "Norvia's QA does not approve Helix's document: {:?}", partner.body);
    let approved = step(&qa, &id, "approval", None).await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"], "effective");
    let signatures = approved.body["signatures"].as_array().expect("signatures");
    let meanings: Vec<&str> = signatures.iter().filter_map(|s| s["meaning"].as_str()).collect();
    assert_eq!(meanings, ["authored", "approved"]);
    assert!(signatures.iter().all(|s| s["valid"] == true));

    // A new version starts in draft beside the effective one; approved, it supersedes it.
    let file2 = pdf(5000);
    let second = upload(&lead, &id, "application/pdf", "v2.pdf", file2.clone()).await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_eq!(statuses(&second.body), vec![(2, "draft".into()), (1, "effective".into())]);
    assert!(second.body["signatures"].as_array().expect("signatures").iter().all(|s| s["valid"] == false));
    assert_eq!(step(&lead, &id, "review", None).await.status, 200);
    let done = step(&qa, &id, "approval", None).await;
    assert_eq!(statuses(&done.body), vec![(2, "effective".into()), (1, "superseded".into())]);
    let (status, _, old) = fetch(&lead, &format!("/documents/{id}/view?version=1")).await;
    assert_eq!((status, sha256(&old)), (200, sha256(&file)));
    let (status, _, new) = fetch(&lead, &format!("/documents/{id}/view")).await;
    assert_eq!((status, sha256(&new)), (200, sha256(&file2)));
    // Both versions are in the store (in the bucket, for S3), and the demo protocol seeded into it opens.
    assert_eq!(store.files(&server, &id).len(), 2);
    let (status, _, demo) = fetch(&lead, &format!("/documents/{DEMO_PROTOCOL}/view")).await;
    assert!(status == 200 && demo.starts_with(b"%PDF-"), "{status}");
}

/// Logs in without a cookie store, for hand-written requests: the session cookie and the anti-forgery token.
async fn raw_session(server: &TestServer, email: &str) -> (String, String) {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/v1/session", server.base_url))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookie = header(response.headers(), "set-cookie").split(';').next().unwrap_or_default().to_owned();
    let body: Value = response.json().await.expect("session");
    (cookie, body["csrf_token"].as_str().expect("token").to_owned())
}

/// Sends a request by hand: `head` (without the blank line), then `body`; returns what came back, if anything.
async fn raw(server: &TestServer, head: &str, body: &[u8], then_close: bool) -> String {
    let address = server.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await.expect("head");
    stream.write_all(body).await.expect("body");
    if then_close {
        // Cut the connection mid-body, as a dropped Wi-Fi link does.
        drop(stream);
        return String::new();
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn uploads_past_the_limit_or_cut_off_leave_nothing(db: Backend) {
    refusals(db, Store::Local).await;
}

async fn uploads_past_the_limit_or_cut_off_leave_nothing_in_an_s3_bucket(db: Backend) {
    refusals(db, Store::s3()).await;
}

async fn refusals(db: Backend, store: Store) {
    let server = store.server(db, &[("BATON_MAX_UPLOAD_BYTES", "100000")]).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let created = create(&lead, "Gap analysis", "process_description").await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();

    // The app is told the limit with the session, to refuse a larger file before sending it.
    let session = lead.get("/session").await;
    assert_eq!(session.body["max_upload_bytes"], 100_000, "{:?}", session.body);
    // Declared too large: refused without storing the body, naming the limit.
    let declared = upload(&lead, &id, "application/pdf", "big.pdf", pdf(150_000)).await;
    assert_eq!(declared.status, 413, "{:?}", declared.body);
    assert!(declared.body["error"]["message"].as_str().unwrap_or_default().contains("100 KB"), "{:?}", declared.body);

    // Sent chunked, with no length: refused once the limit is passed while streaming.
    let (cookie, token) = raw_session(&server, "lead@helix.example").await;
    let file = pdf(150_000);
    let mut chunked = Vec::new();
    for part in file.chunks(16 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /api/v1/documents/{id}/versions HTTP/1.1\r\nHost: test\r\nCookie: {cookie}\r\nX-CSRF-Token: {token}\r\n\
         Content-Type: application/pdf\r\nX-File-Name: big.pdf\r\nTransfer-Encoding: chunked\r\nConnection: close"
    );
    let answer = raw(&server, &head, &chunked, false).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("100 KB"), "{answer}");

    // Cut off mid-body: no version, and no file under the document in the store.
    let file = pdf(90_000);
    let head = format!(
        "POST /api/v1/documents/{id}/versions HTTP/1.1\r\nHost: test\r\nCookie: {cookie}\r\nX-CSRF-Token: {token}\r\n\
         Content-Type: application/pdf\r\nX-File-Name: cut.pdf\r\nContent-Length: {}",
        file.len()
    );
    raw(&server, &head, &file[..30_000], true).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = lead.get(&format!("/documents/{id}")).await;
    assert!(statuses(&after.body).is_empty(), "{:?}", after.body);
    assert_eq!(store.files(&server, &id), Vec::<String>::new());

    // A whole file within the limit is stored, and only it.
    let fits = upload(&lead, &id, "application/pdf", "fits.pdf", pdf(60_000)).await;
    assert_eq!(fits.status, 201, "{:?}", fits.body);
    assert_eq!(store.files(&server, &id).len(), 1);
}

/// `baton serve` with a bucket it cannot use stops at once, saying why, instead of failing uploads later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_that_cannot_be_used_stops_the_start() {
    let s3 = S3Server::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let unreachable = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let missing = s3.settings_for("s3://no-such-bucket/documents");
    let mut wrong_secret = s3.settings(PREFIX);
    wrong_secret.retain(|(k, _)| k != "AWS_SECRET_ACCESS_KEY");
    wrong_secret.push(("AWS_SECRET_ACCESS_KEY".into(), "not-the-secret".into()));
    let mut nobody_there = s3.settings(PREFIX);
    nobody_there.retain(|(k, _)| k != "AWS_ENDPOINT_URL");
    nobody_there.push(("AWS_ENDPOINT_URL".into(), unreachable));
    let mut no_credentials = s3.settings(PREFIX);
    no_credentials.retain(|(k, _)| !k.starts_with("AWS_ACCESS_KEY") && !k.starts_with("AWS_SECRET"));
    let not_s3 = vec![("BATON_DOCUMENT_STORE".to_owned(), "ftp://files.example/documents".to_owned())];
    for (case, settings, said) in [
        ("missing bucket", missing, "no-such-bucket"),
        ("wrong secret", wrong_secret, BUCKET),
        ("unreachable endpoint", nobody_there, BUCKET),
        ("no credentials", no_credentials, "AWS_ACCESS_KEY_ID"),
        ("not an S3 URL", not_s3, "is not an S3 URL"),
    ] {
        let data = tempfile::tempdir().expect("temporary directory");
        let run = tokio::process::Command::new(baton_tests::server::binary())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .envs(settings)
            .env("BATON_DATA_DIR", data.path())
            .env("BATON_LOG", "warn")
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), run).await.expect("stopped in time").expect("ran");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{case}: started anyway");
        assert!(stderr.contains("document store") && stderr.contains(said), "{case}: {stderr}");
    }
}
