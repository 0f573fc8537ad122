//! The PostgreSQL journal's read side: summaries (counts per destination and state) and results.

use rollcall_core::api::{
    Counts, Destination, DestinationSummary, JobResults, JobSummary, RowOutcome, RowResult,
};
use rollcall_core::Text;
use tokio_postgres::Client;

use super::{corrupt, i32_of};
use crate::jobs::store::Result;
use rollcall_core::OutcomeCode;

pub async fn destinations(c: &Client, id: &str) -> Result<Vec<Destination>> {
    c.query(
        "SELECT destination FROM job_destinations WHERE job_id = $1 ORDER BY idx",
        &[&id],
    )
    .await?
    .iter()
    .map(|r| r.get::<_, &str>(0).parse().map_err(corrupt))
    .collect()
}

/// Summaries of the jobs `ids` that exist, in the order given.
pub async fn summaries(c: &Client, ids: &[String]) -> Result<Vec<JobSummary>> {
    let heads = c
        .query(
            "SELECT j.id, j.state, j.created_by, j.created_at, j.file_name, j.reason, \
                    (SELECT COUNT(*) FROM job_rows r WHERE r.job_id = j.id), \
                    j.share_with, j.finished_at, j.shredded_at, json_array_length(j.edited::json) \
             FROM jobs j WHERE j.id = ANY($1)",
            &[&ids],
        )
        .await?;
    let dests = c
        .query(
            "SELECT job_id, idx, destination FROM job_destinations WHERE job_id = ANY($1) ORDER BY job_id, idx",
            &[&ids],
        )
        .await?;
    let counts = c
        .query(
            "SELECT job_id, dest, state, COUNT(*) FROM outcomes WHERE job_id = ANY($1) GROUP BY job_id, dest, state",
            &[&ids],
        )
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(h) = heads.iter().find(|h| h.get::<_, &str>(0) == id) else {
            continue;
        };
        let mut destinations = Vec::new();
        for d in dests.iter().filter(|d| d.get::<_, &str>(0) == id) {
            destinations.push(DestinationSummary {
                destination: d.get::<_, &str>(2).parse().map_err(corrupt)?,
                counts: Counts::default(),
            });
        }
        for n in counts.iter().filter(|n| n.get::<_, &str>(0) == id) {
            let dest: i32 = n.get(1);
            if let Some(d) = destinations.get_mut(dest as usize) {
                let state: &str = n.get(2);
                d.counts
                    .add(state.parse().map_err(corrupt)?, n.get::<_, i64>(3) as u64);
            }
        }
        out.push(JobSummary {
            id: id.clone(),
            state: h.get::<_, &str>(1).parse().map_err(corrupt)?,
            rows: h.get::<_, i64>(6) as u64,
            destinations,
            created_by: h.get(2),
            created_at: h.get(3),
            file_name: h.get(4),
            reason: h.get::<_, Option<&str>>(5).map(Text::from_json),
            share_with: serde_json::from_str(h.get::<_, &str>(7))?,
            finished_at: h.get(8),
            shredded_at: h.get(9),
            edited_cells: h.get::<_, i32>(10) as u64,
        });
    }
    Ok(out)
}

/// The results of rows `offset .. offset + limit` (by row index).
pub async fn results_range(
    c: &Client,
    id: &str,
    offset: usize,
    limit: usize,
) -> Result<Option<JobResults>> {
    let lo = i32_of(offset);
    let hi = lo.saturating_add(i32_of(limit));
    let Some(head) = c
        .query_opt("SELECT headers FROM jobs WHERE id = $1", &[&id])
        .await?
    else {
        return Ok(None);
    };
    let destinations = destinations(c, id).await?;
    let mut rows: Vec<RowResult> = c
        .query(
            "SELECT row_no, cells FROM job_rows WHERE job_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
            &[&id, &lo, &hi],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(RowResult {
                row: u32::try_from(r.get::<_, i64>(0)).unwrap_or(u32::MAX),
                cells: serde_json::from_str(r.get::<_, &str>(1))?,
                outcomes: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    for o in c
        .query(
            "SELECT row_idx, dest, state, code, message, reference, attendee_code FROM outcomes \
             WHERE job_id = $1 AND row_idx >= $2 AND row_idx < $3 ORDER BY row_idx, dest",
            &[&id, &lo, &hi],
        )
        .await?
    {
        let (row, dest): (i32, i32) = (o.get(0), o.get(1));
        let (Some(r), Some(d)) = (
            rows.get_mut((row - lo) as usize),
            destinations.get(dest as usize),
        ) else {
            continue;
        };
        let message: Option<&str> = o.get(4);
        r.outcomes.push(RowOutcome {
            destination: d.clone(),
            state: o.get::<_, &str>(2).parse().map_err(corrupt)?,
            code: o.get::<_, Option<&str>>(3).map(OutcomeCode::parse),
            message: message.map(Text::from_json),
            reference: o.get(5),
            attendee_code: o.get(6),
        });
    }
    Ok(Some(JobResults {
        id: id.to_string(),
        headers: serde_json::from_str(head.get::<_, &str>(0))?,
        rows,
    }))
}
