//! Rollcall deployed as platform teams deploy it: Debian's nginx in front doing SSO with the
//! shipped snippet (`deploy/nginx-sso.conf`, oauth2-proxy's `auth_request` integration; a small
//! identity endpoint stands in for oauth2-proxy and answers from a session cookie), rollcall under
//! `/rollcall` trusting only nginx's address, and portal pages on other origins embedding it in
//! an iframe. The HTTP checks need nginx; the browser checks need Chromium and the built UI too.
//! Each says why when it skips.

mod common;
mod webdriver;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const NGINX: &str = "/usr/sbin/nginx";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn nginx_present() -> bool {
    if Path::new(NGINX).exists() {
        return true;
    }
    let required = std::env::var("ROLLCALL_BROWSER_TESTS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "nginx is required by `cargo xtask test` but missing"
    );
    eprintln!("deployment tests SKIPPED: no nginx at {NGINX} (run `cargo xtask test`)");
    false
}

/// The SSO session store of the stand-in identity provider: cookie value → (user, groups).
fn identity(cookie: &str) -> Option<(&'static str, &'static str)> {
    match cookie {
        "alice-session" => Some(("alice", ORGANIZER)),
        "victor-session" => Some(("victor", VIEWER)),
        _ => None,
    }
}

/// Answers like oauth2-proxy with `set_xauthrequest`: `/oauth2/auth` → 202 with
/// X-Auth-Request-User/-Email/-Groups for a known session cookie, 401 otherwise;
/// `/oauth2/sign_in` → a sign-in page (401).
fn identity_endpoint() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut session = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("cookie") {
                        session = value
                            .split(';')
                            .filter_map(|c| c.trim().strip_prefix("sso="))
                            .next()
                            .map(str::to_string);
                    }
                }
            }
            let who = session.as_deref().and_then(identity);
            let answer = match (request.contains("/oauth2/auth"), who) {
                (true, Some((user, groups))) => format!(
                    "HTTP/1.1 202 Accepted\r\nX-Auth-Request-User: {user}\r\nX-Auth-Request-Email: {user}@example.com\r\nX-Auth-Request-Groups: {groups}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ),
                _ => {
                    let body = "<!doctype html><title>Sign in</title><p>Sign in with the company SSO.</p>";
                    format!(
                        "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
            };
            let _ = conn.write_all(answer.as_bytes());
        }
    });
    port
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Deployment {
    dir: tempfile::TempDir,
    _sandbox: Proc,
    rollcall: Proc,
    _nginx: Nginx,
    /// nginx's origin (the SSO front), the allowed portal's and the other portal's.
    front: String,
    portal: String,
    stranger: String,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn deploy(ui: Option<&Path>) -> Deployment {
    let dir = tempfile::tempdir().unwrap();
    let (front_port, portal_port, stranger_port) = (free_port(), free_port(), free_port());
    let portal = format!("http://127.0.0.1:{portal_port}");
    let sandbox = standalone_sandbox(dir.path(), &[]);
    // Rollcall under /rollcall, trusting identity headers only from nginx's address (nginx
    // connects from 127.0.0.2), framable by the portal only.
    let config = write_config(dir.path(), &sandbox.url, "");
    let no_ui = dir.path().join("data/no-ui");
    let ui = ui.map_or(no_ui, Path::to_path_buf);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            "[server]\n",
            &format!("[server]\nbase_path = \"/rollcall\"\nframe_ancestors = [\"'self'\", \"{portal}\"]\n"),
        )
        .replace(
            &format!("ui_dir = \"{}/no-ui\"", dir.path().join("data").display()),
            &format!("ui_dir = \"{}\"", ui.display()),
        )
        .replace(
            "trusted_proxies = [\"127.0.0.1/32\"]",
            "trusted_proxies = [\"127.0.0.2/32\"]\nproxy_secret_env = \"IT_PROXY_SECRET\"",
        );
    std::fs::write(&config, text).unwrap();
    let rollcall = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.path().join("proxy.log"),
        "Rollcall is running",
    );
    let rollcall_addr = rollcall
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();

    // The shipped snippet, pointed at this test's upstreams; nginx reaches rollcall from
    // 127.0.0.2 so that a direct request (from 127.0.0.1) is not a trusted one.
    let snippet = std::fs::read_to_string(webdriver::workspace().join("deploy/nginx-sso.conf"))
        .unwrap()
        .replace(
            "127.0.0.1:4180",
            &format!("127.0.0.1:{}", identity_endpoint()),
        )
        .replace(
            "    proxy_pass http://127.0.0.1:8080;",
            &format!("    proxy_bind 127.0.0.2;\n    proxy_pass http://{rollcall_addr};"),
        )
        .replace(
            "include /etc/nginx/rollcall-secret.conf;",
            &format!("include {}/rollcall-secret.conf;", dir.path().display()),
        );
    assert!(
        snippet.contains("proxy_bind") && snippet.contains("rollcall-secret.conf"),
        "the snippet's rollcall upstream or secret line moved"
    );
    let d = dir.path();
    std::fs::write(
        d.join("rollcall-secret.conf"),
        format!("proxy_set_header X-Rollcall-Proxy-Secret \"{PROXY_SECRET}\";\n"),
    )
    .unwrap();
    std::fs::write(d.join("rollcall-sso.conf"), snippet).unwrap();
    for name in ["tmp", "portal", "stranger"] {
        std::fs::create_dir_all(d.join(name)).unwrap();
    }
    let embed = |title: &str| {
        format!("<!doctype html><html><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>{title}</title></head><body><h1>{title}</h1><iframe id=embedded src=\"http://127.0.0.1:{front_port}/rollcall/\" width=1200 height=800></iframe></body></html>")
    };
    std::fs::write(d.join("portal/index.html"), embed("Intranet portal")).unwrap();
    std::fs::write(d.join("stranger/index.html"), embed("Somebody else")).unwrap();
    let conf = format!(
        r#"{user}
worker_processes 1;
error_log {d}/error.log;
pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{front_port};
        include {d}/rollcall-sso.conf;
    }}
    server {{ listen 127.0.0.1:{portal_port}; root {d}/portal; }}
    server {{ listen 127.0.0.1:{stranger_port}; root {d}/stranger; }}
}}
"#,
        user = if is_root() { "user root;" } else { "" },
        d = d.display()
    );
    std::fs::write(d.join("nginx.conf"), conf).unwrap();
    let nginx = Nginx(
        Command::new(NGINX)
            .arg("-p")
            .arg(d)
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("nginx.stderr")).unwrap())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", front_port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "nginx did not start: {}",
            std::fs::read_to_string(d.join("nginx.stderr")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Deployment {
        front: format!("http://127.0.0.1:{front_port}"),
        portal,
        stranger: format!("http://127.0.0.1:{stranger_port}"),
        dir,
        _sandbox: sandbox,
        rollcall,
        _nginx: nginx,
    }
}

