//! The journal's read side: a job's summary (counts per destination and state) and its results.

use rollcall_core::api::{
    Counts, Destination, DestinationSummary, JobResults, JobSummary, RowOutcome, RowResult,
};
use rollcall_core::Text;
use rusqlite::{Connection, OptionalExtension};

use super::corrupt;
use crate::jobs::store::{Result, StoreError};
use rollcall_core::OutcomeCode;

pub fn summary(conn: &Connection, id: &str) -> Result<Option<JobSummary>> {
    let head = conn
        .query_row(
            "SELECT state, created_by, created_at, file_name, reason, share_with, finished_at, shredded_at, json_array_length(edited) FROM jobs WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ),
                    (
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                        r.get::<_, u64>(8)?,
                    ),
                ))
            },
        )
        .optional()?;
    let Some((
        (state, created_by, created_at, file_name, reason),
        (share_with, finished_at, shredded_at, edited_cells),
    )) = head
    else {
        return Ok(None);
    };
    let rows: u64 = conn.query_row(
        "SELECT COUNT(*) FROM job_rows WHERE job_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let mut dests: Vec<DestinationSummary> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT idx, destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx",
    )?;
    for d in stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (_, dest) = d?;
        dests.push(DestinationSummary {
            destination: dest.parse().map_err(corrupt)?,
            counts: Counts::default(),
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT dest, state, COUNT(*) FROM outcomes WHERE job_id = ?1 GROUP BY dest, state",
    )?;
    for c in stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u64>(2)?,
        ))
    })? {
        let (dest, state, n) = c?;
        if let Some(d) = dests.get_mut(dest as usize) {
            d.counts.add(state.parse().map_err(corrupt)?, n);
        }
    }
    Ok(Some(JobSummary {
        id: id.to_string(),
        state: state.parse().map_err(corrupt)?,
        rows,
        destinations: dests,
        created_by,
        created_at,
        file_name,
        reason: reason.as_deref().map(Text::from_json),
        share_with: serde_json::from_str(&share_with)?,
        finished_at,
        shredded_at,
        edited_cells,
    }))
}

pub fn results(conn: &Connection, id: &str) -> Result<Option<JobResults>> {
    results_range(conn, id, 0, i64::MAX as usize)
}

/// The results of rows `offset .. offset + limit` (by row index).
pub fn results_range(
    conn: &Connection,
    id: &str,
    offset: usize,
    limit: usize,
) -> Result<Option<JobResults>> {
    let (lo, n) = (offset as i64, limit.min(i64::MAX as usize) as i64);
    let hi = lo.saturating_add(n);
    let Some(headers) = conn
        .query_row("SELECT headers FROM jobs WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    let destinations: Vec<Destination> = conn
        .prepare("SELECT destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx")?
        .query_map([id], |r| r.get::<_, String>(0))?
        .map(|d| {
            d.map_err(StoreError::from)
                .and_then(|d| d.parse().map_err(corrupt))
        })
        .collect::<Result<_>>()?;
    let mut rows: Vec<RowResult> = conn
        .prepare("SELECT row_no, cells FROM job_rows WHERE job_id = ?1 AND idx >= ?2 AND idx < ?3 ORDER BY idx")?
        .query_map(rusqlite::params![id, lo, hi], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?
        .map(|r| {
            let (row, cells) = r?;
            Ok(RowResult {
                row,
                cells: serde_json::from_str(&cells)?,
                outcomes: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    let mut stmt = conn.prepare("SELECT row_idx, dest, state, code, message, reference, attendee_code FROM outcomes WHERE job_id = ?1 AND row_idx >= ?2 AND row_idx < ?3 ORDER BY row_idx, dest")?;
    for o in stmt.query_map(rusqlite::params![id, lo, hi], |r| {
        Ok((
            r.get::<_, usize>(0)?,
            r.get::<_, usize>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })? {
        let (row, dest, state, code, message, reference, attendee_code) = o?;
        if let (Some(r), Some(d)) = (rows.get_mut(row - offset), destinations.get(dest)) {
            r.outcomes.push(RowOutcome {
                destination: d.clone(),
                state: state.parse().map_err(corrupt)?,
                code: code.as_deref().map(OutcomeCode::parse),
                // Structured since the bilingual type; older rows hold "中文 / English".
                message: message.as_deref().map(Text::from_json),
                reference,
                attendee_code,
            });
        }
    }
    Ok(Some(JobResults {
        id: id.to_string(),
        headers: serde_json::from_str(&headers)?,
        rows,
    }))
}
