//! Browser tests: real headless Chromium (Debian's chromium + chromedriver) driving the built UI
//! served by `rollcall serve --sandbox`. Every step fails on any browser console error; each
//! screen is saved as a screenshot under `target/screenshots/`.
//!
//! Needs the trunk-built UI (`cargo xtask build-ui`). `cargo xtask test` sets
//! ROLLCALL_BROWSER_TESTS=1, which makes a missing browser or UI a failure; a plain
//! `cargo test` without them prints why it skipped.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn ui_dir() -> PathBuf {
    std::env::var_os("ROLLCALL_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("dist"))
}

/// Returns false (after saying why) when the prerequisites are missing and not required.
fn prerequisites() -> bool {
    let required = std::env::var("ROLLCALL_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromedriver"),
    ]
    .into_iter()
    .filter(|(p, _)| !Path::new(p).exists())
    .map(|(_, n)| n)
    .chain((!ui_dir().join("index.html").exists()).then_some("the built UI (cargo xtask build-ui)"))
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(!required, "browser tests required but missing: {missing:?}");
    eprintln!("browser tests SKIPPED: missing {missing:?} (run `cargo xtask test`)");
    false
}

struct Driver {
    http: reqwest::blocking::Client,
    base: String,
    session: String,
    _process: std::process::Child,
    shots: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self._process.kill();
        let _ = self._process.wait();
    }
}

