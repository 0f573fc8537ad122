//! A roster's rows, stored flat: every cell's text in one buffer with its end offsets, and a
//! fixed-size entry per row. A 100k-row file is a handful of allocations instead of a few per
//! row, and cells are borrowed (`&str`) wherever they are read.
//!
//! What a row says is its cells; what validation derived from them and must keep (the
//! normalised area and phone, a parsed JoinTime, an IM role) sits in its [`RowEntry`]. The
//! unified [`Attendee`] is built on demand ([`Roster::attendee`]) by whoever sends the row.

use std::fmt;

use super::Cell;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Index;

mod wire;

/// One row's place in [`Rows`] and what validation derived from it (36 bytes a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowEntry {
    /// The row number as a spreadsheet shows it (header = 1).
    pub row: u32,
    /// Row number of the first occurrence when this row is a duplicate.
    pub duplicate_of: Option<u32>,
    /// Index of the row's first cell in [`Rows`]' cell ends, and its cell count.
    first: u32,
    len: u32,
    /// Where the normalised area and phone start in [`Rows`]' derived text, and their lengths.
    derived: u32,
    area_len: u32,
    phone_len: u32,
    flags: u8,
    /// The destinations (bit `i` for `DestinationKind::ALL[i]`) that need more from this row,
    /// as `destination::row_needs` answered while the row was read; see [`CHECKED`].
    needs: u8,
}

const HAS_AREA: u8 = 1;

const HAS_PHONE: u8 = 2;

const ADMIN: u8 = 4;

/// `needs` was answered (not set on rows read back from the wire).
const CHECKED: u8 = 8;

/// What validation derived from a row (see [`RowEntry`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Derived {
    /// See [`RowEntry`]'s `needs`.
    pub needs: u8,
    pub area: Option<Cell>,
    pub phone: Option<Cell>,
    pub join_time: Option<i64>,
    pub admin: bool,
}

/// Every row of a roster, in the order read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Every cell's text, one after the other.
    text: String,
    /// Each row's normalised area and phone, one after the other.
    derived: String,
    /// (row index, IM JoinTime) of the rows that have one, in row order (few files have the
    /// column: kept beside the entries rather than in each).
    join_times: Vec<(u32, i64)>,
    /// The end offset of each cell in `text` (a cell starts where the previous one ends).
    ends: Vec<u32>,
    entries: Vec<RowEntry>,
}

/// One row, borrowed: its entry (`row`, `duplicate_of` through `Deref`) and its cells.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'r> {
    rows: &'r Rows,
    entry: &'r RowEntry,
}

impl Rows {
    /// Room for `rows` rows of `cells` cells and `bytes` bytes of text.
    pub(super) fn with_capacity(rows: usize, cells: usize, bytes: usize) -> Self {
        Rows {
            text: String::with_capacity(bytes),
            derived: String::with_capacity(rows * 13),
            join_times: Vec::new(),
            ends: Vec::with_capacity(cells),
            entries: Vec::with_capacity(rows),
        }
    }

