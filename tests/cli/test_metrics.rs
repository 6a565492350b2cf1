//! `metrics` from the coordination branch's history, on a history built with a fixed clock
//! (`GIT_COORD_NOW` stepping), against hand-computed medians, p90s and SLO breaches; and the
//! cache under `.git/coord/` that makes a second call read no history.

use serde_json::Value;

use crate::common::TestEnv;

/// Runs `args` as `agent` at `2026-11-20T<hhmm>:00Z` and expects success.
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

/// A day of work on a fixed clock (all times 2026-11-20, UTC):
///
/// | task | added | claimed      | blocked       | done  | cycle | lead |
/// |------|-------|--------------|---------------|-------|-------|------|
/// | A    | 08:00 | 09:00 bob    |               | 10:00 | 1h    | 2h   |
/// | B    | 08:00 | 10:00 bob    | 11:00 → 12:00 | 13:00 | 3h    | 5h   |
/// | C    | 08:00 | 09:00 carol  | 11:00 → 14:00 | 15:00 | 6h    | 7h   |
/// | D    | 08:00 | 15:00 carol  |               | 16:00 | 1h    | 8h   |
/// | E    | 08:00 | (ready, expertise backend)                           |
/// | F    | 08:00 | 16:00 dave, in progress                              |
///
/// Cycle times 1, 1, 3, 6 h: median (1+3)/2 = 2h, p90 = rank ⌈3.6⌉ = 4th = 6h.
/// Lead times 2, 5, 7, 8 h: median (5+7)/2 = 6h, p90 = 8h.
/// Blockers 1h and 3h: median 2h, p90 3h; C's 3h breaches the 2h SLO.
/// ADR 1 proposed 08:00, accepted 10:00 (2h); ADR 2 proposed 08:00, still open.
/// A conflict opened 12:00, resolved 17:00 (5h > 4h). A question 09:00 answered 10:00 (1h);
/// another 12:00 never answered.
fn day() -> (TestEnv, [String; 6]) {
    let mut env = TestEnv::new();
    env.now = Some("2026-11-20T08:00:00Z".into());
    env.coord(&["--agent", "alice", "init"]).expect_code(0);
    for who in ["bob", "carol", "dave"] {
        at(&mut env, "08:00", "alice", &["agent", "add", who]);
    }
    let add = |env: &mut TestEnv, title: &str, extra: &[&str]| {
        let mut args = vec!["task", "add", title];
        args.extend_from_slice(extra);
        id(&at(env, "08:00", "alice", &args))
    };
    let a = add(&mut env, "A", &[]);
    let b = add(&mut env, "B", &[]);
    let c = add(&mut env, "C", &[]);
    let d = add(&mut env, "D", &[]);
    let e = add(&mut env, "E", &["--expertise", "backend"]);
    let f = add(&mut env, "F", &[]);
    at(&mut env, "08:00", "alice", &["adr", "new", "Use Redis"]);
    at(&mut env, "08:00", "alice", &["adr", "new", "Adopt gRPC"]);

    at(&mut env, "09:00", "bob", &["claim", &a]);
    at(&mut env, "09:00", "carol", &["claim", &c]);
    let q = at(
        &mut env,
        "09:00",
        "alice",
        &["send", "bob", "--subject", "pool size?", "--needs-reply"],
    );
    at(&mut env, "10:00", "bob", &["reply", &id(&q), "32"]);
    at(&mut env, "10:00", "bob", &["done", &a]);
    at(&mut env, "10:00", "bob", &["claim", &b]);
    at(&mut env, "10:00", "alice", &["adr", "accept", "1"]);
    at(
        &mut env,
        "11:00",
        "bob",
        &["block", &b, "--reason", "waiting for Redis"],
    );
    at(
        &mut env,
        "11:00",
        "carol",
        &["block", &c, "--reason", "waiting for review"],
    );
    at(&mut env, "12:00", "bob", &["unblock", &b]);
    let conflict = at(
        &mut env,
        "12:00",
        "alice",
        &[
            "conflict",
            "new",
            "Both edit the pool",
            "--between",
            "bob,carol",
        ],
    );
    at(
        &mut env,
        "12:00",
        "alice",
        &["send", "carol", "--subject", "status?", "--needs-reply"],
    );
    at(&mut env, "13:00", "bob", &["done", &b]);
    at(&mut env, "14:00", "carol", &["unblock", &c]);
    at(&mut env, "15:00", "carol", &["done", &c]);
    at(&mut env, "15:00", "carol", &["claim", &d]);
    at(&mut env, "16:00", "carol", &["done", &d]);
    at(&mut env, "16:00", "dave", &["claim", &f]);
    at(
        &mut env,
        "17:00",
        "bob",
        &[
            "conflict",
            "resolve",
            &id(&conflict),
            "--resolution",
            "bob owns it",
        ],
    );
    (env, [a, b, c, d, e, f])
}

