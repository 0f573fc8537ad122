//! The listener and the SSO trust sections.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use ipnet::IpNet;
use secrecy::SecretString;
use serde::Deserialize;

use super::SecretRef;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// Path prefix the UI and API are served under (e.g. `/rollcall`), for portals.
    pub base_path: String,
    pub data_dir: PathBuf,
    /// CSP `frame-ancestors` sources, e.g. `["'self'", "https://portal.example.com"]`.
    pub frame_ancestors: Vec<String>,
    /// Directory with the trunk-built UI.
    pub ui_dir: PathBuf,
    /// Largest request body (bytes) for job creation.
    pub max_body_bytes: usize,
    /// Seconds before a non-streaming request is cut off.
    pub request_timeout_secs: u64,
    /// Seconds a client may take to send a request's headers (slow clients are cut off).
    pub header_read_timeout_secs: u64,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// This replica's name in job leases and logs. Default: `HOST:PORT` (stable across restarts,
    /// so a restarted replica takes its own jobs back at once).
    pub replica_id: Option<String>,
    /// A listener of its own for `/metrics`, without identity: `PORT` (on 127.0.0.1) or
    /// `ADDRESS:PORT`. Without it, `/metrics` on the main listener answers admins only.
    pub metrics_bind: Option<String>,
    /// Speak HTTP/2 as well as HTTP/1.1 (off: nginx and oauth2-proxy talk HTTP/1.1 upstream).
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

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:8080".parse().expect("literal"),
            base_path: String::new(),
            data_dir: PathBuf::from("rollcall-data"),
            frame_ancestors: vec!["'self'".into()],
            ui_dir: PathBuf::from("dist"),
            max_body_bytes: 32 * 1024 * 1024,
            request_timeout_secs: 60,
            header_read_timeout_secs: 10,
            max_connections: 1024,
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
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub mode: AuthMode,
    /// Exact addresses (CIDRs) of the SSO proxy; identity headers from anyone else are ignored.
    pub trusted_proxies: Vec<IpNet>,
    pub user_header: String,
    pub email_header: String,
    pub groups_header: String,
    pub organizer_groups: Vec<String>,
    /// Empty: any authenticated user may view.
    pub viewer_groups: Vec<String>,
    /// Members may cancel and resume anyone's job (others only their own).
    pub admin_groups: Vec<String>,
    /// Allow `dev` mode on a non-loopback bind (never in production).
    pub allow_dev_on_network: bool,
    /// Allow `trusted_proxies` ranges wider than a /24 (IPv4) or /64 (IPv6): anyone in them can
    /// claim any identity.
    pub allow_broad_trusted_proxies: bool,
    /// An environment variable holding a secret the front proxy adds to every request (in
    /// `proxy_secret_header`): with it, only the front proxy can speak for a user — not any
    /// process that can reach `trusted_proxies` (every local user, on a shared host).
    pub proxy_secret_env: Option<String>,
    /// A file holding that secret instead (systemd `LoadCredential`).
    pub proxy_secret_file: Option<PathBuf>,
    pub proxy_secret_header: String,
    /// How the groups header lists several groups: `comma` (oauth2-proxy) or `none` (one
    /// group per header value; a comma is part of the name).
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

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            mode: AuthMode::TrustedHeader,
            trusted_proxies: vec![],
            user_header: "X-Forwarded-User".into(),
            email_header: "X-Forwarded-Email".into(),
            groups_header: "X-Forwarded-Groups".into(),
            organizer_groups: vec![],
            viewer_groups: vec![],
            admin_groups: vec![],
            allow_dev_on_network: false,
            allow_broad_trusted_proxies: false,
            proxy_secret_env: None,
            proxy_secret_file: None,
            proxy_secret_header: "X-Rollcall-Proxy-Secret".into(),
            groups_separator: GroupsSeparator::Comma,
        }
    }
}
