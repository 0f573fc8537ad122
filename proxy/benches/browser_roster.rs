//! The 100k-row roster parsed and validated in the browser: the UI's web worker (wasm, release
//! build) in headless Chromium, timed by the worker itself, and as the page sees it (from posting
//! the bytes to the worker to the roster parsed in the page: the reply's serialisation, transfer
//! and parsing included); median of 5 runs.
//! `cargo xtask build-ui && cargo bench -p rollcall --bench browser_roster`.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../../core/benches/common/roster_100k.rs"]
#[allow(dead_code)]
mod fixture;
#[path = "../tests/webdriver/mod.rs"]
mod webdriver;

use serde_json::json;

fn main() {
    assert!(
        webdriver::prerequisites(),
        "needs chromium, chromedriver and the built UI (cargo xtask build-ui)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let s = fixture::roster_100k();
    let file = tmp.path().join("roster-100k.csv");
    std::fs::write(&file, s.as_bytes()).unwrap();
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
    d.assert_clean("100k roster");
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    page_times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("100k-row roster in the browser worker (read + decode + parse + validate + destination checks): median {:.0} ms over 5 runs (min {:.0}, max {:.0})", times[2], times[0], times[4]);
    println!("  as the page sees it (bytes posted to the worker → roster parsed in the page): median {:.0} ms (min {:.0}, max {:.0})", page_times[2], page_times[0], page_times[4]);
}
