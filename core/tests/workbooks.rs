//! Workbooks as organizers get them, made by the test: an XLSX exported from a registration form
//! (a title merged across the top, a notes row, the header on row 3, a second sheet of notes),
//! and an OpenDocument (`.ods`) file. The sheet with the most rows is read, the header is found
//! below the title and the notes, and row numbers stay the ones the spreadsheet shows.

use std::io::Write;

use rollcall_core::roster::{self, MappingOptions, SourceFormat};
use rust_xlsxwriter::{Format, Workbook};

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

/// Sheet 1 "填写说明" (two notes), sheet 2 "报名表": title merged over A1:E1, a notes row, the
/// header on row 3, six people on rows 4–9.
fn registration_form_xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填写说明").unwrap();
    notes.write_string(0, 0, "请勿修改表头").unwrap();
    notes.write_string(1, 0, "手机号请填写 11 位").unwrap();
    let form = wb.add_worksheet();
    form.set_name("报名表").unwrap();
    form.merge_range(0, 0, 0, 4, "2026 年度客户大会报名表", &Format::new())
        .unwrap();
    form.write_string(1, 0, "说明：带 * 的为必填项").unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        form.write_string(2, c as u16, *h).unwrap();
    }
    for (r, p) in people().iter().enumerate() {
        for (c, v) in p.iter().enumerate() {
            form.write_string(3 + r as u32, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// An OpenDocument spreadsheet: a title row, then the header, then the people.
fn registration_form_ods() -> Vec<u8> {
    let cell = |v: &str| {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>")
    };
    let row = |cells: &[String]| {
        format!(
            "<table:table-row>{}</table:table-row>",
            cells.iter().map(|c| cell(c)).collect::<String>()
        )
    };
    let mut rows = vec![row(&["2026 年度客户大会报名表".to_string()])];
    rows.push(row(&HEADERS.map(String::from)));
    for p in people() {
        rows.push(row(&p));
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="名单">{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        rows.concat()
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
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
