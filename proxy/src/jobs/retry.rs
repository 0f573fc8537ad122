//! Pacing and bounded retries for provider calls. Which errors retry, which are rate limits and
//! which stop a destination comes from core's classification (`Provider::classify`,
//! `is_rate_limit`, `stops_destination`); nothing here knows a provider code.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rollcall_core::providers::{huiyi31, tencent_im, tencent_meeting, wecom, ErrorClass};
use rollcall_core::Text;
use tokio::time::Instant;

use super::store::{JobStore, Outcome};
use crate::app::Metrics;
use crate::config::JobsConfig;
use crate::providers::ProviderError;
use rollcall_core::OutcomeCode;

/// Spaces calls to one provider account at a fixed minimum interval: across all jobs of this
/// process, or — with a shared store ([`Pacer::shared`]) — across every replica.
pub struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
    /// The store that hands out slots to every replica, and this account's key in it.
    shared: Option<(Arc<dyn JobStore>, String)>,
}

impl Pacer {
    pub fn per_second(n: f64) -> Self {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / n.max(0.001)),
            next: tokio::sync::Mutex::new(Instant::now()),
            shared: None,
        }
    }

    /// Takes slots from `store` under `key` (the provider account) when the store shares pacing
    /// between replicas; otherwise stays local.
    pub fn shared(mut self, store: &Arc<dyn JobStore>, key: String) -> Self {
        if store.is_shared() {
            self.shared = Some((store.clone(), key));
        }
        self
    }

    pub async fn wait(&self) {
        if let Some((store, key)) = &self.shared {
            let (store, key, interval) = (store.clone(), key.clone(), self.interval);
            match tokio::task::spawn_blocking(move || store.reserve_slot(&key, interval)).await {
                Ok(Ok(wait)) => return until(Instant::now() + wait).await,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "shared pacing unavailable; pacing locally")
                }
                Err(e) => tracing::warn!(error = %e, "shared pacing failed; pacing locally"),
            }
        }
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        until(slot).await
    }
}

/// Waits for a pacing slot. One that is already due goes at once: the timer would round even a
/// zero wait up to its next millisecond tick, ~1 ms added to every call below the rate.
async fn until(slot: Instant) {
    if slot > Instant::now() {
        tokio::time::sleep_until(slot).await;
    }
}

/// One pacer per provider the runner writes to.
pub struct Pacers {
    pub tencent_meeting: Arc<Pacer>,
    pub tencent_im: Arc<Pacer>,
    pub huiyi31: Arc<Pacer>,
    /// WeCom's per-API limit (10,000 a minute): single reads only, no job writes to WeCom.
    pub wecom: Arc<Pacer>,
}

impl Pacers {
    /// The configured rates (the providers' documented ones by default), each keyed by its
    /// account so replicas sharing `store` share the budget.
    pub fn from_config(cfg: &crate::config::Config, store: &Arc<dyn JobStore>) -> Self {
        let p = &cfg.providers;
        let tm = p.tencent_meeting.as_ref();
        let im = p.tencent_im.as_ref();
        let hy = p.huiyi31.as_ref();
        let pacer = |per_second: f64, key: String| {
            Arc::new(Pacer::per_second(per_second).shared(store, key))
        };
        Pacers {
            tencent_meeting: pacer(
                f64::from(tm.map_or(tencent_meeting::CALLS_PER_MINUTE, |t| t.calls_per_minute))
                    / 60.0,
                format!("tencent_meeting:{}", tm.map_or("", |t| t.app_id.as_str())),
            ),
            tencent_im: pacer(
                f64::from(im.map_or(tencent_im::REQUESTS_PER_SECOND, |t| t.requests_per_second)),
                format!("tencent_im:{}", im.map_or(0, |t| t.sdk_app_id)),
            ),
            huiyi31: pacer(
                f64::from(hy.map_or(huiyi31::REQUESTS_PER_SECOND, |t| t.requests_per_second)),
                format!("huiyi31:{}", hy.map_or("", |t| t.base_url.as_str())),
            ),
            wecom: pacer(
                f64::from(wecom::CALLS_PER_MINUTE) / 60.0,
                format!(
                    "wecom:{}",
                    p.wecom.as_ref().map_or("", |w| w.corp_id.as_str())
                ),
            ),
        }
    }
}

