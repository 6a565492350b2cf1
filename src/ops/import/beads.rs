/*!
Beads' `.beads/issues.jsonl`: one issue per line.

- Status: `open` → todo, `in_progress` and `hooked` → in_progress, `blocked` → blocked,
  `deferred` → blocked (the reason says so), `closed` → done, `tombstone` (deleted) →
  cancelled; any other (custom) status → todo, reported.
- Priority: Beads has 0 (highest) to 4 (backlog); 0, 1 and 2 keep their number, 3 and 4 both
  become our lowest, 3.
- Dependencies (`issue_id` depends on `depends_on_id`): `blocks`, `conditional-blocks` and
  `waits-for` hold the issue back until the other is closed, so they become `depends_on`;
  every other type (`parent-child`, `related`, `discovered-from`…) does not, and is kept as a
  `links` entry `<type>:<task ID>`.
- Body: the description, then `design`, `acceptance_criteria`, `notes`, `close_reason`,
  `delete_reason` and the comments, each under its own heading.
- Kept as extra fields: the ID (`imported_from = "beads:bd-a1b2"`), `labels`, `issue_type`,
  `external_ref`.
*/

use serde_json::{Map, Value};

use super::incoming::{
    Body, Incoming, assignee, body_with, entries, estimate, one_line, status_warning, text_list,
    title,
};
use super::source::Record;
use super::{At, Notes};
use crate::model::task::{DEFAULT_PRIORITY, MAX_PRIORITY};
use crate::model::{Status, Timestamp};

/// Fields Beads derives or uses for its own storage (compaction, counts): nothing is lost.
const DERIVED: &[&str] = &[
    "content_hash",
    "compaction_level",
    "compacted_at",
    "compacted_at_commit",
    "original_size",
    "dependency_count",
    "dependent_count",
    "comment_count",
];

/// Dependency types that keep an issue from starting until the other one is closed.
const BLOCKING: &[&str] = &["blocks", "conditional-blocks", "waits-for"];

/// Beads' highest priority number (backlog).
const BEADS_MAX_PRIORITY: i64 = 4;

pub(super) fn map(mut r: Record, notes: &mut Notes) -> Option<Incoming> {
    r.set_source_id("id", notes);
    let at = r.at();
    let Some(raw_title) = r.text("title", notes) else {
        notes.skip(&at, "no title");
        return None;
    };
    let (title, overflow) = match title(&raw_title, &at, notes) {
        Ok(t) => t,
        Err(why) => {
            notes.skip(&at, why);
            return None;
        }
    };
    let mut t = Incoming::new(&at, title);
    let time = Timestamp::parse_rfc3339;
    if let Some(s) = r.text("status", notes) {
        t.status = match s.as_str() {
            "open" => Status::Todo,
            "in_progress" | "hooked" => Status::InProgress,
            "blocked" => Status::Blocked,
            "deferred" => {
                t.blocked_reason = Some(match r.text("defer_until", notes) {
                    Some(until) => format!("deferred in Beads until {until}"),
                    None => "deferred in Beads".to_owned(),
                });
                Status::Blocked
            }
            "closed" => Status::Done,
            "tombstone" => Status::Cancelled,
            other => {
                status_warning(other, &at, notes);
                Status::Todo
            }
        };
    }
    t.priority = match r.int("priority", notes) {
        None => t.priority,
        Some(p @ 0..=BEADS_MAX_PRIORITY) => p.min(i64::from(MAX_PRIORITY)) as u8,
        Some(p) => {
            notes.warn(format!("priority:{p}"), &at, || {
                format!(
                    "priority {p} is out of Beads' range (0 to {BEADS_MAX_PRIORITY}): imported as {DEFAULT_PRIORITY}"
                )
            });
            DEFAULT_PRIORITY
        }
    };
    t.assignee = assignee(r.text("assignee", notes), &at, notes);
    let minutes = r.int("estimated_minutes", notes);
    t.estimate_hours = estimate(
        minutes.map(|m| m as f64 / 60.0),
        "estimated_minutes",
        &at,
        notes,
    );
    t.created = r.time("created_at", time, notes);
    t.updated = r.time("updated_at", time, notes);
    t.claimed = r.time("started_at", time, notes);
    t.due = r.time("due_at", time, notes);
    let closed = r.time("closed_at", time, notes);
    let deleted = r.time("deleted_at", time, notes);
    t.completed = closed.or(deleted);

    let labels = entries("labels", r.texts("labels", false, notes), &at, notes);
    if !labels.is_empty() {
        t.extra.push(("labels", text_list(&labels)));
    }
    for key in ["issue_type", "external_ref"] {
        if let Some(v) = one_line(key, r.text(key, notes), &at, notes) {
            t.extra.push((key, v.into()));
        }
    }

    for dep in r.objects("dependencies", notes) {
        dependency(&mut t, dep, &at, notes);
    }

    let mut body = Body::default();
    body.push(&r.text("description", notes).unwrap_or_default());
    for (key, heading) in [
        ("design", "Design"),
        ("acceptance_criteria", "Acceptance criteria"),
        ("notes", "Notes"),
        ("close_reason", "Close reason"),
        ("delete_reason", "Deletion reason"),
    ] {
        body.section(heading, &r.text(key, notes).unwrap_or_default());
    }
    let comments: Vec<String> = r
        .objects("comments", notes)
        .into_iter()
        .filter_map(comment)
        .collect();
    body.section("Comments", &comments.join("\n"));
    t.body = body_with(overflow, body.finish());
    r.finish(DERIVED, notes);
    Some(t)
}

fn text_of(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One entry of `dependencies`: a blocking one becomes a dependency, any other a link.
fn dependency(t: &mut Incoming, dep: Map<String, Value>, at: &At, notes: &mut Notes) {
    let Some(target) = text_of(&dep, "depends_on_id") else {
        notes.warn("dependency-target", at, || {
            "a dependency without `depends_on_id`: not imported".to_owned()
        });
        return;
    };
    if let Some(owner) = text_of(&dep, "issue_id")
        && t.source_id.as_deref() != Some(owner.as_str())
    {
        notes.warn("dependency-owner", at, || {
            format!(
                "a dependency of {owner} is listed under another issue: not imported (Beads lists each under its own issue)"
            )
        });
        return;
    }
    let kind = text_of(&dep, "type").unwrap_or_else(|| "blocks".to_owned());
    if BLOCKING.contains(&kind.as_str()) {
        t.depends_on.push(target);
    } else if kind
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        t.links.push((kind, target));
    } else {
        notes.warn("dependency-type", at, || {
            format!("dependency type {kind:?} is not a name: not imported")
        });
    }
}

/// A comment as one list item: `- author, time: text`, further lines indented under it.
fn comment(c: Map<String, Value>) -> Option<String> {
    let text = text_of(&c, "text")?;
    let by = [text_of(&c, "author"), text_of(&c, "created_at")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let text = text.replace('\n', "\n  ");
    Some(if by.is_empty() {
        format!("- {text}")
    } else {
        format!("- {by}: {text}")
    })
}
