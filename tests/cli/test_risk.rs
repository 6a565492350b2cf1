//! The risk register through the binary: `risk add`, `edit` and `close` each write one commit
//! (none when nothing changes) with a readable record, `list` ranks by impact × probability,
//! unknown levels and IDs are exit 2 naming what is wrong.

use serde_json::json;

use crate::common::{TestEnv, ids};

const NOW: &str = "2026-11-21T10:00:00Z";

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

fn add(env: &TestEnv, title: &str, impact: &str, probability: &str) -> String {
    env.json(&[
        "risk",
        "add",
        title,
        "--impact",
        impact,
        "--probability",
        probability,
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A risk record written by hand.
fn risk_record(id: &str, status: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"Hand-written\"\nimpact = \"low\"\nprobability = \"low\"\nstatus = \"{status}\"\ncreated = {NOW}\nupdated = {NOW}\n+++\n"
    )
}

#[test]
fn add_writes_one_commit_with_a_readable_record() {
    let env = env_at_now();
    let before = env.coord_commits();
    let r = env.json(&[
        "risk",
        "add",
        "Redis is a single point of failure",
        "--impact",
        "high",
        "--probability",
        "medium",
        "--mitigation",
        "Sentinel before GA",
        "--owner",
        "state",
        "--body",
        "Seen in staging.",
    ]);
    assert_eq!(env.coord_commits(), before + 1);
    let id = r["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("r-") && id.len() == 8, "{id}");
    assert_eq!(
        r,
        json!({
            "id": id,
            "title": "Redis is a single point of failure",
            "impact": "high",
            "probability": "medium",
            "score": 6,
            "mitigation": "Sentinel before GA",
            "owner": "state",
            "status": "open",
            "closed_reason": null,
            "created": NOW,
            "updated": NOW,
            "path": format!("risks/{id}.md"),
            "body": "Seen in staging.\n",
        })
    );
    assert_eq!(
        env.show(&format!("risks/{id}.md")),
        format!(
            "+++\nid = \"{id}\"\ntitle = \"Redis is a single point of failure\"\nimpact = \"high\"\nprobability = \"medium\"\nmitigation = \"Sentinel before GA\"\nowner = \"state\"\nstatus = \"open\"\ncreated = {NOW}\nupdated = {NOW}\n+++\nSeen in staging.\n"
        )
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!(
            "coord: add {id}\n\nRedis is a single point of failure\n"
        )),
        "{message}"
    );
    assert_eq!(env.json(&["risk", "show", &id[2..5]]), r);
    let human = env.coord(&["risk", "show", &id]).expect_code(0).stdout;
    assert!(
        human.contains("score:       6 (impact high × probability medium)"),
        "{human}"
    );
    // Optional fields are null, not absent.
    let bare = env.json(&["risk", "show", &add(&env, "Bare", "low", "low")]);
    assert!(bare["mitigation"].is_null() && bare["owner"].is_null());
    assert_eq!(bare["score"], 1);
}

#[test]
fn list_ranks_by_impact_times_probability_then_age() {
    let mut env = env_at_now();
    let low = add(&env, "Low", "low", "low"); // 1
    env.now = Some("2026-11-21T11:00:00Z".into());
    let four_old = add(&env, "Four, older", "medium", "medium"); // 4
    let six = add(&env, "Six", "medium", "high"); // 6
    env.now = Some("2026-11-21T12:00:00Z".into());
    let four_new = add(&env, "Four, newer", "medium", "medium"); // 4
    let nine = add(&env, "Nine", "high", "high"); // 9
    let three = add(&env, "Three", "high", "low"); // 3
    let listed = env.json(&["risk", "list"]);
    assert_eq!(
        ids(&listed),
        [&nine, &six, &four_old, &four_new, &three, &low].map(String::clone)
    );
    let scores: Vec<u64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_u64().unwrap())
        .collect();
    assert_eq!(scores, [9, 6, 4, 4, 3, 1]);

    // Closed risks leave the default list, and come back with --status.
    env.json(&["risk", "close", &nine]);
    assert_eq!(
        ids(&env.json(&["risk", "list"])),
        [&six, &four_old, &four_new, &three, &low].map(String::clone)
    );
    assert_eq!(
        ids(&env.json(&["risk", "list", "--status", "closed"])),
        [nine.as_str()]
    );
    assert_eq!(
        ids(&env.json(&["risk", "list", "--status", "all"]))[0],
        nine
    );
    // Raising a risk moves it up.
    env.json(&[
        "risk",
        "edit",
        &low,
        "--impact",
        "high",
        "--probability",
        "high",
    ]);
    assert_eq!(ids(&env.json(&["risk", "list"]))[0], low);
    let human = env.coord(&["risk", "list"]).expect_code(0).stdout;
    let first = human.lines().nth(1).unwrap();
    assert!(first.starts_with(&format!("{low}  9")), "{human}");
}

#[test]
fn edit_rewrites_only_the_changed_fields() {
    let mut env = env_at_now();
    let id = add(&env, "Vendor rate limits", "medium", "low");
    let path = format!("risks/{id}.md");
    // A comment and a field added by hand survive.
    let hand = env
        .show(&path)
        .replacen("+++\n", "+++\n# from the pre-mortem\n", 1)
        .replace(
            "impact = \"medium\"\n",
            "impact = \"medium\" # revenue\ncost = 3\n",
        );
    env.hand_edit(&[(&path, Some(&hand))]);
    env.now = Some("2026-11-22T10:00:00Z".into());
    let before = env.coord_commits();
    let r = env.json(&[
        "risk",
        "edit",
        &id,
        "--probability",
        "high",
        "--owner",
        "api",
    ]);
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(r["probability"], "high");
    assert_eq!(r["owner"], "api");
    assert_eq!(r["score"], 6);
    assert_eq!(r["updated"], "2026-11-22T10:00:00Z");
    assert_eq!(
        env.show(&path),
        hand.replace("probability = \"low\"", "probability = \"high\"")
            .replace(
                &format!("updated = {NOW}\n"),
                "updated = 2026-11-22T10:00:00Z\nowner = \"api\"\n"
            )
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: edit {id}\n")),
        "{message}"
    );

    // The same values again: nothing to commit.
    // api owns it now: alice acts with --force (no coordinators listed, so honoured).
    env.json(&["risk", "edit", &id, "--probability", "high", "--force"]);
    assert_eq!(env.coord_commits(), before + 1);
    // Clearing a field removes it.
    let r = env.json(&["risk", "edit", &id, "--clear", "owner", "--force"]);
    assert!(r["owner"].is_null());
    assert!(!env.show(&path).contains("owner"));
    assert!(env.show(&path).contains("cost = 3\n"));

    let commits = env.coord_commits();
    let run = env.coord(&["risk", "edit", &id]).expect_code(2);
    assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    let run = env
        .coord(&["risk", "edit", &id, "--title", "a\nb"])
        .expect_code(2);
    assert!(run.stderr.contains("title"), "{}", run.stderr);
    let run = env
        .coord(&["risk", "edit", &id, "--mitigation", " "])
        .expect_code(2);
    assert!(run.stderr.contains("--mitigation"), "{}", run.stderr);
    let run = env
        .coord(&["risk", "edit", &id, "--owner", "Not An Agent"])
        .expect_code(2);
    assert!(run.stderr.contains("--owner"), "{}", run.stderr);
    env.coord(&["risk", "edit", "r-zzzzzz", "--impact", "low"])
        .expect_code(2);
    assert_eq!(env.coord_commits(), commits);
}

#[test]
fn close_records_the_reason_once() {
    let mut env = env_at_now();
    let id = add(&env, "Flaky CI", "medium", "high");
    env.now = Some("2026-11-22T10:00:00Z".into());
    let before = env.coord_commits();
    let r = env.json(&["risk", "close", &id[..4], "--reason", "CI moved to nightly"]);
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(r["status"], "closed");
    assert_eq!(r["closed_reason"], "CI moved to nightly");
    let text = env.show(&format!("risks/{id}.md"));
    assert!(text.contains("status = \"closed\"\n"), "{text}");
    assert!(
        text.contains("closed_reason = \"CI moved to nightly\"\n"),
        "{text}"
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: close {id}\n")),
        "{message}"
    );
    let run = env.coord(&["risk", "close", &id]).expect_code(2);
    assert!(
        run.stderr.contains(&format!("{id} is already closed")),
        "{}",
        run.stderr
    );
    assert_eq!(env.coord_commits(), before + 1);
    let human = env.coord(&["risk", "show", &id]).expect_code(0).stdout;
    assert!(human.contains("closed:"), "{human}");
}

#[test]
fn bad_levels_ids_and_records_are_named() {
    let env = env_at_now();
    let before = env.coord_commits();
    let run = env
        .coord(&[
            "risk",
            "add",
            "x",
            "--impact",
            "huge",
            "--probability",
            "low",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--impact"), "{}", run.stderr);
    assert!(run.stderr.contains("low, medium, high"), "{}", run.stderr);
    let run = env
        .coord(&[
            "risk",
            "add",
            "x",
            "--impact",
            "low",
            "--probability",
            "often",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--probability"), "{}", run.stderr);
    env.coord(&["risk", "add", "x", "--impact", "low"])
        .expect_code(2);
    let run = env
        .coord(&[
            "risk",
            "add",
            " ",
            "--impact",
            "low",
            "--probability",
            "low",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("non-empty title"), "{}", run.stderr);
    let run = env
        .coord(&[
            "risk",
            "add",
            "x",
            "--impact",
            "low",
            "--probability",
            "low",
            "--owner",
            "A B",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--owner"), "{}", run.stderr);
    assert_eq!(env.coord_commits(), before);

    env.hand_edit(&[
        ("risks/r-abc111.md", Some(&risk_record("r-abc111", "open"))),
        ("risks/r-abc222.md", Some(&risk_record("r-abc222", "open"))),
        ("risks/r-bad000.md", Some(&risk_record("r-bad000", "maybe"))),
    ]);
    let run = env.coord(&["risk", "show", "abc"]).expect_code(2);
    assert!(run.stderr.contains("r-abc111, r-abc222"), "{}", run.stderr);
    let run = env.coord(&["risk", "close", "r-abc"]).expect_code(2);
    assert!(run.stderr.contains("r-abc111, r-abc222"), "{}", run.stderr);
    let run = env.coord(&["risk", "show", "r-zzz"]).expect_code(2);
    assert!(
        run.stderr.contains("no risk matches \"r-zzz\""),
        "{}",
        run.stderr
    );
    env.coord(&["risk", "show", "../x"]).expect_code(2);
    let run = env.coord(&["risk", "list", "--json"]).expect_code(0);
    assert!(
        run.stderr
            .contains("skipped risks/r-bad000.md:6: unknown risk status \"maybe\""),
        "{}",
        run.stderr
    );
    assert_eq!(ids(&run.json()), ["r-abc111", "r-abc222"]);
    env.coord(&["risk", "list", "--status", "resolved"])
        .expect_code(2);
}

#[test]
fn every_risk_command_has_help_with_an_example() {
    let env = TestEnv::new();
    for c in ["add", "edit", "close", "list", "show"] {
        let run = env.coord(&["risk", c, "--help"]).expect_code(0);
        assert!(
            run.stdout.contains("Examples:\n  git coord risk "),
            "risk {c} --help has no example:\n{}",
            run.stdout
        );
    }
}

#[test]
fn status_lists_high_open_risks_and_open_conflicts_and_doctor_names_bad_records() {
    let env = env_at_now();
    let high = add(&env, "Redis is a single point of failure", "high", "medium");
    let low = add(&env, "Docs drift", "low", "high");
    let conflict = env.json(&[
        "conflict",
        "new",
        "Who owns the pool",
        "--between",
        "state,api",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = env.json(&["status"]);
    // No tasks: an empty sum of hours is 0, never -0.
    assert_eq!(status["progress"]["hours_total"].to_string(), "0.0");
    let risks: Vec<&str> = status["high_risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(risks, [high.as_str()], "only score ≥ 6 is high: {status}");
    assert_eq!(status["high_risks"][0]["score"], 6);
    assert_eq!(status["open_conflicts"][0]["id"], conflict.as_str());
    assert_eq!(
        status["open_conflicts"][0]["between"],
        json!(["state", "api"])
    );
    let text = env.coord(&["status"]).expect_code(0).stdout;
    assert!(
        text.contains("High risks") && text.contains(&high),
        "{text}"
    );
    assert!(!text.contains(&low), "{text}");
    assert!(
        text.contains("Open conflicts") && text.contains("state vs api"),
        "{text}"
    );

    // Neither is alice's (ADR 0010's amendment); no coordinators are listed, so --force does.
    env.coord(&["risk", "close", &high, "--force"])
        .expect_code(0);
    env.coord(&[
        "conflict",
        "resolve",
        &conflict,
        "--resolution",
        "state keeps it",
        "--force",
    ])
    .expect_code(0);
    let status = env.json(&["status"]);
    assert_eq!(status["high_risks"], json!([]), "{status}");
    assert_eq!(status["open_conflicts"], json!([]), "{status}");

    env.coord(&["doctor"]).expect_code(0);
    env.hand_edit(&[("risks/r-bad000.md", Some(&risk_record("r-bad000", "maybe")))]);
    let run = env.coord(&["doctor"]).expect_code(2);
    assert!(
        run.stdout.contains("risks/r-bad000.md") || run.stderr.contains("risks/r-bad000.md"),
        "{run:?}"
    );
}
