//! Two `rollcall serve` replicas on one PostgreSQL journal and one adversarial sandbox: a job
//! survives its replica's deaths (another replica takes it over when the lease expires and
//! reconciles), progress streams from any replica, and two jobs on two replicas to the same IM
//! app share the provider's rate. Skipped, saying so, without a test PostgreSQL.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::drill::*;
use common::*;
use serde_json::{json, Value};

/// A config for a replica: the shared journal, short leases (a dead replica's job moves in
/// seconds), and `providers` lines added to the IM table.
fn replica_config(
    dir: &Path,
    sandbox: &str,
    pg: &str,
    im_extra: &str,
    jobs_extra: &str,
) -> std::path::PathBuf {
    let path = write_config(
        dir,
        sandbox,
        &format!("[store]\nurl = \"{pg}\"\npool_size = 8\n"),
    );
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[jobs]\n", &format!("[jobs]\nlease_secs = 6\n{jobs_extra}"))
        .replace(
            "admin_identifier = \"administrator\"\n",
            &format!("admin_identifier = \"administrator\"\n{im_extra}"),
        );
    std::fs::write(&path, text).unwrap();
    path
}

fn sandbox(dir: &Path, faults: &str, rate_scale: &str) -> Proc {
    standalone_sandbox(
        dir,
        &[
            "--faults",
            faults,
            "--seed",
            "11",
            "--rate-scale",
            rate_scale,
        ],
    )
}

fn replica(dir: &Path, config: &Path, name: &str) -> Proc {
    spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.join(format!("{name}.log")),
        "Rollcall is running",
    )
}

/// Two replicas on a fresh database and a sandbox, IM at `requests_per_second` in both (the
/// documented 100/s scaled down, so a few dozen calls take seconds and show whether the replicas
/// together keep the rate). Bind `_dir` first: locals drop in reverse, so the processes stop
/// before their directory goes.
struct SlowImPair {
    _dir: tempfile::TempDir,
    sb: Proc,
    a: Proc,
    b: Proc,
}

/// [`SlowImPair`] for `test`; `None` (the test skipped, saying so) without a test PostgreSQL.
fn slow_im_pair(test: &str, requests_per_second: u32) -> Option<SlowImPair> {
    let pg = pg_database(test)?;
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(dir.path(), "0", "0.03");
    let rate = format!("requests_per_second = {requests_per_second}\n");
    let config = replica_config(dir.path(), &sb.url, &pg, &rate, "");
    let (a, b) = (
        replica(dir.path(), &config, "a"),
        replica(dir.path(), &config, "b"),
    );
    Some(SlowImPair {
        _dir: dir,
        sb,
        a,
        b,
    })
}

/// Follows a job's event stream on `base` in a thread: every summary received, with when.
fn follow(base: &str, id: &str) -> Arc<Mutex<Vec<(Instant, Value)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (url, out) = (format!("{base}/api/jobs/{id}/events"), seen.clone());
    std::thread::spawn(move || {
        let r = reqwest::blocking::Client::builder()
            .timeout(None)
            .build()
            .unwrap()
            .get(url)
            .header("X-Forwarded-User", "alice")
            .header("X-Forwarded-Email", "alice@example.com")
            .header("X-Forwarded-Groups", ORGANIZER)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if let Some(data) = line.strip_prefix("data:") {
                if let Ok(v) = serde_json::from_str::<Value>(data.trim()) {
                    out.lock().unwrap().push((Instant::now(), v));
                }
            }
        }
    });
    seen
}

