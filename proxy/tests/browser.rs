//! Browser tests: real headless Chromium (Debian's chromium + chromedriver) driving the built UI
//! served by `rollcall serve --sandbox`. Every step fails on any browser console error; each
//! screen is saved as a screenshot under `target/screenshots/`.
//!
//! Needs the trunk-built UI (`cargo xtask build-ui`). `cargo xtask test` sets
//! ROLLCALL_BROWSER_TESTS=1, which makes a missing browser or UI a failure; a plain
//! `cargo test` without them prints why it skipped.

mod common;

mod webdriver;

use std::time::{Duration, Instant};

use serde_json::json;
use webdriver::{prerequisites, sandbox_server, wait_file, Driver};

/// On the enrollments screen: filters to approved, loads every page, checks every row shown is
/// approved; returns how many.
fn approved_enrollments(d: &Driver) -> usize {
    d.select("#enr-status", "3");
    d.click("#enr-load");
    d.wait(
        "approved enrollments",
        "return document.querySelectorAll('#enrollments tbody tr').length > 0",
    );
    let statuses = d.js(
        "return [...document.querySelectorAll('#enrollments tbody tr')].map(r => r.dataset.status)",
        json!([]),
    );
    let statuses = statuses.as_array().unwrap();
    assert!(
        statuses.iter().all(|s| s == "3"),
        "only approved: {statuses:?}"
    );
    statuses.len()
}

