//! The faces for other tools (issue 15): the pre-commit framework's manifest
//! (`.pre-commit-hooks.yaml`), driven by the real `pre-commit` from PyPI, and the GitHub
//! Action (`action.yml`, `templates/github/coord-check.yml`): its YAML parses and the
//! commands it runs give the right annotations and comment on a repository with an ownership
//! violation.
//!
//! The Python tools live in the tests' virtual environment (`common/venv.rs`): made by
//! `.ci/run`, or here when missing outside CI; under CI a missing one fails, never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

use crate::common::venv::venv_bin;

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
        &[
            "-c",
            "user.name=Hooks",
            "-c",
            "user.email=hooks@example.com",
            "commit",
            "-q",
            "-m",
            "hooks",
        ],
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
    let out = hooked(
        &env,
        git,
        &["push", "-q", "origin", "main:refs/heads/topic"],
    );
    assert!(!out.status.success(), "a new branch too: {}", text(&out));
    let remote_main = env.git_in(&bare, &["rev-parse", "main"]);
    assert_ne!(
        remote_main.trim(),
        env.git(&["rev-parse", "HEAD"]).trim(),
        "nothing violating reached the remote"
    );
}

// ---- the GitHub Action ----

/// A YAML file as JSON, parsed by PyYAML from the CI virtual environment.
#[track_caller]
fn yaml(path: &Path) -> serde_json::Value {
    let out = Command::new(venv_bin("python"))
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{} does not parse: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A stand-in for `gh` that logs its calls, keeps the body it was given, and answers the
/// comment listing with the comment it "created" (as the real `--jq` filter would).
const FAKE_GH: &str = r#"#!/bin/sh
echo "$*" >> "$FAKE_GH/calls"
for a in "$@"; do
  case "$a" in body=@*) cp "${a#body=@}" "$FAKE_GH/body" ;; esac
done
case "$*" in
  *"--method POST"*) echo 4242 > "$FAKE_GH/existing" ;;
  *"--method PATCH"*) ;;
  *) [ -f "$FAKE_GH/existing" ] && cat "$FAKE_GH/existing" ;;
esac
exit 0
"#;

/// One run of the action's steps, as the runner would: each `run:` with bash -eo pipefail,
/// the step's `env:` keys given the values the expressions resolve to for this fixture.
struct ActionRun {
    /// Each step's (id, exit code, stdout).
    steps: Vec<(String, i32, String)>,
    outputs: String,
}

fn run_action(
    env: &TestEnv,
    checkout: &Path,
    action: &serde_json::Value,
    resolved: &[(&str, String)],
    runner: &Path,
) -> ActionRun {
    let output_file = runner.join(format!("output-{}", fastrand_name()));
    let mut outputs = String::new();
    let mut steps = Vec::new();
    for step in action["runs"]["steps"].as_array().expect("steps") {
        let id = step["id"]
            .as_str()
            .expect("every step has an id")
            .to_owned();
        if id == "install" {
            continue; // inputs.install == 'false': the binary under test is on PATH
        }
        let mut cmd = Command::new("bash");
        isolate(&mut cmd, env.home());
        cmd.current_dir(checkout)
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(step["run"].as_str().expect("a run step"))
            .env(
                "PATH",
                format!("{}:{}", runner.join("bin").display(), path_with_coord()),
            )
            .env("FAKE_GH", runner)
            .env("RUNNER_TEMP", runner)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
            .env("GITHUB_PATH", runner.join("path"));
        for key in step["env"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            let value = resolved
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    // The check step's outputs, as the later steps' expressions read them.
                    outputs
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{}=", key.to_lowercase())))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| panic!("step {id} reads {key}: the test must resolve it"));
            cmd.env(key, value);
        }
        let out = cmd.output().expect("run bash");
        outputs = std::fs::read_to_string(&output_file).unwrap_or_default();
        steps.push((
            id,
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    ActionRun { steps, outputs }
}

fn fastrand_name() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl ActionRun {
    #[track_caller]
    fn step(&self, id: &str) -> (i32, &str) {
        self.steps
            .iter()
            .find(|(s, _, _)| s == id)
            .map(|(_, code, out)| (*code, out.as_str()))
            .unwrap_or_else(|| panic!("no step {id}"))
    }
}

#[test]
fn action_yaml_parses_and_the_workflow_uses_it() {
    let action = yaml(&Path::new(ROOT).join("action.yml"));
    assert_eq!(action["runs"]["using"], "composite");
    let workflow = yaml(&Path::new(ROOT).join("templates/github/coord-check.yml"));
    let steps = workflow["jobs"]["coord-check"]["steps"]
        .as_array()
        .expect("steps");
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.ends_with("/git-coord@main"))),
        "the workflow uses the action: {workflow}"
    );
    assert_eq!(steps[0]["with"]["fetch-depth"], 0, "the whole history");
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    // `on:` is YAML 1.1's boolean true to PyYAML; GitHub reads it as the key "on".
    assert!(workflow["on"].is_object() || workflow["true"].is_object());
    // No expression is pasted into a script: every value reaches `run:` through `env:`.
    for step in action["runs"]["steps"].as_array().expect("steps") {
        let run = step["run"].as_str().unwrap_or_default();
        assert!(
            !run.contains("${{"),
            "step {} pastes an expression",
            step["id"]
        );
    }
}

