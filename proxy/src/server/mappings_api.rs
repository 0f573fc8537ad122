//! Remembered column mappings: kept per user in the journal, listed for everyone (a colleague's
//! mapping for the same form is offered too). Headers and field choices only — no person's data.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use rollcall_core::api::{ApiError, Me, SaveMapping, SavedMapping};
use rollcall_core::ApiErrorCode;

use super::{ApiJson, AppState, Rejection};

#[utoipa::path(get, path = "/api/mappings", tag = "jobs", responses((status = 200, description = "Every user's kept column mappings, most recently saved first (the UI offers the one whose headers match the file best)", body = [SavedMapping]), (status = 401, body = ApiError)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<SavedMapping>>, Rejection> {
    state.journal(|s| s.mappings()).await.map(Json)
}

#[utoipa::path(post, path = "/api/mappings", tag = "jobs", request_body = SaveMapping, responses((status = 200, description = "Kept under the caller's name (one of the same name is replaced)", body = SavedMapping), (status = 400, description = "The body is not JSON", body = ApiError), (status = 401, body = ApiError), (status = 403, description = "Not an organizer", body = ApiError), (status = 422, description = "A name of 1–64 characters and 1–200 headers are needed (`bad_mapping`)", body = ApiError)))]
pub async fn save(
    State(state): State<Arc<AppState>>,
    Extension(me): Extension<Me>,
    ApiJson(req): ApiJson<SaveMapping>,
) -> Result<Json<SavedMapping>, Rejection> {
    if let Some(why) = req.problem() {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::BadMapping,
            &why.zh,
            &why.en,
        ));
    }
    let saved = SavedMapping {
        name: req.name.trim().to_string(),
        owner: me.user.clone(),
        headers: req.headers,
        mapping: req.mapping,
        saved_at: crate::util::unix_now() as i64,
    };
    let kept = saved.clone();
    state.journal(move |s| s.save_mapping(&kept)).await?;
    Ok(Json(saved))
}
