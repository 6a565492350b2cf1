/*!
What an ADR shows of the others: [`AdrSet`] holds every ADR of a snapshot, from which
"superseded by" and the titles of linked ADRs are derived ([`AdrView`] is an ADR with them).
[`AdrSet::parts`] gives the parts of a body that writes regenerate, in the body's own format:
its `# ` title line and its generated sections (git coord's from the [`Template`], adr-tools'
and MADR's from [`super::formats`]).
*/

use std::collections::BTreeMap;

use super::formats;
use super::template::Template;
use crate::model::adr::body::{self, Part};
use crate::model::adr::render::{AdrData, GENERATED, LinkData};
use crate::model::adr::{Adr, AdrNumber, BodyFormat};
use crate::ops::OpError;

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
        if adr.format != BodyFormat::Coord {
            let supersedes = self.links(&adr.supersedes);
            let superseded_by = self.links(&self.superseded_by(adr.number));
            return Ok(formats::parts(adr, &supersedes, &superseded_by));
        }
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
        Ok(title.into_iter().chain(sections).collect())
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
