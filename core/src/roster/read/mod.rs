//! Bytes → table: format and encoding sniffing (`sniff.rs`), CSV with delimiter sniffing
//! (`csv.rs`), XLSX behind the `xlsx` feature (`xlsx.rs`); rows go into a [`RowSink`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Cell, RowProblem, Severity, SheetInfo, Table, TableRow};
use crate::codes::ProblemCode;
use crate::Text;

mod csv;
mod sniff;
mod workbook;

pub use csv::scan_csv_text;
#[cfg(feature = "native")]
pub use sniff::decode;
use sniff::sniff_text;
pub use sniff::{sniff, sniff_delimiter};
pub use workbook::{header_row, read_workbook, read_xlsx, SheetChoice, WorkbookKind};

/// Text encodings a roster CSV may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// GBK / GB18030 (Excel on Chinese Windows). Decoded as GB18030, its superset.
    #[serde(rename = "gbk")]
    Gbk,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Gbk => "gbk",
        }
    }
    /// The WHATWG label a browser `TextDecoder` takes.
    pub fn whatwg_label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => "utf-8",
            TextEncoding::Gbk => "gb18030",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

/// What a file looks like before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Csv(TextEncoding),
    Workbook(WorkbookKind),
}

/// Why a file cannot be read as a roster at all (everything else is a per-row problem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterError {
    pub code: ProblemCode,
    pub message: Text,
}

impl RosterError {
    pub fn new(code: ProblemCode, zh: &str, en: &str) -> Self {
        RosterError {
            code,
            message: Text::new(zh, en),
        }
    }
}

impl std::fmt::Display for RosterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message.en, self.code)
    }
}

impl std::error::Error for RosterError {}

/// What a reader learned before the first data row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableMeta {
    pub format: SourceFormat,
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<char>,
    /// An upper bound on the data rows to come (for progress and capacity).
    pub expected_rows: usize,
    /// About how many bytes of cell text they hold (for capacity).
    pub expected_bytes: usize,
}

/// Where a reader puts what it reads, in file order: collected into a [`Table`], or validated
/// as each row arrives (`RosterBuilder`, so a row is read and checked while its cells are still
/// in the cache).
pub trait RowSink {
    /// The header row, once, before any data row.
    fn header(&mut self, meta: TableMeta, headers: Vec<String>);
    /// One data row: its row number as a spreadsheet shows it, and its cells.
    fn row(&mut self, row: u32, cells: &[&str]);
    fn problem(&mut self, problem: RowProblem);
    /// Which sheet of a workbook was read, and where its header was (before the header).
    fn sheet(&mut self, _info: SheetInfo) {}
}

impl RowSink for Table {
    fn header(&mut self, meta: TableMeta, headers: Vec<String>) {
        self.format = meta.format;
        self.encoding = meta.encoding;
        self.delimiter = meta.delimiter;
        self.headers = headers;
        self.rows.reserve(meta.expected_rows);
    }
    fn row(&mut self, row: u32, cells: &[&str]) {
        let cells = cells.iter().map(|&c| Cell::from(c)).collect();
        self.rows.push(TableRow { row, cells });
    }
    fn problem(&mut self, problem: RowProblem) {
        self.problems.push(problem);
    }
}

impl Table {
    /// Hands a table already in memory to `sink`, as a reader would: problems, header, rows.
    pub fn feed(self, sink: &mut dyn RowSink) {
        for p in self.problems {
            sink.problem(p);
        }
        if let Some(info) = self.sheet {
            sink.sheet(info);
        }
        let meta = TableMeta {
            format: self.format,
            encoding: self.encoding,
            delimiter: self.delimiter,
            expected_rows: self.rows.len(),
            expected_bytes: self
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .map(|c| c.len())
                .sum(),
        };
        sink.header(meta, self.headers);
        let mut cells: Vec<&str> = Vec::new();
        for r in &self.rows {
            cells.clear();
            cells.extend(r.cells.iter().map(Cell::as_str));
            sink.row(r.row, &cells);
        }
    }

    fn empty() -> Table {
        Table {
            format: SourceFormat::Csv,
            encoding: None,
            delimiter: None,
            headers: vec![],
            rows: vec![],
            problems: vec![],
            sheet: None,
        }
    }
}

