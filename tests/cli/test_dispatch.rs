//! `dispatch`, `rebalance` and `done --dispatch`: ready work to the least-loaded fresh agent
//! that fits, critical path first, with a message to each; `--dry-run` writes nothing.

use serde_json::Value;

use crate::common::TestEnv;

/// Runs `args` as `agent` at `2026-11-20T<hhmm>:00Z`, expects exit 0, parses the JSON.
#[track_caller]
fn at(env: &mut TestEnv, hhmm: &str, agent: &str, args: &[&str]) -> Value {
    env.now = Some(format!("2026-11-20T{hhmm}:00Z"));
    let mut all = vec!["--agent", agent];
    all.extend_from_slice(args);
    all.push("--json");
    env.coord(&all).expect_code(0).json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

fn assignee(env: &TestEnv, task: &str) -> Value {
    env.json(&["task", "show", task])["assignee"].clone()
}

/// The subjects and bodies of the messages `agent` received.
fn inbox(env: &TestEnv, agent: &str) -> Vec<(String, String)> {
    env.json(&["--agent", agent, "inbox", "--all"])
        .as_array()
        .expect("inbox")
        .iter()
        .map(|m| {
            (
                m["subject"].as_str().unwrap_or_default().to_owned(),
                m["body"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn registered(env: &mut TestEnv) {
    env.now = Some("2026-11-20T08:00:00Z".into());
    env.coord(&["--agent", "lead", "init"]).expect_code(0);
    for (who, expertise) in [
        ("ann", "backend"),
        ("ben", "backend"),
        ("cat", "backend"),
        ("dan", "backend"),
        ("eve", "frontend"),
    ] {
        at(
            env,
            "08:00",
            "lead",
            &["agent", "add", who, "--expertise", expertise],
        );
    }
}

/// ann (no work), ben (2h assigned), cat (6h assigned) fit and are fresh; dan fits but was
/// last seen at 08:00 (stale at 12:00); eve is fresh but does frontend. Five ready backend
/// tasks: R1–R4 (priority 1, added in that order) and R5 (priority 3, but first on the
/// critical path: Z, 8h, waits for it). Capacity 2 open tasks each.
///
/// Expected, critical path first then ready order, each to the least loaded with room:
/// R5 → ann (0h), R1 → ann (1h; now full), R2 → ben (2h < 6h; now full), R3 → cat (full),
/// R4 → nobody (every fresh fitting agent is full). dan and eve get nothing.
fn five_ready() -> (TestEnv, [String; 5]) {
    let mut env = TestEnv::new();
    registered(&mut env);
    let l1 = id(&at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "ben's", "--estimate", "2h"],
    ));
    let l2 = id(&at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "cat's", "--estimate", "6h"],
    ));
    at(&mut env, "08:00", "lead", &["assign", &l1, "--to", "ben"]);
    at(&mut env, "08:00", "lead", &["assign", &l2, "--to", "cat"]);
    let mut r = Vec::new();
    for (n, hhmm) in [(1, "08:01"), (2, "08:02"), (3, "08:03"), (4, "08:04")] {
        r.push(id(&at(
            &mut env,
            hhmm,
            "lead",
            &[
                "task",
                "add",
                &format!("R{n}"),
                "--priority",
                "1",
                "--estimate",
                "1h",
                "--expertise",
                "backend",
            ],
        )));
    }
    let r5 = id(&at(
        &mut env,
        "08:05",
        "lead",
        &[
            "task",
            "add",
            "R5",
            "--priority",
            "3",
            "--estimate",
            "1h",
            "--expertise",
            "backend",
        ],
    ));
    at(
        &mut env,
        "08:05",
        "lead",
        &[
            "task",
            "add",
            "Z",
            "--estimate",
            "8h",
            "--expertise",
            "backend",
            "--after",
            &r5,
        ],
    );
    for who in ["ann", "ben", "cat", "eve"] {
        at(&mut env, "11:30", who, &["checkin"]);
    }
    env.now = Some("2026-11-20T12:00:00Z".into());
    (
        env,
        [r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone(), r5],
    )
}

fn plan(report: &Value) -> Vec<(String, String)> {
    report["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .map(|a| {
            (
                a["task"].as_str().expect("task").to_owned(),
                a["to"].as_str().expect("to").to_owned(),
            )
        })
        .collect()
}

#[test]
fn dispatch_gives_ready_work_to_the_least_loaded_fresh_fitting_agents_and_messages_them() {
    let (env, [r1, r2, r3, r4, r5]) = five_ready();
    let expected: Vec<(String, String)> = [(&r5, "ann"), (&r1, "ann"), (&r2, "ben"), (&r3, "cat")]
        .iter()
        .map(|(t, a)| (t.to_string(), a.to_string()))
        .collect();

    // --dry-run: the plan, and nothing written.
    let tip = env.git(&["rev-parse", "coord"]);
    let dry = env.json(&["--agent", "lead", "dispatch", "--dry-run"]);
    assert_eq!(
        env.git(&["rev-parse", "coord"]),
        tip,
        "--dry-run wrote nothing"
    );
    assert_eq!(plan(&dry), expected, "{dry:#}");
    assert_eq!(dry["assignments"][0]["critical"], true);
    assert_eq!(
        dry["assignments"][0]["command"],
        format!("git coord assign {r5} --to ann")
    );
    assert_eq!(dry["unplaced"][0]["task"], r4.as_str());
    let skipped: Vec<(&str, &str)> = dry["skipped_agents"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["agent"].as_str().unwrap_or(""),
                s["why"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(skipped.contains(&("dan", "stale")), "{skipped:?}");
    let text = env
        .coord(&["--agent", "lead", "dispatch", "--dry-run"])
        .expect_code(0);
    assert!(
        text.stdout
            .contains(&format!("Would assign {r5}  R5 → ann  (critical path)")),
        "{}",
        text.stdout
    );
    assert!(
        text.stderr.contains(&format!("not placed: {r4} R4")),
        "{}",
        text.stderr
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);

    // For real: the same assignments, read back from the branch.
    let done = env.json(&["--agent", "lead", "dispatch"]);
    assert_eq!(plan(&done), expected);
    assert_eq!(assignee(&env, &r5), "ann");
    assert_eq!(assignee(&env, &r1), "ann");
    assert_eq!(assignee(&env, &r2), "ben");
    assert_eq!(assignee(&env, &r3), "cat");
    assert_eq!(assignee(&env, &r4), Value::Null);

    // One message to each agent that got work, listing it in order.
    let ann = inbox(&env, "ann");
    assert_eq!(ann.len(), 1, "{ann:?}");
    assert_eq!(ann[0].0, "Assigned to you: 2 tasks");
    let (first, second) = (
        ann[0].1.find(&r5).expect("R5 listed"),
        ann[0].1.find(&r1).expect("R1 listed"),
    );
    assert!(first < second, "critical path first: {}", ann[0].1);
    let ben = inbox(&env, "ben");
    assert_eq!(ben.len(), 1, "{ben:?}");
    assert_eq!(ben[0].0, format!("Assigned to you: {r2} R2"));
    assert_eq!(inbox(&env, "cat")[0].0, format!("Assigned to you: {r3} R3"));
    assert!(inbox(&env, "dan").is_empty());
    assert!(inbox(&env, "eve").is_empty());

    // Everyone fitting is full now: nothing more goes out, and nothing is written.
    let tip = env.git(&["rev-parse", "coord"]);
    let again = env.json(&["--agent", "lead", "dispatch"]);
    assert!(plan(&again).is_empty());
    assert_eq!(again["unplaced"][0]["task"], r4.as_str());
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);
}

#[test]
fn rebalance_moves_unstarted_work_off_stale_and_overloaded_agents() {
    let mut env = TestEnv::new();
    registered(&mut env);
    let add = |env: &mut TestEnv, title: &str| {
        id(&at(
            env,
            "08:00",
            "lead",
            &["task", "add", title, "--expertise", "backend"],
        ))
    };
    // dan (stale by 12:00) holds one unstarted task; ben holds three (capacity 2), the third
    // lowest priority; cat has started hers (started work never moves).
    let d1 = add(&mut env, "dan's");
    at(&mut env, "08:00", "lead", &["assign", &d1, "--to", "dan"]);
    let mut bens = Vec::new();
    for (title, p) in [("b1", "0"), ("b2", "1"), ("b3", "3")] {
        let t = id(&at(
            &mut env,
            "08:00",
            "lead",
            &[
                "task",
                "add",
                title,
                "--expertise",
                "backend",
                "--priority",
                p,
            ],
        ));
        at(&mut env, "08:00", "lead", &["assign", &t, "--to", "ben"]);
        bens.push(t);
    }
    let c1 = add(&mut env, "cat's");
    at(&mut env, "09:00", "cat", &["claim", &c1]);
    for who in ["ann", "ben", "cat"] {
        at(&mut env, "11:30", who, &["checkin"]);
    }
    env.now = Some("2026-11-20T12:00:00Z".into());

    let tip = env.git(&["rev-parse", "coord"]);
    let dry = env.json(&["--agent", "lead", "rebalance", "--dry-run"]);
    assert_eq!(
        env.git(&["rev-parse", "coord"]),
        tip,
        "--dry-run wrote nothing"
    );
    let moves: Vec<(String, String, String)> = dry["assignments"]
        .as_array()
        .expect("moves")
        .iter()
        .map(|a| {
            (
                a["task"].as_str().unwrap_or("").to_owned(),
                a["from"].as_str().unwrap_or("").to_owned(),
                a["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (bens[2].clone(), "ben".to_owned(), "overloaded".to_owned()),
            (d1.clone(), "dan".to_owned(), "stale".to_owned()),
        ]
    );
    // ann holds nothing, cat one started task (1h): the first move goes to ann; then ann and
    // cat tie on hours and tasks, and the ID breaks the tie, so the second goes to ann too.
    env.json(&["--agent", "lead", "rebalance"]);
    assert_eq!(assignee(&env, &bens[2]), "ann");
    assert_eq!(assignee(&env, &d1), "ann");
    assert_eq!(assignee(&env, &bens[0]), "ben");
    assert_eq!(assignee(&env, &c1), "cat");
    let log = env.git(&["log", "-3", "--format=%B", "coord"]);
    assert!(
        log.contains("Coord-Forced-By: lead"),
        "a move is a forced assign: {log}"
    );
}

#[test]
fn done_dispatch_hands_out_what_it_unblocked() {
    let mut env = TestEnv::new();
    registered(&mut env);
    let p = id(&at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "P", "--expertise", "backend"],
    ));
    let q = id(&at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "Q", "--expertise", "backend", "--after", &p],
    ));
    at(&mut env, "09:00", "ben", &["claim", &p]);
    for who in ["ann", "cat"] {
        at(&mut env, "09:30", who, &["checkin"]);
    }
    let out = at(&mut env, "10:00", "ben", &["done", &p, "--dispatch"]);
    assert_eq!(out["unblocked"], serde_json::json!([q]));
    // ann and cat both hold nothing; ben just finished his: by ID, ann.
    assert_eq!(out["dispatch"]["assignments"][0]["to"], "ann");
    assert_eq!(assignee(&env, &q), "ann");
    assert_eq!(inbox(&env, "ann")[0].0, format!("Assigned to you: {q} Q"));

    // coord.autoDispatch does the same without the flag.
    let r = id(&at(
        &mut env,
        "10:00",
        "lead",
        &["task", "add", "R", "--expertise", "backend"],
    ));
    let s = id(&at(
        &mut env,
        "10:00",
        "lead",
        &["task", "add", "S", "--expertise", "backend", "--after", &r],
    ));
    at(&mut env, "10:00", "cat", &["claim", &r]);
    env.git(&["config", "coord.autoDispatch", "true"]);
    at(&mut env, "10:30", "cat", &["done", &r]);
    assert_eq!(assignee(&env, &s), "ben");
}

