/*!
Ownership patterns: the CODEOWNERS / gitignore globs that claims are written in. A pattern is
parsed once into a list of path-segment matchers, so a hook can test a handful of staged paths
against a thousand claims cheaply, and two patterns are compared exactly: they overlap when at
least one path matches both, decided on the automata (never by matching one pattern's text
against the other), with a concrete witness path for error messages. The rules are spelled out on
[`Pattern`].

This file holds the compiled form and the public entry points; the work is split by job:
`parse` (text to segments, and the refusals), `matcher` (a path against the segments),
`overlap` (two patterns' automata intersected, with a witness) and `class` (character classes
as sets of code-point ranges).
*/

mod class;
mod matcher;
mod overlap;
mod parse;

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use class::CharSet;
use matcher::match_segments;
use overlap::common_path;
use parse::compile;

/// A parsed ownership pattern (CODEOWNERS / gitignore glob syntax), compiled for matching and
/// for exact overlap tests against other patterns.
///
/// Semantics, on repository-relative paths with `/` separators (case-sensitive, like git):
///
/// - `*` matches any run of characters within one segment, `?` one character, `[abc]`, `[a-z]`,
///   `[!a]` (or `[^a]`) and `[[:alpha:]]` one character of a class; `\` escapes the next
///   character. No wildcard ever matches `/`.
/// - A segment that is only `**` (or a longer run of `*`, as git reads it) matches any number
///   of whole segments: `**/logs`, `a/**/b`; at the end (`a/**`) it matches everything inside
///   `a` (at least one more segment).
/// - A leading `/` anchors the pattern at the repository root, and so does a `/` in the middle; a
///   pattern with no `/` other than a trailing one (`*.rs`, `docs/`) matches at any depth.
/// - A trailing `/` names a directory: `docs/` matches everything below any directory `docs`, but
///   not a file called `docs`.
/// - A pattern whose last segment is literal (`src/a.rs`, `/apps/github`, `**/logs`) matches that
///   path and, should it be a directory, everything below it. A last segment with a wildcard
///   matches names only: `docs/*` matches `docs/a.md` but not `docs/x/a.md` (as GitHub documents
///   for CODEOWNERS), and `*.rs` matches Rust files, not the contents of a directory `x.rs`.
///
/// Equality, ordering and hashing go by the original text.
#[derive(Clone)]
pub struct Pattern {
    text: Box<str>,
    segments: Box<[Segment]>,
    /// The literal segments an anchored pattern starts with, joined with `/`: a path that does
    /// not start with them cannot match, and they need not be looked at again.
    prefix: Box<str>,
    /// How many of `segments` the prefix stands for.
    prefix_segments: usize,
    /// The longest run of literal characters in the segments after the prefix; every
    /// matching path contains it.
    required: Box<str>,
}

/// One step of a compiled pattern, matched against path segments.
#[derive(Clone, Debug)]
enum Segment {
    /// Exactly one segment with this name.
    Literal(Box<str>),
    /// Exactly one segment matched by this glob.
    Glob(Glob),
    /// Zero or more whole segments (`**`).
    AnyDepth,
}

/// A glob over the characters of one path segment.
#[derive(Clone, Debug)]
struct Glob {
    tokens: Box<[Token]>,
}

#[derive(Clone, Debug)]
enum Token {
    /// This character.
    Char(char),
    /// Any one character (`?`).
    AnyChar,
    /// One character of the set (`[…]`).
    Class(CharSet),
    /// Any run of characters (`*`), possibly empty.
    Star,
}

/// Why a pattern was refused: the pattern as written and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ownership pattern {pattern:?}: {kind}")]
pub struct PatternError {
    pattern: String,
    kind: PatternErrorKind,
}

