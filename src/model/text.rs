/*!
Text from records, paths and commit messages made safe to show anywhere: the one definition
of which characters may not reach a terminal, a PR comment, a workflow annotation or a commit
message raw, and how they are written instead.

Unsafe are control characters (escape sequences, carriage returns, newlines, NUL…) and the
invisible marks that reorder or hide text: the bidi embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069), the directional marks (U+200E/F, U+061C), zero-width
characters (U+200B–U+200D, U+2060–U+2065) and the byte-order mark. Each is written as Rust
writes it in a string literal (`\n`, `\u{1b}`, `\u{202e}`): visible, unambiguous, and made of
characters every format can carry. Faces add their own escaping on top (markdown, workflow
commands); JSON carries the exact text, with control characters JSON-escaped.
*/

use std::borrow::Cow;

/// Whether `c` may not be shown raw (see the module documentation).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Appends `c` escaped (`\n`, `\u{1b}`, `\u{202e}`).
pub fn push_escaped(out: &mut String, c: char) {
    out.extend(c.escape_default());
}

/// `s` as one line with every unsafe character escaped; borrowed when there is none.
pub fn escape_unsafe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert!(matches!(escape_unsafe("plain café"), Cow::Borrowed(_)));
        assert_eq!(
            escape_unsafe("src/\u{1b}[31mx\u{202e}.rs"),
            "src/\\u{1b}[31mx\\u{202e}.rs"
        );
        assert_eq!(escape_unsafe("a\nb\rc\td"), "a\\nb\\rc\\td");
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{0}', '\u{7f}',
            '\u{85}',
        ] {
            assert!(is_unsafe(c), "{c:?}");
            assert!(!escape_unsafe(&c.to_string()).contains(c), "{c:?}");
        }
    }
}
