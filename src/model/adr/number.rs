/*!
ADR numbers (`ADR-0007`, `0007` in file names) and the file names built from them.
*/

use std::fmt;

use serde::{Serialize, Serializer};

/// Where ADR records live on the coordination branch.
pub const ADRS_DIR: &str = "adrs";

/// The longest slug a new file name gets; longer titles are cut at a word boundary.
pub const MAX_SLUG: usize = 60;

/// An ADR's number, shown as `ADR-0007` and written `0007` in its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdrNumber(u32);

impl AdrNumber {
    /// The largest number accepted, so a file name stays short.
    pub const MAX: u32 = 999_999;

    /// The number the first ADR of a branch gets.
    pub const FIRST: AdrNumber = AdrNumber(1);

    pub fn new(n: u32) -> Option<AdrNumber> {
        (n <= Self::MAX).then_some(AdrNumber(n))
    }

    /// Parses what a user typed: `7`, `0007`, `ADR-7`, `ADR-0007` (any case, `-` optional).
    pub fn parse(s: &str) -> Result<AdrNumber, AdrNumberError> {
        let t = s.trim();
        let digits = match t.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("adr") => t[3..].strip_prefix('-').unwrap_or(&t[3..]),
            _ => t,
        };
        if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AdrNumberError(s.to_owned()));
        }
        digits
            .parse::<u32>()
            .ok()
            .and_then(AdrNumber::new)
            .ok_or_else(|| AdrNumberError(s.to_owned()))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The number as file names write it: at least four digits.
    pub fn padded(self) -> String {
        format!("{:04}", self.0)
    }

    /// The number after this one, if there is one.
    pub fn next(self) -> Option<AdrNumber> {
        AdrNumber::new(self.0 + 1)
    }

    /// The number and slug of an ADR file name (`0007-use-redis.md`, or a path ending in one).
    pub fn from_file_name(name: &str) -> Option<(AdrNumber, &str)> {
        let name = name.rsplit('/').next()?.strip_suffix(".md")?;
        let (digits, slug) = name.split_once('-').unwrap_or((name, ""));
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = AdrNumber::new(digits.parse().ok()?)?;
        Some((n, slug))
    }
}

impl fmt::Display for AdrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ADR-{:04}", self.0)
    }
}

impl Serialize for AdrNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ADR number: use 7, 0007, ADR-7 or ADR-0007")]
pub struct AdrNumberError(pub String);

/// The file-name slug of a title: lowercase ASCII letters, digits and `-`, at most
/// [`MAX_SLUG`] characters, cut at a word boundary; `adr` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.len() > MAX_SLUG {
        let cut = out[..MAX_SLUG]
            .rfind('-')
            .filter(|&i| i > 0)
            .unwrap_or(MAX_SLUG);
        out.truncate(cut);
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "adr".to_owned()
    } else {
        out.to_owned()
    }
}

/// Whether `s` can be a slug in a record's file name (imported names keep theirs).
pub fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 2 * MAX_SLUG
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The file name of an ADR: `0007-use-redis.md`.
pub fn file_name(number: AdrNumber, slug: &str) -> String {
    format!("{}-{slug}.md", number.padded())
}

/// Where an ADR lives on the coordination branch: `adrs/0007-use-redis.md`.
pub fn adr_path(number: AdrNumber, slug: &str) -> String {
    format!("{ADRS_DIR}/{}", file_name(number, slug))
}
