//! Roster import: encodings, delimiters, mapping, phones, duplicates, destinations, bad input.

use proptest::prelude::*;
use rollcall_core::api::DestinationKind;
use rollcall_core::plan::plan;
use rollcall_core::roster::{
    self, FieldKind, MappingOptions, Severity, SourceFormat, TextEncoding,
};

fn parse(bytes: &[u8]) -> roster::Roster {
    roster::parse_roster(bytes, &MappingOptions::default()).expect("readable")
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

const SAMPLE: &str = "姓名,手机号,邮箱,公司,职位,部门\n张三,138 0013 8000,zhang@example.com,腾讯,经理,市场部\n李四,+86-139-0013-9000,,阿里,,技术部\n";

#[test]
fn utf8_gbk_and_bom_decode_the_same() {
    let utf8 = parse(SAMPLE.as_bytes());
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(SAMPLE.as_bytes());
    let bom = parse(&bom);
    let gbk = parse(&gbk(SAMPLE));
    assert_eq!(utf8.encoding, Some(TextEncoding::Utf8));
    assert_eq!(bom.encoding, Some(TextEncoding::Utf8Bom));
    assert_eq!(gbk.encoding, Some(TextEncoding::Gbk));
    for r in [&bom, &gbk] {
        assert_eq!(r.rows, utf8.rows);
        assert_eq!(r.headers, utf8.headers);
    }
    assert_eq!(utf8.attendee(0).name.as_deref(), Some("张三"));
    assert_eq!(utf8.attendee(0).phone.as_deref(), Some("13800138000"));
    assert_eq!(utf8.attendee(1).area.as_deref(), Some("86"));
    assert_eq!(utf8.attendee(1).phone.as_deref(), Some("13900139000"));
    // Unmapped columns are kept as custom fields.
    assert_eq!(utf8.attendee(0).custom[0].name, "部门");
    assert_eq!(utf8.attendee(0).custom[0].value, "市场部");
    assert!(utf8.problems.is_empty(), "{:?}", utf8.problems);
}

#[test]
fn delimiter_sniffing() {
    for d in ["\t", ";", "|"] {
        let text = SAMPLE.replace(',', d);
        let r = parse(text.as_bytes());
        assert_eq!(r.rows.len(), 2, "delimiter {d:?}");
        assert_eq!(r.attendee(0).email.as_deref(), Some("zhang@example.com"));
    }
}

#[test]
fn automatic_mapping_in_chinese_and_english() {
    let r = parse("Name,Mobile,Area Code,E-mail,Company,Title,UserID,open_id,IM账号,昵称,角色,入群时间\nA,13800000000,86,a@b.cn,C,T,u1,o1,im1,nick,Admin,1700000000\n".as_bytes());
    let fields: Vec<FieldKind> = r.columns.iter().map(|c| c.field).collect();
    use FieldKind::*;
    assert_eq!(
        fields,
        [
            Name, Phone, Area, Email, Company, Position, Userid, OpenId, ImAccount, Nickname, Role,
            JoinTime
        ]
    );
    let a = &r.attendee(0);
    assert_eq!(a.role.as_deref(), Some("Admin"));
    assert_eq!(a.join_time, Some(1_700_000_000));
    for h in ["手机", "电话", "mobile", "phone", "手机号码"] {
        assert_eq!(roster::auto_field(h), Phone, "{h}");
    }
    for h in ["区号", "国家代码", "area"] {
        assert_eq!(roster::auto_field(h), Area, "{h}");
    }
    for h in ["单位", "公司", "company"] {
        assert_eq!(roster::auto_field(h), Company, "{h}");
    }
    assert_eq!(roster::auto_field("职务"), Position);
    assert_eq!(roster::auto_field("手机号*"), Phone);
    assert_eq!(roster::auto_field("手机号（必填）"), Phone);
}

#[test]
fn explicit_mapping_and_fixed_values_override() {
    let mut opts = MappingOptions::default();
    opts.overrides.insert("联系方式A".into(), FieldKind::Phone);
    opts.overrides.insert("邮箱".into(), FieldKind::Ignore);
    opts.fixed.insert(FieldKind::Area, "852".into());
    let r = roster::parse_roster(
        "姓名,联系方式A,邮箱\n王五,91234567,w@x.cn\n".as_bytes(),
        &opts,
    )
    .unwrap();
    let a = &r.attendee(0);
    assert_eq!(a.area.as_deref(), Some("852"));
    assert_eq!(a.phone.as_deref(), Some("91234567"));
    assert_eq!(a.email, None);
    assert!(!r.columns[1].auto);
}

#[test]
fn phone_normalisation() {
    use roster::phone::normalize;
    let ok = |raw: &str, area: Option<&str>| normalize(raw, area).unwrap();
    assert_eq!(
        ok("１３８００１３８０００", None),
        ("86".into(), "13800138000".into())
    );
    assert_eq!(
        ok("+86 138-0013-8000", None),
        ("86".into(), "13800138000".into())
    );
    assert_eq!(
        ok("0086 13800138000", None),
        ("86".into(), "13800138000".into())
    );
    assert_eq!(
        ok("+852 9123 4567", None),
        ("852".into(), "91234567".into())
    );
    assert_eq!(
        ok("91234567", Some("+852")),
        ("852".into(), "91234567".into())
    );
    assert_eq!(
        ok("(138) 0013 8000", Some("86")),
        ("86".into(), "13800138000".into())
    );
    let err = |raw: &str, area: Option<&str>| normalize(raw, area).unwrap_err().code.as_str();
    assert_eq!(err("12800138000", None), "phone_area_missing");
    assert_eq!(err("12800138000", Some("86")), "phone_invalid_cn");
    assert_eq!(err("1380013800", Some("86")), "phone_invalid_cn");
    assert_eq!(err("138001380001", Some("86")), "phone_invalid_cn");
    assert_eq!(err("123", Some("44")), "phone_length");
    assert_eq!(ok("1234", Some("44")).1, "1234");
    assert_eq!(ok(&"9".repeat(15), Some("44")).1, "9".repeat(15));
    assert_eq!(err(&"9".repeat(16), Some("44")), "phone_length");
    assert_eq!(err("138abc", None), "phone_invalid");
}

#[test]
fn problems_carry_row_column_and_code() {
    let r = parse(
        "姓名,手机,邮箱\n甲,12345,bad-email\n乙,,\n丙,13800000000,c@d.cn\n丁,13800000000,\n"
            .as_bytes(),
    );
    let find = |row: u32, code: &str| {
        r.problems
            .iter()
            .find(|p| p.row == row && p.code.as_str() == code)
            .unwrap_or_else(|| panic!("row {row} {code}: {:?}", r.problems))
    };
    assert_eq!(
        find(2, "phone_area_missing").column.as_deref(),
        Some("手机")
    );
    assert_eq!(find(2, "email_invalid").column.as_deref(), Some("邮箱"));
    find(3, "no_identifier");
    let dup = find(5, "duplicate");
    assert!(dup.message.en.contains("row 4"));
    assert_eq!(r.rows[3].duplicate_of, Some(4));
    let s = r.summary(&[]);
    assert_eq!((s.rows, s.valid, s.invalid, s.duplicates), (4, 1, 3, 1));
}

#[test]
fn duplicates_by_email_and_userid() {
    let r = parse("name,email,userid\na,X@Y.cn,\nb,x@y.cn,\nc,,u1\nd,,u1\n".as_bytes());
    assert_eq!(r.duplicates(), 2);
}

/// Duplicate keys are hashed where they live in the row: the same answers as comparing owned
/// keys — the first repeated key decides (phone before e-mail before userid), e-mails compare
/// case-insensitively (non-ASCII too), a key is remembered even on a row that repeats another,
/// and equal text under different kinds is no duplicate.
#[test]
fn duplicate_keys_compare_in_place() {
    let r = parse(
        "姓名,手机,邮箱,userid\n\
         a,13800000001,Ärger@Example.cn,u1\n\
         b,13800000002,ärger@example.CN,u2\n\
         c,+86 138-0000-0001,new@x.cn,u3\n\
         d,13800000009,NEW@x.cn,u4\n\
         e,,,13800000001\n\
         f,13800000002,,u1\n"
            .as_bytes(),
    );
    let dup: Vec<(u32, Option<u32>)> = r.rows.iter().map(|x| (x.row, x.duplicate_of)).collect();
    assert_eq!(
        dup,
        [
            (2, None),
            (3, Some(2)), // e-mail, case-folded beyond ASCII
            (4, Some(2)), // the same phone written differently
            (5, Some(4)), // the e-mail row 4 brought in, though row 4 repeated row 2
            (6, None),    // a userid equal to a phone number is not the phone
            (7, Some(3)), // phone (row 3) before userid (row 2)
        ]
    );
    let columns: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.code.as_str() == "duplicate")
        .map(|p| (p.row, p.column.as_deref()))
        .collect();
    assert_eq!(
        columns,
        [
            (3, Some("邮箱")),
            (4, Some("手机")),
            (5, Some("邮箱")),
            (7, Some("手机"))
        ]
    );
}

