//! Table → roster: mapping, normalisation, validation, duplicates. Never fails as a whole.

use std::borrow::Cow;

use super::duplicates::SeenKeys;
use super::read::{scan_with, RowSink, TableMeta};
use super::rows::{kind_bit, Derived};
use super::rules::{parse_join_time, trim_cell, valid_email};
use super::*;
use crate::api::DestinationKind;
use crate::codes::ProblemCode;
use crate::providers::tencent_im;
use std::collections::{BTreeMap, HashMap};

mod fields;

pub(super) use fields::*;

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
    let mut b = RosterBuilder::new(options, progress);
    table.feed(&mut b);
    b.finish()
}

/// Reads a file and builds its roster in one pass: each row is validated as it is read. Errors
/// only when the file is not a spreadsheet at all. `decode` as in [`read_table_with`].
pub fn parse_roster_with<'b>(
    bytes: &'b [u8],
    decode: impl FnOnce(&'b [u8], TextEncoding) -> Result<(Cow<'b, str>, bool), RosterError>,
    options: &MappingOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Roster, RosterError> {
    let mut b = RosterBuilder::new(options, progress);
    scan_with(bytes, decode, &options.sheet_choice(), &mut b)?;
    Ok(b.finish())
}

/// Reads and builds a roster from bytes (native). Errors only when the file is not a
/// spreadsheet at all.
#[cfg(feature = "native")]
pub fn parse_roster(bytes: &[u8], options: &MappingOptions) -> Result<Roster, RosterError> {
    parse_roster_with(bytes, |b, enc| Ok(decode(b, enc)), options, &mut |_, _| {})
}

/// Builds a roster from rows as they are read ([`RowSink`]).
///
/// Steps: [`map_columns`] (headers → fields) on the header, then per row [`read_fields`]
/// (borrowed cells → fields, roles and JoinTime parsed), [`normalise_phone`] (the mapping's
/// fixed area filling a gap), [`check_row`], then duplicates (`duplicates.rs`); the row's cells
/// go into [`Rows`]' one buffer. Problems are collected, never thrown.
pub struct RosterBuilder<'o, 'p> {
    options: &'o MappingOptions,
    progress: &'p mut dyn FnMut(usize, usize),
    meta: Option<TableMeta>,
    headers: Vec<String>,
    columns: Vec<ColumnMapping>,
    /// The mapping's fixed area (trimmed; empty when none).
    fixed_area: Option<Cell>,
    rows: Rows,
    problems: Vec<RowProblem>,
    seen: SeenKeys,
    sheet: Option<SheetInfo>,
}

impl<'o, 'p> RosterBuilder<'o, 'p> {
    pub fn new(options: &'o MappingOptions, progress: &'p mut dyn FnMut(usize, usize)) -> Self {
        let fixed_area = fixed_value(&options.fixed, FieldKind::Area);
        RosterBuilder {
            options,
            progress,
            meta: None,
            headers: vec![],
            columns: vec![],
            fixed_area,
            rows: Rows::default(),
            problems: vec![],
            seen: SeenKeys::new(0, &[]),
            sheet: None,
        }
    }

    /// The roster, problems in row order.
    pub fn finish(mut self) -> Roster {
        let done = self.rows.len();
        (self.progress)(done, done);
        self.problems.sort_by_key(|p| p.row);
        let meta = self.meta.unwrap_or(TableMeta {
            format: SourceFormat::Csv,
            encoding: None,
            delimiter: None,
            expected_rows: 0,
            expected_bytes: 0,
        });
        Roster {
            format: meta.format,
            encoding: meta.encoding,
            headers: self.headers,
            columns: self.columns,
            rows: self.rows,
            problems: self.problems,
            sheet: self.sheet,
            fixed: self.options.fixed.clone(),
            huiyi31: self.options.huiyi31.clone(),
        }
    }
}

