//! Import jobs: one roster fanned out to several destinations, journaled, resumable.
//!
//! - [`prepare`] turns an API request into a [`store::NewJob`], re-validating every row with core;
//! - [`runner::Runner`] executes jobs: pacing, bounded retries, reconciliation of ambiguous
//!   outcomes, one final state per row and destination;
//! - [`store`] is the journal interface and its SQLite implementation.

pub mod context;
pub mod destination;
mod lease;
pub mod preview;
pub mod retention;
pub mod retry;
pub mod runner;
pub mod store;

use rollcall_core::api::{ApiError, CreateJobRequest, DestinationKind, RowState};
use rollcall_core::providers::tencent_im as im;
use rollcall_core::roster::{build_roster, SourceFormat, Table};
use rollcall_core::Text;
use rollcall_core::{OutcomeCode, ProblemCode};

use self::store::{NewJob, NewRow, Outcome, StateOutcome};
use rollcall_core::ApiErrorCode;

/// Largest roster a job takes.
pub const MAX_ROWS: usize = 200_000;

/// Rebuilds the roster from the request with core (never trusting the browser), and sets every
/// row's initial state per destination: `invalid` with the reason, or `pending`.
pub fn prepare(
    req: CreateJobRequest,
    user: &str,
    now: i64,
    id: String,
) -> Result<NewJob, ApiError> {
    if req.destinations.is_empty() {
        return Err(ApiError::new(
            ApiErrorCode::NoDestination,
            "请至少选择一个导入目标",
            "choose at least one destination",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(d) = req
        .destinations
        .iter()
        .find(|d| !seen.insert(d.to_string()))
    {
        return Err(ApiError::new(
            ApiErrorCode::DuplicateDestination,
            format!("导入目标重复：{d}"),
            format!("destination listed twice: {d}"),
        ));
    }
    if req.rows.is_empty() {
        return Err(ApiError::new(
            ApiErrorCode::EmptyRoster,
            "名单没有数据行",
            "the roster has no rows",
        ));
    }
    if req.rows.len() > MAX_ROWS {
        return Err(ApiError::new(
            ApiErrorCode::RosterTooLarge,
            format!("一次最多导入 {MAX_ROWS} 行"),
            format!("at most {MAX_ROWS} rows per job"),
        ));
    }
    let kinds: Vec<DestinationKind> = req.destinations.iter().map(|d| d.kind()).collect();
    let table = Table {
        format: SourceFormat::Csv,
        encoding: None,
        delimiter: None,
        headers: req.headers.clone(),
        rows: req.rows,
        problems: vec![],
        sheet: None,
    };
    let mut roster = build_roster(table, &req.mapping);
    roster.check_destinations(&kinds);
    let mut rows = Vec::with_capacity(roster.rows.len());
    for (i, r) in roster.rows.iter().enumerate() {
        let attendee = roster.attendee(i);
        let mut states = Vec::with_capacity(kinds.len());
        for &k in &kinds {
            let mut errors: Vec<Text> = roster
                .row_errors(r.row, k)
                .map(|p| p.message.clone())
                .collect();
            let mut code = roster
                .row_errors(r.row, k)
                .next()
                .map(|p| OutcomeCode::Problem(p.code));
            if k == DestinationKind::TencentIm {
                // JoinTime needs the clock, so the roster cannot check it: the same core rule as
                // the single call (account and Role were checked with the roster).
                if let Some(m) = attendee.to_im_member() {
                    for p in im::validate_member(&m, None, now, "MemberList")
                        .into_iter()
                        .filter(|p| {
                            matches!(
                                p.code,
                                ProblemCode::JoinTimeFuture | ProblemCode::JoinTimeBeforeGroup
                            )
                        })
                    {
                        errors.push(p.message.clone());
                        code.get_or_insert(OutcomeCode::Problem(p.code));
                    }
                }
            }
            if errors.is_empty() {
                states.push(StateOutcome::new(RowState::Pending, Outcome::default()));
            } else {
                states.push(StateOutcome::new(
                    RowState::Invalid,
                    Outcome {
                        code,
                        message: Some(Text::join(&errors, "；", "; ")),
                        ..Default::default()
                    },
                ));
            }
        }
        rows.push(NewRow {
            row_no: r.row,
            cells: r.cells().map(str::to_string).collect(),
            attendee,
            initial: states,
        });
    }
    Ok(NewJob {
        id,
        created_by: user.to_string(),
        created_at: now,
        file_name: req.file_name,
        headers: roster.headers,
        destinations: req.destinations,
        rows,
        share_with: req.share_with,
        edited: req.edited,
    })
}

/// How a job comes to run on this replica: `New` (created, or resumed by a person) or
/// `Resumed` (it was running before a restart or another replica's death).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    New,
    Resumed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::CreateJobRequest;

    /// JoinTime needs the clock: the job path applies the same core rule as the single call.
    #[test]
    fn join_time_rule_from_core_in_the_job_path() {
        let now = 1_800_000_000;
        let req: CreateJobRequest = serde_json::from_value(serde_json::json!({
            "headers": ["IM账号", "入群时间"],
            "rows": [
                {"row": 2, "cells": ["past", "1700000000"]},
                {"row": 3, "cells": ["future", "1900000000"]},
                {"row": 4, "cells": ["now", now.to_string()]}
            ],
            "destinations": ["tencent-im:@TGS#2J4SZEAEL"]
        }))
        .unwrap();
        let job = prepare(req, "alice", now, "j".into()).unwrap();
        let states: Vec<_> = job
            .rows
            .iter()
            .map(|r| (r.initial[0].state, r.initial[0].outcome.code.clone()))
            .collect();
        assert_eq!(states[0], (RowState::Pending, None));
        for s in &states[1..] {
            assert_eq!(
                *s,
                (RowState::Invalid, Some(ProblemCode::JoinTimeFuture.into()))
            );
        }
    }
}
