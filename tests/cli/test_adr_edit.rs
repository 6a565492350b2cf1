//! `adr edit`: each field changes in one commit with only the body parts that show it
//! regenerated, hand-written text survives, the file keeps its name, no-ops make no commit,
//! the state rules hold, and `adr review` is cleared by setting the next review date.

use serde_json::{Value, json};

use crate::common::TestEnv;
use crate::test_adr::{env_at_now, new_adr};

const PATH: &str = "adrs/0001-use-redis.md";

fn section<'a>(record: &'a str, heading: &str) -> &'a str {
    let start = record
        .find(&format!("## {heading}\n"))
        .unwrap_or_else(|| panic!("no {heading} section in {record}"));
    let rest = &record[start + heading.len() + 4..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].trim()
}

/// An ADR with a hand-written comment in its front matter and a hand-edited Context.
fn hand_edited_adr(env: &TestEnv) {
    new_adr(
        env,
        "Use Redis",
        &[
            "--context",
            "Generated context.",
            "--deadline",
            "2026-12-01",
        ],
    );
    let edited = env
        .show(PATH)
        .replacen("+++\n", "+++\n# agreed in the design call\n", 1)
        .replace("Generated context.", "Hand-written context, with detail.");
    env.hand_edit(&[(PATH, Some(&edited))]);
}

fn edit(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["adr", "edit", "1"];
    all.extend_from_slice(args);
    env.json(&all)
}

#[test]
fn each_field_changes_in_one_commit_and_hand_text_survives() {
    let env = env_at_now();
    hand_edited_adr(&env);

    let before = env.coord_commits();
    let a = edit(&env, &["--title", "Use Redis for rate limits"]);
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(a, env.json(&["adr", "show", "1"]), "JSON is `adr show`'s");
    assert_eq!(a["title"], "Use Redis for rate limits");
    assert_eq!(a["path"], PATH, "the file keeps its slug");
    let files = env.git(&["ls-tree", "--name-only", "coord", "adrs/"]);
    assert_eq!(files.trim(), PATH);
    let record = env.show(PATH);
    assert!(
        record.contains("title = \"Use Redis for rate limits\"\n"),
        "{record}"
    );
    assert!(
        record.contains("+++\n# ADR-0001: Use Redis for rate limits\n"),
        "{record}"
    );
    assert!(record.contains("# agreed in the design call\n"), "{record}");
    assert_eq!(
        section(&record, "Context"),
        "Hand-written context, with detail."
    );
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(log.starts_with("coord: adr-edit ADR-0001\n"), "{log}");
    assert!(log.contains("Coord-Op: adr-edit\n"), "{log}");

    assert!(section(&record, "Status").contains("To be decided by 2026-12-01."));
    edit(&env, &["--deadline", "2027-01-15"]);
    let record = env.show(PATH);
    assert!(
        record.contains("deadline = 2027-01-15T23:59:59Z\n"),
        "{record}"
    );
    assert_eq!(
        section(&record, "Status"),
        "Proposed\n\nTo be decided by 2027-01-15."
    );

    let a = edit(&env, &["--no-deadline", "--deciders", "lead,state,lead"]);
    assert_eq!(a["deadline"], Value::Null);
    assert_eq!(a["deciders"], json!(["lead", "state"]));
    let record = env.show(PATH);
    assert!(!record.contains("deadline ="), "{record}");
    assert_eq!(
        section(&record, "Status"),
        "Proposed\n\nDeciders: lead, state"
    );

    // Who decides is the deciders' call (DESIGN §3 "Authority"), so one of them empties it.
    env.json(&[
        "--agent",
        "lead",
        "adr",
        "edit",
        "1",
        "--input-from",
        "ops",
        "--deciders",
        "",
    ]);
    let record = env.show(PATH);
    assert!(
        !record.contains("deciders"),
        "an empty list is left out: {record}"
    );
    assert!(record.contains("input_from = [\"ops\"]\n"), "{record}");
    assert_eq!(section(&record, "Status"), "Proposed\n\nInput from: ops");

    assert_eq!(section(&record, "Review date"), "None set.");
    let a = edit(&env, &["--review-date", "2027-06-01T09:00:00Z"]);
    assert_eq!(a["review_date"], "2027-06-01T09:00:00Z");
    let record = env.show(PATH);
    assert!(
        record.contains("review_date = 2027-06-01T09:00:00Z\n"),
        "{record}"
    );
    assert_eq!(section(&record, "Review date"), "2027-06-01T09:00:00Z");

    // Everything hand-written is still there after all of it.
    assert!(record.contains("# agreed in the design call\n"), "{record}");
    assert_eq!(
        section(&record, "Context"),
        "Hand-written context, with detail."
    );
    assert_eq!(env.coord_commits(), before + 5);
}

#[test]
fn a_hand_edited_generated_section_lasts_until_its_data_changes() {
    let env = env_at_now();
    hand_edited_adr(&env);
    let edited = env
        .show(PATH)
        .replace("None recorded yet.", "Hand-written alternatives.");
    env.hand_edit(&[(PATH, Some(&edited))]);
    edit(&env, &["--title", "Renamed", "--review-date", "2027-06-01"]);
    let record = env.show(PATH);
    assert_eq!(
        section(&record, "Alternatives"),
        "Hand-written alternatives."
    );
    assert_eq!(section(&record, "Review date"), "2027-06-01");
    assert!(record.contains("\n# ADR-0001: Renamed\n"), "{record}");
}

