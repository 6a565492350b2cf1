/*!
Baseline ownership from the project's own tree: `.coord/owners.toml` (rules naming agents,
enforced like exclusive claims), or else an existing CODEOWNERS file (`.github/`, the root,
`docs/`, the first found, as GitHub looks for it), read with GitHub's semantics: the last
matching rule wins, and a rule with no owners leaves its paths unowned. CODEOWNERS names
GitHub users and teams, not agents, so it only informs (`owners`, `coord.unowned`); it never
blocks a commit.
*/

use serde::Serialize;

use super::pattern::Pattern;

/// Where a baseline comes from, in the order they are looked for.
pub const SOURCES: [&str; 4] = [
    ".coord/owners.toml",
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
];

#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    #[serde(serialize_with = "pattern_text")]
    pub pattern: Pattern,
    pub owners: Vec<String>,
    pub line: usize,
}

fn pattern_text<S: serde::Serializer>(p: &Pattern, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Baseline {
    /// The file the rules come from (`None`: the project has no baseline).
    pub source: Option<String>,
    /// Whether the owners are agents whose ownership is enforced (`.coord/owners.toml`).
    pub enforced: bool,
    pub rules: Vec<Rule>,
    /// Lines that could not be read, as `file:line: problem`.
    #[serde(skip)]
    pub problems: Vec<String>,
}

/// The rule that decides `path`, if any: the last one that matches.
impl Baseline {
    pub fn decide(&self, path: &str) -> Option<&Rule> {
        self.rules.iter().rev().find(|r| r.pattern.matches(path))
    }
}

/// Parses a CODEOWNERS file.
pub fn parse_codeowners(source: &str, text: &str) -> Baseline {
    let mut b = Baseline {
        source: Some(source.to_owned()),
        enforced: false,
        ..Baseline::default()
    };
    for (n, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let mut words = split_words(&line).into_iter();
        let Some(pattern) = words.next() else {
            continue;
        };
        match Pattern::parse(&pattern) {
            Ok(pattern) => b.rules.push(Rule {
                pattern,
                owners: words.collect(),
                line: n + 1,
            }),
            Err(e) => b.problems.push(format!("{source}:{}: {e}", n + 1)),
        }
    }
    b
}

/// Drops a `#` comment (a `\#` is a literal `#`).
fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('\\');
                out.push('#');
                chars.next();
            }
            '#' => break,
            c => out.push(c),
        }
    }
    out
}

/// Splits on unescaped whitespace (`\ ` keeps a space in a pattern).
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_whitespace()) => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Parses `.coord/owners.toml`: `[[rule]]` tables with `pattern` and `owners` (agent IDs).
pub fn parse_owners_toml(source: &str, text: &str) -> Baseline {
    let mut b = Baseline {
        source: Some(source.to_owned()),
        enforced: true,
        ..Baseline::default()
    };
    let doc = match text.parse::<toml_edit::DocumentMut>() {
        Ok(d) => d,
        Err(e) => {
            b.problems
                .push(format!("{source}: invalid TOML: {}", e.message().trim()));
            return b;
        }
    };
    let Some(rules) = doc.get("rule").and_then(|r| r.as_array_of_tables()) else {
        return b;
    };
    for (n, t) in rules.iter().enumerate() {
        let pattern = t
            .get("pattern")
            .and_then(|p| p.as_str())
            .unwrap_or_default();
        let owners: Vec<String> = t
            .get("owners")
            .and_then(|o| o.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        match Pattern::parse(pattern) {
            Ok(pattern) => b.rules.push(Rule {
                pattern,
                owners,
                line: n + 1,
            }),
            Err(e) => b.problems.push(format!("{source}: rule {}: {e}", n + 1)),
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's documented example CODEOWNERS file, with the owners each path gets.
    const GITHUB_EXAMPLE: &str = r"
# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

docs/*  docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github
";

    #[test]
    fn github_codeowners_parity() {
        let b = parse_codeowners(".github/CODEOWNERS", GITHUB_EXAMPLE);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        let owners = |path: &str| -> Vec<String> {
            b.decide(path).map(|r| r.owners.clone()).unwrap_or_default()
        };
        let table: &[(&str, &[&str])] = &[
            ("README.md", &["@global-owner1", "@global-owner2"]),
            ("src/index.js", &["@js-owner"]),
            ("main.go", &["docs@example.com"]),
            ("notes/todo.txt", &["@octo-org/octocats"]),
            // `**/logs` comes later than `/build/logs/` and wins.
            ("build/logs/today.log", &["@octocat"]),
            ("deeply/nested/logs/x.log", &["@octocat"]),
            // `/docs/` comes later than `docs/*` and wins, nested or not.
            ("docs/getting-started.md", &["@doctocat"]),
            ("docs/build-app/troubleshooting.md", &["@doctocat"]),
            ("apps/main.rs", &["@octocat"]),
            ("scripts/deploy.sh", &["@doctocat", "@octocat"]),
            // `/apps/github` has no owners: its files are unowned.
            ("apps/github/index.js", &[]),
        ];
        for (path, expected) in table {
            assert_eq!(
                owners(path),
                expected.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{path}"
            );
        }
    }

    #[test]
    fn owners_toml() {
        let b = parse_owners_toml(
            ".coord/owners.toml",
            "[[rule]]\npattern = \"src/**\"\nowners = [\"state\"]\n\n[[rule]]\npattern = \"src/api/**\"\nowners = [\"api\"]\n",
        );
        assert!(b.enforced);
        assert_eq!(b.decide("src/api/x.rs").unwrap().owners, vec!["api"]);
        assert_eq!(b.decide("src/db.rs").unwrap().owners, vec!["state"]);
        assert!(b.decide("README.md").is_none());
    }

    #[test]
    fn comments_and_escapes() {
        let b = parse_codeowners(
            "CODEOWNERS",
            "a\\#b @x # comment\nweird\\ name @y\n  # only a comment\n",
        );
        assert_eq!(b.rules.len(), 2);
        assert_eq!(b.rules[0].owners, vec!["@x"]);
        assert_eq!(b.rules[1].pattern.as_str(), "weird\\ name");
    }
}
