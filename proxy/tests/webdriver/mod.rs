//! A minimal WebDriver client for Debian's chromedriver + chromium (no browser download), shared
//! by the browser tests and the in-browser roster benchmark.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn ui_dir() -> PathBuf {
    std::env::var_os("ROLLCALL_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("dist"))
}

/// Returns false (after saying why) when the prerequisites are missing and not required.
pub fn prerequisites() -> bool {
    let required = std::env::var("ROLLCALL_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromedriver"),
    ]
    .into_iter()
    .filter(|(p, _)| !Path::new(p).exists())
    .map(|(_, n)| n)
    .chain((!ui_dir().join("index.html").exists()).then_some("the built UI (cargo xtask build-ui)"))
    .chain((!axe_script().exists()).then_some("axe-core (cargo xtask test installs it)"))
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(!required, "browser tests required but missing: {missing:?}");
    eprintln!("browser tests SKIPPED: missing {missing:?} (run `cargo xtask test`)");
    false
}

/// `rollcall serve --sandbox` with the built UI, in a temp dir (for the test files that also
/// declare `mod common`).
pub fn sandbox_server() -> (tempfile::TempDir, crate::common::Proc) {
    let tmp = tempfile::tempdir().unwrap();
    let ui = ui_dir();
    let server =
        crate::common::serve_sandbox(tmp.path(), "proxy.log", &["--ui-dir", ui.to_str().unwrap()]);
    (tmp, server)
}

/// axe-core as `cargo xtask test` installs it (npm, under `.tools/`).
fn axe_script() -> PathBuf {
    workspace().join(".tools/node_modules/axe-core/axe.min.js")
}

pub struct Driver {
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
    pub fn start(downloads: &Path, profile: &Path) -> Driver {
        Driver::launch(downloads, profile, json!({}))
    }

    /// A phone: 375 px wide, touch, the user agent of WeCom's in-app browser.
    pub fn start_phone(downloads: &Path, profile: &Path) -> Driver {
        Driver::launch(
            downloads,
            profile,
            json!({"mobileEmulation": {
                "deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2.0, "touch": true},
                "userAgent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1"
            }}),
        )
    }

    /// Presses one key (WebDriver's key codes: Tab is `\u{E004}`, Enter `\u{E007}`, Space
    /// `\u{E00D}`) where the focus is.
    pub fn press(&self, key: &str) {
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
            ]}]}),
        );
    }

    fn launch(downloads: &Path, profile: &Path, extra_options: Value) -> Driver {
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
        let mut caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())],
                "prefs": {"download.default_directory": downloads.display().to_string(), "download.prompt_for_download": false}
            }
        }}});
        if let Some(extra) = extra_options.as_object() {
            let options = caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]
                .as_object_mut()
                .unwrap();
            options.extend(extra.clone());
        }
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

    pub fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let rb = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = rb.send().unwrap().json().unwrap();
        v["value"].clone()
    }

    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    pub fn js(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    pub fn wait(&self, what: &str, script: &str) -> Value {
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

    pub fn find(&self, css: &str) -> String {
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

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), json!({}));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            json!({"text": text}),
        );
    }

    /// Moves the mouse pointer onto element `css` (as a person reaching for it).
    pub fn hover(&self, css: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                "actions": [{"type": "pointerMove", "duration": 0, "origin": {ELEMENT: e}, "x": 0, "y": 0}]}]}),
        );
    }

    /// Gives the file input `css` a file, as a person choosing it would.
    pub fn upload(&self, css: &str, file: &Path) {
        let input = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{input}/value"),
            json!({"text": file.display().to_string()}),
        );
    }

    /// Waits until the import screen shows a roster of `rows` rows, every row in the page (the
    /// summary comes first, the rows after it in pages).
    pub fn wait_roster(&self, rows: usize) {
        self.wait(
            "the parsed roster",
            &format!("const e = document.querySelector('#row-count'); return e && e.textContent === '{rows}' && !document.querySelector('#roster-summary').hasAttribute('data-loading') && document.querySelector('#preview') !== null"),
        );
    }

    pub fn select(&self, css: &str, value: &str) {
        self.find(css);
        self.js("const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true}));", json!([css, value]));
    }

    pub fn text(&self, css: &str) -> String {
        self.find(css);
        self.js(
            "return document.querySelector(arguments[0]).textContent",
            json!([css]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub fn shot(&self, name: &str) {
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
    pub fn errors(&self) -> Vec<String> {
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

    /// No console error, and no serious or critical accessibility violation (axe-core).
    pub fn assert_clean(&self, step: &str) {
        let errors = self.errors();
        assert!(errors.is_empty(), "console errors after {step}: {errors:?}");
        let violations = self.accessibility_violations();
        assert!(
            violations.is_empty(),
            "accessibility violations (axe-core, serious or critical) after {step}: {violations:#?}"
        );
    }

    /// axe-core's serious and critical violations on the page as it is now: the rule, then up
    /// to three of the elements it found.
    pub fn accessibility_violations(&self) -> Vec<String> {
        if self.js("return typeof window.axe === 'undefined'", json!([])) == json!(true) {
            let src = std::fs::read_to_string(axe_script()).expect("axe-core installed");
            self.js(&format!("{src}\nreturn true;"), json!([]));
        }
        let found = self.cmd(
            "POST",
            "/execute/async",
            json!({"args": [], "script": "const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                  .catch(e => done(['axe-core failed: ' + e]));"}),
        );
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe-core answered {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }
}

pub fn wait_file(dir: &Path, name: &str) -> Vec<u8> {
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
