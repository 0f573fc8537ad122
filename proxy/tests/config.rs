//! The documented example config stays valid.

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