/// A plain HTTP client (no identity of its own: only what the test sets).
fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[test]
fn sso_front_is_the_only_source_of_identity() {
    if !nginx_present() {
        return;
    }
    let dep = deploy(None);
    let h = http();
    let me = |cookie: Option<&str>, forged: &[(&str, &str)]| {
        let mut rb = h.get(format!("{}/rollcall/api/me", dep.front));
        if let Some(c) = cookie {
            rb = rb.header("Cookie", format!("sso={c}"));
        }
        for (k, v) in forged {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().unwrap();
        let status = r.status().as_u16();
        (status, r.text().unwrap())
    };
    // Signed in through the SSO front: identity and role from the IdP's groups.
    let (status, body) = me(Some("alice-session"), &[]);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["user"].as_str(), v["role"].as_str()),
        (Some("alice"), Some("organizer"))
    );
    // A client forging the identity headers through nginx does not become that user: nginx
    // replaces them with the IdP's answer.
    let (status, body) = me(
        Some("victor-session"),
        &[
            ("X-Forwarded-User", "alice"),
            ("X-Forwarded-Groups", ORGANIZER),
            ("X-Forwarded-Email", "alice@example.com"),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["user"].as_str(), v["role"].as_str()),
        (Some("victor"), Some("viewer"))
    );
    // No session: nginx sends the sign-in page, forged headers or not; rollcall never sees it.
    let (status, body) = me(
        None,
        &[
            ("X-Forwarded-User", "alice"),
            ("X-Forwarded-Groups", ORGANIZER),
        ],
    );
    assert_eq!(status, 401);
    assert!(body.contains("Sign in"), "{body}");
    // Bypassing nginx straight to rollcall, with every header forged: 401.
    let direct = dep
        .rollcall
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let r = h
        .get(format!("http://{direct}/rollcall/api/me"))
        .header("X-Forwarded-User", "alice")
        .header("X-Forwarded-Email", "alice@example.com")
        .header("X-Forwarded-Groups", ORGANIZER)
        .send()
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "a request around the SSO front is refused"
    );
    // Even from nginx's own address (any local process can bind 127.0.0.2): without the shared
    // secret nginx adds, nobody speaks for a user.
    let from_front = common::Client::with_source(
        &format!("http://{direct}"),
        Some(("alice", ORGANIZER)),
        Some("127.0.0.2".parse().unwrap()),
    );
    let r = from_front.get("/rollcall/api/me");
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["code"], "not_from_front_proxy");
    // A viewer cannot write through the front either.
    let r = h
        .post(format!("{}/rollcall/api/jobs", dep.front))
        .header("Cookie", "sso=victor-session")
        .header("X-Rollcall-Csrf", "1")
        .json(&json!({"headers": ["姓名", "IM账号"], "rows": [{"row": 2, "cells": ["张三", "zhangsan"]}], "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Progress streams pass through unbuffered: the first event arrives while the stream is open.
    let r = h
        .post(format!("{}/rollcall/api/jobs", dep.front))
        .header("Cookie", "sso=alice-session")
        .header("X-Rollcall-Csrf", "1")
        .json(&json!({"headers": ["姓名", "IM账号"], "rows": [{"row": 2, "cells": ["张三", "zhangsan"]}], "destinations": ["tencent-im:@TGS#2J4SZEAEL"]}))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .get(format!("{}/rollcall/api/jobs/{id}/events", dep.front))
        .header("Cookie", "sso=alice-session")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let first = BufReader::new(r)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("data:"))
        .expect("an event through nginx");
    assert!(first.contains(&id), "{first}");
    let audit = std::fs::read_to_string(dep.dir.path().join("proxy.log")).unwrap();
    assert!(audit.contains("user=\"alice\"") && !audit.contains("mallory"));
}

/// The browser's SEVERE log entries since the last read (reading drains them).
fn browser_log(d: &webdriver::Driver) -> Vec<String> {
    d.cmd("POST", "/se/log", json!({"type": "browser"}))
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn ui_prerequisites() -> Option<PathBuf> {
    (nginx_present() && webdriver::prerequisites()).then(webdriver::ui_dir)
}

#[test]
fn organizer_and_viewer_through_the_sso_front_in_chromium() {
    let Some(ui) = ui_prerequisites() else { return };
    let dep = deploy(Some(&ui));
    let tmp = dep.dir.path();
    let d = webdriver::Driver::start(&tmp.join("downloads"), &tmp.join("profile"));
    // Not signed in: the SSO front's sign-in page, not the app.
    d.go(&format!("{}/rollcall/", dep.front));
    d.wait("sign-in page", "return document.title === 'Sign in'");
    // (The browser logs that 401; what follows must be clean.)
    browser_log(&d);
    // The organizer's session: the app under /rollcall, identity from the IdP.
    d.cmd(
        "POST",
        "/cookie",
        json!({"cookie": {"name": "sso", "value": "alice-session", "path": "/"}}),
    );
    d.go(&format!("{}/rollcall/", dep.front));
    d.wait("identity", "const e = document.querySelector('#identity'); return e && e.textContent.startsWith('alice')");
    d.assert_clean("first load through nginx");
    // Import a small roster to the IM group through the front; the job completes.
    let file = tmp.join("名单.csv");
    std::fs::write(
        &file,
        "姓名,手机号,IM账号\n张三,13800138000,zhangsan\n李四,13900139000,lisi\n",
    )
    .unwrap();
    d.upload("#roster-file", &file);
    d.wait_roster(2);
    // A real deployment (no sandbox) pre-fills nothing and shows no demo id anywhere: every
    // destination field is empty, and so is the enrollments screen's webinar id.
    let demo_ids = [
        "17305428542504531991",
        "@TGS#2J4SZEAEL",
        "MEETINGID1",
        "demo-event",
        "demo-ticket",
    ];
    let no_demo_ids = |screen: &str| {
        let text = d.js(
            "return document.body.innerText + ' ' + [...document.querySelectorAll('input')].map(i => i.value).join(' ')",
            json!([]),
        );
        let text = text.as_str().unwrap();
        for id in demo_ids {
            assert!(!text.contains(id), "{screen} shows the sandbox's {id}");
        }
    };
    for field in ["#dest-tencent-meeting", "#dest-tencent-im", "#dest-huiyi31"] {
        // The destinations are the wizard's lazily loaded last step: waited for.
        d.find(field);
        let value = d.js(
            &format!("return document.querySelector('{field}').value"),
            json!([]),
        );
        assert_eq!(value, "", "{field}");
    }
    no_demo_ids("the import wizard");
    d.go(&format!("{}/rollcall/#/enrollments", dep.front));
    d.cmd("POST", "/refresh", json!({}));
    d.wait(
        "enrollments screen",
        "return document.querySelector('#enr-meeting') !== null",
    );
    no_demo_ids("the enrollments screen");
    for screen in ["webinar", "register", "jobs", "status"] {
        d.go(&format!("{}/rollcall/#/{screen}", dep.front));
        d.cmd("POST", "/refresh", json!({}));
        d.wait(screen, "return document.querySelector('main h2') !== null");
        no_demo_ids(screen);
    }
    d.go(&format!("{}/rollcall/#/import", dep.front));
    d.cmd("POST", "/refresh", json!({}));
    d.upload("#roster-file", &file);
    d.wait_roster(2);
    d.click("#dest-tencent-im-on");
    d.type_into("#dest-tencent-im", "@TGS#2J4SZEAEL");
    d.click("#start");
    d.wait("job completed", "const s = document.querySelector('#job-state'); return s && s.dataset.state === 'completed'");
    d.assert_clean("import through nginx");
    d.shot("sso-01-organizer-import");
    // The viewer's session: no import or create screens, and the API refuses a write.
    d.cmd(
        "POST",
        "/cookie",
        json!({"cookie": {"name": "sso", "value": "victor-session", "path": "/"}}),
    );
    d.go(&format!("{}/rollcall/#/import", dep.front));
    // (Only the fragment changed: load the page again for the new session.)
    d.cmd("POST", "/refresh", json!({}));
    d.wait("viewer identity", "const e = document.querySelector('#identity'); return e && e.textContent.startsWith('victor')");
    let nav = d.text("nav");
    assert!(
        !nav.contains("导入名单") && !nav.contains("创建研讨会"),
        "viewer nav: {nav}"
    );
    assert!(d
        .js(
            "return document.querySelector('#roster-file') === null",
            json!([])
        )
        .as_bool()
        .unwrap());
    let status = d.js(
        "return fetch('api/jobs', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Rollcall-Csrf': '1'}, body: JSON.stringify({headers: ['姓名', 'IM账号'], rows: [{row: 2, cells: ['张三', 'zhangsan']}], destinations: ['tencent-im:@TGS#2J4SZEAEL']})}).then(r => r.status)",
        json!([]),
    );
    assert_eq!(status, 403, "a viewer's write through the front");
    d.shot("sso-02-viewer");
}

#[test]
fn embedded_in_a_portal_iframe_only_where_allowed() {
    let Some(ui) = ui_prerequisites() else { return };
    let dep = deploy(Some(&ui));
    let tmp = dep.dir.path();
    let d = webdriver::Driver::start(&tmp.join("downloads"), &tmp.join("profile"));
    // Signed in on the front (the SSO cookie is the same site for the portal's iframe).
    d.go(&format!("{}/rollcall/", dep.front));
    d.cmd(
        "POST",
        "/cookie",
        json!({"cookie": {"name": "sso", "value": "alice-session", "path": "/"}}),
    );
    browser_log(&d);

    // The portal in `frame_ancestors`: the app renders and works inside the iframe.
    d.go(&format!("{}/", dep.portal));
    let frame = d.find("#embedded");
    d.cmd(
        "POST",
        "/frame",
        json!({"id": {"element-6066-11e4-a52e-4f735466cecf": frame}}),
    );
    d.wait("app inside the portal", "const e = document.querySelector('#identity'); return e && e.textContent.startsWith('alice')");
    assert_eq!(d.text("#app-title"), "Rollcall 名单同步");
    d.click("#lang-toggle");
    assert_eq!(d.text("#app-title"), "Rollcall roster sync");
    d.click("#lang-toggle");
    d.assert_clean("embedded in the allowed portal");
    d.cmd("POST", "/frame/parent", json!({}));
    d.shot("iframe-01-allowed-portal");

    // Another origin: the browser refuses to render rollcall in its frame (CSP frame-ancestors).
    d.go(&format!("{}/", dep.stranger));
    let frame = d.find("#embedded");
    std::thread::sleep(Duration::from_secs(2));
    d.cmd(
        "POST",
        "/frame",
        json!({"id": {"element-6066-11e4-a52e-4f735466cecf": frame}}),
    );
    // (The refused frame holds the browser's error page: the script finds no app, or cannot run.)
    let rendered = d.js(
        "return document.querySelector('#app-title') !== null",
        json!([]),
    );
    assert_ne!(
        rendered,
        json!(true),
        "rendered inside a portal that is not allowed"
    );
    d.cmd("POST", "/frame/parent", json!({}));
    let errors = browser_log(&d);
    assert!(
        errors.iter().any(|e| e.contains("frame-ancestors")),
        "the browser says why it refused: {errors:?}"
    );
    assert!(
        errors.iter().all(|e| e.contains("frame-ancestors")),
        "no other error: {errors:?}"
    );
    d.shot("iframe-02-refused");
}
