//! The binary itself: health, security headers, deep-link fallback, subcommands, graceful shutdown.

use baton_tests::client::send;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};

on_both_databases!(
    health_and_security_headers,
    deep_links_load_the_app_under_a_hashed_script_policy,
    user_add_creates_a_user_who_can_log_in,
    user_add_refuses_bad_input,
    seeding_twice_changes_nothing,
    sigterm_stops_the_server_cleanly,
);

async fn health_and_security_headers(db: Backend) {
    let server = TestServer::start(db).await;
    let http = reqwest::Client::new();
    let health = send(http.get(server.url("/healthz"))).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    for header in ["x-content-type-options", "content-security-policy", "referrer-policy", "x-frame-options"] {
        assert!(health.headers.contains_key(header), "missing {header}");
    }
    let csp = health.headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let api = send(http.get(server.url("/api/v1/session"))).await;
    assert_eq!(api.headers["cache-control"], "no-store");
}

async fn deep_links_load_the_app_under_a_hashed_script_policy(db: Backend) {
    let server = TestServer::start(db).await;
    let http = reqwest::Client::new();
    for path in ["/", "/transfers", "/transfers/00000003-0000-4000-8000-000000000001", "/anything/at/all"] {
        let page = send(http.get(server.url(path))).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.body.as_str().unwrap_or_default();
        assert!(html.contains("<script type=\"module\">"), "{path} serves the app's index.html");
        let csp = page.headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("'sha256-"), "the inline module script is allowed by hash: {csp}");
    }
    let compressed = send(http.get(server.url("/api/v1/openapi.json")).header("accept-encoding", "gzip")).await;
    assert_eq!(compressed.headers.get("content-encoding").map(|v| v.to_str().unwrap_or_default()), Some("gzip"));
}

async fn user_add_creates_a_user_who_can_log_in(db: Backend) {
    let server = TestServer::start(db).await;
    let output = server
        .run(
            &[
                "user",
                "add",
                "--org",
                "Norvia CDMO",
                "--email",
                "New.Analyst@Norvia.example",
                "--name",
                "Ines Maes",
                "--role",
                "qa",
            ],
            Some("a-long-enough-password\n"),
        )
        .await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut client = ApiClient::new(&server.base_url);
    let reply = client.login("new.analyst@norvia.example", "a-long-enough-password").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["user"]["role"], "qa");
    assert_eq!(reply.body["user"]["organisation"]["name"], "Norvia CDMO");
}

async fn user_add_refuses_bad_input(db: Backend) {
    let server = TestServer::start(db).await;
    let base = ["user", "add", "--org", "Norvia CDMO", "--name", "X"];
    for (extra, password, complaint) in [
        (["--email", "x@norvia.example", "--role", "boss"], "a-long-enough-password\n", "--role"),
        (["--email", "not-an-email", "--role", "qa"], "a-long-enough-password\n", "--email"),
        (["--email", "x@norvia.example", "--role", "qa"], "short\n", "12 characters"),
        (["--email", "qa@norvia.example", "--role", "qa"], "a-long-enough-password\n", "already exists"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let output = server.run(&args, Some(password)).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(stderr.contains(complaint), "{args:?}: {stderr}");
    }
    let unknown_org = server
        .run(
            &["user", "add", "--org", "Nobody Ltd", "--email", "a@b.co", "--name", "A", "--role", "qa"],
            Some("a-long-enough-password\n"),
        )
        .await;
    assert!(String::from_utf8_lossy(&unknown_org.stderr).contains("--org"));
}

async fn seeding_twice_changes_nothing(db: Backend) {
    let server = TestServer::start(db).await;
    let again = server.run(&["seed-demo"], None).await;
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("qa@helix.example") && stdout.contains("baton-demo-2026"), "{stdout}");
    let client = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    assert_eq!(client.get("/transfers").await.body["items"].as_array().map(Vec::len), Some(3));
}

async fn sigterm_stops_the_server_cleanly(db: Backend) {
    let server = TestServer::start(db).await;
    assert_eq!(send(reqwest::Client::new().get(server.url("/healthz"))).await.status, 200);
    let status = server.terminate().await;
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}
