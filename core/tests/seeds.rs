//! Every example in the providers' seed pages round-trips through core's wire types with the
//! providers' exact JSON names and types.

use rollcall_core::providers::{huiyi31, tencent_im, tencent_meeting as tm, wecom, FlexId};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Parses the example, re-serialises it, and checks the JSON is the same value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let original = fixture(name);
    let typed: T =
        serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, original, "{name} did not round-trip");
    let again: T = serde_json::from_value(back).unwrap();
    assert_eq!(again, typed);
    typed
}

#[test]
fn tencent_meeting_create_webinar() {
    // `playback_for_audience` is marked required (是) but the example leaves it out: parsed as
    // false, and always sent.
    let original = fixture("tm_create_webinar_request.json");
    assert!(original.get("playback_for_audience").is_none());
    let req: tm::CreateWebinarRequest = serde_json::from_value(original.clone()).unwrap();
    let mut expected = original;
    expected["playback_for_audience"] = Value::Bool(false);
    assert_eq!(serde_json::to_value(&req).unwrap(), expected);
    assert_eq!(req.start_time, 1631589648);
    assert_eq!(req.instanceid, tm::Instance::Pc);
    assert_eq!(req.admission_type, tm::AdmissionType::Public);
    assert_eq!(
        req.media_setting.as_ref().unwrap().water_mark_type,
        Some(tm::WaterMarkType::Multiple)
    );
    // Timestamps go out as JSON strings.
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(v["start_time"], Value::String("1631589648".into()));
    let resp: tm::CreateWebinarResponse = round_trip("tm_create_webinar_response.json");
    // meeting_id does not fit i64: kept as text.
    assert_eq!(resp.meeting_id, "17305428542504531991");
    assert!(resp.meeting_id.parse::<i64>().is_err());
}

#[test]
fn tencent_meeting_enroll_import() {
    let req: tm::EnrollImportRequest = round_trip("tm_import_request.json");
    assert_eq!(req.operator_id_type, tm::OperatorIdType::Userid);
    assert_eq!(req.enroll_list[1].userid.as_deref(), Some("123"));
    let resp: tm::EnrollImportResponse = round_trip("tm_import_response.json");
    assert_eq!(resp.user_non_registered, vec!["123"]);
    let e = resp.enroll_list[0].ok().expect("the example entry parses");
    assert_eq!(e.enroll_id, Some(FlexId::Num(1351111)));
    // The phone-in, userid-out example carries both identities: either matches the request row.
    let sent = req.enroll_list[0].identity();
    assert!(tm::IdentityIndex::new([&e.identity()])
        .find(&sent)
        .is_some());
    assert!(e.identity().keys().contains(&"u:user1".to_string()));
}

#[test]
fn tencent_meeting_error_body() {
    let body = r#"{"error_info":{"error_code":190303,"new_error_code":200190303,"message":"x"}}"#;
    let e: tm::ErrorBody = serde_json::from_str(body).unwrap();
    assert_eq!(e.error_info.error_code, 190303);
    let old = r#"{"error_info":{"error_code":9003,"message":"x"}}"#;
    assert_eq!(
        serde_json::from_str::<tm::ErrorBody>(old)
            .unwrap()
            .error_info
            .new_error_code,
        None
    );
}

#[test]
fn wecom_enroll_list() {
    let req: wecom::EnrollListRequest = round_trip("wecom_enroll_list_request.json");
    assert_eq!(req.status, Some(wecom::StatusFilter::Pending));
    let resp: wecom::EnrollListResponse = round_trip("wecom_enroll_list_response.json");
    let e = resp.enroll_list[0].ok().expect("the example entry parses");
    assert_eq!(e.enroll_id, Some(FlexId::Num(1386442)));
    assert_eq!(e.status, Some(wecom::EnrollStatus::Approved));
    assert_eq!(e.enroll_source_type, Some(wecom::EnrollSource::Imported));
    let a = e.answer_list[0].ok().expect("the example answer parses");
    assert_eq!(a.question_type, Some(wecom::QuestionType::Single));
    assert_eq!(a.special_type, Some(wecom::SpecialType::None));
    // enroll_id as a string (as the table documents) is accepted too, and both compare as text.
    let s: wecom::Enroll = serde_json::from_value(serde_json::json!({
        "enroll_id": "1386442", "enroll_time": "2023-03-23 10:00:00", "enroll_source_type": 1, "status": 1
    }))
    .unwrap();
    assert_eq!(
        s.enroll_id.unwrap().as_string(),
        e.enroll_id.as_ref().unwrap().as_string()
    );
}

#[test]
fn numeric_enums_keep_unknown_values() {
    let v: wecom::EnrollStatus = serde_json::from_str("7").unwrap();
    assert_eq!(v, wecom::EnrollStatus::Other(7));
    assert_eq!(serde_json::to_string(&v).unwrap(), "7");
    for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 21, 22, 30, 32, 33] {
        let i = tm::Instance::from_code(code);
        assert!(i.is_known(), "{code}");
        assert_eq!(serde_json::to_string(&i).unwrap(), code.to_string());
    }
    assert!(!tm::Instance::from_code(11).is_known());
}

