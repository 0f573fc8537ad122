//! Typed provider operations. Every body is validated again with core before any provider call;
//! only these operations exist (no forwarding, no client-supplied hosts); each is audited.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use rollcall_core::api::ApiError;
use rollcall_core::api::{
    EnrollImportBody, ImGroupImport, Me, ProviderStatus, Status, Suggestions, WecomEnrollmentsQuery,
};
use rollcall_core::providers::huiyi31::{self as h, RegisterRequest, RegisterResponse};
use rollcall_core::providers::tencent_im::{
    self as im, ImportGroupMemberRequest, ImportGroupMemberResponse,
};
use rollcall_core::providers::tencent_meeting::{
    self as tm, ApprovalEntry, CreateWebinarRequest, CreateWebinarResponse, EnrollImportRequest,
    EnrollImportResponse,
};
use rollcall_core::providers::wecom::{self, EnrollListRequest, EnrollListResponse};
use rollcall_core::providers::{Lenient, Provider};

use super::openapi::{ProviderCallErrors, ProviderCallReadErrors};
use super::privacy::{audit, provider_id};
use super::{ApiJson, AppState, Rejection};
use crate::providers::ProviderError;
use crate::util::unix_now;
use rollcall_core::ApiErrorCode;

type ApiResult<T> = Result<Json<T>, Rejection>;

fn not_configured(p: Provider) -> Rejection {
    Rejection::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ApiErrorCode::ProviderNotConfigured,
        &format!("{} 未配置", p.label_zh()),
        &format!("{} is not configured", p.as_str()),
    )
}

fn outcome<T>(r: &Result<T, ProviderError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) if e.ambiguous => "unknown".into(),
        Err(e) => format!("error:{}", e.code),
    }
}

#[utoipa::path(get, path = "/api/me", tag = "identity", responses((status = 200, description = "Who the SSO front says is calling, and their role", body = Me), (status = 401, description = "No identity", body = ApiError)))]
pub async fn me(Extension(me): Extension<Me>) -> Json<Me> {
    Json(me)
}

fn host(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("")
        .to_string()
}

#[utoipa::path(get, path = "/api/status", tag = "identity", responses((status = 200, description = "Version, sandbox mode, configured providers (never credentials), what the UI may pre-fill", body = Status)))]
pub async fn status(State(state): State<Arc<AppState>>) -> Json<Status> {
    let c = &state.clients;
    let entry = |p: Provider, configured: bool| ProviderStatus {
        provider: p,
        configured,
        endpoint: c
            .endpoints
            .get(p.as_str())
            .map(|u| host(u))
            .unwrap_or_default(),
    };
    // The sandbox's demo targets only in sandbox mode: a real deployment shows nothing pre-filled
    // but what its config names.
    let mut suggestions = Suggestions {
        huiyi31_ticket_name: c
            .huiyi31
            .as_ref()
            .and_then(|h| h.default_item_sku_name.clone()),
        ..Default::default()
    };
    if state.sandbox {
        use crate::sandbox::demo;
        suggestions.tencent_meeting = Some(demo::TM_WEBINAR.into());
        suggestions.tencent_im = Some(demo::IM_GROUP.into());
        suggestions.huiyi31 = Some(format!(
            "{}:{}:{}",
            demo::HUIYI_EVENT,
            demo::HUIYI_TYPE,
            demo::HUIYI_TICKET
        ));
        suggestions.wecom_webinar = Some(demo::WECOM_WEBINAR.into());
    }
    Json(Status {
        version: env!("CARGO_PKG_VERSION").into(),
        sandbox: state.sandbox,
        suggestions,
        providers: vec![
            entry(Provider::TencentMeeting, c.tencent_meeting.is_some()),
            entry(Provider::Wecom, c.wecom.is_some()),
            entry(Provider::TencentIm, c.tencent_im.is_some()),
            entry(Provider::Huiyi31, c.huiyi31.is_some()),
        ],
    })
}

