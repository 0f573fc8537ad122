//! Every documented constraint, on both sides of each bound.

use rollcall_core::providers::{huiyi31, tencent_im as im, tencent_meeting as tm, wecom};
use rollcall_core::Problem;

const NOW: u64 = 1_800_000_000;

fn webinar() -> tm::CreateWebinarRequest {
    tm::CreateWebinarRequest {
        userid: "organizer".into(),
        instanceid: tm::Instance::Pc,
        subject: "年度发布会".into(),
        sponsor: None,
        start_time: NOW + 3600,
        end_time: NOW + 7200,
        admission_type: tm::AdmissionType::Public,
        hosts: None,
        password: None,
        cover_url: None,
        description: None,
        enable_guest_invite_link: None,
        media_setting: None,
        enable_qa: None,
        sensitive_words: None,
        enable_manual_check: None,
        activity_page: None,
        display_number_of_participants: None,
        playback_for_audience: false,
        sync_to_wework: None,
        preparation_mode: None,
    }
}

fn codes(p: &[Problem]) -> Vec<&str> {
    p.iter().map(|p| p.code.as_str()).collect()
}

fn check(f: impl Fn(&mut tm::CreateWebinarRequest)) -> Vec<String> {
    let mut w = webinar();
    f(&mut w);
    tm::validate_create_webinar(&w, NOW)
        .into_iter()
        .map(|p| format!("{}:{}", p.code, p.field))
        .collect()
}

#[test]
fn a_valid_webinar_has_no_problems() {
    assert!(check(|_| {}).is_empty());
}

#[test]
fn every_problem_has_both_languages() {
    let mut w = webinar();
    w.subject = String::new();
    w.admission_type = tm::AdmissionType::Password;
    let ps = tm::validate_create_webinar(&w, NOW);
    assert_eq!(ps.len(), 2);
    for p in ps {
        assert!(!p.message.zh.is_empty() && !p.message.en.is_empty());
        assert!(
            p.message
                .zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "zh message should be Chinese: {}",
            p.message.zh
        );
    }
}

#[test]
fn subject_sponsor_description_lengths() {
    assert_eq!(
        check(|w| w.subject = String::new()),
        ["length_out_of_range:subject"]
    );
    assert!(check(|w| w.subject = "字".repeat(255)).is_empty());
    assert_eq!(
        check(|w| w.subject = "字".repeat(256)),
        ["length_out_of_range:subject"]
    );
    assert!(check(|w| w.sponsor = Some("a".repeat(40))).is_empty());
    assert_eq!(
        check(|w| w.sponsor = Some("a".repeat(41))),
        ["length_out_of_range:sponsor"]
    );
    assert_eq!(
        check(|w| w.sponsor = Some(String::new())),
        ["length_out_of_range:sponsor"]
    );
    assert!(check(|w| w.description = Some("d".repeat(5000))).is_empty());
    assert_eq!(
        check(|w| w.description = Some("d".repeat(5001))),
        ["length_out_of_range:description"]
    );
}

#[test]
fn password_rules() {
    let pw = |w: &mut tm::CreateWebinarRequest, p: Option<&str>| {
        w.admission_type = tm::AdmissionType::Password;
        w.password = p.map(str::to_string);
    };
    assert_eq!(check(|w| pw(w, None)), ["password_required:password"]);
    assert!(check(|w| pw(w, Some("1234"))).is_empty());
    assert!(check(|w| pw(w, Some("123456"))).is_empty());
    assert_eq!(check(|w| pw(w, Some("123"))), ["password_format:password"]);
    assert_eq!(
        check(|w| pw(w, Some("1234567"))),
        ["password_format:password"]
    );
    assert_eq!(check(|w| pw(w, Some("12a4"))), ["password_format:password"]);
    // "仅当 admission_type = 2 时才生效": a password on a public webinar is not an error; it is
    // a warning and is left out of what is sent.
    assert!(check(|w| w.password = Some("1234".into())).is_empty());
    assert_eq!(
        dropped(|w| w.password = Some("1234".into())),
        ["password_ignored:password"]
    );
    let mut w = webinar();
    w.password = Some("1234".into());
    tm::drop_ineffective(&mut w);
    assert_eq!(w.password, None);
    assert!(!serde_json::to_string(&w).unwrap().contains("password"));
    let mut w = webinar();
    w.admission_type = tm::AdmissionType::Password;
    w.password = Some("1234".into());
    assert!(tm::drop_ineffective(&mut w).is_empty());
    assert_eq!(w.password.as_deref(), Some("1234"));
}

/// The warnings `drop_ineffective` gives, as `code:field`.
fn dropped(f: impl Fn(&mut tm::CreateWebinarRequest)) -> Vec<String> {
    let mut w = webinar();
    f(&mut w);
    tm::drop_ineffective(&mut w)
        .into_iter()
        .map(|p| format!("{}:{}", p.code, p.field))
        .collect()
}

