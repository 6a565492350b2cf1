/*!
`check` results in the formats CI reads: text for people, a markdown PR comment, and GitHub
workflow commands. Everything taken from records or paths is escaped for its format, so a
path or pattern can never inject markup, mentions or workflow commands.
*/

use crate::ownership::check::{Finding, Kind, Report};

fn describe(f: &Finding, agent: &str) -> String {
    let agent = f.by.as_ref().map(|a| a.as_str()).unwrap_or(agent);
    match f.kind {
        Kind::HeldByOther => {
            let holder = f
                .holder
                .as_ref()
                .map(|h| h.as_str())
                .unwrap_or("another agent");
            let via = match (&f.pattern, &f.task) {
                (Some(p), Some(t)) if t.contains(':') => format!(" ({p}, by {t})"),
                (Some(p), Some(t)) => format!(" ({p}, with task {t})"),
                (Some(p), None) => format!(" ({p})"),
                _ => String::new(),
            };
            let since = f.since.map(|s| format!(" since {s}")).unwrap_or_default();
            format!(
                "{} is held by {holder}{via}{since}; {agent} may not change it",
                f.path
            )
        }
        Kind::Unowned => format!("{} is not owned by anyone", f.path),
    }
}

fn hint(f: &Finding) -> Option<String> {
    f.holder.as_ref().map(|h| {
        format!(
            "ask {h}: git coord send {h} --subject \"May I change {}?\" --needs-reply",
            f.path
        )
    })
}

/// For a terminal; the caller sanitises control characters.
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
/// no emphasis or code spans.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '>' | '<'
            | '&' => {
                out.push_str(&format!("&#{};", c as u32));
            }
            // An @ followed by text would mention someone; a zero-width joiner breaks it.
            '@' => out.push_str("&#64;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A ready pull-request comment.
pub fn markdown(r: &Report) -> String {
    let mut out = String::from("### git coord: file ownership\n\n");
    if r.violations.is_empty() && r.warnings.is_empty() {
        out.push_str(&format!(
            "{} path(s) checked for {}: no problems.\n",
            r.checked,
            escape_markdown(r.agent.as_str())
        ));
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
    out
}

/// Escapes a workflow command's message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…::…`).
pub fn github(r: &Report) -> String {
    let mut out = String::new();
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
                path: path.to_owned(),
                kind: Kind::HeldByOther,
                holder: Some(AgentId::parse("bob").unwrap()),
                pattern: Some("src/**".to_owned()),
                since: None,
                task: None,
            }],
            warnings: Vec::new(),
            ok: false,
        }
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
