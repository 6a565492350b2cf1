//! Agents: two worktrees act as two agents with no flags, heartbeats, stale agents reaped,
//! and the status screen.

use crate::common::TestEnv;

#[test]
fn two_worktrees_are_two_agents_without_flags_or_environment() {
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

    let id = env.add("Shared", &[]);
    env.coord_in(&wt, &["note", "bob's note"]).expect_code(0);
    env.coord_in(&wt, &["send", "alice", "--subject", "hello from bob"])
        .expect_code(0);
    let inbox = env.json(&["inbox"]);
    assert_eq!(inbox[0]["from"], "bob");
    assert_eq!(
        env.json(&["scratchpad", "bob"])["entries"][0]["text"],
        "bob's note"
    );
    env.coord_in(&wt, &["claim", &id]).expect_code(0);
    let authors = env.git(&["log", "--format=%an", "coord"]);
    assert_eq!(
        authors.lines().take(3).collect::<Vec<_>>(),
        vec!["bob", "bob", "bob"]
    );
}

#[test]
fn checkin_refreshes_last_seen_and_status() {
    let mut env = TestEnv::initialised();
    env.now = Some("2030-01-01T09:00:00Z".to_owned());
    let a = env.json(&[
        "checkin",
        "--status",
        "blocked",
        "--note",
        "waiting for review",
    ]);
    assert_eq!(a["status"], "blocked");
    assert_eq!(a["last_seen"], "2030-01-01T09:00:00Z");
    let record = env.show("agents/alice.toml");
    assert!(record.contains("note = \"waiting for review\""), "{record}");
    env.coord(&["checkin", "--status", "sleeping"])
        .expect_code(2);
    // Reads do not write heartbeats.
    let commits = env.coord_commits();
    env.coord(&["task", "list"]).expect_code(0);
    env.coord(&["status"]).expect_code(0);
    assert_eq!(env.coord_commits(), commits);
}

