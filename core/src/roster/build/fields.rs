//! One row's cells → its fields, normalised and checked by the roster's rules.

use super::*;
use crate::roster::mapping::header_of;

/// A row's mapped cells, borrowed: trimmed and non-empty, the last column of a field winning;
/// the role and JoinTime parsed.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::roster) struct RowFields<'a> {
    pub name: Option<&'a str>,
    pub area: Option<&'a str>,
    /// The phone and its column.
    pub phone: Option<(usize, &'a str)>,
    pub email: Option<&'a str>,
    pub company: Option<&'a str>,
    pub position: Option<&'a str>,
    pub userid: Option<&'a str>,
    pub open_id: Option<&'a str>,
    pub im_account: Option<&'a str>,
    pub nickname: Option<&'a str>,
    pub admin: bool,
    pub join_time: Option<i64>,
}

impl<'a> RowFields<'a> {
    /// What a destination looks at, with the row's normalised phone.
    pub(in crate::roster) fn identities(
        &self,
        phone: Option<&'a str>,
    ) -> crate::destination::Identities<'a> {
        crate::destination::Identities {
            userid: self.userid,
            open_id: self.open_id,
            phone,
            email: self.email,
            im_account: self.im_account,
        }
    }
}

/// The mapping's fixed value for `field`, trimmed; `None` when it has none.
pub(in crate::roster) fn fixed_value(
    fixed: &BTreeMap<FieldKind, String>,
    field: FieldKind,
) -> Option<Cell> {
    fixed
        .get(&field)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(Cell::from)
}

/// Trimmed, `None` when empty.
fn present(c: Option<&str>) -> Option<&str> {
    let v = trim_cell(c?);
    (!v.is_empty()).then_some(v)
}

/// Step 2: the row's cells into fields (roles and JoinTime parsed; their problems into
/// `problems` when given). Custom columns are read when an attendee is built.
pub(in crate::roster) fn read_fields<'a>(
    row: u32,
    cell: impl Fn(usize) -> Option<&'a str>,
    columns: &[ColumnMapping],
    mut problems: Option<&mut Vec<RowProblem>>,
) -> RowFields<'a> {
    let mut f = RowFields::default();
    for (i, c) in columns.iter().enumerate() {
        if matches!(c.field, FieldKind::Custom | FieldKind::Ignore) {
            continue;
        }
        let Some(v) = present(cell(i)) else { continue };
        match c.field {
            FieldKind::Name => f.name = Some(v),
            FieldKind::Area => f.area = Some(v),
            FieldKind::Phone => f.phone = Some((i, v)),
            FieldKind::Email => f.email = Some(v),
            FieldKind::Company => f.company = Some(v),
            FieldKind::Position => f.position = Some(v),
            FieldKind::Userid => f.userid = Some(v),
            FieldKind::OpenId => f.open_id = Some(v),
            FieldKind::ImAccount => f.im_account = Some(v),
            FieldKind::Nickname => f.nickname = Some(v),
            FieldKind::Role => match role_is_admin(v) {
                Some(admin) => f.admin = admin,
                None => {
                    if let Some(p) = problems.as_deref_mut() {
                        p.push(RowProblem::new(
                            row,
                            Some(&c.header),
                            ProblemCode::ImRole,
                            Severity::Error,
                            "群角色只能是 Admin/管理员（普通成员留空）",
                            "role may only be Admin (leave empty for a normal member)",
                        ))
                    }
                }
            },
            FieldKind::JoinTime => match parse_join_time(v) {
                Some(t) => f.join_time = Some(t),
                None => {
                    if let Some(p) = problems.as_deref_mut() {
                        p.push(RowProblem::new(
                            row,
                            Some(&c.header),
                            ProblemCode::JoinTimeFormat,
                            Severity::Error,
                            "入群时间须为 Unix 秒或“YYYY-MM-DD HH:MM:SS”",
                            "JoinTime must be Unix seconds or \"YYYY-MM-DD HH:MM:SS\"",
                        ))
                    }
                }
            },
            FieldKind::Custom | FieldKind::Ignore => {}
        }
    }
    f
}

/// Step 3: area + phone normalised as every destination expects them; the mapping's fixed area
/// fills a row that has none.
pub(super) fn normalise_phone(
    row: u32,
    f: &RowFields,
    fixed_area: Option<&str>,
    d: &mut Derived,
    columns: &[ColumnMapping],
    problems: &mut Vec<RowProblem>,
) {
    let raw_area = f.area.or(fixed_area);
    match f.phone {
        Some((i, p)) => match phone::normalize(p, raw_area) {
            Ok((area, number)) => {
                d.area = Some(area);
                d.phone = Some(number);
            }
            Err(e) => problems.push(RowProblem::new(
                row,
                Some(&columns[i].header),
                e.code,
                Severity::Error,
                &e.zh,
                &e.en,
            )),
        },
        None => d.area = raw_area.and_then(phone::normalize_area),
    }
}

/// Step 4: the row's own rules: e-mail, IM account, at least one identifier.
pub(super) fn check_row(
    row: u32,
    f: &RowFields,
    has_phone: bool,
    columns: &[ColumnMapping],
    problems: &mut Vec<RowProblem>,
) {
    if let Some(e) = f.email {
        if !valid_email(e) {
            problems.push(RowProblem::new(
                row,
                header_of(columns, FieldKind::Email),
                ProblemCode::EmailInvalid,
                Severity::Error,
                &format!("邮箱格式不正确（“{e}”）"),
                &format!("invalid email ({e:?})"),
            ));
        }
    }
    if let Some(acc) = f.im_account {
        for p in tencent_im::validate_account(acc, "im_account") {
            problems.push(RowProblem::new(
                row,
                header_of(columns, FieldKind::ImAccount),
                p.code,
                Severity::Error,
                &p.message.zh,
                &p.message.en,
            ));
        }
    }
    if !has_phone
        && f.email.is_none()
        && f.userid.is_none()
        && f.open_id.is_none()
        && f.im_account.is_none()
        && !problems
            .iter()
            .rev()
            .take_while(|p| p.row == row)
            .any(|p| p.severity == Severity::Error)
    {
        problems.push(RowProblem::new(
            row,
            None,
            ProblemCode::NoIdentifier,
            Severity::Error,
            "这一行没有手机号、邮箱、userid 或 IM 账号，无法导入",
            "this row has no phone, email, userid or IM account; it cannot be imported",
        ));
    }
}
