//! Reliability drills: a 10,000-row roster fanned out to a Tencent Meeting webinar, an IM group
//! and a 31huiyi event through the adversarial sandbox — it fails 30% of calls, fills the userid
//! in for phone imports of registered people (half the roster), shuffles every answer, answers
//! 31huiyi successes without the optional fields, and enforces the documented rate limits — once
//! straight through, once with the proxy killed by SIGKILL three times mid-run. Every row is
//! accounted for, nobody is imported twice, no row is `rejected` that the provider holds, no rate
//! limit is exceeded, and `unknown` only appears where no reconciliation is possible (31huiyi).

mod common;

use std::time::Duration;

use common::drill::*;
use common::*;

#[test]
fn fault_injected_fan_out() {
    let stack = Stack::start(0.3);
    let c = stack.client();
    let id = create_job(&c);
    let job = c.wait_job(&id, Duration::from_secs(1200));
    check_invariants(
        &stack.sandbox_state(),
        &c,
        &id,
        &job,
        false,
        &[stack.proxy.log_text()],
    );
    // The failed-rows CSV holds exactly the rows that failed somewhere, in the input's columns.
    let failed = c.get(&format!("/api/jobs/{id}/failed.csv")).body;
    assert!(failed.starts_with("\u{feff}姓名,手机号,邮箱,IM账号,部门"));
    assert_eq!(
        failed.lines().count() - 1,
        ROWS - 4000 + counts(&job, EVENT)["unknown"] as usize - overlap(&c, &id)
    );
}

/// Rows that failed at more than one destination are listed once.
fn overlap(c: &Client, id: &str) -> usize {
    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    results["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| {
                    ["rejected", "invalid", "unknown", "skipped"]
                        .contains(&o["state"].as_str().unwrap())
                })
                .count()
                > 1
        })
        .count()
}

#[test]
fn sigkill_three_times_and_resume() {
    let mut stack = Stack::start(0.3);
    let id = create_job(&stack.client());
    for wait in [2, 4, 6] {
        std::thread::sleep(Duration::from_secs(wait));
        let j = stack.client().get(&format!("/api/jobs/{id}")).json();
        assert_eq!(j["state"], "running", "killed mid-run: {j}");
        stack.proxy.kill9();
        stack.restart_proxy();
    }
    // The third restart resumes the job just after it announces its URL: wait for its line.
    stack.proxy.wait_log(
        Duration::from_secs(60),
        "each restart resumed the job",
        |log| log.matches("resuming job").count() >= 3,
    );
    let c = stack.client();
    let job = c.wait_job(&id, Duration::from_secs(1200));
    check_invariants(
        &stack.sandbox_state(),
        &c,
        &id,
        &job,
        true,
        &[stack.proxy.log_text()],
    );
}
