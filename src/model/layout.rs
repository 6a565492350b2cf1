/*!
Where each record lives on the coordination branch.

Task records fan out by the first two characters of their random part
(`tasks/4k/t-4kz9w2.md`) so that no tree on the branch grows past a few thousand entries, and
a write rewrites only small trees however many tasks there are.
*/

use super::id::{AgentId, TaskId};

pub const TASKS_DIR: &str = "tasks";
pub const AGENTS_DIR: &str = "agents";
pub const MILESTONES_DIR: &str = "milestones";
pub const SCRATCHPADS_DIR: &str = "scratchpads";
pub const MESSAGES_DIR: &str = "messages";
pub const CONFLICTS_DIR: &str = "conflicts";
pub const RISKS_DIR: &str = "risks";
pub const README: &str = "README.md";

/// Characters of the random part used for the fan-out directory.
pub const FAN_OUT: usize = 2;

pub fn task_path(id: &TaskId) -> String {
    format!("{TASKS_DIR}/{}/{id}.md", task_bucket(id.random_part()))
}

/// The fan-out directory name for a random part (or a prefix of one at least [`FAN_OUT`] long).
pub fn task_bucket(random: &str) -> &str {
    &random[..FAN_OUT.min(random.len())]
}

pub fn milestone_path(id: &super::milestone::MilestoneId) -> String {
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

/// The task ID a path under `tasks/` names, if it is one.
pub fn task_id_from_path(path: &str) -> Option<TaskId> {
    let name = path.rsplit('/').next()?.strip_suffix(".md")?;
    TaskId::parse(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
