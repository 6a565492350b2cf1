/*!
Task records, and the one rule that is not field by field: a task claimed on both sides by two
different agents (each side set `assignee` to a different agent) goes to one of them.

The earlier claim wins: by the task's `claimed` time on each side (else its `updated`), then by
agent ID; a side without a time loses to one with a time. The claim's fields (`assignee`,
`claimed`, `status`, `blocked_reason`, `completed`) follow the winner's side, so the loser's
claim is undone and any progress it recorded with it; the loser's other edits (a title, a body
note) still merge like any other field. The loser's values go to a conflict record and the loser
gets a message naming the task and the winner. Agents' registry files list file claims, not task
claims, so nothing there needs undoing.
*/

use super::conflict::{Created, Note, Value};
use super::fields::canon;
use super::record::{self, Format, Input, Parsed, Policy, Unparsable};
use crate::model::layout;

/// How task records merge.
pub const TASKS: Policy = Policy {
    format: Format::Markdown,
    clock: &["updated"],
    agent_fields: &["assignee"],
    writer: None,
    record_conflicts: true,
};

/// The fields that make up a claim and follow the winner of a double claim.
pub const CLAIM_FIELDS: [&str; 5] = [
    "assignee",
    "claimed",
    "status",
    "blocked_reason",
    "completed",
];

/// A task claimed by two agents, decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoubleClaim {
    pub winner: String,
    pub loser: String,
    /// The input the winner's claim is on.
    pub winner_input: Input,
}

/// Whether `a` and `b` claim the task for two different agents, and who wins.
pub fn double_claim(base: Option<&Parsed>, a: &Parsed, b: &Parsed) -> Option<DoubleClaim> {
    let assignee = |p: &Parsed| p.str_field(&["assignee"]);
    let (wa, wb) = (assignee(a)?, assignee(b)?);
    let before = base.and_then(assignee);
    if wa == wb || before.as_ref() == Some(&wa) || before.as_ref() == Some(&wb) {
        return None;
    }
    // Earlier first; a side with no time sorts after every side with one.
    let key = |p: &Parsed, who: &String| {
        let t = p.clock(&["claimed", "updated"]);
        (t.is_none(), t, who.clone())
    };
    let a_wins = key(a, &wa) < key(b, &wb);
    Some(if a_wins {
        DoubleClaim {
            winner: wa,
            loser: wb,
            winner_input: Input::A,
        }
    } else {
        DoubleClaim {
            winner: wb,
            loser: wa,
            winner_input: Input::B,
        }
    })
}

