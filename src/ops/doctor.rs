/*!
`doctor`: validates every record, dependency edge and claim on the coordination branch.
*/

use serde::Serialize;

use super::{OpError, load_tasks};
use crate::graph::TaskGraph;
use crate::model::Agent;
use crate::model::layout::{self, AGENTS_DIR};
use crate::store::Store;

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
    problems.extend(bad.into_iter().map(|e| Problem {
        severity: Severity::Error,
        path: e.path,
        line: e.line,
        message: e.message,
    }));

    let mut agents = Vec::new();
    for (path, blob) in snap.walk(AGENTS_DIR)? {
        let parsed = String::from_utf8(snap.read_blob(blob, &path)?)
            .map_err(|_| "the file is not valid UTF-8".to_owned())
            .and_then(|text| Agent::parse(&path, &text).map_err(|e| e.to_string()));
        match parsed {
            Ok(agent) if layout::agent_path(&agent.id) == path => agents.push(agent.id),
            Ok(agent) => problems.push(error(
                &path,
                format!("its id {} does not match its file name", agent.id),
            )),
            Err(message) => problems.push(error(&path, message)),
        }
    }

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
        if task.status == crate::model::Status::InProgress && task.assignee.is_none() {
            problems.push(warning(
                &path,
                format!("{} is in progress but nobody is assigned", task.id),
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
    Ok(Report {
        ok: !problems.iter().any(|p| p.severity == Severity::Error),
        commit: snap.tip().commit.to_string(),
        tasks: tasks.len(),
        agents: agents.len(),
        problems,
    })
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
