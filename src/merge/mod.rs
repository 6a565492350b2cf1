/*!
Three-way merge of the coordination branch (DESIGN §7): what `sync` does when both the local
and the remote branch moved since their merge base.

The merge is pure: it sees the three versions of every record file that changed on either
side and decides the content of each, plus the records the merge itself creates (a conflict
record for every value it had to set aside, a message to the loser of a double claim). It
knows nothing of git; `ops::sync` reads the versions from the store and commits the outcome
as a merge commit with both parents.

Two promises hold whichever side is "ours":
- **Determinism.** `merge(base, a, b)` and `merge(base, b, a)` give the same files, so clones
  that merge each other converge. Nothing here reads the clock or a random source: times and
  IDs of the records the merge creates derive from the inputs.
- **Nothing is dropped.** A value that loses is written into a conflict record naming both
  values, both agents and the record.

The dispatcher here decides each path; the rules live one job per module:

| module | job |
| --- | --- |
| [`hlc`] | which edit is later (the record's clock), the stable hash behind created IDs |
| [`fields`] | TOML fields three-way: lists as ordered sets, scalars to the later edit |
| [`text`] | bodies and plain files three-way by lines (`similar`) |
| [`record`] | one record changed on both sides: parse, fields, body, conflict records |
| [`conflict`] | the conflict records and messages the merge writes |
| [`claims`] | tasks, and a task claimed by two agents |
| [`agents`], [`messages`], [`scratchpads`], [`adrs`] | the other kinds with rules of their own |

Per path, when both sides changed it differently:
- a record deleted on one side and edited on the other is kept as edited, with a conflict record;
- a version that does not parse (no front matter, bad TOML) is never merged: the later version
  (a parsable one beats an unparsable one; else the byte-greater) is kept whole and the other
  goes verbatim into a conflict record;
- a file that is no record (the branch README) merges as text.
*/

use std::collections::{BTreeMap, BTreeSet};

pub mod adrs;
pub mod agents;
pub mod claims;
pub mod conflict;
pub mod fields;
pub mod hlc;
pub mod messages;
pub mod record;
pub mod scratchpads;
pub mod text;

use conflict::{Created, Note, Value};
use record::{Format, Policy, Unparsable};

use crate::model::layout;

/// The three versions of one file (`None`: absent on that side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileVersions {
    /// The path on the coordination branch (`tasks/4k/t-4kz9w2.md`).
    pub path: String,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

/// Facts about the whole trees that the changed files alone do not show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeFacts {
    /// Every ADR number in the base and in both sides' trees. A colliding ADR moves to one
    /// above the greatest number known; without these, only the changed files' numbers are.
    pub adr_numbers: BTreeSet<u32>,
}

/// One value the merge set aside, or one record it could not merge field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeConflict {
    /// The record file it is about.
    pub path: String,
    /// The field, or `None` for the whole record (delete vs edit, unparsable, body text).
    pub field: Option<String>,
    /// The value kept in the merged record, as written in the file (`None`: absent/deleted).
    pub kept: Option<String>,
    /// The value set aside (kept in the conflict record).
    pub set_aside: Option<String>,
    /// The conflict record the merge wrote for it (`conflicts/<id>.md`).
    pub record: String,
}

/// What the merge decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The content of every path the merge decides: each input path, plus the records the
    /// merge creates. `None` removes the path. Paths not listed keep the (identical) content
    /// they have on both sides.
    pub files: BTreeMap<String, Option<String>>,
    /// The paths merged field by field (changed on both sides), for the commit message.
    pub merged: Vec<String>,
    /// Every conflict recorded, for the commit message and the command's report.
    pub conflicts: Vec<MergeConflict>,
    /// Other things the merge did, one line each, for the commit message: a double claim
    /// settled (and the message sent), an ADR renumbered.
    pub notes: Vec<String>,
}

/// Merges every file changed on either side, knowing nothing of the trees beyond them.
///
/// `changes` holds one entry per path that differs between the base and either side; a path
/// changed on one side only takes that side, a path changed identically takes it, and a path
/// changed differently on both sides is merged record by record.
pub fn merge(changes: &[FileVersions]) -> MergeOutcome {
    merge_with(changes, &MergeFacts::default())
}

/// [`merge`], with facts about the whole trees (see [`MergeFacts`]).
pub fn merge_with(changes: &[FileVersions], facts: &MergeFacts) -> MergeOutcome {
    let mut outcome = MergeOutcome::default();
    let mut created = Created::default();
    let mut sorted = changes.to_vec();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let (changes, moves) = adrs::renumber(sorted, &facts.adr_numbers);
    outcome.notes.extend(moves);
    for change in &changes {
        let decided = if change.ours == change.theirs || change.theirs == change.base {
            change.ours.clone()
        } else if change.ours == change.base {
            change.theirs.clone()
        } else {
            outcome.merged.push(change.path.clone());
            both_changed(change, &mut created, &mut outcome.notes)
        };
        outcome.files.insert(change.path.clone(), decided);
    }
    // A record the merge creates that one side already has (the same conflict found by an
    // earlier merge, perhaps resolved since) keeps its merged content.
    for (path, text) in created.files {
        outcome.files.entry(path).or_insert(Some(text));
    }
    outcome.conflicts = created.conflicts;
    outcome
}

