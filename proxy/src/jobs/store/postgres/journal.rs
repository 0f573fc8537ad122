//! The journal's write side on PostgreSQL: a job with all its rows in a few statements (whole
//! columns through `UNNEST`), batches journaled before they are sent (only by the lease holder),
//! outcomes one statement per distinct outcome.

use super::{i32_of, PgStore};
use crate::jobs::store::{DestIdx, NewJob, Outcome, Result, RowIdx, Settled, StoreError};
use rollcall_core::api::RowState;
use rollcall_core::OutcomeCode;

/// Writes outcomes, one statement per distinct outcome (rows as an array).
async fn write_outcomes(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &str,
    dest: DestIdx,
    outcomes: &[Settled],
) -> Result<()> {
    let mut groups: Vec<(RowState, &Outcome, Vec<i32>)> = Vec::new();
    for s in outcomes {
        let row = s.row.0 as i32;
        match groups
            .iter_mut()
            .find(|(st, g, _)| *st == s.state && *g == &s.outcome)
        {
            Some((_, _, rows)) => rows.push(row),
            None => groups.push((s.state, &s.outcome, vec![row])),
        }
    }
    let stmt = tx
        .prepare_cached(
            "UPDATE outcomes SET state = $3, code = $4, message = $5, reference = $6, attendee_code = $7, batch_id = NULL \
             WHERE job_id = $1 AND dest = $2 AND row_idx = ANY($8)",
        )
        .await?;
    for (state, o, rows) in groups {
        let message = o.message.as_ref().map(serde_json::to_string).transpose()?;
        tx.execute(
            &stmt,
            &[
                &id,
                &i32_of(dest.0),
                &state.as_str(),
                &o.code.as_ref().map(OutcomeCode::as_string),
                &message,
                &o.reference,
                &o.attendee_code,
                &rows,
            ],
        )
        .await?;
    }
    Ok(())
}

pub(super) fn create_job(s: &PgStore, job: &NewJob) -> Result<()> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        insert_job(&tx, job).await?;
        tx.commit().await?;
        Ok(())
    })
}

pub(super) fn begin_batch(
    s: &PgStore,
    id: &str,
    dest: DestIdx,
    rows: &[RowIdx],
    owner: &str,
) -> Result<i64> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        holds_lease(&tx, id, owner).await?;
        let batch: i64 = tx
            .query_one(
                "INSERT INTO batches (job_id, dest) VALUES ($1, $2) RETURNING id",
                &[&id, &i32_of(dest.0)],
            )
            .await?
            .get(0);
        let ids: Vec<i32> = rows.iter().map(|r| r.0 as i32).collect();
        let begun = tx.execute(
            "UPDATE outcomes SET batch_id = $3 WHERE job_id = $1 AND dest = $2 AND state = 'pending' AND batch_id IS NULL AND row_idx = ANY($4)",
            &[&id, &i32_of(dest.0), &batch, &ids],
        )
        .await?;
        if begun as usize != rows.len() {
            // Dropping the transaction rolls the batch back.
            return Err(StoreError::AlreadyBegun(format!(
                "{} of {} rows are not pending",
                rows.len() - begun as usize,
                rows.len()
            )));
        }
        tx.commit().await?;
        Ok(batch)
    })
}

/// Fails with [`StoreError::LeaseLost`] unless `owner` holds the job's lease now (the row is
/// share-locked: a takeover waits for this transaction).
async fn holds_lease(tx: &deadpool_postgres::Transaction<'_>, id: &str, owner: &str) -> Result<()> {
    let holder = tx
        .query_opt(
            "SELECT lease_owner FROM jobs WHERE id = $1 AND lease_owner = $2 AND lease_until >= now() FOR SHARE",
            &[&id, &owner],
        )
        .await?;
    if holder.is_none() {
        let now: Option<String> = tx
            .query_opt("SELECT lease_owner FROM jobs WHERE id = $1", &[&id])
            .await?
            .and_then(|r| r.get(0));
        return Err(StoreError::LeaseLost(now.unwrap_or_else(|| "-".into())));
    }
    Ok(())
}

