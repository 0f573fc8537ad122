//! `rollcall roster check`: read and validate a file locally, nothing sent.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::MappingOptions;

use super::*;

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Parse and validate a roster file; print every problem. Exit 0 when the file could be
    /// read (invalid rows are a result), 2 when it cannot be read at all.
    Check {
        file: PathBuf,
        /// Also check what each destination needs from a row.
        #[arg(long = "to", value_enum)]
        to: Vec<Kind>,
        /// A workbook's sheet to read (XLSX, XLS, ODS); the one with the most rows by default.
        #[arg(long)]
        sheet: Option<String>,
        /// The header's row as the spreadsheet numbers it; by default the first row below
        /// titles, notes and blank rows that looks like a header.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        header_row: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

pub fn roster(cmd: RosterCommand) -> Result<u8> {
    let RosterCommand::Check {
        file,
        to,
        sheet,
        header_row,
        json,
    } = cmd;
    let options = MappingOptions {
        sheet,
        header_row,
        ..MappingOptions::default()
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rollcall: cannot read {}: {e}", file.display());
            return Ok(2);
        }
    };
    let mut r = match rollcall_core::roster::parse_roster(&bytes, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rollcall: {}: {}", file.display(), e.message);
            return Ok(2);
        }
    };
    let kinds: Vec<DestinationKind> = to.into_iter().map(Into::into).collect();
    r.check_destinations(&kinds);
    let s = r.summary(&kinds);
    emit(json, &s, |s| {
        println!("file      {}", file.display());
        if let Some(sh) = &r.sheet {
            println!(
                "sheet     {} (of {}), header on row {}",
                sh.name,
                sh.sheets.join(", "),
                sh.header_row
            );
        }
        println!("encoding  {}", s.encoding);
        println!(
            "rows      {}   valid {}   invalid {}   duplicates {}",
            s.rows, s.valid, s.invalid, s.duplicates
        );
        for (k, n) in &s.destinations {
            println!("  → {k:<16} {n} rows can go");
        }
        println!("columns");
        for c in &r.columns {
            println!(
                "  {} → {}{}",
                pad(&c.header, 20),
                c.field.as_str(),
                if c.auto { "" } else { " (explicit)" }
            );
        }
        if !s.problems.is_empty() {
            println!("problems");
            println!(
                "  {:>6}  {} {} message",
                "row",
                pad("column", 16),
                pad("code", 26)
            );
            for p in &s.problems {
                // Padded by display width: a Chinese header takes two columns per character.
                println!(
                    "  {:>6}  {} {} {}",
                    p.row,
                    pad(p.column.as_deref().unwrap_or("-"), 16),
                    pad(p.code.as_str(), 26),
                    p.message
                );
            }
        }
    })?;
    Ok(0)
}
