//! Personal data as the law expects it handled (README "Personal data"): who may read a job's
//! rows, shredding (by request and by retention) down to the database file, the audit log, and
//! the bounds that hold under abuse — each against a real proxy on loopback.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const IM_GROUP: &str = "tencent-im:@TGS#2J4SZEAEL";

fn create(c: &Client, body: Value) -> String {
    let r = c.post("/api/jobs", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

fn im_job(c: &Client, n: usize, share_with: &[&str]) -> String {
    let (headers, rows) = roster_csv(n);
    create(
        c,
        json!({"headers": headers, "rows": rows, "destinations": [IM_GROUP], "share_with": share_with}),
    )
}

fn audit(admin: &Client, query: &str) -> Vec<Value> {
    let r = admin.get(&format!("/api/audit{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

#[test]
fn rows_are_read_by_the_creator_admins_and_shared_groups_only() {
    let stack = Stack::start(0.0);
    let alice = stack.client();
    let bob = Client::new(&stack.proxy.url, Some(("bob", ORGANIZER)));
    let carol = Client::new(&stack.proxy.url, Some(("carol", "staff,auditors")));
    let vera = Client::new(&stack.proxy.url, Some(("vera", VIEWER)));
    let root = Client::new(&stack.proxy.url, Some(("root", ADMIN)));
    let id = im_job(&alice, 3, &["auditors"]);
    alice.wait_job(&id, Duration::from_secs(60));

    for path in ["results", "results.csv", "failed.csv"] {
        let p = format!("/api/jobs/{id}/{path}");
        for (who, c) in [("bob", &bob), ("vera", &vera)] {
            let r = c.get(&p);
            assert_eq!(r.status, 403, "{who} {path}: {}", r.body);
            let e = r.json();
            assert_eq!(e["code"], "not_shared_with_you");
            assert!(e["message"]["zh"].as_str().unwrap().contains("创建者"));
            assert!(e["message"]["en"].as_str().unwrap().contains("creator"));
        }
        for (who, c) in [("alice", &alice), ("carol", &carol), ("root", &root)] {
            assert_eq!(c.get(&p).status, 200, "{who} reads {path}");
        }
    }
    // Everyone still sees the job's counts and its progress.
    let job = bob.get(&format!("/api/jobs/{id}"));
    assert_eq!(job.status, 200);
    assert_eq!(job.json()["share_with"], json!(["auditors"]));
    assert!(bob.get("/api/jobs").body.contains(&id));
    // What the UI decides from: `admin` in /api/me.
    assert_eq!(root.get("/api/me").json()["admin"], true);
    assert_eq!(bob.get("/api/me").json()["admin"], false);

    // Provider reads that return people need the organizer role.
    let list = "/api/tencent-meeting/webinars/17305428542504531991/enrollments";
    assert_eq!(vera.get(list).status, 403);
    assert_eq!(bob.get(list).status, 200);

    // The audit log: every read with its rows; refused reads left no record; admins only.
    assert_eq!(alice.get("/api/audit").status, 403);
    let reads = audit(&root, &format!("?action=job.&target={id}"));
    for who in ["alice", "carol", "root"] {
        for action in ["job.results", "job.results_csv", "job.failed_csv"] {
            assert!(
                reads
                    .iter()
                    .any(|e| e["user"] == who && e["action"] == action),
                "{who} {action} audited: {reads:?}"
            );
        }
    }
    assert!(reads
        .iter()
        .all(|e| e["user"] != "bob" && e["user"] != "vera"));
    assert!(reads
        .iter()
        .filter(|e| e["action"] == "job.results")
        .all(|e| e["rows"] == 3));
    let lists = audit(&root, "?user=bob&action=tencent_meeting.");
    assert_eq!(lists.len(), 1, "{lists:?}");
    let csv = root.get("/api/audit.csv?user=carol");
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(csv.body.lines().filter(|l| l.contains("carol")).count(), 3);

    // An id that is not one the proxy made never reaches the journal, the log or the audit.
    for forged in ["job_x%0Aforged%20line", "..", "job_%E6%B5%8B"] {
        let r = root.get(&format!("/api/jobs/{forged}/results"));
        assert_eq!(r.status, 404, "{forged}: {}", r.body);
    }
    // `..` as an id (sent raw: an HTTP client would resolve the dots away).
    let addr = stack.proxy.url.trim_start_matches("http://").to_string();
    let mut sock = TcpStream::connect(&addr).unwrap();
    write!(
        sock,
        "GET /api/tencent-meeting/webinars/%2E%2E/enrollments HTTP/1.1\r\nHost: {addr}\r\nX-Forwarded-User: bob\r\nX-Forwarded-Groups: {ORGANIZER}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 422"), "{answer}");
    assert!(answer.contains("\"bad_id\""), "{answer}");
    assert!(audit(&root, "")
        .iter()
        .all(|e| !e["target"].as_str().unwrap().contains("forged")));
    let log = stack.proxy.log_text();
    assert!(
        !log.lines().any(|l| l.starts_with("forged")),
        "a forged log line"
    );
}

/// Every byte of the SQLite journal (the database and its write-ahead log).
fn journal_bytes(data: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["rollcall.db", "rollcall.db-wal"] {
        if let Ok(b) = std::fs::read(data.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn shredding_removes_the_cells_from_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let proxy = serve_sandbox(dir.path(), "proxy.log", &[]);
    let c = Client::new(&proxy.url, None);
    let data = dir.path().join("data");
    let id = im_job(&c, 40, &[]);
    let before = c.wait_job(&id, Duration::from_secs(60));
    assert_eq!(before["destinations"][0]["counts"]["imported"], 40);
    // Running jobs cannot be shredded; the cells are in the file before.
    let bytes = journal_bytes(&data);
    for pii in ["13900000007", "p7@example.com", "参会者7"] {
        assert!(contains(&bytes, pii), "{pii} is in the journal before");
    }

    let r = c.post(&format!("/api/jobs/{id}/shred"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let job = r.json();
    assert!(job["shredded_at"].as_i64().unwrap() > 0);
    // Counts, outcome codes, provider ids stay; the cells are gone, from the API…
    assert_eq!(job["destinations"][0]["counts"]["imported"], 40);
    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    for row in results["rows"].as_array().unwrap() {
        assert_eq!(row["cells"], json!([]));
        assert_eq!(row["outcomes"][0]["state"], "imported");
    }
    // …and from the database file itself.
    let bytes = journal_bytes(&data);
    for i in 0..40 {
        for pii in [
            format!("139{i:08}"),
            format!("p{i}@example.com"),
            format!("参会者{i}"),
        ] {
            assert!(!contains(&bytes, &pii), "{pii} left in the journal file");
        }
    }
    // A shredded job cannot be resumed; the shred is audited with its rows.
    let r = c.post(&format!("/api/jobs/{id}/resume"), &json!({}));
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (409, json!("shredded"))
    );
    let log = audit(&c, &format!("?action=job.shred&target={id}"));
    assert_eq!((log.len(), log[0]["rows"].as_u64()), (1, Some(40)));

    // The CLI does the same.
    let id2 = im_job(&c, 2, &[]);
    c.wait_job(&id2, Duration::from_secs(60));
    let out = std::process::Command::new(bin())
        .args(["jobs", "shred", &id2, "--server", &proxy.url, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["shredded_at"].as_i64().is_some(), "{j}");
}

#[test]
fn retention_removes_personal_data_of_finished_jobs() {
    let stack = Stack::configured(
        &[],
        &Sections {
            rest: "[retention]\npersonal_data_days = 0\nsweep_interval_secs = 1\n".into(),
            ..Default::default()
        },
    );
    let c = stack.client();
    let id = im_job(&c, 5, &[]);
    let job = eventually(Duration::from_secs(60), || {
        let j = c.get(&format!("/api/jobs/{id}")).json();
        j["shredded_at"].as_i64().map(|_| j)
    })
    .expect("shredded by the retention sweep");
    assert_eq!(job["state"], "completed");
    assert!(job["finished_at"].as_i64().unwrap() <= job["shredded_at"].as_i64().unwrap());
    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    assert!(results["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["cells"] == json!([])));
    let root = Client::new(&stack.proxy.url, Some(("root", ADMIN)));
    let log = audit(&root, &format!("?user=retention&target={id}"));
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["action"], "job.shred");
}

#[test]
fn limits_hold_before_any_work() {
    let stack = Stack::configured(
        &[],
        &Sections {
            // 31huiyi at 2 calls a second: a 200-row job runs for minutes.
            edits: vec![
                ("requests_per_second = 200", "requests_per_second = 2".into()),
                ("max_body_bytes = 4194304", "max_body_bytes = 67108864".into()),
            ],
            rest: "[limits]\nmax_destinations_per_job = 2\nmax_running_jobs_per_user = 1\nmax_streams_per_user = 2\nmax_streams_total = 3\nexport_stall_secs = 1\n".into(),
            ..Default::default()
        },
    );
    let c = stack.client();
    let (headers, rows) = roster_csv(2);
    let r = c.post(
        "/api/jobs",
        &json!({"headers": headers, "rows": rows, "destinations": [IM_GROUP, "huiyi31:demo-event", "huiyi31:demo-event:demo-type:vip-ticket"]}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["code"], "too_many_destinations");

    // A job that runs a while, then a second: refused.
    let (headers, rows) = roster_csv(200);
    let slow = create(
        &c,
        json!({"headers": headers, "rows": rows, "destinations": ["huiyi31:demo-event"]}),
    );
    let r = c.post(
        "/api/jobs",
        &json!({"headers": ["IM账号"], "rows": [{"row": 2, "cells": ["m1"]}], "destinations": [IM_GROUP]}),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.json()["code"], "too_many_running_jobs");
    // Someone else is not held by alice's jobs.
    let bob = Client::new(&stack.proxy.url, Some(("bob", ORGANIZER)));
    let other = create(
        &bob,
        json!({"headers": ["IM账号"], "rows": [{"row": 2, "cells": ["m1"]}], "destinations": [IM_GROUP]}),
    );

    // Event streams: two for alice, the third refused; bob still gets his.
    let http = reqwest::blocking::Client::new();
    let open = |user: &str, groups: &str| {
        http.get(format!("{}/api/jobs/{slow}/events", stack.proxy.url))
            .header("X-Forwarded-User", user)
            .header("X-Forwarded-Groups", groups)
            .send()
            .unwrap()
    };
    let s1 = open("alice", ORGANIZER);
    let s2 = open("alice", ORGANIZER);
    assert_eq!((s1.status().as_u16(), s2.status().as_u16()), (200, 200));
    let s3 = open("alice", ORGANIZER);
    assert_eq!(s3.status(), 429);
    let bob_stream = open("bob", ORGANIZER);
    assert_eq!(bob_stream.status(), 200);
    // The replica's total (3 here, `limits.max_streams_total`) is reached: carol waits.
    let carol = open("carol", ORGANIZER);
    assert_eq!(carol.status(), 503);
    assert_eq!(
        serde_json::from_str::<Value>(&carol.text().unwrap()).unwrap()["code"],
        "too_many_streams",
        "the total, not carol's own"
    );
    drop((s1, s2, s3, bob_stream));
    // (The server sees a closed stream at its next write: the keep-alive, every 15 s.)
    let s4 = eventually(Duration::from_secs(40), || {
        Some(open("alice", ORGANIZER)).filter(|r| r.status() == 200)
    });
    assert!(s4.is_some(), "a closed stream frees its slot");

    c.post(&format!("/api/jobs/{slow}/cancel"), &json!({}));
    c.wait_job(&slow, Duration::from_secs(60));
    bob.wait_job(&other, Duration::from_secs(60));

    // An export to a client that stops reading is given up (its blocking thread freed).
    let big: Vec<Value> = (0..30_000)
        .map(|i| json!({"row": i + 2, "cells": [format!("参会者{i}"), "x".repeat(1000)]}))
        .collect();
    let export = create(
        &c,
        json!({"headers": ["姓名", "备注"], "rows": big, "destinations": [IM_GROUP]}),
    );
    c.wait_job(&export, Duration::from_secs(120));
    let addr = stack.proxy.url.trim_start_matches("http://").to_string();
    let mut sock = TcpStream::connect(&addr).unwrap();
    write!(
        sock,
        "GET /api/jobs/{export}/results.csv HTTP/1.1\r\nHost: {addr}\r\nX-Forwarded-User: alice\r\nX-Forwarded-Groups: {ORGANIZER}\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 64];
    sock.read_exact(&mut head).unwrap();
    assert!(head.starts_with(b"HTTP/1.1 200"));
    // Never read again.
    stack
        .proxy
        .wait_log(Duration::from_secs(60), "export abandoned", |l| {
            l.contains("export abandoned")
        });
    drop(sock);
}

#[test]
fn metrics_on_their_own_listener_or_for_admins() {
    let stack = Stack::configured(
        &[],
        &Sections {
            server: "metrics_bind = \"0\"".into(),
            ..Default::default()
        },
    );
    let log = stack
        .proxy
        .wait_log(Duration::from_secs(10), "metrics url", |l| {
            l.contains("metrics listening")
        });
    let url = log
        .lines()
        .find_map(|l| l.split("metrics listening on ").nth(1))
        .map(|u| u.split_whitespace().next().unwrap().to_string())
        .expect("the metrics address is logged");
    // No identity needed there.
    let r = reqwest::blocking::get(format!("http://{url}/metrics")).unwrap();
    assert_eq!(r.status(), 200);
    let c = stack.client();
    let id = im_job(&c, 2, &[]);
    c.wait_job(&id, Duration::from_secs(60));
    let m = reqwest::blocking::get(format!("http://{url}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        m.contains("rollcall_jobs_finished_total{state=\"completed\"} 1"),
        "{m}"
    );
    assert!(m.contains("rollcall_jobs_active 0"), "{m}");
    // The main listener: admins only.
    assert_eq!(c.get("/metrics").status, 403);
    let root = Client::new(&stack.proxy.url, Some(("root", ADMIN)));
    assert!(root.get("/metrics").body.contains("rollcall_jobs_active"));
}

#[test]
fn only_the_front_proxy_speaks_for_users() {
    let stack = Stack::configured(
        &[],
        &Sections {
            auth: "proxy_secret_env = \"IT_PROXY_SECRET\"".into(),
            ..Default::default()
        },
    );
    // A local process with identity headers but without the secret.
    let r = stack.client().get("/api/me");
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["code"], "not_from_front_proxy");
    let http = reqwest::blocking::Client::new();
    let get = |secret: &str| {
        http.get(format!("{}/api/me", stack.proxy.url))
            .header("X-Forwarded-User", "alice")
            .header("X-Forwarded-Groups", ORGANIZER)
            .header("X-Rollcall-Proxy-Secret", secret)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(get("wrong"), 401);
    assert_eq!(get(PROXY_SECRET), 200);
    assert!(!stack.proxy.log_text().contains(PROXY_SECRET));
}

/// Groups are split on commas only where the IdP sends a list that way: with
/// `groups_separator = "none"` an LDAP DN holding commas is one group, and a header that merely
/// contains an organizer group's name after a comma grants nothing.
#[test]
fn the_groups_header_is_split_only_as_configured() {
    let dn = "CN=Event Organizers,OU=Groups,DC=corp";
    let stack = Stack::configured(
        &[],
        &Sections {
            auth: "groups_separator = \"none\"".into(),
            edits: vec![(
                "organizer_groups = [\"organizers\"]",
                format!("organizer_groups = [\"{dn}\"]"),
            )],
            ..Default::default()
        },
    );
    let me = |groups: &str| Client::new(&stack.proxy.url, Some(("dora", groups))).get("/api/me");
    let r = me(dn);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["role"], "organizer", "{}", r.body);
    for not_one in [
        "CN=Event Organizers",
        "Groups,CN=Event Organizers,OU=Groups,DC=corp",
    ] {
        let r = me(not_one);
        assert_eq!(r.status, 403, "{not_one}: {}", r.body);
        assert_eq!(r.json()["code"], "no_role");
    }
    // The default splits on commas.
    let split = Stack::start(0.0);
    let r = Client::new(&split.proxy.url, Some(("dora", "a, organizers"))).get("/api/me");
    assert_eq!(r.json()["role"], "organizer", "{}", r.body);
}

/// Whether the server closed the connection (within the client's 15 s patience).
fn closed_by_server(mut sock: TcpStream) -> bool {
    sock.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut buf = [0u8; 256];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn silent_and_half_sent_connections_are_closed() {
    for http2 in [false, true] {
        let stack = Stack::configured(
            &[],
            &Sections {
                server: format!("header_read_timeout_secs = 1\nhttp2 = {http2}"),
                ..Default::default()
            },
        );
        let addr = stack.proxy.url.trim_start_matches("http://").to_string();
        // Sends nothing.
        let silent = TcpStream::connect(&addr).unwrap();
        assert!(
            closed_by_server(silent),
            "a silent socket (http2 = {http2})"
        );
        // Half an HTTP/2 preface.
        let mut half = TcpStream::connect(&addr).unwrap();
        half.write_all(b"PRI * HTTP/2.0\r\n").unwrap();
        assert!(closed_by_server(half), "half a preface (http2 = {http2})");
        // Half a request head.
        let mut slow = TcpStream::connect(&addr).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        assert!(closed_by_server(slow), "half a head (http2 = {http2})");
        // A whole request is answered.
        let mut ok = TcpStream::connect(&addr).unwrap();
        ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        ok.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}

#[test]
fn a_flood_of_metrics_and_job_lists_leaves_healthz_and_jobs_going() {
    let stack = Stack::start(0.0);
    let c = stack.client();
    for _ in 0..30 {
        let id = im_job(&c, 1, &[]);
        c.wait_job(&id, Duration::from_secs(30));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flooders: Vec<_> = (0..32)
        .map(|w| {
            let (url, stop) = (stack.proxy.url.clone(), stop.clone());
            std::thread::spawn(move || {
                let admin = Client::new(&url, Some(("root", ADMIN)));
                let path = if w % 2 == 0 { "/metrics" } else { "/api/jobs" };
                let mut served = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if admin.get(path).status == 200 {
                        served += 1;
                    }
                    admin.seen.borrow_mut().clear();
                }
                served
            })
        })
        .collect();
    // A job started under the flood finishes; every probe of /healthz is answered meanwhile.
    let job = im_job(&c, 2_000, &[]);
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut probes = 0;
    let done = loop {
        let r = http.get(format!("{}/healthz", stack.proxy.url)).send();
        assert_eq!(
            r.map(|r| r.status().as_u16()).ok(),
            Some(200),
            "probe {probes}"
        );
        probes += 1;
        let j = c.get(&format!("/api/jobs/{job}")).json();
        if (j["state"] != "running" && probes >= 50) || probes > 3_000 {
            break j;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let served: u32 = flooders.into_iter().map(|f| f.join().unwrap()).sum();
    assert_eq!(done["state"], "completed", "{done}");
    // The earlier one-row jobs put the first person in the group already.
    let counts = &done["destinations"][0]["counts"];
    assert_eq!(counts["imported"], 1_999, "{counts}");
    assert_eq!(counts["already_present"], 1, "{counts}");
    assert!(served > 100, "the flood was served too ({served} requests)");
    eprintln!("{probes} probes answered under a flood of {served} requests");
}
