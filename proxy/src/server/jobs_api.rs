//! Jobs API: create, list, get, live progress (SSE), results (JSON, CSV), failed rows (CSV),
//! cancel, resume.

use rollcall_core::export::safe_cell;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::stream::Stream;
use rollcall_core::api::{
    ApiError, CreateJobRequest, JobPreview, JobResults, JobState, JobSummary, KnownDestination, Me,
    RowState,
};

use super::api::audit;
use super::{ApiJson, AppState, Rejection};
use crate::jobs;
use crate::jobs::store::{DestIdx, RowIdx, Settled};

fn now() -> i64 {
    crate::providers::tencent_meeting::unix_now() as i64
}

fn summary(state: &AppState, id: &str) -> Result<JobSummary, Rejection> {
    state
        .runner
        .store()
        .get_job(id)
        .map_err(Rejection::internal)?
        .ok_or_else(Rejection::not_found)
}

#[utoipa::path(post, path = "/api/jobs", tag = "jobs", request_body = CreateJobRequest, responses((status = 201, description = "The job, journaled and started; rows that cannot go somewhere are `invalid` there with the reason", body = JobSummary), (status = 400, description = "Invalid input: `problems` lists each", body = ApiError), (status = 401, description = "No identity from the SSO front", body = ApiError), (status = 403, description = "Not allowed for this role", body = ApiError), (status = 413, description = "Body over `max_body_bytes`", body = ApiError), (status = 422, description = "Body is not a job request", body = ApiError)))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<CreateJobRequest>,
) -> Result<(StatusCode, Json<JobSummary>), Rejection> {
    let id = format!("job_{}", uuid::Uuid::new_v4().simple());
    let targets: Vec<String> = req.destinations.iter().map(|d| d.to_string()).collect();
    for d in &req.destinations {
        state
            .runner
            .can_serve(d)
            .map_err(|jobs::context::Fatal(reason)| unservable(d, &reason))?;
    }
    let job = jobs::prepare(req, &me.user, now(), id.clone())
        .map_err(|e| Rejection(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let rows = job.rows.len() as u64;
    let input = {
        let store = state.runner.store().clone();
        tokio::task::spawn_blocking(move || {
            store.create_job(&job)?;
            // Offered by name next time (a failure to remember does not fail the job).
            for d in &job.destinations {
                if let Err(e) = store.remember_destination(&d.to_string(), None, job.created_at) {
                    tracing::warn!(error = %e, "cannot remember a destination");
                }
            }
            Ok::<_, crate::jobs::store::StoreError>(crate::jobs::store::JobInput::from(job))
        })
        .await
        .map_err(Rejection::internal)?
        .map_err(Rejection::internal)?
    };
    audit(
        &state,
        &me,
        "job.create",
        &format!("{id} -> {}", targets.join(",")),
        rows,
        "created",
    );
    state.runner.start_new(id.clone(), input);
    Ok((StatusCode::CREATED, Json(summary(&state, &id)?)))
}

/// A destination the configuration cannot serve: 422 with the reason, before any work.
fn unservable(d: &rollcall_core::api::Destination, reason: &str) -> Rejection {
    Rejection::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "destination_unavailable",
        &format!("无法导入到 {d}：{reason}"),
        &format!("cannot import to {d}: {reason}"),
    )
}

#[utoipa::path(post, path = "/api/jobs/preview", tag = "jobs", request_body = CreateJobRequest, responses((status = 200, description = "Per destination: rows the roster rules keep out, rows already there, rows that would be sent, rows over the cap — nothing is sent", body = JobPreview), (status = 400, description = "Invalid input", body = ApiError), (status = 403, description = "Not allowed for this role", body = ApiError), (status = 422, description = "Not a job request, or a destination that cannot be asked (does not exist, not configured)", body = ApiError)))]
pub async fn preview(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<CreateJobRequest>,
) -> Result<Json<JobPreview>, Rejection> {
    let id = format!("preview_{}", uuid::Uuid::new_v4().simple());
    let job = jobs::prepare(req, &me.user, now(), id)
        .map_err(|e| Rejection(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let preview = state
        .runner
        .preview(&job)
        .await
        .map_err(|jobs::context::Fatal(reason)| {
            Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "destination_unavailable",
                &format!("无法预览导入目标：{reason}"),
                &format!("cannot preview the destination: {reason}"),
            )
        })?;
    // The preview reads who is at each destination: personal data, audited like a list.
    let targets: Vec<String> = job.destinations.iter().map(|d| d.to_string()).collect();
    audit(
        &state,
        &me,
        "job.preview",
        &targets.join(","),
        preview.rows,
        "previewed",
    );
    Ok(Json(preview))
}

#[utoipa::path(get, path = "/api/destinations", tag = "jobs", responses((status = 200, description = "Destinations seen — webinars created through Rollcall (with their subject and meeting code), groups and events used in jobs — most recent first", body = [KnownDestination]), (status = 401, body = ApiError)))]
pub async fn destinations(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<KnownDestination>>, Rejection> {
    let store = state.runner.store().clone();
    tokio::task::spawn_blocking(move || store.known_destinations())
        .await
        .map_err(Rejection::internal)?
        .map(Json)
        .map_err(Rejection::internal)
}

#[utoipa::path(get, path = "/api/jobs", tag = "jobs", responses((status = 200, description = "The latest 500 jobs, newest first", body = [JobSummary]), (status = 401, body = ApiError)))]
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Vec<JobSummary>>, Rejection> {
    state
        .runner
        .store()
        .list_jobs()
        .map(Json)
        .map_err(Rejection::internal)
}

#[utoipa::path(get, path = "/api/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, body = JobSummary), (status = 404, body = ApiError)))]
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    summary(&state, &id).map(Json)
}

/// Cancel and resume belong to the job's creator and to `auth.admin_groups` (403 otherwise).
fn may_manage(state: &AppState, me: &Me, job: &JobSummary) -> Result<(), Rejection> {
    if super::auth::may_manage(state, me, &job.created_by) {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::FORBIDDEN,
        "not_your_job",
        "只有任务创建者或管理员可以取消或恢复此任务",
        "only the job's creator or an admin may cancel or resume it",
    ))
}

#[utoipa::path(post, path = "/api/jobs/{id}/cancel", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Cancel requested (on whichever replica runs it)", body = JobSummary), (status = 403, description = "Not the creator nor an admin", body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Not running", body = ApiError)))]
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    let job = summary(&state, &id)?;
    may_manage(&state, &me, &job)?;
    if job.state != JobState::Running {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            "not_running",
            "任务不在运行中",
            "the job is not running",
        ));
    }
    let executing = state.runner.cancel(&id).map_err(Rejection::internal)?;
    if !executing {
        // Nothing is executing it (e.g. it never started): settle it here.
        state
            .runner
            .store()
            .set_job_state(&id, JobState::Cancelled, None)
            .map_err(Rejection::internal)?;
    }
    audit(&state, &me, "job.cancel", &id, job.rows, "cancel requested");
    summary(&state, &id).map(Json)
}

