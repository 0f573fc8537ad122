//! What the journal writes inside a caller's transaction: a new job (alone, or with the sync
//! record that hands people to it), and settled outcomes.

use rollcall_core::api::RowState;
use rusqlite::{params, Transaction};

use crate::jobs::store::{DestIdx, NewJob, Outcome, Result, RowIdx, Settled};
use rollcall_core::OutcomeCode;

pub(super) fn insert_job(tx: &Transaction<'_>, job: &NewJob) -> Result<()> {
    tx.execute(
        "INSERT INTO jobs (id, state, created_by, created_at, file_name, headers, share_with, edited) VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![job.id, job.created_by, job.created_at, job.file_name, serde_json::to_string(&job.headers)?, serde_json::to_string(&job.share_with)?, serde_json::to_string(&job.edited)?],
    )?;
    for (i, d) in job.destinations.iter().enumerate() {
        tx.execute(
            "INSERT INTO job_destinations (job_id, idx, destination) VALUES (?1, ?2, ?3)",
            params![job.id, i as i64, d.to_string()],
        )?;
    }
    {
        let mut row_stmt = tx.prepare("INSERT INTO job_rows (job_id, idx, row_no, cells, attendee) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut out_stmt = tx.prepare("INSERT INTO outcomes (job_id, dest, row_idx, state, code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for (idx, row) in job.rows.iter().enumerate() {
            row_stmt.execute(params![
                job.id,
                idx as i64,
                row.row_no,
                serde_json::to_string(&row.cells)?,
                serde_json::to_string(&row.attendee)?
            ])?;
            for (d, initial) in row.initial.iter().enumerate() {
                let o = &initial.outcome;
                out_stmt.execute(params![
                    job.id,
                    d as i64,
                    idx as i64,
                    initial.state.as_str(),
                    o.code.as_ref().map(OutcomeCode::as_string),
                    o.message.as_ref().map(serde_json::to_string).transpose()?
                ])?;
            }
        }
    }
    Ok(())
}

/// Writes outcomes, one statement per distinct outcome (rows passed as a JSON array): an IM batch
/// of 500 `imported` rows is one UPDATE instead of 500.
pub(super) fn write_outcomes(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    dest: DestIdx,
    outcomes: &[Settled],
) -> Result<()> {
    let mut groups: Vec<(RowState, &Outcome, Vec<RowIdx>)> = Vec::new();
    for Settled {
        row,
        state,
        outcome: o,
    } in outcomes
    {
        match groups.iter_mut().find(|(s, g, _)| s == state && *g == o) {
            Some((_, _, rows)) => rows.push(*row),
            None => groups.push((*state, o, vec![*row])),
        }
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE outcomes SET state = ?3, code = ?4, message = ?5, reference = ?6, attendee_code = ?7, batch_id = NULL \
         WHERE job_id = ?1 AND dest = ?2 AND row_idx IN (SELECT value FROM json_each(?8))",
    )?;
    for (state, o, rows) in groups {
        stmt.execute(params![
            id,
            dest.0 as i64,
            state.as_str(),
            o.code.as_ref().map(OutcomeCode::as_string),
            o.message.as_ref().map(serde_json::to_string).transpose()?,
            o.reference,
            o.attendee_code,
            serde_json::to_string(&rows)?
        ])?;
    }
    Ok(())
}
