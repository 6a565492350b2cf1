/*!
Our own task objects, as `export --json`, `task show --json` and `task list --json` print them:
every field maps to itself, so an export imported into another repository gives the same tasks.
*/

use super::Notes;
use super::incoming::{
    Body, Incoming, assignee, body_with, entries, estimate, one_line, priority, status_warning,
    title,
};
use super::source::Record;
use crate::model::{Status, Timestamp};

/// Fields the objects carry that are derived, not stored.
const DERIVED: &[&str] = &["path"];

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
    if let Some(s) = r.text("status", notes) {
        t.status = s.parse::<Status>().unwrap_or_else(|_| {
            status_warning(&s, &at, notes);
            Status::Todo
        });
    }
    t.priority = priority(r.int("priority", notes), &at, notes);
    t.assignee = assignee(r.text("assignee", notes), &at, notes);
    let time = Timestamp::parse_rfc3339;
    t.claimed = r.time("claimed", time, notes);
    t.depends_on = r.texts("depends_on", false, notes);
    t.expertise = entries("expertise", r.texts("expertise", false, notes), &at, notes);
    t.estimate_hours = estimate(
        r.number("estimate_hours", notes),
        "estimate_hours",
        &at,
        notes,
    );
    t.milestone = one_line("milestone", r.text("milestone", notes), &at, notes);
    // Kept as given: `read` refuses the whole file for a pattern `own` would refuse, as
    // dropping one would leave the task's files unclaimed without anyone noticing.
    t.owns = r.texts("owns", false, notes);
    t.deliverables = entries(
        "deliverables",
        r.texts("deliverables", false, notes),
        &at,
        notes,
    );
    t.check = check(r.text("check", notes), &at, notes);
    t.blocked_reason = one_line(
        "blocked_reason",
        r.text("blocked_reason", notes),
        &at,
        notes,
    );
    t.due = r.time("due", time, notes);
    t.created = r.time("created", time, notes);
    t.updated = r.time("updated", time, notes);
    t.completed = r.time("completed", time, notes);
    // The body is kept byte for byte; `Body` would normalise its whitespace.
    let body = r.text("body", notes).unwrap_or_default();
    t.body = match overflow {
        Some(_) => {
            let mut b = Body::default();
            b.push(&body);
            body_with(overflow, b.finish())
        }
        None => body,
    };
    r.finish(DERIVED, notes);
    Some(t)
}

/// A check command may span lines, but a line of `+++` would end the record's front matter.
fn check(value: Option<String>, at: &super::At, notes: &mut Notes) -> Option<String> {
    let value = value?;
    let fence = value.lines().any(|l| l.trim_end() == "+++");
    let control = value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t');
    if fence || control {
        notes.warn("check", at, || {
            "`check` holds a `+++` line or control characters, which a record cannot store: not imported".to_owned()
        });
        return None;
    }
    Some(value)
}
