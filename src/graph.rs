/*!
The task dependency graph (petgraph): cycles, the schedule of the remaining work (earliest and
latest start, slack, the critical path) and the ready set.

An edge `a → b` means `a` depends on `b`. Records can arrive with a cycle through a hand edit
or a sync, so nothing here assumes a DAG: tasks on or behind a cycle are left out of the
schedule and reported, and every function terminates.
*/

use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

use rustc_hash::FxHashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::model::{AgentId, Status, Task, TaskId};

pub mod sheet;
pub use sheet::Sheet;

/// The estimate used for open tasks that have none (config `coord.defaultEstimate`).
pub const DEFAULT_ESTIMATE_HOURS: f64 = 1.0;

/// Hours are compared with this tolerance, so float noise never changes a critical path.
const EPS: f64 = 1e-9;

pub struct TaskGraph<'a> {
    tasks: &'a [Task],
    graph: DiGraph<usize, ()>,
    index: FxHashMap<&'a TaskId, NodeIndex>,
}

/// Timing of one open task in the schedule, in hours from now.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Timing {
    pub hours: f64,
    pub earliest_start: f64,
    pub earliest_finish: f64,
    pub latest_start: f64,
    pub latest_finish: f64,
    pub slack: f64,
}

/// The schedule of the remaining work.
#[derive(Clone, Debug, Default)]
pub struct Schedule {
    /// Timing of every open task that is not on or behind a cycle.
    pub timing: FxHashMap<TaskId, Timing>,
    /// The critical path, first task to last.
    pub critical_path: Vec<TaskId>,
    /// Hours until all scheduled work is finished.
    pub total_hours: f64,
    /// Open tasks left out because they are on a cycle or depend on one.
    pub unscheduled: Vec<TaskId>,
}

/// A task that can be started now.
#[derive(Clone, Debug)]
pub struct ReadyTask<'a> {
    pub task: &'a Task,
    pub slack: Option<f64>,
    /// Dependencies that were cancelled rather than done.
    pub cancelled_deps: Vec<TaskId>,
    /// Assigned to the agent whose view this is (by `assign` or a conflict's action item)
    /// but not started yet; always false in the shared ready set.
    pub assigned: bool,
}

/// A ready task named by its index in the task list it was computed on (for owners of the
/// list, which cannot hold references into themselves).
#[derive(Clone, Debug)]
pub struct ReadyRef {
    pub index: usize,
    pub slack: Option<f64>,
    pub cancelled_deps: Vec<TaskId>,
}

/// The schedule of a task list and its shared ready set, computed once per read and shared by
/// everything built on that read (status's forecast, priorities and dispatch advice).
pub struct Scheduled<'a> {
    pub schedule: std::borrow::Cow<'a, Schedule>,
    pub ready: Vec<ReadyTask<'a>>,
}

