/*!
Linking code commits to tasks: the `Coord-Task:`/`Coord-Agent:` trailers the commit-msg hook
adds, and the `refs/notes/coord` note the post-commit hook writes (`agent: …`, `task: …`).
*/

use super::{OpError, index};
use crate::model::{AgentId, Status, Task, TaskId};
use crate::store::Store;

/// The ref code-commit notes live on.
pub const NOTES_REF: &str = "refs/notes/coord";

/// The agent's current task: its only task in progress (none when it has zero or several).
pub fn current_task(store: &Store, agent: &AgentId) -> Result<Option<Task>, OpError> {
    if store.tip()?.is_none() {
        return Ok(None);
    }
    let snap = store.snapshot()?;
    let (tasks, _) = index::load(store, &snap)?;
    let mut mine = tasks
        .into_iter()
        .filter(|t| t.assignee.as_ref() == Some(agent) && t.status == Status::InProgress);
    match (mine.next(), mine.next()) {
        (Some(t), None) => Ok(Some(t)),
        _ => Ok(None),
    }
}

/// Appends `Coord-Task` and `Coord-Agent` trailers to a commit message unless it has them.
pub fn add_trailers(message: &str, agent: &AgentId, task: Option<&TaskId>) -> String {
    let mut lines: Vec<&str> = message.lines().collect();
    // Drop git's comment lines from the end decision, not from the message.
    let body_end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let Some(end) = body_end else {
        return message.to_owned();
    };
    let mut wanted = Vec::new();
    if let Some(t) = task
        && !message.contains("Coord-Task:")
    {
        wanted.push(format!("Coord-Task: {t}"));
    }
    if !message.contains("Coord-Agent:") {
        wanted.push(format!("Coord-Agent: {agent}"));
    }
    if wanted.is_empty() {
        return message.to_owned();
    }
    // Trailers join the last paragraph if it already is a trailer block, else a new one.
    let last_is_trailers = lines[..=end]
        .iter()
        .rev()
        .take_while(|l| !l.trim().is_empty())
        .all(|l| l.split_once(": ").is_some_and(|(k, _)| !k.contains(' ')));
    let tail: Vec<&str> = lines.split_off(end + 1);
    let mut out = lines.join("\n");
    out.push('\n');
    if !last_is_trailers || end == 0 {
        out.push('\n');
    }
    for w in &wanted {
        out.push_str(w);
        out.push('\n');
    }
    for l in tail {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The note text for a commit.
pub fn note_text(agent: &AgentId, task: Option<&TaskId>) -> String {
    match task {
        Some(t) => format!("agent: {agent}\ntask: {t}\n"),
        None => format!("agent: {agent}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_added_once_in_their_own_paragraph() {
        let agent = AgentId::parse("alice").unwrap();
        let task = TaskId::parse("t-4kz9w2").unwrap();
        let out = add_trailers("Fix pool\n\nLonger text.\n# comment\n", &agent, Some(&task));
        assert_eq!(
            out,
            "Fix pool\n\nLonger text.\n\nCoord-Task: t-4kz9w2\nCoord-Agent: alice\n# comment\n"
        );
        assert_eq!(add_trailers(&out, &agent, Some(&task)), out);
        let with = add_trailers("Fix\n\nSigned-off-by: A <a@b>\n", &agent, None);
        assert_eq!(with, "Fix\n\nSigned-off-by: A <a@b>\nCoord-Agent: alice\n");
        assert_eq!(
            add_trailers("# only comments\n", &agent, None),
            "# only comments\n"
        );
    }
}
