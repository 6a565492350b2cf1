/*!
The merge of one record file changed on both sides: parse the three versions, pick the primary
(the later side), merge the fields into the primary's document, merge the bodies as text, and
record what was set aside.

Parsing reuses `model::record`: markdown with `+++` TOML front matter, or plain TOML. Only the
syntax is checked here: a record whose fields a command would refuse still merges field by
field, and the command that reads it reports it as it would have before the sync. A version
that does not parse at all is never merged ([`Unparsable`]); the caller keeps one version whole.
*/

use std::cmp::Ordering;

use toml_edit::DocumentMut;

use super::conflict::{Created, Note, Value};
use super::fields::{self, Loss, Pick, Rules};
use super::hlc::Stamp;
use super::text;
use crate::model::Timestamp;
use crate::model::record;

/// How a record file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `+++` TOML front matter, then a markdown body.
    Markdown,
    /// Plain TOML (`agents/<id>.toml`).
    Toml,
}

/// How one kind of record merges.
#[derive(Clone, Debug)]
pub struct Policy {
    pub format: Format,
    /// The fields holding the record's clock, first present wins (`updated`, `last_seen`).
    pub clock: &'static [&'static str],
    /// Fields naming the agent behind a side's version (a task's `assignee`), for the
    /// conflict record; the first present on each side names it.
    pub agent_fields: &'static [&'static str],
    /// The agent behind both sides when the record has a single writer (its own file).
    pub writer: Option<String>,
    /// Whether a value set aside is recorded: a single-writer record takes the later side's
    /// values silently.
    pub record_conflicts: bool,
}

/// How records without rules of their own merge (conflicts, risks, milestones, ADRs): by the
/// later `updated`, naming the agent who opened, proposed or owns it where the record says.
pub const GENERIC: Policy = Policy {
    format: Format::Markdown,
    clock: &["updated"],
    agent_fields: &["opened_by", "proposed_by", "owner", "from", "assignee"],
    writer: None,
    record_conflicts: true,
};

/// Which input a forced field follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    A,
    B,
}

/// A version that is not a record at all (no front matter, bad TOML).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unparsable;

/// One parsed version.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub doc: DocumentMut,
    pub body: String,
}

pub fn parse(path: &str, text: &str, format: Format) -> Option<Parsed> {
    let parsed = match format {
        Format::Markdown => record::parse_markdown(path, text, |_| Ok(())),
        Format::Toml => record::parse_toml(path, text, |_| Ok(())),
    };
    parsed.ok().map(|((), r)| Parsed {
        doc: r.doc,
        body: r.body,
    })
}

impl Parsed {
    /// The record's clock: the first of `keys` holding a time.
    pub fn clock(&self, keys: &[&str]) -> Option<Timestamp> {
        keys.iter().find_map(|k| {
            let v = self.doc.get(k)?.as_value()?;
            let text = v
                .as_datetime()
                .map(|d| d.to_string())
                .or_else(|| v.as_str().map(str::to_owned))?;
            Timestamp::parse_rfc3339(&text)
        })
    }

    /// The first of `keys` holding a string.
    pub fn str_field(&self, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| self.doc.get(k)?.as_str().map(str::to_owned))
    }

    fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => record::render_markdown(&self.doc, &self.body),
            Format::Toml => self.doc.to_string(),
        }
    }
}

