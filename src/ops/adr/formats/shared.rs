/*!
What the adr-tools and MADR formats share, so that neither depends on the other: the fields
read from either ([`Parsed`]), the readers of their common pieces (titles, status words,
links, dates, options, the "Chosen option" sentence), the pieces of text both write, and the
sections of a body by what they hold ([`Content`], what a conversion is built from).
*/

use crate::model::adr::body::{section_text, sections};
use crate::model::adr::render::sentence;
use crate::model::adr::{Adr, AdrNumber, AdrOption, AdrStatus, BodyFormat, Decision};
use crate::model::{AgentId, Timestamp};

/// One foreign ADR file, read.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub file: String,
    pub number: AdrNumber,
    /// The slug of its file name, when it can be ours too.
    pub slug: Option<String>,
    pub title: String,
    pub status: AdrStatus,
    pub date: Option<Timestamp>,
    pub deciders: Vec<AgentId>,
    pub input_from: Vec<AgentId>,
    pub options: Vec<AdrOption>,
    /// The chosen option and the reason given.
    pub decision: Option<(String, String)>,
    pub supersedes: Vec<AdrNumber>,
    pub superseded_by: Vec<AdrNumber>,
    pub format: BodyFormat,
    pub text: String,
    pub warnings: Vec<String>,
}

pub(super) fn bare_option(name: &str) -> AdrOption {
    AdrOption {
        name: name.to_owned(),
        pros: Vec::new(),
        cons: Vec::new(),
        effort: None,
    }
}

/// The first `# ` line of `text`, without the `# `.
pub fn title_line(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(str::trim)
}

/// `1. Title` → (1, "Title"); a title without a number is returned whole.
pub fn split_number(title: &str) -> (Option<AdrNumber>, &str) {
    if let Some((n, rest)) = title.split_once(". ")
        && let Ok(number) = AdrNumber::parse(n)
    {
        return (Some(number), rest.trim());
    }
    (None, title)
}

/// The ADR a status line links to: the number in the linked file's name
/// (`[3. Foo](0003-foo.md)`), else the first number in the line (`superseded by ADR-0003`).
pub fn link_number(line: &str) -> Option<AdrNumber> {
    if let Some(start) = line.find("](") {
        let target = &line[start + 2..];
        if let Some(end) = target.find(')')
            && let Some((n, _)) = AdrNumber::from_file_name(&target[..end])
        {
            return Some(n);
        }
    }
    let digits: String = line
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    AdrNumber::parse(&digits).ok()
}

/// `2026-01-01` (that day, 00:00 UTC) or RFC 3339.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.len() == 10 {
        return Timestamp::parse_rfc3339(&format!("{s}T00:00:00Z"));
    }
    Timestamp::parse_rfc3339(s)
}

/// A status word at the start of `s` (`Accepted`, `accepted on 2026-01-01`).
pub fn status_word(s: &str) -> Option<AdrStatus> {
    let word: String = s
        .trim()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    word.parse().ok()
}

fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("* ")
        .or_else(|| line.strip_prefix("- "))
        .map(str::trim)
}

/// The options of a body: the list under "Considered Options", then the `### Option` blocks
/// of "Pros and Cons of the Options" or "Alternatives" with their `Good, because` / `Bad,
/// because` / `Effort:` bullets.
pub fn options_from(text: &str) -> Vec<AdrOption> {
    let mut options: Vec<AdrOption> = Vec::new();
    let index = |options: &mut Vec<AdrOption>, name: &str| match options
        .iter()
        .position(|o| o.name == name)
    {
        Some(i) => i,
        None => {
            options.push(bare_option(name));
            options.len() - 1
        }
    };
    if let Some(list) = section_text(text, "Considered Options") {
        for name in list.lines().filter_map(bullet).filter(|n| !n.is_empty()) {
            index(&mut options, name);
        }
    }
    for heading in ["Pros and Cons of the Options", "Alternatives"] {
        let Some(section) = section_text(text, heading) else {
            continue;
        };
        let mut current = None;
        for line in section.lines() {
            if let Some(name) = line.strip_prefix("### ").map(str::trim) {
                current = (!name.is_empty()).then(|| index(&mut options, name));
                continue;
            }
            let (Some(i), Some(item)) = (current, bullet(line)) else {
                continue;
            };
            let o = &mut options[i];
            if let Some(p) = item.strip_prefix("Good, because ") {
                o.pros.push(p.trim().to_owned());
            } else if let Some(c) = item.strip_prefix("Bad, because ") {
                o.cons.push(c.trim().to_owned());
            } else if let Some(e) = item.strip_prefix("Effort: ") {
                o.effort = Some(e.trim().to_owned());
            }
        }
    }
    options
}

/// The `Chosen option: "X", because …` paragraph of `section`: the option and the reason.
pub fn chosen(section: &str) -> Option<(String, String)> {
    let mut lines = section
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Chosen option:"));
    let first = lines.next()?;
    let mut paragraph = first.trim().to_owned();
    for l in lines.take_while(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        paragraph.push(' ');
        paragraph.push_str(l.trim());
    }
    let rest = paragraph["Chosen option:".len()..].trim();
    let (option, after) = match rest.strip_prefix('"').and_then(|r| r.split_once('"')) {
        Some((o, after)) => (o.to_owned(), after),
        None => match rest.split_once(", because") {
            Some((o, _)) => (o.trim().to_owned(), &rest[o.len()..]),
            None => (rest.trim_end_matches('.').to_owned(), ""),
        },
    };
    let rationale = after
        .trim_start_matches([',', ' '])
        .strip_prefix("because")
        .unwrap_or(after.trim_start_matches([',', ' ']))
        .trim();
    (!option.is_empty()).then(|| (option, rationale.to_owned()))
}