impl Driver {
    fn start(downloads: &Path, profile: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = std::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())],
                "prefs": {"download.default_directory": downloads.display().to_string(), "download.prompt_for_download": false}
            }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        let shots = workspace().join("target/screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        let d = Driver {
            http,
            base,
            session,
            _process: process,
            shots,
        };
        // Let headless Chrome save downloads.
        d.cmd("POST", "/chromium/send_command", json!({"cmd": "Page.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads.display().to_string()}}));
        d
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let rb = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = rb.send().unwrap().json().unwrap();
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn js(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    fn wait(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.js(script, json!([]));
            if !v.is_null() && v != json!(false) && v.get("error").is_none() {
                return v;
            }
            if start.elapsed() > Duration::from_secs(60) {
                self.shot("timeout");
                panic!("timed out waiting for {what}; errors: {:?}", self.errors());
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn find(&self, css: &str) -> String {
        self.wait(
            css,
            &format!("return document.querySelector({css:?}) !== null"),
        );
        let v = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), json!({}));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            json!({"text": text}),
        );
    }

    fn select(&self, css: &str, value: &str) {
        self.find(css);
        self.js("const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true}));", json!([css, value]));
    }

    fn text(&self, css: &str) -> String {
        self.find(css);
        self.js(
            "return document.querySelector(arguments[0]).textContent",
            json!([css]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    fn shot(&self, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", Value::Null);
        if let Some(s) = b64.as_str() {
            std::fs::write(
                self.shots.join(format!("{name}.png")),
                base64::engine::general_purpose::STANDARD.decode(s).unwrap(),
            )
            .unwrap();
        }
    }

    /// Errors from the page (start-up guard in index.html) and the browser log (incl. workers).
    fn errors(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .js(
                "return window.__rollcallErrors || ['no error collector: the page did not load']",
                json!([]),
            )
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let log = self.cmd("POST", "/se/log", json!({"type": "browser"}));
        for entry in log.as_array().cloned().unwrap_or_default() {
            if entry["level"] == "SEVERE" {
                out.push(entry["message"].as_str().unwrap_or_default().to_string());
            }
        }
        out
    }

    fn assert_clean(&self, step: &str) {
        let errors = self.errors();
        assert!(errors.is_empty(), "console errors after {step}: {errors:?}");
    }
}

fn wait_file(dir: &Path, name: &str) -> Vec<u8> {
    let start = Instant::now();
    loop {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            if !b.is_empty() {
                return b;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{name} was not downloaded into {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn organizer_workflow_in_chromium() {
    if !prerequisites() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let server = common::spawn(
        &[
            "serve",
            "--sandbox",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            tmp.path().join("data").to_str().unwrap(),
            "--ui-dir",
            ui_dir().to_str().unwrap(),
        ],
        &tmp.path().join("proxy.log"),
        "Rollcall is running",
    );
    let url = format!("{}/", server.url);
    let d = Driver::start(&downloads, &tmp.path().join("profile"));

    // First screen: Chinese, sandbox banner, the app really rendered.
    d.go(&url);
    assert_eq!(d.text("#app-title"), "Rollcall 名单同步");
    d.find("#sandbox-banner");
    d.wait(
        "identity",
        "return document.querySelector('#identity').textContent.includes('dev')",
    );
    d.assert_clean("first load");
    d.shot("01-import");

    // Language toggle, remembered across a reload.
    d.click("#lang-toggle");
    assert_eq!(d.text("#app-title"), "Rollcall roster sync");
    d.go(&url);
    assert_eq!(d.text("#app-title"), "Rollcall roster sync");
    assert_eq!(
        d.js("return document.documentElement.lang", json!([])),
        "en"
    );
    d.shot("02-english");
    d.click("#lang-toggle");
    assert_eq!(d.text("#app-title"), "Rollcall 名单同步");

    // The template really downloads.
    d.click("#template");
    let template = wait_file(&downloads, "rollcall-template.csv");
    assert!(String::from_utf8(template)
        .unwrap()
        .starts_with("\u{feff}姓名,手机号"));

    // Import a GBK CSV with bad rows: problems shown on their cells, excluded, job to 100 %.
    let csv = "姓名,手机号,邮箱,IM账号\n张三,13800138000,zhang@example.com,zhangsan\n李四,139-0013-9000,li@example.com,lisi\n王五,12345,wang@example,wangwu\n赵六,13800138000,zhao@example.com,zhaoliu\n钱七,+86 137 0013 7000,qian@example.com,qianqi\n";
    let file = tmp.path().join("名单-gbk.csv");
    std::fs::write(&file, encoding_rs::GBK.encode(csv).0).unwrap();
    let input = d.find("#roster-file");
    d.cmd(
        "POST",
        &format!("/element/{input}/value"),
        json!({"text": file.display().to_string()}),
    );
    d.wait("parsed roster", "return document.querySelector('#row-count') && document.querySelector('#row-count').textContent === '5'");
    assert_eq!(d.text("#encoding"), "gbk");
    assert_eq!(d.text("#invalid-count"), "2");
    let bad_cells = d
        .js(
            "return document.querySelectorAll('#preview td.bad').length",
            json!([]),
        )
        .as_u64()
        .unwrap();
    assert!(
        bad_cells >= 3,
        "bad phone, bad email and the duplicate are marked on their cells ({bad_cells})"
    );
    assert!(d.text("#preview").contains("李四"), "rows decoded from GBK");
    d.click("#filter-problems");
    d.wait(
        "problems filter",
        "return document.querySelectorAll('#preview tbody tr').length === 2",
    );
    d.shot("03-import-problems");
    d.click("#exclude-invalid");
    d.click("#dest-tencent-im-on");
    d.click("#dest-huiyi31-on");
    d.wait("qualifying counts", "return [...document.querySelectorAll('.qualify')].map(e => e.textContent).join(',') === '3,3,3'");
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    d.find("#results");
    assert_eq!(d.js("return [...document.querySelectorAll('#job-progress .pct')].map(e => e.textContent).join(',')", json!([])), "100%,100%");
    d.assert_clean("import");
    d.js(
        "document.querySelector('#job-progress').scrollIntoView()",
        json!([]),
    );
    d.shot("04-import-results");
    d.click("#dl-results");
    let files = || {
        std::fs::read_dir(&downloads)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect::<Vec<_>>()
    };
    let start = Instant::now();
    let name = loop {
        if let Some(n) = files().into_iter().find(|n| n.ends_with("-results.csv")) {
            break n;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "results CSV not downloaded: {:?}",
            files()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let results = String::from_utf8(wait_file(&downloads, &name)).unwrap();
    assert!(results.starts_with('\u{feff}'));
    assert_eq!(
        results.matches(",imported,").count(),
        6,
        "3 rows × 2 destinations imported:\n{results}"
    );

    // Create a webinar, fixing a validation error on the way.
    d.go(&format!("{url}#/webinar"));
    d.type_into("#subject", "年度客户大会");
    d.select("#admission_type", "2");
    d.wait(
        "password error",
        "return document.querySelector('[data-code=password_required]') !== null",
    );
    assert_eq!(
        d.js(
            "return document.querySelector('#create-webinar').disabled",
            json!([])
        ),
        true
    );
    d.shot("05-webinar-error");
    d.type_into("#password", "2468");
    d.wait(
        "no problems",
        "return document.querySelector('#create-webinar').disabled === false",
    );
    d.click("#create-webinar");
    d.wait(
        "created",
        "return document.querySelector('#webinar-created') !== null",
    );
    assert!(d.text("#webinar-created").contains("2468"));
    d.assert_clean("webinar");
    d.shot("06-webinar-created");

    // Browse WeCom enrollments with a status filter.
    d.go(&format!("{url}#/enrollments"));
    d.select("#enr-status", "3");
    d.click("#enr-load");
    d.wait(
        "enrollments",
        "return document.querySelectorAll('#enrollments tbody tr').length > 0",
    );
    let statuses = d.js(
        "return [...document.querySelectorAll('#enrollments tbody tr')].map(r => r.dataset.status)",
        json!([]),
    );
    let statuses = statuses.as_array().unwrap();
    assert!(
        statuses.len() > 10 && statuses.iter().all(|s| s == "3"),
        "{statuses:?}"
    );
    d.assert_clean("enrollments");
    d.shot("07-enrollments");

    // Single registration with a check-in code.
    d.go(&format!("{url}#/register"));
    d.type_into("#reg-FullName", "孙八");
    d.type_into("#reg-Mobile", "13600136000");
    d.click("form.grid button[type=submit]");
    d.wait(
        "check-in code",
        "return document.querySelector('#checkin-code') !== null",
    );
    assert!(d.text("#checkin-code").len() > 6);
    d.shot("08-register");

    // Jobs list shows who started the job; status shows identity and providers.
    d.go(&format!("{url}#/jobs"));
    d.wait(
        "job list",
        "return document.querySelectorAll('#job-list .job').length === 1",
    );
    assert_eq!(d.text("#job-list .by"), "dev");
    d.shot("09-jobs");
    d.go(&format!("{url}#/status"));
    assert_eq!(d.text("#me-user"), "dev");
    d.find("#providers");
    d.shot("10-status");

    // Narrow screens: 360 px wide, nothing wider than the viewport.
    d.cmd("POST", "/window/rect", json!({"width": 360, "height": 800}));
    d.go(&url);
    d.find("#roster-file");
    let overflow = d
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            json!([]),
        )
        .as_i64()
        .unwrap();
    assert!(overflow <= 0, "horizontal overflow at 360 px: {overflow}px");
    d.shot("11-narrow");
    d.assert_clean("the whole run");
}
