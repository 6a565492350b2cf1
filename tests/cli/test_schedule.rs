//! Scheduling through the binary: ready, next (raced by parallel agents), assign, path,
//! cycles refused or reported, and `done` reporting what it unblocked.

use std::collections::HashSet;
use std::sync::Arc;
use std::thread;

use crate::common::{TestEnv, ids, record, task_path};

#[test]
fn ready_orders_by_priority_then_slack_and_flags() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    let long = env.add("Long chain head", &["--estimate", "5h"]);
    env.add("Chain tail", &["--estimate", "5h", "--after", &long]);
    let short = env.add("Short", &["--estimate", "1h"]);
    let urgent = env.add("Urgent", &["--priority", "0", "--due", "2026-11-20"]);
    let dropped = env.add("Dropped", &[]);
    env.coord(&["cancel", &dropped]).expect_code(0);
    let after_dropped = env.add(
        "After dropped",
        &[
            "--after",
            &dropped,
            "--priority",
            "3",
            "--expertise",
            "docs",
        ],
    );

    let ready = env.json(&["ready"]);
    // Urgent (priority 0) first; then the chain head (zero slack) before the short task.
    assert_eq!(
        ids(&ready),
        vec![
            urgent.clone(),
            long.clone(),
            short.clone(),
            after_dropped.clone()
        ]
    );
    assert_eq!(ready[0]["overdue"], true);
    assert_eq!(ready[1]["slack"], 0.0);
    assert_eq!(ready[2]["slack"], 9.0);
    assert_eq!(ready[3]["cancelled_deps"], serde_json::json!([dropped]));
    assert_eq!(ready[1]["path"], task_path(&long));

    assert_eq!(ids(&env.json(&["ready", "--limit", "2"])).len(), 2);
    let listed = env.json(&["task", "list"]);
    let flagged: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["overdue"] == true)
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec![urgent.as_str()]);
    assert!(
        env.coord(&["task", "list"])
            .stdout
            .contains("Urgent  (overdue)")
    );
    // --expertise keeps tasks that need nothing or only what is given.
    let fit = ids(&env.json(&["ready", "--expertise", "docs"]));
    assert!(fit.contains(&after_dropped));
    let none = ids(&env.json(&["ready", "--expertise", "rust"]));
    assert!(!none.contains(&after_dropped));
}

#[test]
fn next_claims_the_best_fitting_task_and_exits_1_when_none_fits() {
    let env = TestEnv::initialised();
    let redis = env.add("Redis work", &["--priority", "0", "--expertise", "redis"]);
    let any = env.add("Anyone", &["--priority", "1"]);
    // alice has no expertise: the redis task does not fit her.
    let t = env.json(&["next"]);
    assert_eq!(t["id"], any.as_str());
    assert_eq!(t["assignee"], "alice");
    assert_eq!(t["status"], "in_progress");
    let none = env.coord(&["next"]).expect_code(1);
    assert!(
        none.stderr.contains("none fits the expertise of alice"),
        "{}",
        none.stderr
    );

    env.coord(&["agent", "add", "bob", "--expertise", "redis,backend"])
        .expect_code(0);
    assert_eq!(env.json(&["--agent", "bob", "next"])["id"], redis.as_str());
    let trailers = env.git(&["log", "-1", "--format=%(trailers:only)", "coord"]);
    assert!(trailers.contains("Coord-Via: next"), "{trailers}");
    env.coord(&["--agent", "bob", "next"]).expect_code(1);
}

