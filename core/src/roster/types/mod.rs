//! The roster's types: a table as read, the unified attendee, rows, problems, mapping.

use std::collections::BTreeMap;

use super::*;
use crate::api::DestinationKind;
use crate::codes::ProblemCode;
use crate::providers::{huiyi31, tencent_im, tencent_meeting};
use crate::Text;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

mod attendee;
mod built;

pub use attendee::*;
pub use built::*;

/// One cell's text. Cells are short (names, phones, e-mails), so a string that keeps up to 24
/// bytes inline (12 on wasm32) spares the roster one allocation per cell; it serialises as a
/// plain JSON string.
pub type Cell = CompactString;

/// One data row as read: its spreadsheet row number and its cells.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub row: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub cells: Vec<Cell>,
}

/// A file as read, before mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub format: SourceFormat,
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<char>,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// File-level and structural problems found while reading.
    pub problems: Vec<RowProblem>,
    /// For a workbook: the sheet read, the others, and the header's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetInfo>,
}

/// Which sheet of a workbook was read and where its header was found (or was told to be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetInfo {
    pub name: String,
    /// Every sheet of the workbook, in its order.
    pub sheets: Vec<String>,
    /// The header's row number as the spreadsheet shows it.
    pub header_row: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row cannot be sent.
    Error,
    /// Worth a look; the row can still be sent.
    Warning,
}

/// A problem in a roster: row (header = 1, 0 = whole file), column header, code, messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: u32,
    pub column: Option<String>,
    pub code: ProblemCode,
    pub severity: Severity,
    pub message: Text,
    /// Set when the problem only matters for one destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<DestinationKind>,
}

impl RowProblem {
    /// Whether this problem keeps its row from any of `kinds`: an error of a data row that
    /// concerns one of them, or no destination in particular.
    pub fn stops(&self, kinds: &[DestinationKind]) -> bool {
        self.severity == Severity::Error
            && self.row > 1
            && self.destination.is_none_or(|d| kinds.contains(&d))
    }

    /// Whether it concerns any of `kinds` (or no destination in particular).
    pub fn concerns(&self, kinds: &[DestinationKind]) -> bool {
        self.destination.is_none_or(|d| kinds.contains(&d))
    }

    pub fn new(
        row: u32,
        column: Option<&str>,
        code: ProblemCode,
        severity: Severity,
        zh: &str,
        en: &str,
    ) -> Self {
        RowProblem {
            row,
            column: column.map(str::to_string),
            code,
            severity,
            message: Text::new(zh, en),
            destination: None,
        }
    }
}

/// How columns map to fields. Auto-mapping fills whatever is not overridden.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MappingOptions {
    /// Header → field, overriding the automatic guess.
    #[serde(default)]
    pub overrides: BTreeMap<String, FieldKind>,
    /// A fixed value for a field on every row (e.g. area = 86), used where the row has none.
    #[serde(default)]
    pub fixed: BTreeMap<FieldKind, String>,
    /// Custom column header → the 31huiyi dynamic field it fills. A custom column without one
    /// is not sent to 31huiyi (its field code cannot be guessed from a header).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub huiyi31: BTreeMap<String, Huiyi31Field>,
    /// A workbook's sheet to read (by name); the one with the most rows when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// A workbook's header row as the spreadsheet numbers it; found below titles and notes when
    /// not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u32>,
}

impl MappingOptions {
    /// The workbook sheet and header row these options ask for.
    pub fn sheet_choice(&self) -> crate::roster::read::SheetChoice {
        crate::roster::read::SheetChoice {
            sheet: self.sheet.clone(),
            header_row: self.header_row,
        }
    }
}

/// How a custom column reaches 31huiyi: the dynamic field's code and, for an option field, each
/// option's text → its code — "选项型字段需要传code值过来不要传文本过来" (seed 004). A value not in
/// the table is a row problem, never sent as text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Huiyi31Field {
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

impl Huiyi31Field {
    /// An option table as people type it: one `text=code` a line (blank lines ignored). `Err`:
    /// the first line that is not `text=code` (1-based).
    pub fn parse_options(text: &str) -> Result<BTreeMap<String, String>, usize> {
        let mut out = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once('=') {
                Some((t, c)) if !t.trim().is_empty() && !c.trim().is_empty() => {
                    out.insert(t.trim().to_string(), c.trim().to_string());
                }
                _ => return Err(i + 1),
            }
        }
        Ok(out)
    }

    /// The option table as [`Huiyi31Field::parse_options`] reads it.
    pub fn options_text(&self) -> String {
        self.options
            .iter()
            .map(|(t, c)| format!("{t}={c}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What goes to 31huiyi for a cell: the option's code for an option field, the text itself
    /// otherwise; `None` for a value the option table does not have.
    pub fn value_for<'a>(&'a self, v: &'a str) -> Option<&'a str> {
        if self.options.is_empty() {
            Some(v)
        } else {
            self.options.get(v.trim()).map(String::as_str)
        }
    }
}

/// Which column went to which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub field: FieldKind,
    /// True when the field was guessed from the header.
    pub auto: bool,
}

/// A column kept as a custom (dynamic) field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub name: Cell,
    pub value: Cell,
    /// The 31huiyi field code and the value it takes there (an option's code), when the mapping
    /// names one (`MappingOptions::huiyi31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub huiyi31: Option<Huiyi31Value>,
}

/// A custom cell as 31huiyi takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Huiyi31Value {
    pub code: Cell,
    pub value: Cell,
}
