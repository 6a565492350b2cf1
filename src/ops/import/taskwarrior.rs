/*!
Taskwarrior: the JSON array `task export` prints (one task per element, IDs are `uuid`s).

- Status: `pending` → todo, or in_progress when it has a `start` time, or blocked while its
  `wait` time is in the future; `waiting` → blocked (the reason gives the time); `completed` →
  done; `deleted` → cancelled. A `recurring` task is the template Taskwarrior makes instances
  from: it is skipped, and its instances are imported like any task.
- Priority: `H` → 1, `M` and none → 2 (our default), `L` → 3. Our 0 ("drop everything") has no
  Taskwarrior equivalent.
- `depends` is a list of UUIDs, or one comma-separated text in versions before 2.6.
- Times are UTC in the compact form `20261121T100000Z`: `entry` → created, `modified` →
  updated, `end` → completed, `due` → due.
- Body: the annotations, as a list. Kept as extra fields: the UUID
  (`imported_from = "taskwarrior:<uuid>"`), `tags` (as `labels`) and `project`.
*/

use chrono::NaiveDateTime;
use serde_json::Value;

use super::Notes;
use super::incoming::{
    Body, Incoming, body_with, entries, one_line, status_warning, text_list, title,
};
use super::source::Record;
use crate::model::task::DEFAULT_PRIORITY;
use crate::model::{Status, Timestamp};

/// Fields Taskwarrior derives (urgency, the working-set number) or keeps for recurrence
/// bookkeeping of an instance: nothing a task record needs.
const DERIVED: &[&str] = &["id", "urgency", "mask", "imask", "parent"];

/// A Taskwarrior time: compact UTC (`20261121T100000Z`), or RFC 3339.
pub(super) fn parse_time(s: &str) -> Option<Timestamp> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|dt| Timestamp::from_datetime(dt.and_utc()))
        .or_else(|| Timestamp::parse_rfc3339(s))
}

pub(super) fn map(mut r: Record, now: Timestamp, notes: &mut Notes) -> Option<Incoming> {
    r.set_source_id("uuid", notes);
    let at = r.at();
    let status = r.text("status", notes);
    if status.as_deref() == Some("recurring") {
        notes.skip(
            &at,
            "a recurrence template: Taskwarrior creates its instances, which are imported",
        );
        return None;
    }
    let Some(raw_title) = r.text("description", notes) else {
        notes.skip(&at, "no description (the title)");
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
    let started = r.time("start", parse_time, notes);
    let wait = r.time("wait", parse_time, notes);
    let waiting = |until: Option<Timestamp>| match until {
        Some(w) => format!("waiting until {w} (Taskwarrior wait)"),
        None => "waiting (Taskwarrior)".to_owned(),
    };
    t.status = match status.as_deref() {
        None | Some("pending") => {
            if started.is_some() {
                Status::InProgress
            } else if wait.is_some_and(|w| w > now) {
                t.blocked_reason = Some(waiting(wait));
                Status::Blocked
            } else {
                Status::Todo
            }
        }
        Some("waiting") => {
            t.blocked_reason = Some(waiting(wait));
            Status::Blocked
        }
        Some("completed") => Status::Done,
        Some("deleted") => Status::Cancelled,
        Some(other) => {
            status_warning(other, &at, notes);
            Status::Todo
        }
    };
    t.priority = match r.text("priority", notes).as_deref() {
        None | Some("M") => DEFAULT_PRIORITY,
        Some("H") => 1,
        Some("L") => 3,
        Some(other) => {
            notes.warn(format!("priority:{other}"), &at, || {
                format!("priority {other:?} is not H, M or L: imported as {DEFAULT_PRIORITY}")
            });
            DEFAULT_PRIORITY
        }
    };
    t.depends_on = r.texts("depends", true, notes);
    t.created = r.time("entry", parse_time, notes);
    t.updated = r.time("modified", parse_time, notes);
    t.completed = r.time("end", parse_time, notes);
    t.due = r.time("due", parse_time, notes);

    let tags = entries("tags", r.texts("tags", false, notes), &at, notes);
    if !tags.is_empty() {
        t.extra.push(("labels", text_list(&tags)));
    }
    if let Some(project) = one_line("project", r.text("project", notes), &at, notes) {
        t.extra.push(("project", project.into()));
    }

    let annotations: Vec<String> = r
        .objects("annotations", notes)
        .into_iter()
        .filter_map(|a| {
            let text = a.get("description").and_then(Value::as_str)?.trim();
            if text.is_empty() {
                return None;
            }
            let text = text.replace('\n', "\n  ");
            Some(
                match a.get("entry").and_then(Value::as_str).and_then(parse_time) {
                    Some(when) => format!("- {when}: {text}"),
                    None => format!("- {text}"),
                },
            )
        })
        .collect();
    let mut body = Body::default();
    body.section("Annotations", &annotations.join("\n"));
    t.body = body_with(overflow, body.finish());
    r.finish(DERIVED, notes);
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_times() {
        assert_eq!(
            parse_time("20261121T100000Z"),
            Timestamp::parse_rfc3339("2026-11-21T10:00:00Z")
        );
        assert!(parse_time("2026-11-21").is_none());
    }
}
