/*!
Parsing an ownership pattern: the text is checked (the refusals of [`PatternErrorKind`]) and
compiled into the path-segment steps that [`super::matcher`] runs and [`super::overlap`]
intersects, with the literal prefix and required substring that let matching skip most paths
cheaply.
*/

use super::class::{CharSet, posix_class};
use super::{Glob, Pattern, PatternErrorKind, Segment, Token};

pub(super) fn compile(text: &str) -> Result<Pattern, PatternErrorKind> {
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

#[cfg(test)]
mod tests {
    use super::super::{Pattern, PatternErrorKind};

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
}
