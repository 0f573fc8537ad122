//! The import wizard with spreadsheets as organizers have them, in real headless Chromium: a
//! workbook's sheet and header row, cells fixed in place, the whole import by keyboard alone,
//! and the progress and results on a phone. Every step fails on a console error or a serious
//! accessibility violation (axe-core); screenshots go to `target/screenshots/`.

mod common;
#[path = "../../core/tests/common/forms.rs"]
mod forms;

mod webdriver;

use std::io::Write;
use std::path::Path;

use serde_json::json;
use webdriver::{prerequisites, sandbox_server, Driver};

const HEADERS: [&str; 4] = ["姓名", "手机号", "邮箱", "IM账号"];

/// Five people, the fourth with a phone too short.
fn people() -> Vec<[String; 4]> {
    (0..5)
        .map(|i| {
            let phone = if i == 3 {
                "1380013".to_string()
            } else {
                format!("1380013800{i}")
            };
            [
                format!("参会者{i}"),
                phone,
                format!("p{i}@example.com"),
                format!("p{i}"),
            ]
        })
        .collect()
}

/// The registration form as an XLSX (a notes sheet, a merged title, a notes row, the header on
/// row 3) and as an ODS (a title, the header on row 2): `core/tests/common/forms.rs`.
fn registration_form(path: &Path, make: fn(&[&str], &[Vec<String>]) -> Vec<u8>) {
    let people: Vec<Vec<String>> = people().into_iter().map(|p| p.to_vec()).collect();
    std::fs::write(path, make(&HEADERS, &people)).unwrap();
}

/// A legacy Excel file (BIFF8 in an OLE2 compound file, as Excel 97–2003 saves it): a title
/// row, the header, the people — text cells as UTF-16 `LABEL` records.
fn registration_form_xls(path: &Path) {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend(typ.to_le_bytes());
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
    }
    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }
    // BOF: BIFF8, then the substream's type (5 the workbook globals, 16 a worksheet).
    let bof = |dt: u16| [&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0u8; 12]].concat();
    let mut rows = vec![vec!["2026 年度客户大会报名表".to_string()]];
    rows.push(HEADERS.map(String::from).to_vec());
    rows.extend(people().into_iter().map(|p| p.to_vec()));
    let mut sheet = Vec::new();
    record(&mut sheet, 0x0809, &bof(0x0010));
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let mut label = Vec::new();
            label.extend((r as u16).to_le_bytes());
            label.extend((c as u16).to_le_bytes());
            label.extend(0u16.to_le_bytes());
            label.extend((v.encode_utf16().count() as u16).to_le_bytes());
            label.push(1); // UTF-16
            label.extend(utf16(v));
            record(&mut sheet, 0x0204, &label);
        }
    }
    record(&mut sheet, 0x000A, &[]);
    let name = "名单";
    let bound = |at: u32| {
        let mut b = at.to_le_bytes().to_vec();
        b.extend([0, 0, name.encode_utf16().count() as u8, 1]);
        b.extend(utf16(name));
        b
    };
    // The globals, with the sheet's offset in the stream (known once the globals' size is).
    let globals = |at: u32| {
        let mut g = Vec::new();
        record(&mut g, 0x0809, &bof(0x0005));
        record(&mut g, 0x0042, &1200u16.to_le_bytes()); // CodePage: UTF-16
        record(&mut g, 0x0085, &bound(at));
        record(&mut g, 0x000A, &[]);
        g
    };
    let at = globals(0).len() as u32;
    let stream = [globals(at), sheet].concat();
    let mut file = cfb::create(path).unwrap();
    let mut s = file.create_stream("/Workbook").unwrap();
    s.write_all(&stream).unwrap();
    drop(s);
    file.flush().unwrap();
}

