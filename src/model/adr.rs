/*!
The architecture decision record (`adrs/NNNN-slug.md`): a numbered decision with its status,
the options considered (pros, cons, effort), the decision taken and what it supersedes.

The front matter is the structured truth; the markdown body is the readable document (Status,
Context, Decision, Consequences, Alternatives, Review date), rendered from a template when the
ADR is created ([`render`]), or the original text of an imported adr-tools or MADR file.
[`body`] edits the parts of a body that writes regenerate. An ADR stores only what it
supersedes: "superseded by" is derived from the other records, so two files never need the
same edit (DESIGN.md §7).

ADRs keep the human numbering people expect (`ADR-0007`), allocated on one repository, so the
number is part of the file name and the record.
*/

pub mod body;
mod edit;
mod number;
pub mod render;
mod rules;
mod tables;

pub use edit::AdrEdit;
pub use number::{
    ADRS_DIR, AdrNumber, AdrNumberError, MAX_SLUG, adr_path, file_name, slug, valid_slug,
};
pub use rules::Refusal;
use tables::{
    agents, number_list, numbers, read_decision, read_options, write_decision, write_options,
};

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::id::AgentId;
use super::record::{self, FieldValue, Fields, Origin, RecordError};
use super::task::InvalidField;
use super::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdrStatus {
    Proposed,
    Accepted,
    Rejected,
    Deprecated,
    Superseded,
}

impl AdrStatus {
    pub const ALL: [AdrStatus; 5] = [
        AdrStatus::Proposed,
        AdrStatus::Accepted,
        AdrStatus::Rejected,
        AdrStatus::Deprecated,
        AdrStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdrStatus::Proposed => "proposed",
            AdrStatus::Accepted => "accepted",
            AdrStatus::Rejected => "rejected",
            AdrStatus::Deprecated => "deprecated",
            AdrStatus::Superseded => "superseded",
        }
    }
}

impl fmt::Display for AdrStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AdrStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<AdrStatus, String> {
        AdrStatus::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown ADR status {s:?}: use proposed, accepted, rejected, deprecated or superseded"
                )
            })
    }
}

/// The markdown dialect of an ADR's body, which decides how writes refresh it and what
/// `adr export` writes by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BodyFormat {
    /// Rendered from `templates/adr.md` by git coord.
    #[default]
    Coord,
    /// The original text of an adr-tools (Michael Nygard's format) file.
    AdrTools,
    /// The original text of a MADR file.
    Madr,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Coord => "coord",
            BodyFormat::AdrTools => "adr-tools",
            BodyFormat::Madr => "madr",
        }
    }
}

impl FromStr for BodyFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<BodyFormat, String> {
        match s {
            "coord" => Ok(BodyFormat::Coord),
            "adr-tools" => Ok(BodyFormat::AdrTools),
            "madr" => Ok(BodyFormat::Madr),
            _ => Err(format!("unknown ADR format {s:?}: use adr-tools or madr")),
        }
    }
}

/// One option considered for a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdrOption {
    pub name: String,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub effort: Option<String>,
}

/// The decision taken: the option chosen, why, by whom and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub option: String,
    pub rationale: String,
    /// The agent who recorded it; `None` for a decision imported from another tool.
    pub by: Option<AgentId>,
    pub at: Timestamp,
}

/// The values a record's tables had when it was read, to rewrite only what changed.
#[derive(Clone, Debug)]
struct Source {
    origin: Origin,
    options: Vec<AdrOption>,
    decision: Option<Decision>,
}

/// One ADR, as stored in its record file.
#[derive(Clone, Debug, Serialize)]
pub struct Adr {
    pub number: AdrNumber,
    pub title: String,
    pub status: AdrStatus,
    pub deciders: Vec<AgentId>,
    pub input_from: Vec<AgentId>,
    pub deadline: Option<Timestamp>,
    pub review_date: Option<Timestamp>,
    pub options: Vec<AdrOption>,
    pub decision: Option<Decision>,
    pub supersedes: Vec<AdrNumber>,
    pub format: BodyFormat,
    /// The agent who proposed it (`adr new`); `None` for an ADR imported from another tool or
    /// written before git coord recorded it. With no `deciders`, a settled ADR is its
    /// proposer's to change (ADR 0010's amendment).
    pub proposed_by: Option<AgentId>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub body: String,
    /// The file-name slug (`use-redis` in `adrs/0007-use-redis.md`).
    #[serde(skip)]
    pub slug: String,
    #[serde(skip)]
    source: Option<Source>,
}

/// What a new ADR is made of (its body is rendered by the caller).
#[derive(Clone, Debug, Default)]
pub struct NewAdr {
    pub title: String,
    pub context: Option<String>,
    pub deciders: Vec<AgentId>,
    pub input_from: Vec<AgentId>,
    pub deadline: Option<Timestamp>,
    pub review_date: Option<Timestamp>,
    /// The agent proposing it.
    pub proposed_by: Option<AgentId>,
}

/// Validates one line of text a field holds: non-empty, no control characters, bounded.
pub fn validate_line(field: &'static str, s: &str, max: usize) -> Result<String, InvalidField> {
    let invalid = |message: String| InvalidField { field, message };
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid(format!("the {field} must not be empty")));
    }
    if t.chars().any(char::is_control) {
        return Err(invalid(format!(
            "the {field} is one line of text; put details in the ADR's body"
        )));
    }
    if t.chars().count() > max {
        return Err(invalid(format!(
            "the {field} is at most {max} characters; put details in the ADR's body"
        )));
    }
    Ok(t.to_owned())
}

