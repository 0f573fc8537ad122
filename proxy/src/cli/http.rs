//! The CLI's client of the proxy's API: the CSRF header, errors read as [`ApiError`]s.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use rollcall_core::api::CSRF_HEADER;

pub(super) struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    pub(super) fn new(server: &str) -> Self {
        Api {
            base: format!("{}/api", server.trim_end_matches('/')),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("HTTP client"),
        }
    }

    pub(super) async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        match serde_json::from_str::<rollcall_core::api::ApiError>(&body) {
            Ok(e) => {
                let mut msg = format!("{} ({})", e.message, e.code);
                for p in e.problems.iter().take(20) {
                    msg.push_str(&format!("\n  {}: {} ({})", p.field, p.message, p.code));
                }
                bail!("the proxy answered {status}: {msg}")
            }
            Err(_) => bail!(
                "the proxy answered {status}: {}",
                body.chars().take(300).collect::<String>()
            ),
        }
    }

    pub(super) async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        Ok(Self::check(r).await?.json().await?)
    }

    pub(super) async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CSRF_HEADER, "1")
            .json(body)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        Ok(Self::check(r).await?.json().await?)
    }
}

/// A path segment, percent-encoded (ids are the organizer's input).
pub(super) use crate::util::url_segment as segment;