#[test]
fn parallel_next_never_hands_out_a_task_twice() {
    let env = Arc::new(TestEnv::initialised());
    let created: HashSet<String> = (0..12).map(|i| env.add(&format!("job {i}"), &[])).collect();
    let handles: Vec<_> = (0..6)
        .map(|a| {
            let env = Arc::clone(&env);
            thread::spawn(move || {
                let agent = format!("worker{a}");
                let mut mine = Vec::new();
                loop {
                    let run = env.coord(&["--agent", &agent, "next", "--json"]);
                    match run.code {
                        0 => mine
                            .push((run.json()["id"].as_str().unwrap().to_owned(), agent.clone())),
                        1 => break,
                        other => panic!("next exited {other}: {}", run.stderr),
                    }
                }
                mine
            })
        })
        .collect();
    let claims: Vec<(String, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let claimed: HashSet<&String> = claims.iter().map(|(id, _)| id).collect();
    assert_eq!(
        claims.len(),
        created.len(),
        "every task handed out exactly once: {claims:?}"
    );
    assert_eq!(claimed.len(), created.len());
    for (id, agent) in &claims {
        assert!(
            env.show(&task_path(id))
                .contains(&format!("assignee = \"{agent}\""))
        );
    }
}

#[test]
fn a_dependency_that_closes_a_cycle_is_refused_and_nothing_changes() {
    let env = TestEnv::initialised();
    let a = env.add("Schema", &[]);
    let b = env.add("API", &["--after", &a]);
    let c = env.add("Client", &["--after", &b]);
    let before = env.git(&["rev-parse", "coord"]);
    let run = env.coord(&["task", "dep", "add", &a, &c]).expect_code(2);
    assert!(
        run.stderr
            .contains(&format!("would close a cycle: {a} → {c} → {b} → {a}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Schema") && run.stderr.contains("Client"),
        "{}",
        run.stderr
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), before);
}

#[test]
fn cycles_from_hand_edits_are_reported_not_hung_on() {
    let env = TestEnv::initialised();
    let free = env.add("Free", &[]);
    env.hand_edit(&[
        (
            "tasks/aa/t-aaaaaa.md",
            Some(&record("t-aaaaaa", "A", "depends_on = [\"t-bbbbbb\"]\n")),
        ),
        (
            "tasks/bb/t-bbbbbb.md",
            Some(&record("t-bbbbbb", "B", "depends_on = [\"t-aaaaaa\"]\n")),
        ),
    ]);
    let ready = env.coord(&["ready", "--json"]).expect_code(0);
    assert_eq!(ids(&ready.json()), vec![free.clone()]);
    assert!(
        ready
            .stderr
            .contains("dependency cycle t-aaaaaa → t-bbbbbb"),
        "{}",
        ready.stderr
    );
    let path = env.coord(&["path", "--json"]).expect_code(0);
    assert_eq!(
        path.json()["unscheduled"],
        serde_json::json!(["t-aaaaaa", "t-bbbbbb"])
    );
    assert!(path.stderr.contains("dependency cycle"), "{}", path.stderr);
    env.coord(&["graph"]).expect_code(0);
}

#[test]
fn path_json_for_a_hand_worked_plan() {
    let env = TestEnv::initialised();
    let a = env.add("A", &["--estimate", "2h"]);
    let b = env.add("B", &["--estimate", "4h"]);
    let c = env.add("C", &["--estimate", "3h", "--after", &a, "--after", &b]);
    let d = env.add("D", &[]);
    let p = env.json(&["path"]);
    assert_eq!(p["tasks"], serde_json::json!([b, c]));
    assert_eq!(p["total_hours"], 7.0);
    assert_eq!(p["slack"][&a], 2.0);
    assert_eq!(p["slack"][&b], 0.0);
    assert_eq!(
        p["slack"][&d], 6.0,
        "an unestimated task weighs the default 1h"
    );
    assert_eq!(p["timing"][&c]["earliest_start"], 4.0);
    assert_eq!(p["timing"][&a]["latest_start"], 2.0);
    // coord.defaultEstimate changes what unestimated tasks weigh.
    env.git(&["config", "coord.defaultEstimate", "3h"]);
    assert_eq!(env.json(&["path"])["slack"][&d], 4.0);
    // Finishing B moves the path.
    env.coord(&["claim", &b]).expect_code(0);
    env.coord(&["done", &b]).expect_code(0);
    let p = env.json(&["path"]);
    assert_eq!(p["tasks"], serde_json::json!([a, c]));
    assert_eq!(p["total_hours"], 5.0);
    let text = env.coord(&["path"]).expect_code(0).stdout;
    assert!(text.starts_with("Critical path: 5h in 2 task(s)"), "{text}");
}

#[test]
fn done_reports_what_it_unblocked() {
    let env = TestEnv::initialised();
    let a = env.add("Base", &[]);
    let b = env.add("Needs base", &["--after", &a]);
    let other = env.add("Other", &[]);
    let c = env.add("Needs both", &["--after", &a, "--after", &other]);
    env.coord(&["claim", &a]).expect_code(0);
    let done = env.json(&["done", &a]);
    assert_eq!(done["status"], "done");
    assert_eq!(done["unblocked"], serde_json::json!([b]));
    env.coord(&["claim", &other]).expect_code(0);
    let text = env.coord(&["done", &other]).expect_code(0).stdout;
    assert!(
        text.contains(&format!("unblocked {c}  Needs both")),
        "{text}"
    );
}

#[test]
fn assign_by_name_auto_and_steal() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    env.coord(&["agent", "add", "busy", "--expertise", "redis"])
        .expect_code(0);
    env.coord(&["agent", "add", "idle", "--expertise", "redis,backend"])
        .expect_code(0);
    env.coord(&["agent", "add", "docs", "--expertise", "docs"])
        .expect_code(0);
    let load = env.add("Existing load", &["--estimate", "8h"]);
    env.coord(&["assign", &load, "--to", "busy"]).expect_code(0);

    let t = env.add("Redis task", &["--expertise", "redis"]);
    let assigned = env.json(&["assign", &t, "--to", "auto"]);
    assert_eq!(
        assigned["assignee"], "idle",
        "least loaded agent whose expertise fits"
    );
    assert_eq!(assigned["status"], "todo");

    let held = env.coord(&["assign", &t, "--to", "busy"]).expect_code(3);
    assert!(held.stderr.contains("held by idle"), "{}", held.stderr);
    assert_eq!(
        env.json(&["assign", &t, "--to", "busy", "--steal"])["assignee"],
        "busy"
    );

    // A stale agent is never picked by auto.
    env.now = Some("2026-11-21T20:00:00Z".to_owned());
    let late = env.add("Late redis task", &["--expertise", "redis"]);
    let none = env.coord(&["assign", &late, "--to", "auto"]).expect_code(1);
    assert!(none.stderr.contains("no fresh agent"), "{}", none.stderr);
    env.coord(&["assign", &late, "--to", "../x"]).expect_code(2);
}

