/*!
`wait`: block until something an agent waits for happens on the coordination branch — a reply
to a message, a change to a task (or a task reaching a status), work that fits the agent
becoming ready, a message for it — or a timeout passes (DESIGN §8).

Waiting must cost next to nothing, so the branch is not read on every tick: a [`RefWatch`]
stats the branch's loose ref file and `packed-refs` (and reads the loose file, 41 bytes), with
a backoff from 20 ms to 500 ms, and only when that stamp changes is the tip resolved; only
when the tip commit moved is the condition evaluated again on a fresh snapshot. Every few
seconds the tip is resolved anyway, a safety net for file systems whose timestamps are too
coarse to see a rewrite of the same size (a `packed-refs` rewritten within one tick).
*/

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::OpError;
use super::memory::{self, InboxItem};
use super::schedule::{self, ReadyItem, ReadyOptions};
use crate::model::message::Message;
use crate::model::task::Status;
use crate::model::{AgentId, Task, layout};
use crate::session::{Session, SessionError};
use crate::store::{Author, Store};

/// What to wait for.
#[derive(Clone, Debug)]
pub enum Condition {
    /// A reply to this message (ID or unique prefix).
    Reply(String),
    /// A change to this task's record, or with `status`, the task having that status.
    Task {
        task: String,
        status: Option<Status>,
    },
    /// Work for the acting agent: a task assigned to it and not started, or an unassigned
    /// ready task that fits its expertise (what `next` would take).
    Ready,
    /// An unread message for the acting agent.
    Inbox,
}

impl Condition {
    /// The condition's name, as `event` names it in the result.
    pub fn name(&self) -> &'static str {
        match self {
            Condition::Reply(_) => "reply",
            Condition::Task { .. } => "task",
            Condition::Ready => "ready",
            Condition::Inbox => "inbox",
        }
    }
}

/// A task as `--json` shows one (the record's fields and its `path`).
#[derive(Clone, Debug, Serialize)]
pub struct TaskNow {
    #[serde(flatten)]
    pub task: Task,
    pub path: String,
}

/// What happened, as `wait --json` and the MCP `wait` tool report it.
#[derive(Clone, Debug, Serialize)]
pub struct Waited {
    /// `reply`, `task`, `ready`, `inbox`, or `timeout`.
    pub event: &'static str,
    /// How long the call waited, in seconds.
    pub waited_secs: f64,
    /// The coordination branch's tip commit the answer was read from.
    pub tip: Option<String>,
    /// `wait --reply`: the message waited on, and its replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<Message>>,
    /// `wait --task`: the task as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskNow>,
    /// `wait --ready`: the work ready for the agent, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<ReadyItem>>,
    /// `wait --inbox`: the unread messages for the agent, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<InboxItem>>,
}

impl Waited {
    fn new(event: &'static str, started: Instant, tip: Option<String>) -> Waited {
        Waited {
            event,
            waited_secs: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            tip,
            message: None,
            replies: None,
            task: None,
            tasks: None,
            messages: None,
        }
    }

    pub fn timed_out(&self) -> bool {
        self.event == "timeout"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Sync(#[from] super::sync::SyncError),
}

/// `wait --sync`: what happens on other machines reaches this clone only through the remote,
/// so the wait syncs with it (fetch, merge, push), at the start and then every `every`.
#[derive(Clone, Debug)]
pub struct RemoteWatch {
    pub every: Duration,
    /// Who the merge commits a sync may write are authored by.
    pub author: Author,
}

/// The shortest interval between two syncs of `wait --sync`: a remote is not to be polled
/// harder than this, whatever the caller asks.
pub const MIN_SYNC_EVERY: Duration = Duration::from_secs(1);

impl From<crate::store::Error> for WaitError {
    fn from(e: crate::store::Error) -> WaitError {
        WaitError::Op(e.into())
    }
}

/// A cheap stamp of the branch's ref files: what changes whenever the ref moves.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    loose: Option<(Vec<u8>, Option<std::time::SystemTime>)>,
    packed: Option<(u64, Option<std::time::SystemTime>)>,
}

/// Watches the files behind the coordination branch's ref (never the branch's content).
pub struct RefWatch {
    loose: PathBuf,
    packed: PathBuf,
    last: Stamp,
}

impl RefWatch {
    pub fn new(store: &Store) -> RefWatch {
        let common = store.common_dir();
        let mut watch = RefWatch {
            loose: common.join(store.branch()),
            packed: common.join("packed-refs"),
            last: Stamp {
                loose: None,
                packed: None,
            },
        };
        watch.last = watch.stamp();
        watch
    }

    fn stamp(&self) -> Stamp {
        // A loose ref is one line: reading it is as cheap as a stat, and sees a rewrite that
        // keeps the size and the mtime second.
        let loose = std::fs::read(&self.loose)
            .ok()
            .map(|b| (b, mtime(&self.loose)));
        let packed = std::fs::metadata(&self.packed)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        Stamp { loose, packed }
    }

