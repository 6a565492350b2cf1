/*!
`check` results in the formats CI reads: text for people, a markdown PR comment, and GitHub
workflow commands. Everything taken from records or paths is escaped for its format, so a
path or pattern can never inject markup, mentions or workflow commands.
*/

use crate::model::text::{escape_unsafe, is_unsafe, push_escaped};
use crate::ownership::check::{Finding, Kind, Report};

/// One line describing a finding. Paths, patterns and task references come from the
/// repository and the branch, so control and bidi characters in them are escaped here, for
/// every format: a file name with a newline cannot start a line of its own (`::error::…` in
/// a CI log), an escape sequence cannot recolour a terminal, U+202E cannot reverse a message.
fn describe(f: &Finding, agent: &str) -> String {
    let agent = f.by.as_ref().map(|a| a.as_str()).unwrap_or(agent);
    let path = escape_unsafe(&f.path);
    let held = || {
        let holder = f
            .holder
            .as_ref()
            .map(|h| h.as_str())
            .unwrap_or("another agent");
        let pattern = f.pattern.as_deref().map(escape_unsafe);
        let task = f.task.as_deref().map(escape_unsafe);
        let unreadable = f.unreadable.as_deref().map(escape_unsafe);
        let via = match (pattern, task, unreadable) {
            (Some(p), _, Some(file)) => format!(" ({p}, salvaged from its unreadable {file})"),
            (Some(p), Some(t), None) if t.contains(':') => format!(" ({p}, by {t})"),
            (Some(p), Some(t), None) => format!(" ({p}, with task {t})"),
            (Some(p), None, None) => format!(" ({p})"),
            _ => String::new(),
        };
        let since = f.since.map(|s| format!(" since {s}")).unwrap_or_default();
        (holder, via, since)
    };
    match f.kind {
        Kind::HeldByOther => {
            let (holder, via, since) = held();
            format!(
                "{path} is held by {holder}{via}{since}; {agent} may not change it{}",
                attribution(f)
            )
        }
        Kind::Unowned => format!("{path} is not owned by anyone"),
        Kind::ClaimedLater => {
            let (holder, via, since) = held();
            format!(
                "{path} is held by {holder}{via}{since}, claimed after commit {} was made: allowed; ask {holder} before changing it again",
                f.commit.as_deref().map(short).unwrap_or("this")
            )
        }
    }
}

/// Why a range commit was judged as the agent a finding names, when that is worth saying.
fn attribution(f: &Finding) -> String {
    use crate::ownership::check::Via;
    match (f.via, &f.named) {
        (Some(Via::Acting), Some(named)) => format!(
            " (the commit names {named}, which grants no rights: it is judged as the acting agent's too)"
        ),
        (
            Some(via @ (Via::Trailer | Via::Note | Via::Task | Via::Branch | Via::Unattributed)),
            _,
        ) => {
            format!(" ({})", via.describe())
        }
        _ => String::new(),
    }
}

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

fn hint(f: &Finding) -> Option<String> {
    f.holder.as_ref().map(|h| {
        format!(
            "ask {h}: git coord send {h} --subject \"May I change {}?\" --needs-reply",
            escape_unsafe(&f.path)
        )
    })
}

/// For a terminal: every line starts with `error:`, `  hint:`, `warning:` or the summary,
/// whatever the paths hold (see [`describe`]).
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    for f in &r.violations {
        out.push_str(&format!("error: {}\n", describe(f, r.agent.as_str())));
        if let Some(h) = hint(f) {
            out.push_str(&format!("  hint: {h}\n"));
        }
    }
    for f in &r.warnings {
        out.push_str(&format!("warning: {}\n", describe(f, r.agent.as_str())));
    }
    // A commit no acting agent vouches for was judged by what it says about itself.
    for n in unverified(r) {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&format!(
        "{} path(s) checked for {}: {} violation(s), {} warning(s)\n",
        r.checked,
        r.agent,
        r.violations.len(),
        r.warnings.len()
    ));
    out
}

/// Escapes text for a markdown table cell or paragraph: no HTML, no mentions, no links,
/// no emphasis or code spans, and control and bidi characters written out visibly
/// (`\u{202e}`, its `\` as an entity) rather than acting on the page.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_unsafe(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '>' | '<'
            | '&' => {
                out.push_str(&format!("&#{};", c as u32));
            }
            // An @ followed by text would mention someone; a zero-width joiner breaks it.
            '@' => out.push_str("&#64;"),
            c => out.push(c),
        }
    }
    out
}

