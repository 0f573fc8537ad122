//! Pacing and bounded retries for provider calls. Which errors retry, which are rate limits and
//! which stop a destination comes from core's classification (`Provider::classify`,
//! `is_rate_limit`, `stops_destination`); nothing here knows a provider code.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use rollcall_core::providers::ErrorClass;
use rollcall_core::Text;
use tokio::time::Instant;

use super::store::Outcome;
use crate::app::Metrics;
use crate::config::JobsConfig;
use crate::providers::ProviderError;

/// Spaces calls to one provider at a fixed minimum interval, across all jobs of this process.
pub struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    pub fn per_second(n: f64) -> Self {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / n.max(0.001)),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// One pacer per provider the runner writes to.
pub struct Pacers {
    pub tencent_meeting: std::sync::Arc<Pacer>,
    pub tencent_im: std::sync::Arc<Pacer>,
    pub huiyi31: std::sync::Arc<Pacer>,
    /// WeCom's per-API limit (10,000 a minute): single reads only, no job writes to WeCom.
    pub wecom: std::sync::Arc<Pacer>,
}

/// Whether the error means no row of its destination can succeed (core decides which codes).
pub fn is_fatal(e: &ProviderError) -> bool {
    e.code != 0 && e.provider.stops_destination(e.code)
}

/// A provider error as one line for a job's reason.
pub fn describe(e: &ProviderError) -> String {
    if e.code == 0 {
        format!("{}: {}", e.provider.label_zh(), e.message)
    } else {
        format!("{} 错误 {}: {}", e.provider.label_zh(), e.code, e.message)
    }
}

/// The outcome of rows the provider refused: its code and message.
pub fn refused(e: &ProviderError) -> Outcome {
    Outcome {
        code: Some(e.code.to_string()),
        message: Some(Text::same(e.message.clone())),
        ..Default::default()
    }
}

/// What an unambiguous error answer (the call certainly was not applied) means for its rows.
pub enum Verdict {
    /// No row of the destination can succeed: stop it with this reason.
    Fatal(String),
    /// Not applied and not refused (a retryable answer whose retries ran out): back to pending,
    /// the next round sends them again.
    NotApplied,
    /// The provider refused them: `rejected` with its code and message.
    Refused,
}

impl Verdict {
    pub fn of(e: &ProviderError) -> Verdict {
        if is_fatal(e) {
            Verdict::Fatal(describe(e))
        } else if e.code == 0 && e.http_status.is_none() {
            // Never reached the provider (connection refused, DNS, TLS) after every retry.
            Verdict::Fatal(format!(
                "无法连接 / cannot reach the provider: {}",
                describe(e)
            ))
        } else if e.class != ErrorClass::Permanent {
            Verdict::NotApplied
        } else {
            Verdict::Refused
        }
    }
}

/// Calls `f` with pacing; retries retryable and re-auth errors (each attempt re-signed by the
/// client) with exponential backoff and jitter, waiting at least `rate_limit_backoff_ms` after a
/// rate-limit answer. An ambiguous error is retried only when the call is `idempotent`.
pub async fn call<T, F, Fut>(
    cfg: &JobsConfig,
    metrics: &Metrics,
    pacer: &Pacer,
    idempotent: bool,
    mut f: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut attempt: u32 = 0;
    loop {
        pacer.wait().await;
        let e = match f().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        attempt += 1;
        metrics.inc(
            "rollcall_provider_errors_total",
            format!(
                "provider=\"{}\",code=\"{}\",ambiguous=\"{}\"",
                e.provider.as_str(),
                e.code,
                e.ambiguous
            ),
        );
        let retry = attempt < cfg.max_attempts
            && !matches!(e.class, ErrorClass::Permanent)
            && (!e.ambiguous || idempotent)
            && !is_fatal(&e);
        if !retry {
            return Err(e);
        }
        let exp = cfg
            .base_backoff_ms
            .saturating_mul(1 << attempt.min(16))
            .min(cfg.max_backoff_ms);
        let base = if e.provider.is_rate_limit(e.code) {
            exp.max(cfg.rate_limit_backoff_ms)
        } else {
            exp
        };
        let jitter = rand::thread_rng().gen_range(0..=base / 2 + 1);
        tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
    }
}
