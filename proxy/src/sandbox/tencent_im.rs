//! Fake Tencent Cloud IM: verifies the UserSig (decode, HMAC, expiry, sdkappid/identifier),
//! 500 members a request, per-member Result 0/1/2, JoinTime rules, AVChatRoom refusal, 100
//! requests/s per API (10006). Every error is HTTP 200 with the JSON envelope, as seed 003 says,
//! even for a malformed query string; the documented codes in their situations (10002 internal,
//! 10003 unknown command, 10004 bad parameter, 10007 group type, 10008 no signature, 10010 no
//! such group, 10015 malformed GroupId); answers list members in no promised order.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State as Ax};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use rollcall_core::providers::tencent_im::{
    self as im, codes, GetGroupMemberInfoRequest, GroupMember, ImportGroupMemberRequest,
    MemberOutcome, MemberResult,
};
use secrecy::ExposeSecret;
use serde_json::json;

use super::{Fault, Sandbox};
use crate::providers::tencent_im::{verify_usersig, UserSigError};
use crate::util::unix_now;

pub struct Group {
    pub group_id: String,
    pub kind: String,
    pub created_at: i64,
    pub members: Vec<GroupMember>,
}

pub struct State {
    pub groups: BTreeMap<String, Group>,
    /// UserSigs issued before this are treated as expired (POST /_sandbox/expire-tokens).
    pub sig_epoch: u64,
}

