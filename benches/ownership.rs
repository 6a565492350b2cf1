/*!
`check --staged` in a large repository, as the pre-commit hook runs it.

DESIGN target: at most 15 ms with 10 staged files in a repository of 100,000 tracked files
and 1,000 claims (for comparison, `git diff --cached --name-only` alone, measured here too).
The repository is built once: 100,000 files in 1,000 directories committed on `main`, 1,000
exclusive claims spread over 50 agents (one per directory, written through the library in one
commit), and 10 modified files staged, all in directories the acting agent holds, so the
check passes (exit 0) and every path is matched against every claim.

Run with `cargo bench --bench ownership`. `bench/check-staged-repo BIN DIR` builds the same
repository (packed, as a clone has it) for hyperfine runs of the two commands side by side.
*/

use std::path::Path;

mod common;

use criterion::{BenchmarkId, Criterion};
use git_coord::model::claim::{Claim, Mode};
use git_coord::model::{Agent, AgentId, Timestamp, layout};
use git_coord::ops::{self, Actor, OpError};
use git_coord::store::{Edit, Plan, Store};

const FILES: usize = 100_000;
const DIRS: usize = 1_000;
const AGENTS: usize = 50;

fn git(dir: &Path, args: &[&str]) {
    common::run(common::command("git", dir).args(args));
}

fn setup(root: &Path) {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "user.name", "bench"]);
    git(root, &["config", "user.email", "bench@example.com"]);
    for d in 0..DIRS {
        let dir = root.join(format!("mod{d:04}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for f in 0..FILES / DIRS {
            std::fs::write(dir.join(format!("file{f:03}.rs")), format!("// {d} {f}\n"))
                .expect("write");
        }
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "files"]);

    let store = Store::discover(root).expect("open");
    let now = Timestamp::from_unix(1_795_000_000).expect("time");
    let actor = Actor {
        agent: AgentId::parse("agent0").expect("id"),
        email: "bench@coord.invalid".to_owned(),
        now,
    };
    ops::init::init(&store, &actor.author(), Some(&actor)).expect("init");
    store
        .update(&actor.author(), |_| {
            let mut edits = Vec::new();
            for a in 0..AGENTS {
                let mut agent = Agent::new(AgentId::parse(&format!("agent{a}")).expect("id"), now);
                for d in (a..DIRS).step_by(AGENTS) {
                    agent.claims.push(Claim {
                        pattern: format!("mod{d:04}/**"),
                        mode: Mode::Exclusive,
                        since: now,
                        until: None,
                        reason: None,
                    });
                }
                edits.push(Edit::write(layout::agent_path(&agent.id), agent.to_text()));
            }
            Ok::<_, OpError>(Plan::Commit {
                message: "coord: seed claims".to_owned(),
                edits,
                value: (),
            })
        })
        .expect("seed claims");
    // agent0 holds mod0000, mod0050, …: stage ten files there.
    for i in 0..10 {
        let path = format!("mod{:04}/file{i:03}.rs", i * AGENTS);
        std::fs::write(root.join(&path), "changed\n").expect("write");
        git(root, &["add", &path]);
    }
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).expect("mkdir");
    setup(&root);
    let bin = env!("CARGO_BIN_EXE_git-coord");
    let mut c = Criterion::default().configure_from_args().sample_size(30);
    let mut group = c.benchmark_group("check_staged");
    group.bench_function(BenchmarkId::new("git_coord", FILES), |b| {
        b.iter(|| {
            common::run(
                common::command(bin, &root).args(["--agent", "agent0", "check", "--staged", "-q"]),
            );
        })
    });
    group.bench_function(BenchmarkId::new("git_diff_cached", FILES), |b| {
        b.iter(|| {
            common::run(common::command("git", &root).args(["diff", "--cached", "--name-only"]));
        })
    });
    group.finish();
    c.final_summary();
}