#[utoipa::path(post, path = "/api/tencent-meeting/webinars", tag = "providers", request_body(content = Object, description = "Tencent Meeting create-webinar request (seed 002), validated by core before signing"), responses((status = 200, description = "The provider's answer (meeting_id, meeting_code…)", body = Object), ProviderCallErrors))]
pub async fn create_webinar(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(mut req): ApiJson<CreateWebinarRequest>,
) -> ApiResult<CreateWebinarResponse> {
    let client = state
        .clients
        .tencent_meeting
        .as_ref()
        .ok_or_else(|| not_configured(Provider::TencentMeeting))?;
    if req.userid.trim().is_empty() {
        req.userid = client.config().operator_userid.clone();
    }
    // Settings the provider would ignore are left out before signing (the UI showed why).
    let ignored = tm::drop_ineffective(&mut req);
    if !ignored.is_empty() {
        tracing::info!(ignored = ?ignored.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), "create webinar: ineffective settings left out");
    }
    let problems = tm::validate_create_webinar(&req, unix_now());
    if !problems.is_empty() {
        return Err(Rejection::invalid(problems));
    }
    // Not idempotent: sent once; a lost answer is reported as unknown, never retried here.
    state.runner.pace(Provider::TencentMeeting).await;
    let r = client.create_webinar(&req).await;
    audit(
        &state,
        &me,
        "tencent_meeting.create_webinar",
        r.as_ref().map(|w| w.meeting_id.as_str()).unwrap_or("-"),
        0,
        &outcome(&r),
    )
    .await;
    if let Ok(w) = &r {
        // Offered by name in the import wizard and the CLI.
        let label = format!("{} · {}", w.subject, w.meeting_code);
        let dest = format!("tencent-meeting:{}", w.meeting_id);
        let remembered = state
            .journal(move |s| s.remember_destination(&dest, Some(&label), unix_now() as i64))
            .await;
        if let Err(e) = remembered {
            tracing::warn!(error = ?e.1.code, "cannot remember the new webinar");
        }
    }
    r.map(Json).map_err(|e| {
        if e.ambiguous {
            // No answer at all: the webinar may exist. Say how to look before creating it again.
            let subject = &req.subject;
            Rejection::new(
                StatusCode::GATEWAY_TIMEOUT,
                ApiErrorCode::ProviderOutcomeUnknown,
                &format!("腾讯会议没有返回结果（{}），研讨会可能已经创建。再次创建前，请在腾讯会议“我的会议”或企业管理后台中查找主题为“{subject}”的网络研讨会", e.message),
                &format!("Tencent Meeting sent no answer ({}); the webinar may have been created. Before creating it again, look for a webinar titled \"{subject}\" under My Meetings in Tencent Meeting or in the admin console", e.message),
            )
        } else {
            Rejection::provider(&e)
        }
    })
}

#[utoipa::path(get, path = "/api/tencent-meeting/webinars/{id}/enrollments", tag = "providers", params(("id" = String, Path, description = "Tencent Meeting meeting_id")), responses((status = 200, description = "Every enrollment (all pages); entries the provider sent in an unreadable shape are marked", body = [Object]), ProviderCallReadErrors))]
pub async fn list_webinar_enrollments(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
) -> ApiResult<Vec<Lenient<ApprovalEntry>>> {
    provider_id(&id)?;
    // A list of people (names, enroll codes): organizers only.
    super::auth::require_organizer(&me)?;
    let client = state
        .clients
        .tencent_meeting
        .as_ref()
        .ok_or_else(|| not_configured(Provider::TencentMeeting))?;
    let r = client
        .all_enrollments(&id, || state.runner.pace(Provider::TencentMeeting))
        .await;
    audit(
        &state,
        &me,
        "tencent_meeting.list_enrollments",
        &id,
        r.as_ref().map(|l| l.len() as u64).unwrap_or(0),
        &outcome(&r),
    )
    .await;
    Ok(Json(r?))
}

#[utoipa::path(post, path = "/api/tencent-meeting/webinars/{id}/enroll/import", tag = "providers", params(("id" = String, Path, description = "Tencent Meeting meeting_id")), request_body = EnrollImportBody, responses((status = 200, description = "Tencent Meeting's import answer (seed 000)", body = Object), ProviderCallErrors))]
pub async fn enroll_import(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EnrollImportBody>,
) -> ApiResult<EnrollImportResponse> {
    provider_id(&id)?;
    let client = state
        .clients
        .tencent_meeting
        .as_ref()
        .ok_or_else(|| not_configured(Provider::TencentMeeting))?;
    let req = EnrollImportRequest {
        operator_id: client.config().operator_userid.clone(),
        operator_id_type: tm::OperatorIdType::Userid,
        instanceid: tm::Instance::Pc,
        enroll_list: body.enroll_list,
    };
    // The cap counts what the webinar already holds, as jobs do.
    let problems = tm::validate_enroll_import(&req, tm::AppAuth::AkSk, client.config().edition, 0);
    if !problems.is_empty() {
        return Err(Rejection::invalid(problems));
    }
    let existing = client
        .all_enrollments(&id, || state.runner.pace(Provider::TencentMeeting))
        .await?;
    let imported = tm::imported_count(existing.iter().filter_map(Lenient::ok));
    if let Some(p) = tm::cap_problem(client.config().edition, imported, req.enroll_list.len()) {
        return Err(Rejection::invalid(vec![p]));
    }
    state.runner.pace(Provider::TencentMeeting).await;
    let r = client.enroll_import(&id, &req).await;
    audit(
        &state,
        &me,
        "tencent_meeting.enroll_import",
        &id,
        req.enroll_list.len() as u64,
        &outcome(&r),
    )
    .await;
    Ok(Json(r?))
}

