//! 31huiyi client: attendee register (no credentials on this endpoint; the host stays
//! server-side). Not idempotent: a call with an ambiguous outcome is never re-sent.

use rollcall_core::providers::huiyi31::{RegisterRequest, RegisterResponse};
use rollcall_core::providers::{ErrorClass, Provider};

use super::{read_body, ProviderError};

const P: Provider = Provider::Huiyi31;

pub struct Config {
    pub base_url: String,
}

#[derive(Clone)]
pub struct Client {
    base_url: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(cfg: Config, http: reqwest::Client) -> Self {
        Client {
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
            http,
        }
    }

    pub async fn register(&self, req: &RegisterRequest) -> Result<RegisterResponse, ProviderError> {
        let body = serde_json::to_vec(req).expect("serialising a wire type");
        let resp = self
            .http
            .post(format!(
                "{}/op/notoken/api/Attendee/v1/Register",
                self.base_url
            ))
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::transport(P, &e))?;
        let (status, bytes) = read_body(P, resp).await?;
        if status == 429 {
            return Err(ProviderError {
                http_status: Some(429),
                ..ProviderError::provider(P, 429, "rate limited", ErrorClass::Retryable)
            });
        }
        if status >= 500 {
            return Err(ProviderError::gateway(P, status));
        }
        let r: RegisterResponse = serde_json::from_slice(&bytes).map_err(|e| ProviderError {
            ambiguous: true,
            ..ProviderError::provider(
                P,
                0,
                format!("unexpected response (HTTP {status}): {e}"),
                ErrorClass::Permanent,
            )
        })?;
        if r.business_code != 0 {
            let class = if r.business_code == rollcall_core::providers::huiyi31::codes::BUSY {
                ErrorClass::Retryable
            } else {
                ErrorClass::Permanent
            };
            return Err(ProviderError::provider(
                P,
                r.business_code,
                r.business_message,
                class,
            ));
        }
        Ok(r)
    }
}