/// What is wrong with a refused pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternErrorKind {
    /// The pattern is the empty string.
    #[error("it is empty; name a file (`src/main.rs`), a directory (`docs/`) or a glob (`*.rs`)")]
    Empty,
    /// The pattern is only slashes, which name no path.
    #[error("it names no path; write `*` to claim every file")]
    NoPath,
    /// The pattern starts with `!`.
    #[error(
        "`!` negation is not supported in ownership patterns; claim the paths you want instead (write `\\!` for a name that starts with `!`)"
    )]
    Negation,
    /// A `[` without its `]` in the same segment.
    #[error("`{class}` opens a character class that is not closed by `]` within its path segment")]
    UnclosedClass {
        /// The pattern text from the opening `[` to the end of its segment.
        class: String,
    },
    /// A `[:name:]` inside a class that is not one of the POSIX class names.
    #[error(
        "`[:{name}:]` is not a character class; use alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper or xdigit"
    )]
    UnknownClassName {
        /// The name between `[:` and `:]`.
        name: String,
    },
    /// The pattern contains a NUL character.
    #[error("it contains a NUL character")]
    Nul,
    /// A pattern given on the command line or in an import holds a control character (a
    /// newline, an escape…). Stored claims are still read with [`Pattern::parse`].
    #[error(
        "it contains the control character U+{:04X}; a pattern is one line of printable text",
        u32::from(*.0)
    )]
    ControlCharacter(char),
    /// A `.` or `..` segment.
    #[error(
        "`{segment}` segments are not allowed; write the path from the repository root (a leading `/` anchors there)"
    )]
    DotSegment {
        /// `.` or `..`.
        segment: String,
    },
    /// Two slashes in a row.
    #[error("it has an empty path segment (`//`)")]
    EmptySegment,
    /// A Windows drive or UNC path.
    #[error(
        "it is an absolute file system path; write the path relative to the repository root with `/` separators"
    )]
    AbsolutePath,
    /// A `\` with nothing after it in its segment.
    #[error("a `\\` ends a path segment and escapes nothing; separate directories with `/`")]
    TrailingBackslash,
    /// A `\` before a letter or digit, which only a Windows path would write.
    #[error("`\\{escaped}` escapes an ordinary character; separate directories with `/`, not `\\`")]
    BackslashSeparator {
        /// The letter or digit after the `\`.
        escaped: char,
    },
}

impl PatternError {
    /// The pattern as it was given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &PatternErrorKind {
        &self.kind
    }
}

