//! Fake Tencent Meeting: verifies the AK/SK signature, the 5-minute timestamp window and nonce
//! replay; enforces 300 calls/min (190310) and the per-webinar import cap; non-idempotent import
//! (a second import of the same person creates a second record); `user_non_registered` for
//! unregistered userids. Answers as seed 000 shows, not as an echo: a phone import of a
//! registered person comes back with its `userid` (and a userid import with its phone) from the
//! company directory, and the answer's order is shuffled.

use std::collections::{HashSet, VecDeque};

use super::{Fault, Sandbox};
use crate::providers::tencent_meeting::{string_to_sign, verify};
use crate::util::unix_now;
use axum::extract::{Path, Query, State as Ax};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use rollcall_core::providers::tencent_meeting::{
    self as tm, codes, ApprovalStatus, CreateWebinarRequest, CreateWebinarResponse,
    EnrollImportRequest, EnrollImportResponse, ImportedEnroll,
};
use secrecy::ExposeSecret;
use serde_json::json;
use std::sync::Arc;

mod enroll;

pub use enroll::*;

pub struct Webinar {
    pub meeting_id: String,
    pub subject: String,
    pub edition: tm::Edition,
    pub enrollment_enabled: bool,
    pub enrollments: Vec<Enrollment>,
}

/// One enrollment as the service keeps it. The list (`enroll/approvals`) shows only what the
/// official SDK's model has — no phone, and no `userid` for an entry imported by phone; the rest
/// stays here for the tests (`/_sandbox/state`).
#[derive(Clone)]
pub struct Enrollment {
    pub enroll_id: u64,
    pub enroll_time: String,
    pub nick_name: String,
    /// 1 manual, 2 imported.
    pub source_type: u32,
    pub status: ApprovalStatus,
    pub userid: Option<String>,
    pub open_id: Option<String>,
    pub area: Option<String>,
    pub phone_number: Option<String>,
    pub enroll_code: String,
    /// Imported by phone: the list never shows its userid.
    pub by_phone: bool,
}

impl Enrollment {
    /// The list entry, as the SDK models it, with the types drifting the way real answers do:
    /// ids and enumerations come as numbers or as numeric strings, from one entry to the next.
    fn list_entry(&self) -> serde_json::Value {
        let drift = self.enroll_id % 3;
        let num = |n: u64| match drift {
            0 => json!(n.to_string()),
            _ => json!(n),
        };
        let mut e = json!({
            "enroll_id": num(self.enroll_id),
            "enroll_time": self.enroll_time,
            "enroll_source_type": num(self.source_type as u64),
            "nick_name": self.nick_name,
            "status": num(self.status.code() as u64),
            "enroll_code": self.enroll_code,
            "open_id": self.open_id.clone().unwrap_or_default(),
            "ms_open_id": format!("ms{:x}", self.enroll_id.wrapping_mul(2_654_435_761)),
        });
        if !self.by_phone {
            if let Some(u) = &self.userid {
                e["userid"] = json!(u);
            }
        }
        if drift == 1 {
            // A field the SDK does not know: ignored by a tolerant reader.
            e["extra_field"] = json!({"note": "not in the docs"});
        }
        e
    }
}

pub struct State {
    pub webinars: Vec<Webinar>,
    next_enroll_id: u64,
    next_meeting: u64,
    /// (timestamp, nonce) seen in the last 5 minutes.
    seen: HashSet<(String, String)>,
    /// The same pairs in the order they arrived, with when: expired ones leave from the front,
    /// so checking a nonce stays constant-time however many came in the window.
    seen_order: VecDeque<(u64, (String, String))>,
}

