//! The documented example config stays valid; configuration rules and where secrets come from.

mod common;

#[test]
fn example_config_parses_and_names_secrets_only_by_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rollcall.example.toml"
    ))
    .unwrap();
    let cfg = rollcall::config::Config::parse(&text).unwrap();
    assert_eq!(cfg.server.base_path, "/rollcall");
    assert_eq!(cfg.auth.trusted_proxies.len(), 1);
    cfg.check().unwrap();
    let tm = cfg.providers.tencent_meeting.unwrap();
    assert_eq!(tm.secret_key_env.as_deref(), Some("ROLLCALL_TM_SECRET_KEY"));
    assert!(cfg.providers.tencent_im.unwrap().secret_key_file.is_some());
}

#[test]
fn trusted_header_mode_needs_proxies() {
    let cfg = rollcall::config::Config::parse("[auth]\nmode = \"trusted-header\"\n").unwrap();
    assert!(cfg
        .check()
        .unwrap_err()
        .to_string()
        .contains("trusted_proxies"));
}

#[test]
fn tencent_meeting_edition_has_no_silent_default() {
    let section = |edition: &str| {
        format!(
            "[providers.tencent_meeting]\napp_id = \"1\"\nsecret_id = \"AKID\"\nsecret_key_env = \"X\"\noperator_userid = \"o\"\n{edition}"
        )
    };
    let err = rollcall::config::Config::parse(&section(""))
        .unwrap_err()
        .to_string();
    assert!(err.contains("edition"), "{err}");
    for (text, cap) in [("business", 1000), ("enterprise", 4000)] {
        let cfg =
            rollcall::config::Config::parse(&section(&format!("edition = \"{text}\""))).unwrap();
        assert_eq!(
            cfg.providers.tencent_meeting.unwrap().edition.import_cap(),
            cap
        );
    }
}

#[test]
fn broad_trusted_proxies_are_refused_unless_allowed() {
    let cfg = |nets: &str, allow: bool| {
        rollcall::config::Config::parse(&format!(
            "[auth]\nmode = \"trusted-header\"\ntrusted_proxies = [{nets}]\nallow_broad_trusted_proxies = {allow}\n"
        ))
        .unwrap()
        .check()
    };
    for narrow in ["\"10.1.2.3/32\"", "\"10.1.2.0/24\"", "\"fd00::/64\""] {
        assert!(cfg(narrow, false).is_ok(), "{narrow}");
    }
    for broad in ["\"10.0.0.0/8\"", "\"0.0.0.0/0\"", "\"fd00::/48\""] {
        let e = cfg(broad, false).unwrap_err().to_string();
        assert!(e.contains("allow_broad_trusted_proxies"), "{e}");
        assert!(cfg(broad, true).is_ok());
    }
}

#[test]
fn plain_http_providers_only_on_loopback() {
    let cfg = |url: &str| {
        rollcall::config::Config::parse(&format!(
            "[auth]\nmode = \"dev\"\n[providers.huiyi31]\nbase_url = \"{url}\"\n"
        ))
        .unwrap()
        .check()
    };
    for ok in [
        "https://31api.31huiyi.com",
        "http://127.0.0.1:9090",
        "http://localhost:9090",
        "http://[::1]:9090",
    ] {
        assert!(cfg(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://31api.31huiyi.com",
        "http://10.0.0.5:8080",
        "ftp://x",
    ] {
        let e = cfg(bad).unwrap_err().to_string();
        assert!(e.contains("https://"), "{bad}: {e}");
    }
}

#[cfg(unix)]
#[test]
fn the_journal_is_readable_by_the_service_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _store = rollcall::jobs::store::SqliteStore::open(&data).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("rollcall.db")), 0o600);
    // An existing, too-open directory is tightened too. (A directory of its own: reopening the
    // first one could meet its lock still held for an instant by a process another test forks,
    // which inherits the descriptor until it execs.)
    let existing = dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _other = rollcall::jobs::store::SqliteStore::open(&existing).unwrap();
    assert_eq!(mode(&existing), 0o700);
}

#[test]
fn store_url_takes_no_inline_password_and_reads_it_by_reference() {
    let with = |store: &str| {
        rollcall::config::Config::parse(&format!("[auth]\nmode = \"dev\"\n[store]\n{store}"))
            .unwrap()
    };
    let err = with("url = \"postgres://rollcall:hunter2@db:5432/r\"\n")
        .check()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("password_env") && !err.contains("hunter2"),
        "{err}"
    );
    let err = with("url = \"mysql://db/r\"\n")
        .check()
        .unwrap_err()
        .to_string();
    assert!(err.contains("postgres://"), "{err}");
    // An @ in the path or query is not a password.
    with("url = \"postgres://rollcall@db:5432/r?application_name=a:b\"\n")
        .check()
        .unwrap();
    let cfg = with("url = \"postgres://rollcall@db/r\"\npassword_env = \"IT_STORE_PW_UNSET\"\n");
    cfg.check().unwrap();
    let err = cfg.store.password().unwrap_err().to_string();
    assert!(err.contains("IT_STORE_PW_UNSET"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "s3cret\n").unwrap();
    let cfg = with(&format!(
        "url = \"postgres://rollcall@db/r\"\npassword_file = \"{}\"\n",
        file.display()
    ));
    use secrecy::ExposeSecret;
    assert_eq!(
        cfg.store.password().unwrap().unwrap().expose_secret(),
        "s3cret"
    );
    assert!(with("").store.password().unwrap().is_none());
}

/// `rollcall serve` as the systemd unit runs it: no secret in the environment, each one a
/// credential in `$CREDENTIALS_DIRECTORY` named after the config's `*_env` name.
#[test]
fn secrets_from_systemd_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_config(dir.path(), "http://127.0.0.1:9", "");
    let creds = dir.path().join("credentials");
    std::fs::create_dir_all(&creds).unwrap();
    let start = |with_credentials: bool| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.args(["serve", "--config", config.to_str().unwrap()])
            .env_remove("IT_TM_SECRET")
            .env_remove("IT_WECOM_SECRET")
            .env_remove("IT_IM_SECRET")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if with_credentials {
            cmd.env("CREDENTIALS_DIRECTORY", &creds);
        }
        cmd.spawn().unwrap()
    };
    // Without the credentials: a clear error naming what is missing, and where it may come from.
    let out = start(false).wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("IT_TM_SECRET") && err.contains("systemd credential"),
        "{err}"
    );
    // With them (as LoadCredential= leaves them: one file per secret): it starts.
    for (name, value) in [
        ("IT_TM_SECRET", common::TM_SECRET),
        ("IT_WECOM_SECRET", common::WECOM_SECRET),
        ("IT_IM_SECRET", common::IM_SECRET),
    ] {
        std::fs::write(creds.join(name), format!("{value}\n")).unwrap();
    }
    let mut child = start(true);
    let stdout = child.stdout.take().unwrap();
    let line = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .map_while(Result::ok)
        .find(|l| l.contains("Rollcall is running"));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        line.is_some(),
        "serve did not start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The secrets themselves never reach the log.
    common::assert_no_secrets("log", &[String::from_utf8_lossy(&out.stderr).into_owned()]);
}
