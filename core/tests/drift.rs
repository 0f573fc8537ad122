//! Types drift (docs/providers.md, "Types drift"): every answer and list-entry type of the four
//! providers, each field mutated on its own — number ↔ string, an integral float, `null`,
//! missing, an object where a scalar belongs — plus an unknown field. The entry is still read,
//! every field that kept its value reads the same, and a field that cannot be read loses that
//! field only. The identity of a list entry and the outcome of an answer are read whatever the
//! other fields do.

use proptest::prelude::*;
use rollcall_core::providers::{huiyi31, tencent_im as im, tencent_meeting as tm, wecom};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// What happens to one field.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mutation {
    Keep,
    /// A number as a numeric string, a numeric string as a number.
    Toggle,
    /// A number as an integral float (`2.0`).
    Float,
    Null,
    Missing,
    /// An object where a scalar was documented: unreadable.
    Garbage,
}

impl Mutation {
    /// Whether the field's value survives the mutation.
    fn keeps_value(self) -> bool {
        matches!(self, Mutation::Keep | Mutation::Toggle | Mutation::Float)
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Keep),
        Just(Mutation::Toggle),
        Just(Mutation::Float),
        Just(Mutation::Null),
        Just(Mutation::Missing),
        Just(Mutation::Garbage),
    ]
}

fn mutate(v: &Value, m: Mutation) -> Option<Value> {
    match m {
        Mutation::Keep => Some(v.clone()),
        Mutation::Toggle => Some(match v {
            Value::Number(n) => Value::String(n.to_string()),
            Value::String(s) => match s.parse::<u64>() {
                Ok(n) => json!(n),
                Err(_) => match s.parse::<f64>() {
                    Ok(f) => json!(f),
                    Err(_) => v.clone(),
                },
            },
            _ => v.clone(),
        }),
        Mutation::Float => Some(match v {
            Value::Number(n) if n.is_u64() => json!(n.as_u64().unwrap() as f64),
            _ => v.clone(),
        }),
        Mutation::Null => Some(Value::Null),
        Mutation::Missing => None,
        Mutation::Garbage => Some(json!({"unexpected": [1, 2]})),
    }
}

/// A field's value as read, as text; `None` when absent or the type's default.
type Read = Vec<(&'static str, Option<String>)>;

fn some<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

fn text(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_string())
}

fn num<T: ToString + Default + PartialEq>(v: &T) -> Option<String> {
    (*v != T::default()).then(|| v.to_string())
}

/// Applies `muts` to the optional fields of `canon` (and an unknown field when `extra`), parses,
/// and checks every field against the canonical reading. `required` fields are kept as they are.
fn check<T: DeserializeOwned>(
    canon: &Value,
    required: &[&str],
    muts: &[Mutation],
    extra: bool,
    read: impl Fn(&T) -> Read,
) -> Result<(), TestCaseError> {
    let original: T = serde_json::from_value(canon.clone()).expect("the canonical entry parses");
    let want = read(&original);
    let fields: Vec<&String> = canon
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !required.contains(&k.as_str()))
        .collect();
    let mut obj: Map<String, Value> = canon.as_object().unwrap().clone();
    let mut applied = std::collections::HashMap::new();
    for (k, m) in fields.iter().zip(muts.iter().cycle()) {
        applied.insert(k.as_str(), *m);
        match mutate(&canon[k.as_str()], *m) {
            Some(v) => obj.insert(k.to_string(), v),
            None => obj.remove(k.as_str()),
        };
    }
    if extra {
        obj.insert("a_field_the_docs_do_not_list".into(), json!({"x": 1}));
    }
    let parsed: T = serde_json::from_value(Value::Object(obj.clone()))
        .map_err(|e| TestCaseError::fail(format!("entry lost ({e}): {obj:?}")))?;
    for ((name, got), (_, canon_value)) in read(&parsed).into_iter().zip(want) {
        let m = applied.get(name).copied().unwrap_or(Mutation::Keep);
        if m.keeps_value() {
            prop_assert_eq!(&got, &canon_value, "{} after {:?}: {:?}", name, m, obj);
        } else {
            prop_assert_eq!(
                &got,
                &None,
                "{} after {:?} reads as absent: {:?}",
                name,
                m,
                obj
            );
        }
    }
    Ok(())
}

