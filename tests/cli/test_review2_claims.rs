//! Second review, findings H2 and H3 (issue 10): one path with two exclusive holders through
//! `assign`, `task edit --owns` and `start`; and a registered branch used to block everyone's
//! pushes. Each test reproduces the finding as the review describes it.

use crate::common::{Run, TestEnv, record, task_path};

/// Runs `args` as `agent`.
fn as_agent(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    let mut full = vec!["--agent", agent];
    full.extend_from_slice(args);
    env.coord(&full)
}

/// Runs `args` as `agent`, expects `code`, and checks that no reference moved.
#[track_caller]
fn refused(env: &TestEnv, agent: &str, args: &[&str], code: i32) -> Run {
    let before = env.refs();
    let run = as_agent(env, agent, args).expect_code(code);
    assert_eq!(env.refs(), before, "{args:?} failed but moved references");
    run
}

/// The review's setup (`/tmp/rr-auth.sh`): coordinators = ["lead"] on main, agents lead,
/// alice and mallory, and alice's exclusive claim on `src/b.rs`.
fn setup() -> TestEnv {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir .coord");
    std::fs::create_dir_all(env.repo.join("src")).expect("mkdir src");
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "coordinators = [\"lead\"]\n",
    )
    .expect("write config");
    std::fs::write(env.repo.join("src/a.rs"), "x\n").expect("write a.rs");
    std::fs::write(env.repo.join("src/b.rs"), "x\n").expect("write b.rs");
    env.git(&["add", "."]);
    env.git(&["commit", "-q", "-m", "init"]);
    env.coord(&["init"]).expect_code(0);
    as_agent(
        &env,
        "lead",
        &["agent", "add", "lead", "--role", "coordinator"],
    )
    .expect_code(0);
    as_agent(&env, "alice", &["agent", "add", "alice", "--role", "dev"]).expect_code(0);
    as_agent(&env, "mallory", &["agent", "add", "mallory"]).expect_code(0);
    as_agent(&env, "alice", &["own", "src/b.rs"]).expect_code(0);
    env
}

/// Adds a task as `agent`, returning its ID.
fn add_task(env: &TestEnv, agent: &str, title: &str, extra: &[&str]) -> String {
    let mut args = vec!["-q", "task", "add", title];
    args.extend_from_slice(extra);
    as_agent(env, agent, &args)
        .expect_code(0)
        .stdout
        .trim()
        .to_owned()
}

/// Who holds `src/b.rs` exclusively, as `owners` reports it.
fn holders_of_b(env: &TestEnv) -> String {
    as_agent(env, "alice", &["owners", "src/b.rs"])
        .expect_code(0)
        .stdout
}

