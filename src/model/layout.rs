/*!
Where each record lives on the coordination branch.

Task records fan out by the first two characters of their random part
(`tasks/4k/t-4kz9w2.md`) so that no tree on the branch grows past a few thousand entries, and
a write rewrites only small trees however many tasks there are.
*/

use super::id::{AgentId, MilestoneId, TaskId};

pub const TASKS_DIR: &str = "tasks";
pub const AGENTS_DIR: &str = "agents";
pub const MILESTONES_DIR: &str = "milestones";
pub const SCRATCHPADS_DIR: &str = "scratchpads";
pub const MESSAGES_DIR: &str = "messages";
pub const CONFLICTS_DIR: &str = "conflicts";
pub const RISKS_DIR: &str = "risks";
pub const README: &str = "README.md";
/// Where ADRs live: the directory the ADR record module names `ADRS_DIR` (a test checks), spelled
/// here so that the layout depends on no record module and every record module may use it.
pub const ADRS_DIR: &str = "adrs";

/// Characters of the random part used for the fan-out directory.
pub const FAN_OUT: usize = 2;

pub fn task_path(id: &TaskId) -> String {
    format!("{TASKS_DIR}/{}/{id}.md", task_bucket(id.random_part()))
}

/// The fan-out directory name for a random part (or a prefix of one at least [`FAN_OUT`] long).
pub fn task_bucket(random: &str) -> &str {
    &random[..FAN_OUT.min(random.len())]
}

pub fn milestone_path(id: &MilestoneId) -> String {
    format!("{MILESTONES_DIR}/{id}.md")
}

pub fn scratchpad_path(agent: &AgentId) -> String {
    format!("{SCRATCHPADS_DIR}/{agent}.md")
}

/// Messages fan out like tasks: `messages/4k/m-4kz9w2.md`.
pub fn message_path(id: &super::message::MessageId) -> String {
    format!("{MESSAGES_DIR}/{}/{id}.md", task_bucket(id.random_part()))
}

/// Conflicts and risks are few (tens to hundreds), so they need no fan-out.
pub fn conflict_path(id: &super::id::ConflictId) -> String {
    format!("{CONFLICTS_DIR}/{id}.md")
}

pub fn risk_path(id: &super::id::RiskId) -> String {
    format!("{RISKS_DIR}/{id}.md")
}

pub fn agent_path(id: &AgentId) -> String {
    format!("{AGENTS_DIR}/{id}.toml")
}

/// Whether `path` is exactly where [`task_path`] puts `id`'s record. A record anywhere else
/// (a misplaced file, a stray copy beside the real one) is not that task's record. Allocates
/// nothing: it runs for every task on every read.
pub fn is_task_path(path: &str, id: &TaskId) -> bool {
    path.strip_prefix(TASKS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(task_bucket(id.random_part())))
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(id.as_str()))
        == Some(".md")
}

/// Whether a file at `path` on the coordination branch is somewhere the layout keeps
/// records: the README, `agents/<name>.toml`, `<dir>/<name>.md` for the flat kinds, and
/// `tasks|messages/<bucket>/<name>.md`. Only the shape is judged; whether the name is a valid
/// ID, and whether a record sits in its own bucket, is for the record's loader to say.
/// Anything else is read by no command, so `doctor` reports it.
pub fn is_known_location(path: &str) -> bool {
    let mut parts = path.split('/');
    let (Some(first), second, third, None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let named = |name: &str, ext: &str| name.strip_suffix(ext).is_some_and(|n| !n.is_empty());
    match (first, second, third) {
        (README, None, None) => true,
        (AGENTS_DIR, Some(f), None) => named(f, ".toml"),
        (
            SCRATCHPADS_DIR | MILESTONES_DIR | CONFLICTS_DIR | RISKS_DIR | ADRS_DIR,
            Some(f),
            None,
        ) => named(f, ".md"),
        (TASKS_DIR | MESSAGES_DIR, Some(bucket), Some(f)) => {
            bucket.chars().count() == FAN_OUT && named(f, ".md")
        }
        _ => false,
    }
}

/// The task ID a path under `tasks/` names, if it is one.
pub fn task_id_from_path(path: &str) -> Option<TaskId> {
    let name = path.rsplit('/').next()?.strip_suffix(".md")?;
    TaskId::parse(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adrs_live_where_the_adr_record_says() {
        assert_eq!(ADRS_DIR, crate::model::adr::ADRS_DIR);
    }

    #[test]
    fn paths() {
        let id = TaskId::parse("t-4kz9w2").unwrap();
        assert_eq!(task_path(&id), "tasks/4k/t-4kz9w2.md");
        assert_eq!(task_id_from_path("tasks/4k/t-4kz9w2.md"), Some(id));
        assert_eq!(
            agent_path(&AgentId::parse("state").unwrap()),
            "agents/state.toml"
        );
    }

    #[test]
    fn task_records_belong_in_their_bucket() {
        let id = TaskId::parse("t-wr0ngd").unwrap();
        assert!(is_task_path("tasks/wr/t-wr0ngd.md", &id));
        for elsewhere in [
            "tasks/aa/t-wr0ngd.md",
            "tasks/zz/t-wr0ngd.md",
            "tasks/t-wr0ngd.md",
            "tasks/wr/x/t-wr0ngd.md",
            "tasks/wr/t-wr0ngd.md.md",
            "junk/wr/t-wr0ngd.md",
            "tasks/wr/t-wr0ngdx.md",
        ] {
            assert!(!is_task_path(elsewhere, &id), "{elsewhere}");
        }
    }

    #[test]
    fn known_locations() {
        for known in [
            "README.md",
            "agents/alice.toml",
            "scratchpads/alice.md",
            "adrs/0001-x.md",
            "conflicts/c-aaaaaa.md",
            "risks/r-aaaaaa.md",
            "milestones/m-aaaaaa.md",
            "tasks/aa/t-aaaaaa.md",
            "messages/aa/m-aaaaaa.md",
        ] {
            assert!(is_known_location(known), "{known}");
        }
        for unknown in [
            "junk/x.md",
            "tasks/readme.txt",
            "tasks/t-aaaaaa.md",
            "tasks/aa/notes.txt",
            "tasks/aa/b/t-aaaaaa.md",
            "tasks/abc/t-abcdef.md",
            "agents/alice.md",
            "notes.md",
            "adrs/.md",
        ] {
            assert!(!is_known_location(unknown), "{unknown}");
        }
    }
}