impl State {
    pub fn seeded() -> Self {
        let mut groups = BTreeMap::new();
        groups.insert(
            super::demo::IM_GROUP.to_string(),
            Group {
                group_id: super::demo::IM_GROUP.into(),
                kind: "Public".into(),
                created_at: 1_448_000_000,
                members: vec![GroupMember {
                    member_account: super::demo::IM_ADMIN.into(),
                    role: "Owner".into(),
                    join_time: 1_448_000_000,
                }],
            },
        );
        groups.insert(
            "@TGS#AVCHATROOM".to_string(),
            Group {
                group_id: "@TGS#AVCHATROOM".into(),
                kind: "AVChatRoom".into(),
                created_at: 1_448_000_000,
                members: vec![],
            },
        );
        State {
            groups,
            sig_epoch: 0,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({"groups": self.groups.values().map(|g| json!({
            "group_id": g.group_id, "type": g.kind, "created_at": g.created_at,
            "members": g.members.iter().map(|m| json!({"Member_Account": m.member_account, "Role": m.role, "JoinTime": m.join_time})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()})
    }
}

fn fail(code: i64, info: &str) -> Response {
    Json(json!({"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info})).into_response()
}

#[derive(serde::Deserialize)]
pub struct ImQuery {
    sdkappid: Option<u64>,
    identifier: Option<String>,
    usersig: Option<String>,
    random: Option<u32>,
    contenttype: Option<String>,
}

/// A GroupId the provider cannot even look up: empty, over 48 bytes, or not printable ASCII.
fn malformed_group_id(id: &str) -> bool {
    id.is_empty() || id.len() > 48 || !id.bytes().all(|b| b.is_ascii_graphic())
}

fn authenticate(
    sb: &Sandbox,
    limit: &super::RateLimit,
    q: Result<Query<ImQuery>, QueryRejection>,
) -> Result<(), Response> {
    if !limit.admit() {
        return Err(fail(
            codes::RATE_LIMIT,
            "operation frequency limit: at most 100 requests per second",
        ));
    }
    let Ok(Query(q)) = q else {
        return Err(fail(60002, "HTTP parse error: malformed query string"));
    };
    let acc = &sb.accounts;
    if q.contenttype.as_deref() != Some("json") || q.random.is_none() {
        return Err(fail(
            60002,
            "contenttype must be json and random is required",
        ));
    }
    if q.sdkappid != Some(acc.im_sdk_app_id) {
        return Err(fail(codes::SDKAPPID_NOT_FOUND, "SDKAppID not found"));
    }
    if q.identifier.as_deref() != Some(acc.im_admin.as_str()) {
        return Err(fail(codes::NEEDS_ADMIN, "identifier must be an App admin"));
    }
    if q.usersig.as_deref().unwrap_or("").is_empty() {
        return Err(fail(
            codes::REQUEST_INVALID,
            "request invalid: no signature",
        ));
    }
    let sig = q.usersig.as_deref().unwrap_or("");
    match verify_usersig(
        sig,
        acc.im_secret_key.expose_secret(),
        acc.im_sdk_app_id,
        &acc.im_admin,
        unix_now(),
    ) {
        Ok(time) if time < sb.im.lock().expect("im state").sig_epoch => {
            Err(fail(codes::USERSIG_EXPIRED, "UserSig expired"))
        }
        Ok(_) => Ok(()),
        Err(UserSigError::Expired) => Err(fail(codes::USERSIG_EXPIRED, "UserSig expired")),
        Err(UserSigError::Malformed) => {
            Err(fail(codes::USERSIG_PARSE, "UserSig could not be parsed"))
        }
        Err(UserSigError::BadSignature) => {
            Err(fail(codes::USERSIG_VERIFY, "UserSig verification failed"))
        }
        Err(UserSigError::Mismatch(c)) => Err(fail(c, "UserSig does not match the request")),
    }
}

/// Faults that stop a call before it is applied: a gateway 502, or the provider's own 10002.
fn fault_before(sb: &Sandbox, fault: Option<Fault>) -> Result<(), Response> {
    match fault {
        Some(Fault::GatewayBefore) if sb.faults.next_u64().is_multiple_of(2) => {
            Err(super::bad_gateway())
        }
        Some(Fault::GatewayBefore) => Err(fail(codes::INTERNAL, "internal server error, retry")),
        Some(Fault::RateLimit) => Err(fail(codes::RATE_LIMIT, "operation frequency limit")),
        Some(Fault::AuthExpired) => Err(fail(codes::USERSIG_EXPIRED, "UserSig expired")),
        _ => Ok(()),
    }
}

/// Parses a body and checks the GroupId: 60003 for bad JSON, 10004 for a missing parameter,
/// 10015 for a malformed GroupId.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| fail(60003, &format!("JSON parse error: {e}")))?;
    match v.get("GroupId") {
        None => return Err(fail(codes::INVALID_PARAMETER, "GroupId is required")),
        Some(g) if g.as_str().is_none_or(malformed_group_id) => {
            return Err(fail(codes::BAD_GROUP_ID, "invalid GroupId"))
        }
        Some(_) => {}
    }
    serde_json::from_value(v)
        .map_err(|e| fail(codes::INVALID_PARAMETER, &format!("invalid parameter: {e}")))
}

/// Any other command under the group service: 10003.
pub async fn unknown_command(
    Ax(sb): Ax<Arc<Sandbox>>,
    Path(cmd): Path<String>,
    q: Result<Query<ImQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = authenticate(&sb, &sb.limits.im_list, q) {
        return r;
    }
    fail(codes::BAD_COMMAND, &format!("invalid command: {cmd}"))
}

pub async fn import_group_member(
    Ax(sb): Ax<Arc<Sandbox>>,
    q: Result<Query<ImQuery>, QueryRejection>,
    body: Bytes,
) -> Response {
    if let Err(r) = authenticate(&sb, &sb.limits.im_import, q) {
        return r;
    }
    let fault = sb.faults.roll();
    if let Err(r) = fault_before(&sb, fault) {
        return r;
    }
    let req: ImportGroupMemberRequest = match parse(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.member_list.is_empty() {
        return fail(codes::INVALID_PARAMETER, "MemberList is required");
    }
    let cap = sb.im_max_members.load(std::sync::atomic::Ordering::Relaxed);
    if req.member_list.len() > cap {
        return fail(
            codes::TOO_MANY_ACCOUNTS,
            &format!("too many accounts in the request (max {cap})"),
        );
    }
    // A request the service refuses whole, naming no member: an account it cannot take at all
    // (`bad-…`: 10004), or one it fails without a code (`failzero-…`: ActionStatus FAIL with
    // ErrorCode 0, as some answers do).
    if let Some(m) = req
        .member_list
        .iter()
        .find(|m| m.member_account.starts_with("bad-"))
    {
        return fail(
            codes::INVALID_PARAMETER,
            &format!("invalid parameter: Member_Account {}", m.member_account),
        );
    }
    if req
        .member_list
        .iter()
        .any(|m| m.member_account.starts_with("failzero-"))
    {
        return Json(json!({"ActionStatus": "FAIL", "ErrorCode": 0, "ErrorInfo": "import failed"}))
            .into_response();
    }
    let now = unix_now() as i64;
    let mut st = sb.im.lock().expect("im state");
    let Some(g) = st.groups.get_mut(&req.group_id) else {
        return fail(codes::GROUP_NOT_FOUND, "group does not exist");
    };
    if g.kind == "AVChatRoom" || g.kind == "BChatRoom" {
        return fail(
            codes::NOT_ALLOWED,
            "AVChatRoom and BChatRoom groups do not support importing members",
        );
    }
    let mut out = Vec::with_capacity(req.member_list.len());
    let mut present: std::collections::HashSet<String> =
        g.members.iter().map(|x| x.member_account.clone()).collect();
    // Each member checked as seed 003's table says, on the body as it came.
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let raw_members = raw["MemberList"].as_array().cloned().unwrap_or_default();
    for (i, m) in req.member_list.iter().enumerate() {
        let ok = raw_members
            .get(i)
            .is_some_and(|r| super::rules::im_member_ok(r, g.created_at, now))
            && !m.member_account.starts_with("ghost");
        let result = if !ok {
            MemberResult::Failed
        } else if !present.insert(m.member_account.clone()) {
            MemberResult::AlreadyMember
        } else {
            g.members.push(GroupMember {
                member_account: m.member_account.clone(),
                role: m.role.as_ref().map_or("Member", |r| r.as_str()).to_string(),
                join_time: m.join_time.unwrap_or(now),
            });
            MemberResult::Imported
        };
        out.push(
            MemberOutcome {
                member_account: m.member_account.clone(),
                result: Some(result),
            }
            .into(),
        );
    }
    drop(st);
    sb.sends.lock().expect("sends").record(
        "tencent_im",
        req.member_list.iter().map(|m| m.member_account.as_str()),
        fault == Some(Fault::LostAfter),
    );
    sb.faults.shuffle(&mut out);
    if fault == Some(Fault::LostAfter) {
        return super::lost_response();
    }
    Json(im::ImportGroupMemberResponse {
        action_status: "OK".into(),
        error_code: 0,
        error_info: String::new(),
        member_list: out,
    })
    .into_response()
}

pub async fn get_group_member_info(
    Ax(sb): Ax<Arc<Sandbox>>,
    q: Result<Query<ImQuery>, QueryRejection>,
    body: Bytes,
) -> Response {
    if let Err(r) = authenticate(&sb, &sb.limits.im_list, q) {
        return r;
    }
    let fault = sb.faults.roll();
    if fault == Some(Fault::LostAfter) {
        return super::lost_response();
    }
    if let Err(r) = fault_before(&sb, fault) {
        return r;
    }
    let req: GetGroupMemberInfoRequest = match parse(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let st = sb.im.lock().expect("im state");
    let Some(g) = st.groups.get(&req.group_id) else {
        return fail(codes::GROUP_NOT_FOUND, "group does not exist");
    };
    let offset = req.offset.unwrap_or(0) as usize;
    let limit = req.limit.unwrap_or(6000).min(6000) as usize;
    let list: Vec<_> = g
        .members
        .iter()
        .skip(offset)
        .take(limit)
        .cloned()
        .map(Into::into)
        .collect();
    Json(im::GetGroupMemberInfoResponse {
        action_status: "OK".into(),
        error_code: 0,
        error_info: String::new(),
        member_num: g.members.len() as u32,
        member_list: list,
    })
    .into_response()
}
