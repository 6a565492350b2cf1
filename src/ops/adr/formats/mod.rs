/*!
The ADR formats of other tools, adr-tools ([`adr_tools`]) and MADR ([`madr`]): telling them
apart, reading a file of either, the parts of a body in either that writes regenerate, and
writing an ADR as a file of either. This module only dispatches on the format; each format's
file depends on nothing but [`shared`] and the model, so adding a format is adding a file.

Reading is a pure function of a file's name and text; anything that cannot be mapped to a
field stays in the text, which is kept whole, and is reported as a warning.
*/

mod adr_tools;
mod madr;
mod shared;

pub use shared::{Content, Parsed};

use crate::model::adr::body::{Part, section_text};
use crate::model::adr::render::LinkData;
use crate::model::adr::{Adr, AdrNumber, AdrStatus, BodyFormat, valid_slug};

/// The format of a file: MADR when it has YAML front matter or MADR's headings, adr-tools
/// when its title is numbered (`# 1. Title`) or it has a `## Status` section.
pub fn detect(text: &str) -> Option<BodyFormat> {
    if text.trim_start_matches('\u{feff}').starts_with("---") {
        return Some(BodyFormat::Madr);
    }
    let madr = [
        "Context and Problem Statement",
        "Decision Outcome",
        "Considered Options",
    ];
    if madr.iter().any(|h| section_text(text, h).is_some()) {
        return Some(BodyFormat::Madr);
    }
    let numbered = shared::title_line(text).is_some_and(|t| shared::split_number(t).0.is_some());
    if numbered || section_text(text, "Status").is_some() {
        return Some(BodyFormat::AdrTools);
    }
    None
}

/// Reads one file named `file` (`0001-title.md`).
pub fn parse(file: &str, text: &str) -> Result<Parsed, String> {
    let (number, slug) = AdrNumber::from_file_name(file)
        .ok_or("its name is not NNNN-title.md, so it has no ADR number")?;
    let format = detect(text).ok_or(
        "it is neither an adr-tools file (`# 1. Title`, `## Status`) nor a MADR file (YAML front matter, `## Context and Problem Statement`, `## Decision Outcome`)",
    )?;
    let mut parsed = Parsed {
        file: file.to_owned(),
        number,
        slug: valid_slug(slug).then(|| slug.to_owned()),
        title: String::new(),
        status: AdrStatus::Accepted,
        date: None,
        deciders: Vec::new(),
        input_from: Vec::new(),
        options: shared::options_from(text),
        decision: None,
        supersedes: Vec::new(),
        superseded_by: Vec::new(),
        format,
        text: text.to_owned(),
        warnings: Vec::new(),
    };
    match format {
        BodyFormat::Madr => madr::read(&mut parsed),
        _ => adr_tools::read(&mut parsed),
    }
    if parsed.title.is_empty() {
        return Err("it has no `# Title` line".to_owned());
    }
    if let Some((option, _)) = &parsed.decision
        && !parsed.options.iter().any(|o| &o.name == option)
    {
        parsed.options.push(shared::bare_option(option));
    }
    Ok(parsed)
}

/// The parts of a foreign-format body that writes regenerate: its `# ` title line (both
/// formats title the document with one: `# 7. Title` and `# Title`), then the format's own.
/// git coord's own bodies are rendered from the template instead
/// ([`super::AdrSet::parts`]); asked for one, this gives adr-tools' parts.
pub fn parts(adr: &Adr, supersedes: &[LinkData], superseded_by: &[LinkData]) -> Vec<Part> {
    let (title, rest) = match adr.format {
        BodyFormat::Madr => (adr.title.clone(), madr::parts(adr, superseded_by)),
        _ => (
            format!("{}. {}", adr.number.get(), adr.title),
            adr_tools::parts(adr, supersedes, superseded_by),
        ),
    };
    std::iter::once(Part::Title { text: title })
        .chain(rest)
        .collect()
}

/// An ADR written in another format, as a file of `format` (adr-tools unless MADR), rebuilt
/// from its fields and `content`, the sections of its body.
pub fn convert(
    adr: &Adr,
    format: BodyFormat,
    content: &Content,
    supersedes: &[LinkData],
    superseded_by: &[LinkData],
) -> String {
    match format {
        BodyFormat::Madr => madr::convert(adr, content, superseded_by),
        _ => adr_tools::convert(adr, content, supersedes, superseded_by),
    }
}
