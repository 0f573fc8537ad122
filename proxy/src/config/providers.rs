//! Each provider's account, rate and where its secret comes from (never inline).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use rollcall_core::providers::tencent_meeting::Edition;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvidersConfig {
    pub tencent_meeting: Option<TencentMeetingConfig>,
    pub wecom: Option<WecomConfig>,
    pub tencent_im: Option<TencentImConfig>,
    pub huiyi31: Option<Huiyi31Config>,
    /// Seconds before a provider call is abandoned (its outcome is then unknown).
    pub timeout_secs: u64,
}

impl Default for ProvidersConfig {
    fn default() -> Self {
        ProvidersConfig {
            tencent_meeting: None,
            wecom: None,
            tencent_im: None,
            huiyi31: None,
            timeout_secs: 20,
        }
    }
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
    rollcall_core::providers::tencent_meeting::CALLS_PER_MINUTE
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
    rollcall_core::providers::tencent_im::REQUESTS_PER_SECOND
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
    rollcall_core::providers::huiyi31::REQUESTS_PER_SECOND
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