#[test]
fn rebalance_by_a_non_coordinator_and_dispatch_without_an_agent_write_nothing() {
    let mut env = TestEnv::new();
    registered(&mut env);
    let t = id(&at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "held", "--expertise", "backend"],
    ));
    at(&mut env, "08:00", "lead", &["assign", &t, "--to", "dan"]);
    at(
        &mut env,
        "08:00",
        "lead",
        &["task", "add", "free", "--expertise", "backend"],
    );
    at(&mut env, "11:30", "ann", &["checkin"]);
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir");
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "coordinators = [\"lead\"]\n",
    )
    .expect("write policy");
    env.git(&["add", ".coord/config.toml"]);
    env.git(&["commit", "-q", "-m", "coordinators"]);
    env.now = Some("2026-11-20T12:00:00Z".into());

    // Moving dan's task is a coordinator's forced change: ann is refused, nothing written.
    let run = env.refused(&["--agent", "ann", "rebalance"], 3);
    assert!(
        run.stderr.contains("lead"),
        "names the coordinators: {}",
        run.stderr
    );
    assert_eq!(assignee(&env, &t), "dan");
    // Without an acting agent a dispatch cannot write; its dry run needs none.
    let run = env.refused(&["dispatch"], 2);
    assert!(run.stderr.contains("agent"), "{}", run.stderr);
    let dry = env.json(&["dispatch", "--dry-run"]);
    assert_eq!(dry["assignments"][0]["to"], "ann");
    // The coordinator may.
    env.json(&["--agent", "lead", "rebalance"]);
    assert_eq!(assignee(&env, &t), "ann");
}
