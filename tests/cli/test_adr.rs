//! ADRs through the binary: `adr new` allocates the next number and renders the body from
//! its template, options and decisions follow the state rules, `supersede` links both ways in
//! one commit with only one side stored, and `review` finds the decisions due.

use serde_json::{Value, json};

use crate::common::TestEnv;

const NOW: &str = "2026-11-21T10:00:00Z";

pub fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

pub fn new_adr(env: &TestEnv, title: &str, extra: &[&str]) -> Value {
    let mut args = vec!["adr", "new", title];
    args.extend_from_slice(extra);
    env.json(&args)
}

fn error_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let run = env.coord(&all).expect_code(2);
    serde_json::from_str(&run.stderr).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
}

#[test]
fn new_allocates_the_next_number_in_one_commit() {
    let env = env_at_now();
    let before = env.coord_commits();
    let a = new_adr(
        &env,
        "Use Redis for rate limiting",
        &[
            "--context",
            "Limits must hold across instances.",
            "--deciders",
            "lead,state",
            "--input-from",
            "ops",
            "--deadline",
            "2026-12-01",
            "--review-date",
            "2027-06-01T09:00:00Z",
        ],
    );
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(a["number"], 1);
    assert_eq!(a["title"], "Use Redis for rate limiting");
    assert_eq!(a["status"], "proposed");
    assert_eq!(a["path"], "adrs/0001-use-redis-for-rate-limiting.md");
    assert_eq!(a["deciders"], json!(["lead", "state"]));
    assert_eq!(a["input_from"], json!(["ops"]));
    assert_eq!(a["deadline"], "2026-12-01T23:59:59Z");
    assert_eq!(a["review_date"], "2027-06-01T09:00:00Z");
    assert_eq!(a["options"], json!([]));
    assert_eq!(a["decision"], Value::Null);
    assert_eq!(a["supersedes"], json!([]));
    assert_eq!(a["superseded_by"], json!([]));
    assert_eq!((&a["created"], &a["updated"]), (&json!(NOW), &json!(NOW)));
    assert!(
        a["body"]
            .as_str()
            .unwrap()
            .contains("Limits must hold across instances.")
    );
    let record = env.show("adrs/0001-use-redis-for-rate-limiting.md");
    assert!(
        record.starts_with(
            "+++\nnumber = 1\ntitle = \"Use Redis for rate limiting\"\nstatus = \"proposed\"\n"
        ),
        "{record}"
    );
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(log.starts_with("coord: adr-new ADR-0001\n"), "{log}");
    assert!(
        log.contains("Coord-Op: adr-new\nCoord-Record: ADR-0001\n"),
        "{log}"
    );

    let b = new_adr(
        &env,
        "Ünïcode / and a very long title that goes on and on past the limit of a slug",
        &[],
    );
    assert_eq!(b["number"], 2);
    let path = b["path"].as_str().unwrap();
    assert!(
        path.starts_with("adrs/0002-n-code-and-a-very-long-title"),
        "{path}"
    );
    assert!(path.len() <= "adrs/0002-.md".len() + 60, "{path}");
}

#[test]
fn new_refuses_bad_input_naming_the_flag() {
    let env = env_at_now();
    for (args, flag) in [
        (vec!["adr", "new", "T", "--deadline", "soon"], "--deadline"),
        (
            vec!["adr", "new", "T", "--review-date", "2026-13-01"],
            "--review-date",
        ),
        (
            vec!["adr", "new", "T", "--deciders", "Not An Agent"],
            "--deciders",
        ),
        (
            vec!["adr", "new", "T", "--input-from", "a,B"],
            "--input-from",
        ),
        (vec!["adr", "new", " "], "title"),
        (vec!["adr", "new", "a\nb"], "title"),
    ] {
        let run = env.coord(&args).expect_code(2);
        assert!(run.stderr.contains(flag), "{args:?}: {}", run.stderr);
    }
    assert_eq!(env.coord_commits(), 1, "nothing was written");
}

