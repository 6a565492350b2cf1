/*!
An agent's brief, its whole context as one markdown page: gathers what goes into it (identity,
owned paths, assigned tasks with their dependencies, the best ready tasks for it, unread
messages, open conflicts, decisions in force, and the integration notes of the agents whose
tasks its own depend on) as [`BriefData`], and renders it with minijinja from
`templates/brief.md` (or the project's `.coord/templates/brief.md`).

Rendering is here rather than in `report/` because a write needs it: `spawn` writes the brief
into the new agent's worktree.
*/

mod data;

use std::path::Path;

use minijinja::Environment;

pub use data::{
    AgentData, BriefData, ConflictData, DecisionData, DepData, MessageData, NoteData, Owned,
    TaskData,
};

use super::{OpError, adr, agent, index, memory, plan};
use crate::graph::{self, TaskGraph};
use crate::model::adr::AdrStatus;
use crate::model::scratchpad::Section;
use crate::model::text::{escape_unsafe, is_unsafe, push_escaped};
use crate::model::time::format_hours;
use crate::model::{AgentId, Task, Timestamp};
use crate::store::Store;

/// Where a project overrides the template, relative to its worktree root.
pub const TEMPLATE_OVERRIDE: &str = ".coord/templates/brief.md";

/// The template compiled into the binary.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/brief.md");

/// Record text as a brief shows it, with the one rule of [`crate::model::text`]: control
/// characters and invisible bidi/zero-width marks are written escaped (`\u{1b}`,
/// `\u{202e}`), so nothing in a record can drive the terminal that prints the brief or
/// reorder what its reader (a person or an agent) sees; newlines and tabs stay, for bodies.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// One line of record text (a title, a role, a pattern): like [`clean`], newlines escaped too,
/// so a field can never start a heading or a section of its own in the brief.
fn line(s: &str) -> String {
    escape_unsafe(s).into_owned()
}

fn task_data(t: &Task, g: &TaskGraph<'_>, full: bool) -> TaskData {
    TaskData {
        id: t.id.to_string(),
        title: line(&t.title),
        status: t.status.to_string(),
        priority: t.priority,
        estimate: t.estimate_hours.map(format_hours),
        due: t.due.map(|d| d.to_string()),
        blocked_reason: t.blocked_reason.as_deref().map(line),
        depends_on: if full {
            t.depends_on
                .iter()
                .map(|d| match g.get(d) {
                    Some(x) => DepData {
                        id: d.to_string(),
                        title: line(&x.title),
                        status: x.status.to_string(),
                        assignee: x.assignee.as_ref().map(|a| a.to_string()),
                    },
                    None => DepData {
                        id: d.to_string(),
                        title: "(missing)".to_owned(),
                        status: "unknown".to_owned(),
                        assignee: None,
                    },
                })
                .collect()
        } else {
            Vec::new()
        },
        deliverables: t.deliverables.iter().map(|d| line(d)).collect(),
        check: t.check.as_deref().map(line),
        body: if full {
            clean(t.body.trim())
        } else {
            String::new()
        },
    }
}

