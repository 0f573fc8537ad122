//! Where a roster goes: [`Destination`] (kind + provider-side ids, with its text form), and per
//! [`DestinationKind`] what a row needs, its labels and its cap — the one place the proxy's job
//! preparation and the web's import screen both read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes::ProblemCode;
use crate::providers::tencent_im;
use crate::providers::tencent_meeting::Edition;
use crate::roster::FieldKind;

/// Where a roster goes. Text form: `tencent-meeting:MEETING_ID`, `tencent-im:GROUP_ID`,
/// `huiyi31:EVENT_ID[:ATTENDEE_TYPE_ID:ITEM_SKU_ID]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Destination {
    TencentMeeting {
        meeting_id: String,
    },
    TencentIm {
        group_id: String,
    },
    Huiyi31 {
        event_id: String,
        attendee_type_id: Option<String>,
        item_sku_id: Option<String>,
    },
}

/// The kind of a destination, for per-destination row checks and batch sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationKind {
    TencentMeeting,
    TencentIm,
    Huiyi31,
}

impl DestinationKind {
    pub const ALL: [DestinationKind; 3] = [
        DestinationKind::TencentMeeting,
        DestinationKind::TencentIm,
        DestinationKind::Huiyi31,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DestinationKind::TencentMeeting => "tencent-meeting",
            DestinationKind::TencentIm => "tencent-im",
            DestinationKind::Huiyi31 => "huiyi31",
        }
    }
}

impl DestinationKind {
    /// The provider a destination of this kind is written to.
    pub fn provider(self) -> crate::providers::Provider {
        use crate::providers::Provider;
        match self {
            DestinationKind::TencentMeeting => Provider::TencentMeeting,
            DestinationKind::TencentIm => Provider::TencentIm,
            DestinationKind::Huiyi31 => Provider::Huiyi31,
        }
    }
}

impl FromStr for DestinationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DestinationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown destination kind {s:?} (expected tencent-meeting, tencent-im or huiyi31)"))
    }
}

impl Destination {
    pub fn kind(&self) -> DestinationKind {
        match self {
            Destination::TencentMeeting { .. } => DestinationKind::TencentMeeting,
            Destination::TencentIm { .. } => DestinationKind::TencentIm,
            Destination::Huiyi31 { .. } => DestinationKind::Huiyi31,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::TencentMeeting { meeting_id } => write!(f, "tencent-meeting:{meeting_id}"),
            Destination::TencentIm { group_id } => write!(f, "tencent-im:{group_id}"),
            Destination::Huiyi31 {
                event_id,
                attendee_type_id: Some(t),
                item_sku_id: Some(s),
            } => write!(f, "huiyi31:{event_id}:{t}:{s}"),
            Destination::Huiyi31 { event_id, .. } => write!(f, "huiyi31:{event_id}"),
        }
    }
}

/// A destination's ids: letters, digits and `@#_-.`, and a provider id ([`is_provider_id`]: not
/// `.` or `..`, a `#` only in an IM group id) — they become provider URL paths.
fn valid_id(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "@#_-.".contains(c))
        && is_provider_id(s)
}

impl FromStr for Destination {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("destination {s:?} must look like KIND:ID"))?;
        let parts: Vec<&str> = rest.split(':').collect();
        if let Some(bad) = parts.iter().find(|p| !valid_id(p)) {
            return Err(format!("invalid id {bad:?} in destination {s:?}"));
        }
        let d = match (kind.parse::<DestinationKind>()?, parts.as_slice()) {
            (DestinationKind::TencentMeeting, [id]) => Destination::TencentMeeting {
                meeting_id: id.to_string(),
            },
            (DestinationKind::TencentIm, [id]) => Destination::TencentIm {
                group_id: id.to_string(),
            },
            (DestinationKind::Huiyi31, [id]) => Destination::Huiyi31 {
                event_id: id.to_string(),
                attendee_type_id: None,
                item_sku_id: None,
            },
            (DestinationKind::Huiyi31, [id, t, sku]) => Destination::Huiyi31 {
                event_id: id.to_string(),
                attendee_type_id: Some(t.to_string()),
                item_sku_id: Some(sku.to_string()),
            },
            _ => return Err(format!("destination {s:?} has the wrong number of parts")),
        };
        Ok(d)
    }
}

