/*!
adr-tools files (Michael Nygard's format, `doc/adr/0001-record-architecture-decisions.md`):

```text
# 1. Record architecture decisions

Date: 2026-01-01

## Status

Accepted

Supersedes [1. Use MySQL](0001-use-mysql.md)

## Context
…
## Decision
…
## Consequences
…
```

The status section holds the status word and the supersede links; adr-tools' other links
(`Amended by …`) are kept as they are. A decision is read from, and written as, a
`Chosen option: "X", because …` paragraph at the top of the Decision section.
*/

use super::shared::{self, Content, Parsed, chosen, chosen_line, option_blocks};
use crate::model::adr::body::{Part, section_text};
use crate::model::adr::render::LinkData;
use crate::model::adr::{Adr, AdrStatus};

/// The lines of the status section git coord owns; other lines there are kept.
const OWNED: &[&str] = &[
    "proposed",
    "accepted",
    "rejected",
    "deprecated",
    "superseded",
    "supersedes",
];

pub(super) fn read(p: &mut Parsed) {
    let text = p.text.clone();
    let heading = shared::title_line(&text).unwrap_or_default();
    let (number, title) = shared::split_number(heading);
    p.title = title.to_owned();
    if let Some(n) = number
        && n != p.number
    {
        p.warnings.push(format!(
            "{}: its title says {} but its file name {}; the file name wins",
            p.file, n, p.number
        ));
    }
    p.date = text
        .lines()
        .find_map(|l| l.strip_prefix("Date:"))
        .and_then(shared::parse_date);
    let mut word = None;
    match section_text(&text, "Status") {
        None => p.warnings.push(format!(
            "{}: it has no `## Status` section; imported as accepted",
            p.file
        )),
        Some(status) => {
            for line in status.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("superseded by") {
                    p.superseded_by.extend(shared::link_number(line));
                } else if lower.starts_with("supersedes") {
                    p.supersedes.extend(shared::link_number(line));
                } else if word.is_none() {
                    word = shared::status_word(line);
                    if word.is_none() && !line.contains("](") {
                        p.warnings.push(format!(
                            "{}: unknown status {line:?}; imported as proposed",
                            p.file
                        ));
                        word = Some(AdrStatus::Proposed);
                    }
                }
            }
        }
    }
    p.status = if p.superseded_by.is_empty() {
        word.unwrap_or(AdrStatus::Accepted)
    } else {
        AdrStatus::Superseded
    };
    p.decision = section_text(&text, "Decision").and_then(chosen);
}

fn link(l: &LinkData) -> String {
    format!("[{}. {}]({})", l.number, l.title, l.file)
}

/// The status section's lines: the status word (or the ADRs that supersede this one), then
/// the ADRs it supersedes.
fn status_text(adr: &Adr, supersedes: &[LinkData], superseded_by: &[LinkData]) -> String {
    let mut lines = Vec::new();
    if adr.status == AdrStatus::Superseded && !superseded_by.is_empty() {
        lines.extend(
            superseded_by
                .iter()
                .map(|l| format!("Superseded by {}", link(l))),
        );
    } else {
        let word = adr.status.as_str();
        lines.push(format!("{}{}", word[..1].to_ascii_uppercase(), &word[1..]));
    }
    lines.extend(supersedes.iter().map(|l| format!("Supersedes {}", link(l))));
    lines.join("\n\n")
}

/// The parts of an adr-tools body that writes regenerate.
pub(super) fn parts(adr: &Adr, supersedes: &[LinkData], superseded_by: &[LinkData]) -> Vec<Part> {
    let mut parts = vec![Part::Section {
        heading: "Status".to_owned(),
        text: status_text(adr, supersedes, superseded_by),
        owned: Some(OWNED),
    }];
    if let Some(d) = &adr.decision {
        parts.push(Part::Paragraph {
            heading: "Decision".to_owned(),
            prefix: "Chosen option:".to_owned(),
            text: chosen_line(d),
        });
    }
    if !adr.options.is_empty() {
        parts.push(Part::Section {
            heading: "Alternatives".to_owned(),
            text: option_blocks(&adr.options),
            owned: None,
        });
    }
    parts
}

/// An ADR written in another format, as an adr-tools file.
pub(super) fn convert(
    adr: &Adr,
    content: &Content,
    supersedes: &[LinkData],
    superseded_by: &[LinkData],
) -> String {
    let mut out = format!(
        "# {}. {}\n\nDate: {}\n",
        adr.number.get(),
        adr.title,
        &adr.created.to_string()[..10]
    );
    let mut section = |heading: &str, text: &str| {
        out.push_str(&format!("\n## {heading}\n\n{}\n", text.trim()));
    };
    section("Status", &status_text(adr, supersedes, superseded_by));
    section("Context", content.context.as_deref().unwrap_or(""));
    section("Decision", &content.decision(adr));
    if let Some(c) = &content.consequences {
        section("Consequences", c);
    }
    if !adr.options.is_empty() {
        section("Alternatives", &option_blocks(&adr.options));
    }
    for (heading, text) in &content.others {
        section(heading, text);
    }
    out
}
