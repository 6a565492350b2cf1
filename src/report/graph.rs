/*!
The dependency graph and the Gantt chart of the remaining work: built as data from the tasks
and their schedule, then written as Graphviz DOT, a Mermaid flowchart or a Mermaid gantt chart.

An arrow goes from a task to the tasks that wait for it ("must be done before"), the direction
people read a plan in; the critical path is highlighted and nothing else is.

Titles come from records anyone can write, so every piece of record text is escaped for the
format it lands in: nothing in a title can end a string or a label, start a comment or a
directive, add markup, mention someone, or reach a terminal as an escape sequence. Mermaid text
keeps letters, digits and a few harmless punctuation marks and turns everything else into
Mermaid's entity codes (`#quot;`, `#35;`); DOT text is a quoted string with `\` and `"`
escaped and `&` written as an entity, since Graphviz decodes entities in every string.
*/

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::Schedule;
use crate::model::milestone::Milestone;
use crate::model::time::format_hours;
use crate::model::{Status, Task, TaskId, Timestamp};

/// The dependency graph as drawn: which tasks, which edges, what is critical.
#[derive(Clone, Debug, Serialize)]
pub struct GraphView {
    /// Tasks by ID.
    pub nodes: Vec<Node>,
    /// Edges from a dependency to its dependent, by (from, to).
    pub edges: Vec<Edge>,
    /// The critical path of the remaining work, first task to last.
    pub critical_path: Vec<TaskId>,
    /// Every dependency cycle among the tasks, each as sorted IDs.
    pub cycles: Vec<Vec<TaskId>>,
    /// The estimate used for open tasks without one.
    #[serde(skip)]
    pub default_hours: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
    /// Remaining hours as the schedule counts them: the estimate (or the default) for open
    /// tasks, 0 for done and cancelled ones.
    pub hours: f64,
    /// On the critical path.
    pub critical: bool,
    /// The task's own estimate, if it has one.
    #[serde(skip)]
    pub estimate_hours: Option<f64>,
    /// On a dependency cycle.
    #[serde(skip)]
    pub on_cycle: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The dependency: must be done before `to`.
    pub from: TaskId,
    /// The task that waits for `from`.
    pub to: TaskId,
    /// Both ends are consecutive tasks of the critical path.
    pub critical: bool,
}

/// Builds the graph to draw. Without `all`: the open tasks, and the done or cancelled tasks
/// they directly depend on; with `all`: every task. Dependencies on tasks that do not exist
/// are left out (`doctor` reports them).
pub fn build(
    tasks: &[Task],
    schedule: &Schedule,
    cycles: &[Vec<TaskId>],
    default_hours: f64,
    all: bool,
) -> GraphView {
    let by_id: HashMap<&TaskId, &Task> = tasks.iter().map(|t| (&t.id, t)).collect();
    let mut shown: BTreeSet<&TaskId> = BTreeSet::new();
    for t in tasks {
        if all || !t.status.is_closed() {
            shown.insert(&t.id);
            if !all {
                shown.extend(t.depends_on.iter().filter(|d| by_id.contains_key(d)));
            }
        }
    }
    let critical: HashSet<&TaskId> = schedule.critical_path.iter().collect();
    let critical_edges: HashSet<(&TaskId, &TaskId)> = schedule
        .critical_path
        .windows(2)
        .map(|w| (&w[0], &w[1]))
        .collect();
    let on_cycle: HashSet<&TaskId> = cycles.iter().flatten().collect();

    let nodes = shown
        .iter()
        .filter_map(|id| by_id.get(id))
        .map(|t| Node {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status,
            hours: if t.status.is_closed() {
                0.0
            } else {
                t.hours(default_hours)
            },
            critical: critical.contains(&t.id),
            estimate_hours: t.estimate_hours,
            on_cycle: on_cycle.contains(&t.id),
        })
        .collect();
    let mut edges: Vec<Edge> = shown
        .iter()
        .filter_map(|id| by_id.get(id))
        .flat_map(|t| {
            t.depends_on
                .iter()
                .filter(|d| shown.contains(d))
                .map(|d| Edge {
                    from: d.clone(),
                    to: t.id.clone(),
                    critical: critical_edges.contains(&(d, &t.id)),
                })
        })
        .collect();
    edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    edges.dedup();
    GraphView {
        nodes,
        edges,
        critical_path: schedule.critical_path.clone(),
        cycles: cycles.to_vec(),
        default_hours,
    }
}

/// The estimate shown in a node: the task's own, or the default for an open task without one.
fn estimate_label(node: &Node, default_hours: f64) -> Option<String> {
    match node.estimate_hours {
        Some(h) => Some(format_hours(h)),
        None if !node.status.is_closed() => {
            Some(format!("{} (default)", format_hours(default_hours)))
        }
        None => None,
    }
}

/// The third line of a node's label: status and estimate.
fn status_line(node: &Node, default_hours: f64) -> String {
    match estimate_label(node, default_hours) {
        Some(e) => format!("{} · {e}", node.status),
        None => node.status.to_string(),
    }
}

