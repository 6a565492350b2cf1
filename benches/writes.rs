/*!
Write latency of the real `git-coord` binary against a populated coordination branch.

DESIGN target: any mutating command takes at most 5 ms, and stays flat as the number of
records grows. This measures `task add` and `claim` as processes (what an agent actually pays)
against repositories that already hold 100, 10,000 and 100,000 tasks, next to two references:

- `git_version`: spawning `git --version`, the floor of process start-up on this machine;
- `lib_task_add`: the in-process [`ops::task::add`], which isolates our work from start-up.

The repositories are seeded through the library in one commit (not by N process runs), and
every process runs with `GIT_CONFIG_GLOBAL=/dev/null` and `GIT_CONFIG_NOSYSTEM=1` so the
config of whoever runs the benchmark cannot leak in.

Run with `cargo bench --bench writes` (criterion flags go after `--`).
*/

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{AGENT, EMAIL, SCRUBBED_VARS, assert_success, command, timed};
use criterion::{BenchmarkId, Criterion};
use git_coord::clock::Clock;
use git_coord::model::{Action, AgentId, Applied, NewTask, Status, Task, TaskId, layout};
use git_coord::ops::task::{self as task_ops, AddTask};
use git_coord::ops::{self, Actor, OpError};
use git_coord::store::{Edit, Plan, Store};
use tempfile::TempDir;

/// The repository sizes (existing tasks) every write is measured against.
const SIZES: [usize; 3] = [100, 10_000, 100_000];

/// Tasks added by the `task_add` benchmarks are removed (untimed) once this many have
/// accumulated, so a repository seeded with n tasks holds between n and n + PRUNE_EVERY - 1
/// while an add is timed.
const PRUNE_EVERY: usize = 16;

fn git(dir: &Path, args: &[&str]) {
    let mut cmd = command("git", dir);
    cmd.args(args);
    let output = cmd.output().expect("run git");
    assert_success(&cmd, &output);
}

/// The real binary, acting as the bench agent, quietly.
fn coord(dir: &Path) -> Command {
    let mut cmd = command(env!("CARGO_BIN_EXE_git-coord"), dir);
    cmd.args(["-q", "--agent", AGENT]);
    cmd
}

fn actor() -> Actor {
    Actor {
        agent: AgentId::parse(AGENT).expect("valid agent name"),
        email: EMAIL.to_owned(),
        now: Clock::system().now(),
    }
}

/// A repository whose coordination branch holds `ids.len()` tasks, all `todo`.
struct Fixture {
    _tmp: TempDir,
    dir: PathBuf,
    store: Store,
    /// The seeded tasks, in random order.
    ids: Vec<TaskId>,
    /// Their paths on the branch; any other task was added by a benchmark and gets pruned.
    seeded: HashSet<String>,
    /// The fan-out directories under `tasks/` after seeding, with their tree IDs: a directory
    /// whose ID differs holds tasks a benchmark added.
    seeded_buckets: HashMap<String, String>,
    /// The next seeded task `claim` takes.
    cursor: usize,
    /// Seeded tasks currently claimed by the bench agent.
    claimed: Vec<TaskId>,
}

impl Fixture {
    fn new(n: usize) -> Fixture {
        let started = Instant::now();
        let tmp = tempfile::Builder::new()
            .prefix("coord-bench-")
            .tempdir()
            .expect("create a temporary directory");
        let dir = tmp.path().join("repo");
        std::fs::create_dir(&dir).expect("create the repository directory");
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["config", "user.name", "Coord Bench"]);
        git(&dir, &["config", "user.email", EMAIL]);

        let store = Store::discover(&dir).expect("open the bench repository");
        let actor = actor();
        let author = actor.author();
        let created = ops::init::init(&store, &author, Some(&actor)).expect("init");
        assert!(created, "the coordination branch already existed");

