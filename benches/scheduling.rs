/*!
Scheduling at scale: `git-coord import FILE --from json` of 10,000 and 100,000 tasks, and the
read commands that plan from the result (`ready`, `status`, `path`).

The input is our own JSON lines (what `export --json` prints), generated once per size with a
fixed seed: every task has about three dependencies on earlier tasks, so the import maps
~300,000 edges and checks them for cycles. Each iteration imports into a fresh repository
whose creation (`git init`, `git coord init`) is not timed; the time is the whole process, as a
user pays it. The import must stay linear in the number of tasks.

The reads run as processes against one repository per size, imported (untimed) from the same
input, after one untimed `ready` so the derived index under `.git/coord/` exists. DESIGN
targets: `ready --json` and `status` at most 20 ms at 10,000 tasks, `path` at most 300 ms at
100,000 tasks (~300,000 edges). `ready_after_write` runs an untimed `task add` before each timed
`ready --json --limit 10`, so every timed read finds the tip moved and refreshes the index
from the tree diff; its repository grows by one task per iteration (a few hundred in all).

The repositories are removed only after the last sample of the last size, and the read
repositories only after the import benchmark (which runs second): on ext4, creating files right
after deleting ~100,000 others is several times slower (inode allocation skips recently freed
inodes), which would measure the previous iteration's clean-up rather than the import.

Every process runs with `GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM=1`, a temporary
`HOME` and a repository-local identity, so the config of whoever runs the benchmark cannot leak
in.

Run with `cargo bench --bench scheduling` (criterion flags go after `--`).
*/

use std::cell::OnceCell;
use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{AGENT, EMAIL, run, timed};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use serde_json::json;
use tempfile::TempDir;

/// The number of tasks imported.
const SIZES: [usize; 2] = [10_000, 100_000];

/// Dependencies per task (fewer for the first tasks, which have fewer predecessors).
const DEPENDENCIES: usize = 3;

fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path, home: &Path) -> Command {
    let mut cmd = common::command(program, dir);
    cmd.env("HOME", home);
    cmd
}

/// The real binary, acting as the bench agent, quietly.
fn coord(dir: &Path, home: &Path) -> Command {
    let mut cmd = command(env!("CARGO_BIN_EXE_git-coord"), dir, home);
    cmd.args(["-q", "--agent", AGENT]);
    cmd
}

/// One import file, and a home directory for the processes that read it.
struct Input {
    tmp: TempDir,
    file: PathBuf,
    home: PathBuf,
}

impl Input {
    fn new(n: usize) -> Input {
        let tmp = tempfile::Builder::new()
            .prefix("coord-bench-import-")
            .tempdir()
            .expect("create a temporary directory");
        let home = tmp.path().join("home");
        std::fs::create_dir(&home).expect("create the home directory");
        let file = tmp.path().join(format!("tasks-{n}.jsonl"));
        write_tasks(&file, n);
        Input { tmp, file, home }
    }

    /// A repository with an initialised coordination branch and no tasks.
    fn fresh_repository(&self) -> TempDir {
        let repo = tempfile::Builder::new()
            .prefix("repo-")
            .tempdir_in(self.tmp.path())
            .expect("create a repository directory");
        let dir = repo.path();
        let git = |args: &[&str]| run(command("git", dir, &self.home).args(args));
        git(&["init", "-q", "-b", "main"]);
        git(&["config", "user.name", "Coord Bench"]);
        git(&["config", "user.email", EMAIL]);
        run(coord(dir, &self.home).arg("init"));
        repo
    }
}

/// Writes `n` tasks as JSON lines; task i depends on up to [`DEPENDENCIES`] earlier tasks.
fn write_tasks(path: &Path, n: usize) {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut seen = HashSet::with_capacity(n);
    let mut ids: Vec<String> = Vec::with_capacity(n);
    while ids.len() < n {
        let id: String = (0..8)
            .map(|_| {
                let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyz";
                alphabet[rng.usize(..alphabet.len())] as char
            })
            .collect();
        let id = format!("t-{id}");
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    let file = std::fs::File::create(path).expect("create the import file");
    let mut out = BufWriter::new(file);
    for (i, id) in ids.iter().enumerate() {
        let mut deps: Vec<&str> = Vec::with_capacity(DEPENDENCIES);
        while deps.len() < DEPENDENCIES.min(i) {
            let dep = ids[rng.usize(..i)].as_str();
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
        let task = json!({
            "id": id,
            "title": format!("Imported task {i}"),
            "status": if i % 10 == 0 { "done" } else { "todo" },
            "priority": i % 4,
            "assignee": null,
            "depends_on": deps,
            "expertise": ["backend"],
            "estimate_hours": (i % 8 + 1) as f64,
            "created": "2026-11-21T10:00:00Z",
            "updated": "2026-11-21T10:00:00Z",
            "body": format!("Task {i} of the import benchmark.\n"),
        });
        serde_json::to_writer(&mut out, &task).expect("write a task");
        out.write_all(b"\n").expect("write a task");
    }
    out.flush().expect("write the import file");
}

/// Checks (untimed) that the import wrote `n` tasks in one commit on top of `init`'s.
fn assert_imported(repo: &Path, home: &Path, n: usize) {
    let count = run(command("git", repo, home).args(["rev-list", "--count", "coord"]));
    assert_eq!(
        String::from_utf8_lossy(&count.stdout).trim(),
        "2",
        "commits"
    );
    let tree =
        run(command("git", repo, home).args(["ls-tree", "-r", "--name-only", "coord", "tasks"]));
    let files = tree.stdout.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(files, n, "imported task records");
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    // Kept until the end (see the module documentation); repositories live in their input's
    // directory, so inputs go last.
    let mut used: Vec<TempDir> = Vec::new();
    let mut inputs: Vec<Input> = Vec::new();
    for n in SIZES {
        let started = Instant::now();
        let input = Input::new(n);
        eprintln!("wrote {n} tasks to import in {:.2?}", started.elapsed());
        // An import costs up to ~0.15 ms per task, most of it writing one loose object per
        // task: room for ten one-iteration samples.
        group.measurement_time(Duration::from_micros(n as u64 * 1_500));
        group.throughput(Throughput::Elements(n as u64));
        let mut checked = false;
        group.bench_with_input(BenchmarkId::new("json", n), &input, |b, input| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let repo = input.fresh_repository();
                    let mut cmd = coord(repo.path(), &input.home);
                    cmd.args(["import", "--from", "json"]).arg(&input.file);
                    let started = Instant::now();
                    let output = cmd.output().expect("run the import");
                    total += started.elapsed();
                    assert!(
                        output.status.success(),
                        "import failed: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    if !checked {
                        assert_imported(repo.path(), &input.home, n);
                        checked = true;
                    }
                    used.push(repo);
                }
                total
            })
        });
        inputs.push(input);
    }
    group.finish();
    drop(used);
    drop(inputs);
}

