//! Table → roster: mapping, normalisation, validation, duplicates. Never fails as a whole.

use std::collections::HashMap;

use super::rules::{parse_join_time, valid_email};
use super::*;
use crate::providers::tencent_im;

/// Maps, normalises and validates a table. Never fails: every problem is returned.
pub fn build_roster(table: Table, options: &MappingOptions) -> Roster {
    build_roster_with_progress(table, options, &mut |_, _| {})
}

/// [`build_roster`], calling `progress(done, total)` every 2,000 rows (for a UI progress bar).
///
/// Steps: [`map_columns`] (headers → fields), then per row [`read_cells`], [`apply_fixed`],
/// [`normalise_phone`], [`check_row`], [`find_duplicate`]; problems are collected, never thrown.
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
    let columns = map_columns(&headers, options, &mut problems);

    let mut out_rows = Vec::with_capacity(rows.len());
    let mut first_seen: HashMap<String, u32> = HashMap::new();
    let total = rows.len();
    for (done, TableRow { row, cells }) in rows.into_iter().enumerate() {
        if done % 2000 == 0 {
            progress(done, total);
        }
        let col = |f: FieldKind| {
            columns
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.header.as_str())
        };
        let (mut a, raw) = read_cells(row, &cells, &columns, &mut problems);
        let raw = apply_fixed(options, &mut a, raw);
        normalise_phone(row, &mut a, raw, &mut problems);
        check_row(row, &a, &col, &mut problems);
        let duplicate_of = find_duplicate(row, &a, &col, &mut first_seen, &mut problems);
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

/// What a row said about its phone before normalisation: (phone column header, phone), area.
struct RawPhone {
    phone: Option<(String, String)>,
    area: Option<String>,
}

/// Step 2: the row's cells into the attendee's fields (roles and JoinTime parsed, custom columns
/// kept), warning about cells beyond the header.
fn read_cells(
    row: u32,
    cells: &[String],
    columns: &[ColumnMapping],
    problems: &mut Vec<RowProblem>,
) -> (Attendee, RawPhone) {
    let mut a = Attendee::default();
    let mut raw_phone: Option<(String, String)> = None;
    let mut raw_area: Option<String> = None;
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
    (
        a,
        RawPhone {
            phone: raw_phone,
            area: raw_area,
        },
    )
}

/// Step 3: the mapping's fixed values fill what the row left empty.
fn apply_fixed(options: &MappingOptions, a: &mut Attendee, raw: RawPhone) -> RawPhone {
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
            *slot = Some(v.trim().to_string());
        }
    }
    RawPhone {
        phone: raw_phone,
        area: raw_area,
    }
}

/// Step 4: area + phone normalised as every destination expects them.
fn normalise_phone(row: u32, a: &mut Attendee, raw: RawPhone, problems: &mut Vec<RowProblem>) {
    let RawPhone {
        phone: raw_phone,
        area: raw_area,
    } = raw;
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

/// Step 6: in-file duplicates by normalised phone, e-mail or userid; the row it repeats.
fn find_duplicate<'c>(
    row: u32,
    a: &Attendee,
    col: &dyn Fn(FieldKind) -> Option<&'c str>,
    first_seen: &mut HashMap<String, u32>,
    problems: &mut Vec<RowProblem>,
) -> Option<u32> {
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
    duplicate_of
}
