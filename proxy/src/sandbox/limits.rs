//! The sandbox's adversary knobs: scripted faults and the providers' documented rate limits.

use super::*;

/// An injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 502 before anything is applied.
    GatewayBefore,
    /// The change is applied, then the connection drops before the response is complete.
    LostAfter,
    /// The provider's rate-limit code.
    RateLimit,
    /// Token / UserSig / timestamp expiry.
    AuthExpired,
}

pub struct Faults {
    rate: f64,
    rng: Mutex<StdRng>,
}

impl Faults {
    pub fn new(rate: f64, seed: u64) -> Self {
        Faults {
            rate: rate.clamp(0.0, 1.0),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    pub fn roll(&self) -> Option<Fault> {
        if self.rate <= 0.0 {
            return None;
        }
        let mut rng = self.rng.lock().expect("fault rng");
        if rng.gen::<f64>() >= self.rate {
            return None;
        }
        Some(match rng.gen_range(0..4) {
            0 => Fault::GatewayBefore,
            1 => Fault::LostAfter,
            2 => Fault::RateLimit,
            _ => Fault::AuthExpired,
        })
    }

    /// Reorders a list the way a provider may (its answers promise no order), from the seed.
    pub fn shuffle<T>(&self, items: &mut [T]) {
        use rand::seq::SliceRandom;
        items.shuffle(&mut *self.rng.lock().expect("fault rng"));
    }

    pub fn next_u64(&self) -> u64 {
        self.rng.lock().expect("fault rng").gen()
    }
}

/// A provider's documented rate limit, enforced: at most `limit` calls in a `window`, kept as a
/// token bucket refilled continuously at the documented rate. The bucket holds a small burst
/// (a fifth of the window's quota, at least 5), not the whole window's: a client that does not
/// pace its calls is refused even when it stays under the quota on average. A call over the
/// limit is answered with the provider's rate-limit error and counted in `violations`
/// (`/_sandbox/state`).
pub struct RateLimit {
    documented: f64,
    limit: Mutex<f64>,
    window: std::time::Duration,
    bucket: Mutex<(f64, std::time::Instant)>,
    violations: std::sync::atomic::AtomicU64,
}

/// The bucket's capacity for a window quota of `limit` calls.
fn burst(limit: f64) -> f64 {
    (limit / 5.0).max(5.0).min(limit)
}

impl RateLimit {
    pub fn new(limit: u32, window: std::time::Duration) -> Self {
        RateLimit {
            documented: f64::from(limit),
            limit: Mutex::new(f64::from(limit)),
            window,
            bucket: Mutex::new((burst(f64::from(limit)), std::time::Instant::now())),
            violations: Default::default(),
        }
    }

    /// Sets the limit to `scale` × the documented one (at least one call per window).
    pub fn set_scale(&self, scale: f64) {
        let limit = (self.documented * scale).max(1.0);
        *self.limit.lock().expect("rate limit") = limit;
        *self.bucket.lock().expect("rate bucket") = (burst(limit), std::time::Instant::now());
    }

    /// Takes one call from the bucket; false (and one more violation) when it is empty.
    pub fn admit(&self) -> bool {
        let limit = *self.limit.lock().expect("rate limit");
        let mut b = self.bucket.lock().expect("rate bucket");
        let now = std::time::Instant::now();
        let refill = now.duration_since(b.1).as_secs_f64() / self.window.as_secs_f64() * limit;
        b.0 = (b.0 + refill).min(burst(limit));
        b.1 = now;
        if b.0 >= 1.0 {
            b.0 -= 1.0;
            true
        } else {
            self.violations
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            false
        }
    }

    pub fn violations(&self) -> u64 {
        self.violations.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The documented limits (docs/providers.md): Tencent Meeting 300 calls/min per app (190310), IM
/// 100 requests/s per API (10006), WeCom 10,000/min per corp and API (45009).
pub struct Limits {
    pub tencent_meeting: RateLimit,
    pub im_import: RateLimit,
    pub im_list: RateLimit,
    pub wecom_list: RateLimit,
}

impl Limits {
    pub fn documented() -> Self {
        use std::time::Duration;
        Limits {
            tencent_meeting: RateLimit::new(
                rollcall_core::providers::tencent_meeting::CALLS_PER_MINUTE,
                Duration::from_secs(60),
            ),
            im_import: RateLimit::new(
                rollcall_core::providers::tencent_im::REQUESTS_PER_SECOND,
                Duration::from_secs(1),
            ),
            im_list: RateLimit::new(
                rollcall_core::providers::tencent_im::REQUESTS_PER_SECOND,
                Duration::from_secs(1),
            ),
            wecom_list: RateLimit::new(
                rollcall_core::providers::wecom::CALLS_PER_MINUTE,
                Duration::from_secs(60),
            ),
        }
    }

    /// Scales every limit (see [`RateLimit::set_scale`]).
    pub fn set_scale(&self, scale: f64) {
        for l in [
            &self.tencent_meeting,
            &self.im_import,
            &self.im_list,
            &self.wecom_list,
        ] {
            l.set_scale(scale);
        }
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        json!({
            "tencent_meeting": self.tencent_meeting.violations(),
            "tencent_im": self.im_import.violations() + self.im_list.violations(),
            "wecom": self.wecom_list.violations(),
            "huiyi31": 0,
        })
    }
}
