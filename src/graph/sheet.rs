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

use super::{Schedule, Timing};
use crate::model::{Status, Task, TaskId};

/// No name: an unassigned task, or one outside any milestone.
pub const NONE: u32 = u32::MAX;

/// A sheet built one task at a time, so that a build from 100,000 records never holds them
/// all: each is read into the row's fields and dropped. Dependencies are kept as IDs until
/// every row is known.
pub struct Rows {
    sheet: Sheet,
    default_hours: f64,
    /// The dependencies' IDs, concatenated; row `i`'s end at `dep_id_ends[i]` (in entries of
    /// `dep_id_spans`).
    dep_ids: String,
    dep_id_spans: Vec<(u32, u32)>,
}

impl Rows {
    /// An empty sheet, for about `capacity` tasks without an estimate worth `default_hours`.
    pub fn new(default_hours: f64, capacity: usize) -> Rows {
        let mut sheet = Sheet::default();
        sheet.ends.reserve(capacity);
        sheet.status.reserve(capacity);
        sheet.hours.reserve(capacity);
        Rows {
            sheet,
            default_hours,
            dep_ids: String::new(),
            dep_id_spans: Vec::with_capacity(capacity * 2),
        }
    }

    /// Task `t` as the next row.
    pub fn push(&mut self, t: &Task) {
        let s = &mut self.sheet;
        s.ids.push_str(t.id.as_str());
        s.ends.push(s.ids.len() as u32);
        s.status.push(t.status);
        s.hours.push(t.hours(self.default_hours));
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
        for d in &t.depends_on {
            let start = self.dep_ids.len() as u32;
            self.dep_ids.push_str(d.as_str());
            self.dep_id_spans.push((start, self.dep_ids.len() as u32));
        }
        // Entries of `dep_id_spans`, until `finish` turns them into rows.
        s.dep_ends.push(self.dep_id_spans.len() as u32);
    }

    /// The IDs pushed so far, in row order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        (0..self.sheet.len()).map(|r| self.sheet.id(r))
    }

    /// The sheet, its dependencies resolved to rows (or kept as missing), with no schedule
    /// yet ([`Sheet::reschedule`]).
    pub fn finish(self) -> Sheet {
        let Rows {
            mut sheet,
            dep_ids,
            dep_id_spans,
            ..
        } = self;
        let n = sheet.len();
        let mut rows: rustc_hash::FxHashMap<&str, u32> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default());
        for r in 0..n {
            let start = if r == 0 {
                0
            } else {
                sheet.ends[r - 1] as usize
            };
            rows.insert(&sheet.ids[start..sheet.ends[r] as usize], r as u32);
        }
        let mut deps = Vec::with_capacity(dep_id_spans.len());
        let mut missing = Vec::new();
        let mut dep_ends = Vec::with_capacity(n);
        for r in 0..n {
            for &(a, b) in &dep_id_spans[span(&sheet.dep_ends, r)] {
                let id = &dep_ids[a as usize..b as usize];
                match rows.get(id) {
                    Some(&d) => deps.push(d),
                    None => missing.push((r as u32, id.to_owned())),
                }
            }
            dep_ends.push(deps.len() as u32);
        }
        drop(rows);
        sheet.deps = deps;
        sheet.dep_ends = dep_ends;
        sheet.missing = missing;
        sheet.earliest_start = vec![f64::NAN; n];
        sheet.latest_finish = vec![f64::NAN; n];
        sheet
    }
}

/// The dependency graph among some rows ([`Sheet::dependents`]).
pub struct Dependents {
    /// Each row's dependencies among the rows.
    pub waiting: Vec<u32>,
    first: Vec<u32>,
    dependents: Vec<u32>,
}

impl Dependents {
    /// The rows that depend on row `row`.
    pub fn of(&self, row: usize) -> &[u32] {
        &self.dependents[self.first[row] as usize..self.first[row + 1] as usize]
    }
}