#[test]
fn destination_checks() {
    let mut r = parse(
        "姓名,手机,邮箱,userid,IM账号\n甲,13800000000,,,\n乙,,b@c.cn,,\n丙,,,u3,\n丁,,,,im4\n"
            .as_bytes(),
    );
    r.check_destinations(&DestinationKind::ALL);
    let s = r.summary(&DestinationKind::ALL);
    // Tencent Meeting needs userid or phone: rows 2 and 4. IM needs an IM account or userid: 4 and 5.
    // 31huiyi needs a mobile or email: 2 and 3.
    assert_eq!(s.destinations["tencent-meeting"], 2);
    assert_eq!(s.destinations["tencent-im"], 2);
    assert_eq!(s.destinations["huiyi31"], 2);
    assert_eq!(s.valid, 0, "no row can go everywhere");
    let one = r.summary(&[DestinationKind::Huiyi31]);
    assert_eq!(one.destinations["huiyi31"], 2);
}

#[test]
fn header_warnings_and_ragged_rows() {
    let r = parse("姓名,,手机,手机\n甲,x,13800000000,13900000000,extra\n乙\n".as_bytes());
    let codes: Vec<&str> = r.problems.iter().map(|p| p.code.as_str()).collect();
    assert!(codes.contains(&"empty_header"));
    assert!(codes.contains(&"duplicate_header"));
    assert!(codes.contains(&"extra_cells"));
    assert!(r
        .problems
        .iter()
        .filter(|p| p.row == 1)
        .all(|p| p.severity == Severity::Warning));
    // The second 手机 column is kept, not mapped twice.
    assert_eq!(r.columns[3].field, FieldKind::Custom);
    assert_eq!(r.rows.len(), 2);
}

