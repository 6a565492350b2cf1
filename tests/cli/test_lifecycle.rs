//! Claims and transitions through the binary: exit codes 0/1/3, `--force`, and `done` with
//! its check.

use crate::common::{TestEnv, task_path};

#[test]
fn claim_exit_codes_and_holder_details() {
    let env = TestEnv::initialised();
    let dep = env.add("Pool", &[]);
    let task = env.add("Limiter", &["--after", &dep]);

    let not_ready = env.coord(&["claim", &task]).expect_code(1);
    assert!(
        not_ready
            .stderr
            .contains(&format!("not ready: it waits for {dep}")),
        "{}",
        not_ready.stderr
    );

    let won = env.json(&["claim", &dep]);
    assert_eq!(won["status"], "in_progress");
    assert_eq!(won["assignee"], "alice");

    let lost = env
        .coord(&["--agent", "bob", "claim", &dep, "--json"])
        .expect_code(3);
    let err: serde_json::Value = serde_json::from_str(lost.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "lost");
    assert_eq!(err["error"]["details"]["holder"], "alice");
    assert_eq!(err["error"]["details"]["since"], won["claimed"]);
    assert!(lost.stdout.is_empty());

    env.coord(&["done", &dep]).expect_code(0);
    assert_eq!(
        env.json(&["--agent", "bob", "claim", &task])["assignee"],
        "bob"
    );
}

#[test]
fn other_agents_cannot_move_a_held_task_without_force() {
    let env = TestEnv::initialised();
    let id = env.add("Held", &[]);
    env.coord(&["claim", &id]).expect_code(0);
    for args in [
        vec!["release", id.as_str()],
        vec!["review", id.as_str()],
        vec!["block", id.as_str(), "--reason", "x"],
        vec!["cancel", id.as_str()],
        vec!["done", id.as_str()],
        vec!["start", id.as_str()],
    ] {
        let mut full = vec!["--agent", "bob"];
        full.extend(args.iter().copied());
        let run = env.coord(&full).expect_code(3);
        assert!(
            run.stderr.contains("held by alice"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let released = env.json(&["--agent", "lead", "release", &id, "--force"]);
    assert_eq!(released["status"], "todo");
    assert_eq!(released["assignee"], serde_json::Value::Null);
    assert!(!env.show(&task_path(&id)).contains("assignee"));
}

#[test]
fn full_lifecycle() {
    let env = TestEnv::initialised();
    let id = env.add("Flow", &[]);
    let status = |args: &[&str]| env.json(args)["status"].as_str().unwrap().to_owned();
    assert_eq!(status(&["start", &id]), "in_progress");
    assert_eq!(
        status(&["block", &id, "--reason", "waiting for the pool"]),
        "blocked"
    );
    assert_eq!(
        env.json(&["task", "show", &id])["blocked_reason"],
        "waiting for the pool"
    );
    assert_eq!(status(&["unblock", &id]), "in_progress");
    assert_eq!(status(&["review", &id]), "review");
    assert_eq!(status(&["done", &id]), "done");
    assert!(env.json(&["task", "show", &id])["completed"].is_string());
    // Closed tasks refuse further work with a negative answer.
    env.coord(&["claim", &id]).expect_code(1);
    env.coord(&["cancel", &id]).expect_code(1);
    env.coord(&["block", &id, "--reason", ""]).expect_code(2);

    let other = env.add("Dropped", &[]);
    assert_eq!(status(&["cancel", &other]), "cancelled");
    // A cancelled dependency counts as done.
    let next = env.add("After dropped", &["--after", &other]);
    env.coord(&["claim", &next]).expect_code(0);
}

#[test]
fn done_runs_the_check_and_refuses_on_failure() {
    let env = TestEnv::initialised();
    let failing = env.add(
        "Failing",
        &["--check", "echo checking >&2; test -f ready.txt"],
    );
    env.coord(&["claim", &failing]).expect_code(0);
    let commits = env.coord_commits();
    let run = env.coord(&["done", &failing, "--json"]).expect_code(1);
    assert!(
        run.stderr.contains("running check: echo checking"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("checking"), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "check output must not reach stdout under --json: {}",
        run.stdout
    );
    assert_eq!(
        env.coord_commits(),
        commits,
        "a failed check writes nothing"
    );
    assert_eq!(
        env.json(&["task", "show", &failing])["status"],
        "in_progress"
    );

    // The check runs at the root of the worktree, even from a subdirectory.
    std::fs::write(env.repo.join("ready.txt"), "").unwrap();
    let sub = env.repo.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    env.coord_in(&sub, &["done", &failing]).expect_code(0);
    assert_eq!(env.json(&["task", "show", &failing])["status"], "done");
    let trailers = env.git(&["log", "-1", "--format=%(trailers:only)", "coord"]);
    assert!(trailers.contains("Coord-Check: passed"), "{trailers}");

    let skipped = env.add("Skipped", &["--check", "false"]);
    env.coord(&["claim", &skipped]).expect_code(0);
    env.coord(&["done", &skipped, "--no-check"]).expect_code(0);
    let trailers = env.git(&["log", "-1", "--format=%(trailers:only)", "coord"]);
    assert!(trailers.contains("Coord-Check: skipped"), "{trailers}");
}

#[test]
fn agent_is_registered_by_its_first_write() {
    let env = TestEnv::initialised();
    let id = env.add("X", &[]);
    assert!(
        env.git(&["ls-tree", "--name-only", "coord", "agents/"])
            .contains("agents/alice.toml")
    );
    env.coord(&["--agent", "newbie", "claim", &id])
        .expect_code(0);
    let record = env.show("agents/newbie.toml");
    assert!(record.contains("id = \"newbie\""), "{record}");
    // Registered in the same commit as the claim.
    let files = env.git(&["show", "--name-only", "--format=", "coord"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        vec!["agents/newbie.toml", &task_path(&id)]
    );
    assert_eq!(
        env.coord(&["--agent", "newbie", "whoami", "--json"]).json()["registered"],
        true
    );
}
