//! Syncs API: create, list, show, the per-person trail, pause/resume/stop. The work is
//! `crate::sync`; here are the checks (role, limits, what the configuration can serve, who may
//! read the trail) and the audit records.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use rollcall_core::api::{ApiError, Me};
use rollcall_core::sync::{
    CreateSyncRequest, SyncPeopleQuery, SyncPerson, SyncSource, SyncState, SyncSummary,
};
use rollcall_core::Text;

use super::auth::require_organizer;
use super::privacy::{audit, made_id};
use super::{ApiJson, AppState, Rejection};
use crate::sync::{describe, SyncError};
use rollcall_core::ApiErrorCode;

/// A journal error is the API's like any other (503 only when the journal is unreachable; the
/// detail in the log, not the body).
fn rejection(e: SyncError) -> Rejection {
    let (status, code) = match e {
        SyncError::NotFound => (StatusCode::NOT_FOUND, ApiErrorCode::NotFound),
        SyncError::Stopped => (StatusCode::CONFLICT, ApiErrorCode::SyncStopped),
        SyncError::Busy => (StatusCode::SERVICE_UNAVAILABLE, ApiErrorCode::SyncBusy),
        SyncError::Store(e) => return Rejection::from(e),
    };
    let Text { zh, en } = describe(&e);
    Rejection::new(status, code, &zh, &en)
}

fn invalid(t: Text) -> Rejection {
    Rejection::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorCode::InvalidSync,
        &t.zh,
        &t.en,
    )
}

/// `sync_` and 32 hex digits; anything else is 404 before it reaches a log line.
fn sync_id(id: &str) -> Result<(), Rejection> {
    made_id("sync_", id)
}

#[utoipa::path(post, path = "/api/syncs", tag = "syncs", request_body = CreateSyncRequest, responses((status = 201, description = "The sync; its first poll is due at once", body = SyncSummary), (status = 400, description = "The body is not JSON (`bad_request_body`)", body = ApiError), (status = 403, description = "Only organizers create syncs", body = ApiError), (status = 422, description = "A source or destination that cannot be served, an interval out of range, too many destinations (`invalid_sync`, `destination_unavailable`)", body = ApiError)))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<CreateSyncRequest>,
) -> Result<(StatusCode, Json<SyncSummary>), Rejection> {
    require_organizer(&me)?;
    let source = req
        .check(state.cfg.limits.max_destinations_per_job)
        .map_err(invalid)?;
    let configured = match source {
        SyncSource::Wecom { .. } => state.clients.wecom.is_some(),
        SyncSource::TencentMeeting { .. } => state.clients.tencent_meeting.is_some(),
    };
    if !configured {
        return Err(invalid(Text::new(
            "同步来源的平台未配置",
            "the source's provider is not configured",
        )));
    }
    for d in &req.destinations {
        state
            .runner
            .can_serve(d)
            .map_err(|crate::jobs::context::Fatal(reason)| {
                Rejection::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ApiErrorCode::DestinationUnavailable,
                    &format!("无法同步到 {d}：{}", reason.zh),
                    &format!("cannot sync to {d}: {}", reason.en),
                )
            })?;
    }
    let target = format!(
        "{} -> {}",
        source.text(),
        req.destinations
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let summary = state.syncs.create(req, &me.user).await.map_err(rejection)?;
    audit(
        &state,
        &me,
        "sync.create",
        &format!("{} {target}", summary.id),
        0,
        "created",
    )
    .await;
    Ok((StatusCode::CREATED, Json(summary)))
}

#[utoipa::path(get, path = "/api/syncs", tag = "syncs", responses((status = 200, description = "Every sync, newest first, with per-destination counts", body = [SyncSummary])))]
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Vec<SyncSummary>>, Rejection> {
    state.syncs.list().await.map(Json).map_err(rejection)
}

#[utoipa::path(get, path = "/api/syncs/{id}", tag = "syncs", params(("id" = String, Path, description = "Sync id")), responses((status = 200, description = "The sync: state, last and next poll, the last error in words, per destination the counts a job has", body = SyncSummary), (status = 404, description = "No such sync", body = ApiError)))]
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<SyncSummary>, Rejection> {
    sync_id(&id)?;
    state.syncs.summary(&id).await.map(Json).map_err(rejection)
}

