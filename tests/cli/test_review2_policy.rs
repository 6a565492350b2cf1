//! Second hostile review (issue 10), findings H1, M1, M2, M3, M4 and L1: project policy is the
//! default branch's, not the acting agent's (coordinators, baseline ownership, `.coord/*`, the
//! reap floor); pre-push trusts only the pushed-to remote's refs; record paths in warnings are
//! escaped; a back-dated root commit gets no benefit of the doubt; a tracked `core.hooksPath`
//! is recognised however it is spelled. Each test reproduces the finding as the review did.

use crate::common::TestEnv;

/// /tmp/rr-auth.sh: coordinators = ["lead"] on main; lead, alice and mallory registered;
/// alice holds a task owning src/a/**.
fn review_auth() -> (TestEnv, String) {
    review_auth_at(None)
}

/// [`review_auth`] with the clock at `now`.
fn review_auth_at(now: Option<&str>) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    env.now = now.map(str::to_owned);
    env.stage(".coord/config.toml", "coordinators = [\"lead\"]\n");
    env.stage("src/a.rs", "x\n");
    env.git(&["commit", "-q", "-m", "init"]);
    env.coord(&["init"]).expect_code(0);
    env.register_lead_alice_mallory();
    env.git(&["config", "coord.agent", "alice"]);
    let id = env.add("alice task", &["--check", "true", "--owns", "src/a/**"]);
    env.as_agent("alice", &["claim", &id]).expect_code(0);
    (env, id)
}

// H1 (authority): mallory commits `coordinators = ["lead","mallory"]` on her own branch and
// forces alice's task back to todo.
#[test]
fn coordinators_come_from_the_default_branch_not_the_agents_head() {
    let (env, id) = review_auth();
    env.git(&["checkout", "-q", "-b", "agent/mallory"]);
    env.stage(
        ".coord/config.toml",
        "coordinators = [\"lead\",\"mallory\"]\n",
    );
    env.git(&["commit", "-q", "-m", "x"]);
    let before = env.refs();
    let run = env
        .as_agent("mallory", &["release", &id, "--force"])
        .expect_code(3);
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    assert_eq!(env.refs(), before, "the refused release moved a reference");
    let t = env.json(&["task", "show", &id]);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("in_progress"), Some("alice"))
    );
}

/// /tmp/rr-base.sh: `.coord/owners.toml` on main (and origin) gives src/bob.rs to bob; the
/// pre-commit and pre-push hooks are installed; alice acts.
fn review_base() -> TestEnv {
    let env = TestEnv::new();
    env.stage("src/bob.rs", "b\n");
    env.stage(
        ".coord/owners.toml",
        "[[rule]]\npattern = \"src/bob.rs\"\nowners = [\"bob\"]\n",
    );
    env.git(&["commit", "-q", "-m", "init"]);
    env.add_origin("main");
    env.coord(&["init"]).expect_code(0);
    env.install_hooks();
    env.git(&["config", "coord.agent", "alice"]);
    env
}