#[utoipa::path(post, path = "/api/jobs/{id}/resume", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Skipped rows back to pending, the job running again", body = JobSummary), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Running or completed", body = ApiError)))]
pub async fn resume(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    let job = summary(&state, &id)?;
    may_manage(&state, &me, &job)?;
    // A just-cancelled job may still be writing its final state: give it a moment.
    for _ in 0..50 {
        if !state.runner.is_active(&id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let store = state.runner.store();
    let held_elsewhere = tokio::task::block_in_place(|| store.lease_holder(&id))
        .map_err(Rejection::internal)?
        .is_some();
    if state.runner.is_active(&id) || held_elsewhere {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            "running",
            "任务正在运行",
            "the job is already running",
        ));
    }
    if job.state == JobState::Completed {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            "completed",
            "任务已完成",
            "the job has already completed",
        ));
    }
    // Skipped rows (cancelled or failed destination) go back to pending; final states stay.
    // One read of the results serves every destination (each only changes its own column).
    let results = store
        .results(&id)
        .map_err(Rejection::internal)?
        .ok_or_else(Rejection::not_found)?;
    for (d, _) in job.destinations.iter().enumerate() {
        let rows: Vec<_> = results
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.outcomes
                    .get(d)
                    .is_some_and(|o| o.state == RowState::Skipped)
            })
            .map(|(i, _)| Settled::new(RowIdx(i as u32), RowState::Pending, Default::default()))
            .collect();
        store
            .set_outcomes(&id, DestIdx(d), &rows, None)
            .map_err(Rejection::internal)?;
    }
    store
        .set_job_state(&id, JobState::Running, None)
        .map_err(Rejection::internal)?;
    audit(&state, &me, "job.resume", &id, job.rows, "resumed");
    state.runner.start(id.clone());
    summary(&state, &id).map(Json)
}