/// The commits judged only by what they say about themselves (no acting agent), one line
/// each, for a reader to know what was taken on trust.
fn unverified(r: &Report) -> Vec<String> {
    use crate::ownership::check::Via;
    r.commits
        .iter()
        .filter(|a| {
            !a.judged_as.iter().any(|j| j.via == Via::Acting)
                && a.judged_as
                    .iter()
                    .any(|j| matches!(j.via, Via::Trailer | Via::Note | Via::Task))
        })
        .map(|a| {
            let who: Vec<String> = a
                .judged_as
                .iter()
                .map(|j| format!("{} ({})", j.agent, j.via.describe()))
                .collect();
            format!(
                "commit {} judged as {}; unverified: no acting agent",
                short(&a.commit),
                who.join(" and ")
            )
        })
        .collect()
}

/// A ready pull-request comment.
pub fn markdown(r: &Report) -> String {
    let mut out = String::from("### git coord: file ownership\n\n");
    let notes: String = unverified(r)
        .iter()
        .map(|n| format!("- {}\n", escape_markdown(n)))
        .collect();
    if r.violations.is_empty() && r.warnings.is_empty() {
        out.push_str(&format!(
            "{} path(s) checked for {}: no problems.\n",
            r.checked,
            escape_markdown(r.agent.as_str())
        ));
        if !notes.is_empty() {
            out.push('\n');
            out.push_str(&notes);
        }
        return out;
    }
    out.push_str("| | path | held by | claim |\n|---|---|---|---|\n");
    for (level, f) in r
        .violations
        .iter()
        .map(|f| ("error", f))
        .chain(r.warnings.iter().map(|f| ("warning", f)))
    {
        out.push_str(&format!(
            "| {level} | {} | {} | {} |\n",
            escape_markdown(&f.path),
            f.holder
                .as_ref()
                .map(|h| escape_markdown(h.as_str()))
                .unwrap_or_else(|| "nobody".to_owned()),
            f.pattern
                .as_deref()
                .map(escape_markdown)
                .unwrap_or_default(),
        ));
    }
    out.push_str(&format!(
        "\n{} path(s) checked for {}: {} violation(s), {} warning(s).\n",
        r.checked,
        escape_markdown(r.agent.as_str()),
        r.violations.len(),
        r.warnings.len()
    ));
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes);
    }
    out
}

/// Escapes a workflow command's message as GitHub's rules ask (`%`, CR, LF percent-encoded),
/// and every other control or bidi character visibly (`\u{1b}`): the runner decodes only
/// those percent escapes, so nothing else may rely on them.
fn escape_data(s: &str) -> String {
    escape_workflow(s, false)
}

/// Escapes a workflow command's property value: as [`escape_data`], and also `:` and `,`,
/// which would end the property.
fn escape_property(s: &str) -> String {
    escape_workflow(s, true)
}

