//! Continuous sync, end to end over HTTP: a sync from the sandbox's WeCom webinar to a Tencent
//! Meeting webinar and a 31huiyi event while people enroll, get approved and get rejected, with
//! the proxy SIGKILLed and restarted in the middle. At the end every approved person reached
//! every destination exactly once (the sandbox counts each person in every request it applied),
//! no pending person was sent, and the trail says who changed after delivery.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const WEBINAR: &str = "MEETINGID1";
const TM: &str = "tencent-meeting:17305428542504531991";
const HUIYI: &str = "huiyi31:demo-event:demo-type:demo-ticket";

/// A stack whose replicas look for due syncs every 200 ms.
fn stack(faults: &str) -> Stack {
    Stack::configured(
        &["--faults", faults, "--seed", "5"],
        &Sections {
            edits: vec![("[jobs]\n", "[jobs]\nsync_tick_ms = 200\n".into())],
            ..Default::default()
        },
    )
}

fn sandbox_post(stack: &Stack, path: &str, body: Value) -> Value {
    let r = reqwest::blocking::Client::new()
        .post(format!("{}{path}", stack.sandbox.url))
        .json(&body)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().unwrap()
}

/// The seeded webinar's people: (enroll id, status, phone, userid).
fn seeded(stack: &Stack) -> Vec<(String, u8, String)> {
    let c = stack.client();
    let r = c.post(
        &format!("/api/wecom/webinars/{WEBINAR}/enrollments"),
        &json!({"all": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["enroll_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let phone = e["answer_list"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["special_type"] == 2)
                .map(|a| a["answer_content"][0].as_str().unwrap().to_string())
                .unwrap();
            let id = match &e["enroll_id"] {
                Value::String(s) => s.clone(),
                n => n.to_string(),
            };
            (id, e["status"].as_u64().unwrap() as u8, phone)
        })
        .collect()
}

/// phone → userid of the webinar's enrollees who have one.
fn userids(stack: &Stack) -> Value {
    let r = stack.client().post(
        &format!("/api/wecom/webinars/{WEBINAR}/enrollments"),
        &json!({"all": true}),
    );
    let mut out = serde_json::Map::new();
    for e in r.json()["enroll_list"].as_array().unwrap() {
        let phone = e["answer_list"].as_array().and_then(|l| {
            l.iter()
                .find(|a| a["special_type"] == 2)
                .and_then(|a| a["answer_content"][0].as_str())
        });
        if let (Some(p), Some(u)) = (phone, e["userid"].as_str()) {
            out.insert(p.to_string(), json!(u));
        }
    }
    Value::Object(out)
}

/// How many times the sandbox applied a request carrying this person (by phone, or by the
/// userid the phone belongs to: a row with both goes to Tencent Meeting by userid), per provider.
fn sends(state: &Value, provider: &str, phone: &str) -> u64 {
    let userid = state["wecom_userids"][phone]
        .as_str()
        .map(|u| format!("u:{u}"));
    state["sends"]["sent"][provider]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.ends_with(phone) || Some(k.as_str()) == userid.as_deref())
                .map(|(_, v)| v.as_u64().unwrap())
                .sum()
        })
        .unwrap_or(0)
}

/// Waits until every destination of the sync accounts for `people` people, none pending.
fn wait_settled(c: &Client, id: &str, people: u64) -> Value {
    eventually(Duration::from_secs(180), || {
        let s = c.get(&format!("/api/syncs/{id}")).json();
        let done = s["destinations"].as_array().unwrap().iter().all(|d| {
            let c = &d["counts"];
            let total: u64 = c
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            total == people && c["pending"] == 0
        });
        done.then_some(s)
    })
    .unwrap_or_else(|| {
        panic!(
            "the sync did not settle: {}",
            c.get(&format!("/api/syncs/{id}")).body
        )
    })
}

/// Without faults: every approved person at both destinations, exactly once.
#[test]
fn people_who_enroll_while_it_runs_reach_every_destination_once() {
    drill("0");
}