#[test]
fn playback_is_always_sent() {
    let v = serde_json::to_value(webinar()).unwrap();
    assert_eq!(v["playback_for_audience"], serde_json::Value::Bool(false));
}

#[test]
fn time_arithmetic_never_overflows() {
    for start in [u64::MAX, u64::MAX - 1, u64::MAX - 1800, 0] {
        let _ = check(|w| {
            w.start_time = start;
            w.end_time = u64::MAX;
        });
    }
    assert!(check(|w| {
        w.start_time = u64::MAX - 10;
        w.end_time = u64::MAX;
    })
    .is_empty());
}

#[test]
fn times() {
    assert_eq!(
        check(|w| w.end_time = w.start_time),
        ["end_before_start:end_time"]
    );
    assert!(check(|w| w.end_time = w.start_time + 1).is_empty());
    assert!(check(|w| {
        w.start_time = NOW - 1800;
        w.end_time = NOW + 10;
    })
    .is_empty());
    assert_eq!(
        check(|w| {
            w.start_time = NOW - 1801;
            w.end_time = NOW + 10;
        }),
        ["start_too_early:start_time"]
    );
}

#[test]
fn sensitive_words() {
    assert!(check(|w| w.sensitive_words = Some(vec!["词".repeat(10); 50])).is_empty());
    assert_eq!(
        check(|w| w.sensitive_words = Some(vec!["x".into(); 51])),
        ["too_many_sensitive_words:sensitive_words"]
    );
    assert_eq!(
        check(|w| w.sensitive_words = Some(vec!["词".repeat(11)])),
        ["sensitive_word_length:sensitive_words[0]"]
    );
    assert_eq!(
        check(|w| w.sensitive_words = Some(vec![String::new()])),
        ["sensitive_word_length:sensitive_words[0]"]
    );
}

#[test]
fn cover_and_activity_page() {
    assert!(check(|w| w.cover_url = Some("https://cdn.example.com/a.PNG".into())).is_empty());
    assert!(check(|w| w.cover_url = Some("https://cdn.example.com/a.jpeg?x=1".into())).is_empty());
    // The format is not guessed from the extension: at most a warning, never an error.
    assert!(check(|w| w.cover_url = Some("https://cdn.example.com/a.gif".into())).is_empty());
    assert_eq!(
        dropped(|w| w.cover_url = Some("https://cdn.example.com/a.gif".into())),
        ["cover_url_format:cover_url"]
    );
    assert!(dropped(|w| w.cover_url = Some("https://cdn.example.com/img?id=7".into())).is_empty());
    assert_eq!(
        check(|w| w.cover_url = Some("ftp://x/a.png".into())),
        ["cover_url_scheme:cover_url"]
    );
    let off = |w: &mut tm::CreateWebinarRequest| {
        w.activity_page = Some(false);
        w.description = Some("x".into());
    };
    assert!(check(off).is_empty());
    assert_eq!(dropped(off), ["activity_page_off:activity_page"]);
    assert!(dropped(|w| w.description = Some("x".into())).is_empty());
}

#[test]
fn media_rules() {
    let media = |m: tm::MediaSetting| {
        move |w: &mut tm::CreateWebinarRequest| w.media_setting = Some(m.clone())
    };
    assert_eq!(
        check(|w| w.playback_for_audience = true),
        ["playback_requires_cloud_record:playback_for_audience"]
    );
    assert!(check(|w| {
        w.playback_for_audience = true;
        w.media_setting = Some(tm::MediaSetting {
            auto_record_type: Some("cloud".into()),
            ..Default::default()
        });
    })
    .is_empty());
    let stray_watermark = media(tm::MediaSetting {
        water_mark_type: Some(tm::WaterMarkType::Multiple),
        ..Default::default()
    });
    assert!(check(&stray_watermark).is_empty());
    assert_eq!(
        dropped(&stray_watermark),
        ["watermark_type_ignored:media_setting.water_mark_type"]
    );
    // Cloud-only options without cloud recording (an unchecked box sends `false`): warnings,
    // left out; with cloud recording they stay.
    for m in [
        tm::MediaSetting {
            enable_host_pause_auto_record: Some(false),
            ..Default::default()
        },
        tm::MediaSetting {
            participant_join_auto_record: Some(true),
            auto_record_type: Some("local".into()),
            ..Default::default()
        },
    ] {
        assert!(check(media(m.clone())).is_empty());
        assert_eq!(dropped(media(m.clone())).len(), 1);
        let mut w = webinar();
        w.media_setting = Some(m);
        tm::drop_ineffective(&mut w);
        let ms = w.media_setting.unwrap();
        assert_eq!(ms.enable_host_pause_auto_record, None);
        assert_eq!(ms.participant_join_auto_record, None);
    }
    let mut w = webinar();
    w.media_setting = Some(tm::MediaSetting {
        enable_host_pause_auto_record: Some(false),
        auto_record_type: Some("cloud".into()),
        ..Default::default()
    });
    assert!(tm::drop_ineffective(&mut w).is_empty());
    assert_eq!(
        w.media_setting.unwrap().enable_host_pause_auto_record,
        Some(false)
    );
    assert!(check(media(tm::MediaSetting {
        water_mark_type: Some(tm::WaterMarkType::Multiple),
        allow_screen_shared_watermark: Some(true),
        ..Default::default()
    }))
    .is_empty());
    assert_eq!(
        check(media(tm::MediaSetting {
            auto_record_type: Some("tape".into()),
            ..Default::default()
        })),
        ["invalid_enum:media_setting.auto_record_type"]
    );
}