#[test]
fn organizer_workflow_in_chromium() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let url = format!("{}/", server.url);
    let d = Driver::start(&downloads, &tmp.path().join("profile"));

    // First screen: Chinese, sandbox banner, the app really rendered.
    d.go(&url);
    assert_eq!(d.text("#app-title"), "Rollcall 名单同步");
    d.find("#sandbox-banner");
    d.wait(
        "identity",
        "return document.querySelector('#identity').textContent.includes('dev')",
    );
    d.assert_clean("first load");
    d.shot("01-import");

    // Language toggle, remembered across a reload.
    d.click("#lang-toggle");
    assert_eq!(d.text("#app-title"), "Rollcall roster sync");
    d.go(&url);
    assert_eq!(d.text("#app-title"), "Rollcall roster sync");
    assert_eq!(
        d.js("return document.documentElement.lang", json!([])),
        "en"
    );
    d.shot("02-english");
    d.click("#lang-toggle");
    assert_eq!(d.text("#app-title"), "Rollcall 名单同步");

    // The template really downloads.
    d.click("#template");
    let template = wait_file(&downloads, "rollcall-template.csv");
    assert!(String::from_utf8(template)
        .unwrap()
        .starts_with("\u{feff}姓名,手机号"));

    // Import a GBK CSV with bad rows: problems shown on their cells, excluded, job to 100 %.
    let csv = "姓名,手机号,邮箱,IM账号\n张三,13800138000,zhang@example.com,zhangsan\n李四,139-0013-9000,li@example.com,lisi\n王五,12345,wang@example,wangwu\n赵六,13800138000,zhao@example.com,zhaoliu\n钱七,+86 137 0013 7000,qian@example.com,qianqi\n";
    let file = tmp.path().join("名单-gbk.csv");
    std::fs::write(&file, encoding_rs::GBK.encode(csv).0).unwrap();
    d.upload("#roster-file", &file);
    d.wait_roster(5);
    assert_eq!(d.text("#encoding"), "gbk");
    assert_eq!(d.text("#invalid-count"), "2");
    // The preview's code arrives with its own chunk: wait for it to be drawn.
    d.wait(
        "the preview drawn",
        "return document.querySelectorAll('#preview tbody tr[data-row]').length === 5",
    );
    let bad_cells = d
        .js(
            "return document.querySelectorAll('#preview td.bad').length",
            json!([]),
        )
        .as_u64()
        .unwrap();
    assert!(
        bad_cells >= 3,
        "bad phone, bad email and the duplicate are marked on their cells ({bad_cells})"
    );
    assert!(d.text("#preview").contains("李四"), "rows decoded from GBK");
    d.click("#filter-problems");
    d.wait(
        "problems filter",
        "return document.querySelectorAll('#preview tbody tr[data-row]').length === 2",
    );
    d.shot("03-import-problems");
    d.click("#exclude-invalid");
    d.click("#dest-tencent-im-on");
    d.click("#dest-huiyi31-on");
    d.wait("qualifying counts", "return [...document.querySelectorAll('.qualify')].map(e => e.textContent).join(',') === '3,3,3'");
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    d.find("#results");
    assert_eq!(d.js("return [...document.querySelectorAll('#job-progress .pct')].map(e => e.textContent).join(',')", json!([])), "100%,100%");
    d.assert_clean("import");
    d.js(
        "document.querySelector('#job-progress').scrollIntoView()",
        json!([]),
    );
    d.shot("04-import-results");
    d.click("#dl-results");
    let files = || {
        std::fs::read_dir(&downloads)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect::<Vec<_>>()
    };
    let start = Instant::now();
    let name = loop {
        if let Some(n) = files().into_iter().find(|n| n.ends_with("-results.csv")) {
            break n;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "results CSV not downloaded: {:?}",
            files()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let results = String::from_utf8(wait_file(&downloads, &name)).unwrap();
    assert!(results.starts_with('\u{feff}'));
    assert_eq!(
        results.matches(",imported,").count(),
        6,
        "3 rows × 2 destinations imported:\n{results}"
    );

    // Create a webinar, fixing a validation error on the way.
    d.go(&format!("{url}#/webinar"));
    d.type_into("#subject", "年度客户大会");
    d.select("#admission_type", "2");
    d.wait(
        "password error",
        "return document.querySelector('[data-code=password_required]') !== null",
    );
    assert_eq!(
        d.js(
            "return document.querySelector('#create-webinar').disabled",
            json!([])
        ),
        true
    );
    d.shot("05-webinar-error");
    d.type_into("#password", "2468");
    d.wait(
        "no problems",
        "return document.querySelector('#create-webinar').disabled === false",
    );
    d.click("#create-webinar");
    d.wait(
        "created",
        "return document.querySelector('#webinar-created') !== null",
    );
    assert!(d.text("#webinar-created").contains("2468"));
    d.assert_clean("webinar");
    d.shot("06-webinar-created");

    // Browse WeCom enrollments with a status filter.
    d.go(&format!("{url}#/enrollments"));
    assert!(approved_enrollments(&d) > 10);
    d.assert_clean("enrollments");
    d.shot("07-enrollments");

    // Single registration with a check-in code.
    d.go(&format!("{url}#/register"));
    d.type_into("#reg-FullName", "孙八");
    d.type_into("#reg-Mobile", "13600136000");
    d.click("form.grid button[type=submit]");
    d.wait(
        "check-in code",
        "return document.querySelector('#checkin-code') !== null",
    );
    assert!(d.text("#checkin-code").len() > 6);
    d.shot("08-register");

    // Jobs list shows who started the job; status shows identity and providers.
    d.go(&format!("{url}#/jobs"));
    d.wait(
        "job list",
        "return document.querySelectorAll('#job-list .job').length === 1",
    );
    assert_eq!(d.text("#job-list .by"), "dev");
    d.shot("09-jobs");
    d.go(&format!("{url}#/status"));
    assert_eq!(d.text("#me-user"), "dev");
    d.find("#providers");
    d.shot("10-status");

    // Narrow screens: 360 px wide, nothing wider than the viewport.
    d.cmd("POST", "/window/rect", json!({"width": 360, "height": 800}));
    d.go(&url);
    d.find("#roster-file");
    let overflow = d
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            json!([]),
        )
        .as_i64()
        .unwrap();
    assert!(overflow <= 0, "horizontal overflow at 360 px: {overflow}px");
    d.shot("11-narrow");
    d.assert_clean("the whole run");
}

