//! Provider wire types, validation and error classification — one module per provider.
//!
//! Field names and JSON types are exactly the providers' (see `docs/providers.md`
//! and the seeds copied under `core/tests/fixtures/seeds`).

pub mod flex;
pub mod huiyi31;
pub mod tencent_im;
pub mod tencent_meeting;
pub mod wecom;

use serde::{Deserialize, Serialize};

/// What a client should do about a provider error (docs/providers.md).
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The provider's own classification of `code` (docs/providers.md).
    pub fn classify(self, code: i64) -> ErrorClass {
        match self {
            Provider::TencentMeeting => tencent_meeting::classify(code),
            Provider::Wecom => wecom::classify(code),
            Provider::TencentIm => tencent_im::classify(code),
            Provider::Huiyi31 => huiyi31::classify(code),
        }
    }

    /// Whether `code` is the provider's rate-limit answer (wait for the window).
    pub fn is_rate_limit(self, code: i64) -> bool {
        match self {
            Provider::TencentMeeting => tencent_meeting::is_rate_limit(code),
            Provider::Wecom => wecom::is_rate_limit(code),
            Provider::TencentIm => tencent_im::is_rate_limit(code),
            Provider::Huiyi31 => huiyi31::is_rate_limit(code),
        }
    }

    /// Whether `code` says a request carried more rows than the provider takes at once.
    pub fn shrinks_batch(self, code: i64) -> bool {
        match self {
            Provider::TencentIm => tencent_im::shrinks_batch(code),
            _ => false,
        }
    }

    /// Whether `code` means no row of a destination can succeed.
    pub fn stops_destination(self, code: i64) -> bool {
        match self {
            Provider::TencentMeeting => tencent_meeting::stops_destination(code),
            Provider::Wecom => wecom::stops_destination(code),
            Provider::TencentIm => tencent_im::stops_destination(code),
            Provider::Huiyi31 => huiyi31::stops_destination(code),
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

impl From<u64> for FlexId {
    fn from(n: u64) -> Self {
        FlexId::Num(n)
    }
}

impl std::fmt::Display for FlexId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// Deserialises `null` (and absence, with `#[serde(default)]`) as the type's default: the
/// providers' answers put `null` in string fields the docs do not mark required.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One entry of a provider's list, parsed on its own: an entry that does not have the documented
/// shape is kept as it came (its raw JSON, with the reason) instead of failing the whole answer.
/// Serialises back to exactly what was received, so a page can be passed on unchanged.
///
/// The entry is buffered as raw JSON text and parsed from it (no `serde_json::Value` tree): the
/// browser bundle then carries one parser per entry type, the one it uses anyway.
#[derive(Debug, Clone)]
pub enum Lenient<T> {
    Ok(T),
    Odd {
        raw: Box<serde_json::value::RawValue>,
        error: String,
    },
}

impl<T> Lenient<T> {
    /// The parsed entry, if it had the documented shape.
    pub fn ok(&self) -> Option<&T> {
        match self {
            Lenient::Ok(v) => Some(v),
            Lenient::Odd { .. } => None,
        }
    }
}

impl<T: PartialEq> PartialEq for Lenient<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Lenient::Ok(a), Lenient::Ok(b)) => a == b,
            (Lenient::Odd { raw: a, .. }, Lenient::Odd { raw: b, .. }) => a.get() == b.get(),
            _ => false,
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        Ok(match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Lenient::Ok(v),
            Err(e) => Lenient::Odd {
                error: e.to_string(),
                raw,
            },
        })
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Lenient::Ok(v) => v.serialize(s),
            Lenient::Odd { raw, .. } => raw.serialize(s),
        }
    }
}

impl<T> From<T> for Lenient<T> {
    fn from(v: T) -> Self {
        Lenient::Ok(v)
    }
}