        let mut ids = Vec::with_capacity(n);
        let mut seeded = HashSet::with_capacity(n);
        let mut edits = Vec::with_capacity(n);
        while ids.len() < n {
            // 6 random characters collide now and then among 10,000 IDs: draw again.
            let id = TaskId::random(6);
            let path = layout::task_path(&id);
            if !seeded.insert(path.clone()) {
                continue;
            }
            let i = ids.len();
            let task = Task::new(
                id.clone(),
                NewTask {
                    title: format!("Seeded task {i}"),
                    estimate_hours: Some((i % 8 + 1) as f64),
                    ..Default::default()
                },
                actor.now,
            )
            .expect("valid seeded task");
            edits.push(Edit::write(path, task.to_text()));
            ids.push(id);
        }
        store
            .update(&author, |_snap| {
                Ok::<_, OpError>(Plan::Commit {
                    message: format!("coord: seed {n} tasks\n\nCoord-Agent: {AGENT}\n"),
                    edits: edits.clone(),
                    value: (),
                })
            })
            .expect("seed the tasks");

        let seeded_buckets = store
            .snapshot()
            .expect("snapshot")
            .list(layout::TASKS_DIR)
            .expect("list the tasks directory")
            .into_iter()
            .map(|e| (e.name, e.id.to_string()))
            .collect();
        let fixture = Fixture {
            _tmp: tmp,
            dir,
            store,
            ids,
            seeded,
            seeded_buckets,
            cursor: 0,
            claimed: Vec::new(),
        };
        assert_eq!(fixture.task_paths().len(), n, "seeded task count");
        eprintln!(
            "seeded {n} tasks in {:.2?} at {}",
            started.elapsed(),
            fixture.dir.display()
        );
        fixture
    }

    /// Every task record on the branch tip.
    fn task_paths(&self) -> Vec<String> {
        let snap = self.store.snapshot().expect("snapshot");
        snap.walk(layout::TASKS_DIR)
            .expect("walk the tasks")
            .into_iter()
            .map(|(path, _)| path)
            .filter(|path| path.ends_with(".md"))
            .collect()
    }

    /// The task records that benchmarks added: only the fan-out directories that changed since
    /// seeding are read, so this stays cheap with 10,000 tasks.
    fn added_paths(&self) -> Vec<String> {
        let snap = self.store.snapshot().expect("snapshot");
        let mut added = Vec::new();
        for bucket in snap
            .list(layout::TASKS_DIR)
            .expect("list the tasks directory")
        {
            if self.seeded_buckets.get(&bucket.name) == Some(&bucket.id.to_string()) {
                continue;
            }
            let dir = format!("{}/{}", layout::TASKS_DIR, bucket.name);
            for entry in snap.list(&dir).expect("list a fan-out directory") {
                let path = format!("{dir}/{}", entry.name);
                if !self.seeded.contains(&path) {
                    added.push(path);
                }
            }
        }
        added
    }

    /// Removes (untimed, in one commit) the `expected` tasks that benchmarks added, restoring
    /// the seeded count.
    fn prune(&self, expected: usize) {
        if expected == 0 {
            return;
        }
        let added = self.added_paths();
        assert_eq!(
            added.len(),
            expected,
            "each timed `task add` should have added exactly one task"
        );
        self.store
            .update(&actor().author(), |_snap| {
                Ok::<_, OpError>(Plan::Commit {
                    message: format!("coord: prune {} benchmark tasks\n", added.len()),
                    edits: added.iter().map(Edit::remove).collect(),
                    value: (),
                })
            })
            .expect("prune the added tasks");
        assert!(self.added_paths().is_empty(), "pruned tasks remain");
    }

    /// The next seeded task that is not claimed; when all are, releases them first (untimed),
    /// so every timed claim takes a `todo` task and the task count never changes.
    fn next_unclaimed(&mut self) -> TaskId {
        if self.cursor == self.ids.len() {
            self.release_claimed();
            self.cursor = 0;
        }
        let id = self.ids[self.cursor].clone();
        self.cursor += 1;
        id
    }

    fn release_claimed(&mut self) {
        let actor = actor();
        for id in self.claimed.drain(..) {
            let outcome = task_ops::transition(
                &self.store,
                &actor,
                id.as_str(),
                &Action::Release { force: false },
                &[],
            )
            .expect("release a claimed task");
            assert_eq!(outcome.applied, Applied::Changed, "release {id}");
        }
    }

    /// Checks (untimed) that the last claim really claimed its task.
    fn assert_claimed(&self, id: &TaskId) {
        let snap = self.store.snapshot().expect("snapshot");
        let task = ops::read_task(&snap, id)
            .expect("read the claimed task")
            .expect("the claimed task exists");
        assert_eq!(task.status, Status::InProgress, "{id} after claim");
        assert_eq!(task.assignee.as_ref().map(AgentId::as_str), Some(AGENT));
    }
}