/// The sentence both formats write for a decision.
pub fn chosen_line(d: &Decision) -> String {
    if d.rationale.trim().is_empty() {
        return format!("Chosen option: \"{}\".", d.option);
    }
    format!(
        "Chosen option: \"{}\", because {}",
        d.option,
        sentence(&d.rationale)
    )
}

/// Options as `### Name` blocks with their pros, cons and effort.
pub fn option_blocks(options: &[AdrOption]) -> String {
    let blocks: Vec<String> = options
        .iter()
        .map(|o| {
            let mut b = format!("### {}\n", o.name);
            let mut bullets: Vec<String> = Vec::new();
            bullets.extend(o.pros.iter().map(|p| format!("* Good, because {p}")));
            bullets.extend(o.cons.iter().map(|c| format!("* Bad, because {c}")));
            bullets.extend(o.effort.iter().map(|e| format!("* Effort: {e}")));
            if !bullets.is_empty() {
                b.push('\n');
                b.push_str(&bullets.join("\n"));
                b.push('\n');
            }
            b
        })
        .collect();
    blocks.join("\n").trim_end().to_owned()
}

/// The valid agent names of a metadata list; the others are reported and stay in the text.
pub fn agent_list(p: &mut Parsed, field: &str, values: &[String]) -> Vec<AgentId> {
    let mut out: Vec<AgentId> = Vec::new();
    for v in values {
        match AgentId::parse(v.trim()) {
            Ok(a) if !out.contains(&a) => out.push(a),
            Ok(_) => {}
            Err(_) => p.warnings.push(format!(
                "{}: {field} {v:?} is not an agent name (a-z, 0-9, -); it stays in the text only",
                p.file
            )),
        }
    }
    out
}

/// The sections of a body by what they hold, whatever its format calls them.
#[derive(Clone, Debug, Default)]
pub struct Content {
    pub context: Option<String>,
    /// The decision as the body words it (none for git coord's own bodies, whose Decision
    /// section is rendered from the fields).
    pub decision_text: Option<String>,
    pub consequences: Option<String>,
    /// Every other section, in order, except those rebuilt from the fields.
    pub others: Vec<(String, String)>,
}

impl Content {
    pub fn of(adr: &Adr) -> Content {
        let mut c = Content::default();
        let text = &adr.body;
        for s in sections(text) {
            let body = text[s.content_start..s.end].trim().to_owned();
            let h = s.heading.to_ascii_lowercase();
            match (adr.format, h.as_str()) {
                (_, "status") => {}
                (BodyFormat::Madr, "context and problem statement") | (_, "context") => {
                    c.context = Some(body)
                }
                (BodyFormat::Madr, "decision outcome") | (BodyFormat::AdrTools, "decision") => {
                    c.decision_text = Some(body)
                }
                (BodyFormat::Coord, "decision") => {}
                (_, "consequences") => c.consequences = Some(body),
                (_, "considered options" | "pros and cons of the options" | "alternatives")
                    if !adr.options.is_empty() || adr.format == BodyFormat::Coord => {}
                _ => c.others.push((s.heading.clone(), body)),
            }
        }
        c
    }

    /// The decision's text: as the body words it, else the chosen option, else undecided.
    pub fn decision(&self, adr: &Adr) -> String {
        match (&self.decision_text, &adr.decision) {
            (Some(t), _) if !t.trim().is_empty() => t.clone(),
            (_, Some(d)) => chosen_line(d),
            _ if adr.status == AdrStatus::Proposed => "Not decided yet.".to_owned(),
            _ => format!(
                "{} without a recorded choice of option.",
                capitalized(adr.status.as_str())
            ),
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_dates() {
        let n = |s: &str| link_number(s).map(AdrNumber::get);
        assert_eq!(n("Superseded by [3. Use X](0003-use-x.md)"), Some(3));
        assert_eq!(n("superseded by [ADR-0012](0012-foo.md)"), Some(12));
        assert_eq!(n("superseded by ADR-0005"), Some(5));
        assert_eq!(n("Supersedes [1. A](./0001-a.md)"), Some(1));
        assert_eq!(n("Superseded"), None);
        assert_eq!(
            parse_date("2026-01-02").unwrap().to_string(),
            "2026-01-02T00:00:00Z"
        );
        assert!(parse_date("yesterday").is_none());
        assert_eq!(
            status_word("Accepted on 2026-01-01"),
            Some(AdrStatus::Accepted)
        );
        assert_eq!(status_word("Draft"), None);
    }

    #[test]
    fn chosen_sentences() {
        assert_eq!(
            chosen("Chosen option: \"Redis\", because it is\nshared.\n\nMore."),
            Some(("Redis".into(), "it is shared.".into()))
        );
        assert_eq!(
            chosen("Chosen option: LRU, because simpler"),
            Some(("LRU".into(), "simpler".into()))
        );
        assert_eq!(
            chosen("Chosen option: LRU."),
            Some(("LRU".into(), "".into()))
        );
        assert_eq!(chosen("We will use LRU."), None);
    }

    #[test]
    fn options_from_lists_and_blocks() {
        let text = "## Considered Options\n\n* A\n* B\n\n## Pros and Cons of the Options\n\n### B\n\nText.\n\n* Good, because x\n* Bad, because y\n* Neutral, because z\n\n### C\n\n- Effort: 2d\n";
        let o = options_from(text);
        let names: Vec<&str> = o.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(o[1].pros, ["x"]);
        assert_eq!(o[1].cons, ["y"]);
        assert_eq!(o[2].effort.as_deref(), Some("2d"));
        assert_eq!(
            option_blocks(&o),
            "### A\n\n### B\n\n* Good, because x\n* Bad, because y\n\n### C\n\n* Effort: 2d"
        );
    }
}
