//! Jobs API: create, list, get, live progress (SSE), results (JSON), cancel, resume. The CSV
//! exports are `export.rs`, shredding and the access rule `privacy.rs`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{Extension, Json};
use futures_util::stream::Stream;
use rollcall_core::api::{
    ApiError, CreateJobRequest, JobPreview, JobResults, JobState, JobSummary, KnownDestination, Me,
    RowState,
};

use super::privacy::{audit, job_id, readable_job};
use super::{ApiJson, AppState, Rejection};
use crate::jobs;
use crate::jobs::store::{DestIdx, RowIdx, Settled};
use rollcall_core::{ApiErrorCode, Text};

fn now() -> i64 {
    crate::util::unix_now() as i64
}

/// The job's summary (404 for an id the proxy never made or an unknown job).
async fn summary(state: &AppState, id: &str) -> Result<JobSummary, Rejection> {
    job_id(id)?;
    let id = id.to_string();
    state
        .journal(move |s| s.get_job(&id))
        .await?
        .ok_or_else(Rejection::not_found)
}

/// The request's own bounds, checked before any work: destinations per job, groups shared with,
/// and the user's running jobs.
async fn within_limits(state: &AppState, me: &Me, req: &CreateJobRequest) -> Result<(), Rejection> {
    let limits = &state.cfg.limits;
    let max = limits.max_destinations_per_job;
    if req.destinations.len() > max {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::TooManyDestinations,
            &format!("一个任务最多 {max} 个导入目标"),
            &format!("at most {max} destinations per job"),
        ));
    }
    if req.share_with.len() > 20 || req.share_with.iter().any(|g| g.is_empty() || g.len() > 128) {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::BadShareWith,
            "共享用户组最多 20 个，每个组名 1–128 个字符",
            "share_with takes at most 20 groups, each 1–128 characters",
        ));
    }
    if let Some(why) = req.edited_problem() {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::BadEdited,
            &why.zh,
            &why.en,
        ));
    }
    let (user, max) = (me.user.clone(), limits.max_running_jobs_per_user);
    let running = state.journal(move |s| s.running_jobs_of(&user)).await?;
    if running >= max {
        return Err(Rejection::new(
            StatusCode::TOO_MANY_REQUESTS,
            ApiErrorCode::TooManyRunningJobs,
            &format!("你已有 {running} 个任务在运行（上限 {max}），请等其结束或取消后再建"),
            &format!("you have {running} jobs running (at most {max}); wait for one to end or cancel one"),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/jobs", tag = "jobs", request_body = CreateJobRequest, responses((status = 201, description = "The job, journaled and started; rows that cannot go somewhere are `invalid` there with the reason", body = JobSummary), (status = 400, description = "The body is not JSON (`bad_request_body`)", body = ApiError), (status = 401, description = "No identity from the SSO front", body = ApiError), (status = 403, description = "Not allowed for this role", body = ApiError), (status = 413, description = "Body over `max_body_bytes`", body = ApiError), (status = 422, description = "Not a job request, more destinations than `limits.max_destinations_per_job`, `edited` naming a row the job lacks, or a destination the configuration cannot serve", body = ApiError), (status = 429, description = "The user has `limits.max_running_jobs_per_user` jobs running", body = ApiError)))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<CreateJobRequest>,
) -> Result<(StatusCode, Json<JobSummary>), Rejection> {
    within_limits(&state, &me, &req).await?;
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
    let input = state
        .journal(move |store| {
            store.create_job(&job)?;
            // Offered by name next time (a failure to remember does not fail the job).
            for d in &job.destinations {
                if let Err(e) = store.remember_destination(&d.to_string(), None, job.created_at) {
                    tracing::warn!(error = %e, "cannot remember a destination");
                }
            }
            Ok(crate::jobs::store::JobInput::from(job))
        })
        .await?;
    audit(
        &state,
        &me,
        "job.create",
        &format!("{id} -> {}", targets.join(",")),
        rows,
        "created",
    )
    .await;
    state.runner.start_new(id.clone(), input);
    Ok((StatusCode::CREATED, Json(summary(&state, &id).await?)))
}

/// A destination the configuration cannot serve: 422 with the reason, before any work.
fn unservable(d: &rollcall_core::api::Destination, reason: &Text) -> Rejection {
    Rejection::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorCode::DestinationUnavailable,
        &format!("无法导入到 {d}：{}", reason.zh),
        &format!("cannot import to {d}: {}", reason.en),
    )
}

#[utoipa::path(post, path = "/api/jobs/preview", tag = "jobs", request_body = CreateJobRequest, responses((status = 200, description = "Per destination: rows the roster rules keep out, rows already there, rows that would be sent, rows over the cap — nothing is sent", body = JobPreview), (status = 400, description = "The body is not JSON (`bad_request_body`)", body = ApiError), (status = 403, description = "Not allowed for this role", body = ApiError), (status = 422, description = "Not a job request, or a destination that cannot be asked (does not exist, not configured)", body = ApiError)))]
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
                ApiErrorCode::DestinationUnavailable,
                &format!("无法预览导入目标：{}", reason.zh),
                &format!("cannot preview the destination: {}", reason.en),
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
    )
    .await;
    Ok(Json(preview))
}

#[utoipa::path(get, path = "/api/destinations", tag = "jobs", responses((status = 200, description = "Destinations seen — webinars created through Rollcall (with their subject and meeting code), groups and events used in jobs — most recent first", body = [KnownDestination]), (status = 401, body = ApiError)))]
pub async fn destinations(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<KnownDestination>>, Rejection> {
    state.journal(|s| s.known_destinations()).await.map(Json)
}

#[utoipa::path(get, path = "/api/jobs", tag = "jobs", responses((status = 200, description = "The latest 500 jobs, newest first", body = [JobSummary]), (status = 401, body = ApiError)))]
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Vec<JobSummary>>, Rejection> {
    state.journal(|s| s.list_jobs()).await.map(Json)
}

#[utoipa::path(get, path = "/api/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, body = JobSummary), (status = 404, body = ApiError)))]
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    summary(&state, &id).await.map(Json)
}

