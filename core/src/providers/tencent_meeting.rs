//! Tencent Meeting (腾讯会议) webinars: create (seed 002), import enrollments (seed 000),
//! list enrollments (`enroll/approvals`, for reconciliation), error body and classification.

use serde::{Deserialize, Serialize};

use super::{string_u64, ErrorClass};
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

num_enum!(
    /// Enrollment approval status in `enroll/approvals`: 1 pending, 2 rejected, 3 approved.
    ApprovalStatus { Pending = 1, Rejected = 2, Approved = 3 }
);

/// Which edition the account is on: decides the per-webinar import cap (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Business,
    #[default]
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

/// Recommended maximum enrollments per import call (PROVIDERS.md §1.5).
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
    /// `none` | `local` | `cloud`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auto_record_type: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub playback_for_audience: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sync_to_wework: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub preparation_mode: Option<bool>,
}

/// `POST /v1/webinars` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateWebinarResponse {
    pub subject: String,
    /// A 20-digit decimal string: does not fit in i64, kept as text.
    pub meeting_id: String,
    pub meeting_code: String,
    #[serde(with = "string_u64")]
    pub start_time: u64,
    #[serde(with = "string_u64")]
    pub end_time: u64,
    pub admission_type: AdmissionType,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub password: Option<String>,
    #[serde(default)]
    pub audience_join_link: String,
    #[serde(default)]
    pub guest_join_link: String,
    #[serde(default)]
    pub manual_check_link: String,
    #[serde(default)]
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
    /// The identity the provider matches on: `u:<userid>` or `p:<area>-<phone>`.
    pub fn identity_key(&self) -> Option<String> {
        identity_key(
            self.userid.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
}

/// Identity key shared by requests, responses and list entries.
pub fn identity_key(
    userid: Option<&str>,
    area: Option<&str>,
    phone: Option<&str>,
) -> Option<String> {
    match (
        userid.filter(|u| !u.is_empty()),
        phone.filter(|p| !p.is_empty()),
    ) {
        (Some(u), _) => Some(format!("u:{u}")),
        (None, Some(p)) => Some(format!("p:{}-{}", area.unwrap_or(""), p)),
        _ => None,
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

/// One imported enrollment in the import response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportedEnroll {
    pub enroll_id: u64,
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
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enroll_code: Option<String>,
}

impl ImportedEnroll {
    pub fn identity_key(&self) -> Option<String> {
        identity_key(
            self.userid.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
}

/// Import response: may be a partial success (`user_non_registered`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnrollImportResponse {
    pub total_count: u32,
    #[serde(default)]
    pub enroll_list: Vec<ImportedEnroll>,
    #[serde(default)]
    pub user_non_registered: Vec<String>,
}

/// One entry of `GET /v1/webinars/{id}/enroll/approvals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalEntry {
    pub enroll_id: u64,
    #[serde(default)]
    pub enroll_time: String,
    #[serde(default)]
    pub nick_name: String,
    /// 1 manual, 2 imported.
    #[serde(default)]
    pub enroll_source_type: u32,
    pub status: ApprovalStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enroll_code: Option<String>,
}

impl ApprovalEntry {
    pub fn identity_key(&self) -> Option<String> {
        identity_key(
            self.userid.as_deref(),
            self.area.as_deref(),
            self.phone_number.as_deref(),
        )
    }
}

/// `enroll/approvals` page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApprovalsResponse {
    pub total_count: u32,
    pub current_size: u32,
    pub current_page: u32,
    pub total_page: u32,
    #[serde(default)]
    pub enroll_list: Vec<ApprovalEntry>,
}

/// Error body: `{"error_info": {"error_code", "new_error_code"?, "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_info: ErrorInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub error_code: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub new_error_code: Option<i64>,
    #[serde(default)]
    pub message: String,
}

/// PROVIDERS.md §1.6.
pub fn classify(code: i64) -> ErrorClass {
    match code {
        190300 | 190301 => ErrorClass::Reauth,
        190310 | 190311 | 190313 | 9061 | 9008 | 41 | 5108 => ErrorClass::Retryable,
        _ => ErrorClass::Permanent,
    }
}

/// Error codes the sandbox and client agree on.
pub mod codes {
    pub const TIMESTAMP_SKEW: i64 = 190300;
    pub const REPLAY: i64 = 190301;
    pub const BAD_KEY: i64 = 190303;
    pub const RATE_LIMIT: i64 = 190310;
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
    if req.start_time + 30 * 60 < now {
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
        (AdmissionType::Password, _) => {}
        (_, Some(pw)) if !pw.is_empty() => p.push(
            "password_not_allowed",
            "password",
            "仅当观看限制为密码时才能设置密码",
            "password is only allowed when admission_type = 2",
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
        let path = lower.split(['?', '#']).next().unwrap_or("");
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            p.push(
                "cover_url_scheme",
                "cover_url",
                "封面须为 http(s) 图片地址",
                "cover_url must be an http(s) URL",
            );
        } else if !(path.ends_with(".png") || path.ends_with(".jpg") || path.ends_with(".jpeg")) {
            p.push(
                "cover_url_format",
                "cover_url",
                "封面图片仅支持 PNG 和 JPEG",
                "cover image must be PNG or JPEG",
            );
        }
    }
    let activity_off = req.activity_page == Some(false);
    if activity_off
        && (req.cover_url.is_some()
            || req.description.is_some()
            || req.display_number_of_participants.is_some())
    {
        p.push(
            "activity_page_required",
            "activity_page",
            "封面、描述和展示报名人数需要开启活动页",
            "cover_url, description and display_number_of_participants need activity_page on",
        );
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
    let record = media.auto_record_type.as_deref();
    if let Some(r) = record {
        if !matches!(r, "none" | "local" | "cloud") {
            p.push(
                "invalid_enum",
                "media_setting.auto_record_type",
                "自动录制类型只能是 none、local、cloud",
                "auto_record_type must be none, local or cloud",
            );
        }
    }
    if req.playback_for_audience == Some(true) && record != Some("cloud") {
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
        } else if media.allow_screen_shared_watermark != Some(true) {
            p.push(
                "watermark_type_without_watermark",
                "media_setting.water_mark_type",
                "仅在开启屏幕共享水印时才能设置水印样式",
                "water_mark_type only applies when allow_screen_shared_watermark is on",
            );
        }
    }
    if (media.participant_join_auto_record.is_some()
        || media.enable_host_pause_auto_record.is_some())
        && record != Some("cloud")
    {
        p.push(
            "cloud_record_option_without_cloud",
            "media_setting.auto_record_type",
            "成员入会自动录制与暂停录制选项仅在云录制时生效",
            "participant_join_auto_record / enable_host_pause_auto_record need auto_record_type = cloud",
        );
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
    let cap = edition.import_cap();
    if already_imported + req.enroll_list.len() > cap {
        p.push(
            "webinar_cap_exceeded",
            "enroll_list",
            format!("单场导入上限 {cap} 条（已导入 {already_imported}）"),
            format!("the webinar import cap is {cap} (already imported {already_imported})"),
        );
    }
    for (i, e) in req.enroll_list.iter().enumerate() {
        p.0.extend(validate_enroll_entry(e, aksk, &format!("enroll_list[{i}]")));
    }
    p.into_vec()
}
