//! The store's contract, read back through git: one commit per change with trailers,
//! HEAD/index/worktree untouched, worktrees sharing one state, `git coord` through git.

use crate::common::{BIN, TestEnv, isolate, task_path};

#[test]
fn one_commit_per_change_with_trailers_and_author() {
    let env = TestEnv::initialised();
    assert_eq!(env.coord_commits(), 1);
    let id = env.add("Redis rate limiter", &["--estimate", "6h"]);
    env.coord(&["claim", &id]).expect_code(0);
    // Claiming again as the holder succeeds and writes nothing.
    let before = env.coord_commits();
    env.coord(&["claim", &id]).expect_code(0);
    assert_eq!(env.coord_commits(), before);
    env.coord(&["block", &id, "--reason", "pool"])
        .expect_code(0);
    env.coord(&["unblock", &id]).expect_code(0);
    env.coord(&["done", &id]).expect_code(0);
    assert_eq!(env.coord_commits(), 6);

    let subjects = env.git(&["log", "--format=%s", "coord"]);
    assert_eq!(
        subjects.lines().collect::<Vec<_>>(),
        vec![
            format!("coord: done {id}"),
            format!("coord: unblock {id}"),
            format!("coord: block {id}"),
            format!("coord: claim {id}"),
            format!("coord: add {id}"),
            "coord: init coord".to_owned(),
        ]
    );
    let trailers = env.git(&["log", "-1", "--format=%(trailers:only,unfold)", "coord"]);
    assert!(trailers.contains("Coord-Agent: alice"), "{trailers}");
    assert!(trailers.contains("Coord-Op: done"), "{trailers}");
    assert!(
        trailers.contains(&format!("Coord-Record: {id}")),
        "{trailers}"
    );
    let author = env.git(&["log", "-1", "--format=%an <%ae>", "coord"]);
    assert_eq!(author.trim(), "alice <test@example.com>");
}

#[test]
fn author_falls_back_to_coord_invalid_without_an_email() {
    let env = TestEnv::new();
    env.git(&["config", "--unset", "user.email"]);
    env.coord(&["--agent", "bot", "init"]).expect_code(0);
    let author = env.git(&["log", "-1", "--format=%an <%ae>", "coord"]);
    assert_eq!(author.trim(), "bot <bot@coord.invalid>");
}

#[test]
fn never_touches_head_index_or_worktree() {
    let env = TestEnv::initialised();
    std::fs::write(env.repo.join("wip.txt"), "uncommitted\n").unwrap();
    std::fs::write(env.repo.join("README.md"), "changed\n").unwrap();
    env.git(&["add", "README.md"]);
    let before = env.worktree_state();
    let id = env.add("Task", &[]);
    env.coord(&["claim", &id]).expect_code(0);
    env.coord(&["task", "edit", &id, "--title", "Renamed"])
        .expect_code(0);
    env.coord(&["done", &id]).expect_code(0);
    env.coord(&["task", "list"]).expect_code(0);
    assert_eq!(env.worktree_state(), before);
    assert_eq!(env.git(&["branch", "--show-current"]).trim(), "main");
    assert_eq!(
        std::fs::read_to_string(env.repo.join("wip.txt")).unwrap(),
        "uncommitted\n"
    );
}

#[test]
fn init_is_idempotent_and_describes_the_branch() {
    let env = TestEnv::initialised();
    let tip = env.git(&["rev-parse", "coord"]);
    let again = env.coord(&["init", "--json"]).expect_code(0).json();
    assert_eq!(again["created"], false);
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);
    assert!(env.show("README.md").contains("Coordination branch"));
    assert!(env.show("agents/alice.toml").contains("id = \"alice\""));
    // A root commit: the coordination branch shares no history with main.
    assert_eq!(env.git(&["rev-list", "--count", "coord"]).trim(), "1");
    let bases = env
        .git_cmd(&env.repo)
        .args(["merge-base", "main", "coord"])
        .output()
        .unwrap();
    assert!(!bases.status.success());
}

