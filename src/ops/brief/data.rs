/*!
What a brief holds, as plain data: what [`super::gather`] collects and the brief template
(`templates/brief.md`) renders. Text in it is already made safe to show
([`crate::model::text`]).
*/

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct BriefData {
    pub agent: AgentData,
    pub now: String,
    pub commit: String,
    pub owned: Vec<Owned>,
    pub tasks: Vec<TaskData>,
    pub ready: Vec<TaskData>,
    pub messages: Vec<MessageData>,
    pub conflicts: Vec<ConflictData>,
    pub integration: Vec<NoteData>,
    /// Accepted ADRs: the decisions every agent works within.
    pub decisions: Vec<DecisionData>,
}

#[derive(Debug, Serialize)]
pub struct DecisionData {
    /// `ADR-0007`.
    pub id: String,
    pub title: String,
    /// One line: the chosen option and why, when known.
    pub decision: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ConflictData {
    pub id: String,
    pub title: String,
    pub between: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AgentData {
    pub id: String,
    pub role: Option<String>,
    pub expertise: Vec<String>,
    pub branch: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Owned {
    pub pattern: String,
    pub task: String,
}

#[derive(Debug, Serialize)]
pub struct TaskData {
    pub id: String,
    pub title: String,
    pub status: String,
    pub priority: u8,
    pub estimate: Option<String>,
    pub due: Option<String>,
    pub blocked_reason: Option<String>,
    pub depends_on: Vec<DepData>,
    pub deliverables: Vec<String>,
    pub check: Option<String>,
    pub body: String,
}

#[derive(Debug, Serialize)]
pub struct DepData {
    pub id: String,
    pub title: String,
    pub status: String,
    pub assignee: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MessageData {
    pub id: String,
    pub from: String,
    pub subject: String,
    pub needs_reply: bool,
}

#[derive(Debug, Serialize)]
pub struct NoteData {
    pub agent: String,
    pub at: String,
    pub text: String,
}
