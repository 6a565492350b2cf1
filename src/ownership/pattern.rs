/*!
Ownership patterns: the CODEOWNERS / gitignore globs that claims are written in. A pattern is
parsed once into a list of path-segment matchers, so a hook can test a handful of staged paths
against a thousand claims cheaply, and two patterns are compared exactly: they overlap when at
least one path matches both, decided on the automata (never by matching one pattern's text
against the other), with a concrete witness path for error messages. The rules are spelled out on
[`Pattern`].
*/

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

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

/// A set of characters as sorted, disjoint, non-adjacent inclusive ranges of code points. It
/// never holds `/` (no wildcard crosses a segment) nor surrogates (which are not `char`s), so
/// any non-empty set has a character to show.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CharSet {
    ranges: Vec<(u32, u32)>,
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

// Parsing.

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

fn compile(text: &str) -> Result<Pattern, PatternErrorKind> {
    use PatternErrorKind as E;

    if text.is_empty() {
        return Err(E::Empty);
    }
    if text.contains('\0') {
        return Err(E::Nul);
    }
    if text.starts_with('!') {
        return Err(E::Negation);
    }
    if is_os_absolute(text) {
        return Err(E::AbsolutePath);
    }
    let (rooted, body) = match text.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let (directory, body) = match body.strip_suffix('/') {
        Some(body) => (true, body),
        None => (false, body),
    };
    if body.is_empty() {
        return Err(E::NoPath);
    }

    let mut segments = Vec::new();
    // Without a `/` before the end, a pattern matches at any depth.
    if !rooted && !body.contains('/') {
        segments.push(Segment::AnyDepth);
    }
    for raw in body.split('/') {
        if raw.is_empty() {
            return Err(E::EmptySegment);
        }
        // git's wildmatch reads any run of two or more `*` that fills a segment as `**`.
        if raw.len() >= 2 && raw.bytes().all(|b| b == b'*') {
            if !matches!(segments.last(), Some(Segment::AnyDepth)) {
                segments.push(Segment::AnyDepth);
            }
            continue;
        }
        let segment = parse_segment(raw)?;
        if let Segment::Literal(name) = &segment
            && (&**name == "." || &**name == "..")
        {
            return Err(E::DotSegment {
                segment: name.to_string(),
            });
        }
        segments.push(segment);
    }
    // A final `**` is everything inside: at least one more segment.
    if matches!(segments.last(), Some(Segment::AnyDepth)) {
        segments.pop();
        segments.push(Segment::Glob(Glob::star()));
        segments.push(Segment::AnyDepth);
    }
    if directory {
        segments.push(Segment::Glob(Glob::star()));
        segments.push(Segment::AnyDepth);
    } else if matches!(segments.last(), Some(Segment::Literal(_))) {
        // A plain name may be a directory: it owns what is below it.
        segments.push(Segment::AnyDepth);
    }

    let prefix_segments = segments
        .iter()
        .take_while(|s| matches!(s, Segment::Literal(_)))
        .count();
    let prefix = segments[..prefix_segments]
        .iter()
        .filter_map(|s| match s {
            Segment::Literal(name) => Some(&**name),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/");
    let required = segments[prefix_segments..]
        .iter()
        .map(longest_literal)
        .max_by_key(|s| s.len())
        .unwrap_or_default();
    Ok(Pattern {
        text: text.into(),
        segments: segments.into(),
        prefix: prefix.into(),
        prefix_segments,
        required: required.into(),
    })
}

/// A Windows drive path (`C:\x`, `C:/x`) or UNC path (`\\server\share`).
fn is_os_absolute(text: &str) -> bool {
    let b = text.as_bytes();
    let drive =
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    drive || text.starts_with("\\\\")
}

/// Parses one segment (no `/` in it) into a literal name or a glob.
fn parse_segment(raw: &str) -> Result<Segment, PatternErrorKind> {
    let chars: Vec<char> = raw.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        let token = match c {
            '\\' => Token::Char(escaped(&chars, &mut i)?),
            '*' => {
                if matches!(tokens.last(), Some(Token::Star)) {
                    continue;
                }
                Token::Star
            }
            '?' => Token::AnyChar,
            '[' => {
                let start = i - 1;
                parse_class(&chars, &mut i).ok_or_else(|| PatternErrorKind::UnclosedClass {
                    class: chars[start..].iter().collect(),
                })??
            }
            c => Token::Char(c),
        };
        tokens.push(token);
    }
    let literal: Option<String> = tokens
        .iter()
        .map(|t| match t {
            Token::Char(c) => Some(*c),
            _ => None,
        })
        .collect();
    Ok(match literal {
        Some(name) => Segment::Literal(name.into()),
        None => Segment::Glob(Glob {
            tokens: tokens.into(),
        }),
    })
}

/// The character after a `\` at `chars[*i - 1]`, advancing past it.
fn escaped(chars: &[char], i: &mut usize) -> Result<char, PatternErrorKind> {
    let Some(&c) = chars.get(*i) else {
        return Err(PatternErrorKind::TrailingBackslash);
    };
    if c.is_ascii_alphanumeric() {
        return Err(PatternErrorKind::BackslashSeparator { escaped: c });
    }
    *i += 1;
    Ok(c)
}

/// Parses a character class whose `[` is at `chars[*i - 1]`, advancing past its `]`. `None`
/// when the class is not closed in this segment.
fn parse_class(chars: &[char], i: &mut usize) -> Option<Result<Token, PatternErrorKind>> {
    let negated = matches!(chars.get(*i), Some('!' | '^'));
    if negated {
        *i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(*i)?;
        if c == ']' && !first {
            *i += 1;
            break;
        }
        first = false;
        if c == '[' && chars.get(*i + 1) == Some(&':') {
            let name_start = *i + 2;
            let name_len = chars[name_start..].windows(2).position(|w| w == [':', ']']);
            if let Some(len) = name_len {
                let name: String = chars[name_start..name_start + len].iter().collect();
                match posix_class(&name) {
                    Some(class) => ranges.extend_from_slice(class),
                    None => return Some(Err(PatternErrorKind::UnknownClassName { name })),
                }
                *i = name_start + len + 2;
                continue;
            }
        }
        let low = class_char(chars, i)?;
        if chars.get(*i) == Some(&'-') && chars.get(*i + 1).is_some_and(|&n| n != ']') {
            *i += 1;
            let high = class_char(chars, i)?;
            // git's wildmatch tests a range's first character on its own before the range,
            // so a reversed range (`[z-a]`) matches that character only.
            ranges.push((u32::from(low), u32::from(high.max(low))));
        } else {
            ranges.push((u32::from(low), u32::from(low)));
        }
    }
    let set = CharSet::from_ranges(ranges);
    Some(Ok(Token::Class(if negated {
        set.complement()
    } else {
        set
    })))
}

/// One character of a class at `chars[*i]`, a `\` escaping the next one; `None` when the
/// segment ends first.
fn class_char(chars: &[char], i: &mut usize) -> Option<char> {
    let mut c = *chars.get(*i)?;
    if c == '\\' {
        *i += 1;
        c = *chars.get(*i)?;
    }
    *i += 1;
    Some(c)
}

/// The ASCII ranges of a POSIX character class name, as git's wildmatch knows them.
fn posix_class(name: &str) -> Option<&'static [(u32, u32)]> {
    const DIGIT: (u32, u32) = (0x30, 0x39);
    const UPPER: (u32, u32) = (0x41, 0x5A);
    const LOWER: (u32, u32) = (0x61, 0x7A);
    Some(match name {
        "alnum" => &[DIGIT, UPPER, LOWER],
        "alpha" => &[UPPER, LOWER],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
        "digit" => &[DIGIT],
        "graph" => &[(0x21, 0x7E)],
        "lower" => &[LOWER],
        "print" => &[(0x20, 0x7E)],
        "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space" => &[(0x09, 0x0D), (0x20, 0x20)],
        "upper" => &[UPPER],
        "xdigit" => &[DIGIT, (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

/// The longest run of literal characters in a segment.
fn longest_literal(segment: &Segment) -> String {
    match segment {
        Segment::Literal(name) => name.to_string(),
        Segment::AnyDepth => String::new(),
        Segment::Glob(glob) => {
            let mut best = String::new();
            let mut run = String::new();
            for token in &glob.tokens {
                if let Token::Char(c) = token {
                    run.push(*c);
                } else {
                    if run.len() > best.len() {
                        best = std::mem::take(&mut run);
                    }
                    run.clear();
                }
            }
            if run.len() > best.len() { run } else { best }
        }
    }
}

// Matching.

/// Whether `segments` match the whole of `path`, a `/`-separated list of non-empty segments
/// (the empty string being the empty list).
///
/// Every step but `**` takes exactly one segment, so the greedy scan that backtracks only to
/// the latest `**` is exact, as for `*` in a glob over characters.
fn match_segments(segments: &[Segment], path: &str) -> bool {
    let (mut i, mut rest) = (0, path);
    let mut backtrack: Option<(usize, &str)> = None;
    loop {
        match segments.get(i) {
            Some(Segment::AnyDepth) => {
                backtrack = Some((i + 1, rest));
                i += 1;
                continue;
            }
            Some(step) => {
                if let Some((name, after)) = split_first(rest)
                    && step.matches_segment(name)
                {
                    i += 1;
                    rest = after;
                    continue;
                }
            }
            None if rest.is_empty() => return true,
            None => {}
        }
        // Let the latest `**` take one more segment and try again from after it.
        let Some((resume, taken)) = backtrack else {
            return false;
        };
        let Some((_, after)) = split_first(taken) else {
            return false;
        };
        backtrack = Some((resume, after));
        i = resume;
        rest = after;
    }
}

/// The first segment of a path and the path after it.
fn split_first(path: &str) -> Option<(&str, &str)> {
    if path.is_empty() {
        return None;
    }
    Some(path.split_once('/').unwrap_or((path, "")))
}

impl Segment {
    /// Whether this single-segment step matches one segment name (`**` is not single).
    fn matches_segment(&self, name: &str) -> bool {
        match self {
            Segment::Literal(literal) => **literal == *name,
            Segment::Glob(glob) => glob.matches(name),
            Segment::AnyDepth => false,
        }
    }
}

impl Glob {
    /// The glob `*`: any one segment.
    fn star() -> Glob {
        Glob {
            tokens: Box::new([Token::Star]),
        }
    }

    /// Whether the glob matches all of `name`; the greedy scan backtracking to the latest `*`
    /// is exact because every other token takes exactly one character.
    fn matches(&self, name: &str) -> bool {
        let (mut t, mut rest) = (0, name);
        let mut backtrack: Option<(usize, &str)> = None;
        loop {
            match self.tokens.get(t) {
                Some(Token::Star) => {
                    backtrack = Some((t + 1, rest));
                    t += 1;
                    continue;
                }
                Some(token) => {
                    let mut chars = rest.chars();
                    if let Some(c) = chars.next()
                        && token.accepts(c)
                    {
                        t += 1;
                        rest = chars.as_str();
                        continue;
                    }
                }
                None if rest.is_empty() => return true,
                None => {}
            }
            let Some((resume, taken)) = backtrack else {
                return false;
            };
            let mut chars = taken.chars();
            if chars.next().is_none() {
                return false;
            }
            backtrack = Some((resume, chars.as_str()));
            t = resume;
            rest = chars.as_str();
        }
    }
}

impl Token {
    /// Whether the token can take the character `c` (for `*`: as one of its run).
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Char(x) => *x == c,
            Token::AnyChar | Token::Star => c != '/',
            Token::Class(set) => set.contains(c),
        }
    }
}

// Overlap: intersecting the automata.

/// A path (as its segments) matched by both segment lists, if any: a breadth-first search of
/// the product of the two lists, whose states are positions `(i, j)` in each.
fn common_path(a: &[Segment], b: &[Segment]) -> Option<Vec<String>> {
    let width = b.len() + 1;
    let goal = a.len() * width + b.len();
    // For each state reached: the state it was reached from and the segment taken on the way.
    let mut came_from: Vec<Option<(usize, Option<String>)>> = vec![None; (a.len() + 1) * width];
    let mut queue = VecDeque::from([(0, 0)]);
    let mut reached = vec![false; (a.len() + 1) * width];
    reached[0] = true;
    while let Some((i, j)) = queue.pop_front() {
        let here = i * width + j;
        if here == goal {
            let mut path = Vec::new();
            let mut at = here;
            while let Some((from, segment)) = came_from[at].take() {
                path.extend(segment);
                at = from;
            }
            path.reverse();
            return Some(path);
        }
        let (sa, sb) = (a.get(i), b.get(j));
        let a_any = matches!(sa, Some(Segment::AnyDepth));
        let b_any = matches!(sb, Some(Segment::AnyDepth));
        let mut steps: Vec<(usize, usize, Option<String>)> = Vec::new();
        // A `**` may take no segment.
        if a_any {
            steps.push((i + 1, j, None));
        }
        if b_any {
            steps.push((i, j + 1, None));
        }
        // Or one side's `**` takes a segment the other side's step matches.
        match (sa, sb) {
            (Some(x), Some(y)) if !a_any && !b_any => {
                if let Some(name) = common_segment(x, y) {
                    steps.push((i + 1, j + 1, Some(name)));
                }
            }
            (Some(_), Some(y)) if a_any && !b_any => {
                if let Some(name) = some_segment(y) {
                    steps.push((i, j + 1, Some(name)));
                }
            }
            (Some(x), Some(_)) if !a_any && b_any => {
                if let Some(name) = some_segment(x) {
                    steps.push((i + 1, j, Some(name)));
                }
            }
            _ => {}
        }
        for (ni, nj, segment) in steps {
            let next = ni * width + nj;
            if !reached[next] {
                reached[next] = true;
                came_from[next] = Some((here, segment));
                queue.push_back((ni, nj));
            }
        }
    }
    None
}

/// A segment name matched by both single-segment steps, if any.
fn common_segment(a: &Segment, b: &Segment) -> Option<String> {
    match (a, b) {
        (Segment::Literal(x), Segment::Literal(y)) => (x == y).then(|| x.to_string()),
        (Segment::Literal(name), Segment::Glob(glob))
        | (Segment::Glob(glob), Segment::Literal(name)) => {
            glob.matches(name).then(|| name.to_string())
        }
        (Segment::Glob(x), Segment::Glob(y)) => x.common_name(y),
        _ => None,
    }
}

/// A segment name the single-segment step matches, if any.
fn some_segment(step: &Segment) -> Option<String> {
    match step {
        Segment::Literal(name) => Some(name.to_string()),
        Segment::Glob(glob) => glob.common_name(&Glob::star()),
        Segment::AnyDepth => None,
    }
}

impl Glob {
    /// A non-empty name matched by both globs, if any: a breadth-first search of the product
    /// automaton, whose states are token positions `(p, q)` in each glob and whether a
    /// character has been taken yet (segments are never empty). A `*` is a state that loops
    /// on any character and may be left without one.
    fn common_name(&self, other: &Glob) -> Option<String> {
        let (a, b) = (&*self.tokens, &*other.tokens);
        let width = b.len() + 1;
        let state = |p: usize, q: usize, taken: bool| (p * width + q) * 2 + usize::from(taken);
        let goal = state(a.len(), b.len(), true);
        let size = (a.len() + 1) * width * 2;
        let mut came_from: Vec<Option<(usize, Option<char>)>> = vec![None; size];
        let mut reached = vec![false; size];
        reached[0] = true;
        let mut queue = VecDeque::from([(0, 0, false)]);
        while let Some((p, q, taken)) = queue.pop_front() {
            let here = state(p, q, taken);
            if here == goal {
                let mut name = Vec::new();
                let mut at = here;
                while let Some((from, c)) = came_from[at].take() {
                    name.extend(c);
                    at = from;
                }
                name.reverse();
                return Some(name.into_iter().collect());
            }
            let (ta, tb) = (a.get(p), b.get(q));
            let mut steps: Vec<(usize, usize, bool, Option<char>)> = Vec::new();
            if matches!(ta, Some(Token::Star)) {
                steps.push((p + 1, q, taken, None));
            }
            if matches!(tb, Some(Token::Star)) {
                steps.push((p, q + 1, taken, None));
            }
            if let (Some(x), Some(y)) = (ta, tb)
                && let Some(c) = common_char(x, y)
            {
                let np = if matches!(x, Token::Star) { p } else { p + 1 };
                let nq = if matches!(y, Token::Star) { q } else { q + 1 };
                steps.push((np, nq, true, Some(c)));
            }
            for (np, nq, now_taken, c) in steps {
                let next = state(np, nq, now_taken);
                if !reached[next] {
                    reached[next] = true;
                    came_from[next] = Some((here, c));
                    queue.push_back((np, nq, now_taken));
                }
            }
        }
        None
    }
}

/// A character both tokens accept, if any, preferring a readable one.
fn common_char(a: &Token, b: &Token) -> Option<char> {
    use Token::*;
    match (a, b) {
        (Char(c), other) | (other, Char(c)) => other.accepts(*c).then_some(*c),
        (AnyChar | Star, AnyChar | Star) => Some('a'),
        (Class(set), AnyChar | Star) | (AnyChar | Star, Class(set)) => set.pick(),
        (Class(x), Class(y)) => x.intersection(y).pick(),
    }
}

impl CharSet {
    /// Every character a wildcard may stand for: all but `/` (and the surrogates).
    const UNIVERSE: [(u32, u32); 3] = [(0, 0x2E), (0x30, 0xD7FF), (0xE000, 0x10FFFF)];

    /// The set of the given ranges (in any order, overlapping or not), within the universe.
    fn from_ranges(mut ranges: Vec<(u32, u32)>) -> CharSet {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        CharSet { ranges: merged }.intersection(&CharSet {
            ranges: Self::UNIVERSE.to_vec(),
        })
    }

    /// The characters of the universe not in this set.
    fn complement(&self) -> CharSet {
        let mut gaps = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(lo, hi) in &self.ranges {
            if lo > next {
                gaps.push((next, lo - 1));
            }
            next = hi.saturating_add(1);
        }
        if next <= 0x10FFFF {
            gaps.push((next, 0x10FFFF));
        }
        CharSet::from_ranges(gaps)
    }

    fn intersection(&self, other: &CharSet) -> CharSet {
        let (mut x, mut y) = (0, 0);
        let mut ranges = Vec::new();
        while let (Some(&(a_lo, a_hi)), Some(&(b_lo, b_hi))) =
            (self.ranges.get(x), other.ranges.get(y))
        {
            let (lo, hi) = (a_lo.max(b_lo), a_hi.min(b_hi));
            if lo <= hi {
                ranges.push((lo, hi));
            }
            if a_hi < b_hi {
                x += 1;
            } else {
                y += 1;
            }
        }
        CharSet { ranges }
    }

    fn contains(&self, c: char) -> bool {
        let c = u32::from(c);
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    Ordering::Less
                } else if lo > c {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            })
            .is_ok()
    }

    /// A member of the set, if any: a letter, digit or punctuation when the set has one.
    fn pick(&self) -> Option<char> {
        ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain(['_', '-', '.'])
            .chain('!'..='~')
            .find(|&c| self.contains(c))
            .or_else(|| self.ranges.first().and_then(|&(lo, _)| char::from_u32(lo)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Each pattern with the paths it must match and the paths it must not.
    fn check_matches(table: &[(&str, &[&str], &[&str])]) {
        for (text, yes, no) in table {
            let p = pattern(text);
            for path in *yes {
                assert!(p.matches(path), "{text:?} should match {path:?}");
            }
            for path in *no {
                assert!(!p.matches(path), "{text:?} should not match {path:?}");
            }
        }
    }

    /// The examples of GitHub's CODEOWNERS documentation ("About code owners").
    #[test]
    fn github_codeowners_examples() {
        check_matches(&[
            ("*", &["README.md", "src/main.rs", "a/b/c/d"], &[]),
            (
                "*.js",
                &["app.js", "src/app.js", "a/b/c.js"],
                &["app.jsx", "app.js/index.html", "js", "src/js"],
            ),
            (
                "*.go",
                &["main.go", "cmd/x/main.go"],
                &["main.go.bak", "go"],
            ),
            (
                "/build/logs/",
                &["build/logs/a.log", "build/logs/2024/a.log"],
                &[
                    "build/logs",
                    "x/build/logs/a.log",
                    "build/logsx/a",
                    "build/a.log",
                ],
            ),
            (
                "docs/*",
                &["docs/getting-started.md", "docs/build-app"],
                &["docs/build-app/troubleshooting.md", "x/docs/a.md", "docs"],
            ),
            (
                "apps/",
                &["apps/a.rs", "x/apps/a.rs", "x/y/apps/z/w.rs"],
                &["apps", "x/apps", "myapps/a", "apps.rs"],
            ),
            (
                "/docs/",
                &["docs/a.md", "docs/x/y.md"],
                &["src/docs/a.md", "docs"],
            ),
            (
                "/scripts/",
                &["scripts/run.sh", "scripts/ci/a.sh"],
                &["tools/scripts/a.sh"],
            ),
            (
                "**/logs",
                &[
                    "build/logs/a.log",
                    "scripts/logs/b",
                    "deeply/nested/logs/c",
                    "logs/a",
                    "logs",
                    "build/logs",
                ],
                &["build/logsx/a", "build/xlogs", "build/log"],
            ),
            (
                "/apps/github",
                &["apps/github", "apps/github/a.rs", "apps/github/x/y"],
                &["apps/githubx", "apps/git", "x/apps/github", "apps/a.rs"],
            ),
            (
                "/apps/",
                &["apps/github/a.rs", "apps/a.rs"],
                &["x/apps/a.rs"],
            ),
        ]);
    }

    #[test]
    fn glob_details() {
        check_matches(&[
            (
                "src/a.rs",
                &["src/a.rs", "src/a.rs/x"],
                &["a.rs", "x/src/a.rs", "src/a.rsx"],
            ),
            ("src/x", &["src/x", "src/x/y/z.rs"], &["src/xy", "src"]),
            (
                "/Cargo.toml",
                &["Cargo.toml"],
                &["crates/a/Cargo.toml", "cargo.toml"],
            ),
            (
                "Cargo.toml",
                &["Cargo.toml", "crates/a/Cargo.toml"],
                &["Cargo.tom"],
            ),
            ("/*", &["README.md", "src"], &["src/main.rs"]),
            (
                "src/*.rs",
                &["src/a.rs", "src/.rs"],
                &["src/a/b.rs", "a.rs", "src/a.rs/b"],
            ),
            ("src/**", &["src/a", "src/a/b/c"], &["src", "srcx/a"]),
            ("src/**/", &["src/a/b"], &["src/a", "src"]),
            ("**", &["a", "a/b"], &[]),
            ("**/", &["a/b"], &["a"]),
            ("*/", &["a/b", "a/b/c"], &["a"]),
            (
                "a/**/b",
                &["a/b", "a/x/b", "a/x/y/b", "a/b/c"],
                &["a/xb", "b", "x/a/b"],
            ),
            ("a/**/**/b", &["a/b", "a/x/y/b"], &["a/c"]),
            ("a/*/b", &["a/x/b", "a/x/b/c"], &["a/b", "a/x/y/b"]),
            ("?.rs", &["a.rs", "x/b.rs"], &["ab.rs", ".rs"]),
            ("[abc].rs", &["a.rs", "c.rs"], &["d.rs", "[abc].rs"]),
            (
                "[a-c]*.rs",
                &["a.rs", "bzz.rs", "x/c1.rs"],
                &["d.rs", "A.rs"],
            ),
            ("[!a].rs", &["b.rs", "..rs"], &["a.rs", "bb.rs"]),
            ("[^a].rs", &["b.rs"], &["a.rs"]),
            ("[]]", &["]"], &["a"]),
            ("[!]]", &["a"], &["]"]),
            ("[a-]", &["a", "-"], &["b"]),
            ("[z-a]x", &["zx"], &["ax", "bx", "x"]),
            ("[[:digit:]]*", &["1.txt", "x/9"], &["a1"]),
            ("[[:upper:][:digit:]]", &["A", "7"], &["a"]),
            ("\\*.rs", &["*.rs", "x/*.rs"], &["a.rs"]),
            ("a\\ b", &["a b"], &["a\\ b", "ab"]),
            ("\\!important", &["!important"], &["important"]),
            ("\\#notes", &["#notes"], &[]),
            ("[\\]]x", &["]x"], &["x"]),
            ("***", &["a", "a/b"], &[]),
            ("a**b", &["ab", "axxb"], &["a/b"]),
            ("é/*.md", &["é/ü.md"], &["e/a.md"]),
            ("Src", &["Src"], &["src"]),
        ]);
    }

    #[test]
    fn paths_that_are_not_repository_paths_match_nothing() {
        let p = pattern("**");
        for path in ["", "/", "/a", "a/", "a//b", "//"] {
            assert!(!p.matches(path), "{path:?}");
        }
        assert!(!pattern("a/").matches("a/"));
    }

    #[test]
    fn parse_errors_name_the_pattern_and_the_problem() {
        use PatternErrorKind as E;
        let cases: &[(&str, E)] = &[
            ("", E::Empty),
            ("/", E::NoPath),
            ("//", E::NoPath),
            ("///", E::EmptySegment),
            ("!src/", E::Negation),
            (
                "src/[ab",
                E::UnclosedClass {
                    class: "[ab".into(),
                },
            ),
            ("[a/b]", E::UnclosedClass { class: "[a".into() }),
            (
                "[!]",
                E::UnclosedClass {
                    class: "[!]".into(),
                },
            ),
            (
                "[[:word:]]",
                E::UnknownClassName {
                    name: "word".into(),
                },
            ),
            ("a\0b", E::Nul),
            (
                "../a",
                E::DotSegment {
                    segment: "..".into(),
                },
            ),
            (
                "a/../b",
                E::DotSegment {
                    segment: "..".into(),
                },
            ),
            (
                "./a",
                E::DotSegment {
                    segment: ".".into(),
                },
            ),
            (
                "a/\\.\\.",
                E::DotSegment {
                    segment: "..".into(),
                },
            ),
            ("a//b", E::EmptySegment),
            ("C:\\work\\a.rs", E::AbsolutePath),
            ("c:/work/a.rs", E::AbsolutePath),
            ("\\\\server\\share", E::AbsolutePath),
            ("a\\", E::TrailingBackslash),
            ("a\\/b", E::TrailingBackslash),
            ("src\\main.rs", E::BackslashSeparator { escaped: 'm' }),
        ];
        for (text, kind) in cases {
            let err = Pattern::parse(text).expect_err(text);
            assert_eq!(err.kind(), kind, "{text:?}");
            assert_eq!(err.pattern(), *text);
            assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        }
        insta::assert_snapshot!(
            Pattern::parse("!docs/").expect_err("negation").to_string(),
            @r#"invalid ownership pattern "!docs/": `!` negation is not supported in ownership patterns; claim the paths you want instead (write `\!` for a name that starts with `!`)"#
        );
    }

    #[test]
    fn keeps_the_text() {
        let p = pattern("/src/**/*.rs");
        assert_eq!(p.as_str(), "/src/**/*.rs");
        assert_eq!(p.to_string(), "/src/**/*.rs");
        assert_eq!(format!("{p:?}"), r#"Pattern("/src/**/*.rs")"#);
        assert_eq!("/src/**/*.rs".parse::<Pattern>(), Ok(p));
    }

    #[test]
    fn overlaps_are_exact() {
        let cases: &[(&str, &str, bool)] = &[
            ("src/*.py", "src/a*", true),
            ("src/*.py", "src/*.rs", false),
            ("src/**", "**/*.rs", true),
            ("docs/", "docs/a.md", true),
            ("/a/b", "/a/c", false),
            ("a/**/b", "a/x/**", true),
            ("[a-c]*.rs", "d*.rs", false),
            ("*.rs", "lib/**", true),
            ("*", "anything/at/all", true),
            ("docs/*", "docs/x/y.md", false),
            ("docs/*", "docs/x/", false),
            ("docs/*", "docs/x", true),
            ("/docs/", "docs", true),
            ("/docs/", "/docs", true),
            ("/docs/", "/docs.md", false),
            // A directory `docs` below a directory `docs.md`.
            ("docs/", "/docs.md", true),
            ("src/a.rs", "src/a.rs/", true),
            ("/a/", "/b/", false),
            ("a/", "b/", true),
            ("*.md", "*.rs", false),
            ("[!a]*", "a*", false),
            ("[!a]*", "?*", true),
            ("a*b", "*ab", true),
            ("a*b", "b*", false),
            ("a?", "?b", true),
            ("?", "??", false),
            ("[[:digit:]]", "[a-z]", false),
            ("[[:alnum:]]", "[a-z]", true),
            ("a/*/c", "a/b/*", true),
            ("a/*", "a/b/c", false),
            ("a/**/c/d", "a/c/**", true),
            ("**/x/y", "/x/**", true),
            ("src/", "src", true),
            ("/src/a", "src", true),
            ("tests/*.rs", "src/", false),
        ];
        for &(x, y, expected) in cases {
            let (a, b) = (pattern(x), pattern(y));
            assert_eq!(a.overlaps(&b), expected, "{x:?} vs {y:?}");
            assert_eq!(b.overlaps(&a), expected, "{y:?} vs {x:?}");
            match a.witness(&b) {
                Some(w) => {
                    assert!(expected, "{x:?} vs {y:?}: witness {w:?}");
                    assert!(
                        a.matches(&w) && b.matches(&w),
                        "{x:?} vs {y:?}: witness {w:?}"
                    );
                }
                None => assert!(!expected, "{x:?} vs {y:?}: no witness"),
            }
        }
    }

    #[test]
    fn witnesses_read_well() {
        let w = |x: &str, y: &str| pattern(x).witness(&pattern(y));
        assert_eq!(w("src/*.py", "src/a*").as_deref(), Some("src/a.py"));
        assert_eq!(w("*.rs", "lib/**").as_deref(), Some("lib/a.rs"));
        assert_eq!(w("[!a]x", "?x").as_deref(), Some("bx"));
        assert_eq!(w(".github/", "*").as_deref(), Some(".github/a"));
    }

    #[test]
    fn char_sets() {
        let set = CharSet::from_ranges(vec![(u32::from('a'), u32::from('z')), (0x2F, 0x2F)]);
        assert!(set.contains('q') && !set.contains('/'));
        let not = set.complement();
        assert!(!not.contains('q') && not.contains('A') && !not.contains('/'));
        assert!(not.contains('\u{10FFFF}') && not.contains('\0'));
        assert_eq!(set.intersection(&not).pick(), None);
        assert_eq!(not.pick(), Some('A'));
        assert_eq!(CharSet::from_ranges(vec![(0xD800, 0xDFFF)]).pick(), None);
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
