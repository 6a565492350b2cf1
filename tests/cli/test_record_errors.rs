//! What a user sees when an ID names no record or several, or a record is already closed,
//! for every kind of record (task, milestone, conflict, risk). These kinds now share one error
//! ([`OpError::UnknownRecord`]/`AmbiguousRecord`/`AlreadyClosed` in the library); the words,
//! hints, JSON details and exit codes are pinned here exactly as each kind printed them before.

use serde_json::{Value, json};

use crate::common::{TestEnv, record, task_path};

fn env() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".into());
    env
}

fn milestone(id: &str, title: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"open\"\ndue = 2026-12-01T00:00:00Z\ncreated = 2026-11-21T09:00:00Z\nupdated = 2026-11-21T09:00:00Z\n+++\n"
    )
}

fn conflict(id: &str, title: &str, status: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"{status}\"\nbetween = [\"api\", \"web\"]\nopened_by = \"api\"\nresolved_by = \"web\"\nresolved_at = 2026-11-21T09:30:00Z\ncreated = 2026-11-21T09:00:00Z\nupdated = 2026-11-21T09:00:00Z\n+++\n"
    )
}

fn risk(id: &str, title: &str, status: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nimpact = \"high\"\nprobability = \"low\"\nstatus = \"{status}\"\ncreated = 2026-11-21T09:00:00Z\nupdated = 2026-11-21T09:00:00Z\n+++\n"
    )
}

/// An environment with two records of each kind whose IDs share the prefix `aaaa`.
fn twins() -> TestEnv {
    let env = env();
    let (t1, t2) = (task_path("t-aaaa11"), task_path("t-aaaa22"));
    let (ta, tb) = (
        record("t-aaaa11", "First task", ""),
        record("t-aaaa22", "Second task", ""),
    );
    let (m1, m2) = (
        milestone("m-aaaa11", "Alpha"),
        milestone("m-aaaa22", "Beta"),
    );
    let (c1, c2) = (
        conflict("c-aaaa11", "Cache", "open"),
        conflict("c-aaaa22", "Queue", "resolved"),
    );
    let (r1, r2) = (
        risk("r-aaaa11", "Redis", "open"),
        risk("r-aaaa22", "Disk", "closed"),
    );
    env.hand_edit(&[
        (t1.as_str(), Some(ta.as_str())),
        (t2.as_str(), Some(tb.as_str())),
        ("milestones/m-aaaa11.md", Some(m1.as_str())),
        ("milestones/m-aaaa22.md", Some(m2.as_str())),
        ("conflicts/c-aaaa11.md", Some(c1.as_str())),
        ("conflicts/c-aaaa22.md", Some(c2.as_str())),
        ("risks/r-aaaa11.md", Some(r1.as_str())),
        ("risks/r-aaaa22.md", Some(r2.as_str())),
    ]);
    env
}

/// The text error of a refused command (exit `code`, nothing written), and its JSON error.
fn refused(env: &TestEnv, args: &[&str], code: i32) -> (String, Value) {
    let text = env.refused(args, code).stderr;
    let mut all = args.to_vec();
    all.push("--json");
    let run = env.refused(&all, code);
    let value: Value = serde_json::from_str(&run.stderr).expect("one JSON error");
    (text, value["error"].clone())
}

#[test]
fn ambiguous_tasks_and_milestones_list_each_candidate_with_its_title() {
    let env = twins();
    let (text, json) = refused(&env, &["task", "show", "t-aaaa"], 2);
    assert_eq!(
        text,
        "error: \"t-aaaa\" matches 2 tasks; type more of the ID\nhint: t-aaaa11  First task\nhint: t-aaaa22  Second task\n"
    );
    assert_eq!(
        json["details"],
        json!({ "given": "t-aaaa", "candidates": ["t-aaaa11", "t-aaaa22"] })
    );
    let (text, json) = refused(&env, &["milestone", "show", "aaaa"], 2);
    assert_eq!(
        text,
        "error: \"aaaa\" matches 2 milestones; type more of the ID\nhint: m-aaaa11  Alpha\nhint: m-aaaa22  Beta\n"
    );
    assert_eq!(
        json["details"],
        json!({ "given": "aaaa", "candidates": ["m-aaaa11", "m-aaaa22"] })
    );
    // `gate` and `task add --milestone` name a milestone the same way.
    let (gate, _) = refused(&env, &["gate", "m-aaaa"], 2);
    assert!(
        gate.starts_with("error: \"m-aaaa\" matches 2 milestones; type more of the ID\n"),
        "{gate}"
    );
    let (add, _) = refused(&env, &["task", "add", "x", "--milestone", "m-aaaa"], 2);
    assert!(add.contains("hint: m-aaaa22  Beta\n"), "{add}");
}