// H1 (ownership): alice commits an owners.toml naming herself (the file is unowned, so it
// passes), then edits src/bob.rs: pre-commit, pre-push and `check --range` all passed.
#[test]
fn baseline_ownership_comes_from_the_default_branch_and_the_range_base() {
    let env = review_base();
    env.stage(
        ".coord/owners.toml",
        "[[rule]]\npattern = \"src/bob.rs\"\nowners = [\"alice\"]\n",
    );
    let out = env.git_hooked(&env.repo, &["commit", "-q", "-m", "take over"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.stage("src/bob.rs", "b\nevil\n");
    let out = env.git_hooked(&env.repo, &["commit", "-q", "-m", "evil"]);
    assert!(
        !out.status.success(),
        "pre-commit let alice change bob's file"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("src/bob.rs is held by bob"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.commit_unverified("evil");
    let out = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    assert!(!out.status.success(), "pre-push let the edit land");
    assert_eq!(
        env.git(&["rev-parse", "origin/main"]),
        env.git(&["rev-parse", "main~2"]),
        "the remote moved"
    );
    // CI's view of the two commits: the policy is the one at the range base.
    let run = env
        .coord(&["check", "--range", "main~2..main"])
        .expect_code(1);
    assert!(
        run.stderr.contains("src/bob.rs is held by bob"),
        "{}",
        run.stderr
    );
}

// H1 (.coord/* is the coordinators'): with a coordinator list, a non-coordinator's change to
// the policy files is a violation.
#[test]
fn policy_files_are_held_by_the_coordinators() {
    let (env, _) = review_auth();
    env.git(&["config", "coord.agent", "mallory"]);
    env.stage(
        ".coord/config.toml",
        "coordinators = [\"lead\",\"mallory\"]\n",
    );
    let run = env.coord(&["check", "--staged"]).expect_code(1);
    assert!(
        run.stderr.contains(".coord/config.toml is held by lead"),
        "{}",
        run.stderr
    );
    env.git(&["config", "coord.agent", "lead"]);
    env.coord(&["check", "--staged"]).expect_code(0);
    env.git(&["commit", "-q", "-m", "policy"]);
    let run = env
        .as_agent("mallory", &["check", "--range", "main~1..main"])
        .expect_code(1);
    assert!(run.stderr.contains(".coord/config.toml"), "{}", run.stderr);
}

/// /tmp/rr-setup.sh: origin with main; bob owns src/bob.rs, alice owns src/alice.rs; hooks
/// installed; alice acts.
fn review_setup() -> TestEnv {
    let env = TestEnv::new();
    env.stage("src/alice.rs", "a\n");
    env.stage("src/bob.rs", "b1\nb2\nb3\n");
    env.stage("src/common.rs", "c\n");
    env.git(&["commit", "-q", "-m", "init"]);
    env.add_origin("main");
    env.coord(&["init"]).expect_code(0);
    env.as_agent("bob", &["own", "src/bob.rs"]).expect_code(0);
    env.as_agent("alice", &["own", "src/alice.rs"])
        .expect_code(0);
    env.install_hooks();
    env.git(&["config", "coord.agent", "alice"]);
    env
}

// M2: a new branch's push (remote sha unknown) skipped every commit any refs/remotes/* ref
// reaches, so `git update-ref refs/remotes/fake/x HEAD` hid alice's edit of bob's file.
#[test]
fn pre_push_of_a_new_branch_trusts_only_the_pushed_to_remotes_refs() {
    let env = review_setup();
    env.git(&["checkout", "-q", "-b", "feat"]);
    env.stage("src/bob.rs", "b1\nb2\nb3\nevil\n");
    env.commit_unverified("e");
    env.git(&["update-ref", "refs/remotes/fake/x", "HEAD"]);
    let out = env.git_hooked(&env.repo, &["push", "origin", "feat"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the push went through: {stderr}");
    assert!(stderr.contains("src/bob.rs is held by bob"), "{stderr}");
    let remote = env.git(&["ls-remote", "origin", "refs/heads/feat"]);
    assert!(
        remote.trim().is_empty(),
        "feat reached the remote: {remote}"
    );
}

// L1: `core.hooksPath sub/../.githooks` (a tracked directory, spelled through a directory
// that does not exist yet) got past the tracked-directory refusal.
#[test]
fn a_tracked_hooks_path_is_refused_however_it_is_spelled() {
    let env = TestEnv::initialised();
    env.stage(".githooks/pre-commit", "#!/bin/sh\necho TRACKED\n");
    env.commit_unverified("hooks");
    env.git(&["config", "core.hooksPath", "sub/../.githooks"]);
    let run = env.coord(&["hooks", "install"]).expect_code(2);
    assert!(
        run.stderr.contains("is tracked in this repository"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.git(&["status", "--short"]).trim(),
        "",
        "install changed the work tree"
    );
    assert!(!env.repo.join("sub").exists(), "install created sub/");
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".githooks/pre-commit")).expect("read hook"),
        "#!/bin/sh\necho TRACKED\n"
    );
}

// M4: a back-dated ORPHAN commit (no parent) editing bob's file got only a "claimed after"
// warning: the push and `check --range origin/main..evil` passed.
#[test]
fn a_backdated_root_commit_is_judged_against_the_claims_in_force_now() {
    let env = review_setup();
    env.git(&["checkout", "-q", "--orphan", "evil"]);
    env.stage("src/bob.rs", "b1\nb2\nb3\nevil\n");
    let mut cmd = env.git_cmd(&env.repo);
    let out = cmd
        .env("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")
        .env("GIT_AUTHOR_DATE", "2001-01-01T00:00:00Z")
        .args(["commit", "-q", "--no-verify", "-m", "orphan"])
        .output()
        .expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = env
        .coord(&["check", "--range", "origin/main..evil"])
        .expect_code(1);
    assert!(
        run.stderr.contains("src/bob.rs is held by bob"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("has no parent"), "{}", run.stderr);
    let out = env.git_hooked(&env.repo, &["push", "origin", "evil"]);
    assert!(!out.status.success(), "the push went through");
    let remote = env.git(&["ls-remote", "origin", "refs/heads/evil"]);
    assert!(
        remote.trim().is_empty(),
        "evil reached the remote: {remote}"
    );
}

// M1: `git -c coord.staleAfter=1s coord --agent mallory reap --stale 0s` reaped alice (seen
// 2 s earlier): the guard's threshold was the reaper's own config.
#[test]
fn the_reap_guard_floor_is_project_policy_not_the_reapers_config() {
    let (mut env, id) = review_auth_at(Some("2026-11-21T08:00:00Z"));
    env.now = Some("2026-11-21T08:00:02Z".to_owned());
    let before = env.refs();
    // What `git -c coord.staleAfter=1s coord …` hands the command.
    let out = env
        .coord_cmd(&env.repo)
        .env("GIT_CONFIG_PARAMETERS", "'coord.staleAfter'='1s'")
        .args(["--agent", "mallory", "reap", "--stale", "0s"])
        .output()
        .expect("run git-coord");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("alice's work"), "{stderr}");
    assert_eq!(env.refs(), before, "the refused reap moved a reference");
    let t = env.json(&["task", "show", &id]);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("in_progress"), Some("alice"))
    );
}