/// Reads any supported file from bytes, decoding text with `decode` (native: encoding_rs; the
/// browser worker: its TextDecoder). `decode` returns the text and whether any bytes had to be
/// replaced; either way the table and its problems are built here, once.
pub fn read_table_with<'b>(
    bytes: &'b [u8],
    decode: impl FnOnce(&'b [u8], TextEncoding) -> Result<(Cow<'b, str>, bool), RosterError>,
) -> Result<Table, RosterError> {
    let mut table = Table::empty();
    scan_with(bytes, decode, &SheetChoice::default(), &mut table)?;
    Ok(table)
}

/// [`read_table_with`] into any [`RowSink`].
pub fn scan_with<'b>(
    bytes: &'b [u8],
    decode: impl FnOnce(&'b [u8], TextEncoding) -> Result<(Cow<'b, str>, bool), RosterError>,
    choice: &SheetChoice,
    sink: &mut dyn RowSink,
) -> Result<(), RosterError> {
    match sniff_text(bytes)? {
        (Sniffed::Workbook(kind), _) => {
            read_workbook(bytes, kind, choice)?.feed(sink);
            Ok(())
        }
        (Sniffed::Csv(enc), Some(text)) => scan_csv_text(text, enc, sink),
        (Sniffed::Csv(enc), None) => {
            let (text, had_errors) = decode(bytes, enc)?;
            if had_errors {
                sink.problem(RowProblem::new(
                    0,
                    None,
                    ProblemCode::DecodeErrors,
                    Severity::Warning,
                    "文件含有无法识别的字符（混合编码？），已用 � 替代",
                    "the file has undecodable bytes (mixed encodings?); replaced with �",
                ));
            }
            scan_csv_text(&text, enc, sink)
        }
    }
}

/// Reads any supported file from bytes (native: decodes GBK with encoding_rs).
#[cfg(feature = "native")]
pub fn read_table(bytes: &[u8]) -> Result<Table, RosterError> {
    read_table_with(bytes, |b, enc| Ok(decode(b, enc)))
}

#[cfg(test)]
mod tests {
    use super::csv::clean_cell;
    use super::*;
    use proptest::prelude::*;

    /// Every record through csv_core alone (how the reader worked before its fast path for
    /// lines without quotes): (row number, cells) of every non-blank record, header first.
    fn csv_core_only(text: &str) -> Vec<(u32, Vec<String>)> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(sniff_delimiter(text))
            .build();
        let input = text.as_bytes();
        let (mut pos, mut out, mut ends, mut rows) =
            (0, vec![0u8; 1 << 16], vec![0; 1 << 12], vec![]);
        loop {
            let skipped = input[pos..]
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .filter(|&&b| b == b'\n')
                .count();
            let line = (reader.line() + skipped as u64) as u32;
            let (res, nin, nout, nend) = reader.read_record(&input[pos..], &mut out, &mut ends);
            pos += nin;
            let res = match res {
                csv_core::ReadRecordResult::InputEmpty => {
                    let (r, _, o, e) = reader.read_record(&[], &mut out[nout..], &mut ends[nend..]);
                    (r, nout + o, nend + e)
                }
                r => (r, nout, nend),
            };
            let (res, nout, nend) = res;
            if res == csv_core::ReadRecordResult::End {
                break;
            }
            let record = std::str::from_utf8(&out[..nout]).unwrap();
            let mut start = 0;
            let cells: Vec<String> = ends[..nend]
                .iter()
                .map(|&e| {
                    let c = clean_cell(&record[start..e]).to_string();
                    start = e;
                    c
                })
                .collect();
            if cells.iter().any(|c| !c.is_empty()) {
                rows.push((line, cells));
            }
        }
        rows
    }

    fn scanned(text: &str) -> Vec<(u32, Vec<String>)> {
        let mut t = Table::empty();
        if scan_csv_text(text, TextEncoding::Utf8, &mut t).is_err() {
            return vec![];
        }
        let mut rows = vec![(1, t.headers.clone())];
        // The header's own line: the first non-blank record's.
        rows[0].0 = csv_core_only(text).first().map_or(1, |r| r.0);
        rows.extend(
            t.rows
                .iter()
                .map(|r| (r.row, r.cells.iter().map(|c| c.to_string()).collect())),
        );
        rows
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Lines without quotes split on their delimiter give what csv_core gives, for any
        /// mix of quoting, blank lines, CR/LF/CRLF, delimiters, spaces and a BOM.
        #[test]
        fn the_fast_path_reads_as_csv_core(text in "\u{FEFF}?([a-c,;\t| \"\r\n]|张|\u{3000}){0,120}") {
            prop_assert_eq!(scanned(&text), csv_core_only(&text));
        }
    }
}
