//! Configuration: a TOML file plus environment. Secrets only come from environment variables or
//! files named in the config, never inline; they are held as `SecretString` (redacted Debug).
//!
//! Every section is a struct with container-level defaults (`#[serde(default)]` + `Default`):
//! `server.rs` (listener, SSO trust), `sections.rs` (jobs, journal, retention, limits),
//! `providers.rs` (each provider's account and where its secret comes from).

use std::path::Path;

use anyhow::{bail, Context, Result};
use ipnet::IpNet;
use serde::Deserialize;

mod providers;
mod sections;
mod server;

pub use providers::*;
pub use sections::*;
pub use server::*;

use crate::util::{is_loopback_name, split_host_port};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub auth: AuthConfig,
    pub providers: ProvidersConfig,
    pub jobs: JobsConfig,
    pub store: StoreConfig,
    pub retention: RetentionConfig,
    pub limits: LimitsConfig,
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

/// `""`, `"/"` → `""`; `"x/"` → `"/x"`.
pub fn normalize_base_path(p: &str) -> String {
    let t = p.trim().trim_matches('/');
    if t.is_empty() {
        String::new()
    } else {
        format!("/{t}")
    }
}
