//! A job's rows as CSV (results, failed rows): personal data, so readable only by who may read
//! the job's rows, audited with the number of rows, streamed a page at a time off the async
//! threads — and given up when the client stops reading for `limits.export_stall_secs`, so a
//! slow reader cannot hold a blocking thread.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rollcall_core::api::{ApiError, JobResults, Me};
use rollcall_core::export::safe_cell;

use super::privacy::{audit, readable_job};
use super::{AppState, Rejection};
use rollcall_core::OutcomeCode;

/// Rows per page of a streamed export: memory stays bounded whatever the job's size.
const EXPORT_PAGE: usize = 2_000;

type Page = fn(&JobResults, bool, &mut csv::Writer<Vec<u8>>) -> csv::Result<()>;

/// Streams a CSV export page by page (read on the blocking pool, on its own read connection):
/// `page` turns a page of results into CSV rows (`first` for the header). UTF-8 with a BOM so
/// Excel opens Chinese correctly.
async fn stream_csv(
    state: &AppState,
    id: String,
    name: String,
    page: Page,
) -> Result<Response, Rejection> {
    let store = state.runner.store().clone();
    let stall = Duration::from_secs(state.cfg.limits.export_stall_secs.max(1));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(2);
    let first = {
        let id = id.clone();
        state
            .journal(move |s| s.results_page(&id, 0, EXPORT_PAGE))
            .await?
            .ok_or_else(Rejection::not_found)?
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        // Waits for the client to take a chunk, at most `stall`: false when it is gone or stalled.
        let send = |chunk| {
            handle
                .block_on(tokio::time::timeout(stall, tx.send(chunk)))
                .is_ok_and(|sent| sent.is_ok())
        };
        let (mut current, mut offset, mut first_page) = (first, 0, true);
        loop {
            let mut w = csv::Writer::from_writer(if first_page {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            });
            let chunk = page(&current, first_page, &mut w)
                .map_err(std::io::Error::other)
                .and_then(|()| {
                    w.into_inner()
                        .map_err(|e| std::io::Error::other(e.to_string()))
                });
            let failed = chunk.is_err();
            if !send(chunk.map(bytes::Bytes::from)) {
                tracing::info!(job = %id, "export abandoned: the client stopped reading");
                return;
            }
            if failed || current.rows.len() < EXPORT_PAGE {
                return;
            }
            offset += EXPORT_PAGE;
            first_page = false;
            current = match store.results_page(&id, offset, EXPORT_PAGE) {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(e) => {
                    send(Err(std::io::Error::other(e.to_string())));
                    return;
                }
            };
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/jobs/{id}/results.csv", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "The input columns plus state, code, message, reference and code per destination (UTF-8 with BOM, formula-safe)", content_type = "text/csv"), (status = 403, description = "Not the creator, an admin, nor in a group the job is shared with", body = ApiError), (status = 404, body = ApiError)))]
pub async fn results_csv(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    let job = readable_job(&state, &me, &id).await?;
    audit(&state, &me, "job.results_csv", &id, job.rows, "exported").await;
    let name = format!("{id}-results.csv");
    stream_csv(&state, id, name, |r, first, w| {
        if first {
            let mut header: Vec<String> = vec!["行号 row".into()];
            header.extend(r.headers.iter().cloned());
            if let Some(row) = r.rows.first() {
                for o in &row.outcomes {
                    let d = o.destination.to_string();
                    // The ids named for what they are at this destination (core's labels).
                    let [(rz, re), (cz, ce)] = o.destination.kind().id_labels();
                    header.extend([
                        format!("{d} 状态 state"),
                        format!("{d} 代码 code"),
                        format!("{d} 说明 message"),
                        format!("{d} {rz} {re}"),
                        format!("{d} {cz} {ce}"),
                    ]);
                }
            }
            w.write_record(header.iter().map(|h| safe_cell(h).into_owned()))?;
        }
        for row in &r.rows {
            let mut rec: Vec<String> = vec![row.row.to_string()];
            rec.extend((0..r.headers.len()).map(|i| row.cells.get(i).cloned().unwrap_or_default()));
            for o in &row.outcomes {
                rec.extend([
                    o.state.as_str().to_string(),
                    o.code
                        .as_ref()
                        .map(OutcomeCode::as_string)
                        .unwrap_or_default(),
                    o.message
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    o.reference.clone().unwrap_or_default(),
                    o.attendee_code.clone().unwrap_or_default(),
                ]);
            }
            w.write_record(rec.iter().map(|c| safe_cell(c).into_owned()))?;
        }
        Ok(())
    })
    .await
}

/// The rows that failed somewhere, in the input's own columns: fix them and import again.
#[utoipa::path(get, path = "/api/jobs/{id}/failed.csv", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "The rows that failed somewhere, in the input's columns (re-importable)", content_type = "text/csv"), (status = 403, description = "Not the creator, an admin, nor in a group the job is shared with", body = ApiError), (status = 404, body = ApiError)))]
pub async fn failed_csv(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    let job = readable_job(&state, &me, &id).await?;
    let failed: u64 = job
        .destinations
        .iter()
        .map(|d| d.counts.failures())
        .max()
        .unwrap_or(0);
    audit(&state, &me, "job.failed_csv", &id, failed, "exported").await;
    let name = format!("{id}-failed.csv");
    stream_csv(&state, id, name, |r, first, w| {
        if first {
            w.write_record(r.headers.iter().map(|h| safe_cell(h).into_owned()))?;
        }
        for row in r
            .rows
            .iter()
            .filter(|row| row.outcomes.iter().any(|o| o.state.is_failure()))
        {
            w.write_record((0..r.headers.len()).map(|i| {
                safe_cell(row.cells.get(i).map(String::as_str).unwrap_or("")).into_owned()
            }))?;
        }
        Ok(())
    })
    .await
}
