//! What a file is before decoding: XLSX, XLS, UTF-16, binary or text in some encoding; the
//! decoding and the CSV delimiter.

use super::*;

/// Decides the format and text encoding from the bytes alone.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, RosterError> {
    sniff_text(bytes).map(|(s, _)| s)
}

/// [`sniff`], plus the text itself when the file is valid UTF-8 (BOM stripped): sniffing had to
/// validate it, so it is read in place rather than validated again by a decoder.
pub(super) fn sniff_text(bytes: &[u8]) -> Result<(Sniffed, Option<&str>), RosterError> {
    // A roster's rows address their text with 32-bit offsets (rows/mod.rs).
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
        // An OpenDocument file stores its `mimetype` entry first, uncompressed.
        let head = &bytes[..bytes.len().min(128)];
        let ods =
            memchr::memmem::find(head, b"application/vnd.oasis.opendocument.spreadsheet").is_some();
        let kind = if ods {
            WorkbookKind::Ods
        } else {
            WorkbookKind::Xlsx
        };
        return Ok((Sniffed::Workbook(kind), None));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok((Sniffed::Workbook(WorkbookKind::Xls), None));
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
