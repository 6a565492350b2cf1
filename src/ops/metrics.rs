/*!
`metrics`: how the team has been doing, computed from the coordination branch's history (the
audit log, DESIGN §2.2), never from counters.

The history is replayed oldest first: the walk lists each commit's changed paths, the measured
records among them (tasks, ADRs, conflicts, new messages) are read and parsed one at a time,
and the transitions between a record's successive versions are the events measured: a task added, claimed,
blocked, unblocked and done; an ADR proposed and decided; a conflict opened and resolved; a
message that needs a reply and its first reply. The replay (events so far plus the little state
needed to continue it) is cached under `.git/coord/` keyed by the commit it reached, so a call
on an unchanged branch reads no history at all, and a call after new commits replays only
those (found by walking back from the tip to the cached commit; when that commit is no longer
on the branch's first-parent line the replay starts over).

Times are commit author times (what `GIT_COORD_NOW` fixes), so a test can build a history on
a fixed clock and know every duration. Medians are the middle value (the mean of the two
middle values for an even count); the 90th percentile is the nearest rank, the value at rank
⌈0.9·n⌉ of the sorted values (ADR 0020).
*/

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::OpError;
use crate::model::adr::{Adr, AdrStatus};
use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::message::Message;
use crate::model::{Task, Timestamp};
use crate::session::Session;
use crate::store::Cached;
use crate::store::Store;
use crate::store::history::{ChangeKind, HistoryCommit, HistoryQuery};

pub use super::slo::{DEFAULT_SLOS, SLO_KEYS, Slos, parse_slos, slos};

/// What the replay keeps of a task between commits.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct TaskState {
    title: String,
    status: String,
    assignee: Option<String>,
    depends_on: Vec<String>,
    expertise: Vec<String>,
    /// When the commit that added it was made.
    added: i64,
    /// When it was last claimed or assigned (cleared when released).
    claimed: Option<i64>,
    /// When it last became blocked, while it is.
    blocked_since: Option<i64>,
}

/// Something waiting: a blocker, a proposed ADR, an open conflict, a question.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Open {
    title: String,
    since: i64,
}

/// Something that waited and was settled.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Span {
    record: String,
    title: String,
    start: i64,
    end: i64,
}

/// A task finished.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Done {
    task: String,
    agent: String,
    at: i64,
    claimed: Option<i64>,
    added: i64,
}

/// The ready count at one moment.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sample {
    at: i64,
    ready: u32,
    by_expertise: Vec<(String, u32)>,
}

/// The replay of the history up to one commit: the events measured and the state needed to
/// go on from there. Cached under `.git/coord/` by [`Cached`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Replay {
    tasks: BTreeMap<String, TaskState>,
    adrs: BTreeMap<String, Open>,
    conflicts: BTreeMap<String, Open>,
    questions: BTreeMap<String, Open>,
    done: Vec<Done>,
    unblocked: Vec<Span>,
    decided: Vec<Span>,
    resolved: Vec<Span>,
    answered: Vec<Span>,
    queue: Vec<Sample>,
    /// The hour (since the epoch) of the last commit that changed a task, whose ready count
    /// is sampled when a later hour begins (one sample per active hour).
    pending_hour: Option<i64>,
    pending_at: i64,
    /// The author time of the last commit replayed.
    last_time: i64,
    commits: u64,
    /// Record versions that could not be parsed (hand edits gone wrong), skipped.
    unreadable: u64,
}

impl Cached for Replay {
    const KIND: &'static str = "metrics";
    const SOURCES: &'static [&'static str] = &[include_str!("metrics.rs")];
}

/// The value of the last `key: value` trailer of a commit message.
fn trailer(message: &str, key: &str) -> Option<String> {
    message.lines().rev().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    })
}

