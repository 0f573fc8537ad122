//! The one place the UI talks to the proxy: relative `api/…` URLs, the anti-CSRF header on every
//! write, errors decoded into core's `ApiError`.

use gloo_net::http::{Request, Response};
use rollcall_core::api::{ApiError, CSRF_HEADER};
use rollcall_core::ApiErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn network_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ApiErrorCode::Network,
        format!("无法连接代理服务：{e}"),
        format!("cannot reach the proxy: {e}"),
    )
}

/// The body of a successful answer, or the proxy's error. Not generic: one copy of the request
/// and error handling in the bundle, whatever the answer's type.
async fn body(r: Result<Response, gloo_net::Error>) -> Result<String, ApiError> {
    let r = r.map_err(network_error)?;
    if r.ok() {
        return r.text().await.map_err(network_error);
    }
    let status = r.status();
    match r.json::<ApiError>().await {
        Ok(e) => Err(e),
        Err(_) => Err(ApiError::new(
            ApiErrorCode::Http,
            format!("代理返回 HTTP {status}"),
            format!("the proxy answered HTTP {status}"),
        )),
    }
}

async fn get_text(path: &str) -> Result<String, ApiError> {
    body(Request::get(&format!("api/{path}")).send().await).await
}

async fn post_text(path: &str, json: String) -> Result<String, ApiError> {
    let req = Request::post(&format!("api/{path}"))
        .header(CSRF_HEADER, "1")
        .header("Content-Type", "application/json")
        .body(json)
        .map_err(network_error)?;
    body(req.send().await).await
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    serde_json::from_str(&get_text(path).await?).map_err(network_error)
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let json = serde_json::to_string(body).map_err(network_error)?;
    serde_json::from_str(&post_text(path, json).await?).map_err(network_error)
}

/// The error text in the user's language, with the provider's code when there is one.
pub fn describe(e: &ApiError) -> String {
    let msg = crate::i18n::pick(&e.message.zh, &e.message.en);
    match e.provider_code {
        Some(code) => format!("[{code}] {msg}"),
        None => msg,
    }
}
