//! Tencent Meeting's documented rules (seeds 000 and 002), checked before anything is signed.

use super::*;
use crate::codes::ProblemCode;
use crate::problem::{Problem, Problems};

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Validates a create-webinar request against every documented constraint (seed 002).
/// `now` is Unix seconds, passed in.
pub fn validate_create_webinar(req: &CreateWebinarRequest, now: u64) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.userid.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "userid",
            "创建者 userid 必填",
            "userid is required",
        );
    }
    if !req.instanceid.is_known() {
        p.push(
            ProblemCode::InvalidEnum,
            "instanceid",
            "instanceid 不是文档列出的设备类型",
            "instanceid is not a documented device type",
        );
    }
    p.char_len("subject", &req.subject, 1, 255);
    if let Some(s) = &req.sponsor {
        p.char_len("sponsor", s, 1, 40);
    }
    if let Some(d) = &req.description {
        p.char_len("description", d, 1, 5000);
    }
    if req.end_time <= req.start_time {
        p.push(
            ProblemCode::EndBeforeStart,
            "end_time",
            "结束时间须晚于开始时间",
            "end_time must be after start_time",
        );
    }
    if req.start_time.saturating_add(30 * 60) < now {
        p.push(
            ProblemCode::StartTooEarly,
            "start_time",
            "开始时间不能早于当前时间半小时以上",
            "start_time must not be more than 30 minutes before now",
        );
    }
    if !req.admission_type.is_known() {
        p.push(
            ProblemCode::InvalidEnum,
            "admission_type",
            "观看限制类型只能是 0、1、2",
            "admission_type must be 0, 1 or 2",
        );
    }
    match (req.admission_type, req.password.as_deref()) {
        (AdmissionType::Password, None) | (AdmissionType::Password, Some("")) => p.push(
            ProblemCode::PasswordRequired,
            "password",
            "观看限制为密码时必须填写 4–6 位数字密码",
            "password (4–6 digits) is required when admission_type = 2",
        ),
        (AdmissionType::Password, Some(pw)) if !(is_digits(pw) && (4..=6).contains(&pw.len())) => p
            .push(
                ProblemCode::PasswordFormat,
                "password",
                "密码须为 4–6 位数字",
                "password must be 4–6 digits",
            ),
        _ => {}
    }
    if let Some(words) = &req.sensitive_words {
        if words.len() > 50 {
            p.push(
                ProblemCode::TooManySensitiveWords,
                "sensitive_words",
                format!("敏感词最多 50 个（当前 {}）", words.len()),
                format!("at most 50 sensitive words (got {})", words.len()),
            );
        }
        for (i, w) in words.iter().enumerate() {
            let n = w.chars().count();
            if n == 0 || n > 10 {
                p.push(
                    ProblemCode::SensitiveWordLength,
                    &format!("sensitive_words[{i}]"),
                    format!("第 {} 个敏感词须为 1–10 个字符", i + 1),
                    format!("sensitive word {} must be 1–10 characters", i + 1),
                );
            }
        }
    }
    if let Some(url) = &req.cover_url {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            p.push(
                ProblemCode::CoverUrlScheme,
                "cover_url",
                "封面须为 http(s) 图片地址",
                "cover_url must be an http(s) URL",
            );
        }
    }
    if let Some(d) = req.display_number_of_participants {
        if d > 1 {
            p.push(
                ProblemCode::InvalidEnum,
                "display_number_of_participants",
                "展示报名人数只能是 0 或 1",
                "display_number_of_participants must be 0 or 1",
            );
        }
    }
    let media = req.media_setting.clone().unwrap_or_default();
    let record = media.auto_record_type.as_ref();
    if let Some(r) = record {
        if !r.is_known() {
            p.push(
                ProblemCode::InvalidEnum,
                "media_setting.auto_record_type",
                "自动录制类型只能是 none、local、cloud",
                "auto_record_type must be none, local or cloud",
            );
        }
    }
    if req.playback_for_audience && record != Some(&AutoRecordType::Cloud) {
        p.push(
            ProblemCode::PlaybackRequiresCloudRecord,
            "playback_for_audience",
            "允许观众观看回放时必须开启云录制（auto_record_type = cloud）",
            "playback_for_audience requires auto_record_type = cloud",
        );
    }
    if let Some(w) = media.water_mark_type {
        if !w.is_known() {
            p.push(
                ProblemCode::InvalidEnum,
                "media_setting.water_mark_type",
                "水印样式只能是 0 或 1",
                "water_mark_type must be 0 or 1",
            );
        }
    }
    if let Some(hosts) = &req.hosts {
        for (i, h) in hosts.iter().enumerate() {
            if h.userid.as_deref().unwrap_or("").is_empty()
                && h.open_id.as_deref().unwrap_or("").is_empty()
            {
                p.push(
                    ProblemCode::HostIdRequired,
                    &format!("hosts[{i}]"),
                    "主持人须填写 userid",
                    "each host needs a userid",
                );
            }
        }
    }
    p.into_vec()
}

