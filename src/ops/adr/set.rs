/*!
What rendering an ADR needs besides the ADR itself: the template (the project's override or
the built-in one) and the other ADRs of the snapshot, from which "superseded by" and the
titles of linked ADRs are derived. [`AdrSet::parts`] gives the parts of a body that writes
regenerate, in the body's own format: its `# ` title line and its generated sections.
*/

use std::collections::BTreeMap;
use std::path::Path;

use super::{adr_tools, madr};
use crate::model::adr::body::{self, Part};
use crate::model::adr::{Adr, AdrNumber, BodyFormat};
use crate::ops::OpError;
use crate::report::adr::{self as render, AdrData, GENERATED, LinkData};

/// Where a project overrides the ADR template, relative to its worktree root.
pub const TEMPLATE_OVERRIDE: &str = ".coord/templates/adr.md";

/// The template new ADR bodies are rendered from, and where it came from.
#[derive(Clone, Debug)]
pub struct Template {
    pub text: String,
    pub path: &'static str,
}

/// The project's `.coord/templates/adr.md` when the worktree has one, else the built-in one.
pub fn template(worktree: Option<&Path>) -> Template {
    let custom = worktree
        .map(|w| w.join(TEMPLATE_OVERRIDE))
        .and_then(|p| std::fs::read_to_string(p).ok());
    match custom {
        Some(text) => Template {
            text,
            path: TEMPLATE_OVERRIDE,
        },
        None => Template {
            text: render::DEFAULT_TEMPLATE.to_owned(),
            path: "templates/adr.md",
        },
    }
}

impl Template {
    pub(super) fn render(&self, data: &AdrData) -> Result<String, OpError> {
        render::render(&self.text, data).map_err(|e| OpError::Template {
            path: self.path.to_owned(),
            message: e.to_string(),
        })
    }
}

/// All the ADRs of one snapshot, for deriving links.
#[derive(Clone, Debug, Default)]
pub struct AdrSet {
    by_number: BTreeMap<AdrNumber, Adr>,
}

impl AdrSet {
    pub fn new(adrs: Vec<Adr>) -> AdrSet {
        AdrSet {
            by_number: adrs.into_iter().map(|a| (a.number, a)).collect(),
        }
    }

    pub fn get(&self, number: AdrNumber) -> Option<&Adr> {
        self.by_number.get(&number)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Adr> {
        self.by_number.values()
    }

    pub(super) fn put(&mut self, adr: Adr) {
        self.by_number.insert(adr.number, adr);
    }

    /// The ADRs that list `number` in their `supersedes`, by number.
    pub fn superseded_by(&self, number: AdrNumber) -> Vec<AdrNumber> {
        self.iter()
            .filter(|a| a.supersedes.contains(&number))
            .map(|a| a.number)
            .collect()
    }

    /// Links to `numbers`, titled from this set (an ADR that is not in it links by number).
    pub fn links(&self, numbers: &[AdrNumber]) -> Vec<LinkData> {
        numbers
            .iter()
            .map(|&n| match self.get(n) {
                Some(a) => LinkData::new(n, &a.title, &a.file_name()),
                None => LinkData::new(n, &n.to_string(), &format!("{}.md", n.padded())),
            })
            .collect()
    }

    /// The template data of `adr` in this set.
    pub(super) fn data(&self, adr: &Adr, context: Option<&str>) -> AdrData {
        AdrData::new(
            adr,
            context,
            self.links(&adr.supersedes),
            self.links(&self.superseded_by(adr.number)),
        )
    }

    /// The parts of `adr`'s body that writes regenerate, as they render in this set.
    pub(super) fn parts(&self, adr: &Adr, template: &Template) -> Result<Vec<Part>, OpError> {
        let supersedes = self.links(&adr.supersedes);
        let superseded_by = self.links(&self.superseded_by(adr.number));
        let mut parts = match adr.format {
            BodyFormat::Coord => {
                let text = template.render(&self.data(adr, None))?;
                let title = body::title_line(&text).map(|(start, end)| Part::Title {
                    text: text[start + 2..end].to_owned(),
                });
                let sections = GENERATED.iter().filter_map(|h| {
                    body::section_text(&text, h).map(|t| Part::Section {
                        heading: (*h).to_owned(),
                        text: t.to_owned(),
                        owned: None,
                    })
                });
                return Ok(title.into_iter().chain(sections).collect());
            }
            BodyFormat::AdrTools => adr_tools::parts(adr, &supersedes, &superseded_by),
            BodyFormat::Madr => madr::parts(adr, &superseded_by),
        };
        // Both formats title the document with a `# ` line: `# 7. Title` and `# Title`.
        let title = match adr.format {
            BodyFormat::AdrTools => format!("{}. {}", adr.number.get(), adr.title),
            _ => adr.title.clone(),
        };
        parts.insert(0, Part::Title { text: title });
        Ok(parts)
    }
}

/// An ADR with what is derived about it from the others.
#[derive(Clone, Debug)]
pub struct AdrView {
    pub adr: Adr,
    pub superseded_by: Vec<AdrNumber>,
}

impl AdrSet {
    pub fn view(&self, adr: &Adr) -> AdrView {
        AdrView {
            superseded_by: self.superseded_by(adr.number),
            adr: adr.clone(),
        }
    }
}