/// The read commands timed at every size: benchmark name and arguments.
const READS: [(&str, &[&str]); 4] = [
    ("ready", &["ready", "--json"]),
    ("ready_limit10", &["ready", "--json", "--limit", "10"]),
    ("status", &["status", "--json"]),
    ("path", &["path", "--json"]),
];

/// The read timed by `ready_after_write`, at the smaller size only.
const READ_AFTER_WRITE: &[&str] = &["ready", "--json", "--limit", "10"];

/// A repository holding the `n` imported tasks of [`write_tasks`], with its index built.
struct Repository {
    // Declared first so it is dropped before the input directory that contains it.
    repo: TempDir,
    input: Input,
}

impl Repository {
    fn new(n: usize) -> Repository {
        let started = Instant::now();
        let input = Input::new(n);
        let repo = input.fresh_repository();
        run(coord(repo.path(), &input.home)
            .args(["import", "--from", "json"])
            .arg(&input.file));
        assert_imported(repo.path(), &input.home, n);
        let repository = Repository { repo, input };
        // The warm-up call: builds the index under `.git/coord/` and checks the answers.
        // Few tasks are ready: most depend on a task that is not done.
        let ready = repository.json(&["ready", "--json"]);
        let ready = ready.as_array().expect("`ready --json` prints an array");
        assert!(!ready.is_empty(), "no task ready of {n}");
        let limited = repository.json(&["ready", "--json", "--limit", "10"]);
        assert_eq!(
            limited.as_array().map(Vec::len),
            Some(ready.len().min(10)),
            "ready --limit 10"
        );
        let path = repository.json(&["path", "--json"]);
        assert!(
            path["tasks"].as_array().is_some_and(|t| !t.is_empty()),
            "empty critical path"
        );
        eprintln!(
            "imported {n} tasks to read in {:.2?} at {}",
            started.elapsed(),
            repository.repo.path().display()
        );
        repository
    }

    /// The real binary in this repository.
    fn coord(&self) -> Command {
        coord(self.repo.path(), &self.input.home)
    }

    /// Runs (untimed) a command that prints JSON, and parses it.
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let output = run(self.coord().args(args));
        serde_json::from_slice(&output.stdout).expect("valid JSON")
    }
}

/// Read commands on imported repositories. The repositories are built on first use (so a
/// filter that skips a size does not build it) and returned, to be removed by the caller after
/// the import benchmark (see the module documentation).
fn reads(c: &mut Criterion) -> Vec<OnceCell<Repository>> {
    let repositories: Vec<OnceCell<Repository>> = SIZES.iter().map(|_| OnceCell::new()).collect();
    let mut group = c.benchmark_group("reads");
    group.warm_up_time(Duration::from_secs(1));
    for (&n, cell) in SIZES.iter().zip(&repositories) {
        let repository = || cell.get_or_init(|| Repository::new(n));
        if n <= 10_000 {
            group
                .sample_size(20)
                .sampling_mode(SamplingMode::Auto)
                .measurement_time(Duration::from_secs(3));
        } else {
            // `path` may take a few hundred milliseconds here: ten flat samples.
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .measurement_time(Duration::from_secs(5));
        }
        for (name, args) in READS {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                let repository = repository();
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| timed(repository.coord().args(args)))
                        .sum()
                })
            });
        }
        if n == SIZES[0] {
            // Last at this size: it adds tasks.
            group.bench_function(BenchmarkId::new("ready_after_write", n), |b| {
                let repository = repository();
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        run(repository.coord().args([
                            "task",
                            "add",
                            "Benchmark task",
                            "--estimate",
                            "2h",
                        ]));
                        total += timed(repository.coord().args(READ_AFTER_WRITE));
                    }
                    total
                })
            });
        }
    }
    group.finish();
    repositories
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let read_repositories = reads(&mut criterion);
    import(&mut criterion);
    drop(read_repositories);
    criterion.final_summary();
}
