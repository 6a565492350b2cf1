//! The authority model (DESIGN §3 "Authority", issue 10 "One agent acting for another"): what
//! another agent holds changes only with a coordinator's `--force`, refused before any side
//! effect, and a forced change names who forced it.

use std::path::PathBuf;

use crate::common::{Run, TestEnv};

/// Runs `args` as `agent`, expects exit 3, and checks that it wrote nothing.
#[track_caller]
fn refused(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    env.refused_as(agent, args, 3)
}

/// The coordination branch's tip, to prove a refused command wrote nothing.
fn tip(env: &TestEnv) -> String {
    env.git(&["rev-parse", "coord"]).trim().to_owned()
}

/// The trailers of the last commit on the coordination branch, read by git.
fn last_trailers(env: &TestEnv) -> String {
    env.git(&["log", "coord", "-1", "--format=%(trailers)"])
}

/// A marker file in the test's own temp dir, which a malicious check would create.
fn marker(env: &TestEnv, name: &str) -> PathBuf {
    env.root.join(name)
}

/// A task alice added and claimed, with `extra` flags.
fn alices_task(env: &TestEnv, extra: &[&str]) -> String {
    let id = env.add("Alice's work", extra);
    env.coord(&["claim", &id]).expect_code(0);
    id
}

#[test]
fn another_agent_cannot_set_the_check_or_owns_of_a_held_task() {
    let env = TestEnv::initialised();
    let id = alices_task(&env, &["--check", "true", "--owns", "src/alice/**"]);
    let pwned = marker(&env, "pwned");
    let evil = format!("echo pwned > {}", pwned.display());

    let run = refused(&env, "mallory", &["task", "edit", &id, "--check", &evil]);
    assert!(
        run.stderr
            .contains(&format!("{id} (Alice's work): held by alice since ")),
        "{}",
        run.stderr
    );
    refused(&env, "mallory", &["task", "edit", &id, "--owns", "src/**"]);
    refused(&env, "mallory", &["task", "edit", &id, "--clear", "owns"]);
    refused(
        &env,
        "mallory",
        &["task", "edit", &id, "--title", "Renamed"],
    );
    refused(
        &env,
        "mallory",
        &["task", "dep", "add", &id, &env.add("Other", &[])],
    );

    let task = env.json(&["task", "show", &id]);
    assert_eq!(task["check"], "true");
    assert_eq!(task["owns"], serde_json::json!(["src/alice/**"]));
    env.coord(&["done", &id]).expect_code(0);
    assert!(!pwned.exists(), "alice's done ran mallory's check");
}

#[test]
fn done_by_another_agent_is_refused_before_the_check_runs() {
    let env = TestEnv::initialised();
    let ran = marker(&env, "check-ran");
    let check = format!("touch {}", ran.display());
    let id = alices_task(&env, &["--check", &check]);

    let run = refused(&env, "mallory", &["done", &id]);
    assert!(run.stderr.contains("held by alice since"), "{}", run.stderr);
    assert!(!run.stderr.contains("running check"), "{}", run.stderr);
    assert!(!ran.exists(), "a refused done ran the check");
    refused(&env, "mallory", &["done", &id, "--no-check"]);
    assert_eq!(env.json(&["task", "show", &id])["status"], "in_progress");

    // The same check does run for its holder: the marker is a real signal.
    env.coord(&["done", &id]).expect_code(0);
    assert!(ran.exists());
}

#[test]
fn a_refused_forced_done_runs_no_check_either() {
    let env = TestEnv::initialised();
    env.commit_config("coordinators = [\"lead\"]\n");
    let ran = marker(&env, "check-ran");
    let id = alices_task(&env, &["--check", &format!("touch {}", ran.display())]);
    refused(&env, "mallory", &["done", &id, "--force"]);
    assert!(!ran.exists(), "a refused forced done ran the check");
}

#[test]
fn another_agents_registry_entry_is_theirs() {
    let env = TestEnv::initialised();
    env.coord(&["agent", "add", "alice", "--role", "backend"])
        .expect_code(0);
    let id = alices_task(&env, &[]);

    let run = refused(
        &env,
        "mallory",
        &["agent", "edit", "alice", "--role", "pwned"],
    );
    assert!(
        run.stderr
            .contains("alice's registry entry is owned by alice since"),
        "{}",
        run.stderr
    );
    refused(
        &env,
        "mallory",
        &["agent", "add", "alice", "--expertise", "x"],
    );
    refused(&env, "mallory", &["agent", "retire", "alice"]);
    assert_eq!(env.json(&["agent", "show", "alice"])["role"], "backend");
    assert_eq!(env.json(&["task", "show", &id])["assignee"], "alice");

    // Registering a new agent up front is anyone's to do; editing one's own entry too.
    env.as_agent("mallory", &["agent", "add", "carol", "--role", "docs"])
        .expect_code(0);
    env.coord(&["agent", "edit", "alice", "--role", "api"])
        .expect_code(0);
    assert_eq!(env.json(&["agent", "show", "alice"])["role"], "api");
}

