//! A new job's rows, destinations and initial outcomes, inside the caller's transaction (a job
//! alone, or a sync's poll with the record that hands people to it).

use rusqlite::{params, Transaction};

use crate::jobs::store::{NewJob, Result};

pub(super) fn insert_job(tx: &Transaction<'_>, job: &NewJob) -> Result<()> {
    tx.execute(
        "INSERT INTO jobs (id, state, created_by, created_at, file_name, headers, share_with) VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6)",
        params![job.id, job.created_by, job.created_at, job.file_name, serde_json::to_string(&job.headers)?, serde_json::to_string(&job.share_with)?],
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
                    o.code,
                    o.message.as_ref().map(serde_json::to_string).transpose()?
                ])?;
            }
        }
    }
    Ok(())
}