/// Settings seed 002 words as "only effective when …" (仅当…时才生效 / 需要开启…): not errors.
/// Returns one warning per setting that would have no effect and removes it from the request,
/// so the proxy signs and sends only what the provider will act on. The UI shows the same
/// warnings (it calls this on a copy).
pub fn drop_ineffective(req: &mut CreateWebinarRequest) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.admission_type != AdmissionType::Password
        && req.password.as_deref().is_some_and(|pw| !pw.is_empty())
    {
        p.push(
            ProblemCode::PasswordIgnored,
            "password",
            "观看密码仅在观看限制为密码时生效，已忽略",
            "password only applies when admission_type = 2; it is left out",
        );
    }
    if req.admission_type != AdmissionType::Password {
        req.password = None;
    }
    if req.activity_page == Some(false) {
        let ignored: Vec<&str> = [
            ("cover_url", req.cover_url.is_some()),
            ("description", req.description.is_some()),
            (
                "display_number_of_participants",
                req.display_number_of_participants.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        if !ignored.is_empty() {
            p.push(
                ProblemCode::ActivityPageOff,
                "activity_page",
                format!("未开启活动页，{} 不生效，已忽略", ignored.join("、")),
                format!("{} need the activity page; left out", ignored.join(", ")),
            );
        }
        req.cover_url = None;
        req.description = None;
        req.display_number_of_participants = None;
    }
    if let Some(url) = &req.cover_url {
        let path = url.to_ascii_lowercase();
        let path = path.split(['?', '#']).next().unwrap_or("");
        if [".gif", ".webp", ".bmp", ".svg", ".tif", ".tiff"]
            .iter()
            .any(|ext| path.ends_with(ext))
        {
            p.push(
                ProblemCode::CoverUrlFormat,
                "cover_url",
                "封面图片仅支持 PNG 和 JPEG，此地址看起来不是",
                "the cover must be PNG or JPEG; this address does not look like one",
            );
        }
    }
    if let Some(m) = req.media_setting.as_mut() {
        if m.water_mark_type.is_some() && m.allow_screen_shared_watermark != Some(true) {
            p.push(
                ProblemCode::WatermarkTypeIgnored,
                "media_setting.water_mark_type",
                "水印样式仅在开启屏幕共享水印时生效，已忽略",
                "water_mark_type only applies with allow_screen_shared_watermark; left out",
            );
            m.water_mark_type = None;
        }
        if m.auto_record_type != Some(AutoRecordType::Cloud) {
            for (field, set) in [
                (
                    "media_setting.participant_join_auto_record",
                    m.participant_join_auto_record.take().is_some(),
                ),
                (
                    "media_setting.enable_host_pause_auto_record",
                    m.enable_host_pause_auto_record.take().is_some(),
                ),
            ] {
                if set {
                    p.push(
                        ProblemCode::CloudRecordOptionIgnored,
                        field,
                        "该选项仅在云录制（auto_record_type = cloud）时生效，已忽略",
                        "this option only applies with auto_record_type = cloud; left out",
                    );
                }
            }
        }
    }
    p.into_vec()
}

/// Validates one enrollment entry. AK/SK (self-built app) credentials cannot import by open_id.
pub fn validate_enroll_entry(e: &EnrollEntry, auth: AppAuth, field: &str) -> Vec<Problem> {
    let mut p = Problems::default();
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !has(&e.open_id) && !has(&e.userid) && !has(&e.phone_number) {
        p.push(
            ProblemCode::EnrollIdentityRequired,
            field,
            "报名对象须填写 userid、手机号或 open_id 之一",
            "an enrollment needs one of userid, phone_number or open_id",
        );
    }
    if has(&e.open_id) && auth == AppAuth::AkSk {
        p.push(
            ProblemCode::OpenIdNotAllowed,
            field,
            "企业自建应用（AK/SK）鉴权不能用 open_id 导入报名",
            "open_id cannot be used with AK/SK (self-built app) credentials",
        );
    }
    if has(&e.phone_number) && !has(&e.open_id) && !has(&e.userid) {
        match e.area.as_deref().map(str::trim) {
            None | Some("") => p.push(
                ProblemCode::AreaRequired,
                field,
                "按手机号导入时须填写国家/地区代码（如 86）",
                "area is required with phone_number (e.g. 86)",
            ),
            Some(a) if a.starts_with('+') => p.push(
                ProblemCode::AreaPlus,
                field,
                "国家/地区代码不要带 +（中国传 86）",
                "area must not start with + (use 86, not +86)",
            ),
            Some(a) if !is_digits(a) || a.len() > 4 => p.push(
                ProblemCode::AreaFormat,
                field,
                "国家/地区代码须为 1–4 位数字",
                "area must be 1–4 digits",
            ),
            _ => {}
        }
        let phone = e.phone_number.as_deref().unwrap_or("");
        if !is_digits(phone) {
            p.push(
                ProblemCode::PhoneFormat,
                field,
                "手机号只能包含数字",
                "phone_number must contain digits only",
            );
        }
    }
    p.into_vec()
}

/// The per-webinar cap (seed 000): `adding` more enrollments on top of `already_imported`.
pub fn cap_problem(edition: Edition, already_imported: usize, adding: usize) -> Option<Problem> {
    let cap = edition.import_cap();
    (already_imported.saturating_add(adding) > cap).then(|| {
        Problem::new(
            ProblemCode::WebinarCapExceeded,
            "enroll_list",
            format!("单场导入上限 {cap} 条（已导入 {already_imported}）"),
            format!("the webinar import cap is {cap} (already imported {already_imported})"),
        )
    })
}

/// How many of a webinar's enrollments were imported (they count against the cap; seed 000).
pub fn imported_count<'a>(entries: impl IntoIterator<Item = &'a ApprovalEntry>) -> usize {
    entries
        .into_iter()
        .filter(|e| e.enroll_source_type == 2)
        .count()
}

