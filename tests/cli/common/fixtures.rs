//! Shared test set-ups that many test files used to write out again: a bare `origin` remote,
//! git run with the binary under test on `PATH` (so installed hooks find it), acting as
//! another agent, the review's three-agent registry, files dated in the past or future, many
//! writers in parallel, and writers killed at random instants.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use super::{BIN, Run, TestEnv, isolate};

/// The real `PATH` with the directory of the `git-coord` under test in front, so hooks that
/// run `git coord` find it.
pub fn path_with_coord() -> String {
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    #[allow(clippy::disallowed_methods)] // extends the real PATH so hooks find git-coord
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", bin_dir.display())
}

/// The `id` of every object of a JSON array (a task list, `ready`, …), in order.
pub fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|t| t["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Creates (or empties) `path` and sets its modification time `offset_secs` from now
/// (negative: in the past), as a lock file left behind by a killed process looks.
pub fn dated_file(path: &Path, offset_secs: i64) {
    std::fs::write(path, "").expect("write file");
    let now = SystemTime::now();
    let when = if offset_secs >= 0 {
        now + Duration::from_secs(offset_secs.unsigned_abs())
    } else {
        now - Duration::from_secs(offset_secs.unsigned_abs())
    };
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open file")
        .set_modified(when)
        .expect("set modification time");
}

impl TestEnv {
    /// Runs git in `dir` with the git-coord binary on `PATH`, so installed hooks find it. The
    /// outcome is returned, not checked: a hook's refusal is what many tests look for.
    pub fn git_hooked(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("git");
        isolate(&mut cmd, self.home());
        cmd.current_dir(dir)
            .env("PATH", path_with_coord())
            .args(args)
            .output()
            .expect("run git")
    }

    /// Adds an empty bare repository `remote.git` (its `HEAD` on `main`) as `origin`, nothing
    /// pushed or fetched yet. Returns the bare repository's path.
    pub fn add_empty_origin(&self) -> PathBuf {
        let bare = self.root.join("remote.git");
        let bare_path = bare.to_str().expect("utf-8 path");
        self.git(&["init", "-q", "--bare", "-b", "main", bare_path]);
        self.git(&["remote", "add", "origin", bare_path]);
        bare
    }

    /// [`TestEnv::add_empty_origin`], with `branch` pushed to it.
    pub fn add_origin(&self, branch: &str) -> PathBuf {
        let bare = self.add_empty_origin();
        self.git(&["push", "-q", "origin", branch]);
        bare
    }

    /// Installs the hooks (`git coord hooks install`), which must succeed.
    pub fn install_hooks(&self) -> Run {
        self.coord(&["hooks", "install"]).expect_code(0)
    }

    /// Runs `args` as `agent` (`--agent agent`).
    pub fn as_agent(&self, agent: &str, args: &[&str]) -> Run {
        let mut full = vec!["--agent", agent];
        full.extend_from_slice(args);
        self.coord(&full)
    }

    /// Runs `args` as `agent`, expects exit `code`, and checks that it wrote nothing (see
    /// [`TestEnv::refused`]).
    #[track_caller]
    pub fn refused_as(&self, agent: &str, args: &[&str], code: i32) -> Run {
        let mut full = vec!["--agent", agent];
        full.extend_from_slice(args);
        self.refused(&full, code)
    }

    /// Writes `text` to `path` in the main worktree (creating directories) and stages it.
    pub fn stage(&self, path: &str, text: &str) {
        let p = self.repo.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        self.git(&["add", "--", path]);
    }

    /// Commits what is staged past the hooks (`git commit --no-verify`): a change the
    /// pre-commit hook would refuse, for the pre-push hook or `check --range` to catch.
    pub fn commit_unverified(&self, message: &str) {
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// Commits `.coord/config.toml` with `text` on the main branch.
    pub fn commit_config(&self, text: &str) {
        std::fs::create_dir_all(self.repo.join(".coord")).expect("mkdir .coord");
        std::fs::write(self.repo.join(".coord/config.toml"), text).expect("write config");
        self.git(&["add", ".coord/config.toml"]);
        self.git(&["commit", "-q", "-m", "coordination policy"]);
    }

    /// The reviews' registry: `lead` (a coordinator), `alice` (a dev) and `mallory`.
    pub fn register_lead_alice_mallory(&self) {
        self.as_agent("lead", &["agent", "add", "lead", "--role", "coordinator"])
            .expect_code(0);
        self.as_agent("alice", &["agent", "add", "alice", "--role", "dev"])
            .expect_code(0);
        self.as_agent("mallory", &["agent", "add", "mallory"])
            .expect_code(0);
    }
}

/// Runs `writers` threads of `per_writer` calls of `write(env, writer, i)` each, at once, and
/// returns every result, writer by writer.
pub fn in_parallel<T, F>(env: &Arc<TestEnv>, writers: usize, per_writer: usize, write: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(&TestEnv, usize, usize) -> T + Send + Sync + 'static,
{
    let write = Arc::new(write);
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let env = Arc::clone(env);
            let write = Arc::clone(&write);
            thread::spawn(move || {
                (0..per_writer)
                    .map(|i| write(&env, w, i))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().expect("writer thread"))
        .collect()
}

/// What [`kill_storm`] saw.
pub struct Storm {
    /// The IDs of the tasks whose `task add` reported success.
    pub acknowledged: Vec<String>,
    /// How many writers died of SIGKILL.
    pub killed: usize,
    /// The kill window, in microseconds.
    pub window: u64,
}

/// Four agents `k0`…`k3` each run `per_writer` `task add`s at once, and four out of five of
/// them are killed (SIGKILL) anywhere from the start to four times an unhindered write's time,
/// so that some writes finish and some die mid-way however fast or loaded the machine is;
/// every fifth write runs to the end, so some are acknowledged. `seed` seeds each writer's
/// random instants. Fails unless both a kill and an acknowledged write happened: without
/// both, the test proves nothing.
pub fn kill_storm(env: &Arc<TestEnv>, per_writer: usize, seed: u64) -> Storm {
    // A writer killed while it holds the branch lock leaves the lock behind; with the
    // default coord.staleLock (10 s) every later writer in this short run would wait on it.
    env.git(&["config", "coord.staleLock", "1s"]);
    let started = Instant::now();
    env.add("calibration", &[]);
    let window = (started.elapsed().as_micros() as u64 * 4).max(10_000);
    let killed = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let env = Arc::clone(env);
            let killed = Arc::clone(&killed);
            thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut rng = fastrand::Rng::with_seed(w as u64 + seed);
                for i in 0..per_writer {
                    let agent = format!("k{w}");
                    let title = format!("kill {w}-{i}");
                    let mut child = env
                        .coord_cmd(&env.repo)
                        .args(["--agent", &agent, "task", "add", &title, "--json"])
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null())
                        .spawn()
                        .expect("spawn git-coord");
                    if i % 5 != 4 {
                        thread::sleep(Duration::from_micros(rng.u64(0..window)));
                        let _ = child.kill(); // SIGKILL, at whatever point the write has reached
                    }
                    let out = child.wait_with_output().expect("wait for git-coord");
                    if out.status.signal() == Some(9) {
                        killed.fetch_add(1, Ordering::Relaxed);
                    } else if out.status.success() {
                        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
                        acknowledged.push(v["id"].as_str().expect("an id").to_owned());
                    }
                }
                acknowledged
            })
        })
        .collect();
    let acknowledged: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("writer thread"))
        .collect();
    let killed = killed.load(Ordering::Relaxed);
    assert!(
        !acknowledged.is_empty(),
        "no write finished before its kill"
    );
    assert!(killed > 0, "no writer was killed mid-way");
    Storm {
        acknowledged,
        killed,
        window,
    }
}

