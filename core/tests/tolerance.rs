//! Answers parsed as the docs allow, not as our sandbox happens to send them: fields the docs do
//! not mark required may be missing or `null`, unknown fields are ignored, one odd list entry
//! fails that entry only, and a person is matched on every identity the answer carries.

use rollcall_core::providers::{
    huiyi31, tencent_im as im, tencent_meeting as tm, wecom, FlexId, Lenient,
};
use serde_json::json;

#[test]
fn tencent_meeting_import_answer_with_nulls_gaps_and_an_odd_entry() {
    let r: tm::EnrollImportResponse = serde_json::from_value(json!({
        "enroll_list": [
            {"enroll_id": "1351111", "phone_number": "13612111111", "area": "86", "nick_name": null, "extra": 1},
            "not an object",
            {"userid": "u2"}
        ],
        "user_non_registered": null
    }))
    .unwrap();
    assert_eq!(r.total_count, 0, "total_count is optional");
    assert!(r.user_non_registered.is_empty());
    let first = r.enroll_list[0].ok().unwrap();
    assert_eq!(first.enroll_id, Some(FlexId::Str("1351111".into())));
    assert_eq!(first.nick_name, None);
    assert!(matches!(r.enroll_list[1], Lenient::Odd { .. }));
    assert_eq!(r.enroll_list[2].ok().unwrap().enroll_id, None);
    // What came in goes out unchanged (the odd entry too).
    assert_eq!(
        serde_json::to_value(&r).unwrap()["enroll_list"][1],
        "not an object"
    );
}

#[test]
fn tencent_meeting_list_page_without_paging_fields() {
    let r: tm::ApprovalsResponse =
        serde_json::from_value(json!({"enroll_list": [{"enroll_id": 1, "status": null}, 7]}))
            .unwrap();
    assert_eq!(r.total_page, 0);
    assert_eq!(r.enroll_list[0].ok().unwrap().status, None);
    assert!(r.enroll_list[1].ok().is_none());
    // Without total_page only an empty page ends the list (a service may cap the page size
    // below the one asked for without saying).
    let mut seen = std::collections::HashSet::new();
    let new = r.note_ids(&mut seen);
    assert!(r.has_more(1, new));
    // The same page again (a service that ignores `page`) brings nothing new: the list ends.
    let again = r.note_ids(&mut seen);
    assert!(!again && !r.has_more(2, again));
    assert!(!tm::ApprovalsResponse::default().has_more(1, true));
    let paged = tm::ApprovalsResponse {
        total_page: 3,
        ..Default::default()
    };
    assert!(paged.has_more(2, false) && !paged.has_more(3, true));
    // user_non_registered elements drift too.
    let r: tm::EnrollImportResponse =
        serde_json::from_value(json!({"user_non_registered": [123, "u2", null, {"x": 1}]}))
            .unwrap();
    assert_eq!(r.user_non_registered, vec!["123", "u2"]);
}

#[test]
fn identities_match_on_any_key_with_roster_normalisation() {
    let sent = tm::EnrollEntry {
        area: Some("86".into()),
        phone_number: Some("13612111111".into()),
        ..Default::default()
    }
    .identity();
    let answers = [
        // seed 000: the answer fills the userid in.
        tm::Identity::new(Some("user1"), Some(""), Some("86"), Some("13612111111")),
        // the provider's own forms of the same phone.
        tm::Identity::new(None, None, Some("+86"), Some("136-1211-1111")),
        tm::Identity::new(None, None, None, Some("+86 136 1211 1111")),
        tm::Identity::new(None, None, Some("0086"), Some("１３６１２１１１１１１")),
    ];
    for a in &answers {
        assert!(
            tm::IdentityIndex::new([a]).find(&sent).is_some(),
            "{a:?} matches {sent:?}"
        );
    }
    // Userid-only answer to a phone row: matches when the row also carries that userid.
    let only_userid = tm::Identity::new(Some("user1"), None, None, None);
    assert!(tm::IdentityIndex::new([&only_userid]).find(&sent).is_none());
    let row = sent
        .clone()
        .with(tm::Identity::new(Some("user1"), None, None, None));
    assert!(tm::IdentityIndex::new([&only_userid]).find(&row).is_some());
    // Different people, empty open_ids and other areas never match.
    for other in [
        tm::Identity::new(Some("user2"), Some(""), Some("86"), Some("13612111112")),
        tm::Identity::new(None, None, Some("852"), Some("13612111111")),
        tm::Identity::new(None, Some(""), None, None),
    ] {
        assert!(
            tm::IdentityIndex::new([&other]).find(&sent).is_none(),
            "{other:?}"
        );
    }
    // Each answer entry accounts for one row only.
    let mut ix = tm::IdentityIndex::new([&answers[0]]);
    assert_eq!(ix.take(&sent), Some(0));
    assert_eq!(ix.take(&sent), None);
}

