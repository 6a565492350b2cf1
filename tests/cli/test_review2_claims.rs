//! Second review, findings H2 and H3 (issue 10): one path with two exclusive holders through
//! `assign`, `task edit --owns` and `start`. Each test reproduces the finding as the review describes it.

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
    as_agent(&env, "lead", &["agent", "add", "lead", "--role", "coordinator"]).expect_code(0);
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
    refused(&env, "mallory", &["assign", &u, "--to", "mallory", "--steal"], 3);
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
    let run = refused(&env, "mallory", &["task", "edit", &t, "--owns", "src/*.rs"], 3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    let owners = holders_of_b(&env);
    assert!(!owners.contains("mallory"), "{owners}");
    // An edit that collides with nothing still goes through.
    as_agent(&env, "mallory", &["task", "edit", &t, "--owns", "src/a.rs", "--owns", "src/c.rs"])
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