#[test]
fn unreadable_files_are_clear_errors() {
    let code = |b: &[u8]| {
        roster::parse_roster(b, &MappingOptions::default())
            .unwrap_err()
            .code
            .as_str()
    };
    assert_eq!(code(b""), "empty_file");
    assert_eq!(code(b"  \n\n"), "empty_file");
    assert_eq!(code(b"\x00\x01\x02\x03binary\x00"), "not_a_spreadsheet");
    // A legacy .xls is read now; a damaged one says it cannot be read.
    assert_eq!(code(b"\xD0\xCF\x11\xE0rest"), "xlsx_unreadable");
    assert_eq!(code(b"PK\x03\x04truncated"), "xlsx_unreadable");
}

#[test]
fn only_headers_and_blank_lines() {
    let r = parse("姓名,手机\n\n\n,,\n".as_bytes());
    assert_eq!(r.rows.len(), 0);
    let many = format!("姓名,手机\n{}甲,13800000000\n", "\n".repeat(100_000));
    let r = parse(many.as_bytes());
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].row, 100_002, "row number as the file shows it");
}

#[test]
fn a_million_empty_lines() {
    let mut bytes = b"name,phone\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'\n', 1_000_000));
    bytes.extend_from_slice(b"a,13800000000\n");
    let r = parse(&bytes);
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].row, 1_000_002);
    // Only blank lines after the header: a roster with no rows, not an error.
    let only = [b"name,phone\n".as_slice(), &vec![b'\n'; 1_000_000]].concat();
    assert_eq!(parse(&only).rows.len(), 0);
}

