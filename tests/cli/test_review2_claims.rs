//! Second review, findings H2 and H3 (issue 10): one path with two exclusive holders through
//! `assign`, `task edit --owns` and `start`; and a registered branch used to block everyone's
//! pushes. Each test reproduces the finding as the review describes it.

use crate::common::{TestEnv, record, task_path};

/// The review's setup (`/tmp/rr-auth.sh`): coordinators = ["lead"] on main, agents lead,
/// alice and mallory, and alice's exclusive claim on `src/b.rs`.
fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.stage(".coord/config.toml", "coordinators = [\"lead\"]\n");
    env.stage("src/a.rs", "x\n");
    env.stage("src/b.rs", "x\n");
    env.git(&["commit", "-q", "-m", "init"]);
    env.coord(&["init"]).expect_code(0);
    env.register_lead_alice_mallory();
    env.as_agent("alice", &["own", "src/b.rs"]).expect_code(0);
    env
}

/// Adds a task as `agent`, returning its ID.
fn add_task(env: &TestEnv, agent: &str, title: &str, extra: &[&str]) -> String {
    let mut args = vec!["-q", "task", "add", title];
    args.extend_from_slice(extra);
    env.as_agent(agent, &args)
        .expect_code(0)
        .stdout
        .trim()
        .to_owned()
}

/// Who holds `src/b.rs` exclusively, as `owners` reports it.
fn holders_of_b(env: &TestEnv) -> String {
    env.as_agent("alice", &["owners", "src/b.rs"])
        .expect_code(0)
        .stdout
}

