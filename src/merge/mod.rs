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
- **Stable.** Merging the result again with either side (from the same base) keeps every value
  and line of it, and decides every conflict the same way: ties between equal clocks are broken
  by the values themselves, never by which side is ours or by the whole file.

Without a second argument the merge knows only the changed files; [`merge_with`] also takes
[`MergeFacts`] about the whole trees (the ADR numbers in use, for renumbering).

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
    let dir = path.split('/').next().unwrap_or("");
    if dir == layout::SCRATCHPADS_DIR && path.ends_with(".md") {
        return Some(scratchpads::merge(path, base, a, b, created));
    }
    let Some(policy) = policy(path, a, b) else {
        return Some(plain_text(path, base, a, b, created));
    };
    let merged = if policy.format == Format::Markdown && dir == layout::TASKS_DIR {
        claims::merge_task(path, base, a, b, created).map(|(text, note)| {
            notes.extend(note);
            text
        })
    } else {
        record::merge(path, base, a, b, &policy, &[], created)
    };
    match merged {
        Ok(text) => Some(text),
        Err(Unparsable) => Some(unparsable(path, a, b, &policy, created)),
    }
}

fn deleted_vs_edited(change: &FileVersions, edited: &str, created: &mut Created) {
    let path = &change.path;
    let agent = policy(path, edited, edited).and_then(|p| {
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
    let merged = text::merge3(base.unwrap_or(""), a, b, &text::greater);
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
            values: merged.overlaps.into_iter().map(Value::from).collect(),
        });
    }
    merged.text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conflict::Conflict;
    use crate::model::message::Message;
    use crate::model::{Agent, Task};

    fn change(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> FileVersions {
        change_at("tasks/t-1.md", base, ours, theirs)
    }

    fn change_at(
        path: &str,
        base: Option<&str>,
        ours: Option<&str>,
        theirs: Option<&str>,
    ) -> FileVersions {
        FileVersions {
            path: path.to_owned(),
            base: base.map(str::to_owned),
            ours: ours.map(str::to_owned),
            theirs: theirs.map(str::to_owned),
        }
    }

    /// Merges one file both ways, checks the two outcomes are the same, and returns it.
    fn both_ways(path: &str, base: Option<&str>, a: Option<&str>, b: Option<&str>) -> MergeOutcome {
        let ab = merge(&[change_at(path, base, a, b)]);
        let ba = merge(&[change_at(path, base, b, a)]);
        assert_eq!(ab, ba, "merge(a, b) and merge(b, a) differ");
        ab
    }

    fn conflict_records(out: &MergeOutcome) -> Vec<(String, Conflict)> {
        out.files
            .iter()
            .filter(|(p, _)| p.starts_with("conflicts/"))
            .map(|(p, t)| {
                let text = t.as_deref().expect("created, not removed");
                (
                    text.to_owned(),
                    Conflict::parse(p, text).expect("a readable conflict"),
                )
            })
            .collect()
    }

    const TASK: &str = "tasks/aa/t-aaaaaa.md";

    fn task(fields: &str, updated: &str, body: &str) -> String {
        format!(
            "+++\nid = \"t-aaaaaa\"\ntitle = \"Limiter\"\nstatus = \"todo\"\n{fields}created = 2026-11-21T10:00:00Z\nupdated = {updated}\n+++\n{body}"
        )
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
    fn different_fields_of_one_record_both_apply() {
        let base = task("priority = 2\n", "2026-11-21T10:00:00Z", "Body.\n");
        let a = task("priority = 0\n", "2026-11-21T11:00:00Z", "Body.\n");
        let b = task(
            "priority = 2\nexpertise = [\"redis\"]\n",
            "2026-11-21T12:00:00Z",
            "Body.\n",
        );
        let out = both_ways(TASK, Some(&base), Some(&a), Some(&b));
        let text = out.files[TASK].as_deref().unwrap();
        assert_eq!(
            text,
            task(
                "priority = 0\nexpertise = [\"redis\"]\n",
                "2026-11-21T12:00:00Z",
                "Body.\n"
            )
        );
        assert!(out.conflicts.is_empty());
        assert_eq!(out.merged, vec![TASK.to_owned()]);
    }

    #[test]
    fn the_same_field_goes_to_the_later_edit_and_the_other_value_to_a_conflict_record() {
        let base = task("priority = 2\n", "2026-11-21T10:00:00Z", "");
        let alice = task(
            "priority = 0\nassignee = \"alice\"\n",
            "2026-11-21T12:00:00Z",
            "",
        );
        let bob = task("priority = 3\n", "2026-11-21T11:00:00Z", "");
        let out = both_ways(TASK, Some(&base), Some(&alice), Some(&bob));
        let merged = Task::parse(TASK, out.files[TASK].as_deref().unwrap()).unwrap();
        assert_eq!(merged.priority, 0);
        assert_eq!(out.conflicts.len(), 1);
        let c = &out.conflicts[0];
        assert_eq!(c.path, TASK);
        assert_eq!(c.field.as_deref(), Some("priority"));
        assert_eq!(
            (c.kept.as_deref(), c.set_aside.as_deref()),
            (Some("0"), Some("3"))
        );
        let records = conflict_records(&out);
        assert_eq!(records.len(), 1);
        let (text, record) = &records[0];
        assert_eq!(format!("conflicts/{}.md", record.id), c.record);
        assert!(record.about.contains(&TASK.to_owned()));
        assert_eq!(record.between[0].as_str(), "alice");
        assert_eq!(record.created.to_string(), "2026-11-21T12:00:00Z");
        assert!(
            text.contains("field = \"priority\"\nkept = \"0\"\nvalue = \"3\""),
            "{text}"
        );
        assert!(text.contains("```\n3\n```"), "{text}");
    }

    #[test]
    fn bodies_merge_by_lines_and_overlaps_keep_the_later_text() {
        let base = task("", "2026-11-21T10:00:00Z", "one\ntwo\nthree\n");
        let a = task("", "2026-11-21T11:00:00Z", "ONE\ntwo\nthree\n");
        let b = task("", "2026-11-21T12:00:00Z", "one\ntwo\nthree\nfour\n");
        let out = both_ways(TASK, Some(&base), Some(&a), Some(&b));
        assert!(
            out.files[TASK]
                .as_deref()
                .unwrap()
                .ends_with("+++\nONE\ntwo\nthree\nfour\n")
        );
        assert!(out.conflicts.is_empty());

        let a = task("", "2026-11-21T11:00:00Z", "one\nTWO by a\nthree\n");
        let b = task("", "2026-11-21T12:00:00Z", "one\nTWO by b\nthree\n");
        let out = both_ways(TASK, Some(&base), Some(&a), Some(&b));
        assert!(
            out.files[TASK]
                .as_deref()
                .unwrap()
                .ends_with("+++\none\nTWO by b\nthree\n")
        );
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].field, None);
        assert_eq!(out.conflicts[0].set_aside.as_deref(), Some("TWO by a\n"));
        let (text, _) = &conflict_records(&out)[0];
        assert!(text.contains("```\nTWO by a\n```"), "{text}");
    }

    #[test]
    fn a_record_deleted_on_one_side_and_edited_on_the_other_is_kept() {
        let base = task("", "2026-11-21T10:00:00Z", "");
        let edited = task("priority = 0\n", "2026-11-21T11:00:00Z", "");
        let out = both_ways(TASK, Some(&base), Some(&edited), None);
        assert_eq!(out.files[TASK].as_deref(), Some(edited.as_str()));
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].kept.as_deref(), Some(edited.as_str()));
        assert_eq!(out.conflicts[0].set_aside, None);
        assert_eq!(conflict_records(&out).len(), 1);
    }

    #[test]
    fn an_unparsable_version_is_never_merged_and_kept_verbatim() {
        let base = task("", "2026-11-21T10:00:00Z", "");
        let good = task("priority = 0\n", "2026-11-21T11:00:00Z", "");
        let broken = "+++\nid = \"t-aaaaaa\"\ntitle = = \"oops\n+++\nhand edit\n";
        let out = both_ways(TASK, Some(&base), Some(&good), Some(broken));
        assert_eq!(out.files[TASK].as_deref(), Some(good.as_str()));
        assert_eq!(out.conflicts[0].set_aside.as_deref(), Some(broken));
        let (text, _) = &conflict_records(&out)[0];
        assert!(text.contains(broken), "{text}");
        // Both broken: the byte-greater is kept, the other set aside.
        let other = "no front matter\n";
        let out = both_ways(TASK, Some(&base), Some(other), Some(broken));
        assert_eq!(out.files[TASK].as_deref(), Some(other));
        assert_eq!(out.conflicts[0].set_aside.as_deref(), Some(broken));
    }

    #[test]
    fn an_agents_entry_takes_the_later_side_silently_and_merges_claims_as_a_set() {
        let path = "agents/alice.toml";
        let claim = |p: &str| {
            format!("{{ pattern = \"{p}\", mode = \"exclusive\", since = 2026-11-21T10:00:00Z }}")
        };
        let entry = |status: &str, claims: &[&str], seen: &str| {
            let claims: Vec<String> = claims.iter().map(|c| claim(c)).collect();
            format!(
                "id = \"alice\"\nstatus = \"{status}\"\nclaims = [{}]\nregistered = 2026-11-21T09:00:00Z\nlast_seen = {seen}\n",
                claims.join(", ")
            )
        };
        let base = entry("active", &["src/a/**", "src/b/**"], "2026-11-21T10:00:00Z");
        let a = entry(
            "idle",
            &["src/a/**", "src/b/**", "src/c/**"],
            "2026-11-21T12:00:00Z",
        );
        let b = entry("blocked", &["src/a/**"], "2026-11-21T11:00:00Z");
        let out = both_ways(path, Some(&base), Some(&a), Some(&b));
        let agent = Agent::parse(path, out.files[path].as_deref().unwrap()).unwrap();
        assert_eq!(agent.status, "idle");
        let patterns: Vec<&str> = agent.claims.iter().map(|c| c.pattern.as_str()).collect();
        assert_eq!(patterns, ["src/a/**", "src/c/**"]);
        assert_eq!(agent.last_seen.unwrap().to_string(), "2026-11-21T12:00:00Z");
        assert!(out.conflicts.is_empty() && conflict_records(&out).is_empty());
    }

    #[test]
    fn an_agent_registered_and_writing_notes_on_two_clones_merges_cleanly() {
        let path = "agents/alice.toml";
        let a = "id = \"alice\"\nrole = \"api\"\nregistered = 2026-11-21T10:00:00Z\nlast_seen = 2026-11-21T10:00:00Z\n";
        let b = "id = \"alice\"\nexpertise = [\"sql\"]\nregistered = 2026-11-21T11:00:00Z\nlast_seen = 2026-11-21T11:00:00Z\n";
        let out = both_ways(path, None, Some(a), Some(b));
        let agent = Agent::parse(path, out.files[path].as_deref().unwrap()).unwrap();
        assert_eq!(agent.role.as_deref(), Some("api"));
        assert_eq!(agent.expertise, ["sql"]);
        assert_eq!(agent.last_seen.unwrap().to_string(), "2026-11-21T11:00:00Z");
        assert!(out.conflicts.is_empty());

        let pad = "scratchpads/alice.md";
        let head = "# Scratchpad: alice\n\n";
        let a = format!("{head}## 2026-11-21T10:00:00Z · n-aaaaaa\nfrom a\n\n");
        let b = format!("{head}## 2026-11-21T09:00:00Z · n-bbbbbb · blocker\nfrom b\n\n");
        let out = both_ways(pad, None, Some(&a), Some(&b));
        assert_eq!(
            out.files[pad].as_deref(),
            Some(format!("{head}## 2026-11-21T09:00:00Z · n-bbbbbb · blocker\nfrom b\n\n## 2026-11-21T10:00:00Z · n-aaaaaa\nfrom a\n\n").as_str())
        );
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn the_order_of_the_changes_given_does_not_matter() {
        let base = task("priority = 2\n", "2026-11-21T10:00:00Z", "");
        let a = task("priority = 0\n", "2026-11-21T12:00:00Z", "");
        let b = task("priority = 3\n", "2026-11-21T11:00:00Z", "");
        let one = change_at(TASK, Some(&base), Some(&a), Some(&b));
        let two = change_at("README.md", Some("x\n"), Some("y\n"), Some("x\n"));
        assert_eq!(merge(&[one.clone(), two.clone()]), merge(&[two, one]));
    }

    #[test]
    fn read_marks_of_a_message_take_the_union() {
        let path = "messages/aa/m-aaaaaa.md";
        let msg = |read: &str| {
            format!(
                "+++\nid = \"m-aaaaaa\"\nfrom = \"alice\"\nto = \"all\"\nsubject = \"Pool\"\nkind = \"fyi\"\nsent = 2026-11-21T10:00:00Z\n{read}+++\nHello\n"
            )
        };
        let out = both_ways(
            path,
            Some(&msg("")),
            Some(&msg("read_by = [\"bob\"]\n")),
            Some(&msg("read_by = [\"carol\"]\n")),
        );
        let m = Message::parse(path, out.files[path].as_deref().unwrap()).unwrap();
        let read: Vec<&str> = m.read_by.iter().map(|a| a.as_str()).collect();
        assert_eq!(read.len(), 2);
        assert!(read.contains(&"bob") && read.contains(&"carol"));
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn a_colliding_adr_is_renumbered_and_noted() {
        let adr = |title: &str, created: &str| {
            format!(
                "+++\nnumber = 3\ntitle = \"{title}\"\nstatus = \"proposed\"\ncreated = {created}\nupdated = {created}\n+++\n# ADR-0003: {title}\n"
            )
        };
        let (x, y) = (
            adr("X", "2026-11-21T10:00:00Z"),
            adr("Y", "2026-11-21T11:00:00Z"),
        );
        let changes = |swap: bool| {
            let (o, t) = if swap {
                (None, Some(y.as_str()))
            } else {
                (Some(y.as_str()), None)
            };
            let (o2, t2) = if swap {
                (Some(x.as_str()), None)
            } else {
                (None, Some(x.as_str()))
            };
            vec![
                change_at("adrs/0003-y.md", None, o, t),
                change_at("adrs/0003-x.md", None, o2, t2),
            ]
        };
        let facts = MergeFacts {
            adr_numbers: [1, 2, 3, 4].into(),
        };
        let out = merge_with(&changes(false), &facts);
        assert_eq!(out, merge_with(&changes(true), &facts));
        assert_eq!(out.files["adrs/0003-x.md"].as_deref(), Some(x.as_str()));
        assert_eq!(out.files["adrs/0003-y.md"], None);
        let moved = out.files["adrs/0005-y.md"].as_deref().unwrap();
        assert!(
            moved.contains("number = 5\n") && moved.contains("# ADR-0005: Y"),
            "{moved}"
        );
        assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
        // Without facts, only the changed files' numbers are known.
        assert!(merge(&changes(false)).files.contains_key("adrs/0004-y.md"));
    }

    #[test]
    fn plain_files_merge_as_text() {
        let out = both_ways("README.md", Some("a\nb\n"), Some("A\nb\n"), Some("a\nB\n"));
        assert_eq!(out.files["README.md"].as_deref(), Some("A\nB\n"));
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn a_conflict_record_one_side_already_has_is_not_overwritten() {
        let base = task("priority = 2\n", "2026-11-21T10:00:00Z", "");
        let a = task("priority = 0\n", "2026-11-21T12:00:00Z", "");
        let b = task("priority = 3\n", "2026-11-21T11:00:00Z", "");
        let first = merge(&[change_at(TASK, Some(&base), Some(&a), Some(&b))]);
        let record = first.conflicts[0].record.clone();
        let resolved = first.files[&record]
            .as_deref()
            .unwrap()
            .replace("status = \"open\"", "status = \"resolved\"");
        let again = merge(&[
            change_at(TASK, Some(&base), Some(&a), Some(&b)),
            change_at(&record, None, Some(&resolved), None),
        ]);
        assert_eq!(again.files[&record].as_deref(), Some(resolved.as_str()));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// A task's fields in a form easy to edit and compare.
        #[derive(Clone, Debug)]
        struct Rec {
            title: String,
            status: String,
            priority: i64,
            assignee: Option<String>,
            depends_on: Vec<String>,
            expertise: Vec<String>,
            hour: u32,
            body: Vec<String>,
        }

        fn quoted(l: &[String]) -> String {
            let items: Vec<String> = l.iter().map(|s| format!("\"{s}\"")).collect();
            format!("[{}]", items.join(", "))
        }

        impl Rec {
            fn render(&self) -> String {
                let mut out = format!(
                    "+++\nid = \"t-aaaaaa\"\ntitle = \"{}\"\nstatus = \"{}\"\npriority = {}\n",
                    self.title, self.status, self.priority
                );
                if let Some(a) = &self.assignee {
                    out.push_str(&format!("assignee = \"{a}\"\n"));
                }
                if !self.depends_on.is_empty() {
                    out.push_str(&format!("depends_on = {}\n", quoted(&self.depends_on)));
                }
                if !self.expertise.is_empty() {
                    out.push_str(&format!("expertise = {}\n", quoted(&self.expertise)));
                }
                out.push_str(&format!(
                    "created = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T{:02}:00:00Z\n+++\n",
                    self.hour
                ));
                for l in &self.body {
                    out.push_str(l);
                    out.push('\n');
                }
                out
            }

            fn scalars(&self) -> [(&'static str, Option<String>); 4] {
                [
                    ("title", Some(format!("\"{}\"", self.title))),
                    ("status", Some(format!("\"{}\"", self.status))),
                    ("priority", Some(self.priority.to_string())),
                    (
                        "assignee",
                        self.assignee.as_ref().map(|a| format!("\"{a}\"")),
                    ),
                ]
            }
        }

        fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
            prop::sample::select(pool).prop_map(str::to_owned)
        }

        fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
            prop::sample::subsequence(pool, 0..=pool.len())
                .prop_map(|v| v.into_iter().map(str::to_owned).collect())
        }

        const TITLES: &[&str] = &["Limiter", "Cache", "Pool"];
        const STATUSES: &[&str] = &["todo", "in_progress", "review"];
        const AGENTS: &[&str] = &["alice", "bob", "carol"];
        const TASKS: &[&str] = &["t-bbbbbb", "t-cccccc", "t-dddddd", "t-eeeeee"];
        const TAGS: &[&str] = &["rust", "go", "sql"];
        const LINES: &[&str] = &["alpha", "beta", "gamma", "delta", "epsilon"];
        const X_LINES: &[&str] = &["x one", "x two", "x three"];
        const Y_LINES: &[&str] = &["y one", "y two", "y three"];

        fn base() -> impl Strategy<Value = Rec> {
            (
                pick(TITLES),
                pick(STATUSES),
                0..4i64,
                prop::option::of(pick(AGENTS)),
                subset(TASKS),
                subset(TAGS),
                subset(LINES),
            )
                .prop_map(
                    |(title, status, priority, assignee, depends_on, expertise, body)| Rec {
                        title,
                        status,
                        priority,
                        assignee,
                        depends_on,
                        expertise,
                        hour: 10,
                        body,
                    },
                )
        }

        /// One side's edits: each field kept or changed, lists gaining and losing elements,
        /// body lines replaced, inserted or removed, and the clock moved 0 to 3 hours on.
        /// Lines a side writes are its own (`new`), so no line repeats: with repeated lines a
        /// line diff may align either copy (see `text`).
        fn edit(base: Rec, new: &'static [&'static str]) -> impl Strategy<Value = Rec> {
            (
                prop::option::of(pick(TITLES)),
                prop::option::of(pick(STATUSES)),
                prop::option::of(0..4i64),
                prop::option::of(prop::option::of(pick(AGENTS))),
                (subset(TASKS), subset(TASKS)),
                (subset(TAGS), subset(TAGS)),
                prop::collection::vec((0..3u8, 0..8usize, pick(new)), 0..3),
                0..4u32,
            )
                .prop_map(
                    move |(t, s, p, a, (dep_add, dep_rm), (ex_add, ex_rm), body_ops, dh)| {
                        let mut r = base.clone();
                        r.title = t.unwrap_or(r.title);
                        r.status = s.unwrap_or(r.status);
                        r.priority = p.unwrap_or(r.priority);
                        r.assignee = a.unwrap_or(r.assignee);
                        for (list, add, rm) in [
                            (&mut r.depends_on, dep_add, dep_rm),
                            (&mut r.expertise, ex_add, ex_rm),
                        ] {
                            list.retain(|x| !rm.contains(x));
                            for x in add {
                                if !list.contains(&x) && !rm.contains(&x) {
                                    list.push(x);
                                }
                            }
                        }
                        for (op, at, line) in body_ops {
                            let at = at.min(r.body.len());
                            if r.body.contains(&line) {
                                continue;
                            }
                            match op {
                                0 if at < r.body.len() => r.body[at] = line,
                                1 if at < r.body.len() => {
                                    r.body.remove(at);
                                }
                                _ => r.body.insert(at, line),
                            }
                        }
                        r.hour += dh;
                        r
                    },
                )
        }

        fn three() -> impl Strategy<Value = (Rec, Rec, Rec)> {
            base().prop_flat_map(|b| (Just(b.clone()), edit(b.clone(), X_LINES), edit(b, Y_LINES)))
        }

        fn field(doc: &toml_edit::DocumentMut, key: &str) -> Option<String> {
            fields::canon(doc.get(key))
        }

        fn list(doc: &toml_edit::DocumentMut, key: &str) -> Vec<String> {
            doc.get(key)
                .and_then(|i| i.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        }

        /// A version of a file as hostile as the fuzz corpus: a record with random fields
        /// and body, text with stray fences, or nothing at all.
        fn hostile() -> impl Strategy<Value = Option<String>> {
            use crate::model::strategies::{body, text};
            let field = (
                prop::sample::select(
                    &[
                        "id", "title", "status", "assignee", "updated", "read_by", "x",
                    ][..],
                ),
                prop_oneof![
                    text().prop_map(|t| format!("{t:?}")),
                    Just("2026-11-21T10:00:00Z".to_owned()),
                    Just("[\"a\", \"b\"]".to_owned()),
                    Just("{ pattern = \"src/**\" }".to_owned()),
                    text(),
                ],
            );
            let record = (prop::collection::vec(field, 0..5), body()).prop_map(|(fields, body)| {
                let mut out = "+++\n".to_owned();
                for (k, v) in fields {
                    out.push_str(&format!("{k} = {v}\n"));
                }
                out.push_str("+++\n");
                out.push_str(&body);
                out
            });
            prop::option::of(prop_oneof![3 => record, 1 => body()])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            /// Random edits on two sides: the merge is the same bytes whichever side is ours,
            /// every value either side wrote is in the merged record or in a conflict record,
            /// and merging the result again with either side changes nothing.
            #[test]
            fn merges_are_symmetric_lossless_and_stable((b, x, y) in three()) {
                let (bt, xt, yt) = (b.render(), x.render(), y.render());
                let xy = merge(&[change_at(TASK, Some(&bt), Some(&xt), Some(&yt))]);
                let yx = merge(&[change_at(TASK, Some(&bt), Some(&yt), Some(&xt))]);
                prop_assert_eq!(&xy, &yx);
                let merged = xy.files[TASK].clone().expect("a task is never deleted here");
                let parsed = record::parse(TASK, &merged, Format::Markdown).expect("merged parses");
                let set_aside = |f: &str, v: &Option<String>| {
                    xy.conflicts.iter().any(|c| c.field.as_deref() == Some(f) && &c.set_aside == v)
                };
                for side in [&x, &y] {
                    for ((f, v), (_, before)) in side.scalars().into_iter().zip(b.scalars()) {
                        if v != before {
                            prop_assert!(
                                field(&parsed.doc, f) == v || set_aside(f, &v),
                                "{} = {:?} lost:\n{}\n{:?}", f, v, merged, xy.conflicts
                            );
                        }
                    }
                    for (key, values, before) in [
                        ("depends_on", &side.depends_on, &b.depends_on),
                        ("expertise", &side.expertise, &b.expertise),
                    ] {
                        let now = list(&parsed.doc, key);
                        for v in values.iter().filter(|v| !before.contains(v)) {
                            prop_assert!(now.contains(v), "{} lost from {}:\n{}", v, key, merged);
                        }
                    }
                    for line in side.body.iter().filter(|l| !b.body.contains(l)) {
                        let kept = parsed.body.lines().any(|l| l == line)
                            || xy.conflicts.iter().any(|c| {
                                c.set_aside.as_deref().is_some_and(|t| t.lines().any(|l| l == line))
                            });
                        prop_assert!(kept, "body line {:?} lost:\n{}", line, merged);
                    }
                }
                for (_, record) in conflict_records(&xy) {
                    prop_assert!(record.about.contains(&TASK.to_owned()));
                }
                // Merging the result again with either side (against the old base, which is
                // harsher than sync, whose next merge base is the merge itself) keeps every
                // field value; the body keeps every line, in the record or set aside (a line
                // merge of overlapping edits may align differently the second time: ADR 0021).
                let meaning = |text: &str| {
                    let p = record::parse(TASK, text, Format::Markdown).expect("parses");
                    let mut fields: Vec<(String, Option<String>)> = p
                        .doc
                        .iter()
                        .map(|(k, i)| (k.to_owned(), fields::canon(Some(i))))
                        .collect();
                    fields.sort();
                    (fields, p.body)
                };
                for side in [&xt, &yt] {
                    for (o, t) in [(&merged, side), (side, &merged)] {
                        let again = merge(&[change_at(TASK, Some(&bt), Some(o), Some(t))]);
                        let text = again.files[TASK].clone().expect("kept");
                        let (again_fields, again_body) = meaning(&text);
                        let (fields_before, body_before) = meaning(&merged);
                        prop_assert_eq!(again_fields, fields_before, "again with {}:\n{}", side, text);
                        for line in body_before.lines() {
                            let kept = again_body.lines().any(|l| l == line)
                                || again.conflicts.iter().any(|c| {
                                    c.set_aside.as_deref().is_some_and(|t| t.lines().any(|l| l == line))
                                });
                            prop_assert!(kept, "body line {:?} lost again with {}:\n{}", line, side, text);
                        }
                    }
                }
            }

            /// Whatever the files hold, under every kind of path: no panic, the same outcome
            /// whichever side is ours, and every record the merge writes reads back.
            #[test]
            fn hostile_files_merge_symmetrically_without_panic(
                path in prop::sample::select(&[
                    "tasks/aa/t-aaaaaa.md", "agents/alice.toml", "scratchpads/alice.md",
                    "messages/aa/m-aaaaaa.md", "adrs/0001-x.md", "conflicts/c-aaaaaa.md",
                    "README.md", "junk/x.md",
                ][..]),
                base in hostile(), a in hostile(), b in hostile(),
            ) {
                let ab = merge(&[change_at(path, base.as_deref(), a.as_deref(), b.as_deref())]);
                let ba = merge(&[change_at(path, base.as_deref(), b.as_deref(), a.as_deref())]);
                prop_assert_eq!(&ab, &ba);
                for c in &ab.conflicts {
                    let text = ab.files[&c.record].as_deref().expect("written");
                    prop_assert!(Conflict::parse(&c.record, text).is_ok(), "{}", text);
                }
            }
        }
    }
}