    /// Appends a row: its number, cells (kept as given) and what validation derived.
    pub(super) fn push<'c>(&mut self, row: u32, cells: impl IntoIterator<Item = &'c str>) {
        let first = self.ends.len() as u32;
        for c in cells {
            self.text.push_str(c);
            self.ends.push(self.text.len() as u32);
        }
        self.entries.push(RowEntry {
            row,
            duplicate_of: None,
            first,
            len: self.ends.len() as u32 - first,
            derived: 0,
            area_len: 0,
            phone_len: 0,
            flags: 0,
            needs: 0,
        });
    }

    /// Sets what validation derived for the last row pushed.
    pub(super) fn set_derived(&mut self, d: Derived) {
        let idx = self.entries.len().saturating_sub(1) as u32;
        let Some(e) = self.entries.last_mut() else {
            return;
        };
        e.derived = self.derived.len() as u32;
        let mut put = |v: Option<Cell>, flag: u8| match v {
            Some(v) => {
                self.derived.push_str(&v);
                e.flags |= flag;
                v.len() as u32
            }
            None => 0,
        };
        e.area_len = put(d.area, HAS_AREA);
        e.phone_len = put(d.phone, HAS_PHONE);
        if d.admin {
            e.flags |= ADMIN;
        }
        e.flags |= CHECKED;
        e.needs = d.needs;
        if let Some(t) = d.join_time {
            self.join_times.push((idx, t));
        }
    }

    /// Row `i`'s normalised area and national number.
    pub(super) fn area_phone(&self, i: usize) -> (Option<&str>, Option<&str>) {
        let e = &self.entries[i];
        let a = e.derived as usize;
        let p = a + e.area_len as usize;
        let area = (e.flags & HAS_AREA != 0).then(|| &self.derived[a..p]);
        let phone = (e.flags & HAS_PHONE != 0).then(|| &self.derived[p..p + e.phone_len as usize]);
        (area, phone)
    }

    /// Whether row `i` may need more for a destination of `mask` (`DestinationKind::ALL` bits):
    /// true unless it was checked when read and nothing was missing.
    pub(super) fn may_need(&self, i: usize, mask: u8) -> bool {
        let e = &self.entries[i];
        e.flags & CHECKED == 0 || e.needs & mask != 0
    }

    /// Row `i`'s JoinTime and whether its role cell said Admin.
    pub(super) fn im_fields(&self, i: usize) -> (Option<i64>, bool) {
        let t = self
            .join_times
            .binary_search_by_key(&(i as u32), |&(r, _)| r)
            .ok()
            .map(|at| self.join_times[at].1);
        (t, self.entries[i].flags & ADMIN != 0)
    }

    pub(super) fn set_duplicate_of(&mut self, i: usize, of: Option<u32>) {
        self.entries[i].duplicate_of = of;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Row `i` (in the order read), if there is one.
    pub fn get(&self, i: usize) -> Option<RowRef<'_>> {
        self.entries
            .get(i)
            .map(|entry| RowRef { rows: self, entry })
    }

    pub fn first(&self) -> Option<RowRef<'_>> {
        self.get(0)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = RowRef<'_>> + DoubleEndedIterator + '_ {
        self.entries
            .iter()
            .map(move |entry| RowRef { rows: self, entry })
    }

    /// Rows `range` (by index) as rows of their own: a page of a roster handed over a page at a
    /// time (the browser worker's replies). Out-of-range ends are clamped.
    pub fn page(&self, range: std::ops::Range<usize>) -> Rows {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let mut out = Rows::default();
        for (i, e) in self.entries[start..end].iter().enumerate() {
            let from = e.first as usize;
            let text_from = if from == 0 { 0 } else { self.ends[from - 1] };
            let text_to = match e.len {
                0 => text_from,
                n => self.ends[from + n as usize - 1],
            };
            let (a, p) = self.area_phone(start + i);
            let mut entry = e.clone();
            entry.first = out.ends.len() as u32;
            entry.derived = out.derived.len() as u32;
            let shift = out.text.len() as u32;
            out.text
                .push_str(&self.text[text_from as usize..text_to as usize]);
            out.ends.extend(
                self.ends[from..from + e.len as usize]
                    .iter()
                    .map(|&end| end - text_from + shift),
            );
            out.derived.push_str(a.unwrap_or_default());
            out.derived.push_str(p.unwrap_or_default());
            out.entries.push(entry);
        }
        out.join_times = self
            .join_times
            .iter()
            .filter(|&&(i, _)| (start..end).contains(&(i as usize)))
            .map(|&(i, t)| (i - start as u32, t))
            .collect();
        out
    }

    /// Which rows (by index) have a cell holding `needle` — one search through every cell's text
    /// at once, a match counted only inside one cell; after a hit the search goes on from
    /// the row's end. `fold`: ASCII letters compared in lower case (`needle` given so).
    pub(in crate::roster) fn rows_containing(
        &self,
        needle: &str,
        fold: bool,
        columns: usize,
    ) -> Vec<bool> {
        let n = needle.len();
        let mut hit = vec![n == 0; self.len()];
        if n == 0 || self.is_empty() {
            return hit;
        }
        let lowered;
        let hay = if fold {
            lowered = self.text.to_ascii_lowercase();
            lowered.as_str()
        } else {
            self.text.as_str()
        };
        // Past a match that is not inside one cell by the needle's first character: `pos`
        // stays on a character boundary.
        let step = needle.chars().next().map_or(1, char::len_utf8);
        let (mut pos, mut cell, mut row) = (0usize, 0usize, 0usize);
        while let Some(off) = hay[pos..].find(needle) {
            let at = pos + off;
            // The cell the match starts in (cells ascend with the text; empty ones end where
            // they start and are passed over).
            while (self.ends[cell] as usize) <= at {
                cell += 1;
            }
            while row + 1 < self.entries.len() && self.entries[row + 1].first as usize <= cell {
                row += 1;
            }
            let e = &self.entries[row];
            // Not inside one cell, or in a cell past the header's width (not shown).
            if at + n > self.ends[cell] as usize || cell - e.first as usize >= columns {
                pos = at + step;
                continue;
            }
            hit[row] = true;
            let row_end = match e.len {
                0 => at + step,
                len => self.ends[(e.first + len) as usize - 1] as usize,
            };
            pos = row_end.max(at + step);
            if pos >= hay.len() {
                break;
            }
        }
        hit
    }

    /// Appends `more` after the last row (the pages of [`Rows::page`] put back together).
    pub fn append(&mut self, more: Rows) {
        let (text, ends) = (self.text.len() as u32, self.ends.len() as u32);
        let (derived, at) = (self.derived.len() as u32, self.entries.len() as u32);
        self.text.push_str(&more.text);
        self.ends.extend(more.ends.iter().map(|&e| e + text));
        self.derived.push_str(&more.derived);
        self.join_times
            .extend(more.join_times.iter().map(|&(i, t)| (i + at, t)));
        self.entries.extend(more.entries.into_iter().map(|mut e| {
            e.first += ends;
            e.derived += derived;
            e
        }));
    }

    /// The index of the row numbered `row` (rows read from a file ascend).
    pub fn position_of(&self, row: u32) -> Option<usize> {
        self.entries.binary_search_by_key(&row, |e| e.row).ok()
    }

    /// Cell `k` of the whole roster (`first + column` of a row).
    fn cell_at(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.text[start..self.ends[k] as usize]
    }

    /// Row `i`'s value of a field mapped to `columns` (last first, see [`columns_of`]): the
    /// first of them that is not empty, trimmed — the value the row's attendee has.
    pub(super) fn last_present(&self, i: usize, columns: &[usize]) -> Option<&str> {
        columns.iter().find_map(|&c| {
            let v = super::rules::trim_cell(self.cell(i, c)?);
            (!v.is_empty()).then_some(v)
        })
    }

    /// Cell `column` of row `i` (`None` past the row's last cell).
    pub(super) fn cell(&self, i: usize, column: usize) -> Option<&str> {
        let e = &self.entries[i];
        (column < e.len as usize).then(|| self.cell_at(e.first as usize + column))
    }
}

