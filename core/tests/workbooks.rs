//! Workbooks as organizers get them, made by the test: an XLSX exported from a registration form
//! (a title merged across the top, a notes row, the header on row 3, a second sheet of notes),
//! and an OpenDocument (`.ods`) file. The sheet with the most rows is read, the header is found
//! below the title and the notes, and row numbers stay the ones the spreadsheet shows.

#[path = "common/forms.rs"]
mod forms;

use rollcall_core::roster::{self, MappingOptions, SourceFormat};

const HEADERS: [&str; 5] = ["姓名", "手机号", "邮箱", "公司", "职位"];

fn people() -> Vec<[String; 5]> {
    (0..6)
        .map(|i| {
            [
                format!("参会者{i}"),
                format!("1380013800{i}"),
                format!("p{i}@example.com"),
                "示例公司".into(),
                "经理".into(),
            ]
        })
        .collect()
}

fn registration_form_xlsx() -> Vec<u8> {
    let people: Vec<Vec<String>> = people().into_iter().map(|p| p.to_vec()).collect();
    forms::registration_form_xlsx(&HEADERS, &people)
}

fn registration_form_ods() -> Vec<u8> {
    let people: Vec<Vec<String>> = people().into_iter().map(|p| p.to_vec()).collect();
    forms::registration_form_ods(&HEADERS, &people)
}

#[test]
fn the_sheet_with_the_people_and_its_header_below_title_and_notes() {
    let bytes = registration_form_xlsx();
    let r = roster::parse_roster(&bytes, &MappingOptions::default()).unwrap();
    assert_eq!(r.format, SourceFormat::Xlsx);
    let sheet = r.sheet.clone().expect("a workbook says which sheet");
    assert_eq!(sheet.name, "报名表", "the sheet with the most rows");
    assert_eq!(sheet.sheets, ["填写说明", "报名表"]);
    assert_eq!(
        sheet.header_row, 3,
        "below the merged title and the notes row"
    );
    assert_eq!(r.headers, HEADERS);
    assert_eq!(r.rows.len(), 6);
    // Row numbers are the spreadsheet's: the first person is on row 4.
    assert_eq!(r.rows.get(0).unwrap().row, 4);
    assert_eq!(r.rows.get(5).unwrap().row, 9);
    assert_eq!(r.invalid_rows(None).len(), 0, "{:?}", r.problems);
    // The choice is said, as a warning a person reads ("表头在第 3 行").
    let said = r
        .problems
        .iter()
        .find(|p| p.code.as_str() == "sheet_and_header")
        .expect("the sheet and header are said");
    assert!(
        said.message.zh.contains("表头在第 3 行"),
        "{}",
        said.message.zh
    );
}

#[test]
fn a_named_sheet_and_header_row_are_read_as_told() {
    let bytes = registration_form_xlsx();
    // The header on row 3 as told gives the same roster.
    let told = MappingOptions {
        sheet: Some("报名表".into()),
        header_row: Some(3),
        ..MappingOptions::default()
    };
    let r = roster::parse_roster(&bytes, &told).unwrap();
    assert_eq!(r.headers, HEADERS);
    assert_eq!(r.rows.len(), 6);
    // The other sheet, by name.
    let notes = MappingOptions {
        sheet: Some("填写说明".into()),
        ..MappingOptions::default()
    };
    let r = roster::parse_roster(&bytes, &notes).unwrap();
    assert_eq!(r.sheet.unwrap().name, "填写说明");
    // A sheet that is not there: a clear error naming the ones that are.
    let missing = MappingOptions {
        sheet: Some("Sheet9".into()),
        ..MappingOptions::default()
    };
    let e = roster::parse_roster(&bytes, &missing).unwrap_err();
    assert_eq!(e.code.as_str(), "sheet_not_found");
    assert!(e.message.zh.contains("报名表") && e.message.en.contains("报名表"));
    // An empty header row: refused with its number.
    let empty = MappingOptions {
        header_row: Some(50),
        ..MappingOptions::default()
    };
    let e = roster::parse_roster(&bytes, &empty).unwrap_err();
    assert_eq!(e.code.as_str(), "no_header");
    assert!(e.message.en.contains("row 50"), "{}", e.message.en);
}

#[test]
fn an_ods_file_is_read_like_a_workbook() {
    let bytes = registration_form_ods();
    assert_eq!(
        roster::sniff(&bytes).unwrap(),
        roster::Sniffed::Workbook(roster::read::WorkbookKind::Ods)
    );
    let r = roster::parse_roster(&bytes, &MappingOptions::default()).unwrap();
    assert_eq!(r.format, SourceFormat::Ods);
    assert_eq!(r.headers, HEADERS);
    assert_eq!(r.sheet.as_ref().unwrap().header_row, 2);
    assert_eq!(r.rows.len(), 6);
    assert_eq!(r.rows.get(0).unwrap().row, 3);
    assert_eq!(r.invalid_rows(None).len(), 0, "{:?}", r.problems);
}

#[test]
fn an_xls_file_is_sniffed_as_a_workbook() {
    // The OLE2 signature of a legacy Excel file: read as XLS now (a damaged one says so).
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend([0u8; 504]);
    assert_eq!(
        roster::sniff(&bytes).unwrap(),
        roster::Sniffed::Workbook(roster::read::WorkbookKind::Xls)
    );
    let e = roster::parse_roster(&bytes, &MappingOptions::default()).unwrap_err();
    assert!(e.message.en.contains("XLS"), "{}", e.message.en);
}
