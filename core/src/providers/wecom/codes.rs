//! WeCom (企业微信) error codes (docs/providers.md, "Error classes") and what each means.

use crate::providers::ErrorClass;

/// System busy: retry (at most three times).
pub const BUSY: i64 = -1;
/// Data version conflict: retry later.
pub const VERSION_CONFLICT: i64 = 6000;
/// The secret is not valid.
pub const INVALID_SECRET: i64 = 40001;
/// The corpid is not valid.
pub const INVALID_CORPID: i64 = 40013;
/// The access_token is not valid: fetch a new one.
pub const INVALID_TOKEN: i64 = 40014;
/// The parameter the provider refused.
pub const INVALID_PARAMETER: i64 = 40058;
/// The secret belongs to another corp.
pub const SECRET_FROM_ELSEWHERE: i64 = 40091;
/// No access_token in the request.
pub const MISSING_TOKEN: i64 = 41001;
/// The access_token expired: fetch a new one.
pub const TOKEN_EXPIRED: i64 = 42001;
/// Per-minute frequency limit (the block lasts 60 s).
pub const FREQ_LIMIT: i64 = 45009;
/// Concurrency limit.
pub const CONCURRENCY_LIMIT: i64 = 45033;
/// The app lacks the API permission.
pub const API_FORBIDDEN: i64 = 48002;
/// The proxy's egress IP is not in the app's trusted-IP list.
pub const IP_NOT_ALLOWED: i64 = 60020;
/// Sandbox code for "enrollment not enabled / webinar not found" (undocumented upstream).
pub const NOT_FOUND: i64 = 400_041;

/// The error classes (docs/providers.md, "Error classes").
pub fn classify(code: i64) -> ErrorClass {
    match code {
        BUSY | VERSION_CONFLICT | FREQ_LIMIT | CONCURRENCY_LIMIT => ErrorClass::Retryable,
        INVALID_TOKEN | TOKEN_EXPIRED | MISSING_TOKEN => ErrorClass::Reauth,
        _ => ErrorClass::Permanent,
    }
}

/// Rate-limit codes: the per-minute block lasts 60 s (docs/providers.md). The client waits these
/// out page by page when it reads a list.
pub fn is_rate_limit(code: i64) -> bool {
    matches!(code, FREQ_LIMIT | CONCURRENCY_LIMIT)
}

/// Configuration codes: nothing will work until the operator fixes the app.
pub fn stops_destination(code: i64) -> bool {
    matches!(
        code,
        INVALID_SECRET | INVALID_CORPID | SECRET_FROM_ELSEWHERE | API_FORBIDDEN | IP_NOT_ALLOWED
    )
}
