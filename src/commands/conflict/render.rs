/*!
How a conflict looks to people: the full view of `conflict show` (the JSON object is
`view::conflict`) (DESIGN §4 records).
*/

use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::time::format_hours;
use crate::model::{AgentId, Timestamp, layout};
use crate::ui::{Style, Ui, body_block, indented, sanitize_line, sanitize_text, table};

pub fn join(agents: &[AgentId]) -> String {
    agents
        .iter()
        .map(AgentId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn status_label(ui: &Ui, c: &Conflict) -> String {
    let style = match c.status {
        ConflictStatus::Open => Style::Yellow,
        ConflictStatus::Resolved => Style::Green,
    };
    ui.paint(style, c.status.as_str()).into_owned()
}

/// The full view of one conflict.
pub fn detail(ui: &Ui, c: &Conflict, now: Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |k: &str, v: String| rows.push(vec![format!("{k}:"), v]);
    row("status", status_label(ui, c));
    row("between", join(&c.between));
    if !c.about.is_empty() {
        let about: Vec<String> = c
            .about
            .iter()
            .map(|a| sanitize_line(a).into_owned())
            .collect();
        row("about", about.join(", "));
    }
    row(
        "opened",
        format!("{} ({}) by {}", c.created, c.created.ago(now), c.opened_by),
    );
    if let (Some(at), Some(by)) = (c.resolved_at, &c.resolved_by) {
        let after = c
            .resolution_hours()
            .map(|h| format!(", after {}", format_hours(h)))
            .unwrap_or_default();
        row("resolved", format!("{at} by {by}{after}"));
    }
    row("updated", c.updated.to_string());
    row("path", layout::conflict_path(&c.id));
    let mut out = format!(
        "{}  {}\n",
        ui.paint(Style::Bold, c.id.as_str()),
        ui.paint(Style::Bold, &sanitize_line(&c.title))
    );
    out.push_str(&indented(&table(&rows), 2));
    if !c.proposals.is_empty() {
        out.push_str("\n  Proposals:\n");
        for p in &c.proposals {
            out.push_str(&format!("    {} at {}:\n", p.by, p.at));
            out.push_str(&indented(&sanitize_text(&p.text), 6));
        }
    }
    if let Some(r) = &c.resolution {
        out.push_str("\n  Resolution:\n");
        out.push_str(&indented(&sanitize_text(r), 4));
    }
    if !c.actions.is_empty() {
        out.push_str("\n  Actions:\n");
        for a in &c.actions {
            let to = a
                .assignee
                .as_ref()
                .map(|x| format!(" → {x}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "    {}  {}{to}\n",
                ui.paint(Style::Bold, a.task.as_str()),
                sanitize_line(&a.text)
            ));
        }
    }
    out.push_str(&body_block(&c.body));
    out
}