impl<'a> Scheduled<'a> {
    /// Computes both from `tasks`.
    pub fn of(tasks: &'a [Task], default_hours: f64) -> Scheduled<'a> {
        let g = TaskGraph::new(tasks);
        let schedule = g.schedule(default_hours);
        let ready = g.ready(&schedule);
        Scheduled {
            schedule: std::borrow::Cow::Owned(schedule),
            ready,
        }
    }

    /// The ready set of `refs`, computed earlier on `tasks` (see [`ReadyRef`]).
    pub fn ready_of(tasks: &'a [Task], refs: &[ReadyRef]) -> Vec<ReadyTask<'a>> {
        refs.iter()
            .filter_map(|r| {
                let task = tasks.get(r.index)?;
                Some(ReadyTask {
                    task,
                    slack: r.slack,
                    cancelled_deps: r.cancelled_deps.clone(),
                    assigned: false,
                })
            })
            .collect()
    }
}

impl<'a> TaskGraph<'a> {
    pub fn new(tasks: &'a [Task]) -> TaskGraph<'a> {
        let mut graph = DiGraph::with_capacity(tasks.len(), tasks.len() * 3);
        let mut index = FxHashMap::with_capacity_and_hasher(tasks.len(), Default::default());
        for (i, t) in tasks.iter().enumerate() {
            index.insert(&t.id, graph.add_node(i));
        }
        for t in tasks {
            let a = index[&t.id];
            for d in &t.depends_on {
                if let Some(&b) = index.get(d) {
                    graph.add_edge(a, b, ());
                }
            }
        }
        TaskGraph {
            tasks,
            graph,
            index,
        }
    }

    pub fn contains(&self, id: &TaskId) -> bool {
        self.index.contains_key(id)
    }

    pub fn get(&self, id: &TaskId) -> Option<&'a Task> {
        self.index.get(id).map(|&n| &self.tasks[self.graph[n]])
    }

    fn task(&self, n: NodeIndex) -> &'a Task {
        &self.tasks[self.graph[n]]
    }

    /// Every cycle, each as the IDs of its tasks in sorted order; deterministic.
    pub fn cycles(&self) -> Vec<Vec<TaskId>> {
        let sheet = Sheet::rows_of(self.tasks, DEFAULT_ESTIMATE_HOURS);
        sheet
            .cycles()
            .iter()
            .map(|c| c.iter().map(|&r| sheet.task_id(r as usize)).collect())
            .collect()
    }

    /// If `task` depending on `needs` would close a cycle, the cycle as a path
    /// `task → needs → … → task`.
    pub fn cycle_through(&self, task: &TaskId, needs: &TaskId) -> Option<Vec<TaskId>> {
        if task == needs {
            return Some(vec![task.clone(), task.clone()]);
        }
        let (&start, &goal) = (self.index.get(needs)?, self.index.get(task)?);
        // Breadth-first from `needs` along dependencies, looking for `task`.
        let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        parent.insert(start, start);
        while let Some(n) = queue.pop_front() {
            if n == goal {
                let mut path = vec![n];
                let mut cur = n;
                while cur != start {
                    cur = parent[&cur];
                    path.push(cur);
                }
                path.reverse();
                let mut ids = vec![task.clone()];
                ids.extend(path.into_iter().map(|n| self.task(n).id.clone()));
                return Some(ids);
            }
            let mut next: Vec<NodeIndex> = self.graph.neighbors(n).collect();
            next.sort_by(|a, b| self.task(*a).id.cmp(&self.task(*b).id));
            for m in next {
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(m) {
                    e.insert(n);
                    queue.push_back(m);
                }
            }
        }
        None
    }

    /// Tasks whose dependencies include `id` (direct dependents).
    pub fn dependents(&self, id: &TaskId) -> Vec<&'a Task> {
        let Some(&n) = self.index.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<&Task> = self
            .graph
            .edges_directed(n, Direction::Incoming)
            .map(|e| self.task(e.source()))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }

    /// Earliest/latest start and slack of every open task, and the critical path.
    /// Closed tasks weigh nothing and are left out; tasks on or behind a cycle are listed in
    /// `unscheduled`. Computed on the tasks' [`Sheet`] ([`Sheet::reschedule`]).
    pub fn schedule(&self, default_hours: f64) -> Schedule {
        Sheet::of(self.tasks, default_hours).schedule()
    }