/// A task that can be started now, by row (see [`Sheet::ready`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReadyRow {
    pub row: u32,
    pub slack: Option<f64>,
    /// Dependencies that were cancelled rather than done, as rows.
    pub cancelled: Vec<u32>,
}

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
    /// Dependencies on IDs that are no task of the plan, by row: such a task is never ready.
    missing: Vec<(u32, String)>,
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
    /// The sheet of `tasks`, with their schedule computed ([`Sheet::reschedule`]).
    pub fn of(tasks: &[Task], default_hours: f64) -> Sheet {
        let mut sheet = Sheet::rows_of(tasks, default_hours);
        sheet.reschedule();
        sheet
    }

    /// The rows of `tasks`, with no schedule yet.
    pub(super) fn rows_of(tasks: &[Task], default_hours: f64) -> Sheet {
        let mut rows = Rows::new(default_hours, tasks.len());
        for t in tasks {
            rows.push(t);
        }
        rows.finish()
    }

    /// Computes the schedule of the remaining work from the rows: earliest and latest start
    /// and slack of every open task, the critical path, the total, and the open tasks on or
    /// behind a cycle (left out). Closed tasks weigh nothing; dependencies on closed tasks or
    /// on IDs that are no task are met. The one schedule of the crate: [`TaskGraph::schedule`]
    /// is this one, keyed by ID.
    pub fn reschedule(&mut self) {
        let n = self.len();
        let open = |s: &Sheet, r: usize| !s.status[r].is_closed();
        // Kahn's algorithm over open tasks: a task can be placed once all its open
        // dependencies are placed. What never gets placed is on or behind a cycle.
        let is_open: Vec<bool> = (0..n).map(|r| open(self, r)).collect();
        let mut graph = self.dependents(&is_open);
        let mut waiting = std::mem::take(&mut graph.waiting);
        let mut order: Vec<u32> = (0..n as u32)
            .filter(|&r| open(self, r as usize) && waiting[r as usize] == 0)
            .collect();
        let mut at = 0;
        while at < order.len() {
            let r = order[at] as usize;
            at += 1;
            for &d in graph.of(r) {
                waiting[d as usize] -= 1;
                if waiting[d as usize] == 0 {
                    order.push(d);
                }
            }
        }
        let mut unscheduled: Vec<u32> = (0..n as u32)
            .filter(|&r| open(self, r as usize) && waiting[r as usize] > 0)
            .collect();
        unscheduled.sort_unstable_by(|&a, &b| self.id(a as usize).cmp(self.id(b as usize)));

        let mut es = vec![f64::NAN; n];
        for &r in &order {
            let r = r as usize;
            es[r] = self
                .deps(r)
                .iter()
                .filter(|&&d| open(self, d as usize))
                .map(|&d| es[d as usize] + self.hours[d as usize])
                .fold(0.0, f64::max);
        }
        let total = order
            .iter()
            .map(|&r| es[r as usize] + self.hours[r as usize])
            .fold(0.0, f64::max);
        let mut lf = vec![f64::NAN; n];
        for &r in order.iter().rev() {
            let r = r as usize;
            lf[r] = graph
                .of(r)
                .iter()
                .filter(|&&d| !lf[d as usize].is_nan())
                .map(|&d| lf[d as usize] - self.hours[d as usize])
                .fold(total, f64::min);
        }
        self.earliest_start = es;
        self.latest_finish = lf;
        self.total_hours = total;
        self.unscheduled = unscheduled;

        // The critical path: from the critical task that finishes last, walk back through
        // critical dependencies that finish exactly when it starts. Ties: priority, then ID.
        let critical = |s: &Sheet, r: usize| s.slack(r) == Some(0.0);
        let finish = |s: &Sheet, r: usize| s.earliest_start[r] + s.hours[r];
        let rank = |s: &Sheet, a: usize, b: usize| {
            s.priority[a]
                .cmp(&s.priority[b])
                .then_with(|| s.id(a).cmp(s.id(b)))
        };
        let mut path = Vec::new();
        let mut current = order
            .iter()
            .map(|&r| r as usize)
            .filter(|&r| critical(self, r) && (finish(self, r) - total).abs() < super::EPS)
            .min_by(|&a, &b| rank(self, a, b));
        while let Some(r) = current {
            path.push(r as u32);
            let start = self.earliest_start[r];
            current = self
                .deps(r)
                .iter()
                .map(|&d| d as usize)
                .filter(|&d| {
                    open(self, d)
                        && critical(self, d)
                        && (finish(self, d) - start).abs() < super::EPS
                })
                .min_by(|&a, &b| rank(self, a, b));
        }
        path.reverse();
        self.critical_path = path;
    }

    /// The dependency graph among the rows `open` marks: each one's dependencies among them
    /// (counted) and its dependents (listed). Dependencies outside `open` are met.
    pub fn dependents(&self, open: &[bool]) -> Dependents {
        let n = self.len();
        let mut waiting: Vec<u32> = vec![0; n];
        let mut first: Vec<u32> = vec![0; n + 1];
        for r in (0..n).filter(|&r| open[r]) {
            for &d in self.deps(r).iter().filter(|&&d| open[d as usize]) {
                waiting[r] += 1;
                first[d as usize + 1] += 1;
            }
        }
        for d in 0..n {
            first[d + 1] += first[d];
        }
        let mut dependents: Vec<u32> = vec![0; first[n] as usize];
        let mut next: Vec<u32> = first[..n].to_vec();
        for r in (0..n).filter(|&r| open[r]) {
            for &d in self.deps(r).iter().filter(|&&d| open[d as usize]) {
                dependents[next[d as usize] as usize] = r as u32;
                next[d as usize] += 1;
            }
        }
        Dependents {
            waiting,
            first,
            dependents,
        }
    }

    /// The cancelled dependencies of a ready row, as IDs.
    pub fn cancelled_ids(&self, r: &ReadyRow) -> Vec<TaskId> {
        r.cancelled
            .iter()
            .map(|&c| self.task_id(c as usize))
            .collect()
    }

    /// Every dependency cycle, each as rows sorted by ID, the list sorted; deterministic.
    pub fn cycles(&self) -> Vec<Vec<u32>> {
        let mut graph: petgraph::graph::DiGraph<(), ()> =
            petgraph::graph::DiGraph::with_capacity(self.len(), self.deps.len());
        let nodes: Vec<_> = (0..self.len()).map(|_| graph.add_node(())).collect();
        for r in 0..self.len() {
            for &d in self.deps(r) {
                graph.add_edge(nodes[r], nodes[d as usize], ());
            }
        }
        let by_id = |a: &u32, b: &u32| self.id(*a as usize).cmp(self.id(*b as usize));
        let mut cycles: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
            .map(|scc| {
                let mut rows: Vec<u32> = scc.iter().map(|n| n.index() as u32).collect();
                rows.sort_by(by_id);
                rows
            })
            .collect();
        cycles.sort_by(|a, b| {
            a.iter()
                .map(|&r| self.id(r as usize))
                .cmp(b.iter().map(|&r| self.id(r as usize)))
        });
        cycles
    }

    /// The tasks that can be started now among the rows `wanted` picks: `todo`, every
    /// dependency done or cancelled (none on an unknown ID), in the ready order of
    /// [`super::ReadyKey`]; each with its slack and its cancelled dependencies.
    pub fn ready(&self, wanted: impl Fn(usize) -> bool) -> Vec<ReadyRow> {
        let mut ready: Vec<ReadyRow> = (0..self.len())
            .filter(|&r| wanted(r))
            .filter_map(|r| self.ready_row(r))
            .collect();
        ready.sort_by(|a, b| self.ready_cmp(a, b));
        ready
    }

    /// Row `row` as a ready task, if it is one: `todo`, every dependency done or cancelled,
    /// none on an unknown ID.
    pub fn ready_row(&self, row: usize) -> Option<ReadyRow> {
        if self.status[row] != Status::Todo
            || self
                .missing
                .binary_search_by(|(m, _)| m.cmp(&(row as u32)))
                .is_ok()
        {
            return None;
        }
        let mut cancelled = Vec::new();
        for &d in self.deps(row) {
            match self.status[d as usize] {
                Status::Done => {}
                Status::Cancelled => cancelled.push(d),
                _ => return None,
            }
        }
        Some(ReadyRow {
            row: row as u32,
            slack: self.slack(row),
            cancelled,
        })
    }

    /// The ready order of two ready rows ([`super::ReadyKey`], then ID).
    pub fn ready_cmp(&self, a: &ReadyRow, b: &ReadyRow) -> std::cmp::Ordering {
        self.ready_key(a).cmp(
            &self.ready_key(b),
            self.id(a.row as usize),
            self.id(b.row as usize),
        )
    }

    /// The ready-order key of `r`.
    fn ready_key(&self, r: &ReadyRow) -> super::ReadyKey {
        let row = r.row as usize;
        super::ReadyKey {
            priority: self.priority[row],
            slack: r.slack,
            created: self.created[row],
        }
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

    /// Whether every column has a value per row and every index points at something: what a
    /// sheet read back from a cache file must be before it is used (a damaged file can still
    /// decode).
    pub fn is_whole(&self) -> bool {
        let n = self.len();
        let ends_fit = |ends: &[u32], len: usize| {
            ends.len() == n
                && ends.windows(2).all(|w| w[0] <= w[1])
                && ends.last().is_none_or(|&e| e as usize <= len)
        };
        let ids_fit = ends_fit(&self.ends, self.ids.len())
            && (0..n).all(|r| self.ids.get(span(&self.ends, r)).is_some());
        let named = |column: &[u32], table: usize| {
            column.iter().all(|&i| i == NONE || (i as usize) < table)
        };
        ids_fit
            && [
                self.status.len(),
                self.hours.len(),
                self.priority.len(),
                self.created.len(),
                self.claimed.len(),
                self.due.len(),
                self.assignee.len(),
                self.milestone.len(),
                self.earliest_start.len(),
                self.latest_finish.len(),
            ]
            .iter()
            .all(|&l| l == n)
            && named(&self.assignee, self.names.len())
            && named(&self.milestone, self.milestones.len())
            && ends_fit(&self.exp_ends, self.expertise.len())
            && self
                .expertise
                .iter()
                .all(|&t| (t as usize) < self.tags.len())
            && ends_fit(&self.dep_ends, self.deps.len())
            && self.deps.iter().all(|&d| (d as usize) < n)
            && self.missing.iter().all(|(r, _)| (*r as usize) < n)
            && self.critical_path.iter().all(|&r| (r as usize) < n)
            && self.unscheduled.iter().all(|&r| (r as usize) < n)
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
        // b waits for a: two hours each, both critical.
        let schedule = sheet.schedule();
        let path: Vec<&str> = schedule.critical_path.iter().map(|i| i.as_str()).collect();
        assert_eq!(path, ["t-aaaaaa", "t-bbbbbb"]);
        assert_eq!(schedule.total_hours, 4.0);
        let b = sheet.timing(1).expect("b is scheduled");
        assert_eq!(
            (b.earliest_start, b.latest_finish, b.slack),
            (2.0, 4.0, 0.0)
        );
        assert_eq!(schedule.timing.len(), 2);
        // a is todo with nothing to wait for; b waits on a, and on an ID that is no task.
        let ready: Vec<u32> = sheet.ready(|_| true).iter().map(|r| r.row).collect();
        assert_eq!(ready, [0]);
        assert!(sheet.cycles().is_empty());
    }

    #[test]
    fn a_sheet_whose_parts_do_not_fit_together_is_not_whole() {
        let tasks = vec![
            task("t-aaaaaa", &[], &["rust"]),
            task("t-bbbbbb", &["t-aaaaaa"], &[]),
        ];
        let sheet = Sheet::of(&tasks, 1.0);
        assert!(sheet.is_whole());
        let broken: [fn(&mut Sheet); 6] = [
            |s| s.deps[0] = 7,
            |s| {
                s.hours.pop();
            },
            |s| s.assignee[1] = 3,
            |s| s.expertise[0] = 9,
            |s| s.ends[0] = 99,
            |s| s.critical_path.push(5),
        ];
        for (i, break_it) in broken.iter().enumerate() {
            let mut s = sheet.clone();
            break_it(&mut s);
            assert!(!s.is_whole(), "breakage {i} went unnoticed");
        }
    }

    /// A random plan: `n` tasks, each with a status, an estimate or none, and dependencies
    /// on any task (earlier, later, itself: cycles happen) or on an ID that is no task.
    fn plan() -> impl proptest::strategy::Strategy<Value = Vec<Task>> {
        use proptest::prelude::*;
        let spec = (
            0u8..6,
            prop::option::of(1u8..9),
            0u8..4,
            prop::collection::vec(0u8..40, 0..3),
        );
        prop::collection::vec(spec, 1..30).prop_map(|specs| {
            let n = specs.len();
            specs
                .iter()
                .enumerate()
                .map(|(i, (status, hours, priority, deps))| {
                    let mut t = task(&format!("t-{i:06}"), &[], &[]);
                    t.status = [
                        Status::Todo,
                        Status::Todo,
                        Status::InProgress,
                        Status::Blocked,
                        Status::Done,
                        Status::Cancelled,
                    ][*status as usize];
                    t.estimate_hours = hours.map(f64::from);
                    t.priority = *priority;
                    // Mostly earlier tasks (a plan), sometimes any (a cycle), or no task.
                    t.depends_on = deps
                        .iter()
                        .map(|&d| {
                            let d = d as usize;
                            let to = if d < 30 { d % i.max(1) } else { d % (n + 3) };
                            TaskId::parse(&format!("t-{to:06}")).expect("ID")
                        })
                        .collect();
                    t
                })
                .collect()
        })
    }

    proptest::proptest! {
        /// The schedule is the critical-path method's, whatever the plan: each open task
        /// starts when its last open dependency finishes and must finish before its first
        /// open dependent must start (or by the end); slack is what is left; the critical
        /// path is a chain of tasks without slack from the start to the end; what is left
        /// out is exactly what is on or behind a cycle.
        #[test]
        fn the_schedule_is_the_critical_path_method(tasks in plan()) {
            let sheet = Sheet::of(&tasks, 1.5);
            let n = sheet.len();
            let open = |r: usize| !sheet.status(r).is_closed();
            // What each open task reaches through open dependencies (one step or more).
            let reach: Vec<Vec<bool>> = (0..n).map(|r| {
                let mut seen = vec![false; n];
                let mut stack = vec![r];
                while let Some(x) = stack.pop() {
                    for &d in sheet.deps(x) {
                        let d = d as usize;
                        if open(d) && !seen[d] {
                            seen[d] = true;
                            stack.push(d);
                        }
                    }
                }
                seen
            }).collect();
            // On a cycle: reaches itself. Behind one: reaches a task on a cycle.
            let on_cycle = |r: usize| reach[r][r];
            let cyclic: Vec<bool> = (0..n)
                .map(|r| on_cycle(r) || (0..n).any(|x| reach[r][x] && on_cycle(x)))
                .collect();
            let total = sheet.total_hours();
            for (r, &cyclic) in cyclic.iter().enumerate() {
                let scheduled = sheet.timing(r);
                proptest::prop_assert_eq!(scheduled.is_some(), open(r) && !cyclic, "row {}", r);
                let Some(t) = scheduled else { continue };
                let deps_done = sheet.deps(r).iter().map(|&d| d as usize).filter(|&d| open(d))
                    .map(|d| sheet.timing(d).map(|x| x.earliest_finish).unwrap_or(f64::NAN))
                    .fold(0.0, f64::max);
                proptest::prop_assert_eq!(t.earliest_start, deps_done);
                proptest::prop_assert_eq!(t.hours, sheet.hours(r));
                let due = (0..n)
                    .filter(|&x| sheet.deps(x).contains(&(r as u32)))
                    .filter_map(|x| sheet.timing(x).map(|y| y.latest_start))
                    .fold(total, f64::min);
                proptest::prop_assert_eq!(t.latest_finish, due);
                proptest::prop_assert!(t.slack >= 0.0 && t.earliest_finish <= total + 1e-9);
            }
            let path = sheet.critical_path();
            if let (Some(&first), Some(&last)) = (path.first(), path.last()) {
                let at = |r: u32| sheet.timing(r as usize).expect("on the path: scheduled");
                proptest::prop_assert_eq!(at(first).earliest_start, 0.0);
                proptest::prop_assert!((at(last).earliest_finish - total).abs() < 1e-9);
                for w in path.windows(2) {
                    proptest::prop_assert!(sheet.deps(w[1] as usize).contains(&w[0]));
                    proptest::prop_assert!((at(w[0]).earliest_finish - at(w[1]).earliest_start).abs() < 1e-9);
                }
                for &r in path {
                    proptest::prop_assert_eq!(at(r).slack, 0.0);
                }
            } else {
                proptest::prop_assert_eq!(total, 0.0);
            }
        }
    }
}