#[test]
fn h2_assign_to_oneself_of_a_task_owning_a_held_path_is_a_collision() {
    let env = setup();
    let t = add_task(&env, "mallory", "g", &["--owns", "src/b.rs"]);
    let run = refused(&env, "mallory", &["assign", &t, "--to", "mallory"], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    // Nor to anyone else: the assignee becomes a holder of the task's owns.
    refused(&env, "mallory", &["assign", &t, "--to", "lead"], 3);
    // And so `start` has nothing to skip the check with.
    refused(&env, "mallory", &["start", &t], 3);
    let owners = holders_of_b(&env);
    assert!(!owners.contains("mallory"), "{owners}");
}

#[test]
fn h2_a_coordinators_forced_assign_records_a_conflict() {
    let env = setup();
    let t = add_task(&env, "lead", "g", &["--owns", "src/b.rs"]);
    refused(&env, "lead", &["assign", &t, "--to", "mallory"], 3);
    as_agent(&env, "lead", &["assign", &t, "--to", "mallory", "--steal"]).expect_code(0);
    // The collision taken is on record: the assignee's own `start` needs no coordinator.
    as_agent(&env, "mallory", &["start", &t]).expect_code(0);
    // A non-coordinator's --steal is not honoured.
    let u = add_task(&env, "mallory", "u", &["--owns", "src/b.rs"]);
    refused(
        &env,
        "mallory",
        &["assign", &u, "--to", "mallory", "--steal"],
        3,
    );
    let t = add_task(&env, "lead", "h", &["--owns", "src/b.rs"]);
    as_agent(&env, "lead", &["assign", &t, "--to", "lead", "--steal"]).expect_code(0);
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(log.contains("Coord-Forced-By: lead"), "{log}");
    let conflicts = env.git(&["ls-tree", "-r", "--name-only", "coord", "conflicts/"]);
    assert!(!conflicts.trim().is_empty(), "no conflict record written");
}

#[test]
fn h2_task_edit_owns_of_a_held_task_is_a_collision() {
    let env = setup();
    let t = add_task(&env, "mallory", "mine", &["--owns", "src/a.rs"]);
    as_agent(&env, "mallory", &["claim", &t]).expect_code(0);
    let run = refused(
        &env,
        "mallory",
        &["task", "edit", &t, "--owns", "src/*.rs"],
        3,
    );
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    let owners = holders_of_b(&env);
    assert!(!owners.contains("mallory"), "{owners}");
    // An edit that collides with nothing still goes through.
    as_agent(
        &env,
        "mallory",
        &[
            "task", "edit", &t, "--owns", "src/a.rs", "--owns", "src/c.rs",
        ],
    )
    .expect_code(0);
    // So does clearing the task's owns.
    as_agent(&env, "mallory", &["task", "edit", &t, "--clear", "owns"]).expect_code(0);
}

#[test]
fn h2_task_edit_owns_of_an_unheld_task_is_not_a_claim() {
    let env = setup();
    let t = add_task(&env, "mallory", "later", &[]);
    // Nobody holds the task, so its owns are not anyone's claim yet: claim time checks them.
    as_agent(&env, "mallory", &["task", "edit", &t, "--owns", "src/b.rs"]).expect_code(0);
    refused(&env, "mallory", &["claim", &t], 3);
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
    let run = refused(&env, "mallory", &["start", id], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
}

/// The review's `/tmp/rr-setup.sh`: a repository with a remote, bob holding `src/bob.rs`,
/// alice `src/alice.rs`, hooks installed, and alice's worktree.
fn pushing_setup() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let bare = env.root.join("origin.git");
    env.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        bare.to_str().expect("utf-8 path"),
    ]);
    std::fs::create_dir_all(env.repo.join("src")).expect("mkdir src");
    std::fs::write(env.repo.join("src/alice.rs"), "a\n").expect("write");
    std::fs::write(env.repo.join("src/bob.rs"), "b1\nb2\nb3\n").expect("write");
    env.git(&["add", "."]);
    env.git(&["commit", "-q", "-m", "init"]);
    env.git(&[
        "remote",
        "add",
        "origin",
        bare.to_str().expect("utf-8 path"),
    ]);
    env.git(&["push", "-q", "origin", "main"]);
    env.coord(&["init"]).expect_code(0);
    as_agent(&env, "bob", &["own", "src/bob.rs"]).expect_code(0);
    as_agent(&env, "alice", &["own", "src/alice.rs"]).expect_code(0);
    env.coord(&["hooks", "install"]).expect_code(0);
    env.git(&["config", "coord.agent", "alice"]);
    (env, bare)
}

/// Runs `git push origin <branch>` through the real pre-push hook.
fn push(env: &TestEnv, branch: &str) -> std::process::Output {
    let bin = std::path::Path::new(crate::common::BIN)
        .parent()
        .expect("binary dir")
        .to_path_buf();
    #[allow(clippy::disallowed_methods)] // extends the real PATH so hooks find git-coord
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = env.git_cmd(&env.repo);
    cmd.env("PATH", path).args(["push", "origin", branch]);
    cmd.output().expect("run git push")
}

#[test]
fn h3_heads_main_beside_a_tag_main_is_refused_and_blocks_nobody() {
    let (env, _bare) = pushing_setup();
    env.git(&["tag", "main"]);
    let run = refused(
        &env,
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
        refused(
            &env,
            "mallory",
            &["agent", "add", "mallory", "--branch", bad],
            2,
        );
    }
    // A branch another agent registered, in any spelling: exit 2 naming who.
    as_agent(
        &env,
        "carol",
        &["agent", "add", "carol", "--branch", "agent/carol"],
    )
    .expect_code(0);
    for taken in ["agent/carol", "refs/heads/agent/carol", "Agent/Carol"] {
        let run = refused(
            &env,
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
    as_agent(
        &env,
        "carol",
        &["agent", "edit", "carol", "--branch", "agent/carol"],
    )
    .expect_code(0);
}

#[test]
fn h3_a_shared_branch_someone_registered_does_not_block_the_acting_agents_own_commits() {
    let (env, _bare) = pushing_setup();
    // mallory registers `develop`, a branch everyone works on.
    as_agent(
        &env,
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
