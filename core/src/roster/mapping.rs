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

/// Guesses the field for a header, or `Custom`.
pub fn auto_field(header: &str) -> FieldKind {
    let h = normalize_header(header);
    let is = |names: &[&str]| names.contains(&h.as_str());
    if is(&[
        "姓名",
        "名字",
        "name",
        "fullname",
        "参会人",
        "参会人姓名",
        "真实姓名",
        "username",
    ]) {
        FieldKind::Name
    } else if is(&[
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
    ]) {
        FieldKind::Phone
    } else if is(&[
        "区号",
        "国家代码",
        "国家地区代码",
        "国际区号",
        "地区代码",
        "area",
        "areacode",
        "countrycode",
        "dialcode",
    ]) {
        FieldKind::Area
    } else if is(&[
        "邮箱",
        "电子邮箱",
        "邮件",
        "邮箱地址",
        "email",
        "mail",
        "emailaddress",
    ]) {
        FieldKind::Email
    } else if is(&[
        "公司",
        "单位",
        "公司名称",
        "工作单位",
        "单位名称",
        "company",
        "organization",
        "organisation",
        "org",
    ]) {
        FieldKind::Company
    } else if is(&["职位", "职务", "岗位", "position", "title", "jobtitle"]) {
        FieldKind::Position
    } else if is(&[
        "userid",
        "用户id",
        "员工id",
        "企业用户id",
        "成员id",
        "员工号",
    ]) {
        FieldKind::Userid
    } else if is(&["openid"]) {
        FieldKind::OpenId
    } else if is(&[
        "im账号",
        "imaccount",
        "im",
        "memberaccount",
        "im用户",
        "imid",
        "群成员账号",
    ]) {
        FieldKind::ImAccount
    } else if is(&["昵称", "nickname", "nick"]) {
        FieldKind::Nickname
    } else if is(&["角色", "群角色", "role"]) {
        FieldKind::Role
    } else if is(&["入群时间", "jointime"]) {
        FieldKind::JoinTime
    } else {
        FieldKind::Custom
    }
}

/// The header of the first column mapped to `f`.
pub(in crate::roster) fn header_of(columns: &[super::ColumnMapping], f: FieldKind) -> Option<&str> {
    columns
        .iter()
        .find(|c| c.field == f)
        .map(|c| c.header.as_str())
}
