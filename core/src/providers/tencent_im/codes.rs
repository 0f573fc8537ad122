//! Tencent Cloud IM (腾讯云 IM) error codes (docs/providers.md, "Error classes") and what each
//! means: 10002–10015 from seed 003, the REST common codes 60002–60021 and the account codes
//! 70001–70020 from the IM error page.

use crate::providers::ErrorClass;

/// Internal error: retry.
pub const INTERNAL: i64 = 10002;
/// Bad command word.
pub const BAD_COMMAND: i64 = 10003;
/// A parameter the provider refused.
pub const INVALID_PARAMETER: i64 = 10004;
/// Too many accounts in one request.
pub const TOO_MANY_ACCOUNTS: i64 = 10005;
/// Operation frequency limit.
pub const RATE_LIMIT: i64 = 10006;
/// The operator may not do this in this group.
pub const NOT_ALLOWED: i64 = 10007;
/// The request is not valid (signature or account in it): re-sign once.
pub const REQUEST_INVALID: i64 = 10008;
/// The group does not exist.
pub const GROUP_NOT_FOUND: i64 = 10010;
/// The GroupId is not valid.
pub const BAD_GROUP_ID: i64 = 10015;
/// Account or signature error in the URL or body: re-sign once.
pub const ACCOUNT_ERROR: i64 = 60004;
/// Signature error in the URL or body: re-sign once.
pub const SIGNATURE_ERROR: i64 = 60005;
/// SDKAppID not valid.
pub const SDKAPPID_INVALID: i64 = 60006;
/// REST frequency limit.
pub const REST_RATE_LIMIT: i64 = 60007;
/// Service timeout or bad request format: retry (bounded).
pub const SERVICE_TIMEOUT: i64 = 60008;
/// Needs an App admin.
pub const NEEDS_ADMIN: i64 = 60010;
/// SDKAppID frequency limit.
pub const SDKAPPID_RATE_LIMIT: i64 = 60011;
/// SDKAppID disabled.
pub const SDKAPPID_DISABLED: i64 = 60016;
/// Frequency limit (per API).
pub const API_RATE_LIMIT: i64 = 60018;
/// Frequency limit (per SDKAppID and API).
pub const APP_API_RATE_LIMIT: i64 = 60019;
/// The paid plan expired.
pub const PLAN_EXPIRED: i64 = 60020;
/// The calling IP is not allowed.
pub const IP_NOT_ALLOWED: i64 = 60021;
/// UserSig expired: regenerate and retry once.
pub const USERSIG_EXPIRED: i64 = 70001;
/// UserSig could not be parsed.
pub const USERSIG_PARSE: i64 = 70003;
/// UserSig verification failed (wrong key or SDKAppID).
pub const USERSIG_VERIFY: i64 = 70009;
/// The identifier in the URL differs from the one in the UserSig.
pub const IDENTIFIER_MISMATCH: i64 = 70013;
/// The sdkappid in the URL differs from the one in the UserSig.
pub const SDKAPPID_MISMATCH: i64 = 70014;
/// Key not found: check the data-centre domain.
pub const KEY_NOT_FOUND: i64 = 70016;
/// SDKAppID not found: check the data-centre domain.
pub const SDKAPPID_NOT_FOUND: i64 = 70020;

/// The error classes (docs/providers.md, "Error classes").
pub fn classify(code: i64) -> ErrorClass {
    match code {
        INTERNAL | SERVICE_TIMEOUT => ErrorClass::Retryable,
        c if is_rate_limit(c) => ErrorClass::Retryable,
        USERSIG_EXPIRED | ACCOUNT_ERROR | SIGNATURE_ERROR | REQUEST_INVALID => ErrorClass::Reauth,
        _ => ErrorClass::Permanent,
    }
}

/// "Too many accounts in one request" (10005): the per-request cap is lower than the one we
/// planned for — IM's own pages give 500, 300, 100 and 20 in different versions. The batch is
/// split and the smaller size kept for the rest of the job (docs/providers.md).
pub fn shrinks_batch(code: i64) -> bool {
    code == TOO_MANY_ACCOUNTS
}

/// Rate-limit codes (docs/providers.md): back off before the next call.
pub fn is_rate_limit(code: i64) -> bool {
    matches!(
        code,
        RATE_LIMIT | REST_RATE_LIMIT | SDKAPPID_RATE_LIMIT | API_RATE_LIMIT | APP_API_RATE_LIMIT
    )
}

/// Codes after which no member of the destination can be imported (wrong group or group type,
/// credentials or account configuration).
pub fn stops_destination(code: i64) -> bool {
    matches!(
        code,
        NOT_ALLOWED
            | GROUP_NOT_FOUND
            | BAD_GROUP_ID
            | USERSIG_PARSE
            | USERSIG_VERIFY
            | IDENTIFIER_MISMATCH
            | SDKAPPID_MISMATCH
            | KEY_NOT_FOUND
            | SDKAPPID_NOT_FOUND
            | SDKAPPID_INVALID
            | NEEDS_ADMIN
            | SDKAPPID_DISABLED
            | PLAN_EXPIRED
            | IP_NOT_ALLOWED
    )
}
