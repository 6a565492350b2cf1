//! Review findings 4, 5, 6, 11 and 15 on issue 10's authority model (ADR 0010): what another
//! agent holds — its live work, its registry entry, an exclusive file claim, an ADR, a risk, a
//! conflict — changes only with a coordinator's `--force`, refused before any side effect.
//! Each test reproduces a finding as the review describes it.

use crate::common::{Run, TestEnv};

/// Every reference on the coordination branch and elsewhere, to prove a refusal wrote nothing.
fn refs(env: &TestEnv) -> String {
    env.refs()
}

/// Runs `args` as `agent`.
fn as_agent(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    let mut full = vec!["--agent", agent];
    full.extend_from_slice(args);
    env.coord(&full)
}

/// Runs `args` as `agent`, expects exit 3, and checks no reference moved and no worktree
/// appeared.
#[track_caller]
fn refused(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    let before = refs(env);
    let worktrees = env.git(&["worktree", "list", "--porcelain"]);
    let run = as_agent(env, agent, args).expect_code(3);
    assert_eq!(refs(env), before, "{args:?} moved references");
    assert_eq!(
        env.git(&["worktree", "list", "--porcelain"]),
        worktrees,
        "{args:?} added a worktree"
    );
    run
}

/// Commits `.coord/config.toml` with `text` on the main branch.
fn commit_config(env: &TestEnv, text: &str) {
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir .coord");
    std::fs::write(env.repo.join(".coord/config.toml"), text).expect("write config");
    env.git(&["add", ".coord/config.toml"]);
    env.git(&["commit", "-q", "-m", "coordination policy"]);
}

/// The trailers of the last commit on the coordination branch, read by git.
fn last_trailers(env: &TestEnv) -> String {
    env.git(&["log", "coord", "-1", "--format=%(trailers)"])
}

/// The review's authority setup (/tmp/review-auth.sh): coordinators = ["lead"]; lead, alice
/// and mallory registered; alice holds a task owning src/a/**.
fn review_auth(now: &str) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    env.now = Some(now.to_owned());
    env.git(&["config", "coord.agent", "alice"]);
    commit_config(&env, "coordinators = [\"lead\"]\n");
    env.coord(&["init"]).expect_code(0);
    as_agent(
        &env,
        "lead",
        &["agent", "add", "lead", "--role", "coordinator"],
    )
    .expect_code(0);
    as_agent(&env, "alice", &["agent", "add", "alice", "--role", "dev"]).expect_code(0);
    as_agent(&env, "mallory", &["agent", "add", "mallory"]).expect_code(0);
    let id = env.add("alice task", &["--check", "true", "--owns", "src/a/**"]);
    as_agent(&env, "alice", &["claim", &id]).expect_code(0);
    (env, id)
}

// Finding 4: `git coord --agent mallory reap --stale 0s` marked alice (seen 4 s earlier) and the
// coordinator offline and returned alice's in-progress task to todo, no --force.
#[test]
fn reap_with_a_short_stale_needs_a_coordinators_force() {
    let (mut env, id) = review_auth("2026-11-21T08:00:00Z");
    env.now = Some("2026-11-21T08:00:04Z".to_owned());

    let run = refused(&env, "mallory", &["reap", "--stale", "0s"]);
    assert!(
        run.stderr.contains("alice's work (last seen 4s ago")
            || run.stderr.contains("lead's work (last seen 4s ago"),
        "{}",
        run.stderr
    );
    refused(&env, "mallory", &["reap", "--stale", "0s", "--dry-run"]);
    let run = refused(&env, "mallory", &["reap", "--stale", "0s", "--force"]);
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    let t = env.json(&["task", "show", &id]);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("in_progress"), Some("alice"))
    );
    assert!(
        env.show("agents/alice.toml")
            .contains("status = \"active\"")
    );

    // Without --stale, nobody seen within coord.staleAfter is touched.
    assert_eq!(
        as_agent(&env, "mallory", &["reap", "--json"])
            .expect_code(0)
            .json(),
        serde_json::json!([])
    );

    // The coordinator's --force is honoured and signed.
    as_agent(&env, "lead", &["reap", "--stale", "0s", "--force"]).expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead"));
    let t = env.json(&["task", "show", &id]);
    assert_eq!(t["status"], "todo");
}

// Finding 4, the other side: an agent stale by coord.staleAfter is anyone's to reap.
#[test]
fn anyone_reaps_an_agent_stale_by_the_configured_threshold() {
    let (mut env, id) = review_auth("2026-11-21T08:00:00Z");
    env.git(&["config", "coord.staleAfter", "1h"]);
    env.now = Some("2026-11-21T09:30:00Z".to_owned());
    as_agent(&env, "mallory", &["reap", "--stale", "2h"]).expect_code(0);
    assert_eq!(env.json(&["task", "show", &id])["status"], "in_progress");
    as_agent(&env, "mallory", &["reap"]).expect_code(0);
    assert_eq!(env.json(&["task", "show", &id])["status"], "todo");
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
}
