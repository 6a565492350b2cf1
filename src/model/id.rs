/*!
Identifiers: task IDs that cannot collide across clones, and agent names chosen by people.

Both are validated before they ever become part of a path on the coordination branch, so a
name such as `../x` or `a/b` can never escape the directory it is stored in.
*/

use std::fmt;

use serde::{Deserialize, Serialize};

/// The alphabet of the random part of generated IDs: lowercase base 36.
const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// How many random characters a new task ID gets (36^6 ≈ 2.2 billion).
pub const TASK_ID_LEN: usize = 6;

/// A task ID: `t-` followed by at least [`TASK_ID_LEN`] lowercase base-36 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct TaskId(String);

/// Validated when read from text (JSON); trusted when read from our own binary index cache,
/// which only ever holds IDs that were validated when their records were parsed (decoding
/// 10,000 of them was a visible share of every read).
impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TaskId, D::Error> {
        let human = d.is_human_readable();
        let s = String::deserialize(d)?;
        if human {
            TaskId::parse(&s).map_err(serde::de::Error::custom)
        } else {
            Ok(TaskId(s))
        }
    }
}

impl From<TaskId> for String {
    fn from(id: TaskId) -> String {
        id.0
    }
}

impl TaskId {
    pub const PREFIX: &'static str = "t-";

    /// Parses a full task ID, refusing anything that is not `t-[0-9a-z]{6,}`.
    pub fn parse(s: &str) -> Result<TaskId, IdError> {
        let rest = s
            .strip_prefix(Self::PREFIX)
            .ok_or_else(|| IdError::task(s))?;
        if rest.len() < TASK_ID_LEN || rest.len() > 32 || !rest.bytes().all(is_id_byte) {
            return Err(IdError::task(s));
        }
        Ok(TaskId(s.to_owned()))
    }

    /// An ID read back from our own binary caches, which only ever hold IDs validated when
    /// their records were parsed (as the binary `Deserialize` above trusts them).
    pub(crate) fn trusted(s: &str) -> TaskId {
        TaskId(s.to_owned())
    }

    /// A fresh random ID with `len` random characters.
    pub fn random(len: usize) -> TaskId {
        let mut s = String::with_capacity(Self::PREFIX.len() + len);
        s.push_str(Self::PREFIX);
        for _ in 0..len {
            s.push(ALPHABET[fastrand::usize(..ALPHABET.len())] as char);
        }
        TaskId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The random part, after `t-`.
    pub fn random_part(&self) -> &str {
        &self.0[Self::PREFIX.len()..]
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_lowercase()
}

/// What a user typed to name a task: a whole ID or a unique prefix of one, with or without `t-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskPrefix {
    /// The random part typed so far (after `t-`).
    random: String,
}

impl TaskPrefix {
    pub fn parse(s: &str) -> Result<TaskPrefix, IdError> {
        let trimmed = s.trim();
        let rest = trimmed.strip_prefix(TaskId::PREFIX).unwrap_or(trimmed);
        if rest.is_empty() || rest.len() > 32 || !rest.bytes().all(is_id_byte) {
            return Err(IdError::prefix(s));
        }
        Ok(TaskPrefix {
            random: rest.to_owned(),
        })
    }

    pub fn random_part(&self) -> &str {
        &self.random
    }

    /// The whole ID if the prefix is long enough to be one.
    pub fn as_full_id(&self) -> Option<TaskId> {
        TaskId::parse(&format!("{}{}", TaskId::PREFIX, self.random)).ok()
    }

    pub fn matches(&self, id: &TaskId) -> bool {
        id.random_part().starts_with(&self.random)
    }
}

impl fmt::Display for TaskPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", TaskId::PREFIX, self.random)
    }
}

/// An agent's name: `[a-z0-9][a-z0-9-]{0,39}`, chosen by people.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct AgentId(String);

/// Validated from text, trusted from the binary index cache, like [`TaskId`].
impl<'de> Deserialize<'de> for AgentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AgentId, D::Error> {
        let human = d.is_human_readable();
        let s = String::deserialize(d)?;
        if human {
            AgentId::parse(&s).map_err(serde::de::Error::custom)
        } else {
            Ok(AgentId(s))
        }
    }
}

impl From<AgentId> for String {
    fn from(id: AgentId) -> String {
        id.0
    }
}

