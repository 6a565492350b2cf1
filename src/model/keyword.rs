/*!
Fields that take one of a few words (`status = "open"`, `impact = "high"`): one macro gives
each such enum the same text form in records, JSON and on the command line, and the same
error for a word it does not know.
*/

/// Defines an enum whose variants are written as fixed words, with `ALL`, `as_str`,
/// `Display`, `FromStr` (the error names the kind of word and lists the allowed ones) and
/// serde as the word.
///
/// ```
/// git_coord::keyword_enum! {
///     /// How likely a risk is.
///     pub enum Level("level") { Low = "low", Medium = "medium", High = "high" }
/// }
/// assert_eq!("high".parse::<Level>(), Ok(Level::High));
/// assert_eq!(Level::Medium.to_string(), "medium");
/// assert_eq!(
///     "huge".parse::<Level>().unwrap_err(),
///     "unknown level \"huge\": use low, medium or high"
/// );
/// ```
#[macro_export]
macro_rules! keyword_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($noun:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word records, JSON and the command line use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    format!(
                        "unknown {} {s:?}: use {}",
                        $noun,
                        $crate::model::keyword::one_of(&[$($text),+])
                    )
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// `a`, `a or b`, `a, b or c`.
pub fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    keyword_enum! {
        /// A test enum.
        pub enum Colour("colour") { Red = "red", DarkBlue = "dark-blue", Green = "green" }
    }

    #[test]
    fn words_round_trip_and_unknown_ones_are_named() {
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>(), Ok(*c));
            assert_eq!(c.to_string(), c.as_str());
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), *c);
        }
        assert_eq!(
            "Red".parse::<Colour>(),
            Err("unknown colour \"Red\": use red, dark-blue or green".to_owned())
        );
        assert_eq!(super::one_of(&["go", "no-go"]), "go or no-go");
        assert_eq!(super::one_of(&["x"]), "x");
    }
}
