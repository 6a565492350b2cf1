/*!
`git coord log` on a long coordination branch, next to what git itself takes.

There is no DESIGN target for `log`: the reference is git walking the same branch. The
repository is built once (untimed), through the library in-process: a coordination branch of
10,000 commits over 2,000 tasks, each commit changing one task file as real use does (2,000
commits add the tasks, 8,000 edit a random one), 36 seconds apart, authored by five agents.
It is then packed with `git gc`, as git's `gc --auto` leaves a repository whose agents commit
code. One task, created by the second commit, is edited exactly four more times, spread over
the branch, and never otherwise touched.

Timed, each as a separate process (`GIT_CONFIG_GLOBAL=/dev/null`, see `common`):

- `log_task`: `log <that task> --json` (the whole branch walked, five commits shown with diffs);
- `git_log_path`: `git log --first-parent --format=%H coord -- <its path>`, for comparison;
- `log_limit_50`: `log --limit 50 --json` (the newest 50 commits with their changed files);
- `log_since_1h`: `log --since 1h --json`, the clock set just after the last commit so it
  selects the newest 100 commits;
- `log_all`: `log --json` (the whole branch, no diffs) and `git_log_name_status`:
  `git log --first-parent --name-status --format=%H coord`, for comparison.

Run with `cargo bench --bench history` (criterion flags go after `--`); with
`COORD_BENCH_KEEP=1` the repository is left behind for profiling.
*/

use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod common;

use common::{AGENT, EMAIL, command, run};
use criterion::Criterion;
use git_coord::model::{AgentId, NewTask, Task, TaskId, Timestamp, layout};
use git_coord::ops::{self, Actor, OpError};
use git_coord::store::{Author, Edit, Plan, Store};

const TASKS: usize = 2_000;
const COMMITS: usize = 10_000;
/// Seconds between consecutive commits.
const STEP: i64 = 36;
/// The commits `--since 1h` selects: the clock is set half a step after the last commit.
const SINCE_COMMITS: usize = 100;
/// The commits (by number, 0 = `init`) that edit the followed task after creating it.
const TARGET_EDITS: [usize; 4] = [2_500, 4_800, 7_100, 9_400];
const START: i64 = 1_780_000_000;

fn git(dir: &Path, args: &[&str]) {
    run(command("git", dir).args(args));
}

fn author(n: usize) -> Author {
    Author {
        name: format!("agent{}", n % 5),
        email: EMAIL.to_owned(),
        time: START + n as i64 * STEP,
    }
}

fn commit(store: &Store, n: usize, message: String, edit: Edit) {
    store
        .update(&author(n), |_| {
            Ok::<_, OpError>(Plan::Commit {
                message: message.clone(),
                edits: vec![edit.clone()],
                value: (),
            })
        })
        .expect("write a bench commit");
}

/// Builds the branch; returns the followed task's ID and path, and the last commit's time.
fn setup(dir: &Path) -> (TaskId, String, i64) {
    let started = Instant::now();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Coord Bench"]);
    git(dir, &["config", "user.email", EMAIL]);
    let store = Store::discover(dir).expect("open the bench repository");
    let actor = Actor {
        agent: AgentId::parse(AGENT).expect("agent name"),
        email: EMAIL.to_owned(),
        now: Timestamp::from_unix(START).expect("time"),
    };
    ops::init::init(&store, &actor.author(), Some(&actor)).expect("init");

    let mut rng = fastrand::Rng::with_seed(7);
    let mut tasks: Vec<Task> = Vec::with_capacity(TASKS);
    let mut n = 1;
    while tasks.len() < TASKS {
        let id = TaskId::random(6);
        if tasks.iter().any(|t| t.id == id) {
            continue;
        }
        let now = Timestamp::from_unix(author(n).time).expect("time");
        let new = NewTask {
            title: format!("Task {n}"),
            ..Default::default()
        };
        let task = Task::new(id.clone(), new, now).expect("valid task");
        let message = format!("coord: add {id}\n\nCoord-Op: add\n");
        commit(
            &store,
            n,
            message,
            Edit::write(layout::task_path(&id), task.to_text()),
        );
        tasks.push(task);
        n += 1;
    }
    while n < COMMITS {
        // The followed task is tasks[0], edited only at TARGET_EDITS.
        let i = if TARGET_EDITS.contains(&n) {
            0
        } else {
            rng.usize(1..TASKS)
        };
        let task = &mut tasks[i];
        task.title = format!("Task {i}, edit {n}");
        task.updated = Timestamp::from_unix(author(n).time).expect("time");
        let message = format!("coord: edit {}\n\nCoord-Op: edit\n", task.id);
        let edit = Edit::write(layout::task_path(&task.id), task.to_text());
        commit(&store, n, message, edit);
        n += 1;
    }
    git(dir, &["gc", "-q"]);
    let target = tasks[0].id.clone();
    eprintln!(
        "built {COMMITS} commits over {TASKS} tasks in {:.1?} at {}",
        started.elapsed(),
        dir.display()
    );
    (
        target.clone(),
        layout::task_path(&target),
        author(n - 1).time,
    )
}

fn main() {
    let tmp = tempfile::Builder::new()
        .prefix("coord-bench-history-")
        .tempdir()
        .expect("temp dir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).expect("mkdir");
    let (target, path, last) = setup(&dir);
    // Removed at the end unless kept. The bench's own switch, not the binary's environment.
    #[allow(clippy::disallowed_methods)]
    let keep = std::env::var_os("COORD_BENCH_KEEP").is_some();
    let _tmp = if keep {
        eprintln!("keeping {}", tmp.keep().display());
        None
    } else {
        Some(tmp)
    };
    let bin = env!("CARGO_BIN_EXE_git-coord");
    let now = Timestamp::from_unix(last + STEP / 2)
        .expect("time")
        .to_string();
    let coord = |args: &[&str]| -> Command {
        let mut cmd = command(bin, &dir);
        cmd.env("GIT_COORD_NOW", &now).arg("-q").args(args);
        cmd
    };
    let count = |args: &[&str]| -> usize {
        let out = run(&mut coord(args));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v.as_array().expect("array").len()
    };
    // The workload is what the doc comment says it is.
    assert_eq!(count(&["log", target.as_str(), "--json"]), 5);
    assert_eq!(count(&["log", "--since", "1h", "--json"]), SINCE_COMMITS);
    assert_eq!(count(&["log", "--json"]), COMMITS);

    let mut c = Criterion::default().configure_from_args().sample_size(10);
    let mut group = c.benchmark_group("history");
    group.bench_function("log_task", |b| {
        b.iter(|| run(&mut coord(&["log", target.as_str(), "--json"])))
    });
    group.bench_function("git_log_path", |b| {
        b.iter(|| {
            run(command("git", &dir).args([
                "log",
                "--first-parent",
                "--format=%H",
                "coord",
                "--",
                &path,
            ]))
        })
    });
    group.bench_function("log_limit_50", |b| {
        b.iter(|| run(&mut coord(&["log", "--limit", "50", "--json"])))
    });
    group.bench_function("log_since_1h", |b| {
        b.iter(|| run(&mut coord(&["log", "--since", "1h", "--json"])))
    });
    group.bench_function("log_all", |b| {
        b.iter(|| run(&mut coord(&["log", "--json"])))
    });
    group.bench_function("git_log_name_status", |b| {
        b.iter(|| {
            run(command("git", &dir).args([
                "log",
                "--first-parent",
                "--name-status",
                "--format=%H",
                "coord",
            ]))
        })
    });
    group.finish();
    c.final_summary();
}
