//! Roster import: a spreadsheet (CSV or XLSX, UTF-8 / UTF-8 BOM / GBK) → unified attendee rows
//! plus every problem, with the row number as a spreadsheet shows it (header = row 1).
//!
//! Pipeline: [`read::sniff`] → decode → [`read::read_csv_text`] / [`read::read_xlsx`] → [`Table`]
//! → [`build_roster`] (mapping, normalisation, validation, duplicates) → [`Roster`] →
//! [`Roster::check_destinations`] (what each destination needs from a row).

pub mod mapping;
pub mod phone;
pub mod read;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use mapping::{auto_field, FieldKind};
#[cfg(feature = "native")]
pub use read::{decode, read_table};
pub use read::{read_csv_text, sniff, RosterError, Sniffed, SourceFormat, TextEncoding};
pub use read::{read_table_with, read_xlsx, sniff_delimiter};

use crate::api::DestinationKind;
use crate::providers::{huiyi31, tencent_im, tencent_meeting};

/// One data row as read: its spreadsheet row number and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub row: u32,
    pub cells: Vec<String>,
}

/// A file as read, before mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub format: SourceFormat,
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<char>,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// File-level and structural problems found while reading.
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row cannot be sent.
    Error,
    /// Worth a look; the row can still be sent.
    Warning,
}

/// A problem in a roster: row (header = 1, 0 = whole file), column header, code, messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: u32,
    pub column: Option<String>,
    pub code: String,
    pub severity: Severity,
    pub zh: String,
    pub en: String,
    /// Set when the problem only matters for one destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationKind>,
}

impl RowProblem {
    pub fn new(
        row: u32,
        column: Option<&str>,
        code: &str,
        severity: Severity,
        zh: &str,
        en: &str,
    ) -> Self {
        RowProblem {
            row,
            column: column.map(str::to_string),
            code: code.into(),
            severity,
            zh: zh.into(),
            en: en.into(),
            destination: None,
        }
    }
}

/// How columns map to fields. Auto-mapping fills whatever is not overridden.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MappingOptions {
    /// Header → field, overriding the automatic guess.
    #[serde(default)]
    pub overrides: BTreeMap<String, FieldKind>,
    /// A fixed value for a field on every row (e.g. area = 86), used where the row has none.
    #[serde(default)]
    pub fixed: BTreeMap<FieldKind, String>,
}

/// Which column went to which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub field: FieldKind,
    /// True when the field was guessed from the header.
    pub auto: bool,
}

/// A column kept as a custom (dynamic) field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub name: String,
    pub value: String,
}

/// The unified attendee record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attendee {
    pub name: Option<String>,
    /// Country calling code without `+` (e.g. `86`).
    pub area: Option<String>,
    /// National number, digits only.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub userid: Option<String>,
    pub open_id: Option<String>,
    pub im_account: Option<String>,
    pub nickname: Option<String>,
    /// IM group role: only `Admin`.
    pub role: Option<String>,
    /// IM JoinTime, Unix seconds.
    pub join_time: Option<i64>,
    pub custom: Vec<CustomField>,
}

impl Attendee {
    /// The Tencent Meeting enrollment for this row: userid first, else area + phone.
    pub fn to_enroll_entry(&self) -> tencent_meeting::EnrollEntry {
        let nick = self.nickname.clone().or_else(|| self.name.clone());
        if let Some(u) = &self.userid {
            tencent_meeting::EnrollEntry {
                userid: Some(u.clone()),
                nick_name: nick,
                ..Default::default()
            }
        } else {
            tencent_meeting::EnrollEntry {
                area: self.area.clone(),
                phone_number: self.phone.clone(),
                nick_name: nick,
                ..Default::default()
            }
        }
    }

    /// The IM member: `Member_Account` is the IM account, else the userid.
    pub fn to_im_member(&self) -> Option<tencent_im::ImportMember> {
        let account = self.im_account.clone().or_else(|| self.userid.clone())?;
        Some(tencent_im::ImportMember {
            member_account: account,
            role: self.role.clone(),
            join_time: self.join_time,
            unread_msg_num: None,
        })
    }

