//! Proxy benchmarks, written to stdout and `BENCHMARKS.md`-ready:
//!
//! 1. added latency (p50/p99) and requests/s of the proxy over calling the sandbox directly,
//!    at 1, 50 and 200 concurrent connections, and the proxy's peak RSS;
//! 2. import-job wall time against the provider-rate minimum (calls made ÷ documented rate) for
//!    10,000 IM members and 4,000 webinar enrollments, median of 3 runs.
//!
//! `cargo bench -p rollcall --bench proxy` (release build of the real binary; loopback only).
//! `ROLLCALL_BENCH_ONLY=exports` runs the exports scenario alone, `=jobs` the pacing one,
//! `=latency` the extra hop (on a raised quota: the sandbox's limits × 100,000 and the proxy's
//! Tencent Meeting pacing at 30,000,000 a minute, so the hop is measured, not the pacing);
//! `ROLLCALL_BENCH_ONLY=sync`: a standing sync under load (`scenarios/sync.rs`).
//! `ROLLCALL_BENCH_ONLY=flood`: `/healthz` while 64 clients flood `/metrics` and `/api/jobs`
//! and a job runs (4.);
//! `ROLLCALL_BENCH_ONLY=store`
//! the journal backends and two replicas, under `cargo xtask with-postgres` (3.).
//! `ROLLCALL_BENCH_SECONDS` sets the seconds per latency level (default 5).

#[path = "../tests/common/pg.rs"]
mod pg;
#[path = "scenarios/sync.rs"]
mod sync_scenario;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rollcall::providers::tencent_meeting::{signature, string_to_sign};
use serde_json::{json, Value};

const TM_SECRET: &str = "bench-tm-secret-key";
const WEBINAR: &str = "17305428542504531991";

