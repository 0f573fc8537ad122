//! Test harness: real `rollcall` processes on loopback (a standalone sandbox and a proxy pointed
//! at it), with distinctive secrets so a test can scan everything for leaks.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod drill;
mod pg;

#[allow(unused_imports)]
pub use pg::pg_database;

pub const TM_SECRET: &str = "itSECRET-tm-3f9a7c1e5b";
pub const WECOM_SECRET: &str = "itSECRET-wecom-8d2b6f0a4c";
pub const IM_SECRET: &str = "itSECRET-im-1e7c9a3f5d";
pub const SECRETS: [&str; 3] = [TM_SECRET, WECOM_SECRET, IM_SECRET];

pub const ORGANIZER: &str = "organizers";
pub const VIEWER: &str = "staff";
/// An organizer in `auth.admin_groups` of the test config.
pub const ADMIN: &str = "organizers,rollcall-admins";
/// The front proxy's shared secret, for configs that name `IT_PROXY_SECRET`.
pub const PROXY_SECRET: &str = "itSECRET-front-5c8e2a7d1b";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rollcall")
}

/// A child process killed on drop, with its stderr captured to a file.
pub struct Proc {
    pub child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn kill9(&mut self) {
        // SIGKILL: no shutdown path runs.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (up to `limit`) until the log satisfies `cond`, and returns it; panics with `what`
    /// and the log when it never does. A process writes its log after it announces its URL, so
    /// a single read right after start-up can miss lines that are on their way.
    pub fn wait_log(&self, limit: Duration, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let log = eventually(limit, || Some(self.log_text()).filter(|l| cond(l)));
        log.unwrap_or_else(|| panic!("{what}; log:\n{}", self.log_text()))
    }
}

/// Polls `f` every 50 ms until it returns `Some`, for at most `limit`: a condition with a
/// deadline instead of one read that races the process being watched.
pub fn eventually<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `rollcall ARGS` and waits for the line announcing its URL.
pub fn spawn(args: &[&str], log: &Path, marker: &str) -> Proc {
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = Command::new(bin())
        .args(args)
        .env("IT_TM_SECRET", TM_SECRET)
        .env("IT_WECOM_SECRET", WECOM_SECRET)
        .env("IT_IM_SECRET", IM_SECRET)
        .env("IT_PROXY_SECRET", PROXY_SECRET)
        .env("ROLLCALL_LOG", "info,rollcall=debug")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://") {
                if line.contains(&marker) {
                    let url: String = line[i..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .trim_end_matches('/')
                        .to_string();
                    let _ = tx.send(url);
                }
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| {
            panic!(
                "{args:?} did not start; log: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            )
        });
    Proc {
        child,
        url,
        log: log.to_path_buf(),
    }
}

/// `rollcall serve --sandbox` (dev identity, built-in providers) with its journal under `dir`,
/// plus `extra` arguments; logs to `dir/log`.
pub fn serve_sandbox(dir: &Path, log: &str, extra: &[&str]) -> Proc {
    let data = dir.join("data");
    let mut args = vec![
        "serve",
        "--sandbox",
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    spawn(&args, &dir.join(log), "Rollcall is running")
}

pub fn write_config(dir: &Path, sandbox_url: &str, extra: &str) -> PathBuf {
    let text = format!(
        r#"
[server]
bind = "127.0.0.1:0"
data_dir = "{data}"
ui_dir = "{data}/no-ui"
max_body_bytes = 4194304
[auth]
mode = "trusted-header"
trusted_proxies = ["127.0.0.1/32"]
organizer_groups = ["{ORGANIZER}"]
viewer_groups = ["{VIEWER}"]
admin_groups = ["rollcall-admins"]
[jobs]
base_backoff_ms = 20
max_backoff_ms = 400
rate_limit_backoff_ms = 200
[providers]
timeout_secs = 5
[providers.tencent_meeting]
base_url = "{u}"
app_id = "200000009"
secret_id = "AKIDintegrationtest0001"
secret_key_env = "IT_TM_SECRET"
edition = "enterprise"
operator_userid = "organizer"
[providers.wecom]
base_url = "{u}"
corp_id = "wwintegrationtest01"
corp_secret_env = "IT_WECOM_SECRET"
[providers.tencent_im]
base_url = "{u}"
sdk_app_id = 1400000777
admin_identifier = "administrator"
secret_key_env = "IT_IM_SECRET"
[providers.huiyi31]
base_url = "{u}"
requests_per_second = 200
default_attendee_type_id = "demo-type"
default_item_sku_id = "demo-ticket"
default_item_sku_name = "嘉宾票"
[providers.huiyi31.tickets]
vip-ticket = "VIP 票"
{extra}
"#,
        data = dir.join("data").display(),
        u = sandbox_url,
    );
    let path = dir.join("rollcall.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `rollcall sandbox` on a free loopback port, accepting the credentials of the test config
/// (written to `dir`; its URL is not needed for that), with `extra` arguments (`--faults`…).
pub fn standalone_sandbox(dir: &Path, extra: &[&str]) -> Proc {
    let pre = write_config(dir, "http://unused", "");
    let mut args = vec![
        "sandbox",
        "--bind",
        "127.0.0.1:0",
        "--config",
        pre.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    spawn(&args, &dir.join("sandbox.log"), "sandbox listening")
}

/// The sandbox's `/_sandbox/state`.
pub fn sandbox_state(sandbox: &Proc) -> Value {
    reqwest::blocking::get(format!("{}/_sandbox/state", sandbox.url))
        .unwrap()
        .json()
        .unwrap()
}

/// The member accounts of the sandbox's seeded IM group, as its state shows them.
pub fn im_members(state: &Value) -> Vec<String> {
    state["tencent_im"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_id"] == "@TGS#2J4SZEAEL")
        .unwrap()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Member_Account"].as_str().unwrap().to_string())
        .collect()
}

/// What a test adds to the proxy's config.
#[derive(Default)]
pub struct Sections {
    /// Keys of `[server]`.
    pub server: String,
    /// Keys of `[auth]`.
    pub auth: String,
    /// Sections of their own (`[retention]`…).
    pub rest: String,
    /// Text replacements in the written config (`requests_per_second = 200` → …).
    pub edits: Vec<(&'static str, String)>,
}

pub struct Stack {
    pub dir: tempfile::TempDir,
    pub sandbox: Proc,
    pub proxy: Proc,
    pub config: PathBuf,
}

impl Stack {
    pub fn start(faults: f64) -> Stack {
        let faults = faults.to_string();
        Stack::start_with(&["--faults", &faults, "--seed", "7"])
    }

    /// A stack whose sandbox runs with `sandbox_args` (`--im-max-members 100`…).
    pub fn start_with(sandbox_args: &[&str]) -> Stack {
        Stack::configured(sandbox_args, &Sections::default())
    }

    /// A stack whose proxy config has `sections` added (keys of `[server]`, `[auth]`, and
    /// sections of their own).
    pub fn configured(sandbox_args: &[&str], sections: &Sections) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = standalone_sandbox(dir.path(), sandbox_args);
        let config = write_config(dir.path(), &sandbox.url, &sections.rest);
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replacen("[server]\n", &format!("[server]\n{}\n", sections.server), 1)
            .replacen("[auth]\n", &format!("[auth]\n{}\n", sections.auth), 1);
        let text = sections
            .edits
            .iter()
            .fold(text, |t, (from, to)| t.replacen(from, to, 1));
        std::fs::write(&config, text).unwrap();
        let proxy = spawn(
            &["serve", "--config", config.to_str().unwrap()],
            &dir.path().join("proxy.log"),
            "Rollcall is running",
        );
        Stack {
            dir,
            sandbox,
            proxy,
            config,
        }
    }

    pub fn restart_proxy(&mut self) {
        let log = self.dir.path().join("proxy.log");
        self.proxy = spawn(
            &["serve", "--config", self.config.to_str().unwrap()],
            &log,
            "Rollcall is running",
        );
    }

    pub fn client(&self) -> Client {
        Client::new(&self.proxy.url, Some(("alice", ORGANIZER)))
    }

    pub fn sandbox_state(&self) -> Value {
        sandbox_state(&self.sandbox)
    }
}

/// A blocking API client that records every response (status, headers, body) for leak scans.
pub struct Client {
    pub base: String,
    http: reqwest::blocking::Client,
    identity: Option<(String, String)>,
    pub seen: std::cell::RefCell<Vec<String>>,
}

pub struct Resp {
    pub status: u16,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Client {
    pub fn new(base: &str, identity: Option<(&str, &str)>) -> Client {
        Client::with_source(base, identity, None)
    }

    pub fn with_source(
        base: &str,
        identity: Option<(&str, &str)>,
        source: Option<std::net::IpAddr>,
    ) -> Client {
        let mut b = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120));
        if let Some(ip) = source {
            b = b.local_address(ip);
        }
        Client {
            base: base.to_string(),
            http: b.build().unwrap(),
            identity: identity.map(|(u, g)| (u.to_string(), g.to_string())),
            seen: Default::default(),
        }
    }

    fn send(&self, rb: reqwest::blocking::RequestBuilder) -> Resp {
        let rb = match &self.identity {
            Some((u, g)) => rb
                .header("X-Forwarded-User", u)
                .header("X-Forwarded-Email", format!("{u}@example.com"))
                .header("X-Forwarded-Groups", g),
            None => rb,
        };
        let r = rb.send().unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().unwrap();
        self.seen.borrow_mut().push(format!("{headers:?}\n{body}"));
        Resp {
            status,
            body,
            headers,
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(format!("{}{path}", self.base)))
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("x-rollcall-csrf", "1")
                .json(body),
        )
    }

    pub fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Resp {
        let mut rb = self.http.post(format!("{}{path}", self.base)).body(body);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        self.send(rb)
    }

    /// Polls a job until it leaves `running`.
    pub fn wait_job(&self, id: &str, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let j = self.get(&format!("/api/jobs/{id}")).json();
            if j["state"] != "running" {
                return j;
            }
            assert!(
                start.elapsed() < limit,
                "job {id} still running after {limit:?}: {j}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

/// Asserts no secret value occurs in any of the texts.
pub fn assert_no_secrets(what: &str, texts: &[String]) {
    for t in texts {
        for s in SECRETS {
            assert!(
                !t.contains(s),
                "secret leaked in {what}: …{}…",
                &t[t.find(s).unwrap().saturating_sub(80)
                    ..(t.find(s).unwrap() + s.len()).min(t.len())]
            );
        }
    }
}

/// A CSV roster of `n` people with unique phones, emails and IM accounts.
pub fn roster_csv(n: usize) -> (Vec<String>, Vec<Value>) {
    let headers = vec![
        "姓名".to_string(),
        "手机号".into(),
        "邮箱".into(),
        "IM账号".into(),
        "部门".into(),
    ];
    let rows = (0..n)
        .map(|i| serde_json::json!({"row": i + 2, "cells": [format!("参会者{i}"), format!("139{:08}", i), format!("p{i}@example.com"), format!("member{i}"), "市场部"]}))
        .collect();
    (headers, rows)
}
