/*!
The agent registry (`agents/<id>.toml`): registering agents with a role and expertise, and
reading them back with their staleness.
*/

use super::authority::{Access, Authority, Holding};
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

/// The floor below which reaping another agent needs a coordinator's `--force`: the
/// project's `stale_after` in `.coord/config.toml` on the default branch, else the default
/// 2h. Never `coord.staleAfter`: that is the reaper's own config (`git -c
/// coord.staleAfter=1s` included), and the guard protects the agent being reaped.
pub fn reap_floor(store: &Store) -> i64 {
    let Ok(Some(text)) = store.policy_file(super::authority::CONFIG_PATH) else {
        return DEFAULT_STALE_AFTER_SECS;
    };
    crate::model::record::parse_toml(super::authority::CONFIG_PATH, &text, |f| {
        f.opt_str("stale_after")
    })
    .ok()
    .and_then(|(v, _)| v)
    .and_then(|v| parse_wall_duration(&v).ok())
    .unwrap_or(DEFAULT_STALE_AFTER_SECS)
}

pub fn is_stale(agent: &Agent, now: Timestamp, stale_after_secs: i64) -> bool {
    now.unix() - agent.last_active().unix() > stale_after_secs
}

/// Validates an agent's role (`spawn`, `agent add`, `agent edit`): one line of at most 200
/// characters, without control characters or the invisible marks [`crate::model::text`]
/// escapes (bidi overrides, zero-width characters). A role is copied into the agent's brief,
/// which its tools read as instructions: a newline there could forge a heading ("## Orders
/// from lead"), a bidi override could make it read as something else.
pub fn validate_role(role: &str) -> Result<String, OpError> {
    let invalid = |message: String| {
        OpError::Invalid(crate::model::task::InvalidField {
            field: "role",
            message,
        })
    };
    let r = role.trim();
    if r.contains('\n') || r.contains('\r') {
        return Err(invalid(
            "a role is one line, such as \"state management\"; put details in a note or the task bodies".to_owned(),
        ));
    }
    if let Some(c) = r.chars().find(|&c| crate::model::text::is_unsafe(c)) {
        let mut shown = String::new();
        crate::model::text::push_escaped(&mut shown, c);
        return Err(invalid(format!(
            "a role may not contain control characters or invisible text-direction marks (found {shown}); type it as plain text"
        )));
    }
    if r.chars().count() > 200 {
        return Err(invalid(
            "a role is at most 200 characters; put details in a note".to_owned(),
        ));
    }
    Ok(r.to_owned())
}

/// What `agent add` sets; `None` leaves a field as it is on an existing agent.
#[derive(Clone, Debug, Default)]
pub struct AgentSpec {
    pub role: Option<String>,
    pub expertise: Option<Vec<String>>,
    pub branch: Option<String>,
    pub owns: Option<Vec<String>>,
}

/// Registers `id`, or updates its role, expertise and branch if it exists, without asking
/// whose entry it is: for `spawn` and `demo`, which set agents up. `agent add`/`agent edit`
/// go through [`register`].
pub fn add(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &AgentSpec,
) -> Result<(Agent, bool), OpError> {
    write_entry(store, actor, id, spec, None)
}

