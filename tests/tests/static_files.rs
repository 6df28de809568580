//! The front end's files as production serves them: the brotli and gzip copies `baton precompress` wrote, sent
//! as they are (never compressed twice), cached forever under Trunk's content-hashed names and revalidated
//! otherwise. A small fake `dist/` stands in for Trunk's output.

use baton_tests::server::binary;
use baton_tests::{Backend, TestServer, on_both_databases};
use std::path::Path;

on_both_databases!(precompressed_files_are_sent_as_written_with_their_cache_lifetimes);

const WASM: &str = "baton-app-0123456789abcdef_bg.wasm";
const JS: &str = "baton-app-0123456789abcdef.js";
const CSS: &str = "baton-fedcba9876543210.css";
const DEEP_LINK: &str = "/transfers/00000003-0000-4000-8000-000000000001";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A dist directory shaped like Trunk's, with files large and repetitive enough to be worth compressing.
fn fake_dist(dir: &Path) {
    let index = format!(
        "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/{CSS}\">\
         <script type=\"module\">import init from '/{JS}'; init('/{WASM}');</script></head><body>{}</body></html>",
        "<!-- padding so that compression pays -->".repeat(40)
    );
    std::fs::write(dir.join("index.html"), index).expect("index.html");
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8 ^ ((i / 4096) as u8)).collect();
    std::fs::write(dir.join(WASM), wasm).expect("wasm");
    std::fs::write(dir.join(JS), "export default function init(path) { return fetch(path); }\n".repeat(100))
        .expect("js");
    std::fs::write(dir.join(CSS), "body { margin: 0; font-family: sans-serif; }\n".repeat(100)).expect("css");
}

async fn precompress(dist: &Path) -> String {
    let out = tokio::process::Command::new(binary())
        .args(["precompress", "--dist"])
        .arg(dist)
        .env("BATON_LOG", "warn")
        .output()
        .await
        .expect("running baton precompress");
    assert!(out.status.success(), "precompress failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime")
}

struct Got {
    status: u16,
    header: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn get(&self, name: &str) -> &str {
        self.header.get(name).map(|v| v.to_str().unwrap_or("<not ascii>")).unwrap_or("<absent>")
    }
}

/// A GET with the given Accept-Encoding, body as sent (reqwest here decompresses nothing).
async fn fetch(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> Got {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(encoding) = accept_encoding {
        request = request.header("accept-encoding", encoding);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let header = response.headers().clone();
    let body = response.bytes().await.expect("body").to_vec();
    Got { status, header, body }
}

async fn precompressed_files_are_sent_as_written_with_their_cache_lifetimes(db: Backend) {
    let dist = tempfile::tempdir().expect("dist directory");
    let dir = dist.path();
    fake_dist(dir);

    // The build step, twice: the second run finds every copy newer than its file and rewrites none.
    let first = precompress(dir).await;
    assert!(first.contains("Precompressed 4 of 4 files"), "{first}");
    let copies = [WASM, JS, CSS, "index.html"].map(|f| dir.join(format!("{f}.br")));
    let before: Vec<_> = copies.iter().map(|p| modified(p)).collect();
    let second = precompress(dir).await;
    assert!(second.contains("Precompressed 0 of 4 files") && second.contains("(4 up to date)"), "{second}");
    assert_eq!(before, copies.iter().map(|p| modified(p)).collect::<Vec<_>>(), "no copy rewritten");
    // A rebuilt file is newer than its copies: only it is compressed again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.join(CSS), "main { padding: 1rem; display: grid; }\n".repeat(100)).expect("rewrite css");
    let third = precompress(dir).await;
    assert!(third.contains("Precompressed 1 of 4 files") && third.contains(CSS), "{third}");

    let server = TestServer::start_serving(db, dir).await;
    let on_disk = |name: &str| std::fs::read(dir.join(name)).expect("file on disk");
    for file in [WASM, JS, CSS] {
        let path = format!("/{file}");
        for (accept, encoding, expected) in [
            (Some("br"), "br", on_disk(&format!("{file}.br"))),
            (Some("gzip"), "gzip", on_disk(&format!("{file}.gz"))),
            (None, "<absent>", on_disk(file)),
        ] {
            let got = fetch(&server, &path, accept).await;
            assert_eq!(got.status, 200, "{path} {accept:?}");
            assert_eq!(got.get("content-encoding"), encoding, "{path} {accept:?}");
            // Byte for byte the file on disk: the compression layer did not compress it again.
            assert!(
                got.body == expected,
                "{path} {accept:?}: {} bytes sent, {} on disk",
                got.body.len(),
                expected.len()
            );
            assert_eq!(got.get("cache-control"), IMMUTABLE, "{path} {accept:?}");
            assert!(got.get("vary").to_ascii_lowercase().contains("accept-encoding"), "{path} {accept:?}");
        }
    }
    let wasm = fetch(&server, &format!("/{WASM}"), Some("br")).await;
    assert_eq!(wasm.get("content-type"), "application/wasm");

    // index.html, deep links and a stale hashed name all get the app's index.html, revalidated on every use.
    let index = on_disk("index.html");
    for path in ["/", DEEP_LINK, "/baton-app-00000000deadbeef.js"] {
        let plain = fetch(&server, path, None).await;
        assert_eq!(plain.status, 200, "{path}");
        assert!(plain.body == index, "{path} serves index.html");
        assert_eq!(plain.get("cache-control"), "no-cache", "{path}");
        assert!(plain.get("content-type").starts_with("text/html"), "{path}");
        assert!(plain.get("content-security-policy").contains("'sha256-"), "{path}");
        let br = fetch(&server, path, Some("br")).await;
        assert_eq!((br.get("content-encoding"), br.get("cache-control")), ("br", "no-cache"), "{path}");
        assert!(br.body == on_disk("index.html.br"), "{path}");
    }

    // A file without copies is still compressed on the fly, once.
    std::fs::write(dir.join("notes.txt"), "on the fly\n".repeat(200)).expect("notes");
    let fly = fetch(&server, "/notes.txt", Some("gzip")).await;
    assert_eq!((fly.get("content-encoding"), fly.get("cache-control")), ("gzip", "no-cache"));
    let mut once = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&fly.body[..]), &mut once).expect("gzip");
    assert_eq!(once, "on the fly\n".repeat(200), "one gzip layer");
}
