//! Tencent Meeting error codes (docs/providers.md, "Error classes") and what each means.

use crate::providers::ErrorClass;

/// `timestamp` too far from the provider's clock: re-sign.
pub const TIMESTAMP_SKEW: i64 = 190300;
/// A nonce seen before: re-sign with a new one.
pub const REPLAY: i64 = 190301;
/// The AppId / SecretId is not valid.
pub const BAD_KEY: i64 = 190303;
/// Per-minute rate limit.
pub const RATE_LIMIT: i64 = 190310;
/// Per-day quota.
pub const DAILY_LIMIT: i64 = 190311;
/// Per-API ("account-level") rate limit.
pub const API_RATE_LIMIT: i64 = 190313;
/// The signature did not verify.
pub const SIGNATURE_FAILED: i64 = 200003;
/// A parameter the provider refused.
pub const INVALID_PARAMETER: i64 = 190004;
/// The meeting id is not valid.
pub const BAD_MEETING_ID: i64 = 9002;
/// The meeting does not exist.
pub const MEETING_NOT_FOUND: i64 = 9003;
/// Too many meetings created (per-day / per-minute caps).
pub const TOO_MANY_MEETINGS: i64 = 9008;
/// Permission denied or authentication failure.
pub const PERMISSION_DENIED: i64 = 9042;
/// Meeting queries too frequent.
pub const QUERIES_TOO_FREQUENT: i64 = 9061;
/// Internal network error.
pub const INTERNAL_NETWORK: i64 = 41;
/// Internal error.
pub const INTERNAL: i64 = 5108;
/// Enrollment is not enabled on the webinar.
pub const ENROLL_NOT_ENABLED: i64 = 101;

/// The error classes (docs/providers.md, "Error classes").
pub fn classify(code: i64) -> ErrorClass {
    match code {
        TIMESTAMP_SKEW | REPLAY => ErrorClass::Reauth,
        RATE_LIMIT | DAILY_LIMIT | API_RATE_LIMIT | QUERIES_TOO_FREQUENT | TOO_MANY_MEETINGS
        | INTERNAL_NETWORK | INTERNAL => ErrorClass::Retryable,
        _ => ErrorClass::Permanent,
    }
}

/// Codes that say the call was refused before anything was applied (rate limits, the daily
/// quota, a rejected signature): even on a 5xx, the request certainly did nothing. Any other
/// code on a 5xx may have come after the provider applied part of it (docs/providers.md).
pub fn refused_before_applying(code: i64) -> bool {
    is_rate_limit(code) || code == DAILY_LIMIT || classify(code) == ErrorClass::Reauth
}

/// Rate-limit codes: wait for the window (docs/providers.md). 190311 (per day) is not here: it
/// stops the destination.
pub fn is_rate_limit(code: i64) -> bool {
    matches!(code, RATE_LIMIT | API_RATE_LIMIT)
}

/// Codes after which no row of the destination can succeed (configuration, missing webinar,
/// enrollment off, daily quota): the destination stops with the reason.
pub fn stops_destination(code: i64) -> bool {
    matches!(
        code,
        BAD_KEY
            | SIGNATURE_FAILED
            | MEETING_NOT_FOUND
            | BAD_MEETING_ID
            | PERMISSION_DENIED
            | ENROLL_NOT_ENABLED
            | DAILY_LIMIT
    )
}
