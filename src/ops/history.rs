/*!
`log`: the history of the coordination branch: who changed which record, when, with what
operation, and (for one record, or when asked) the unified diff of each change.

What the user names is resolved to the record file(s) it lives in by the branch's path
conventions alone (`tasks/`, `milestones/` and `messages/` fanned out, `conflicts/<id>.md`,
`risks/<id>.md`, `adrs/NNNN-slug.md`, `agents/<a>.toml` with `scratchpads/<a>.md`), not through
each kind's own module, so the history of every kind is read the same way.
*/

use serde::Serialize;

use super::{OpError, fanned_out_candidates};
use crate::model::id::{ConflictPrefix, RiskPrefix};
use crate::model::layout::{self, MESSAGES_DIR, MILESTONES_DIR, TASKS_DIR};
use crate::model::message::{MessageId, MessagePrefix};
use crate::model::milestone::{MilestoneId, MilestonePrefix};
use crate::model::{AgentId, ConflictId, RiskId, TaskId, TaskPrefix, Timestamp};
use crate::store::history::{ChangeKind, HistoryCommit, HistoryQuery};
use crate::store::{Snapshot, Store};

const ADRS_DIR: &str = "adrs";
const CONFLICTS_DIR: &str = "conflicts";
const RISKS_DIR: &str = "risks";

/// A record `log` was asked about, and the files it lives in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `task t-4kz9w2`, `ADR 7`, `agent alice`…
    pub name: String,
    pub paths: Vec<String>,
}

/// Resolves what the user typed to a record: a task ID or prefix (`t-4kz`, or bare `4kz`), a
/// milestone or message (`m-…`), a conflict (`c-…`), a risk (`r-…`), an ADR number (`7`,
/// `ADR-0007`) or an agent name: every record on the tip that matches (none, one, or several
/// when the prefix is ambiguous).
pub fn resolve(snap: &Snapshot<'_>, given: &str) -> Result<Vec<Target>, OpError> {
    let given = given.trim();
    let mut found = Vec::new();
    if let Some(number) = adr_number(given) {
        let prefix = format!("{number:04}-");
        let mut paths: Vec<String> = snap
            .list(ADRS_DIR)?
            .into_iter()
            .filter(|e| !e.is_dir && e.name.ends_with(".md"))
            .filter(|e| e.name.starts_with(&prefix) || e.name == format!("{number:04}.md"))
            .map(|e| format!("{ADRS_DIR}/{}", e.name))
            .collect();
        paths.sort();
        if !paths.is_empty() {
            found.push(Target {
                name: format!("ADR {number}"),
                paths,
            });
        }
        return Ok(found);
    }
    if given.starts_with(MilestoneId::PREFIX) {
        if let Ok(prefix) = MilestonePrefix::parse(given) {
            for e in snap.list(MILESTONES_DIR)? {
                if let Some(id) = MilestoneId::from_path(&e.name).filter(|id| prefix.matches(id)) {
                    found.push(one("milestone", id.as_str(), layout::milestone_path(&id)));
                }
            }
        }
        if let Ok(prefix) = MessagePrefix::parse(given) {
            for name in
                fanned_out_candidates(snap, MESSAGES_DIR, MessageId::PREFIX, prefix.random_part())?
            {
                if let Ok(id) = MessageId::parse(&name) {
                    found.push(one("message", id.as_str(), layout::message_path(&id)));
                }
            }
        }
    } else if given.starts_with(ConflictId::PREFIX) {
        if let Ok(prefix) = ConflictPrefix::parse(given) {
            flat(snap, CONFLICTS_DIR, "conflict", &mut found, |name| {
                ConflictId::from_path(name).filter(|id| prefix.matches(id))
            })?;
        }
    } else if given.starts_with(RiskId::PREFIX) {
        if let Ok(prefix) = RiskPrefix::parse(given) {
            flat(snap, RISKS_DIR, "risk", &mut found, |name| {
                RiskId::from_path(name).filter(|id| prefix.matches(id))
            })?;
        }
    } else if let Ok(prefix) = TaskPrefix::parse(given) {
        // With `t-` or without it, as every task command accepts.
        for name in fanned_out_candidates(snap, TASKS_DIR, TaskId::PREFIX, prefix.random_part())? {
            if let Ok(id) = TaskId::parse(&name) {
                found.push(one("task", id.as_str(), layout::task_path(&id)));
            }
        }
    }
    if let Ok(agent) = AgentId::parse(given) {
        let mut paths = Vec::new();
        for path in [layout::agent_path(&agent), layout::scratchpad_path(&agent)] {
            if snap.exists(&path)? {
                paths.push(path);
            }
        }
        if !paths.is_empty() {
            found.push(Target {
                name: format!("agent {agent}"),
                paths,
            });
        }
    }
    Ok(found)
}

