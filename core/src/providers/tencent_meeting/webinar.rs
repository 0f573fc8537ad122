//! Create-webinar wire types (seed 002) and the numeric enums they carry.

use serde::{Deserialize, Serialize};

use crate::num_enum;
use crate::providers::{flex, string_u64};

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