#[test]
fn no_op_usage_errors_and_state_rules() {
    let env = env_at_now();
    hand_edited_adr(&env);
    let before = env.coord_commits();
    let a = edit(
        &env,
        &[
            "--title",
            "Use Redis",
            "--deadline",
            "2026-12-01",
            "--deciders",
            "",
        ],
    );
    assert_eq!(a["title"], "Use Redis");
    let run = env
        .coord(&["adr", "edit", "ADR-0001", "--title", " Use Redis "])
        .expect_code(0);
    assert!(run.stdout.contains("nothing to do"), "{run:?}");
    assert_eq!(env.coord_commits(), before, "no-ops make no commit");

    let run = env.coord(&["adr", "edit", "1"]).expect_code(2);
    assert!(run.stderr.contains("--review-date"), "{}", run.stderr);
    let run = env
        .coord(&["adr", "edit", "9", "--title", "X"])
        .expect_code(2);
    assert!(run.stderr.contains("ADR-0009"), "{}", run.stderr);
    for (args, named) in [
        (vec!["--deadline", "soon"], "--deadline"),
        (vec!["--review-date", "2026-13-01"], "--review-date"),
        (vec!["--deciders", "Not An Agent"], "--deciders"),
        (vec!["--title", "a\nb"], "title"),
    ] {
        let mut all = vec!["adr", "edit", "1"];
        all.extend_from_slice(&args);
        let run = env.coord(&all).expect_code(2);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
    }
    env.coord(&[
        "adr",
        "edit",
        "1",
        "--deadline",
        "2027-01-01",
        "--no-deadline",
    ])
    .expect_code(2);
    assert_eq!(env.coord_commits(), before, "refusals make no commit");

    env.coord(&["adr", "accept", "1"]).expect_code(0);
    let run = env
        .coord(&["adr", "edit", "1", "--deadline", "2027-01-01"])
        .expect_code(2);
    assert!(run.stderr.contains("only a proposed ADR"), "{}", run.stderr);
    let a = edit(&env, &["--no-deadline"]);
    assert_eq!(
        a["deadline"],
        Value::Null,
        "a stale deadline can be cleared"
    );

    new_adr(&env, "Rejected idea", &[]);
    env.coord(&["adr", "reject", "2"]).expect_code(0);
    let run = env
        .coord(&["adr", "edit", "2", "--review-date", "2027-01-01"])
        .expect_code(2);
    assert!(
        run.stderr.contains("ADR-0002 is rejected"),
        "{}",
        run.stderr
    );
    let a = env.json(&["adr", "edit", "2", "--title", "Rejected idea, renamed"]);
    assert_eq!(
        a["status"], "rejected",
        "titles can be corrected in any status"
    );
}

#[test]
fn review_is_cleared_by_setting_the_next_review_date() {
    let mut env = env_at_now();
    new_adr(&env, "Use Redis", &["--review-date", "2026-11-01"]);
    new_adr(&env, "Also due", &["--review-date", "2026-10-01"]);
    for n in ["1", "2"] {
        env.coord(&["adr", "accept", n]).expect_code(0);
    }
    let due = |env: &TestEnv| -> Vec<u64> {
        env.json(&["adr", "review"])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["number"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(due(&env), [2, 1]);
    env.coord(&["adr", "edit", "1", "--review-date", "2027-06-01"])
        .expect_code(0);
    assert_eq!(due(&env), [2]);
    assert_eq!(section(&env.show(PATH), "Review date"), "2027-06-01");
    env.coord(&["adr", "edit", "2", "--no-review-date"])
        .expect_code(0);
    assert_eq!(due(&env), Vec::<u64>::new());
    env.now = Some("2027-06-02T00:00:00Z".into());
    assert_eq!(due(&env), [1], "due again at the next review date");
    let help = env
        .coord(&["adr", "review", "--help"])
        .expect_code(0)
        .stdout;
    assert!(help.contains("adr edit <n> --review-date"), "{help}");
}

#[test]
fn a_new_title_retitles_the_supersede_links_in_one_commit() {
    let env = env_at_now();
    new_adr(&env, "Use Redis", &[]);
    new_adr(&env, "Use Valkey", &[]);
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    env.coord(&["adr", "accept", "2"]).expect_code(0);
    env.coord(&["adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    let before = env.coord_commits();
    env.json(&["adr", "edit", "1", "--title", "Use Redis everywhere"]);
    assert_eq!(env.coord_commits(), before + 1);
    let newer = env.show("adrs/0002-use-valkey.md");
    assert!(
        newer.contains("Supersedes [ADR-0001: Use Redis everywhere](0001-use-redis.md)"),
        "{newer}"
    );
    env.json(&["adr", "edit", "2", "--title", "Use Valkey everywhere"]);
    let older = env.show(PATH);
    assert!(
        older.contains("Superseded by [ADR-0002: Use Valkey everywhere](0002-use-valkey.md)"),
        "{older}"
    );
    let log = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        log.contains("Coord-Record: ADR-0002\nCoord-Record: ADR-0001\n"),
        "{log}"
    );
}

#[test]
fn imported_adr_tools_titles_follow_their_own_heading() {
    let env = env_at_now();
    let dir = env.home().join("doc-adr");
    std::fs::create_dir_all(&dir).unwrap();
    let text = "# 1. Use Redis\n\nDate: 2026-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n\n## Decision\n\nWe will.\n\n## Consequences\n\nMore ops.\n";
    std::fs::write(dir.join("0001-use-redis.md"), text).unwrap();
    env.json(&["adr", "import", dir.to_str().unwrap()]);
    env.json(&["adr", "edit", "1", "--title", "Use Redis for limits"]);
    let record = env.show(PATH);
    let body = &record[record.rfind("+++\n").unwrap() + 4..];
    assert_eq!(
        body,
        text.replace("# 1. Use Redis\n", "# 1. Use Redis for limits\n")
    );
}
