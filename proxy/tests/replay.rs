//! Seed replay: every example answer in the providers' own pages (`core/tests/fixtures/seeds`,
//! copied from `shared/seeds`), served byte for byte by a replay fake on loopback, goes through
//! the real proxy — its clients, the job runner's matching and the journal — and each row ends in
//! the state a person reading the page expects.
//!
//! The pages have no example for the two list calls the runner makes before it sends
//! (`enroll/approvals`, `get_group_member_info`) nor for WeCom's `gettoken`: those are answered
//! with the documented shape of an empty list / a token (docs/providers.md).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use common::*;
use serde_json::{json, Value};

/// A seed example exactly as stored (the JSON cleaned only where the page's example is not JSON;
/// see the fixtures' README).
fn seed(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../core/tests/fixtures/seeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// What the fake received, per path.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn replay(bytes: Vec<u8>, seen: Seen) -> axum::routing::MethodRouter {
    let answer = move |uri: axum::http::Uri, body: axum::body::Bytes| {
        let bytes = bytes.clone();
        let seen = seen.clone();
        async move {
            seen.lock()
                .unwrap()
                .push((uri.path().to_string(), body.to_vec()));
            ([("content-type", "application/json")], bytes)
        }
    };
    get(answer.clone()).post(answer)
}

/// Serves `app` on a free loopback port from a thread of its own; returns its URL.
fn serve(app: Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(l.local_addr().unwrap()).unwrap();
                axum::serve(l, app).await.unwrap();
            })
    });
    format!(
        "http://{}",
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    )
}

/// Starts the replay fake on a free loopback port; returns its URL and what it received.
fn start_fake() -> (String, Seen) {
    let seen: Seen = Default::default();
    let s = seen.clone();
    let empty_tm_list =
        br#"{"total_count":0,"current_size":0,"current_page":1,"total_page":1,"enroll_list":[]}"#;
    let empty_im_list =
        br#"{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MemberNum":0,"MemberList":[]}"#;
    let token = br#"{"errcode":0,"errmsg":"ok","access_token":"REPLAYTOKEN","expires_in":7200}"#;
    let app = Router::new()
        .route(
            "/v1/webinars",
            replay(seed("tm_create_webinar_response.json"), s.clone()),
        )
        .route(
            "/v1/webinars/{id}/enroll/import",
            replay(seed("tm_import_response.json"), s.clone()),
        )
        .route(
            "/v1/webinars/{id}/enroll/approvals",
            replay(empty_tm_list.to_vec(), s.clone()),
        )
        .route("/cgi-bin/gettoken", replay(token.to_vec(), s.clone()))
        .route(
            "/cgi-bin/meeting/webinar/enroll/list",
            replay(seed("wecom_enroll_list_response.json"), s.clone()),
        )
        .route(
            "/v4/group_open_http_svc/import_group_member",
            replay(seed("im_import_response.json"), s.clone()),
        )
        .route(
            "/v4/group_open_http_svc/get_group_member_info",
            replay(empty_im_list.to_vec(), s.clone()),
        )
        .route(
            "/op/notoken/api/Attendee/v1/Register",
            replay(seed("huiyi31_register_response.json"), s),
        );
    (serve(app), seen)
}

struct Replay {
    _dir: tempfile::TempDir,
    proxy: Proc,
    seen: Seen,
}

fn start() -> Replay {
    let (url, seen) = start_fake();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &url, "");
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    Replay {
        _dir: dir,
        proxy,
        seen,
    }
}

fn run_job(c: &Client, headers: &[&str], rows: Vec<Vec<&str>>, dest: &str) -> Value {
    let rows: Vec<Value> = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| json!({"row": i + 2, "cells": cells}))
        .collect();
    let r = c.post(
        "/api/jobs",
        &json!({"file_name": "seed.csv", "headers": headers, "rows": rows, "destinations": [dest]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let job = c.wait_job(&id, Duration::from_secs(60));
    assert_eq!(job["state"], "completed", "{job}");
    c.get(&format!("/api/jobs/{id}/results")).json()
}

fn outcomes(results: &Value) -> Vec<Value> {
    results["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcomes"][0].clone())
        .collect()
}

#[test]
fn tencent_meeting_import_seed_000() {
    let r = start();
    let c = Client::new(&r.proxy.url, Some(("alice", ORGANIZER)));
    // The page's own request: one phone, one userid.
    let results = run_job(
        &c,
        &["昵称", "区号", "手机号", "userid"],
        vec![
            vec!["ccc", "86", "13612111111", ""],
            vec!["", "", "", "123"],
        ],
        "tencent-meeting:100001",
    );
    let o = outcomes(&results);
    // Phone in, userid out (`"userid":"user1"`): the same person, imported with its code.
    assert_eq!(o[0]["state"], "imported", "{}", o[0]);
    assert_eq!(o[0]["attendee_code"], "111");
    assert_eq!(o[0]["reference"], "1351111");
    // `user_non_registered: ["123"]`: the provider's explicit word.
    assert_eq!(o[1]["state"], "rejected", "{}", o[1]);
    assert_eq!(o[1]["code"], "user_non_registered");
    // Sent once: the answer accounted for both rows.
    let imports = r
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p.ends_with("/enroll/import"))
        .count();
    assert_eq!(imports, 1);
}

