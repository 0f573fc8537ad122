//! Configuration: a TOML file plus environment. Secrets only come from environment variables or
//! files named in the config, never inline; they are held as `SecretString` (redacted Debug).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ipnet::IpNet;
use rollcall_core::providers::tencent_meeting::Edition;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub providers: ProvidersConfig,
    #[serde(default)]
    pub jobs: JobsConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub retention: RetentionConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
}

/// How long personal data is kept (PIPL: no longer than needed).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days after a job ends before its personal cells are removed (counts, outcome codes,
    /// provider ids and the audit log stay). 0: as soon as the sweep sees it finished.
    pub personal_data_days: u32,
    /// Seconds between two sweeps for jobs past their retention.
    pub sweep_interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            personal_data_days: 30,
            sweep_interval_secs: 3600,
        }
    }
}

/// Bounds that hold under abuse (each refused with a clear error before any work).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Destinations in one job.
    pub max_destinations_per_job: usize,
    /// Jobs one user may have running at once (across replicas).
    pub max_running_jobs_per_user: u64,
    /// Progress streams one user may hold open (the total is bounded as well).
    pub max_streams_per_user: usize,
    /// Seconds an export waits for a client that stopped reading before giving up.
    pub export_stall_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_destinations_per_job: 20,
            max_running_jobs_per_user: 10,
            max_streams_per_user: 16,
            export_stall_secs: 30,
        }
    }
}

/// Where the job journal lives. Default: SQLite under `server.data_dir` (one process).
/// `url = "postgres://user@host:5432/db"` for several replicas sharing one journal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://…` or `sqlite://DIR`. A password in the URL is refused: use `password_env`
    /// or `password_file`.
    pub url: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Connections to PostgreSQL per replica.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
}

fn default_pool_size() -> usize {
    16
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: None,
            password_env: None,
            password_file: None,
            pool_size: default_pool_size(),
        }
    }
}

impl StoreConfig {
    /// The database password, when one is configured.
    pub fn password(&self) -> Result<Option<SecretString>> {
        if self.password_env.is_none() && self.password_file.is_none() {
            return Ok(None);
        }
        SecretRef {
            env: self.password_env.clone(),
            file: self.password_file.clone(),
        }
        .resolve("store password")
        .map(Some)
    }

    fn check(&self) -> Result<()> {
        let Some(url) = &self.url else { return Ok(()) };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            crate::jobs::store::postgres::tls::parse(url)
                .map(drop)
                .map_err(|e| anyhow::anyhow!("store.url: {e}"))
        } else if url.starts_with("sqlite://") {
            Ok(())
        } else {
            bail!("store.url: use postgres://user@host:port/db or sqlite://DIR")
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default = "default_bind")]
    pub bind: SocketAddr,
    /// Path prefix the UI and API are served under (e.g. `/rollcall`), for portals.
    #[serde(default)]
    pub base_path: String,
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// CSP `frame-ancestors` sources, e.g. `["'self'", "https://portal.example.com"]`.
    #[serde(default = "default_frame_ancestors")]
    pub frame_ancestors: Vec<String>,
    /// Directory with the trunk-built UI.
    #[serde(default = "default_ui_dir")]
    pub ui_dir: PathBuf,
    /// Largest request body (bytes) for job creation.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Seconds before a non-streaming request is cut off.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
    /// Seconds a client may take to send a request's headers (slow clients are cut off).
    #[serde(default = "default_header_timeout")]
    pub header_read_timeout_secs: u64,
    /// Open connections at most; more wait to be accepted.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// This replica's name in job leases and logs. Default: `HOST:PORT` (stable across restarts,
    /// so a restarted replica takes its own jobs back at once).
    #[serde(default)]
    pub replica_id: Option<String>,
    /// A listener of its own for `/metrics`, without identity: `PORT` (on 127.0.0.1) or
    /// `ADDRESS:PORT`. Without it, `/metrics` on the main listener answers admins only.
    #[serde(default)]
    pub metrics_bind: Option<String>,
    /// Speak HTTP/2 as well as HTTP/1.1 (off: nginx and oauth2-proxy talk HTTP/1.1 upstream).
    #[serde(default)]
    pub http2: bool,
}