pub(super) fn finish_batch(
    s: &PgStore,
    batch: i64,
    outcomes: &[Settled],
    owner: &str,
) -> Result<()> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        // Already finished (a retry after an answer lost with the connection): nothing to do.
        let Some(row) = tx
            .query_opt("SELECT job_id, dest FROM batches WHERE id = $1", &[&batch])
            .await?
        else {
            return Ok(());
        };
        let (id, dest): (String, i32) = (row.get(0), row.get(1));
        holds_lease(&tx, &id, owner).await?;
        write_outcomes(&tx, &id, DestIdx(dest as usize), outcomes).await?;
        // Whatever the batch did not settle goes back to pending, to be reconciled or re-sent.
        tx.execute(
            "UPDATE outcomes SET batch_id = NULL WHERE batch_id = $1",
            &[&batch],
        )
        .await?;
        tx.execute("DELETE FROM batches WHERE id = $1", &[&batch])
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

pub(super) fn set_outcomes(
    s: &PgStore,
    id: &str,
    dest: DestIdx,
    outcomes: &[Settled],
    owner: Option<&str>,
) -> Result<()> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        if let Some(owner) = owner {
            holds_lease(&tx, id, owner).await?;
        }
        write_outcomes(&tx, id, dest, outcomes).await?;
        tx.commit().await?;
        Ok(())
    })
}

pub(super) fn save_memo(
    s: &PgStore,
    id: &str,
    dest: DestIdx,
    memo: &str,
    owner: &str,
) -> Result<()> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        holds_lease(&tx, id, owner).await?;
        tx.execute(
            "INSERT INTO dest_memos (job_id, dest, memo) VALUES ($1, $2, $3) \
             ON CONFLICT (job_id, dest) DO UPDATE SET memo = EXCLUDED.memo",
            &[&id, &i32_of(dest.0), &memo],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A new job's rows, destinations and initial outcomes inside the caller's transaction (a job
/// alone, or a sync's poll with the record that hands people to it).
pub(super) async fn insert_job(tx: &tokio_postgres::Transaction<'_>, job: &NewJob) -> Result<()> {
    tx.execute(
        "INSERT INTO jobs (id, state, created_by, created_at, file_name, headers, share_with, edited) VALUES ($1, 'running', $2, $3, $4, $5, $6, $7)",
        &[&job.id, &job.created_by, &job.created_at, &job.file_name, &serde_json::to_string(&job.headers)?, &serde_json::to_string(&job.share_with)?, &serde_json::to_string(&job.edited)?],
    )
    .await?;
    let dests: Vec<String> = job.destinations.iter().map(|d| d.to_string()).collect();
    tx.execute(
        "INSERT INTO job_destinations (job_id, idx, destination) \
         SELECT $1, i - 1, d FROM UNNEST($2::text[]) WITH ORDINALITY AS t(d, i)",
        &[&job.id, &dests],
    )
    .await?;
    // Whole columns in one statement each: a 10,000-row job is a few round trips.
    let n = job.rows.len();
    let (mut idx, mut row_no, mut cells, mut attendees) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut o_dest, mut o_row, mut o_state, mut o_code, mut o_msg) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, row) in job.rows.iter().enumerate() {
        idx.push(i32_of(i));
        row_no.push(i64::from(row.row_no));
        cells.push(serde_json::to_string(&row.cells)?);
        attendees.push(serde_json::to_string(&row.attendee)?);
        for (d, initial) in row.initial.iter().enumerate() {
            o_dest.push(i32_of(d));
            o_row.push(i32_of(i));
            o_state.push(initial.state.as_str());
            o_code.push(initial.outcome.code.as_ref().map(OutcomeCode::as_string));
            o_msg.push(
                initial
                    .outcome
                    .message
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
            );
        }
    }
    tx.execute(
        "INSERT INTO job_rows (job_id, idx, row_no, cells, attendee) \
         SELECT $1, * FROM UNNEST($2::int[], $3::bigint[], $4::text[], $5::text[])",
        &[&job.id, &idx, &row_no, &cells, &attendees],
    )
    .await?;
    tx.execute(
        "INSERT INTO outcomes (job_id, dest, row_idx, state, code, message) \
         SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::text[], $5::text[], $6::text[])",
        &[&job.id, &o_dest, &o_row, &o_state, &o_code, &o_msg],
    )
    .await?;
    Ok(())
}
