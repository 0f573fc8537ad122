//! `rollcall sandbox` (the providers as their docs describe them, on loopback) and the config
//! `serve --sandbox` runs with.

use super::*;

/// The accounts a sandbox accepts: those of a config (secrets from its env vars), else demo.
pub(super) fn sandbox_accounts(cfg: Option<&Config>) -> Result<Accounts> {
    let mut a = Accounts::demo();
    if let Some(c) = cfg {
        if let Some(t) = &c.providers.tencent_meeting {
            a.tm_app_id = t.app_id.clone();
            a.tm_secret_id = t.secret_id.clone();
            a.tm_secret_key = t.secret()?;
        }
        if let Some(w) = &c.providers.wecom {
            a.wecom_corp_id = w.corp_id.clone();
            a.wecom_corp_secret = w.secret()?;
        }
        if let Some(i) = &c.providers.tencent_im {
            a.im_sdk_app_id = i.sdk_app_id;
            a.im_admin = i.admin_identifier.clone();
            a.im_secret_key = i.secret()?;
        }
    }
    Ok(a)
}

/// `rollcall sandbox`'s arguments.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub bind: SocketAddr,
    /// Accept the provider credentials of this config (secrets from the same environment variables).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Fraction of calls that fail (502, lost response, rate limit, token expiry).
    #[arg(long, default_value_t = 0.0)]
    pub faults: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiplies every documented rate limit (1 = as documented; 0.01 makes them easy to
    /// reach in a test; a larger value models a raised quota).
    #[arg(long, default_value_t = 1.0)]
    pub rate_scale: f64,
    /// IM's per-request member cap (seed 003: 500; other versions of IM's pages: 300, 100,
    /// 20). A larger request is answered 10005.
    #[arg(long, default_value_t = 500)]
    pub im_max_members: usize,
    /// Lose the answers of the first N Tencent Meeting imports (applied, then the connection
    /// drops), to watch the reconciliation of rows imported by phone.
    #[arg(long, default_value_t = 0)]
    pub lose_tm_imports: u32,
    /// Lose the answers of the first N webinar creations (created, then the connection drops).
    #[arg(long, default_value_t = 0)]
    pub lose_tm_creates: u32,
    /// Listen on a non-loopback address and answer any Host (by default the sandbox binds
    /// loopback only and answers only loopback host names: a web page elsewhere cannot reach it
    /// through DNS rebinding).
    #[arg(long)]
    pub allow_network: bool,
}

/// The standalone sandbox answers loopback host names only (DNS rebinding).
pub(super) async fn loopback_host_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (name, _) = crate::util::split_host_port(host);
    if crate::util::is_loopback_name(name) {
        next.run(req).await
    } else {
        (
            axum::http::StatusCode::FORBIDDEN,
            "the sandbox answers loopback host names only (--allow-network to change it)",
        )
            .into_response()
    }
}

pub async fn sandbox(a: SandboxArgs) -> Result<()> {
    if !a.allow_network && !a.bind.ip().is_loopback() {
        anyhow::bail!(
            "rollcall sandbox listens on loopback only; {} is not (pass --allow-network to listen there)",
            a.bind
        );
    }
    let cfg = a.config.as_deref().map(Config::load).transpose()?;
    let sb = sandbox::Sandbox::new(sandbox_accounts(cfg.as_ref())?, a.faults, a.seed);
    sb.limits.set_scale(a.rate_scale);
    sb.im_max_members.store(
        a.im_max_members.max(1),
        std::sync::atomic::Ordering::Relaxed,
    );
    sb.lose_tm_imports
        .store(a.lose_tm_imports, std::sync::atomic::Ordering::Relaxed);
    sb.lose_tm_creates
        .store(a.lose_tm_creates, std::sync::atomic::Ordering::Relaxed);
    let (l, local) = bind(a.bind, "sandbox").await?;
    println!("sandbox listening on http://{local}");
    let app = sandbox::router(sb);
    let app = if a.allow_network {
        app
    } else {
        app.layer(axum::middleware::from_fn(loopback_host_only))
    };
    axum::serve(l, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Places the documented demo credentials in this process's environment for
/// [`sandbox_config`] to read. Called by `main` before the runtime starts (no other thread
/// exists yet: `set_var` is only sound then).
pub fn demo_secrets_into_env() {
    std::env::set_var("ROLLCALL_DEMO_TM_SECRET_KEY", demo::TM_SECRET_KEY);
    std::env::set_var("ROLLCALL_DEMO_WECOM_SECRET", demo::WECOM_CORP_SECRET);
    std::env::set_var("ROLLCALL_DEMO_IM_SECRET_KEY", demo::IM_SECRET_KEY);
}

/// The config `serve --sandbox` uses: every provider pointing at the in-process sandbox, the
/// demo credentials read from the environment ([`demo_secrets_into_env`]).
pub(super) fn sandbox_config(sandbox_url: &str) -> Config {
    let text = format!(
        r#"
[server]
bind = "127.0.0.1:8080"
[auth]
mode = "dev"
[jobs]
rate_limit_backoff_ms = 1000
[providers.tencent_meeting]
base_url = "{u}"
app_id = "{app}"
secret_id = "{sid}"
secret_key_env = "ROLLCALL_DEMO_TM_SECRET_KEY"
edition = "enterprise"
operator_userid = "{op}"
[providers.wecom]
base_url = "{u}"
corp_id = "{corp}"
corp_secret_env = "ROLLCALL_DEMO_WECOM_SECRET"
[providers.tencent_im]
base_url = "{u}"
sdk_app_id = {sdk}
admin_identifier = "{admin}"
secret_key_env = "ROLLCALL_DEMO_IM_SECRET_KEY"
[providers.huiyi31]
base_url = "{u}"
default_attendee_type_id = "{ht}"
default_item_sku_id = "{hs}"
default_item_sku_name = "嘉宾票"
[providers.huiyi31.tickets]
vip-ticket = "VIP 票"
"#,
        u = sandbox_url,
        app = demo::TM_APP_ID,
        sid = demo::TM_SECRET_ID,
        op = demo::TM_OPERATOR,
        corp = demo::WECOM_CORP_ID,
        sdk = demo::IM_SDK_APP_ID,
        admin = demo::IM_ADMIN,
        ht = demo::HUIYI_TYPE,
        hs = demo::HUIYI_TICKET,
    );
    Config::parse(&text).expect("the built-in sandbox config parses")
}