fn tm_imported() -> Value {
    json!({"enroll_id": 1351111, "open_id": "oW2x", "userid": "user1", "area": "86",
           "phone_number": "13612111111", "nick_name": "ccc", "enroll_code": "111"})
}

fn tm_listed() -> Value {
    json!({"enroll_id": "1351112", "enroll_time": "2026-11-01 10:00:00", "nick_name": "报名观众",
           "enroll_source_type": 2, "status": 3, "userid": "user2", "open_id": "oY", "ms_open_id": "ms9",
           "enroll_code": "222"})
}

fn tm_created() -> Value {
    json!({"subject": "年会", "meeting_id": "17305428542504531991", "meeting_code": "806146667",
           "start_time": "1700000000", "end_time": "1700003600", "admission_type": 1,
           "password": "1234", "audience_join_link": "https://meeting.tencent.com/dw/x"})
}

fn im_outcome() -> Value {
    json!({"Member_Account": "tommy", "Result": 1})
}

fn im_member() -> Value {
    json!({"Member_Account": "10086", "Role": "Admin", "JoinTime": 1448000000})
}

fn im_answer() -> Value {
    json!({"ActionStatus": "FAIL", "ErrorCode": 10004, "ErrorInfo": "invalid parameter"})
}

fn hy_answer() -> Value {
    json!({"businessCode": 0, "businessMessage": "成功"})
}

fn hy_data() -> Value {
    json!({"status": 1, "orderId": "b0e50000-6b13-9276-0001", "orderNo": "2611000000000000001",
           "orderStatus": "Paid", "orderAmount": 12.5, "orderType": "Main"})
}

fn hy_attendee() -> Value {
    json!({"attendeeId": "b0e5-9e9a", "attendeeAbstractType": 1, "name": "张三",
           "mobile": "13800000000", "status": "Normal", "checkinCode": "1475000000000000001"})
}

fn wecom_enroll() -> Value {
    json!({"enroll_id": "1", "enroll_time": "1700000000", "enroll_source_type": 1, "nick_name": "小王",
           "status": 2, "userid": "wangxiao", "tmp_openid": "tmp1", "enroll_code": "333"})
}