fn one(kind: &str, id: &str, path: String) -> Target {
    Target {
        name: format!("{kind} {id}"),
        paths: vec![path],
    }
}

/// The records of a flat directory (`conflicts/<id>.md`) whose file names `matches` accepts.
fn flat<T: std::fmt::Display>(
    snap: &Snapshot<'_>,
    dir: &str,
    kind: &str,
    found: &mut Vec<Target>,
    matches: impl Fn(&str) -> Option<T>,
) -> Result<(), OpError> {
    for e in snap.list(dir)? {
        if let Some(id) = matches(&e.name).filter(|_| !e.is_dir) {
            found.push(one(kind, &id.to_string(), format!("{dir}/{}", e.name)));
        }
    }
    Ok(())
}

/// The record a whole ID names when it is not on the tip (deleted since): its history can
/// still be read from the paths its ID determines.
fn by_full_id(given: &str) -> Option<Target> {
    if let Ok(id) = TaskId::parse(given) {
        return Some(one("task", id.as_str(), layout::task_path(&id)));
    }
    if let Ok(id) = ConflictId::parse(given) {
        return Some(one(
            "conflict",
            id.as_str(),
            format!("{CONFLICTS_DIR}/{id}.md"),
        ));
    }
    if let Ok(id) = RiskId::parse(given) {
        return Some(one("risk", id.as_str(), format!("{RISKS_DIR}/{id}.md")));
    }
    if let (Ok(m), Ok(msg)) = (MilestoneId::parse(given), MessageId::parse(given)) {
        return Some(Target {
            name: given.to_owned(),
            paths: vec![layout::milestone_path(&m), layout::message_path(&msg)],
        });
    }
    None
}

/// `7`, `0007`, `ADR-7`, `adr-0007`, `ADR7` → 7.
fn adr_number(given: &str) -> Option<u32> {
    let lower = given.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("adr-")
        .or_else(|| lower.strip_prefix("adr"))
        .unwrap_or(&lower);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What `log` shows.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    /// A record (see [`resolve`]); the whole branch when `None`.
    pub target: Option<String>,
    /// Only commits from this instant on.
    pub since: Option<Timestamp>,
    pub limit: Option<usize>,
    /// Diff every change (always done for one record).
    pub patch: bool,
}

/// One commit of the history.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub at: Timestamp,
    /// The `Coord-Agent` trailer, else the author's name.
    pub agent: String,
    pub author: String,
    /// The `Coord-Op` trailer, else the subject.
    pub op: String,
    /// The `Coord-Forced-By` trailer: the coordinator who changed another agent's record.
    pub forced_by: Option<String>,
    pub subject: String,
    pub changes: Vec<LogChange>,
}

/// One file a commit changed.
#[derive(Clone, Debug, Serialize)]
pub struct LogChange {
    pub path: String,
    /// `added`, `modified` or `deleted`.
    pub change: &'static str,
    /// The unified diff (`--- a/…`, `+++ b/…`, hunks); `None` when not asked for.
    pub diff: Option<String>,
}

/// The history `query` asks for, newest first, and the record it was resolved to.
pub fn log(store: &Store, query: &LogQuery) -> Result<(Option<Target>, Vec<LogEntry>), OpError> {
    // Whether the record was found on the tip, rather than only named by a whole ID.
    let mut on_tip = true;
    let target = match &query.target {
        None => None,
        Some(given) => {
            let snap = store.snapshot()?;
            let mut found = resolve(&snap, given)?;
            match found.len() {
                1 => Some(found.remove(0)),
                0 => {
                    on_tip = false;
                    Some(by_full_id(given.trim()).ok_or_else(|| unknown(given))?)
                }
                _ => {
                    return Err(OpError::AmbiguousRecord {
                        kind: "record",
                        given: given.clone(),
                        candidates: found.into_iter().map(|t| t.name).collect(),
                    });
                }
            }
        }
    };
    let history = store.history(&HistoryQuery {
        paths: target.as_ref().map(|t| t.paths.clone()),
        since: query.since.map(|t| t.unix()),
        limit: query.limit,
        contents: query.patch || target.is_some(),
    })?;
    if let Some(given) = &query.target
        && !on_tip
        && history.is_empty()
        && query.since.is_none()
    {
        // A whole ID that no commit ever wrote names nothing.
        return Err(unknown(given));
    }
    Ok((target, history.into_iter().map(entry).collect()))
}

