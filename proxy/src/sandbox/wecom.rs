//! Fake WeCom: `gettoken` issues expiring tokens for the configured corp; `enroll/list` checks
//! them (42001 expired, 40014 invalid), pages with a cursor, enforces `limit` ≤ 50.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State as Ax};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use rollcall_core::providers::wecom::{
    self, codes, Answer, Enroll, EnrollListRequest, EnrollListResponse, EnrollSource, EnrollStatus,
    IsRequired, QuestionType, SpecialType, TokenResponse,
};
use rollcall_core::providers::FlexId;
use secrecy::ExposeSecret;
use serde_json::json;

use super::{Fault, Sandbox};
use crate::util::unix_now;

pub struct State {
    /// token → expiry (Unix seconds).
    pub tokens: HashMap<String, u64>,
    pub webinars: HashMap<String, Vec<Enroll>>,
    issued: u64,
}

const NAMES: [&str; 10] = [
    "王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周婷", "吴军",
];
const TOPICS: [&str; 4] = ["产品发布", "技术分享", "客户案例", "圆桌讨论"];

impl State {
    pub fn seeded() -> Self {
        let mut list = Vec::new();
        for i in 0..130u64 {
            let status = EnrollStatus::from_code((i % 3 + 1) as i64);
            let source = if i % 4 == 0 {
                EnrollSource::Manual
            } else {
                EnrollSource::Imported
            };
            let name = format!("{}{}", NAMES[(i % 10) as usize], i / 10 + 1);
            let answers = vec![
                Answer {
                    answer_content: vec![name.clone()],
                    is_required: Some(IsRequired::Yes),
                    question_num: 1,
                    question_title: "姓名".into(),
                    question_type: Some(QuestionType::Text),
                    special_type: Some(SpecialType::Name),
                },
                Answer {
                    answer_content: vec![format!("138{:08}", 10_000_000 + i)],
                    is_required: Some(IsRequired::Yes),
                    question_num: 2,
                    question_title: "手机号".into(),
                    question_type: Some(QuestionType::Text),
                    special_type: Some(SpecialType::Phone),
                },
                Answer {
                    answer_content: vec![if i % 2 == 0 { "线上" } else { "线下" }.into()],
                    is_required: Some(IsRequired::Yes),
                    question_num: 3,
                    question_title: "参会方式".into(),
                    question_type: Some(QuestionType::Single),
                    special_type: Some(SpecialType::None),
                },
                Answer {
                    answer_content: TOPICS
                        .iter()
                        .enumerate()
                        .filter(|(t, _)| !(i as usize + t).is_multiple_of(3))
                        .map(|(_, s)| s.to_string())
                        .collect(),
                    is_required: Some(IsRequired::No),
                    question_num: 4,
                    question_title: "感兴趣的议题".into(),
                    question_type: Some(QuestionType::Multiple),
                    special_type: Some(SpecialType::None),
                },
            ];
            list.push(Enroll {
                // Like the example, some ids arrive as numbers and some as strings.
                enroll_id: Some(if i % 2 == 0 {
                    FlexId::Num(1_386_000 + i)
                } else {
                    FlexId::Str((1_386_000 + i).to_string())
                }),
                enroll_time: format!(
                    "2026-11-{:02} {:02}:{:02}:00",
                    1 + i % 20,
                    8 + i % 12,
                    i % 60
                ),
                enroll_source_type: Some(source),
                nick_name: name,
                status: Some(status),
                userid: (i % 5 == 0).then(|| format!("user{i:03}")),
                tmp_openid: Some(format!("MSOPENID{i:04}")),
                enroll_code: Some(format!("{:07}", 1_111_000 + i)),
                answer_list: answers.into_iter().map(Into::into).collect(),
            });
        }
        State {
            tokens: HashMap::new(),
            webinars: HashMap::from([(super::demo::WECOM_WEBINAR.to_string(), list)]),
            issued: 0,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "tokens_issued": self.issued,
            "webinars": self.webinars.iter().map(|(id, l)| json!({"meetingid": id, "enrollments": l.len()})).collect::<Vec<_>>(),
        })
    }
}

fn err(code: i64, msg: &str) -> Response {
    Json(json!({"errcode": code, "errmsg": msg})).into_response()
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    corpid: Option<String>,
    corpsecret: Option<String>,
}

pub async fn gettoken(Ax(sb): Ax<Arc<Sandbox>>, Query(q): Query<TokenQuery>) -> Response {
    if q.corpid.as_deref() != Some(sb.accounts.wecom_corp_id.as_str()) {
        return err(codes::INVALID_CORPID, "invalid corpid");
    }
    if q.corpsecret.as_deref() != Some(sb.accounts.wecom_corp_secret.expose_secret()) {
        return err(codes::INVALID_SECRET, "invalid secret");
    }
    let token = format!(
        "SANDBOXTOKEN{:016x}{:016x}",
        sb.faults.next_u64(),
        sb.faults.next_u64()
    );
    let mut st = sb.wecom.lock().expect("wecom state");
    st.issued += 1;
    st.tokens.insert(token.clone(), unix_now() + 7200);
    Json(TokenResponse {
        errcode: 0,
        errmsg: "ok".into(),
        access_token: Some(token),
        expires_in: Some(7200),
    })
    .into_response()
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    access_token: Option<String>,
}

