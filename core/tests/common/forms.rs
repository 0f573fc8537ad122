//! Registration forms as organizers get them, made by the tests that read them: core's workbook
//! tests and the proxy's browser tests (included there by path).
//!
//! - XLSX: a first sheet "填写说明" of two notes; then "报名表" with a title merged across the
//!   top, a notes row, the header on row 3 and the people from row 4.
//! - ODS (WPS, LibreOffice): one sheet "名单" with a title row, the header on row 2, the people.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

pub fn registration_form_xlsx(headers: &[&str], people: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填写说明").unwrap();
    notes.write_string(0, 0, "请勿修改表头").unwrap();
    notes.write_string(1, 0, "手机号请填写 11 位").unwrap();
    let form = wb.add_worksheet();
    form.set_name("报名表").unwrap();
    let last = headers.len().saturating_sub(1) as u16;
    form.merge_range(0, 0, 0, last, "2026 年度客户大会报名表", &Format::new())
        .unwrap();
    form.write_string(1, 0, "说明：带 * 的为必填项").unwrap();
    for (c, h) in headers.iter().enumerate() {
        form.write_string(2, c as u16, *h).unwrap();
    }
    for (r, p) in people.iter().enumerate() {
        for (c, v) in p.iter().enumerate() {
            form.write_string(3 + r as u32, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

pub fn registration_form_ods(headers: &[&str], people: &[Vec<String>]) -> Vec<u8> {
    let row = |cells: &[String]| {
        let cells: String = cells
            .iter()
            .map(|v| format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>"))
            .collect();
        format!("<table:table-row>{cells}</table:table-row>")
    };
    let mut rows = vec![row(&["2026 年度客户大会报名表".to_string()])];
    rows.push(row(&headers
        .iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()));
    rows.extend(people.iter().map(|p| row(p)));
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
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}