impl ServerConfig {
    /// `metrics_bind` as an address: a bare port is on loopback.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>> {
        let Some(b) = self.metrics_bind.as_deref() else {
            return Ok(None);
        };
        if let Ok(port) = b.parse::<u16>() {
            return Ok(Some(SocketAddr::from(([127, 0, 0, 1], port))));
        }
        b.parse()
            .map(Some)
            .with_context(|| format!("server.metrics_bind {b:?}: use PORT or ADDRESS:PORT"))
    }
}

fn default_header_timeout() -> u64 {
    10
}
fn default_max_connections() -> usize {
    1024
}

fn default_bind() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("literal")
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("rollcall-data")
}
fn default_frame_ancestors() -> Vec<String> {
    vec!["'self'".into()]
}
fn default_ui_dir() -> PathBuf {
    PathBuf::from("dist")
}
fn default_max_body() -> usize {
    32 * 1024 * 1024
}
fn default_request_timeout() -> u64 {
    60
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: default_bind(),
            base_path: String::new(),
            data_dir: default_data_dir(),
            frame_ancestors: default_frame_ancestors(),
            ui_dir: default_ui_dir(),
            max_body_bytes: default_max_body(),
            request_timeout_secs: default_request_timeout(),
            header_read_timeout_secs: default_header_timeout(),
            max_connections: default_max_connections(),
            replica_id: None,
            metrics_bind: None,
            http2: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    #[default]
    TrustedHeader,
    Dev,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default)]
    pub mode: AuthMode,
    /// Exact addresses (CIDRs) of the SSO proxy; identity headers from anyone else are ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    #[serde(default = "default_user_header")]
    pub user_header: String,
    #[serde(default = "default_email_header")]
    pub email_header: String,
    #[serde(default = "default_groups_header")]
    pub groups_header: String,
    #[serde(default)]
    pub organizer_groups: Vec<String>,
    /// Empty: any authenticated user may view.
    #[serde(default)]
    pub viewer_groups: Vec<String>,
    /// Members may cancel and resume anyone's job (others only their own).
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Allow `dev` mode on a non-loopback bind (never in production).
    #[serde(default)]
    pub allow_dev_on_network: bool,
    /// Allow `trusted_proxies` ranges wider than a /24 (IPv4) or /64 (IPv6): anyone in them can
    /// claim any identity.
    #[serde(default)]
    pub allow_broad_trusted_proxies: bool,
    /// An environment variable holding a secret the front proxy adds to every request (in
    /// `proxy_secret_header`): with it, only the front proxy can speak for a user — not any
    /// process that can reach `trusted_proxies` (every local user, on a shared host).
    #[serde(default)]
    pub proxy_secret_env: Option<String>,
    /// A file holding that secret instead (systemd `LoadCredential`).
    #[serde(default)]
    pub proxy_secret_file: Option<PathBuf>,
    #[serde(default = "default_proxy_secret_header")]
    pub proxy_secret_header: String,
    /// How the groups header lists several groups: `comma` (oauth2-proxy) or `none` (one
    /// group per header value; a comma is part of the name).
    #[serde(default)]
    pub groups_separator: GroupsSeparator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GroupsSeparator {
    #[default]
    Comma,
    None,
}

impl AuthConfig {
    /// The front proxy's shared secret, when one is configured.
    pub fn proxy_secret(&self) -> Result<Option<SecretString>> {
        if self.proxy_secret_env.is_none() && self.proxy_secret_file.is_none() {
            return Ok(None);
        }
        SecretRef {
            env: self.proxy_secret_env.clone(),
            file: self.proxy_secret_file.clone(),
        }
        .resolve("auth.proxy_secret")
        .map(Some)
    }
}