#[test]
fn enroll_entries() {
    let e = |userid: Option<&str>,
             area: Option<&str>,
             phone: Option<&str>,
             open_id: Option<&str>| tm::EnrollEntry {
        userid: userid.map(Into::into),
        area: area.map(Into::into),
        phone_number: phone.map(Into::into),
        open_id: open_id.map(Into::into),
        nick_name: None,
    };
    let v = |x: &tm::EnrollEntry, aksk: bool| {
        let auth = if aksk {
            tm::AppAuth::AkSk
        } else {
            tm::AppAuth::OAuth
        };
        codes(&tm::validate_enroll_entry(x, auth, "e"))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(v(&e(Some("u1"), None, None, None), true).is_empty());
    assert!(v(&e(None, Some("86"), Some("13800000000"), None), true).is_empty());
    assert_eq!(
        v(&e(None, None, None, None), true),
        ["enroll_identity_required"]
    );
    assert_eq!(
        v(&e(None, None, Some("13800000000"), None), true),
        ["area_required"]
    );
    assert_eq!(
        v(&e(None, Some("+86"), Some("13800000000"), None), true),
        ["area_plus"]
    );
    assert_eq!(
        v(&e(None, None, None, Some("oid")), true),
        ["open_id_not_allowed"]
    );
    assert!(v(&e(None, None, None, Some("oid")), false).is_empty());
}

#[test]
fn enroll_import_caps() {
    let entry = tm::EnrollEntry {
        userid: Some("u".into()),
        ..Default::default()
    };
    let req = |n: usize| tm::EnrollImportRequest {
        operator_id: "op".into(),
        operator_id_type: tm::OperatorIdType::Userid,
        instanceid: tm::Instance::Pc,
        enroll_list: vec![entry.clone(); n],
    };
    let v = |n, ed, already| {
        codes(&tm::validate_enroll_import(
            &req(n),
            tm::AppAuth::AkSk,
            ed,
            already,
        ))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    assert!(v(1000, tm::Edition::Enterprise, 3000).is_empty());
    assert_eq!(
        v(1000, tm::Edition::Enterprise, 3001),
        ["webinar_cap_exceeded"]
    );
    assert!(v(1000, tm::Edition::Business, 0).is_empty());
    assert_eq!(v(1, tm::Edition::Business, 1000), ["webinar_cap_exceeded"]);
    assert_eq!(v(1001, tm::Edition::Enterprise, 0), ["batch_too_large"]);
    assert_eq!(v(0, tm::Edition::Enterprise, 0), ["required"]);
}

#[test]
fn im_rules() {
    let m = |acc: &str, role: Option<&str>, jt: Option<i64>| im::ImportMember {
        member_account: acc.into(),
        role: role.map(Into::into),
        join_time: jt,
        unread_msg_num: None,
    };
    let v = |x: &im::ImportMember| {
        codes(&im::validate_member(x, Some(1000), 2000, "m"))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(v(&m("tommy", Some("Admin"), Some(1500))).is_empty());
    assert_eq!(v(&m("tommy", Some("Owner"), None)), ["im_role"]);
    assert_eq!(v(&m("tommy", None, Some(1000))), ["join_time_before_group"]);
    assert!(v(&m("tommy", None, Some(1001))).is_empty());
    assert!(v(&m("tommy", None, Some(1999))).is_empty());
    assert_eq!(v(&m("tommy", None, Some(2000))), ["join_time_future"]);
    assert!(v(&m(&"a".repeat(32), None, None)).is_empty());
    assert_eq!(v(&m(&"a".repeat(33), None, None)), ["im_account_too_long"]);
    assert_eq!(v(&m("", None, None)), ["im_account_required"]);
    let req = |n| im::ImportGroupMemberRequest {
        group_id: "@TGS#1".into(),
        member_list: vec![m("a", None, None); n],
    };
    assert!(im::validate_import(&req(500), None, 2000).is_empty());
    assert_eq!(
        codes(&im::validate_import(&req(501), None, 2000)),
        ["batch_too_large"]
    );
}

#[test]
fn wecom_rules() {
    let r = |limit, status| wecom::EnrollListRequest {
        meetingid: "M".into(),
        status,
        cursor: None,
        limit,
    };
    assert!(
        wecom::validate_enroll_list(&r(Some(50), Some(wecom::StatusFilter::Approved))).is_empty()
    );
    assert_eq!(
        codes(&wecom::validate_enroll_list(&r(Some(51), None))),
        ["limit_out_of_range"]
    );
    assert_eq!(
        codes(&wecom::validate_enroll_list(&r(Some(0), None))),
        ["limit_out_of_range"]
    );
    assert!(wecom::validate_enroll_list(&r(Some(1), Some(wecom::StatusFilter::All))).is_empty());
    assert_eq!(
        codes(&wecom::validate_enroll_list(&r(
            None,
            Some(wecom::StatusFilter::from_code(4))
        ))),
        ["invalid_enum"]
    );
}

#[test]
fn huiyi31_rules() {
    let field = |n: &str, v: &str| huiyi31::Field {
        field_name: n.into(),
        field_value: v.into(),
    };
    let req = |fields: Vec<huiyi31::Field>, items: usize| huiyi31::RegisterRequest {
        invitation_code: None,
        bvent_id: "e".into(),
        attendee_type_id: "t".into(),
        attendee: huiyi31::AttendeeFields { fields },
        purchaser: None,
        items: vec![
            huiyi31::Item {
                item_sku_id: "s".into(),
                item_sku_name: "n".into(),
                quantity: 1
            };
            items
        ],
        agendas: None,
    };
    assert!(huiyi31::validate_register(&req(vec![field("Mobile", "13800000000")], 1)).is_empty());
    assert!(huiyi31::validate_register(&req(vec![field("Email", "a@b.cn")], 1)).is_empty());
    assert_eq!(
        codes(&huiyi31::validate_register(&req(
            vec![field("FullName", "x")],
            1
        ))),
        ["mobile_or_email_required"]
    );
    assert_eq!(
        codes(&huiyi31::validate_register(&req(
            vec![field("Mobile", "1")],
            0
        ))),
        ["items_required"]
    );
}

#[test]
fn error_classes() {
    use rollcall_core::providers::ErrorClass::*;
    assert_eq!(tm::classify(190301), Reauth);
    assert_eq!(tm::classify(190310), Retryable);
    assert_eq!(tm::classify(200003), Permanent);
    assert_eq!(wecom::classify(42001), Reauth);
    assert_eq!(wecom::classify(-1), Retryable);
    assert_eq!(wecom::classify(40001), Permanent);
    assert_eq!(im::classify(70001), Reauth);
    assert_eq!(im::classify(10006), Retryable);
    assert_eq!(im::classify(10010), Permanent);
}

/// Every combination of the create-webinar form's 15 switches (each unset, on or off as the form
/// sends it) validates without an error, given the one real rule the form itself keeps (audience
/// playback chooses cloud recording); whatever would have no effect is only a warning and is left
/// out. The browser test drives a sample of these through the real form.
#[test]
fn every_switch_combination_of_the_form_is_valid() {
    for bits in 0u32..(1 << 15) {
        let b = |i: u32| Some(bits & (1 << i) != 0);
        let mut w = webinar();
        w.enable_guest_invite_link = b(0);
        w.enable_qa = b(1);
        w.enable_manual_check = b(2);
        w.activity_page = b(3);
        w.display_number_of_participants = b(4).map(u8::from);
        w.playback_for_audience = bits & (1 << 5) != 0;
        w.sync_to_wework = b(6);
        w.preparation_mode = b(7);
        w.description = Some("介绍".into());
        w.media_setting = Some(tm::MediaSetting {
            mute_enable_join: b(8),
            allow_unmute_self: b(9),
            allow_in_before_host: b(10),
            allow_screen_shared_watermark: b(11),
            only_enterprise_user_allowed: b(12),
            participant_join_auto_record: b(13),
            enable_host_pause_auto_record: b(14),
            water_mark_type: Some(tm::WaterMarkType::Multiple),
            auto_record_type: w.playback_for_audience.then(|| "cloud".into()),
        });
        let errors = tm::validate_create_webinar(&w, NOW);
        assert!(errors.is_empty(), "switches {bits:015b}: {errors:?}");
        let mut sent = w.clone();
        tm::drop_ineffective(&mut sent);
        assert!(tm::validate_create_webinar(&sent, NOW).is_empty());
    }
}