/// A browser on the import screen with `file` chosen, its roster of `rows` rows read.
fn open_with(tmp: &tempfile::TempDir, server: &common::Proc, file: &Path, rows: usize) -> Driver {
    let d = Driver::start(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    d.go(&format!("{}/", server.url));
    d.wait(
        "identity",
        "return document.querySelector('#identity').textContent.includes('dev')",
    );
    // The file input takes its file as the keyboard would give it (the chooser is the OS's).
    d.upload("#roster-file", file);
    d.wait_roster(rows);
    d
}

/// `text` as a CSV file named `name` in `tmp`.
fn csv_file(tmp: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = tmp.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The preview's rows drawn (its code arrives as its own chunk).
fn wait_preview(d: &Driver, rows: usize) {
    d.wait(
        "the preview drawn",
        &format!(
            "return document.querySelectorAll('#preview tbody tr[data-row]').length === {rows}"
        ),
    );
}

/// A workbook with a title, notes and two sheets: the people's sheet and its header are found,
/// the row numbers are the spreadsheet's, and the sheet and the header row can be changed.
/// An ODS and a legacy XLS file are read the same way.
#[test]
fn the_sheet_and_header_row_are_found_and_can_be_changed() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let xlsx = tmp.path().join("报名表.xlsx");
    registration_form(&xlsx, forms::registration_form_xlsx);
    let d = open_with(&tmp, &server, &xlsx, 5);
    d.wait(
        "the sheet and header said",
        "const e = document.querySelector('#sheet-said'); return e && e.textContent.includes('报名表') && e.textContent.includes('第 3 行')",
    );
    assert_eq!(d.text("#invalid-count"), "1");
    wait_preview(&d, 5);
    // Row numbers as the spreadsheet shows them: the short phone is on row 7.
    let bad_row = d.js(
        "return document.querySelector('#preview tr.invalid').dataset.row",
        json!([]),
    );
    assert_eq!(bad_row, "7");
    let sheets = d.js(
        "return [...document.querySelectorAll('#sheet option')].map(o => o.value + (o.selected ? '*' : '')).join(',')",
        json!([]),
    );
    assert_eq!(sheets, "填写说明,报名表*");
    d.assert_clean("a workbook read");
    d.shot("20-workbook-sheet-and-header");

    // A header row past the sheet's end: said, and the picker stays to choose again.
    d.type_into("#header-row", "99");
    d.js(
        "document.querySelector('#header-row').dispatchEvent(new Event('change', {bubbles: true}))",
        json!([]),
    );
    d.wait(
        "the empty header row refused",
        "const e = document.querySelector('#parse-error'); return e && e.textContent.includes('99')",
    );
    d.find("#header-row");
    // The header one row lower: the first person becomes the header, four rows remain.
    d.type_into("#header-row", "4");
    d.js(
        "document.querySelector('#header-row').dispatchEvent(new Event('change', {bubbles: true}))",
        json!([]),
    );
    d.wait_roster(4);
    // The other sheet, as chosen.
    d.select("#sheet", "填写说明");
    d.wait(
        "the notes sheet read",
        "const e = document.querySelector('#sheet-said'); return e && e.textContent.includes('填写说明')",
    );
    d.assert_clean("another sheet");

    // An OpenDocument file: the header found below its title.
    let ods = tmp.path().join("名单.ods");
    registration_form(&ods, forms::registration_form_ods);
    d.upload("#roster-file", &ods);
    d.wait(
        "the ODS file read",
        "const e = document.querySelector('#sheet-said'); return e && e.textContent.includes('名单') && e.textContent.includes('第 2 行')",
    );
    d.wait_roster(5);
    assert_eq!(d.text("#invalid-count"), "1");
    d.assert_clean("an ODS file read");

    // A legacy .xls from a partner: the same.
    let xls = tmp.path().join("合作方名单.xls");
    registration_form_xls(&xls);
    d.upload("#roster-file", &xls);
    d.wait(
        "the XLS file read",
        "const e = document.querySelector('#encoding'); return e && e.textContent === 'xls'",
    );
    d.wait_roster(5);
    assert!(
        d.text("#sheet-said").contains("第 2 行"),
        "{}",
        d.text("#sheet-said")
    );
    assert_eq!(d.text("#invalid-count"), "1");
    d.assert_clean("an XLS file read");
}

/// A bad cell fixed where it is shown, a column's find-and-replace with the count first, the
/// one-click fix; the job sends the edited values and says how many cells were changed.
#[test]
fn cells_are_fixed_in_place_and_the_job_records_them() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let csv = csv_file(
        &tmp,
        "名单.csv",
        "姓名,手机号,邮箱,公司,IM账号\n张三,13800138000,zs@example.com,示例公司,zs\n李四,1380013,ls@example.com,示例公司,ls\n王五,13900139000,ww @example.com,示例公司,ww\n",
    );
    let d = open_with(&tmp, &server, &csv, 3);
    wait_preview(&d, 3);
    assert_eq!(d.text("#invalid-count"), "2");

    // The short phone, typed over where it is shown: the row is checked again as it is typed.
    d.type_into("#preview tr[data-row='3'] input.cell-edit", "13800138001");
    d.wait(
        "row 3 valid again",
        "const r = document.querySelector(\"#preview tr[data-row='3']\"); return r && !r.classList.contains('invalid') && r.querySelectorAll('li.err').length === 0",
    );
    assert_eq!(d.text("#invalid-count"), "1");
    assert_eq!(d.text("#edited-count"), "1");

    // The column tools: the e-mail column's one-click fix (the space), counted first.
    d.click("#column-tools summary");
    d.select("#tool-column", "2");
    d.wait(
        "one cell to fix",
        "return document.querySelector('#fix-count').textContent.includes('1 个单元格')",
    );
    d.click("#fix-apply");
    d.wait(
        "every row valid",
        "return document.querySelector('#invalid-count').textContent === '0'",
    );
    // Find and replace in the company column: the count before anything changes.
    d.select("#tool-column", "3");
    d.type_into("#tool-find", "示例");
    d.type_into("#tool-replace", "样例");
    d.wait(
        "three cells counted",
        "return document.querySelector('#replace-count').textContent.includes('3')",
    );
    assert_eq!(
        d.text("#edited-count"),
        "2",
        "nothing replaced before the click"
    );
    d.click("#replace-apply");
    d.wait(
        "five cells edited",
        "return document.querySelector('#edited-count').textContent === '5'",
    );
    // Edited cells stay inputs, showing the new values.
    let companies = d.js(
        "return [...document.querySelectorAll('#preview input.cell-edit[data-column=\"3\"]')].map(i => i.value).join(',')",
        json!([]),
    );
    assert_eq!(companies, "样例公司,样例公司,样例公司");
    d.assert_clean("cells fixed in place");
    d.shot("21-fixed-in-place");

    // Sent: the job says how many cells were changed, the results carry the new values.
    d.click("#dest-huiyi31-on");
    d.wait(
        "every row qualifies",
        "return [...document.querySelectorAll('.qualify')].some(e => e.textContent === '3')",
    );
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    assert!(
        d.text("#job-edited").contains("5"),
        "{}",
        d.text("#job-edited")
    );
    d.wait(
        "the results",
        "const e = document.querySelector('#results'); return e && e.textContent.includes('13800138001') && e.textContent.includes('ww@example.com')",
    );
    d.assert_clean("a job with edited cells");
}

