/*!
The fixture of the in-process tests of operations: a temporary repository whose coordination
branch `init` created, agents acting at a fixed time, and the records read back from the tip,
so a test asserts what an operation committed rather than what it returned.
*/

use std::path::Path;

use tempfile::TempDir;

use super::Actor;
use crate::model::{AgentId, NewTask, Task, TaskId, Timestamp};
use crate::store::history::HistoryQuery;
use crate::store::{Edit, Plan, Snapshot, Store};

/// The fixed time every actor acts at unless a test moves it: 2026-11-21T10:00:00Z.
pub const NOW: &str = "2026-11-21T10:00:00Z";

/// [`NOW`] as a timestamp.
pub fn now() -> Timestamp {
    Timestamp::parse_rfc3339(NOW).expect("NOW is RFC 3339")
}

/// [`NOW`] moved by `secs` seconds (negative: earlier).
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix(now().unix() + secs).expect("a time near NOW")
}

/// `name` acting at [`NOW`].
pub fn actor(name: &str) -> Actor {
    actor_at(name, now())
}

/// `name` acting at `now`.
pub fn actor_at(name: &str, now: Timestamp) -> Actor {
    Actor {
        agent: agent(name),
        email: format!("{name}@coord.invalid"),
        now,
    }
}

pub fn agent(name: &str) -> AgentId {
    AgentId::parse(name).expect("a valid agent name")
}

/// A temporary repository with the coordination branch, created by `lead` (registered).
pub struct Repo {
    // Declared before the directory it lives in, so it is dropped first.
    pub store: Store,
    pub dir: TempDir,
}

impl Repo {
    pub fn init() -> Repo {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::init_repository(dir.path()).expect("git init");
        let lead = actor("lead");
        assert!(super::init::init(&store, &lead.author(), Some(&lead)).expect("coord init"));
        Repo { store, dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The repository opened again: config written since (`set_config`) is read on opening.
    pub fn reopen(&self) -> Store {
        Store::discover(self.path()).expect("open the repository")
    }

    /// Sets a git config value of the repository and returns the store that reads it.
    pub fn with_config(&mut self, key: &str, value: &str) {
        self.store.set_config(key, value).expect("git config");
        self.store = self.reopen();
    }

    pub fn snapshot(&self) -> Snapshot<'_> {
        self.store.snapshot().expect("a snapshot of the tip")
    }

    /// The commit ID of the branch tip.
    pub fn tip(&self) -> String {
        self.store
            .tip()
            .expect("read the tip")
            .expect("the branch exists")
            .commit
            .to_string()
    }

    /// The messages of the branch's commits, newest first.
    pub fn messages(&self) -> Vec<String> {
        self.store
            .history(&HistoryQuery::default())
            .expect("the history")
            .into_iter()
            .map(|c| c.message)
            .collect()
    }

    /// The message of the tip commit.
    pub fn last_message(&self) -> String {
        self.messages().remove(0)
    }

    /// Adds a task titled `title` as `by`, depending on `after`.
    pub fn add(&self, by: &Actor, title: &str, after: &[&TaskId]) -> Task {
        self.add_with(
            by,
            NewTask {
                title: title.to_owned(),
                ..NewTask::default()
            },
            after,
        )
    }

    /// Adds `task` as `by`, depending on `after`.
    pub fn add_with(&self, by: &Actor, task: NewTask, after: &[&TaskId]) -> Task {
        super::task::add(
            &self.store,
            by,
            super::task::AddTask {
                task,
                after: after.iter().map(|id| id.to_string()).collect(),
            },
        )
        .expect("task add")
    }

    /// A task as the tip holds it.
    pub fn task(&self, id: &TaskId) -> Task {
        super::read_task(&self.snapshot(), id)
            .expect("read the task")
            .expect("the task exists")
    }

    /// Commits `edits` as they are, as a hand edit of the branch would: records no command
    /// would write (malformed, misplaced, contradicting each other).
    pub fn hand_edit(&self, edits: &[Edit]) {
        self.store
            .update(&actor("lead").author(), |_| {
                Ok::<_, super::OpError>(Plan::Commit {
                    message: "hand edit".to_owned(),
                    edits: edits.to_vec(),
                    value: (),
                })
            })
            .expect("commit the hand edit");
    }

    /// A file of the tip, as text.
    pub fn file(&self, path: &str) -> Option<String> {
        self.snapshot().read_text(path).expect("read the file")
    }
}
