//! Phone normalisation: full-width digits, spaces, dashes, `+86`/`0086` prefixes.
//!
//! Results are [`Cell`]s: a phone and its area fit inline, so normalising allocates nothing.

use super::Cell;
use crate::codes::ProblemCode;

/// Country calling codes recognised after a `+` or `00` prefix when no area column says otherwise,
/// longest first so `852` wins over `8`.
const KNOWN_AREAS: &[&str] = &[
    "852", "853", "886", "971", "966", "880", "86", "81", "82", "65", "60", "66", "84", "62", "63",
    "91", "44", "49", "33", "39", "34", "61", "64", "55", "52", "31", "41", "46", "47", "45", "7",
    "1",
];

/// Why a phone was refused: a stable code plus messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneError {
    pub code: ProblemCode,
    pub zh: String,
    pub en: String,
}

/// Maps full-width characters to ASCII and drops separators.
pub fn clean(raw: &str) -> Cell {
    if raw.is_ascii() {
        // The common case, byte by byte: the same separators as below, ASCII only, into a
        // buffer on the stack (a phone fits).
        let kept = raw
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-' | b'(' | b')' | b'.' | b'\t'));
        let mut buf = [0u8; 32];
        let mut n = 0;
        for b in kept.clone() {
            if n == buf.len() {
                return kept.map(char::from).collect();
            }
            buf[n] = b;
            n += 1;
        }
        return Cell::from(std::str::from_utf8(&buf[..n]).unwrap_or_default());
    }
    raw.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32)?,
                '\u{FF0B}' => '+',
                c => c,
            };
            match c {
                ' '
                | '\u{3000}'
                | '\u{00A0}'
                | '-'
                | '\u{2010}'..='\u{2015}'
                | '\u{FF0D}'
                | '('
                | ')'
                | '（'
                | '）'
                | '.'
                | '\t' => None,
                c => Some(c),
            }
        })
        .collect()
}

/// Normalises an area code: strips `+`, `00`, full-width forms; empty → None.
pub fn normalize_area(raw: &str) -> Option<Cell> {
    let c = clean(raw);
    let c = c.trim_start_matches('+');
    let c = c.strip_prefix("00").unwrap_or(c);
    if c.is_empty() {
        None
    } else {
        Some(Cell::from(c))
    }
}

/// Normalises a phone number and its area. `area` is the row's area (already from its column or
/// a fixed value). Returns `(area, national number)`.
pub fn normalize(raw: &str, area: Option<&str>) -> Result<(Cell, Cell), PhoneError> {
    // Worked on as slices of the cleaned text; the two results are the only cells made.
    let cleaned = clean(raw);
    let area_cell = area.and_then(normalize_area);
    let mut area: Option<&str> = area_cell.as_deref();
    let mut s: &str = &cleaned;
    if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix("00")) {
        let found = match area {
            Some(a) if rest.starts_with(a) => Some(a),
            _ => KNOWN_AREAS.iter().find(|a| prefixed(rest, a)).copied(),
        };
        match found {
            Some(a) => {
                s = &rest[a.len()..];
                area = Some(a);
            }
            None => {
                return Err(PhoneError {
                    code: ProblemCode::PhoneAreaUnknown,
                    zh: "无法识别手机号的国家/地区代码，请填写区号列".into(),
                    en: "cannot tell the country code of this phone; fill in the area column"
                        .into(),
                })
            }
        }
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError {
            code: ProblemCode::PhoneInvalid,
            zh: format!("手机号只能包含数字（“{raw}”）"),
            en: format!("phone must contain digits only ({raw:?})"),
        });
    }
    if let Some(a) = area {
        if !a.bytes().all(|b| b.is_ascii_digit()) || a.len() > 4 {
            return Err(PhoneError {
                code: ProblemCode::AreaInvalid,
                zh: format!("区号“{a}”无效"),
                en: format!("area code {a:?} is invalid"),
            });
        }
    }
    let area = match area {
        Some(a) => a,
        None if is_cn_mobile(s) => "86",
        None => {
            return Err(PhoneError {
                code: ProblemCode::PhoneAreaMissing,
                zh: "非中国大陆手机号需要填写区号".into(),
                en: "a phone outside mainland China needs an area code".into(),
            })
        }
    };
    if area == "86" {
        // A mainland number written with a leading trunk 0 is still an error: mobiles only.
        if !is_cn_mobile(s) {
            return Err(PhoneError {
                code: ProblemCode::PhoneInvalidCn,
                zh: format!("中国大陆手机号须为 11 位、以 13–19 开头（“{raw}”）"),
                en: format!("a mainland China mobile has 11 digits starting 13–19 ({raw:?})"),
            });
        }
    } else if !(4..=15).contains(&s.len()) {
        return Err(PhoneError {
            code: ProblemCode::PhoneLength,
            zh: format!("手机号须为 4–15 位数字（“{raw}”）"),
            en: format!("phone must have 4–15 digits ({raw:?})"),
        });
    }
    Ok((Cell::from(area), Cell::from(s)))
}

/// `s` starts with `prefix` (a few bytes: compared in place, not through `memcmp`).
fn prefixed(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.bytes().zip(prefix.bytes()).all(|(a, b)| a == b)
}

/// `1[3-9]` followed by nine digits.
pub fn is_cn_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}