/// The whole import by keyboard alone: from the file to the finished job, every control reached
/// with Tab and worked with Space or Enter, the focus visible on each; the progress announced
/// (a live region).
#[test]
fn the_whole_import_works_by_keyboard_alone() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let csv = csv_file(
        &tmp,
        "名单.csv",
        "姓名,手机号,邮箱\n张三,13800138000,zs@example.com\n李四,13900139000,ls@example.com\n",
    );
    let d = open_with(&tmp, &server, &csv, 2);
    wait_preview(&d, 2);
    // Tab until `id` has the focus, checking the focus is visible at every stop.
    let tab_to = |id: &str| {
        for _ in 0..200 {
            d.press("\u{E004}");
            let at = d.js(
                "const e = document.activeElement; if (e === document.body) return ['', true]; const s = getComputedStyle(e); return [e.id || e.outerHTML.slice(0, 80), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2]",
                json!([]),
            );
            assert_eq!(at[1], true, "the focus is not visible on {at}");
            if at[0] == id {
                return;
            }
        }
        panic!("{id} cannot be reached with Tab");
    };
    tab_to("dest-huiyi31-on");
    d.press("\u{E00D}");
    d.wait(
        "the destination chosen",
        "return document.querySelector('#dest-huiyi31-on').checked",
    );
    tab_to("start");
    d.press("\u{E007}");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    let live = d.js(
        "return document.querySelector('#job-progress').getAttribute('aria-live')",
        json!([]),
    );
    assert_eq!(live, "polite", "progress is announced");
    d.assert_clean("an import by keyboard");
}

