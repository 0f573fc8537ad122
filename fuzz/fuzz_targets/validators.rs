//! Arbitrary `now` and arbitrary JSON into every request type and its validator, and the date
//! parser: nothing overflows or panics. (`core/tests/validators_never_panic.rs` runs the same
//! calls as proptest cases on every `cargo xtask test`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollcall_core::providers::{huiyi31, tencent_im, tencent_meeting, wecom};
use rollcall_core::roster::parse_join_time;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let now = u64::from_le_bytes(data[..8].try_into().unwrap());
    let rest = &data[8..];
    if let Ok(s) = std::str::from_utf8(rest) {
        let _ = parse_join_time(s);
    }
    if let Ok(mut r) = serde_json::from_slice::<tencent_meeting::CreateWebinarRequest>(rest) {
        let _ = tencent_meeting::validate_create_webinar(&r, now);
        let _ = tencent_meeting::drop_ineffective(&mut r);
    }
    if let Ok(r) = serde_json::from_slice::<tencent_meeting::EnrollImportRequest>(rest) {
        let _ = tencent_meeting::validate_enroll_import(
            &r,
            tencent_meeting::AppAuth::AkSk,
            tencent_meeting::Edition::Business,
            now as usize,
        );
    }
    if let Ok(r) = serde_json::from_slice::<tencent_im::ImportGroupMemberRequest>(rest) {
        let _ = tencent_im::validate_import(&r, Some(now as i64), (now >> 1) as i64);
    }
    if let Ok(r) = serde_json::from_slice::<wecom::EnrollListRequest>(rest) {
        let _ = wecom::validate_enroll_list(&r);
    }
    if let Ok(r) = serde_json::from_slice::<huiyi31::RegisterRequest>(rest) {
        let _ = huiyi31::validate_register(&r);
    }
});
