//! Workbooks → rows (feature `xlsx`): XLSX, XLS and ODS through calamine. The sheet is the one
//! named, else the one with the most rows; the header row is the one named, else the first row
//! below titles, notes and blank rows that looks like a header (see [`header_row`]). Row numbers
//! stay the ones the spreadsheet shows.

use super::*;

impl RosterError {
    /// The text decoder refused the bytes outright.
    pub fn decode_failed() -> Self {
        RosterError::new(
            ProblemCode::DecodeFailed,
            "无法解码文件",
            "cannot decode the file",
        )
    }
}

/// Which workbook format the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookKind {
    Xlsx,
    Xls,
    Ods,
}

impl WorkbookKind {
    pub fn format(self) -> SourceFormat {
        match self {
            WorkbookKind::Xlsx => SourceFormat::Xlsx,
            WorkbookKind::Xls => SourceFormat::Xls,
            WorkbookKind::Ods => SourceFormat::Ods,
        }
    }
    #[cfg(feature = "xlsx")]
    fn name(self) -> &'static str {
        match self {
            WorkbookKind::Xlsx => "XLSX",
            WorkbookKind::Xls => "XLS",
            WorkbookKind::Ods => "ODS",
        }
    }
}

/// Which sheet and header row to read (`None`: chosen as described in the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetChoice {
    pub sheet: Option<String>,
    /// The header's row number as the spreadsheet shows it (1 = the first row).
    pub header_row: Option<u32>,
}

/// Reads a workbook. A reader bug on a malformed file is the file's problem, not the process's
/// end (native builds; the browser worker aborts on panic, which is why calamine is kept at a
/// version that returns errors for the shapes fuzzing found).
#[cfg(feature = "xlsx")]
pub fn read_workbook(
    bytes: &[u8],
    kind: WorkbookKind,
    choice: &SheetChoice,
) -> Result<Table, RosterError> {
    std::panic::catch_unwind(|| read_inner(bytes, kind, choice))
        .unwrap_or_else(|_| Err(unreadable(kind, &"the reader stopped")))
}

/// Reads the first worksheet of an XLSX file with the header detected (kept for callers that
/// know the file is XLSX).
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, RosterError> {
    read_workbook(bytes, WorkbookKind::Xlsx, &SheetChoice::default())
}

#[cfg(feature = "xlsx")]
fn unreadable(kind: WorkbookKind, e: &dyn std::fmt::Display) -> RosterError {
    RosterError {
        code: ProblemCode::XlsxUnreadable,
        message: Text::new(
            format!("无法读取 {} 文件（文件损坏或不完整？）", kind.name()),
            format!(
                "cannot read the {} file (damaged or truncated?): {e}",
                kind.name()
            ),
        ),
    }
}

/// One sheet's non-empty rows: (row number as shown, cells).
#[cfg(feature = "xlsx")]
type SheetRows = Vec<(u32, Vec<Cell>)>;

