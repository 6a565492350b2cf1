/*!
The MCP resources: the acting agent's brief (`coord://brief`, the page `git coord brief`
prints) and the coordinator's status screen (`coord://status`), as markdown. Record text is
escaped for markdown, so a title can never inject markup or mentions into what a client shows.
*/

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::error::{CommandError, CommandResult};
use crate::ops::brief;
use crate::ops::status::State;
use crate::report::check::escape_markdown;
use crate::report::status::{self, Input, Report};
use crate::session::Session;

pub const BRIEF: &str = "coord://brief";
pub const STATUS: &str = "coord://status";

/// The `resources/list` entries.
pub fn list() -> Vec<Value> {
    vec![
        json!({
            "uri": BRIEF,
            "name": "brief",
            "title": "My brief",
            "description": "This agent's whole context: role, tasks, files held, messages, what others noted that concerns it",
            "mimeType": "text/markdown",
        }),
        json!({
            "uri": STATUS,
            "name": "status",
            "title": "Project status",
            "description": "The coordinator's screen: progress, agents, critical path, blocked tasks, priorities, conflicts, risks",
            "mimeType": "text/markdown",
        }),
    ]
}

/// The `resources/read` result for `uri`.
pub fn read(session: &Session, uri: &str) -> CommandResult<Value> {
    let text = match uri {
        BRIEF => {
            let me = session.actor()?.agent;
            let store = session.store()?;
            let data = brief::gather(store, &me, session.now())?;
            brief::render_brief(&data, store.workdir())?
        }
        STATUS => status_markdown(&status_report(&crate::ops::status::load_screen(session)?)),
        _ => {
            return Err(CommandError::usage(format!("unknown resource: {uri}"))
                .hint(format!("resources: {BRIEF}, {STATUS}")));
        }
    };
    Ok(json!({ "contents": [{ "uri": uri, "mimeType": "text/markdown", "text": text }] }))
}

/// The status report of `state`: what `git coord status --json` prints.
pub fn status_report(state: &State) -> Report {
    status::build(&Input::of(state))
}

/// The status screen as markdown.
pub fn status_markdown(r: &Report) -> String {
    let e = |s: &str| escape_markdown(s);
    let mut md = String::from("# Status\n\n");
    let p = &r.progress;
    let _ = writeln!(
        md,
        "{}/{} tasks done, {:.1} of {:.1} hours ({}%)\n",
        p.tasks_done, p.tasks_total, p.hours_done, p.hours_total, p.percent
    );
    md.push_str("## Agents\n\n");
    if r.agents.is_empty() {
        md.push_str("No agents yet.\n\n");
    } else {
        md.push_str("| agent | role | status | current | blocked | done/open | stale |\n|---|---|---|---|---|---|---|\n");
        for a in &r.agents {
            let ids = |v: &[status::Brief]| {
                v.iter()
                    .map(|b| b.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {}/{} | {} |",
                a.id,
                e(a.role.as_deref().unwrap_or("")),
                e(&a.status),
                ids(&a.current),
                ids(&a.blocked),
                a.done,
                a.open,
                if a.stale { "yes" } else { "" }
            );
        }
        md.push('\n');
    }
    let path: Vec<String> = r
        .critical_path
        .tasks
        .iter()
        .map(|t| t.to_string())
        .collect();
    let _ = writeln!(
        md,
        "## Critical path\n\n{} ({:.1} h)\n",
        if path.is_empty() {
            "none".to_owned()
        } else {
            path.join(" → ")
        },
        r.critical_path.total_hours
    );
    section(
        &mut md,
        "Blocked",
        r.blocked.iter().map(|b| {
            format!(
                "{} {} ({}): {}",
                b.id,
                e(&b.title),
                b.assignee
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                e(b.reason.as_deref().unwrap_or("no reason given"))
            )
        }),
    );
    section(
        &mut md,
        "Priorities (ready now)",
        r.priorities
            .iter()
            .map(|b| format!("{} {}", b.id, e(&b.title))),
    );
    section(
        &mut md,
        "Overdue tasks",
        r.overdue_tasks
            .iter()
            .map(|b| format!("{} {}", b.id, e(&b.title))),
    );
    section(
        &mut md,
        "Messages waiting for a reply",
        r.overdue_messages.iter().map(|m| {
            format!(
                "{} from {} to {}: {}",
                m.id,
                m.from,
                e(&m.to),
                e(&m.subject)
            )
        }),
    );
    section(
        &mut md,
        "Open conflicts",
        r.open_conflicts
            .iter()
            .map(|c| format!("{} {}", c.id, e(&c.title))),
    );
    section(
        &mut md,
        "Pending decisions",
        r.pending_decisions
            .iter()
            .map(|d| format!("ADR-{:04} {}", d.number, e(&d.title))),
    );
    section(
        &mut md,
        "High risks",
        r.high_risks
            .iter()
            .map(|h| format!("{} {} (score {})", h.id, e(&h.title), h.score)),
    );
    section(
        &mut md,
        "Milestones",
        r.milestones.iter().map(|m| {
            format!(
                "{} {} due {} ({})",
                m.id,
                e(&m.title),
                m.due,
                if m.health.late {
                    "late"
                } else if m.health.at_risk {
                    "at risk"
                } else {
                    "on track"
                }
            )
        }),
    );
    md
}

/// A `## title` section listing `items`, left out when there are none.
fn section(md: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(md, "## {title}\n");
    for i in items {
        let _ = writeln!(md, "- {i}");
    }
    md.push('\n');
}