/// Record text made safe inside a quoted DOT string: control and invisible characters shown
/// as escapes such as `\n` or `\u{1b}` (so no raw newline), `\` and `"` escaped, `&` as an
/// entity.
pub fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if is_invisible(c) => {
                for e in c.escape_default() {
                    if e == '\\' {
                        out.push('\\');
                    }
                    out.push(e);
                }
            }
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Record text made safe anywhere Mermaid shows text (quoted labels, gantt tasks and sections):
/// line breaks and tabs become spaces and other control characters `\u{fffd}`, then everything
/// but letters, digits, spaces and `-_.,()/+=!?'` is written as a Mermaid entity code, which
/// Mermaid turns into an HTML entity after parsing, so it displays as the character and never
/// acts as syntax or markup. (Control characters are not shown as `\n`-style escapes as in
/// the terminal: Mermaid would draw a literal `\n` as a line break.)
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_invisible(c) => out.push_str("#65533;"),
            c if c.is_alphanumeric() => out.push(c),
            ' ' | '-' | '_' | '.' | ',' | '(' | ')' | '/' | '+' | '=' | '!' | '?' | '\'' => {
                out.push(c)
            }
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c => {
                let _ = write!(out, "#{};", u32::from(c));
            }
        }
    }
    out
}

/// Control characters, and format characters that reorder or hide text (bidi overrides and
/// isolates, zero-width marks): a browser would obey them, not show them.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// A task ID as a Mermaid node ID (`t-4kz9w2` → `t_4kz9w2`): a hyphen could be read as
/// part of an arrow.
fn mermaid_id(id: &TaskId) -> String {
    id.as_str().replace('-', "_")
}

/// The graph in Graphviz DOT: critical nodes and edges red and bold, closed tasks grey and
/// dashed, tasks on a cycle orange.
pub fn to_dot(view: &GraphView) -> String {
    let mut out = String::from(
        "digraph coord {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [color=gray30];\n",
    );
    for n in &view.nodes {
        let label = format!(
            "{}\\n{}\\n{}",
            n.id,
            dot_text(&n.title),
            dot_text(&status_line(n, view.default_hours))
        );
        let style = if n.critical {
            ", color=red, fontcolor=red, penwidth=2, style=\"rounded,bold\""
        } else if n.on_cycle {
            ", color=darkorange, penwidth=2"
        } else if n.status.is_closed() {
            ", color=gray50, fontcolor=gray50, style=\"rounded,dashed\""
        } else {
            ""
        };
        let _ = writeln!(out, "  \"{}\" [label=\"{label}\"{style}];", n.id);
    }
    for e in &view.edges {
        let style = if e.critical {
            " [color=red, penwidth=2, style=bold]"
        } else {
            ""
        };
        let _ = writeln!(out, "  \"{}\" -> \"{}\"{style};", e.from, e.to);
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid flowchart: critical nodes in class `critical`, critical edges red
/// through `linkStyle`, closed tasks in class `closed`, tasks on a cycle in class `cycle`.
pub fn to_mermaid(view: &GraphView) -> String {
    let mut out = String::from("flowchart LR\n");
    for n in &view.nodes {
        let _ = writeln!(
            out,
            "  {}[\"{}<br/>{}<br/>{}\"]",
            mermaid_id(&n.id),
            n.id,
            mermaid_text(&n.title),
            // Made of a status and a number of hours: no record text.
            status_line(n, view.default_hours)
        );
    }
    for e in &view.edges {
        let _ = writeln!(out, "  {} --> {}", mermaid_id(&e.from), mermaid_id(&e.to));
    }
    out.push_str("  classDef critical stroke:#d62728,stroke-width:3px,color:#d62728\n");
    out.push_str("  classDef closed stroke:#999999,color:#999999,stroke-dasharray:4 3\n");
    out.push_str("  classDef cycle stroke:#ff7f0e,stroke-width:3px\n");
    let class = |pick: &dyn Fn(&Node) -> bool| -> Vec<String> {
        view.nodes
            .iter()
            .filter(|n| pick(n))
            .map(|n| mermaid_id(&n.id))
            .collect()
    };
    for (name, ids) in [
        ("critical", class(&|n| n.critical)),
        ("cycle", class(&|n| !n.critical && n.on_cycle)),
        (
            "closed",
            class(&|n| !n.critical && !n.on_cycle && n.status.is_closed()),
        ),
    ] {
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {name}", ids.join(","));
        }
    }
    let critical_links: Vec<String> = view
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.critical)
        .map(|(i, _)| i.to_string())
        .collect();
    if !critical_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d62728,stroke-width:3px",
            critical_links.join(",")
        );
    }
    out
}

