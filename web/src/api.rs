//! The one place the UI talks to the proxy: relative `api/…` URLs, the anti-CSRF header on every
//! write, errors decoded into core's `ApiError`.

use gloo_net::http::{Request, Response};
use rollcall_core::api::{ApiError, CSRF_HEADER};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn network_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        "network",
        format!("无法连接代理服务：{e}"),
        format!("cannot reach the proxy: {e}"),
    )
}

async fn decode<T: DeserializeOwned>(r: Response) -> Result<T, ApiError> {
    if r.ok() {
        return r.json::<T>().await.map_err(network_error);
    }
    let status = r.status();
    match r.json::<ApiError>().await {
        Ok(e) => Err(e),
        Err(_) => Err(ApiError::new(
            "http",
            format!("代理返回 HTTP {status}"),
            format!("the proxy answered HTTP {status}"),
        )),
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let r = Request::get(&format!("api/{path}"))
        .send()
        .await
        .map_err(network_error)?;
    decode(r).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let r = Request::post(&format!("api/{path}"))
        .header(CSRF_HEADER, "1")
        .json(body)
        .map_err(network_error)?
        .send()
        .await
        .map_err(network_error)?;
    decode(r).await
}

/// The error text in the user's language, with the provider's code when there is one.
pub fn describe(e: &ApiError) -> String {
    let msg = crate::i18n::pick(&e.zh, &e.en);
    match e.provider_code {
        Some(code) => format!("[{code}] {msg}"),
        None => msg,
    }
}
