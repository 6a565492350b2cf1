/*!
Matching a compiled pattern against a repository path: one step per path segment, with `**`
taking any number of whole segments, and a glob over the characters of one segment. Both scans
are greedy and backtrack only to the latest `**` or `*`, which is exact here because every
other step takes exactly one segment (or character).
*/

use super::{Glob, Segment, Token};

/// Whether `segments` match the whole of `path`, a `/`-separated list of non-empty segments
/// (the empty string being the empty list).
///
/// Every step but `**` takes exactly one segment, so the greedy scan that backtracks only to
/// the latest `**` is exact, as for `*` in a glob over characters.
pub(super) fn match_segments(segments: &[Segment], path: &str) -> bool {
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
    pub(super) fn matches_segment(&self, name: &str) -> bool {
        match self {
            Segment::Literal(literal) => **literal == *name,
            Segment::Glob(glob) => glob.matches(name),
            Segment::AnyDepth => false,
        }
    }
}

impl Glob {
    /// The glob `*`: any one segment.
    pub(super) fn star() -> Glob {
        Glob {
            tokens: Box::new([Token::Star]),
        }
    }

    /// Whether the glob matches all of `name`; the greedy scan backtracking to the latest `*`
    /// is exact because every other token takes exactly one character.
    pub(super) fn matches(&self, name: &str) -> bool {
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
    pub(super) fn accepts(&self, c: char) -> bool {
        match self {
            Token::Char(x) => *x == c,
            Token::AnyChar | Token::Star => c != '/',
            Token::Class(set) => set.contains(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::pattern;

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
}