#[test]
fn tencent_meeting_create_seed_002() {
    let r = start();
    let c = Client::new(&r.proxy.url, Some(("alice", ORGANIZER)));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let w = c.post("/api/tencent-meeting/webinars", &json!({"userid": "", "instanceid": 1, "subject": "webinar 1", "start_time": (now + 3600).to_string(), "end_time": (now + 7200).to_string(), "admission_type": 0}));
    assert_eq!(w.status, 200, "{}", w.body);
    let w = w.json();
    assert_eq!(w["meeting_id"], "17305428542504531991");
    assert_eq!(w["meeting_code"], "933581085");
    assert_eq!(w["manual_check_password"], "oVBN2P");
    // What was sent carries playback_for_audience (marked required) even though the form left it.
    let seen = r.seen.lock().unwrap();
    let (_, body) = seen.iter().find(|(p, _)| p == "/v1/webinars").unwrap();
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent["playback_for_audience"], false);
}

#[test]
fn wecom_enroll_list_seed_001() {
    let r = start();
    let c = Client::new(&r.proxy.url, Some(("alice", ORGANIZER)));
    let page = c.post(
        "/api/wecom/webinars/MEETINGID1/enrollments",
        &json!({"status": 1}),
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    let e = &page["enroll_list"][0];
    assert_eq!(e["enroll_id"], 1386442);
    assert_eq!(e["enroll_code"], "1111111");
    assert_eq!(e["answer_list"][0]["answer_content"], json!(["A"]));
    assert_eq!(page["has_more"], false);
    // The request went out with the documented body.
    let seen = r.seen.lock().unwrap();
    let (_, body) = seen
        .iter()
        .find(|(p, _)| p.ends_with("/enroll/list"))
        .unwrap();
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent["meetingid"], "MEETINGID1");
    assert_eq!(sent["status"], 1);
}

#[test]
fn tencent_im_import_seed_003() {
    let r = start();
    let c = Client::new(&r.proxy.url, Some(("alice", ORGANIZER)));
    let results = run_job(
        &c,
        &["IM账号"],
        vec![vec!["tommy"], vec!["jared"]],
        "tencent-im:@TGS#2J4SZEAEL",
    );
    for o in outcomes(&results) {
        assert_eq!(o["state"], "imported", "{o}");
    }
}

#[test]
fn huiyi31_register_seed_004() {
    let r = start();
    let c = Client::new(&r.proxy.url, Some(("alice", ORGANIZER)));
    let results = run_job(
        &c,
        &["姓名", "手机号"],
        vec![vec!["test姓名", "15647474728"]],
        "huiyi31:EVENT:demo-type:demo-ticket",
    );
    let o = &outcomes(&results)[0];
    assert_eq!(o["state"], "imported", "{o}");
    assert_eq!(o["attendee_code"], "1475765432202956800");
    assert_eq!(o["reference"], "b0e50000-6b13-9276-9e47-08d99f646f52");
    // The ticket's name comes from the config, not a hard-coded word.
    let seen = r.seen.lock().unwrap();
    let (_, body) = seen.iter().find(|(p, _)| p.ends_with("/Register")).unwrap();
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent["Items"][0]["ItemSkuName"], "嘉宾票");
}

/// A row the answer does not account for is reconciled, never rejected and never re-sent while
/// the list shows it: the import answer here names nobody (every answer field is optional), and
/// the webinar's list afterwards shows the person with its userid filled in.
fn reconciled_after(import_answer: &'static str) {
    let imported = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (i1, i2) = (imported.clone(), imported.clone());
    let app = Router::new()
        .route(
            "/v1/webinars/{id}/enroll/import",
            post(move || {
                let i = i1.clone();
                async move {
                    i.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    ([("content-type", "application/json")], import_answer)
                }
            }),
        )
        .route(
            "/v1/webinars/{id}/enroll/approvals",
            get(move || {
                let i = i2.clone();
                async move {
                    let body = if i.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                        r#"{"total_count":0,"enroll_list":[]}"#
                    } else {
                        r#"{"enroll_list":[{"enroll_id":"9","enroll_source_type":2,"userid":"user1","area":"86","phone_number":"136 1211 1111","enroll_code":"222","status":null}]}"#
                    };
                    ([("content-type", "application/json")], body)
                }
            }),
        );
    let url = serve(app);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &url, "");
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    let c = Client::new(&proxy.url, Some(("alice", ORGANIZER)));
    let results = run_job(
        &c,
        &["区号", "手机号"],
        vec![vec!["86", "13612111111"]],
        "tencent-meeting:100001",
    );
    let o = &outcomes(&results)[0];
    assert_eq!(o["state"], "imported", "{o}");
    assert_eq!(o["attendee_code"], "222");
    assert_eq!(o["reference"], "9");
    assert_eq!(
        imported.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "not sent again"
    );
}

