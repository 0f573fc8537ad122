//! Tencent Cloud IM (腾讯云 IM) groups (seed 003): `import_group_member`, and
//! `get_group_member_info` for reconciliation.
//!
//! `codes.rs` holds the error codes and what each means, `validate.rs` the documented rules.

use super::{flex, null_default, Lenient};
use crate::num_enum;
use serde::{Deserialize, Serialize};

/// `get_group_member_info`'s largest page (`Limit`, seed 003).
pub const MAX_MEMBERS_PAGE: u32 = 6000;

pub mod codes;
mod validate;

pub use codes::{classify, is_rate_limit, shrinks_batch, stops_destination};
pub use validate::*;

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
