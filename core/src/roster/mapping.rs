//! Column mapping: header names (Chinese and English) → roster fields.

use serde::{Deserialize, Serialize};

/// A roster field a column can map to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Name,
    Area,
    Phone,
    Email,
    Company,
    Position,
    Userid,
    OpenId,
    ImAccount,
    Nickname,
    Role,
    JoinTime,
    /// Kept under its header as a custom field (31huiyi dynamic fields).
    Custom,
    /// Not imported.
    Ignore,
}

impl FieldKind {
    pub const MAPPABLE: [FieldKind; 14] = [
        FieldKind::Name,
        FieldKind::Area,
        FieldKind::Phone,
        FieldKind::Email,
        FieldKind::Company,
        FieldKind::Position,
        FieldKind::Userid,
        FieldKind::OpenId,
        FieldKind::ImAccount,
        FieldKind::Nickname,
        FieldKind::Role,
        FieldKind::JoinTime,
        FieldKind::Custom,
        FieldKind::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Name => "name",
            FieldKind::Area => "area",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::Company => "company",
            FieldKind::Position => "position",
            FieldKind::Userid => "userid",
            FieldKind::OpenId => "open_id",
            FieldKind::ImAccount => "im_account",
            FieldKind::Nickname => "nickname",
            FieldKind::Role => "role",
            FieldKind::JoinTime => "join_time",
            FieldKind::Custom => "custom",
            FieldKind::Ignore => "ignore",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FieldKind::Name => "姓名",
            FieldKind::Area => "区号",
            FieldKind::Phone => "手机号",
            FieldKind::Email => "邮箱",
            FieldKind::Company => "公司",
            FieldKind::Position => "职位",
            FieldKind::Userid => "userid",
            FieldKind::OpenId => "open_id",
            FieldKind::ImAccount => "IM账号",
            FieldKind::Nickname => "昵称",
            FieldKind::Role => "群角色",
            FieldKind::JoinTime => "入群时间",
            FieldKind::Custom => "自定义字段",
            FieldKind::Ignore => "不导入",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::MAPPABLE.into_iter().find(|f| f.as_str() == s)
    }
}

/// Lower-cases and strips spaces, `_`, `-`, `*` (required markers) and bracketed notes.
fn normalize_header(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in h.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth -= 1,
            _ if depth > 0 => {}
            ' ' | '_' | '-' | '*' | '\u{3000}' | '/' | ':' | '：' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Every field's names as organizers write them (normalised: lower case, no spaces or
/// punctuation, nothing in brackets). The one list both the exact mapping ([`auto_field`]) and
/// the guess for an unknown header ([`guess_field`]) read.
const ALIASES: &[(FieldKind, &[&str])] = &[
    (
        FieldKind::Name,
        &[
            "姓名",
            "名字",
            "name",
            "fullname",
            "参会人",
            "参会人姓名",
            "真实姓名",
            "username",
        ],
    ),
    (
        FieldKind::Phone,
        &[
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "电话号码",
            "联系电话",
            "联系方式",
            "mobile",
            "phone",
            "phonenumber",
            "tel",
            "cellphone",
            "mobilephone",
        ],
    ),
    (
        FieldKind::Area,
        &[
            "区号",
            "国家代码",
            "国家地区代码",
            "国际区号",
            "地区代码",
            "area",
            "areacode",
            "countrycode",
            "dialcode",
        ],
    ),
    (
        FieldKind::Email,
        &[
            "邮箱",
            "电子邮箱",
            "邮件",
            "邮箱地址",
            "email",
            "mail",
            "emailaddress",
        ],
    ),
    (
        FieldKind::Company,
        &[
            "公司",
            "单位",
            "公司名称",
            "工作单位",
            "单位名称",
            "company",
            "organization",
            "organisation",
            "org",
        ],
    ),
    (
        FieldKind::Position,
        &["职位", "职务", "岗位", "position", "title", "jobtitle"],
    ),
    (
        FieldKind::Userid,
        &[
            "userid",
            "用户id",
            "员工id",
            "企业用户id",
            "成员id",
            "员工号",
        ],
    ),
    (FieldKind::OpenId, &["openid"]),
    (
        FieldKind::ImAccount,
        &[
            "im账号",
            "imaccount",
            "im",
            "memberaccount",
            "im用户",
            "imid",
            "群成员账号",
        ],
    ),
    (FieldKind::Nickname, &["昵称", "nickname", "nick"]),
    (FieldKind::Role, &["角色", "群角色", "role"]),
    (FieldKind::JoinTime, &["入群时间", "jointime"]),
];

/// Guesses the field for a header, or `Custom`.
pub fn auto_field(header: &str) -> FieldKind {
    let h = normalize_header(header);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map_or(FieldKind::Custom, |(f, _)| *f)
}

/// A field an unknown header may mean, with the known name it resembles and how closely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldGuess {
    pub field: FieldKind,
    /// The known name (or alias) the header resembles.
    pub like: String,
    /// 0–1: edit distance over length, or the share of the header a known name covers.
    pub confidence: f64,
}

/// Below this a guess is not offered at all; above it, it is shown with its confidence for the
/// user to accept. A guess is never applied on its own.
pub const GUESS_THRESHOLD: f64 = 0.65;

/// For a header [`auto_field`] does not know: the field whose known names it resembles most,
/// by edit distance (characters, so Chinese and English alike) or by containing a known name
/// ("参会人联系手机" holds "手机"). `None` when the header is known or nothing reaches
/// [`GUESS_THRESHOLD`].
pub fn guess_field(header: &str) -> Option<FieldGuess> {
    if auto_field(header) != FieldKind::Custom {
        return None;
    }
    let h = normalize_header(header);
    let len = h.chars().count();
    if len == 0 {
        return None;
    }
    let mut best: Option<FieldGuess> = None;
    for (field, names) in ALIASES {
        for name in *names {
            let n = name.chars().count();
            let by_distance = strsim::normalized_damerau_levenshtein(&h, name);
            // A known name inside the header: two Chinese characters ("手机"), or four letters
            // of an English one ("hotel" is not "tel", "time" not "im").
            let long_enough = if name.is_ascii() {
                n >= 4 && n < len
            } else {
                n >= 2
            };
            let by_containing = if long_enough && h.contains(name) {
                0.6 + 0.4 * n as f64 / len as f64
            } else {
                0.0
            };
            let confidence = by_distance.max(by_containing);
            if best.as_ref().is_none_or(|b| confidence > b.confidence) {
                best = Some(FieldGuess {
                    field: *field,
                    like: (*name).to_string(),
                    confidence,
                });
            }
        }
    }
    best.filter(|b| b.confidence >= GUESS_THRESHOLD)
}

/// How well a saved mapping's headers fit a file's: the share of the two header sets they
/// have in common (normalised as for [`auto_field`]), 1.0 for the same headers in any order.
pub fn headers_match(file: &[String], saved: &[String]) -> f64 {
    let norm = |h: &[String]| {
        h.iter()
            .map(|x| normalize_header(x))
            .filter(|x| !x.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (a, b) = (norm(file), norm(saved));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// The header of the first column mapped to `f`.
pub(in crate::roster) fn header_of(columns: &[super::ColumnMapping], f: FieldKind) -> Option<&str> {
    columns
        .iter()
        .find(|c| c.field == f)
        .map(|c| c.header.as_str())
}
