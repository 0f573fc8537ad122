//! Step 6 of building a roster: in-file duplicates by normalised phone, e-mail
//! (case-insensitive) or userid, found without copying a key.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashTable};

use super::*;

/// The keys seen so far.
///
/// The table holds (row index, key kind) and hashes the key where it lives, in the row itself:
/// nothing is copied or allocated per row (a mixed-case e-mail is lower-cased to compare).
pub(super) struct SeenKeys {
    table: HashTable<(u32, FieldKind)>,
    hasher: DefaultHashBuilder,
}

/// The duplicate-detection keys of a row, in the order they are checked.
const KEY_KINDS: [FieldKind; 3] = [FieldKind::Phone, FieldKind::Email, FieldKind::Userid];

/// A row's key of one kind: (area, phone), the lower-cased e-mail, or the userid.
fn key_of(a: &Attendee, kind: FieldKind) -> Option<Key<'_>> {
    match kind {
        FieldKind::Phone => Some((a.area.as_deref().unwrap_or(""), a.phone.as_deref()?.into())),
        FieldKind::Email => {
            let e = a.email.as_deref()?;
            let lower = if e.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
                e.to_lowercase().into()
            } else {
                e.into()
            };
            Some(("", lower))
        }
        FieldKind::Userid => Some(("", a.userid.as_deref()?.into())),
        _ => None,
    }
}

type Key<'a> = (&'a str, std::borrow::Cow<'a, str>);

fn hash_key(hasher: &DefaultHashBuilder, kind: FieldKind, key: &Key) -> u64 {
    let mut h = hasher.build_hasher();
    kind.hash(&mut h);
    key.0.hash(&mut h);
    key.1.hash(&mut h);
    h.finish()
}

impl SeenKeys {
    pub(super) fn with_capacity(n: usize) -> Self {
        SeenKeys {
            table: HashTable::with_capacity(n),
            hasher: DefaultHashBuilder::default(),
        }
    }

    /// Checks the last row of `rows` against the rows before it; the first row it repeats.
    pub(super) fn find_duplicate<'c>(
        &mut self,
        rows: &[RosterRow],
        col: &dyn Fn(FieldKind) -> Option<&'c str>,
        problems: &mut Vec<RowProblem>,
    ) -> Option<u32> {
        let idx = rows.len() - 1;
        let this = &rows[idx];
        let mut duplicate_of = None;
        for kind in KEY_KINDS {
            let Some(key) = key_of(&this.attendee, kind) else {
                continue;
            };
            let hash = hash_key(&self.hasher, kind, &key);
            let found = self.table.find(hash, |&(i, k)| {
                k == kind && key_of(&rows[i as usize].attendee, k).as_ref() == Some(&key)
            });
            match found {
                Some(&(first, _)) => {
                    let first = rows[first as usize].row;
                    if duplicate_of.is_none() {
                        duplicate_of = Some(first);
                        problems.push(RowProblem::new(
                            this.row,
                            col(kind),
                            "duplicate",
                            Severity::Error,
                            &format!("与第 {first} 行重复（{}相同）", kind.label_zh()),
                            &format!("duplicate of row {first} (same {})", kind.as_str()),
                        ));
                    }
                }
                None => {
                    let hasher = &self.hasher;
                    // Every entry's row has its key: the table only holds rows that had one.
                    self.table
                        .insert_unique(hash, (idx as u32, kind), |&(i, k)| {
                            key_of(&rows[i as usize].attendee, k)
                                .map_or(0, |key| hash_key(hasher, k, &key))
                        });
                }
            }
        }
        duplicate_of
    }
}
