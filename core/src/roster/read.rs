//! Bytes → table: format and encoding sniffing, CSV with delimiter sniffing, XLSX (feature).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Cell, RowProblem, Severity, Table, TableRow};
use crate::codes::ProblemCode;
use crate::Text;

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
}

/// What a file looks like before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Csv(TextEncoding),
    Xlsx,
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

/// Decides the format and text encoding from the bytes alone.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, RosterError> {
    sniff_text(bytes).map(|(s, _)| s)
}

/// [`sniff`], plus the text itself when the file is valid UTF-8 (BOM stripped): sniffing had to
/// validate it, so it is read in place rather than validated again by a decoder.
fn sniff_text(bytes: &[u8]) -> Result<(Sniffed, Option<&str>), RosterError> {
    // A roster's rows address their text with 32-bit offsets (rows.rs).
    if u32::try_from(bytes.len()).is_err() {
        return Err(RosterError::new(
            ProblemCode::FileTooLarge,
            "文件超过 4 GB，请拆分后分批导入",
            "the file is over 4 GB; split it and import the parts one by one",
        ));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) || bytes == b"\xEF\xBB\xBF" {
        return Err(RosterError::new(
            ProblemCode::EmptyFile,
            "文件是空的",
            "the file is empty",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok((Sniffed::Xlsx, None));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(RosterError::new(
            ProblemCode::XlsNotSupported,
            "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV",
            "old .xls files are not supported; save as .xlsx or CSV in Excel",
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(RosterError::new(
            ProblemCode::Utf16NotSupported,
            "不支持 UTF-16（“Unicode 文本”）文件，请另存为“CSV UTF-8”",
            "UTF-16 (\"Unicode text\") files are not supported; save as \"CSV UTF-8\"",
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)))
        .count();
    if head.contains(&0) || control * 20 > head.len() {
        return Err(RosterError::new(
            ProblemCode::NotASpreadsheet,
            "这不是 CSV 或 XLSX 表格文件",
            "this is not a CSV or XLSX spreadsheet",
        ));
    }
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = simdutf8::basic::from_utf8(body).ok();
        return Ok((Sniffed::Csv(TextEncoding::Utf8Bom), text));
    }
    // Fast path: a valid file (the common case) needs no per-chunk counting.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok((Sniffed::Csv(TextEncoding::Utf8), Some(text)));
    }
    if mostly_utf8(bytes) {
        Ok((Sniffed::Csv(TextEncoding::Utf8), None))
    } else {
        Ok((Sniffed::Csv(TextEncoding::Gbk), None))
    }
}

/// Mostly UTF-8 with a few broken sequences (a mixed-encoding file: decoded as UTF-8 with
/// replacement characters and a warning). GBK text almost never forms valid multi-byte UTF-8
/// sequences, so those decide.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += usize::from(!chunk.invalid().is_empty());
    }
    bad == 0 || good >= bad
}

/// Decodes CSV bytes natively (encoding_rs). Returns the text (borrowed when the bytes are
/// valid UTF-8 already, the common case) and whether replacement characters had to be used.
#[cfg(feature = "native")]
pub fn decode(bytes: &[u8], enc: TextEncoding) -> (Cow<'_, str>, bool) {
    let (encoding, body) = match enc {
        TextEncoding::Utf8Bom => (encoding_rs::UTF_8, &bytes[3..]),
        TextEncoding::Utf8 => (encoding_rs::UTF_8, bytes),
        TextEncoding::Gbk => (encoding_rs::GB18030, bytes),
    };
    encoding.decode_without_bom_handling(body)
}

/// Picks the delimiter that splits the first lines most consistently.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|&b| b == d).count())
            .collect();
        let first = counts.first().copied().unwrap_or(0);
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * 1000 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

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
        }
    }
}

/// Reads CSV text (already decoded) into a table.
pub fn read_csv_text(text: &str, encoding: TextEncoding) -> Result<Table, RosterError> {
    let mut table = Table::empty();
    scan_csv_text(text, encoding, &mut table)?;
    Ok(table)
}