impl Replay {
    /// Replays one commit (the next newer one).
    fn apply(&mut self, c: &HistoryCommit, read: &dyn Fn(&str, &str) -> Option<String>) {
        let t = c.time;
        let agent = trailer(&c.message, "Coord-Agent").unwrap_or_else(|| c.author.clone());
        let hour = t.div_euclid(3600);
        let touches_tasks = c.changes.iter().any(|f| f.path.starts_with("tasks/"));
        if touches_tasks && self.pending_hour.is_some_and(|h| h != hour) {
            self.sample(self.pending_at);
        }
        for f in &c.changes {
            let dir = f.path.split('/').next().unwrap_or_default();
            if f.kind == ChangeKind::Deleted {
                if dir == "tasks"
                    && let Some(id) = f
                        .path
                        .rsplit('/')
                        .next()
                        .and_then(|n| n.strip_suffix(".md"))
                {
                    // A task deleted from the branch is no longer counted anywhere.
                    self.tasks.remove(id);
                }
                continue;
            }
            // Only the records measured are read (not agents' entries or scratchpads, which
            // most commits touch); messages are written once, so only their first version.
            let wanted = match dir {
                "tasks" | "adrs" | "conflicts" => true,
                "messages" => f.kind == ChangeKind::Added,
                _ => false,
            };
            if !wanted {
                continue;
            }
            let Some(new) = read(&c.id, &f.path) else {
                self.unreadable += 1;
                continue;
            };
            let new = new.as_str();
            let parsed = match dir {
                "tasks" => Task::parse(&f.path, new).map(|x| self.task(x, t, &agent)),
                "adrs" => Adr::parse(&f.path, new).map(|x| self.adr(x, t)),
                "conflicts" => Conflict::parse(&f.path, new).map(|x| self.conflict(x, t)),
                _ => Message::parse(&f.path, new).map(|x| self.message(x, t)),
            };
            if parsed.is_err() {
                self.unreadable += 1;
            }
        }
        if touches_tasks {
            self.pending_hour = Some(hour);
            self.pending_at = t;
        }
        self.last_time = t;
        self.commits += 1;
    }

    fn task(&mut self, task: Task, t: i64, agent: &str) {
        let id = task.id.to_string();
        let status = task.status.as_str().to_owned();
        let assignee = task.assignee.as_ref().map(|a| a.to_string());
        let mut state = self.tasks.remove(&id).unwrap_or_else(|| TaskState {
            added: t,
            status: "todo".to_owned(),
            ..TaskState::default()
        });
        if state.assignee.is_none() && assignee.is_some() {
            state.claimed = Some(t);
        } else if assignee.is_none() && status != "done" {
            state.claimed = None;
        }
        if state.status != "blocked" && status == "blocked" {
            state.blocked_since = Some(t);
        }
        if state.status == "blocked"
            && status != "blocked"
            && let Some(start) = state.blocked_since.take()
        {
            self.unblocked.push(Span {
                record: id.clone(),
                title: task.title.clone(),
                start,
                end: t,
            });
        }
        if state.status != "done" && status == "done" {
            self.done.push(Done {
                task: id.clone(),
                agent: assignee.clone().unwrap_or_else(|| agent.to_owned()),
                at: t,
                claimed: state.claimed,
                added: state.added,
            });
        }
        state.title = task.title;
        state.status = status;
        state.assignee = assignee;
        state.depends_on = task.depends_on.iter().map(|d| d.to_string()).collect();
        state.expertise = task.expertise;
        self.tasks.insert(id, state);
    }

    fn adr(&mut self, adr: Adr, t: i64) {
        let key = adr.number.to_string();
        match (adr.status, self.adrs.remove(&key)) {
            (AdrStatus::Proposed, open) => {
                let since = open.map_or(t, |o| o.since);
                self.adrs.insert(
                    key,
                    Open {
                        title: adr.title,
                        since,
                    },
                );
            }
            (_, Some(open)) => self.decided.push(Span {
                record: key,
                title: adr.title,
                start: open.since,
                end: t,
            }),
            (_, None) => {}
        }
    }

    fn conflict(&mut self, conflict: Conflict, t: i64) {
        let key = conflict.id.to_string();
        match (conflict.status, self.conflicts.remove(&key)) {
            (ConflictStatus::Open, open) => {
                let since = open.map_or(t, |o| o.since);
                self.conflicts.insert(
                    key,
                    Open {
                        title: conflict.title,
                        since,
                    },
                );
            }
            (ConflictStatus::Resolved, Some(open)) => self.resolved.push(Span {
                record: key,
                title: conflict.title,
                start: open.since,
                end: t,
            }),
            (ConflictStatus::Resolved, None) => {}
        }
    }

    /// A new message (messages are written once; later edits only mark them read).
    fn message(&mut self, m: Message, t: i64) {
        if let Some(to) = m.reply_to.as_ref().map(|r| r.to_string())
            && let Some(open) = self.questions.remove(&to)
        {
            self.answered.push(Span {
                record: to,
                title: open.title,
                start: open.since,
                end: t,
            });
        }
        if m.needs_reply {
            self.questions.insert(
                m.id.to_string(),
                Open {
                    title: m.subject,
                    since: t,
                },
            );
        }
    }

