//! Tencent Meeting AK/SK client: signing byte by byte (docs/providers.md), create webinar,
//! import enrollments, list enrollments.

use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use rollcall_core::providers::tencent_meeting::{
    self as tm, ApprovalsResponse, CreateWebinarRequest, CreateWebinarResponse,
    EnrollImportRequest, EnrollImportResponse,
};
use rollcall_core::providers::{ErrorClass, Lenient, Provider};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{read_body, ProviderError};

/// `METHOD\nX-TC-Key=..&X-TC-Nonce=..&X-TC-Timestamp=..\nURI\nBODY`.
pub fn string_to_sign(
    method: &str,
    uri: &str,
    body: &[u8],
    nonce: &str,
    timestamp: &str,
    secret_id: &str,
) -> Vec<u8> {
    let mut s = format!(
        "{}\nX-TC-Key={secret_id}&X-TC-Nonce={nonce}&X-TC-Timestamp={timestamp}\n{uri}\n",
        method.to_ascii_uppercase()
    )
    .into_bytes();
    s.extend_from_slice(body);
    s
}

/// `X-TC-Signature`: base64 of the lowercase hex of HMAC-SHA256(secret_key, string_to_sign).
pub fn signature(string_to_sign: &[u8], secret_key: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign);
    let hex = hex::encode(mac.finalize().into_bytes());
    base64::engine::general_purpose::STANDARD.encode(hex.as_bytes())
}

/// Constant-time check of a received signature (used by the sandbox).
pub fn verify(string_to_sign: &[u8], secret_key: &str, received: &str) -> bool {
    let expected = signature(string_to_sign, secret_key);
    expected.len() == received.len()
        && expected
            .bytes()
            .zip(received.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Credentials and settings for one Tencent Meeting app.
pub struct Config {
    pub base_url: String,
    pub app_id: String,
    pub sdk_id: Option<String>,
    pub secret_id: String,
    pub secret_key: SecretString,
    pub edition: tm::Edition,
    pub operator_userid: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentMeetingConfig")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("secret_key", &"***")
            .finish()
    }
}

#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::Client,
    /// Clock in Unix seconds (tests move it).
    now: fn() -> u64,
}

const P: Provider = Provider::TencentMeeting;