/// Reads CSV text (already decoded) into `sink`, row by row.
///
/// A line without quotes is split on its delimiter, its cells borrowed from the text; csv_core
/// reads every other record into one reused buffer, its cells borrowed from there. A cell is
/// handed to the sink trimmed and unescaped. Blank records are skipped; row numbers are
/// physical lines (a quoted cell may span several).
pub fn scan_csv_text(
    text: &str,
    encoding: TextEncoding,
    sink: &mut dyn RowSink,
) -> Result<(), RosterError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let delimiter = sniff_delimiter(text);
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let input = text.as_bytes();
    let (mut pos, mut seen_header, mut seen_record) = (0usize, false, false);
    // `\n`s consumed so far: a record's row number is the physical line it starts on.
    let mut newlines = 0u64;
    let mut out = vec![0u8; 4096];
    let mut ends = vec![0usize; 64];
    // Reused between records (see `recycle`): no allocation per row.
    let mut spare: Vec<&str> = Vec::new();
    loop {
        // The record starts after any blank lines (skipped, as csv_core skips them).
        let blank = input[pos..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        newlines += input[pos..pos + blank]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        pos += blank;
        let line = (newlines + 1).min(u64::from(u32::MAX)) as u32;
        let rec_start = pos;
        let mut cells = recycle(std::mem::take(&mut spare));
        match plain_line(input, pos).filter(|_| seen_record) {
            // A line without quotes (nearly every line): split on the delimiter with SIMD
            // searches, each cell a slice of the text. csv_core reads it the same way (the
            // first record always goes through it: it strips a stray BOM there).
            Some(end) => {
                let mut start = pos;
                for d in memchr::memchr_iter(delimiter, &input[pos..end]) {
                    cells.push(clean_cell(text.get(start..pos + d).unwrap_or_default()));
                    start = pos + d + 1;
                }
                cells.push(clean_cell(text.get(start..end).unwrap_or_default()));
                // The terminator: `\r` or `\n`; a `\n` after a `\r` is skipped as a blank.
                pos = (end + 1).min(input.len());
                newlines += u64::from(input.get(end) == Some(&b'\n'));
            }
            None => {
                let (mut nout, mut nend) = (0, 0);
                let more = loop {
                    let (res, nin, o, e) =
                        reader.read_record(&input[pos..], &mut out[nout..], &mut ends[nend..]);
                    pos += nin;
                    nout += o;
                    nend += e;
                    match res {
                        csv_core::ReadRecordResult::InputEmpty => {}
                        csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
                        csv_core::ReadRecordResult::OutputEndsFull => {
                            ends.resize(ends.len() * 2, 0)
                        }
                        csv_core::ReadRecordResult::Record => break true,
                        csv_core::ReadRecordResult::End => break false,
                    }
                };
                // A quoted cell may span lines.
                newlines += memchr::memchr_iter(b'\n', &input[rec_start..pos]).count() as u64;
                if !more {
                    break;
                }
                seen_record = true;
                // csv_core's unquoted copy. Valid UTF-8 as the text was: csv_core only splits
                // at and drops ASCII bytes.
                let Ok(record) = simdutf8::basic::from_utf8(&out[..nout]) else {
                    continue;
                };
                let mut start = 0;
                for &end in &ends[..nend] {
                    cells.push(clean_cell(&record[start..end]));
                    start = end;
                }
            }
        }
        if cells.iter().all(|c| c.is_empty()) {
            spare = recycle(cells);
            continue;
        }
        if seen_header {
            sink.row(line, &cells);
        } else {
            seen_header = true;
            let meta = TableMeta {
                format: SourceFormat::Csv,
                encoding: Some(encoding),
                delimiter: Some(delimiter as char),
                expected_rows: memchr::memchr_iter(b'\n', input).count() + 1,
                expected_bytes: input.len(),
            };
            sink.header(meta, cells.iter().map(|c| c.to_string()).collect());
        }
        spare = recycle(cells);
    }
    if !seen_header {
        return Err(RosterError::new(
            ProblemCode::NoHeader,
            "文件没有表头行",
            "the file has no header row",
        ));
    }
    Ok(())
}

/// Where the line starting at `pos` ends (its `\r` or `\n`, or the end of the text) when it
/// holds no quote, so that its cells are exactly what lies between its delimiters.
fn plain_line(input: &[u8], pos: usize) -> Option<usize> {
    if pos >= input.len() {
        return None;
    }
    let rest = &input[pos..];
    let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    memchr::memchr(b'"', &rest[..end])
        .is_none()
        .then_some(pos + end)
}

/// A cell as the roster keeps it: trimmed, and a cell an export escaped (`'=…`) as it was.
fn clean_cell(c: &str) -> &str {
    crate::export::unescape_cell(super::rules::trim_cell(c))
}

/// An emptied vector of borrowed cells, its allocation kept for the next record's (the in-place
/// `collect` reuses it; the element type only changes its lifetime).
fn recycle<'a>(mut v: Vec<&str>) -> Vec<&'a str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

/// Reads any supported file from bytes, decoding text with `decode` (native: encoding_rs; the
/// browser worker: its TextDecoder). `decode` returns the text and whether any bytes had to be
/// replaced; either way the table and its problems are built here, once.
pub fn read_table_with<'b>(
    bytes: &'b [u8],
    decode: impl FnOnce(&'b [u8], TextEncoding) -> Result<(Cow<'b, str>, bool), RosterError>,
) -> Result<Table, RosterError> {
    let mut table = Table::empty();
    scan_with(bytes, decode, &mut table)?;
    Ok(table)
}

/// [`read_table_with`] into any [`RowSink`].
pub fn scan_with<'b>(
    bytes: &'b [u8],
    decode: impl FnOnce(&'b [u8], TextEncoding) -> Result<(Cow<'b, str>, bool), RosterError>,
    sink: &mut dyn RowSink,
) -> Result<(), RosterError> {
    match sniff_text(bytes)? {
        (Sniffed::Xlsx, _) => {
            read_xlsx(bytes)?.feed(sink);
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
            code: ProblemCode::XlsxUnreadable.into(),
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
        code: ProblemCode::XlsxUnreadable.into(),
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

#[cfg(test)]
mod tests {
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