#[test]
fn mixed_encoding_warns_and_keeps_rows() {
    let mut bytes = "姓名,手机\n".as_bytes().to_vec();
    bytes.extend(gbk("张三,13800000000\n"));
    let r = parse(&bytes);
    // Mostly UTF-8: decoded as UTF-8, the GBK bytes replaced, and the organizer warned.
    assert_eq!(r.encoding, Some(TextEncoding::Utf8));
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.attendee(0).phone.as_deref(), Some("13800000000"));
    assert!(r
        .problems
        .iter()
        .any(|p| p.code.as_str() == "decode_errors"));
}

#[test]
fn xlsx_fixture_made_by_the_test() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "手机号", "邮箱", "饮食偏好"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "张三").unwrap();
    ws.write_number(1, 1, 13800138000.0).unwrap();
    ws.write_string(1, 2, "z@x.cn").unwrap();
    ws.write_string(1, 3, "素食").unwrap();
    ws.write_string(3, 0, "李四").unwrap();
    ws.write_string(3, 1, "bad").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = parse(&bytes);
    assert_eq!(r.format, SourceFormat::Xlsx);
    assert_eq!(
        r.summary(&[]).encoding,
        "xlsx",
        "a workbook shows its format, not a text encoding"
    );
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.attendee(0).phone.as_deref(), Some("13800138000"));
    assert_eq!(r.attendee(0).custom[0].value, "素食");
    assert_eq!(
        r.rows[1].row, 4,
        "spreadsheet row number skips the blank row"
    );
    assert!(r
        .problems
        .iter()
        .any(|p| p.row == 4 && p.code.as_str() == "phone_invalid"));
    // Truncated XLSX: a clear error, not a panic.
    let err =
        roster::parse_roster(&bytes[..bytes.len() / 2], &MappingOptions::default()).unwrap_err();
    assert_eq!(err.code.as_str(), "xlsx_unreadable");
}

#[test]
fn a_50_mb_file_parses() {
    let note = "备注".repeat(75); // 450 bytes of UTF-8
    let mut s = String::from("姓名,手机,备注\n");
    let mut i = 0u64;
    while s.len() < 50 * 1024 * 1024 {
        s.push_str(&format!("用户{i},138{:08},{note}\n", i));
        i += 1;
    }
    let r = parse(s.as_bytes());
    assert_eq!(r.rows.len() as u64, i);
    assert!(r.problems.is_empty());
    assert_eq!(r.attendee(0).custom[0].value, note);
}

#[test]
fn large_file_parses() {
    let mut s = String::from("姓名,手机,邮箱\n");
    let n = 400_000; // ~ 15 MB
    for i in 0..n {
        s.push_str(&format!("用户{i},138{:08},u{i}@example.com\n", i));
    }
    let r = parse(s.as_bytes());
    assert_eq!(r.rows.len(), n);
    assert!(r.problems.is_empty());
}