struct Proc(Child, String);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str], marker: &str) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rollcall"))
        .args(args)
        .env("BENCH_TM", TM_SECRET)
        .env("BENCH_WECOM", "bench-wecom")
        .env("BENCH_IM", "bench-im")
        .env("ROLLCALL_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let url = loop {
        let l = lines.next().expect("process exited").unwrap();
        if l.contains(marker) {
            break l[l.find("http://").unwrap()..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Proc(child, url)
}

fn config(dir: &std::path::Path, sandbox: &str) -> String {
    let p = dir.join("bench.toml");
    std::fs::write(
        &p,
        format!(
            r#"
[server]
bind = "127.0.0.1:0"
data_dir = "{d}"
ui_dir = "{d}/ui"
[auth]
mode = "dev"
[jobs]
base_backoff_ms = 20
[providers.tencent_meeting]
base_url = "{sandbox}"
app_id = "200000001"
secret_id = "AKIDbench"
secret_key_env = "BENCH_TM"
edition = "enterprise"
operator_userid = "organizer"
[providers.wecom]
base_url = "{sandbox}"
corp_id = "wwbench"
corp_secret_env = "BENCH_WECOM"
[providers.tencent_im]
base_url = "{sandbox}"
sdk_app_id = 1400000000
admin_identifier = "administrator"
secret_key_env = "BENCH_IM"
[providers.huiyi31]
base_url = "{sandbox}"
requests_per_second = 200
default_item_sku_name = "嘉宾票"
"#,
            d = dir.join("data").display()
        ),
    )
    .unwrap();
    p.display().to_string()
}

/// A sandbox with its limits scaled by `rate_scale`, and a proxy config pointing at it.
fn sandbox(rate_scale: &str) -> (tempfile::TempDir, Proc, String) {
    let dir = tempfile::tempdir().unwrap();
    let pre = config(dir.path(), "http://unused");
    let args = ["sandbox", "--bind", "127.0.0.1:0", "--config", &pre];
    let sandbox = spawn(
        &[&args[..], &["--rate-scale", rate_scale]].concat(),
        "sandbox listening",
    );
    let cfg = config(dir.path(), &sandbox.1);
    (dir, sandbox, cfg)
}

fn stack() -> (tempfile::TempDir, Proc, Proc, String) {
    stack_with(false)
}

/// A sandbox and a proxy; with `raised_quota` both allow far more than the documented rates (a
/// raised quota), so the latency runs measure the extra hop, not the pacing in front of it.
fn stack_with(raised_quota: bool) -> (tempfile::TempDir, Proc, Proc, String) {
    let (dir, sandbox, cfg) = sandbox(if raised_quota { "100000" } else { "1" });
    if raised_quota {
        let text = std::fs::read_to_string(&cfg).unwrap().replace(
            "operator_userid = \"organizer\"\n",
            "operator_userid = \"organizer\"\ncalls_per_minute = 30000000\n",
        );
        std::fs::write(&cfg, text).unwrap();
    }
    let proxy = spawn(&["serve", "--config", &cfg], "Rollcall is running");
    (dir, sandbox, proxy, cfg)
}

/// A fresh database on the cluster `cargo xtask with-postgres` started.
fn pg_database() -> String {
    pg::pg_database("the store benchmark").expect("run under `cargo xtask with-postgres`")
}

/// A sandbox (limits scaled by `rate_scale`) and `replicas` proxies on one journal: SQLite
/// (`pg` = None, one replica) or a PostgreSQL database. `extra` goes under `[jobs]`/IM.
fn replicated(
    replicas: usize,
    pg: Option<&str>,
    rate_scale: &str,
    im_rate: u32,
) -> (tempfile::TempDir, Proc, Vec<Proc>) {
    let (dir, sandbox, cfg) = sandbox(rate_scale);
    let mut text = std::fs::read_to_string(&cfg).unwrap().replace(
        "admin_identifier = \"administrator\"\n",
        &format!("admin_identifier = \"administrator\"\nrequests_per_second = {im_rate}\n"),
    );
    if let Some(url) = pg {
        text.push_str(&format!("[store]\nurl = \"{url}\"\n"));
    }
    std::fs::write(&cfg, text).unwrap();
    let proxies = (0..replicas)
        .map(|_| spawn(&["serve", "--config", &cfg], "Rollcall is running"))
        .collect();
    (dir, sandbox, proxies)
}

/// The journal backends side by side (same run): a 10,000-row IM job (few provider calls, the
/// journal's create and settle work shows) and a 2,000-row 31huiyi job (one call and two journal
/// writes per row); then two replicas on PostgreSQL running one IM job each at a shared rate.
fn store_backends() {
    println!("## Journal backends: SQLite vs PostgreSQL (same run)\n");
    println!("| job | backend | create s (validate + journal) | run s |");
    println!("|---|---|---|---|");
    for (label, rows, dest) in [
        (
            "10,000 IM members",
            10_000usize,
            "tencent-im:@TGS#2J4SZEAEL",
        ),
        (
            "2,000 31huiyi registrations",
            2_000,
            "huiyi31:demo-event:demo-type:demo-ticket",
        ),
    ] {
        for backend in ["SQLite", "PostgreSQL"] {
            let pg = (backend == "PostgreSQL").then(pg_database);
            let (_dir, _sb, proxies) = replicated(1, pg.as_deref(), "1", 100);
            let (create, run) = job(&proxies[0].1, rows, dest);
            println!("| {label} | {backend} | {create:.2} | {run:.2} |");
        }
    }

    println!("\n## Two replicas, one IM app: two concurrent jobs against the shared rate\n");
    println!("IM limited to 3 requests/s in the sandbox and the config (the documented 100/s scaled so the pacing, not the fixed costs, decides). Minimum = (calls − 1) ÷ rate over both jobs' calls.\n");
    println!("| jobs | calls to IM | rate | minimum s | wall s (both done) | wall ÷ minimum | rate violations |");
    println!("|---|---|---|---|---|---|---|");
    let pg = pg_database();
    let (_dir, sandbox, proxies) = replicated(2, Some(&pg), "0.03", 3);
    let t = Instant::now();
    let handles: Vec<_> = proxies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let url = p.1.clone();
            std::thread::spawn(move || {
                job_rows(&url, 6_000, i * 6_000, "tencent-im:@TGS#2J4SZEAEL")
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let wall = t.elapsed().as_secs_f64();
    let n = calls(&sandbox.1, "/v4/");
    let min = n.saturating_sub(1) as f64 / 3.0;
    let state: Value = reqwest::blocking::get(format!("{}/_sandbox/state", sandbox.1))
        .unwrap()
        .json()
        .unwrap();
    println!(
        "| 2 × 6,000 members, one per replica | {n} | 3/s | {min:.2} | {wall:.2} | {:.2}× | {} |",
        wall / min,
        state["rate_violations"]["tencent_im"]
    );
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// Runs `conc` workers for `secs`, returns (p50 ms, p99 ms, requests/s).
async fn load(
    conc: usize,
    secs: u64,
    make: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>,
) -> (f64, f64, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (client, make) = (client.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < end {
                let t = Instant::now();
                let r = make(&client).send().await.unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    (
        pct(&all, 0.5),
        pct(&all, 0.99),
        all.len() as f64 / secs as f64,
    )
}

fn rss_peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Returns (seconds to create the job: validate + journal, seconds from creation to completion).
fn job(proxy: &str, rows: usize, dest: &str) -> (f64, f64) {
    job_rows(proxy, rows, 0, dest)
}

/// [`job`] for people `from .. from + rows` (distinct people for concurrent jobs).
fn job_rows(proxy: &str, rows: usize, from: usize, dest: &str) -> (f64, f64) {
    let headers = ["姓名", "手机号", "IM账号"];
    let rows: Vec<Value> = (from..from + rows).map(|i| json!({"row": i - from + 2, "cells": [format!("p{i}"), format!("137{:08}", i), format!("bench{i}")]})).collect();
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let t = Instant::now();
    let j: Value = http
        .post(format!("{proxy}/api/jobs"))
        .header("x-rollcall-csrf", "1")
        .json(&json!({"headers": headers, "rows": rows, "destinations": [dest]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = j["id"].as_str().unwrap().to_string();
    let created = t.elapsed().as_secs_f64();
    let t = Instant::now();
    loop {
        let j: Value = http
            .get(format!("{proxy}/api/jobs/{id}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        if j["state"] != "running" {
            assert_eq!(j["state"], "completed", "{j}");
            return (created, t.elapsed().as_secs_f64());
        }
        // Polled often: the IM job's whole minimum is ~0.2 s.
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn calls(sandbox: &str, prefix: &str) -> u64 {
    let s: Value = reqwest::blocking::get(format!("{sandbox}/_sandbox/state"))
        .unwrap()
        .json()
        .unwrap();
    s["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

fn main() {
    // `ROLLCALL_BENCH_ONLY=exports` runs the export scenario alone.
    match std::env::var("ROLLCALL_BENCH_ONLY").as_deref() {
        Ok("exports") => return exports_under_load(),
        Ok("store") => return store_backends(),
        Ok("jobs") => return jobs_vs_rate(),
        Ok("latency") => return latency(),
        Ok("flood") => return flood(),
        Ok("sync") => return sync_scenario::run(),
        _ => {}
    }
    latency();
    jobs_vs_rate();
    exports_under_load();
}

/// Added latency and throughput of the extra hop, at 1, 50 and 200 connections.
fn latency() {
    let secs: u64 = std::env::var("ROLLCALL_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!(
        "## Proxy added latency (GET webinar enrollments; sandbox direct vs through the proxy)\n"
    );
    println!("| connections | direct p50 ms | direct p99 ms | direct req/s | proxy p50 ms | proxy p99 ms | proxy req/s | added p50 ms | added p99 ms |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let (_dir, sandbox, proxy, _) = stack_with(true);
    let uri = format!("/v1/webinars/{WEBINAR}/enroll/approvals?operator_id=organizer&operator_id_type=1&instanceid=1&page=1&page_size=20");
    let sb = sandbox.1.clone();
    let direct: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move |c: &reqwest::Client| {
            let nonce = rand::random::<u64>().to_string();
            let ts = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                .to_string();
            let sig = signature(
                &string_to_sign("GET", &uri, b"", &nonce, &ts, "AKIDbench"),
                TM_SECRET,
            );
            c.get(format!("{sb}{uri}"))
                .header("X-TC-Key", "AKIDbench")
                .header("X-TC-Timestamp", ts)
                .header("X-TC-Nonce", nonce)
                .header("X-TC-Signature", sig)
                .header("AppId", "200000001")
                .header("X-TC-Registered", "1")
        });
    let px = proxy.1.clone();
    let via: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move |c: &reqwest::Client| {
            c.get(format!(
                "{px}/api/tencent-meeting/webinars/{WEBINAR}/enrollments"
            ))
        });
    for conc in [1, 50, 200] {
        let d = rt.block_on(load(conc, secs, direct.clone()));
        let p = rt.block_on(load(conc, secs, via.clone()));
        println!(
            "| {conc} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} |",
            d.0,
            d.1,
            d.2,
            p.0,
            p.1,
            p.2,
            p.0 - d.0,
            p.1 - d.1
        );
    }
    println!(
        "\nproxy peak RSS: {:.1} MiB\n",
        rss_peak_kib(proxy.0.id()) as f64 / 1024.0
    );
    drop((proxy, sandbox));
}

/// Import-job wall time against the provider-rate minimum (median of 3 fresh runs).
fn jobs_vs_rate() {
    println!("## Import job wall time vs the provider-rate minimum (median of 3 fresh runs)\n");
    println!("| job | calls to the provider | rate | minimum s | create s (validate + journal) | run s (median) | run ÷ minimum |");
    println!("|---|---|---|---|---|---|---|");
    for (label, rows, dest, prefix, per_sec) in [
        (
            "10,000 IM members",
            10_000usize,
            "tencent-im:@TGS#2J4SZEAEL",
            "/v4/",
            100.0,
        ),
        (
            "4,000 webinar enrollments",
            4_000,
            "tencent-meeting:17305428542504531991",
            "/v1/",
            5.0,
        ),
    ] {
        let mut walls = Vec::new();
        let mut creates = Vec::new();
        let mut mins = Vec::new();
        let mut ncalls = 0;
        for _ in 0..3 {
            let (_dir, sandbox, proxy, _) = stack();
            let (create, wall) = job(&proxy.1, rows, dest);
            creates.push(create);
            ncalls = calls(&sandbox.1, prefix);
            // The pacer spaces calls 1/rate apart starting with the first: (n - 1) intervals.
            mins.push((ncalls.saturating_sub(1)) as f64 / per_sec);
            walls.push(wall);
        }
        let (wall, min, create) = (median(walls), median(mins), median(creates));
        println!(
            "| {label} | {ncalls} | {per_sec}/s | {min:.3} | {create:.3} | {wall:.3} | {:.2}× |",
            wall / min
        );
    }
}

/// Six concurrent results.csv downloads of a 100k-row job while /readyz is polled: the journal
/// work runs off the async threads and exports read on their own connection, so the probe
/// stays fast.
fn exports_under_load() {
    println!("\n## Six concurrent results.csv exports of a 100,000-row job, /readyz meanwhile\n");
    let (_dir, _sandbox, proxy, _) = stack();
    let (_, run) = job(&proxy.1, 100_000, "tencent-im:@TGS#2J4SZEAEL");
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let jobs: Value = http
        .get(format!("{}/api/jobs", proxy.1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = jobs[0]["id"].as_str().unwrap().to_string();
    let rss_before = rss_peak_kib(proxy.0.id());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let exporters: Vec<_> = (0..6)
        .map(|_| {
            let (url, http, done) = (
                format!("{}/api/jobs/{id}/results.csv", proxy.1),
                http.clone(),
                done.clone(),
            );
            std::thread::spawn(move || {
                let t = Instant::now();
                let n = http.get(url).send().unwrap().bytes().unwrap().len();
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                (t.elapsed().as_secs_f64(), n)
            })
        })
        .collect();
    let mut probes = Vec::new();
    while done.load(std::sync::atomic::Ordering::SeqCst) < 6 {
        let p = Instant::now();
        let ok = http
            .get(format!("{}/readyz", proxy.1))
            .send()
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        assert!(ok, "readyz failed during the exports");
        probes.push(p.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    let results: Vec<(f64, usize)> = exporters.into_iter().map(|h| h.join().unwrap()).collect();
    let all = t.elapsed().as_secs_f64();
    probes.sort();
    println!("| job run s | exports | CSV size MB | slowest export s | all six s | /readyz probes | p50 ms | max ms | proxy peak RSS MiB (before → after) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {run:.2} | 6 | {:.1} | {:.2} | {all:.2} | {} | {:.1} | {:.1} | {} → {} |",
        results[0].1 as f64 / 1e6,
        results.iter().map(|r| r.0).fold(0.0, f64::max),
        probes.len(),
        pct(&probes, 0.5),
        probes.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        rss_before / 1024,
        rss_peak_kib(proxy.0.id()) / 1024
    );
}

/// `/healthz` every 10 ms for `dur`, each on a fresh connection: the latencies, and how many
/// probes got no 200.
async fn probe(url: &str, dur: Duration) -> (Vec<Duration>, usize) {
    let (mut lat, mut failed) = (Vec::new(), 0);
    let end = Instant::now() + dur;
    while Instant::now() < end {
        let c = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let t = Instant::now();
        match c.get(format!("{url}/healthz")).send().await {
            Ok(r) if r.status() == 200 => lat.push(t.elapsed()),
            _ => failed += 1,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    lat.sort();
    (lat, failed)
}

/// Scenario 4: `/healthz` idle, then while 64 clients flood `/metrics` and `/api/jobs` (the
/// journal holding 300 jobs) and a 10,000-member IM job runs: p50/p99 of `/healthz`, the
/// flood's requests/s, and the job's wall time.
fn flood() {
    let secs: u64 = std::env::var("ROLLCALL_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let (_dir, _sandbox, proxy, _) = stack();
    let url = proxy.1.clone();
    let c = reqwest::blocking::Client::new();
    let post = |body: &Value| {
        c.post(format!("{url}/api/jobs"))
            .header("x-rollcall-csrf", "1")
            .json(body)
            .send()
            .unwrap()
    };
    for i in 0..300 {
        let body = json!({"headers": ["IM账号"], "rows": [{"row": 2, "cells": [format!("f{i}")]}], "destinations": ["tencent-im:@TGS#2J4SZEAEL"]});
        while post(&body).status() == 429 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (idle, idle_failed) = rt.block_on(probe(&url, Duration::from_secs(3)));
    let rows: Vec<Value> = (0..10_000)
        .map(|i| json!({"row": i + 2, "cells": [format!("flood{i}")]}))
        .collect();
    let started = Instant::now();
    let r = post(
        &json!({"headers": ["IM账号"], "rows": rows, "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}),
    );
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let served = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (during, failed) = rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let mut flooders = Vec::new();
        for w in 0..64 {
            let (c, u, stop, served) = (client.clone(), url.clone(), stop.clone(), served.clone());
            flooders.push(tokio::spawn(async move {
                let path = if w % 2 == 0 { "/metrics" } else { "/api/jobs" };
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Ok(r) = c.get(format!("{u}{path}")).send().await {
                        let _ = r.bytes().await;
                        served.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }));
        }
        let probed = probe(&url, Duration::from_secs(secs)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for f in flooders {
            let _ = f.await;
        }
        probed
    });
    let flood_rps = served.load(std::sync::atomic::Ordering::Relaxed) as f64 / secs as f64;
    let job = loop {
        let j: Value = c
            .get(format!("{url}/api/jobs/{id}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        if j["state"] != "running" {
            break j;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    println!(
        "## /healthz under a flood of /metrics and /api/jobs (64 clients, 300 jobs journaled)\n"
    );
    println!("| | /healthz p50 ms | /healthz p99 ms | probes without 200 | flood req/s | 10,000-member IM job |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| idle | {:.2} | {:.2} | {idle_failed} | – | – |",
        pct(&idle, 0.5),
        pct(&idle, 0.99)
    );
    println!(
        "| flood ({secs} s) | {:.2} | {:.2} | {failed} | {flood_rps:.0} | {} in {:.1} s |",
        pct(&during, 0.5),
        pct(&during, 0.99),
        job["state"],
        started.elapsed().as_secs_f64()
    );
}