    /// 31huiyi dynamic fields: built-ins then custom columns under their headers.
    pub fn to_huiyi31_fields(&self) -> Vec<huiyi31::Field> {
        use huiyi31::field_names as n;
        let mut out = Vec::new();
        let mut push = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                out.push(huiyi31::Field {
                    field_name: name.to_string(),
                    field_value: v.clone(),
                });
            }
        };
        push(n::FULL_NAME, &self.name);
        push(n::MOBILE, &self.phone);
        push(n::EMAIL, &self.email);
        push(n::COMPANY, &self.company);
        push(n::POSITION, &self.position);
        for c in &self.custom {
            out.push(huiyi31::Field {
                field_name: c.name.clone(),
                field_value: c.value.clone(),
            });
        }
        out
    }

    /// Every identity Tencent Meeting may answer for this person: the one sent (userid, else
    /// area + phone) and the others the row carries, since the provider fills them in (seed 000
    /// answers a phone import with the userid).
    pub fn tencent_meeting_identity(&self) -> tencent_meeting::Identity {
        self.to_enroll_entry()
            .identity()
            .with(tencent_meeting::Identity::new(
                self.userid.as_deref(),
                self.open_id.as_deref(),
                self.area.as_deref(),
                self.phone.as_deref(),
            ))
    }
}

/// One row of a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    pub row: u32,
    pub cells: Vec<String>,
    pub attendee: Attendee,
    /// Row number of the first occurrence when this row is a duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<u32>,
}

/// A parsed, validated roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub format: SourceFormat,
    pub encoding: Option<TextEncoding>,
    pub headers: Vec<String>,
    pub columns: Vec<ColumnMapping>,
    pub rows: Vec<RosterRow>,
    pub problems: Vec<RowProblem>,
}

impl Roster {
    /// Adds what each destination needs from a row (as `destination`-tagged problems).
    pub fn check_destinations(&mut self, kinds: &[DestinationKind]) {
        let header_of = |f: FieldKind| {
            self.columns
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.header.clone())
        };
        let mut extra = Vec::new();
        for r in &self.rows {
            for &k in kinds {
                for (field, code, zh, en) in crate::destination::row_needs(&r.attendee, k) {
                    let mut p = RowProblem::new(
                        r.row,
                        header_of(field).as_deref(),
                        code,
                        Severity::Error,
                        &zh,
                        &en,
                    );
                    p.destination = Some(k);
                    extra.push(p);
                }
            }
        }
        self.problems.extend(extra);
        self.problems.sort_by_key(|p| p.row);
    }

    /// Row numbers with an error that stops them going to `kind` (or to anything, for `None`).
    pub fn invalid_rows(&self, kind: Option<DestinationKind>) -> std::collections::HashSet<u32> {
        match kind {
            Some(k) => self.invalid_for(&[k]),
            None => self.invalid_for(&DestinationKind::ALL),
        }
    }

    /// Row numbers with an error that stops them going to any of `kinds` (errors that concern
    /// no destination count for all).
    pub fn invalid_for(&self, kinds: &[DestinationKind]) -> std::collections::HashSet<u32> {
        self.problems
            .iter()
            .filter(|p| {
                p.severity == Severity::Error
                    && p.row > 1
                    && p.destination.is_none_or(|d| kinds.contains(&d))
            })
            .map(|p| p.row)
            .collect()
    }

    /// The error problems of one row that matter for `kind`.
    pub fn row_errors(&self, row: u32, kind: DestinationKind) -> impl Iterator<Item = &RowProblem> {
        self.problems.iter().filter(move |p| {
            p.row == row
                && p.severity == Severity::Error
                && (p.destination.is_none() || p.destination == Some(kind))
        })
    }

    pub fn duplicates(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.duplicate_of.is_some())
            .count()
    }
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a JoinTime cell: Unix seconds, or `YYYY-MM-DD[ HH:MM[:SS]]` in China time (UTC+8).
pub fn parse_join_time(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return (n > 0).then_some(n);
    }
    let s = s.replace('/', "-").replace('T', " ");
    let (date, time) = s.split_once(' ').unwrap_or((&s, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3
        || !(1..=12).contains(&d[1])
        || !(1..=31).contains(&d[2])
        || t.is_empty()
        || t.len() > 3
    {
        return None;
    }
    let (h, mi, se) = (t[0], *t.get(1).unwrap_or(&0), *t.get(2).unwrap_or(&0));
    // Bounded before any arithmetic: a JoinTime is a real date (no year 10^12, no negative hour).
    if !(1970..=9999).contains(&d[0])
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=59).contains(&se)
    {
        return None;
    }
    let secs = days_from_civil(d[0], d[1], d[2])
        .checked_mul(86_400)?
        .checked_add(h * 3600 + mi * 60 + se)?
        .checked_sub(8 * 3600)?;
    (secs > 0).then_some(secs)
}

