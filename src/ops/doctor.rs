/*!
`doctor`: validates every record, dependency edge and claim on the coordination branch, and
reports files that are not where the layout keeps records (misplaced, duplicated, or in a
directory no command reads).
*/

use std::collections::HashSet;

use serde::Serialize;

use super::{OpError, load_tasks};
use crate::graph::TaskGraph;
use crate::model::layout;
use crate::store::{Snapshot, Store};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub commit: String,
    pub tasks: usize,
    pub agents: usize,
    pub problems: Vec<Problem>,
}

pub fn run(store: &Store) -> Result<Report, OpError> {
    let snap = store.snapshot()?;
    let mut problems = Vec::new();
    let (tasks, bad) = load_tasks(&snap)?;
    problems.extend(bad.into_iter().map(record_problem));

    let (registered, bad_agents) = super::agent::load(&snap)?;
    problems.extend(bad_agents.into_iter().map(record_problem));
    // Registered by someone else and silent since: a typo, or an agent that never started.
    for a in registered.iter().filter(|a| a.last_seen.is_none()) {
        problems.push(Problem {
            severity: Severity::Warning,
            path: layout::agent_path(&a.id),
            line: None,
            message: format!(
                "agent {} has never acted since it was registered on {}: a typo, or an agent that never started? (`git coord agent retire {}` removes it)",
                a.id, a.registered, a.id
            ),
        });
    }
    let agents: Vec<_> = registered.into_iter().map(|a| a.id).collect();

    let (milestones, bad_milestones) = super::milestone::load_milestones(&snap)?;
    problems.extend(bad_milestones.into_iter().map(record_problem));
    let (_, bad_messages) = super::memory::load_messages(&snap)?;
    problems.extend(bad_messages.into_iter().map(record_problem));
    let (conflicts, bad_conflicts) = super::conflict::load_conflicts(&snap)?;
    problems.extend(bad_conflicts.into_iter().map(record_problem));
    let (_, bad_risks) = super::risk::load_risks(&snap)?;
    problems.extend(bad_risks.into_iter().map(record_problem));
    let (adrs, bad_adrs) = super::adr::load_adrs(&snap)?;
    problems.extend(bad_adrs.into_iter().map(record_problem));
    for adr in &adrs {
        for old in adr
            .supersedes
            .iter()
            .filter(|n| !adrs.iter().any(|a| a.number == **n))
        {
            problems.push(warning(
                &adr.path(),
                format!("{} supersedes {old}, which does not exist", adr.number),
            ));
        }
    }

    stray_scratchpads(&snap, &mut problems)?;
    unknown_files(&snap, &mut problems)?;

    let graph = TaskGraph::new(&tasks);
    for task in &tasks {
        let path = layout::task_path(&task.id);
        for dep in &task.depends_on {
            if dep == &task.id {
                problems.push(error(&path, format!("{} depends on itself", task.id)));
            } else if !graph.contains(dep) {
                problems.push(error(
                    &path,
                    format!(
                        "{} depends on {dep}, which does not exist; remove it with `git coord task dep rm {} {dep}`",
                        task.id, task.id
                    ),
                ));
            }
        }
        if let Some(a) = &task.assignee
            && !agents.contains(a)
        {
            problems.push(warning(
                &path,
                format!("{} is assigned to {a}, who is not in the registry", task.id),
            ));
        }
        if let Some(m) = &task.milestone
            && m.starts_with("m-")
            && !milestones.iter().any(|x| x.id.as_str() == m)
        {
            problems.push(warning(
                &path,
                format!("{} names milestone {m}, which does not exist", task.id),
            ));
        }
        if task.status == crate::model::Status::InProgress && task.assignee.is_none() {
            problems.push(warning(
                &path,
                format!("{} is in progress but nobody is assigned", task.id),
            ));
        }
    }
    for conflict in &conflicts {
        for action in conflict.actions.iter().filter(|a| !graph.contains(&a.task)) {
            problems.push(warning(
                &layout::conflict_path(&conflict.id),
                format!(
                    "{}'s action {:?} names task {}, which does not exist",
                    conflict.id, action.text, action.task
                ),
            ));
        }
    }
    for cycle in graph.cycles().into_iter().filter(|c| c.len() > 1) {
        let ids: Vec<&str> = cycle.iter().map(|i| i.as_str()).collect();
        problems.push(error(
            &layout::task_path(&cycle[0]),
            format!(
                "dependency cycle: {}; remove one edge with `git coord task dep rm`",
                ids.join(" → ")
            ),
        ));
    }
    problems.extend(claim_overlaps(store, &snap, &conflicts)?);
    problems.extend(lock_problems(store));
    problems.extend(checked_out_problems(store));
    Ok(Report {
        ok: !problems.iter().any(|p| p.severity == Severity::Error),
        commit: snap.tip().commit.to_string(),
        tasks: tasks.len(),
        agents: agents.len(),
        problems,
    })
}

