//! The faces for other tools (issue 15): the pre-commit framework's manifest
//! (`.pre-commit-hooks.yaml`), driven by the real `pre-commit` from PyPI, and the GitHub
//! Action (`action.yml`, `templates/github/coord-check.yml`): its YAML parses and the
//! commands it runs give the right annotations and comment on a repository with an ownership
//! violation.
//!
//! The Python tools live in a virtual environment that `.ci/run` makes:
//! `target/ci-venv` (or `$GIT_COORD_VENV`). A missing one fails, with the command that makes
//! it; it never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A program of the CI virtual environment (`pre-commit`, `python`).
#[track_caller]
fn venv_bin(name: &str) -> PathBuf {
    #[allow(clippy::disallowed_methods)] // where .ci/run put the venv, if elsewhere
    let venv = std::env::var_os("GIT_COORD_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join("target/ci-venv"));
    let bin = venv.join("bin").join(name);
    assert!(
        bin.is_file(),
        "{} is missing: make the CI virtual environment with .ci/run, or by hand:\n  python3 -m venv target/ci-venv && target/ci-venv/bin/pip install pre-commit pyyaml",
        bin.display()
    );
    bin
}

/// The real user's cargo and rustup homes (TestEnv replaces HOME), so pre-commit's
/// `language: rust` finds the toolchain.
fn toolchain_env(cmd: &mut Command) {
    #[allow(clippy::disallowed_methods)]
    let var = |n: &str| std::env::var_os(n).map(PathBuf::from);
    let home = var("HOME").unwrap_or_default();
    cmd.env(
        "CARGO_HOME",
        var("CARGO_HOME").unwrap_or_else(|| home.join(".cargo")),
    )
    .env(
        "RUSTUP_HOME",
        var("RUSTUP_HOME").unwrap_or_else(|| home.join(".rustup")),
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A hook repository as pre-commit clones it: this project's `.pre-commit-hooks.yaml`, byte
/// for byte, over a one-file crate whose `git-coord` binary runs the binary under test. (The
/// real crate would make pre-commit `cargo install` all of git-coord in release mode on every
/// run; the manifest, the stages, the entries and the arguments are what is under test.)
fn hook_repository(env: &TestEnv) -> (PathBuf, String) {
    let repo = env.root.join("hook-repo");
    std::fs::create_dir_all(repo.join("src")).expect("mkdir");
    std::fs::copy(
        Path::new(ROOT).join(".pre-commit-hooks.yaml"),
        repo.join(".pre-commit-hooks.yaml"),
    )
    .expect("copy the manifest");
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"git-coord-under-test\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"git-coord\"\npath = \"src/main.rs\"\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("src/main.rs"),
        r#"fn main() {
    let bin = std::env::var_os("GIT_COORD_UNDER_TEST").expect("GIT_COORD_UNDER_TEST");
    let status = std::process::Command::new(bin)
        .args(std::env::args_os().skip(1))
        .status()
        .expect("run git-coord");
    std::process::exit(status.code().unwrap_or(1));
}
"#,
    )
    .expect("write");
    env.git_in(&env.root, &["init", "-q", "-b", "main", "hook-repo"]);
    env.git_in(&repo, &["add", "."]);
    env.git_in(
        &repo,
        &["-c", "user.name=Hooks", "-c", "user.email=hooks@example.com", "commit", "-q", "-m", "hooks"],
    );
    let rev = env.git_in(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    (repo, rev)
}

/// git (or pre-commit) in the project, with what the installed hooks need.
fn hooked(env: &TestEnv, program: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(program);
    isolate(&mut cmd, env.home());
    toolchain_env(&mut cmd);
    cmd.current_dir(&env.repo)
        .env("PATH", path_with_coord())
        .env("PRE_COMMIT_HOME", env.root.join("pre-commit-home"))
        .env("GIT_COORD_UNDER_TEST", BIN)
        .args(args)
        .output()
        .expect("run")
}

#[test]
fn pre_commit_framework_runs_the_hooks_from_the_manifest() {
    let pre_commit = venv_bin("pre-commit");
    let env = TestEnv::initialised();
    env.coord(&["own", "src/**"]).expect_code(0); // alice's
    let (hooks, rev) = hook_repository(&env);
    std::fs::write(
        env.repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: git-coord-check\n      - id: git-coord-pre-push\n",
            hooks.display()
        ),
    )
    .expect("write config");
    env.git(&["add", ".pre-commit-config.yaml"]);
    env.git(&["commit", "-q", "-m", "pre-commit config"]);
    let out = hooked(
        &env,
        &pre_commit,
        &[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "pre-push",
        ],
    );
    assert!(out.status.success(), "install: {}", text(&out));
    let git = Path::new("git");

    // bob commits a file alice owns: the pre-commit stage refuses it.
    env.git(&["config", "coord.agent", "bob"]);
    env.stage("src/lib.rs", "pub fn f() {}\n");
    let out = hooked(&env, git, &["commit", "-q", "-m", "bob edits src"]);
    let said = text(&out);
    assert!(!out.status.success(), "the commit is refused: {said}");
    assert!(
        said.contains("git coord check --staged") && said.contains("src/lib.rs"),
        "pre-commit ran our hook, which named the file: {said}"
    );
    assert!(said.contains("alice"), "and the holder: {said}");
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "2");

    // A file nobody holds goes through.
    env.git(&["reset", "-q"]);
    env.stage("README.md", "hello again\n");
    let out = hooked(&env, git, &["commit", "-q", "-m", "bob edits the readme"]);
    assert!(out.status.success(), "allowed: {}", text(&out));

    // The push stage: a violating commit made past the hook is refused on push, to a new
    // remote branch (pre-commit gives no from-ref) and to an existing one.
    let bare = env.add_empty_origin();
    let out = hooked(&env, git, &["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "a clean push: {}", text(&out));
    env.stage("src/lib.rs", "pub fn g() {}\n");
    env.commit_unverified("bob edits src anyway");
    let out = hooked(&env, git, &["push", "-q", "origin", "main"]);
    let said = text(&out);
    assert!(!out.status.success(), "the push is refused: {said}");
    assert!(
        said.contains("git coord check --range") && said.contains("src/lib.rs"),
        "{said}"
    );
    let out = hooked(&env, git, &["push", "-q", "origin", "main:refs/heads/topic"]);
    assert!(!out.status.success(), "a new branch too: {}", text(&out));
    let remote_main = env.git_in(&bare, &["rev-parse", "main"]);
    assert_ne!(
        remote_main.trim(),
        env.git(&["rev-parse", "HEAD"]).trim(),
        "nothing violating reached the remote"
    );
}