impl Pattern {
    /// Parses and compiles a pattern.
    ///
    /// Refuses the empty pattern, `!` negation, an unclosed `[`, NUL, `.` and `..` segments,
    /// empty segments, Windows absolute paths and `\` used as a directory separator.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        compile(text).map_err(|kind| PatternError {
            pattern: text.to_owned(),
            kind,
        })
    }

    /// The pattern as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern matches a repository-relative path such as `src/main.rs`.
    ///
    /// Paths are `/`-separated and relative to the repository root, as git prints them; the
    /// empty path and paths with a leading, trailing or doubled `/` match nothing.
    pub fn matches(&self, path: &str) -> bool {
        if path.is_empty() || path.starts_with('/') || path.ends_with('/') || path.contains("//") {
            return false;
        }
        let rest = if self.prefix_segments == 0 {
            path
        } else {
            let Some(after) = path.strip_prefix(&*self.prefix) else {
                return false;
            };
            if after.is_empty() {
                after
            } else if let Some(rest) = after.strip_prefix('/') {
                rest
            } else {
                return false;
            }
        };
        rest.contains(&*self.required)
            && match_segments(&self.segments[self.prefix_segments..], rest)
    }

    /// Whether at least one path matches both patterns. Exact: `src/*.py` and `src/a*`
    /// overlap (on `src/a.py`), `src/*.py` and `src/*.rs` do not.
    pub fn overlaps(&self, other: &Pattern) -> bool {
        common_path(&self.segments, &other.segments).is_some()
    }

    /// A path matched by both patterns, if there is one (exactly when [`Pattern::overlaps`]
    /// holds), for showing where two claims collide.
    pub fn witness(&self, other: &Pattern) -> Option<String> {
        let mut segments = common_path(&self.segments, &other.segments)?;
        // The search finds short witnesses, where a `*` matches nothing and `*.rs` gives
        // `.rs`; a name in front reads better when both patterns still match.
        for k in 0..segments.len() {
            if segments[k].starts_with('.') {
                let mut named = segments.clone();
                named[k].insert(0, 'a');
                let path = named.join("/");
                if self.matches(&path) && other.matches(&path) {
                    segments = named;
                }
            }
        }
        Some(segments.join("/"))
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.text).finish()
    }
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Pattern, PatternError> {
        Pattern::parse(s)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Pattern {
    fn partial_cmp(&self, other: &Pattern) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pattern {
    fn cmp(&self, other: &Pattern) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl Pattern {
    /// Parses a pattern someone gives now (`own`, `--owns` on `task add|edit` and `spawn`, an
    /// imported task's `owns`): surrounding whitespace is dropped, and on top of what
    /// [`Pattern::parse`] refuses, control characters are refused, since they would reach
    /// terminals, hints and commit messages. Claims already stored are read with
    /// [`Pattern::parse`] alone, so none of them is dropped by this stricter rule.
    pub fn parse_given(text: &str) -> Result<Pattern, PatternError> {
        let text = text.trim();
        if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\0') {
            return Err(PatternError {
                pattern: text.to_owned(),
                kind: PatternErrorKind::ControlCharacter(c),
            });
        }
        Pattern::parse(text)
    }
}

/// The one check for ownership patterns at every entry point (task add and edit, import,
/// spawn, agent records; `own` uses [`Pattern::parse_given`] directly): each must be a
/// pattern `own` would accept, and the error names `field` and the pattern just as `own`'s
/// does. Returns the patterns trimmed, without duplicates, in the order given.
pub fn validate_patterns(
    field: &'static str,
    patterns: &[String],
) -> Result<Vec<String>, crate::model::task::InvalidField> {
    let mut out: Vec<String> = Vec::with_capacity(patterns.len());
    for given in patterns {
        let pattern =
            Pattern::parse_given(given).map_err(|e| crate::model::task::InvalidField {
                field,
                message: e.to_string(),
            })?;
        if !out.iter().any(|o| o == pattern.as_str()) {
            out.push(pattern.as_str().to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern the test knows to be valid (shared by the tests of every part).
    pub(super) fn pattern(text: &str) -> Pattern {
        Pattern::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn keeps_the_text() {
        let p = pattern("/src/**/*.rs");
        assert_eq!(p.as_str(), "/src/**/*.rs");
        assert_eq!(p.to_string(), "/src/**/*.rs");
        assert_eq!(format!("{p:?}"), r#"Pattern("/src/**/*.rs")"#);
        assert_eq!("/src/**/*.rs".parse::<Pattern>(), Ok(p));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Small patterns over a tiny alphabet, so that overlaps are neither rare nor certain.
    fn pattern_text() -> impl Strategy<Value = String> {
        const PIECES: &[&str] = &[
            "a", "b", ".", "*", "?", "[ab]", "[!a]", "[a-b]", "**", "/", "/", "\\*",
        ];
        prop::collection::vec(prop::sample::select(PIECES), 1..7).prop_map(|pieces| pieces.concat())
    }

    fn compiled() -> impl Strategy<Value = Pattern> {
        pattern_text().prop_filter_map("valid pattern", |t| Pattern::parse(&t).ok())
    }

    /// Segment names the patterns above can tell apart.
    const NAMES: &[&str] = &["a", "b", "aa", "ab", "ba", ".a", "a.", "*", "a*b"];

    fn path() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(NAMES), 1..5)
            .prop_map(|segments| segments.join("/"))
    }

    /// Every path of one to three segments named from `NAMES`.
    fn small_paths() -> Vec<String> {
        let mut all: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
        let mut last = all.clone();
        for _ in 1..3 {
            last = last
                .iter()
                .flat_map(|p| NAMES.iter().map(move |n| format!("{p}/{n}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// A direct reading of the segment semantics, without the prefix and substring shortcuts.
    fn reference(segments: &[Segment], path: &[&str]) -> bool {
        match segments.split_first() {
            None => path.is_empty(),
            Some((Segment::AnyDepth, rest)) => {
                (0..=path.len()).any(|skip| reference(rest, &path[skip..]))
            }
            Some((step, rest)) => path
                .split_first()
                .is_some_and(|(name, more)| step.matches_segment(name) && reference(rest, more)),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A path both patterns match proves the overlap.
        #[test]
        fn a_common_path_means_overlap(a in compiled(), b in compiled(), path in path()) {
            if a.matches(&path) && b.matches(&path) {
                prop_assert!(a.overlaps(&b), "{a} vs {b} on {path}");
            }
        }

        /// No pair of patterns that is said not to overlap matches one of many small paths.
        #[test]
        fn no_overlap_means_no_common_small_path(a in compiled(), b in compiled()) {
            if !a.overlaps(&b) {
                for path in small_paths() {
                    prop_assert!(!(a.matches(&path) && b.matches(&path)), "{a} vs {b} on {path}");
                }
            }
        }

        /// An overlap comes with a witness both patterns match, and only an overlap does.
        #[test]
        fn overlap_has_a_witness_both_match(a in compiled(), b in compiled()) {
            match a.witness(&b) {
                Some(w) => {
                    prop_assert!(a.overlaps(&b));
                    prop_assert!(a.matches(&w), "{a} vs {b}: {w}");
                    prop_assert!(b.matches(&w), "{a} vs {b}: {w}");
                }
                None => prop_assert!(!a.overlaps(&b)),
            }
        }

        #[test]
        fn overlap_is_symmetric(a in compiled(), b in compiled()) {
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
        }

        #[test]
        fn a_pattern_overlaps_itself(a in compiled()) {
            prop_assert!(a.overlaps(&a));
        }

        /// The fast matcher agrees with the plain reading of the semantics.
        #[test]
        fn matching_agrees_with_reference(a in compiled(), path in path()) {
            let segments: Vec<&str> = path.split('/').collect();
            prop_assert_eq!(a.matches(&path), reference(&a.segments, &segments), "{} on {}", a, path);
        }

        #[test]
        fn parse_and_match_never_panic(text in any::<String>(), path in any::<String>()) {
            if let Ok(p) = Pattern::parse(&text) {
                let _ = p.matches(&path);
                let _ = p.overlaps(&p);
            }
        }

        #[test]
        fn glob_like_text_never_panics(text in "[ab*?!\\[\\]\\\\/:^-]{0,12}", path in "[ab*/\\[\\]]{0,8}") {
            if let Ok(p) = Pattern::parse(&text) {
                let _ = p.matches(&path);
                if let Ok(q) = Pattern::parse(&path) {
                    let _ = p.witness(&q);
                }
            }
        }
    }
}

#[cfg(test)]
mod given_tests {
    use super::*;

    #[test]
    fn entry_points_refuse_what_own_refuses_and_control_characters() {
        for bad in [
            "../**",
            "[",
            "/",
            "!src/**",
            "\\",
            "",
            "  ",
            "a\nb",
            "a\rb",
            "x\u{1b}[31m",
        ] {
            let e = validate_patterns("owns", &[bad.to_owned()]).unwrap_err();
            assert_eq!(e.field, "owns");
            assert!(
                e.message.starts_with("invalid ownership pattern"),
                "{bad:?}: {}",
                e.message
            );
            assert!(!e.message.contains('\n') && !e.message.contains('\u{1b}'));
        }
        let e = validate_patterns("owns", &["a\nb".to_owned()]).unwrap_err();
        assert!(e.message.contains("U+000A"), "{}", e.message);
        // Stored claims are read as before.
        assert!(Pattern::parse("a\nb").is_ok());
    }

    #[test]
    fn valid_patterns_are_trimmed_and_deduplicated() {
        let given = [
            " src/** ".to_owned(),
            "src/**".to_owned(),
            "*.rs".to_owned(),
        ];
        assert_eq!(
            validate_patterns("owns", &given).unwrap(),
            vec!["src/**".to_owned(), "*.rs".to_owned()]
        );
    }
}
