//! A roster fixed in place: a cell edited in the preview is checked again by the rules the whole
//! file went through ([`Roster::recheck_row`]); the column tools count before they change
//! anything ([`replace_in`]); the one-click fixes are the normalisations the rules already make
//! ([`suggested_fix`]). [`Edits`] keeps what was changed, so the job can record it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::build::RosterBuilder;
use super::build::{self, fixed_value};
use super::duplicates::{self, duplicate_problem, DUPLICATE_KEYS};
use super::read::{RowSink, TableMeta};
use super::*;
use crate::api::DestinationKind;
use crate::codes::ProblemCode;

/// One cell changed before sending: its spreadsheet row and its column's header.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EditedCell {
    pub row: u32,
    pub column: String,
}

impl Roster {
    /// The problems row `row` would have with `cells` in place of its own, by the same rules the
    /// file was checked with (`options` as the roster was built from) — all but duplicates,
    /// which are found across rows ([`Edits`] does).
    pub fn recheck_row(
        &self,
        options: &MappingOptions,
        row: u32,
        cells: &[&str],
    ) -> Vec<RowProblem> {
        let mut progress = |_, _| {};
        let mut b = RosterBuilder::new(options, &mut progress);
        let meta = TableMeta {
            format: self.format,
            encoding: self.encoding,
            delimiter: None,
            expected_rows: 1,
            expected_bytes: 0,
        };
        b.header(meta, self.headers.clone());
        b.row(row, cells);
        let mut one = b.finish();
        one.check_destinations(&DestinationKind::ALL);
        one.problems.into_iter().filter(|p| p.row == row).collect()
    }
}

/// The hashes of a row's duplicate keys (phone as normalised, e-mail, userid), from its cells:
/// as the file's rows were compared when it was read.
fn key_hashes_of<'a>(
    columns: &[ColumnMapping],
    fixed_area: Option<&str>,
    cell: impl Fn(usize) -> Option<&'a str>,
) -> [Option<u64>; 3] {
    let f = build::read_fields(0, cell, columns, None);
    let phone = f
        .phone
        .and_then(|(_, p)| phone::normalize(p, f.area.or(fixed_area)).ok());
    let (area, number) = match &phone {
        Some((a, n)) => (Some(a.as_str()), Some(n.as_str())),
        None => (None, None),
    };
    duplicates::key_hashes(area, number, f.email, f.userid)
}

/// `cell` with every `find` replaced by `replace`; `None` when `find` is empty or not in it.
pub fn replace_in(cell: &str, find: &str, replace: &str) -> Option<String> {
    (!find.is_empty() && cell.contains(find)).then(|| cell.replace(find, replace))
}

/// Full-width ASCII (`１３８`, `＠`, `＋`) as ASCII, the ideographic space as a space.
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// The fix the rules already know for a cell of `field`, when it changes the cell: full-width
/// digits and letters as ASCII; a phone without its spaces, dashes and brackets, and without a
/// `+86`/`0086` prefix before a mainland mobile number — only where the row's `area` (its area
/// cell, or the mapping's fixed area) is 86 or missing, so no number changes country; an area
/// without `+`/`00`; an e-mail, userid or account without spaces. `None` for other fields or
/// when nothing would change.
pub fn suggested_fix(field: FieldKind, cell: &str, area: Option<&str>) -> Option<String> {
    let fixed = match field {
        FieldKind::Phone => {
            let c = phone::clean(cell);
            let mainland = area
                .and_then(phone::normalize_area)
                .is_none_or(|a| a == "86");
            let national = c
                .strip_prefix("+86")
                .or_else(|| c.strip_prefix("0086"))
                .filter(|n| mainland && phone::is_cn_mobile(n));
            national.unwrap_or(&c).to_string()
        }
        FieldKind::Area => phone::normalize_area(cell).map(|a| a.to_string())?,
        FieldKind::Email | FieldKind::Userid | FieldKind::OpenId | FieldKind::ImAccount => {
            half_width(cell)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        }
        _ => return None,
    };
    (fixed != cell && !fixed.is_empty()).then_some(fixed)
}

/// One row's edited cells and the problems it has with them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EditedRow {
    cells: Vec<Cell>,
    /// Columns changed from the file's value.
    changed: BTreeSet<usize>,
    /// Its problems but duplicates (those are found across rows).
    problems: Vec<RowProblem>,
    keys: [Option<u64>; 3],
}