/// A destination's bit in a row's `needs` (and in a mask of destinations).
pub(super) fn kind_bit(k: crate::api::DestinationKind) -> u8 {
    let at = crate::api::DestinationKind::ALL
        .iter()
        .position(|&a| a == k);
    at.map_or(0, |b| 1 << b)
}

/// The columns mapped to `f`, last first (the last non-empty one is a row's value).
pub(super) fn columns_of(columns: &[super::ColumnMapping], f: super::FieldKind) -> Vec<usize> {
    (0..columns.len())
        .rev()
        .filter(|&i| columns[i].field == f)
        .collect()
}

impl Index<usize> for Rows {
    type Output = RowEntry;
    fn index(&self, i: usize) -> &RowEntry {
        &self.entries[i]
    }
}

impl<'r> RowRef<'r> {
    /// The row's cells, as read (beyond the header's width too).
    pub fn cells(&self) -> impl ExactSizeIterator<Item = &'r str> + Clone + 'r {
        let (rows, first) = (self.rows, self.entry.first as usize);
        (first..first + self.entry.len as usize).map(move |k| rows.cell_at(k))
    }

    /// Cell `column`, if the row has one there.
    pub fn cell(&self, column: usize) -> Option<&'r str> {
        (column < self.entry.len as usize)
            .then(|| self.rows.cell_at(self.entry.first as usize + column))
    }

    /// The cells as owned strings (a job request's row).
    pub fn to_cells(&self) -> Vec<Cell> {
        self.cells().map(Cell::from).collect()
    }
}

impl std::ops::Deref for RowRef<'_> {
    type Target = RowEntry;
    fn deref(&self) -> &RowEntry {
        self.entry
    }
}