/// How the record at `path` merges, or `None` for a file that is no record.
fn policy(path: &str, a: &str, b: &str) -> Option<Policy> {
    let dir = path.split('/').next().unwrap_or("");
    match dir {
        layout::AGENTS_DIR if path.ends_with(".toml") => Some(agents::policy(path)),
        layout::TASKS_DIR => Some(claims::TASKS),
        layout::MESSAGES_DIR => Some(messages::MESSAGES),
        layout::CONFLICTS_DIR
        | layout::RISKS_DIR
        | layout::MILESTONES_DIR
        | crate::model::adr::ADRS_DIR
            if path.ends_with(".md") =>
        {
            Some(record::GENERIC)
        }
        _ if path.ends_with(".md") && a.starts_with("+++") && b.starts_with("+++") => {
            Some(record::GENERIC)
        }
        _ => None,
    }
}

/// A file changed differently on both sides.
fn both_changed(
    change: &FileVersions,
    created: &mut Created,
    notes: &mut Vec<String>,
) -> Option<String> {
    let path = change.path.as_str();
    let (a, b) = match (change.ours.as_deref(), change.theirs.as_deref()) {
        (Some(a), Some(b)) => (a, b),
        (edited, deleted) => {
            let edited = edited.or(deleted)?;
            deleted_vs_edited(change, edited, created);
            return Some(edited.to_owned());
        }
    };
    let base = change.base.as_deref();
    if path.starts_with(layout::SCRATCHPADS_DIR) && path.ends_with(".md") {
        return Some(scratchpads::merge(path, base, a, b, created));
    }
    let Some(policy) = policy(path, a, b) else {
        return Some(plain_text(path, base, a, b, created));
    };
    let merged = if policy.format == Format::Markdown && path.starts_with(layout::TASKS_DIR) {
        claims::merge_task(path, base, a, b, created).map(|(text, note)| {
            notes.extend(note);
            text
        })
    } else {
        record::merge(path, base, a, b, &policy, &[], created).map(|m| m.text)
    };
    match merged {
        Ok(text) => Some(text),
        Err(Unparsable) => Some(unparsable(path, a, b, &policy, created)),
    }
}

fn deleted_vs_edited(change: &FileVersions, edited: &str, created: &mut Created) {
    let path = &change.path;
    let agent = policy(path, edited, edited)
        .and_then(|p| {
            let writer = p.writer.clone();
            record::parse(path, edited, p.format)
                .and_then(|r| r.str_field(p.agent_fields))
                .or(writer)
        });
    let at = policy(path, edited, edited)
        .and_then(|p| record::parse(path, edited, p.format).and_then(|r| r.clock(p.clock)));
    created.record(Note {
        path: path.clone(),
        title: format!("sync: {path} was deleted on one side and edited on the other"),
        agents: agent.into_iter().collect(),
        about: Vec::new(),
        at,
        explanation: format!(
            "One side of a sync deleted {path} while the other edited it. The edited record is \
             kept, so no edit is lost; delete it again if the deletion should stand."
        ),
        values: vec![Value {
            field: None,
            kept: Some(edited.to_owned()),
            set_aside: None,
        }],
    });
}

/// Two versions that cannot be merged field by field: the later is kept whole, the other
/// verbatim in a conflict record.
fn unparsable(path: &str, a: &str, b: &str, policy: &Policy, created: &mut Created) -> String {
    let (kept, other) = record::later_whole(path, a, b, policy);
    let at = [a, b]
        .iter()
        .filter_map(|t| record::parse(path, t, policy.format).and_then(|p| p.clock(policy.clock)))
        .max();
    created.record(Note {
        path: path.to_owned(),
        title: format!("sync: {path} could not be merged, a version does not parse"),
        agents: Vec::new(),
        about: Vec::new(),
        at,
        explanation: format!(
            "Both sides of a sync changed {path}, and at least one version is not a valid \
             record (`git coord doctor` names the line), so the two were not merged. One \
             version is kept whole; the other is set aside here verbatim. Bring its changes \
             over by hand, then resolve this conflict."
        ),
        values: vec![Value {
            field: None,
            kept: Some(kept.to_owned()),
            set_aside: Some(other.to_owned()),
        }],
    });
    kept.to_owned()
}

/// A file that is no record: merged by lines, the byte-greater side winning overlaps.
fn plain_text(path: &str, base: Option<&str>, a: &str, b: &str, created: &mut Created) -> String {
    let (p, s) = if a >= b { (a, b) } else { (b, a) };
    let merged = text::merge3(base.unwrap_or(""), p, s);
    if !merged.overlaps.is_empty() {
        created.record(Note {
            path: path.to_owned(),
            title: format!("sync: the same lines of {path} changed on both sides"),
            agents: Vec::new(),
            about: Vec::new(),
            at: None,
            explanation: format!(
                "Both sides of a sync changed the same lines of {path}. One side's lines are \
                 kept; the other side's are set aside here."
            ),
            values: merged
                .overlaps
                .into_iter()
                .map(|o| Value {
                    field: None,
                    kept: Some(o.kept),
                    set_aside: Some(o.set_aside),
                })
                .collect(),
        });
    }
    merged.text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> FileVersions {
        FileVersions {
            path: "tasks/t-1.md".to_owned(),
            base: base.map(str::to_owned),
            ours: ours.map(str::to_owned),
            theirs: theirs.map(str::to_owned),
        }
    }

    #[test]
    fn one_side_changed_takes_that_side() {
        let out = merge(&[change(Some("a"), Some("a"), Some("b"))]);
        assert_eq!(out.files["tasks/t-1.md"].as_deref(), Some("b"));
        let out = merge(&[change(Some("a"), None, Some("a"))]);
        assert_eq!(out.files["tasks/t-1.md"], None);
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn both_changed_is_symmetric() {
        let ab = merge(&[change(Some("a"), Some("b"), Some("c"))]);
        let ba = merge(&[change(Some("a"), Some("c"), Some("b"))]);
        assert_eq!(ab.files, ba.files);
        assert_eq!(ab.conflicts.len(), 1);
    }
}
