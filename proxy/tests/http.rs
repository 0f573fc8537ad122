//! Proxy → standalone sandbox over real HTTP on loopback: each provider's operations and error
//! classes (one test each), token expiry mid-session, signature replay refused, live progress,
//! cancel and resume, the base path. The security checks are in `security.rs`.

mod common;

use common::*;
use serde_json::{json, Value};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Nothing secret anywhere a test touched: its responses and headers, both processes' logs;
/// and the proxy's audit records are there.
fn keeps_its_secrets(stack: &Stack, c: &Client) {
    assert_no_secrets("responses", &c.seen.borrow());
    assert_no_secrets("proxy log", &[stack.proxy.log_text()]);
    assert_no_secrets("sandbox log", &[stack.sandbox.log_text()]);
}

#[test]
fn identity_and_status_say_what_is_configured() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // Identity and status.
    let me = c.get("/api/me").json();
    assert_eq!(me["user"], "alice");
    assert_eq!(me["role"], "organizer");
    let status = c.get("/api/status").json();
    assert_eq!(status["sandbox"], false);
    // A real deployment suggests nothing but what its config names (no demo ids in the UI).
    assert!(
        ["tencent_meeting", "tencent_im", "huiyi31", "wecom_webinar"]
            .iter()
            .all(|k| status["suggestions"].get(k).is_none()),
        "{status}"
    );
    assert_eq!(status["suggestions"]["huiyi31_ticket_name"], "嘉宾票");
    assert!(status["providers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["configured"] == true));

    keeps_its_secrets(&stack, &c);
}

#[test]
fn tencent_meeting_calls_are_validated_signed_and_mapped() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // Create webinar: validated by core first (422 with every problem), then created.
    let bad = c.post("/api/tencent-meeting/webinars", &json!({"userid": "", "instanceid": 1, "subject": "", "start_time": (now() + 3600).to_string(), "end_time": (now() + 60).to_string(), "admission_type": 2}));
    assert_eq!(bad.status, 422);
    let codes: Vec<String> = bad.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"length_out_of_range".into())
            && codes.contains(&"end_before_start".into())
            && codes.contains(&"password_required".into()),
        "{codes:?}"
    );
    assert!(bad.json()["problems"][0]["message"]["zh"]
        .as_str()
        .unwrap()
        .chars()
        .any(|ch| ch > '\u{4e00}'));
    let w = c.post("/api/tencent-meeting/webinars", &json!({"userid": "", "instanceid": 1, "subject": "发布会", "start_time": (now() + 3600).to_string(), "end_time": (now() + 7200).to_string(), "admission_type": 1}));
    assert_eq!(w.status, 200, "{}", w.body);
    let w = w.json();
    let mid = w["meeting_id"].as_str().unwrap().to_string();
    assert!(w["meeting_code"].as_str().unwrap().len() >= 9);
    // The new webinar is offered by name from now on.
    let known = c.get("/api/destinations").json();
    let entry = known
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["destination"] == format!("tencent-meeting:{mid}"))
        .unwrap_or_else(|| panic!("{known}"));
    assert_eq!(
        entry["label"],
        format!("发布会 · {}", w["meeting_code"].as_str().unwrap())
    );
    assert!(w["audience_join_link"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // Import enrollments: partial success (non-registered userid).
    let imp = c.post(&format!("/api/tencent-meeting/webinars/{mid}/enroll/import"), &json!({"enroll_list": [{"area": "86", "phone_number": "13612111111"}, {"userid": "unregistered-1"}, {"userid": "u-1"}]}));
    assert_eq!(imp.status, 200, "{}", imp.body);
    let imp = imp.json();
    assert_eq!(imp["total_count"], 2);
    assert_eq!(imp["user_non_registered"], json!(["unregistered-1"]));
    // Seed 000's example: a phone import of a registered person comes back with its userid.
    let phone_entry = imp["enroll_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["phone_number"] == "13612111111")
        .expect("the phone import is in the answer");
    assert_eq!(phone_entry["userid"], "user1", "{imp}");
    let list = c
        .get(&format!("/api/tencent-meeting/webinars/{mid}/enrollments"))
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // The single call counts what the webinar already holds against the cap (enterprise 4,000):
    // 2 + 3,998 fit, the next one is refused before the provider is called.
    for chunk in 0..4 {
        let n = if chunk < 3 { 1000 } else { 998 };
        let entries: Vec<Value> = (0..n)
            .map(|i| json!({"area": "86", "phone_number": format!("137{:08}", chunk * 1000 + i)}))
            .collect();
        let r = c.post(
            &format!("/api/tencent-meeting/webinars/{mid}/enroll/import"),
            &json!({"enroll_list": entries}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let calls_before = stack.sandbox_state()["calls"]["/v1/webinars/{id}/enroll/import"].clone();
    let r = c.post(
        &format!("/api/tencent-meeting/webinars/{mid}/enroll/import"),
        &json!({"enroll_list": [{"userid": "one-too-many"}]}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["code"], "webinar_cap_exceeded");
    assert_eq!(
        stack.sandbox_state()["calls"]["/v1/webinars/{id}/enroll/import"],
        calls_before,
        "refused before the provider"
    );
    // Invalid entry refused before the provider: phone without area.
    let r = c.post(
        &format!("/api/tencent-meeting/webinars/{mid}/enroll/import"),
        &json!({"enroll_list": [{"phone_number": "13612111111"}]}),
    );
    assert_eq!(r.status, 422);
    // Permanent provider error, mapped with the provider's code.
    let r = c.post(
        "/api/tencent-meeting/webinars/999/enroll/import",
        &json!({"enroll_list": [{"userid": "x"}]}),
    );
    assert_eq!(r.status, 502);
    assert_eq!(r.json()["provider_code"], 9003);
    assert_eq!(r.json()["provider"], "tencent-meeting");

    // "Only effective when …" settings are not errors: a password on a public webinar and a
    // cloud-only option without cloud recording are left out before signing.
    let w = c.post("/api/tencent-meeting/webinars", &json!({"userid": "", "instanceid": 1, "subject": "公开课", "start_time": (now() + 3600).to_string(), "end_time": (now() + 7200).to_string(), "admission_type": 0, "password": "1234", "media_setting": {"enable_host_pause_auto_record": false}}));
    assert_eq!(w.status, 200, "{}", w.body);
    assert!(
        w.json().get("password").is_none_or(Value::is_null),
        "{}",
        w.body
    );

    assert!(
        stack.proxy.log_text().contains("audit"),
        "provider writes are audited in the log"
    );
    keeps_its_secrets(&stack, &c);
}

#[test]
fn wecom_lists_page_filter_and_validate() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // WeCom: the documented default page size (50) when the request leaves `limit` out.
    let page = c
        .post("/api/wecom/webinars/MEETINGID1/enrollments", &json!({}))
        .json();
    assert_eq!(page["enroll_list"].as_array().unwrap().len(), 50);

    // WeCom: one page, all pages, status filter, limit validated.
    let page = c
        .post(
            "/api/wecom/webinars/MEETINGID1/enrollments",
            &json!({"limit": 50}),
        )
        .json();
    assert_eq!(page["enroll_list"].as_array().unwrap().len(), 50);
    assert_eq!(page["has_more"], true);
    let all = c
        .post(
            "/api/wecom/webinars/MEETINGID1/enrollments",
            &json!({"all": true}),
        )
        .json();
    let all = all["enroll_list"].as_array().unwrap();
    assert_eq!(all.len(), 130);
    let statuses: std::collections::BTreeSet<i64> =
        all.iter().map(|e| e["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [1, 2, 3].into());
    assert!(all
        .iter()
        .all(|e| !e["answer_list"].as_array().unwrap().is_empty()));
    let approved = c
        .post(
            "/api/wecom/webinars/MEETINGID1/enrollments",
            &json!({"all": true, "status": 3}),
        )
        .json();
    let approved = approved["enroll_list"].as_array().unwrap();
    assert!(
        !approved.is_empty() && approved.len() < 130 && approved.iter().all(|e| e["status"] == 3)
    );
    assert_eq!(
        c.post(
            "/api/wecom/webinars/MEETINGID1/enrollments",
            &json!({"limit": 51})
        )
        .status,
        422
    );
    let r = c.post("/api/wecom/webinars/NOPE/enrollments", &json!({}));
    assert_eq!(r.status, 502);
    assert!(r.json()["provider_code"].as_i64().is_some());

    keeps_its_secrets(&stack, &c);
}

#[test]
fn im_member_results_are_read_by_account() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // IM: Result 1 / 2 / 0 in one call.
    let r = c.post("/api/tencent-im/groups/@TGS%232J4SZEAEL/members", &json!({"group_id": "@TGS#2J4SZEAEL", "members": [{"Member_Account": "tommy"}, {"Member_Account": "administrator"}, {"Member_Account": "ghost-1"}]}));
    assert_eq!(r.status, 200, "{}", r.body);
    // The answer's order is not promised (the sandbox shuffles it): read it by account.
    let results: std::collections::BTreeMap<String, i64> = r.json()["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["Member_Account"].as_str().unwrap().to_string(),
                m["Result"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("administrator".to_string(), 2),
            ("ghost-1".into(), 0),
            ("tommy".into(), 1)
        ]
        .into()
    );
    assert_eq!(
        c.post(
            "/api/tencent-im/groups/@TGS%23AVCHATROOM/members",
            &json!({"group_id": "x", "members": [{"Member_Account": "a"}]})
        )
        .json()["provider_code"],
        10007
    );
    assert_eq!(
        c.post(
            "/api/tencent-im/groups/@TGS%23NOPE/members",
            &json!({"group_id": "x", "members": [{"Member_Account": "a"}]})
        )
        .json()["provider_code"],
        10010
    );
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"Member_Account": format!("m{i}")}))
        .collect();
    assert_eq!(
        c.post(
            "/api/tencent-im/groups/@TGS%232J4SZEAEL/members",
            &json!({"group_id": "x", "members": many})
        )
        .status,
        422
    );

    keeps_its_secrets(&stack, &c);
}

#[test]
fn huiyi31_registers_and_refuses_with_reasons() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // 31huiyi: check-in code; missing mobile/email refused by core; unknown event by the provider.
    let reg = |fields: Value, event: &str| json!({"bventId": event, "AttendeeTypeId": "demo-type", "Attendee": {"Fields": fields}, "Items": [{"ItemSkuId": "demo-ticket", "ItemSkuName": "嘉宾票", "Quantity": 1}]});
    let r = c.post("/api/huiyi31/register", &reg(json!([{"fieldName": "FullName", "fieldValue": "张三"}, {"fieldName": "Mobile", "fieldValue": "13800000000"}]), "demo-event"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.json()["data"]["orderAttendees"][0]["checkinCode"]
            .as_str()
            .unwrap()
            .len()
            > 6
    );
    assert_eq!(
        c.post(
            "/api/huiyi31/register",
            &reg(
                json!([{"fieldName": "FullName", "fieldValue": "张三"}]),
                "demo-event"
            )
        )
        .status,
        422
    );
    assert_eq!(
        c.post(
            "/api/huiyi31/register",
            &reg(
                json!([{"fieldName": "Mobile", "fieldValue": "13800000000"}]),
                "no-such-event"
            )
        )
        .json()["provider_code"],
        404
    );

    keeps_its_secrets(&stack, &c);
}

#[test]
fn expired_credentials_are_refreshed_once() {
    let stack = Stack::start(0.0);
    let c = stack.client();

    // Token / UserSig expiry mid-session: the proxy refreshes once and the call succeeds.
    let before = stack.sandbox_state()["wecom"]["tokens_issued"]
        .as_u64()
        .unwrap();
    reqwest::blocking::Client::new()
        .post(format!("{}/_sandbox/expire-tokens", stack.sandbox.url))
        .send()
        .unwrap();
    assert_eq!(
        c.post(
            "/api/wecom/webinars/MEETINGID1/enrollments",
            &json!({"limit": 10})
        )
        .status,
        200
    );
    assert_eq!(
        stack.sandbox_state()["wecom"]["tokens_issued"]
            .as_u64()
            .unwrap(),
        before + 1
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = c.post(
        "/api/tencent-im/groups/@TGS%232J4SZEAEL/members",
        &json!({"group_id": "x", "members": [{"Member_Account": "after-expiry"}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["MemberList"][0]["Result"], 1);

    keeps_its_secrets(&stack, &c);
}

#[test]
fn sandbox_refuses_replayed_stale_and_forged_signatures() {
    use rollcall::providers::tencent_meeting::{signature, string_to_sign};
    let stack = Stack::start(0.0);
    let http = reqwest::blocking::Client::new();
    let uri = "/v1/webinars/17305428542504531991/enroll/approvals?operator_id=organizer&operator_id_type=1&instanceid=1&page=1&page_size=10";
    let send = |ts: u64, nonce: &str, key: &str| {
        let sts = string_to_sign(
            "GET",
            uri,
            b"",
            nonce,
            &ts.to_string(),
            "AKIDintegrationtest0001",
        );
        let r = http
            .get(format!("{}{uri}", stack.sandbox.url))
            .header("X-TC-Key", "AKIDintegrationtest0001")
            .header("X-TC-Timestamp", ts.to_string())
            .header("X-TC-Nonce", nonce)
            .header("X-TC-Signature", signature(&sts, key))
            .header("AppId", "200000009")
            .header("X-TC-Registered", "1")
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().unwrap())
    };
    let t = now();
    assert_eq!(send(t, "12345", TM_SECRET).0, 200);
    let (status, body) = send(t, "12345", TM_SECRET);
    assert_eq!(
        (status, body["error_info"]["error_code"].as_i64()),
        (401, Some(190301)),
        "replay refused"
    );
    assert_eq!(
        send(t - 301, "777", TM_SECRET).1["error_info"]["error_code"],
        190300,
        "stale timestamp refused"
    );
    assert_eq!(
        send(t, "778", "forged-key").1["error_info"]["error_code"],
        200003,
        "bad signature refused"
    );
}

/// A column mapping is kept under its owner's name and offered to everyone: Bob sees Alice's
/// mapping; saving under the same name replaces it; a viewer cannot save; a nameless one is
/// refused with the reason.
#[test]
fn mappings_are_kept_per_user_and_offered_to_everyone() {
    let stack = Stack::start(0.0);
    let alice = stack.client();
    let bob = Client::new(&stack.proxy.url, Some(("bob", ORGANIZER)));
    let viewer = Client::new(&stack.proxy.url, Some(("carol", VIEWER)));
    let mapping = |phone_column: &str| {
        json!({
            "name": " 年会报名表 ",
            "headers": ["参会人", phone_column, "邮箱"],
            "mapping": {"overrides": {"参会人": "name", phone_column: "phone"}, "fixed": {"area": "86"}}
        })
    };
    let r = alice.post("/api/mappings", &mapping("联系手机"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["owner"], "alice");
    assert_eq!(r.json()["name"], "年会报名表");
    // Saved again under the same name: replaced, not doubled.
    assert_eq!(alice.post("/api/mappings", &mapping("手机")).status, 200);
    let listed = bob.get("/api/mappings").json();
    let mine: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["owner"] == "alice")
        .collect();
    assert_eq!(mine.len(), 1, "{listed}");
    assert_eq!(mine[0]["mapping"]["overrides"]["手机"], "phone");
    assert_eq!(mine[0]["mapping"]["fixed"]["area"], "86");
    // Bob's own, kept beside Alice's.
    assert_eq!(bob.post("/api/mappings", &mapping("电话")).status, 200);
    assert_eq!(
        viewer.get("/api/mappings").json().as_array().unwrap().len(),
        2
    );
    assert_eq!(viewer.post("/api/mappings", &mapping("电话")).status, 403);
    let nameless = alice.post(
        "/api/mappings",
        &json!({"name": "  ", "headers": ["姓名"], "mapping": {}}),
    );
    assert_eq!(nameless.status, 422);
    assert_eq!(nameless.json()["code"], "bad_mapping");
}

/// Cells fixed in the preview: the job sends the edited values, says how many cells were
/// changed, and its results carry the values as sent; an `edited` naming a row the job does not
/// have is refused.
#[test]
fn cells_edited_before_sending_are_recorded() {
    let stack = Stack::start(0.0);
    let c = stack.client();
    let body = |edited: Value| {
        json!({
            "headers": ["姓名", "手机号", "邮箱"],
            "rows": [
                {"row": 2, "cells": ["张三", "13800138000", "zs@example.com"]},
                {"row": 3, "cells": ["李四", "13900139000", "ls@example.com"]}
            ],
            "destinations": ["huiyi31:demo-event:demo-type:demo-ticket"],
            "edited": edited
        })
    };
    let bad = c.post("/api/jobs", &body(json!([{"row": 9, "column": "手机号"}])));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.json()["code"], "bad_edited");
    let twice = json!([{"row": 3, "column": "手机号"}, {"row": 3, "column": "手机号"}]);
    assert_eq!(c.post("/api/jobs", &body(twice)).status, 422);

    let r = c.post("/api/jobs", &body(json!([{"row": 3, "column": "手机号"}])));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["edited_cells"], 1);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let job = c.wait_job(&id, std::time::Duration::from_secs(60));
    assert_eq!(job["state"], "completed", "{job}");
    assert_eq!(job["edited_cells"], 1);
    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    assert_eq!(results["rows"][1]["cells"][1], "13900139000");
    let orders = stack.sandbox_state()["huiyi31"]["events"][0]["orders"].clone();
    assert!(
        orders
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["mobile"] == "13900139000"),
        "{orders}"
    );
    // A job without edits does not mention them.
    let plain = c.post("/api/jobs", &body(json!([])));
    assert_eq!(plain.status, 201);
    assert!(plain.json().get("edited_cells").is_none());
}

#[test]
fn cancel_resume_and_live_progress() {
    let stack = Stack::start(0.0);
    let c = stack.client();
    let (headers, rows) = roster_csv(3000);
    let r = c.post("/api/jobs", &json!({"headers": headers, "rows": rows, "destinations": ["huiyi31:demo-event:demo-type:demo-ticket"]}));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    // Live progress over SSE: the first event is the current summary.
    let sse = reqwest::blocking::Client::new()
        .get(format!("{}/api/jobs/{id}/events", stack.proxy.url))
        .header("X-Forwarded-User", "alice")
        .header("X-Forwarded-Groups", ORGANIZER)
        .send()
        .unwrap();
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    let mut reader = std::io::BufReader::new(sse);
    let mut line = String::new();
    let mut first = None;
    while std::io::BufRead::read_line(&mut reader, &mut line).unwrap() > 0 {
        if let Some(data) = line.strip_prefix("data: ") {
            first = Some(serde_json::from_str::<Value>(data).unwrap());
            break;
        }
        line.clear();
    }
    assert_eq!(first.unwrap()["id"], id.as_str());
    // Cancel mid-run: the rest is skipped.
    let cancelled = c.post(&format!("/api/jobs/{id}/cancel"), &json!({}));
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let job = c.wait_job(&id, std::time::Duration::from_secs(120));
    assert_eq!(job["state"], "cancelled");
    let counts = &job["destinations"][0]["counts"];
    assert!(counts["skipped"].as_u64().unwrap() > 0, "{counts}");
    assert_eq!(counts["pending"], 0);
    let sent_before = stack.sandbox_state()["huiyi31"]["events"][0]["orders"]
        .as_array()
        .unwrap()
        .len() as u64;
    assert_eq!(sent_before, counts["imported"].as_u64().unwrap());
    // Resume: skipped rows go out, nothing is registered twice.
    assert_eq!(
        c.post(&format!("/api/jobs/{id}/resume"), &json!({})).status,
        200
    );
    let job = c.wait_job(&id, std::time::Duration::from_secs(300));
    assert_eq!(job["state"], "completed", "{job}");
    assert_eq!(job["destinations"][0]["counts"]["imported"], 3000);
    let orders = stack.sandbox_state()["huiyi31"]["events"][0]["orders"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(orders, 3000);
    // Cancelling a finished job is refused.
    assert_eq!(
        c.post(&format!("/api/jobs/{id}/cancel"), &json!({})).status,
        409
    );
}

#[test]
fn everything_lives_under_the_base_path() {
    let stack = Stack::start(0.0);
    let text = std::fs::read_to_string(&stack.config).unwrap().replacen(
        "[server]\n",
        "[server]\nbase_path = \"/rollcall/\"\n",
        1,
    );
    let cfg = stack.dir.path().join("based.toml");
    // A built UI for this proxy: `/rollcall/` is its index.
    let ui = stack.dir.path().join("based-ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Rollcall</title>",
    )
    .unwrap();
    let text = text.replace(
        &format!(
            "ui_dir = \"{}/no-ui\"",
            stack.dir.path().join("data").display()
        ),
        &format!("ui_dir = \"{}\"", ui.display()),
    );
    assert!(text.contains("based-ui"), "{text}");
    std::fs::write(&cfg, text.replace("/data\"", "/data-based\"")).unwrap();
    let proxy = spawn(
        &["serve", "--config", cfg.to_str().unwrap()],
        &stack.dir.path().join("based.log"),
        "Rollcall is running",
    );
    assert!(proxy.url.ends_with("/rollcall"), "{}", proxy.url);
    let c = Client::new(&proxy.url, Some(("alice", ORGANIZER)));
    assert_eq!(c.get("/api/me").json()["user"], "alice");
    assert_eq!(c.get("/healthz").body, "ok");
    let root = proxy.url.trim_end_matches("/rollcall").to_string();
    let outside = Client::new(&root, Some(("alice", ORGANIZER)));
    assert_eq!(outside.get("/api/me").status, 404);
    let r = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&proxy.url)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(r.headers()["location"], "/rollcall/");
    // The URL printed at start-up answers (the UI's index; here the no-UI page or the UI).
    let slash = reqwest::blocking::get(format!("{}/", proxy.url)).unwrap();
    assert_eq!(slash.status().as_u16(), 200, "GET {}/", proxy.url);
    assert!(slash.text().unwrap().contains("<title>Rollcall</title>"));
    assert_eq!(c.get("/api/status").status, 200);
    assert_eq!(c.get("/api/nope").status, 404);
    // An oversize body answers in the API's JSON error shape.
    let r = c.post_raw(
        "/api/huiyi31/register",
        &[
            ("x-rollcall-csrf", "1"),
            ("content-type", "application/json"),
        ],
        vec![b' '; 2 * 1024 * 1024],
    );
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "body_too_large");
}