impl AgentId {
    pub fn parse(s: &str) -> Result<AgentId, IdError> {
        let bytes = s.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= 40
            && is_id_byte(bytes[0])
            && bytes.iter().all(|&b| is_id_byte(b) || b == b'-');
        if valid {
            Ok(AgentId(s.to_owned()))
        } else {
            Err(IdError::Agent(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name read back from our own binary caches, which only ever hold names validated
    /// when their records were parsed (like [`TaskId::trusted`]).
    pub(crate) fn trusted(s: &str) -> AgentId {
        AgentId(s.to_owned())
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines the ID type of a record kind that any clone may create concurrently: a kind prefix
/// (`c-`) and 6 to 32 random lowercase base-36 characters, plus the type of what a user types
/// to name one (a whole ID or a unique prefix, with or without the kind prefix).
///
/// `record_id!(ConflictId, ConflictPrefix, "c-", "conflict");`
#[macro_export]
macro_rules! record_id {
    ($id:ident, $prefix:ident, $kind_prefix:literal, $noun:literal) => {
        #[doc = concat!("A ", $noun, " ID: `", $kind_prefix, "` and 6 to 32 characters from 0-9 and a-z.")]
        #[derive(
            Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(into = "String", try_from = "String")]
        pub struct $id(String);

        impl $id {
            pub const PREFIX: &'static str = $kind_prefix;
            pub const NOUN: &'static str = $noun;

            /// Parses a whole ID, refusing anything that could not be a file name of ours.
            pub fn parse(s: &str) -> Result<$id, $crate::model::id::IdError> {
                match s.strip_prefix(Self::PREFIX) {
                    Some(rest) if $crate::model::id::is_random_part(rest, 6) => Ok($id(s.to_owned())),
                    _ => Err($crate::model::id::IdError::Record {
                        noun: $noun,
                        example: concat!($kind_prefix, "4kz9w2"),
                        given: s.to_owned(),
                    }),
                }
            }

            /// A fresh random ID with `len` (1 to 32) random characters.
            pub fn random(len: usize) -> $id {
                $id(format!("{}{}", Self::PREFIX, $crate::model::id::random_part(len)))
            }

            /// The ID a record path (`dir/<id>.md`) names, if it names one.
            pub fn from_path(path: &str) -> Option<$id> {
                let name = path.rsplit('/').next()?.strip_suffix(".md")?;
                $id::parse(name).ok()
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The random part, after the kind prefix.
            pub fn random_part(&self) -> &str {
                &self.0[Self::PREFIX.len()..]
            }
        }

        impl std::fmt::Display for $id {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$id> for String {
            fn from(id: $id) -> String {
                id.0
            }
        }

        impl TryFrom<String> for $id {
            type Error = $crate::model::id::IdError;
            fn try_from(s: String) -> Result<$id, $crate::model::id::IdError> {
                $id::parse(&s)
            }
        }

        #[doc = concat!("What a user typed to name a ", $noun, ": a whole ID or a unique prefix.")]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $prefix(String);

        impl $prefix {
            pub fn parse(s: &str) -> Result<$prefix, $crate::model::id::IdError> {
                let t = s.trim();
                let rest = t.strip_prefix($kind_prefix).unwrap_or(t);
                if $crate::model::id::is_random_part(rest, 1) {
                    Ok($prefix(rest.to_owned()))
                } else {
                    Err($crate::model::id::IdError::RecordPrefix {
                        noun: $noun,
                        example: concat!($kind_prefix, "4kz9w2"),
                        given: s.to_owned(),
                    })
                }
            }

            /// The whole ID, if the prefix is long enough to be one.
            pub fn as_full_id(&self) -> Option<$id> {
                $id::parse(&format!("{}{}", $kind_prefix, self.0)).ok()
            }

            /// The random part typed so far (after the kind prefix).
            pub fn random_part(&self) -> &str {
                &self.0
            }

            pub fn matches(&self, id: &$id) -> bool {
                id.random_part().starts_with(&self.0)
            }
        }

        impl std::fmt::Display for $prefix {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}{}", $kind_prefix, self.0)
            }
        }
    };
}

record_id!(ConflictId, ConflictPrefix, "c-", "conflict");
record_id!(RiskId, RiskPrefix, "r-", "risk");
record_id!(MilestoneId, MilestonePrefix, "m-", "milestone");

/// Whether `s` can be the random part of a record ID: `min` to 32 characters from 0-9, a-z.
pub fn is_random_part(s: &str, min: usize) -> bool {
    (min..=32).contains(&s.len()) && s.bytes().all(is_id_byte)
}

/// `len` (clamped to 1..=32) random characters from the ID alphabet.
pub fn random_part(len: usize) -> String {
    (0..len.clamp(1, 32))
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{given:?} is not a {noun} ID: {noun} IDs look like {example}")]
    Record {
        noun: &'static str,
        example: &'static str,
        given: String,
    },
    #[error("{given:?} is not a {noun} ID or prefix: use characters 0-9 and a-z, as in {example}")]
    RecordPrefix {
        noun: &'static str,
        example: &'static str,
        given: String,
    },
    #[error(
        "{0:?} is not a task ID: task IDs look like t-4kz9w2 (t- and at least {TASK_ID_LEN} characters from 0-9 and a-z)"
    )]
    Task(String),
    #[error("{0:?} is not a task ID or prefix: use characters 0-9 and a-z, as in t-4kz9w2 or 4kz")]
    Prefix(String),
    #[error(
        "{0:?} is not a valid agent name: use 1 to 40 characters from a-z, 0-9 and '-', starting with a letter or digit"
    )]
    Agent(String),
}

impl IdError {
    fn task(s: &str) -> IdError {
        IdError::Task(s.to_owned())
    }
    fn prefix(s: &str) -> IdError {
        IdError::Prefix(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids() {
        assert!(TaskId::parse("t-4kz9w2").is_ok());
        assert!(TaskId::parse("t-4kz9w2ab").is_ok());
        for bad in [
            "4kz9w2",
            "t-4kz9",
            "t-4KZ9W2",
            "t-../../x",
            "t-4kz9w2/",
            "",
            "t-",
        ] {
            assert!(TaskId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let id = TaskId::random(TASK_ID_LEN);
        assert_eq!(TaskId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn prefixes() {
        let id = TaskId::parse("t-4kz9w2").unwrap();
        assert!(TaskPrefix::parse("4kz").unwrap().matches(&id));
        assert!(TaskPrefix::parse("t-4kz").unwrap().matches(&id));
        assert!(!TaskPrefix::parse("t-4ky").unwrap().matches(&id));
        assert_eq!(
            TaskPrefix::parse("t-4kz9w2").unwrap().as_full_id(),
            Some(id)
        );
        for bad in ["", "t-", "../x", "4k/z", "4K"] {
            assert!(TaskPrefix::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn record_ids_and_prefixes() {
        let id = ConflictId::parse("c-4kz9w2").unwrap();
        assert_eq!(id.random_part(), "4kz9w2");
        for bad in [
            "4kz9w2", "c-4kz9", "c-4KZ9W2", "c-../x", "r-4kz9w2", "", "c-",
        ] {
            assert!(ConflictId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let e = RiskId::parse("x").unwrap_err().to_string();
        assert!(e.contains("risk IDs look like r-4kz9w2"), "{e}");
        let fresh = RiskId::random(6);
        assert_eq!(RiskId::parse(fresh.as_str()), Ok(fresh.clone()));
        assert_eq!(fresh.random_part().len(), 6);
        assert!(ConflictPrefix::parse("4kz").unwrap().matches(&id));
        assert!(ConflictPrefix::parse("c-4k").unwrap().matches(&id));
        assert!(!ConflictPrefix::parse("c-4ky").unwrap().matches(&id));
        assert_eq!(
            ConflictPrefix::parse("4kz9w2").unwrap().as_full_id(),
            Some(id.clone())
        );
        for bad in ["", "c-", "../x", "4k/z", "4K"] {
            assert!(ConflictPrefix::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(ConflictId::from_path("conflicts/c-4kz9w2.md"), Some(id));
        assert_eq!(ConflictId::from_path("conflicts/README.md"), None);
    }

    #[test]
    fn agent_ids() {
        for good in ["a", "state", "agent-7", "0x", &"a".repeat(40)] {
            assert!(AgentId::parse(good).is_ok(), "{good:?} refused");
        }
        for bad in [
            "",
            "-a",
            "A",
            "a b",
            "../etc",
            "a/b",
            "a.b",
            &"a".repeat(41),
        ] {
            assert!(AgentId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