impl State {
    pub fn seeded() -> Self {
        let manual = |i: u64, userid: &str| Enrollment {
            enroll_id: 1_351_000 + i,
            enroll_time: "2026-11-01 10:00:00".into(),
            nick_name: format!("报名观众{i}"),
            source_type: 1,
            status: ApprovalStatus::Approved,
            userid: Some(userid.into()),
            open_id: None,
            area: None,
            phone_number: None,
            enroll_code: format!("{:06}", 100_000 + i),
            by_phone: false,
        };
        State {
            webinars: vec![Webinar {
                meeting_id: super::demo::TM_WEBINAR.into(),
                subject: "Rollcall 演示研讨会".into(),
                edition: tm::Edition::Enterprise,
                enrollment_enabled: true,
                enrollments: vec![manual(1, "early-bird-1"), manual(2, "early-bird-2")],
            }],
            next_enroll_id: 2_000_000,
            next_meeting: 17_305_428_542_504_600_000,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({"webinars": self.webinars.iter().map(|w| json!({
            "meeting_id": w.meeting_id,
            "subject": w.subject,
            "edition": w.edition,
            "enrollments": w.enrollments.iter().map(|e| json!({
                "enroll_id": e.enroll_id, "userid": e.userid, "area": e.area, "phone_number": e.phone_number,
                "nick_name": e.nick_name, "enroll_source_type": e.source_type, "enroll_code": e.enroll_code,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()})
    }
}

/// The company's user directory: who is a registered user, by userid and by phone. Seed 000's
/// own example (`86`-`13612111111` is `user1`, nickname `ccc`), plus a rule so large rosters meet
/// it too: a mainland mobile ending in an even digit belongs to the registered user
/// `u<phone>`. Userids starting with `unreg` are not registered.
pub struct Person {
    pub userid: String,
    pub area: String,
    pub phone: String,
    pub nick_name: Option<String>,
}

pub fn directory_by_phone(area: &str, phone: &str) -> Option<Person> {
    if area == "86" && phone == "13612111111" {
        return Some(Person {
            userid: "user1".into(),
            area: "86".into(),
            phone: phone.into(),
            nick_name: Some("ccc".into()),
        });
    }
    let even = phone
        .bytes()
        .last()
        .is_some_and(|b| b.is_ascii_digit() && (b - b'0').is_multiple_of(2));
    (area == "86" && phone.len() == 11 && even).then(|| Person {
        userid: format!("u{phone}"),
        area: area.into(),
        phone: phone.into(),
        nick_name: None,
    })
}

pub fn directory_by_userid(userid: &str) -> Option<Person> {
    if userid == "user1" {
        return directory_by_phone("86", "13612111111");
    }
    let phone = userid.strip_prefix('u')?;
    directory_by_phone("86", phone).filter(|p| p.userid == userid)
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({"error_info": {"error_code": code, "new_error_code": 200_000_000 + code, "message": message}}))).into_response()
}

/// Checks the signed headers; returns an error response when they do not verify.
fn authenticate(
    sb: &Sandbox,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Response> {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if !sb.limits.tencent_meeting.admit() {
        return Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMIT,
            "调用频率超过每分钟 300 次",
        ));
    }
    let acc = &sb.accounts;
    if h("X-TC-Key") != acc.tm_secret_id || h("AppId") != acc.tm_app_id {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            codes::BAD_KEY,
            "AppId 或 X-TC-Key 无效",
        ));
    }
    if h("X-TC-Registered") != "1" {
        return Err(error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            "X-TC-Registered 必须为 1",
        ));
    }
    let (ts, nonce) = (h("X-TC-Timestamp"), h("X-TC-Nonce"));
    let now = unix_now();
    let Ok(t) = ts.parse::<u64>() else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            codes::TIMESTAMP_SKEW,
            "X-TC-Timestamp 无效",
        ));
    };
    if now.abs_diff(t) > 300 {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            codes::TIMESTAMP_SKEW,
            "请求时间戳超过 5 分钟",
        ));
    }
    if nonce.is_empty() || nonce.parse::<u64>().is_err() {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            codes::SIGNATURE_FAILED,
            "X-TC-Nonce 无效",
        ));
    }
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let sts = string_to_sign(method.as_str(), target, body, nonce, ts, &acc.tm_secret_id);
    if !verify(&sts, acc.tm_secret_key.expose_secret(), h("X-TC-Signature")) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            codes::SIGNATURE_FAILED,
            "Signature failed",
        ));
    }
    let mut st = sb.tm.lock().expect("tm state");
    while let Some((at, _)) = st.seen_order.front() {
        if now.saturating_sub(*at) <= 300 {
            break;
        }
        if let Some((_, pair)) = st.seen_order.pop_front() {
            st.seen.remove(&pair);
        }
    }
    let pair = (ts.to_string(), nonce.to_string());
    if !st.seen.insert(pair.clone()) {
        return Err(error(StatusCode::UNAUTHORIZED, codes::REPLAY, "请求重放"));
    }
    st.seen_order.push_back((now, pair));
    Ok(())
}