/// The export/import round trip's project: a done task, one that depends on it with every
/// field set, and a blocked one after both. Returns (pool, limiter, docs).
pub fn three_task_project(env: &TestEnv) -> (String, String, String) {
    let pool = env.add(
        "Connection pool",
        &["--estimate", "2h", "--expertise", "db"],
    );
    let limiter = env.add(
        "Rate limiter",
        &[
            "--after",
            &pool,
            "--priority",
            "1",
            "--owns",
            "src/rl/**",
            "--check",
            "cargo test rl",
            "--due",
            "2026-11-30",
            "--body",
            "Token bucket.\n\n+++\nnot a fence\n",
        ],
    );
    let docs = env.add("Docs", &["--after", &limiter, "--after", &pool]);
    env.coord(&["claim", &pool]).expect_code(0);
    env.coord(&["done", &pool, "--no-check"]).expect_code(0);
    env.coord(&["block", &docs, "--reason", "waiting for the API"])
        .expect_code(0);
    (pool, limiter, docs)
}

/// Checks the refusal of a write that found `lock` held (`--json`, so the error is JSON on
/// stderr): it names the lock and the `rm` that removes it, the lock is still there, and the
/// coordination branch still has `commits_before` commits.
#[track_caller]
pub fn assert_refused_on_lock(env: &TestEnv, stderr: &str, lock: &Path, commits_before: usize) {
    let err: Value = serde_json::from_str(stderr).expect("a JSON error on stderr");
    assert_eq!(err["error"]["details"]["lock"], lock.display().to_string());
    assert!(
        err["error"]["hints"]
            .as_array()
            .expect("hints")
            .iter()
            .any(|h| h == &serde_json::json!(format!("rm {}", lock.display()))),
        "{err}"
    );
    assert!(lock.exists(), "a live-looking lock was removed");
    assert_eq!(
        env.coord_commits(),
        commits_before,
        "a failed write wrote something"
    );
}