#[utoipa::path(get, path = "/api/jobs/{id}/results", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Every row with its outcome per destination", body = JobResults), (status = 404, body = ApiError)))]
pub async fn results(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobResults>, Rejection> {
    // Personal data leaves the proxy: who read which job is audited.
    audit(&state, &me, "job.results", &id, 0, "read");
    let store = state.runner.store().clone();
    tokio::task::spawn_blocking(move || store.results(&id))
        .await
        .map_err(Rejection::internal)?
        .map_err(Rejection::internal)?
        .map(Json)
        .ok_or_else(Rejection::not_found)
}

/// UTF-8 with BOM so Excel opens Chinese correctly.
/// Rows per page of a streamed export: memory stays bounded whatever the job's size.
const EXPORT_PAGE: usize = 2_000;

/// Streams a CSV export page by page (read off the async threads, on its own read connection):
/// `page` turns a page of results into CSV rows (`first` for the header). 404 for an unknown job.
async fn stream_csv(
    state: &AppState,
    id: String,
    name: String,
    page: fn(&JobResults, bool, &mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<Response, Rejection> {
    let store = state.runner.store().clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(2);
    let (s2, id2) = (store.clone(), id.clone());
    let first = tokio::task::spawn_blocking(move || s2.results_page(&id2, 0, EXPORT_PAGE))
        .await
        .map_err(Rejection::internal)?
        .map_err(Rejection::internal)?
        .ok_or_else(Rejection::not_found)?;
    tokio::task::spawn_blocking(move || {
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
            if tx.blocking_send(chunk.map(bytes::Bytes::from)).is_err() || failed {
                return;
            }
            if current.rows.len() < EXPORT_PAGE {
                return;
            }
            offset += EXPORT_PAGE;
            first_page = false;
            current = match store.results_page(&id, offset, EXPORT_PAGE) {
                Ok(Some(r)) => r,
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
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

#[utoipa::path(get, path = "/api/jobs/{id}/results.csv", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "The input columns plus state, code, message, reference and code per destination (UTF-8 with BOM, formula-safe)", content_type = "text/csv"), (status = 404, body = ApiError)))]
pub async fn results_csv(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    // Personal data leaves the proxy: who read which job is audited.
    audit(&state, &me, "job.results_csv", &id, 0, "read");
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
                    o.code.clone().unwrap_or_default(),
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
#[utoipa::path(get, path = "/api/jobs/{id}/failed.csv", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "The rows that failed somewhere, in the input's columns (re-importable)", content_type = "text/csv"), (status = 404, body = ApiError)))]
pub async fn failed_csv(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    audit(&state, &me, "job.failed_csv", &id, 0, "read");
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

/// Live progress: a `progress` event with the job summary on every change (read once per change
/// for all watchers, see `progress.rs`), ending after the final state. At most
/// `progress::MAX_STREAMS` streams are open; more are refused with 503.
#[utoipa::path(get, path = "/api/jobs/{id}/events", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Server-sent events: one JobSummary (JSON) per change, ending with the final state", content_type = "text/event-stream", body = JobSummary), (status = 404, body = ApiError), (status = 503, description = "Too many open streams", body = ApiError)))]
pub async fn events(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Rejection> {
    let slot = state.progress.slot().ok_or_else(|| {
        Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_streams",
            "同时查看进度的连接过多，请稍后再试",
            "too many progress streams are open; try again shortly",
        )
    })?;
    let first = summary(&state, &id)?;
    let rx = state.progress.watch(&id, first);
    struct S {
        state: Arc<AppState>,
        id: String,
        rx: tokio::sync::watch::Receiver<Option<JobSummary>>,
        started: bool,
        done: bool,
        _slot: tokio::sync::OwnedSemaphorePermit,
    }
    let s = S {
        state,
        id,
        rx,
        started: false,
        done: false,
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(s, |mut s| async move {
        if s.done {
            return None;
        }
        // The next change, as the progress hub publishes it (no per-stream reads).
        if s.started && s.rx.changed().await.is_err() {
            return None;
        }
        s.started = true;
        let job = s.rx.borrow_and_update().clone()?;
        s.done = job.state != JobState::Running && !s.state.runner.is_active(&s.id);
        let ev = Event::default()
            .event("progress")
            .json_data(&job)
            .unwrap_or_else(|_| Event::default().comment("serialisation failed"));
        Some((Ok(ev), s))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