/// Merges `a` and `b` (both changed from `base`) field by field. `forced` names fields that
/// follow one input whatever the other did; their other values are the caller's to record.
pub fn merge(
    path: &str,
    base: Option<&str>,
    a: &str,
    b: &str,
    policy: &Policy,
    forced: &[(&str, Input)],
    created: &mut Created,
) -> Result<String, Unparsable> {
    let pa = parse(path, a, policy.format).ok_or(Unparsable)?;
    let pb = parse(path, b, policy.format).ok_or(Unparsable)?;
    let pbase = base.and_then(|t| parse(path, t, policy.format));
    let stamp = |p: &Parsed| Stamp {
        wall: p.clock(policy.clock),
        agent: policy.writer.clone(),
    };
    let (sa, sb) = (stamp(&pa), stamp(&pb));
    let a_primary = sa.cmp_values(a, &sb, b) == Ordering::Greater;
    let (p, s, sp, ss) = if a_primary {
        (&pa, &pb, &sa, &sb)
    } else {
        (&pb, &pa, &sb, &sa)
    };
    let rules = Rules {
        clocks: policy.clock.to_vec(),
        forced: forced
            .iter()
            .map(|(k, input)| {
                let pick = if (*input == Input::A) == a_primary {
                    Pick::Primary
                } else {
                    Pick::Secondary
                };
                ((*k).to_owned(), pick)
            })
            .collect(),
    };
    let mut out = p.clone();
    let mut losses: Vec<Loss> = Vec::new();
    fields::merge_tables(
        pbase.as_ref().map(|b| b.doc.as_table()),
        p.doc.as_table(),
        s.doc.as_table(),
        (sp, ss),
        &rules,
        "",
        out.doc.as_table_mut(),
        &mut losses,
    );
    let base_body = pbase.as_ref().map_or("", |b| b.body.as_str());
    let body = text::merge3(base_body, &pa.body, &pb.body, &|x, y| {
        sa.cmp_values(x, &sb, y) == Ordering::Greater
    });
    out.body = body.text;
    let at = sp.wall.max(ss.wall);
    let side_agent = |x: &Parsed| {
        policy
            .writer
            .clone()
            .or_else(|| x.str_field(policy.agent_fields))
    };
    let (agent_p, agent_s) = (side_agent(p), side_agent(s));
    if policy.record_conflicts {
        for loss in losses {
            let (kept_agent, other_agent) = if loss.primary_kept {
                (&agent_p, &agent_s)
            } else {
                (&agent_s, &agent_p)
            };
            created.record(Note {
                path: path.to_owned(),
                title: format!("sync: `{}` of {path} changed on both sides", loss.field),
                agents: kept_agent.iter().chain(other_agent).cloned().collect(),
                about: Vec::new(),
                at,
                explanation: format!(
                    "Both sides of a sync changed `{}` of {path}. The later edit{} is kept and \
                     the other value{} is set aside here. If the set-aside value should stand, \
                     edit the record, then resolve this conflict.",
                    loss.field,
                    by(kept_agent),
                    by(other_agent),
                ),
                values: vec![Value {
                    field: Some(loss.field),
                    kept: loss.kept,
                    set_aside: loss.set_aside,
                }],
            });
        }
        if !body.overlaps.is_empty() {
            let values = body.overlaps.into_iter().map(Value::from).collect();
            created.record(Note {
                path: path.to_owned(),
                title: format!("sync: the text of {path} changed on both sides"),
                agents: agent_p.iter().chain(&agent_s).cloned().collect(),
                about: Vec::new(),
                at,
                explanation: format!(
                    "Both sides of a sync changed the same lines of the text of {path}. For each \
                     place, the later edit's lines are kept and the other side's are set aside \
                     here. Bring back what should stay by hand, then resolve this conflict."
                ),
                values,
            });
        }
    }
    Ok(out.render(policy.format))
}

fn by(agent: &Option<String>) -> String {
    agent
        .as_deref()
        .map(|a| format!(" (by {a})"))
        .unwrap_or_default()
}

/// The version kept whole when `a` and `b` cannot be merged: the later by its clock where it
/// has one (a version that parses beats one that does not), else the byte-greater.
pub fn later_whole<'t>(path: &str, a: &'t str, b: &'t str, policy: &Policy) -> (&'t str, &'t str) {
    let stamp = |t: &str| Stamp {
        wall: parse(path, t, policy.format).and_then(|p| p.clock(policy.clock)),
        agent: None,
    };
    let (sa, sb) = (stamp(a), stamp(b));
    // A version that parses wins over one that does not, whatever the clocks say.
    let parses = |t: &str| parse(path, t, policy.format).is_some();
    let order = parses(a)
        .cmp(&parses(b))
        .then_with(|| sa.cmp_values(a, &sb, b));
    if order == Ordering::Greater {
        (a, b)
    } else {
        (b, a)
    }
}