#[test]
fn h2_assign_to_oneself_of_a_task_owning_a_held_path_is_a_collision() {
    let env = setup();
    let t = add_task(&env, "mallory", "g", &["--owns", "src/b.rs"]);
    let run = env.refused_as("mallory", &["assign", &t, "--to", "mallory"], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    // Nor to anyone else: the assignee becomes a holder of the task's owns.
    env.refused_as("mallory", &["assign", &t, "--to", "lead"], 3);
    // And so `start` has nothing to skip the check with.
    env.refused_as("mallory", &["start", &t], 3);
    let owners = holders_of_b(&env);
    assert!(!owners.contains("mallory"), "{owners}");
}

#[test]
fn h2_a_coordinators_forced_assign_records_a_conflict() {
    let env = setup();
    let t = add_task(&env, "lead", "g", &["--owns", "src/b.rs"]);
    env.refused_as("lead", &["assign", &t, "--to", "mallory"], 3);
    env.as_agent("lead", &["assign", &t, "--to", "mallory", "--steal"])
        .expect_code(0);
    // The collision taken is on record: the assignee's own `start` needs no coordinator.
    env.as_agent("mallory", &["start", &t]).expect_code(0);
    // A non-coordinator's --steal is not honoured.
    let u = add_task(&env, "mallory", "u", &["--owns", "src/b.rs"]);
    env.refused_as("mallory", &["assign", &u, "--to", "mallory", "--steal"], 3);
    let t = add_task(&env, "lead", "h", &["--owns", "src/b.rs"]);
    env.as_agent("lead", &["assign", &t, "--to", "lead", "--steal"])
        .expect_code(0);
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(log.contains("Coord-Forced-By: lead"), "{log}");
    let conflicts = env.git(&["ls-tree", "-r", "--name-only", "coord", "conflicts/"]);
    assert!(!conflicts.trim().is_empty(), "no conflict record written");
}

#[test]
fn h2_task_edit_owns_of_a_held_task_is_a_collision() {
    let env = setup();
    let t = add_task(&env, "mallory", "mine", &["--owns", "src/a.rs"]);
    env.as_agent("mallory", &["claim", &t]).expect_code(0);
    let run = env.refused_as("mallory", &["task", "edit", &t, "--owns", "src/*.rs"], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    let owners = holders_of_b(&env);
    assert!(!owners.contains("mallory"), "{owners}");
    // An edit that collides with nothing still goes through.
    env.as_agent(
        "mallory",
        &[
            "task", "edit", &t, "--owns", "src/a.rs", "--owns", "src/c.rs",
        ],
    )
    .expect_code(0);
    // So does clearing the task's owns.
    env.as_agent("mallory", &["task", "edit", &t, "--clear", "owns"])
        .expect_code(0);
}

#[test]
fn h2_task_edit_owns_of_an_unheld_task_is_not_a_claim() {
    let env = setup();
    let t = add_task(&env, "mallory", "later", &[]);
    // Nobody holds the task, so its owns are not anyone's claim yet: claim time checks them.
    env.as_agent("mallory", &["task", "edit", &t, "--owns", "src/b.rs"])
        .expect_code(0);
    env.refused_as("mallory", &["claim", &t], 3);
}

#[test]
fn h2_start_checks_a_claim_that_was_never_checked() {
    let env = setup();
    // An assignment written by hand (or by an older git-coord that did not check assign).
    let id = "t-h2abcd";
    env.hand_edit(&[(
        &task_path(id),
        Some(&record(
            id,
            "handmade",
            "assignee = \"mallory\"\nowns = [\"src/b.rs\"]\n",
        )),
    )]);
    let run = env.refused_as("mallory", &["start", id], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
}

/// The review's `/tmp/rr-setup.sh`: a repository with a remote, bob holding `src/bob.rs`,
/// alice `src/alice.rs`, hooks installed, and alice's worktree.
fn pushing_setup() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    env.stage("src/alice.rs", "a\n");
    env.stage("src/bob.rs", "b1\nb2\nb3\n");
    env.git(&["commit", "-q", "-m", "init"]);
    let bare = env.add_origin("main");
    env.coord(&["init"]).expect_code(0);
    env.as_agent("bob", &["own", "src/bob.rs"]).expect_code(0);
    env.as_agent("alice", &["own", "src/alice.rs"])
        .expect_code(0);
    env.install_hooks();
    env.git(&["config", "coord.agent", "alice"]);
    (env, bare)
}

/// Runs `git push origin <branch>` through the real pre-push hook.
fn push(env: &TestEnv, branch: &str) -> std::process::Output {
    env.git_hooked(&env.repo, &["push", "origin", branch])
}

#[test]
fn h3_heads_main_beside_a_tag_main_is_refused_and_blocks_nobody() {
    let (env, _bare) = pushing_setup();
    env.git(&["tag", "main"]);
    let run = env.refused_as(
        "mallory",
        &["agent", "add", "mallory", "--branch", "heads/main"],
        2,
    );
    assert!(run.stderr.contains("heads/main"), "{}", run.stderr);
    // The record the review's mallory wrote is ignored in attribution: alice's push of her
    // own file goes through.
    env.hand_edit(&[(
        "agents/mallory.toml",
        Some("id = \"mallory\"\nbranch = \"heads/main\"\nregistered = 2026-11-21T10:00:00Z\nlast_seen = 2026-11-21T10:00:00Z\n"),
    )]);
    std::fs::write(env.repo.join("src/alice.rs"), "a2\n").expect("write");
    env.git(&["commit", "-q", "-am", "mine"]);
    let out = push(&env, "refs/heads/main:refs/heads/main");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn h3_branch_names_that_are_not_an_agents_own_are_refused() {
    let (env, _bare) = pushing_setup();
    env.git(&["branch", "develop"]);
    env.git(&["tag", "v1"]);
    env.git(&["branch", "v1"]);
    env.git(&["fetch", "-q", "origin"]);
    for bad in [
        "HEAD",
        "head",
        "FETCH_HEAD",
        "origin/main",
        "refs/remotes/origin/main",
        "refs/tags/v1",
        "MAIN",
        "main",
        "refs/heads/main",
        "heads/develop",
        "v1",
        "a..b",
    ] {
        env.refused_as("mallory", &["agent", "add", "mallory", "--branch", bad], 2);
    }
    // A branch another agent registered, in any spelling: exit 2 naming who.
    env.as_agent(
        "carol",
        &["agent", "add", "carol", "--branch", "agent/carol"],
    )
    .expect_code(0);
    for taken in ["agent/carol", "refs/heads/agent/carol", "Agent/Carol"] {
        let run = env.refused_as(
            "mallory",
            &["agent", "add", "mallory", "--branch", taken],
            2,
        );
        assert!(run.stderr.contains("carol"), "{}", run.stderr);
    }
    // Stored as a full refname.
    let record = env.show("agents/carol.toml");
    assert!(
        record.contains("branch = \"refs/heads/agent/carol\""),
        "{record}"
    );
    // Its own branch, re-registered by its agent, is fine.
    env.as_agent(
        "carol",
        &["agent", "edit", "carol", "--branch", "agent/carol"],
    )
    .expect_code(0);
}

#[test]
fn h3_a_shared_branch_someone_registered_does_not_block_the_acting_agents_own_commits() {
    let (env, _bare) = pushing_setup();
    // mallory registers `develop`, a branch everyone works on.
    env.as_agent(
        "mallory",
        &["agent", "add", "mallory", "--branch", "develop"],
    )
    .expect_code(0);
    env.git(&["checkout", "-q", "-b", "develop"]);
    std::fs::write(env.repo.join("src/alice.rs"), "a2\n").expect("write");
    // The commit-msg hook writes alice's Coord-Agent trailer: the commit is alice's own.
    env.git(&["commit", "-q", "-am", "alice's work on develop"]);
    let out = push(&env, "develop");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And alice's edit of bob's file on the same branch is still hers to answer for.
    std::fs::write(env.repo.join("src/bob.rs"), "evil\n").expect("write");
    env.git(&["commit", "-q", "--no-verify", "-am", "evil"]);
    let out = push(&env, "develop");
    assert!(
        !out.status.success(),
        "alice's edit of bob's file was pushed"
    );
}