    /// Whether the ref files changed since the last call.
    pub fn changed(&mut self) -> bool {
        let now = self.stamp();
        if now == self.last {
            return false;
        }
        self.last = now;
        true
    }
}

fn mtime(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok().and_then(|m| m.modified().ok())
}

const FIRST_TICK: Duration = Duration::from_millis(20);
const LONGEST_TICK: Duration = Duration::from_millis(500);
/// Resolve the tip at least this often, whatever the stamp says.
const SAFETY_NET: Duration = Duration::from_secs(5);

/// What the condition needs remembered from the moment the wait began.
enum Baseline {
    None,
    /// The task's ID and its record as it was (its blob), for "any change".
    Task(crate::model::TaskId, Option<String>),
    Message(crate::model::message::MessageId),
}

/// Blocks until `condition` holds or `timeout` passes (`None`: no limit). A condition that
/// already holds answers at once (a reply that came before the wait began still counts),
/// except "any change to a task", which waits for the next one. Fails before waiting when
/// the condition names no record or needs an agent and none is set. `watching` is called
/// once, when the condition did not hold at first and the wait begins (a face says so).
pub fn wait(
    session: &Session,
    condition: &Condition,
    timeout: Option<Duration>,
    remote: Option<&RemoteWatch>,
    watching: impl FnOnce(),
) -> Result<Waited, WaitError> {
    let started = Instant::now();
    let store = session.store()?;
    let sync = |store: &Store, remote: &RemoteWatch| {
        super::sync::sync(store, &remote.author, &super::sync::SyncOptions::default())
    };
    if let Some(remote) = remote {
        sync(store, remote)?;
    }
    let mut last_sync = Instant::now();
    let agent = match condition {
        Condition::Ready | Condition::Inbox => {
            Some(session.agent()?.ok_or(SessionError::NoAgent)?.0)
        }
        _ => None,
    };
    let mut watch = RefWatch::new(store);
    let snap = store.snapshot()?;
    let baseline = match condition {
        Condition::Task { task, .. } => {
            let id = super::resolve_task(&snap, task)?;
            let blob = snap
                .entry_id(&layout::task_path(&id))?
                .map(|b| b.to_string());
            Baseline::Task(id, blob)
        }
        Condition::Reply(given) => Baseline::Message(memory::resolve_message(&snap, given)?),
        _ => Baseline::None,
    };
    let mut tip = Some(snap.tip().commit);
    let deadline = timeout.map(|t| started + t);
    let mut tick = FIRST_TICK;
    let mut last_resolve = Instant::now();
    if let Some(done) = evaluate(session, store, condition, &baseline, &agent, started)? {
        return Ok(done);
    }
    watching();
    let mut first = true;
    loop {
        if let Some(remote) = remote
            && last_sync.elapsed() >= remote.every.max(MIN_SYNC_EVERY)
        {
            // The branch moves here if the remote had news; the ref watch below sees it.
            sync(store, remote)?;
            last_sync = Instant::now();
        }
        if first {
            first = false;
        } else if watch.changed() || last_resolve.elapsed() >= SAFETY_NET {
            last_resolve = Instant::now();
            let now_tip = store.tip()?.map(|t| t.commit);
            if now_tip != tip {
                tip = now_tip;
                tick = FIRST_TICK;
                if let Some(done) = evaluate(session, store, condition, &baseline, &agent, started)?
                {
                    return Ok(done);
                }
            }
        }
        let mut sleep = tick;
        if let Some(remote) = remote {
            let next_sync = remote.every.max(MIN_SYNC_EVERY);
            sleep = sleep.min(next_sync.saturating_sub(last_sync.elapsed()));
        }
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(Waited::new("timeout", started, tip.map(|t| t.to_string())));
            }
            sleep = sleep.min(left);
        }
        std::thread::sleep(sleep);
        tick = (tick * 3 / 2).min(LONGEST_TICK);
    }
}

/// The answer when `condition` holds on the current tip, else `None`.
fn evaluate(
    session: &Session,
    store: &Store,
    condition: &Condition,
    baseline: &Baseline,
    agent: &Option<AgentId>,
    started: Instant,
) -> Result<Option<Waited>, WaitError> {
    let snap = store.snapshot()?;
    let tip = Some(snap.tip().commit.to_string());
    let mut out = Waited::new(condition.name(), started, tip);
    match (condition, baseline) {
        (Condition::Reply(_), Baseline::Message(id)) => {
            let (messages, _) = memory::load_messages(&snap)?;
            let replies: Vec<Message> = messages
                .into_iter()
                .filter(|m| m.reply_to.as_ref() == Some(id))
                .collect();
            if replies.is_empty() {
                return Ok(None);
            }
            out.message = Some(id.to_string());
            out.replies = Some(replies);
        }
        (Condition::Task { status, .. }, Baseline::Task(id, before)) => {
            let path = layout::task_path(id);
            let blob = snap.entry_id(&path)?.map(|b| b.to_string());
            let task: Option<Task> = super::read_task(&snap, id)?;
            let holds = match (status, &task) {
                (Some(want), Some(t)) => t.status == *want,
                (Some(_), None) => false,
                // Any change: a new blob, or the record gone.
                (None, _) => blob != *before,
            };
            if !holds {
                return Ok(None);
            }
            out.task = task.map(|t| TaskNow { path, task: t });
        }
        (Condition::Ready, _) => {
            let opts = ReadyOptions {
                agent: agent.clone(),
                ..ReadyOptions::default()
            };
            let (items, _) = schedule::ready(store, &opts, session.now())?;
            if items.is_empty() {
                return Ok(None);
            }
            out.tasks = Some(items);
        }
        (Condition::Inbox, _) => {
            let Some(me) = agent else { return Ok(None) };
            let (items, _) =
                memory::inbox(&snap, me, false, session.now(), memory::reply_within(store))?;
            if items.is_empty() {
                return Ok(None);
            }
            out.messages = Some(items);
        }
        _ => return Ok(None),
    }
    Ok(Some(out))
}

/// A timeout: `500ms`, or a duration as the rest of the tool writes one (`30s`, `10m`, `2h`).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    if let Some(ms) = s.trim().strip_suffix("ms") {
        return ms
            .trim()
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("{s:?} is not a duration: use 500ms, 30s, 10m or 2h"));
    }
    let secs = crate::model::time::parse_wall_duration(s)?;
    Ok(Duration::from_secs(secs.max(0) as u64))
}