/// The create-webinar form never blocks itself: with any combination of its checkboxes it has no
/// error and submits. Settings seed 002 calls "only effective when …" show as warnings (the
/// proxy leaves them out); checking audience playback chooses cloud recording, which it needs.
#[test]
fn create_webinar_form_submits_with_every_checkbox_combination() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let d = Driver::start(&tmp.path().join("dl"), &tmp.path().join("profile"));
    d.go(&format!("{}/#/webinar", server.url));
    d.type_into("#subject", "复选框组合");
    let boxes: Vec<String> = d
        .js(
            "return [...document.querySelectorAll('fieldset.flags input[type=checkbox]')].map(b => b.id)",
            json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(boxes.len(), 15, "{boxes:?}");
    let defaults: Vec<bool> = d
        .js(
            "return [...document.querySelectorAll('fieldset.flags input[type=checkbox]')].map(b => b.checked)",
            json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_bool().unwrap())
        .collect();
    // Combinations: the defaults, all on, all off, each box flipped alone, and 16 more from a
    // fixed-seed generator (2^15 in all is too many to drive one by one).
    let mut combos: Vec<Vec<bool>> = vec![defaults.clone(), vec![true; 15], vec![false; 15]];
    for i in 0..15 {
        let mut c = defaults.clone();
        c[i] = !c[i];
        combos.push(c);
    }
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..16 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        combos.push((0..15).map(|b| x & (1 << b) != 0).collect());
    }
    let set = |combo: &[bool]| {
        // The record type back to "none" first, so every combination starts from the form's default.
        d.select("#auto_record_type", "none");
        d.js(
            "const [ids, want] = arguments;
             ids.forEach((id, i) => { const b = document.getElementById(id);
               if (b.checked !== want[i]) { b.checked = want[i]; b.dispatchEvent(new Event('change', {bubbles: true})); } });",
            json!([boxes, combo]),
        );
    };
    let mut warned = false;
    let mut submitted = 0;
    for (n, combo) in combos.iter().enumerate() {
        set(combo);
        let errors = d.js(
            "return [...document.querySelectorAll('.field-error')].map(e => e.dataset.code)",
            json!([]),
        );
        assert_eq!(
            errors,
            json!([]),
            "combination {n} {combo:?} blocks the form"
        );
        assert_eq!(
            d.js(
                "return document.querySelector('#create-webinar').disabled",
                json!([])
            ),
            false,
            "combination {n}"
        );
        warned |= d
            .js(
                "return document.querySelectorAll('.field-warning').length > 0",
                json!([]),
            )
            .as_bool()
            .unwrap();
        // Submit every fourth combination (each creates a webinar within the provider's rate).
        if n % 4 == 0 {
            let before = d.js(
                "const e = document.querySelector('#webinar-created'); return e ? e.textContent : ''",
                json!([]),
            );
            d.click("#create-webinar");
            let r = d.wait(
                "created",
                &format!(
                    "const e = document.querySelector('#webinar-created'); const err = document.querySelector('.banner.error');
                     if (err) return 'ERROR: ' + err.textContent;
                     return e !== null && e.textContent !== {before}"
                ),
            );
            assert_eq!(r, json!(true), "combination {n} {combo:?} was refused");
            submitted += 1;
        }
    }
    assert!(warned, "an ineffective setting was shown as a warning");
    assert!(submitted >= 8);
    d.assert_clean("every checkbox combination");
    d.shot("12-webinar-combinations");
}

/// A row's outcome message is stored in both languages and shown in the reader's: the toggle
/// switches it (and the state labels) in place.
#[test]
fn outcome_messages_follow_the_language_toggle() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let d = Driver::start(&tmp.path().join("dl"), &tmp.path().join("profile"));
    d.go(&format!("{}/", server.url));
    // `administrator` is already in the sandbox's demo group: its row ends "already a member".
    let file = tmp.path().join("members.csv");
    std::fs::write(
        &file,
        "姓名,IM账号\n管理员,administrator\n新成员,newcomer\n",
    )
    .unwrap();
    d.upload("#roster-file", &file);
    d.wait_roster(2);
    d.click("#dest-tencent-im-on");
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    let messages = || {
        d.js(
            "return [...document.querySelectorAll('#results .msg')].map(e => e.textContent).join('|')",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string()
    };
    d.wait(
        "results",
        "return document.querySelectorAll('#results .msg').length > 0",
    );
    assert!(messages().contains("已是群成员"), "{}", messages());
    assert_eq!(d.text("#job-state"), "已完成");
    d.click("#lang-toggle");
    assert!(messages().contains("already a member"), "{}", messages());
    assert!(!messages().contains("已是群成员"), "{}", messages());
    assert_eq!(d.text("#job-state"), "completed");
    d.click("#lang-toggle");
    assert!(messages().contains("已是群成员"));
    d.assert_clean("language toggle on results");
}