/// Maps, normalises and validates a table. Never fails: every problem is returned.
pub fn build_roster(table: Table, options: &MappingOptions) -> Roster {
    build_roster_with_progress(table, options, &mut |_, _| {})
}

/// [`build_roster`], calling `progress(done, total)` every 2,000 rows (for a UI progress bar).
pub fn build_roster_with_progress(
    table: Table,
    options: &MappingOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Roster {
    let Table {
        format,
        encoding,
        headers,
        rows,
        mut problems,
        ..
    } = table;
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut taken: Vec<FieldKind> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let display = if h.is_empty() {
            problems.push(RowProblem::new(
                1,
                None,
                "empty_header",
                Severity::Warning,
                &format!("第 {} 列没有表头，按自定义字段“列{}”保留", i + 1, i + 1),
                &format!(
                    "column {} has no header; kept as custom field \"column {}\"",
                    i + 1,
                    i + 1
                ),
            ));
            format!("列{}", i + 1)
        } else {
            h.clone()
        };
        let n = seen.entry(display.clone()).or_insert(0);
        *n += 1;
        let display = if *n > 1 {
            problems.push(RowProblem::new(
                1,
                Some(&display),
                "duplicate_header",
                Severity::Warning,
                &format!("表头“{display}”重复，第 {} 列按自定义字段保留", i + 1),
                &format!(
                    "header \"{display}\" appears twice; column {} kept as a custom field",
                    i + 1
                ),
            ));
            format!("{display} ({n})")
        } else {
            display
        };
        let (field, auto) = match options
            .overrides
            .get(h.as_str())
            .or_else(|| options.overrides.get(&display))
        {
            Some(f) => (*f, false),
            None => {
                let f = if *seen.get(h.as_str()).unwrap_or(&0) > 1 || h.is_empty() {
                    FieldKind::Custom
                } else {
                    auto_field(h)
                };
                // Only the first column of a kind maps automatically.
                let f = if f != FieldKind::Custom && taken.contains(&f) {
                    FieldKind::Custom
                } else {
                    f
                };
                (f, true)
            }
        };
        if !matches!(field, FieldKind::Custom | FieldKind::Ignore) {
            taken.push(field);
        }
        columns.push(ColumnMapping {
            header: display,
            field,
            auto,
        });
    }

    let mut out_rows = Vec::with_capacity(rows.len());
    let mut first_seen: HashMap<String, u32> = HashMap::new();
    let total = rows.len();
    for (done, TableRow { row, cells }) in rows.into_iter().enumerate() {
        if done % 2000 == 0 {
            progress(done, total);
        }
        let mut a = Attendee::default();
        let mut raw_phone: Option<(String, String)> = None;
        let mut raw_area: Option<String> = None;
        let col = |f: FieldKind| {
            columns
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.header.as_str())
        };
        if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.is_empty()) {
            problems.push(RowProblem::new(
                row,
                None,
                "extra_cells",
                Severity::Warning,
                &format!(
                    "这一行比表头多 {} 个单元格，多出的内容被忽略",
                    cells.len() - columns.len()
                ),
                &format!(
                    "this row has {} more cells than the header; the extra cells are ignored",
                    cells.len() - columns.len()
                ),
            ));
        }
        for (i, c) in columns.iter().enumerate() {
            let v = cells.get(i).map(|s| s.trim()).unwrap_or("");
            if v.is_empty() {
                continue;
            }
            let v = v.to_string();
            match c.field {
                FieldKind::Name => a.name = Some(v),
                FieldKind::Area => raw_area = Some(v),
                FieldKind::Phone => raw_phone = Some((c.header.clone(), v)),
                FieldKind::Email => a.email = Some(v),
                FieldKind::Company => a.company = Some(v),
                FieldKind::Position => a.position = Some(v),
                FieldKind::Userid => a.userid = Some(v),
                FieldKind::OpenId => a.open_id = Some(v),
                FieldKind::ImAccount => a.im_account = Some(v),
                FieldKind::Nickname => a.nickname = Some(v),
                FieldKind::Role => match v.as_str() {
                    "Admin" | "admin" | "管理员" => a.role = Some("Admin".into()),
                    "Member" | "member" | "成员" | "普通成员" => {}
                    _ => problems.push(RowProblem::new(
                        row,
                        Some(&c.header),
                        "im_role",
                        Severity::Error,
                        "群角色只能是 Admin/管理员（普通成员留空）",
                        "role may only be Admin (leave empty for a normal member)",
                    )),
                },
                FieldKind::JoinTime => match parse_join_time(&v) {
                    Some(t) => a.join_time = Some(t),
                    None => problems.push(RowProblem::new(
                        row,
                        Some(&c.header),
                        "join_time_format",
                        Severity::Error,
                        "入群时间须为 Unix 秒或“YYYY-MM-DD HH:MM:SS”",
                        "JoinTime must be Unix seconds or \"YYYY-MM-DD HH:MM:SS\"",
                    )),
                },
                FieldKind::Custom => a.custom.push(CustomField {
                    name: c.header.clone(),
                    value: v,
                }),
                FieldKind::Ignore => {}
            }
        }
        // Fixed values fill gaps.
        for (f, v) in &options.fixed {
            let slot = match f {
                FieldKind::Area => &mut raw_area,
                FieldKind::Company => &mut a.company,
                FieldKind::Position => &mut a.position,
                FieldKind::Role => &mut a.role,
                FieldKind::Nickname => &mut a.nickname,
                _ => continue,
            };
            if slot.is_none() && !v.trim().is_empty() {
                *slot = Some(v.trim().to_string());
            }
        }
        match raw_phone {
            Some((header, p)) => match phone::normalize(&p, raw_area.as_deref()) {
                Ok((area, number)) => {
                    a.area = Some(area);
                    a.phone = Some(number);
                }
                Err(e) => problems.push(RowProblem::new(
                    row,
                    Some(&header),
                    e.code,
                    Severity::Error,
                    &e.zh,
                    &e.en,
                )),
            },
            None => a.area = raw_area.and_then(|x| phone::normalize_area(&x)),
        }
        if let Some(e) = &a.email {
            if !valid_email(e) {
                problems.push(RowProblem::new(
                    row,
                    col(FieldKind::Email),
                    "email_invalid",
                    Severity::Error,
                    &format!("邮箱格式不正确（“{e}”）"),
                    &format!("invalid email ({e:?})"),
                ));
            }
        }
        if let Some(acc) = &a.im_account {
            for p in tencent_im::validate_account(acc, "im_account") {
                problems.push(RowProblem::new(
                    row,
                    col(FieldKind::ImAccount),
                    &p.code,
                    Severity::Error,
                    &p.zh,
                    &p.en,
                ));
            }
        }
        if a.phone.is_none()
            && a.email.is_none()
            && a.userid.is_none()
            && a.open_id.is_none()
            && a.im_account.is_none()
            && !problems
                .iter()
                .rev()
                .take_while(|p| p.row == row)
                .any(|p| p.severity == Severity::Error)
        {
            problems.push(RowProblem::new(
                row,
                None,
                "no_identifier",
                Severity::Error,
                "这一行没有手机号、邮箱、userid 或 IM 账号，无法导入",
                "this row has no phone, email, userid or IM account; it cannot be imported",
            ));
        }
        // In-file duplicates by normalised phone, email or userid.
        let mut duplicate_of = None;
        let keys = [
            a.phone.as_ref().map(|p| {
                (
                    FieldKind::Phone,
                    format!("p:{}-{}", a.area.as_deref().unwrap_or(""), p),
                )
            }),
            a.email
                .as_ref()
                .map(|e| (FieldKind::Email, format!("e:{}", e.to_lowercase()))),
            a.userid
                .as_ref()
                .map(|u| (FieldKind::Userid, format!("u:{u}"))),
        ];
        for (field, key) in keys.into_iter().flatten() {
            if let Some(&first) = first_seen.get(&key) {
                if duplicate_of.is_none() {
                    duplicate_of = Some(first);
                    problems.push(RowProblem::new(
                        row,
                        col(field),
                        "duplicate",
                        Severity::Error,
                        &format!("与第 {first} 行重复（{}相同）", field.label_zh()),
                        &format!("duplicate of row {first} (same {})", field.as_str()),
                    ));
                }
            } else {
                first_seen.insert(key, row);
            }
        }
        out_rows.push(RosterRow {
            row,
            cells,
            attendee: a,
            duplicate_of,
        });
    }
    progress(total, total);
    problems.sort_by_key(|p| p.row);
    Roster {
        format,
        encoding,
        headers,
        columns,
        rows: out_rows,
        problems,
    }
}

