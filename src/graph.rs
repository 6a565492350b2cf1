/*!
The task dependency graph on petgraph: for now, finding cycles.

Records can arrive with a cycle through a hand edit (and later through sync), so every graph
question must terminate and report the cycle instead of looping.
*/

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Task, TaskId};

/// The dependency graph: an edge `a → b` means `a` depends on `b`.
pub struct TaskGraph<'a> {
    graph: DiGraph<&'a Task, ()>,
    index: HashMap<&'a TaskId, NodeIndex>,
}

impl<'a> TaskGraph<'a> {
    pub fn new(tasks: &'a [Task]) -> TaskGraph<'a> {
        let mut graph = DiGraph::with_capacity(tasks.len(), tasks.len() * 2);
        let mut index = HashMap::with_capacity(tasks.len());
        for t in tasks {
            index.insert(&t.id, graph.add_node(t));
        }
        for t in tasks {
            for d in &t.depends_on {
                if let (Some(&a), Some(&b)) = (index.get(&t.id), index.get(d)) {
                    graph.add_edge(a, b, ());
                }
            }
        }
        TaskGraph { graph, index }
    }

    pub fn contains(&self, id: &TaskId) -> bool {
        self.index.contains_key(id)
    }

    /// Every cycle, each as the IDs of its tasks in sorted order; deterministic.
    pub fn cycles(&self) -> Vec<Vec<TaskId>> {
        let mut cycles: Vec<Vec<TaskId>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .map(|scc| {
                let mut ids: Vec<TaskId> = scc.iter().map(|&n| self.graph[n].id.clone()).collect();
                ids.sort();
                ids
            })
            .collect();
        cycles.sort();
        cycles
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewTask, Timestamp};

    fn task(id: &str, deps: &[&str]) -> Task {
        let mut t = Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: id.into(),
                ..NewTask::default()
            },
            Timestamp::from_unix(0).unwrap(),
        )
        .unwrap();
        t.depends_on = deps.iter().map(|d| TaskId::parse(d).unwrap()).collect();
        t
    }

    #[test]
    fn finds_cycles_and_self_loops() {
        let tasks = vec![
            task("t-aaaaaa", &["t-bbbbbb"]),
            task("t-bbbbbb", &["t-cccccc"]),
            task("t-cccccc", &["t-aaaaaa"]),
            task("t-dddddd", &["t-dddddd"]),
            task("t-eeeeee", &["t-aaaaaa", "t-zzzzzz"]),
        ];
        let g = TaskGraph::new(&tasks);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles[0].len(), 3);
        assert_eq!(cycles[1], vec![TaskId::parse("t-dddddd").unwrap()]);
        assert!(!g.contains(&TaskId::parse("t-zzzzzz").unwrap()));
    }

    #[test]
    fn acyclic_has_none() {
        let tasks = vec![task("t-aaaaaa", &["t-bbbbbb"]), task("t-bbbbbb", &[])];
        assert!(TaskGraph::new(&tasks).cycles().is_empty());
    }
}
