//! Roster import: a spreadsheet (CSV or XLSX, UTF-8 / UTF-8 BOM / GBK) → unified attendee rows
//! plus every problem, with the row number as a spreadsheet shows it (header = row 1).
//!
//! Pipeline: [`read::sniff`] → decode → [`read::scan_csv_text`] / [`read::read_xlsx`] → rows into
//! a [`RowSink`]: a [`Table`], or a [`RosterBuilder`] (mapping, normalisation, validation,
//! duplicates, one row at a time as it is read) → [`Roster`] → [`Roster::check_destinations`]
//! (what each destination needs from a row). [`parse_roster_with`] is the one-pass path the CLI
//! and the browser worker take; [`build_roster`] builds from a table already in memory (a job
//! request's rows, a provider's enrollees). [`Edits`] fixes cells in place: each edited row is
//! checked again by the same rules ([`Roster::recheck_row`]).

pub mod mapping;
pub mod phone;
pub mod read;
pub mod sources;

mod build;
mod duplicates;
mod edit;
mod rows;
mod rules;
mod shown;
mod summary;
mod types;

#[cfg(feature = "native")]
pub use build::parse_roster;
pub use build::{build_roster, build_roster_with_progress, parse_roster_with, RosterBuilder};
pub use edit::{replace_in, suggested_fix, EditedCell, Edits};
pub use mapping::{auto_field, guess_field, headers_match, FieldGuess, FieldKind, GUESS_THRESHOLD};
#[cfg(feature = "native")]
pub use read::{decode, read_table};
pub use read::{read_table_with, read_xlsx, scan_csv_text, scan_with, sniff_delimiter};
pub use read::{sniff, RosterError, Sniffed, SourceFormat, TextEncoding};
pub use read::{RowSink, TableMeta};
pub use rows::{RowEntry, RowRef, Rows};
pub use rules::parse_join_time;
pub use shown::{RowFilter, Search};
pub use summary::CheckSummary;
pub use types::*;
