/*!
Bulk scheduling input: `git-coord import FILE --from json` of 10,000 and 100,000 tasks.

The input is our own JSON lines (what `export --json` prints), generated once per size with a
fixed seed: every task has about three dependencies on earlier tasks, so the import maps
~300,000 edges and checks them for cycles. Each iteration imports into a fresh repository
whose creation (`git init`, `git coord init`) is not timed; the time is the whole process, as a
user pays it. The import must stay linear in the number of tasks.

The repositories are removed only after the last sample of the last size: on ext4, creating files
right after deleting ~100,000 others is several times slower (inode allocation skips recently
freed inodes), which would measure the previous iteration's clean-up rather than the import.

Every process runs with `GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM=1`, a temporary
`HOME` and a repository-local identity, so the config of whoever runs the benchmark cannot leak
in.

Run with `cargo bench --bench scheduling` (criterion flags go after `--`).
*/

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use serde_json::json;
use tempfile::TempDir;

/// The number of tasks imported.
const SIZES: [usize; 2] = [10_000, 100_000];

/// Dependencies per task (fewer for the first tasks, which have fewer predecessors).
const DEPENDENCIES: usize = 3;

const AGENT: &str = "bench";
const EMAIL: &str = "bench@coord.invalid";

/// Environment variables that would point git or git-coord elsewhere than the bench
/// repository, or change who acts and when.
const SCRUBBED_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CEILING_DIRECTORIES",
    "COORD_AGENT",
    "GIT_COORD_NOW",
];

fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home);
    for var in SCRUBBED_VARS {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("spawn a benchmark process");
    assert!(
        output.status.success(),
        "{cmd:?} failed with {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    output
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

criterion::criterion_group!(benches, import);
criterion::criterion_main!(benches);