#[test]
fn agents_register_list_and_show() {
    let env = TestEnv::initialised();
    let a = env.json(&[
        "agent",
        "add",
        "state",
        "--role",
        "state management",
        "--expertise",
        "backend,redis",
    ]);
    assert_eq!(a["expertise"], serde_json::json!(["backend", "redis"]));
    assert!(
        env.show("agents/state.toml")
            .contains("role = \"state management\"")
    );
    // Once registered, the entry is state's own (DESIGN §3 "Authority").
    env.coord(&[
        "--agent",
        "state",
        "agent",
        "add",
        "state",
        "--branch",
        "agent/state",
    ])
    .expect_code(0);
    let shown = env.json(&["agent", "show", "state"]);
    assert_eq!(shown["branch"], "refs/heads/agent/state");
    assert_eq!(
        shown["role"], "state management",
        "an update keeps fields not given"
    );
    let list = env.json(&["agent", "list"]);
    assert_eq!(ids(&list), vec!["alice".to_owned(), "state".to_owned()]);
    env.coord(&["agent", "show", "nobody"]).expect_code(2);
    env.coord(&["agent", "add", "Bad/Name"]).expect_code(2);
}

#[test]
fn a_milestone_prefix_on_a_task_is_stored_as_the_full_id() {
    let env = TestEnv::initialised();
    let m = env.json(&["milestone", "add", "Infra", "--due", "2030-01-01"]);
    let id = m["id"].as_str().unwrap().to_owned();
    let t = env.json(&["task", "add", "Pool", "--milestone", &id[..4]]);
    assert_eq!(t["milestone"], id.as_str());
    let free = env.json(&["task", "add", "Later", "--milestone", "m-later"]);
    assert_eq!(
        free["milestone"], "m-later",
        "an unknown milestone is kept as given"
    );
    let edited = env.json(&[
        "task",
        "edit",
        free["id"].as_str().unwrap(),
        "--milestone",
        &id[..5],
    ]);
    assert_eq!(edited["milestone"], id.as_str());
}
