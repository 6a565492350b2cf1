/*!
Milestone gates: run a milestone's criteria and record GO or NO-GO on its record.

The criteria come from the coordination branch, so they run only here, when someone asks
(`git coord gate`), in the caller's worktree, through the same runner as a task's `check`.
Every criterion runs even after one fails, so the record says which of them fail. The decision
is GO when the milestone has criteria and all of them pass; the milestone's open tasks are
recorded as evidence but do not decide.
*/

use std::path::Path;
use std::time::Instant;

use super::{Actor, OpError, commit_message, index, milestone, record_dir};
use crate::model::gate::{CriterionResult, Gate};
use crate::model::milestone::{Milestone, MilestoneId};
use crate::model::{RecordError, Task, TaskId};
use crate::store::Store;

/// A milestone as read before a gate runs its criteria.
#[derive(Debug)]
pub struct Subject {
    pub milestone: Milestone,
    /// Its tasks that are neither done nor cancelled, by ID.
    pub open_tasks: Vec<TaskId>,
    /// Task records that could not be read (skipped).
    pub problems: Vec<RecordError>,
}

/// Resolves a milestone (full ID or unique prefix) and reads it with its open tasks.
pub fn subject(store: &Store, given: &str) -> Result<Subject, OpError> {
    let snap = store.snapshot()?;
    let milestone: Milestone = record_dir::find(&snap, given)?;
    let (tasks, problems) = index::load(store, &snap)?;
    Ok(Subject {
        open_tasks: open_tasks(&tasks, &milestone.id),
        milestone,
        problems,
    })
}

fn open_tasks(tasks: &[Task], id: &MilestoneId) -> Vec<TaskId> {
    let mut open: Vec<TaskId> = tasks
        .iter()
        .filter(|t| milestone::belongs(t, id) && !t.status.is_closed())
        .map(|t| t.id.clone())
        .collect();
    open.sort();
    open
}

/// Runs each criterion in order with `sh -c` in `dir` (output on stderr), calling
/// `before(index, command)` just before it starts and `after(result)` when it ends.
pub fn run_criteria(
    criteria: &[String],
    dir: &Path,
    mut before: impl FnMut(usize, &str),
    mut after: impl FnMut(&CriterionResult),
) -> std::io::Result<Vec<CriterionResult>> {
    let mut results = Vec::with_capacity(criteria.len());
    for (i, command) in criteria.iter().enumerate() {
        before(i, command);
        let started = Instant::now();
        let run = super::check::run(command, dir)?;
        let result = CriterionResult {
            command: command.clone(),
            passed: run.success,
            exit_code: run.code,
            seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        };
        after(&result);
        results.push(result);
    }
    Ok(results)
}

/// What [`record`] wrote.
#[derive(Debug)]
pub struct Recorded {
    /// The milestone as committed, its new gate last.
    pub milestone: Milestone,
    pub gate: Gate,
    pub problems: Vec<RecordError>,
}

/// Records a gate run on milestone `id` in one commit: the decision from `criteria`, and the
/// milestone's open tasks as they are on the tip the commit is made on.
pub fn record(
    store: &Store,
    actor: &Actor,
    id: &MilestoneId,
    criteria: Vec<CriterionResult>,
) -> Result<Recorded, OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut milestone = milestone::read(snap, id)?
            .ok_or_else(|| record_dir::unknown::<Milestone>(id.as_str()))?;
        let (tasks, problems) = index::load(store, snap)?;
        let gate = Gate {
            at: actor.now,
            by: Some(actor.agent.clone()),
            result: Gate::decide(&criteria),
            criteria: criteria.clone(),
            open_tasks: open_tasks(&tasks, id),
        };
        milestone.gates.push(gate.clone());
        milestone.updated = milestone.updated.max(actor.now);
        let summary = format!(
            "{}: {} of {} criteria passed, {} open task(s)",
            gate.result.label(),
            gate.passed(),
            gate.criteria.len(),
            gate.open_tasks.len()
        );
        let message = commit_message(
            "gate",
            id.as_str(),
            Some(&summary),
            actor,
            &[("Coord-Gate", gate.result.as_str())],
        );
        let edits = vec![record_dir::write(&milestone)];
        record_dir::plan(
            snap,
            actor,
            message,
            edits,
            Recorded {
                milestone,
                gate,
                problems,
            },
        )
    })?;
    Ok(committed.value)
}