#[test]
fn an_unaccounted_row_is_reconciled_not_rejected() {
    reconciled_after(r#"{"total_count":1}"#);
}

/// A 200 answer that cannot be read at all is not retried as if nothing happened: the row is
/// settled from the list, sent once.
#[test]
fn an_unreadable_success_answer_is_reconciled_not_resent() {
    reconciled_after("<html>upstream glitch</html>");
}

/// 31huiyi's Register is not idempotent: it is retried only when the request certainly never
/// left (connection refused), and a provider that cannot be reached is a failed destination with
/// its rows `skipped` — never `rejected` (the provider said nothing) and never `unknown`.
#[test]
fn an_unreachable_provider_fails_the_destination_not_the_rows() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &url, "");
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    let c = Client::new(&proxy.url, Some(("alice", ORGANIZER)));
    let rows: Vec<Value> = (0..3)
        .map(|i| json!({"row": i + 2, "cells": [format!("13800000{i:03}")]}))
        .collect();
    let r = c.post(
        "/api/jobs",
        &json!({"headers": ["手机号"], "rows": rows, "destinations": ["huiyi31:EVENT:demo-type:demo-ticket"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let job = c.wait_job(&id, Duration::from_secs(120));
    assert_eq!(job["state"], "failed", "{job}");
    assert!(
        job["reason"]["en"]
            .as_str()
            .unwrap()
            .contains("cannot reach"),
        "{job}"
    );
    let results = c.get(&format!("/api/jobs/{id}/results")).json();
    for o in outcomes(&results) {
        assert_eq!(o["state"], "skipped", "{o}");
    }
}

/// A broken provider cannot exhaust memory or hold a job for ever: an answer over 16 MiB is not
/// read (the call is retried, then the destination fails with the reason), and a member list
/// whose pages never end is stopped at the page cap. Either way nobody is sent.
#[test]
fn an_endless_answer_or_list_fails_the_destination() {
    // 17 MiB of spaces before the JSON, streamed without a Content-Length.
    let huge = || async {
        let chunks = (0..17)
            .map(|_| Ok::<_, std::io::Error>(vec![b' '; 1 << 20]))
            .chain(std::iter::once(Ok(
                br#"{"ActionStatus":"OK","ErrorCode":0,"MemberNum":0,"MemberList":[]}"#.to_vec(),
            )));
        axum::body::Body::from_stream(futures_util::stream::iter(chunks))
    };
    // One member a page and a total that never comes.
    let endless = || async {
        axum::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "MemberNum": 1_000_000_000u64,
            "MemberList": [{"Member_Account": "someone"}]}),
        )
    };
    for (app, expect) in [
        (
            Router::new().route("/v4/group_open_http_svc/get_group_member_info", post(huge)),
            "16 MiB",
        ),
        (
            Router::new().route(
                "/v4/group_open_http_svc/get_group_member_info",
                post(endless),
            ),
            "did not end after 2000 pages",
        ),
    ] {
        let url = serve(app.fallback(|| async { axum::http::StatusCode::NOT_FOUND }));
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), &url, "");
        let text = std::fs::read_to_string(&config).unwrap().replace(
            "secret_key_env = \"IT_IM_SECRET\"",
            "secret_key_env = \"IT_IM_SECRET\"\nrequests_per_second = 100000",
        );
        std::fs::write(&config, text).unwrap();
        let proxy = spawn(
            &["serve", "--config", config.to_str().unwrap()],
            &dir.path().join("proxy.log"),
            "Rollcall is running",
        );
        let c = Client::new(&proxy.url, Some(("alice", ORGANIZER)));
        let r = c.post(
            "/api/jobs",
            &json!({"headers": ["IM账号"], "rows": [{"row": 2, "cells": ["m1"]}],
                "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let job = c.wait_job(&id, Duration::from_secs(120));
        assert_eq!(job["state"], "failed", "{job}");
        let reason = job["destinations"][0]["reason"].to_string() + &job["reason"].to_string();
        assert!(reason.contains(expect), "{expect}: {job}");
        let results = c.get(&format!("/api/jobs/{id}/results")).json();
        for o in outcomes(&results) {
            assert_eq!(o["state"], "skipped", "{o}");
        }
    }
}