#[test]
fn tencent_im_import_group_member() {
    let req: tencent_im::ImportGroupMemberRequest = round_trip("im_import_request.json");
    assert_eq!(req.member_list[0].role, Some(tencent_im::MemberRole::Admin));
    assert_eq!(req.member_list[1].role, None);
    let resp: tencent_im::ImportGroupMemberResponse = round_trip("im_import_response.json");
    assert_eq!(
        resp.member_list[0].ok().unwrap().result,
        Some(tencent_im::MemberResult::Imported)
    );
    assert!(resp.is_ok());
    let r: tencent_im::MemberOutcome =
        serde_json::from_str(r#"{"Member_Account":"a","Result":2}"#).unwrap();
    assert_eq!(r.result, Some(tencent_im::MemberResult::AlreadyMember));
}

#[test]
fn huiyi31_register() {
    let req: huiyi31::RegisterRequest = round_trip("huiyi31_register_request.json");
    assert_eq!(req.field("fullname"), Some("测试姓名"));
    assert_eq!(req.items[0].quantity, 1);
    // The table's spellings (BventId, FieldName, string Quantity) are accepted on input.
    let table_shape = serde_json::json!({
        "BventId": "e", "AttendeeTypeId": "t",
        "Attendee": {"Fields": [{"FieldName": "Mobile", "FieldValue": "13800000000"}]},
        "Items": [{"ItemSkuId": "s", "ItemSkuName": "n", "Quantity": "2"}]
    });
    let r: huiyi31::RegisterRequest = serde_json::from_value(table_shape).unwrap();
    assert_eq!(r.bvent_id, "e");
    assert_eq!(r.items[0].quantity, 2);
    // ... and sent in the example's shape.
    let out = serde_json::to_value(&r).unwrap();
    assert_eq!(out["bventId"], "e");
    assert_eq!(out["Attendee"]["Fields"][0]["fieldName"], "Mobile");
    assert_eq!(out["Items"][0]["Quantity"], 2);
    let resp: huiyi31::RegisterResponse = round_trip("huiyi31_register_response.json");
    assert_eq!(resp.refusal(), None);
    assert_eq!(
        resp.data.unwrap().checkin_code(),
        Some("1475765432202956800")
    );
}

/// The page's JSON examples as printed: every balanced `{…}` block of the text, with what the
/// page adds to JSON taken out — `//` comments, a missing comma at a line's end, a trailing comma.
fn examples_in_page(page: &str) -> Vec<Value> {
    fn strip_comment(line: &str) -> &str {
        let mut in_str = false;
        let mut prev = '\0';
        for (i, c) in line.char_indices() {
            match c {
                '"' if prev != '\\' => in_str = !in_str,
                '/' if !in_str && line[i..].starts_with("//") => return &line[..i],
                _ => {}
            }
            prev = c;
        }
        line
    }
    let lines: Vec<String> = page
        .lines()
        .map(|l| strip_comment(l).trim_end().to_string())
        .collect();
    let mut text = String::new();
    for (i, l) in lines.iter().enumerate() {
        text.push_str(l);
        let next = lines[i + 1..]
            .iter()
            .map(|n| n.trim())
            .find(|n| !n.is_empty());
        let ends_value = l.ends_with('"')
            || l.ends_with('}')
            || l.ends_with(']')
            || l.ends_with(|c: char| c.is_ascii_digit())
            || l.ends_with("true")
            || l.ends_with("false")
            || l.ends_with("null");
        if ends_value && next.is_some_and(|n| n.starts_with('"') || n.starts_with('{')) {
            text.push(',');
        }
        text.push('\n');
    }
    // Trailing commas.
    let re_trailing = |s: &str| {
        let mut out = String::with_capacity(s.len());
        let chars: Vec<char> = s.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c == ',' {
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if matches!(next, Some('}') | Some(']')) {
                    continue;
                }
            }
            out.push(c);
        }
        out
    };
    let text = re_trailing(&text);
    // Balanced top-level blocks.
    let mut out = Vec::new();
    let (mut depth, mut start, mut in_str, mut prev) = (0usize, 0usize, false, '\0');
    for (i, c) in text.char_indices() {
        match c {
            '"' if prev != '\\' && depth > 0 => in_str = !in_str,
            '{' if !in_str => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            '}' if !in_str && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    if let Ok(v) = serde_json::from_str::<Value>(&text[start..=i]) {
                        out.push(v);
                    }
                }
            }
            _ => {}
        }
        prev = c;
    }
    out
}

/// Each JSON fixture is an example its page prints (comments and the page's slips taken out by
/// the test, values as printed): a fixture cannot drift from the provider's page.
#[test]
fn every_fixture_is_an_example_printed_on_its_page() {
    let dir = format!("{}/tests/fixtures/seeds", env!("CARGO_MANIFEST_DIR"));
    let pages: Vec<(&str, &str)> = vec![
        ("000", "tm_import_"),
        ("001", "wecom_enroll_list_"),
        ("002", "tm_create_webinar_"),
        ("003", "im_import_"),
        ("004", "huiyi31_register_"),
    ];
    let mut tied = 0;
    for (page, prefix) in pages {
        let page_file = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{page}_"))
            })
            .unwrap_or_else(|| panic!("seed page {page} is missing"));
        let examples = examples_in_page(&std::fs::read_to_string(page_file.path()).unwrap());
        assert!(!examples.is_empty(), "page {page} has examples");
        for kind in ["request", "response"] {
            let name = format!("{prefix}{kind}.json");
            let f = fixture(&name);
            assert!(
                examples.contains(&f),
                "{name} is not an example of page {page}; the page prints: {examples:#?}"
            );
            tied += 1;
        }
    }
    assert_eq!(tied, 10);
}