/// The brief's data for `who`.
pub fn gather(store: &Store, who: &AgentId, now: Timestamp) -> Result<BriefData, OpError> {
    let snap = store.snapshot()?;
    let (tasks, _) = index::load(store, &snap)?;
    let me = agent::read(&snap, who)?;
    let expertise = me.as_ref().map(|a| a.expertise.clone()).unwrap_or_default();
    let g = TaskGraph::new(&tasks);
    let schedule_ = g.schedule(plan::default_estimate(store));
    let mine: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.assignee.as_ref() == Some(who) && !t.status.is_closed())
        .collect();
    let own_claims = me
        .iter()
        .flat_map(|a| a.claims.iter())
        .filter(|c| c.is_live(now))
        .map(|c| Owned {
            pattern: line(&c.pattern),
            task: format!("{} claim", c.mode.as_str()),
        });
    let owned = own_claims
        .chain(mine.iter().flat_map(|t| {
            t.owns.iter().map(|p| Owned {
                pattern: line(p),
                task: t.id.to_string(),
            })
        }))
        .collect();
    let ready = g
        .ready(&schedule_)
        .into_iter()
        .filter(|r| graph::fits(r.task, &expertise))
        .take(5)
        .map(|r| task_data(r.task, &g, false))
        .collect();
    let (inbox, _) = memory::inbox(&snap, who, false, now, memory::reply_within(store))?;
    let messages = inbox
        .into_iter()
        .map(|i| MessageData {
            id: i.message.id.to_string(),
            from: i.message.from.to_string(),
            subject: line(&i.message.subject),
            needs_reply: i.message.needs_reply && i.replies.is_empty(),
        })
        .collect();
    // Integration notes of the agents holding (or having finished) what my tasks depend on.
    let mut upstream: Vec<AgentId> = mine
        .iter()
        .flat_map(|t| t.depends_on.iter())
        .filter_map(|d| g.get(d).and_then(|x| x.assignee.clone()))
        .filter(|a| a != who)
        .collect();
    upstream.sort();
    upstream.dedup();
    let mut integration = Vec::new();
    for a in &upstream {
        for e in memory::scratchpad(&snap, a)?.entries {
            if e.section == Some(Section::Integration) {
                integration.push(NoteData {
                    agent: a.to_string(),
                    at: e.at.to_string(),
                    text: clean(&e.text),
                });
            }
        }
    }
    let conflicts = open_conflicts(&snap, who)?;
    Ok(BriefData {
        agent: AgentData {
            id: who.to_string(),
            role: me.as_ref().and_then(|a| a.role.as_deref().map(line)),
            expertise: expertise.iter().map(|e| line(e)).collect(),
            branch: me.as_ref().and_then(|a| a.branch.as_deref().map(line)),
        },
        now: now.to_string(),
        commit: snap.tip().commit.to_string()[..12].to_owned(),
        owned,
        tasks: mine.iter().map(|t| task_data(t, &g, true)).collect(),
        ready,
        messages,
        conflicts,
        integration,
        decisions: decisions_in_force(&snap)?,
    })
}

/// Accepted ADRs by number, each with one line of its decision. Malformed records are left
/// out here (`adr list` and `doctor` name them).
fn decisions_in_force(snap: &crate::store::Snapshot<'_>) -> Result<Vec<DecisionData>, OpError> {
    let (adrs, _) = adr::load_adrs(snap)?;
    Ok(adrs
        .iter()
        .filter(|a| a.status == AdrStatus::Accepted)
        .map(|a| DecisionData {
            id: a.number.to_string(),
            title: line(&a.title),
            decision: adr::decision_summary(a).map(|d| line(&d)),
        })
        .collect())
}

/// Open conflict records (`conflicts/<id>.md`) that name `who` among the agents involved.
fn open_conflicts(
    snap: &crate::store::Snapshot<'_>,
    who: &AgentId,
) -> Result<Vec<ConflictData>, OpError> {
    // A malformed record is skipped here; `conflict list` names it.
    let (conflicts, _) = super::conflict::load_conflicts(snap)?;
    Ok(conflicts
        .into_iter()
        .filter(|c| c.status == crate::model::conflict::ConflictStatus::Open && c.involves(who))
        .map(|c| ConflictData {
            id: c.id.to_string(),
            title: line(&c.title),
            between: c.between.iter().map(ToString::to_string).collect(),
        })
        .collect())
}

/// Renders the brief with the project's template override if the worktree has one.
pub fn render_brief(data: &BriefData, worktree: Option<&Path>) -> Result<String, OpError> {
    let custom = worktree
        .map(|w| w.join(TEMPLATE_OVERRIDE))
        .and_then(|p| std::fs::read_to_string(p).ok());
    let template = custom.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    render(template, data).map_err(|e| OpError::Template {
        path: if custom.is_some() {
            TEMPLATE_OVERRIDE.to_owned()
        } else {
            "templates/brief.md".to_owned()
        },
        message: e.to_string(),
    })
}

/// Renders `data` with `template`. A broken override template is an error naming it.
fn render(template: &str, data: &BriefData) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .build()?,
    );
    // The agent protocol, for `{% include "AGENTS.md" %}` (the default template has it).
    env.add_template("AGENTS.md", super::init::AGENTS_MD)?;
    env.add_template("brief.md", template)?;
    env.get_template("brief.md")?
        .render(minijinja::value::Serde(data))
}

#[cfg(test)]
mod tests;
