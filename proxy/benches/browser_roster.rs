//! Each 100k-row fixture (`core/benches/common/fixtures.rs`) dropped on the import screen in
//! headless Chromium (release wasm, the UI's web worker) as a person would — the pointer on the
//! file input first (the worker starts loading), then the file — timed by the page's own
//! performance marks: the file's change event → the frame showing its summary; the worker's own time (bytes
//! received → summary posted); bytes posted → every row in the page; and the preview's answer to
//! a search, "problems only" and "all" (the event → the frame showing the rows). Median of 5.
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
    println!("100k-row rosters in the browser, median of 5 runs (min–max), ms:");
    println!(
        "  {:10} {:>18} {:>18} {:>18} {:>18} {:>18} {:>18}",
        "fixture",
        "drop → summary",
        "worker",
        "every row in",
        "search",
        "problems only",
        "all rows"
    );
    for (name, _, csv) in fixtures::all() {
        let file = tmp.path().join(format!("{name}.csv"));
        std::fs::write(&file, csv.as_bytes()).unwrap();
        let mut times: [Vec<f64>; 6] = Default::default();
        let (mut read, mut to_worker) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            d.go(&format!("{}/", server.url));
            // As a person: the pointer reaches the file input (the worker starts loading), and
            // choosing the file in the system's dialog takes longer than the worker's start.
            d.hover("#roster-file");
            d.wait("the worker listening", "return performance.getEntriesByType('resource').some(r => r.name.includes('worker_loader'))");
            std::thread::sleep(std::time::Duration::from_millis(500));
            let input = d.find("#roster-file");
            d.cmd(
                "POST",
                &format!("/element/{input}/value"),
                json!({"text": file.display().to_string()}),
            );
            // The page's own marks: the file's change event → the frame showing the summary.
            let drop = d.wait("the summary", "const e = document.querySelector('#roster-summary'); return e && Number(e.dataset.dropMs) > 0 ? Number(e.dataset.dropMs) : null");
            let worker = d.wait("the worker's time", "const e = document.querySelector('#parse-ms'); return e && Number(e.dataset.ms) > 0 ? Number(e.dataset.ms) : null");
            let rows_in = d.wait("every row", "const e = document.querySelector('#parse-ms'); return document.querySelector('#row-count').textContent === '100000' && Number(e.dataset.pageMs) > 0 && document.querySelector('#preview tbody tr[data-row]') ? Number(e.dataset.pageMs) : null");
            let steps = d.js("const t = n => performance.getEntriesByName(n, 'mark').at(-1).startTime; return [t('rollcall:read') - t('rollcall:drop'), t('rollcall:posted') - t('rollcall:read')]", json!([]));
            read.push(steps[0].as_f64().unwrap());
            to_worker.push(steps[1].as_f64().unwrap());
            times[0].push(drop.as_f64().unwrap());
            times[1].push(worker.as_f64().unwrap());
            times[2].push(rows_in.as_f64().unwrap());
            // A filter or search → the frame showing its rows (the `rollcall:shown` measure).
            let answer = |script: &str| {
                let before = d.js(
                    "return performance.getEntriesByName('rollcall:shown', 'measure').length",
                    json!([]),
                );
                d.js(script, json!([]));
                d.wait(
                    "the preview's answer",
                    &format!("const m = performance.getEntriesByName('rollcall:shown', 'measure'); return m.length > {before} ? m[m.length - 1].duration : null"),
                )
                .as_f64()
                .unwrap()
            };
            let search = |q: &str| {
                format!("const i = document.querySelector('#row-search'); i.value = '{q}'; i.dispatchEvent(new Event('input', {{bubbles: true}}));")
            };
            times[3].push(answer(&search("8888")));
            answer(&search(""));
            times[4].push(answer("document.querySelector('#filter-problems').click()"));
            times[5].push(answer(
                "document.querySelector('input[name=filter]').click()",
            ));
        }
        let cells: Vec<String> = times
            .iter_mut()
            .map(|t| {
                t.sort_by(f64::total_cmp);
                format!("{:.0} ({:.0}–{:.0})", t[2], t[0], t[4])
            })
            .collect();
        println!(
            "  {name:10} {:>18} {:>18} {:>18} {:>18} {:>18} {:>18}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
        );
        read.sort_by(f64::total_cmp);
        to_worker.sort_by(f64::total_cmp);
        println!(
            "  {:10} of drop → summary: the file read {:.0}, then to the worker {:.0}",
            "", read[2], to_worker[2]
        );
    }
    d.assert_clean("100k rosters");
}
