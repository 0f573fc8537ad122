//! Cell rules that are not a provider's: e-mail shape, JoinTime dates.

pub(super) fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    // Whitespace by bytes for ASCII text (the common case), by chars otherwise.
    let spaced = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0B)
    } else {
        s.contains(char::is_whitespace)
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !spaced
        && !domain.contains('@')
        && s.len() <= 254
}

/// `s.trim()`, without decoding the cell when its first and last bytes cannot belong to a
/// whitespace character (nearly every cell).
pub(super) fn trim_cell(s: &str) -> &str {
    let (Some(&first), Some(&last)) = (s.as_bytes().first(), s.as_bytes().last()) else {
        return s;
    };
    // Lead bytes of the non-ASCII whitespace (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000)
    // and the last bytes they can end with.
    let may_start =
        first.is_ascii_whitespace() || first == 0x0B || matches!(first, 0xC2 | 0xE1..=0xE3);
    let may_end = last.is_ascii_whitespace()
        || last == 0x0B
        || matches!(last, 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF);
    if may_start || may_end {
        s.trim()
    } else {
        s
    }
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a JoinTime cell: Unix seconds, or `YYYY-MM-DD[ HH:MM[:SS]]` in China time (UTC+8).
pub fn parse_join_time(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return (n > 0).then_some(n);
    }
    let s = s.replace('/', "-").replace('T', " ");
    let (date, time) = s.split_once(' ').unwrap_or((&s, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3
        || !(1..=12).contains(&d[1])
        || !(1..=31).contains(&d[2])
        || t.is_empty()
        || t.len() > 3
    {
        return None;
    }
    let (h, mi, se) = (t[0], *t.get(1).unwrap_or(&0), *t.get(2).unwrap_or(&0));
    // Bounded before any arithmetic: a JoinTime is a real date (no year 10^12, no negative hour).
    if !(1970..=9999).contains(&d[0])
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=59).contains(&se)
    {
        return None;
    }
    let secs = days_from_civil(d[0], d[1], d[2])
        .checked_mul(86_400)?
        .checked_add(h * 3600 + mi * 60 + se)?
        .checked_sub(8 * 3600)?;
    (secs > 0).then_some(secs)
}
