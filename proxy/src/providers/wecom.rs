//! WeCom client: `gettoken` with a cached token and single-flight refresh; refresh-and-retry-once
//! on 40014/42001; the webinar enrollment list with cursor paging and an all-pages mode.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rollcall_core::providers::wecom::{self, EnrollListRequest, EnrollListResponse, TokenResponse};
use rollcall_core::providers::{ErrorClass, Lenient, Provider};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::{read_body, ProviderError};

const P: Provider = Provider::Wecom;
/// Refresh when less than this much lifetime remains (docs/providers.md).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How many times one list read waits out WeCom's frequency limit (a second each) before giving
/// up. WeCom counts per minute (10,000 calls of one API); one refused page must not cost the
/// whole list read, nor hold it for long.
const FREQ_LIMIT_RETRIES: u32 = 10;

pub struct Config {
    pub base_url: String,
    pub corp_id: String,
    pub corp_secret: SecretString,
}

struct Token {
    value: SecretString,
    /// Refresh after this instant.
    refresh_at: Instant,
    generation: u64,
}

#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::Client,
    /// One lock: holding it while fetching makes refresh single-flight.
    token: Arc<Mutex<Option<Token>>>,
    /// `gettoken` calls made (observable in tests and metrics).
    pub token_fetches: Arc<std::sync::atomic::AtomicU64>,
}

impl Client {
    pub fn new(cfg: Config, http: reqwest::Client) -> Self {
        Client {
            cfg: Arc::new(cfg),
            http,
            token: Arc::new(Mutex::new(None)),
            token_fetches: Default::default(),
        }
    }

    /// A valid token and its generation. `stale` is the generation a caller saw rejected: only
    /// that generation is refreshed, so concurrent 42001s cause one `gettoken`.
    async fn token(&self, stale: Option<u64>) -> Result<(SecretString, u64), ProviderError> {
        let mut guard = self.token.lock().await;
        if let Some(t) = guard.as_ref() {
            let rejected = stale == Some(t.generation);
            if !rejected && Instant::now() < t.refresh_at {
                return Ok((t.value.clone(), t.generation));
            }
        }
        self.token_fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = format!(
            "{}/cgi-bin/gettoken",
            self.cfg.base_url.trim_end_matches('/')
        );
        let resp = self
            .http
            .get(url)
            .query(&[
                ("corpid", self.cfg.corp_id.as_str()),
                ("corpsecret", self.cfg.corp_secret.expose_secret()),
            ])
            .send()
            .await
            .map_err(|e| ProviderError {
                ambiguous: false,
                ..ProviderError::transport(P, &e)
            })?;
        let (status, body) = read_body(P, resp).await.map_err(|e| ProviderError {
            ambiguous: false,
            ..e
        })?;
        if status != 200 {
            return Err(ProviderError {
                ambiguous: false,
                ..ProviderError::gateway(P, status)
            });
        }
        let t: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            ProviderError::provider(
                P,
                0,
                format!("unexpected gettoken response: {e}"),
                ErrorClass::Retryable,
            )
        })?;
        if t.errcode != 0 {
            // A gettoken failure is a configuration problem unless WeCom says it is busy.
            let class = if wecom::classify(t.errcode) == ErrorClass::Retryable {
                ErrorClass::Retryable
            } else {
                ErrorClass::Permanent
            };
            return Err(ProviderError::provider(P, t.errcode, t.errmsg, class));
        }
        let value = SecretString::from(t.access_token.unwrap_or_default());
        let lifetime = Duration::from_secs(t.expires_in.unwrap_or(7200));
        let generation = guard.as_ref().map_or(1, |t| t.generation + 1);
        *guard = Some(Token {
            value: value.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN).max(lifetime / 2),
            generation,
        });
        Ok((value, generation))
    }

    async fn enroll_list_once(
        &self,
        token: &SecretString,
        req: &EnrollListRequest,
    ) -> Result<EnrollListResponse, ProviderError> {
        let url = format!(
            "{}/cgi-bin/meeting/webinar/enroll/list",
            self.cfg.base_url.trim_end_matches('/')
        );
        let body = serde_json::to_vec(req).expect("serialising a wire type");
        let resp = self
            .http
            .post(url)
            .query(&[("access_token", token.expose_secret())])
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::transport(P, &e))?;
        let (status, body) = read_body(P, resp).await?;
        if status != 200 {
            return Err(ProviderError::gateway(P, status));
        }
        let r: EnrollListResponse = serde_json::from_slice(&body).map_err(|e| {
            ProviderError::provider(
                P,
                0,
                format!("unexpected response: {e}"),
                ErrorClass::Retryable,
            )
        })?;
        if r.errcode != 0 {
            return Err(ProviderError::provider(
                P,
                r.errcode,
                r.errmsg,
                wecom::classify(r.errcode),
            ));
        }
        Ok(r)
    }

    /// One page. Read-only, so safe to retry: retryable errors are retried (bounded), token
    /// errors refresh the token once and retry once.
    pub async fn enroll_list(
        &self,
        req: &EnrollListRequest,
    ) -> Result<EnrollListResponse, ProviderError> {
        let (mut token, mut generation) = self.token(None).await?;
        let mut reauthed = false;
        let mut attempt = 0;
        loop {
            match self.enroll_list_once(&token, req).await {
                Ok(r) => return Ok(r),
                Err(e) if e.class == ErrorClass::Reauth && !reauthed => {
                    reauthed = true;
                    (token, generation) = self.token(Some(generation)).await?;
                }
                Err(e)
                    if e.class == ErrorClass::Retryable
                        && attempt < 3
                        && !wecom::is_rate_limit(e.code) =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * (1 << attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Every page of a webinar's enrollments (following `next_cursor` while `has_more`), each
    /// page after `pace()` (the callers' shared budget for WeCom's per-API rate). A cursor that
    /// never ends is stopped at [`super::MAX_LIST_PAGES`].
    pub async fn all_enrollments<F: std::future::Future<Output = ()>>(
        &self,
        meetingid: &str,
        status: Option<wecom::StatusFilter>,
        pace: impl Fn() -> F,
    ) -> Result<Vec<Lenient<wecom::Enroll>>, ProviderError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        let mut limited = 0;
        for _ in 0..super::MAX_LIST_PAGES {
            pace().await;
            let page = match self
                .enroll_list(&EnrollListRequest {
                    meetingid: meetingid.to_string(),
                    status,
                    cursor: cursor.clone(),
                    limit: Some(wecom::MAX_LIMIT),
                })
                .await
            {
                Ok(page) => page,
                // A rate limit ("api freq out of limit", 45009; 45033) on one page: wait, then read that page again (the
                // cursor kept) instead of starting the whole list over.
                Err(e) if wecom::is_rate_limit(e.code) && limited < FREQ_LIMIT_RETRIES => {
                    limited += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            out.extend(page.enroll_list);
            if !page.has_more
                || page.next_cursor.is_empty()
                || Some(&page.next_cursor) == cursor.as_ref()
            {
                return Ok(out);
            }
            cursor = Some(page.next_cursor);
        }
        Err(ProviderError::endless_list(Provider::Wecom))
    }
}
