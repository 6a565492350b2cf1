/*!
Ownership patterns (`src/ownership/pattern/`) and their overlap.

Input: NUL-separated text, `a \0 b \0 path \0 path …`. For any text, compiling never panics.
For two patterns that compile:

- overlap is symmetric, has a witness exactly when it holds, and the witness matches both;
- every sample path that matches both means they overlap;
- a differential oracle: on each sample path our matching agrees with gix-glob's gitignore
  matching, once the semantic differences documented on `Pattern` are mapped explicitly
  (see [`gix_decides`]).

Sample paths are the ones given, plus paths built from each pattern's own text (its wildcards
filled in several ways, with directories around it) and the overlap witnesses, so that the
oracle sees matching paths and near misses, not only random strings.
*/
#![no_main]

use bstr::BStr;
use git_coord::ownership::baseline::parse_codeowners;
use git_coord::ownership::pattern::Pattern;
use gix_glob::pattern::Case;
use gix_glob::wildmatch::Mode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // The whole input as one pattern (with its NULs) and as a CODEOWNERS file.
    let _ = Pattern::parse(input).map_err(|e| e.to_string());
    let _ = parse_codeowners("CODEOWNERS", input);

    let mut parts = input.split('\0');
    let a_text = parts.next().unwrap_or_default();
    let b_text = parts.next().unwrap_or(a_text);
    let given: Vec<&str> = parts.collect();
    let (Ok(a), Ok(b)) = (Pattern::parse(a_text), Pattern::parse(b_text)) else {
        return;
    };
    assert_eq!(a.as_str(), a_text);

    let overlaps = a.overlaps(&b);
    assert_eq!(
        overlaps,
        b.overlaps(&a),
        "overlap of {a:?} and {b:?} is not symmetric"
    );
    let witness = a.witness(&b);
    assert_eq!(
        witness.is_some(),
        overlaps,
        "{a:?} and {b:?}: witness {witness:?}"
    );
    if let Some(w) = &witness {
        assert!(
            a.matches(w) && b.matches(w),
            "witness {w:?} of {a:?} and {b:?}"
        );
    }

    let mut paths: Vec<String> = given.iter().map(|p| p.to_string()).collect();
    paths.extend(witness);
    paths.extend(a.witness(&a));
    paths.extend(b.witness(&b));
    for text in [a_text, b_text] {
        for fill in ["", "a", "b.rs", "a/b"] {
            let core = instantiate(text, fill);
            for (before, after) in [("", ""), ("x/", ""), ("", "/y"), ("x/", "/y/z")] {
                paths.push(format!("{before}{core}{after}"));
            }
        }
    }

    // Asked once, and only when some path matches `a`: the overlap search is the costly part.
    let mut a_overlaps_itself = None;
    for path in &paths {
        let (in_a, in_b) = (a.matches(path), b.matches(path));
        if in_a && in_b {
            assert!(
                overlaps,
                "{path:?} matches {a:?} and {b:?}, which do not overlap"
            );
        }
        if in_a {
            let itself = *a_overlaps_itself.get_or_insert_with(|| a.overlaps(&a));
            assert!(
                itself,
                "{path:?} matches {a:?}, which does not overlap itself"
            );
        }
        if !is_repo_path(path) {
            assert!(
                !in_a && !in_b,
                "{path:?} is not a repository path but matched"
            );
            continue;
        }
        for (pattern, ours) in [(&a, in_a), (&b, in_b)] {
            if let Some(theirs) = gix_decides(pattern.as_str(), path) {
                assert_eq!(
                    ours, theirs,
                    "{pattern:?} on {path:?}: ours says {ours}, gix-glob says {theirs}"
                );
            }
        }
    }
});

/// A path as git lists it: non-empty `/`-separated segments.
fn is_repo_path(path: &str) -> bool {
    !path.is_empty() && !path.contains('\0') && path.split('/').all(|s| !s.is_empty())
}

/// The pattern's text with its wildcards filled in (`*` by `fill`, `?` and classes by one
/// character) and escapes resolved: a path that matches it, or nearly does.
fn instantiate(text: &str, fill: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => out.push_str(fill),
            '?' => out.push(fill.chars().next().unwrap_or('q')),
            '[' => {
                let mut first = None;
                for c in chars.by_ref() {
                    if c == ']' && first.is_some() {
                        break;
                    }
                    if first.is_none() && c != '!' && c != '^' {
                        first = Some(c);
                    }
                }
                out.extend(first);
            }
            c => out.push(c),
        }
    }
    out.split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the pattern's last segment (before any trailing `/`) has an unescaped wildcard.
fn last_segment_is_glob(text: &str) -> bool {
    let body = text.strip_suffix('/').unwrap_or(text);
    let last = body.rsplit('/').next().unwrap_or(body);
    let mut chars = last.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// What gix-glob, matching as git does for `.gitignore`, says about our pattern on `path`;
/// `None` where the two are documented to differ and no comparison is meaningful.
///
/// The mapping of the semantic differences:
/// - gitignore matches a pattern against a path and against each of its parent directories
///   (a matched directory takes everything below it). We do the same for a pattern whose
///   last segment is literal or that ends in `/`; a pattern whose last segment is a glob
///   (`docs/*`, `*.rs`) matches names only, as GitHub documents for CODEOWNERS, so only the
///   path itself is asked.
/// - Wildcards: git's wildmatch works on bytes, ours on characters, so `?` and `[…]` are
///   compared only on ASCII patterns and paths.
/// - gitignore skips a pattern of only whitespace (a blank line); for us it is a name.
/// - gix-glob stops at a recursion depth of 64 (one level per `*`) and then reports no match,
///   where git (`git check-ignore`), like us, matches; and its backtracking is exponential in
///   the number of `*`. Patterns with more than 12 `*` or over 256 bytes are not compared
///   (overlap and witnesses are still checked on them).
/// - gix-glob 0.29.1 departs from git on a `[:` in a class that does not form a POSIX class
///   name (`[[:alp]x:]`): git, like us, takes the `[` as a member of the class and goes on
///   after it (checked with `git check-ignore`), gix-glob does not; such patterns are not
///   compared.
///
/// Anchoring (a leading or middle `/`), `**` and trailing `/` mean the same in both.
fn gix_decides(text: &str, path: &str) -> Option<bool> {
    let single_char = text.contains('?') || text.contains('[');
    if single_char && !(text.is_ascii() && path.is_ascii()) {
        return None;
    }
    if text.matches('*').count() > 12 || text.len() > 256 || has_malformed_posix_class(text) {
        return None;
    }
    let glob = gix_glob::Pattern::from_bytes_without_negation(text.as_bytes())?;
    let ask = |candidate: &str, is_dir: bool| {
        glob.matches_repo_relative_path(
            BStr::new(candidate),
            candidate.rfind('/').map(|p| p + 1),
            Some(is_dir),
            Case::Sensitive,
            Mode::NO_MATCH_SLASH_LITERAL,
        )
    };
    if ask(path, false) {
        return Some(true);
    }
    let names_only = !text.ends_with('/') && last_segment_is_glob(text);
    if names_only {
        return Some(false);
    }
    let directories = path.match_indices('/').map(|(at, _)| &path[..at]);
    for dir in directories {
        if ask(dir, true) {
            return Some(true);
        }
    }
    Some(false)
}

/// Whether a `[:` in the text is not the start of a well-formed `[:name:]` (letters only).
fn has_malformed_posix_class(text: &str) -> bool {
    text.match_indices("[:").any(|(at, _)| {
        let rest = &text[at + 2..];
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        !rest[name_len..].starts_with(":]")
    })
}