/// Faults that stop a call before it is applied.
fn fault_before(sb: &Sandbox) -> Result<Option<Fault>, Response> {
    match sb.faults.roll() {
        Some(Fault::GatewayBefore) => Err(super::bad_gateway()),
        // Half the time the gateway in front answers first, with its own HTML page.
        Some(Fault::RateLimit) if sb.faults.next_u64().is_multiple_of(2) => {
            Err(super::html_status(429))
        }
        Some(Fault::RateLimit) => Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMIT,
            "调用频率超限",
        )),
        Some(Fault::AuthExpired) => Err(error(
            StatusCode::UNAUTHORIZED,
            codes::TIMESTAMP_SKEW,
            "请求时间戳超过 5 分钟",
        )),
        other => Ok(other),
    }
}

/// The prologue every write shares: check the signature, roll a fault that stops the call before
/// it is applied, and parse the body.
fn admit<T: serde::de::DeserializeOwned>(
    sb: &Sandbox,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Option<Fault>, T), Response> {
    authenticate(sb, method, uri, headers, body)?;
    let fault = fault_before(sb)?;
    let req = serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            &format!("参数错误: {e}"),
        )
    })?;
    Ok((fault, req))
}

pub async fn create_webinar(
    Ax(sb): Ax<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (fault, req) = match admit::<CreateWebinarRequest>(&sb, &method, &uri, &headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Checked as seed 002's table says, on the body as it came (not by core's validators).
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Err(m) = super::rules::tencent_meeting_create(&raw, unix_now() as i64) {
        return error(StatusCode::BAD_REQUEST, codes::INVALID_PARAMETER, &m);
    }
    let mut st = sb.tm.lock().expect("tm state");
    st.next_meeting += 1;
    let meeting_id = st.next_meeting.to_string();
    st.webinars.push(Webinar {
        meeting_id: meeting_id.clone(),
        subject: req.subject.clone(),
        edition: tm::Edition::Enterprise,
        enrollment_enabled: req.admission_type == tm::AdmissionType::Enrollment,
        enrollments: vec![],
    });
    let code = format!("{:09}", st.next_meeting % 1_000_000_000);
    drop(st);
    if fault == Some(Fault::LostAfter) || super::take_one(&sb.lose_tm_creates) {
        return super::lost_response();
    }
    let short = &meeting_id[meeting_id.len() - 8..];
    let drift = sb.faults.next_u64().is_multiple_of(2);
    let answer = CreateWebinarResponse {
        subject: req.subject,
        meeting_id: meeting_id.clone(),
        meeting_code: code,
        start_time: req.start_time,
        end_time: req.end_time,
        admission_type: Some(req.admission_type),
        password: req.password,
        audience_join_link: format!("https://meeting.tencent.com/dw/sandbox{short}"),
        guest_join_link: format!("https://meeting.tencent.com/s/sandbox{short}"),
        manual_check_link: format!("https://meeting.tencent.com/webinar-audit/sandbox{short}"),
        manual_check_password: format!("{:06}", sb.faults.next_u64() % 1_000_000),
    };
    let mut body = serde_json::to_value(answer).expect("serialising a wire type");
    if drift {
        // As real answers do: times as numbers, the enumeration as a string, links left out.
        body["start_time"] = json!(req.start_time);
        body["end_time"] = json!(req.end_time);
        body["admission_type"] = json!(req.admission_type.code().to_string());
        if let Some(o) = body.as_object_mut() {
            o.remove("guest_join_link");
            o.remove("manual_check_link");
        }
    }
    Json(body).into_response()
}
