/*!
What every format maps a record to ([`Incoming`]: our task fields, references still foreign),
and the checks they share: titles, priorities, agent names, list entries, one-line fields,
bodies built from several text fields. Values a record cannot hold are reported in [`Notes`]
and left out, never adjusted by guessing.
*/

use toml_edit::Value as TomlValue;

use super::{At, Notes};
use crate::model::task::{
    DEFAULT_PRIORITY, InvalidField, MAX_PRIORITY, validate_entries, validate_title,
};
use crate::model::time::{MAX_ESTIMATE_HOURS, is_valid_estimate};
use crate::model::{AgentId, NewTask, Status, Task, TaskId, Timestamp};

/// The longest title a task record accepts (see `validate_title`).
const TITLE_MAX_CHARS: usize = 200;

/// One record of the input, mapped to task fields; references are still foreign IDs.
#[derive(Clone, Debug)]
pub(super) struct Incoming {
    pub(super) line: usize,
    pub(super) source_id: Option<String>,
    pub(super) title: String,
    pub(super) status: Status,
    pub(super) priority: u8,
    pub(super) assignee: Option<AgentId>,
    pub(super) claimed: Option<Timestamp>,
    pub(super) expertise: Vec<String>,
    pub(super) estimate_hours: Option<f64>,
    pub(super) milestone: Option<String>,
    pub(super) owns: Vec<String>,
    pub(super) deliverables: Vec<String>,
    pub(super) check: Option<String>,
    pub(super) blocked_reason: Option<String>,
    pub(super) due: Option<Timestamp>,
    pub(super) created: Option<Timestamp>,
    pub(super) updated: Option<Timestamp>,
    pub(super) completed: Option<Timestamp>,
    pub(super) body: String,
    /// Foreign IDs of the records this one depends on.
    pub(super) depends_on: Vec<String>,
    /// Non-blocking links as (kind, foreign ID), kept in the `links` field.
    pub(super) links: Vec<(String, String)>,
    /// Extra front-matter fields, after `imported_from` and `links`.
    pub(super) extra: Vec<(&'static str, TomlValue)>,
}

impl Incoming {
    pub(super) fn new(at: &At, title: String) -> Incoming {
        Incoming {
            line: at.line,
            source_id: at.source_id.clone(),
            title,
            status: Status::Todo,
            priority: DEFAULT_PRIORITY,
            assignee: None,
            claimed: None,
            expertise: Vec::new(),
            estimate_hours: None,
            milestone: None,
            owns: Vec::new(),
            deliverables: Vec::new(),
            check: None,
            blocked_reason: None,
            due: None,
            created: None,
            updated: None,
            completed: None,
            body: String::new(),
            depends_on: Vec::new(),
            links: Vec::new(),
            extra: Vec::new(),
        }
    }

    pub(super) fn at(&self) -> At {
        At {
            line: self.line,
            source_id: self.source_id.clone(),
        }
    }

