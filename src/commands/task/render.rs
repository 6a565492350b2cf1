/*!
How a task looks to people: one row of a list and the full view of `show` (the JSON object
is `view::task`) (DESIGN §3 Task record).
*/

use crate::model::time::format_hours;
use crate::model::{Status, Task, Timestamp, layout};
use crate::ui::{Style, Ui, body_block, indented, sanitize_line, table};

pub fn status_style(status: Status) -> Style {
    match status {
        Status::Todo => Style::Cyan,
        Status::InProgress => Style::Yellow,
        Status::Blocked => Style::Red,
        Status::Review => Style::Bold,
        Status::Done => Style::Green,
        Status::Cancelled => Style::Dim,
    }
}

/// An aligned table of tasks, with a header.
pub fn task_table(ui: &Ui, tasks: &[Task], now: Timestamp) -> String {
    let mut rows = vec![vec![
        "ID".to_owned(),
        "P".to_owned(),
        "STATUS".to_owned(),
        "ASSIGNEE".to_owned(),
        "EST".to_owned(),
        "TITLE".to_owned(),
    ]];
    for t in tasks {
        rows.push(vec![
            ui.paint(Style::Bold, t.id.as_str()).into_owned(),
            t.priority.to_string(),
            ui.paint(status_style(t.status), t.status.as_str())
                .into_owned(),
            t.assignee
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_else(|| "-".to_owned()),
            t.estimate_hours
                .map(format_hours)
                .unwrap_or_else(|| "-".to_owned()),
            if crate::ops::schedule::is_overdue(t, now) {
                format!(
                    "{}  {}",
                    sanitize_line(&t.title),
                    ui.paint(Style::Red, "(overdue)")
                )
            } else {
                sanitize_line(&t.title).into_owned()
            },
        ]);
    }
    table(&rows)
}

/// The full view of one task.
pub fn task_detail(ui: &Ui, t: &Task, now: Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |k: &str, v: String| rows.push(vec![format!("{k}:"), v]);
    row(
        "status",
        ui.paint(status_style(t.status), t.status.as_str())
            .into_owned(),
    );
    row("priority", t.priority.to_string());
    if let Some(a) = &t.assignee {
        let since = t
            .claimed
            .map(|c| format!(" (since {c}, {})", c.ago(now)))
            .unwrap_or_default();
        row("assignee", format!("{a}{since}"));
    }
    if let Some(r) = &t.blocked_reason {
        row("blocked", sanitize_line(r).into_owned());
    }
    let list = |l: &[String]| {
        l.iter()
            .map(|s| sanitize_line(s).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !t.depends_on.is_empty() {
        row(
            "depends on",
            t.depends_on
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !t.expertise.is_empty() {
        row("expertise", list(&t.expertise));
    }
    if let Some(h) = t.estimate_hours {
        row("estimate", format_hours(h));
    }
    if let Some(m) = &t.milestone {
        row("milestone", sanitize_line(m).into_owned());
    }
    if !t.owns.is_empty() {
        row("owns", list(&t.owns));
    }
    if !t.deliverables.is_empty() {
        row("deliverables", list(&t.deliverables));
    }
    if let Some(c) = &t.check {
        row("check", sanitize_line(c).into_owned());
    }
    if let Some(d) = t.due {
        let late = if d < now && !t.status.is_closed() {
            " (overdue)"
        } else {
            ""
        };
        row("due", format!("{d}{late}"));
    }
    row("created", t.created.to_string());
    row("updated", t.updated.to_string());
    if let Some(c) = t.completed {
        row("closed", c.to_string());
    }
    row("path", layout::task_path(&t.id));
    let mut out = format!(
        "{}  {}\n",
        ui.paint(Style::Bold, t.id.as_str()),
        ui.paint(Style::Bold, &sanitize_line(&t.title))
    );
    out.push_str(&indented(&table(&rows), 2));
    out.push_str(&body_block(&t.body));
    out
}
