//! Provider wire types, validation and error classification — one module per provider.
//!
//! Field names and JSON types are exactly the providers' (see `../PROVIDERS.md` in the repo docs
//! and the seeds copied under `core/tests/fixtures/seeds`).

pub mod huiyi31;
pub mod tencent_im;
pub mod tencent_meeting;
pub mod wecom;

use serde::{Deserialize, Serialize};

/// What a client should do about a provider error (PROVIDERS.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Back off and try again (bounded).
    Retryable,
    /// Refresh the credential (token, UserSig, signature) and retry once.
    Reauth,
    /// Do not retry; surface to the user.
    Permanent,
}

/// Which provider a thing belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    TencentMeeting,
    Wecom,
    TencentIm,
    Huiyi31,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::TencentMeeting => "tencent-meeting",
            Provider::Wecom => "wecom",
            Provider::TencentIm => "tencent-im",
            Provider::Huiyi31 => "huiyi31",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Provider::TencentMeeting => "腾讯会议",
            Provider::Wecom => "企业微信",
            Provider::TencentIm => "腾讯云 IM",
            Provider::Huiyi31 => "31会议",
        }
    }
}

/// Serde helpers for integers the providers put in JSON strings (`"1631589648"`).
pub mod string_u64 {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            S(String),
            N(u64),
        }
        match Either::deserialize(d)? {
            Either::S(s) => s
                .trim()
                .parse()
                .map_err(|_| D::Error::custom(format!("not an integer string: {s:?}"))),
            Either::N(n) => Ok(n),
        }
    }
}

/// An id that arrives as a JSON string or a JSON number (WeCom `enroll_id`). Keeps the original
/// form so it round-trips; compare with [`FlexId::as_string`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlexId {
    Num(u64),
    Str(String),
}

impl FlexId {
    pub fn as_string(&self) -> String {
        match self {
            FlexId::Num(n) => n.to_string(),
            FlexId::Str(s) => s.clone(),
        }
    }
}

impl std::fmt::Display for FlexId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}