impl RowSink for RosterBuilder<'_, '_> {
    fn header(&mut self, meta: TableMeta, headers: Vec<String>) {
        self.columns = map_columns(&headers, self.options, &mut self.problems);
        self.headers = headers;
        // Cells and text: about as many as the file has (an upper bound for a CSV).
        let n = meta.expected_rows;
        self.rows = Rows::with_capacity(n, n * self.columns.len(), meta.expected_bytes);
        self.seen = SeenKeys::new(n, &self.columns);
        self.meta = Some(meta);
        (self.progress)(0, meta.expected_rows);
    }

    fn row(&mut self, row: u32, cells: &[&str]) {
        let RosterBuilder {
            progress,
            meta,
            columns,
            fixed_area,
            rows,
            problems,
            seen,
            ..
        } = self;
        let done = rows.len();
        if done % 2000 == 0 && done > 0 {
            let total = meta.map_or(0, |m| m.expected_rows).max(done);
            progress(done, total);
        }
        if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.is_empty()) {
            let extra = cells.len() - columns.len();
            problems.push(RowProblem::new(
                row,
                None,
                ProblemCode::ExtraCells,
                Severity::Warning,
                &format!("这一行比表头多 {extra} 个单元格，多出的内容被忽略"),
                &format!(
                    "this row has {extra} more cells than the header; the extra cells are ignored"
                ),
            ));
        }
        let f = read_fields(row, |i| cells.get(i).copied(), columns, Some(problems));
        let mut derived = Derived {
            join_time: f.join_time,
            admin: f.admin,
            ..Derived::default()
        };
        normalise_phone(
            row,
            &f,
            fixed_area.as_deref(),
            &mut derived,
            columns,
            problems,
        );
        check_row(row, &f, derived.phone.is_some(), columns, problems);
        // What each destination would still need, asked once here while the fields are at
        // hand (`check_destinations` then only revisits the rows that need something).
        let who = f.identities(derived.phone.as_deref());
        for k in DestinationKind::ALL {
            if !crate::destination::row_needs(&who, k).is_empty() {
                derived.needs |= kind_bit(k);
            }
        }
        rows.push(row, cells.iter().copied());
        rows.set_derived(derived);
        let duplicate_of = seen.find_duplicate(rows, f.email, f.userid, columns, problems);
        rows.set_duplicate_of(rows.len() - 1, duplicate_of);
    }

    fn problem(&mut self, problem: RowProblem) {
        self.problems.push(problem);
    }

    fn sheet(&mut self, info: SheetInfo) {
        self.sheet = Some(info);
    }
}

/// Step 1: every header to a field (overrides first, then the automatic guess; the first column of
/// a kind wins), with a warning for an empty or repeated header (kept as a custom field).
/// An IM group role as organizers write it: `Some(true)` Admin, `Some(false)` a normal member,
/// `None` anything else. IM takes only `Admin` ("目前只支持填 Admin", seed 003); a normal
/// member is sent without a Role.
pub fn role_is_admin(v: &str) -> Option<bool> {
    match v.trim() {
        "Admin" | "admin" | "管理员" => Some(true),
        "" | "Member" | "member" | "成员" | "普通成员" => Some(false),
        _ => None,
    }
}

fn map_columns(
    headers: &[String],
    options: &MappingOptions,
    problems: &mut Vec<RowProblem>,
) -> Vec<ColumnMapping> {
    if let Some(v) = fixed_value(&options.fixed, FieldKind::Role) {
        if role_is_admin(&v).is_none() {
            problems.push(RowProblem::new(
                1,
                None,
                ProblemCode::ImRole,
                Severity::Error,
                &format!("固定群角色“{v}”无效：只能是 Admin/管理员（普通成员留空）"),
                &format!("fixed group role \"{v}\" is invalid: only Admin (leave empty for a normal member)"),
            ));
        }
    }
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut taken: Vec<FieldKind> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let display = if h.is_empty() {
            problems.push(RowProblem::new(
                1,
                None,
                ProblemCode::EmptyHeader,
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
                ProblemCode::DuplicateHeader,
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
    columns
}