    fn ready_now(&self) -> Sample {
        let mut ready = 0;
        let mut by: BTreeMap<&str, u32> = BTreeMap::new();
        for s in self.tasks.values() {
            let is_ready = s.status == "todo"
                && s.assignee.is_none()
                && s.depends_on.iter().all(|d| {
                    self.tasks
                        .get(d)
                        .is_some_and(|d| d.status == "done" || d.status == "cancelled")
                });
            if !is_ready {
                continue;
            }
            ready += 1;
            if s.expertise.is_empty() {
                *by.entry(ANY_EXPERTISE).or_default() += 1;
            }
            for e in &s.expertise {
                *by.entry(e.as_str()).or_default() += 1;
            }
        }
        Sample {
            at: self.pending_at,
            ready,
            by_expertise: by.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    fn sample(&mut self, at: i64) {
        let mut s = self.ready_now();
        s.at = at;
        self.queue.push(s);
    }
}

/// The queue-depth key of ready tasks that ask for no expertise (anyone can take them).
pub const ANY_EXPERTISE: &str = "(any)";

/// The replay of the whole branch up to its tip, from the cache where it can be.
pub fn replay(store: &Store) -> Result<Replay, OpError> {
    let Some(tip) = store.tip()? else {
        // Not initialised: the history read says so, with its hint.
        store.history(&HistoryQuery::default())?;
        return Ok(Replay::default());
    };
    let tip_id = tip.commit.to_string();
    if let Some(cached) = store.cache_load_at::<Replay>(&tip_id) {
        return Ok(cached);
    }
    // The walk lists changed paths only; the few records measured are read one by one as
    // they are replayed, so memory stays flat however long the history is.
    let full = || store.history(&HistoryQuery::default());
    let (mut replay, commits) = match store.cache_load::<Replay>() {
        Some((base, cached)) => {
            // Only what is newer than the cached commit; the walk stops at the first commit
            // older than it, so a clock that ran backwards (or a rewritten branch) shows as the
            // cached commit not being found, and the replay starts over.
            let newer = store.history(&HistoryQuery {
                since: Some(cached.last_time),
                ..HistoryQuery::default()
            })?;
            match newer.iter().position(|c| c.id == base) {
                Some(at) => (cached, newer.into_iter().take(at).collect::<Vec<_>>()),
                None => (Replay::default(), full()?),
            }
        }
        None => (Replay::default(), full()?),
    };
    let read = |commit: &str, path: &str| store.file_at(commit, path).ok().flatten();
    for commit in commits.iter().rev() {
        replay.apply(commit, &read);
    }
    store.cache_save(&tip_id, &replay);
    Ok(replay)
}

/// Median and 90th percentile of some durations, in hours.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Distribution {
    pub count: usize,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

fn hours(secs: i64) -> f64 {
    round(secs as f64 / 3600.0)
}

/// Rounded to the thousandth of an hour (3.6 s), so JSON values are stable and readable.
fn round(h: f64) -> f64 {
    (h * 1000.0).round() / 1000.0
}

/// The distribution of `secs` (see the module doc for the definitions).
pub fn distribution(mut secs: Vec<i64>) -> Distribution {
    secs.sort_unstable();
    let n = secs.len();
    if n == 0 {
        return Distribution::default();
    }
    let median = if n % 2 == 1 {
        secs[n / 2] as f64
    } else {
        (secs[n / 2 - 1] + secs[n / 2]) as f64 / 2.0
    };
    // Nearest rank: ⌈0.9·n⌉, 1-based, computed in integers.
    let rank = (9 * n).div_ceil(10);
    Distribution {
        count: n,
        median_hours: Some(round(median / 3600.0)),
        p90_hours: Some(hours(secs[rank - 1])),
    }
}

/// Tasks finished, in all and by day (UTC) and agent.
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    pub done: usize,
    /// `YYYY-MM-DD` → tasks done that day, for the days that had any.
    pub per_day: BTreeMap<String, usize>,
    pub per_agent: BTreeMap<String, usize>,
}

/// The ready count at one moment.
#[derive(Clone, Debug, Serialize)]
pub struct QueuePoint {
    pub at: Timestamp,
    pub ready: u32,
    pub by_expertise: BTreeMap<String, u32>,
}

/// The ready queue: now, and sampled over time (the state after the last task change of each
/// hour that had one).
#[derive(Clone, Debug, Serialize)]
pub struct QueueDepth {
    pub ready: u32,
    pub by_expertise: BTreeMap<String, u32>,
    pub over_time: Vec<QueuePoint>,
}

/// One record that took longer than its SLO (or has been waiting longer).
#[derive(Clone, Debug, Serialize)]
pub struct Breach {
    /// The task, ADR (`ADR-0007`), conflict or message ID.
    pub record: String,
    pub title: String,
    pub started: Timestamp,
    /// `null` while it is still waiting.
    pub ended: Option<Timestamp>,
    pub hours: f64,
}

/// One coordination SLO and how it was kept.
#[derive(Clone, Debug, Serialize)]
pub struct SloReport {
    /// `blockers`, `decisions`, `conflicts` or `messages`.
    pub name: &'static str,
    pub slo_hours: f64,
    /// How long the settled ones took (settled in the window).
    #[serde(flatten)]
    pub settled: Distribution,
    /// Still waiting.
    pub open: usize,
    pub breaches: Vec<Breach>,
    pub met: bool,
}

/// Everything `metrics` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub now: Timestamp,
    /// The window's start (`--since`), `null` for the whole history.
    pub since: Option<Timestamp>,
    /// Commits of the branch replayed (the whole history).
    pub commits: u64,
    pub throughput: Throughput,
    /// Claim (or assignment) → done.
    pub cycle_time: Distribution,
    /// Added → done.
    pub lead_time: Distribution,
    pub queue_depth: QueueDepth,
    /// Open tasks each agent is working on (in progress, in review or blocked).
    pub wip: BTreeMap<String, usize>,
    pub slos: Vec<SloReport>,
    /// Record versions in the history that could not be read and were skipped.
    pub unreadable: u64,
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_unix(secs)
        .unwrap_or_else(|| Timestamp::from_datetime(chrono::DateTime::<chrono::Utc>::MIN_UTC))
}