fn settled(summary: &Value) -> u64 {
    summary["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["counts"].as_object().unwrap().iter())
        .filter(|(k, _)| *k != "pending")
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

#[test]
fn a_job_outlives_its_replica() {
    let Some(pg) = pg_database("a_job_outlives_its_replica") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(dir.path(), "0.3", "1");
    let config = replica_config(dir.path(), &sb.url, &pg, "", "");
    let mut a = replica(dir.path(), &config, "a");
    let b = replica(dir.path(), &config, "b");
    let on_a = Client::new(&a.url, Some(("alice", ORGANIZER)));
    let on_b = Client::new(&b.url, Some(("alice", ORGANIZER)));

    let id = create_job(&on_a);
    // Replica B sees the job replica A started, and streams its progress.
    assert_eq!(
        on_b.get(&format!("/api/jobs/{id}")).json()["state"],
        "running"
    );
    let stream = follow(&b.url, &id);
    let t0 = Instant::now();

    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        on_b.get(&format!("/api/jobs/{id}")).json()["state"],
        "running",
        "killed mid-run"
    );
    a.kill9();
    let first_kill = Instant::now();
    // A comes back (a rolling restart) and is killed again: whichever replica held the job
    // then, B ends up with it.
    a = replica(dir.path(), &config, "a");
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(
        on_b.get(&format!("/api/jobs/{id}")).json()["state"],
        "running",
        "killed mid-run"
    );
    a.kill9();
    let second_kill = Instant::now();

    let job = on_b.wait_job(&id, Duration::from_secs(1200));
    let b_log = b.log_text();
    assert!(
        b_log.contains(&format!("resuming job {id} from replica")),
        "B took the job over from another replica: {b_log}"
    );
    check_invariants(
        &sandbox_state(&sb),
        &on_b,
        &id,
        &job,
        true,
        &[
            b.log_text(),
            std::fs::read_to_string(dir.path().join("a.log")).unwrap(),
        ],
    );

    // B's stream showed the job moving before the first kill, between the kills and after the
    // second, and ended with the final state.
    std::thread::sleep(Duration::from_secs(2));
    let events = stream.lock().unwrap().clone();
    let moving = |from: Instant, to: Instant| {
        let window: Vec<u64> = events
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(_, v)| settled(v))
            .collect();
        window.windows(2).any(|w| w[1] > w[0])
    };
    let end = Instant::now();
    assert!(moving(t0, first_kill), "progress before the first kill");
    assert!(
        moving(first_kill, second_kill),
        "progress while A restarted"
    );
    assert!(moving(second_kill, end), "progress after the last kill");
    let last = &events.last().expect("events").1;
    assert_eq!(
        last["state"], "completed",
        "the stream ends with the final state"
    );
    assert!(
        events
            .windows(2)
            .all(|w| settled(&w[1].1) >= settled(&w[0].1)),
        "settled rows never go backwards"
    );
}

/// IM rows `from .. from + n` (their own members, so two jobs do not overlap).
fn im_rows(from: usize, n: usize) -> Vec<Value> {
    (from..from + n)
        .map(|i| json!({"row": i - from + 2, "cells": [format!("成员{i}"), format!("member{i}")]}))
        .collect()
}