#[test]
fn im_answers_without_envelope_fields_and_with_an_odd_member() {
    let r: im::ImportGroupMemberResponse = serde_json::from_value(json!({
        "MemberList": [
            {"Member_Account": "tommy", "Result": 1},
            {"Member_Account": "jared", "Result": "1"},
            {"Result": 2},
            {"Member_Account": "kim", "Result": 7}
        ]
    }))
    .unwrap();
    assert!(r.is_ok(), "no ErrorCode and no ActionStatus: not a failure");
    assert_eq!(
        r.member_list[0].ok().unwrap().result,
        Some(im::MemberResult::Imported)
    );
    // Types drift: "1" is read as 1.
    assert_eq!(
        r.member_list[1].ok().unwrap().result,
        Some(im::MemberResult::Imported)
    );
    // No account: the entry names nobody (Member_Account is required).
    assert!(r.member_list[2].ok().is_none());
    assert_eq!(
        r.member_list[3].ok().unwrap().result,
        Some(im::MemberResult::Other(7))
    );
    let fail: im::ImportGroupMemberResponse = serde_json::from_value(
        json!({"ActionStatus": "FAIL", "ErrorCode": 10004, "ErrorInfo": null}),
    )
    .unwrap();
    assert!(!fail.is_ok());
    let list: im::GetGroupMemberInfoResponse = serde_json::from_value(json!({
        "MemberList": [{"Member_Account": "a", "Role": null}, {"Role": "Member"}]
    }))
    .unwrap();
    assert_eq!(list.member_num, 0);
    assert_eq!(list.member_list[0].ok().unwrap().role, "");
    assert!(list.member_list[1].ok().is_none());
}

#[test]
fn wecom_entries_with_nulls_and_an_odd_answer() {
    let r: wecom::EnrollListResponse = serde_json::from_value(json!({
        "errcode": 0, "errmsg": null, "has_more": null, "next_cursor": null,
        "enroll_list": [
            {"enroll_id": 1, "nick_name": null, "answer_list": [{"question_title": "q", "answer_content": null}, 5]},
            {"enroll_id": {"nested": true}}
        ]
    }))
    .unwrap();
    assert!(!r.has_more);
    let e = r.enroll_list[0].ok().unwrap();
    assert_eq!(e.status, None);
    assert_eq!(e.nick_name, "");
    assert!(e.answer_list[0].ok().unwrap().answer_content.is_empty());
    assert!(e.answer_list[1].ok().is_none());
    // An id that cannot be read loses that field only, not the entry.
    assert_eq!(r.enroll_list[1].ok().unwrap().enroll_id, None);
    assert_eq!(wecom::DEFAULT_LIMIT, 50);
}

#[test]
fn huiyi31_answers_without_business_code_and_with_nulls() {
    let ok: huiyi31::RegisterResponse = serde_json::from_value(json!({
        "businessMessage": null,
        "data": {"orderId": "o1", "orderNo": null, "orderAmount": null, "orderAttendees": [
            {"attendeeId": null, "checkinCode": "147"}, "odd"
        ]}
    }))
    .unwrap();
    assert_eq!(
        ok.refusal(),
        None,
        "businessCode is 非必须: absent is not a refusal"
    );
    let data = ok.data.unwrap();
    assert_eq!(data.order_no, "");
    assert_eq!(data.checkin_code(), Some("147"));
    let no: huiyi31::RegisterResponse =
        serde_json::from_value(json!({"businessCode": 1001, "businessMessage": "票已售罄"}))
            .unwrap();
    assert_eq!(no.refusal(), Some(1001));
    let zero: huiyi31::RegisterResponse =
        serde_json::from_value(json!({"businessCode": 0})).unwrap();
    assert_eq!(zero.refusal(), None);
    // The seed lists no codes: nothing is invented as retryable.
    for code in [400, 429, 500, 503, 1001] {
        assert_eq!(
            huiyi31::classify(code),
            rollcall_core::providers::ErrorClass::Permanent
        );
    }
}

#[test]
fn huiyi31_ticket_name_is_required() {
    let req = |name: &str| huiyi31::RegisterRequest {
        invitation_code: None,
        bvent_id: "e".into(),
        attendee_type_id: "t".into(),
        attendee: huiyi31::AttendeeFields {
            fields: vec![huiyi31::Field {
                field_name: "Mobile".into(),
                field_value: "13800000000".into(),
            }],
        },
        purchaser: None,
        items: vec![huiyi31::Item {
            item_sku_id: "s".into(),
            item_sku_name: name.into(),
            quantity: 1,
        }],
        agendas: None,
    };
    assert!(huiyi31::validate_register(&req("嘉宾")).is_empty());
    let p = huiyi31::validate_register(&req(" "));
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].field, "Items[0].ItemSkuName");
}

#[test]
fn classification_lives_in_core() {
    use rollcall_core::providers::{ErrorClass, Provider};
    assert!(Provider::TencentMeeting.is_rate_limit(tm::codes::RATE_LIMIT));
    assert!(Provider::TencentMeeting.stops_destination(tm::codes::DAILY_LIMIT));
    assert!(Provider::TencentIm.is_rate_limit(im::codes::RATE_LIMIT));
    assert!(Provider::TencentIm.stops_destination(im::codes::BAD_GROUP_ID));
    assert!(!Provider::TencentIm.stops_destination(im::codes::INTERNAL));
    assert_eq!(
        Provider::TencentIm.classify(im::codes::INTERNAL),
        ErrorClass::Retryable
    );
    assert!(Provider::Wecom.is_rate_limit(wecom::codes::FREQ_LIMIT));
    assert!(!Provider::Huiyi31.is_rate_limit(429));
}