impl TryFrom<String> for Destination {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Destination> for String {
    fn from(d: Destination) -> String {
        d.to_string()
    }
}

impl DestinationKind {
    /// The kind's name for people: (zh, en).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            DestinationKind::TencentMeeting => ("腾讯会议网络研讨会", "Tencent Meeting webinar"),
            DestinationKind::TencentIm => ("腾讯云 IM 群", "Tencent IM group"),
            DestinationKind::Huiyi31 => ("31会议活动", "31huiyi event"),
        }
    }

    /// What a row's outcome `reference` and `attendee_code` are at this destination: (zh, en)
    /// labels for each, so results say "order 1351111" rather than a bare number.
    pub fn id_labels(self) -> [(&'static str, &'static str); 2] {
        match self {
            DestinationKind::TencentMeeting => {
                [("报名 ID", "enroll id"), ("报名码", "enroll code")]
            }
            DestinationKind::TencentIm => [("成员", "member"), ("代码", "code")],
            DestinationKind::Huiyi31 => [("订单号", "order no."), ("签到码", "check-in code")],
        }
    }

    /// What each row needs to go here, and the destination's cap: (zh, en).
    pub fn needs(self) -> (String, String) {
        match self {
            DestinationKind::TencentMeeting => {
                let (b, e) = (
                    Edition::Business.import_cap(),
                    Edition::Enterprise.import_cap(),
                );
                (
                    format!("每行需要 userid 或手机号（单场导入上限：商业版 {b} 条，企业版 {e} 条）"),
                    format!("each row needs a userid or a phone (import cap per webinar: {b} on the business edition, {e} on enterprise)"),
                )
            }
            DestinationKind::TencentIm => (
                "每行需要 IM 账号或 userid".into(),
                "each row needs an IM account or a userid".into(),
            ),
            DestinationKind::Huiyi31 => (
                "每行需要手机或邮箱".into(),
                "each row needs a mobile or an email".into(),
            ),
        }
    }
}

/// What a destination looks at in a row to decide whether it can take it, borrowed from the
/// roster's cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identities<'a> {
    pub userid: Option<&'a str>,
    pub open_id: Option<&'a str>,
    /// The normalised national number.
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub im_account: Option<&'a str>,
}

impl Identities<'_> {
    /// The IM `Member_Account`: the IM account, else the userid (as [`Attendee::im_member_account`](crate::roster::Attendee::im_member_account)).
    pub fn im_member_account(&self) -> Option<&str> {
        self.im_account.or(self.userid)
    }
}

/// What a destination needs from a row: `(field, code, zh, en)` for each gap.
pub fn row_needs(
    a: &Identities,
    kind: DestinationKind,
) -> Vec<(FieldKind, ProblemCode, String, String)> {
    let mut out = Vec::new();
    match kind {
        DestinationKind::TencentMeeting => {
            if a.userid.is_none() && a.phone.is_none() {
                let (zh, en) = if a.open_id.is_some() {
                    (
                        "企业自建应用不能用 open_id 导入报名，需要 userid 或手机号",
                        "AK/SK apps cannot import by open_id; a userid or phone is needed",
                    )
                } else {
                    (
                        "导入腾讯会议报名需要 userid 或手机号",
                        "a Tencent Meeting enrollment needs a userid or a phone",
                    )
                };
                out.push((
                    FieldKind::Phone,
                    ProblemCode::TmIdentityRequired,
                    zh.into(),
                    en.into(),
                ));
            }
        }
        DestinationKind::TencentIm => match a.im_member_account() {
            None => out.push((
                FieldKind::ImAccount,
                ProblemCode::ImAccountRequired,
                "导入 IM 群需要 IM 账号或 userid".into(),
                "an IM group member needs an IM account or a userid".into(),
            )),
            Some(account) => {
                for p in tencent_im::validate_account(account, "Member_Account") {
                    out.push((
                        FieldKind::ImAccount,
                        ProblemCode::ImAccountInvalid,
                        p.message.zh,
                        p.message.en,
                    ));
                }
            }
        },
        DestinationKind::Huiyi31 => {
            if a.phone.is_none() && a.email.is_none() {
                out.push((
                    FieldKind::Phone,
                    ProblemCode::MobileOrEmailRequired,
                    "31会议报名需要手机或邮箱".into(),
                    "31huiyi registration needs a mobile or an email".into(),
                ));
            }
        }
    }
    out
}

/// A provider id as a URL path or a sync's source carries it (meeting id, group id): printable
/// ASCII without path or query syntax, not `.` or `..`, at most 128 bytes — so it can be put
/// into a provider URL and a log line as it is. IM group ids the service makes (`@TGS#…`) are
/// the one place a `#` is allowed.
pub fn is_provider_id(id: &str) -> bool {
    let plain = !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b'\\' | b'?' | b'%' | b'#'));
    let im_group = id.strip_prefix("@TGS#").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    plain || im_group
}