fn writes(c: &mut Criterion) {
    let mut fixtures: Vec<(usize, Fixture)> = SIZES.iter().map(|&n| (n, Fixture::new(n))).collect();
    let mut group = c.benchmark_group("writes");

    // The floor: what starting any process costs here.
    let tmp = TempDir::new().expect("temporary directory");
    group.bench_function("git_version", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| timed(command("git", tmp.path()).arg("--version")))
                .sum()
        })
    });

    for (n, fixture) in &mut fixtures {
        // Existing tasks while timed: n to n + PRUNE_EVERY - 1 (see PRUNE_EVERY).
        let mut added = 0usize;
        group.bench_function(BenchmarkId::new("task_add", *n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    if added == PRUNE_EVERY {
                        fixture.prune(added);
                        added = 0;
                    }
                    total += timed(coord(&fixture.dir).args([
                        "task",
                        "add",
                        "Benchmark task",
                        "--estimate",
                        "2h",
                    ]));
                    added += 1;
                }
                total
            })
        });
        fixture.prune(added);

        // Existing tasks while timed: exactly n, of which up to n - 1 are already claimed.
        group.bench_function(BenchmarkId::new("claim", *n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut last = None;
                for _ in 0..iters {
                    let id = fixture.next_unclaimed();
                    total += timed(coord(&fixture.dir).args(["claim", id.as_str()]));
                    fixture.claimed.push(id.clone());
                    last = Some(id);
                }
                if let Some(id) = last {
                    fixture.assert_claimed(&id);
                }
                total
            })
        });
        fixture.release_claimed();

        // In-process: the same add without process start-up (the store is opened once).
        // Existing tasks while timed: n to n + PRUNE_EVERY - 1.
        let mut added = 0usize;
        group.bench_function(BenchmarkId::new("lib_task_add", *n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    if added == PRUNE_EVERY {
                        fixture.prune(added);
                        added = 0;
                    }
                    let actor = actor();
                    let input = AddTask {
                        task: NewTask {
                            title: "Benchmark task".to_owned(),
                            estimate_hours: Some(2.0),
                            ..Default::default()
                        },
                        after: Vec::new(),
                    };
                    let started = Instant::now();
                    let task = task_ops::add(&fixture.store, &actor, input).expect("task add");
                    total += started.elapsed();
                    std::hint::black_box(task);
                    added += 1;
                }
                total
            })
        });
        fixture.prune(added);
        assert_eq!(
            fixture.task_paths().len(),
            *n,
            "task count after the benchmarks"
        );
    }
    group.finish();
}

/// Makes this process (and so the in-process store and every child) ignore the config and
/// the coordination settings of whoever runs the benchmark.
fn isolate_environment() {
    // SAFETY: called first thing in `main`, before any other thread exists.
    unsafe {
        std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null");
        std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
        for var in SCRUBBED_VARS {
            std::env::remove_var(var);
        }
    }
}

fn main() {
    isolate_environment();
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    writes(&mut criterion);
    criterion.final_summary();
}
