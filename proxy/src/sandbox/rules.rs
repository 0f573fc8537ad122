//! The sandbox's own reading of the seed pages' request tables — types, required fields,
//! enumerations, limits — checked on the request as it arrived (JSON, before any typed parse).
//! Written from the pages, not from core: a rule core misreads is caught here instead of being
//! repeated (docs/providers.md). Each check answers the provider's message for the first problem.

use serde_json::Value;

/// A field of `v` as a string, if it is one.
fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// `k` present and not a string: the type the table prints is String.
fn not_a_string(v: &Value, k: &str) -> bool {
    v.get(k).is_some_and(|x| !x.is_string() && !x.is_null())
}

/// `instanceid` Integer 是, one of the device types seeds 000 and 002 list.
fn instanceid(body: &Value) -> Result<(), String> {
    const INSTANCES: [i64; 17] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 21, 22, 30, 32, 33];
    match body.get("instanceid").and_then(Value::as_i64) {
        Some(i) if INSTANCES.contains(&i) => Ok(()),
        _ => Err("instanceid 取值无效".into()),
    }
}

/// Seed 000, 输入参数 and 报名对象: the import body.
pub fn tencent_meeting_import(body: &Value, import_cap_left: usize) -> Result<(), String> {
    // operator_id String 必须; operator_id_type Integer 必须 (1 userid, 2 open_id).
    if str_field(body, "operator_id").is_none_or(|s| s.trim().is_empty()) {
        return Err("operator_id 必填".into());
    }
    match body.get("operator_id_type").and_then(Value::as_i64) {
        Some(1) => {}
        // "使用 OAuth 公参鉴权后不能使用 userid 为入参" and the reverse: a secret-signed (JWT)
        // app operates as a userid.
        Some(2) => return Err("企业 secret 鉴权不支持 operator_id_type=2".into()),
        _ => return Err("operator_id_type 必须为整数 1 或 2".into()),
    }
    // instanceid Integer 必须, one of the listed device types.
    instanceid(body)?;
    let Some(list) = body.get("enroll_list").and_then(Value::as_array) else {
        return Err("enroll_list 必填".into());
    };
    if list.is_empty() {
        return Err("enroll_list 不能为空".into());
    }
    // 商业版单场会议导入上限1000条，企业版单场会议导入上限4000条。
    if list.len() > import_cap_left {
        return Err(format!("超出单场会议导入上限（剩余 {import_cap_left} 条）"));
    }
    for (i, e) in list.iter().enumerate() {
        for k in ["open_id", "userid", "area", "phone_number", "nick_name"] {
            if not_a_string(e, k) {
                return Err(format!("enroll_list[{i}].{k} 必须为字符串"));
            }
        }
        let has = |k: &str| str_field(e, k).is_some_and(|s| !s.trim().is_empty());
        // "userid、授权用户的 openid、phone_number 三种形式，三者必填其一";
        // "JWT 鉴权方式无法使用 open_id 导入报名".
        if has("open_id") {
            return Err(format!(
                "enroll_list[{i}]: JWT 鉴权方式无法使用 open_id 导入报名"
            ));
        }
        if !has("userid") && !has("phone_number") {
            return Err(format!("enroll_list[{i}]: userid、phone_number 必填其一"));
        }
        // "若使用 phone_number 的方式导入，该字段必填（例如：中国传86，不是+86）".
        if has("phone_number") {
            match str_field(e, "area") {
                Some(a) if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) => {}
                _ => {
                    return Err(format!(
                        "enroll_list[{i}].area 必填，且为纯数字（中国传86，不是+86）"
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Seed 003, one member: Member_Account String 必填; Role String 选填, "目前只支持填 Admin";
/// JoinTime Integer 选填, after the group's creation and before now ("请保证导入成员的入群时间大于
/// 群的创建时间并小于当前时间，否则该成员会导入失败"); UnreadMsgNum Integer 选填. A member that
/// breaks one gets `Result` 0.
pub fn im_member_ok(m: &Value, group_created_at: i64, now: i64) -> bool {
    let account_ok = m
        .get("Member_Account")
        .and_then(Value::as_str)
        .is_some_and(|a| !a.is_empty() && a.len() <= 32);
    let role_ok = match m.get("Role") {
        None | Some(Value::Null) => true,
        Some(r) => r.as_str() == Some("Admin"),
    };
    let join_ok = match m.get("JoinTime") {
        None | Some(Value::Null) => true,
        Some(t) => t.as_i64().is_some_and(|t| t > group_created_at && t < now),
    };
    let unread_ok = m
        .get("UnreadMsgNum")
        .is_none_or(|u| u.is_null() || u.as_u64().is_some());
    account_ok && role_ok && join_ok && unread_ok
}

/// Seed 004, Body: BventId 必须 (the example spells it `bventId`), AttendeeTypeId 必须,
/// Attendee.Fields[] {FieldName 必须, FieldValue 必须}, "手机或邮箱必须要有一个", Items 必须
/// ("门票商品必须") {ItemSkuId 必须, ItemSkuName 必须, Quantity 必须}.
pub fn huiyi31_register(body: &Value) -> Result<(), String> {
    let any = |keys: &[&str]| keys.iter().find_map(|k| body.get(*k));
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    if !text(any(&["BventId", "bventId"])) {
        return Err("会议id必填".into());
    }
    if !text(any(&["AttendeeTypeId", "attendeeTypeId"])) {
        return Err("类别id必填".into());
    }
    let fields = any(&["Attendee", "attendee"])
        .and_then(|a| a.get("Fields").or_else(|| a.get("fields")))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let field = |f: &Value, k: &str| {
        f.get(k)
            .or_else(|| f.get(&(k[..1].to_lowercase() + &k[1..])))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut has_contact = false;
    for f in &fields {
        let (Some(name), Some(value)) = (field(f, "FieldName"), field(f, "FieldValue")) else {
            return Err("字段名和字段值必填".into());
        };
        if (name == "Mobile" || name == "Email") && !value.trim().is_empty() {
            has_contact = true;
        }
    }
    if !has_contact {
        return Err("手机或邮箱必须要有一个".into());
    }
    let Some(items) = any(&["Items", "items"]).and_then(Value::as_array) else {
        return Err("门票商品必须".into());
    };
    if items.is_empty() {
        return Err("门票商品必须".into());
    }
    for it in items {
        if !text(it.get("ItemSkuId")) || !text(it.get("ItemSkuName")) {
            return Err("商品id和商品名称必填".into());
        }
        // The table types Quantity as string, the example sends the number 1: both read.
        let q = it.get("Quantity").and_then(|q| {
            q.as_u64()
                .or_else(|| q.as_str().and_then(|s| s.trim().parse().ok()))
        });
        if q.is_none_or(|q| q < 1) {
            return Err("数量必填且须大于 0".into());
        }
    }
    Ok(())
}

/// Seed 002, 输入参数: userid String 是; instanceid Integer 是; subject 1~255 characters;
/// sponsor 1~40; start_time / end_time String timestamps, start "不能少于当前时间戳半小时以上"
/// (not more than half an hour before now), end after start; admission_type 0/1/2; password
/// 4~6 digits, required when admission_type = 2; playback_for_audience Boolean 是, and "开启本选项
/// 时必须开启云录制"; sensitive_words at most 50.
pub fn tencent_meeting_create(body: &Value, now: i64) -> Result<(), String> {
    if str_field(body, "userid").is_none_or(|s| s.trim().is_empty()) {
        return Err("userid 必填".into());
    }
    instanceid(body)?;
    let chars = |k: &str| str_field(body, k).map(|s| s.chars().count());
    if !chars("subject").is_some_and(|n| (1..=255).contains(&n)) {
        return Err("subject 须为 1~255 个字符".into());
    }
    if body.get("sponsor").is_some_and(|v| !v.is_null())
        && !chars("sponsor").is_some_and(|n| (1..=40).contains(&n))
    {
        return Err("sponsor 须为 1~40 个字符".into());
    }
    // The table types the timestamps as String (the example sends strings).
    let time = |k: &str| str_field(body, k).and_then(|s| s.trim().parse::<i64>().ok());
    let (Some(start), Some(end)) = (time("start_time"), time("end_time")) else {
        return Err("start_time / end_time 必填（字符串形式的时间戳）".into());
    };
    if start < now - 1800 {
        return Err("开始时间不能早于当前时间半小时以上".into());
    }
    if end <= start {
        return Err("结束时间须晚于开始时间".into());
    }
    let admission = body.get("admission_type").and_then(Value::as_i64);
    if !matches!(admission, Some(0..=2)) {
        return Err("admission_type 只能是 0、1、2".into());
    }
    if admission == Some(2)
        && !str_field(body, "password")
            .is_some_and(|p| (4..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("admission_type = 2 时 password 必填，且为 4~6 位数字".into());
    }
    match body.get("playback_for_audience").and_then(Value::as_bool) {
        None => return Err("playback_for_audience 必填".into()),
        Some(true) if body["media_setting"]["auto_record_type"].as_str() != Some("cloud") => {
            return Err("允许观众观看回放时必须开启云录制".into())
        }
        Some(_) => {}
    }
    if body["sensitive_words"]
        .as_array()
        .is_some_and(|w| w.len() > 50)
    {
        return Err("敏感词最多 50 个".into());
    }
    Ok(())
}

/// Seed 001: meetingid string; status uint32 0 全部 / 1 待审批 / 2 已拒绝 / 3 已批准; limit uint32,
/// "最大50条".
pub fn wecom_enroll_list(body: &Value) -> Result<(), String> {
    if str_field(body, "meetingid").is_none_or(|s| s.trim().is_empty()) {
        return Err("invalid parameter: meetingid".into());
    }
    if body
        .get("status")
        .is_some_and(|v| v.as_u64().is_none_or(|n| n > 3))
    {
        return Err("invalid parameter: status must be 0-3".into());
    }
    if body
        .get("limit")
        .is_some_and(|v| v.as_u64().is_none_or(|n| !(1..=50).contains(&n)))
    {
        return Err("invalid parameter: limit must be 1-50".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seed_examples_pass_and_the_tables_rules_bite() {
        // Seed 000's own example body.
        let ok = json!({"instanceid": 1, "operator_id": "user1", "operator_id_type": 1,
            "enroll_list": [{"area": "86", "phone_number": "13612111111"}, {"userid": "123"}]});
        assert_eq!(tencent_meeting_import(&ok, 4000), Ok(()));
        let mut plus = ok.clone();
        plus["enroll_list"][0]["area"] = json!("+86");
        assert!(
            tencent_meeting_import(&plus, 4000).is_err(),
            "中国传86，不是+86"
        );
        let mut open = ok.clone();
        open["enroll_list"][1] = json!({"open_id": "o1"});
        assert!(tencent_meeting_import(&open, 4000).is_err());
        assert!(tencent_meeting_import(&ok, 1).is_err(), "over the cap");
        // Seed 003: Role only Admin; JoinTime between creation and now.
        assert!(im_member_ok(
            &json!({"Member_Account": "tommy", "Role": "Admin", "JoinTime": 1448357837}),
            1448000000,
            1_800_000_000
        ));
        assert!(!im_member_ok(
            &json!({"Member_Account": "tommy", "Role": "Member"}),
            0,
            1
        ));
        assert!(!im_member_ok(
            &json!({"Member_Account": "tommy", "JoinTime": 1}),
            5,
            10
        ));
        // Seed 004's example shape (bventId, fieldName/fieldValue, Quantity as a number).
        let hy = json!({"bventId": "e", "AttendeeTypeId": "t",
            "Attendee": {"Fields": [{"fieldName": "Mobile", "fieldValue": "13800000000"}]},
            "Items": [{"ItemSkuId": "s", "ItemSkuName": "票", "Quantity": 1}]});
        assert_eq!(huiyi31_register(&hy), Ok(()));
        let mut no_contact = hy.clone();
        no_contact["Attendee"]["Fields"] = json!([{"fieldName": "FullName", "fieldValue": "x"}]);
        assert!(huiyi31_register(&no_contact).is_err());
        // Seed 002's example times, checked as of their day.
        let create = json!({"userid": "u", "instanceid": 1, "subject": "年会", "start_time": "1631589648",
            "end_time": "1631593248", "admission_type": 0, "playback_for_audience": false});
        assert_eq!(tencent_meeting_create(&create, 1631589000), Ok(()));
        assert!(
            tencent_meeting_create(&create, 1631589648 + 3600).is_err(),
            "starts in the past"
        );
        let mut pw = create.clone();
        pw["admission_type"] = json!(2);
        assert!(
            tencent_meeting_create(&pw, 1631589000).is_err(),
            "a password is required"
        );
        // Seed 001: limit at most 50.
        assert!(wecom_enroll_list(&json!({"meetingid": "M", "limit": 51})).is_err());
        assert_eq!(
            wecom_enroll_list(&json!({"meetingid": "M", "status": 1, "limit": 20})),
            Ok(())
        );
    }
}