/// Merges a task changed on both sides, settling a double claim. Returns the merged text and
/// a line for the commit message when a claim was undone.
pub fn merge_task(
    path: &str,
    base: Option<&str>,
    a: &str,
    b: &str,
    created: &mut Created,
) -> Result<(String, Option<String>), Unparsable> {
    let pa = record::parse(path, a, Format::Markdown).ok_or(Unparsable)?;
    let pb = record::parse(path, b, Format::Markdown).ok_or(Unparsable)?;
    let pbase = base.and_then(|t| record::parse(path, t, Format::Markdown));
    let Some(claim) = double_claim(pbase.as_ref(), &pa, &pb) else {
        return record::merge(path, base, a, b, &TASKS, &[], created).map(|m| (m, None));
    };
    let forced: Vec<(&str, Input)> = CLAIM_FIELDS
        .iter()
        .map(|f| (*f, claim.winner_input))
        .collect();
    let mut merged = record::merge(path, base, a, b, &TASKS, &forced, created)?;
    let (won, lost) = match claim.winner_input {
        Input::A => (&pa, &pb),
        Input::B => (&pb, &pa),
    };
    // A claim with no `claimed` time was judged by its `updated`; write that time down, or
    // the merged record (whose `updated` is the later side's) would judge differently when it
    // meets the loser's version again.
    if won.doc.get("claimed").is_none()
        && let Some(at) = won
            .clock(&["updated"])
            .and_then(crate::model::record::timestamp)
        && let Some(mut m) = record::parse(path, &merged, Format::Markdown)
    {
        m.doc.insert("claimed", toml_edit::Item::Value(at));
        merged = crate::model::record::render_markdown(&m.doc, &m.body);
    }
    let values: Vec<Value> = CLAIM_FIELDS
        .iter()
        .filter_map(|f| {
            let kept = canon(won.doc.get(f));
            let set_aside = canon(lost.doc.get(f));
            (kept != set_aside).then(|| Value {
                field: Some((*f).to_owned()),
                kept,
                set_aside,
            })
        })
        .collect();
    let task = layout::task_id_from_path(path)
        .map(|t| t.to_string())
        .or_else(|| won.str_field(&["id"]))
        .unwrap_or_else(|| path.to_owned());
    let at = pa.clock(&["updated"]).max(pb.clock(&["updated"]));
    let (winner, loser) = (&claim.winner, &claim.loser);
    let record = created.record(Note {
        path: path.to_owned(),
        title: format!("sync: {task} was claimed by both {winner} and {loser}; {winner} keeps it"),
        agents: vec![winner.clone(), loser.clone()],
        about: vec![task.clone()],
        at,
        explanation: format!(
            "{winner} and {loser} both claimed {task} before their clones synced. The earlier \
             claim, {winner}'s, stands; {loser}'s claim is undone and its claim fields are set \
             aside here. {loser} was told by a message."
        ),
        values,
    });
    let message = created.message(
        loser,
        &task,
        &format!("{task} went to {winner}: your claim was undone by sync"),
        &format!(
            "You claimed {task} while {winner} claimed it on another clone, earlier. After the \
             sync {winner} holds it and your claim is undone; what your claim recorded is kept \
             in {record}. Pick other work with `git coord next`."
        ),
        at,
    );
    let note = format!(
        "{task}: claimed by {winner} and {loser}; {winner} keeps it, {loser}'s claim undone ({record}{})",
        message
            .map(|m| format!(", told in {m}"))
            .unwrap_or_default()
    );
    Ok((merged, Some(note)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Task;
    use crate::model::conflict::Conflict;
    use crate::model::message::Message;

    const PATH: &str = "tasks/aa/t-aaaaaa.md";

    fn task(extra: &str, updated: &str) -> String {
        format!(
            "+++\nid = \"t-aaaaaa\"\ntitle = \"Rate limiter\"\n{extra}created = 2026-11-21T10:00:00Z\nupdated = {updated}\n+++\nBody.\n"
        )
    }

    #[test]
    fn the_earlier_claim_wins_and_the_loser_is_told() {
        let base = task("status = \"todo\"\n", "2026-11-21T10:00:00Z");
        let alice = task(
            "status = \"in_progress\"\nassignee = \"alice\"\nclaimed = 2026-11-21T11:00:00Z\n",
            "2026-11-21T11:00:00Z",
        );
        let bob = task(
            "status = \"done\"\nassignee = \"bob\"\nclaimed = 2026-11-21T10:30:00Z\ncompleted = 2026-11-21T12:00:00Z\n",
            "2026-11-21T12:00:00Z",
        );
        let mut created = Created::default();
        let (text, note) = merge_task(PATH, Some(&base), &alice, &bob, &mut created).unwrap();
        let t = Task::parse(PATH, &text).unwrap();
        assert_eq!(t.assignee.as_ref().map(|a| a.as_str()), Some("bob"));
        assert_eq!(t.status.as_str(), "done");
        assert!(t.completed.is_some());
        assert!(note.unwrap().contains("bob keeps it"));
        // Symmetric.
        let mut again = Created::default();
        let (swapped, _) = merge_task(PATH, Some(&base), &bob, &alice, &mut again).unwrap();
        assert_eq!(swapped, text);
        assert_eq!(again.files, created.files);

        let conflict = created
            .files
            .iter()
            .find(|(p, _)| p.starts_with("conflicts/"))
            .map(|(p, t)| Conflict::parse(p, t).unwrap())
            .unwrap();
        assert_eq!(conflict.about, vec![PATH, "t-aaaaaa"]);
        let names: Vec<&str> = conflict.between.iter().map(|a| a.as_str()).collect();
        assert_eq!(names, ["bob", "alice"]);
        let fields: Vec<_> = created
            .conflicts
            .iter()
            .map(|c| (c.field.as_deref().unwrap(), c.set_aside.as_deref()))
            .collect();
        assert!(
            fields.contains(&("assignee", Some("\"alice\""))),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("status", Some("\"in_progress\""))),
            "{fields:?}"
        );
        assert!(fields.contains(&("completed", None)), "{fields:?}");

        let message = created
            .files
            .iter()
            .find(|(p, _)| p.starts_with("messages/"))
            .map(|(p, t)| Message::parse(p, t).unwrap())
            .unwrap();
        assert_eq!(message.to.to_string(), "alice");
        assert!(message.subject.contains("t-aaaaaa went to bob"));
        assert_eq!(message.task.unwrap().as_str(), "t-aaaaaa");
    }

    #[test]
    fn equal_claim_times_go_to_the_smaller_agent_id_and_other_edits_still_merge() {
        let base = task("status = \"todo\"\n", "2026-11-21T10:00:00Z");
        let claim = |who: &str, extra: &str| {
            task(
                &format!(
                    "status = \"in_progress\"\nassignee = \"{who}\"\nclaimed = 2026-11-21T11:00:00Z\n{extra}"
                ),
                "2026-11-21T11:00:00Z",
            )
        };
        let zed = claim("zed", "priority = 0\nblocked_reason = \"waiting\"\n");
        let amy = claim("amy", "");
        let mut created = Created::default();
        let (text, _) = merge_task(PATH, Some(&base), &zed, &amy, &mut created).unwrap();
        let t = Task::parse(PATH, &text).unwrap();
        assert_eq!(t.assignee.unwrap().as_str(), "amy");
        assert_eq!(t.priority, 0, "zed's other edit merges: {text}");
        // A claim field only the loser set follows the winner too (and is kept aside).
        assert_eq!(t.blocked_reason, None, "{text}");
        assert!(
            created
                .conflicts
                .iter()
                .any(|c| c.field.as_deref() == Some("blocked_reason")
                    && c.set_aside.as_deref() == Some("\"waiting\""))
        );
    }

    /// The records as the model writes them: a task created, then claimed offline on two
    /// clones through the task state machine.
    #[test]
    fn claims_made_by_the_model_on_two_clones() {
        use crate::model::task::{Action, DepState, NewTask};
        use crate::model::{AgentId, TaskId, Timestamp};
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let id = TaskId::parse("t-aaaaaa").unwrap();
        let new = NewTask {
            title: "Limiter".into(),
            owns: vec!["src/limit/**".into()],
            body: "Build it.\n".into(),
            ..NewTask::default()
        };
        let base = Task::new(id, new, at("2026-11-21T09:00:00Z"))
            .unwrap()
            .to_text();
        let claim = |who: &str, when: &str| {
            let mut t = Task::parse(PATH, &base).unwrap();
            let agent = AgentId::parse(who).unwrap();
            t.apply(&Action::Claim, &agent, at(when), &DepState::default())
                .unwrap();
            t.to_text()
        };
        let alice = claim("alice", "2026-11-21T10:00:05Z");
        let bob = claim("bob", "2026-11-21T10:00:03Z");
        let mut created = Created::default();
        let (text, note) = merge_task(PATH, Some(&base), &alice, &bob, &mut created).unwrap();
        // Bob's record, with the later clock of the two (a record's clock never goes back).
        assert_eq!(
            text,
            bob.replace(
                "updated = 2026-11-21T10:00:03Z",
                "updated = 2026-11-21T10:00:05Z"
            )
        );
        assert!(note.unwrap().contains("bob keeps it"));
        let mut again = Created::default();
        assert_eq!(
            merge_task(PATH, Some(&base), &bob, &alice, &mut again)
                .unwrap()
                .0,
            text
        );
        assert_eq!(again.files, created.files);
        assert_eq!(created.files.len(), 2, "a conflict record and a message");
    }

    #[test]
    fn a_reassignment_on_one_side_is_not_a_double_claim() {
        let base = task("assignee = \"alice\"\n", "2026-11-21T10:00:00Z");
        let a = task(
            "assignee = \"alice\"\npriority = 1\n",
            "2026-11-21T11:00:00Z",
        );
        let b = task("assignee = \"bob\"\n", "2026-11-21T12:00:00Z");
        let mut created = Created::default();
        let (text, note) = merge_task(PATH, Some(&base), &a, &b, &mut created).unwrap();
        assert!(note.is_none());
        assert!(text.contains("assignee = \"bob\"") && text.contains("priority = 1"));
        assert!(created.files.is_empty());
    }
}