#[utoipa::path(get, path = "/api/syncs/{id}/people", tag = "syncs", params(("id" = String, Path, description = "Sync id"), SyncPeopleQuery), responses((status = 200, description = "Every person the sync has seen, with each destination's outcome; `q` filters by name, enroll id or identity", body = [SyncPerson]), (status = 403, description = "Only the sync's creator, admins and the groups it is shared with read people", body = ApiError), (status = 404, description = "No such sync", body = ApiError)))]
pub async fn people(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
    Query(q): Query<SyncPeopleQuery>,
) -> Result<Json<Vec<SyncPerson>>, Rejection> {
    sync_id(&id)?;
    let rec = state.syncs.record(&id).await.map_err(rejection)?;
    if !me.may_read(&rec.created_by, &rec.spec.share_with) {
        return Err(Rejection::new(
            StatusCode::FORBIDDEN,
            ApiErrorCode::NotSharedWithYou,
            "此同步的人员名单只有创建者、管理员和共享的用户组可以查看",
            "only the sync's creator, admins and the groups it is shared with may read its people",
        ));
    }
    let people = state
        .syncs
        .people(&id, q.q.as_deref())
        .await
        .map_err(rejection)?;
    audit(&state, &me, "sync.people", &id, people.len() as u64, "read").await;
    Ok(Json(people))
}

async fn change(
    state: &AppState,
    me: &Me,
    id: &str,
    to: SyncState,
) -> Result<Json<SyncSummary>, Rejection> {
    sync_id(id)?;
    require_organizer(me)?;
    let rec = state.syncs.record(id).await.map_err(rejection)?;
    if !me.may_change(&rec.created_by) {
        return Err(Rejection::new(
            StatusCode::FORBIDDEN,
            ApiErrorCode::Forbidden,
            "只有同步的创建者或管理员可以操作",
            "only the sync's creator or an admin can do this",
        ));
    }
    let summary = state.syncs.set_state(id, to).await.map_err(rejection)?;
    let action = match to {
        SyncState::Active => "sync.resume",
        SyncState::Paused => "sync.pause",
        SyncState::Stopped => "sync.stop",
    };
    audit(state, me, action, id, 0, "done").await;
    Ok(Json(summary))
}

#[utoipa::path(post, path = "/api/syncs/{id}/pause", tag = "syncs", params(("id" = String, Path, description = "Sync id")), responses((status = 200, description = "Paused: no poll until resumed (jobs already made run on)", body = SyncSummary), (status = 403, description = "Not the creator, an admin or an organizer", body = ApiError), (status = 404, description = "No such sync", body = ApiError), (status = 409, description = "The sync is stopped", body = ApiError)))]
pub async fn pause(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<SyncSummary>, Rejection> {
    change(&state, &me, &id, SyncState::Paused).await
}

#[utoipa::path(post, path = "/api/syncs/{id}/resume", tag = "syncs", params(("id" = String, Path, description = "Sync id")), responses((status = 200, description = "Active again; the next poll is due at once", body = SyncSummary), (status = 403, description = "Not the creator, an admin or an organizer", body = ApiError), (status = 404, description = "No such sync", body = ApiError), (status = 409, description = "The sync is stopped", body = ApiError)))]
pub async fn resume(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<SyncSummary>, Rejection> {
    change(&state, &me, &id, SyncState::Active).await
}

#[utoipa::path(post, path = "/api/syncs/{id}/stop", tag = "syncs", params(("id" = String, Path, description = "Sync id")), responses((status = 200, description = "Stopped for good; its trail stays", body = SyncSummary), (status = 403, description = "Not the creator, an admin or an organizer", body = ApiError), (status = 404, description = "No such sync", body = ApiError)))]
pub async fn stop(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<SyncSummary>, Rejection> {
    change(&state, &me, &id, SyncState::Stopped).await
}