#[test]
fn coord_branch_name_comes_from_config() {
    let env = TestEnv::new();
    env.git(&["config", "coord.branch", "team/state"]);
    env.coord(&["--agent", "a", "init"]).expect_code(0);
    env.coord(&["--agent", "a", "task", "add", "x"])
        .expect_code(0);
    assert_eq!(env.git(&["rev-list", "--count", "team/state"]).trim(), "2");
}

#[test]
fn worktrees_share_state_and_act_as_their_own_agents() {
    let env = TestEnv::initialised();
    env.git(&["config", "extensions.worktreeConfig", "true"]);
    env.git(&["config", "--unset", "coord.agent"]);
    env.git(&["config", "--worktree", "coord.agent", "alice"]);
    let wt = env.root.join("wt-bob");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "agent/bob",
        wt.to_str().unwrap(),
    ]);
    env.git_in(&wt, &["config", "--worktree", "coord.agent", "bob"]);

    let who = |dir: &std::path::Path| {
        env.coord_in(dir, &["whoami", "--json"])
            .expect_code(0)
            .json()
    };
    assert_eq!(who(&env.repo)["agent"], "alice");
    assert_eq!(who(&wt)["agent"], "bob");
    assert_eq!(who(&wt)["source"], "config");

    let id = env.add("Shared task", &[]);
    let seen = env
        .coord_in(&wt, &["task", "show", &id, "--json"])
        .expect_code(0)
        .json();
    assert_eq!(seen["title"], "Shared task");
    env.coord_in(&wt, &["claim", &id]).expect_code(0);
    let lost = env.coord(&["claim", &id]).expect_code(3);
    assert!(lost.stderr.contains("held by bob"), "{}", lost.stderr);
    let record = env.show(&task_path(&id));
    assert!(record.contains("assignee = \"bob\""), "{record}");
    // -C points at another worktree from anywhere.
    let listed = env
        .coord_in(
            &env.root,
            &["-C", wt.to_str().unwrap(), "task", "list", "--json"],
        )
        .expect_code(0)
        .json();
    assert_eq!(listed[0]["assignee"], "bob");
}

#[test]
#[allow(clippy::disallowed_methods)] // the test extends the real PATH
fn runs_as_a_git_subcommand() {
    let env = TestEnv::initialised();
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("git");
    isolate(&mut cmd, env.home());
    let out = cmd
        .current_dir(&env.repo)
        .env("PATH", path)
        .args(["coord", "task", "add", "Through git", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let task: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(task["title"], "Through git");
    assert!(
        env.show(task["path"].as_str().unwrap())
            .contains("Through git")
    );
}

#[test]
fn fixed_clock_stamps_records_and_commits() {
    let mut env = TestEnv::new();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    env.git(&["config", "coord.agent", "alice"]);
    env.coord(&["init"]).expect_code(0);
    let id = env.add("Stamped", &[]);
    let task = env.json(&["task", "show", &id]);
    assert_eq!(task["created"], "2026-11-21T10:00:00Z");
    let date = env.git(&["log", "-1", "--format=%aI", "coord"]);
    assert!(date.starts_with("2026-11-21T10:00:00"), "{date}");
    assert!(
        env.show("agents/alice.toml")
            .contains("last_seen = 2026-11-21T10:00:00Z")
    );
}

#[test]
fn dash_c_resolves_relative_paths_like_git() {
    let env = TestEnv::initialised();
    std::fs::write(env.repo.join("body.md"), "from the repo\n").unwrap();
    let t = env
        .coord_in(
            &env.root,
            &[
                "-C",
                "repo",
                "task",
                "add",
                "Relative",
                "--body-file",
                "body.md",
                "--json",
            ],
        )
        .expect_code(0)
        .json();
    assert_eq!(t["body"], "from the repo\n");
}