/// Validates free text (a rationale, a context): non-empty, no control characters but
/// newlines and tabs.
pub fn validate_text(field: &'static str, s: &str) -> Result<String, InvalidField> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InvalidField {
            field,
            message: format!("the {field} must be non-empty text without control characters"),
        });
    }
    Ok(t.replace("\r\n", "\n"))
}

impl Adr {
    /// A new proposed ADR from validated input, with an empty body for the caller to render.
    pub fn new(number: AdrNumber, new: &NewAdr, now: Timestamp) -> Result<Adr, InvalidField> {
        let title = validate_line("title", &new.title, 200)?;
        Ok(Adr {
            number,
            slug: slug(&title),
            title,
            status: AdrStatus::Proposed,
            deciders: dedup(&new.deciders),
            input_from: dedup(&new.input_from),
            deadline: new.deadline,
            review_date: new.review_date,
            options: Vec::new(),
            decision: None,
            supersedes: Vec::new(),
            format: BodyFormat::Coord,
            proposed_by: new.proposed_by.clone(),
            created: now,
            updated: now,
            body: String::new(),
            source: None,
        })
    }

    /// Its path on the coordination branch.
    pub fn path(&self) -> String {
        adr_path(self.number, &self.slug)
    }

    pub fn file_name(&self) -> String {
        file_name(self.number, &self.slug)
    }

    /// Parses an ADR record file at `path` (`adrs/0007-slug.md`), checking that the number in
    /// the file name is the one in the record.
    pub fn parse(path: &str, text: &str) -> Result<Adr, RecordError> {
        let bad_name = || RecordError {
            path: path.to_owned(),
            line: None,
            message: "an ADR file is named NNNN-slug.md (a number, then lowercase a-z, 0-9 and -)"
                .to_owned(),
        };
        let (number, slug) = AdrNumber::from_file_name(path).ok_or_else(bad_name)?;
        if !valid_slug(slug) {
            return Err(bad_name());
        }
        let (mut adr, record) = record::parse_markdown(path, text, Adr::from_fields)?;
        if adr.number != number {
            return Err(RecordError {
                path: path.to_owned(),
                line: None,
                message: format!(
                    "its number {} does not match its file name; the record belongs at {}",
                    adr.number,
                    adr_path(adr.number, slug)
                ),
            });
        }
        adr.slug = slug.to_owned();
        adr.body = record.body.clone();
        adr.source = Some(Source {
            origin: Origin {
                fields: adr.fields(),
                record,
            },
            options: adr.options.clone(),
            decision: adr.decision.clone(),
        });
        Ok(adr)
    }

    fn from_fields(f: &Fields<'_>) -> Result<Adr, RecordError> {
        let number = f
            .opt_int("number")?
            .ok_or_else(|| f.invalid("number", "the required field `number` is missing"))?;
        let number = u32::try_from(number)
            .ok()
            .and_then(AdrNumber::new)
            .ok_or_else(|| f.invalid("number", "`number` must be between 0 and 999999"))?;
        let status = f
            .str("status")?
            .parse()
            .map_err(|e: String| f.invalid("status", e))?;
        let format = match f.opt_str("format")? {
            None => BodyFormat::Coord,
            Some(s) => s.parse().map_err(|e: String| f.invalid("format", e))?,
        };
        Ok(Adr {
            number,
            title: f.str("title")?,
            status,
            deciders: agents(f, "deciders")?,
            input_from: agents(f, "input_from")?,
            deadline: f.opt_timestamp("deadline")?,
            review_date: f.opt_timestamp("review_date")?,
            options: read_options(f)?,
            decision: read_decision(f)?,
            supersedes: numbers(f, "supersedes")?,
            format,
            proposed_by: f.opt_agent("proposed_by")?,
            created: f.timestamp("created")?,
            updated: f.timestamp("updated")?,
            body: String::new(),
            slug: String::new(),
            source: None,
        })
    }

    /// Every plain field as the record stores it, in the order a new record lists them.
    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("number", integer(i64::from(self.number.get()))),
            ("title", string(&self.title)),
            ("status", string(self.status.as_str())),
            ("deciders", list(&names(&self.deciders))),
            ("input_from", list(&names(&self.input_from))),
            ("deadline", opt_timestamp(self.deadline)),
            ("review_date", opt_timestamp(self.review_date)),
            ("supersedes", number_list(&self.supersedes)),
            (
                "format",
                opt_string((self.format != BodyFormat::Coord).then(|| self.format.as_str())),
            ),
            (
                "proposed_by",
                opt_string(self.proposed_by.as_ref().map(AgentId::as_str)),
            ),
            ("created", timestamp(self.created)),
            ("updated", timestamp(self.updated)),
        ]
    }

    /// The record file's text: the original file with only the changed fields rewritten.
    pub fn to_text(&self) -> String {
        let origin = self.source.as_ref().map(|s| &s.origin);
        let mut doc = record::rewrite(origin, &self.fields());
        let (options, decision) = match &self.source {
            Some(s) => (Some(s.options.as_slice()), Some(&s.decision)),
            None => (None, None),
        };
        write_options(&mut doc, options, &self.options);
        write_decision(&mut doc, decision, &self.decision);
        record::render_markdown(&doc, &self.body)
    }

    /// The option named `name`, exactly or else ignoring case.
    pub fn find_option(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.options
            .iter()
            .position(|o| o.name == name)
            .or_else(|| {
                let mut matches = self
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.name.eq_ignore_ascii_case(name));
                match (matches.next(), matches.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
    }
}

fn names(agents: &[AgentId]) -> Vec<&str> {
    agents.iter().map(AgentId::as_str).collect()
}

fn dedup(agents: &[AgentId]) -> Vec<AgentId> {
    let mut out: Vec<AgentId> = Vec::with_capacity(agents.len());
    for a in agents {
        if !out.contains(a) {
            out.push(a.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests;
