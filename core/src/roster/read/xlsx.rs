//! XLSX → rows (feature `xlsx`): the first worksheet, cells as the spreadsheet shows them.

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

/// Reads the first worksheet of an XLSX file. A reader bug on a malformed file is the file's
/// problem, not the process's end (native builds; the browser worker aborts on panic, which is
/// why calamine is kept at a version that returns errors for the shapes fuzzing found).
#[cfg(feature = "xlsx")]
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, RosterError> {
    std::panic::catch_unwind(|| read_xlsx_inner(bytes)).unwrap_or_else(|_| {
        Err(RosterError {
            code: ProblemCode::XlsxUnreadable,
            message: Text::new(
                "无法读取 XLSX 文件（文件损坏或不完整？）",
                "cannot read the XLSX file (damaged or malformed)",
            ),
        })
    })
}

#[cfg(feature = "xlsx")]
fn read_xlsx_inner(bytes: &[u8]) -> Result<Table, RosterError> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| RosterError {
        code: ProblemCode::XlsxUnreadable,
        message: Text::new(
            "无法读取 XLSX 文件（文件损坏或不完整？）",
            format!("cannot read the XLSX file (damaged or truncated?): {e}"),
        ),
    };
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| {
            RosterError::new(
                ProblemCode::XlsxNoSheet,
                "XLSX 文件没有工作表",
                "the XLSX file has no worksheet",
            )
        })?
        .map_err(|e| bad(&e))?;
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
    let start_row = range.start().map(|(r, _)| r).unwrap_or(0);
    let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let mut cells: Vec<Cell> = vec![Cell::default(); start_col];
        cells.extend(r.iter().map(cell));
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let row = start_row + i as u32 + 1;
        match headers {
            None => headers = Some(cells.iter().map(Cell::to_string).collect()),
            Some(_) => rows.push(TableRow { row, cells }),
        }
    }
    let headers = headers.ok_or_else(|| {
        RosterError::new(
            ProblemCode::NoHeader,
            "工作表是空的",
            "the worksheet is empty",
        )
    })?;
    Ok(Table {
        format: SourceFormat::Xlsx,
        encoding: None,
        delimiter: None,
        headers,
        rows,
        problems: vec![],
    })
}

#[cfg(not(feature = "xlsx"))]
pub fn read_xlsx(_: &[u8]) -> Result<Table, RosterError> {
    Err(RosterError::new(
        ProblemCode::XlsxNotBuilt,
        "此版本未包含 XLSX 支持",
        "this build has no XLSX support",
    ))
}