/// Cells changed in the preview, over a roster that stays as the file had it: the rows' cells
/// and problems as they are now (duplicates found again across every row, as when the file was
/// read: a row fixed out of a duplicate is one no more, a row edited into one is), what to send,
/// and which cells were changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    rows: BTreeMap<u32, EditedRow>,
    /// Each row's key hashes as the file had them (by row index; made at the first edit).
    file_keys: Vec<[Option<u64>; 3]>,
    /// Rows whose duplicate problem the edits change (edited rows always): the one they have now.
    duplicates: BTreeMap<u32, Option<RowProblem>>,
}

impl Edits {
    /// Sets one cell (`column` by index) of row `row` and checks the row again. Setting a cell
    /// back to the file's value un-edits it. `false` when the roster has no such row or column.
    pub fn set(
        &mut self,
        roster: &Roster,
        options: &MappingOptions,
        row: u32,
        column: usize,
        value: &str,
    ) -> bool {
        let done = self.set_cell(roster, options, row, column, value);
        self.find_duplicates(roster, options);
        done
    }

    /// Sets many cells of one column (a find-and-replace, a one-click fix), duplicates found once
    /// at the end; how many were set.
    pub fn set_all(
        &mut self,
        roster: &Roster,
        options: &MappingOptions,
        column: usize,
        values: impl IntoIterator<Item = (u32, String)>,
    ) -> usize {
        let n = values
            .into_iter()
            .filter(|(row, v)| self.set_cell(roster, options, *row, column, v))
            .count();
        self.find_duplicates(roster, options);
        n
    }

    fn set_cell(
        &mut self,
        roster: &Roster,
        options: &MappingOptions,
        row: u32,
        column: usize,
        value: &str,
    ) -> bool {
        let Some(original) = roster
            .rows
            .position_of(row)
            .and_then(|i| roster.rows.get(i))
        else {
            return false;
        };
        if column >= roster.columns.len() {
            return false;
        }
        let mut cells = match self.rows.remove(&row) {
            Some(e) => e.cells,
            None => original.to_cells(),
        };
        cells.resize(cells.len().max(column + 1), Cell::default());
        cells[column] = Cell::from(value);
        let changed: BTreeSet<usize> = (0..cells.len())
            .filter(|&i| original.cell(i).unwrap_or_default() != cells[i].as_str())
            .collect();
        if !changed.is_empty() {
            let edited = Self::checked(roster, options, row, cells, changed);
            self.rows.insert(row, edited);
        }
        true
    }

    fn checked(
        roster: &Roster,
        options: &MappingOptions,
        row: u32,
        cells: Vec<Cell>,
        changed: BTreeSet<usize>,
    ) -> EditedRow {
        let refs: Vec<&str> = cells.iter().map(Cell::as_str).collect();
        let problems = roster.recheck_row(options, row, &refs);
        let fixed_area = fixed_value(&options.fixed, FieldKind::Area);
        let keys = key_hashes_of(&roster.columns, fixed_area.as_deref(), |i| {
            refs.get(i).copied()
        });
        EditedRow {
            cells,
            changed,
            problems,
            keys,
        }
    }

    /// Checks every edited row again (after the mapping changed).
    pub fn recheck(&mut self, roster: &Roster, options: &MappingOptions) {
        let rows = std::mem::take(&mut self.rows);
        for (row, e) in rows {
            self.rows
                .insert(row, Self::checked(roster, options, row, e.cells, e.changed));
        }
        self.file_keys.clear();
        self.find_duplicates(roster, options);
    }

