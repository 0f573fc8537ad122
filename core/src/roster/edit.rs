//! A roster fixed in place: a cell edited in the preview is checked again by the rules the whole
//! file went through ([`Roster::recheck_row`]); the column tools count before they change
//! anything ([`replace_in`]); the one-click fixes are the normalisations the rules already make
//! ([`suggested_fix`]). [`Edits`] keeps what was changed, so the job can record it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::build::RosterBuilder;
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
    /// file was checked with (`options` as the roster was built from). Duplicates are found
    /// across rows: the row keeps the duplicate warning the file gave it.
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
        let mut problems: Vec<RowProblem> =
            one.problems.into_iter().filter(|p| p.row == row).collect();
        let from = self.problems.partition_point(|p| p.row < row);
        problems.extend(
            self.problems[from..]
                .iter()
                .take_while(|p| p.row == row)
                .filter(|p| p.code == ProblemCode::Duplicate)
                .cloned(),
        );
        problems
    }
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
/// `+86`/`0086` prefix before a mainland mobile number; an area without `+`/`00`; an e-mail,
/// userid or account without spaces. `None` for other fields or when nothing would change.
pub fn suggested_fix(field: FieldKind, cell: &str) -> Option<String> {
    let fixed = match field {
        FieldKind::Phone => {
            let c = phone::clean(cell);
            let national = c
                .strip_prefix("+86")
                .or_else(|| c.strip_prefix("0086"))
                .filter(|n| phone::is_cn_mobile(n));
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
    problems: Vec<RowProblem>,
}

/// Cells changed in the preview, over a roster that stays as the file had it: the rows' cells
/// and problems as they are now, what to send, and which cells were changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    rows: BTreeMap<u32, EditedRow>,
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
        if changed.is_empty() {
            return true;
        }
        let refs: Vec<&str> = cells.iter().map(Cell::as_str).collect();
        let problems = roster.recheck_row(options, row, &refs);
        self.rows.insert(
            row,
            EditedRow {
                cells,
                changed,
                problems,
            },
        );
        true
    }

    /// Checks every edited row again (after the mapping changed).
    pub fn recheck(&mut self, roster: &Roster, options: &MappingOptions) {
        for (row, e) in &mut self.rows {
            let refs: Vec<&str> = e.cells.iter().map(Cell::as_str).collect();
            e.problems = roster.recheck_row(options, *row, &refs);
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
    pub fn problems<'a>(&'a self, roster: &'a Roster, row: u32) -> &'a [RowProblem] {
        match self.rows.get(&row) {
            Some(e) => &e.problems,
            None => {
                let from = roster.problems.partition_point(|p| p.row < row);
                let to = from + roster.problems[from..].partition_point(|p| p.row == row);
                &roster.problems[from..to]
            }
        }
    }

    /// Rows an error keeps from any of `kinds`, edits included ([`Roster::invalid_for`]).
    pub fn invalid_for(&self, roster: &Roster, kinds: &[DestinationKind]) -> HashSet<u32> {
        let mut bad = roster.invalid_for(kinds);
        for (row, e) in &self.rows {
            bad.remove(row);
            if e.problems.iter().any(|p| {
                p.severity == Severity::Error && p.destination.is_none_or(|d| kinds.contains(&d))
            }) {
                bad.insert(*row);
            }
        }
        bad
    }

    /// Every changed cell, by row and header, in row order (what the job records).
    pub fn changed_cells(&self, roster: &Roster) -> Vec<EditedCell> {
        self.rows
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
            .collect()
    }
}
