//! The sandbox behaves as the providers' docs show, not as our clients expect: IM answers every
//! error as HTTP 200 JSON with the documented code for the situation (seed 003), and the
//! documented rate limits are enforced with the provider's own rate-limit error, counted in
//! `/_sandbox/state` as `rate_violations`.

mod common;

use common::*;
use rollcall::sandbox::demo;
use serde_json::{json, Value};

fn sandbox() -> (tempfile::TempDir, Proc) {
    let dir = tempfile::tempdir().unwrap();
    let p = spawn(
        &["sandbox", "--bind", "127.0.0.1:0"],
        &dir.path().join("sandbox.log"),
        "sandbox listening",
    );
    (dir, p)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn usersig() -> String {
    rollcall::providers::tencent_im::gen_usersig(
        demo::IM_SDK_APP_ID,
        demo::IM_SECRET_KEY,
        demo::IM_ADMIN,
        86_400,
        now(),
        None,
    )
}

/// POSTs to an IM command with a valid query (unless `query` is given); returns (status, body).
fn im(base: &str, cmd: &str, query: Option<&str>, body: &str) -> (u16, Value) {
    let q = query.map(str::to_string).unwrap_or_else(|| {
        format!(
            "sdkappid={}&identifier={}&usersig={}&random=7&contenttype=json",
            demo::IM_SDK_APP_ID,
            demo::IM_ADMIN,
            usersig()
        )
    });
    let r = reqwest::blocking::Client::new()
        .post(format!("{base}/v4/group_open_http_svc/{cmd}?{q}"))
        .body(body.to_string())
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap())
}

#[test]
fn im_errors_are_http_200_json_with_the_documented_codes() {
    let (_d, sb) = sandbox();
    let ok = r#"{"GroupId": "@TGS#2J4SZEAEL", "MemberList": [{"Member_Account": "tommy"}]}"#;
    let cases: [(&str, Option<&str>, &str, i64); 7] = [
        // A malformed query string is still the JSON envelope, not an HTTP 400.
        (
            "import_group_member",
            Some("sdkappid=notanumber&random=x"),
            ok,
            60002,
        ),
        ("no_such_command", None, ok, 10003),
        (
            "import_group_member",
            None,
            r#"{"MemberList": [{"Member_Account": "a"}]}"#,
            10004,
        ),
        (
            "import_group_member",
            None,
            r#"{"GroupId": "@TGS#2J4SZEAEL", "MemberList": []}"#,
            10004,
        ),
        (
            "import_group_member",
            None,
            r#"{"GroupId": "@TGS#AVCHATROOM", "MemberList": [{"Member_Account": "a"}]}"#,
            10007,
        ),
        (
            "import_group_member",
            None,
            r#"{"GroupId": "bad id with spaces", "MemberList": [{"Member_Account": "a"}]}"#,
            10015,
        ),
        (
            "import_group_member",
            None,
            r#"{"GroupId": "@TGS#NOPE", "MemberList": [{"Member_Account": "a"}]}"#,
            10010,
        ),
    ];
    for (cmd, query, body, code) in cases {
        let (status, v) = im(&sb.url, cmd, query, body);
        assert_eq!(status, 200, "{cmd} {body}: {v}");
        assert_eq!(v["ActionStatus"], "FAIL", "{v}");
        assert_eq!(v["ErrorCode"], code, "{cmd} {query:?} {body}: {v}");
    }
    let no_sig = format!(
        "sdkappid={}&identifier={}&usersig=&random=7&contenttype=json",
        demo::IM_SDK_APP_ID,
        demo::IM_ADMIN
    );
    assert_eq!(
        im(&sb.url, "import_group_member", Some(&no_sig), ok).1["ErrorCode"],
        10008
    );
    let (status, v) = im(&sb.url, "import_group_member", None, ok);
    assert_eq!((status, v["ErrorCode"].clone()), (200, json!(0)));
}

#[test]
fn documented_rate_limits_are_enforced_and_counted() {
    // At 1 % of the documented limits (IM 1/s, Tencent Meeting 3/min, WeCom 100/min) a burst
    // reaches them without depending on how fast this machine sends.
    let dir = tempfile::tempdir().unwrap();
    let sb = spawn(
        &["sandbox", "--bind", "127.0.0.1:0", "--rate-scale", "0.01"],
        &dir.path().join("sandbox.log"),
        "sandbox listening",
    );
    let state = || -> Value {
        reqwest::blocking::get(format!("{}/_sandbox/state", sb.url))
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(
        state()["rate_violations"],
        json!({"tencent_meeting": 0, "tencent_im": 0, "wecom": 0, "huiyi31": 0})
    );
    // IM: past the limit, 10006 in the JSON envelope (HTTP 200).
    let list = r#"{"GroupId": "@TGS#2J4SZEAEL"}"#;
    let answers: Vec<(u16, i64)> = (0..6)
        .map(|_| {
            let (s, v) = im(&sb.url, "get_group_member_info", None, list);
            (s, v["ErrorCode"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(answers[0], (200, 0));
    assert!(answers.contains(&(200, 10006)), "{answers:?}");
    let refused = answers.iter().filter(|a| a.1 == 10006).count() as u64;
    assert_eq!(state()["rate_violations"]["tencent_im"], refused);
    // Tencent Meeting: past the limit, HTTP 429 with 190310.
    let http = reqwest::blocking::Client::new();
    let mut limited = 0;
    for _ in 0..8 {
        let r = http
            .get(format!(
                "{}/v1/webinars/{}/enroll/approvals?page=1",
                sb.url,
                demo::TM_WEBINAR
            ))
            .send()
            .unwrap();
        if r.status().as_u16() == 429 {
            let v: Value = r.json().unwrap();
            assert_eq!(v["error_info"]["error_code"], 190310);
            limited += 1;
        }
    }
    assert!(limited >= 4, "{limited}");
    assert_eq!(state()["rate_violations"]["tencent_meeting"], limited);
}

#[test]
fn the_sandbox_stays_on_loopback_unless_told() {
    // A network address is refused at start-up.
    let out = std::process::Command::new(bin())
        .args(["sandbox", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--allow-network"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // On loopback it answers loopback host names only (a rebinding page's Host is refused).
    let (_dir, sb) = sandbox();
    let http = reqwest::blocking::Client::new();
    let state = |host: &str| {
        http.get(format!("{}/_sandbox/state", sb.url))
            .header("Host", host)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(state("attacker.example"), 403);
    assert_eq!(state("localhost"), 200);
}
