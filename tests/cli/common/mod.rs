//! `TestEnv`: a temporary repository with a fixed identity, isolated from the user's git
//! config, and helpers to run the real `git-coord` binary and git itself against it.

#![allow(dead_code)]

pub mod remote;
pub mod venv;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

mod fixtures;
pub use fixtures::*;

pub const BIN: &str = env!("CARGO_BIN_EXE_git-coord");

pub struct TestEnv {
    _tmp: TempDir,
    pub root: PathBuf,
    pub repo: PathBuf,
    home: PathBuf,
    pub now: Option<String>,
}

/// The result of one command: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Applies the isolation every process in a test gets.
pub fn isolate(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("COORD_AGENT")
        .env_remove("GIT_COORD_NOW")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
}

impl TestEnv {
    /// A repository with one commit on `main`, an identity, and no coordination branch.
    pub fn new() -> TestEnv {
        let tmp = tempfile::Builder::new()
            .prefix("coord-test-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().to_path_buf();
        let repo = root.join("repo");
        let home = root.join("home");
        std::fs::create_dir_all(&repo).expect("create repo dir");
        std::fs::create_dir_all(&home).expect("create home dir");
        let env = TestEnv {
            _tmp: tmp,
            root,
            repo,
            home,
            now: None,
        };
        env.git(&["init", "-q", "-b", "main"]);
        env.git(&["config", "user.name", "Test User"]);
        env.git(&["config", "user.email", "test@example.com"]);
        std::fs::write(env.repo.join("README.md"), "hello\n").expect("write README");
        env.git(&["add", "README.md"]);
        env.git(&["commit", "-q", "-m", "initial"]);
        env
    }

    /// A repository with the coordination branch created and `coord.agent = alice`.
    pub fn initialised() -> TestEnv {
        let env = TestEnv::new();
        env.git(&["config", "coord.agent", "alice"]);
        env.coord(&["init"]).expect_code(0);
        env
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn git_cmd(&self, dir: &Path) -> Command {
        let mut cmd = Command::new("git");
        isolate(&mut cmd, &self.home);
        cmd.current_dir(dir);
        cmd
    }

    /// Runs git in the main worktree and returns its stdout; panics on failure.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo, args)
    }

    #[track_caller]
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_cmd(dir).args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn coord_cmd(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(BIN);
        isolate(&mut cmd, &self.home);
        if let Some(now) = &self.now {
            cmd.env("GIT_COORD_NOW", now);
        }
        cmd.current_dir(dir);
        cmd
    }

    /// Runs `git-coord` in the main worktree.
    pub fn coord(&self, args: &[&str]) -> Run {
        self.coord_in(&self.repo, args)
    }

    pub fn coord_in(&self, dir: &Path, args: &[&str]) -> Run {
        Run::from(
            self.coord_cmd(dir)
                .args(args)
                .output()
                .expect("run git-coord"),
        )
    }

    /// Runs `git-coord … --json`, expects exit 0, and parses stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        self.coord(&all).expect_code(0).json()
    }

    /// Adds a task and returns its ID.
    #[track_caller]
    pub fn add(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["task", "add", title];
        args.extend_from_slice(extra);
        self.json(&args)["id"]
            .as_str()
            .expect("id in JSON")
            .to_owned()
    }

    /// The number of commits on the coordination branch.
    pub fn coord_commits(&self) -> usize {
        self.git(&["rev-list", "--count", "coord"])
            .trim()
            .parse()
            .expect("a count")
    }

    /// A file on the coordination branch, read with git itself.
    pub fn show(&self, path: &str) -> String {
        self.git(&["show", &format!("coord:{path}")])
    }

    /// Replaces (or with `None` removes) files on the coordination branch the way a person
    /// would: in a worktree of the branch, with a normal commit.
    pub fn hand_edit(&self, files: &[(&str, Option<&str>)]) {
        let wt = self.root.join("coord-edit");
        if !wt.exists() {
            self.git(&[
                "worktree",
                "add",
                "-q",
                wt.to_str().expect("utf-8 path"),
                "coord",
            ]);
        } else {
            self.git_in(&wt, &["reset", "-q", "--hard", "coord"]);
        }
        for (path, content) in files {
            let file = wt.join(path);
            match content {
                Some(text) => {
                    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&file, text).expect("write record");
                    self.git_in(&wt, &["add", path]);
                }
                None => {
                    self.git_in(&wt, &["rm", "-q", path]);
                }
            }
        }
        self.git_in(&wt, &["commit", "-q", "-m", "hand edit"]);
        // The branch is checked out there: remove it, as the warning every write then prints
        // says, so later commands' stderr and `doctor` see no worktree of the branch.
        self.git(&[
            "worktree",
            "remove",
            "--force",
            wt.to_str().expect("utf-8 path"),
        ]);
    }

    /// HEAD, the index and the worktree status of the main worktree, to compare before/after.
    pub fn worktree_state(&self) -> (String, String, Vec<u8>) {
        let head = self.git(&["rev-parse", "HEAD"]);
        let status = self.git(&["status", "--porcelain", "--ignored"]);
        let index = std::fs::read(self.repo.join(".git/index")).expect("index");
        (head, status, index)
    }
}

/// A task record written by hand, with every required field.
pub fn record(id: &str, title: &str, extra: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"todo\"\npriority = 2\n{extra}created = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n+++\n"
    )
}

/// Where a task's record lives.
pub fn task_path(id: &str) -> String {
    format!("tasks/{}/{id}.md", &id[2..4])
}

impl TestEnv {
    /// Every reference and its target (branches, the coordination branch, notes, tags):
    /// what a refused command must leave exactly as it was.
    pub fn refs(&self) -> String {
        self.git(&["for-each-ref", "--format=%(refname) %(objectname)"])
    }

    /// Runs a command that must fail with `code` (1, 2 or 3) and checks that it wrote nothing:
    /// no reference moved or appeared and no worktree was added.
    #[track_caller]
    pub fn refused(&self, args: &[&str], code: i32) -> Run {
        let refs = self.refs();
        let worktrees = self.git(&["worktree", "list", "--porcelain"]);
        let run = self.coord(args).expect_code(code);
        assert_eq!(self.refs(), refs, "{args:?} failed but moved references");
        assert_eq!(
            self.git(&["worktree", "list", "--porcelain"]),
            worktrees,
            "{args:?} failed but added a worktree"
        );
        run
    }
}
