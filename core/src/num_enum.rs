//! Open numeric enums: providers send integers; we want named variants that round-trip and an
//! `Other(n)` escape hatch so an unknown value from a newer API never fails a whole page.

/// Defines `enum $name { Variant = n, ..., Other(i64) }` serialized as a JSON integer.
#[macro_export]
macro_rules! num_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:expr),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know.
            Other(i64),
        }

        impl $name {
            /// The integer the provider uses on the wire.
            pub fn code(self) -> i64 {
                match self {
                    $($name::$variant => $value,)+
                    $name::Other(n) => n,
                }
            }
            /// The variant for a wire integer (`Other` when unknown).
            pub fn from_code(n: i64) -> Self {
                match n {
                    $(x if x == $value => $name::$variant,)+
                    other => $name::Other(other),
                }
            }
            /// Whether this is a documented value.
            pub fn is_known(self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        /// Read as the providers send it: a number or a numeric string (`2`, `"2"`, `2.0`).
        impl $crate::providers::flex::FromScalar for $name {
            fn from_scalar(s: $crate::providers::flex::Scalar) -> Option<Self> {
                s.to_i64().map($name::from_code)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::providers::flex::required(d)
            }
        }
    };
}

/// Defines `enum $name { Variant = "text", ..., Other(String) }` serialized as a JSON string:
/// the documented values by name, anything else kept as sent.
#[macro_export]
macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the docs do not list, kept as sent.
            Other(String),
        }

        impl $name {
            /// The text the provider uses on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)+
                    $name::Other(s) => s,
                }
            }

            /// Whether the value is one the docs list.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($value => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::providers::flex::FromScalar for $name {
            fn from_scalar(s: $crate::providers::flex::Scalar) -> Option<Self> {
                <String as $crate::providers::flex::FromScalar>::from_scalar(s).map(|s| $name::from(s.as_str()))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::providers::flex::required(d)
            }
        }
    };
}
