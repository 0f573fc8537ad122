//! Which rows the preview shows: every row, the rows with a problem, or the duplicates, narrowed
//! by a search over the cells as they are now (edits included). One pass over the roster, so the
//! page answers a filter or a keystroke in the search box on 100k rows within a frame or a few
//! (BENCHMARKS.md, "100,000 rows in the browser without freezing").

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Edits, Roster};
use crate::api::DestinationKind;

/// The preview's filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowFilter {
    #[default]
    All,
    /// Rows with a problem (error or warning) that concerns the destinations chosen, as the
    /// cells are now.
    Problems,
    /// Rows that repeat an earlier row's person (as the cells are now).
    Duplicates,
}

/// A search query, prepared once: trimmed, ASCII letters folded (Chinese text has no case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    needle: String,
    /// Whether the needle has ASCII letters (the slower, case-folding comparison is needed).
    folds: bool,
}

impl Search {
    pub fn new(query: &str) -> Search {
        let needle = query.trim().to_ascii_lowercase();
        let folds = needle.bytes().any(|b| b.is_ascii_alphabetic());
        Search { needle, folds }
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// Whether `cell` holds the query (ASCII letters in any case).
    pub fn matches(&self, cell: &str) -> bool {
        if !self.folds {
            return cell.contains(self.needle.as_str());
        }
        let (hay, needle) = (cell.as_bytes(), self.needle.as_bytes());
        hay.len() >= needle.len()
            && hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    }
}

impl Edits {
    /// The row numbers the preview shows, in row order: those `filter` keeps that hold `search`
    /// in a cell the preview shows (any row when it is empty). Cells, problems and duplicates
    /// as edited; problems those that concern `kinds`.
    pub fn rows_shown(
        &self,
        roster: &Roster,
        kinds: &[DestinationKind],
        filter: RowFilter,
        search: &Search,
    ) -> Vec<u32> {
        // Once per call, not per row: a 100k-row file may have as many problems.
        let with_problem: HashSet<u32> = match filter {
            RowFilter::Problems => {
                let in_file = roster.problems.iter().filter(|p| p.concerns(kinds));
                self.as_edited(roster, in_file.map(|p| p.row).collect(), |p| {
                    p.concerns(kinds)
                })
            }
            _ => HashSet::new(),
        };
        // Every cell of the file searched at once; edited rows are checked cell by cell.
        let columns = roster.columns.len();
        let hits = roster
            .rows
            .rows_containing(&search.needle, search.folds, columns);
        roster
            .rows
            .iter()
            .zip(&hits)
            .filter(|(r, _)| match filter {
                RowFilter::All => true,
                RowFilter::Problems => with_problem.contains(&r.row),
                RowFilter::Duplicates => self.is_duplicate(r.row, r.duplicate_of.is_some()),
            })
            .filter(|(r, &hit)| {
                search.is_empty()
                    || match self.edited_cells(r.row) {
                        Some(cells) => cells.iter().take(columns).any(|c| search.matches(c)),
                        None => hit,
                    }
            })
            .map(|(r, _)| r.row)
            .collect()
    }
}