/// Reads and builds a roster from bytes (native). Errors only when the file is not a
/// spreadsheet at all.
#[cfg(feature = "native")]
pub fn parse_roster(bytes: &[u8], options: &MappingOptions) -> Result<Roster, RosterError> {
    Ok(build_roster(read_table(bytes)?, options))
}

/// Summary counts as `rollcall roster check` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub rows: usize,
    pub valid: usize,
    pub invalid: usize,
    pub duplicates: usize,
    pub encoding: String,
    pub columns: BTreeMap<String, String>,
    pub problems: Vec<CheckProblem>,
    /// Per destination: rows that can go there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub destinations: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProblem {
    pub row: u32,
    pub column: Option<String>,
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub message_zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationKind>,
}

impl Roster {
    /// The check summary for the given destinations (already applied with
    /// [`Roster::check_destinations`]).
    pub fn summary(&self, kinds: &[DestinationKind]) -> CheckSummary {
        let invalid = self.invalid_rows(None);
        let invalid_n = self
            .rows
            .iter()
            .filter(|r| invalid.contains(&r.row))
            .count();
        let mut destinations = BTreeMap::new();
        for &k in kinds {
            let bad = self.invalid_rows(Some(k));
            destinations.insert(
                k.as_str().to_string(),
                self.rows.iter().filter(|r| !bad.contains(&r.row)).count(),
            );
        }
        CheckSummary {
            rows: self.rows.len(),
            valid: self.rows.len() - invalid_n,
            invalid: invalid_n,
            duplicates: self.duplicates(),
            encoding: self
                .encoding
                .map(|e| e.as_str())
                .unwrap_or("utf-8")
                .to_string(),
            columns: self
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.field.as_str().to_string()))
                .collect(),
            problems: self
                .problems
                .iter()
                .map(|p| CheckProblem {
                    row: p.row,
                    column: p.column.clone(),
                    code: p.code.clone(),
                    severity: p.severity,
                    message: p.en.clone(),
                    message_zh: p.zh.clone(),
                    destination: p.destination,
                })
                .collect(),
            destinations,
        }
    }
}