impl Client {
    pub fn new(cfg: Config, http: reqwest::Client) -> Self {
        Client {
            cfg: Arc::new(cfg),
            http,
            now: crate::util::unix_now,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Sends one signed request: serialise once, sign those bytes, send those bytes; a fresh
    /// nonce and timestamp every call (so every retry is re-signed).
    async fn call(
        &self,
        method: reqwest::Method,
        uri: &str,
        body: Option<Vec<u8>>,
    ) -> Result<bytes::Bytes, ProviderError> {
        let body = body.unwrap_or_default();
        let nonce = rand::thread_rng()
            .gen_range(1..=u64::from(u32::MAX) * 1000)
            .to_string();
        let timestamp = (self.now)().to_string();
        let sts = string_to_sign(
            method.as_str(),
            uri,
            &body,
            &nonce,
            &timestamp,
            &self.cfg.secret_id,
        );
        let sig = signature(&sts, self.cfg.secret_key.expose_secret());
        let mut req = self
            .http
            .request(
                method,
                format!("{}{uri}", self.cfg.base_url.trim_end_matches('/')),
            )
            .header("Content-Type", "application/json")
            .header("X-TC-Key", &self.cfg.secret_id)
            .header("X-TC-Timestamp", &timestamp)
            .header("X-TC-Nonce", &nonce)
            .header("X-TC-Signature", sig)
            .header("AppId", &self.cfg.app_id)
            .header("X-TC-Registered", "1");
        if let Some(sdk) = &self.cfg.sdk_id {
            req = req.header("SdkId", sdk);
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::transport(P, &e))?;
        let (status, bytes) = read_body(P, resp).await?;
        if status == 200 {
            return Ok(bytes);
        }
        match serde_json::from_slice::<tm::ErrorBody>(&bytes) {
            Ok(e) => {
                let code = e.error_info.error_code;
                Err(ProviderError {
                    http_status: Some(status),
                    // A 5xx with a code may come after the provider applied part of the call
                    // (an internal error mid-import): unless the code says it was refused before
                    // anything happened, the outcome is unknown and the batch is reconciled.
                    ambiguous: status >= 500 && !tm::refused_before_applying(code),
                    ..ProviderError::provider(P, code, e.error_info.message, tm::classify(code))
                })
            }
            Err(_) => Err(ProviderError::unreadable(P, status)),
        }
    }

    /// A 200 whose body cannot be read (a gateway's HTML page, a cut answer): ambiguous, and
    /// retryable — a read is tried again; a write is not (it may have been applied) and is
    /// reconciled instead.
    fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ProviderError> {
        serde_json::from_slice(bytes).map_err(|e| ProviderError {
            ambiguous: true,
            ..ProviderError::provider(
                P,
                0,
                format!("unexpected response: {e}"),
                ErrorClass::Retryable,
            )
        })
    }

    /// `POST /v1/webinars`. Not idempotent: never retried automatically.
    pub async fn create_webinar(
        &self,
        req: &CreateWebinarRequest,
    ) -> Result<CreateWebinarResponse, ProviderError> {
        let body = serde_json::to_vec(req).expect("serialising a wire type");
        Self::parse(
            &self
                .call(reqwest::Method::POST, "/v1/webinars", Some(body))
                .await?,
        )
    }

    /// `POST /v1/webinars/{id}/enroll/import`.
    pub async fn enroll_import(
        &self,
        meeting_id: &str,
        req: &EnrollImportRequest,
    ) -> Result<EnrollImportResponse, ProviderError> {
        let body = serde_json::to_vec(req).expect("serialising a wire type");
        let uri = format!("/v1/webinars/{}/enroll/import", urlencode(meeting_id));
        Self::parse(&self.call(reqwest::Method::POST, &uri, Some(body)).await?)
    }

    /// Every page of a webinar's enrollments, each after `pace()` (the callers' shared budget
    /// for the provider's rate). See [`Client::every_page`].
    pub async fn all_enrollments<F: std::future::Future<Output = ()>>(
        &self,
        meeting_id: &str,
        pace: impl Fn() -> F,
    ) -> Result<Vec<Lenient<tm::ApprovalEntry>>, ProviderError> {
        let pace = &pace;
        Self::every_page(|page| async move {
            pace().await;
            self.list_enrollments(meeting_id, page, tm::MAX_APPROVALS_PAGE_SIZE)
                .await
        })
        .await
    }

    /// The one paging rule of `enroll/approvals`: pages from 1, `page(n)` reading each (the
    /// caller's pacing and retries around [`Client::list_enrollments`]), until the answer says
    /// there is no more or a page brings no new enrollment; a list that has not ended after
    /// [`super::MAX_LIST_PAGES`] pages is an error, never a loop.
    pub async fn every_page<Fut>(
        mut page: impl FnMut(u32) -> Fut,
    ) -> Result<Vec<Lenient<tm::ApprovalEntry>>, ProviderError>
    where
        Fut: std::future::Future<Output = Result<tm::ApprovalsResponse, ProviderError>>,
    {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for n in 1..=super::MAX_LIST_PAGES as u32 {
            let r = page(n).await?;
            let more = r.has_more(n, r.note_ids(&mut seen));
            out.extend(r.enroll_list);
            if !more {
                return Ok(out);
            }
        }
        Err(ProviderError::endless_list(Provider::TencentMeeting))
    }

    /// One page of `GET /v1/webinars/{id}/enroll/approvals`.
    pub async fn list_enrollments(
        &self,
        meeting_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<ApprovalsResponse, ProviderError> {
        let uri = format!(
            "/v1/webinars/{}/enroll/approvals?operator_id={}&operator_id_type=1&instanceid=1&page={page}&page_size={page_size}",
            urlencode(meeting_id),
            urlencode(&self.cfg.operator_userid)
        );
        Self::parse(&self.call(reqwest::Method::GET, &uri, None).await?)
    }
}

pub use crate::util::url_segment as urlencode;