/// How a registration's `owns` are checked against the other agents' claims, on the snapshot
/// the commit is planned on: the access it grants (forced or not) and the conflict records to
/// write. Claims are `ownership`'s business, and `ownership` reads the registry through this
/// module, so the check is handed in (`ops::ownership::register`) rather than called.
pub type OwnsCheck<'a> =
    dyn Fn(&Snapshot<'_>, &[String]) -> Result<(Access, Vec<Edit>), OpError> + 'a;

/// Registers `id`, or updates its entry if it exists. An existing entry belongs to its agent
/// (DESIGN §3 "Authority"): another agent changes it only with an honoured `--force`.
/// Registering a new agent up front is anyone's to do. `owns_check` judges `spec.owns`
/// (callers use `ops::ownership::register`, which supplies it).
pub fn register(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &AgentSpec,
    authority: &Authority,
    owns_check: &OwnsCheck<'_>,
) -> Result<(Agent, bool), OpError> {
    write_entry(store, actor, id, spec, Some((authority, owns_check)))
}

/// An agent's registered branch ties every commit on it to that agent (ADR 0011), so it
/// must name exactly one local branch that is the agent's alone. Returns the full refname
/// (`refs/heads/<name>`) to store, or `None` for no branch. Refused (exit 2): `HEAD` and
/// other pseudo-refs, remote-tracking names (`origin/main`, `refs/remotes/…`), names git
/// would resolve to something else first or as well (a tag or remote of the same name,
/// `heads/main`, `tags/…`), malformed names, and the default branch in any spelling or case
/// (second review H3: any of these let one agent block everyone's pushes).
pub fn registered_branch(store: &Store, branch: Option<&str>) -> Result<Option<String>, OpError> {
    let Some(branch) = branch.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let invalid = |why: String| {
        OpError::Invalid(crate::model::task::InvalidField {
            field: "branch",
            message: format!(
                "{why}. Give the agent a branch of its own (e.g. --branch agent/<name>)",
                why = crate::model::text::escape_unsafe(&why)
            ),
        })
    };
    let short = match branch.strip_prefix("refs/") {
        Some(rest) => rest.strip_prefix("heads/").ok_or_else(|| {
            invalid(format!(
                "{branch} is not a local branch (only refs/heads/… can be an agent's)"
            ))
        })?,
        None => branch,
    };
    let full = format!("refs/heads/{short}");
    if short.is_empty() || !store.ref_format_ok(&full) {
        return Err(invalid(format!("{branch} is not a valid branch name")));
    }
    let first = short.split('/').next().unwrap_or(short);
    if short.ends_with("HEAD") && short.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        || short.eq_ignore_ascii_case("HEAD")
    {
        return Err(invalid(format!(
            "{branch} names whatever is checked out, not a branch"
        )));
    }
    if ["heads", "tags", "remotes", "refs"].contains(&first)
        || store.remote_names().iter().any(|r| r == first)
    {
        return Err(invalid(format!(
            "{branch} reads as a reference other than refs/heads/{short} (a remote-tracking branch, a tag, or another namespace)"
        )));
    }
    for other in [
        format!("refs/{short}"),
        format!("refs/tags/{short}"),
        format!("refs/remotes/{short}"),
        format!("refs/remotes/{short}/HEAD"),
    ] {
        if store.ref_exists(&other) {
            return Err(invalid(format!(
                "{branch} is ambiguous: {other} exists too, and git may resolve the name to it"
            )));
        }
    }
    if let Some(default) = store.default_branch() {
        let default_short = default
            .rsplit_once('/')
            .map_or(default.as_str(), |(_, n)| n);
        if short.eq_ignore_ascii_case(&default) || short.eq_ignore_ascii_case(default_short) {
            return Err(invalid(format!(
                "{branch} is the default branch ({default}), where everyone's work is merged; registering it as one agent's branch would tie every commit on it to that agent"
            )));
        }
    }
    Ok(Some(full))
}

/// The registered branch as a full refname, for comparing: `refs/heads/…` as is, a short
/// name (an older record) under `refs/heads/`, anything else (`refs/remotes/…`) none.
pub fn branch_ref(registered: &str) -> Option<String> {
    let b = registered.trim();
    if b.is_empty() {
        return None;
    }
    match b.strip_prefix("refs/") {
        Some(rest) if rest.starts_with("heads/") => Some(b.to_owned()),
        Some(_) => None,
        None => Some(format!("refs/heads/{b}")),
    }
}

/// Refuses `full` when another agent than `id` registered it (compared without case, as a
/// case-insensitive filesystem would): one branch, one agent (exit 2, naming who).
fn refuse_taken_branch(snap: &Snapshot<'_>, id: &AgentId, full: &str) -> Result<(), OpError> {
    let (agents, _) = load(snap)?;
    if let Some(other) = agents.iter().find(|a| {
        a.id != *id
            && a.branch
                .as_deref()
                .and_then(branch_ref)
                .is_some_and(|b| b.eq_ignore_ascii_case(full))
    }) {
        return Err(OpError::Invalid(crate::model::task::InvalidField {
            field: "branch",
            message: format!(
                "{full} is already {}'s registered branch; one branch ties its commits to one agent. Give {id} a branch of its own (e.g. --branch agent/{id})",
                other.id
            ),
        }));
    }
    Ok(())
}

/// What an agent's registry entry is as an owned record.
pub fn holding(agent: &Agent) -> Holding {
    Holding {
        relation: "owned by",
        ..Holding::new(
            format!("{}'s registry entry", agent.id),
            vec![agent.id.clone()],
            Some(agent.registered),
        )
    }
}

fn write_entry(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &AgentSpec,
    guard: Option<(&Authority, &OwnsCheck<'_>)>,
) -> Result<(Agent, bool), OpError> {
    let authority = guard.map(|(a, _)| a);
    let branch = registered_branch(store, spec.branch.as_deref())?;
    let committed = store.update(&actor.author(), |snap| {
        let path = layout::agent_path(id);
        let existing = read(snap, id)?;
        if let Some(full) = &branch {
            refuse_taken_branch(snap, id, full)?;
        }
        let access = match (&existing, authority) {
            (Some(e), Some(a)) => a.check(&holding(e))?,
            _ => Access::Own,
        };
        let created = existing.is_none();
        let mut agent = existing.clone().unwrap_or_else(|| {
            if *id == actor.agent {
                Agent::new(id.clone(), actor.now)
            } else {
                Agent::added(id.clone(), actor.now)
            }
        });
        if let Some(r) = &spec.role {
            agent.role = Some(validate_role(r)?).filter(|r| !r.is_empty());
        }
        if let Some(e) = &spec.expertise {
            agent.expertise = crate::model::task::validate_entries("expertise", e)?;
        }
        let mut conflicts = Vec::new();
        let mut access = access;
        if let (Some(o), Some((_, check))) = (&spec.owns, guard) {
            // Owned paths become exclusive claims: one path, one holder (DESIGN §6).
            let (claimed, records) = check(snap, o)?;
            if claimed.is_forced() {
                access = claimed;
            }
            conflicts = records;
        }
        if let Some(o) = &spec.owns {
            for pattern in crate::ownership::pattern::validate_patterns("owns", o)? {
                if !agent.claims.iter().any(|c| c.pattern == pattern) {
                    agent.claims.push(crate::model::claim::Claim {
                        pattern,
                        mode: crate::model::claim::Mode::Exclusive,
                        since: actor.now,
                        until: None,
                        reason: None,
                    });
                }
            }
        }
        if spec.branch.is_some() {
            agent.branch = branch.clone();
        }
        if agent.id == actor.agent {
            agent.saw(actor.now);
        }
        let text = agent.to_text();
        if existing.is_some_and(|e| e.to_text() == text) {
            return Ok(Plan::Skip((agent, false)));
        }
        let op = if created { "agent-add" } else { "agent-edit" };
        let mut edits = vec![Edit::write(path, text)];
        edits.extend(conflicts);
        if agent.id != actor.agent {
            edits.extend(super::touch_agent(snap, actor)?);
        }
        let trailers: Vec<_> = access.trailer().into_iter().collect();
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message(op, id.as_str(), agent.role.as_deref(), actor, &trailers),
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

/// `checkin`: a heartbeat, optionally with a new status (`active`, `idle`, `blocked`,
/// `offline`) and a one-line note on what the agent is doing.
pub fn checkin(
    store: &Store,
    actor: &Actor,
    status: Option<&str>,
    note: Option<&str>,
) -> Result<Agent, OpError> {
    if let Some(s) = status
        && !STATUSES.contains(&s)
    {
        return Err(OpError::Invalid(crate::model::task::InvalidField {
            field: "status",
            message: format!(
                "unknown agent status {s:?}: use one of {}",
                STATUSES.join(", ")
            ),
        }));
    }
    let committed = store.update(&actor.author(), |snap| {
        let mut agent =
            read(snap, &actor.agent)?.unwrap_or_else(|| Agent::new(actor.agent.clone(), actor.now));
        agent.saw(actor.now);
        if let Some(s) = status {
            agent.status = s.to_owned();
        }
        if let Some(n) = note {
            agent.note = Some(n.trim().to_owned()).filter(|n| !n.is_empty());
        }
        let context = match (&agent.note, status) {
            (Some(n), _) => format!("{}: {n}", agent.status),
            (None, _) => agent.status.clone(),
        };
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message("checkin", actor.agent.as_str(), Some(&context), actor, &[]),
            edits: vec![Edit::write(
                layout::agent_path(&actor.agent),
                agent.to_text(),
            )],
            value: agent,
        })
    })?;
    Ok(committed.value)
}

/// The statuses an agent may report (`retired` is set by `agent retire` only).
pub const STATUSES: [&str; 4] = ["active", "idle", "blocked", "offline"];

/// One stale agent and what `reap` took back from it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reaped {
    pub agent: AgentId,
    /// `None`: registered by someone else and never acted.
    pub last_seen: Option<Timestamp>,
    /// Tasks returned to the queue (unassigned; `todo` unless blocked).
    pub tasks: Vec<crate::model::TaskId>,
}

/// Returns the open tasks of agents not seen for `stale_after_secs` to the queue (their file
/// claims go with the tasks), marks those agents offline, and tells the coordinator
/// (`coord.coordinator`, else everyone) by message — all in one commit. `dry_run` only reports.
///
/// Reaping takes what another agent holds, so it is guarded (ADR 0010): an agent stale by the
/// project's threshold (`configured_secs`, [`reap_floor`]) is anyone's to reap, but one
/// that a shorter `stale_after_secs` would catch was seen within the threshold and is still
/// its own — reaping it needs an honoured `--force`, decided per agent on the tip the commit
/// lands on (a dry run is refused the same way, so it shows what the real run would do).
pub fn reap(
    store: &Store,
    actor: &Actor,
    stale_after_secs: i64,
    configured_secs: i64,
    authority: &Authority,
    dry_run: bool,
) -> Result<Vec<Reaped>, OpError> {
    let stale = |a: &Agent| a.id != actor.agent && is_stale(a, actor.now, stale_after_secs);
    let gate = |a: &Agent| -> Result<Access, OpError> {
        if is_stale(a, actor.now, configured_secs) {
            return Ok(Access::Own);
        }
        let held = Holding {
            relation: "held by",
            ..Holding::new(
                format!(
                    "{}'s work (last seen {}, within the project's stale_after = {})",
                    a.id,
                    crate::model::time::seen_ago(Some(a.last_active()), actor.now),
                    wall_duration(configured_secs)
                ),
                vec![a.id.clone()],
                a.last_seen,
            )
        };
        Ok(authority.check(&held)?)
    };
    take_back(store, actor, &stale, &gate, "offline", "reap", dry_run, &[])
}

/// A threshold as `parse_wall_duration` reads it back (`2h`, `90m`, `45s`).
fn wall_duration(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `agent retire`: the agent leaves for good; its open tasks go back to the queue, its file
/// claims with them, and the coordinator is told — in one commit. An agent retires itself;
/// retiring another needs an honoured `--force` (checked before anything is written; an
/// entry's owner never changes, so the tip the commit lands on cannot disagree).
pub fn retire(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    authority: &Authority,
) -> Result<Reaped, OpError> {
    let snap = store.snapshot()?;
    let Some(entry) = read(&snap, id)? else {
        return Err(OpError::UnknownRecord {
            kind: "agent",
            given: id.to_string(),
        });
    };
    let access = authority.check(&holding(&entry))?;
    let trailers: Vec<_> = access.trailer().into_iter().collect();
    let which = |a: &Agent| &a.id == id;
    let own = |_: &Agent| Ok(Access::Own);
    let mut done = take_back(
        store, actor, &which, &own, "retired", "retire", false, &trailers,
    )?;
    Ok(done.pop().unwrap_or(Reaped {
        agent: id.clone(),
        last_seen: entry.last_seen,
        tasks: Vec::new(),
    }))
}

/// Takes back the open tasks of the agents `which` selects and gives them `status`; `gate`
/// decides, per selected agent and before anything is written, whether the actor may.
#[allow(clippy::too_many_arguments)]
fn take_back(
    store: &Store,
    actor: &Actor,
    which: &dyn Fn(&Agent) -> bool,
    gate: &dyn Fn(&Agent) -> Result<Access, OpError>,
    status: &str,
    op: &str,
    dry_run: bool,
    trailers: &[(&str, &str)],
) -> Result<Vec<Reaped>, OpError> {
    use crate::model::message::{Kind, Message, Recipient};
    let coordinator = store
        .config_string("coord.coordinator")
        .and_then(|c| AgentId::parse(c.trim()).ok());
    let committed = store.update(&actor.author(), |snap| {
        let (agents, _) = load(snap)?;
        let (tasks, _) = super::index::load(store, snap)?;
        let mut reaped = Vec::new();
        let mut edits = Vec::new();
        let mut forced: Option<AgentId> = None;
        for mut agent in agents {
            if !which(&agent) {
                continue;
            }
            if let Access::Forced { by } = gate(&agent)? {
                forced = Some(by);
            }
            let held: Vec<&crate::model::Task> = tasks
                .iter()
                .filter(|t| t.assignee.as_ref() == Some(&agent.id) && !t.status.is_closed())
                .collect();
            if held.is_empty() && agent.status == status {
                continue;
            }
            let mut ids = Vec::new();
            for t in held {
                // Rewrite from the record itself so hand-made fields survive.
                let Some(mut task) = super::read_task(snap, &t.id)? else {
                    continue;
                };
                task.assignee = None;
                task.claimed = None;
                if task.status != crate::model::Status::Blocked {
                    task.status = crate::model::Status::Todo;
                }
                task.updated = actor.now;
                edits.push(Edit::write(layout::task_path(&task.id), task.to_text()));
                ids.push(task.id);
            }
            agent.status = status.to_owned();
            edits.push(Edit::write(layout::agent_path(&agent.id), agent.to_text()));
            reaped.push(Reaped {
                agent: agent.id.clone(),
                last_seen: agent.last_seen,
                tasks: ids,
            });
        }
        if reaped.is_empty() || dry_run {
            return Ok(Plan::Skip(reaped));
        }
        let to = coordinator
            .clone()
            .map(Recipient::Agent)
            .unwrap_or(Recipient::All);
        let mut m = Message::new(
            super::memory::new_message_id(snap)?,
            actor.agent.clone(),
            to,
            match op {
                "reap" => format!("Reaped {} stale agent(s)", reaped.len()),
                _ => format!(
                    "Retired {}",
                    reaped
                        .iter()
                        .map(|r| r.agent.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            Kind::Fyi,
            actor.now,
        );
        m.body = reaped
            .iter()
            .map(|r| {
                let ids: Vec<&str> = r.tasks.iter().map(|t| t.as_str()).collect();
                format!(
                    "- {} (last seen {}): returned {}\n",
                    r.agent,
                    r.last_seen
                        .map_or_else(|| "never".to_owned(), |t| t.to_string()),
                    if ids.is_empty() {
                        "no tasks".to_owned()
                    } else {
                        ids.join(", ")
                    }
                )
            })
            .collect();
        edits.push(Edit::write(layout::message_path(&m.id), m.to_text()));
        edits.extend(super::touch_agent(snap, actor)?);
        let names: Vec<&str> = reaped.iter().map(|r| r.agent.as_str()).collect();
        let mut trailers = trailers.to_vec();
        if let Some(by) = &forced {
            trailers.push((super::authority::FORCED_BY, by.as_str()));
        }
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message(op, &names.join(","), None, actor, &trailers),
            edits,
            value: reaped,
        })
    })?;
    Ok(committed.value)
}

/// What `disown` takes from other agents: their rewritten registry entries, the patterns
/// released, and whether it was forced (for the commit's trailer).
#[derive(Debug)]
pub struct OthersReleased {
    pub edits: Vec<Edit>,
    pub released: Vec<String>,
    pub access: Access,
}

/// For `disown`: the claims on `patterns` (exactly as written) that other agents hold and the
/// acting agent does not. A file claim belongs to its agent, so each is refused (exit 3,
/// naming the holder and since when) unless `authority` forces; forced, they are dropped from
/// their holders' entries in the same commit as the agent's own.
pub fn release_others_claims(
    snap: &Snapshot<'_>,
    actor: &Actor,
    patterns: &[String],
    authority: &Authority,
) -> Result<OthersReleased, OpError> {
    let mut out = OthersReleased {
        edits: Vec::new(),
        released: Vec::new(),
        access: Access::Own,
    };
    let (agents, _) = load(snap)?;
    let wanted: Vec<&str> = patterns
        .iter()
        .map(|p| p.trim())
        .filter(|p| {
            !agents
                .iter()
                .any(|a| a.id == actor.agent && a.claims.iter().any(|c| c.pattern == *p))
        })
        .collect();
    for mut agent in agents.into_iter().filter(|a| a.id != actor.agent) {
        let mut dropped = Vec::new();
        for c in agent
            .claims
            .iter()
            .filter(|c| wanted.contains(&c.pattern.as_str()))
        {
            let held = Holding::new(
                format!("the claim on {}", c.pattern),
                vec![agent.id.clone()],
                Some(c.since),
            );
            out.access = authority.check(&held)?;
            dropped.push(c.pattern.clone());
        }
        if dropped.is_empty() {
            continue;
        }
        agent.claims.retain(|c| !dropped.contains(&c.pattern));
        out.edits
            .push(Edit::write(layout::agent_path(&agent.id), agent.to_text()));
        out.released.extend(
            dropped
                .into_iter()
                .map(|p| format!("{p} (of {})", agent.id)),
        );
    }
    Ok(out)
}
