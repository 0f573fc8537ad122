//! `rollcall jobs list|show|results|shred`, and how a job is printed.

use anyhow::Result;
use clap::Subcommand;
use rollcall_core::api::{Destination, JobResults, JobState, JobSummary};

use super::*;

#[derive(Subcommand)]
pub enum JobsCommand {
    List {
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    Results {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a finished job's personal data now (creator or admin): every row's cells;
    /// counts, outcome codes, provider ids and the audit log stay.
    Shred {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
}

/// One destination's counts on a line (jobs and syncs alike).
pub(super) fn print_counts(destination: &Destination, c: &rollcall_core::api::Counts) {
    println!(
        "  {:<40} imported {} · already {} · rejected {} · invalid {} · unknown {} · skipped {} · pending {}",
        destination.to_string(),
        c.imported,
        c.already_present,
        c.rejected,
        c.invalid,
        c.unknown,
        c.skipped,
        c.pending
    );
}

pub(super) fn print_summary(j: &JobSummary) {
    println!(
        "{}  {}  rows {}  by {}{}",
        j.id,
        j.state.as_str(),
        j.rows,
        j.created_by,
        j.reason
            .as_ref()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default()
    );
    for d in &j.destinations {
        print_counts(&d.destination, &d.counts);
    }
    if let Some(at) = j.shredded_at {
        println!(
            "  personal data removed {} UTC",
            rollcall_core::export::utc_timestamp(at)
        );
    }
}

pub(super) fn exit_code(j: &JobSummary) -> u8 {
    match j.state {
        JobState::Completed | JobState::Running => 0,
        JobState::Failed => 3,
        JobState::Cancelled => 4,
    }
}

pub async fn jobs(cmd: JobsCommand) -> Result<u8> {
    match cmd {
        JobsCommand::List { server, json } => {
            let list: Vec<JobSummary> = Api::new(&server).get("/jobs").await?;
            emit(json, &list, |list| {
                list.iter().for_each(print_summary);
            })?;
            Ok(0)
        }
        JobsCommand::Show { id, server, json } => {
            let j: JobSummary = Api::new(&server).get(&format!("/jobs/{id}")).await?;
            emit(json, &j, print_summary)?;
            Ok(0)
        }
        JobsCommand::Shred { id, server, json } => {
            let j: JobSummary = Api::new(&server)
                .post(&format!("/jobs/{id}/shred"), &serde_json::json!({}))
                .await?;
            emit(json, &j, print_summary)?;
            Ok(0)
        }
        JobsCommand::Results { id, server, json } => {
            let r: JobResults = Api::new(&server)
                .get(&format!("/jobs/{id}/results"))
                .await?;
            emit(json, &r, |r| {
                for row in &r.rows {
                    let states: Vec<String> = row
                        .outcomes
                        .iter()
                        .map(|o| {
                            format!(
                                "{}={}{}",
                                o.destination,
                                o.state.as_str(),
                                o.code
                                    .as_ref()
                                    .map(|c| format!("({c})"))
                                    .unwrap_or_default()
                            )
                        })
                        .collect();
                    println!("{:>6}  {}", row.row, states.join("  "));
                }
            })?;
            Ok(0)
        }
    }
}
