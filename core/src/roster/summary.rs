//! What `rollcall roster check` prints: counts and problems.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;
use crate::api::DestinationKind;

/// Summary counts as `rollcall roster check` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub rows: usize,
    pub valid: usize,
    pub invalid: usize,
    pub duplicates: usize,
    pub encoding: String,
    pub columns: BTreeMap<String, String>,
    pub problems: Vec<RowProblem>,
    /// Per destination: rows that can go there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub destinations: BTreeMap<String, usize>,
    /// For a workbook: the sheet read, the others, and the header's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetInfo>,
}

impl Roster {
    /// The check summary for the given destinations (already applied with
    /// [`Roster::check_destinations`]).
    pub fn summary(&self, kinds: &[DestinationKind]) -> CheckSummary {
        // Rows whose number is in `bad` (none to look up when nothing is bad, the common case).
        let count_in = |bad: &std::collections::HashSet<u32>| {
            if bad.is_empty() {
                0
            } else {
                self.rows.iter().filter(|r| bad.contains(&r.row)).count()
            }
        };
        let invalid_n = count_in(&self.invalid_rows(None));
        let mut destinations = BTreeMap::new();
        for &k in kinds {
            let bad = count_in(&self.invalid_rows(Some(k)));
            destinations.insert(k.as_str().to_string(), self.rows.len() - bad);
        }
        CheckSummary {
            rows: self.rows.len(),
            valid: self.rows.len() - invalid_n,
            invalid: invalid_n,
            duplicates: self.duplicates(),
            // A workbook has no text encoding: say what it is.
            encoding: match (self.format, self.encoding) {
                (SourceFormat::Xlsx, _) => "xlsx",
                (SourceFormat::Xls, _) => "xls",
                (SourceFormat::Ods, _) => "ods",
                (_, Some(e)) => e.as_str(),
                (_, None) => "utf-8",
            }
            .to_string(),
            columns: self
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.field.as_str().to_string()))
                .collect(),
            problems: self.problems.clone(),
            sheet: self.sheet.clone(),
            destinations,
        }
    }
}
