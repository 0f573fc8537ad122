//! Personal data on the request path: who may read a job's rows (its creator, admins, the groups
//! it was shared with — the rule is core's `Me::may_read_rows`), the audit log (every read or
//! export of personal data and every write to a provider; read by admins), and shredding a job
//! at once (the retention sweep is `jobs::retention`).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rollcall_core::api::{ApiError, AuditEntry, AuditQuery, JobSummary, Me};
use rollcall_core::export::safe_cell;

use super::{AppState, Rejection};
use rollcall_core::ApiErrorCode;

/// The longest target or outcome an audit row keeps (a client cannot grow the log unboundedly).
const AUDIT_FIELD_MAX: usize = 200;

/// A job id as the proxy makes them (`job_` + 32 hex digits). Anything else is answered 404
/// before it reaches the journal, a log line or the audit log.
pub fn job_id(id: &str) -> Result<(), Rejection> {
    made_id("job_", id)
}

/// An id the proxy made: `prefix` and a UUID's 32 hex digits; anything else 404.
pub fn made_id(prefix: &str, id: &str) -> Result<(), Rejection> {
    let ok = id
        .strip_prefix(prefix)
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(Rejection::not_found())
    }
}

/// A provider id taken from a URL path: 422 `bad_id` unless core's rule
/// ([`rollcall_core::destination::is_provider_id`]) takes it.
pub fn provider_id(id: &str) -> Result<(), Rejection> {
    if rollcall_core::destination::is_provider_id(id) {
        Ok(())
    } else {
        Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::BadId,
            "ID 格式不正确",
            "the id is malformed",
        ))
    }
}

fn forbidden(code: ApiErrorCode, zh: &str, en: &str) -> Rejection {
    Rejection::new(StatusCode::FORBIDDEN, code, zh, en)
}

/// The job, when `me` may read its rows: 404 for an unknown job (nothing audited), 403 for a
/// job someone else owns and did not share with any of `me`'s groups.
pub async fn readable_job(state: &AppState, me: &Me, id: &str) -> Result<JobSummary, Rejection> {
    job_id(id)?;
    let id = id.to_string();
    let job = state
        .journal(move |s| s.get_job(&id))
        .await?
        .ok_or_else(Rejection::not_found)?;
    if me.may_read_rows(&job) {
        Ok(job)
    } else {
        Err(forbidden(
            ApiErrorCode::NotSharedWithYou,
            "此任务的名单只有创建者、管理员和共享的用户组可以查看；你可以查看它的进度和统计",
            "only the job's creator, admins and the groups it is shared with may read its rows; you can see its progress and counts",
        ))
    }
}

/// 403 unless `me` is an admin (`auth.admin_groups`).
pub fn require_admin(me: &Me) -> Result<(), Rejection> {
    if me.admin {
        Ok(())
    } else {
        Err(forbidden(
            ApiErrorCode::AdminOnly,
            "只有管理员可以查看审计日志",
            "only admins may read the audit log",
        ))
    }
}

fn bounded(s: &str) -> String {
    match s.char_indices().nth(AUDIT_FIELD_MAX) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

/// One audit record: who, what, which target, how many rows, the outcome — never personal
/// data. Written to the journal (off the async threads) and to the log (fields escaped).
pub async fn audit(
    state: &AppState,
    me: &Me,
    action: &str,
    target: &str,
    rows: u64,
    outcome: &str,
) {
    let (user, action, target, outcome) = (
        bounded(&me.user),
        action.to_string(),
        bounded(target),
        bounded(outcome),
    );
    // `?`: Debug-escaped, so a newline in an id cannot start a forged line.
    tracing::info!(target: "audit", user = ?user, action, target_id = ?target, rows, outcome = ?outcome, "audit");
    let written = state
        .journal(move |s| s.audit(&user, &action, &target, rows, &outcome))
        .await;
    if let Err(e) = written {
        tracing::error!(error = ?e.1.code, "cannot write the audit log");
    }
}

#[utoipa::path(get, path = "/api/audit", tag = "personal data", params(AuditQuery), responses((status = 200, description = "The audit log, newest first: every read or export of personal data and every write to a provider", body = [AuditEntry]), (status = 401, body = ApiError), (status = 403, description = "Not an admin", body = ApiError)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, Rejection> {
    require_admin(&me)?;
    state.journal(move |s| s.audit_entries(&q)).await.map(Json)
}

#[utoipa::path(get, path = "/api/audit.csv", tag = "personal data", params(AuditQuery), responses((status = 200, description = "The same entries as `/api/audit`, as CSV (UTF-8 with BOM, formula-safe)", content_type = "text/csv"), (status = 403, description = "Not an admin", body = ApiError)))]
pub async fn csv(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Rejection> {
    require_admin(&me)?;
    let entries = state.journal(move |s| s.audit_entries(&q)).await?;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut write = || -> csv::Result<()> {
        w.write_record([
            "时间 time (UTC)",
            "用户 user",
            "操作 action",
            "对象 target",
            "行数 rows",
            "结果 outcome",
        ])?;
        for e in &entries {
            let ts = rollcall_core::export::utc_timestamp(e.ts);
            let rows = e.rows.to_string();
            w.write_record(
                [
                    ts.as_str(),
                    &e.user,
                    &e.action,
                    &e.target,
                    &rows,
                    &e.outcome,
                ]
                .map(|c| safe_cell(c).into_owned()),
            )?;
        }
        Ok(())
    };
    write().map_err(Rejection::internal)?;
    let body = w.into_inner().map_err(Rejection::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rollcall-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/jobs/{id}/shred", tag = "personal data", params(("id" = String, Path, description = "job id")), responses((status = 200, description = "The job's personal cells removed from the journal (counts, outcome codes, provider ids and the audit log stay)", body = JobSummary), (status = 403, description = "Not the creator nor an admin", body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Still running", body = ApiError)))]
pub async fn shred(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> Result<Json<JobSummary>, Rejection> {
    job_id(&id)?;
    let job = {
        let id = id.clone();
        state
            .journal(move |s| s.get_job(&id))
            .await?
            .ok_or_else(Rejection::not_found)?
    };
    if !me.may_manage(&job) {
        return Err(forbidden(
            ApiErrorCode::NotYourJob,
            "只有任务创建者或管理员可以删除其个人信息",
            "only the job's creator or an admin may remove its personal data",
        ));
    }
    if job.state == rollcall_core::api::JobState::Running || state.runner.is_active(&id) {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            ApiErrorCode::Running,
            "任务仍在运行，结束后才能删除个人信息",
            "the job is still running; its personal data can be removed once it ends",
        ));
    }
    let now = crate::util::unix_now() as i64;
    let rows = {
        let id = id.clone();
        state.journal(move |s| s.shred(&id, now)).await?
    };
    audit(&state, &me, "job.shred", &id, rows, "shredded").await;
    state
        .journal(move |s| s.get_job(&id))
        .await?
        .map(Json)
        .ok_or_else(Rejection::not_found)
}
