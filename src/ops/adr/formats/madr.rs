/*!
MADR files (`docs/decisions/0001-use-markdown-architectural-decision-records.md`):

```text
---
status: accepted
date: 2026-01-01
decision-makers: alice, bob
---
# Use Markdown Architectural Decision Records

## Context and Problem Statement
## Considered Options
* MADR
## Decision Outcome
Chosen option: "MADR", because …
### Consequences
## Pros and Cons of the Options
### MADR
* Good, because …
* Bad, because …
```

The metadata may also be MADR 2's `* Status: accepted` lines. `deciders` and
`decision-makers` are the deciders, `consulted` the agents asked for input. A superseded ADR
says so in its status (`superseded by [ADR-0005](0005-x.md)`); MADR has no line for what an
ADR supersedes, so that link is kept on the superseding ADR's record only.
*/

use super::shared::{self, Content, Parsed, chosen, chosen_line, option_blocks};
use crate::model::adr::body::{self, Part, meta_list, section_text};
use crate::model::adr::render::LinkData;
use crate::model::adr::{Adr, AdrStatus};

pub(super) fn read(p: &mut Parsed) {
    let text = p.text.clone();
    let meta = body::metadata(&text);
    let get = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let (_, rest) = body::split_yaml(&text);
    p.title = shared::title_line(rest).unwrap_or_default().to_owned();
    p.date = get("date").and_then(shared::parse_date);
    p.status = match get("status") {
        None => {
            p.warnings.push(format!(
                "{}: it has no status; imported as accepted",
                p.file
            ));
            AdrStatus::Accepted
        }
        Some(s) if s.to_ascii_lowercase().starts_with("superseded by") => {
            p.superseded_by.extend(shared::link_number(s));
            AdrStatus::Superseded
        }
        Some(s) => shared::status_word(s).unwrap_or_else(|| {
            p.warnings.push(format!(
                "{}: unknown status {s:?}; imported as proposed",
                p.file
            ));
            AdrStatus::Proposed
        }),
    };
    let deciders = meta_list(get("decision-makers").or(get("deciders")).unwrap_or(""));
    p.deciders = shared::agent_list(p, "decider", &deciders);
    let consulted = meta_list(get("consulted").unwrap_or(""));
    p.input_from = shared::agent_list(p, "consulted", &consulted);
    p.decision = section_text(&text, "Decision Outcome").and_then(chosen);
}

/// The status value: the status word, or `superseded by [ADR-0005](0005-x.md)`.
fn status_value(adr: &Adr, superseded_by: &[LinkData]) -> String {
    match superseded_by.first() {
        Some(l) if adr.status == AdrStatus::Superseded => {
            format!("superseded by [{}]({})", l.id, l.file)
        }
        _ => adr.status.as_str().to_owned(),
    }
}

fn has_details(adr: &Adr) -> bool {
    adr.options
        .iter()
        .any(|o| !o.pros.is_empty() || !o.cons.is_empty() || o.effort.is_some())
}

fn option_list(adr: &Adr) -> String {
    adr.options
        .iter()
        .map(|o| format!("* {}", o.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The parts of a MADR body that writes regenerate.
pub(super) fn parts(adr: &Adr, superseded_by: &[LinkData]) -> Vec<Part> {
    let mut parts = vec![Part::Meta {
        key: "status".to_owned(),
        value: status_value(adr, superseded_by),
    }];
    if let Some(d) = &adr.decision {
        parts.push(Part::Paragraph {
            heading: "Decision Outcome".to_owned(),
            prefix: "Chosen option:".to_owned(),
            text: chosen_line(d),
        });
    }
    if !adr.options.is_empty() {
        parts.push(Part::Section {
            heading: "Considered Options".to_owned(),
            text: option_list(adr),
            owned: None,
        });
    }
    if has_details(adr) {
        parts.push(Part::Section {
            heading: "Pros and Cons of the Options".to_owned(),
            text: option_blocks(&adr.options),
            owned: None,
        });
    }
    parts
}

/// An ADR written in another format, as a MADR file.
pub(super) fn convert(adr: &Adr, content: &Content, superseded_by: &[LinkData]) -> String {
    let names =
        |v: &[crate::model::AgentId]| v.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ");
    let mut out = format!(
        "---\nstatus: {}\ndate: {}\n",
        status_value(adr, superseded_by),
        &adr.created.to_string()[..10]
    );
    if !adr.deciders.is_empty() {
        out.push_str(&format!("decision-makers: {}\n", names(&adr.deciders)));
    }
    if !adr.input_from.is_empty() {
        out.push_str(&format!("consulted: {}\n", names(&adr.input_from)));
    }
    out.push_str(&format!("---\n\n# {}\n", adr.title));
    let mut section = |heading: &str, text: &str| {
        out.push_str(&format!("\n## {heading}\n\n{}\n", text.trim()));
    };
    section(
        "Context and Problem Statement",
        content.context.as_deref().unwrap_or(""),
    );
    if !adr.options.is_empty() {
        section("Considered Options", &option_list(adr));
    }
    let mut outcome = content.decision(adr);
    if let Some(c) = &content.consequences {
        outcome.push_str(&format!("\n\n### Consequences\n\n{}", c.trim()));
    }
    section("Decision Outcome", &outcome);
    if has_details(adr) {
        section("Pros and Cons of the Options", &option_blocks(&adr.options));
    }
    for (heading, text) in &content.others {
        section(heading, text);
    }
    out
}
