//! Step 6 of building a roster: in-file duplicates by normalised phone, e-mail
//! (case-insensitive) or userid, found without copying a key.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

use super::rows::{columns_of, Rows};
use super::*;
use crate::codes::ProblemCode;

/// The keys seen so far.
///
/// The table holds (row index, key kind) packed in a `u32` ([`pack`]) and 32 bits of the key's
/// hash (8 bytes an entry, so the table of a 100k-row file stays small enough to be probed from
/// the cache); a key is read where it lives, in the row itself, only to confirm a match: nothing
/// is copied or allocated per row (a mixed-case e-mail is lower-cased to compare), and growing
/// the table never goes back to the rows.
pub(super) struct SeenKeys {
    table: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
    /// The e-mail and userid columns, last first.
    email: Vec<usize>,
    userid: Vec<usize>,
}

/// The duplicate-detection keys of a row, in the order they are checked.
const KEY_KINDS: [FieldKind; 3] = [FieldKind::Phone, FieldKind::Email, FieldKind::Userid];

type Key<'a> = (&'a str, std::borrow::Cow<'a, str>);

/// A row index and the kind of its key in one `u32`: the index above two bits for the kind.
fn pack(idx: usize, kind: FieldKind) -> u32 {
    let k = KEY_KINDS.iter().position(|&x| x == kind).unwrap_or(0) as u32;
    ((idx as u32) << 2) | k
}

fn unpack(v: u32) -> (usize, FieldKind) {
    (
        (v >> 2) as usize,
        KEY_KINDS[(v & 3) as usize % KEY_KINDS.len()],
    )
}

/// Where the keys live: the rows read so far, and the columns of the e-mail and the userid (the
/// last non-empty one of a field wins, as when the row was read).
struct RowKeys<'r> {
    rows: &'r Rows,
    email: &'r [usize],
    userid: &'r [usize],
}

impl<'r> RowKeys<'r> {
    /// Row `i`'s key of one kind, from what the roster stored.
    fn key(&self, i: usize, kind: FieldKind) -> Option<Key<'r>> {
        let (area, phone) = self.rows.area_phone(i);
        let email = || self.rows.last_present(i, self.email);
        let userid = || self.rows.last_present(i, self.userid);
        key_of(kind, area, phone, email, userid)
    }
}

/// A key of one kind: (area, phone), the lower-cased e-mail, or the userid.
fn key_of<'a>(
    kind: FieldKind,
    area: Option<&'a str>,
    phone: Option<&'a str>,
    email: impl FnOnce() -> Option<&'a str>,
    userid: impl FnOnce() -> Option<&'a str>,
) -> Option<Key<'a>> {
    match kind {
        FieldKind::Phone => Some((area.unwrap_or(""), phone?.into())),
        FieldKind::Email => {
            let e = email()?;
            let lower = if e.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
                e.to_lowercase().into()
            } else {
                e.into()
            };
            Some(("", lower))
        }
        FieldKind::Userid => Some(("", userid()?.into())),
        _ => None,
    }
}

/// Row `row` repeats row `first`'s key of `kind`: an error on the key's column.
pub(super) fn duplicate_problem(
    row: u32,
    first: u32,
    kind: FieldKind,
    columns: &[ColumnMapping],
) -> RowProblem {
    RowProblem::new(
        row,
        super::mapping::header_of(columns, kind),
        ProblemCode::Duplicate,
        Severity::Error,
        &format!("与第 {first} 行重复（{}相同）", kind.label_zh()),
        &format!("duplicate of row {first} (same {})", kind.as_str()),
    )
}

/// The 64-bit hashes of a row's keys, in [`KEY_KINDS`] order, from its fields as read and its
/// normalised phone: what [`SeenKeys`] compares, for a roster fixed in place
/// (`roster/edit.rs`), where rows change after the file was read.
pub(super) fn key_hashes(
    area: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    userid: Option<&str>,
) -> [Option<u64>; 3] {
    KEY_KINDS.map(|kind| {
        let key = key_of(kind, area, phone, || email, || userid)?;
        let mut h = std::hash::DefaultHasher::new();
        kind.hash(&mut h);
        key.0.hash(&mut h);
        key.1.hash(&mut h);
        Some(h.finish())
    })
}

/// The kinds of key, in the order a row's are checked.
pub(super) const DUPLICATE_KEYS: [FieldKind; 3] = KEY_KINDS;

/// 32 bits of the key's hash: what the table keeps.
fn hash_key(hasher: &DefaultHashBuilder, kind: FieldKind, key: &Key) -> u32 {
    let mut h = hasher.build_hasher();
    kind.hash(&mut h);
    key.0.hash(&mut h);
    key.1.hash(&mut h);
    (h.finish() >> 32) as u32
}

/// The table's hash from the kept 32 bits (both halves, so the bucket and the tag bits vary).
fn spread(h: u32) -> u64 {
    (u64::from(h) << 32) | u64::from(h)
}

impl SeenKeys {
    /// For about `rows` rows: room for every key they may have (one per kind mapped).
    pub(super) fn new(rows: usize, columns: &[ColumnMapping]) -> Self {
        let kinds = KEY_KINDS
            .iter()
            .filter(|&&k| columns.iter().any(|c| c.field == k))
            .count();
        SeenKeys {
            table: HashTable::with_capacity(rows * kinds),
            hasher: DefaultHashBuilder::default(),
            email: columns_of(columns, FieldKind::Email),
            userid: columns_of(columns, FieldKind::Userid),
        }
    }

    /// Checks the last row against the rows before it; the first row it repeats. `email` and
    /// `userid` are the last row's (as just read); its phone is the one stored.
    pub(super) fn find_duplicate(
        &mut self,
        rows: &Rows,
        email: Option<&str>,
        userid: Option<&str>,
        columns: &[ColumnMapping],
        problems: &mut Vec<RowProblem>,
    ) -> Option<u32> {
        let keys = RowKeys {
            rows,
            email: &self.email,
            userid: &self.userid,
        };
        let idx = rows.len() - 1;
        let (area, phone) = rows.area_phone(idx);
        let mut duplicate_of = None;
        for kind in KEY_KINDS {
            let Some(key) = key_of(kind, area, phone, || email, || userid) else {
                continue;
            };
            let hash = hash_key(&self.hasher, kind, &key);
            // One probe: the first row with this key, or this row remembered as it.
            let entry = self.table.entry(
                spread(hash),
                |&(v, h)| {
                    let (i, k) = unpack(v);
                    h == hash && k == kind && keys.key(i, k).as_ref() == Some(&key)
                },
                |&(_, h)| spread(h),
            );
            match entry {
                Entry::Occupied(seen) => {
                    let first = rows[unpack(seen.get().0).0].row;
                    if duplicate_of.is_none() {
                        duplicate_of = Some(first);
                        problems.push(duplicate_problem(rows[idx].row, first, kind, columns));
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert((pack(idx, kind), hash));
                }
            }
        }
        duplicate_of
    }
}
