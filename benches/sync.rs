/*!
`git coord sync` merging 1,000 changed records on each side (DESIGN §10: at most 1 s).

A bare remote and two clones share a coordination branch of 2,000 tasks. Before each timed
run (untimed): clone A changes the first 1,000 tasks and syncs them to the remote, and clone B
changes the other 1,000. Timed: `git coord sync` in B, as a process — fetch A's 1,000 changes,
read the three versions of the 2,000 changed files, merge, commit the merge by
compare-and-swap, push both refs. Then A syncs back (untimed) so the next round starts level.
`git_fetch_push` times a plain `git fetch` + `git push` of the same size next to it, the floor
of what the transport costs on this machine.

Every process runs with `GIT_CONFIG_GLOBAL=/dev/null` and `GIT_CONFIG_NOSYSTEM=1`. Run with
`cargo bench --bench sync` (criterion flags go after `--`).
*/

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod common;

use common::{AGENT, EMAIL, command, run, timed};
use criterion::Criterion;
use git_coord::clock::Clock;
use git_coord::model::{AgentId, NewTask, Task, TaskId, layout};
use git_coord::ops::{self, Actor, OpError};
use git_coord::store::{Edit, Plan, Store};

/// Records each side changes per round.
const CHANGED: usize = 1_000;

fn git(dir: &Path, args: &[&str]) {
    run(command("git", dir).args(args));
}

fn coord(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = command(env!("CARGO_BIN_EXE_git-coord"), dir);
    cmd.args(["-q", "--agent", AGENT]).args(args);
    cmd
}

fn actor() -> Actor {
    Actor {
        agent: AgentId::parse(AGENT).expect("valid agent name"),
        email: EMAIL.to_owned(),
        now: Clock::system().now(),
    }
}

/// One commit in `dir` rewriting each of `ids` with a title that names `round`.
fn change(dir: &Path, ids: &[TaskId], round: usize, side: &str) {
    let store = Store::discover(dir).expect("open a clone");
    let actor = actor();
    let edits: Vec<Edit> = ids
        .iter()
        .map(|id| {
            let task = Task::new(
                id.clone(),
                NewTask {
                    title: format!("{side} edit {round} of {id}"),
                    ..Default::default()
                },
                actor.now,
            )
            .expect("valid task");
            Edit::write(layout::task_path(id), task.to_text())
        })
        .collect();
    store
        .update(&actor.author(), |_| {
            Ok::<_, OpError>(Plan::Commit {
                message: format!("coord: {side} changes {} tasks\n", ids.len()),
                edits: edits.clone(),
                value: (),
            })
        })
        .expect("write the changes");
}

struct Fixture {
    _tmp: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
    ids: Vec<TaskId>,
}

fn setup() -> Fixture {
    let tmp = tempfile::Builder::new()
        .prefix("coord-bench-sync-")
        .tempdir()
        .expect("temporary directory");
    let root = tmp.path();
    let bare = root.join("remote.git");
    let (a, b) = (root.join("a"), root.join("b"));
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    git(root, &["init", "-q", "--bare", "-b", "main", &s(&bare)]);
    git(root, &["clone", "-q", &s(&bare), &s(&a)]);
    git(&a, &["config", "user.name", "Coord Bench"]);
    git(&a, &["config", "user.email", EMAIL]);
    git(&a, &["commit", "-q", "--allow-empty", "-m", "start"]);
    git(&a, &["push", "-q", "origin", "HEAD:main"]);
    let store = Store::discover(&a).expect("open clone a");
    let actor = actor();
    ops::init::init(&store, &actor.author(), Some(&actor)).expect("init");
    let ids: Vec<TaskId> = {
        let mut seen = std::collections::HashSet::new();
        std::iter::repeat_with(|| TaskId::random(6))
            .filter(|id| seen.insert(id.to_string()))
            .take(2 * CHANGED)
            .collect()
    };
    change(&a, &ids, 0, "seed");
    run(&mut coord(&a, &["sync"]));
    git(root, &["clone", "-q", &s(&bare), &s(&b)]);
    git(&b, &["config", "user.name", "Coord Bench"]);
    git(&b, &["config", "user.email", EMAIL]);
    run(&mut coord(&b, &["sync"]));
    Fixture {
        _tmp: tmp,
        a,
        b,
        ids,
    }
}

fn main() {
    let f = setup();
    let (first, second) = f.ids.split_at(CHANGED);
    let mut round = 0;
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let mut group = c.benchmark_group("sync");
    group.bench_function("merge_1000_each_side", |bench| {
        bench.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                change(&f.a, first, round, "a");
                run(&mut coord(&f.a, &["sync"]));
                change(&f.b, second, round, "b");
                total += timed(&mut coord(&f.b, &["sync"]));
                run(&mut coord(&f.a, &["sync"]));
            }
            total
        })
    });
    group.bench_function("git_fetch_push", |bench| {
        bench.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                change(&f.a, first, round, "a");
                git(&f.a, &["push", "-q", "origin", "coord"]);
                let mut fetch = command("git", &f.b);
                fetch.args(["fetch", "-q", "origin", "+coord:refs/remotes/origin/coord"]);
                total += timed(&mut fetch);
                // b's change on top of a's (no merge: the transport alone), then pushed.
                git(
                    &f.b,
                    &[
                        "update-ref",
                        "refs/heads/coord",
                        "refs/remotes/origin/coord",
                    ],
                );
                change(&f.b, second, round, "b");
                let mut push = command("git", &f.b);
                push.args(["push", "-q", "origin", "coord"]);
                total += timed(&mut push);
                run(&mut coord(&f.a, &["sync"]));
            }
            total
        })
    });
    group.finish();
    c.final_summary();
}
