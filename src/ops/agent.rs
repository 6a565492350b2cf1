/*!
The agent registry (`agents/<id>.toml`): registering agents with a role and expertise, and
reading them back with their staleness.
*/

use super::{Actor, OpError, commit_message};
use crate::model::layout::{self, AGENTS_DIR};
use crate::model::time::parse_wall_duration;
use crate::model::{Agent, AgentId, RecordError, Timestamp};
use crate::store::{Edit, Plan, Snapshot, Store};

/// How long an agent may go unseen before it counts as stale (config `coord.staleAfter`).
pub const DEFAULT_STALE_AFTER_SECS: i64 = 2 * 3600;

/// `coord.staleAfter` in seconds, or the default when unset or malformed.
pub fn stale_after(store: &Store) -> i64 {
    store
        .config_string("coord.staleAfter")
        .and_then(|v| parse_wall_duration(&v).ok())
        .unwrap_or(DEFAULT_STALE_AFTER_SECS)
}

pub fn is_stale(agent: &Agent, now: Timestamp, stale_after_secs: i64) -> bool {
    now.unix() - agent.last_seen.unix() > stale_after_secs
}

/// What `agent add` sets; `None` leaves a field as it is on an existing agent.
#[derive(Clone, Debug, Default)]
pub struct AgentSpec {
    pub role: Option<String>,
    pub expertise: Option<Vec<String>>,
    pub branch: Option<String>,
}

/// Registers `id`, or updates its role, expertise and branch if it exists.
pub fn add(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &AgentSpec,
) -> Result<(Agent, bool), OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let path = layout::agent_path(id);
        let existing = read(snap, id)?;
        let created = existing.is_none();
        let mut agent = existing
            .clone()
            .unwrap_or_else(|| Agent::new(id.clone(), actor.now));
        if let Some(r) = &spec.role {
            agent.role = Some(r.clone()).filter(|r| !r.trim().is_empty());
        }
        if let Some(e) = &spec.expertise {
            agent.expertise = crate::model::task::validate_entries("expertise", e)?;
        }
        if let Some(b) = &spec.branch {
            agent.branch = Some(b.clone()).filter(|b| !b.trim().is_empty());
        }
        if agent.id == actor.agent {
            agent.last_seen = agent.last_seen.max(actor.now);
        }
        let text = agent.to_text();
        if existing.is_some_and(|e| e.to_text() == text) {
            return Ok(Plan::Skip((agent, false)));
        }
        let op = if created { "agent-add" } else { "agent-edit" };
        let mut edits = vec![Edit::write(path, text)];
        if agent.id != actor.agent {
            edits.extend(super::touch_agent(snap, actor)?);
        }
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message(op, id.as_str(), agent.role.as_deref(), actor, &[]),
            edits,
            value: (agent, created),
        })
    })?;
    Ok(committed.value)
}

/// One agent's registry entry, if it has one.
pub fn read(snap: &Snapshot<'_>, id: &AgentId) -> Result<Option<Agent>, OpError> {
    let path = layout::agent_path(id);
    match snap.read_text(&path)? {
        None => Ok(None),
        Some(text) => Ok(Some(Agent::parse(&path, &text)?)),
    }
}

/// Every registered agent, sorted by ID, and the entries that could not be read.
pub fn load(snap: &Snapshot<'_>) -> Result<(Vec<Agent>, Vec<RecordError>), OpError> {
    let mut agents = Vec::new();
    let mut problems = Vec::new();
    for (path, blob) in snap.walk(AGENTS_DIR)? {
        let parsed = String::from_utf8(snap.read_blob(blob, &path)?)
            .map_err(|_| RecordError {
                path: path.clone(),
                line: None,
                message: "the file is not valid UTF-8".to_owned(),
            })
            .and_then(|text| Agent::parse(&path, &text));
        match parsed {
            Ok(a) if layout::agent_path(&a.id) == path => agents.push(a),
            Ok(a) => problems.push(RecordError {
                path,
                line: None,
                message: format!("its id {} does not match its file name", a.id),
            }),
            Err(e) => problems.push(e),
        }
    }
    agents.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((agents, problems))
}
