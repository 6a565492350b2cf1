//! Re-running an import (issue 11, ADR 0015): what an earlier import wrote is recognised (by
//! `imported_from` for Beads and Taskwarrior, by task ID for our own JSON) and updated instead
//! of copied; the outcome counts added / updated / unchanged; an import that changes nothing
//! makes no commit; `--dry-run` writes nothing; a task's progress here is never taken back.

use std::collections::HashMap;

use serde_json::Value;

use crate::common::{TestEnv, task_path, three_task_project};
use crate::test_import::{env, fixture, id_map};

/// Foreign ID → (action, changed fields), from an outcome's `tasks`.
fn actions(outcome: &Value) -> HashMap<String, (String, Vec<String>)> {
    outcome["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let changed = t["changed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (
                t["source_id"].as_str().unwrap().to_owned(),
                (t["action"].as_str().unwrap().to_owned(), changed),
            )
        })
        .collect()
}

#[track_caller]
fn counts(outcome: &Value, added: u64, updated: u64, unchanged: u64) {
    assert_eq!(
        (
            outcome["added"].as_u64(),
            outcome["updated"].as_u64(),
            outcome["unchanged"].as_u64(),
            outcome["imported"].as_u64(),
        ),
        (
            Some(added),
            Some(updated),
            Some(unchanged),
            Some(added + updated)
        ),
        "{outcome:#}"
    );
}

/// The task files a commit changed.
fn task_files(env: &TestEnv, commit: &str) -> Vec<String> {
    let mut files: Vec<String> = env
        .git(&["show", "--name-only", "--format=", commit])
        .lines()
        .filter(|l| l.starts_with("tasks/"))
        .map(str::to_owned)
        .collect();
    files.sort();
    files
}

/// How many tasks the branch holds, closed ones included.
fn task_count(env: &TestEnv) -> u64 {
    env.coord(&["export", "--json"])
        .expect_code(0)
        .stdout
        .lines()
        .count() as u64
}

/// Imports `file` a second time with nothing changed: no commit, no reference moved, every
/// record unchanged under the ID it got the first time.
#[track_caller]
fn second_run_changes_nothing(env: &TestEnv, file: &str, from: &str, n: u64) {
    let first = env.json(&["import", file, "--from", from]);
    counts(&first, n, 0, 0);
    assert!(first["commit"].is_string());
    let (commits, refs) = (env.coord_commits(), env.refs());
    let again = env.json(&["import", file, "--from", from]);
    counts(&again, 0, 0, n);
    assert_eq!(again["commit"], Value::Null);
    assert_eq!(env.coord_commits(), commits, "no commit");
    assert_eq!(env.refs(), refs, "no reference moved");
    assert_eq!(id_map(&again), id_map(&first), "the same tasks");
    assert_eq!(task_count(env), n, "no copies");
    let run = env.coord(&["import", file, "--from", from]).expect_code(0);
    assert!(
        run.stdout.contains(&format!(
            "Nothing to import from {file}: 0 added, 0 updated, {n} unchanged"
        )),
        "{}",
        run.stdout
    );
    assert_eq!(env.refs(), refs);
}

const BEADS: &str = r#"{"id":"bd-1","title":"Set up the database","status":"open","priority":1,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z","labels":["db"]}
{"id":"bd-2","title":"REST API","status":"in_progress","priority":2,"issue_type":"feature","assignee":"bob","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T13:00:00Z","dependencies":[{"issue_id":"bd-2","depends_on_id":"bd-1","type":"blocks"},{"issue_id":"bd-2","depends_on_id":"bd-ep","type":"parent-child"}]}
{"id":"bd-3","title":"Docs","status":"open","priority":3,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z"}
{"id":"bd-ep","title":"Backend epic","status":"closed","priority":0,"issue_type":"epic","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-31T12:00:00Z","closed_at":"2025-10-31T12:00:00Z"}
"#;

#[test]
fn beads_imported_twice_adds_nothing_and_makes_no_commit() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    second_run_changes_nothing(&env, &file, "beads", 4);
}

const TASKWARRIOR: &str = r#"[
{"id":1,"description":"Buy milk","entry":"20261120T100000Z","modified":"20261121T090000Z","status":"pending","uuid":"10000000-0000-4000-8000-000000000001","priority":"H","project":"home","tags":["shop"],"annotations":[{"entry":"20261120T110000Z","description":"two litres"}]},
{"id":2,"description":"Drink milk","entry":"20261120T100000Z","status":"pending","uuid":"10000000-0000-4000-8000-000000000002","depends":["10000000-0000-4000-8000-000000000001"],"priority":"L"},
{"id":0,"description":"Wash the glass","entry":"20261120T100000Z","end":"20261121T100000Z","status":"completed","uuid":"10000000-0000-4000-8000-000000000003"},
{"id":3,"description":"Later","entry":"20261120T100000Z","status":"waiting","wait":"20301120T100000Z","uuid":"10000000-0000-4000-8000-000000000004"}
]
"#;