#[test]
fn adr_rendered_from_its_template() {
    let env = env_at_now();
    new_adr(
        &env,
        "Use Redis for rate limiting",
        &[
            "--context",
            "Limits must hold across instances.",
            "--deciders",
            "lead,state",
            "--deadline",
            "2026-12-01",
            "--review-date",
            "2027-06-01",
        ],
    );
    let proposed = env.show("adrs/0001-use-redis-for-rate-limiting.md");
    assert!(
        proposed.contains("## Status\n\nProposed\n\nTo be decided by 2026-12-01.\n"),
        "{proposed}"
    );
    for (name, flags) in [
        (
            "Redis",
            vec![
                "--pros",
                "shared by every instance",
                "--cons",
                "one more service",
                "--effort",
                "2d",
            ],
        ),
        (
            "In-process LRU",
            vec!["--pros", "no new service", "--cons", "limits per instance"],
        ),
    ] {
        let mut args = vec!["--agent", "state", "adr", "option", "1", name];
        args.extend(flags);
        env.coord(&args).expect_code(0);
    }
    env.coord(&[
        "--agent",
        "lead",
        "adr",
        "decide",
        "ADR-1",
        "--option",
        "redis",
        "--rationale",
        "limits must hold across instances",
    ])
    .expect_code(0);
    let record = env.show("adrs/0001-use-redis-for-rate-limiting.md");
    insta::assert_snapshot!("adr_rendered_from_its_template", record);
}

