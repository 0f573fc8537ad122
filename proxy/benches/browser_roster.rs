//! Each 100k-row fixture (`core/benches/common/fixtures.rs`) parsed and validated in the browser:
//! the UI's web worker (wasm, release build) in headless Chromium, timed by the worker itself
//! (from the bytes received to the roster serialised into the buffer it posts), and as the page
//! sees it (from posting the bytes to the worker to the roster parsed in the page); median of 5
//! runs.
//! `cargo xtask build-ui && cargo bench -p rollcall --bench browser_roster`.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../../core/benches/common/fixtures.rs"]
mod fixtures;
#[path = "../tests/webdriver/mod.rs"]
mod webdriver;

use serde_json::json;

fn main() {
    assert!(
        webdriver::prerequisites(),
        "needs chromium, chromedriver and the built UI (cargo xtask build-ui)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let server = common::spawn(
        &[
            "serve",
            "--sandbox",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            tmp.path().join("data").to_str().unwrap(),
            "--ui-dir",
            webdriver::ui_dir().to_str().unwrap(),
        ],
        &tmp.path().join("proxy.log"),
        "Rollcall is running",
    );
    let d = webdriver::Driver::start(&tmp.path().join("dl"), &tmp.path().join("profile"));
    println!("100k-row rosters in the browser, median of 5 runs (min–max):");
    println!("  fixture     worker (read → roster posted)   page (bytes posted → roster parsed)");
    for (name, _, csv) in fixtures::all() {
        let file = tmp.path().join(format!("{name}.csv"));
        std::fs::write(&file, csv.as_bytes()).unwrap();
        let (mut times, mut page_times) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            d.go(&format!("{}/", server.url));
            let input = d.find("#roster-file");
            d.cmd(
                "POST",
                &format!("/element/{input}/value"),
                json!({"text": file.display().to_string()}),
            );
            let ms = d.wait("parsed", "const e = document.querySelector('#parse-ms'); return e && Number(e.dataset.ms) > 0 && document.querySelector('#row-count').textContent === '100000' ? Number(e.dataset.ms) : null");
            times.push(ms.as_f64().unwrap());
            let page = d.wait("page timing", "const e = document.querySelector('#parse-ms'); return e && Number(e.dataset.pageMs) > 0 ? Number(e.dataset.pageMs) : null");
            page_times.push(page.as_f64().unwrap());
        }
        times.sort_by(f64::total_cmp);
        page_times.sort_by(f64::total_cmp);
        println!(
            "  {name:10} {:6.0} ms ({:.0}–{:.0})              {:6.0} ms ({:.0}–{:.0})",
            times[2], times[0], times[4], page_times[2], page_times[0], page_times[4]
        );
    }
    d.assert_clean("100k rosters");
}