fn unknown(given: &str) -> OpError {
    OpError::UnknownRecord {
        kind: "record",
        given: given.to_owned(),
    }
}

fn entry(c: HistoryCommit) -> LogEntry {
    let subject = c.message.lines().next().unwrap_or_default().to_owned();
    let at = Timestamp::from_unix(c.time)
        .unwrap_or_else(|| Timestamp::from_datetime(chrono::DateTime::<chrono::Utc>::MIN_UTC));
    LogEntry {
        agent: trailer(&c.message, "Coord-Agent").unwrap_or_else(|| c.author.clone()),
        op: trailer(&c.message, "Coord-Op").unwrap_or_else(|| subject.clone()),
        forced_by: trailer(&c.message, super::authority::FORCED_BY),
        commit: c.id,
        at,
        author: c.author,
        subject,
        changes: c
            .changes
            .into_iter()
            .map(|f| {
                let diff = (f.old.is_some() || f.new.is_some())
                    .then(|| unified_diff(&f.path, f.old.as_deref(), f.new.as_deref()));
                LogChange {
                    change: match f.kind {
                        ChangeKind::Added => "added",
                        ChangeKind::Modified => "modified",
                        ChangeKind::Deleted => "deleted",
                    },
                    path: f.path,
                    diff,
                }
            })
            .collect(),
    }
}

/// The value of the last `key: value` trailer line of a commit message.
fn trailer(message: &str, key: &str) -> Option<String> {
    message.lines().rev().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    })
}

/// The unified diff of one file, `None` on the side where it does not exist.
pub fn unified_diff(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let text = |b: Option<&[u8]>| String::from_utf8_lossy(b.unwrap_or_default()).into_owned();
    let (old_text, new_text) = (text(old), text(new));
    let a = match old {
        Some(_) => format!("a/{path}"),
        None => "/dev/null".to_owned(),
    };
    let b = match new {
        Some(_) => format!("b/{path}"),
        None => "/dev/null".to_owned(),
    };
    similar::TextDiff::from_lines(&old_text, &new_text)
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adr_numbers() {
        for (given, n) in [
            ("7", 7),
            ("0007", 7),
            ("ADR-0007", 7),
            ("adr-12", 12),
            ("ADR7", 7),
        ] {
            assert_eq!(adr_number(given), Some(n), "{given}");
        }
        for given in ["", "adr-", "t-4kz", "7a", "1234567890"] {
            assert_eq!(adr_number(given), None, "{given}");
        }
    }

    #[test]
    fn trailers_win_over_the_author() {
        let m = "coord: edit t-aaaaaa\n\nTitle\n\nCoord-Agent: bob\nCoord-Op: edit\n";
        assert_eq!(trailer(m, "Coord-Agent").as_deref(), Some("bob"));
        assert_eq!(trailer(m, "Coord-Op").as_deref(), Some("edit"));
        assert_eq!(trailer("hand edit\n", "Coord-Op"), None);
        assert_eq!(trailer("x\n\nCoord-Agentx: y\n", "Coord-Agent"), None);
    }

    #[test]
    fn diffs_are_unified_with_headers() {
        let d = unified_diff(
            "a.md",
            Some(b"x\ntitle = 1\ny\n"),
            Some(b"x\ntitle = 2\ny\n"),
        );
        assert_eq!(
            d,
            "--- a/a.md\n+++ b/a.md\n@@ -1,3 +1,3 @@\n x\n-title = 1\n+title = 2\n y\n"
        );
        let d = unified_diff("a.md", None, Some(b"new\n"));
        assert!(
            d.starts_with("--- /dev/null\n+++ b/a.md\n@@ -0,0 +1 @@\n+new\n"),
            "{d}"
        );
        let d = unified_diff("a.md", Some(b"old\n"), None);
        assert!(d.starts_with("--- a/a.md\n+++ /dev/null\n"), "{d}");
    }
}
