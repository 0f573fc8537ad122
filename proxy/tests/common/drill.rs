//! The 10,000-row fan-out drill shared by `drills.rs` (one proxy) and `replicas.rs` (two replicas
//! on PostgreSQL): the job, and the invariants its results must keep.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::*;

pub const ROWS: usize = 10_000;
pub const WEBINAR: &str = "tencent-meeting:17305428542504531991";
pub const GROUP: &str = "tencent-im:@TGS#2J4SZEAEL";
pub const EVENT: &str = "huiyi31:demo-event:demo-type:demo-ticket";

pub fn create_job(c: &Client) -> String {
    let (headers, rows) = roster_csv(ROWS);
    let r = c.post("/api/jobs", &json!({"file_name": "drill.csv", "headers": headers, "rows": rows, "destinations": [WEBINAR, GROUP, EVENT]}));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

pub fn counts(job: &Value, dest: &str) -> HashMap<String, u64> {
    let d = job["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["destination"] == dest)
        .unwrap();
    d["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

/// Every row accounted for, nobody imported twice, no rejected row held, no rate limit exceeded,
/// `unknown` only on 31huiyi and explained. `logs`: the proxies' logs (scanned for secrets).
pub fn check_invariants(
    sandbox: &Value,
    c: &Client,
    id: &str,
    job: &Value,
    killed: bool,
    logs: &[String],
) {
    assert_eq!(job["state"], "completed", "{job}");
    for dest in [WEBINAR, GROUP, EVENT] {
        let n = counts(job, dest);
        assert_eq!(
            n.values().sum::<u64>(),
            ROWS as u64,
            "{dest}: counts add up to the rows: {n:?}"
        );
        assert_eq!(n["pending"], 0, "{dest}");
        assert_eq!(n["skipped"], 0, "{dest}");
    }
    let tm = counts(job, WEBINAR);
    assert_eq!(
        tm["invalid"],
        (ROWS - 4000) as u64,
        "rows beyond the 4,000 cap are invalid: {tm:?}"
    );
    assert_eq!(
        tm["imported"] + tm["already_present"] + tm["unknown"],
        4000,
        "{tm:?}"
    );
    if !killed {
        // Every lost answer of this run is settled by comparing the list before and after.
        assert_eq!(
            tm["unknown"], 0,
            "reconciliation leaves no unknown for Tencent Meeting"
        );
    }
    let im = counts(job, GROUP);
    assert_eq!(
        im["imported"] + im["already_present"],
        ROWS as u64,
        "{im:?}"
    );
    assert_eq!(im["unknown"], 0, "reconciliation leaves no unknown for IM");
    let hy = counts(job, EVENT);
    assert!(
        hy["unknown"] > 0,
        "with 30% faults some 31huiyi outcomes are lost: {hy:?}"
    );
    assert_eq!(hy["invalid"], 0);

    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    let rows = results["rows"].as_array().unwrap();
    assert_eq!(rows.len(), ROWS);
    let mut hy_imported = HashSet::new();
    let mut hy_unknown = HashSet::new();
    let mut tm_imported = HashSet::new();
    let mut tm_unknown = HashSet::new();
    for r in rows {
        let phone = r["cells"][1].as_str().unwrap().to_string();
        for o in r["outcomes"].as_array().unwrap() {
            let state = o["state"].as_str().unwrap();
            if o["destination"] == WEBINAR && state == "invalid" {
                assert_eq!(o["code"], "webinar_cap_exceeded");
                assert!(o["message"]["zh"].as_str().unwrap().contains("4000"));
                assert!(o["message"]["en"].as_str().unwrap().contains("4000"));
            }
            if o["destination"] == WEBINAR && state == "imported" {
                assert!(
                    o["reference"].is_string() && o["attendee_code"].is_string(),
                    "enroll id and code returned: {o}"
                );
                tm_imported.insert(phone.clone());
            }
            if o["destination"] == WEBINAR && state == "unknown" {
                // Only a batch an earlier run (or another replica) sent, whose answer was lost
                // with it: the list carries no phone, so the row is left to the console.
                assert_eq!(o["code"], "unverifiable", "{o}");
                let msg = &o["message"];
                assert!(
                    msg["zh"].as_str().unwrap().contains("腾讯会议后台")
                        && msg["en"].as_str().unwrap().contains("console"),
                    "explained in both languages: {msg}"
                );
                tm_unknown.insert(phone.clone());
            }
            if o["destination"] == EVENT {
                match state {
                    "imported" => {
                        assert!(o["attendee_code"].is_string(), "check-in code: {o}");
                        hy_imported.insert(phone.clone());
                    }
                    "unknown" => {
                        let msg = &o["message"];
                        assert!(
                            msg["zh"].as_str().unwrap().contains("31会议")
                                && msg["en"].as_str().unwrap().contains("31huiyi"),
                            "explained in both languages: {msg}"
                        );
                        if !killed {
                            assert_eq!(o["code"], "ambiguous");
                        }
                        hy_unknown.insert(phone.clone());
                    }
                    other => panic!("unexpected 31huiyi state {other}: {o}"),
                }
            }
        }
    }

    let state = sandbox;
    // Paced at the documented rates: the sandbox never had to refuse a call for its rate.
    for (provider, n) in state["rate_violations"].as_object().unwrap() {
        assert_eq!(
            n, 0,
            "{provider} rate limit exceeded: {}",
            state["rate_violations"]
        );
    }
    // Rejected only on the provider's word: no rejected row is enrolled / a member.
    let rejected = |dest: &str, cell: usize| -> HashSet<String> {
        rows.iter()
            .filter(|r| {
                r["outcomes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o["destination"] == dest && o["state"] == "rejected")
            })
            .map(|r| r["cells"][cell].as_str().unwrap().to_string())
            .collect()
    };
    let (tm_rejected, im_rejected) = (rejected(WEBINAR, 1), rejected(GROUP, 3));
    // Tencent Meeting: every imported person exactly once.
    let webinar = state["tencent_meeting"]["webinars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["meeting_id"] == "17305428542504531991")
        .unwrap();
    let phones: Vec<&str> = webinar["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["phone_number"].as_str())
        .collect();
    let unique: HashSet<&str> = phones.iter().copied().collect();
    assert_eq!(phones.len(), unique.len(), "no duplicate enrollment");
    assert!(
        tm_imported.iter().all(|p| unique.contains(p.as_str())),
        "every imported row is enrolled"
    );
    assert!(
        unique
            .iter()
            .all(|p| tm_imported.contains(*p) || tm_unknown.contains(*p)),
        "every enrollment belongs to an imported or unknown row"
    );
    assert!(
        unique.iter().all(|p| !tm_rejected.contains(*p)),
        "a rejected row is enrolled"
    );
    let filled = webinar["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["phone_number"].is_string() && e["userid"].is_string())
        .count();
    assert!(filled > 1000, "the sandbox filled userids in ({filled})");
    // IM: each member once.
    let members = im_members(state);
    let unique: HashSet<&str> = members.iter().map(String::as_str).collect();
    assert_eq!(members.len(), unique.len(), "no duplicate member");
    assert!(
        unique.iter().all(|m| !im_rejected.contains(*m)),
        "a rejected row is a member"
    );
    assert_eq!(unique.len(), ROWS + 1, "every row plus the seeded admin");
    // 31huiyi: no duplicate order; every imported row has its order; unknown rows at most once.
    let event = state["huiyi31"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event_id"] == "demo-event")
        .unwrap();
    let mobiles: Vec<String> = event["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["mobile"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<String> = mobiles.iter().cloned().collect();
    assert_eq!(mobiles.len(), unique.len(), "no duplicate registration");
    assert!(hy_imported.is_subset(&unique));
    assert!(
        unique
            .iter()
            .all(|m| hy_imported.contains(m) || hy_unknown.contains(m)),
        "every order belongs to an imported or unknown row"
    );
    // Each person reached each provider at most once: a re-send is counted by the sandbox even
    // where the provider would answer "already a member", so this can fail.
    let report = sends_per_person(state);
    eprintln!(
        "drill: unknown rows — Tencent Meeting {} (why: {}), 31huiyi {}; {report}",
        tm["unknown"],
        if tm["unknown"] > 0 {
            "a batch sent before a restart lost its answer"
        } else {
            "-"
        },
        hy["unknown"],
    );
    assert_no_secrets("responses", &c.seen.borrow());
    assert_no_secrets("proxy log", logs);
}

/// Asserts that the sandbox applied no request carrying the same person twice, per provider, and
/// returns a one-line report: people sent, most sends for one person, answers lost.
pub fn sends_per_person(state: &Value) -> String {
    let mut report = Vec::new();
    for (provider, people) in state["sends"]["sent"].as_object().unwrap() {
        let people = people.as_object().unwrap();
        let twice: Vec<(&String, u64)> = people
            .iter()
            .map(|(p, n)| (p, n.as_u64().unwrap()))
            .filter(|&(_, n)| n > 1)
            .collect();
        let lost: u64 = state["sends"]["lost"][provider.as_str()]
            .as_object()
            .map_or(0, |m| m.values().map(|n| n.as_u64().unwrap()).sum());
        assert!(
            twice.is_empty(),
            "{provider}: {} people sent more than once (e.g. {:?}); {lost} answers were lost",
            twice.len(),
            &twice[..twice.len().min(5)]
        );
        let max = people
            .values()
            .map(|n| n.as_u64().unwrap())
            .max()
            .unwrap_or(0);
        report.push(format!(
            "{provider}: {} people, at most {max} send each, {lost} answers lost",
            people.len()
        ));
    }
    report.join("; ")
}