#[test]
fn options_and_decide_keep_every_alternative() {
    let env = env_at_now();
    new_adr(&env, "Cache", &[]);
    let a = env.json(&[
        "adr", "option", "1", "Redis", "--pros", "fast", "--pros", "shared", "--cons", "ops",
    ]);
    assert_eq!(
        a["options"],
        json!([{"name": "Redis", "pros": ["fast", "shared"], "cons": ["ops"], "effort": null}])
    );
    let before = env.coord_commits();
    // The same option again with nothing new: no commit.
    env.coord(&["adr", "option", "1", "redis", "--pros", "fast"])
        .expect_code(0);
    assert_eq!(env.coord_commits(), before);
    env.json(&["adr", "option", "0001", "redis", "--effort", "1d"]);
    env.json(&["adr", "option", "1", "LRU", "--cons", "cold"]);
    let e = error_json(
        &env,
        &[
            "adr",
            "decide",
            "1",
            "--option",
            "Memcached",
            "--rationale",
            "x",
        ],
    );
    assert_eq!(e["error"]["details"]["options"], json!(["Redis", "LRU"]));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("its options are: Redis, LRU"),
        "{e}"
    );
    let a = env.json(&[
        "--agent",
        "lead",
        "adr",
        "decide",
        "1",
        "--option",
        "LRU",
        "--rationale",
        "simplest",
    ]);
    assert_eq!(a["status"], "accepted");
    assert_eq!(
        a["decision"],
        json!({"option": "LRU", "rationale": "simplest", "by": "lead", "at": NOW})
    );
    assert_eq!(a["options"][0]["name"], "Redis", "the alternative stays");
    assert_eq!(a["options"][0]["effort"], "1d");
    let body = a["body"].as_str().unwrap();
    assert!(
        body.contains(
            "Chosen option: \"LRU\", because simplest.\n\nDecided by lead on 2026-11-21T10:00:00Z."
        ),
        "{body}"
    );
    assert!(body.contains("### Redis\n\n* Good, because fast\n* Good, because shared\n* Bad, because ops\n* Effort: 1d\n"), "{body}");
    let record = env.show("adrs/0001-cache.md");
    assert!(
        record.contains("[decision]\noption = \"LRU\"\nrationale = \"simplest\"\nby = \"lead\"\n"),
        "{record}"
    );

    // Decided: no second decision, no more options.
    let e = error_json(
        &env,
        &[
            "adr",
            "decide",
            "1",
            "--option",
            "Redis",
            "--rationale",
            "x",
        ],
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already decided"),
        "{e}"
    );
    assert_eq!(e["error"]["details"]["status"], "accepted");
    let run = env
        .coord(&["adr", "option", "1", "Memcached"])
        .expect_code(2);
    assert!(
        run.stderr.contains("ADR-0001 is accepted"),
        "{}",
        run.stderr
    );
    let run = env.coord(&[
        "adr",
        "decide",
        "1",
        "--option",
        "Redis",
        "--rationale",
        " ",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn status_changes_follow_the_rules_and_numbers_take_every_spelling() {
    let env = env_at_now();
    for t in ["One", "Two", "Three"] {
        new_adr(&env, t, &[]);
    }
    for spelling in ["2", "0002", "ADR-2", "ADR-0002", "adr-2"] {
        assert_eq!(
            env.json(&["adr", "show", spelling])["title"],
            "Two",
            "{spelling}"
        );
    }
    for bad in ["9", "ADR-0009"] {
        let run = env.coord(&["adr", "show", bad]).expect_code(2);
        assert!(
            run.stderr.contains("there is no ADR-0009"),
            "{}",
            run.stderr
        );
    }
    env.coord(&["adr", "show", "two"]).expect_code(2);
    env.coord(&["adr", "accept", "9"]).expect_code(2);

    assert_eq!(env.json(&["adr", "accept", "1"])["status"], "accepted");
    let before = env.coord_commits();
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    assert_eq!(
        env.coord_commits(),
        before,
        "accepting twice writes nothing"
    );
    assert_eq!(env.json(&["adr", "reject", "2"])["status"], "rejected");
    let run = env.coord(&["adr", "accept", "2"]).expect_code(2);
    assert!(
        run.stderr
            .contains("ADR-0002 is rejected: a rejected ADR stays rejected"),
        "{}",
        run.stderr
    );
    env.coord(&["adr", "deprecate", "3"]).expect_code(2);
    env.coord(&["adr", "reject", "1"]).expect_code(2);
    assert_eq!(env.json(&["adr", "deprecate", "1"])["status"], "deprecated");
    let record = env.show("adrs/0001-one.md");
    assert!(
        record.contains("status = \"deprecated\"") && record.contains("## Status\n\nDeprecated\n"),
        "{record}"
    );

    let listed = env.json(&["adr", "list"]);
    let numbers: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["number"])
        .collect();
    assert_eq!(numbers, [&json!(1), &json!(2), &json!(3)]);
    let proposed = env.json(&["adr", "list", "--status", "proposed"]);
    assert_eq!(proposed.as_array().unwrap().len(), 1);
    assert_eq!(proposed[0]["title"], "Three");
    env.coord(&["adr", "list", "--status", "done"])
        .expect_code(2);
    let text = env.coord(&["adr", "list"]).expect_code(0).stdout;
    assert!(text.contains("ADR-0002  rejected    Two"), "{text}");
}

#[test]
fn supersede_links_both_ways_in_one_commit_storing_one_side() {
    let env = env_at_now();
    new_adr(&env, "Use MySQL", &[]);
    new_adr(&env, "Use PostgreSQL", &[]);
    env.coord(&["adr", "supersede", "1", "--by", "2"])
        .expect_code(2); // 1 was never accepted
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    env.coord(&["adr", "accept", "2"]).expect_code(0);
    let before = env.coord_commits();
    let out = env.json(&["adr", "supersede", "ADR-0001", "--by", "2"]);
    assert_eq!(
        env.coord_commits(),
        before + 1,
        "both records in one commit"
    );
    assert_eq!(out["superseded"]["status"], "superseded");
    assert_eq!(out["superseded"]["superseded_by"], json!([2]));
    assert_eq!(out["by"]["supersedes"], json!([1]));
    let old = env.json(&["adr", "show", "1"]);
    assert_eq!(
        (&old["supersedes"], &old["superseded_by"]),
        (&json!([]), &json!([2]))
    );
    let new = env.json(&["adr", "show", "2"]);
    assert_eq!(
        (&new["supersedes"], &new["superseded_by"]),
        (&json!([1]), &json!([]))
    );

    let old_file = env.show("adrs/0001-use-mysql.md");
    assert!(
        !old_file.contains("superseded_by") && !old_file.contains("supersedes ="),
        "{old_file}"
    );
    assert!(
        old_file.contains(
            "## Status\n\nSuperseded by [ADR-0002: Use PostgreSQL](0002-use-postgresql.md)\n"
        ),
        "{old_file}"
    );
    let new_file = env.show("adrs/0002-use-postgresql.md");
    assert!(new_file.contains("supersedes = [1]\n"), "{new_file}");
    assert!(
        new_file.contains("Supersedes [ADR-0001: Use MySQL](0001-use-mysql.md)"),
        "{new_file}"
    );
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        log.contains("Coord-Record: ADR-0001\nCoord-Record: ADR-0002\n"),
        "{log}"
    );

    // Again: nothing to do. Itself, or by another ADR once superseded: refused.
    env.coord(&["adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    assert_eq!(env.coord_commits(), before + 1);
    new_adr(&env, "Use SQLite", &[]);
    let run = env
        .coord(&["adr", "supersede", "1", "--by", "3"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("ADR-0001 is already superseded by ADR-0002"),
        "{}",
        run.stderr
    );
    env.coord(&["adr", "supersede", "3", "--by", "3"])
        .expect_code(2);
    env.coord(&["adr", "decide", "1", "--option", "x", "--rationale", "y"])
        .expect_code(2);
    let text = env.coord(&["adr", "list"]).expect_code(0).stdout;
    assert!(
        text.contains("ADR-0001  superseded by ADR-0002  Use MySQL"),
        "{text}"
    );
}

#[test]
fn review_lists_accepted_adrs_past_their_review_date() {
    let mut env = env_at_now();
    new_adr(&env, "Due", &["--review-date", "2026-11-01"]);
    new_adr(&env, "Not yet", &["--review-date", "2027-01-01"]);
    new_adr(&env, "Proposal", &["--review-date", "2026-10-01"]);
    new_adr(&env, "No date", &[]);
    for n in ["1", "2", "4"] {
        env.coord(&["adr", "accept", n]).expect_code(0);
    }
    let due = env.json(&["adr", "review"]);
    let titles: Vec<&Value> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["title"])
        .collect();
    assert_eq!(titles, [&json!("Due")]);
    let text = env.coord(&["adr", "review"]).expect_code(0).stdout;
    assert!(
        text.contains("ADR-0001  2026-11-01 (19d ago)  Due"),
        "{text}"
    );
    env.now = Some("2027-02-01T00:00:00Z".into());
    let due = env.json(&["adr", "review"]);
    assert_eq!(due.as_array().unwrap().len(), 2);
    env.now = Some("2026-01-01T00:00:00Z".into());
    assert_eq!(env.json(&["adr", "review"]), json!([]));
    let run = env.coord(&["adr", "review"]).expect_code(0);
    assert!(
        run.stdout.contains("No accepted ADR is due for review"),
        "{run:?}"
    );
}

#[test]
fn status_lists_pending_decisions_by_deadline_and_doctor_checks_links() {
    let env = env_at_now();
    new_adr(&env, "No deadline", &[]);
    new_adr(&env, "Overdue", &["--deadline", "2026-11-20"]);
    new_adr(&env, "Soon", &["--deadline", "2026-11-25"]);
    let decided = new_adr(&env, "Decided", &[]);
    let n = decided["number"].to_string();
    env.coord(&["adr", "option", &n, "Redis"]).expect_code(0);
    env.coord(&[
        "adr",
        "decide",
        &n,
        "--option",
        "Redis",
        "--rationale",
        "fast",
    ])
    .expect_code(0);
    let status = env.json(&["status"]);
    let pending: Vec<(u64, bool)> = status["pending_decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["number"].as_u64().unwrap(),
                d["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(pending, [(2, true), (3, false), (1, false)], "{status}");
    let text = env.coord(&["status"]).expect_code(0).stdout;
    assert!(text.contains("Pending decisions"), "{text}");
    assert!(
        text.contains("ADR-0003  Soon  (0 option(s), decide by 2026-11-25)"),
        "{text}"
    );
    assert!(!text.contains("Decided"), "{text}");

    env.coord(&["doctor"]).expect_code(0);
    let path = decided["path"].as_str().unwrap();
    let edited = env.show(path).replacen(
        "status = \"accepted\"\n",
        "status = \"accepted\"\nsupersedes = [9]\n",
        1,
    );
    assert!(edited.contains("supersedes = [9]"), "{edited}");
    env.hand_edit(&[(path, Some(&edited))]);
    let run = env.coord(&["doctor"]).expect_code(0);
    assert!(
        run.stdout
            .contains("ADR-0004 supersedes ADR-0009, which does not exist"),
        "{run:?}"
    );
}