fn day(secs: i64) -> String {
    ts(secs).datetime().format("%Y-%m-%d").to_string()
}

/// The metrics of the replayed history at `now`, over the window from `start` (everything when
/// `None`), against `slos`.
pub fn compute(replay: &Replay, now: Timestamp, start: Option<i64>, slos: Slos) -> Metrics {
    let in_window = |t: i64| start.is_none_or(|s| t >= s);
    let done: Vec<&Done> = replay.done.iter().filter(|d| in_window(d.at)).collect();
    let mut per_day = BTreeMap::new();
    let mut per_agent = BTreeMap::new();
    for d in &done {
        *per_day.entry(day(d.at)).or_default() += 1;
        *per_agent.entry(d.agent.clone()).or_default() += 1;
    }
    let cycle_time = distribution(
        done.iter()
            .filter_map(|d| d.claimed.map(|c| d.at - c))
            .collect(),
    );
    let lead_time = distribution(done.iter().map(|d| d.at - d.added).collect());
    let current = replay.ready_now();
    let over_time = replay
        .queue
        .iter()
        .filter(|s| in_window(s.at))
        .chain(replay.pending_hour.map(|_| &current))
        .map(|s| QueuePoint {
            at: ts(s.at),
            ready: s.ready,
            by_expertise: s.by_expertise.iter().cloned().collect(),
        })
        .collect();
    let mut wip = BTreeMap::new();
    for s in replay.tasks.values() {
        if let Some(a) = &s.assignee
            && matches!(s.status.as_str(), "in_progress" | "review" | "blocked")
        {
            *wip.entry(a.clone()).or_default() += 1;
        }
    }
    let blockers: BTreeMap<String, Open> = replay
        .tasks
        .iter()
        .filter_map(|(id, s)| {
            s.blocked_since.map(|since| {
                (
                    id.clone(),
                    Open {
                        title: s.title.clone(),
                        since,
                    },
                )
            })
        })
        .collect();
    let slo = |name, limit: i64, spans: &[Span], open: &BTreeMap<String, Open>| {
        let settled: Vec<&Span> = spans.iter().filter(|s| in_window(s.end)).collect();
        let mut breaches: Vec<Breach> = settled
            .iter()
            .filter(|s| s.end - s.start > limit)
            .map(|s| Breach {
                record: s.record.clone(),
                title: s.title.clone(),
                started: ts(s.start),
                ended: Some(ts(s.end)),
                hours: hours(s.end - s.start),
            })
            .collect();
        breaches.extend(
            open.iter()
                .filter(|(_, o)| now.unix() - o.since > limit)
                .map(|(id, o)| Breach {
                    record: id.clone(),
                    title: o.title.clone(),
                    started: ts(o.since),
                    ended: None,
                    hours: hours(now.unix() - o.since),
                }),
        );
        breaches.sort_by(|a, b| a.started.cmp(&b.started).then(a.record.cmp(&b.record)));
        SloReport {
            name,
            slo_hours: hours(limit),
            settled: distribution(settled.iter().map(|s| s.end - s.start).collect()),
            open: open.len(),
            met: breaches.is_empty(),
            breaches,
        }
    };
    let slos = vec![
        slo("blockers", slos.blockers, &replay.unblocked, &blockers),
        slo("decisions", slos.decisions, &replay.decided, &replay.adrs),
        slo(
            "conflicts",
            slos.conflicts,
            &replay.resolved,
            &replay.conflicts,
        ),
        slo(
            "messages",
            slos.messages,
            &replay.answered,
            &replay.questions,
        ),
    ];
    Metrics {
        now,
        since: start.map(ts),
        commits: replay.commits,
        throughput: Throughput {
            done: done.len(),
            per_day,
            per_agent,
        },
        cycle_time,
        lead_time,
        queue_depth: QueueDepth {
            ready: current.ready,
            by_expertise: current.by_expertise.into_iter().collect(),
            over_time,
        },
        wip,
        slos,
        unreadable: replay.unreadable,
    }
}