/// On a phone (375 px, WeCom's in-app browser): the jobs list, a job's progress and its results
/// are usable without scrolling the page sideways; the wide results table scrolls in its own
/// box.
#[test]
fn jobs_progress_and_results_fit_a_phone() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let c = common::Client::new(&server.url, None);
    let (headers, rows) = common::roster_csv(30);
    let r = c.post(
        "/api/jobs",
        &json!({"headers": headers, "rows": rows, "destinations": ["huiyi31:demo-event:demo-type:demo-ticket"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.wait_job(&id, std::time::Duration::from_secs(60));
    let d = Driver::start_phone(&tmp.path().join("downloads"), &tmp.path().join("profile"));
    let fits = |what: &str| {
        let widths = d.js(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            json!([]),
        );
        assert_eq!(widths[1], 375, "the phone's width");
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{what}: the page scrolls sideways ({widths})"
        );
    };
    d.go(&format!("{}/#/jobs", server.url));
    d.wait(
        "the jobs list",
        &format!("return document.querySelector('[data-job=\"{id}\"]') !== null"),
    );
    fits("the jobs list");
    d.assert_clean("the jobs list on a phone");
    d.shot("22-phone-jobs");
    d.click(&format!("[data-job=\"{id}\"] button"));
    d.wait(
        "the job's results",
        "return document.querySelectorAll('#results tbody tr').length > 0",
    );
    fits("a job's progress and results");
    // The results table is wider than the phone: it scrolls inside its own box.
    let boxed = d.js(
        "const t = document.querySelector('#results table') || document.querySelector('#results'); const w = t.closest('.table-wrap'); return w !== null && getComputedStyle(w).overflowX === 'auto'",
        json!([]),
    );
    assert_eq!(boxed, true);
    d.assert_clean("a job on a phone");
    d.shot("23-phone-job-results");
}

/// Remembered mappings and guesses: a kept mapping whose headers fit the file is offered (best
/// first) and applied only when chosen; an unknown header shows the field it resembles, never
/// applied on its own; the mapping is kept for next time.
#[test]
fn kept_mappings_are_offered_and_guesses_never_applied_silently() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let c = common::Client::new(&server.url, None);
    let kept = c.post(
        "/api/mappings",
        &json!({"name": "年会报名表", "headers": ["参会人", "联系手机", "邮箱", "IM账号"],
                "mapping": {"overrides": {"联系手机": "phone"}, "fixed": {"area": "86"}}}),
    );
    assert_eq!(kept.status, 200, "{}", kept.body);
    let csv = csv_file(
        &tmp,
        "报名.csv",
        "参会人,联系手机,邮箱,IM账号\n张三,13800138000,zs@example.com,zs\n李四,13900139000,ls@example.com,ls\n",
    );
    let d = open_with(&tmp, &server, &csv, 2);
    // The unknown header: its likely field shown with the confidence, the column left as it was.
    d.wait(
        "a guess for 联系手机",
        "return document.querySelector('.guess[data-field=phone]') !== null",
    );
    assert_eq!(
        d.js("return document.querySelector('#map-1').value", json!([])),
        "custom"
    );
    // The kept mapping, offered with its fit; applied when chosen.
    d.wait(
        "the kept mapping offered",
        "const o = document.querySelector('#saved-mapping option'); return o && o.textContent.includes('年会报名表') && o.textContent.includes('100%')",
    );
    d.assert_clean("a kept mapping offered");
    d.shot("24-kept-mapping-offered");
    d.click("#use-mapping");
    d.wait(
        "the phone column mapped",
        "const s = document.querySelector('#map-1'); return s && s.value === 'phone'",
    );
    assert_eq!(
        d.js(
            "return document.querySelector('#fixed-area').value",
            json!([])
        ),
        "86"
    );
    // Kept under a new name for next time.
    d.type_into("#mapping-name", "年会报名表 2");
    d.click("#save-mapping");
    d.wait(
        "kept",
        "const e = document.querySelector('#mapping-said'); return e && e.textContent.includes('年会报名表 2')",
    );
    let all = c.get("/api/mappings").json();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"年会报名表 2"), "{names:?}");
    d.assert_clean("a mapping kept");
}

