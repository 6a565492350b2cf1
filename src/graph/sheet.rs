/*!
The plan at a glance: one compact row per task with what the schedule, the capacity forecast,
the dispatch advice and the status counts are computed from (status, hours, priority, age,
claim time, due date, assignee, milestone, expertise, dependencies, timing), and none of what
only a rendering prints (titles, bodies, reasons). IDs are rows; names are indices into small
tables.

The task view (`ops::index`) keeps a sheet for every commit it serves, so `status` at 100,000
tasks counts, forecasts and advises without decoding a record, and decodes only the rows it
prints (ADR 0025). A state built in memory makes one with [`Sheet::of`].
*/

use serde::{Deserialize, Serialize};

use super::{Schedule, TaskGraph, Timing};
use crate::model::{Status, Task, TaskId};

/// No name: an unassigned task, or one outside any milestone.
pub const NONE: u32 = u32::MAX;

/// Every task of one plan, by row (see the module documentation).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sheet {
    /// IDs in row order, concatenated; row `i`'s ends at `ends[i]`.
    ids: String,
    ends: Vec<u32>,
    status: Vec<Status>,
    /// The estimate, or the default estimate the sheet was made with.
    hours: Vec<f64>,
    priority: Vec<u8>,
    /// Creation time, in seconds.
    created: Vec<i64>,
    /// When it was claimed, in seconds.
    claimed: Vec<Option<i64>>,
    due: Vec<Option<i64>>,
    /// Index into `names`, or [`NONE`].
    assignee: Vec<u32>,
    names: Vec<String>,
    /// Index into `milestones`, or [`NONE`].
    milestone: Vec<u32>,
    milestones: Vec<String>,
    /// Row `i`'s expertise is `expertise[exp_ends[i - 1]..exp_ends[i]]`, indices into `tags`.
    exp_ends: Vec<u32>,
    expertise: Vec<u16>,
    tags: Vec<String>,
    /// Row `i`'s dependencies that are tasks of the plan, as rows, likewise.
    dep_ends: Vec<u32>,
    deps: Vec<u32>,
    /// The schedule: the earliest start and latest finish of every open task not on or
    /// behind a cycle (NaN for the others); the rest of its [`Timing`] follows from them
    /// and its hours.
    earliest_start: Vec<f64>,
    latest_finish: Vec<f64>,
    critical_path: Vec<u32>,
    total_hours: f64,
    unscheduled: Vec<u32>,
}

fn index_of(table: &mut Vec<String>, name: &str) -> u32 {
    match table.iter().position(|n| n == name) {
        Some(i) => i as u32,
        None => {
            table.push(name.to_owned());
            (table.len() - 1) as u32
        }
    }
}

fn span(ends: &[u32], row: usize) -> std::ops::Range<usize> {
    let start = if row == 0 { 0 } else { ends[row - 1] as usize };
    start..ends[row] as usize
}

impl Sheet {
    /// The sheet of `tasks`, with their schedule computed.
    pub fn of(tasks: &[Task], default_hours: f64) -> Sheet {
        let schedule = TaskGraph::new(tasks).schedule(default_hours);
        Sheet::new(tasks, &schedule, default_hours)
    }

    /// The sheet of `tasks`, whose schedule is `schedule`.
    pub fn new(tasks: &[Task], schedule: &Schedule, default_hours: f64) -> Sheet {
        let mut s = Sheet {
            ends: Vec::with_capacity(tasks.len()),
            ..Sheet::default()
        };
        let mut rows: rustc_hash::FxHashMap<&TaskId, u32> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(tasks.len(), Default::default());
        for (i, t) in tasks.iter().enumerate() {
            s.ids.push_str(t.id.as_str());
            s.ends.push(s.ids.len() as u32);
            rows.insert(&t.id, i as u32);
        }
        let row = |id: &TaskId| rows.get(id).copied();
        for t in tasks {
            s.status.push(t.status);
            s.hours.push(t.hours(default_hours));
            s.priority.push(t.priority);
            s.created.push(t.created.unix());
            s.claimed.push(t.claimed.map(|c| c.unix()));
            s.due.push(t.due.map(|d| d.unix()));
            let assignee = t
                .assignee
                .as_ref()
                .map(|a| index_of(&mut s.names, a.as_str()));
            s.assignee.push(assignee.unwrap_or(NONE));
            let milestone = t
                .milestone
                .as_deref()
                .map(|m| index_of(&mut s.milestones, m));
            s.milestone.push(milestone.unwrap_or(NONE));
            for e in &t.expertise {
                let tag = index_of(&mut s.tags, e);
                s.expertise.push(tag as u16);
            }
            s.exp_ends.push(s.expertise.len() as u32);
            s.deps.extend(t.depends_on.iter().filter_map(row));
            s.dep_ends.push(s.deps.len() as u32);
            let timing = schedule.timing.get(&t.id);
            s.earliest_start
                .push(timing.map_or(f64::NAN, |t| t.earliest_start));
            s.latest_finish
                .push(timing.map_or(f64::NAN, |t| t.latest_finish));
        }
        s.critical_path = schedule.critical_path.iter().filter_map(row).collect();
        s.unscheduled = schedule.unscheduled.iter().filter_map(row).collect();
        s.total_hours = schedule.total_hours;
        s
    }

