//! CSV text → rows, streamed into a [`RowSink`] (csv_core; cells recycled between rows).

use super::*;

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
pub(super) fn clean_cell(c: &str) -> &str {
    crate::export::unescape_cell(crate::roster::rules::trim_cell(c))
}

/// An emptied vector of borrowed cells, its allocation kept for the next record's (the in-place
/// `collect` reuses it; the element type only changes its lifetime).
fn recycle<'a>(mut v: Vec<&str>) -> Vec<&'a str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}