#[test]
fn a_large_file_is_drawn_as_it_is_scrolled_and_filtered_at_once() {
    if !prerequisites() {
        return;
    }
    // 30,000 people; every 1,000th with a phone too short; one, far down, findable by name.
    const ROWS: usize = 30_000;
    let mut text = String::from("姓名,手机号,邮箱,IM账号\n");
    for i in 0..ROWS {
        let name = if i == 27_182 {
            "要找的人".to_string()
        } else {
            format!("参会者{i}")
        };
        let phone = if i % 1_000 == 999 {
            "1380013".to_string()
        } else {
            format!("139{i:08}")
        };
        text.push_str(&format!("{name},{phone},p{i}@example.com,p{i}\n"));
    }
    let (tmp, server) = sandbox_server();
    let file = csv_file(&tmp, "large.csv", &text);
    let d = open_with(&tmp, &server, &file, ROWS);
    let drawn = || {
        d.js(
            "return [...document.querySelectorAll('#preview tbody tr[data-row]')].map(r => Number(r.dataset.row))",
            json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect::<Vec<_>>()
    };
    // Only what the scroll box shows (and a margin) is in the page; the box is as tall as all.
    d.wait(
        "the first rows drawn",
        "return document.querySelector(\"#preview tr[data-row='2']\") !== null",
    );
    let first = drawn();
    assert!(
        (10..=60).contains(&first.len()),
        "rows drawn: {}",
        first.len()
    );
    assert_eq!(first[0], 2);
    let height = d.js(
        "return document.querySelector('.table-wrap.rows').scrollHeight",
        json!([]),
    );
    assert!(
        height.as_f64().unwrap() > (ROWS * 25) as f64,
        "scroll height {height}"
    );
    // The summary came first, timed by the page's own marks.
    let marks = d.js(
        "return [Number(document.querySelector('#roster-summary').dataset.dropMs), performance.getEntriesByName('rollcall:summary', 'measure').length]",
        json!([]),
    );
    assert!(marks[0].as_f64().unwrap() > 0.0 && marks[1] == 1, "{marks}");
    // Scrolled to the end: the last rows are drawn, in view, and the first ones are gone.
    d.js(
        "const b = document.querySelector('.table-wrap.rows'); b.scrollTop = b.scrollHeight;",
        json!([]),
    );
    let last = ROWS as u64 + 1;
    d.wait(
        "the last row drawn and in view",
        &format!("const b = document.querySelector('.table-wrap.rows').getBoundingClientRect(); const r = document.querySelector(\"#preview tr[data-row='{last}']\"); if (!r) return false; const q = r.getBoundingClientRect(); return q.bottom <= b.bottom + 1 && q.top >= b.top"),
    );
    let end = drawn();
    assert!(end.len() <= 60 && !end.contains(&2), "{end:?}");
    assert!(
        end.windows(2).all(|w| w[1] == w[0] + 1),
        "contiguous rows {end:?}"
    );
    d.assert_clean("scrolled to the end");
    // A search answers over every row: the one person, wherever they are, back at the top.
    d.type_into("#row-search", "要找的人");
    d.wait("the search's one row", "const r = document.querySelectorAll('#preview tbody tr[data-row]'); return r.length === 1 && r[0].dataset.row === '27184'");
    assert!(
        d.text("#shown-count").contains("1 / 30000"),
        "{}",
        d.text("#shown-count")
    );
    // Problems only: the thirty short phones, each with its message.
    d.js("const i = document.querySelector('#row-search'); i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true}));", json!([]));
    d.wait(
        "every row again",
        "return document.querySelector('#shown-count').textContent.includes('30000 / 30000')",
    );
    d.click("#filter-problems");
    d.wait(
        "the rows with a problem",
        "return document.querySelectorAll('#preview tbody tr[data-row]').length === 30",
    );
    let rows = drawn();
    assert_eq!(rows[0], 1_001, "row 1,001 holds the 1,000th person");
    assert!(rows.iter().all(|r| (r - 1) % 1_000 == 0), "{rows:?}");
    let answers = d.js(
        "return [Number(document.querySelector('#preview').dataset.filterMs), performance.getEntriesByName('rollcall:shown', 'measure').length]",
        json!([]),
    );
    assert!(
        answers[0].as_f64().unwrap() > 0.0 && answers[1].as_u64().unwrap() >= 2,
        "{answers}"
    );
    d.js(
        "document.querySelector('.table-wrap.rows').scrollIntoView({block: 'end'})",
        json!([]),
    );
    d.shot("25-large-file");
    d.assert_clean("problems only on a large file");
}

#[test]
fn each_file_is_read_into_the_screen_shown_and_a_superseded_one_is_dropped() {
    if !prerequisites() {
        return;
    }
    let (tmp, server) = sandbox_server();
    let people = |n: usize, tag: &str| {
        let mut text = String::from("姓名,手机号,邮箱,IM账号\n");
        for i in 0..n {
            text.push_str(&format!(
                "{tag}{i},139{i:08},{tag}{i}@example.com,{tag}{i}\n"
            ));
        }
        text
    };
    let first = csv_file(&tmp, "first.csv", &people(5, "甲"));
    let d = open_with(&tmp, &server, &first, 5);
    // Away to another screen and back: the worker (started on the first visit) answers the
    // import screen shown now.
    d.go(&format!("{}/#/jobs", server.url));
    d.find("#jobs-h");
    d.go(&format!("{}/#/", server.url));
    d.upload(
        "#roster-file",
        &csv_file(&tmp, "second.csv", &people(3, "乙")),
    );
    d.wait_roster(3);
    wait_preview(&d, 3);
    // A large file, then at once a small one: only the small one is shown, never rows of the
    // large one (its summary and pages, still coming, are dropped).
    d.upload(
        "#roster-file",
        &csv_file(&tmp, "large.csv", &people(60_000, "丙")),
    );
    d.upload(
        "#roster-file",
        &csv_file(&tmp, "small.csv", &people(2, "丁")),
    );
    d.wait_roster(2);
    wait_preview(&d, 2);
    // Long enough for the large file's read and every page to have come and gone.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(d.text("#row-count"), "2");
    let rows = d.js(
        "return [...document.querySelectorAll('#preview tbody tr[data-row]')].map(r => r.textContent)",
        json!([]),
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.as_str().unwrap().contains('丁')),
        "{rows:?}"
    );
    assert!(
        d.text("#shown-count").contains("2 / 2"),
        "{}",
        d.text("#shown-count")
    );
    d.assert_clean("a superseded file");
}