/// Cancel and resume belong to the job's creator and to `auth.admin_groups` (403 otherwise).
fn may_manage(me: &Me, job: &JobSummary) -> Result<(), Rejection> {
    if me.may_manage(job) {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::FORBIDDEN,
        ApiErrorCode::NotYourJob,
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
    let job = summary(&state, &id).await?;
    may_manage(&me, &job)?;
    if job.state != JobState::Running {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            ApiErrorCode::NotRunning,
            "任务不在运行中",
            "the job is not running",
        ));
    }
    state.runner.cancel_here(&id);
    let held_elsewhere = {
        let id = id.clone();
        state
            .journal(move |s| s.request_cancel(&id))
            .await?
            .is_some()
    };
    if !state.runner.is_active(&id) && !held_elsewhere {
        // Nothing is executing it (e.g. it never started): settle it here.
        let id = id.clone();
        state
            .journal(move |s| s.set_job_state(&id, JobState::Cancelled, None))
            .await?;
    }
    audit(&state, &me, "job.cancel", &id, job.rows, "cancel requested").await;
    summary(&state, &id).await.map(Json)
}

#[utoipa::path(post, path = "/api/jobs/{id}/resume", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Skipped rows back to pending, the job running again", body = JobSummary), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Running or completed", body = ApiError)))]
pub async fn resume(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    let job = summary(&state, &id).await?;
    may_manage(&me, &job)?;
    if job.shredded_at.is_some() {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            ApiErrorCode::Shredded,
            "此任务的个人信息已删除，无法继续",
            "this job's personal data has been removed; it cannot go on",
        ));
    }
    // A just-cancelled job may still be writing its final state: give it a moment.
    for _ in 0..50 {
        if !state.runner.is_active(&id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let held_elsewhere = {
        let id = id.clone();
        state.journal(move |s| s.lease_holder(&id)).await?.is_some()
    };
    if state.runner.is_active(&id) || held_elsewhere {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            ApiErrorCode::Running,
            "任务正在运行",
            "the job is already running",
        ));
    }
    if job.state == JobState::Completed {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            ApiErrorCode::Completed,
            "任务已完成",
            "the job has already completed",
        ));
    }
    // Skipped rows (cancelled or failed destination) go back to pending; final states stay.
    // One read of the results serves every destination (each only changes its own column).
    let dests = job.destinations.len();
    {
        let id = id.clone();
        state
            .journal(move |store| {
                let Some(results) = store.results(&id)? else {
                    return Ok(());
                };
                for d in 0..dests {
                    let rows: Vec<_> = results
                        .rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            r.outcomes
                                .get(d)
                                .is_some_and(|o| o.state == RowState::Skipped)
                        })
                        .map(|(i, _)| {
                            Settled::new(RowIdx(i as u32), RowState::Pending, Default::default())
                        })
                        .collect();
                    store.set_outcomes(&id, DestIdx(d), &rows, None)?;
                }
                store.set_job_state(&id, JobState::Running, None)
            })
            .await?;
    }
    audit(&state, &me, "job.resume", &id, job.rows, "resumed").await;
    state.runner.start(id.clone());
    summary(&state, &id).await.map(Json)
}

#[utoipa::path(get, path = "/api/jobs/{id}/results", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Every row with its outcome per destination", body = JobResults), (status = 403, description = "Not the creator, an admin, nor in a group the job is shared with", body = ApiError), (status = 404, body = ApiError)))]
pub async fn results(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobResults>, Rejection> {
    let job = readable_job(&state, &me, &id).await?;
    // Personal data leaves the proxy: who read which job, how many rows, is audited.
    audit(&state, &me, "job.results", &id, job.rows, "read").await;
    state
        .journal(move |s| s.results(&id))
        .await?
        .map(Json)
        .ok_or_else(Rejection::not_found)
}

/// Live progress: a `progress` event with the job summary on every change (read once per change
/// for all watchers, see `progress.rs`), ending after the final state. At most
/// `limits.max_streams_total` streams are open; more are refused with 503.
#[utoipa::path(get, path = "/api/jobs/{id}/events", tag = "jobs", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "Server-sent events: one JobSummary (JSON) per change, ending with the final state", content_type = "text/event-stream", body = JobSummary), (status = 404, body = ApiError), (status = 429, description = "This user holds `limits.max_streams_per_user` streams", body = ApiError), (status = 503, description = "`limits.max_streams_total` streams are open (`too_many_streams`)", body = ApiError)))]
pub async fn events(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Rejection> {
    let slot = state
        .progress
        .slot(&me.user, state.cfg.limits.max_streams_per_user)
        .map_err(|full| match full {
            super::progress::Full::Total => Rejection::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::TooManyStreams,
                "同时查看进度的连接过多，请稍后再试",
                "too many progress streams are open; try again shortly",
            ),
            super::progress::Full::User => Rejection::new(
                StatusCode::TOO_MANY_REQUESTS,
                ApiErrorCode::TooManyStreamsForYou,
                "你同时打开的进度连接过多，请关闭一些页面后再试",
                "you have too many progress streams open; close some pages and try again",
            ),
        })?;
    let first = summary(&state, &id).await?;
    let rx = state.progress.watch(&id, first);
    struct S {
        state: Arc<AppState>,
        id: String,
        rx: tokio::sync::watch::Receiver<Option<JobSummary>>,
        started: bool,
        done: bool,
        _slot: super::progress::StreamSlot,
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