fn default_proxy_secret_header() -> String {
    "X-Rollcall-Proxy-Secret".into()
}

fn default_user_header() -> String {
    "X-Forwarded-User".into()
}
fn default_email_header() -> String {
    "X-Forwarded-Email".into()
}
fn default_groups_header() -> String {
    "X-Forwarded-Groups".into()
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            mode: AuthMode::TrustedHeader,
            trusted_proxies: vec![],
            user_header: default_user_header(),
            email_header: default_email_header(),
            groups_header: default_groups_header(),
            organizer_groups: vec![],
            viewer_groups: vec![],
            admin_groups: vec![],
            allow_dev_on_network: false,
            allow_broad_trusted_proxies: false,
            proxy_secret_env: None,
            proxy_secret_file: None,
            proxy_secret_header: default_proxy_secret_header(),
            groups_separator: GroupsSeparator::Comma,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProvidersConfig {
    pub tencent_meeting: Option<TencentMeetingConfig>,
    pub wecom: Option<WecomConfig>,
    pub tencent_im: Option<TencentImConfig>,
    pub huiyi31: Option<Huiyi31Config>,
    /// Seconds before a provider call is abandoned (its outcome is then unknown).
    #[serde(default = "default_provider_timeout")]
    pub timeout_secs: u64,
}

fn default_provider_timeout() -> u64 {
    20
}

/// Secret files should be readable by the service alone (0600 / 0400).
fn warn_if_readable_by_others(path: &std::path::Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path) {
            let mode = m.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "{what}: the secret file is readable by group or others; chmod 600 it"
                );
            }
        }
    }
}

/// A secret reference: `secret_key_env = "NAME"` or `secret_key_file = "/run/secrets/x"`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct SecretRef {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