#[test]
fn taskwarrior_imported_twice_adds_nothing_and_makes_no_commit() {
    let env = env();
    let file = fixture(&env, "tw.json", TASKWARRIOR);
    second_run_changes_nothing(&env, &file, "taskwarrior", 4);
}

const JSON: &str = r#"{"id":"t-aaaaa1","title":"Pool","status":"todo","priority":2,"created":"2026-11-20T10:00:00Z","updated":"2026-11-20T10:00:00Z","estimate_hours":2.0,"expertise":["db"]}
{"id":"t-aaaaa2","title":"Limiter","status":"todo","priority":1,"depends_on":["t-aaaaa1"],"created":"2026-11-20T10:00:00Z","updated":"2026-11-20T10:00:00Z","body":"Token bucket.\n"}
{"id":"t-aaaaa3","title":"Old","status":"done","priority":2,"created":"2026-11-20T10:00:00Z","updated":"2026-11-20T11:00:00Z","completed":"2026-11-20T11:00:00Z"}
"#;

#[test]
fn json_imported_twice_adds_nothing_and_makes_no_commit() {
    let env = env();
    let file = fixture(&env, "tasks.jsonl", JSON);
    second_run_changes_nothing(&env, &file, "json", 3);
    assert!(
        env.coord(&["task", "show", "t-aaaaa2"]).code == 0,
        "IDs kept"
    );
}

#[test]
fn an_upstream_change_updates_and_adds_exactly_what_changed() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let first = env.json(&["import", &file, "--from", "beads"]);
    let ids = id_map(&first);
    // A field added by hand to an imported record survives its update.
    let path1 = task_path(&ids["bd-1"]);
    let text = env.show(&path1);
    env.hand_edit(&[(
        &path1,
        Some(&text.replacen("+++\n", "+++\nreviewed_by = \"carol\"\n", 1)),
    )]);

    // Upstream: bd-1 renamed and its label dropped, bd-3 raised and now waits for bd-1, and a
    // new bd-4 that depends on bd-1 (already imported) and bd-3.
    let changed = BEADS
        .replace(
            r#""title":"Set up the database","status":"open","priority":1,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z","labels":["db"]"#,
            r#""title":"Set up Postgres","status":"open","priority":1,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-11-02T12:00:00Z""#,
        )
        .replace(
            r#""title":"Docs","status":"open","priority":3,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z""#,
            r#""title":"Docs","status":"open","priority":0,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-11-02T12:00:00Z","dependencies":[{"issue_id":"bd-3","depends_on_id":"bd-1","type":"blocks"}]"#,
        )
        + r#"{"id":"bd-4","title":"Deploy","status":"open","priority":2,"issue_type":"task","created_at":"2025-11-02T12:00:00Z","updated_at":"2025-11-02T12:00:00Z","dependencies":[{"issue_id":"bd-4","depends_on_id":"bd-1","type":"blocks"},{"issue_id":"bd-4","depends_on_id":"bd-3","type":"blocks"}]}
"#;
    assert_ne!(changed, BEADS);
    let file = fixture(&env, "issues.jsonl", &changed);
    let before = env.coord_commits();
    let outcome = env.json(&["import", &file, "--from", "beads"]);
    assert_eq!(
        env.coord_commits(),
        before + 1,
        "the whole import is one commit"
    );
    counts(&outcome, 1, 2, 2);
    let acts = actions(&outcome);
    let act = |s: &str| (acts[s].0.as_str(), acts[s].1.clone());
    assert_eq!(
        act("bd-1"),
        ("updated", vec!["labels".to_owned(), "title".to_owned()])
    );
    assert_eq!(
        act("bd-3"),
        (
            "updated",
            vec!["depends_on".to_owned(), "priority".to_owned()]
        )
    );
    assert_eq!(act("bd-2"), ("unchanged", vec![]));
    assert_eq!(act("bd-ep"), ("unchanged", vec![]));
    assert_eq!(act("bd-4"), ("added", vec![]));

    let now = id_map(&outcome);
    for s in ["bd-1", "bd-2", "bd-3", "bd-ep"] {
        assert_eq!(now[s], ids[s], "{s} keeps its task");
    }
    let commit = outcome["commit"].as_str().unwrap();
    let mut expected: Vec<String> = ["bd-1", "bd-3", "bd-4"]
        .iter()
        .map(|s| task_path(&now[*s]))
        .collect();
    expected.sort();
    assert_eq!(
        task_files(&env, commit),
        expected,
        "only what changed is written"
    );

    let show = |s: &str| env.json(&["task", "show", &now[s]]);
    assert_eq!(show("bd-1")["title"], "Set up Postgres");
    assert_eq!(show("bd-3")["priority"], 0);
    assert_eq!(show("bd-3")["depends_on"], serde_json::json!([ids["bd-1"]]));
    assert_eq!(
        show("bd-4")["depends_on"],
        serde_json::json!([ids["bd-1"], ids["bd-3"]]),
        "dependencies of a new record resolve to the existing tasks"
    );
    let text = env.show(&path1);
    assert!(text.contains("reviewed_by = \"carol\""), "{text}");
    assert!(text.contains("imported_from = \"beads:bd-1\""), "{text}");
    assert!(
        !text.contains("labels"),
        "the label upstream dropped: {text}"
    );
    assert_eq!(task_count(&env), 5);

    // The text output names each updated task and its fields.
    let again = BEADS.replace("REST API", "REST API v2");
    let file = fixture(&env, "issues2.jsonl", &again);
    let run = env
        .coord(&["import", &file, "--from", "beads", "--agent", "bob"])
        .expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("updated {} (bd-2): title", ids["bd-2"])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(": 0 added, 3 updated, 1 unchanged"),
        "{}",
        run.stdout
    );
}

