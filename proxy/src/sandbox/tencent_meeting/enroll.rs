//! The enrollment endpoints: batch import (seed 000), `enroll/approvals`, and the test hook that
//! adds an enrollee as a person would.

use super::*;

pub async fn enroll_import(
    Ax(sb): Ax<Arc<Sandbox>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (fault, req) = match admit::<EnrollImportRequest>(&sb, &method, &uri, &headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut st = sb.tm.lock().expect("tm state");
    let mut next_id = st.next_enroll_id;
    let Some(w) = st.webinars.iter_mut().find(|w| w.meeting_id == id) else {
        return error(
            StatusCode::NOT_FOUND,
            codes::MEETING_NOT_FOUND,
            "会议不存在",
        );
    };
    if !w.enrollment_enabled {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::ENROLL_NOT_ENABLED,
            "会议未开启报名",
        );
    }
    // Checked as seed 000's tables say, on the body as it came (not by core's validators).
    let imported = w.enrollments.iter().filter(|e| e.source_type == 2).count();
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Err(m) = crate::sandbox::rules::tencent_meeting_import(
        &raw,
        import_cap(w.edition).saturating_sub(imported),
    ) {
        return error(StatusCode::BAD_REQUEST, codes::INVALID_PARAMETER, &m);
    }
    // A number the service will not take refuses the whole import, naming no entry: nothing is
    // applied (numbers `1990000xxxx` stand for them here).
    if let Some(bad) = req
        .enroll_list
        .iter()
        .filter_map(|e| e.phone_number.as_deref())
        .find(|p| p.starts_with("1990000"))
    {
        return error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            &format!("手机号格式错误: {bad}"),
        );
    }
    let mut resp = EnrollImportResponse::default();
    for e in &req.enroll_list {
        if let Some(u) = e.userid.as_deref().filter(|u| u.starts_with("unreg")) {
            resp.user_non_registered.push(u.to_string());
            continue;
        }
        // Who this is, as the provider knows them: the directory fills what the request left out.
        let person = match (&e.userid, &e.phone_number) {
            (Some(u), _) => directory_by_userid(u),
            (None, Some(p)) => directory_by_phone(e.area.as_deref().unwrap_or(""), p),
            _ => None,
        };
        let userid = e
            .userid
            .clone()
            .or_else(|| person.as_ref().map(|p| p.userid.clone()));
        let (area, phone) = match (&e.phone_number, &person) {
            (Some(p), _) => (e.area.clone(), Some(p.clone())),
            (None, Some(p)) => (Some(p.area.clone()), Some(p.phone.clone())),
            (None, None) => (None, None),
        };
        let nick = e
            .nick_name
            .clone()
            .or_else(|| person.as_ref().and_then(|p| p.nick_name.clone()));
        next_id += 1;
        let code = format!("{:08}", next_id % 100_000_000);
        w.enrollments.push(Enrollment {
            enroll_id: next_id,
            enroll_time: "2026-11-22 10:00:00".into(),
            nick_name: nick.clone().or_else(|| phone.clone()).unwrap_or_default(),
            source_type: 2,
            status: ApprovalStatus::Approved,
            userid: userid.clone(),
            open_id: None,
            area: area.clone(),
            phone_number: phone.clone(),
            enroll_code: code.clone(),
            by_phone: e.userid.is_none() && e.open_id.is_none(),
        });
        resp.enroll_list.push(
            ImportedEnroll {
                // Types drift: the id comes as a number or as a numeric string.
                enroll_id: Some(if next_id.is_multiple_of(2) {
                    rollcall_core::providers::FlexId::Str(next_id.to_string())
                } else {
                    next_id.into()
                }),
                open_id: Some(String::new()),
                userid,
                area,
                phone_number: phone,
                nick_name: nick,
                enroll_code: Some(code),
            }
            .into(),
        );
    }
    let lose = fault == Some(Fault::LostAfter) || crate::sandbox::take_one(&sb.lose_tm_imports);
    sb.sends.lock().expect("sends").record(
        "tencent_meeting",
        req.enroll_list
            .iter()
            .map(person_key)
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        lose,
    );
    sb.faults.shuffle(&mut resp.enroll_list);
    resp.total_count = resp.enroll_list.len() as u32;
    st.next_enroll_id = next_id;
    drop(st);
    if lose {
        return crate::sandbox::lost_response();
    }
    Json(resp).into_response()
}