    /// Compares every row's keys again, in row order, as the file's reader does: the first row
    /// with a key keeps it, a later one is its duplicate. Key hashes are 64-bit (two different
    /// keys meeting is about one chance in 10⁹ for a 100k-row file; the proxy, which rebuilds
    /// the roster from the cells sent, has the last word).
    fn find_duplicates(&mut self, roster: &Roster, options: &MappingOptions) {
        self.duplicates.clear();
        if self.rows.is_empty() {
            return;
        }
        if self.file_keys.len() != roster.rows.len() {
            let fixed_area = fixed_value(&options.fixed, FieldKind::Area);
            self.file_keys = roster
                .rows
                .iter()
                .map(|r| key_hashes_of(&roster.columns, fixed_area.as_deref(), |i| r.cell(i)))
                .collect();
        }
        let mut first: HashMap<u64, u32> = HashMap::with_capacity(roster.rows.len() * 2);
        for (i, r) in roster.rows.iter().enumerate() {
            let edited = self.rows.get(&r.row);
            let keys = edited.map_or(&self.file_keys[i], |e| &e.keys);
            let mut now = None;
            for (k, h) in keys.iter().enumerate() {
                let Some(h) = h else { continue };
                match first.get(h) {
                    Some(&f) => {
                        now = now.or(Some((f, DUPLICATE_KEYS[k])));
                    }
                    None => {
                        first.insert(*h, r.row);
                    }
                }
            }
            if edited.is_some() || now.map(|(f, _)| f) != r.duplicate_of {
                let p = now.map(|(f, k)| duplicate_problem(r.row, f, k, &roster.columns));
                self.duplicates.insert(r.row, p);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many cells differ from the file.
    pub fn cells_changed(&self) -> usize {
        self.rows.values().map(|e| e.changed.len()).sum()
    }

    /// Whether a cell was changed.
    pub fn is_changed(&self, row: u32, column: usize) -> bool {
        self.rows
            .get(&row)
            .is_some_and(|e| e.changed.contains(&column))
    }

    /// The cell as it is now: edited, or the file's.
    pub fn cell<'a>(&'a self, roster: &'a Roster, at: usize, column: usize) -> Option<&'a str> {
        let r = roster.rows.get(at)?;
        match self.rows.get(&r.row) {
            Some(e) => e.cells.get(column).map(Cell::as_str),
            None => r.cell(column),
        }
    }

    /// Row `row`'s cells when it was edited.
    pub(super) fn edited_cells(&self, row: u32) -> Option<&[Cell]> {
        self.rows.get(&row).map(|e| e.cells.as_slice())
    }

    /// `rows` — the rows of the file with a problem for which `has` holds — as the cells are now:
    /// each row the edits touch (edited, or a duplicate of one or no longer) is in it when one
    /// of its problems now satisfies `has`.
    pub(super) fn as_edited(
        &self,
        roster: &Roster,
        mut rows: HashSet<u32>,
        has: impl Fn(&RowProblem) -> bool,
    ) -> HashSet<u32> {
        for row in self.rows.keys().chain(self.duplicates.keys()).copied() {
            rows.remove(&row);
            if self.problems(roster, row).iter().any(&has) {
                rows.insert(row);
            }
        }
        rows
    }

    /// Whether row `row` repeats an earlier row now (`in_file`: it did in the file).
    pub(super) fn is_duplicate(&self, row: u32, in_file: bool) -> bool {
        self.duplicates.get(&row).map_or(in_file, Option::is_some)
    }

    /// Row `row`'s cells as they are now (what is sent).
    pub fn cells_of(&self, roster: &Roster, row: u32) -> Vec<Cell> {
        match self.rows.get(&row) {
            Some(e) => e.cells.clone(),
            None => roster
                .rows
                .position_of(row)
                .and_then(|i| roster.rows.get(i))
                .map(|r| r.to_cells())
                .unwrap_or_default(),
        }
    }

    /// Row `row`'s problems as they are now.
    pub fn problems(&self, roster: &Roster, row: u32) -> Vec<RowProblem> {
        let mut out: Vec<RowProblem> = match self.rows.get(&row) {
            Some(e) => e.problems.clone(),
            None => {
                let from = roster.problems.partition_point(|p| p.row < row);
                let to = from + roster.problems[from..].partition_point(|p| p.row == row);
                roster.problems[from..to].to_vec()
            }
        };
        if let Some(now) = self.duplicates.get(&row) {
            out.retain(|p| p.code != ProblemCode::Duplicate);
            out.extend(now.clone());
        }
        out
    }

    /// Rows an error keeps from any of `kinds`, edits included ([`Roster::invalid_for`]).
    pub fn invalid_for(&self, roster: &Roster, kinds: &[DestinationKind]) -> HashSet<u32> {
        self.as_edited(roster, roster.invalid_for(kinds), |p| p.stops(kinds))
    }

    /// Every changed cell, by row and header, in row order (what the job records).
    pub fn changed_cells(&self, roster: &Roster) -> Vec<EditedCell> {
        let cells: BTreeSet<EditedCell> = self
            .rows
            .iter()
            .flat_map(|(row, e)| {
                e.changed.iter().map(move |&c| EditedCell {
                    row: *row,
                    column: roster
                        .columns
                        .get(c)
                        .map_or_else(|| format!("列{}", c + 1), |m| m.header.clone()),
                })
            })
            .collect();
        cells.into_iter().collect()
    }
}
