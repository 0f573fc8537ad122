//! Tencent Meeting (腾讯会议) webinars: create (seed 002), import enrollments (seed 000),
//! list enrollments (`enroll/approvals`, for reconciliation), the error body.
//!
//! `webinar.rs` holds the create-webinar wire types, `identity.rs` who a person is to the
//! provider, `codes.rs` the error codes and what they mean, `validate.rs` the documented rules.

use serde::{Deserialize, Serialize};

use super::{flex, null_default, FlexId, Lenient};

pub mod codes;
mod identity;
mod validate;
mod webinar;

pub use codes::{classify, is_rate_limit, refused_before_applying, stops_destination};
pub use identity::{Identity, IdentityIndex};
pub use validate::*;
pub use webinar::*;

/// Which edition the account is on: decides the per-webinar import cap (seed 000).
/// There is no default: the config must say which (a wrong guess either refuses rows the webinar
/// could take or sends rows the provider refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Business,
    Enterprise,
}

impl Edition {
    /// Maximum imported enrollments per webinar.
    pub fn import_cap(self) -> usize {
        match self {
            Edition::Business => 1000,
            Edition::Enterprise => 4000,
        }
    }
}

/// Recommended maximum enrollments per import call (docs/providers.md).
pub const MAX_IMPORT_PER_CALL: usize = 1000;

/// `enroll/approvals` page size limit.
pub const MAX_APPROVALS_PAGE_SIZE: u32 = 300;

/// App rate limit: calls per minute.
pub const CALLS_PER_MINUTE: u32 = 300;

/// One enrollment to import (seed 000). Exactly one of open_id / userid / phone_number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnrollEntry {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub open_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nick_name: Option<String>,
}

/// How the app calling Tencent Meeting authenticates: AK/SK (an enterprise self-built app, what
/// Rollcall's proxy signs as) or OAuth (a third-party app). AK/SK apps cannot name people by
/// open_id (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppAuth {
    AkSk,
    OAuth,
}

/// `POST /v1/webinars/{meeting_id}/enroll/import` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollImportRequest {
    pub operator_id: String,
    pub operator_id_type: OperatorIdType,
    pub instanceid: Instance,
    pub enroll_list: Vec<EnrollEntry>,
}

/// One imported enrollment in the import response. The answer table marks nothing required, so
/// every field is optional; `null` reads as absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportedEnroll {
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_id: Option<FlexId>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub open_id: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub userid: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub area: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub phone_number: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub nick_name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_code: Option<String>,
}

/// Import response: may be a partial success (`user_non_registered`). One entry that does not
/// parse stays [`Lenient::Odd`] and accounts for nobody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EnrollImportResponse {
    #[serde(default, deserialize_with = "flex::or_default")]
    pub total_count: u32,
    #[serde(default, deserialize_with = "null_default")]
    pub enroll_list: Vec<Lenient<ImportedEnroll>>,
    #[serde(default, deserialize_with = "flex::strings")]
    pub user_non_registered: Vec<String>,
}

/// One entry of `GET /v1/webinars/{id}/enroll/approvals`; every field optional. The official SDK's
/// model (`…EnrollApprovalsGet200ResponseEnrollListInner`) has exactly `enroll_id`, `enroll_code`,
/// `enroll_source_type`, `enroll_time`, `ms_open_id`, `nick_name`, `open_id`, `status`, `userid`
/// — no phone, and no `userid` for entries imported by phone. `area`/`phone_number` are read
/// when a service does send them, but nothing may depend on them (docs/providers.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApprovalEntry {
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_id: Option<FlexId>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub enroll_time: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub nick_name: String,
    /// 1 manual, 2 imported.
    #[serde(default, deserialize_with = "flex::or_default")]
    pub enroll_source_type: u32,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub status: Option<ApprovalStatus>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub userid: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub open_id: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub ms_open_id: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub area: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub phone_number: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_code: Option<String>,
}

/// `enroll/approvals` page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApprovalsResponse {
    #[serde(default, deserialize_with = "flex::or_default")]
    pub total_count: u32,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub current_size: u32,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub current_page: u32,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub total_page: u32,
    #[serde(default, deserialize_with = "null_default")]
    pub enroll_list: Vec<Lenient<ApprovalEntry>>,
}

impl ApprovalsResponse {
    /// Whether a page after `page` exists: `total_page` when the answer carries it; else any
    /// page that brought entries not seen on an earlier page (`brought_new`). A short page does
    /// not end the list — a service may cap the page size below the one asked for (the SDK's
    /// meeting variant takes at most 50) without saying — and a page that only repeats what came
    /// before (a service that ignores `page`) does.
    pub fn has_more(&self, page: u32, brought_new: bool) -> bool {
        if self.total_page > 0 {
            page < self.total_page
        } else {
            !self.enroll_list.is_empty() && brought_new
        }
    }

    /// Adds this page's entries to `seen` (by enroll id; an entry without one by its whole
    /// text); whether any was new.
    pub fn note_ids(&self, seen: &mut std::collections::HashSet<String>) -> bool {
        let mut new = false;
        for e in &self.enroll_list {
            let key = match e.ok().and_then(|e| e.enroll_id.as_ref()) {
                Some(id) => id.as_string(),
                None => format!("entry:{}", serde_json::to_string(e).unwrap_or_default()),
            };
            new |= seen.insert(key);
        }
        new
    }
}

/// Error body: `{"error_info": {"error_code", "new_error_code"?, "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_info: ErrorInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    #[serde(deserialize_with = "flex::required")]
    pub error_code: i64,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub new_error_code: Option<i64>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub message: String,
}