fn escape_workflow(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if is_unsafe(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// GitHub Actions workflow commands (`::error file=…::…`), and a notice for each commit
/// judged only on its own word.
pub fn github(r: &Report) -> String {
    let mut out = String::new();
    for n in unverified(r) {
        out.push_str(&format!(
            "::notice title=git coord ownership::{}\n",
            escape_data(&n)
        ));
    }
    for (level, f) in r
        .violations
        .iter()
        .map(|f| ("error", f))
        .chain(r.warnings.iter().map(|f| ("warning", f)))
    {
        out.push_str(&format!(
            "::{level} file={},title=git coord ownership::{}\n",
            escape_property(&f.path),
            escape_data(&describe(f, r.agent.as_str()))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AgentId;
    use crate::ownership::check::Report;

    fn report(path: &str) -> Report {
        Report {
            agent: AgentId::parse("alice").unwrap(),
            checked: 1,
            violations: vec![Finding {
                commit: None,
                by: None,
                via: None,
                named: None,
                path: path.to_owned(),
                kind: Kind::HeldByOther,
                holder: Some(AgentId::parse("bob").unwrap()),
                pattern: Some("src/**".to_owned()),
                since: None,
                task: None,
                unreadable: None,
            }],
            warnings: Vec::new(),
            ok: false,
            commits: Vec::new(),
        }
    }

    fn finding(path: &str, kind: Kind) -> Finding {
        Finding {
            kind,
            ..report(path).violations.remove(0)
        }
    }

    /// A range check: bob's commit (by its trailer) changed files alice and carol hold; one
    /// of carol's claims came after the commit; a file nobody owns; a claim salvaged from an
    /// unreadable registry entry.
    fn range_report() -> Report {
        let since = crate::model::Timestamp::parse_rfc3339("2026-11-21T09:00:00Z").unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567".to_owned();
        let by_trailer = |mut f: Finding| {
            f.commit = Some(commit.clone());
            f.by = Some(AgentId::parse("bob").unwrap());
            f.via = Some(crate::ownership::check::Via::Trailer);
            f
        };
        let mut with_task = by_trailer(finding("src/db/pool.rs", Kind::HeldByOther));
        with_task.holder = Some(AgentId::parse("alice").unwrap());
        with_task.pattern = Some("src/db/**".to_owned());
        with_task.task = Some("t-4kz9w2".to_owned());
        with_task.since = Some(since);
        let mut salvaged = by_trailer(finding("docs/api.md", Kind::HeldByOther));
        salvaged.holder = Some(AgentId::parse("dave").unwrap());
        salvaged.pattern = Some("docs/**".to_owned());
        salvaged.unreadable = Some("agents/dave.toml".to_owned());
        let mut later = by_trailer(finding("src/ui/app.rs", Kind::ClaimedLater));
        later.holder = Some(AgentId::parse("carol").unwrap());
        later.pattern = Some("src/ui/**".to_owned());
        later.since = Some(since);
        let mut unowned = finding("Makefile", Kind::Unowned);
        unowned.holder = None;
        unowned.pattern = None;
        Report {
            agent: AgentId::parse("bob").unwrap(),
            checked: 7,
            violations: vec![with_task, salvaged],
            warnings: vec![later, unowned],
            ok: false,
            commits: vec![crate::ownership::check::Attribution {
                commit,
                judged_as: vec![crate::ownership::check::JudgedAs {
                    agent: AgentId::parse("bob").unwrap(),
                    via: crate::ownership::check::Via::Trailer,
                }],
                claims_at: None,
            }],
        }
    }

    fn clean_report() -> Report {
        Report {
            checked: 3,
            violations: Vec::new(),
            ok: true,
            ..report("x")
        }
    }

    #[test]
    fn text_for_a_terminal() {
        insta::assert_snapshot!(text(&report("src/db.rs")), @r#"
        error: src/db.rs is held by bob (src/**); alice may not change it
          hint: ask bob: git coord send bob --subject "May I change src/db.rs?" --needs-reply
        1 path(s) checked for alice: 1 violation(s), 0 warning(s)
        "#);
        insta::assert_snapshot!(text(&range_report()), @r#"
        error: src/db/pool.rs is held by alice (src/db/**, with task t-4kz9w2) since 2026-11-21T09:00:00Z; bob may not change it (claimed by its Coord-Agent trailer)
          hint: ask alice: git coord send alice --subject "May I change src/db/pool.rs?" --needs-reply
        error: docs/api.md is held by dave (docs/**, salvaged from its unreadable agents/dave.toml); bob may not change it (claimed by its Coord-Agent trailer)
          hint: ask dave: git coord send dave --subject "May I change docs/api.md?" --needs-reply
        warning: src/ui/app.rs is held by carol (src/ui/**) since 2026-11-21T09:00:00Z, claimed after commit 0123456789 was made: allowed; ask carol before changing it again
        warning: Makefile is not owned by anyone
        note: commit 0123456789 judged as bob (claimed by its Coord-Agent trailer); unverified: no acting agent
        7 path(s) checked for bob: 2 violation(s), 2 warning(s)
        "#);
        insta::assert_snapshot!(text(&clean_report()), @"3 path(s) checked for alice: 0 violation(s), 0 warning(s)");
    }

    #[test]
    fn markdown_for_a_pull_request() {
        insta::assert_snapshot!(markdown(&range_report()), @r"
        ### git coord: file ownership

        | | path | held by | claim |
        |---|---|---|---|
        | error | src/db/pool.rs | alice | src/db/&#42;&#42; |
        | error | docs/api.md | dave | docs/&#42;&#42; |
        | warning | src/ui/app.rs | carol | src/ui/&#42;&#42; |
        | warning | Makefile | nobody |  |

        7 path(s) checked for bob: 2 violation(s), 2 warning(s).

        - commit 0123456789 judged as bob &#40;claimed by its Coord-Agent trailer&#41;; unverified: no acting agent
        ");
        insta::assert_snapshot!(markdown(&clean_report()), @r"
        ### git coord: file ownership

        3 path(s) checked for alice: no problems.
        ");
    }

    #[test]
    fn github_workflow_commands() {
        insta::assert_snapshot!(github(&range_report()), @r"
        ::notice title=git coord ownership::commit 0123456789 judged as bob (claimed by its Coord-Agent trailer); unverified: no acting agent
        ::error file=src/db/pool.rs,title=git coord ownership::src/db/pool.rs is held by alice (src/db/**, with task t-4kz9w2) since 2026-11-21T09:00:00Z; bob may not change it (claimed by its Coord-Agent trailer)
        ::error file=docs/api.md,title=git coord ownership::docs/api.md is held by dave (docs/**, salvaged from its unreadable agents/dave.toml); bob may not change it (claimed by its Coord-Agent trailer)
        ::warning file=src/ui/app.rs,title=git coord ownership::src/ui/app.rs is held by carol (src/ui/**) since 2026-11-21T09:00:00Z, claimed after commit 0123456789 was made: allowed; ask carol before changing it again
        ::warning file=Makefile,title=git coord ownership::Makefile is not owned by anyone
        ");
        assert_eq!(github(&clean_report()), "", "nothing to annotate");
    }

    #[test]
    fn markdown_cannot_inject() {
        let md = markdown(&report(
            "src/<img src=x onerror=alert(1)>@everyone [x](http://e)|`a`.rs",
        ));
        assert!(!md.contains("<img"), "{md}");
        assert!(!md.contains("@everyone"), "{md}");
        assert!(!md.contains("](http"), "{md}");
        assert_eq!(md.matches('|').count(), 15, "cell separators only: {md}");
    }

    /// No raw control or bidi character in `out`, and every line starts as the format says.
    fn clean(out: &str) {
        for bad in ['\u{1b}', '\u{202e}', '\r', '\u{7}'] {
            assert!(!out.contains(bad), "{bad:?} in {out:?}");
        }
    }

    #[test]
    fn hostile_paths_are_escaped_in_every_format() {
        let hostile = report("src/\u{1b}[31mx\u{202e}.rs");
        let escaped = "src/\\u{1b}[31mx\\u{202e}.rs";
        let t = text(&hostile);
        clean(&t);
        assert!(
            t.starts_with(&format!("error: {escaped} is held by bob")),
            "{t}"
        );
        let gh = github(&hostile);
        clean(&gh);
        assert_eq!(gh.lines().count(), 1, "{gh}");
        assert!(
            gh.starts_with(&format!("::error file={escaped},title=")),
            "{gh}"
        );
        assert!(gh.contains(&format!("::{escaped} is held by bob")), "{gh}");
        let md = markdown(&hostile);
        clean(&md);
        assert!(
            md.contains("src/&#92;u{1b}&#91;31mx&#92;u{202e}.rs"),
            "{md}"
        );
        let mut with_pattern = report("a.rs");
        with_pattern.violations[0].pattern = Some("\u{202e}sr/**".to_owned());
        with_pattern.violations[0].task = Some("t-aaaaaa\u{1b}".to_owned());
        for out in [
            text(&with_pattern),
            github(&with_pattern),
            markdown(&with_pattern),
        ] {
            clean(&out);
        }
    }

    #[test]
    fn a_file_name_with_a_newline_cannot_start_a_line() {
        let r = report("x.rs\n::error::pwned\u{202e}");
        for out in [text(&r), github(&r), markdown(&r)] {
            clean(&out);
            for line in out.lines() {
                assert!(!line.starts_with("::error::"), "{line:?} in {out:?}");
            }
        }
        assert_eq!(text(&r).lines().count(), 3, "error, hint, summary");
        assert_eq!(github(&r).lines().count(), 1);
    }

    #[test]
    fn github_commands_cannot_inject() {
        let gh = github(&report("a,b:c\n::error::pwned%0A.rs"));
        assert_eq!(gh.lines().count(), 1, "{gh}");
        assert!(
            gh.starts_with("::error file=a%2Cb%3Ac%0A%3A%3Aerror%3A%3Apwned%250A.rs,title="),
            "{gh}"
        );
    }
}
