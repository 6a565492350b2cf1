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

/// A baseline rule that gives some of the files a claimed pattern covers to someone other
/// than the claiming agent (`own` warns about it: a claim is a temporary lease on top of the
/// baseline, not a transfer).
#[derive(Clone, Debug, Serialize)]
pub struct Foreign {
    /// The baseline file and the line of the rule.
    pub source: String,
    pub line: usize,
    /// The rule's pattern and owners, as written there.
    pub pattern: String,
    pub owners: Vec<String>,
    /// Whether `check` enforces the rule (`.coord/owners.toml`) or it only informs.
    pub enforced: bool,
    /// Files both cover that the rule decides: tracked ones (up to three), else one path
    /// built from the two patterns.
    pub examples: Vec<String>,
}

impl Baseline {
    /// The rules that decide some path `claimed` covers and name owners among whom `agent`
    /// is not, in file order.
    ///
    /// Whether a rule and the claim share a path is decided exactly ([`Pattern::overlaps`]).
    /// Whether the rule, and not a later one, decides such a path (the last matching rule
    /// wins) is judged on the shared paths at hand: the tracked files both cover and a path
    /// the two patterns both match. So a catch-all `* @org/owners` that more specific rules
    /// override wherever the claim reaches gives no warning; a rule shadowed on every such
    /// path but some untracked, unconstructed one is missed, which only costs a warning.
    pub fn foreign_rules(
        &self,
        claimed: &Pattern,
        agent: &str,
        tracked: &[String],
    ) -> Vec<Foreign> {
        let Some(source) = &self.source else {
            return Vec::new();
        };
        let decider = |path: &str| self.rules.iter().rposition(|r| r.pattern.matches(path));
        let covered: Vec<&String> = tracked.iter().filter(|f| claimed.matches(f)).collect();
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.owners.is_empty()
                || rule.owners.iter().any(|o| is_agent(o, agent))
                || !rule.pattern.overlaps(claimed)
            {
                continue;
            }
            let mut examples: Vec<String> = covered
                .iter()
                .filter(|f| rule.pattern.matches(f) && decider(f) == Some(i))
                .take(3)
                .map(|f| f.to_string())
                .collect();
            if examples.is_empty() {
                examples.extend(
                    claimed
                        .witness(&rule.pattern)
                        .filter(|w| decider(w) == Some(i)),
                );
            }
            if examples.is_empty() {
                continue;
            }
            out.push(Foreign {
                source: source.clone(),
                line: rule.line,
                pattern: rule.pattern.as_str().to_owned(),
                owners: rule.owners.clone(),
                enforced: self.enforced,
                examples,
            });
        }
        out
    }
}

/// Whether a baseline owner names `agent`: the agent ID itself (`.coord/owners.toml`), or a
/// CODEOWNERS user `@agent` (GitHub user names are case-insensitive). A team (`@org/team`)
/// or an e-mail address never names an agent.
fn is_agent(owner: &str, agent: &str) -> bool {
    owner == agent
        || owner
            .strip_prefix('@')
            .is_some_and(|user| user.eq_ignore_ascii_case(agent))
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
    // A parsed (not mutable) document keeps the spans that give each rule's line.
    let doc = match toml_edit::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            b.problems
                .push(format!("{source}: invalid TOML: {}", e.message().trim()));
            return b;
        }
    };
    let Some(rules) = doc
        .as_table()
        .get("rule")
        .and_then(|r| r.as_array_of_tables())
    else {
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
        // The line of the rule's `[[rule]]` header (1-based).
        let line = t
            .span()
            .and_then(|span| text.get(..span.start))
            .map_or(n + 1, |before| before.matches('\n').count() + 1);
        match Pattern::parse(pattern) {
            Ok(pattern) => b.rules.push(Rule {
                pattern,
                owners,
                line,
            }),
            Err(e) => b
                .problems
                .push(format!("{source}:{line}: rule {}: {e}", n + 1)),
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
        // Lines are the file's, not the rule's number.
        assert_eq!(b.rules[0].line, 1);
        assert_eq!(b.rules[1].line, 5);
    }

    #[test]
    fn foreign_rules_follow_the_last_match_and_the_claiming_agent() {
        let b = parse_codeowners(
            "CODEOWNERS",
            "* @org/everyone
/src/ @alice
/src/api/ @org/api-team
/docs/ @Bob
",
        );
        let tracked: Vec<String> = ["src/main.rs", "src/api/mod.rs", "docs/a.md", "x.txt"]
            .map(String::from)
            .to_vec();
        let foreign = |pattern: &str, agent: &str| -> Vec<(usize, Vec<String>)> {
            b.foreign_rules(&Pattern::parse(pattern).unwrap(), agent, &tracked)
                .into_iter()
                .map(|f| (f.line, f.examples))
                .collect()
        };
        // `*` is overridden by `/src/` on every file of src/ but api/, which the team owns.
        assert_eq!(
            foreign("src/**", "alice"),
            vec![(3, vec!["src/api/mod.rs".to_owned()])]
        );
        assert!(foreign("src/main.rs", "alice").is_empty());
        // A path no tracked file shows is built from the two patterns.
        assert_eq!(
            foreign("src/new.rs", "carol"),
            vec![(2, vec!["src/new.rs".to_owned()])]
        );
        // @Bob is bob (user names ignore case); a team never names an agent.
        assert!(foreign("docs/**", "bob").is_empty());
        assert_eq!(foreign("docs/**", "org").len(), 1);
        assert_eq!(
            foreign("/*.txt", "carol"),
            vec![(1, vec!["x.txt".to_owned()])]
        );
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