#[test]
fn taskwarrior_and_json_upstream_changes_update_exactly_those() {
    let env = env();
    let file = fixture(&env, "tw.json", TASKWARRIOR);
    let first = env.json(&["import", &file, "--from", "taskwarrior"]);
    let changed = TASKWARRIOR
        .replace("\"Drink milk\"", "\"Drink the milk\"")
        .replace(
            "\n]",
            ",\n{\"id\":4,\"description\":\"Recycle\",\"entry\":\"20261121T100000Z\",\"status\":\"pending\",\"uuid\":\"10000000-0000-4000-8000-000000000009\",\"depends\":[\"10000000-0000-4000-8000-000000000003\"]}\n]",
        );
    let file = fixture(&env, "tw.json", &changed);
    let outcome = env.json(&["import", &file, "--from", "taskwarrior"]);
    counts(&outcome, 1, 1, 3);
    let uuid = |n: u8| format!("10000000-0000-4000-8000-00000000000{n}");
    let acts = actions(&outcome);
    assert_eq!(
        acts[&uuid(2)],
        ("updated".to_owned(), vec!["title".to_owned()])
    );
    assert_eq!(acts[&uuid(9)].0, "added");
    let ids = id_map(&first);
    let new = &id_map(&outcome)[&uuid(9)];
    assert_eq!(
        env.json(&["task", "show", new])["depends_on"],
        serde_json::json!([ids[&uuid(3)]])
    );

    let file = fixture(&env, "tasks.jsonl", JSON);
    env.json(&["import", &file, "--from", "json"]);
    let file = fixture(
        &env,
        "tasks.jsonl",
        &JSON.replace("\"priority\":1", "\"priority\":0"),
    );
    let outcome = env.json(&["import", &file, "--from", "json"]);
    counts(&outcome, 0, 1, 2);
    assert_eq!(
        actions(&outcome)["t-aaaaa2"],
        ("updated".to_owned(), vec!["priority".to_owned()])
    );
    assert_eq!(env.json(&["task", "show", "t-aaaaa2"])["priority"], 0);
}

#[test]
fn dry_run_shows_the_summary_and_writes_nothing() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let first = env.json(&["import", &file, "--from", "beads"]);
    let ids = id_map(&first);
    let file = fixture(
        &env,
        "issues.jsonl",
        &(BEADS.replace("\"Docs\"", "\"Write the docs\"")
            + "{\"id\":\"bd-5\",\"title\":\"New\",\"status\":\"open\",\"created_at\":\"2025-11-02T12:00:00Z\"}\n"),
    );
    let refs = env.refs();
    let preview = env.json(&["import", &file, "--from", "beads", "--dry-run"]);
    assert_eq!(env.refs(), refs, "a dry run moves no reference");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["commit"], Value::Null);
    counts(&preview, 1, 1, 3);
    let run = env
        .coord(&["import", &file, "--from", "beads", "--dry-run"])
        .expect_code(0);
    assert_eq!(env.refs(), refs, "a dry run moves no reference");
    assert!(
        run.stdout
            .contains(&format!("would update {} (bd-3): title", ids["bd-3"])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 added, 1 updated, 3 unchanged; nothing was written."),
        "{}",
        run.stdout
    );
    assert_eq!(env.json(&["task", "show", &ids["bd-3"]])["title"], "Docs");

    // The real run does what the preview said.
    let outcome = env.json(&["import", &file, "--from", "beads"]);
    counts(&outcome, 1, 1, 3);
    assert_eq!(actions(&outcome), actions(&preview));
}

