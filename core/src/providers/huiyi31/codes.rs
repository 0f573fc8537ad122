//! 31huiyi (31会议) error codes. Seed 004 documents none: the constants are the sandbox's own
//! refusals; none is retried, none is a rate limit, and only the missing event stops a
//! destination.

use crate::providers::ErrorClass;

/// The event does not exist (sandbox).
pub const EVENT_NOT_FOUND: i64 = 404;
/// A request the provider refused (sandbox).
pub const INVALID: i64 = 400;

/// The seed lists no codes: every refusal is permanent (Register is not idempotent, so only a
/// request that certainly never reached the provider is retried — decided by the transport).
pub fn classify(_code: i64) -> ErrorClass {
    ErrorClass::Permanent
}

/// The seed documents no rate-limit code: a throttled call is known by its HTTP 429 alone.
pub fn is_rate_limit(_code: i64) -> bool {
    false
}

/// Whether a refusal means no row can be registered at this destination.
pub fn stops_destination(code: i64) -> bool {
    code == EVENT_NOT_FOUND
}