#[derive(serde::Deserialize)]
pub struct ApprovalsQuery {
    page: Option<u32>,
    page_size: Option<u32>,
    operator_id: Option<String>,
}

pub async fn approvals(
    Ax(sb): Ax<Arc<Sandbox>>,
    Path(id): Path<String>,
    Query(q): Query<ApprovalsQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&sb, &method, &uri, &headers, b"") {
        return r;
    }
    if let Err(r) = fault_before(&sb) {
        return r;
    }
    if q.operator_id.as_deref().unwrap_or("").is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            "operator_id 必填",
        );
    }
    let page = q.page.unwrap_or(1).max(1);
    let size = q.page_size.unwrap_or(20);
    if size == 0 || size > tm::MAX_APPROVALS_PAGE_SIZE {
        return error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_PARAMETER,
            "page_size 最大 300",
        );
    }
    let st = sb.tm.lock().expect("tm state");
    let Some(w) = st.webinars.iter().find(|w| w.meeting_id == id) else {
        return error(
            StatusCode::NOT_FOUND,
            codes::MEETING_NOT_FOUND,
            "会议不存在",
        );
    };
    let total = w.enrollments.len() as u32;
    let list: Vec<serde_json::Value> = w
        .enrollments
        .iter()
        .skip(((page - 1) as usize).saturating_mul(size as usize))
        .take(size as usize)
        .map(Enrollment::list_entry)
        .collect();
    Json(json!({
        "total_count": total,
        "current_size": list.len(),
        "current_page": page,
        "total_page": total.div_ceil(size).max(1),
        "enroll_list": list,
    }))
    .into_response()
}

/// Seed 000: "商业版单场会议导入上限1000条，企业版单场会议导入上限4000条".
fn import_cap(edition: tm::Edition) -> usize {
    match edition {
        tm::Edition::Business => 1000,
        tm::Edition::Enterprise => 4000,
    }
}

/// Who a request entry names, for counting sends: the phone (`p:86-…`), else the userid or
/// open_id as sent.
fn person_key(e: &tm::EnrollEntry) -> String {
    match (&e.phone_number, &e.userid, &e.open_id) {
        (Some(p), _, _) => format!("p:{}-{}", e.area.as_deref().unwrap_or(""), p),
        (None, Some(u), _) => format!("u:{u}"),
        (None, None, Some(o)) => format!("o:{o}"),
        _ => "?".into(),
    }
}

/// `POST /_sandbox/tencent-meeting/enroll`: someone enrolls on the webinar's own page (a test
/// or benchmark grows the list while a sync reads it). Listed as the SDK models it: no phone.
#[derive(serde::Deserialize)]
pub struct NewEnrollee {
    meeting_id: String,
    nick_name: String,
    userid: Option<String>,
    open_id: Option<String>,
}

pub async fn add_enrollee(
    axum::extract::State(sb): axum::extract::State<Arc<Sandbox>>,
    axum::Json(b): axum::Json<NewEnrollee>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut st = sb.tm.lock().expect("tm state");
    let id = st.next_enroll_id;
    let Some(w) = st
        .webinars
        .iter_mut()
        .find(|w| w.meeting_id == b.meeting_id)
    else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "no such webinar"})),
        )
            .into_response();
    };
    w.enrollments.push(Enrollment {
        enroll_id: id,
        enroll_time: rollcall_core::export::utc_timestamp(unix_now() as i64),
        nick_name: b.nick_name,
        source_type: 1,
        status: ApprovalStatus::Approved,
        userid: b.userid,
        open_id: b.open_id,
        area: None,
        phone_number: None,
        enroll_code: format!("{:06}", id % 1_000_000),
        by_phone: false,
    });
    st.next_enroll_id += 1;
    axum::Json(json!({"enroll_id": id.to_string()})).into_response()
}
