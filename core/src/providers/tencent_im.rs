//! Tencent Cloud IM (腾讯云 IM) groups (seed 003): `import_group_member`, and
//! `get_group_member_info` for reconciliation.

use serde::{Deserialize, Serialize};

use super::{flex, null_default, ErrorClass, Lenient};
use crate::num_enum;
use crate::problem::{Problem, Problems};

/// Members per `import_group_member` request.
pub const MAX_MEMBERS_PER_REQUEST: usize = 500;
/// Documented call rate.
pub const REQUESTS_PER_SECOND: u32 = 100;
/// Identifier limit in bytes.
pub const MAX_ACCOUNT_BYTES: usize = 32;

num_enum!(
    /// Per-member `Result`: 0 failed, 1 imported, 2 already a member.
    MemberResult { Failed = 0, Imported = 1, AlreadyMember = 2 }
);

crate::str_enum!(
    /// An imported member's `Role`: the docs accept only `Admin` (a normal member sends none).
    MemberRole { Admin = "Admin" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportMember {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    /// Only `Admin` is accepted; absent for a normal member.
    #[serde(rename = "Role", skip_serializing_if = "Option::is_none", default)]
    pub role: Option<MemberRole>,
    #[serde(rename = "JoinTime", skip_serializing_if = "Option::is_none", default)]
    pub join_time: Option<i64>,
    #[serde(
        rename = "UnreadMsgNum",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub unread_msg_num: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportGroupMemberRequest {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "MemberList")]
    pub member_list: Vec<ImportMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOutcome {
    #[serde(rename = "Member_Account", deserialize_with = "flex::required")]
    pub member_account: String,
    /// Unreadable or missing: this member's outcome is unknown (reconciled from the list).
    #[serde(
        rename = "Result",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub result: Option<MemberResult>,
}

/// `import_group_member` answer. The answer table marks nothing required: a missing
/// `ActionStatus`/`ErrorCode` reads as absent, and one member entry that does not parse stays
/// [`Lenient::Odd`] (that member is reconciled, the rest of the answer stands).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ImportGroupMemberResponse {
    #[serde(
        rename = "ActionStatus",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub action_status: String,
    #[serde(rename = "ErrorCode", default, deserialize_with = "flex::or_default")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default, deserialize_with = "flex::or_default")]
    pub error_info: String,
    #[serde(
        rename = "MemberList",
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub member_list: Vec<Lenient<MemberOutcome>>,
}

impl ImportGroupMemberResponse {
    /// Success is judged by `ErrorCode` (0) and an `ActionStatus` that is not `FAIL` (seed 003).
    pub fn is_ok(&self) -> bool {
        self.error_code == 0 && !self.action_status.eq_ignore_ascii_case("FAIL")
    }
}

/// `get_group_member_info` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetGroupMemberInfoRequest {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Limit", skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<u32>,
    #[serde(rename = "Offset", skip_serializing_if = "Option::is_none", default)]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    #[serde(rename = "Member_Account", deserialize_with = "flex::required")]
    pub member_account: String,
    #[serde(rename = "Role", default, deserialize_with = "flex::or_default")]
    pub role: String,
    #[serde(rename = "JoinTime", default, deserialize_with = "flex::or_default")]
    pub join_time: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GetGroupMemberInfoResponse {
    #[serde(
        rename = "ActionStatus",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub action_status: String,
    #[serde(rename = "ErrorCode", default, deserialize_with = "flex::or_default")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default, deserialize_with = "flex::or_default")]
    pub error_info: String,
    #[serde(rename = "MemberNum", default, deserialize_with = "flex::or_default")]
    pub member_num: u32,
    #[serde(rename = "MemberList", default, deserialize_with = "null_default")]
    pub member_list: Vec<Lenient<GroupMember>>,
}

/// Error-only envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    #[serde(
        rename = "ActionStatus",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub action_status: String,
    #[serde(rename = "ErrorCode", default, deserialize_with = "flex::or_default")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default, deserialize_with = "flex::or_default")]
    pub error_info: String,
}

pub mod codes {
    pub const INTERNAL: i64 = 10002;
    pub const BAD_COMMAND: i64 = 10003;
    pub const REQUEST_INVALID: i64 = 10008;
    pub const BAD_GROUP_ID: i64 = 10015;
    pub const INVALID_PARAMETER: i64 = 10004;
    pub const TOO_MANY_ACCOUNTS: i64 = 10005;
    pub const RATE_LIMIT: i64 = 10006;
    pub const NOT_ALLOWED: i64 = 10007;
    pub const GROUP_NOT_FOUND: i64 = 10010;
    pub const USERSIG_EXPIRED: i64 = 70001;
    pub const USERSIG_PARSE: i64 = 70003;
    pub const USERSIG_VERIFY: i64 = 70009;
    pub const IDENTIFIER_MISMATCH: i64 = 70013;
    pub const SDKAPPID_MISMATCH: i64 = 70014;
}