#[test]
fn unknown_tasks_and_milestones_hint_at_their_list() {
    let env = twins();
    let (text, json) = refused(&env, &["milestone", "show", "m-zzzzzz"], 2);
    assert_eq!(
        text,
        "error: no milestone matches \"m-zzzzzz\"\nhint: `git coord milestone list` lists every milestone\n"
    );
    assert_eq!(json["details"], json!({ "given": "m-zzzzzz" }));
    let (gate, _) = refused(&env, &["gate", "zzzz"], 2);
    assert_eq!(gate, text.replace("m-zzzzzz", "zzzz"));
    let (text, _) = refused(&env, &["milestone", "show", "M/x"], 2);
    assert_eq!(
        text,
        "error: \"M/x\" is not a milestone ID or prefix: use characters 0-9 and a-z, as in m-4kz9w2\nhint: `git coord milestone list` lists every milestone\n"
    );
    let (text, json) = refused(&env, &["claim", "t-zzzzzz"], 2);
    assert_eq!(
        text,
        "error: no task matches \"t-zzzzzz\"\nhint: `git coord task list --all` lists every task\n"
    );
    assert_eq!(json["details"], json!({ "given": "t-zzzzzz" }));
}

#[test]
fn conflicts_and_risks_name_the_candidates_inline_and_the_kind_in_details() {
    let env = twins();
    for (kind, given, ids) in [
        ("conflict", "c-aaaa", "c-aaaa11, c-aaaa22"),
        ("risk", "r-aaaa", "r-aaaa11, r-aaaa22"),
    ] {
        let (text, json) = refused(&env, &[kind, "show", given], 2);
        assert_eq!(
            text,
            format!(
                "error: \"{given}\" matches 2 {kind}s: {ids}; type more of the ID\nhint: `git coord {kind} list --status all` lists every {kind}\n"
            )
        );
        assert_eq!(
            json["details"]["candidates"].as_array().map(Vec::len),
            Some(2)
        );
        let (text, json) = refused(&env, &[kind, "show", "zzzz"], 2);
        assert_eq!(
            text,
            format!(
                "error: no {kind} matches \"zzzz\"\nhint: `git coord {kind} list --status all` lists every {kind}\n"
            )
        );
        assert_eq!(json["details"], json!({ "given": "zzzz", "kind": kind }));
    }
    let (text, _) = refused(
        &env,
        &["--agent", "web", "conflict", "propose", "c-aaaa", "x"],
        2,
    );
    assert!(
        text.starts_with("error: \"c-aaaa\" matches 2 conflicts: "),
        "{text}"
    );
}

#[test]
fn a_closed_conflict_or_risk_is_refused_saying_who_closed_it() {
    let env = twins();
    let (text, json) = refused(
        &env,
        &[
            "--agent",
            "web",
            "conflict",
            "resolve",
            "c-aaaa22",
            "--resolution",
            "again",
        ],
        2,
    );
    assert_eq!(
        text,
        "error: c-aaaa22 is already resolved by web at 2026-11-21T09:30:00Z\nhint: if it came back, open a new conflict: git coord conflict new <title> --between …\n"
    );
    assert_eq!(
        json["details"],
        json!({ "id": "c-aaaa22", "resolved_by": "web", "resolved_at": "2026-11-21T09:30:00Z" })
    );
    let (text, json) = refused(&env, &["risk", "close", "r-aaaa22"], 2);
    assert_eq!(
        text,
        "error: r-aaaa22 is already closed\nhint: `git coord risk show r-aaaa22` shows why\n"
    );
    assert_eq!(json["details"], json!({ "id": "r-aaaa22" }));
}