    /// Tasks that can be started now: `todo`, unassigned, every dependency done or cancelled.
    /// Ordered by priority, then slack (zero first, then least), then age, then ID.
    pub fn ready(&self, schedule: &Schedule) -> Vec<ReadyTask<'a>> {
        self.ready_among(schedule, None)
    }

    /// The ready set as `agent` sees it: the tasks assigned to it that it has not started
    /// (`todo`, every dependency done or cancelled) first, then the unassigned ready tasks;
    /// each group in [`TaskGraph::ready`] order. Work a coordinator handed to an agent is
    /// what that agent should take next, so it comes before the shared pool.
    pub fn ready_for(&self, schedule: &Schedule, agent: &AgentId) -> Vec<ReadyTask<'a>> {
        self.ready_among(schedule, Some(agent))
    }

    /// Every task assigned to some agent and not started whose dependencies are all closed,
    /// in [`TaskGraph::ready`] order: the first group of each agent's [`TaskGraph::ready_for`].
    pub fn ready_assigned(&self, schedule: &Schedule) -> Vec<ReadyTask<'a>> {
        self.ready_where(schedule, |t| t.assignee.is_some())
    }

    fn ready_among(&self, schedule: &Schedule, agent: Option<&AgentId>) -> Vec<ReadyTask<'a>> {
        self.ready_where(schedule, |t| {
            t.assignee.is_none() || (agent.is_some() && t.assignee.as_ref() == agent)
        })
    }

    fn ready_where(
        &self,
        schedule: &Schedule,
        wanted: impl Fn(&Task) -> bool,
    ) -> Vec<ReadyTask<'a>> {
        let mut ready: Vec<ReadyTask<'a>> = self
            .tasks
            .iter()
            .filter(|t| t.status == Status::Todo && wanted(t))
            .filter_map(|t| {
                let mut cancelled = Vec::new();
                for d in &t.depends_on {
                    match self.get(d).map(|d| d.status) {
                        Some(Status::Done) => {}
                        Some(Status::Cancelled) => cancelled.push(d.clone()),
                        _ => return None,
                    }
                }
                Some(ReadyTask {
                    task: t,
                    slack: schedule.timing.get(&t.id).map(|x| x.slack),
                    cancelled_deps: cancelled,
                    assigned: t.assignee.is_some(),
                })
            })
            .collect();
        let key = |r: &ReadyTask<'_>| ReadyKey {
            priority: r.task.priority,
            slack: r.slack,
            created: r.task.created.unix(),
        };
        ready.sort_by(|a, b| {
            b.assigned
                .cmp(&a.assigned)
                .then_with(|| key(a).cmp(&key(b), a.task.id.as_str(), b.task.id.as_str()))
        });
        ready
    }
}

/// The slack of a task of `hours` that can start at `earliest_start` and must finish by
/// `latest_finish`: never negative, and exactly zero within float noise (so the critical path
/// is decided by equality).
fn slack(earliest_start: f64, latest_finish: f64, hours: f64) -> f64 {
    let s = (latest_finish - hours - earliest_start).max(0.0);
    if s < EPS { 0.0 } else { s }
}

/// What orders the ready set within a group (DESIGN §5): priority, then slack (zero first,
/// then least, unscheduled last), then age, then ID.
#[derive(Clone, Copy, Debug)]
pub struct ReadyKey {
    pub priority: u8,
    pub slack: Option<f64>,
    /// Creation time, in seconds.
    pub created: i64,
}

impl ReadyKey {
    /// The ready order of two tasks with these keys and IDs.
    pub fn cmp(&self, other: &ReadyKey, id: &str, other_id: &str) -> Ordering {
        self.priority
            .cmp(&other.priority)
            .then_with(|| cmp_slack(self.slack, other.slack))
            .then_with(|| self.created.cmp(&other.created))
            .then_with(|| id.cmp(other_id))
    }
}

/// Whether an agent with `expertise` can take `task`: a task with no expertise fits anyone;
/// otherwise the agent needs every tag the task lists.
pub fn fits(task: &Task, expertise: &[String]) -> bool {
    task.expertise
        .iter()
        .all(|e| expertise.iter().any(|x| x == e))
}

/// Open hours and open tasks assigned to each agent that holds any, counted in one pass.
pub fn loads(tasks: &[Task], default_hours: f64) -> HashMap<&AgentId, (f64, usize)> {
    let mut out: HashMap<&AgentId, (f64, usize)> = HashMap::new();
    for t in tasks.iter().filter(|t| !t.status.is_closed()) {
        if let Some(a) = &t.assignee {
            let load = out.entry(a).or_default();
            load.0 += t.hours(default_hours);
            load.1 += 1;
        }
    }
    out
}

