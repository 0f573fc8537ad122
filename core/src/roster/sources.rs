//! Rosters that come from a provider instead of a spreadsheet: the people who enrolled in a
//! WeCom webinar (seed 001) or a Tencent Meeting webinar (its enrollment list). They become the
//! same table a file gives — headers the automatic mapping knows, one row per enrollee — so the
//! same rules, preview and job apply ("send these people to…").

use super::TableRow;
use crate::providers::tencent_meeting::ApprovalEntry;
use crate::providers::wecom::{Enroll, SpecialType};

/// The headers of a roster made from WeCom enrollments: the questionnaire's special questions
/// (seed 001 `special_type`: 4 name, 2 phone, 3 e-mail, 5 company) fill their columns.
pub const WECOM_HEADERS: [&str; 5] = ["姓名", "userid", "手机号", "邮箱", "公司"];

/// The headers of a roster made from a Tencent Meeting webinar's enrollments.
pub const TENCENT_MEETING_HEADERS: [&str; 5] = ["姓名", "userid", "open_id", "区号", "手机号"];

fn rows(cells: impl Iterator<Item = Vec<String>>) -> Vec<TableRow> {
    cells
        .enumerate()
        .map(|(i, cells)| TableRow {
            // As a spreadsheet would number them (the header is row 1).
            row: i as u32 + 2,
            cells: cells.into_iter().map(Into::into).collect(),
        })
        .collect()
}

/// WeCom enrollees as roster rows: the name (the questionnaire's name question, else the
/// nickname), the userid where the list carries it, and the phone, e-mail and company the
/// enrollee gave in the questionnaire's special questions — so an external enrollee without a
/// userid can still go to a Tencent Meeting webinar by phone and to 31huiyi by mobile/e-mail.
pub fn from_wecom<'a>(
    enrolls: impl IntoIterator<Item = &'a Enroll>,
) -> (Vec<String>, Vec<TableRow>) {
    let headers = WECOM_HEADERS.iter().map(|h| h.to_string()).collect();
    let cells = enrolls.into_iter().map(|e| {
        vec![
            special_answer(e, SpecialType::Name).unwrap_or_else(|| e.nick_name.clone()),
            e.userid.clone().unwrap_or_default(),
            special_answer(e, SpecialType::Phone).unwrap_or_default(),
            special_answer(e, SpecialType::Email).unwrap_or_default(),
            special_answer(e, SpecialType::Company).unwrap_or_default(),
        ]
    });
    (headers, rows(cells))
}

/// The enrollee's answer to the questionnaire's special question of that kind, when there is a
/// readable, non-empty one (an unreadable answer entry names nothing).
fn special_answer(e: &Enroll, kind: SpecialType) -> Option<String> {
    e.answer_list
        .iter()
        .filter_map(|a| a.ok())
        .filter(|a| a.special_type == Some(kind))
        .flat_map(|a| a.answer_content.iter())
        .map(|c| c.trim())
        .find(|c| !c.is_empty())
        .map(str::to_string)
}

/// Tencent Meeting enrollees as roster rows, with every identity the list carries.
pub fn from_tencent_meeting<'a>(
    entries: impl IntoIterator<Item = &'a ApprovalEntry>,
) -> (Vec<String>, Vec<TableRow>) {
    let headers = TENCENT_MEETING_HEADERS
        .iter()
        .map(|h| h.to_string())
        .collect();
    let cells = entries.into_iter().map(|e| {
        vec![
            e.nick_name.clone(),
            e.userid.clone().unwrap_or_default(),
            e.open_id.clone().unwrap_or_default(),
            e.area.clone().unwrap_or_default(),
            e.phone_number.clone().unwrap_or_default(),
        ]
    });
    (headers, rows(cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{auto_field, FieldKind};

    #[test]
    fn the_headers_map_to_their_fields_automatically() {
        let fields: Vec<FieldKind> = TENCENT_MEETING_HEADERS
            .iter()
            .map(|h| auto_field(h))
            .collect();
        assert_eq!(
            fields,
            [
                FieldKind::Name,
                FieldKind::Userid,
                FieldKind::OpenId,
                FieldKind::Area,
                FieldKind::Phone
            ]
        );
        let fields: Vec<FieldKind> = WECOM_HEADERS.iter().map(|h| auto_field(h)).collect();
        assert_eq!(
            fields,
            [
                FieldKind::Name,
                FieldKind::Userid,
                FieldKind::Phone,
                FieldKind::Email,
                FieldKind::Company
            ]
        );
    }

    #[test]
    fn wecom_enrollees_become_rows_numbered_like_a_sheet() {
        let list: crate::providers::wecom::EnrollListResponse = serde_json::from_value(serde_json::json!({
            "errcode": 0, "errmsg": "ok", "has_more": false,
            "enroll_list": [
                {"enroll_id": 1, "enroll_time": "2024-01-01 10:00:00", "nick_name": "张三", "status": 3, "userid": "zhangsan"},
                {"enroll_id": 2, "enroll_time": "2024-01-01 10:01:00", "nick_name": "外部访客", "status": 3,
                 "answer_list": [
                    {"answer_content": ["李四"], "question_title": "姓名", "special_type": 4},
                    {"answer_content": [" 13800138000 "], "question_title": "手机", "special_type": "2"},
                    {"answer_content": ["li@example.com"], "special_type": 3},
                    {"answer_content": ["示例公司"], "special_type": 5},
                    {"answer_content": ["线上"], "special_type": 1},
                    {"answer_content": "not a list", "special_type": 2}
                 ]}
            ]
        }))
        .unwrap();
        let enrolls: Vec<&Enroll> = list.enroll_list.iter().filter_map(|e| e.ok()).collect();
        let (headers, rows) = from_wecom(enrolls);
        assert_eq!(headers, ["姓名", "userid", "手机号", "邮箱", "公司"]);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].cells, ["张三", "zhangsan", "", "", ""]);
        assert_eq!(
            rows[1].cells,
            ["李四", "", "13800138000", "li@example.com", "示例公司"]
        );
    }
}
