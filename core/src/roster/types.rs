//! The roster's types: a table as read, the unified attendee, rows, problems, mapping.

use std::collections::BTreeMap;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::*;
use crate::api::DestinationKind;
use crate::codes::ProblemCode;
use crate::providers::{huiyi31, tencent_im, tencent_meeting};
use crate::Text;

/// One cell's text. Cells are short (names, phones, e-mails), so a string that keeps up to 24
/// bytes inline (12 on wasm32) spares the roster one allocation per cell; it serialises as a
/// plain JSON string.
pub type Cell = CompactString;

/// One data row as read: its spreadsheet row number and its cells.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub row: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub cells: Vec<Cell>,
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
    pub code: ProblemCode,
    pub severity: Severity,
    pub message: Text,
    /// Set when the problem only matters for one destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationKind>,
}

impl RowProblem {
    pub fn new(
        row: u32,
        column: Option<&str>,
        code: ProblemCode,
        severity: Severity,
        zh: &str,
        en: &str,
    ) -> Self {
        RowProblem {
            row,
            column: column.map(str::to_string),
            code,
            severity,
            message: Text::new(zh, en),
            destination: None,
        }
    }
}

/// How columns map to fields. Auto-mapping fills whatever is not overridden.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MappingOptions {
    /// Header → field, overriding the automatic guess.
    #[serde(default)]
    pub overrides: BTreeMap<String, FieldKind>,
    /// A fixed value for a field on every row (e.g. area = 86), used where the row has none.
    #[serde(default)]
    pub fixed: BTreeMap<FieldKind, String>,
    /// Custom column header → the 31huiyi dynamic field it fills. A custom column without one
    /// is not sent to 31huiyi (its field code cannot be guessed from a header).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub huiyi31: BTreeMap<String, Huiyi31Field>,
}

/// How a custom column reaches 31huiyi: the dynamic field's code and, for an option field, each
/// option's text → its code — "选项型字段需要传code值过来不要传文本过来" (seed 004). A value not in
/// the table is a row problem, never sent as text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Huiyi31Field {
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

impl Huiyi31Field {
    /// An option table as people type it: one `text=code` a line (blank lines ignored). `Err`:
    /// the first line that is not `text=code` (1-based).
    pub fn parse_options(text: &str) -> Result<BTreeMap<String, String>, usize> {
        let mut out = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once('=') {
                Some((t, c)) if !t.trim().is_empty() && !c.trim().is_empty() => {
                    out.insert(t.trim().to_string(), c.trim().to_string());
                }
                _ => return Err(i + 1),
            }
        }
        Ok(out)
    }

    /// The option table as [`Huiyi31Field::parse_options`] reads it.
    pub fn options_text(&self) -> String {
        self.options
            .iter()
            .map(|(t, c)| format!("{t}={c}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What goes to 31huiyi for a cell: the option's code for an option field, the text itself
    /// otherwise; `None` for a value the option table does not have.
    pub fn value_for<'a>(&'a self, v: &'a str) -> Option<&'a str> {
        if self.options.is_empty() {
            Some(v)
        } else {
            self.options.get(v.trim()).map(String::as_str)
        }
    }
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
    pub name: Cell,
    pub value: Cell,
    /// The 31huiyi field code and the value it takes there (an option's code), when the mapping
    /// names one (`MappingOptions::huiyi31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub huiyi31: Option<Huiyi31Value>,
}

/// A custom cell as 31huiyi takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Huiyi31Value {
    pub code: Cell,
    pub value: Cell,
}

/// The unified attendee record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attendee {
    pub name: Option<Cell>,
    /// Country calling code without `+` (e.g. `86`).
    pub area: Option<Cell>,
    /// National number, digits only.
    pub phone: Option<Cell>,
    pub email: Option<Cell>,
    pub company: Option<Cell>,
    pub position: Option<Cell>,
    pub userid: Option<Cell>,
    pub open_id: Option<Cell>,
    pub im_account: Option<Cell>,
    pub nickname: Option<Cell>,
    /// IM group role: only `Admin`.
    pub role: Option<Cell>,
    /// IM JoinTime, Unix seconds.
    pub join_time: Option<i64>,
    pub custom: Vec<CustomField>,
}

/// An optional cell as the owned `String` a provider's wire type holds.
fn owned(c: &Option<Cell>) -> Option<String> {
    c.as_deref().map(str::to_string)
}