/// Open hours assigned to `agent` (for `assign --to auto`).
pub fn load_of(tasks: &[Task], agent: &AgentId, default_hours: f64) -> (f64, usize) {
    tasks
        .iter()
        .filter(|t| !t.status.is_closed() && t.assignee.as_ref() == Some(agent))
        .fold((0.0, 0), |(h, n), t| (h + t.hours(default_hours), n + 1))
}

fn cmp_slack(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewTask, Timestamp};

    fn task(id: &str, hours: f64, deps: &[&str]) -> Task {
        let mut t = Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: id.into(),
                estimate_hours: Some(hours),
                ..NewTask::default()
            },
            Timestamp::from_unix(0).unwrap(),
        )
        .unwrap();
        t.depends_on = deps.iter().map(|d| TaskId::parse(d).unwrap()).collect();
        t
    }

    fn ids(v: &[TaskId]) -> Vec<&str> {
        v.iter().map(TaskId::as_str).collect()
    }

    #[test]
    fn finds_cycles_and_self_loops() {
        let tasks = vec![
            task("t-aaaaaa", 1.0, &["t-bbbbbb"]),
            task("t-bbbbbb", 1.0, &["t-cccccc"]),
            task("t-cccccc", 1.0, &["t-aaaaaa"]),
            task("t-dddddd", 1.0, &["t-dddddd"]),
            task("t-eeeeee", 1.0, &["t-aaaaaa", "t-zzzzzz"]),
        ];
        let g = TaskGraph::new(&tasks);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles[0].len(), 3);
        assert_eq!(ids(&cycles[1]), vec!["t-dddddd"]);
        assert!(!g.contains(&TaskId::parse("t-zzzzzz").unwrap()));
        // The schedule terminates and leaves out the cycle and what depends on it.
        let s = g.schedule(1.0);
        assert_eq!(
            ids(&s.unscheduled),
            vec!["t-aaaaaa", "t-bbbbbb", "t-cccccc", "t-dddddd", "t-eeeeee"]
        );
    }

    #[test]
    fn cycle_through_a_new_edge() {
        let tasks = vec![
            task("t-aaaaaa", 1.0, &["t-bbbbbb"]),
            task("t-bbbbbb", 1.0, &["t-cccccc"]),
            task("t-cccccc", 1.0, &[]),
        ];
        let g = TaskGraph::new(&tasks);
        let c = |a: &str, b: &str| {
            g.cycle_through(&TaskId::parse(a).unwrap(), &TaskId::parse(b).unwrap())
        };
        assert_eq!(
            ids(&c("t-cccccc", "t-aaaaaa").unwrap()),
            vec!["t-cccccc", "t-aaaaaa", "t-bbbbbb", "t-cccccc"]
        );
        assert!(c("t-aaaaaa", "t-cccccc").is_none());
    }

    /// A hand-worked example:
    ///
    /// ```text
    /// A(2) ─┐
    ///       ├─> C(3) ─> E(1)
    /// B(4) ─┘
    /// D(1) (independent)
    /// ```
    /// B→C→E = 8 h is critical; A has 2 h slack; D has 7 h slack.
    #[test]
    fn critical_path_and_slack_by_hand() {
        let tasks = vec![
            task("t-aaaaaa", 2.0, &[]),
            task("t-bbbbbb", 4.0, &[]),
            task("t-cccccc", 3.0, &["t-aaaaaa", "t-bbbbbb"]),
            task("t-dddddd", 1.0, &[]),
            task("t-eeeeee", 1.0, &["t-cccccc"]),
        ];
        let s = TaskGraph::new(&tasks).schedule(1.0);
        assert_eq!(s.total_hours, 8.0);
        assert_eq!(
            ids(&s.critical_path),
            vec!["t-bbbbbb", "t-cccccc", "t-eeeeee"]
        );
        let t = |id: &str| s.timing[&TaskId::parse(id).unwrap()];
        assert_eq!(t("t-aaaaaa").slack, 2.0);
        assert_eq!(t("t-aaaaaa").latest_start, 2.0);
        assert_eq!(t("t-cccccc").earliest_start, 4.0);
        assert_eq!(t("t-dddddd").slack, 7.0);
        assert_eq!(t("t-eeeeee").earliest_finish, 8.0);
    }

    #[test]
    fn done_tasks_weigh_nothing_and_ties_break_by_priority_then_id() {
        let mut tasks = vec![
            task("t-aaaaaa", 5.0, &[]),
            task("t-bbbbbb", 2.0, &["t-aaaaaa"]),
            task("t-cccccc", 2.0, &[]),
            task("t-dddddd", 2.0, &[]),
        ];
        tasks[0].status = Status::Done;
        tasks[3].priority = 0;
        let s = TaskGraph::new(&tasks).schedule(1.0);
        assert_eq!(s.total_hours, 2.0);
        // b, c and d all take 2 h with no slack: d has the best priority.
        assert_eq!(ids(&s.critical_path), vec!["t-dddddd"]);
        tasks[3].priority = 2;
        let s = TaskGraph::new(&tasks).schedule(1.0);
        assert_eq!(ids(&s.critical_path), vec!["t-bbbbbb"]);
        assert!(!s.timing.contains_key(&TaskId::parse("t-aaaaaa").unwrap()));
    }

    #[test]
    fn ready_order_and_flags() {
        let mut tasks = vec![
            task("t-aaaaaa", 1.0, &[]),
            task("t-bbbbbb", 3.0, &[]),
            task("t-cccccc", 1.0, &["t-bbbbbb"]),
            task("t-dddddd", 1.0, &["t-eeeeee"]),
            task("t-eeeeee", 1.0, &[]),
            task("t-ffffff", 1.0, &[]),
        ];
        tasks[4].status = Status::Cancelled;
        tasks[5].priority = 0;
        let g = TaskGraph::new(&tasks);
        let s = g.schedule(1.0);
        let ready = g.ready(&s);
        let order: Vec<&str> = ready.iter().map(|r| r.task.id.as_str()).collect();
        // f first (priority 0); then b (on the 4 h critical path), then a and d (3 h slack,
        // oldest/ID order); c waits for b.
        assert_eq!(order, vec!["t-ffffff", "t-bbbbbb", "t-aaaaaa", "t-dddddd"]);
        assert_eq!(ids(&ready[3].cancelled_deps), vec!["t-eeeeee"]);
    }

    #[test]
    fn an_agents_view_puts_its_assigned_work_first() {
        let me = AgentId::parse("me").unwrap();
        let other = AgentId::parse("other").unwrap();
        let mut tasks = vec![
            task("t-aaaaaa", 1.0, &[]),
            task("t-bbbbbb", 1.0, &[]),
            task("t-cccccc", 1.0, &[]),
            task("t-dddddd", 1.0, &["t-aaaaaa"]),
            task("t-eeeeee", 1.0, &[]),
            task("t-ffffff", 1.0, &[]),
        ];
        tasks[0].priority = 0;
        // Assigned to me, not started: b (priority 3) and c; d too, but it waits for a.
        tasks[1].assignee = Some(me.clone());
        tasks[1].priority = 3;
        tasks[2].assignee = Some(me.clone());
        tasks[3].assignee = Some(me.clone());
        tasks[4].assignee = Some(other);
        tasks[5].assignee = Some(me.clone());
        tasks[5].status = Status::InProgress;
        let g = TaskGraph::new(&tasks);
        let s = g.schedule(1.0);
        let order = |v: Vec<ReadyTask<'_>>| {
            v.iter()
                .map(|r| (r.task.id.as_str().to_owned(), r.assigned))
                .collect::<Vec<_>>()
        };
        let mine = order(g.ready_for(&s, &me));
        let want = [("t-cccccc", true), ("t-bbbbbb", true), ("t-aaaaaa", false)];
        assert_eq!(
            mine,
            want.map(|(id, a)| (id.to_owned(), a)).to_vec(),
            "my assigned work first (in ready order), then the shared pool"
        );
        // The shared ready set is unchanged: only unassigned tasks.
        assert_eq!(order(g.ready(&s)), vec![("t-aaaaaa".to_owned(), false)]);
    }

    #[test]
    fn expertise_fit() {
        let mut t = task("t-aaaaaa", 1.0, &[]);
        assert!(fits(&t, &[]));
        t.expertise = vec!["redis".into(), "backend".into()];
        assert!(!fits(&t, &["redis".into()]));
        assert!(fits(&t, &["backend".into(), "redis".into(), "ops".into()]));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{NewTask, Timestamp};

    /// Random DAGs: task i may depend only on tasks with a smaller index.
    fn dag() -> impl Strategy<Value = Vec<Task>> {
        (1usize..9).prop_flat_map(|n| {
            (
                prop::collection::vec(0u8..=8, n),
                prop::collection::vec(prop::collection::vec(any::<bool>(), n), n),
                prop::collection::vec(0u8..6, n),
            )
                .prop_map(move |(hours, edges, state)| {
                    (0..n)
                        .map(|i| {
                            let mut t = Task::new(
                                TaskId::parse(&format!("t-{i:06}")).unwrap(),
                                NewTask {
                                    title: format!("task {i}"),
                                    estimate_hours: Some(f64::from(hours[i]) / 2.0),
                                    ..NewTask::default()
                                },
                                Timestamp::from_unix(i as i64).unwrap(),
                            )
                            .unwrap();
                            t.depends_on = (0..i)
                                .filter(|&j| edges[i][j])
                                .map(|j| TaskId::parse(&format!("t-{j:06}")).unwrap())
                                .collect();
                            t.status = match state[i] {
                                0 => Status::Done,
                                1 => Status::Cancelled,
                                2 => Status::InProgress,
                                _ => Status::Todo,
                            };
                            t
                        })
                        .collect()
                })
        })
    }

    /// The longest chain of open tasks, by enumerating every path. A closed task ends a
    /// chain: what it depended on no longer holds anything up.
    fn brute_force_longest(tasks: &[Task]) -> f64 {
        fn walk(tasks: &[Task], i: usize) -> f64 {
            let t = &tasks[i];
            if t.status.is_closed() {
                return 0.0;
            }
            let own = t.hours(1.0);
            let deps = t
                .depends_on
                .iter()
                .filter_map(|d| tasks.iter().position(|x| &x.id == d))
                .map(|j| walk(tasks, j))
                .fold(0.0, f64::max);
            own + deps
        }
        (0..tasks.len()).map(|i| walk(tasks, i)).fold(0.0, f64::max)
    }

    proptest! {
        #[test]
        fn critical_path_is_the_longest_path(tasks in dag()) {
            let g = TaskGraph::new(&tasks);
            let s = g.schedule(1.0);
            let expected = brute_force_longest(&tasks);
            prop_assert!((s.total_hours - expected).abs() < 1e-6, "{} vs {}", s.total_hours, expected);
            // The critical path is a chain of dependencies whose hours add up to the total.
            let sum: f64 = s.critical_path.iter().map(|id| g.get(id).unwrap().hours(1.0)).sum();
            prop_assert!((sum - expected).abs() < 1e-6);
            for pair in s.critical_path.windows(2) {
                prop_assert!(g.get(&pair[1]).unwrap().depends_on.contains(&pair[0]));
            }
            for t in s.timing.values() {
                prop_assert!(t.slack >= 0.0 && t.latest_start + 1e-9 >= t.earliest_start);
            }
        }

        #[test]
        fn ready_never_lists_a_task_with_an_undone_dependency(tasks in dag()) {
            let g = TaskGraph::new(&tasks);
            let s = g.schedule(1.0);
            for r in g.ready(&s) {
                prop_assert_eq!(r.task.status, Status::Todo);
                prop_assert!(r.task.assignee.is_none());
                for d in &r.task.depends_on {
                    prop_assert!(g.get(d).unwrap().status.is_closed());
                }
            }
        }
    }
}