#[test]
fn planning_respects_batch_sizes_and_caps() {
    let rows: Vec<u32> = (0..10_000).collect();
    let p = plan(DestinationKind::TencentIm, &rows, None);
    assert_eq!(p.batches.len(), 20);
    assert!(p.batches.iter().all(|b| b.len() == 500));
    let p = plan(DestinationKind::TencentMeeting, &rows, Some(4000));
    assert_eq!(p.batches.len(), 4);
    assert_eq!(p.over_cap.len(), 6000);
    assert_eq!(p.over_cap[0], 4000);
    let p = plan(DestinationKind::TencentMeeting, &rows[..2500], Some(4000));
    assert_eq!(
        p.batches.iter().map(Vec::len).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    let p = plan(DestinationKind::Huiyi31, &rows[..3], None);
    assert_eq!(p.batches.len(), 3);
}

#[test]
fn destinations_parse_and_print() {
    use rollcall_core::api::Destination;
    for s in [
        "tencent-meeting:17305428542504531991",
        "tencent-im:@TGS#2J4SZEAEL",
        "huiyi31:demo-event",
        "huiyi31:demo-event:demo-type:demo-ticket",
    ] {
        let d: Destination = s.parse().unwrap();
        assert_eq!(d.to_string(), s);
    }
    assert!("zoom:1".parse::<Destination>().is_err());
    assert!("tencent-im:".parse::<Destination>().is_err());
    assert!("tencent-im:a/../b".parse::<Destination>().is_err());
    assert!("huiyi31:e:t".parse::<Destination>().is_err());
    // Ids become provider URL paths: `.` and `..` would climb out of the webinar's path, and a
    // `#` outside an IM group id would cut the URL short.
    for bad in [
        "tencent-meeting:..",
        "tencent-meeting:.",
        "tencent-im:..",
        "huiyi31:..",
        "huiyi31:e:..:s",
        "tencent-meeting:12#3",
    ] {
        assert!(bad.parse::<Destination>().is_err(), "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = roster::parse_roster(&bytes, &MappingOptions::default());
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = roster::parse_roster(text.as_bytes(), &MappingOptions::default());
    }

    #[test]
    fn valid_rows_round_trip(rows in proptest::collection::vec(("[\u{4e00}-\u{4e50}]{1,4}", 0u32..100_000_000, "[a-z]{1,8}"), 1..40)) {
        let mut csv = String::from("姓名,手机,邮箱\n");
        let mut expected = Vec::new();
        for (i, (name, n, mail)) in rows.iter().enumerate() {
            let phone = format!("13{:09}", u64::from(*n) * 10 + i as u64 % 10);
            let email = format!("{mail}{i}@example.com");
            csv.push_str(&format!("{name},{phone},{email}\n"));
            expected.push((name.clone(), phone, email));
        }
        let r = roster::parse_roster(csv.as_bytes(), &MappingOptions::default()).unwrap();
        let valid: Vec<_> = r.rows.iter().filter(|row| row.duplicate_of.is_none()).collect();
        for (i, (name, phone, email)) in expected.iter().enumerate() {
            let a = r.attendee(i);
            prop_assert_eq!(a.name.as_deref(), Some(name.as_str()));
            prop_assert_eq!(a.phone.as_deref(), Some(phone.as_str()));
            prop_assert_eq!(a.email.as_deref(), Some(email.as_str()));
        }
        prop_assert_eq!(r.invalid_rows(None).len(), r.rows.len() - valid.len());
    }
}

/// A stored (uncompressed) zip of `files`, written by hand so the test controls every byte.
fn stored_zip(files: &[(&str, &str)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, body) in files {
        let (name, body) = (name.as_bytes(), body.as_bytes());
        let offset = out.len() as u32;
        let crc = crc32(body);
        let size = body.len() as u32;
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method 0, time, date
        for v in [crc, size, size] {
            out.extend(v.to_le_bytes());
        }
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
        out.extend(body);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // made by, needed, flags, method, time, date
        for v in [crc, size, size] {
            central.extend(v.to_le_bytes());
        }
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0u8; 12]); // extra, comment, disk, internal and external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// Found by fuzzing: a sheet whose shared-string cell points past a shared-string table that does
/// not exist panicked inside calamine 0.31 (index out of bounds), taking down the proxy's job
/// creation and the browser worker. Now it is a problem with the file, nothing more.
#[test]
fn xlsx_shared_string_out_of_range_is_a_clear_error_not_a_panic() {
    let zip = stored_zip(&[
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<worksheet><sheetData><row><c t="s"><v>0</v></c></row></sheetData></worksheet>"#,
        ),
    ]);
    match rollcall_core::roster::read_table(&zip) {
        Err(e) => assert!(e.code.as_str().starts_with("xlsx"), "{e:?}"),
        // A reader may also treat the dangling reference as an empty cell: no panic either way.
        Ok(t) => assert!(t.rows.is_empty()),
    }
}

/// A CSV written as `style` quotes it.
fn csv_with(rows: &[Vec<String>], style: csv::QuoteStyle) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(style)
        .from_writer(vec![]);
    w.write_record(["姓名", "手机", "邮箱", "备注"]).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Cells are read in place when a record has no quoting and from csv_core's unquoted copy
    /// when it has: the two give the same roster, cell for cell, problem for problem.
    #[test]
    fn quoted_and_unquoted_records_read_the_same(
        rows in proptest::collection::vec(
            proptest::collection::vec("[ a-z0-9@.+\u{4e00}-\u{4e08}\u{3000}\"',-]{0,12}", 4),
            1..20,
        )
    ) {
        let plain = parse(&csv_with(&rows, csv::QuoteStyle::Necessary));
        let quoted = parse(&csv_with(&rows, csv::QuoteStyle::Always));
        prop_assert_eq!(&plain.rows, &quoted.rows);
        prop_assert_eq!(&plain.problems, &quoted.problems);
        for i in 0..plain.rows.len() {
            prop_assert_eq!(plain.attendee(i), quoted.attendee(i));
        }
    }
}