#[cfg(feature = "xlsx")]
fn read_inner(
    bytes: &[u8],
    kind: WorkbookKind,
    choice: &SheetChoice,
) -> Result<Table, RosterError> {
    use calamine::{Data, Ods, Range, Reader, Xls, Xlsx};
    let cursor = || std::io::Cursor::new(bytes);
    let bad = |e: &dyn std::fmt::Display| unreadable(kind, e);
    let mut sheets: Vec<(String, Range<Data>)> = Vec::new();
    match kind {
        WorkbookKind::Xlsx => {
            let mut wb: Xlsx<_> = Xlsx::new(cursor()).map_err(|e| bad(&e))?;
            for name in wb.sheet_names() {
                let r = wb.worksheet_range(&name).map_err(|e| bad(&e))?;
                sheets.push((name, r));
            }
        }
        WorkbookKind::Xls => {
            let mut wb: Xls<_> = Xls::new(cursor()).map_err(|e| bad(&e))?;
            for name in wb.sheet_names() {
                let r = wb.worksheet_range(&name).map_err(|e| bad(&e))?;
                sheets.push((name, r));
            }
        }
        WorkbookKind::Ods => {
            let mut wb: Ods<_> = Ods::new(cursor()).map_err(|e| bad(&e))?;
            for name in wb.sheet_names() {
                let r = wb.worksheet_range(&name).map_err(|e| bad(&e))?;
                sheets.push((name, r));
            }
        }
    }
    if sheets.is_empty() {
        return Err(RosterError::new(
            ProblemCode::XlsxNoSheet,
            "文件没有工作表",
            "the file has no worksheet",
        ));
    }
    let cell = |d: &Data| -> Cell {
        match d {
            Data::Empty => Cell::default(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                compact_str::format_compact!("{}", *f as i64)
            }
            Data::Int(i) => compact_str::format_compact!("{i}"),
            other => Cell::from(crate::export::unescape_cell(other.to_string().trim())),
        }
    };
    let rows_of = |range: &Range<Data>| -> SheetRows {
        let start_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
        range
            .rows()
            .enumerate()
            .filter_map(|(i, r)| {
                let mut cells: Vec<Cell> = vec![Cell::default(); start_col];
                cells.extend(r.iter().map(cell));
                (!cells.iter().all(Cell::is_empty)).then(|| (start_row + i as u32 + 1, cells))
            })
            .collect()
    };
    let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
    let (name, rows) = match &choice.sheet {
        Some(want) => {
            let (n, r) = sheets.iter().find(|(n, _)| n == want).ok_or_else(|| {
                RosterError::new(
                    ProblemCode::SheetNotFound,
                    &format!("没有名为“{want}”的工作表（有：{}）", names.join("、")),
                    &format!("no sheet named {want:?} (there are: {})", names.join(", ")),
                )
            })?;
            (n.clone(), rows_of(r))
        }
        None => {
            // The sheet with the most rows; the first of equals.
            let mut best: Option<(String, SheetRows)> = None;
            for (n, r) in &sheets {
                let rows = rows_of(r);
                if best.as_ref().is_none_or(|(_, b)| rows.len() > b.len()) {
                    best = Some((n.clone(), rows));
                }
            }
            best.expect("at least one sheet")
        }
    };
    let at = match choice.header_row {
        Some(h) => rows.iter().position(|(n, _)| *n == h).ok_or_else(|| {
            RosterError::new(
                ProblemCode::NoHeader,
                &format!("工作表“{name}”的第 {h} 行是空的，不能作为表头"),
                &format!("row {h} of sheet {name:?} is empty; it cannot be the header"),
            )
        })?,
        None => header_row(&rows).ok_or_else(|| {
            RosterError::new(
                ProblemCode::NoHeader,
                &format!("工作表“{name}”是空的"),
                &format!("the sheet {name:?} is empty"),
            )
        })?,
    };
    let mut problems = Vec::new();
    let header_no = rows[at].0;
    if names.len() > 1 || header_no > 1 {
        problems.push(RowProblem::new(
            0,
            None,
            ProblemCode::SheetAndHeader,
            Severity::Warning,
            &format!(
                "读取工作表“{name}”（共 {} 个工作表），表头在第 {header_no} 行",
                names.len()
            ),
            &format!(
                "read sheet {name:?} (of {}), the header on row {header_no}",
                names.len()
            ),
        ));
    }
    let mut rows = rows;
    let data = rows.split_off(at + 1);
    let headers = rows
        .pop()
        .map(|(_, cells)| cells.iter().map(Cell::to_string).collect())
        .unwrap_or_default();
    Ok(Table {
        format: kind.format(),
        encoding: None,
        delimiter: None,
        headers,
        rows: data
            .into_iter()
            .map(|(row, cells)| TableRow { row, cells })
            .collect(),
        problems,
        sheet: Some(SheetInfo {
            name,
            sheets: names,
            header_row: header_no,
        }),
    })
}

/// Where the header is among a sheet's first rows: titles ("2026 年度客户大会报名表", merged across
/// the top: one cell), notes and blank rows come before it. The first row that fills at least
/// 60 % of the widest of the first 30 rows (and two cells) and names a field the mapping knows;
/// else the first that is that wide; else the first row.
pub fn header_row(rows: &[(u32, Vec<Cell>)]) -> Option<usize> {
    let head = &rows[..rows.len().min(30)];
    let width = |cells: &[Cell]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    let widest = head.iter().map(|(_, c)| width(c)).max()?;
    let wide = |cells: &[Cell]| {
        let w = width(cells);
        w >= 2 && w * 10 >= widest * 6
    };
    let known = |cells: &[Cell]| {
        cells.iter().any(|c| {
            !matches!(
                crate::roster::auto_field(c.trim()),
                crate::roster::FieldKind::Custom | crate::roster::FieldKind::Ignore
            )
        })
    };
    head.iter()
        .position(|(_, c)| wide(c) && known(c))
        .or_else(|| head.iter().position(|(_, c)| wide(c)))
        .or(Some(0))
}

#[cfg(not(feature = "xlsx"))]
pub fn read_workbook(_: &[u8], _: WorkbookKind, _: &SheetChoice) -> Result<Table, RosterError> {
    Err(RosterError::new(
        ProblemCode::XlsxNotBuilt,
        "此版本未包含工作簿（XLSX/XLS/ODS）支持",
        "this build has no workbook (XLSX/XLS/ODS) support",
    ))
}