fn slo<'a>(m: &'a Value, name: &str) -> &'a Value {
    m["slos"]
        .as_array()
        .expect("slos")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no SLO {name} in {m:#}"))
}

fn breached(m: &Value, name: &str) -> Vec<String> {
    slo(m, name)["breaches"]
        .as_array()
        .expect("breaches")
        .iter()
        .map(|b| b["record"].as_str().expect("record").to_owned())
        .collect()
}

#[test]
fn metrics_from_a_fixed_clock_history_match_the_hand_computed_values() {
    let (mut env, [_, b, c, _, _, _]) = day();
    env.now = Some("2026-11-21T12:00:00Z".into());
    let m = env.json(&["metrics"]);

    assert_eq!(m["throughput"]["done"], 4, "{m:#}");
    assert_eq!(m["throughput"]["per_day"]["2026-11-20"], 4);
    assert_eq!(m["throughput"]["per_agent"]["bob"], 2);
    assert_eq!(m["throughput"]["per_agent"]["carol"], 2);
    assert_eq!(m["cycle_time"]["count"], 4);
    assert_eq!(m["cycle_time"]["median_hours"], 2.0);
    assert_eq!(m["cycle_time"]["p90_hours"], 6.0);
    assert_eq!(m["lead_time"]["median_hours"], 6.0);
    assert_eq!(m["lead_time"]["p90_hours"], 8.0);

    // E is the one ready task, for backend; F is dave's work in progress.
    assert_eq!(m["queue_depth"]["ready"], 1);
    assert_eq!(m["queue_depth"]["by_expertise"]["backend"], 1);
    assert_eq!(m["wip"], serde_json::json!({"dave": 1}));
    // Over time: sampled after the last task change of each hour that had one. At 08:00
    // all six tasks were ready; at 09:00 A and C were claimed; at 16:00 only E is left.
    let over: Vec<(String, u64)> = m["queue_depth"]["over_time"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            (
                s["at"].as_str().expect("at")[11..16].to_owned(),
                s["ready"].as_u64().expect("ready"),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = [
        ("08:00", 6),
        ("09:00", 4),
        ("10:00", 3),
        ("11:00", 3),
        ("12:00", 3),
        ("13:00", 3),
        ("14:00", 3),
        ("15:00", 2),
        ("16:00", 1),
    ]
    .iter()
    .map(|(t, n)| (t.to_string(), *n))
    .collect();
    assert_eq!(over, expected);

    let blockers = slo(&m, "blockers");
    assert_eq!(blockers["slo_hours"], 2.0);
    assert_eq!(blockers["count"], 2);
    assert_eq!(blockers["median_hours"], 2.0);
    assert_eq!(blockers["p90_hours"], 3.0);
    // B was blocked 1h: within the SLO.
    assert_eq!(breached(&m, "blockers"), [c.as_str()]);
    assert!(!breached(&m, "blockers").contains(&b));

    let decisions = slo(&m, "decisions");
    assert_eq!(
        (
            decisions["count"].clone(),
            decisions["median_hours"].clone()
        ),
        (1.into(), 2.0.into())
    );
    // ADR 2 has waited 28h (08:00 to 12:00 the next day) for a decision.
    assert_eq!(decisions["open"], 1);
    assert_eq!(breached(&m, "decisions"), ["ADR-0002"]);
    assert_eq!(decisions["breaches"][0]["ended"], Value::Null);
    assert_eq!(decisions["breaches"][0]["hours"], 28.0);

    let conflicts = slo(&m, "conflicts");
    assert_eq!(conflicts["median_hours"], 5.0);
    assert_eq!(conflicts["breaches"].as_array().map(Vec::len), Some(1));
    assert_eq!(conflicts["breaches"][0]["hours"], 5.0);

    let messages = slo(&m, "messages");
    assert_eq!(
        (messages["count"].clone(), messages["median_hours"].clone()),
        (1.into(), 1.0.into())
    );
    assert_eq!(messages["breaches"][0]["title"], "status?");
    assert_eq!(messages["breaches"][0]["hours"], 24.0);

    assert_eq!(m["slos_met"], false);
    assert_eq!(m["breaches"], 4);

    // People read the same numbers.
    let text = env.coord(&["metrics"]).expect_code(0).stdout;
    assert!(
        text.contains("Cycle time: median 2h, p90 6h (4 task(s))"),
        "{text}"
    );
    assert!(text.contains(&format!("blockers breach: {c}")), "{text}");
}

#[test]
fn since_keeps_only_what_finished_in_the_window() {
    let (mut env, _) = day();
    // From 14:00: C (15:00) and D (16:00) finished; cycle 6h and 1h.
    env.now = Some("2026-11-20T17:00:00Z".into());
    let m = env.json(&["metrics", "--since", "3h"]);
    assert_eq!(m["since"], "2026-11-20T14:00:00Z");
    assert_eq!(m["throughput"]["done"], 2);
    assert_eq!(
        m["throughput"]["per_agent"],
        serde_json::json!({"carol": 2})
    );
    assert_eq!(m["cycle_time"]["median_hours"], 3.5);
    assert_eq!(m["cycle_time"]["p90_hours"], 6.0);
    // C's blocker ended at 14:00, in the window; B's at 12:00 is not.
    assert_eq!(slo(&m, "blockers")["count"], 1);

    let bad = env.coord(&["metrics", "--since", "soon"]).expect_code(2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn slos_are_read_from_the_project_config_on_main() {
    let (mut env, [_, _, c, _, _, _]) = day();
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir");
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "[slo]\nblockers = \"4h\"\nmessages = \"1d\"\n",
    )
    .expect("write config");
    env.git(&["add", ".coord/config.toml"]);
    env.git(&["commit", "-q", "-m", "slo policy"]);
    env.now = Some("2026-11-21T12:00:00Z".into());
    let m = env.json(&["metrics"]);
    assert_eq!(slo(&m, "blockers")["slo_hours"], 4.0);
    assert!(
        breached(&m, "blockers").is_empty(),
        "{c} took 3h < 4h: {m:#}"
    );
    // The unanswered question has waited exactly 24h: not longer than 1d.
    assert!(breached(&m, "messages").is_empty());
    assert_eq!(slo(&m, "decisions")["slo_hours"], 24.0);
}

#[test]
fn the_cache_is_keyed_by_commit_and_brought_up_to_date_incrementally() {
    let (mut env, [_, _, _, _, e, _]) = day();
    env.now = Some("2026-11-21T12:00:00Z".into());
    let first = env.json(&["metrics"]);
    let cache = env.repo.join(".git/coord/metrics-coord.bin");
    assert!(cache.exists(), "the replay is cached under .git/coord/");
    // Unchanged branch: the same answer from the cache.
    assert_eq!(env.json(&["metrics"]), first);

    // One more commit: only it is replayed, and the answer equals a replay from scratch.
    at(&mut env, "18:00", "bob", &["claim", &e]);
    env.now = Some("2026-11-21T12:00:00Z".into());
    let incremental = env.json(&["metrics"]);
    assert_eq!(
        incremental["commits"],
        first["commits"].as_u64().expect("n") + 1
    );
    assert_eq!(incremental["queue_depth"]["ready"], 0);
    std::fs::remove_file(&cache).expect("drop the cache");
    assert_eq!(env.json(&["metrics"]), incremental);

    // A cache that is garbage is a miss, never an error.
    std::fs::write(&cache, b"\xff\x00garbage").expect("corrupt the cache");
    assert_eq!(env.json(&["metrics"]), incremental);
}

#[test]
fn metrics_before_init_is_a_usage_error_with_a_hint() {
    let env = TestEnv::new();
    let run = env.refused(&["metrics"], 2);
    assert!(run.stderr.contains("init"), "{}", run.stderr);
}