    pub(super) fn to_task(
        &self,
        id: TaskId,
        depends_on: Vec<TaskId>,
        now: Timestamp,
    ) -> Result<Task, InvalidField> {
        let created = self.created.unwrap_or(now);
        let mut task = Task::new(
            id,
            NewTask {
                title: self.title.clone(),
                priority: Some(self.priority),
                depends_on: Vec::new(),
                expertise: self.expertise.clone(),
                estimate_hours: self.estimate_hours,
                milestone: self.milestone.clone(),
                owns: self.owns.clone(),
                deliverables: self.deliverables.clone(),
                check: self.check.clone(),
                due: self.due,
                body: self.body.clone(),
            },
            created,
        )?;
        task.status = self.status;
        task.assignee = self.assignee.clone();
        task.claimed = self.claimed.filter(|_| self.assignee.is_some());
        task.blocked_reason = self
            .blocked_reason
            .clone()
            .filter(|_| self.status == Status::Blocked);
        task.updated = self.updated.unwrap_or(created);
        task.completed = self.completed.filter(|_| self.status.is_closed());
        // Set after `Task::new`, which refuses self-dependencies: those are reported as cycles.
        task.depends_on = depends_on;
        Ok(task)
    }
}

/// A title a task record accepts. A longer or multi-line text (lines broken by `\n`, `\r\n` or
/// a lone `\r`) keeps its first line (shortened) as the title and is returned whole, to open
/// the body. A title the CLI would refuse for another reason (a control character) is not
/// adjusted: the error says why, with the CLI's own words, for the record to be skipped.
pub(super) fn title(
    raw: &str,
    at: &At,
    notes: &mut Notes,
) -> Result<(String, Option<String>), String> {
    let raw = raw.trim();
    if let Ok(t) = validate_title(raw) {
        return Ok((t, None));
    }
    let Some(first) = raw
        .split(['\n', '\r'])
        .map(str::trim)
        .find(|l| !l.is_empty())
    else {
        return Err("no title".to_owned());
    };
    let mut short: String = first.chars().take(TITLE_MAX_CHARS).collect();
    if short.chars().count() < first.chars().count() {
        short = short.chars().take(TITLE_MAX_CHARS - 1).collect();
        short.push('…');
    }
    let short = validate_title(&short).map_err(|e| e.to_string())?;
    notes.warn("title", at, || {
        format!(
            "the title is longer than {TITLE_MAX_CHARS} characters or has several lines: its first line (shortened) is the title and the whole text opens the body"
        )
    });
    Ok((short, Some(raw.to_owned())))
}

/// The body with an overflowing title in front of it.
pub(super) fn body_with(overflow: Option<String>, body: String) -> String {
    match overflow {
        None => body,
        Some(title) if body.trim().is_empty() => format!("{title}\n"),
        Some(title) => format!("{title}\n\n{body}"),
    }
}

pub(super) fn priority(p: Option<i64>, at: &At, notes: &mut Notes) -> u8 {
    match p {
        None => DEFAULT_PRIORITY,
        Some(p) => u8::try_from(p)
            .ok()
            .filter(|p| *p <= MAX_PRIORITY)
            .unwrap_or_else(|| {
                notes.warn(format!("priority:{p}"), at, || {
                    format!("priority {p} is out of range (0 to {MAX_PRIORITY}): imported as {DEFAULT_PRIORITY}")
                });
                DEFAULT_PRIORITY
            }),
    }
}

pub(super) fn status_warning(status: &str, at: &At, notes: &mut Notes) {
    notes.warn(format!("status:{status}"), at, || {
        format!("status {status:?} has no equivalent here: imported as todo")
    });
}

/// An agent name exactly as given: names are chosen by people, so one that is not valid is
/// reported, never adjusted.
pub(super) fn assignee(raw: Option<String>, at: &At, notes: &mut Notes) -> Option<AgentId> {
    let raw = raw?;
    let name = raw.trim();
    match AgentId::parse(name) {
        Ok(agent) => Some(agent),
        Err(_) => {
            notes.warn(format!("assignee:{name}"), at, || {
                format!(
                    "assignee {name:?} is not an agent name (1 to 40 of a-z, 0-9 and '-'): imported unassigned"
                )
            });
            None
        }
    }
}

/// List entries a record accepts (non-empty single lines, no duplicates); others are reported.
pub(super) fn entries(
    field: &'static str,
    items: Vec<String>,
    at: &At,
    notes: &mut Notes,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        match validate_entries(field, std::slice::from_ref(&item)) {
            Ok(valid) => {
                for v in valid {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            Err(_) => notes.warn(format!("entry:{field}"), at, || {
                format!("`{field}` entry {item:?} is empty or not one line: not imported")
            }),
        }
    }
    out
}

/// One line of text for a scalar field; text with line breaks or control characters would
/// not survive in the record and is reported.
pub(super) fn one_line(
    field: &str,
    value: Option<String>,
    at: &At,
    notes: &mut Notes,
) -> Option<String> {
    let value = value?;
    let t = value.trim();
    if t.is_empty() {
        return None;
    }
    if t.chars().any(char::is_control) {
        notes.warn(format!("one-line:{field}"), at, || {
            format!("`{field}` is not one line of text: not imported")
        });
        return None;
    }
    Some(t.to_owned())
}

pub(super) fn estimate(hours: Option<f64>, field: &str, at: &At, notes: &mut Notes) -> Option<f64> {
    let h = hours?;
    if is_valid_estimate(h) {
        return Some(h);
    }
    // The same bound as `--estimate` and the records themselves.
    notes.warn(format!("estimate:{field}"), at, || {
        format!("`{field}` is {h} hours, out of range (0 to {MAX_ESTIMATE_HOURS}): not imported")
    });
    None
}

/// A list of texts as an extra front-matter field.
pub(super) fn text_list<S: AsRef<str>>(items: &[S]) -> TomlValue {
    TomlValue::Array(items.iter().map(|s| s.as_ref()).collect())
}

/// A markdown body built from several text fields, each under its own heading.
#[derive(Default)]
pub(super) struct Body(String);

impl Body {
    pub(super) fn push(&mut self, text: &str) {
        let text = text.trim_end();
        if text.trim().is_empty() {
            return;
        }
        if !self.0.is_empty() {
            self.0.push_str("\n\n");
        }
        self.0.push_str(text);
    }

    pub(super) fn section(&mut self, heading: &str, text: &str) {
        if !text.trim().is_empty() {
            self.push(&format!("## {heading}\n\n{}", text.trim_end()));
        }
    }

    pub(super) fn finish(mut self) -> String {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_multiline_titles_move_to_the_body() {
        let mut notes = Notes::default();
        let at = At {
            line: 1,
            source_id: None,
        };
        let long = "x".repeat(250);
        let (t, overflow) = title(&long, &at, &mut notes).unwrap();
        assert_eq!(t.chars().count(), TITLE_MAX_CHARS);
        assert!(t.ends_with('…'));
        assert_eq!(overflow.as_deref(), Some(long.as_str()));
        let (t, overflow) = title("First\nsecond", &at, &mut notes).unwrap();
        assert_eq!(
            (t.as_str(), overflow.as_deref()),
            ("First", Some("First\nsecond"))
        );
        assert_eq!(title(" \n ", &at, &mut notes).unwrap_err(), "no title");
        // A lone carriage return breaks a line like a newline does.
        let (t, overflow) = title("First\rsecond", &at, &mut notes).unwrap();
        assert_eq!(
            (t.as_str(), overflow.as_deref()),
            ("First", Some("First\rsecond"))
        );
        assert_eq!(notes.warnings.len(), 1);
        assert_eq!(notes.warnings[0].count, 3);
        // Other control characters are refused as the CLI refuses them.
        let e = title("a\u{1b}[31mb", &at, &mut notes).unwrap_err();
        assert!(
            e.starts_with("title: a title cannot hold the control character U+001B"),
            "{e}"
        );
    }
}
