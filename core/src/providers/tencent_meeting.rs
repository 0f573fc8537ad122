//! Tencent Meeting (腾讯会议) webinars: create (seed 002), import enrollments (seed 000),
//! list enrollments (`enroll/approvals`, for reconciliation), error body and classification.

use serde::{Deserialize, Serialize};

use super::{flex, null_default, string_u64, ErrorClass, FlexId, Lenient};
use crate::num_enum;
use crate::problem::{Problem, Problems};

num_enum!(
    /// `instanceid`: the caller's device type.
    Instance {
        Pstn = 0, Pc = 1, Mac = 2, Android = 3, Ios = 4, Web = 5, Ipad = 6, AndroidPad = 7,
        MiniProgram = 8, VoipSip = 9, Linux = 10, RoomsTouchWindows = 20, RoomsTouchMacos = 21,
        RoomsTouchAndroid = 22, ControllerTouchWindows = 30, ControllerTouchAndroid = 32,
        ControllerTouchIos = 33,
    }
);

num_enum!(
    /// `admission_type`: 0 public, 1 enrollment, 2 password.
    AdmissionType { Public = 0, Enrollment = 1, Password = 2 }
);

num_enum!(
    /// `operator_id_type`: 1 userid, 2 open_id.
    OperatorIdType { Userid = 1, OpenId = 2 }
);

num_enum!(
    /// `water_mark_type`: 0 single row, 1 multiple rows.
    WaterMarkType { Single = 0, Multiple = 1 }
);

crate::str_enum!(
    /// `media_setting.auto_record_type`: none, local or cloud recording.
    AutoRecordType { None = "none", Local = "local", Cloud = "cloud" }
);

num_enum!(
    /// Enrollment approval status in `enroll/approvals`: 1 pending, 2 rejected, 3 approved.
    ApprovalStatus { Pending = 1, Rejected = 2, Approved = 3 }
);

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Host {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub open_id: Option<String>,
}

/// `media_setting` object (all optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MediaSetting {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mute_enable_join: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allow_unmute_self: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allow_in_before_host: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allow_screen_shared_watermark: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub water_mark_type: Option<WaterMarkType>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub only_enterprise_user_allowed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auto_record_type: Option<AutoRecordType>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub participant_join_auto_record: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enable_host_pause_auto_record: Option<bool>,
}

/// `POST /v1/webinars` body (seed 002). Timestamps are JSON strings on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateWebinarRequest {
    pub userid: String,
    pub instanceid: Instance,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sponsor: Option<String>,
    #[serde(with = "string_u64")]
    pub start_time: u64,
    #[serde(with = "string_u64")]
    pub end_time: u64,
    pub admission_type: AdmissionType,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hosts: Option<Vec<Host>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cover_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enable_guest_invite_link: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_setting: Option<MediaSetting>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enable_qa: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sensitive_words: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enable_manual_check: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub activity_page: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub display_number_of_participants: Option<u8>,
    /// Marked required (是) in seed 002: always sent, `false` unless chosen.
    #[serde(default)]
    pub playback_for_audience: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sync_to_wework: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub preparation_mode: Option<bool>,
}

/// `POST /v1/webinars` response. Only `meeting_id` is required: an answer that carries it is a
/// created webinar, whatever else is missing or typed differently (docs/providers.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateWebinarResponse {
    #[serde(default, deserialize_with = "flex::or_default")]
    pub subject: String,
    /// A 20-digit decimal string: does not fit in i64, kept as text.
    #[serde(deserialize_with = "flex::required")]
    pub meeting_id: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub meeting_code: String,
    #[serde(
        serialize_with = "string_u64::serialize",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub start_time: u64,
    #[serde(
        serialize_with = "string_u64::serialize",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub end_time: u64,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub admission_type: Option<AdmissionType>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub audience_join_link: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub guest_join_link: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub manual_check_link: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub manual_check_password: String,
}

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