/// With the sandbox's faults: still nobody twice; exactly once wherever imported.
#[test]
fn people_who_enroll_while_it_runs_under_faults_are_sent_at_most_once() {
    drill("0.1");
}

fn drill(faults: &str) {
    let strict = faults == "0";
    let mut stack = stack(faults);
    let c = stack.client();
    let people = seeded(&stack);
    let r = c.post(
        "/api/syncs",
        &json!({"from": format!("wecom:{WEBINAR}"), "destinations": [TM, HUIYI], "every_secs": 1}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let sync = r.json();
    let id = sync["id"].as_str().unwrap().to_string();
    assert_eq!(sync["state"], "active");
    let approved: Vec<&(String, u8, String)> = people.iter().filter(|p| p.1 == 3).collect();
    wait_settled(&c, &id, approved.len() as u64);

    // While it runs: new enrollees (approved and pending), a pending one approved, an approved
    // (already delivered) one rejected.
    let mut later_approved = Vec::new();
    let mut pending = Vec::new();
    for i in 0..8 {
        let phone = format!("1390000{i:04}");
        let status = if i % 4 == 3 { 1 } else { 3 };
        sandbox_post(
            &stack,
            "/_sandbox/wecom/enroll",
            json!({"meetingid": WEBINAR, "nick_name": format!("新人{i}"), "status": status, "phone": phone}),
        );
        if status == 3 {
            later_approved.push(phone);
        } else {
            pending.push(phone);
        }
    }
    let was_pending = people.iter().find(|p| p.1 == 1).unwrap();
    sandbox_post(
        &stack,
        "/_sandbox/wecom/enroll/status",
        json!({"meetingid": WEBINAR, "enroll_id": was_pending.0, "status": 3}),
    );
    later_approved.push(was_pending.2.clone());
    let rejected = approved[0];
    sandbox_post(
        &stack,
        "/_sandbox/wecom/enroll/status",
        json!({"meetingid": WEBINAR, "enroll_id": rejected.0, "status": 2}),
    );

    // Killed while it polls and sends, then restarted on the same journal.
    std::thread::sleep(Duration::from_millis(700));
    stack.proxy.kill9();
    stack.restart_proxy();
    let c = stack.client();
    let total = approved.len() + later_approved.len();
    let s = wait_settled(&c, &id, total as u64);
    assert!(s["polls"].as_u64().unwrap() >= 2, "{s}");
    assert!(s["last_poll_at"].is_i64(), "{s}");
    assert!(s["next_poll_at"].is_i64(), "{s}");

    // Exactly once, per the sandbox's own count; nobody pending.
    let mut state = stack.sandbox_state();
    state["wecom_userids"] = userids(&stack);
    // Every approved person: sent at most once anywhere, and exactly once wherever the trail
    // says imported. (With the sandbox's faults a 31huiyi answer can be lost: that row is
    // `unknown` and never re-sent — 31huiyi has no list to show it absent.)
    let mut imported = 0;
    for phone in approved.iter().map(|p| &p.2).chain(later_approved.iter()) {
        let trail = c.get(&format!("/api/syncs/{id}/people?q={phone}")).json();
        assert_eq!(trail.as_array().unwrap().len(), 1, "{phone}: {trail}");
        let deliveries = trail[0]["deliveries"].as_array().unwrap();
        for (provider, d) in ["tencent_meeting", "huiyi31"].iter().zip(deliveries) {
            let n = sends(&state, provider, phone);
            assert!(n <= 1, "{provider} {phone} sent {n} times: {trail}");
            if d["state"] == "imported" || strict {
                assert_eq!(n, 1, "{provider} {phone}: {trail}");
                imported += 1;
            }
            assert!(
                d["state"] != "skipped" && d["state"] != "pending",
                "{trail}"
            );
        }
    }
    assert!(imported > total, "most people imported at both: {imported}");
    for phone in people
        .iter()
        .filter(|p| p.1 != 3 && p.0 != was_pending.0)
        .map(|p| &p.2)
        .chain(&pending)
    {
        for provider in ["tencent_meeting", "huiyi31"] {
            assert_eq!(
                sends(&state, provider, phone),
                0,
                "{provider} {phone} is not approved"
            );
        }
    }

    // The trail: the rejected one is reported; search finds a person.
    let trail = c.get(&format!("/api/syncs/{id}/people?q={}", rejected.2));
    assert_eq!(trail.status, 200, "{}", trail.body);
    let trail = trail.json();
    assert_eq!(trail.as_array().unwrap().len(), 1, "{trail}");
    let person = &trail[0];
    assert_eq!(person["source_status"], 2);
    assert!(
        person["note"]["en"]
            .as_str()
            .unwrap()
            .contains("no longer approved"),
        "{person}"
    );
    for d in person["deliveries"].as_array().unwrap() {
        assert!(d["job"].is_string() && d["state"].is_string(), "{d}");
    }
    let new = c.get(&format!("/api/syncs/{id}/people?q=新人0")).json();
    assert_eq!(new.as_array().unwrap().len(), 1, "{new}");
    // Someone who may not read people is told so.
    let vera = Client::new(&stack.proxy.url, Some(("vera", VIEWER)));
    assert_eq!(vera.get(&format!("/api/syncs/{id}/people")).status, 403);
    assert_eq!(vera.get(&format!("/api/syncs/{id}")).status, 200);
}

#[test]
fn pause_resume_stop_and_the_cli() {
    let stack = stack("0");
    let c = stack.client();
    let r = c.post(
        "/api/syncs",
        &json!({"from": format!("wecom:{WEBINAR}"), "status": 3, "destinations": [HUIYI], "every_secs": 3600}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let s = wait_settled(&c, &id, 43);
    assert_eq!(s["polls"], 1, "an hour between polls: one so far");
    let paused = c.post(&format!("/api/syncs/{id}/pause"), &json!({}));
    assert_eq!(paused.status, 200, "{}", paused.body);
    assert_eq!(paused.json()["state"], "paused");
    assert!(paused.json()["next_poll_at"].is_null());
    let resumed = c
        .post(&format!("/api/syncs/{id}/resume"), &json!({}))
        .json();
    assert_eq!(resumed["state"], "active");
    let stopped = c.post(&format!("/api/syncs/{id}/stop"), &json!({})).json();
    assert_eq!(stopped["state"], "stopped");
    let again = c.post(&format!("/api/syncs/{id}/resume"), &json!({}));
    assert_eq!(again.status, 409, "{}", again.body);
    // Bad input is refused with its reason.
    for (body, code) in [
        (
            json!({"from": "zoom:1", "destinations": [HUIYI], "every_secs": 5}),
            "invalid_sync",
        ),
        (
            json!({"from": "wecom:M", "destinations": [HUIYI], "every_secs": 0}),
            "invalid_sync",
        ),
        (
            json!({"from": "wecom:M", "status": 9, "destinations": [HUIYI], "every_secs": 5}),
            "invalid_sync",
        ),
    ] {
        let r = c.post("/api/syncs", &body);
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["code"], code);
    }
    let viewer = Client::new(&stack.proxy.url, Some(("vera", VIEWER)));
    let r = viewer.post(
        "/api/syncs",
        &json!({"from": format!("wecom:{WEBINAR}"), "destinations": [HUIYI], "every_secs": 5}),
    );
    assert_eq!(r.status, 403);
}

/// The CLI against a dev-mode proxy (a fixed local identity) on the sandbox.
#[test]
fn sync_commands_print_what_the_api_says() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = standalone_sandbox(dir.path(), &[]);
    let config = write_config(dir.path(), &sandbox.url, "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("mode = \"trusted-header\"", "mode = \"dev\"")
        .replace("[jobs]\n", "[jobs]\nsync_tick_ms = 200\n");
    std::fs::write(&config, text).unwrap();
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    let run = |args: &[&str]| -> Value {
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--server", &proxy.url, "--json"]);
        let out = std::process::Command::new(bin())
            .args(&all)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let created = run(&[
        "create",
        "--from",
        &format!("wecom:{WEBINAR}"),
        "--status",
        "3",
        "--to",
        HUIYI,
        "--every",
        "1",
    ]);
    let id = created["id"].as_str().unwrap().to_string();
    let shown = eventually(Duration::from_secs(120), || {
        let s = run(&["show", &id]);
        (s["destinations"][0]["counts"]["pending"] == 0
            && s["destinations"][0]["counts"]["imported"].as_u64() > Some(0))
        .then_some(s)
    })
    .expect("the sync delivered");
    for key in ["state", "last_poll_at", "next_poll_at"] {
        assert!(!shown[key].is_null(), "{key}: {shown}");
    }
    assert_eq!(run(&["list"]).as_array().unwrap().len(), 1);
    assert_eq!(run(&["pause", &id])["state"], "paused");
    assert_eq!(run(&["resume", &id])["state"], "active");
    assert_eq!(run(&["stop", &id])["state"], "stopped");
}

/// Several replicas on PostgreSQL: the replica holding the sync's lease is SIGKILLed right
/// after new people enroll; the other takes the sync (and the jobs it left) over. Every
/// approved person is at both destinations exactly once.
#[test]
fn a_replica_takes_the_sync_over_when_its_holder_dies() {
    let Some(pg) = pg_database("a_replica_takes_the_sync_over_when_its_holder_dies") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sandbox = standalone_sandbox(dir.path(), &["--faults", "0", "--seed", "3"]);
    let config = write_config(
        dir.path(),
        &sandbox.url,
        &format!("[store]\nurl = \"{pg}\"\npool_size = 8\n"),
    );
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[jobs]\n", "[jobs]\nlease_secs = 4\nsync_tick_ms = 200\n");
    std::fs::write(&config, text).unwrap();
    let replica = |name: &str| {
        spawn(
            &["serve", "--config", config.to_str().unwrap()],
            &dir.path().join(format!("{name}.log")),
            "Rollcall is running",
        )
    };
    let mut a = replica("a");
    let ca = Client::new(&a.url, Some(("alice", ORGANIZER)));
    let r = ca.post(
        "/api/syncs",
        &json!({"from": format!("wecom:{WEBINAR}"), "destinations": [TM, HUIYI], "every_secs": 1}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    wait_settled(&ca, &id, 43);
    let b = replica("b");
    let cb = Client::new(&b.url, Some(("alice", ORGANIZER)));
    // New people enroll; the holder dies before (or while) it polls them.
    let http = reqwest::blocking::Client::new();
    let mut phones = Vec::new();
    for i in 0..6 {
        let phone = format!("1370000{i:04}");
        http.post(format!("{}/_sandbox/wecom/enroll", sandbox.url))
            .json(&json!({"meetingid": WEBINAR, "nick_name": format!("接管{i}"), "status": 3, "phone": phone}))
            .send()
            .unwrap();
        phones.push(phone);
    }
    a.kill9();
    let s = wait_settled(&cb, &id, 49);
    assert!(s["polls"].as_u64().unwrap() >= 2, "{s}");
    let state = sandbox_state(&sandbox);
    for phone in &phones {
        for provider in ["tencent_meeting", "huiyi31"] {
            let n = state["sends"]["sent"][provider]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.ends_with(phone.as_str()))
                .map(|(_, v)| v.as_u64().unwrap())
                .sum::<u64>();
            assert_eq!(n, 1, "{provider} {phone}");
        }
    }
    // Nobody anywhere twice.
    for provider in ["tencent_meeting", "huiyi31"] {
        for (who, n) in state["sends"]["sent"][provider].as_object().unwrap() {
            assert_eq!(n, 1, "{provider} {who}");
        }
    }
    assert!(
        b.log_text().contains("sync polled"),
        "the survivor polled the sync"
    );
}

/// A Tencent Meeting webinar as the source: people who enroll on its page (the sandbox adds
/// them) reach the IM group under their userid, each once.
#[test]
fn a_tencent_meeting_webinar_as_the_source() {
    let stack = stack("0");
    let c = stack.client();
    let r = c.post(
        "/api/syncs",
        &json!({"from": "tencent-meeting:17305428542504531991", "destinations": ["tencent-im:@TGS#2J4SZEAEL"], "every_secs": 1}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    wait_settled(&c, &id, 2);
    for i in 0..3 {
        sandbox_post(
            &stack,
            "/_sandbox/tencent-meeting/enroll",
            json!({"meeting_id": "17305428542504531991", "nick_name": format!("会中{i}"), "userid": format!("tmsync{i}")}),
        );
    }
    let s = wait_settled(&c, &id, 5);
    assert_eq!(s["destinations"][0]["counts"]["imported"], 5, "{s}");
    let members = im_members(&stack.sandbox_state());
    for who in ["early-bird-1", "tmsync0", "tmsync1", "tmsync2"] {
        assert_eq!(
            members.iter().filter(|m| *m == who).count(),
            1,
            "{who}: {members:?}"
        );
    }
    let state = stack.sandbox_state();
    for (who, n) in state["sends"]["sent"]["tencent_im"].as_object().unwrap() {
        assert_eq!(n, 1, "{who}");
    }
    // A status filter means nothing for Tencent Meeting's list: refused with the reason.
    let r = c.post(
        "/api/syncs",
        &json!({"from": "tencent-meeting:17305428542504531991", "status": 3, "destinations": ["tencent-im:@TGS#2J4SZEAEL"], "every_secs": 1}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
}

/// Retention covers syncs too: once a sync is stopped and the retention period is over, its
/// people lose their names and identities (enroll ids, jobs and outcomes stay), audited once.
#[test]
fn a_stopped_syncs_people_are_forgotten_after_retention() {
    let stack = Stack::configured(
        &["--faults", "0"],
        &Sections {
            rest: "[retention]\npersonal_data_days = 0\nsweep_interval_secs = 1\n".into(),
            edits: vec![("[jobs]\n", "[jobs]\nsync_tick_ms = 200\n".into())],
            ..Default::default()
        },
    );
    let c = stack.client();
    let r = c.post(
        "/api/syncs",
        &json!({"from": format!("wecom:{WEBINAR}"), "destinations": [HUIYI], "every_secs": 3600}),
    );
    let id = r.json()["id"].as_str().unwrap().to_string();
    wait_settled(&c, &id, 43);
    // Active: kept.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(c.get(&format!("/api/syncs/{id}")).json()["shredded_at"].is_null());
    assert!(
        c.get(&format!("/api/syncs/{id}/people?q=王芳"))
            .json()
            .as_array()
            .unwrap()
            .len()
            > 1
    );
    c.post(&format!("/api/syncs/{id}/stop"), &json!({}));
    let s = eventually(Duration::from_secs(30), || {
        let s = c.get(&format!("/api/syncs/{id}")).json();
        s["shredded_at"].is_i64().then_some(s)
    })
    .expect("the stopped sync's people forgotten");
    assert_eq!(s["destinations"][0]["counts"]["imported"], 43, "{s}");
    let people = c.get(&format!("/api/syncs/{id}/people")).json();
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), 130);
    assert!(people.iter().all(|p| p["name"] == ""), "{people:?}");
    assert!(
        c.get(&format!("/api/syncs/{id}/people?q=1381000"))
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "no phone left to find"
    );
    let root = Client::new(&stack.proxy.url, Some(("root", ADMIN)));
    let audit = root.get("/api/audit?action=sync.shred").json();
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["user"], "retention");
}
