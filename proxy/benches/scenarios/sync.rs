//! `ROLLCALL_BENCH_ONLY=sync`: a standing sync under load. People enroll in the sandbox's WeCom
//! webinar (approved at once) evenly over `ROLLCALL_BENCH_SYNC_SECS` (300), `…_PEOPLE` (1,000)
//! of them; the sync polls every 10 s and sends to three destinations (a Tencent Meeting webinar,
//! an IM group, a 31huiyi event) while the sandbox faults 30 % of calls. Measured: the latency
//! from enrollment to "settled at every destination" (p50/p95), provider calls per poll (the
//! source's list pages and everything else), and people sent twice (the sandbox's own count).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{config, pct, spawn};

const EVERY: u64 = 10;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

pub fn run() {
    let secs = env_or("ROLLCALL_BENCH_SYNC_SECS", 300);
    let n = env_or("ROLLCALL_BENCH_SYNC_PEOPLE", 1000) as usize;
    let faults = std::env::var("ROLLCALL_BENCH_SYNC_FAULTS").unwrap_or_else(|_| "0.3".into());
    let dir = tempfile::tempdir().unwrap();
    let pre = config(dir.path(), "http://unused");
    let sandbox = spawn(
        &[
            "sandbox",
            "--bind",
            "127.0.0.1:0",
            "--config",
            &pre,
            "--faults",
            &faults,
            "--seed",
            "9",
        ],
        "sandbox listening",
    );
    let cfg = config(dir.path(), &sandbox.1);
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        // The sandbox's rate-limit answers are faults, not a spent quota: wait 5 s after one, not
        // the minute a real Tencent Meeting quota needs (README, `rate_limit_backoff_ms`).
        .replace(
            "[jobs]\n",
            "[jobs]\nsync_tick_ms = 200\nrate_limit_backoff_ms = 5000\n",
        )
        .replace(
            "default_item_sku_name = \"嘉宾票\"",
            "default_attendee_type_id = \"demo-type\"\ndefault_item_sku_id = \"demo-ticket\"\ndefault_item_sku_name = \"嘉宾票\"",
        );
    std::fs::write(&cfg, text).unwrap();
    let proxy = spawn(&["serve", "--config", &cfg], "Rollcall is running");
    let (sb, url) = (sandbox.1.clone(), proxy.1.clone());
    let c = reqwest::blocking::Client::new();
    let r: Value = c
        .post(format!("{url}/api/syncs"))
        .header("x-rollcall-csrf", "1")
        .json(&json!({
            "from": "wecom:MEETINGID1", "status": 3, "every_secs": EVERY,
            "destinations": [format!("tencent-meeting:{}", super::WEBINAR), "tencent-im:@TGS#2J4SZEAEL", "huiyi31:demo-event:demo-type:demo-ticket"],
        }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = r["id"].as_str().expect("the sync").to_string();

    // Arrivals, evenly spread.
    let started = Instant::now();
    let arrivals = {
        let (sb, c) = (sb.clone(), c.clone());
        std::thread::spawn(move || {
            let mut at = HashMap::new();
            for i in 0..n {
                let due = Duration::from_secs_f64(secs as f64 * i as f64 / n as f64);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
                let r: Value = c
                    .post(format!("{sb}/_sandbox/wecom/enroll"))
                    .json(&json!({"meetingid": "MEETINGID1", "nick_name": format!("压测{i}"), "userid": format!("bu{i:05}"), "status": 3, "phone": format!("136{i:08}")}))
                    .send()
                    .unwrap()
                    .json()
                    .unwrap();
                at.insert(r["enroll_id"].as_str().unwrap().to_string(), Instant::now());
            }
            at
        })
    };

    // Watch the trail once a second: a person is done once every destination has a final state.
    let mut arrivals = Some(arrivals);
    let mut arrived: HashMap<String, Instant> = HashMap::new();
    let mut done: HashMap<String, Instant> = HashMap::new();
    let mut outcomes: std::collections::BTreeMap<String, u64> = Default::default();
    let deadline = started + Duration::from_secs(secs + 300);
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let people: Value = c
            .get(format!("{url}/api/syncs/{id}/people"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        outcomes.clear();
        for p in people.as_array().unwrap() {
            let ds = p["deliveries"].as_array().unwrap();
            for d in ds {
                *outcomes
                    .entry(d["state"].as_str().unwrap_or("not sent").to_string())
                    .or_default() += 1;
            }
            if ds
                .iter()
                .all(|d| d["state"].is_string() && d["state"] != "pending")
            {
                done.entry(p["key"].as_str().unwrap().to_string())
                    .or_insert_with(Instant::now);
            }
        }
        if arrivals.as_ref().is_some_and(|a| a.is_finished()) {
            arrived = arrivals.take().unwrap().join().unwrap();
        }
        let all_done = arrivals.is_none() && arrived.keys().all(|k| done.contains_key(k));
        if all_done || Instant::now() > deadline {
            break;
        }
    }
    let mut lat: Vec<Duration> = arrived
        .iter()
        .filter_map(|(k, t0)| done.get(k).map(|t1| t1.saturating_duration_since(*t0)))
        .collect();
    lat.sort();
    assert!(!lat.is_empty(), "nobody settled: {done:?}");
    let summary: Value = c
        .get(format!("{url}/api/syncs/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let state: Value = c
        .get(format!("{sb}/_sandbox/state"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let polls = summary["polls"].as_u64().unwrap_or(1).max(1);
    let calls = state["calls"].as_object().unwrap();
    let list_calls: u64 = calls
        .iter()
        .filter(|(k, _)| k.contains("enroll/list"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    let all_calls: u64 = calls.values().map(|v| v.as_u64().unwrap()).sum();
    let twice: u64 = state["sends"]["sent"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|m| m.as_object().unwrap().values())
        .filter(|v| v.as_u64().unwrap() > 1)
        .count() as u64;
    println!("## Continuous sync: {n} enrollees over {secs} s, every {EVERY} s, three destinations, faults {faults}\n");
    println!("| people settled | latency p50 s | p95 s | max s | goal p95 s | polls | list calls / poll | provider calls / poll | sent twice | outcomes (people × destinations) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} / {n} | {:.1} | {:.1} | {:.1} | ≤ {} | {polls} | {:.2} | {:.1} | {twice} | {} |",
        lat.len(),
        pct(&lat, 0.5) / 1000.0,
        pct(&lat, 0.95) / 1000.0,
        lat.last().map_or(0.0, |d| d.as_secs_f64()),
        EVERY + 5 + 1,
        list_calls as f64 / polls as f64,
        all_calls as f64 / polls as f64,
        outcomes
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    drop(proxy);
    drop(sandbox);
}
