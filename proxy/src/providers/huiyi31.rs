//! 31huiyi client: attendee register (no credentials on this endpoint; the host stays
//! server-side). Not idempotent: a call with an ambiguous outcome is never re-sent.

use rollcall_core::providers::huiyi31::{self as h, RegisterRequest, RegisterResponse};
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
        // The seed documents no error codes and no HTTP statuses. An answer we can read decides;
        // a 5xx without one may have been applied (ambiguous, never re-sent); any other status
        // without one (a gateway's HTML 429 or 403) was stopped before the provider: not applied,
        // retried, never a refusal.
        // Whatever the body says: a 5xx may come after the order was created (ambiguous, never
        // re-sent), a 429 before anything was done (sent again later) — neither is a refusal.
        if status >= 500 || status == 429 {
            return Err(ProviderError::unreadable(P, status));
        }
        let parsed = serde_json::from_slice::<RegisterResponse>(&bytes);
        let r = match parsed {
            Ok(r) if r.business_code.is_some() || r.data.is_some() => r,
            _ if !(200..300).contains(&status) => return Err(ProviderError::unreadable(P, status)),
            // A 2xx we cannot read: the registration may exist. Ambiguous: never re-sent.
            Ok(_) => {
                return Err(ProviderError {
                    ambiguous: true,
                    ..ProviderError::provider(
                        P,
                        0,
                        format!("HTTP {status} without businessCode or data"),
                        ErrorClass::Permanent,
                    )
                })
            }
            Err(e) => {
                return Err(ProviderError {
                    ambiguous: true,
                    ..ProviderError::provider(
                        P,
                        0,
                        format!("unexpected response (HTTP {status}): {e}"),
                        ErrorClass::Permanent,
                    )
                })
            }
        };
        if let Some(code) = r.refusal() {
            return Err(ProviderError::provider(
                P,
                code,
                r.business_message,
                h::classify(code),
            ));
        }
        Ok(r)
    }
}
