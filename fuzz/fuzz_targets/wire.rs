//! Any bytes as each provider response/request type: decoding never panics, and what decodes
//! re-encodes and decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollcall_core::providers::{huiyi31, tencent_im, tencent_meeting, wecom};

fn check<T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let again: T = serde_json::from_slice(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(again, v);
    }
}

fuzz_target!(|data: &[u8]| {
    check::<tencent_meeting::CreateWebinarRequest>(data);
    check::<tencent_meeting::EnrollImportResponse>(data);
    check::<tencent_meeting::ApprovalsResponse>(data);
    check::<tencent_meeting::ErrorBody>(data);
    check::<wecom::EnrollListResponse>(data);
    check::<tencent_im::ImportGroupMemberResponse>(data);
    check::<tencent_im::GetGroupMemberInfoResponse>(data);
    check::<huiyi31::RegisterRequest>(data);
});
