//! Enums stored as text: one macro gives each its stored name, its label for people, `ALL`, and parsing.

/// Declares an enum with `as_str`, `label`, `ALL` and `FromStr`.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $stored:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value stored in the database and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored,)* }
            }

            /// The words shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::org::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| $crate::org::UnknownValue(s.to_owned()))
            }
        }
    };
}
pub(crate) use stored_enum;