/// The remaining work on a timeline: one bar per open task, from its earliest start.
#[derive(Clone, Debug, Serialize)]
pub struct Gantt {
    /// Now, to the minute: where the chart starts.
    pub start: Timestamp,
    /// Milestones by due date, then tasks naming a milestone that has no record, then tasks
    /// with no milestone.
    pub sections: Vec<GanttSection>,
    /// Open tasks without a bar: on or behind a dependency cycle, or too far away to date.
    pub left_out: Vec<TaskId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GanttSection {
    /// The tasks' `milestone` field; `None` for tasks with no milestone.
    pub milestone: Option<String>,
    pub title: String,
    /// The milestone's due date, when it has a record.
    pub due: Option<Timestamp>,
    pub tasks: Vec<GanttBar>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GanttBar {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
    pub start: Timestamp,
    pub end: Timestamp,
    pub hours: f64,
    pub critical: bool,
}

/// Whole minutes in `hours`, if that is a sane number.
fn minutes(hours: f64) -> Option<i64> {
    let m = (hours * 60.0).round();
    (m.is_finite() && m.abs() < 1e13).then_some(m as i64)
}

fn plus_minutes(base: Timestamp, minutes: i64) -> Option<Timestamp> {
    minutes
        .checked_mul(60)
        .and_then(|s| base.unix().checked_add(s))
        .and_then(Timestamp::from_unix)
}

/// Places every open task of `schedule` on a timeline starting at `now`: a task starts at
/// `now` + its earliest start and lasts its hours, as wall-clock hours. Done and cancelled
/// tasks have no bar.
pub fn gantt(
    tasks: &[Task],
    schedule: &Schedule,
    milestones: &[Milestone],
    now: Timestamp,
) -> Gantt {
    let start = Timestamp::from_unix(now.unix() - now.unix().rem_euclid(60)).unwrap_or(now);
    let critical: HashSet<&TaskId> = schedule.critical_path.iter().collect();
    let mut by_milestone: BTreeMap<Option<&str>, Vec<GanttBar>> = BTreeMap::new();
    let mut left_out = Vec::new();
    for t in tasks.iter().filter(|t| !t.status.is_closed()) {
        let Some(timing) = schedule.timing.get(&t.id) else {
            left_out.push(t.id.clone());
            continue;
        };
        let placed = minutes(timing.earliest_start).zip(minutes(timing.earliest_finish));
        let bar = placed.and_then(|(s, e)| {
            Some(GanttBar {
                id: t.id.clone(),
                title: t.title.clone(),
                status: t.status,
                start: plus_minutes(start, s)?,
                end: plus_minutes(start, e)?,
                hours: timing.hours,
                critical: critical.contains(&t.id),
            })
        });
        match bar {
            Some(bar) => by_milestone
                .entry(t.milestone.as_deref())
                .or_default()
                .push(bar),
            None => left_out.push(t.id.clone()),
        }
    }
    left_out.sort();
    for bars in by_milestone.values_mut() {
        bars.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    }

    let mut sections = Vec::new();
    let mut known: Vec<&Milestone> = milestones.iter().collect();
    known.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    for m in known {
        if let Some(bars) = by_milestone.remove(&Some(m.id.as_str())) {
            sections.push(GanttSection {
                milestone: Some(m.id.to_string()),
                title: m.title.clone(),
                due: Some(m.due),
                tasks: bars,
            });
        }
    }
    let unassigned = by_milestone.remove(&None);
    for (name, bars) in by_milestone {
        let name = name.unwrap_or_default().to_owned();
        sections.push(GanttSection {
            milestone: Some(name.clone()),
            title: name,
            due: None,
            tasks: bars,
        });
    }
    if let Some(bars) = unassigned {
        sections.push(GanttSection {
            milestone: None,
            title: "No milestone".to_owned(),
            due: None,
            tasks: bars,
        });
    }
    Gantt {
        start,
        sections,
        left_out,
    }
}

fn mermaid_date(t: Timestamp) -> String {
    t.datetime().format("%Y-%m-%dT%H:%M").to_string()
}

/// The chart as a Mermaid `gantt`: dates in UTC to the minute, critical tasks tagged `crit`,
/// tasks in progress or review `active`; each milestone with a record is a section that ends
/// with a `milestone` marker at its due date.
pub fn gantt_mermaid(g: &Gantt) -> String {
    let mut out = String::from("gantt\n");
    let _ = writeln!(
        out,
        "  title Remaining work from {} UTC",
        g.start.datetime().format("%Y-%m-%d %H:%M")
    );
    out.push_str("  dateFormat YYYY-MM-DDTHH:mm\n");
    out.push_str("  axisFormat %m-%d %H:%M\n");
    for section in &g.sections {
        let title = match (&section.milestone, section.due) {
            (Some(id), Some(due)) => format!(
                "{} ({id}, due {} UTC)",
                section.title,
                due.datetime().format("%Y-%m-%d %H:%M")
            ),
            _ => section.title.clone(),
        };
        let _ = writeln!(out, "  section {}", mermaid_text(&title));
        for bar in &section.tasks {
            let length = (bar.end.unix() - bar.start.unix()) / 60;
            let mut tags = String::new();
            if bar.critical {
                tags.push_str("crit, ");
            }
            if matches!(bar.status, Status::InProgress | Status::Review) {
                tags.push_str("active, ");
            }
            if length == 0 {
                tags.push_str("milestone, ");
            }
            let duration = if length % 60 == 0 {
                format!("{}h", length / 60)
            } else {
                format!("{length}m")
            };
            // The ID comes first, so a title can never begin with a gantt keyword.
            let _ = writeln!(
                out,
                "    {} {} :{tags}{}, {}, {duration}",
                bar.id,
                mermaid_text(&bar.title),
                bar.id,
                mermaid_date(bar.start)
            );
        }
        if let (Some(id), Some(due)) = (&section.milestone, section.due) {
            let _ = writeln!(
                out,
                "    Due {id} :milestone, {id}-due, {}, 0m",
                mermaid_date(due)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::TaskGraph;
    use crate::model::NewTask;
    use crate::model::milestone::{MilestoneId, NewMilestone};
    use crate::ui::sanitize_line;

    const HOSTILE: &str = "a\"b\"] --> x[\"evil\"] <script>alert(1)</script> `md` %%{init: {\"theme\":\"dark\"}}%% @alice #quot; #35; &amp; \\N ; : \n\r\x1b[2J\u{202e}end";

    fn task(id: &str, hours: f64, deps: &[&str]) -> Task {
        let mut t = Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: format!("Task {id}"),
                estimate_hours: Some(hours),
                ..NewTask::default()
            },
            Timestamp::from_unix(0).unwrap(),
        )
        .unwrap();
        t.depends_on = deps.iter().map(|d| TaskId::parse(d).unwrap()).collect();
        t
    }

    fn view(tasks: &[Task], all: bool) -> GraphView {
        let g = TaskGraph::new(tasks);
        build(tasks, &g.schedule(1.0), &g.cycles(), 1.0, all)
    }

    /// ```text
    /// z(done) → a(2) → c(3) → e(1)
    ///           b(4) ↗
    /// y(done) → x(done)   (not shown by default: nothing open depends on them)
    /// ```
    fn sample() -> Vec<Task> {
        let mut z = task("t-zzzzzz", 5.0, &[]);
        z.status = Status::Done;
        let mut y = task("t-yyyyyy", 1.0, &[]);
        y.status = Status::Done;
        let mut x = task("t-xxxxxx", 1.0, &["t-yyyyyy"]);
        x.status = Status::Done;
        let mut d = task("t-dddddd", 1.0, &[]);
        d.estimate_hours = None;
        vec![
            task("t-aaaaaa", 2.0, &["t-zzzzzz"]),
            task("t-bbbbbb", 4.0, &[]),
            task("t-cccccc", 3.0, &["t-aaaaaa", "t-bbbbbb"]),
            d,
            task("t-eeeeee", 1.0, &["t-cccccc"]),
            x,
            y,
            z,
        ]
    }

    fn ids(nodes: &[Node]) -> Vec<&str> {
        nodes.iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn default_view_is_open_tasks_and_their_done_dependencies() {
        let v = view(&sample(), false);
        assert_eq!(
            ids(&v.nodes),
            vec![
                "t-aaaaaa", "t-bbbbbb", "t-cccccc", "t-dddddd", "t-eeeeee", "t-zzzzzz"
            ]
        );
        let edges: Vec<(&str, &str, bool)> = v
            .edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str(), e.critical))
            .collect();
        assert_eq!(
            edges,
            vec![
                ("t-aaaaaa", "t-cccccc", false),
                ("t-bbbbbb", "t-cccccc", true),
                ("t-cccccc", "t-eeeeee", true),
                ("t-zzzzzz", "t-aaaaaa", false),
            ]
        );
        let critical: Vec<&str> = v
            .nodes
            .iter()
            .filter(|n| n.critical)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(critical, vec!["t-bbbbbb", "t-cccccc", "t-eeeeee"]);
        assert_eq!(v.nodes[5].hours, 0.0);

        let all = view(&sample(), true);
        assert_eq!(all.nodes.len(), 8);
        assert!(
            all.edges
                .iter()
                .any(|e| e.from.as_str() == "t-yyyyyy" && e.to.as_str() == "t-xxxxxx")
        );
    }

    #[test]
    fn dot_of_the_open_work() {
        insta::assert_snapshot!(to_dot(&view(&sample(), false)), @r#"
        digraph coord {
          rankdir=LR;
          node [shape=box, style=rounded, fontname="Helvetica"];
          edge [color=gray30];
          "t-aaaaaa" [label="t-aaaaaa\nTask t-aaaaaa\ntodo · 2h"];
          "t-bbbbbb" [label="t-bbbbbb\nTask t-bbbbbb\ntodo · 4h", color=red, fontcolor=red, penwidth=2, style="rounded,bold"];
          "t-cccccc" [label="t-cccccc\nTask t-cccccc\ntodo · 3h", color=red, fontcolor=red, penwidth=2, style="rounded,bold"];
          "t-dddddd" [label="t-dddddd\nTask t-dddddd\ntodo · 1h (default)"];
          "t-eeeeee" [label="t-eeeeee\nTask t-eeeeee\ntodo · 1h", color=red, fontcolor=red, penwidth=2, style="rounded,bold"];
          "t-zzzzzz" [label="t-zzzzzz\nTask t-zzzzzz\ndone · 5h", color=gray50, fontcolor=gray50, style="rounded,dashed"];
          "t-aaaaaa" -> "t-cccccc";
          "t-bbbbbb" -> "t-cccccc" [color=red, penwidth=2, style=bold];
          "t-cccccc" -> "t-eeeeee" [color=red, penwidth=2, style=bold];
          "t-zzzzzz" -> "t-aaaaaa";
        }
        "#);
    }

    #[test]
    fn mermaid_of_every_task() {
        insta::assert_snapshot!(to_mermaid(&view(&sample(), true)), @r#"
        flowchart LR
          t_aaaaaa["t-aaaaaa<br/>Task t-aaaaaa<br/>todo · 2h"]
          t_bbbbbb["t-bbbbbb<br/>Task t-bbbbbb<br/>todo · 4h"]
          t_cccccc["t-cccccc<br/>Task t-cccccc<br/>todo · 3h"]
          t_dddddd["t-dddddd<br/>Task t-dddddd<br/>todo · 1h (default)"]
          t_eeeeee["t-eeeeee<br/>Task t-eeeeee<br/>todo · 1h"]
          t_xxxxxx["t-xxxxxx<br/>Task t-xxxxxx<br/>done · 1h"]
          t_yyyyyy["t-yyyyyy<br/>Task t-yyyyyy<br/>done · 1h"]
          t_zzzzzz["t-zzzzzz<br/>Task t-zzzzzz<br/>done · 5h"]
          t_aaaaaa --> t_cccccc
          t_bbbbbb --> t_cccccc
          t_cccccc --> t_eeeeee
          t_yyyyyy --> t_xxxxxx
          t_zzzzzz --> t_aaaaaa
          classDef critical stroke:#d62728,stroke-width:3px,color:#d62728
          classDef closed stroke:#999999,color:#999999,stroke-dasharray:4 3
          classDef cycle stroke:#ff7f0e,stroke-width:3px
          class t_bbbbbb,t_cccccc,t_eeeeee critical
          class t_xxxxxx,t_yyyyyy,t_zzzzzz closed
          linkStyle 1,2 stroke:#d62728,stroke-width:3px
        "#);
    }

    #[test]
    fn an_empty_graph_is_still_a_graph() {
        insta::assert_snapshot!(to_dot(&view(&[], false)), @r#"
        digraph coord {
          rankdir=LR;
          node [shape=box, style=rounded, fontname="Helvetica"];
          edge [color=gray30];
        }
        "#);
        insta::assert_snapshot!(to_mermaid(&view(&[], false)), @r"
        flowchart LR
          classDef critical stroke:#d62728,stroke-width:3px,color:#d62728
          classDef closed stroke:#999999,color:#999999,stroke-dasharray:4 3
          classDef cycle stroke:#ff7f0e,stroke-width:3px
        ");
    }

    #[test]
    fn dot_highlights_exactly_the_critical_path() {
        let dot = to_dot(&view(&sample(), false));
        assert!(dot.starts_with("digraph coord {\n"), "{dot}");
        assert!(dot.ends_with("}\n"));
        assert!(dot.contains(
            "  \"t-bbbbbb\" [label=\"t-bbbbbb\\nTask t-bbbbbb\\ntodo · 4h\", color=red, fontcolor=red, penwidth=2, style=\"rounded,bold\"];\n"
        ), "{dot}");
        assert!(
            dot.contains("  \"t-bbbbbb\" -> \"t-cccccc\" [color=red, penwidth=2, style=bold];\n")
        );
        assert!(
            dot.contains("  \"t-cccccc\" -> \"t-eeeeee\" [color=red, penwidth=2, style=bold];\n")
        );
        assert!(dot.contains("  \"t-aaaaaa\" -> \"t-cccccc\";\n"));
        assert!(dot.contains("\\ntodo · 1h (default)\"];\n"), "{dot}");
        assert!(dot.contains("\\ndone · 5h\", color=gray50"), "{dot}");
        // Three critical nodes and two critical edges, nothing else red.
        assert_eq!(dot.lines().filter(|l| l.contains("color=red")).count(), 5);
    }

    #[test]
    fn mermaid_highlights_exactly_the_critical_path() {
        let m = to_mermaid(&view(&sample(), false));
        assert!(m.starts_with("flowchart LR\n"));
        assert!(
            m.contains("  t_aaaaaa[\"t-aaaaaa<br/>Task t-aaaaaa<br/>todo · 2h\"]\n"),
            "{m}"
        );
        // Edges in order: a→c, b→c (critical), c→e (critical), z→a.
        assert!(m.contains(
            "  t_aaaaaa --> t_cccccc\n  t_bbbbbb --> t_cccccc\n  t_cccccc --> t_eeeeee\n  t_zzzzzz --> t_aaaaaa\n"
        ));
        assert!(m.contains("  classDef critical "));
        assert!(
            m.contains("  class t_bbbbbb,t_cccccc,t_eeeeee critical\n"),
            "{m}"
        );
        assert!(m.contains("  class t_zzzzzz closed\n"), "{m}");
        assert!(
            m.contains("  linkStyle 1,2 stroke:#d62728,stroke-width:3px\n"),
            "{m}"
        );
        assert_eq!(m.matches(" critical\n").count(), 1);
        assert_eq!(m.matches("linkStyle").count(), 1);
    }

    #[test]
    fn cycles_are_drawn() {
        let tasks = vec![
            task("t-aaaaaa", 1.0, &["t-bbbbbb"]),
            task("t-bbbbbb", 1.0, &["t-aaaaaa"]),
            task("t-cccccc", 1.0, &[]),
        ];
        let v = view(&tasks, false);
        assert_eq!(v.cycles.len(), 1);
        assert_eq!(v.edges.len(), 2);
        assert!(v.nodes[0].on_cycle && v.nodes[1].on_cycle && !v.nodes[2].on_cycle);
        let m = to_mermaid(&v);
        assert!(
            m.contains("  t_aaaaaa --> t_bbbbbb\n  t_bbbbbb --> t_aaaaaa\n"),
            "{m}"
        );
        assert!(m.contains("  class t_aaaaaa,t_bbbbbb cycle\n"), "{m}");
        let dot = to_dot(&v);
        assert_eq!(dot.matches("color=darkorange").count(), 2);
        // The only open task off the cycle is the critical path.
        assert_eq!(v.critical_path, vec![TaskId::parse("t-cccccc").unwrap()]);
    }

    /// Reverses [`mermaid_text`]: entity codes back to characters.
    fn mermaid_decode(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('#') {
            out.push_str(&rest[..i]);
            let end = rest[i..].find(';').unwrap() + i;
            let code = &rest[i + 1..end];
            out.push(match code {
                "quot" => '"',
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                n => char::from_u32(n.parse().unwrap()).unwrap(),
            });
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Checks that `text` only has characters Mermaid treats as plain text, and that every
    /// `#` starts an entity code.
    fn assert_mermaid_safe(text: &str) {
        let mut rest = text;
        while let Some(i) = rest.find('#') {
            let after = &rest[i + 1..];
            let end = after.find(';').expect("entity code closed");
            assert!(
                end > 0 && after[..end].chars().all(|c| c.is_ascii_alphanumeric()),
                "bad entity in {text:?}"
            );
            rest = &after[end + 1..];
        }
        for c in text.chars() {
            assert!(
                c.is_alphanumeric() || " -_.,()/+=!?'#;".contains(c),
                "{c:?} left raw in {text:?}"
            );
        }
    }

    #[test]
    fn mermaid_escaping_of_hostile_titles() {
        let e = mermaid_text(HOSTILE);
        assert_mermaid_safe(&e);
        for raw in [
            "\"", "[", "]", "<", ">", "`", "%", "@", "{", "}", ":", "\n", "\r", "\x1b", "\u{202e}",
            "\\", "&",
        ] {
            assert!(!e.contains(raw), "{raw:?} left in {e}");
        }
        assert!(e.starts_with("a#quot;b#quot;#93; --#gt; x#91;"), "{e}");
        assert!(e.contains("#lt;script#gt;"));
        assert!(
            e.contains("#35;quot#59;"),
            "a literal #quot; must display as typed: {e}"
        );
        // What it displays is the title, with line breaks as spaces and other control
        // characters as U+FFFD.
        let expected: String = HOSTILE
            .chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_invisible(c) => '\u{fffd}',
                c => c,
            })
            .collect();
        assert_eq!(mermaid_decode(&e), expected);
        assert_eq!(
            mermaid_text("Redis rate limiter (v2)"),
            "Redis rate limiter (v2)"
        );
        assert_eq!(mermaid_text("Größe 漢字"), "Größe 漢字");
    }

    #[test]
    fn mermaid_graph_with_hostile_titles_keeps_its_shape() {
        let mut tasks = sample();
        for t in &mut tasks {
            t.title = HOSTILE.to_owned();
        }
        let m = to_mermaid(&view(&tasks, false));
        let plain = to_mermaid(&view(&sample(), false));
        assert_eq!(m.lines().count(), plain.lines().count(), "{m}");
        for line in m.lines().filter(|l| l.contains("[\"")) {
            // One label per node line, opened and closed once.
            assert_eq!(line.matches('"').count(), 2, "{line}");
            assert!(line.ends_with("\"]"), "{line}");
            let label = &line[line.find("[\"").unwrap() + 2..line.len() - 2];
            let title = label.split("<br/>").nth(1).unwrap();
            assert_eq!(label.matches("<br/>").count(), 2, "{line}");
            assert_mermaid_safe(title);
        }
        assert!(
            !m.contains("%%") && !m.contains('@') && !m.contains('`') && !m.contains("<script")
        );
    }

    /// Reads a DOT quoted string starting at `s[0] == '"'`; returns its unescaped text and the
    /// rest after the closing quote.
    fn dot_string(s: &str) -> (String, &str) {
        let mut chars = s.char_indices().skip(1);
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    let (_, next) = chars.next().unwrap();
                    out.push('\\');
                    out.push(next);
                }
                '"' => return (out, &s[i + 1..]),
                c => out.push(c),
            }
        }
        panic!("unterminated string in {s:?}");
    }

    #[test]
    fn dot_escaping_of_hostile_titles() {
        let e = dot_text(HOSTILE);
        assert!(!e.contains('\n') && !e.contains('\r') && !e.contains('\x1b'));
        let quoted = format!("\"{e}\" tail");
        let (inner, rest) = dot_string(&quoted);
        assert_eq!(
            rest, " tail",
            "the string must end at its own closing quote"
        );
        // Unescaping gives back the visible title, with `&` as an entity.
        let unescaped = inner
            .replace("\\\\", "\u{0}")
            .replace("\\\"", "\"")
            .replace('\u{0}', "\\");
        assert_eq!(unescaped, sanitize_line(HOSTILE).replace('&', "&amp;"));
        assert!(e.contains("\\\\N"), "Graphviz's \\N must not expand: {e}");
        assert_eq!(dot_text("a\u{200f}b\u{feff}"), "a\\\\u{200f}b\\\\u{feff}");

        let mut tasks = sample();
        for t in &mut tasks {
            t.title = HOSTILE.to_owned();
        }
        let dot = to_dot(&view(&tasks, false));
        let plain = to_dot(&view(&sample(), false));
        assert_eq!(dot.lines().count(), plain.lines().count(), "{dot}");
        for line in dot.lines().filter(|l| l.contains("[label=")) {
            let at = line.find("[label=").unwrap() + 7;
            let (_, rest) = dot_string(&line[at..]);
            assert!(
                rest.starts_with(']') || rest.starts_with(", color="),
                "{line}"
            );
        }
    }

    fn milestone(id: &str, title: &str, due: &str) -> Milestone {
        Milestone::new(
            MilestoneId::parse(id).unwrap(),
            NewMilestone {
                title: title.into(),
                due: Timestamp::parse_rfc3339(due).unwrap(),
                criteria: Vec::new(),
                body: String::new(),
            },
            Timestamp::from_unix(0).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn gantt_bars_start_at_earliest_starts_grouped_by_milestone() {
        let mut tasks = sample();
        tasks[0].milestone = Some("m-bbbbbb".into()); // a
        tasks[2].milestone = Some("m-aaaaaa".into()); // c
        tasks[4].milestone = Some("m-aaaaaa".into()); // e
        tasks[1].milestone = Some("infra".into()); // b: no such record
        tasks[1].status = Status::InProgress;
        tasks[3].estimate_hours = Some(0.25); // d
        let schedule = TaskGraph::new(&tasks).schedule(1.0);
        let milestones = vec![
            milestone("m-bbbbbb", "Later", "2026-12-01T00:00:00Z"),
            milestone("m-aaaaaa", "Beta", "2026-11-21T15:00:00Z"),
            milestone("m-cccccc", "Empty", "2026-11-22T00:00:00Z"),
        ];
        let now = Timestamp::parse_rfc3339("2026-11-21T10:00:30Z").unwrap();
        let g = gantt(&tasks, &schedule, &milestones, now);
        assert_eq!(g.start.to_string(), "2026-11-21T10:00:00Z");
        let titles: Vec<&str> = g.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["Beta", "Later", "infra", "No milestone"]);
        let beta = &g.sections[0];
        assert_eq!(beta.tasks[0].id.as_str(), "t-cccccc");
        assert_eq!(beta.tasks[0].start.to_string(), "2026-11-21T14:00:00Z");
        assert_eq!(beta.tasks[1].start.to_string(), "2026-11-21T17:00:00Z");
        assert!(g.left_out.is_empty());

        let m = gantt_mermaid(&g);
        assert!(
            m.starts_with("gantt\n  title Remaining work from 2026-11-21 10:00 UTC\n"),
            "{m}"
        );
        assert!(m.contains("  dateFormat YYYY-MM-DDTHH:mm\n"));
        assert!(m.contains(
            "  section Beta (m-aaaaaa, due 2026-11-21 15#58;00 UTC)\n    t-cccccc Task t-cccccc :crit, t-cccccc, 2026-11-21T14:00, 3h\n    t-eeeeee Task t-eeeeee :crit, t-eeeeee, 2026-11-21T17:00, 1h\n    Due m-aaaaaa :milestone, m-aaaaaa-due, 2026-11-21T15:00, 0m\n"
        ), "{m}");
        assert!(
            m.contains("    t-aaaaaa Task t-aaaaaa :t-aaaaaa, 2026-11-21T10:00, 2h\n"),
            "{m}"
        );
        assert!(m.contains("  section infra\n    t-bbbbbb Task t-bbbbbb :crit, active, t-bbbbbb, 2026-11-21T10:00, 4h\n"), "{m}");
        assert!(m.contains("  section No milestone\n    t-dddddd Task t-dddddd :t-dddddd, 2026-11-21T10:00, 15m\n"), "{m}");
        assert!(!m.contains("t-zzzzzz"), "done tasks have no bar");
        assert!(!m.contains("Empty"));
        let no_milestone = m.find("section No milestone").unwrap();
        assert!(m.find("section infra").unwrap() < no_milestone);
    }

    #[test]
    fn gantt_chart_of_the_remaining_work() {
        let mut tasks = sample();
        tasks[0].milestone = Some("m-aaaaaa".into()); // a
        tasks[2].milestone = Some("m-aaaaaa".into()); // c
        tasks[1].status = Status::InProgress; // b
        tasks[3].estimate_hours = Some(0.5); // d
        tasks[4].milestone = Some("launch".into()); // e: a milestone with no record
        let schedule = TaskGraph::new(&tasks).schedule(1.0);
        let beta = milestone("m-aaaaaa", "Beta", "2026-11-21T15:00:00Z");
        let now = Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let g = gantt(&tasks, &schedule, &[beta], now);
        insta::assert_snapshot!(gantt_mermaid(&g), @r"
        gantt
          title Remaining work from 2026-11-21 10:00 UTC
          dateFormat YYYY-MM-DDTHH:mm
          axisFormat %m-%d %H:%M
          section Beta (m-aaaaaa, due 2026-11-21 15#58;00 UTC)
            t-aaaaaa Task t-aaaaaa :t-aaaaaa, 2026-11-21T10:00, 2h
            t-cccccc Task t-cccccc :crit, t-cccccc, 2026-11-21T14:00, 3h
            Due m-aaaaaa :milestone, m-aaaaaa-due, 2026-11-21T15:00, 0m
          section launch
            t-eeeeee Task t-eeeeee :crit, t-eeeeee, 2026-11-21T17:00, 1h
          section No milestone
            t-bbbbbb Task t-bbbbbb :crit, active, t-bbbbbb, 2026-11-21T10:00, 4h
            t-dddddd Task t-dddddd :t-dddddd, 2026-11-21T10:00, 30m
        ");
    }

    #[test]
    fn gantt_escapes_titles_and_leaves_out_cycles() {
        let mut tasks = vec![
            task("t-aaaaaa", 1.0, &[]),
            task("t-bbbbbb", 1.0, &["t-cccccc"]),
            task("t-cccccc", 1.0, &["t-bbbbbb"]),
        ];
        tasks[0].title = format!("section x {HOSTILE}");
        tasks[0].milestone = Some("m-x: y; #z".into());
        let schedule = TaskGraph::new(&tasks).schedule(1.0);
        let g = gantt(&tasks, &schedule, &[], Timestamp::from_unix(0).unwrap());
        assert_eq!(g.left_out.len(), 2);
        let m = gantt_mermaid(&g);
        assert_eq!(m.lines().count(), 6, "{m}");
        for line in m.lines().skip(4) {
            // Nothing before the task data may hold `:`, `;` or a raw `#` the gantt lexer
            // would act on; the entity codes are decoded before Mermaid parses.
            let text = line.split(" :").next().unwrap();
            assert_mermaid_safe(text.trim_start().trim_start_matches("section "));
            assert!(!text.contains(':'), "{line}");
        }
        assert!(m.contains("    t-aaaaaa section x "), "{m}");
    }

    #[test]
    fn gantt_survives_absurd_estimates() {
        let mut tasks = vec![
            task("t-aaaaaa", 1.0, &[]),
            task("t-bbbbbb", 1.0, &["t-aaaaaa"]),
        ];
        tasks[0].estimate_hours = Some(1e300);
        let schedule = TaskGraph::new(&tasks).schedule(1.0);
        let g = gantt(&tasks, &schedule, &[], Timestamp::from_unix(0).unwrap());
        assert_eq!(g.left_out.len(), 2);
        assert!(g.sections.is_empty());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever the text, Mermaid sees only plain characters and entity codes, and no DOT
        /// string can be ended early or broken over lines.
        #[test]
        fn escaping_never_leaks_syntax(s in "\\PC{0,40}|[\"'`<>#%@;:\\[\\]{}\\\\&\n\r\x1b a-z]{0,40}") {
            let m = mermaid_text(&s);
            for c in m.chars() {
                prop_assert!(c.is_alphanumeric() || " -_.,()/+=!?'#;".contains(c), "{:?} in {:?}", c, m);
            }
            prop_assert!(!m.contains("%%") && !m.contains('"'));
            let d = dot_text(&s);
            prop_assert!(!d.contains('\n') && !d.contains('\r'));
            let mut escaped = false;
            for c in d.chars() {
                prop_assert!(escaped || c != '"', "unescaped quote in {:?}", d);
                escaped = !escaped && c == '\\';
            }
            prop_assert!(!escaped, "a trailing backslash would escape the closing quote: {:?}", d);
        }
    }
}