#[test]
fn two_replicas_share_the_im_rate() {
    let Some(SlowImPair { _dir, sb, a, b }) = slow_im_pair("two_replicas_share_the_im_rate", 3)
    else {
        return;
    };
    let n = 6_000;
    let start = |base: &str, from: usize| {
        let c = Client::new(base, Some(("alice", ORGANIZER)));
        let r = c.post(
            "/api/jobs",
            &json!({"file_name": "im.csv", "headers": ["姓名", "IM账号"], "rows": im_rows(from, n), "destinations": [GROUP]}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        (c, r.json()["id"].as_str().unwrap().to_string())
    };
    let (ca, ja) = start(&a.url, 0);
    let (cb, jb) = start(&b.url, n);
    for (c, id) in [(&ca, &ja), (&cb, &jb)] {
        let job = c.wait_job(id, Duration::from_secs(600));
        assert_eq!(job["state"], "completed", "{job}");
        let counts = counts(&job, GROUP);
        assert_eq!(counts["imported"], n as u64, "{counts:?}");
    }
    let state = sandbox_state(&sb);
    assert_eq!(
        state["rate_violations"]["tencent_im"], 0,
        "together the replicas stayed under the IM rate: {}",
        state["rate_violations"]
    );
    assert_eq!(
        im_members(&state).len(),
        2 * n + 1,
        "each member once, plus the admin"
    );
}

/// A TCP forwarder in front of PostgreSQL that the test can cut (every connection closed, new
/// ones refused) and restore: a network outage between a replica and its journal.
struct Link {
    port: u16,
    down: Arc<std::sync::atomic::AtomicBool>,
    open: Arc<Mutex<Vec<std::net::TcpStream>>>,
}

impl Link {
    fn to(target: &str) -> Link {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open: Arc<Mutex<Vec<std::net::TcpStream>>> = Default::default();
        let (d, o, target) = (down.clone(), open.clone(), target.to_string());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if d.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: refused while the link is down
                }
                let Ok(server) = std::net::TcpStream::connect(&target) else {
                    continue;
                };
                for s in [&client, &server] {
                    o.lock().unwrap().push(s.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Link { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, std::sync::atomic::Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

fn im_calls(sb: &Proc) -> u64 {
    sandbox_state(sb)["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| path.contains("import_group_member"))
        .map(|(_, n)| n.as_u64().unwrap())
        .sum()
}

#[test]
fn a_journal_outage_pauses_the_job_and_readyz() {
    let Some(pg) = pg_database("a_journal_outage_pauses_the_job_and_readyz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(dir.path(), "0", "0.03");
    let (server, db) = pg.rsplit_once('/').unwrap();
    let target = server.rsplit_once('@').unwrap().1.to_string();
    let link = Link::to(&target);
    let via_link = format!("postgres://rollcall@127.0.0.1:{}/{db}", link.port);
    // Two batches under way at most: those journaled before the outage may still go out.
    let config = replica_config(
        dir.path(),
        &sb.url,
        &via_link,
        "requests_per_second = 3\n",
        "max_in_flight = 2\n",
    );
    let a = replica(dir.path(), &config, "a");
    let c = Client::new(&a.url, Some(("alice", ORGANIZER)));
    let anonymous = Client::new(&a.url, None);
    assert_eq!(anonymous.get("/readyz").status, 200);
    let n = 10_000;
    let r = c.post(
        "/api/jobs",
        &json!({"file_name": "im.csv", "headers": ["姓名", "IM账号"], "rows": im_rows(0, n), "destinations": [GROUP]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        im_calls(&sb) > 0,
        "the job is sending: {} {}",
        sandbox_state(&sb)["calls"],
        a.log_text()
    );

    link.cut();
    let at_cut = im_calls(&sb);
    // Not ready while the journal is unreachable (the probe answers within its timeouts).
    let deadline = Instant::now() + Duration::from_secs(15);
    while anonymous.get("/readyz").status != 503 {
        assert!(
            Instant::now() < deadline,
            "readyz stayed ready during the outage"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // Paused: the batches journaled before the outage may still go out, then nothing more.
    std::thread::sleep(Duration::from_secs(6));
    let paused_at = im_calls(&sb);
    assert!(
        paused_at <= at_cut + 2,
        "only batches journaled before the outage were sent ({at_cut} → {paused_at})"
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        im_calls(&sb),
        paused_at,
        "no batch is sent without its journal entry"
    );

    link.restore();
    let deadline = Instant::now() + Duration::from_secs(30);
    while anonymous.get("/readyz").status != 200 {
        assert!(Instant::now() < deadline, "readyz did not recover");
        std::thread::sleep(Duration::from_millis(300));
    }
    let job = c.wait_job(&id, Duration::from_secs(600));
    assert_eq!(job["state"], "completed", "{job}");
    let counts = counts(&job, GROUP);
    assert_eq!(
        counts["imported"] + counts["already_present"],
        n as u64,
        "every row settled, none lost: {counts:?}"
    );
    let members = im_members(&sandbox_state(&sb));
    let unique: std::collections::HashSet<&String> = members.iter().collect();
    assert_eq!(members.len(), unique.len(), "nobody added twice");
    assert_eq!(unique.len(), n + 1, "every row plus the admin");
    assert!(a
        .log_text()
        .contains("the journal is unavailable; jobs pause"));
}

#[test]
fn cancel_and_resume_from_the_other_replica() {
    // At one IM request a second the job takes 20 s: a cancel that reaches it at A's next
    // lease renewal (a few seconds) lands mid-run on any machine. (At 3 a second it could finish
    // first: one run in ten did, on two busy cores.)
    let Some(SlowImPair { _dir, sb, a, b }) =
        slow_im_pair("cancel_and_resume_from_the_other_replica", 1)
    else {
        return;
    };
    let on_a = Client::new(&a.url, Some(("alice", ORGANIZER)));
    let on_b = Client::new(&b.url, Some(("alice", ORGANIZER)));
    let n = 10_000;
    let r = on_a.post(
        "/api/jobs",
        &json!({"file_name": "im.csv", "headers": ["姓名", "IM账号"], "rows": im_rows(0, n), "destinations": [GROUP]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_secs(2));
    // B cannot resume what A is running; B's cancel reaches A at its next lease renewal.
    let r = on_b.post(&format!("/api/jobs/{id}/resume"), &json!({}));
    assert_eq!(r.status, 409, "{}", r.body);
    let r = on_b.post(&format!("/api/jobs/{id}/cancel"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let job = on_b.wait_job(&id, Duration::from_secs(60));
    assert_eq!(job["state"], "cancelled", "{job}");
    let c = counts(&job, GROUP);
    assert!(
        c["skipped"] > 0 && c["imported"] > 0,
        "cancelled mid-run: {c:?}"
    );
    let sent_before = im_members(&sandbox_state(&sb)).len();
    // Resumed from B: the skipped rows go out (by whichever replica takes the job), once each.
    let r = on_b.post(&format!("/api/jobs/{id}/resume"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let job = on_a.wait_job(&id, Duration::from_secs(300));
    assert_eq!(job["state"], "completed", "{job}");
    let c = counts(&job, GROUP);
    assert_eq!(c["imported"] + c["already_present"], n as u64, "{c:?}");
    let members = im_members(&sandbox_state(&sb));
    let unique: std::collections::HashSet<&String> = members.iter().collect();
    assert_eq!(members.len(), unique.len(), "nobody added twice");
    assert_eq!(members.len(), n + 1);
    assert!(members.len() > sent_before);
}

/// A replica that loses its lease while it waits out a back-off sends nothing more: its journal
/// link is cut mid-job (renewals fail), the other replica takes the job over when the lease runs
/// out, and when the link comes back the first replica's retries stay unsent. Every member is
/// sent once across both replicas.
#[test]
fn a_replica_that_loses_its_lease_mid_back_off_sends_nothing_twice() {
    let Some(pg) = pg_database("a_replica_that_loses_its_lease_mid_back_off_sends_nothing_twice")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Half the calls fail (rate limits, 502s, lost answers, expired UserSigs): A spends most of
    // its time in back-offs of seconds.
    let sb = sandbox(dir.path(), "0.5", "1");
    let (server, db) = pg.rsplit_once('/').unwrap();
    let target = server.rsplit_once('@').unwrap().1.to_string();
    let link = Link::to(&target);
    let via_link = format!("postgres://rollcall@127.0.0.1:{}/{db}", link.port);
    let config_a = replica_config(dir.path(), &sb.url, &via_link, "", "max_in_flight = 2\n");
    // A's back-offs last seconds.
    let slow = std::fs::read_to_string(&config_a)
        .unwrap()
        .replace("base_backoff_ms = 20\n", "base_backoff_ms = 1500\n")
        .replace("max_backoff_ms = 400\n", "max_backoff_ms = 4000\n")
        .replace(
            "rate_limit_backoff_ms = 200\n",
            "rate_limit_backoff_ms = 3000\n",
        );
    std::fs::write(&config_a, slow).unwrap();
    let a = replica(dir.path(), &config_a, "a");
    let b_dir = dir.path().join("b");
    std::fs::create_dir_all(&b_dir).unwrap();
    let config_b = replica_config(&b_dir, &sb.url, &pg, "", "");
    let b = replica(&b_dir, &config_b, "b");
    let c = Client::new(&a.url, Some(("alice", ORGANIZER)));
    let n = 3000;
    let r = c.post(
        "/api/jobs",
        &json!({"file_name": "im.csv", "headers": ["姓名", "IM账号"], "rows": im_rows(0, n), "destinations": [GROUP]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    // A is sending (and backing off).
    assert!(
        eventually(Duration::from_secs(30), || (im_calls(&sb) > 0)
            .then_some(()))
        .is_some(),
        "A started sending"
    );
    link.cut();
    // A cannot renew: it stops; B takes the job over once the lease has run out.
    b.wait_log(Duration::from_secs(60), "B took the job over", |l| {
        l.contains(&format!("resuming job {id} from replica"))
    });
    // A hears nothing from its journal for a while longer, then the link comes back: its
    // waiting retries must not go out.
    std::thread::sleep(Duration::from_secs(4));
    link.restore();
    let on_b = Client::new(&b.url, Some(("alice", ORGANIZER)));
    let job = on_b.wait_job(&id, Duration::from_secs(900));
    assert_eq!(job["state"], "completed", "{job}");
    let counts = counts(&job, GROUP);
    assert_eq!(
        counts["imported"] + counts["already_present"],
        n as u64,
        "every row settled: {counts:?}"
    );
    let state = sandbox_state(&sb);
    let members = im_members(&state);
    let unique: std::collections::HashSet<&String> = members.iter().collect();
    assert_eq!(members.len(), unique.len(), "nobody added twice");
    assert_eq!(unique.len(), n + 1, "every row plus the admin");
    let report = sends_per_person(&state);
    let a_log = a.log_text();
    assert!(
        a_log.contains("this replica stops sending for it"),
        "A stopped when it could not renew: {a_log}"
    );
    eprintln!("lease drill: {report}");
}