impl Attendee {
    /// The Tencent Meeting enrollment for this row: userid first, else area + phone.
    pub fn to_enroll_entry(&self) -> tencent_meeting::EnrollEntry {
        let nick = owned(&self.nickname).or_else(|| owned(&self.name));
        if let Some(u) = &self.userid {
            tencent_meeting::EnrollEntry {
                userid: Some(u.to_string()),
                nick_name: nick,
                ..Default::default()
            }
        } else {
            tencent_meeting::EnrollEntry {
                area: owned(&self.area),
                phone_number: owned(&self.phone),
                nick_name: nick,
                ..Default::default()
            }
        }
    }

    /// The IM `Member_Account` for this row: the IM account, else the userid.
    pub fn im_member_account(&self) -> Option<&str> {
        self.im_account.as_deref().or(self.userid.as_deref())
    }

    /// The IM member: `Member_Account` is [`Self::im_member_account`].
    pub fn to_im_member(&self) -> Option<tencent_im::ImportMember> {
        Some(tencent_im::ImportMember {
            member_account: self.im_member_account()?.to_string(),
            role: self.role.as_deref().map(tencent_im::MemberRole::from),
            join_time: self.join_time,
            unread_msg_num: None,
        })
    }

    /// 31huiyi dynamic fields: built-ins then custom columns under their headers.
    pub fn to_huiyi31_fields(&self) -> Vec<huiyi31::Field> {
        use huiyi31::field_names as n;
        let mut out = Vec::new();
        let mut push = |name: &str, v: &Option<Cell>| {
            if let Some(v) = v {
                out.push(huiyi31::Field {
                    field_name: name.to_string(),
                    field_value: v.to_string(),
                });
            }
        };
        push(n::FULL_NAME, &self.name);
        push(n::MOBILE, &self.phone);
        let abroad = self
            .area
            .as_deref()
            .filter(|a| self.phone.is_some() && !a.is_empty() && *a != "86")
            .map(|a| Cell::from(format!("+{a}").as_str()));
        push(n::AREA_CODE, &abroad);
        push(n::EMAIL, &self.email);
        push(n::COMPANY, &self.company);
        push(n::POSITION, &self.position);
        // Custom columns only under the field code the mapping gave them.
        for h in self.custom.iter().filter_map(|c| c.huiyi31.as_ref()) {
            out.push(huiyi31::Field {
                field_name: h.code.to_string(),
                field_value: h.value.to_string(),
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

/// A parsed, validated roster.
///
/// Serialised (the browser worker's reply to the page) with its rows' cells, not what
/// validation derived from them: the page shows and sends cells, and whoever needs attendees
/// builds the roster itself (the proxy, from a job's rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub format: SourceFormat,
    pub encoding: Option<TextEncoding>,
    pub headers: Vec<String>,
    pub columns: Vec<ColumnMapping>,
    /// In the order read: ascending row numbers for a file.
    pub rows: Rows,
    /// Sorted by row (stable: a row's problems in the order found).
    pub problems: Vec<RowProblem>,
    /// The mapping's fixed values, for the attendees built from this roster.
    #[serde(skip)]
    pub(super) fixed: BTreeMap<FieldKind, String>,
    /// The mapping's 31huiyi field codes for custom columns.
    #[serde(skip)]
    pub(super) huiyi31: BTreeMap<String, Huiyi31Field>,
}

impl Roster {
    /// The unified attendee of row `i` (in the order read): its mapped cells, the normalised
    /// phone and area, the mapping's fixed values where the row has none, custom columns under
    /// their headers. Panics when there is no row `i`.
    pub fn attendee(&self, i: usize) -> Attendee {
        let r = self.rows.get(i).expect("row index within the roster");
        let f = build::read_fields(r.row, |c| r.cell(c), &self.columns, None);
        let cell = |v: Option<&str>| v.map(Cell::from);
        let fixed = |k: FieldKind| build::fixed_value(&self.fixed, k);
        let custom = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.field == FieldKind::Custom)
            .filter_map(|(i, c)| {
                let v = super::rules::trim_cell(r.cell(i)?);
                (!v.is_empty()).then(|| CustomField {
                    name: Cell::from(c.header.as_str()),
                    value: Cell::from(v),
                    huiyi31: self.huiyi31.get(&c.header).and_then(|h| {
                        let code = h.code.trim();
                        let value = h.value_for(v)?;
                        (!code.is_empty()).then(|| Huiyi31Value {
                            code: Cell::from(code),
                            value: Cell::from(value),
                        })
                    }),
                })
            })
            .collect();
        let (area, phone) = self.rows.area_phone(i);
        let (join_time, admin) = self.rows.im_fields(i);
        Attendee {
            name: cell(f.name),
            area: cell(area),
            phone: cell(phone),
            email: cell(f.email),
            company: cell(f.company).or_else(|| fixed(FieldKind::Company)),
            position: cell(f.position).or_else(|| fixed(FieldKind::Position)),
            userid: cell(f.userid),
            open_id: cell(f.open_id),
            im_account: cell(f.im_account),
            nickname: cell(f.nickname).or_else(|| fixed(FieldKind::Nickname)),
            // Only `Admin` is ever sent as a Role: a fixed role is honoured when it says Admin
            // (any other fixed value is a header problem, see `role_is_admin`).
            role: (admin
                || fixed(FieldKind::Role)
                    .is_some_and(|v| super::build::role_is_admin(&v) == Some(true)))
            .then(|| Cell::const_new("Admin")),
            join_time,
            custom,
        }
    }

    /// Adds what each destination needs from a row (as `destination`-tagged problems).
    pub fn check_destinations(&mut self, kinds: &[DestinationKind]) {
        let header_of = |f: FieldKind| build::header_of(&self.columns, f);
        let mask = kinds.iter().fold(0u8, |m, &k| m | rows::kind_bit(k));
        let mut extra = Vec::new();
        for i in 0..self.rows.len() {
            if !self.rows.may_need(i, mask) {
                continue;
            }
            let r = self.rows.get(i).expect("row index within the roster");
            let f = build::read_fields(r.row, |c| r.cell(c), &self.columns, None);
            let who = f.identities(self.rows.area_phone(i).1);
            let row = r.row;
            for &k in kinds {
                for (field, code, zh, en) in crate::destination::row_needs(&who, k) {
                    let mut p =
                        RowProblem::new(row, header_of(field), code, Severity::Error, &zh, &en);
                    p.destination = Some(k);
                    extra.push(p);
                }
            }
        }
        if kinds.contains(&DestinationKind::Huiyi31) {
            extra.extend(self.huiyi31_field_problems());
        }
        self.problems.extend(extra);
        self.problems.sort_by_key(|p| p.row);
    }

    /// 31huiyi's custom fields: a custom column without a field code is not sent (a warning says
    /// so); an option field's value the table does not have is an error of its row.
    fn huiyi31_field_problems(&self) -> Vec<RowProblem> {
        let mut out = Vec::new();
        let tag = |mut p: RowProblem| {
            p.destination = Some(DestinationKind::Huiyi31);
            p
        };
        for (col, c) in self.columns.iter().enumerate() {
            if c.field != FieldKind::Custom {
                continue;
            }
            let h = &c.header;
            let Some(m) = self.huiyi31.get(h) else {
                out.push(tag(RowProblem::new(
                    1,
                    Some(h),
                    ProblemCode::Huiyi31FieldUnmapped,
                    Severity::Warning,
                    &format!("列“{h}”没有对应的 31会议字段 code，不会发送到 31会议（在列映射中填写字段 code）"),
                    &format!("column \"{h}\" has no 31huiyi field code and is not sent to 31huiyi (give its field code in the column mapping)"),
                )));
                continue;
            };
            if m.code.trim().is_empty() {
                out.push(tag(RowProblem::new(
                    1,
                    Some(h),
                    ProblemCode::Huiyi31FieldCodeMissing,
                    Severity::Error,
                    &format!("列“{h}”的 31会议字段 code 为空"),
                    &format!("column \"{h}\": the 31huiyi field code is empty"),
                )));
                continue;
            }
            if m.options.is_empty() {
                continue;
            }
            let choices = m.options.keys().cloned().collect::<Vec<_>>().join("、");
            for r in self.rows.iter() {
                let Some(v) = r.cell(col).map(super::rules::trim_cell) else {
                    continue;
                };
                if !v.is_empty() && m.value_for(v).is_none() {
                    out.push(tag(RowProblem::new(
                        r.row,
                        Some(h),
                        ProblemCode::Huiyi31OptionUnknown,
                        Severity::Error,
                        &format!("“{v}”不是 31会议字段 {} 的选项（可选：{choices}）；选项型字段只传选项 code，不按文字猜测", m.code),
                        &format!("\"{v}\" is not an option of 31huiyi field {} (options: {choices}); an option field takes the option's code and is never guessed from text", m.code),
                    )));
                }
            }
        }
        out
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
        // Problems are sorted by row: the row's own are found, not scanned for.
        let from = self.problems.partition_point(|p| p.row < row);
        self.problems[from..]
            .iter()
            .take_while(move |p| p.row == row)
            .filter(move |p| {
                p.severity == Severity::Error
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
