//! WeCom (企业微信) webinar enrollments (seed 001): `gettoken`, `meeting/webinar/enroll/list`.
//!
//! `codes.rs` holds the error codes and what each means, `validate.rs` the documented rules.

use super::{flex, null_default, FlexId, Lenient};
use crate::num_enum;
use serde::{Deserialize, Serialize};

pub mod codes;
mod validate;

pub use codes::{classify, is_rate_limit, stops_destination};
pub use validate::*;

/// Page size limit for the enrollment list.
pub const MAX_LIMIT: u32 = 50;

/// Calls per minute per corp and API (docs/providers.md).
pub const CALLS_PER_MINUTE: u32 = 10_000;

/// `limit` when the request leaves it out (seed 001: 默认值为50).
pub const DEFAULT_LIMIT: u32 = 50;

num_enum!(
    /// Request filter `status`: 0 all, 1 pending, 2 rejected, 3 approved.
    StatusFilter { All = 0, Pending = 1, Rejected = 2, Approved = 3 }
);

num_enum!(
    /// Entry `status`: 1 pending, 2 rejected, 3 approved.
    EnrollStatus { Pending = 1, Rejected = 2, Approved = 3 }
);

num_enum!(
    /// `enroll_source_type`: 1 manual, 2 imported.
    EnrollSource { Manual = 1, Imported = 2 }
);

num_enum!(
    /// `question_type`: 1 single choice, 2 multiple choice, 3 short answer.
    QuestionType { Single = 1, Multiple = 2, Text = 3 }
);

num_enum!(
    /// `special_type`: 1 none, 2 phone, 3 email, 4 name, 5 company.
    SpecialType { None = 1, Phone = 2, Email = 3, Name = 4, Company = 5 }
);

num_enum!(
    /// `is_required`: 1 no, 2 yes.
    IsRequired { No = 1, Yes = 2 }
);

/// `gettoken` response. The token is a credential: the proxy wraps it at once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TokenResponse {
    #[serde(deserialize_with = "flex::required")]
    pub errcode: i64,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub errmsg: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub access_token: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub expires_in: Option<u64>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("errcode", &self.errcode)
            .field("errmsg", &self.errmsg)
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// `enroll/list` request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollListRequest {
    pub meetingid: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<StatusFilter>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<u32>,
}

/// One questionnaire answer. The answer table marks nothing required: every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Answer {
    #[serde(default, deserialize_with = "null_default")]
    pub answer_content: Vec<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub is_required: Option<IsRequired>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub question_num: u32,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub question_title: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub question_type: Option<QuestionType>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub special_type: Option<SpecialType>,
}

/// One enrollment (seed 001). Every field optional; `enroll_id` is a string in the table and a
/// number in the example. An answer that does not parse stays [`Lenient::Odd`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enroll {
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_id: Option<FlexId>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub enroll_time: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_source_type: Option<EnrollSource>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub nick_name: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub status: Option<EnrollStatus>,
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
    pub tmp_openid: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub enroll_code: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub answer_list: Vec<Lenient<Answer>>,
}

/// One page. An enrollment that does not parse stays [`Lenient::Odd`]: shown as unreadable, the
/// rest of the page stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EnrollListResponse {
    #[serde(deserialize_with = "flex::required")]
    pub errcode: i64,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub errmsg: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub has_more: bool,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub next_cursor: String,
    #[serde(default, deserialize_with = "null_default")]
    pub enroll_list: Vec<Lenient<Enroll>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    #[serde(deserialize_with = "flex::required")]
    pub errcode: i64,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub errmsg: String,
}
