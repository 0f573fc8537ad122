//! Rosters that come from a provider instead of a spreadsheet: the people who enrolled in a
//! WeCom webinar (seed 001) or a Tencent Meeting webinar (its enrollment list). They become the
//! same table a file gives — headers the automatic mapping knows, one row per enrollee — so the
//! same rules, preview and job apply ("send these people to…").

use super::TableRow;
use crate::providers::tencent_meeting::ApprovalEntry;
use crate::providers::wecom::Enroll;

/// The headers of a roster made from WeCom enrollments.
pub const WECOM_HEADERS: [&str; 2] = ["姓名", "userid"];

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

/// WeCom enrollees as roster rows: the nickname and, where the list carries it, the userid
/// (WeCom's list has no phone or e-mail).
pub fn from_wecom<'a>(
    enrolls: impl IntoIterator<Item = &'a Enroll>,
) -> (Vec<String>, Vec<TableRow>) {
    let headers = WECOM_HEADERS.iter().map(|h| h.to_string()).collect();
    let cells = enrolls
        .into_iter()
        .map(|e| vec![e.nick_name.clone(), e.userid.clone().unwrap_or_default()]);
    (headers, rows(cells))
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
        assert_eq!(fields, [FieldKind::Name, FieldKind::Userid]);
    }

    #[test]
    fn wecom_enrollees_become_rows_numbered_like_a_sheet() {
        let list: crate::providers::wecom::EnrollListResponse = serde_json::from_value(serde_json::json!({
            "errcode": 0, "errmsg": "ok", "has_more": false,
            "enroll_list": [
                {"enroll_id": 1, "enroll_time": "2024-01-01 10:00:00", "nick_name": "张三", "status": 3, "userid": "zhangsan"},
                {"enroll_id": 2, "enroll_time": "2024-01-01 10:01:00", "nick_name": "外部访客", "status": 3}
            ]
        }))
        .unwrap();
        let enrolls: Vec<&Enroll> = list.enroll_list.iter().filter_map(|e| e.ok()).collect();
        let (headers, rows) = from_wecom(enrolls);
        assert_eq!(headers, ["姓名", "userid"]);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].cells, ["张三", "zhangsan"]);
        assert_eq!(rows[1].cells, ["外部访客", ""]);
    }
}