pub async fn enroll_list(
    Ax(sb): Ax<Arc<Sandbox>>,
    Query(q): Query<ListQuery>,
    body: Bytes,
) -> Response {
    if !sb.limits.wecom_list.admit() {
        return err(codes::FREQ_LIMIT, "api freq out of limit");
    }
    let Some(token) = q.access_token else {
        return err(codes::MISSING_TOKEN, "access_token missing");
    };
    {
        let st = sb.wecom.lock().expect("wecom state");
        match st.tokens.get(&token) {
            None => return err(codes::INVALID_TOKEN, "invalid access_token"),
            Some(&exp) if unix_now() > exp => {
                return err(codes::TOKEN_EXPIRED, "access_token expired")
            }
            Some(_) => {}
        }
    }
    match sb.faults.roll() {
        Some(Fault::GatewayBefore) => return super::bad_gateway(),
        Some(Fault::RateLimit) => return err(codes::FREQ_LIMIT, "api freq out of limit"),
        Some(Fault::AuthExpired) => {
            sb.wecom.lock().expect("wecom state").tokens.remove(&token);
            return err(codes::TOKEN_EXPIRED, "access_token expired");
        }
        Some(Fault::LostAfter) => return super::lost_response(),
        None => {}
    }
    let req: EnrollListRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => return err(codes::INVALID_PARAMETER, "invalid json request"),
    };
    // Checked as seed 001's table says, on the body as it came (not by core's validators).
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Err(m) = super::rules::wecom_enroll_list(&raw) {
        return err(codes::INVALID_PARAMETER, &m);
    }
    let st = sb.wecom.lock().expect("wecom state");
    let Some(all) = st.webinars.get(&req.meetingid) else {
        return err(
            codes::NOT_FOUND,
            "webinar not found or enrollment not enabled",
        );
    };
    let filter = req.status.map(|s| s.code()).unwrap_or(0);
    let matching: Vec<&Enroll> = all
        .iter()
        .filter(|e| filter == 0 || e.status.map(|s| s.code()) == Some(filter))
        .collect();
    let offset: usize = match req.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => match c.strip_prefix("c").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return err(codes::INVALID_PARAMETER, "invalid cursor"),
        },
    };
    let limit = req.limit.unwrap_or(wecom::DEFAULT_LIMIT) as usize;
    let page: Vec<_> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| (*e).clone().into())
        .collect();
    let end = offset + page.len();
    let has_more = end < matching.len();
    Json(EnrollListResponse {
        errcode: 0,
        errmsg: "ok".into(),
        has_more,
        next_cursor: if has_more {
            format!("c{end}")
        } else {
            String::new()
        },
        enroll_list: page,
    })
    .into_response()
}

/// `POST /_sandbox/wecom/enroll`: someone enrolls (a test or benchmark grows the list while a
/// sync runs). The phone and e-mail are questionnaire answers with their `special_type`, as
/// seed 001 shows them; the name is the name question and the nickname.
#[derive(serde::Deserialize)]
pub struct NewEnrollee {
    meetingid: String,
    nick_name: String,
    userid: Option<String>,
    status: i64,
    phone: Option<String>,
    email: Option<String>,
}

pub async fn add_enrollee(Ax(sb): Ax<Arc<Sandbox>>, Json(b): Json<NewEnrollee>) -> Response {
    let mut st = sb.wecom.lock().expect("wecom state");
    let list = st.webinars.entry(b.meetingid).or_default();
    let id = 2_000_000 + list.len() as u64;
    let answer = |n: u32, title: &str, content: String, special: SpecialType| Answer {
        answer_content: vec![content],
        is_required: Some(IsRequired::Yes),
        question_num: n,
        question_title: title.into(),
        question_type: Some(QuestionType::Text),
        special_type: Some(special),
    };
    let mut answers = vec![answer(1, "姓名", b.nick_name.clone(), SpecialType::Name)];
    if let Some(p) = b.phone {
        answers.push(answer(2, "手机号", p, SpecialType::Phone));
    }
    if let Some(e) = b.email {
        answers.push(answer(3, "邮箱", e, SpecialType::Email));
    }
    list.push(Enroll {
        // Numbers and strings, as the seed's example mixes them.
        enroll_id: Some(if id.is_multiple_of(2) {
            FlexId::Num(id)
        } else {
            FlexId::Str(id.to_string())
        }),
        enroll_time: rollcall_core::export::utc_timestamp(unix_now() as i64),
        enroll_source_type: Some(EnrollSource::Manual),
        nick_name: b.nick_name,
        status: Some(EnrollStatus::from_code(b.status)),
        userid: b.userid,
        tmp_openid: Some(format!("MSOPENID{id}")),
        enroll_code: Some(format!("{:07}", id % 10_000_000)),
        answer_list: answers.into_iter().map(Into::into).collect(),
    });
    Json(json!({"enroll_id": id.to_string()})).into_response()
}

/// `POST /_sandbox/wecom/enroll/status`: an organizer approves or rejects an enrollment.
#[derive(serde::Deserialize)]
pub struct NewStatus {
    meetingid: String,
    enroll_id: String,
    status: i64,
}

pub async fn set_status(Ax(sb): Ax<Arc<Sandbox>>, Json(b): Json<NewStatus>) -> Response {
    let mut st = sb.wecom.lock().expect("wecom state");
    let found = st.webinars.get_mut(&b.meetingid).and_then(|l| {
        l.iter_mut().find(|e| {
            e.enroll_id
                .as_ref()
                .is_some_and(|id| id.as_string() == b.enroll_id)
        })
    });
    match found {
        Some(e) => {
            e.status = Some(EnrollStatus::from_code(b.status));
            Json(json!({"ok": true})).into_response()
        }
        None => (
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({"error": "no such enrollment"})),
        )
            .into_response(),
    }
}