#[test]
fn action_annotates_the_violation_and_keeps_one_comment() {
    let env = TestEnv::initialised();
    let action = yaml(&Path::new(ROOT).join("action.yml"));
    env.coord(&["own", "src/**"]).expect_code(0); // alice's
    let bare = env.add_origin("main");
    env.git(&["push", "-q", "origin", "coord"]);
    let base = env.git(&["rev-parse", "main"]).trim().to_owned();
    // bob's pull request changes a file alice holds, and one nobody holds.
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.stage("src/lib.rs", "pub fn f() {}\n");
    env.stage("docs/notes.md", "notes\n");
    env.git(&["commit", "-q", "-m", "bob's change\n\nCoord-Agent: bob"]);
    env.git(&["push", "-q", "origin", "feature"]);
    let head = env.git(&["rev-parse", "feature"]).trim().to_owned();
    // The runner's checkout, as actions/checkout leaves it: no coordination branch.
    let checkout = env.root.join("checkout");
    env.git_in(
        &env.root,
        &["clone", "-q", bare.to_str().expect("utf-8"), "checkout"],
    );
    env.git_in(&checkout, &["checkout", "-q", &head]);
    let runner = env.root.join("runner");
    std::fs::create_dir_all(runner.join("bin")).expect("mkdir");
    let gh = runner.join("bin/gh");
    std::fs::write(&gh, FAKE_GH).expect("write gh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let resolved = |base: &str, head: &str| {
        vec![
            ("ACTION_PATH", ROOT.to_owned()),
            ("COORD_BRANCH", "coord".to_owned()),
            ("BASE", base.to_owned()),
            ("HEAD", head.to_owned()),
            ("GH_TOKEN", "token".to_owned()),
            ("REPO", "owner/project".to_owned()),
            ("PR", "7".to_owned()),
        ]
    };

    let first = run_action(&env, &checkout, &action, &resolved(&base, &head), &runner);
    assert_eq!(first.step("fetch").0, 0, "{}", first.step("fetch").1);
    let (code, out) = first.step("check");
    assert_eq!(code, 0, "the check step records the verdict: {out}");
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=src/lib.rs,title=git coord ownership::src/lib.rs is held by alice"
        ) && l.contains("bob may not change it")),
        "an annotation on the file, naming holder and author:\n{out}"
    );
    assert!(!out.contains("docs/notes.md"), "nobody holds docs/: {out}");
    assert!(
        first.outputs.contains("result=violations"),
        "{}",
        first.outputs
    );
    let body = std::fs::read_to_string(runner.join("body")).expect("gh got a body");
    assert!(body.starts_with("<!-- git-coord-check -->\n### git coord: file ownership"));
    assert!(body.contains("| error | src/lib.rs | alice |"), "{body}");
    assert!(body.contains("1 violation(s)"), "{body}");
    let calls = std::fs::read_to_string(runner.join("calls")).expect("gh calls");
    assert_eq!(calls.lines().count(), 2, "{calls}");
    assert!(
        calls.contains("--method POST repos/owner/project/issues/7/comments"),
        "{calls}"
    );
    let (code, out) = first.step("verdict");
    assert_eq!(code, 1, "the job fails: {out}");
    assert!(
        std::fs::read_to_string(runner.join("summary.md"))
            .expect("summary")
            .contains("src/lib.rs")
    );

    // Another push: the same comment is edited, no second one.
    let second = run_action(&env, &checkout, &action, &resolved(&base, &head), &runner);
    assert_eq!(second.step("comment").0, 0, "{}", second.step("comment").1);
    let calls = std::fs::read_to_string(runner.join("calls")).expect("gh calls");
    let posts = calls
        .lines()
        .filter(|l| l.contains("--method POST"))
        .count();
    let patches: Vec<&str> = calls
        .lines()
        .filter(|l| l.contains("--method PATCH"))
        .collect();
    assert_eq!(posts, 1, "{calls}");
    assert_eq!(patches.len(), 1, "{calls}");
    assert!(
        patches[0].contains("repos/owner/project/issues/comments/4242"),
        "{calls}"
    );

    // A clean range passes, and starts no comment.
    std::fs::remove_file(runner.join("existing")).expect("forget the comment");
    std::fs::remove_file(runner.join("calls")).expect("reset");
    let docs_only = {
        env.git(&["checkout", "-q", "-b", "clean", "main"]);
        env.stage("docs/more.md", "more\n");
        env.git(&["commit", "-q", "-m", "docs\n\nCoord-Agent: bob"]);
        env.git(&["push", "-q", "origin", "clean"]);
        env.git(&["rev-parse", "clean"]).trim().to_owned()
    };
    env.git_in(&checkout, &["fetch", "-q", "origin", "clean"]);
    let clean = run_action(
        &env,
        &checkout,
        &action,
        &resolved(&base, &docs_only),
        &runner,
    );
    assert!(clean.outputs.contains("result=ok"), "{}", clean.outputs);
    assert_eq!(clean.step("verdict").0, 0);
    let calls = std::fs::read_to_string(runner.join("calls")).unwrap_or_default();
    assert!(
        !calls.contains("POST"),
        "no comment for a clean result: {calls}"
    );
}