#[test]
fn the_owner_needs_no_force_and_unclaimed_tasks_are_anyones() {
    let env = TestEnv::initialised();
    env.commit_config("coordinators = [\"lead\"]\n");
    let id = alices_task(&env, &[]);
    for args in [
        vec![
            "task",
            "edit",
            id.as_str(),
            "--check",
            "true",
            "--owns",
            "src/a/**",
        ],
        vec!["block", id.as_str(), "--reason", "waiting"],
        vec!["unblock", id.as_str()],
        vec!["review", id.as_str()],
        vec!["done", id.as_str()],
    ] {
        env.coord(&args).expect_code(0);
        assert!(!last_trailers(&env).contains("Coord-Forced-By"));
    }
    env.coord(&["agent", "retire", "alice"]).expect_code(0);

    let free = env.add("Nobody's yet", &[]);
    env.as_agent("mallory", &["task", "edit", &free, "--priority", "0"])
        .expect_code(0);
    env.as_agent("mallory", &["task", "dep", "add", &free, &id])
        .expect_code(0);
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
    // A closed task has no holder any more.
    env.as_agent("mallory", &["task", "edit", &id, "--title", "Done work"])
        .expect_code(0);
}

#[test]
fn only_listed_coordinators_may_force() {
    let env = TestEnv::initialised();
    env.commit_config("# who may --force\ncoordinators = [\"lead\"]\n");
    let id = alices_task(&env, &[]);
    env.coord(&["own", "src/alice/**"]).expect_code(0);

    for args in [
        vec!["task", "edit", id.as_str(), "--check", "true", "--force"],
        vec!["release", id.as_str(), "--force"],
        vec!["done", id.as_str(), "--force"],
        vec!["agent", "retire", "alice", "--force"],
        vec!["agent", "edit", "alice", "--role", "x", "--force"],
        vec!["disown", "src/alice/**", "--force"],
    ] {
        let run = refused(&env, "mallory", &args);
        assert!(
            run.stderr
                .contains("--force is for coordinators (lead), and mallory is not one")
                && run.stderr.contains("coordinators = [\"lead\"]")
                && run.stderr.contains(".coord/config.toml"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let json = env
        .as_agent("mallory", &["release", &id, "--force", "--json"])
        .expect_code(3);
    let err: serde_json::Value = serde_json::from_str(json.stderr.trim()).unwrap();
    assert_eq!(
        err["error"]["details"]["coordinators"],
        serde_json::json!(["lead"])
    );
    assert_eq!(
        err["error"]["details"]["holders"],
        serde_json::json!(["alice"])
    );

    let check = "cargo test limiter";
    let forced = env
        .as_agent("lead", &["task", "edit", &id, "--check", check, "--force"])
        .expect_code(0);
    assert!(
        !forced.stderr.contains("any agent may force"),
        "{}",
        forced.stderr
    );
    let trailers = last_trailers(&env);
    assert!(trailers.contains("Coord-Agent: lead\n"), "{trailers}");
    assert!(trailers.contains("Coord-Forced-By: lead\n"), "{trailers}");
    assert_eq!(env.json(&["task", "show", &id])["check"], check);

    // The task's history shows who forced the change, in text and JSON.
    let log = env.coord(&["log", &id]).expect_code(0).stdout;
    assert!(
        log.contains("coord: edit ") && log.contains("forced by lead"),
        "{log}"
    );
    let entries = env.json(&["log", &id]);
    assert_eq!(entries[0]["forced_by"], "lead");
    assert_eq!(entries[1]["forced_by"], serde_json::Value::Null);

    env.as_agent("lead", &["disown", "src/alice/**", "--force"])
        .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead\n"));
    assert_eq!(
        env.json(&["agent", "show", "alice"])["claims"],
        serde_json::json!([])
    );
    env.as_agent("lead", &["agent", "retire", "alice", "--force"])
        .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead\n"));
    assert_eq!(
        env.json(&["task", "show", &id])["assignee"],
        serde_json::Value::Null
    );
    assert!(
        env.coord(&["log", "alice"])
            .expect_code(0)
            .stdout
            .contains("forced by lead")
    );
}

#[test]
fn without_a_list_anyone_may_force_with_a_warning() {
    let env = TestEnv::initialised();
    let id = alices_task(&env, &[]);
    let run = env
        .as_agent("mallory", &["release", &id, "--force"])
        .expect_code(0);
    assert!(
        run.stderr.contains(
            "warning: --force: .coord/config.toml on the main branch lists no `coordinators`, so any agent may force"
        ) && run.stderr.contains("`coordinators = [\"lead\"]`"),
        "{}",
        run.stderr
    );
    let trailers = last_trailers(&env);
    assert!(trailers.contains("Coord-Agent: mallory\n"), "{trailers}");
    assert!(
        trailers.contains("Coord-Forced-By: mallory\n"),
        "{trailers}"
    );
    assert_eq!(env.json(&["task", "show", &id])["status"], "todo");
}

#[test]
fn a_config_file_without_the_key_is_no_list() {
    let env = TestEnv::initialised();
    env.commit_config("[slo]\nblockers = \"2h\"\n");
    let id = alices_task(&env, &[]);
    let run = env
        .as_agent("mallory", &["cancel", &id, "--force"])
        .expect_code(0);
    assert!(
        run.stderr.contains("lists no `coordinators`"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_uncommitted_list_grants_nothing_and_a_malformed_one_fails_closed() {
    let env = TestEnv::initialised();
    env.commit_config("coordinators = [\"lead\"]\n");
    // Policy is what is committed: a worktree edit adding mallory does not count.
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "coordinators = [\"lead\", \"mallory\"]\n",
    )
    .unwrap();
    let id = alices_task(&env, &[]);
    refused(&env, "mallory", &["release", &id, "--force"]);

    env.commit_config("coordinators = [\"lead\",\n  \"Not An Agent\"]\n");
    let before = tip(&env);
    let run = env
        .as_agent("lead", &["release", &id, "--force"])
        .expect_code(2);
    assert!(
        run.stderr.contains(".coord/config.toml:1"),
        "{}",
        run.stderr
    );
    assert_eq!(tip(&env), before);
}

#[test]
fn adr_decisions_belong_to_their_deciders() {
    let env = TestEnv::initialised();
    env.coord(&["adr", "new", "Use Redis", "--deciders", "bob"])
        .expect_code(0);
    env.coord(&["adr", "option", "1", "Redis"]).expect_code(0);
    env.coord(&["adr", "new", "Pick a logger", "--deciders", "bob"])
        .expect_code(0);

    let run = refused(
        &env,
        "mallory",
        &[
            "adr",
            "decide",
            "1",
            "--option",
            "Redis",
            "--rationale",
            "mine",
        ],
    );
    assert!(
        run.stderr
            .contains("ADR-0001 (Use Redis) is to be decided by bob"),
        "{}",
        run.stderr
    );
    refused(&env, "mallory", &["adr", "accept", "1"]);
    refused(&env, "mallory", &["adr", "reject", "2"]);
    // Listing oneself as a decider first is the same change by another road.
    refused(
        &env,
        "mallory",
        &["adr", "edit", "1", "--deciders", "mallory"],
    );
    env.as_agent(
        "mallory",
        &["adr", "edit", "1", "--title", "Use Redis everywhere"],
    )
    .expect_code(0);

    env.as_agent(
        "bob",
        &[
            "adr",
            "decide",
            "1",
            "--option",
            "Redis",
            "--rationale",
            "shared",
        ],
    )
    .expect_code(0);
    assert_eq!(env.json(&["adr", "show", "1"])["status"], "accepted");

    // A coordinator may force a decision; the commit says so.
    env.commit_config("coordinators = [\"lead\"]\n");
    refused(&env, "mallory", &["adr", "reject", "2", "--force"]);
    env.as_agent("lead", &["adr", "reject", "2", "--force"])
        .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead\n"));

    // With no deciders listed, anyone decides.
    env.coord(&["adr", "new", "Open question"]).expect_code(0);
    env.as_agent("mallory", &["adr", "accept", "3"])
        .expect_code(0);
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
}

#[test]
fn disowning_another_agents_claim_is_refused() {
    let env = TestEnv::initialised();
    env.coord(&["own", "src/alice/**"]).expect_code(0);
    let run = refused(&env, "mallory", &["disown", "src/alice/**"]);
    assert!(
        run.stderr
            .contains("the claim on src/alice/** is held by alice since"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.json(&["agent", "show", "alice"])["claims"][0]["pattern"],
        "src/alice/**"
    );
    // Patterns nobody else holds are still a quiet no-op, and one's own are released.
    env.as_agent("mallory", &["disown", "src/nobody/**"])
        .expect_code(0);
    env.coord(&["disown", "src/alice/**"]).expect_code(0);
    assert_eq!(
        env.json(&["agent", "show", "alice"])["claims"],
        serde_json::json!([])
    );
}

#[test]
fn assign_steal_is_a_coordinators_force() {
    let env = TestEnv::initialised();
    env.commit_config("coordinators = [\"lead\"]\n");
    let id = alices_task(&env, &[]);
    refused(&env, "mallory", &["assign", &id, "--to", "mallory"]);
    let run = refused(
        &env,
        "mallory",
        &["assign", &id, "--to", "mallory", "--steal"],
    );
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    let moved = env
        .as_agent("lead", &["assign", &id, "--to", "bob", "--steal", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(moved["assignee"], "bob");
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead\n"));
}