/// The roster the worker hands the page: rows as `{row, cells, duplicate_of?}`, and read back
/// into the same rows.
#[test]
fn roster_rows_keep_their_wire_shape() {
    let r = parse("姓名,手机\n张三, 13800138000 \n李四,13800138000\n".as_bytes());
    let json = serde_json::to_value(&r.rows).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"row": 2, "cells": ["张三", "13800138000"]},
            {"row": 3, "cells": ["李四", "13800138000"], "duplicate_of": 2}
        ])
    );
    let back: roster::Roster = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back.rows.len(), 2);
    let cells: Vec<Vec<&str>> = back.rows.iter().map(|x| x.cells().collect()).collect();
    assert_eq!(cells, [["张三", "13800138000"], ["李四", "13800138000"]]);
    assert_eq!(back.rows[1].duplicate_of, Some(2));
}

/// Rows read back from any JSON of that shape: escaped cells, fields in any order, unknown
/// fields ignored; a row without its number or cells is refused.
#[test]
fn roster_rows_read_back_from_any_field_order() {
    let rows: roster::Rows = serde_json::from_str(
        r#"[{"cells": ["a\"b", "\u5f20三", ""], "extra": {"x": [1]}, "row": 5},
            {"duplicate_of": 5, "row": 6, "cells": ["x"]}]"#,
    )
    .unwrap();
    let got: Vec<(u32, Option<u32>, Vec<&str>)> = rows
        .iter()
        .map(|r| (r.row, r.duplicate_of, r.cells().collect()))
        .collect();
    assert_eq!(
        got,
        [(5, None, vec!["a\"b", "张三", ""]), (6, Some(5), vec!["x"])]
    );
    assert!(serde_json::from_str::<roster::Rows>(r#"[{"cells": ["a"]}]"#).is_err());
    assert!(serde_json::from_str::<roster::Rows>(r#"[{"row": 2}]"#).is_err());
}

/// IM's `Role` is only `Admin` or absent (seed 003: "目前只支持填 Admin"): any other value is a
/// row problem, a normal member is sent without a Role, and a fixed role other than Admin is a
/// problem of the mapping, never sent.
#[test]
fn im_role_is_only_admin_or_absent() {
    let mut opts = MappingOptions::default();
    opts.overrides.insert("角色".into(), FieldKind::Role);
    let r = roster::parse_roster(
        "姓名,IM账号,角色\n甲,a1,Admin\n乙,a2,管理员\n丙,a3,成员\n丁,a4,\n戊,a5,Owner\n".as_bytes(),
        &opts,
    )
    .unwrap();
    let roles: Vec<_> = (0..5)
        .map(|i| r.attendee(i).to_im_member().unwrap().role)
        .collect();
    use rollcall_core::providers::tencent_im::MemberRole;
    assert_eq!(roles[0], Some(MemberRole::Admin));
    assert_eq!(roles[1], Some(MemberRole::Admin));
    assert_eq!(roles[2], None, "a normal member carries no Role");
    assert_eq!(roles[3], None);
    assert!(
        r.problems
            .iter()
            .any(|p| p.row == 6 && p.code.as_str() == "im_role" && p.severity == Severity::Error),
        "{:?}",
        r.problems
    );
    assert_eq!(roles[4], None, "an invalid role is never sent");

    let mut fixed = MappingOptions::default();
    fixed.fixed.insert(FieldKind::Role, "Owner".into());
    let r = roster::parse_roster("姓名,IM账号\n甲,a1\n".as_bytes(), &fixed).unwrap();
    assert!(r
        .problems
        .iter()
        .any(|p| p.row == 1 && p.code.as_str() == "im_role"));
    assert_eq!(r.attendee(0).to_im_member().unwrap().role, None);
    fixed.fixed.insert(FieldKind::Role, "admin".into());
    let r = roster::parse_roster("姓名,IM账号\n甲,a1\n".as_bytes(), &fixed).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(
        r.attendee(0).to_im_member().unwrap().role,
        Some(MemberRole::Admin)
    );
}

/// 31huiyi: a phone outside mainland China carries its country code (`AreaCode`, "+852"); a
/// mainland one does not.
#[test]
fn huiyi31_fields_carry_the_area_code_outside_mainland() {
    let r = parse("姓名,区号,手机\n陈,852,91234567\n张,86,13800138000\n".as_bytes());
    let f0 = r.attendee(0).to_huiyi31_fields();
    let field = |f: &[rollcall_core::providers::huiyi31::Field], n: &str| {
        f.iter()
            .find(|x| x.field_name == n)
            .map(|x| x.field_value.clone())
    };
    assert_eq!(field(&f0, "AreaCode").as_deref(), Some("+852"), "{f0:?}");
    assert_eq!(field(&f0, "Mobile").as_deref(), Some("91234567"));
    let f1 = r.attendee(1).to_huiyi31_fields();
    assert_eq!(field(&f1, "AreaCode"), None, "{f1:?}");
}

/// 31huiyi custom fields (seed 004: "选项型字段需要传code值过来不要传文本过来"): a custom column
/// reaches 31huiyi only under the field code the mapping gives it; an option field's text goes
/// as its option's code; a value the table lacks is a row problem; a column without a code is not
/// sent, with a warning, never guessed from its header.
#[test]
fn huiyi31_custom_columns_go_by_field_code_and_option_code() {
    let mut opts = MappingOptions::default();
    opts.huiyi31.insert(
        "餐饮".into(),
        rollcall_core::roster::Huiyi31Field {
            code: "diet_a1".into(),
            options: [
                ("素食".to_string(), "opt_veg".to_string()),
                ("清真".into(), "opt_halal".into()),
            ]
            .into_iter()
            .collect(),
        },
    );
    opts.huiyi31.insert(
        "部门".into(),
        rollcall_core::roster::Huiyi31Field {
            code: "org_b2".into(),
            options: Default::default(),
        },
    );
    let mut r = roster::parse_roster(
        "姓名,手机,餐饮,部门,备注\n甲,13800000001,素食,研发部,靠窗\n乙,13800000002,烧烤,市场部,\n"
            .as_bytes(),
        &opts,
    )
    .unwrap();
    r.check_destinations(&[rollcall_core::api::DestinationKind::Huiyi31]);
    let f = r.attendee(0).to_huiyi31_fields();
    let by = |n: &str| {
        f.iter()
            .find(|x| x.field_name == n)
            .map(|x| x.field_value.as_str())
    };
    assert_eq!(
        by("diet_a1"),
        Some("opt_veg"),
        "the option's code, not its text: {f:?}"
    );
    assert_eq!(by("org_b2"), Some("研发部"), "a free-text field as written");
    assert_eq!(
        by("备注"),
        None,
        "an unmapped column is not sent under its header"
    );
    assert_eq!(by("餐饮"), None);
    let unknown = r
        .problems
        .iter()
        .find(|p| p.code.as_str() == "huiyi31_option_unknown")
        .expect("a value the table lacks is a problem");
    assert_eq!((unknown.row, unknown.severity), (3, Severity::Error));
    assert!(unknown.message.zh.contains("烧烤") && unknown.message.zh.contains("素食"));
    assert!(r
        .invalid_rows(Some(rollcall_core::api::DestinationKind::Huiyi31))
        .contains(&3));
    assert!(
        !r.invalid_rows(Some(rollcall_core::api::DestinationKind::TencentIm))
            .contains(&3),
        "only 31huiyi is concerned"
    );
    let unmapped = r
        .problems
        .iter()
        .find(|p| p.code.as_str() == "huiyi31_field_unmapped")
        .expect("the unmapped column is named");
    assert_eq!(unmapped.column.as_deref(), Some("备注"));
    assert_eq!(unmapped.severity, Severity::Warning);
}