/// Validates a whole import call: operator, entries, per-call size, and the per-webinar cap given
/// how many enrollments were already imported.
pub fn validate_enroll_import(
    req: &EnrollImportRequest,
    auth: AppAuth,
    edition: Edition,
    already_imported: usize,
) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.operator_id.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "operator_id",
            "operator_id 必填",
            "operator_id is required",
        );
    }
    if auth == AppAuth::AkSk && req.operator_id_type != OperatorIdType::Userid {
        p.push(
            ProblemCode::OperatorIdType,
            "operator_id_type",
            "AK/SK 鉴权只能用 userid 作为操作者",
            "AK/SK credentials require operator_id_type = 1 (userid)",
        );
    }
    if req.enroll_list.is_empty() {
        p.push(
            ProblemCode::Required,
            "enroll_list",
            "报名列表不能为空",
            "enroll_list must not be empty",
        );
    }
    if req.enroll_list.len() > MAX_IMPORT_PER_CALL {
        p.push(
            ProblemCode::BatchTooLarge,
            "enroll_list",
            format!("每次最多导入 {MAX_IMPORT_PER_CALL} 条"),
            format!("at most {MAX_IMPORT_PER_CALL} entries per call"),
        );
    }
    p.0.extend(cap_problem(
        edition,
        already_imported,
        req.enroll_list.len(),
    ));
    for (i, e) in req.enroll_list.iter().enumerate() {
        p.0.extend(validate_enroll_entry(e, auth, &format!("enroll_list[{i}]")));
    }
    p.into_vec()
}
