//! A built roster: the rows, their problems and the questions each destination asks of them.

use super::*;

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
    /// For a workbook: the sheet read, the others, and the header's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetInfo>,
    /// The mapping's fixed values, for the attendees built from this roster.
    #[serde(skip)]
    pub(in crate::roster) fixed: BTreeMap<FieldKind, String>,
    /// The mapping's 31huiyi field codes for custom columns.
    #[serde(skip)]
    pub(in crate::roster) huiyi31: BTreeMap<String, Huiyi31Field>,
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
        let header_of = |f: FieldKind| mapping::header_of(&self.columns, f);
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
            .filter(|p| p.stops(kinds))
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
