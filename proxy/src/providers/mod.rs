//! Provider clients: one module per provider, each using `rollcall_core`'s wire types.
//!
//! Every call has a timeout; every provider answer is mapped to [`ProviderError`] with the
//! provider's code and message and a class (retry / re-auth / permanent). A call whose outcome
//! is unknown (timeout, dropped connection, gateway error after sending) is marked `ambiguous`:
//! callers must not blindly re-send it to a non-idempotent provider.

pub mod huiyi31;
pub mod tencent_im;
pub mod tencent_meeting;
pub mod wecom;

use std::time::Duration;

use rollcall_core::providers::{ErrorClass, Provider};

/// A failed provider call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{provider:?} error {code}: {message}")]
pub struct ProviderError {
    pub provider: Provider,
    pub class: ErrorClass,
    /// The provider's error code; 0 for transport failures.
    pub code: i64,
    pub message: String,
    /// The request may or may not have been applied.
    pub ambiguous: bool,
    /// HTTP status when one was received.
    pub http_status: Option<u16>,
}

impl ProviderError {
    pub fn provider(
        provider: Provider,
        code: i64,
        message: impl Into<String>,
        class: ErrorClass,
    ) -> Self {
        ProviderError {
            provider,
            class,
            code,
            message: message.into(),
            ambiguous: false,
            http_status: None,
        }
    }

    /// Maps a transport error. Errors before the request was sent (connect) are retryable and
    /// unambiguous; anything after (timeout, reset, broken body) is ambiguous.
    pub fn transport(provider: Provider, e: &reqwest::Error) -> Self {
        let before_send = e.is_connect() || e.is_builder();
        ProviderError {
            provider,
            class: ErrorClass::Retryable,
            code: 0,
            // reqwest errors carry the URL, which may hold a token or UserSig: drop it.
            message: redact_url_error(e),
            ambiguous: !before_send,
            http_status: e.status().map(|s| s.as_u16()),
        }
    }

    /// Not sent at all: this replica may no longer send for the job (its lease is lost or
    /// expired). Certainly not applied; nothing to retry here — the replica holding the job now
    /// settles it.
    pub fn not_sent(provider: Provider, why: impl Into<String>) -> Self {
        ProviderError {
            provider,
            class: ErrorClass::Permanent,
            code: 0,
            message: why.into(),
            ambiguous: false,
            http_status: None,
        }
    }

    /// A non-success status whose body is not the provider's answer (an HTML page from a gateway
    /// or firewall: 429, 403, 502…). Never a refusal: the provider said nothing. A 5xx may have
    /// been applied behind the gateway (ambiguous); a 4xx was stopped in front of it (not
    /// applied, retried).
    pub fn unreadable(provider: Provider, status: u16) -> Self {
        if status >= 500 {
            return ProviderError::gateway(provider, status);
        }
        ProviderError {
            provider,
            class: ErrorClass::Retryable,
            code: 0,
            message: format!("HTTP {status} without a provider answer (a gateway or firewall)"),
            ambiguous: false,
            http_status: Some(status),
        }
    }

    /// A 5xx/other status without a provider error body: the gateway failed, maybe after applying.
    pub fn gateway(provider: Provider, status: u16) -> Self {
        ProviderError {
            provider,
            class: ErrorClass::Retryable,
            code: 0,
            message: format!("HTTP {status} without a provider error body"),
            ambiguous: true,
            http_status: Some(status),
        }
    }
}

fn redact_url_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response lost (connection dropped while reading)"
    } else if e.is_request() {
        "request failed (connection dropped)"
    } else {
        "transport error"
    };
    kind.to_string()
}

/// The HTTP client every provider module uses: timeouts on every call, no redirects (a provider
/// never redirects an API call; following one could leak credentials in the URL).
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("rollcall/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("building the HTTP client")
}

/// The largest provider answer read (16 MiB). The largest documented answer — a page of 100
/// Tencent Meeting enrollees, 50 WeCom enrollments, 300 IM members — is well under 1 MiB; a
/// broken or hostile endpoint streaming without end cannot exhaust memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The most pages any provider list is read to (a broken provider whose cursor never ends is
/// stopped): 2,000 pages — of WeCom's 50, 100,000 people; of Tencent Meeting's 300, 600,000 —
/// above every documented list size.
pub const MAX_LIST_PAGES: usize = 2_000;

impl ProviderError {
    /// The answer was larger than [`MAX_ANSWER_BYTES`]: it was not read, so the outcome is
    /// unknown (ambiguous) and the call is retried like a lost answer.
    pub fn too_large(provider: Provider, status: u16) -> Self {
        ProviderError {
            provider,
            class: ErrorClass::Retryable,
            code: 0,
            message: format!("an answer over {} MiB was not read", MAX_ANSWER_BYTES >> 20),
            ambiguous: true,
            http_status: Some(status),
        }
    }

    /// A list whose pages never end (more than [`MAX_LIST_PAGES`]).
    pub fn endless_list(provider: Provider) -> Self {
        ProviderError {
            provider,
            class: ErrorClass::Permanent,
            code: 0,
            message: format!("the list did not end after {MAX_LIST_PAGES} pages"),
            ambiguous: false,
            http_status: None,
        }
    }
}

/// Reads a response body, at most [`MAX_ANSWER_BYTES`], mapping a broken body to an ambiguous
/// transport error.
pub async fn read_body(
    provider: Provider,
    mut resp: reqwest::Response,
) -> Result<(u16, bytes::Bytes), ProviderError> {
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(ProviderError::too_large(provider, status));
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ProviderError::transport(provider, &e))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ProviderError::too_large(provider, status));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body.freeze()))
}
