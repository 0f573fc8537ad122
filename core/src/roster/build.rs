//! Table → roster: mapping, normalisation, validation, duplicates. Never fails as a whole.

use std::borrow::Cow;
use std::collections::HashMap;

use super::duplicates::SeenKeys;
use super::read::{scan_with, RowSink, TableMeta};
use super::rules::{parse_join_time, valid_email};
use super::*;
use crate::providers::tencent_im;

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
    scan_with(bytes, decode, &mut b)?;
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
/// Steps: [`map_columns`] (headers → fields) on the header, then per row [`read_cells`],
/// [`apply_fixed`], [`normalise_phone`], [`check_row`], then duplicates (`duplicates.rs`);
/// problems are collected, never thrown.
pub struct RosterBuilder<'o, 'p> {
    options: &'o MappingOptions,
    progress: &'p mut dyn FnMut(usize, usize),
    meta: Option<TableMeta>,
    headers: Vec<String>,
    columns: Vec<ColumnMapping>,
    rows: Vec<RosterRow>,
    problems: Vec<RowProblem>,
    seen: SeenKeys,
}

impl<'o, 'p> RosterBuilder<'o, 'p> {
    pub fn new(options: &'o MappingOptions, progress: &'p mut dyn FnMut(usize, usize)) -> Self {
        RosterBuilder {
            options,
            progress,
            meta: None,
            headers: vec![],
            columns: vec![],
            rows: vec![],
            problems: vec![],
            seen: SeenKeys::with_capacity(0),
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
        });
        Roster {
            format: meta.format,
            encoding: meta.encoding,
            headers: self.headers,
            columns: self.columns,
            rows: self.rows,
            problems: self.problems,
        }
    }
}

impl RowSink for RosterBuilder<'_, '_> {
    fn header(&mut self, meta: TableMeta, headers: Vec<String>) {
        self.columns = map_columns(&headers, self.options, &mut self.problems);
        self.headers = headers;
        self.rows.reserve(meta.expected_rows);
        self.seen = SeenKeys::with_capacity(meta.expected_rows * 2);
        self.meta = Some(meta);
        (self.progress)(0, meta.expected_rows);
    }

    fn row(&mut self, TableRow { row, cells }: TableRow) {
        let RosterBuilder {
            options,
            progress,
            meta,
            columns,
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
        let col = |f: FieldKind| {
            columns
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.header.as_str())
        };
        let (mut a, raw) = read_cells(row, &cells, columns, problems);
        let raw = apply_fixed(options, &mut a, raw);
        normalise_phone(row, &mut a, raw, columns, problems);
        check_row(row, &a, &col, problems);
        rows.push(RosterRow {
            row,
            cells,
            attendee: a,
            duplicate_of: None,
        });
        let duplicate_of = seen.find_duplicate(rows, &col, problems);
        if let Some(last) = rows.last_mut() {
            last.duplicate_of = duplicate_of;
        }
    }

    fn problem(&mut self, problem: RowProblem) {
        self.problems.push(problem);
    }
}

/// Step 1: every header to a field (overrides first, then the automatic guess; the first column of
/// a kind wins), with a warning for an empty or repeated header (kept as a custom field).
fn map_columns(
    headers: &[String],
    options: &MappingOptions,
    problems: &mut Vec<RowProblem>,
) -> Vec<ColumnMapping> {
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
    columns
}

/// What a row said about its phone before normalisation: (phone column index, phone), area.
struct RawPhone<'r> {
    phone: Option<(usize, &'r str)>,
    area: Option<Cell>,
}

/// Step 2: the row's cells into the attendee's fields (roles and JoinTime parsed, custom columns
/// kept), warning about cells beyond the header.
fn read_cells<'r>(
    row: u32,
    cells: &'r [Cell],
    columns: &[ColumnMapping],
    problems: &mut Vec<RowProblem>,
) -> (Attendee, RawPhone<'r>) {
    let mut a = Attendee::default();
    let mut raw_phone: Option<(usize, &'r str)> = None;
    let mut raw_area: Option<Cell> = None;
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
        let Some(cell) = cells.get(i) else { continue };
        let v = cell.trim();
        if v.is_empty() {
            continue;
        }
        // The cell itself when reading trimmed it already (no copy of a long cell's heap text).
        let owned = || {
            if v.len() == cell.len() {
                cell.clone()
            } else {
                Cell::from(v)
            }
        };
        match c.field {
            FieldKind::Name => a.name = Some(owned()),
            FieldKind::Area => raw_area = Some(owned()),
            FieldKind::Phone => raw_phone = Some((i, v)),
            FieldKind::Email => a.email = Some(owned()),
            FieldKind::Company => a.company = Some(owned()),
            FieldKind::Position => a.position = Some(owned()),
            FieldKind::Userid => a.userid = Some(owned()),
            FieldKind::OpenId => a.open_id = Some(owned()),
            FieldKind::ImAccount => a.im_account = Some(owned()),
            FieldKind::Nickname => a.nickname = Some(owned()),
            FieldKind::Role => match v {
                "Admin" | "admin" | "管理员" => a.role = Some(Cell::const_new("Admin")),
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
            FieldKind::JoinTime => match parse_join_time(v) {
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
                name: Cell::from(c.header.as_str()),
                value: owned(),
            }),
            FieldKind::Ignore => {}
        }
    }
    (
        a,
        RawPhone {
            phone: raw_phone,
            area: raw_area,
        },
    )
}

/// Step 3: the mapping's fixed values fill what the row left empty.
fn apply_fixed<'r>(options: &MappingOptions, a: &mut Attendee, raw: RawPhone<'r>) -> RawPhone<'r> {
    let RawPhone {
        phone: raw_phone,
        area: mut raw_area,
    } = raw;
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
            *slot = Some(Cell::from(v.trim()));
        }
    }
    RawPhone {
        phone: raw_phone,
        area: raw_area,
    }
}

/// Step 4: area + phone normalised as every destination expects them.
fn normalise_phone(
    row: u32,
    a: &mut Attendee,
    raw: RawPhone,
    columns: &[ColumnMapping],
    problems: &mut Vec<RowProblem>,
) {
    let RawPhone {
        phone: raw_phone,
        area: raw_area,
    } = raw;
    match raw_phone {
        Some((i, p)) => match phone::normalize(p, raw_area.as_deref()) {
            Ok((area, number)) => {
                a.area = Some(area);
                a.phone = Some(number);
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
        None => a.area = raw_area.and_then(|x| phone::normalize_area(&x)),
    }
}

/// Step 5: the row's own rules: e-mail, IM account, at least one identifier.
fn check_row<'c>(
    row: u32,
    a: &Attendee,
    col: &dyn Fn(FieldKind) -> Option<&'c str>,
    problems: &mut Vec<RowProblem>,
) {
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
                &p.message.zh,
                &p.message.en,
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
}
