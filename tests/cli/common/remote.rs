//! A bare remote and clones of it, each with its own agent, for the sync tests: the
//! `TestEnv`'s repository seeds the remote (its `main`), and every clone is a real `git clone`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{Run, TestEnv};

/// A bare repository (`remote.git`) cloned into named directories beside it.
pub struct Remote {
    pub env: TestEnv,
    pub bare: PathBuf,
}

impl Remote {
    /// A bare remote holding the `TestEnv`'s `main`, and nothing else yet.
    pub fn new() -> Remote {
        let env = TestEnv::new();
        let bare = env.root.join("remote.git");
        env.git_in(
            &env.root,
            &["init", "-q", "--bare", "-b", "main", path(&bare)],
        );
        env.git(&["remote", "add", "origin", path(&bare)]);
        env.git(&["push", "-q", "origin", "main"]);
        Remote { env, bare }
    }

    /// Clones the remote into `<root>/<agent>` and sets `coord.agent = <agent>` there.
    pub fn clone_as(&self, agent: &str) -> PathBuf {
        let dir = self.env.root.join(agent);
        self.env.git_in(
            &self.env.root,
            &["clone", "-q", path(&self.bare), path(&dir)],
        );
        self.git(&dir, &["config", "coord.agent", agent]);
        self.git(&dir, &["config", "user.name", agent]);
        self.git(
            &dir,
            &["config", "user.email", &format!("{agent}@example.com")],
        );
        dir
    }

    /// Runs git in `dir`; panics on failure.
    #[track_caller]
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        self.env.git_in(dir, args)
    }

    /// Runs git in the bare remote.
    #[track_caller]
    pub fn remote_git(&self, args: &[&str]) -> String {
        self.env.git_in(&self.bare, args)
    }

    /// Runs `git coord` in `dir`.
    pub fn coord(&self, dir: &Path, args: &[&str]) -> Run {
        self.env.coord_in(dir, args)
    }

    /// Runs `git coord … --json` in `dir`, expecting exit 0.
    #[track_caller]
    pub fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        self.coord(dir, &all).expect_code(0).json()
    }

    /// Adds a task in `dir` and returns its ID.
    #[track_caller]
    pub fn add(&self, dir: &Path, title: &str) -> String {
        self.json(dir, &["task", "add", title])["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// `git coord sync` in `dir`, expecting exit 0; returns its JSON report.
    #[track_caller]
    pub fn sync(&self, dir: &Path) -> serde_json::Value {
        self.json(dir, &["sync"])
    }

    /// Starts `git coord <args>` in `dir` without waiting for it.
    pub fn spawn(&self, dir: &Path, args: &[&str]) -> Child {
        self.env
            .coord_cmd(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start git-coord")
    }

    /// The tree of `rev` in `dir` (`git rev-parse <rev>^{tree}`).
    pub fn tree(&self, dir: &Path, rev: &str) -> String {
        self.git(dir, &["rev-parse", &format!("{rev}^{{tree}}")])
            .trim()
            .to_owned()
    }

    /// The paths of the files on `rev` in `dir`.
    pub fn files(&self, dir: &Path, rev: &str) -> Vec<String> {
        self.git(dir, &["ls-tree", "-r", "--name-only", rev])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Replaces (or with `None` removes) files on the coordination branch of `dir` by hand,
    /// in a worktree of the branch, with a normal commit.
    pub fn hand_edit(&self, dir: &Path, files: &[(&str, Option<&str>)]) {
        let wt = dir.with_extension("coord-edit");
        if !wt.exists() {
            self.git(dir, &["worktree", "add", "-q", path(&wt), "coord"]);
        } else {
            self.git(&wt, &["reset", "-q", "--hard", "coord"]);
        }
        for (file, content) in files {
            match content {
                Some(text) => {
                    let full = wt.join(file);
                    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&full, text).expect("write");
                    self.git(&wt, &["add", file]);
                }
                None => {
                    self.git(&wt, &["rm", "-q", file]);
                }
            }
        }
        self.git(&wt, &["commit", "-q", "-m", "hand edit"]);
        // The branch is checked out there: leave it so other tests' writes see no worktree.
        self.git(dir, &["worktree", "remove", "--force", path(&wt)]);
    }

    /// A git command for `dir` with the test's isolation (for hooks and spawned processes).
    pub fn git_cmd(&self, dir: &Path) -> Command {
        self.env.git_cmd(dir)
    }
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
