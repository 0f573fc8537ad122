//! The HTTP rejection: an [`ApiError`] body with its status, and the `From` conversions that let
//! handlers use `?` on journal, provider and JSON errors.

use super::*;

impl From<StoreError> for Rejection {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "the journal is unavailable");
            return Rejection::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::JournalUnavailable,
                "任务日志暂时无法访问，请稍后再试",
                "the job journal is unavailable; try again shortly",
            );
        }
        Rejection::internal(e)
    }
}

/// An API error with its HTTP status. The body is [`ApiError`] (bilingual, provider code).
#[derive(Debug)]
pub struct Rejection(pub StatusCode, pub ApiError);

impl Rejection {
    pub fn new(status: StatusCode, code: ApiErrorCode, zh: &str, en: &str) -> Self {
        Rejection(status, ApiError::new(code, zh, en))
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::Internal,
            "服务器内部错误",
            "internal server error",
        )
    }

    pub fn invalid(problems: Vec<rollcall_core::Problem>) -> Self {
        let mut e = ApiError::new(
            ApiErrorCode::Invalid,
            "请求有数据问题，请修正后再试",
            "the request has problems; fix them and try again",
        );
        e.problems = problems;
        Rejection(StatusCode::UNPROCESSABLE_ENTITY, e)
    }

    pub fn not_found() -> Self {
        Rejection::new(
            StatusCode::NOT_FOUND,
            ApiErrorCode::NotFound,
            "找不到该资源",
            "not found",
        )
    }

    /// A provider refused or failed. Ambiguous outcomes say so, so nobody blindly retries.
    pub fn provider(e: &ProviderError) -> Self {
        let (status, code, zh, en) = if e.ambiguous {
            (
                StatusCode::GATEWAY_TIMEOUT,
                ApiErrorCode::ProviderOutcomeUnknown,
                format!(
                    "{} 的结果未知（{}），重试前请先在其后台核对",
                    e.provider.label_zh(),
                    e.message
                ),
                format!(
                    "the outcome at {} is unknown ({}); check its console before retrying",
                    e.provider.as_str(),
                    e.message
                ),
            )
        } else if e.code == 0 {
            (
                StatusCode::BAD_GATEWAY,
                ApiErrorCode::ProviderUnavailable,
                format!("{} 暂时不可用：{}", e.provider.label_zh(), e.message),
                format!("{} is unavailable: {}", e.provider.as_str(), e.message),
            )
        } else {
            (
                StatusCode::BAD_GATEWAY,
                ApiErrorCode::ProviderError,
                format!(
                    "{} 返回错误 {}：{}",
                    e.provider.label_zh(),
                    e.code,
                    e.message
                ),
                format!(
                    "{} returned error {}: {}",
                    e.provider.as_str(),
                    e.code,
                    e.message
                ),
            )
        };
        let mut err = ApiError::new(code, zh, en);
        err.provider = Some(e.provider);
        err.provider_code = (e.code != 0).then_some(e.code);
        err.provider_message = Some(e.message.clone());
        Rejection(status, err)
    }
}

/// `Json<T>` whose rejections (bad JSON, wrong types, body too large) are [`Rejection`]s too.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(Rejection))]
pub struct ApiJson<T>(pub T);

impl From<ProviderError> for Rejection {
    fn from(e: ProviderError) -> Self {
        Rejection::provider(&e)
    }
}

impl From<axum::extract::rejection::JsonRejection> for Rejection {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        let status = r.status();
        let (code, zh) = if status == StatusCode::PAYLOAD_TOO_LARGE {
            (ApiErrorCode::BodyTooLarge, "请求体过大")
        } else {
            (ApiErrorCode::BadRequestBody, "请求体格式不正确")
        };
        Rejection::new(status, code, zh, &r.body_text())
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}
