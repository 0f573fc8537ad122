//! Every validator and date parser on arbitrary input: no overflow, no panic (debug builds trap
//! on overflow, so these run with overflow checks on). The same calls are the `validators` fuzz
//! target; the reproducers the fuzzing found are kept as plain tests.

use proptest::prelude::*;
use rollcall_core::providers::{huiyi31, tencent_im as im, tencent_meeting as tm, wecom};
use rollcall_core::roster::parse_join_time;

fn webinar(start: u64, end: u64) -> tm::CreateWebinarRequest {
    serde_json::from_value(serde_json::json!({
        "userid": "u", "instanceid": 1, "subject": "s",
        "start_time": start.to_string(), "end_time": end.to_string(), "admission_type": 0
    }))
    .unwrap()
}

#[test]
fn reproducers() {
    assert_eq!(parse_join_time("20-01-01 -3372036854775808"), None);
    assert_eq!(parse_join_time("999999999999-01-01"), None);
    assert_eq!(parse_join_time("2020-01-01 -1:00:00"), None);
    assert_eq!(parse_join_time("2020-01-01 08:00:00"), Some(1_577_836_800));
    let _ = tm::validate_create_webinar(&webinar(u64::MAX, u64::MAX), 0);
    let _ = tm::validate_create_webinar(&webinar(u64::MAX - 1799, u64::MAX), u64::MAX);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn date_parser_never_panics(s in ".{0,40}", y in any::<i64>(), h in any::<i64>()) {
        let _ = parse_join_time(&s);
        let _ = parse_join_time(&format!("{y}-01-01 {h}:00:00"));
        let _ = parse_join_time(&format!("{y}/12/31T23:59:59"));
    }

    #[test]
    fn validators_never_panic(
        start in any::<u64>(),
        end in any::<u64>(),
        now in any::<u64>(),
        join in any::<i64>(),
        created in any::<i64>(),
        now_i in any::<i64>(),
        already in any::<usize>(),
        json in "\\PC{0,200}",
    ) {
        let mut w = webinar(start, end);
        let _ = tm::validate_create_webinar(&w, now);
        let _ = tm::drop_ineffective(&mut w);
        let entry = tm::EnrollEntry { area: Some("86".into()), phone_number: Some("13800000000".into()), ..Default::default() };
        let req = tm::EnrollImportRequest {
            operator_id: "o".into(),
            operator_id_type: tm::OperatorIdType::Userid,
            instanceid: tm::Instance::Pc,
            enroll_list: vec![entry.clone()],
        };
        for edition in [tm::Edition::Business, tm::Edition::Enterprise] {
            let _ = tm::validate_enroll_import(&req, tm::AppAuth::AkSk, edition, already);
        }
        let _ = tm::validate_enroll_entry(&entry, tm::AppAuth::AkSk, "e");
        let m = im::ImportMember { member_account: "a".into(), role: None, join_time: Some(join), unread_msg_num: Some(u64::MAX) };
        let _ = im::validate_member(&m, Some(created), now_i, "m");
        let _ = im::validate_import(&im::ImportGroupMemberRequest { group_id: "g".into(), member_list: vec![m] }, Some(created), now_i);
        // Arbitrary text as each request type, and its validator when it decodes.
        if let Ok(r) = serde_json::from_str::<tm::CreateWebinarRequest>(&json) {
            let _ = tm::validate_create_webinar(&r, now);
        }
        if let Ok(r) = serde_json::from_str::<wecom::EnrollListRequest>(&json) {
            let _ = wecom::validate_enroll_list(&r);
        }
        if let Ok(r) = serde_json::from_str::<huiyi31::RegisterRequest>(&json) {
            let _ = huiyi31::validate_register(&r);
        }
    }
}