/// The error classes (docs/providers.md, "Error classes").
pub fn classify(code: i64) -> ErrorClass {
    match code {
        10002 | 10006 | 60007 | 60011 | 60018 | 60019 | 60008 => ErrorClass::Retryable,
        70001 | 60004 | 60005 | 10008 => ErrorClass::Reauth,
        _ => ErrorClass::Permanent,
    }
}

/// "Too many accounts in one request" (10005): the per-request cap is lower than the one we
/// planned for — IM's own pages give 500, 300, 100 and 20 in different versions. The batch is
/// split and the smaller size kept for the rest of the job (docs/providers.md).
pub fn shrinks_batch(code: i64) -> bool {
    code == codes::TOO_MANY_ACCOUNTS
}

/// Rate-limit codes (docs/providers.md): back off before the next call.
pub fn is_rate_limit(code: i64) -> bool {
    matches!(code, 10006 | 60007 | 60011 | 60018 | 60019)
}

/// Codes after which no member of the destination can be imported (wrong group or group type,
/// credentials or account configuration).
pub fn stops_destination(code: i64) -> bool {
    matches!(
        code,
        10007
            | 10010
            | 10015
            | 70003
            | 70009
            | 70013
            | 70014
            | 70016
            | 70020
            | 60006
            | 60010
            | 60016
            | 60020
            | 60021
    )
}

/// Checks an IM account id: non-empty, ≤ 32 bytes, printable ASCII.
pub fn validate_account(account: &str, field: &str) -> Vec<Problem> {
    let mut p = Problems::default();
    if account.is_empty() {
        p.push(
            "im_account_required",
            field,
            "IM 账号不能为空",
            "IM account is required",
        );
    } else if account.len() > MAX_ACCOUNT_BYTES {
        p.push(
            "im_account_too_long",
            field,
            "IM 账号最长 32 字节",
            "IM account is at most 32 bytes",
        );
    } else if !account.bytes().all(|b| b.is_ascii_graphic()) {
        p.push(
            "im_account_charset",
            field,
            "IM 账号只能包含可打印 ASCII 字符",
            "IM account must be printable ASCII",
        );
    }
    p.into_vec()
}

/// Checks one member: account, Role (only `Admin`), JoinTime in (group creation, now).
pub fn validate_member(
    m: &ImportMember,
    group_created_at: Option<i64>,
    now: i64,
    field: &str,
) -> Vec<Problem> {
    let mut p = Problems(validate_account(&m.member_account, field));
    if let Some(role) = &m.role {
        if !role.is_known() {
            p.push(
                "im_role",
                field,
                "角色只能填 Admin（普通成员不填）",
                "Role may only be Admin (omit for a normal member)",
            );
        }
    }
    if let Some(t) = m.join_time {
        if t >= now {
            p.push(
                "join_time_future",
                field,
                "入群时间须早于当前时间",
                "JoinTime must be before now",
            );
        }
        if let Some(c) = group_created_at {
            if t <= c {
                p.push(
                    "join_time_before_group",
                    field,
                    "入群时间须晚于群创建时间",
                    "JoinTime must be after the group was created",
                );
            }
        }
    }
    p.into_vec()
}

pub fn validate_import(
    req: &ImportGroupMemberRequest,
    group_created_at: Option<i64>,
    now: i64,
) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.group_id.trim().is_empty() {
        p.push("required", "GroupId", "群组 ID 必填", "GroupId is required");
    }
    if req.member_list.is_empty() {
        p.push(
            "required",
            "MemberList",
            "成员列表不能为空",
            "MemberList must not be empty",
        );
    }
    if req.member_list.len() > MAX_MEMBERS_PER_REQUEST {
        p.push(
            "batch_too_large",
            "MemberList",
            format!("每次最多导入 {MAX_MEMBERS_PER_REQUEST} 个成员"),
            format!("at most {MAX_MEMBERS_PER_REQUEST} members per request"),
        );
    }
    for (i, m) in req.member_list.iter().enumerate() {
        p.0.extend(validate_member(
            m,
            group_created_at,
            now,
            &format!("MemberList[{i}]"),
        ));
    }
    p.into_vec()
}