/// One stretch of work on a task by one agent: from its claim (or assignment) to its
/// completion, or to now while it is open.
#[derive(Clone, Debug, Serialize)]
pub struct Bar {
    pub task: String,
    pub title: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Still open (the bar ends at the time the lanes were drawn).
    pub open: bool,
    /// The task's status now.
    pub status: String,
}

/// One agent's work over time, oldest first.
#[derive(Clone, Debug, Serialize)]
pub struct Lane {
    pub agent: String,
    pub bars: Vec<Bar>,
}

/// Per-agent swim lanes from the replayed history: every finished task from claim to done,
/// and every held open task from claim to `now`; bars ending before `from` are left out.
pub fn lanes(replay: &Replay, now: Timestamp, from: Option<i64>) -> Vec<Lane> {
    let mut by: BTreeMap<String, Vec<Bar>> = BTreeMap::new();
    let title = |id: &str| {
        replay
            .tasks
            .get(id)
            .map(|t| t.title.clone())
            .unwrap_or_default()
    };
    let status = |id: &str| {
        replay
            .tasks
            .get(id)
            .map(|t| t.status.clone())
            .unwrap_or_else(|| "done".to_owned())
    };
    for d in &replay.done {
        let Some(start) = d.claimed else { continue };
        by.entry(d.agent.clone()).or_default().push(Bar {
            task: d.task.clone(),
            title: title(&d.task),
            start: ts(start),
            end: ts(d.at),
            open: false,
            status: status(&d.task),
        });
    }
    for (id, t) in &replay.tasks {
        if let (Some(agent), Some(start)) = (&t.assignee, t.claimed)
            && !matches!(t.status.as_str(), "done" | "cancelled")
        {
            by.entry(agent.clone()).or_default().push(Bar {
                task: id.clone(),
                title: t.title.clone(),
                start: ts(start),
                end: now,
                open: true,
                status: t.status.clone(),
            });
        }
    }
    by.into_iter()
        .map(|(agent, mut bars)| {
            bars.retain(|b| from.is_none_or(|f| b.end.unix() >= f));
            bars.sort_by(|a, b| a.start.cmp(&b.start).then(a.task.cmp(&b.task)));
            Lane { agent, bars }
        })
        .filter(|l| !l.bars.is_empty())
        .collect()
}

/// The metrics of the session's repository at its time, over the last `since_secs` seconds
/// (the whole history when `None`), with the warnings about the SLO settings.
pub fn metrics(
    session: &Session,
    since_secs: Option<i64>,
) -> Result<(Metrics, Vec<String>), OpError> {
    let store = session.store()?;
    let now = session.now();
    let (slos, warnings) = slos(store);
    let replay = replay(store)?;
    let start = since_secs.map(|s| now.unix() - s);
    Ok((compute(&replay, now, start, slos), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_nearest_rank_p90() {
        let h = |x: i64| x * 3600;
        // Odd count: the middle one; p90 of 5 values is rank ⌈4.5⌉ = 5.
        let d = distribution(vec![h(5), h(1), h(3), h(2), h(4)]);
        assert_eq!(
            (d.count, d.median_hours, d.p90_hours),
            (5, Some(3.0), Some(5.0))
        );
        // Even count: the mean of the two middle ones; p90 of 10 values is rank 9.
        let d = distribution((1..=10).map(h).collect());
        assert_eq!((d.median_hours, d.p90_hours), (Some(5.5), Some(9.0)));
        // p90 of 20 values is rank 18.
        let d = distribution((1..=20).map(h).collect());
        assert_eq!(d.p90_hours, Some(18.0));
        assert_eq!(distribution(vec![]), Distribution::default());
    }
}