#[utoipa::path(post, path = "/api/wecom/webinars/{id}/enrollments", tag = "providers", params(("id" = String, Path, description = "WeCom webinar meetingid")), request_body = WecomEnrollmentsQuery, responses((status = 200, description = "WeCom's enrollment list (seed 001); with `all`, every page as one list", body = Object), ProviderCallErrors))]
pub async fn wecom_enrollments(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
    ApiJson(q): ApiJson<WecomEnrollmentsQuery>,
) -> ApiResult<EnrollListResponse> {
    provider_id(&id)?;
    let client = state
        .clients
        .wecom
        .as_ref()
        .ok_or_else(|| not_configured(Provider::Wecom))?;
    let req = EnrollListRequest {
        meetingid: id.clone(),
        status: q.status,
        cursor: q.cursor,
        limit: q.limit,
    };
    let problems = wecom::validate_enroll_list(&req);
    if !problems.is_empty() {
        return Err(Rejection::invalid(problems));
    }
    let r = if q.all {
        client
            .all_enrollments(&id, q.status, || state.runner.pace(Provider::Wecom))
            .await
            .map(|list| EnrollListResponse {
                errcode: 0,
                errmsg: "ok".into(),
                has_more: false,
                next_cursor: String::new(),
                enroll_list: list,
            })
    } else {
        state.runner.pace(Provider::Wecom).await;
        client.enroll_list(&req).await
    };
    audit(
        &state,
        &me,
        "wecom.list_enrollments",
        &id,
        r.as_ref().map(|l| l.enroll_list.len() as u64).unwrap_or(0),
        &outcome(&r),
    )
    .await;
    Ok(Json(r?))
}

#[utoipa::path(post, path = "/api/tencent-im/groups/{id}/members", tag = "providers", params(("id" = String, Path, description = "Tencent Cloud IM GroupId")), request_body = ImGroupImport, responses((status = 200, description = "IM's import_group_member answer (per-member Result)", body = Object), ProviderCallErrors))]
pub async fn import_im_members(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ImGroupImport>,
) -> ApiResult<ImportGroupMemberResponse> {
    provider_id(&id)?;
    let client = state
        .clients
        .tencent_im
        .as_ref()
        .ok_or_else(|| not_configured(Provider::TencentIm))?;
    let req = ImportGroupMemberRequest {
        group_id: id.clone(),
        member_list: body.members,
    };
    let problems = im::validate_import(&req, None, unix_now() as i64);
    if !problems.is_empty() {
        return Err(Rejection::invalid(problems));
    }
    state.runner.pace(Provider::TencentIm).await;
    let r = client.import_group_member(&req).await;
    audit(
        &state,
        &me,
        "tencent_im.import_group_member",
        &id,
        req.member_list.len() as u64,
        &outcome(&r),
    )
    .await;
    Ok(Json(r?))
}

#[utoipa::path(post, path = "/api/huiyi31/register", tag = "providers", request_body(content = Object, description = "31huiyi Register request (seed 004), validated by core"), responses((status = 200, description = "31huiyi's answer (order and check-in code)", body = Object), ProviderCallErrors))]
pub async fn huiyi31_register(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<RegisterResponse> {
    let hy = state
        .clients
        .huiyi31
        .as_ref()
        .ok_or_else(|| not_configured(Provider::Huiyi31))?;
    let problems = h::validate_register(&req);
    if !problems.is_empty() {
        return Err(Rejection::invalid(problems));
    }
    state.runner.pace(Provider::Huiyi31).await;
    let r = hy.client.register(&req).await;
    audit(
        &state,
        &me,
        "huiyi31.register",
        &req.bvent_id,
        1,
        &outcome(&r),
    )
    .await;
    Ok(Json(r?))
}