/// Personal data on screen: a finished job's "remove personal data" (creator or admin), the job
/// saying when its data was removed and no longer offering its rows, and the audit screen.
#[test]
fn personal_data_removed_and_audited_in_the_browser() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let api = common::Client::new(&server.url, None);
    let (headers, rows) = common::roster_csv(3);
    let r = api.post(
        "/api/jobs",
        &json!({"headers": headers, "rows": rows, "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    api.wait_job(&id, Duration::from_secs(60));
    let d = Driver::start(&tmp.path().join("dl"), &tmp.path().join("profile"));
    d.go(&format!("{}/#/jobs", server.url));
    d.wait(
        "the finished job offers its rows and their removal",
        "return document.querySelector('.job .shred') !== null && [...document.querySelectorAll('.job button')].some(b => b.textContent === '查看结果')",
    );
    d.assert_clean("jobs");
    // The confirmation dialog answered yes.
    d.js("window.confirm = () => true", json!([]));
    d.click(".job .shred");
    d.wait(
        "the job says its data was removed",
        "return document.querySelector('.job .shredded') !== null",
    );
    assert!(d.text(".job .shredded").starts_with("个人信息已于"));
    assert_eq!(
        d.js(
            "return [...document.querySelectorAll('.job button')].map(b => b.textContent).join('|')",
            json!([])
        ),
        json!(""),
        "no rows to view, nothing to resume or remove"
    );
    d.shot("10-personal-data-removed");
    d.assert_clean("personal data removed");
    d.go(&format!("{}/#/audit", server.url));
    d.wait(
        "the audit log",
        "return document.querySelectorAll('#audit tbody tr').length > 1",
    );
    d.type_into("#audit-action", "job.shred");
    d.click("#audit-filter");
    d.wait(
        "only the shred",
        "const r = [...document.querySelectorAll('#audit tbody tr')]; return r.length === 1 && r[0].children[2].textContent === 'job.shred'",
    );
    assert!(d.text("#audit tbody tr").contains(&id));
    d.shot("11-audit-log");
    d.assert_clean("audit log");
}

/// The Sync screen: a sync from the sandbox's WeCom webinar (suggested) to its Tencent Meeting
/// webinar, created in the form; the counts rise as the approved enrollees arrive; paused; the
/// per-person trail searched by name.
#[test]
fn a_sync_is_created_watched_paused_and_searched_in_the_browser() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let d = Driver::start(&tmp.path().join("dl"), &tmp.path().join("profile"));
    d.go(&format!("{}/#/syncs", server.url));
    d.wait(
        "the source and destination suggested",
        "const f = document.querySelector('#sync-from'), t = document.querySelector('#sync-to'); return f && t && f.value.startsWith('wecom:') && t.value.startsWith('tencent-meeting:')",
    );
    d.wait(
        "the webinars to pick from",
        "return document.querySelector('#sync-sources option[value^=\"wecom:\"]') !== null",
    );
    d.assert_clean("sync form");
    d.type_into("#sync-every", "1");
    d.type_into("#sync-area", "86");
    d.click("#sync-create");
    d.wait(
        "the sync listed and its counts rising",
        "const n = document.querySelector('.sync .sync-imported'); return n && Number(n.textContent) > 0",
    );
    d.wait(
        "every approved enrollee handled, none in progress",
        "const p = document.querySelector('.sync .sync-pending'), n = document.querySelector('.sync .sync-people-count'); return p && n && p.textContent === '0' && n.textContent === '130'",
    );
    assert_eq!(d.text(".sync .sync-state"), "同步中");
    let syncs = common::Client::new(&server.url, None)
        .get("/api/syncs")
        .json();
    assert_eq!(syncs[0]["mapping"]["fixed"]["area"], "86", "{syncs}");
    d.shot("12-sync-running");
    d.click(".sync .sync-pause");
    d.wait(
        "paused",
        "const s = document.querySelector('.sync .sync-state'); return s && s.textContent === '已暂停' && document.querySelector('.sync .sync-resume') !== null",
    );
    d.click(".sync .sync-trail");
    d.wait(
        "the trail",
        "return document.querySelectorAll('#trail tbody tr').length > 40",
    );
    d.type_into("#trail-q", "王芳");
    d.click("#trail-search");
    d.wait(
        "only the people named so",
        "const r = [...document.querySelectorAll('#trail tbody tr')]; return r.length > 0 && r.length < 20 && r.every(x => x.children[0].textContent.startsWith('王芳'))",
    );
    d.shot("13-sync-trail");
    d.assert_clean("sync trail");
}

/// The organizer flow beyond the consoles: WeCom enrollees filtered to approved → "send these
/// people to…" → the import wizard with them as rows → a preview against the IM group → the job,
/// whose final counts are the preview's.
#[test]
fn approved_enrollees_to_an_im_group_with_a_preview() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let d = Driver::start(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    d.go(&format!("{}/#/enrollments", server.url));
    d.wait(
        "the sandbox's webinar suggested",
        "const e = document.querySelector('#enr-meeting'); return e && e.value !== ''",
    );
    let approved = approved_enrollments(&d);
    d.click("#enr-send");
    d.wait_roster(approved);
    d.click("#dest-tencent-im-on");
    d.click("#preview-run");
    d.wait(
        "the preview",
        "return document.querySelector('#preview-result .to-send') !== null",
    );
    let cell = |col: usize| {
        d.js(
            &format!("return Number(document.querySelector('#preview-result tbody tr').children[{col}].textContent)"),
            json!([]),
        )
        .as_u64()
        .unwrap()
    };
    let (invalid, present, to_send) = (cell(1), cell(2), cell(3));
    assert_eq!(invalid + present + to_send, approved as u64);
    assert!(to_send > 0, "someone to send");
    d.shot("13-enrollees-preview");
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    let job = d.js(
        "return fetch('api/jobs').then(r => r.json()).then(j => j[0])",
        json!([]),
    );
    assert!(
        job["file_name"].as_str().unwrap().starts_with("wecom:"),
        "the job records its source: {job}"
    );
    let c = &job["destinations"][0]["counts"];
    assert_eq!(
        c["imported"], to_send,
        "the job did what the preview said: {job}"
    );
    assert_eq!(c["already_present"], present);
    assert_eq!(c["invalid"], invalid);
    d.assert_clean("enrollees to an IM group");
    d.shot("14-enrollees-imported");
}

/// Destinations the proxy has seen are offered in the wizard's fields by name: a webinar created
/// through Rollcall shows up with its subject and meeting code.
#[test]
fn the_wizard_offers_known_destinations_by_name() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let c = common::Client::new(&server.url, None);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let w = c.post("/api/tencent-meeting/webinars", &json!({"userid": "", "instanceid": 1, "subject": "产品发布会", "start_time": (now + 3600).to_string(), "end_time": (now + 7200).to_string(), "admission_type": 1}));
    assert_eq!(w.status, 200, "{}", w.body);
    let meeting = w.json()["meeting_id"].as_str().unwrap().to_string();
    let d = Driver::start(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    d.go(&format!("{}/", server.url));
    let file = tmp.path().join("名单.csv");
    std::fs::write(&file, "姓名,手机号\n张三,13800138000\n").unwrap();
    d.upload("#roster-file", &file);
    d.wait_roster(1);
    d.click("#dest-tencent-meeting");
    let option = d.wait(
        "the new webinar offered",
        &format!("const o = document.querySelector('#dest-tencent-meeting-known option[value=\"{meeting}\"]'); return o && o.label"),
    );
    assert!(
        option.as_str().unwrap().starts_with("产品发布会 · "),
        "{option}"
    );
    d.assert_clean("known destinations");
}

/// A Tencent Meeting webinar's enrollees, from the enrollments screen into the wizard, with
/// every identity the list carries.
#[test]
fn webinar_enrollees_into_the_wizard() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let c = common::Client::new(&server.url, None);
    let webinar = "17305428542504531991";
    let imp = c.post(
        &format!("/api/tencent-meeting/webinars/{webinar}/enroll/import"),
        &json!({"enroll_list": [{"area": "86", "phone_number": "13612111111"}, {"area": "86", "phone_number": "13800138000"}]}),
    );
    assert_eq!(imp.status, 200, "{}", imp.body);
    let d = Driver::start(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    d.go(&format!("{}/#/enrollments", server.url));
    d.wait(
        "the sandbox's webinar suggested",
        "const e = document.querySelector('#tm-enr-meeting'); return e && e.value !== ''",
    );
    d.click("#tm-enr-load");
    let n = d.wait(
        "the webinar's enrollees",
        "const e = document.querySelector('#tm-enr-count'); return e && Number(e.textContent)",
    );
    let n = n.as_u64().unwrap();
    assert!(n >= 2, "{n}");
    d.click("#tm-enr-send");
    d.wait_roster(n as usize);
    // The summary names where the people came from (waited for: the summary is rendered again
    // when the roster's reply lands, and a single read can fall between two renders).
    d.wait(
        "the source named in the summary",
        &format!("const e = document.querySelector('#roster-summary'); return e && e.textContent.includes('tencent-meeting:{webinar}')"),
    );
    // The preview is its own lazily loaded step: waited for, like the summary.
    d.wait(
        "the preview's phone column",
        "return [...document.querySelectorAll('#preview thead th')].some(t => t.textContent === '手机号')",
    );
    d.assert_clean("webinar enrollees into the wizard");
    d.shot("15-webinar-enrollees");
}

/// The first screen loads the shell and the wizard only: each other screen's code (and the
/// wizard's later steps) arrives as its own wasm chunk when it is first shown, and works.
#[test]
fn screens_load_their_code_when_first_opened() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let url = format!("{}/", server.url);
    let d = Driver::start(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    // The wasm files the page has fetched so far, by name.
    let fetched = |d: &Driver| -> Vec<String> {
        let v = d.js(
            "return performance.getEntriesByType('resource').map(e => e.name.split('/').pop()).filter(n => n.endsWith('.wasm'))",
            json!([]),
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let has = |names: &[String], prefix: &str| names.iter().any(|n| n.starts_with(prefix));

    d.go(&url);
    d.find("#roster-file");
    d.wait(
        "identity",
        "return document.querySelector('#identity').textContent.includes('dev')",
    );
    d.assert_clean("first screen");
    let first = fetched(&d);
    assert!(has(&first, "rollcall-web-"), "the app itself: {first:?}");
    for lazy in ["split_", "chunk_", "worker"] {
        assert!(
            !has(&first, lazy),
            "{lazy}* fetched by the first screen: {first:?}"
        );
    }

    // A file dropped: the worker, then the mapping and preview steps, arrive and show the rows.
    let file = tmp.path().join("r.csv");
    std::fs::write(&file, "姓名,手机号\n张三,13800138000\n李四,13900139000\n").unwrap();
    d.upload("#roster-file", &file);
    d.wait_roster(2);
    d.wait(
        "the preview's rows",
        "return document.querySelectorAll('#preview tbody tr[data-row]').length === 2",
    );
    let after_drop = fetched(&d);
    assert!(has(&after_drop, "split_preview_step"), "{after_drop:?}");
    assert!(has(&after_drop, "split_mapping_step"), "{after_drop:?}");
    assert!(!has(&after_drop, "split_status_screen"), "{after_drop:?}");

    // Another screen: its chunk is fetched on the way there, and the screen works.
    d.go(&format!("{url}#/status"));
    d.wait(
        "the status screen",
        "return document.querySelector('#status-h') !== null",
    );
    assert!(
        has(&fetched(&d), "split_status_screen"),
        "{:?}",
        fetched(&d)
    );
    d.go(&format!("{url}#/jobs"));
    d.wait(
        "the jobs screen",
        "return document.querySelector('#jobs-h') !== null",
    );
    assert!(has(&fetched(&d), "split_jobs_screen"), "{:?}", fetched(&d));
    d.assert_clean("lazy screens");
}