/// Whether the error means no row of its destination can succeed (core decides which codes).
pub fn is_fatal(e: &ProviderError) -> bool {
    e.code != 0 && e.provider.stops_destination(e.code)
}

/// A provider error as one line for a job's reason.
pub fn describe(e: &ProviderError) -> Text {
    let (zh, en) = (e.provider.label_zh(), e.provider.as_str());
    if e.code == 0 {
        Text::new(
            format!("{zh}：{}", e.message),
            format!("{en}: {}", e.message),
        )
    } else {
        Text::new(
            format!("{zh} 错误 {}：{}", e.code, e.message),
            format!("{en} error {}: {}", e.code, e.message),
        )
    }
}

/// The outcome of rows the provider refused: its code and message.
pub fn refused(e: &ProviderError) -> Outcome {
    Outcome {
        code: Some(OutcomeCode::Provider(e.code)),
        message: Some(Text::same(e.message.clone())),
        ..Default::default()
    }
}

/// Whether a call may be sent again when its outcome is unknown (a timeout, a lost answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    /// A read, or a write the provider applies once however often it arrives.
    Idempotent,
    /// A write that may have landed: never sent blind again (reconciliation decides).
    NotIdempotent,
}

/// What an unambiguous error answer (the call certainly was not applied) means for its rows.
pub enum Verdict {
    /// No row of the destination can succeed: stop it with this reason.
    Fatal(Text),
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
            let d = describe(e);
            Verdict::Fatal(Text::new(
                format!("无法连接：{}", d.zh),
                format!("cannot reach the provider: {}", d.en),
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
/// rate-limit answer. An ambiguous error is retried only when the call is
/// [`Idempotence::Idempotent`].
///
/// `may_send` is asked right before every attempt, the first and each one after a back-off: when
/// it answers an error (the job's lease is lost or expired: [`ProviderError::not_sent`]), nothing
/// more is sent and the call ends with it.
pub async fn call<T, F, Fut, G, GFut>(
    cfg: &JobsConfig,
    metrics: &Metrics,
    pacer: &Pacer,
    idempotence: Idempotence,
    may_send: G,
    mut f: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
    G: Fn() -> GFut,
    GFut: Future<Output = Result<(), ProviderError>>,
{
    let mut attempt: u32 = 0;
    loop {
        pacer.wait().await;
        may_send().await?;
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
            && (!e.ambiguous || idempotence == Idempotence::Idempotent)
            && !is_fatal(&e);
        if !retry {
            return Err(e);
        }
        let exp = cfg
            .base_backoff_ms
            .saturating_mul(1 << attempt.min(16))
            .min(cfg.max_backoff_ms);
        let base = if e.provider.is_rate_limit(e.code) || e.http_status == Some(429) {
            exp.max(cfg.rate_limit_backoff_ms)
        } else {
            exp
        };
        let jitter = rand::thread_rng().gen_range(0..=base / 2 + 1);
        tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The local pacer on tokio's paused clock (virtual time: exact, whatever the machine is
    /// doing): calls from several tasks at once go out one `interval` apart, the first at once.
    #[tokio::test(start_paused = true)]
    async fn the_local_pacer_spaces_calls_at_its_interval() {
        let pacer = Arc::new(Pacer::per_second(5.0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let p = pacer.clone();
            tasks.push(tokio::spawn(async move {
                p.wait().await;
                Instant::now()
            }));
        }
        let mut at: Vec<Duration> = Vec::new();
        for t in tasks {
            at.push(t.await.unwrap() - start);
        }
        at.sort();
        assert_eq!(at[0], Duration::ZERO, "the first call goes at once");
        for pair in at.windows(2) {
            assert_eq!(pair[1] - pair[0], Duration::from_millis(200), "{at:?}");
        }
        // Idle for a while: the next call is not held back by slots that passed unused, and does
        // not make up for them with a burst.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let t0 = Instant::now();
        pacer.wait().await;
        pacer.wait().await;
        assert_eq!(Instant::now() - t0, Duration::from_millis(200));
    }
}