/// Two agents' live exclusive claims that overlap (DESIGN §6: one path, one exclusive
/// holder). Every command refuses to make such a pair without a coordinator's `--force`, which
/// opens a conflict record; a pair with an open conflict between the two agents is that
/// recorded dispute (a warning), any other pair is an error: a hand edit, or an older version
/// of the tool, gave both of them the files.
fn claim_overlaps(
    store: &Store,
    snap: &Snapshot<'_>,
    conflicts: &[crate::model::conflict::Conflict],
) -> Result<Vec<Problem>, OpError> {
    use crate::model::claim::Mode;
    use crate::ownership::claims::Source;
    // Which claims are live depends on the time (`--ttl`); doctor's callers pass none, so
    // the clock is read here, honouring GIT_COORD_NOW like every command.
    let now = crate::clock::Clock::from_env()
        .unwrap_or_else(|_| crate::clock::Clock::system())
        .now();
    let set = super::ownership::claim_set(store, snap, now)?;
    let exclusive: Vec<_> = set
        .held
        .iter()
        .filter(|h| h.mode == Mode::Exclusive)
        .collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, a) in exclusive.iter().enumerate() {
        for b in &exclusive[i + 1..] {
            if a.agent == b.agent || !a.pattern.overlaps(&b.pattern) {
                continue;
            }
            let key = (
                a.agent.clone(),
                a.pattern.as_str().to_owned(),
                b.agent.clone(),
                b.pattern.as_str().to_owned(),
            );
            if !seen.insert(key) {
                continue;
            }
            let path = |h: &crate::ownership::claims::Held| match &h.source {
                Source::Agent => layout::agent_path(&h.agent),
                Source::Task(id) => layout::task_path(id),
            };
            let disputed = conflicts.iter().find(|c| {
                c.status == crate::model::conflict::ConflictStatus::Open
                    && c.between.contains(&a.agent)
                    && c.between.contains(&b.agent)
            });
            let shown = |s: &str| crate::model::text::escape_unsafe(s).into_owned();
            let what = format!(
                "{} and {} both hold overlapping files exclusively: {} ({}) and {} ({})",
                a.agent,
                b.agent,
                shown(a.pattern.as_str()),
                path(a),
                shown(b.pattern.as_str()),
                path(b)
            );
            out.push(match disputed {
                Some(c) => warning(
                    &path(b),
                    format!("{what}; disputed in conflict {}", c.id),
                ),
                None => error(
                    &path(b),
                    format!(
                        "{what}; one path has one exclusive holder: one of them releases it (`git coord disown`, `git coord release`), or a coordinator decides"
                    ),
                ),
            });
        }
    }
    Ok(out)
}

/// Files no command reads (`junk/x.md`, `tasks/readme.txt`): a record put there by hand is
/// silently ignored by everything else, so doctor names each one. Files a loader already
/// reported (a task outside its bucket) are not reported twice.
fn unknown_files(snap: &Snapshot<'_>, problems: &mut Vec<Problem>) -> Result<(), OpError> {
    let reported: HashSet<String> = problems.iter().map(|p| p.path.clone()).collect();
    for (path, _) in snap.walk("")? {
        if layout::is_known_location(&path) || reported.contains(&path) {
            continue;
        }
        problems.push(error(
            &path,
            "no git coord record lives here, so every command ignores this file: move the record where its kind belongs (tasks/<2 characters of its ID>/<id>.md, agents/<name>.toml, adrs/, conflicts/, messages/, milestones/, risks/, scratchpads/) or remove it".to_owned(),
        ));
    }
    Ok(())
}

/// Scratchpads are read only by their agent's name (`scratchpads/<agent>.md`), so a file
/// there whose name is no agent ID is read by nobody. (Deeper files are unknown locations.)
fn stray_scratchpads(snap: &Snapshot<'_>, problems: &mut Vec<Problem>) -> Result<(), OpError> {
    for entry in snap.list(layout::SCRATCHPADS_DIR)? {
        let Some(name) = entry.name.strip_suffix(".md") else {
            continue;
        };
        if entry.is_dir || crate::model::AgentId::parse(name).is_ok() {
            continue;
        }
        problems.push(error(
            &format!("{}/{}", layout::SCRATCHPADS_DIR, entry.name),
            format!(
                "{name:?} is not an agent ID, so no agent's scratchpad is read from this file and it is ignored: rename it to {}/<agent>.md or remove it",
                layout::SCRATCHPADS_DIR
            ),
        ));
    }
    Ok(())
}

/// A stale lock a write waits on (the branch's, or `packed-refs.lock`; left by a killed
/// writer, or dated in the future): the next write removes it, but it is worth knowing why
/// writes paused. A fresh lock is a live writer and not a problem.
fn lock_problems(store: &Store) -> Vec<Problem> {
    use crate::store::LockAge;
    let settings = match store.lock_settings() {
        Ok(s) => s,
        Err(e) => return vec![error("git config", e.to_string())],
    };
    let mut problems = Vec::new();
    for lock in store.write_locks(&settings).into_iter().filter(|l| l.stale) {
        let when = match lock.age {
            LockAge::Past(age) => format!("{}s old", age.as_secs()),
            LockAge::Future(ahead) => format!("dated {}s in the future", ahead.as_secs()),
        };
        problems.push(warning(
            &lock.path.display().to_string(),
            format!(
                "stale lock on the coordination branch ({when}, left by a writer that died or a wrong clock); the next write removes it, or remove it now with `rm {}`",
                lock.path.display()
            ),
        ));
    }
    problems
}

/// Worktrees that have the coordination branch checked out: each write moves the branch
/// under them, so they look dirty (the same warning every write prints once).
fn checked_out_problems(store: &Store) -> Vec<Problem> {
    store
        .worktrees_on_branch()
        .into_iter()
        .map(|(path, main)| {
            let message = crate::store::checked_out_warning(store.branch_short(), &path, main);
            warning(&path.display().to_string(), message)
        })
        .collect()
}

fn record_problem(e: crate::model::RecordError) -> Problem {
    Problem {
        severity: Severity::Error,
        path: e.path,
        line: e.line,
        message: e.message,
    }
}

fn error(path: &str, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        path: path.to_owned(),
        line: None,
        message,
    }
}

fn warning(path: &str, message: String) -> Problem {
    Problem {
        severity: Severity::Warning,
        ..error(path, message)
    }
}