#[test]
fn reap_frees_a_stale_agents_tasks_and_leaves_live_agents_alone() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T08:00:00Z".to_owned());
    let stale_task = env.add("Abandoned", &[]);
    let blocked_task = env.add("Abandoned but blocked", &[]);
    let live_task = env.add("In good hands", &[]);
    env.coord(&["--agent", "ghost", "claim", &stale_task])
        .expect_code(0);
    env.coord(&["--agent", "ghost", "claim", &blocked_task])
        .expect_code(0);
    env.coord(&[
        "--agent",
        "ghost",
        "block",
        &blocked_task,
        "--reason",
        "pool",
    ])
    .expect_code(0);
    env.coord(&["--agent", "live", "claim", &live_task])
        .expect_code(0);

    // A person edits ghost's record to say it was last seen long ago.
    let record = env.show("agents/ghost.toml").replace(
        "last_seen = 2026-11-21T08:00:00Z",
        "last_seen = 2026-11-20T08:00:00Z",
    );
    env.hand_edit(&[("agents/ghost.toml", Some(&record))]);
    env.now = Some("2026-11-21T09:00:00Z".to_owned());

    let status = env.json(&["status"]);
    let stale: Vec<&str> = status["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["stale"] == true)
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(stale, vec!["ghost"]);

    let dry = env.json(&["reap", "--dry-run"]);
    assert_eq!(dry[0]["agent"], "ghost");
    let commits = env.coord_commits();
    env.coord(&["reap", "--dry-run"]).expect_code(0);
    assert_eq!(env.coord_commits(), commits, "--dry-run writes nothing");

    let reaped = env.json(&["--agent", "lead", "reap"]);
    assert_eq!(reaped.as_array().unwrap().len(), 1);
    assert_eq!(
        env.coord_commits(),
        commits + 1,
        "one commit for the whole reap"
    );
    let t = env.json(&["task", "show", &stale_task]);
    assert_eq!(
        (t["status"].as_str(), t["assignee"].is_null()),
        (Some("todo"), true)
    );
    let b = env.json(&["task", "show", &blocked_task]);
    assert_eq!(
        (b["status"].as_str(), b["assignee"].is_null()),
        (Some("blocked"), true)
    );
    let l = env.json(&["task", "show", &live_task]);
    assert_eq!(l["assignee"], "live");
    assert!(
        env.show("agents/ghost.toml")
            .contains("status = \"offline\"")
    );
    // Everyone is told.
    let told = env.json(&["--agent", "someone", "inbox"]);
    assert!(
        told[0]["body"].as_str().unwrap().contains(&stale_task),
        "{told}"
    );
    // Reaping again finds nothing.
    assert_eq!(
        env.json(&["--agent", "lead", "reap"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn status_shows_progress_agents_path_and_blockers() {
    let env = TestEnv::initialised();
    let a = env.add("Schema", &["--estimate", "2h"]);
    let b = env.add("API", &["--estimate", "6h", "--after", &a]);
    let c = env.add("Docs", &["--estimate", "2h"]);
    env.coord(&["claim", &a]).expect_code(0);
    env.coord(&["done", &a]).expect_code(0);
    env.coord(&["--agent", "bob", "claim", &c]).expect_code(0);
    env.coord(&["--agent", "bob", "block", &c, "--reason", "needs API names"])
        .expect_code(0);
    let s = env.json(&["status"]);
    assert_eq!(s["progress"]["tasks_done"], 1);
    assert_eq!(s["progress"]["tasks_total"], 3);
    assert_eq!(s["progress"]["hours_total"], 10.0);
    assert_eq!(s["progress"]["percent"], 20.0);
    assert_eq!(s["critical_path"]["tasks"], serde_json::json!([b]));
    assert_eq!(s["blocked"][0]["reason"], "needs API names");
    assert_eq!(s["priorities"][0]["id"], b.as_str());
    let text = env.coord(&["status"]).expect_code(0).stdout;
    // The go/no-go verdict comes first (issue 14), then the progress line.
    assert!(
        text.contains("\nProgress  1/3 tasks, 2h of 10h (20%)"),
        "{text}"
    );
    assert!(text.contains("needs API names"), "{text}");
}

#[test]
fn brief_of_a_small_plan() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    env.coord(&[
        "--agent",
        "lead",
        "agent",
        "add",
        "state",
        "--role",
        "state management",
        "--expertise",
        "backend,redis",
    ])
    .expect_code(0);
    let schema = env.add("Schema", &[]);
    let limiter = env.add(
        "Redis limiter",
        &[
            "--after",
            &schema,
            "--estimate",
            "6h",
            "--owns",
            "src/rl/**",
            "--deliverable",
            "src/rl/mod.rs",
            "--check",
            "cargo test rl",
            "--body",
            "Token bucket per key.",
        ],
    );
    let docs = env.add("Docs", &["--expertise", "docs"]);
    let pool = env.add("Pool", &["--expertise", "redis", "--priority", "1"]);
    env.coord(&["--agent", "api", "claim", &schema])
        .expect_code(0);
    env.coord(&[
        "--agent",
        "api",
        "note",
        "limits(key text, tokens int)",
        "--section",
        "integration",
    ])
    .expect_code(0);
    env.coord(&["--agent", "api", "note", "not for others"])
        .expect_code(0);
    env.coord(&["--agent", "lead", "assign", &limiter, "--to", "state"])
        .expect_code(0);
    let msg = env.json(&[
        "--agent",
        "lead",
        "send",
        "state",
        "--subject",
        "Use 2s timeouts",
        "--needs-reply",
    ]);
    let mut text = env.coord(&["brief", "state"]).expect_code(0).stdout;
    let commit = env.git(&["rev-parse", "--short=12", "coord"]);
    for (real, name) in [
        (schema.as_str(), "<schema>"),
        (limiter.as_str(), "<limiter>"),
        (docs.as_str(), "<docs>"),
        (pool.as_str(), "<pool>"),
        (msg["id"].as_str().unwrap(), "<msg>"),
        (commit.trim(), "<commit>"),
    ] {
        text = text.replace(real, name);
    }
    insta::assert_snapshot!("brief_of_a_small_plan", text);
}

#[test]
fn spawn_sets_up_an_agent_with_its_own_worktree_and_brief() {
    let env = TestEnv::initialised();
    let task = env.add("Pool", &["--owns", "src/pool/**"]);
    let wt = env.root.join("agent-state");
    let printed = env.json(&[
        "spawn",
        "state",
        "--task",
        &task,
        "--path",
        wt.to_str().unwrap(),
        "--print",
    ]);
    assert_eq!(printed["branch"], "agent/state");
    assert!(!wt.exists(), "--print changes nothing");
    assert_eq!(env.coord_commits(), 2);

    env.coord(&[
        "spawn",
        "state",
        "--role",
        "state management",
        "--expertise",
        "redis",
        "--owns",
        "src/state/**",
        "--task",
        &task,
        "--path",
        wt.to_str().unwrap(),
    ])
    .expect_code(0);
    assert!(wt.join("README.md").exists(), "the worktree is checked out");
    assert_eq!(
        env.git_in(&wt, &["branch", "--show-current"]).trim(),
        "agent/state"
    );
    assert_eq!(env.git_in(&wt, &["config", "coord.agent"]).trim(), "state");
    assert_eq!(
        env.git(&["config", "coord.agent"]).trim(),
        "alice",
        "the main worktree is unchanged"
    );
    assert_eq!(
        env.coord_in(&wt, &["whoami", "--json"])
            .expect_code(0)
            .json()["agent"],
        "state"
    );
    let t = env.json(&["task", "show", &task]);
    assert_eq!(t["assignee"], "state");
    let agent = env.json(&["agent", "show", "state"]);
    assert_eq!(agent["branch"], "refs/heads/agent/state");
    assert_eq!(agent["claims"][0]["pattern"], "src/state/**");
    assert_eq!(agent["claims"][0]["mode"], "exclusive");
    assert!(
        env.show("agents/state.toml")
            .contains("claims = [{ pattern = \"src/state/**\", mode = \"exclusive\", since = ")
    );
    let brief = std::fs::read_to_string(wt.join("COORD_BRIEF.md")).unwrap();
    assert!(brief.starts_with("# Brief: state"), "{brief}");
    assert!(
        brief.contains("`src/state/**`") && brief.contains("`src/pool/**`"),
        "{brief}"
    );
    assert_eq!(
        env.git_in(&wt, &["status", "--porcelain"]),
        "",
        "the brief is not a change"
    );
    // A second spawn into the same place is refused.
    env.coord(&["spawn", "state", "--path", wt.to_str().unwrap()])
        .expect_code(2);
}

#[test]
fn agent_edit_and_retire() {
    let env = TestEnv::initialised();
    env.coord(&["agent", "edit", "ghost", "--role", "x"])
        .expect_code(2);
    env.coord(&["agent", "add", "docs", "--expertise", "docs"])
        .expect_code(0);
    let edited = env.json(&[
        "--agent",
        "docs",
        "agent",
        "edit",
        "docs",
        "--expertise",
        "docs,api",
    ]);
    assert_eq!(edited["expertise"], serde_json::json!(["docs", "api"]));
    let t = env.add("Write the guide", &[]);
    env.coord(&["--agent", "docs", "claim", &t]).expect_code(0);
    let commits = env.coord_commits();
    // Retiring another agent is forced (no `coordinators` list here: anyone may).
    let r = env.json(&["agent", "retire", "docs", "--force"]);
    assert_eq!(r["tasks"], serde_json::json!([t]));
    assert_eq!(env.coord_commits(), commits + 1);
    assert_eq!(env.json(&["agent", "show", "docs"])["status"], "retired");
    assert!(env.json(&["task", "show", &t])["assignee"].is_null());
    env.coord(&["agent", "retire", "nobody"]).expect_code(2);
}

#[test]
fn brief_lists_open_conflicts_the_agent_is_part_of() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    env.coord(&["own", "src/a.rs", "--force"]).expect_code(0);
    let brief = env.coord(&["brief", "bob"]).expect_code(0).stdout;
    assert!(
        brief.contains("## Open conflicts you are part of"),
        "{brief}"
    );
    assert!(
        brief.contains("alice took src/a.rs although bob holds src/** exclusively (alice, bob)"),
        "{brief}"
    );
    let other = env.coord(&["brief", "carol"]).expect_code(0).stdout;
    assert!(!other.contains("Open conflicts"), "{other}");
}
