//! Command-line tools, one file per command: `roster check` (`roster.rs`), `import` and
//! `destinations` (`import.rs`), `jobs` (`jobs.rs`), `sync` (`sync.rs`), `sign` and `usersig`
//! (`sign.rs`); `http.rs` is the client of the proxy's API they share.

mod http;
mod import;
mod jobs;
mod roster;
mod sign;
pub mod sync;

use clap::ValueEnum;
use rollcall_core::api::DestinationKind;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use http::{segment, Api};
pub use import::{destinations, import, ImportArgs, Source};
use jobs::{exit_code, print_summary};
pub use jobs::{jobs, JobsCommand};
pub use roster::{roster, RosterCommand};
pub use sign::{sign, usersig, SignCommand, UsersigArgs};

/// Prints `value` as one line of JSON (`--json`) or for people.
fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T)) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(value)?);
    } else {
        human(value);
    }
    Ok(())
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    TencentMeeting,
    TencentIm,
    Huiyi31,
}

impl From<Kind> for DestinationKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::TencentMeeting => DestinationKind::TencentMeeting,
            Kind::TencentIm => DestinationKind::TencentIm,
            Kind::Huiyi31 => DestinationKind::Huiyi31,
        }
    }
}

/// `text` padded with spaces to `width` terminal columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// `text` right-aligned in `width` terminal columns.
fn pad_left(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}