    /// Brings row `row` up to date with `task`, a new version of its task that keeps what
    /// the schedule is made of (open or closed, estimate, dependencies, priority, age,
    /// expertise, due date): its status, assignee, claim and milestone.
    pub fn update(&mut self, row: usize, task: &Task) {
        self.status[row] = task.status;
        self.claimed[row] = task.claimed.map(|c| c.unix());
        self.assignee[row] = match &task.assignee {
            Some(a) => index_of(&mut self.names, a.as_str()),
            None => NONE,
        };
        self.milestone[row] = match &task.milestone {
            Some(m) => index_of(&mut self.milestones, m),
            None => NONE,
        };
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The ID of row `row`.
    pub fn id(&self, row: usize) -> &str {
        &self.ids[span(&self.ends, row)]
    }

    /// The ID of row `row`, as a task ID.
    pub fn task_id(&self, row: usize) -> TaskId {
        // Every ID of a sheet came from a parsed task.
        TaskId::trusted(self.id(row))
    }

    pub fn status(&self, row: usize) -> Status {
        self.status[row]
    }

    /// Its estimate, or the default estimate.
    pub fn hours(&self, row: usize) -> f64 {
        self.hours[row]
    }

    pub fn priority(&self, row: usize) -> u8 {
        self.priority[row]
    }

    /// Creation time, in seconds.
    pub fn created(&self, row: usize) -> i64 {
        self.created[row]
    }

    /// When it was claimed, in seconds.
    pub fn claimed(&self, row: usize) -> Option<i64> {
        self.claimed[row]
    }

    /// Its due date, in seconds.
    pub fn due(&self, row: usize) -> Option<i64> {
        self.due[row]
    }

    /// The name of its assignee.
    pub fn assignee(&self, row: usize) -> Option<&str> {
        self.names
            .get(self.assignee[row] as usize)
            .map(String::as_str)
    }

    /// Its assignee as an index into [`Sheet::names`], or [`NONE`].
    pub fn assignee_index(&self, row: usize) -> u32 {
        self.assignee[row]
    }

    /// Every assignee's name, by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Its milestone as an index into [`Sheet::milestones`], or [`NONE`].
    pub fn milestone_index(&self, row: usize) -> u32 {
        self.milestone[row]
    }

    /// The index of milestone `id` in [`Sheet::milestone_index`]'s table, if a task names it.
    pub fn milestone_named(&self, id: &str) -> Option<u32> {
        self.milestones
            .iter()
            .position(|m| m == id)
            .map(|i| i as u32)
    }

    /// Its expertise, as indices into [`Sheet::tags`].
    pub fn expertise(&self, row: usize) -> &[u16] {
        &self.expertise[span(&self.exp_ends, row)]
    }

    /// Its expertise, as tags.
    pub fn expertise_tags(&self, row: usize) -> Vec<String> {
        self.expertise(row)
            .iter()
            .map(|&t| self.tags[t as usize].clone())
            .collect()
    }

    /// Every expertise tag a task asks for, by index.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Which of [`Sheet::tags`] an agent with `expertise` has.
    pub fn has(&self, expertise: &[String]) -> Vec<bool> {
        self.tags.iter().map(|t| expertise.contains(t)).collect()
    }

    /// Whether an agent that has the tags `has` ([`Sheet::has`]) can take row `row`: the
    /// rule of [`super::fits`].
    pub fn fits(&self, row: usize, has: &[bool]) -> bool {
        self.expertise(row).iter().all(|&t| has[t as usize])
    }

    /// Its dependencies that are tasks of the plan, as rows.
    pub fn deps(&self, row: usize) -> &[u32] {
        &self.deps[span(&self.dep_ends, row)]
    }

    /// Its timing in the schedule; `None` for a closed task, or one on or behind a cycle.
    /// Computed as [`TaskGraph::schedule`] computes it, so it is the same to the bit.
    pub fn timing(&self, row: usize) -> Option<Timing> {
        let (e, f) = (self.earliest_start[row], self.latest_finish[row]);
        if e.is_nan() {
            return None;
        }
        let h = self.hours[row];
        Some(Timing {
            hours: h,
            earliest_start: e,
            earliest_finish: e + h,
            latest_start: f - h,
            latest_finish: f,
            slack: super::slack(e, f, h),
        })
    }

    /// Its slack in the schedule ([`Sheet::timing`]), without the rest.
    pub fn slack(&self, row: usize) -> Option<f64> {
        let (e, f) = (self.earliest_start[row], self.latest_finish[row]);
        (!e.is_nan()).then(|| super::slack(e, f, self.hours[row]))
    }

    /// The critical path's rows, first to last.
    pub fn critical_path(&self) -> &[u32] {
        &self.critical_path
    }

    /// Hours until all scheduled work is finished.
    pub fn total_hours(&self) -> f64 {
        self.total_hours
    }

    /// Open rows on or behind a dependency cycle, by ID.
    pub fn unscheduled(&self) -> &[u32] {
        &self.unscheduled
    }

    /// The schedule as [`TaskGraph::schedule`] computed it, keyed by ID.
    pub fn schedule(&self) -> Schedule {
        let ids = |rows: &[u32]| rows.iter().map(|&r| self.task_id(r as usize)).collect();
        Schedule {
            timing: (0..self.len())
                .filter_map(|r| Some((self.task_id(r), self.timing(r)?)))
                .collect(),
            critical_path: ids(&self.critical_path),
            total_hours: self.total_hours,
            unscheduled: ids(&self.unscheduled),
        }
    }

    /// Open hours and open tasks of each assignee, by index into [`Sheet::names`].
    pub fn loads(&self) -> Vec<(f64, usize)> {
        let mut out = vec![(0.0, 0); self.names.len()];
        for row in 0..self.len() {
            if let Some(load) = out.get_mut(self.assignee[row] as usize)
                && !self.status[row].is_closed()
            {
                load.0 += self.hours[row];
                load.1 += 1;
            }
        }
        out
    }

    /// The index of `agent` in [`Sheet::names`], if it holds or held any task.
    pub fn name_index(&self, agent: &str) -> Option<u32> {
        self.names.iter().position(|n| n == agent).map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentId, NewTask, Timestamp};

    fn task(id: &str, after: &[&str], expertise: &[&str]) -> Task {
        Task::new(
            TaskId::parse(id).expect("ID"),
            NewTask {
                title: id.to_owned(),
                estimate_hours: Some(2.0),
                depends_on: after
                    .iter()
                    .map(|a| TaskId::parse(a).expect("ID"))
                    .collect(),
                expertise: expertise.iter().map(|e| e.to_string()).collect(),
                milestone: Some("m-aaaaaa".to_owned()),
                ..NewTask::default()
            },
            Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").expect("time"),
        )
        .expect("task")
    }

    #[test]
    fn a_sheet_holds_each_row_and_the_schedule_of_its_tasks() {
        let mut a = task("t-aaaaaa", &[], &["rust"]);
        a.assignee = Some(AgentId::parse("ana").expect("ID"));
        let b = task("t-bbbbbb", &["t-aaaaaa", "t-zzzzzz"], &["rust", "sql"]);
        let tasks = vec![a, b];
        let sheet = Sheet::of(&tasks, 1.0);
        assert_eq!(sheet.len(), 2);
        assert_eq!(sheet.id(1), "t-bbbbbb");
        // An unknown dependency is not a row.
        assert_eq!(sheet.deps(1), [0]);
        assert_eq!(sheet.expertise_tags(1), ["rust", "sql"]);
        assert_eq!(sheet.assignee(0), Some("ana"));
        assert_eq!(sheet.assignee(1), None);
        let rust_only = sheet.has(&["rust".to_owned()]);
        assert!(sheet.fits(0, &rust_only) && !sheet.fits(1, &rust_only));
        assert_eq!(sheet.loads(), [(2.0, 1)]);
        let schedule = TaskGraph::new(&tasks).schedule(1.0);
        let round = sheet.schedule();
        assert_eq!(round.critical_path, schedule.critical_path);
        assert_eq!(round.timing, schedule.timing);
        assert_eq!(round.total_hours, 4.0);
    }
}