impl SecretRef {
    /// The secret from the environment variable, else (systemd `LoadCredential=NAME:…`) from
    /// the credential of the same name in `$CREDENTIALS_DIRECTORY`, else from the file.
    pub fn resolve(&self, what: &str) -> Result<SecretString> {
        if let Some(name) = &self.env {
            if let Ok(v) = std::env::var(name) {
                if v.is_empty() {
                    bail!("{what}: environment variable {name} is empty");
                }
                return Ok(SecretString::from(v));
            }
            let credential = std::env::var_os("CREDENTIALS_DIRECTORY")
                .map(|d| PathBuf::from(d).join(name))
                .filter(|p| p.is_file());
            if let Some(path) = credential {
                let v = std::fs::read_to_string(&path)
                    .with_context(|| format!("{what}: cannot read the credential {name}"))?;
                let v = v.trim();
                if v.is_empty() {
                    bail!("{what}: the credential {name} is empty");
                }
                return Ok(SecretString::from(v.to_string()));
            }
            bail!("{what}: environment variable {name} is not set (nor a systemd credential of that name)");
        }
        if let Some(path) = &self.file {
            warn_if_readable_by_others(path, what);
            let v = std::fs::read_to_string(path)
                .with_context(|| format!("{what}: cannot read {}", path.display()))?;
            return Ok(SecretString::from(v.trim().to_string()));
        }
        bail!("{what}: set an environment variable (…_env) or a file (…_file); inline secrets are not accepted")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentMeetingConfig {
    #[serde(default = "tm_base")]
    pub base_url: String,
    pub app_id: String,
    pub sdk_id: Option<String>,
    pub secret_id: String,
    pub secret_key_env: Option<String>,
    pub secret_key_file: Option<PathBuf>,
    /// `business` (1,000 imports per webinar) or `enterprise` (4,000). Required: no silent
    /// default (seed 000 gives both caps).
    pub edition: Edition,
    pub operator_userid: String,
    /// Calls per minute (provider limit 300).
    #[serde(default = "tm_rate")]
    pub calls_per_minute: u32,
}
fn tm_base() -> String {
    "https://api.meeting.qq.com".into()
}
fn tm_rate() -> u32 {
    300
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WecomConfig {
    #[serde(default = "wecom_base")]
    pub base_url: String,
    pub corp_id: String,
    pub corp_secret_env: Option<String>,
    pub corp_secret_file: Option<PathBuf>,
}
fn wecom_base() -> String {
    "https://qyapi.weixin.qq.com".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentImConfig {
    #[serde(default = "im_base")]
    pub base_url: String,
    pub sdk_app_id: u64,
    pub admin_identifier: String,
    pub secret_key_env: Option<String>,
    pub secret_key_file: Option<PathBuf>,
    /// Requests per second (provider limit 100).
    #[serde(default = "im_rate")]
    pub requests_per_second: u32,
}
fn im_base() -> String {
    "https://console.tim.qq.com".into()
}
fn im_rate() -> u32 {
    100
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Huiyi31Config {
    #[serde(default = "huiyi_base")]
    pub base_url: String,
    /// Requests per second. Seed 004 documents no limit: a few a second by default.
    #[serde(default = "huiyi_rate")]
    pub requests_per_second: u32,
    /// Used when a job's destination names only the event (`huiyi31:EVENT_ID`).
    pub default_attendee_type_id: Option<String>,
    pub default_item_sku_id: Option<String>,
    /// The ticket's name as 31huiyi knows it (`ItemSkuName`, required by Register). No default:
    /// a guessed name would be sent on every registration.
    pub default_item_sku_name: Option<String>,
    /// Ticket names by ticket id (`ItemSkuId = "ItemSkuName"`): a destination that names its
    /// ticket (`huiyi31:EVENT:TYPE:SKU`) sends that ticket's name, never the default's.
    #[serde(default)]
    pub tickets: std::collections::BTreeMap<String, String>,
}
fn huiyi_base() -> String {
    "https://31api.31huiyi.com".into()
}
fn huiyi_rate() -> u32 {
    5
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    /// Batches in flight per destination.
    #[serde(default = "default_in_flight")]
    pub max_in_flight: usize,
    /// Attempts per batch for retryable errors.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// First backoff, milliseconds (doubles, with jitter, up to `max_backoff_ms`).
    #[serde(default = "default_backoff")]
    pub base_backoff_ms: u64,
    #[serde(default = "default_max_backoff")]
    pub max_backoff_ms: u64,
    /// Wait after a provider rate-limit answer (Tencent Meeting counts per minute).
    #[serde(default = "default_rate_limit_backoff")]
    pub rate_limit_backoff_ms: u64,
    /// Seconds a running job's lease lasts without renewal: another replica takes the job over
    /// this long after its replica stopped. Renewed every third of it.
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    /// How often each replica looks for syncs whose poll is due (milliseconds).
    #[serde(default = "default_sync_tick_ms")]
    pub sync_tick_ms: u64,
}
fn default_lease_secs() -> u64 {
    15
}
fn default_sync_tick_ms() -> u64 {
    1000
}
fn default_rate_limit_backoff() -> u64 {
    60_000
}
fn default_in_flight() -> usize {
    8
}
fn default_attempts() -> u32 {
    10
}
fn default_backoff() -> u64 {
    100
}
fn default_max_backoff() -> u64 {
    5_000
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            max_in_flight: default_in_flight(),
            max_attempts: default_attempts(),
            base_backoff_ms: default_backoff(),
            max_backoff_ms: default_max_backoff(),
            rate_limit_backoff_ms: default_rate_limit_backoff(),
            lease_secs: default_lease_secs(),
            sync_tick_ms: default_sync_tick_ms(),
        }
    }
}

impl TencentMeetingConfig {
    pub fn secret(&self) -> Result<SecretString> {
        SecretRef {
            env: self.secret_key_env.clone(),
            file: self.secret_key_file.clone(),
        }
        .resolve("providers.tencent_meeting.secret_key")
    }
}
impl WecomConfig {
    pub fn secret(&self) -> Result<SecretString> {
        SecretRef {
            env: self.corp_secret_env.clone(),
            file: self.corp_secret_file.clone(),
        }
        .resolve("providers.wecom.corp_secret")
    }
}
impl TencentImConfig {
    pub fn secret(&self) -> Result<SecretString> {
        SecretRef {
            env: self.secret_key_env.clone(),
            file: self.secret_key_file.clone(),
        }
        .resolve("providers.tencent_im.secret_key")
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config> {
        // toml's own Display quotes the offending line, which could hold a secret pasted
        // inline: report the line number and the message only.
        let mut c: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            anyhow::anyhow!(
                "{}{}",
                line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                e.message()
            )
        })?;
        c.server.base_path = normalize_base_path(&c.server.base_path);
        Ok(c)
    }

    /// Refuses unsafe combinations at start-up.
    pub fn check(&self) -> Result<()> {
        self.store.check()?;
        if self.auth.mode == AuthMode::Dev
            && !self.server.bind.ip().is_loopback()
            && !self.auth.allow_dev_on_network
        {
            bail!("auth.mode = \"dev\" gives every visitor a fixed identity; it only runs on a loopback bind (got {})", self.server.bind);
        }
        if self.auth.mode == AuthMode::TrustedHeader && self.auth.trusted_proxies.is_empty() {
            bail!("auth.mode = \"trusted-header\" needs auth.trusted_proxies: the exact addresses of your SSO proxy");
        }
        if !self.auth.allow_broad_trusted_proxies {
            if let Some(net) = self.auth.trusted_proxies.iter().find(|n| match n {
                IpNet::V4(n) => n.prefix_len() < 24,
                IpNet::V6(n) => n.prefix_len() < 64,
            }) {
                bail!("auth.trusted_proxies: {net} is wider than a /24 (IPv4) or /64 (IPv6); everyone in it could claim any identity. Name your SSO proxy's addresses, or set auth.allow_broad_trusted_proxies = true");
            }
        }
        // Tokens and UserSigs travel in query strings: plain HTTP only to this machine.
        let p = &self.providers;
        for (name, url) in [
            (
                "tencent_meeting",
                p.tencent_meeting.as_ref().map(|t| &t.base_url),
            ),
            ("wecom", p.wecom.as_ref().map(|t| &t.base_url)),
            ("tencent_im", p.tencent_im.as_ref().map(|t| &t.base_url)),
            ("huiyi31", p.huiyi31.as_ref().map(|t| &t.base_url)),
        ] {
            if let Some(url) = url {
                if !https_or_loopback(url) {
                    bail!("providers.{name}.base_url: {url} is plain HTTP to another machine; credentials would travel unencrypted. Use https:// (plain http:// is only for 127.0.0.1 / localhost, e.g. the sandbox)");
                }
            }
        }
        Ok(())
    }
}

/// `https://…`, or `http://` to a loopback host (the sandbox, a local test fake).
fn https_or_loopback(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    is_loopback_name(split_host_port(rest.split('/').next().unwrap_or("")).0)
}

/// `host:port`, `[v6]:port`, or a name alone → (host without brackets, port text if any).
pub fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let (name, port) = match authority.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && !p.contains(']') => (n, Some(p)),
        _ => (authority, None),
    };
    (name.trim_start_matches('[').trim_end_matches(']'), port)
}

/// `localhost` or a loopback address (127.x.x.x, ::1).
pub fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `""`, `"/"` → `""`; `"x/"` → `"/x"`.
pub fn normalize_base_path(p: &str) -> String {
    let t = p.trim().trim_matches('/');
    if t.is_empty() {
        String::new()
    } else {
        format!("/{t}")
    }
}
