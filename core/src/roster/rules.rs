//! Cell rules that are not a provider's: e-mail shape, JoinTime dates.

pub(super) fn valid_email(s: &str) -> bool {
    // One pass over the bytes for ASCII text (the common case): the same rules as below.
    let b = s.as_bytes();
    let (mut at, mut dot_in_domain) = (None, false);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'@' if at.is_some() => return false,
            b'@' => at = Some(i),
            b'.' => dot_in_domain |= at.is_some(),
            0x80.. => return valid_email_chars(s),
            c if c.is_ascii_whitespace() || c == 0x0B => return false,
            _ => {}
        }
    }
    let Some(at) = at else { return false };
    let domain = &b[at + 1..];
    at > 0
        && b.len() <= 254
        && dot_in_domain
        && domain.first() != Some(&b'.')
        && domain.last() != Some(&b'.')
}

/// [`valid_email`] for any text.
fn valid_email_chars(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254
}

/// `s.trim()`, without decoding the cell when its first and last characters are plainly not
/// whitespace (nearly every cell: only the last character is decoded, and only when it is not
/// ASCII).
pub(super) fn trim_cell(s: &str) -> &str {
    let (Some(&first), Some(&last)) = (s.as_bytes().first(), s.as_bytes().last()) else {
        return s;
    };
    let space = |b: u8| b.is_ascii_whitespace() || b == 0x0B;
    // Lead bytes of the non-ASCII whitespace: U+0085, U+00A0 (C2), U+1680 (E1), U+2000–U+205F
    // (E2), U+3000 (E3).
    let may_start = space(first) || matches!(first, 0xC2 | 0xE1..=0xE3);
    let may_end = if last.is_ascii() {
        space(last)
    } else {
        s.chars().next_back().is_some_and(char::is_whitespace)
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte-wise fast paths answer as the char-wise rules they stand in for.
        #[test]
        fn fast_paths_match_the_plain_rules(s in "[ a-zA-Z.@\t\u{0b}\u{a0}\u{3000}\u{2003}\u{85}者部理\u{1680}-]{0,24}") {
            prop_assert_eq!(trim_cell(&s), s.trim());
            prop_assert_eq!(valid_email(&s), valid_email_chars(&s));
        }
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.cn", "x.y@mail.example.com"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "@b.cn",
            "a@",
            "a@b",
            "a@.cn",
            "a@b.",
            "a@b@c.cn",
            "a b@c.cn",
            "a@b.cn\u{b}",
        ] {
            assert!(!valid_email(bad), "{bad:?}");
        }
    }
}