fn muts(n: usize) -> impl Strategy<Value = (Vec<Mutation>, bool)> {
    (prop::collection::vec(mutation(), n), any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn tencent_meeting_import_answer_entry((m, extra) in muts(7)) {
        check::<tm::ImportedEnroll>(&tm_imported(), &[], &m, extra, |e| vec![
            ("enroll_id", some(&e.enroll_id)), ("open_id", some(&e.open_id)),
            ("userid", some(&e.userid)), ("area", some(&e.area)),
            ("phone_number", some(&e.phone_number)), ("nick_name", some(&e.nick_name)),
            ("enroll_code", some(&e.enroll_code)),
        ])?;
    }

    #[test]
    fn tencent_meeting_list_entry((m, extra) in muts(9)) {
        check::<tm::ApprovalEntry>(&tm_listed(), &[], &m, extra, |e| vec![
            ("enroll_id", some(&e.enroll_id)), ("enroll_time", text(&e.enroll_time)),
            ("nick_name", text(&e.nick_name)), ("enroll_source_type", num(&e.enroll_source_type)),
            ("status", e.status.map(|s| s.code().to_string())), ("userid", some(&e.userid)),
            ("open_id", some(&e.open_id)), ("ms_open_id", some(&e.ms_open_id)),
            ("enroll_code", some(&e.enroll_code)),
        ])?;
    }

    /// An answer that carries `meeting_id` is a created webinar whatever the rest does.
    #[test]
    fn tencent_meeting_create_answer((m, extra) in muts(8)) {
        check::<tm::CreateWebinarResponse>(&tm_created(), &["meeting_id"], &m, extra, |r| vec![
            ("meeting_id", text(&r.meeting_id)), ("subject", text(&r.subject)),
            ("meeting_code", text(&r.meeting_code)), ("start_time", num(&r.start_time)),
            ("end_time", num(&r.end_time)),
            ("admission_type", r.admission_type.map(|a| a.code().to_string())),
            ("password", some(&r.password)), ("audience_join_link", text(&r.audience_join_link)),
        ])?;
    }

    #[test]
    fn im_answer_member((m, extra) in muts(1)) {
        check::<im::MemberOutcome>(&im_outcome(), &["Member_Account"], &m, extra, |o| vec![
            ("Member_Account", text(&o.member_account)),
            ("Result", o.result.map(|r| r.code().to_string())),
        ])?;
    }

    #[test]
    fn im_list_member((m, extra) in muts(2)) {
        check::<im::GroupMember>(&im_member(), &["Member_Account"], &m, extra, |g| vec![
            ("Member_Account", text(&g.member_account)), ("Role", text(&g.role)),
            ("JoinTime", num(&g.join_time)),
        ])?;
    }

    #[test]
    fn im_answer_envelope((m, extra) in muts(3)) {
        check::<im::ImportGroupMemberResponse>(&im_answer(), &[], &m, extra, |r| vec![
            ("ActionStatus", text(&r.action_status)), ("ErrorCode", num(&r.error_code)),
            ("ErrorInfo", text(&r.error_info)),
        ])?;
    }

    /// `businessCode: "0"` is a success, not an unreadable answer.
    #[test]
    fn huiyi31_answer((m, extra) in muts(2)) {
        check::<huiyi31::RegisterResponse>(&hy_answer(), &[], &m, extra, |r| vec![
            ("businessCode", some(&r.business_code)), ("businessMessage", text(&r.business_message)),
        ])?;
    }

    #[test]
    fn huiyi31_order((m, extra) in muts(6)) {
        check::<huiyi31::RegisterData>(&hy_data(), &[], &m, extra, |d| vec![
            ("status", num(&d.status)), ("orderId", text(&d.order_id)), ("orderNo", text(&d.order_no)),
            ("orderStatus", text(&d.order_status)), ("orderAmount", some(&d.order_amount)),
            ("orderType", text(&d.order_type)),
        ])?;
    }

    #[test]
    fn huiyi31_order_attendee((m, extra) in muts(6)) {
        check::<huiyi31::OrderAttendee>(&hy_attendee(), &[], &m, extra, |a| vec![
            ("attendeeId", text(&a.attendee_id)),
            ("attendeeAbstractType", some(&a.attendee_abstract_type)),
            ("name", text(&a.name)), ("mobile", text(&a.mobile)), ("status", text(&a.status)),
            ("checkinCode", some(&a.checkin_code)),
        ])?;
    }

    #[test]
    fn wecom_list_entry((m, extra) in muts(8)) {
        check::<wecom::Enroll>(&wecom_enroll(), &[], &m, extra, |e| vec![
            ("enroll_id", some(&e.enroll_id)), ("enroll_time", text(&e.enroll_time)),
            ("enroll_source_type", e.enroll_source_type.map(|s| s.code().to_string())),
            ("nick_name", text(&e.nick_name)), ("status", e.status.map(|s| s.code().to_string())),
            ("userid", some(&e.userid)), ("tmp_openid", some(&e.tmp_openid)),
            ("enroll_code", some(&e.enroll_code)),
        ])?;
    }
}

/// The cases the issue names, one by one.
#[test]
fn the_drifts_seen_in_the_field() {
    let r: huiyi31::RegisterResponse = serde_json::from_value(
        json!({"businessCode": "0", "data": {"orderAmount": "0.00", "status": "0"}}),
    )
    .unwrap();
    assert_eq!(r.business_code, Some(0));
    assert_eq!(r.refusal(), None, "\"0\" is success");
    assert_eq!(r.data.as_ref().unwrap().order_amount, Some(0.0));
    let e: tm::ApprovalEntry = serde_json::from_value(
        json!({"enroll_id": "1351111", "enroll_source_type": "2", "status": "3", "userid": "u1"}),
    )
    .unwrap();
    assert_eq!(e.enroll_id.as_ref().unwrap().as_string(), "1351111");
    assert_eq!(e.enroll_source_type, 2);
    assert_eq!(e.status, Some(tm::ApprovalStatus::Approved));
    assert!(!e.identity().is_empty(), "the entry keeps its identity");
    // An id as a number and as a string is the same id.
    let a: tm::ImportedEnroll = serde_json::from_value(json!({"enroll_id": 1351111})).unwrap();
    let b: tm::ImportedEnroll = serde_json::from_value(json!({"enroll_id": "1351111"})).unwrap();
    assert_eq!(
        a.enroll_id.unwrap().as_string(),
        b.enroll_id.unwrap().as_string()
    );
}