impl EnrollEntry {
    /// Every identity this entry carries (see [`Identity`]).
    pub fn identity(&self) -> Identity {
        Identity::new(
            self.userid.as_deref(),
            self.open_id.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
}

/// Every identity a Tencent Meeting entry carries, normalised as the roster normalises them:
/// `u:<userid>`, `o:<open_id>`, `p:<area>-<national number>`. A request row, an import answer
/// and a list entry are the same person when they share any key: seed 000 answers a phone
/// import with the `userid` filled in, and the provider may echo a phone in its own form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity(Vec<String>);

impl Identity {
    pub fn new(
        userid: Option<&str>,
        open_id: Option<&str>,
        area: Option<&str>,
        phone: Option<&str>,
    ) -> Self {
        fn present(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let mut keys = Vec::with_capacity(3);
        if let Some(u) = present(userid) {
            keys.push(format!("u:{u}"));
        }
        if let Some(o) = present(open_id) {
            keys.push(format!("o:{o}"));
        }
        if let Some(p) = present(phone) {
            keys.push(phone_key(present(area), p));
        }
        Identity(keys)
    }

    /// Adds the keys of another description of the same person (e.g. a roster row's userid and
    /// phone when only one of them is sent).
    pub fn with(mut self, other: Identity) -> Self {
        for k in other.0 {
            if !self.0.contains(&k) {
                self.0.push(k);
            }
        }
        self
    }

    pub fn keys(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `p:<area>-<national>` with the roster's normalisation (full-width digits, separators, `+86` /
/// `0086` prefixes); a phone the roster rules refuse keeps its digits only, so it still matches
/// itself.
fn phone_key(area: Option<&str>, phone: &str) -> String {
    match crate::roster::phone::normalize(phone, area) {
        Ok((a, n)) => format!("p:{a}-{n}"),
        Err(_) => {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let a = area.map(digits).unwrap_or_default();
            let a = a.strip_prefix("00").map(str::to_string).unwrap_or(a);
            format!("p:{a}-{}", digits(phone))
        }
    }
}

/// Finds entries by any identity they share with a query. Built over an answer (each entry
/// accounts for one row: [`IdentityIndex::take`]) or over a list (lookups do not consume:
/// [`IdentityIndex::find`]).
#[derive(Debug, Default)]
pub struct IdentityIndex {
    by_key: std::collections::HashMap<String, Vec<usize>>,
    used: Vec<bool>,
}

impl IdentityIndex {
    pub fn new<'a>(identities: impl IntoIterator<Item = &'a Identity>) -> Self {
        let mut ix = IdentityIndex::default();
        for (i, id) in identities.into_iter().enumerate() {
            for k in id.keys() {
                ix.by_key.entry(k.clone()).or_default().push(i);
            }
            ix.used.push(false);
        }
        ix
    }

    /// The first entry sharing a key with `who`.
    pub fn find(&self, who: &Identity) -> Option<usize> {
        who.keys()
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .flat_map(|v| v.iter().copied())
            .min()
    }

    /// The first entry sharing a key with `who` that no earlier `take` returned.
    pub fn take(&mut self, who: &Identity) -> Option<usize> {
        let i = who
            .keys()
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .flat_map(|v| v.iter().copied())
            .filter(|&i| !self.used[i])
            .min()?;
        self.used[i] = true;
        Some(i)
    }
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

impl ImportedEnroll {
    pub fn identity(&self) -> Identity {
        Identity::new(
            self.userid.as_deref(),
            self.open_id.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
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

impl ApprovalEntry {
    pub fn identity(&self) -> Identity {
        Identity::new(
            self.userid.as_deref(),
            self.open_id.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
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

/// The error classes (docs/providers.md, "Error classes").
pub fn classify(code: i64) -> ErrorClass {
    match code {
        190300 | 190301 => ErrorClass::Reauth,
        190310 | 190311 | 190313 | 9061 | 9008 | 41 | 5108 => ErrorClass::Retryable,
        _ => ErrorClass::Permanent,
    }
}

/// Codes that say the call was refused before anything was applied (rate limits, the daily
/// quota, a rejected signature): even on a 5xx, the request certainly did nothing. Any other
/// code on a 5xx may have come after the provider applied part of it (docs/providers.md).
pub fn refused_before_applying(code: i64) -> bool {
    is_rate_limit(code) || code == 190311 || classify(code) == ErrorClass::Reauth
}

/// Pages of `enroll/approvals` read at most (300 a page: 600,000 enrollments): a list that does
/// not end is an error, not a loop.
pub const MAX_APPROVALS_PAGES: u32 = 2000;

/// Rate-limit codes: wait for the window (docs/providers.md). 190311 (per day) is not here: it
/// stops the destination.
pub fn is_rate_limit(code: i64) -> bool {
    matches!(code, 190310 | 190313)
}

/// Codes after which no row of the destination can succeed (configuration, missing webinar,
/// enrollment off, daily quota): the destination stops with the reason.
pub fn stops_destination(code: i64) -> bool {
    matches!(code, 190303 | 200003 | 9003 | 9002 | 9042 | 101 | 190311)
}

/// Error codes the sandbox and client agree on.
pub mod codes {
    pub const TIMESTAMP_SKEW: i64 = 190300;
    pub const REPLAY: i64 = 190301;
    pub const BAD_KEY: i64 = 190303;
    pub const RATE_LIMIT: i64 = 190310;
    pub const DAILY_LIMIT: i64 = 190311;
    pub const SIGNATURE_FAILED: i64 = 200003;
    pub const INVALID_PARAMETER: i64 = 190004;
    pub const MEETING_NOT_FOUND: i64 = 9003;
    pub const INTERNAL: i64 = 5108;
    pub const ENROLL_NOT_ENABLED: i64 = 101;
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Validates a create-webinar request against every documented constraint (seed 002).
/// `now` is Unix seconds, passed in.
pub fn validate_create_webinar(req: &CreateWebinarRequest, now: u64) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.userid.trim().is_empty() {
        p.push(
            "required",
            "userid",
            "创建者 userid 必填",
            "userid is required",
        );
    }
    if !req.instanceid.is_known() {
        p.push(
            "invalid_enum",
            "instanceid",
            "instanceid 不是文档列出的设备类型",
            "instanceid is not a documented device type",
        );
    }
    p.char_len("subject", &req.subject, 1, 255);
    if let Some(s) = &req.sponsor {
        p.char_len("sponsor", s, 1, 40);
    }
    if let Some(d) = &req.description {
        p.char_len("description", d, 1, 5000);
    }
    if req.end_time <= req.start_time {
        p.push(
            "end_before_start",
            "end_time",
            "结束时间须晚于开始时间",
            "end_time must be after start_time",
        );
    }
    if req.start_time.saturating_add(30 * 60) < now {
        p.push(
            "start_too_early",
            "start_time",
            "开始时间不能早于当前时间半小时以上",
            "start_time must not be more than 30 minutes before now",
        );
    }
    if !req.admission_type.is_known() {
        p.push(
            "invalid_enum",
            "admission_type",
            "观看限制类型只能是 0、1、2",
            "admission_type must be 0, 1 or 2",
        );
    }
    match (req.admission_type, req.password.as_deref()) {
        (AdmissionType::Password, None) | (AdmissionType::Password, Some("")) => p.push(
            "password_required",
            "password",
            "观看限制为密码时必须填写 4–6 位数字密码",
            "password (4–6 digits) is required when admission_type = 2",
        ),
        (AdmissionType::Password, Some(pw)) if !(is_digits(pw) && (4..=6).contains(&pw.len())) => p
            .push(
                "password_format",
                "password",
                "密码须为 4–6 位数字",
                "password must be 4–6 digits",
            ),
        _ => {}
    }
    if let Some(words) = &req.sensitive_words {
        if words.len() > 50 {
            p.push(
                "too_many_sensitive_words",
                "sensitive_words",
                format!("敏感词最多 50 个（当前 {}）", words.len()),
                format!("at most 50 sensitive words (got {})", words.len()),
            );
        }
        for (i, w) in words.iter().enumerate() {
            let n = w.chars().count();
            if n == 0 || n > 10 {
                p.push(
                    "sensitive_word_length",
                    &format!("sensitive_words[{i}]"),
                    format!("第 {} 个敏感词须为 1–10 个字符", i + 1),
                    format!("sensitive word {} must be 1–10 characters", i + 1),
                );
            }
        }
    }
    if let Some(url) = &req.cover_url {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            p.push(
                "cover_url_scheme",
                "cover_url",
                "封面须为 http(s) 图片地址",
                "cover_url must be an http(s) URL",
            );
        }
    }
    if let Some(d) = req.display_number_of_participants {
        if d > 1 {
            p.push(
                "invalid_enum",
                "display_number_of_participants",
                "展示报名人数只能是 0 或 1",
                "display_number_of_participants must be 0 or 1",
            );
        }
    }
    let media = req.media_setting.clone().unwrap_or_default();
    let record = media.auto_record_type.as_ref();
    if let Some(r) = record {
        if !r.is_known() {
            p.push(
                "invalid_enum",
                "media_setting.auto_record_type",
                "自动录制类型只能是 none、local、cloud",
                "auto_record_type must be none, local or cloud",
            );
        }
    }
    if req.playback_for_audience && record != Some(&AutoRecordType::Cloud) {
        p.push(
            "playback_requires_cloud_record",
            "playback_for_audience",
            "允许观众观看回放时必须开启云录制（auto_record_type = cloud）",
            "playback_for_audience requires auto_record_type = cloud",
        );
    }
    if let Some(w) = media.water_mark_type {
        if !w.is_known() {
            p.push(
                "invalid_enum",
                "media_setting.water_mark_type",
                "水印样式只能是 0 或 1",
                "water_mark_type must be 0 or 1",
            );
        }
    }
    if let Some(hosts) = &req.hosts {
        for (i, h) in hosts.iter().enumerate() {
            if h.userid.as_deref().unwrap_or("").is_empty()
                && h.open_id.as_deref().unwrap_or("").is_empty()
            {
                p.push(
                    "host_id_required",
                    &format!("hosts[{i}]"),
                    "主持人须填写 userid",
                    "each host needs a userid",
                );
            }
        }
    }
    p.into_vec()
}

/// Settings seed 002 words as "only effective when …" (仅当…时才生效 / 需要开启…): not errors.
/// Returns one warning per setting that would have no effect and removes it from the request,
/// so the proxy signs and sends only what the provider will act on. The UI shows the same
/// warnings (it calls this on a copy).
pub fn drop_ineffective(req: &mut CreateWebinarRequest) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.admission_type != AdmissionType::Password
        && req.password.as_deref().is_some_and(|pw| !pw.is_empty())
    {
        p.push(
            "password_ignored",
            "password",
            "观看密码仅在观看限制为密码时生效，已忽略",
            "password only applies when admission_type = 2; it is left out",
        );
    }
    if req.admission_type != AdmissionType::Password {
        req.password = None;
    }
    if req.activity_page == Some(false) {
        let ignored: Vec<&str> = [
            ("cover_url", req.cover_url.is_some()),
            ("description", req.description.is_some()),
            (
                "display_number_of_participants",
                req.display_number_of_participants.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        if !ignored.is_empty() {
            p.push(
                "activity_page_off",
                "activity_page",
                format!("未开启活动页，{} 不生效，已忽略", ignored.join("、")),
                format!("{} need the activity page; left out", ignored.join(", ")),
            );
        }
        req.cover_url = None;
        req.description = None;
        req.display_number_of_participants = None;
    }
    if let Some(url) = &req.cover_url {
        let path = url.to_ascii_lowercase();
        let path = path.split(['?', '#']).next().unwrap_or("");
        if [".gif", ".webp", ".bmp", ".svg", ".tif", ".tiff"]
            .iter()
            .any(|ext| path.ends_with(ext))
        {
            p.push(
                "cover_url_format",
                "cover_url",
                "封面图片仅支持 PNG 和 JPEG，此地址看起来不是",
                "the cover must be PNG or JPEG; this address does not look like one",
            );
        }
    }
    if let Some(m) = req.media_setting.as_mut() {
        if m.water_mark_type.is_some() && m.allow_screen_shared_watermark != Some(true) {
            p.push(
                "watermark_type_ignored",
                "media_setting.water_mark_type",
                "水印样式仅在开启屏幕共享水印时生效，已忽略",
                "water_mark_type only applies with allow_screen_shared_watermark; left out",
            );
            m.water_mark_type = None;
        }
        if m.auto_record_type != Some(AutoRecordType::Cloud) {
            for (field, set) in [
                (
                    "media_setting.participant_join_auto_record",
                    m.participant_join_auto_record.take().is_some(),
                ),
                (
                    "media_setting.enable_host_pause_auto_record",
                    m.enable_host_pause_auto_record.take().is_some(),
                ),
            ] {
                if set {
                    p.push(
                        "cloud_record_option_ignored",
                        field,
                        "该选项仅在云录制（auto_record_type = cloud）时生效，已忽略",
                        "this option only applies with auto_record_type = cloud; left out",
                    );
                }
            }
        }
    }
    p.into_vec()
}

/// Validates one enrollment entry. `aksk` is true for AK/SK (self-built app) credentials,
/// which cannot import by open_id.
pub fn validate_enroll_entry(e: &EnrollEntry, aksk: bool, field: &str) -> Vec<Problem> {
    let mut p = Problems::default();
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !has(&e.open_id) && !has(&e.userid) && !has(&e.phone_number) {
        p.push(
            "enroll_identity_required",
            field,
            "报名对象须填写 userid、手机号或 open_id 之一",
            "an enrollment needs one of userid, phone_number or open_id",
        );
    }
    if has(&e.open_id) && aksk {
        p.push(
            "open_id_not_allowed",
            field,
            "企业自建应用（AK/SK）鉴权不能用 open_id 导入报名",
            "open_id cannot be used with AK/SK (self-built app) credentials",
        );
    }
    if has(&e.phone_number) && !has(&e.open_id) && !has(&e.userid) {
        match e.area.as_deref().map(str::trim) {
            None | Some("") => p.push(
                "area_required",
                field,
                "按手机号导入时须填写国家/地区代码（如 86）",
                "area is required with phone_number (e.g. 86)",
            ),
            Some(a) if a.starts_with('+') => p.push(
                "area_plus",
                field,
                "国家/地区代码不要带 +（中国传 86）",
                "area must not start with + (use 86, not +86)",
            ),
            Some(a) if !is_digits(a) || a.len() > 4 => p.push(
                "area_format",
                field,
                "国家/地区代码须为 1–4 位数字",
                "area must be 1–4 digits",
            ),
            _ => {}
        }
        let phone = e.phone_number.as_deref().unwrap_or("");
        if !is_digits(phone) {
            p.push(
                "phone_format",
                field,
                "手机号只能包含数字",
                "phone_number must contain digits only",
            );
        }
    }
    p.into_vec()
}

/// The per-webinar cap (seed 000): `adding` more enrollments on top of `already_imported`.
pub fn cap_problem(edition: Edition, already_imported: usize, adding: usize) -> Option<Problem> {
    let cap = edition.import_cap();
    (already_imported.saturating_add(adding) > cap).then(|| {
        Problem::new(
            "webinar_cap_exceeded",
            "enroll_list",
            format!("单场导入上限 {cap} 条（已导入 {already_imported}）"),
            format!("the webinar import cap is {cap} (already imported {already_imported})"),
        )
    })
}

/// How many of a webinar's enrollments were imported (they count against the cap; seed 000).
pub fn imported_count<'a>(entries: impl IntoIterator<Item = &'a ApprovalEntry>) -> usize {
    entries
        .into_iter()
        .filter(|e| e.enroll_source_type == 2)
        .count()
}

/// Validates a whole import call: operator, entries, per-call size, and the per-webinar cap given
/// how many enrollments were already imported.
pub fn validate_enroll_import(
    req: &EnrollImportRequest,
    aksk: bool,
    edition: Edition,
    already_imported: usize,
) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.operator_id.trim().is_empty() {
        p.push(
            "required",
            "operator_id",
            "operator_id 必填",
            "operator_id is required",
        );
    }
    if aksk && req.operator_id_type != OperatorIdType::Userid {
        p.push(
            "operator_id_type",
            "operator_id_type",
            "AK/SK 鉴权只能用 userid 作为操作者",
            "AK/SK credentials require operator_id_type = 1 (userid)",
        );
    }
    if req.enroll_list.is_empty() {
        p.push(
            "required",
            "enroll_list",
            "报名列表不能为空",
            "enroll_list must not be empty",
        );
    }
    if req.enroll_list.len() > MAX_IMPORT_PER_CALL {
        p.push(
            "batch_too_large",
            "enroll_list",
            format!("每次最多导入 {MAX_IMPORT_PER_CALL} 条"),
            format!("at most {MAX_IMPORT_PER_CALL} entries per call"),
        );
    }
    p.0.extend(cap_problem(
        edition,
        already_imported,
        req.enroll_list.len(),
    ));
    for (i, e) in req.enroll_list.iter().enumerate() {
        p.0.extend(validate_enroll_entry(e, aksk, &format!("enroll_list[{i}]")));
    }
    p.into_vec()
}