#[test]
fn a_done_task_stays_done_and_a_held_one_is_left_to_its_holder() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let first = env.json(&["import", &file, "--from", "beads"]);
    let ids = id_map(&first);
    // Here, alice finishes bd-1; bob claims bd-3.
    env.coord(&["claim", &ids["bd-1"]]).expect_code(0);
    env.coord(&["done", &ids["bd-1"], "--no-check"])
        .expect_code(0);
    env.coord(&["claim", &ids["bd-3"], "--agent", "bob"])
        .expect_code(0);

    // Upstream still has bd-1 open: importing again does not reopen it.
    let same = env.json(&["import", &file, "--from", "beads"]);
    counts(&same, 0, 0, 4);
    let bd1 = env.json(&["task", "show", &ids["bd-1"]]);
    assert_eq!(bd1["status"], "done");
    assert_eq!(bd1["assignee"], "alice");

    // Upstream renames both: the done task takes the new title and stays done; bob's task is
    // his to change, so it is left alone with a warning, and the import still succeeds.
    let renamed = BEADS
        .replace("Set up the database", "Set up Postgres")
        .replace("\"Docs\"", "\"User docs\"");
    let file = fixture(&env, "issues.jsonl", &renamed);
    let run = env
        .coord(&["import", &file, "--from", "beads", "--json"])
        .expect_code(0);
    let outcome = run.json();
    counts(&outcome, 0, 1, 2);
    assert_eq!(outcome["held"], 1);
    let acts = actions(&outcome);
    assert_eq!(
        acts["bd-1"],
        ("updated".to_owned(), vec!["title".to_owned()])
    );
    assert_eq!(acts["bd-3"], ("held".to_owned(), vec!["title".to_owned()]));
    assert!(
        run.stderr.contains(&format!(
            "{} is held by bob: not updated (title)",
            ids["bd-3"]
        )),
        "{}",
        run.stderr
    );
    let bd1 = env.json(&["task", "show", &ids["bd-1"]]);
    assert_eq!(
        (
            bd1["title"].as_str(),
            bd1["status"].as_str(),
            bd1["assignee"].as_str()
        ),
        (Some("Set up Postgres"), Some("done"), Some("alice"))
    );
    let bd3 = env.json(&["task", "show", &ids["bd-3"]]);
    assert_eq!(
        (
            bd3["title"].as_str(),
            bd3["status"].as_str(),
            bd3["assignee"].as_str()
        ),
        (Some("Docs"), Some("in_progress"), Some("bob"))
    );

    // bob may import it himself: the title changes, his claim stays.
    let outcome = env.json(&["import", &file, "--from", "beads", "--agent", "bob"]);
    counts(&outcome, 0, 1, 3);
    let bd3 = env.json(&["task", "show", &ids["bd-3"]]);
    assert_eq!(
        (
            bd3["title"].as_str(),
            bd3["status"].as_str(),
            bd3["assignee"].as_str()
        ),
        (Some("User docs"), Some("in_progress"), Some("bob"))
    );
}

#[test]
fn export_then_import_into_the_same_repository_changes_nothing() {
    let env = env();
    three_task_project(&env);
    let export = env.coord(&["export", "--json"]).expect_code(0).stdout;
    let file = fixture(&env, "tasks.jsonl", &export);
    let refs = env.refs();
    let run = env
        .coord(&["import", &file, "--from", "json", "--json"])
        .expect_code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let outcome = run.json();
    counts(&outcome, 0, 0, 3);
    assert_eq!(env.refs(), refs, "no commit");
    assert_eq!(
        env.coord(&["export", "--json"]).expect_code(0).stdout,
        export
    );
}

#[test]
fn copies_made_by_an_earlier_version_are_pointed_out() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let first = env.json(&["import", &file, "--from", "beads"]);
    let ids = id_map(&first);
    // What importing twice used to leave: a second task with the same `imported_from`,
    // created later.
    let original = env.show(&task_path(&ids["bd-3"]));
    let copy_id = "t-copy01";
    let copy = original.replace(&ids["bd-3"], copy_id).replace(
        "created = 2025-10-30T12:00:00Z",
        "created = 2026-11-21T11:00:00Z",
    );
    env.hand_edit(&[(&task_path(copy_id), Some(&copy))]);
    let file = fixture(
        &env,
        "issues.jsonl",
        &BEADS.replace("\"Docs\"", "\"User docs\""),
    );
    let outcome = env.json(&["import", &file, "--from", "beads"]);
    counts(&outcome, 0, 1, 3);
    assert_eq!(
        id_map(&outcome)["bd-3"],
        ids["bd-3"],
        "the first import's task"
    );
    let warning = outcome["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|w| {
            w["message"]
                .as_str()
                .filter(|m| m.contains("imported more than once"))
        })
        .expect("a warning about the copy");
    assert!(warning.contains(copy_id), "{warning}");
    assert_eq!(env.json(&["task", "show", copy_id])["title"], "Docs");
}
