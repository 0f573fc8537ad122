//! Wire scalars read as the providers really send them (docs/providers.md, "Types drift").
//!
//! The providers' answers do not keep the JSON types their tables print: an integer comes as a
//! numeric string (`"enroll_source_type": "2"`, `"businessCode": "0"`), a string id as a number
//! (`"enroll_id": 1351111`), an integer as a float or a decimal string (`"orderAmount": "0.00"`),
//! anything as `null`. Every scalar field of an answer is read through this module:
//!
//! - both forms are accepted (number ↔ string, an integral float as an integer, `"1"`/`"true"`
//!   as a boolean);
//! - a value that cannot be read (an object where a string was documented, `"abc"` where an
//!   integer was) loses **that field only** — the field reads as absent, never the whole entry;
//! - `null` and a missing field read as absent.
//!
//! Use `#[serde(default, deserialize_with = "flex::opt")]` on `Option<T>` fields and
//! `#[serde(default, deserialize_with = "flex::or_default")]` on fields with a default;
//! `flex::required` for the few fields the docs mark required (an unreadable one fails the entry,
//! which then stays [`super::Lenient::Odd`]).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::FlexId;

/// A JSON value as it came, reduced to what a scalar field can use.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    /// An object or array where a scalar was expected.
    Other,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::UInt(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Scalar {
    /// The value as an integer: integers, integral floats, and strings holding either
    /// (`" 42 "`, `"0.00"`, `"1e3"`).
    pub fn to_i64(&self) -> Option<i64> {
        fn integral(f: f64) -> Option<i64> {
            (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
        }
        match self {
            Scalar::Int(n) => Some(*n),
            Scalar::UInt(n) => i64::try_from(*n).ok(),
            Scalar::Float(f) => integral(*f),
            Scalar::Str(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| number(s).and_then(integral))
            }
            Scalar::Null | Scalar::Bool(_) | Scalar::Other => None,
        }
    }

    /// The value as a non-negative integer (ids beyond `i64`, such as Tencent Meeting's
    /// 20-digit meeting ids, included).
    pub fn to_u64(&self) -> Option<u64> {
        match self {
            Scalar::UInt(n) => Some(*n),
            Scalar::Str(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .or_else(|| self.to_i64().and_then(|n| u64::try_from(n).ok())),
            _ => self.to_i64().and_then(|n| u64::try_from(n).ok()),
        }
    }
}

/// A decimal number written as text (`"0.00"`, `"1e3"`), read by serde_json's own number parser
/// (the one every answer goes through anyway: no second float parser in the browser bundles).
fn number(s: &str) -> Option<f64> {
    serde_json::from_str::<f64>(s)
        .ok()
        .filter(|f| f.is_finite())
}

/// A type a scalar field can be read as. `None`: this value cannot be read as the type.
pub trait FromScalar: Sized {
    fn from_scalar(s: Scalar) -> Option<Self>;
}

impl FromScalar for String {
    fn from_scalar(s: Scalar) -> Option<Self> {
        match s {
            Scalar::Str(s) => Some(s),
            Scalar::Int(n) => Some(n.to_string()),
            Scalar::UInt(n) => Some(n.to_string()),
            // An integral float is the integer it holds (`1351111.0` → "1351111"); any other
            // as serde_json prints it.
            Scalar::Float(f) => match Scalar::Float(f).to_i64() {
                Some(n) => Some(n.to_string()),
                None => serde_json::to_string(&f).ok(),
            },
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Null | Scalar::Other => None,
        }
    }
}

macro_rules! from_scalar_int {
    ($($t:ty),*) => {$(
        impl FromScalar for $t {
            fn from_scalar(s: Scalar) -> Option<Self> {
                s.to_u64()
                    .and_then(|n| <$t>::try_from(n).ok())
                    .or_else(|| s.to_i64().and_then(|n| <$t>::try_from(n).ok()))
            }
        }
    )*};
}
from_scalar_int!(i64, u64, i32, u32, u16, u8);

impl FromScalar for f64 {
    fn from_scalar(s: Scalar) -> Option<Self> {
        match s {
            Scalar::Int(n) => Some(n as f64),
            Scalar::UInt(n) => Some(n as f64),
            Scalar::Float(f) => Some(f),
            Scalar::Str(s) => number(s.trim()),
            _ => None,
        }
    }
}

impl FromScalar for bool {
    fn from_scalar(s: Scalar) -> Option<Self> {
        match s {
            Scalar::Bool(b) => Some(b),
            Scalar::Str(ref t) => match t.trim() {
                "true" | "TRUE" | "True" => Some(true),
                "false" | "FALSE" | "False" => Some(false),
                _ => s.to_i64().and_then(int_bool),
            },
            _ => s.to_i64().and_then(int_bool),
        }
    }
}

fn int_bool(n: i64) -> Option<bool> {
    match n {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

impl FromScalar for FlexId {
    fn from_scalar(s: Scalar) -> Option<Self> {
        match s {
            Scalar::UInt(n) => Some(FlexId::Num(n)),
            Scalar::Int(n) => Some(match u64::try_from(n) {
                Ok(n) => FlexId::Num(n),
                Err(_) => FlexId::Str(n.to_string()),
            }),
            Scalar::Float(_) => s.to_u64().map(FlexId::Num),
            Scalar::Str(t) if !t.trim().is_empty() => Some(FlexId::Str(t)),
            _ => None,
        }
    }
}

/// An optional field: absent, `null` or unreadable → `None`.
pub fn opt<'de, D: Deserializer<'de>, T: FromScalar>(d: D) -> Result<Option<T>, D::Error> {
    Ok(T::from_scalar(Scalar::deserialize(d)?))
}

/// A field with a default: absent, `null` or unreadable → the default.
pub fn or_default<'de, D: Deserializer<'de>, T: FromScalar + Default>(d: D) -> Result<T, D::Error> {
    Ok(opt(d)?.unwrap_or_default())
}

/// A field the docs mark required: both forms accepted; unreadable fails the entry.
pub fn required<'de, D: Deserializer<'de>, T: FromScalar>(d: D) -> Result<T, D::Error> {
    T::from_scalar(Scalar::deserialize(d)?)
        .ok_or_else(|| de::Error::custom("a required value cannot be read"))
}

/// A list of strings whose elements may drift (`[123, "u2", null]`): each element read as a
/// string, an unreadable one dropped; `null` or anything but a list reads as empty.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = a.next_element::<Scalar>()? {
                out.extend(String::from_scalar(s));
            }
            Ok(out)
        }
        fn visit_unit<E>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
            while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}
