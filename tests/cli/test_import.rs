//! `import` (our JSON lines, Beads, Taskwarrior) and `export --json`: one commit per import,
//! IDs and dependencies mapped, what cannot be mapped reported, cycles and malformed files
//! refused with nothing written.

use std::collections::HashMap;
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::common::{Run, TestEnv, record, task_path, three_task_project};

const NOW: &str = "2026-11-21T12:00:00Z";

pub(crate) fn env() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.to_owned());
    env
}

/// Writes `text` next to the repository and returns its path.
pub(crate) fn fixture(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.root.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The tasks `export --json` prints, by ID.
fn exported(env: &TestEnv) -> HashMap<String, Value> {
    let run = env.coord(&["export", "--json"]).expect_code(0);
    run.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_owned(), v)
        })
        .collect()
}

/// Foreign ID → task ID, from the `tasks` of an import's JSON outcome.
pub(crate) fn id_map(outcome: &Value) -> HashMap<String, String> {
    outcome["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["source_id"].as_str().unwrap().to_owned(),
                t["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn messages(outcome: &Value, key: &str) -> Vec<String> {
    outcome[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w.get("message")
                .or_else(|| w.get("reason"))
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[track_caller]
fn has(list: &[String], needle: &str) {
    assert!(
        list.iter().any(|m| m.contains(needle)),
        "no entry contains {needle:?}: {list:#?}"
    );
}

const BEADS: &str = r#"{"id":"bd-a1","title":"Set up the database","description":"Postgres 16.","status":"closed","priority":1,"issue_type":"task","assignee":"alice","created_at":"2025-10-30T12:00:00.5-07:00","updated_at":"2025-10-31T12:00:00Z","closed_at":"2025-10-31T12:00:00Z","labels":["backend","db"]}
{"id":"bd-a2","title":"REST API","description":"Expose the model.","design":"Use axum.","acceptance_criteria":"All routes tested.","status":"in_progress","priority":4,"issue_type":"feature","assignee":"Bob Smith","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T13:00:00Z","estimated_minutes":90,"sender":"mail","dependencies":[{"issue_id":"bd-a2","depends_on_id":"bd-a1","type":"blocks","created_at":"2025-10-30T12:00:00Z","created_by":"alice"},{"issue_id":"bd-a2","depends_on_id":"bd-ep","type":"parent-child"},{"issue_id":"bd-a2","depends_on_id":"bd-gone","type":"blocks"}],"comments":[{"id":1,"issue_id":"bd-a2","author":"carol","text":"Looks good.","created_at":"2025-10-30T12:30:00Z"}]}
{"id":"bd-ep","title":"Backend epic","status":"open","priority":0,"issue_type":"epic","assignee":"dave","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z","compaction_level":0}
{"id":"bd-a3","title":"Old idea","status":"tombstone","priority":2,"issue_type":"task","created_at":"2025-10-30T12:00:00Z","updated_at":"2025-10-30T12:00:00Z","deleted_at":"2025-11-01T00:00:00Z"}
"#;

#[test]
fn beads_import_is_one_commit_with_mapped_ids_and_dependencies() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let before = env.coord_commits();
    let outcome = env.json(&["import", &file, "--from", "beads", "--agent", "importer"]);
    assert_eq!(env.coord_commits(), before + 1, "one commit for the import");
    assert_eq!(outcome["imported"], 4);
    assert_eq!(outcome["dry_run"], false);
    let ids = id_map(&outcome);
    for id in ids.values() {
        assert!(id.starts_with("t-"), "{id}");
    }

    // The commit holds every record and registers the acting agent, with our trailers.
    let commit = outcome["commit"].as_str().unwrap();
    let files = env.git(&["show", "--name-only", "--format=", commit]);
    assert_eq!(files.lines().filter(|l| l.starts_with("tasks/")).count(), 4);
    assert!(files.contains("agents/importer.toml"), "{files}");
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with("coord: import issues.jsonl\n"),
        "{message}"
    );
    assert!(message.contains("Coord-Op: import\n"), "{message}");
    assert!(message.contains("Coord-Agent: importer\n"), "{message}");

    let tasks = exported(&env);
    let (db, api, epic, old) = (
        &tasks[&ids["bd-a1"]],
        &tasks[&ids["bd-a2"]],
        &tasks[&ids["bd-ep"]],
        &tasks[&ids["bd-a3"]],
    );
    assert_eq!(db["status"], "done");
    assert_eq!(db["priority"], 1);
    assert_eq!(db["assignee"], "alice");
    assert_eq!(db["created"], "2025-10-30T19:00:00Z");
    assert_eq!(db["completed"], "2025-10-31T12:00:00Z");
    assert_eq!(api["status"], "in_progress");
    assert_eq!(api["priority"], 3, "Beads priority 4 (backlog) becomes 3");
    assert_eq!(
        api["assignee"],
        Value::Null,
        "an invalid name is not guessed"
    );
    assert_eq!(api["estimate_hours"], 1.5);
    assert_eq!(
        api["depends_on"],
        serde_json::json!([ids["bd-a1"]]),
        "blocks → depends_on; parent-child is not a dependency; bd-gone is dropped"
    );
    let body = api["body"].as_str().unwrap();
    for part in [
        "Expose the model.",
        "## Design\n\nUse axum.",
        "## Acceptance criteria",
        "carol, 2025-10-30T12:30:00Z: Looks good.",
    ] {
        assert!(body.contains(part), "{part:?} not in {body:?}");
    }
    assert_eq!(epic["priority"], 0);
    assert_eq!(epic["assignee"], "dave");
    assert_eq!(old["status"], "cancelled");
    assert_eq!(old["completed"], "2025-11-01T00:00:00Z");

    // Foreign values without a field of ours are kept in the record, and survive an edit.
    let path = task_path(&ids["bd-a2"]);
    let text = env.show(&path);
    assert!(text.contains("imported_from = \"beads:bd-a2\""), "{text}");
    assert!(
        text.contains(&format!("links = [\"parent-child:{}\"]", ids["bd-ep"])),
        "{text}"
    );
    assert!(text.contains("issue_type = \"feature\""), "{text}");
    assert!(
        env.show(&task_path(&ids["bd-a1"]))
            .contains("labels = [\"backend\", \"db\"]")
    );
    env.coord(&["task", "edit", &ids["bd-a2"], "--title", "REST API v2"])
        .expect_code(0);
    assert!(env.show(&path).contains("imported_from = \"beads:bd-a2\""));

    let warnings = messages(&outcome, "warnings");
    has(&warnings, "\"Bob Smith\" is not an agent name");
    has(&warnings, "\"bd-gone\"");
    has(&warnings, "field `sender`");
    has(
        &warnings,
        "dave is assigned imported tasks but is not in the agent registry",
    );
    assert!(
        !warnings.iter().any(|w| w.contains("compaction_level")),
        "Beads' own bookkeeping is not reported: {warnings:#?}"
    );
    let dangling = outcome["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("bd-gone"))
        .unwrap();
    assert_eq!(dangling["line"], 2);
    assert_eq!(dangling["source_id"], "bd-a2");
}

#[test]
fn beads_problems_are_reported_on_stderr() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let run = env
        .coord(&["import", &file, "--from", "beads"])
        .expect_code(0);
    assert!(
        run.stdout.starts_with("Imported 4 tasks from "),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("issues.jsonl:2 (bd-a2): assignee \"Bob Smith\" is not an agent name"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\"bd-gone\""), "{}", run.stderr);
}

const TASKWARRIOR: &str = r#"[
{"id":1,"description":"Buy milk","entry":"20261120T100000Z","modified":"20261121T090000Z","status":"pending","uuid":"10000000-0000-4000-8000-000000000001","priority":"H","project":"home","tags":["shop"],"urgency":7.8,"due":"20261125T180000Z","annotations":[{"entry":"20261120T110000Z","description":"two litres"}]},
{"id":2,"description":"Drink milk","entry":"20261120T100000Z","status":"pending","uuid":"10000000-0000-4000-8000-000000000002","depends":["10000000-0000-4000-8000-000000000001"],"priority":"L","start":"20261121T090000Z"},
{"id":0,"description":"Wash the glass","entry":"20261120T100000Z","end":"20261121T100000Z","status":"completed","uuid":"10000000-0000-4000-8000-000000000003","depends":"10000000-0000-4000-8000-000000000001,10000000-0000-4000-8000-000000000002"},
{"id":0,"description":"Weekly shopping","entry":"20261120T100000Z","status":"recurring","recur":"weekly","uuid":"10000000-0000-4000-8000-000000000004"},
{"id":0,"description":"Forget it","entry":"20261120T100000Z","end":"20261120T120000Z","status":"deleted","uuid":"10000000-0000-4000-8000-000000000005","priority":"X"},
{"id":3,"description":"Later","entry":"20261120T100000Z","status":"waiting","wait":"20301120T100000Z","uuid":"10000000-0000-4000-8000-000000000006"}
]
"#;

#[test]
fn taskwarrior_import_maps_uuids_priorities_statuses_and_times() {
    let env = env();
    let file = fixture(&env, "tw.json", TASKWARRIOR);
    let before = env.coord_commits();
    let outcome = env.json(&["import", &file, "--from", "taskwarrior"]);
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(outcome["imported"], 5);
    let skipped = messages(&outcome, "skipped");
    has(&skipped, "recurrence template");
    assert_eq!(outcome["skipped"][0]["line"], 5);
    has(
        &messages(&outcome, "warnings"),
        "priority \"X\" is not H, M or L",
    );

    let ids = id_map(&outcome);
    let uuid = |n: u8| format!("10000000-0000-4000-8000-00000000000{n}");
    let tasks = exported(&env);
    let t = |n: u8| &tasks[&ids[&uuid(n)]];
    assert_eq!(t(1)["status"], "todo");
    assert_eq!(t(1)["priority"], 1, "H → 1");
    assert_eq!(t(1)["created"], "2026-11-20T10:00:00Z");
    assert_eq!(t(1)["updated"], "2026-11-21T09:00:00Z");
    assert_eq!(t(1)["due"], "2026-11-25T18:00:00Z");
    assert!(
        t(1)["body"]
            .as_str()
            .unwrap()
            .contains("- 2026-11-20T11:00:00Z: two litres")
    );
    assert_eq!(t(2)["status"], "in_progress", "started");
    assert_eq!(t(2)["priority"], 3, "L → 3");
    assert_eq!(t(2)["depends_on"], serde_json::json!([ids[&uuid(1)]]));
    assert_eq!(t(3)["status"], "done");
    assert_eq!(t(3)["completed"], "2026-11-21T10:00:00Z");
    assert_eq!(
        t(3)["depends_on"],
        serde_json::json!([ids[&uuid(1)], ids[&uuid(2)]]),
        "the comma-separated form of old versions"
    );
    assert_eq!(t(5)["status"], "cancelled");
    assert_eq!(t(5)["priority"], 2);
    assert_eq!(t(6)["status"], "blocked");
    assert!(
        t(6)["blocked_reason"]
            .as_str()
            .unwrap()
            .contains("2030-11-20T10:00:00Z")
    );
    let text = env.show(&task_path(&ids[&uuid(1)]));
    assert!(
        text.contains(&format!("imported_from = \"taskwarrior:{}\"", uuid(1))),
        "{text}"
    );
    assert!(text.contains("project = \"home\""), "{text}");
    assert!(text.contains("labels = [\"shop\"]"), "{text}");
}

#[test]
fn export_then_import_gives_the_same_tasks() {
    let a = env();
    let (pool, limiter, docs) = three_task_project(&a);
    let export = a.coord(&["export", "--json"]).expect_code(0).stdout;
    let lines: Vec<&str> = export.lines().collect();
    assert_eq!(lines.len(), 3);
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "sorted by ID");

    // Into a fresh repository: the IDs are free there, so they are kept.
    let b = env();
    let file = fixture(&b, "tasks.jsonl", &export);
    let before = b.coord_commits();
    let run = b.coord(&["import", &file, "--from", "json"]).expect_code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(b.coord_commits(), before + 1);
    assert_eq!(b.coord(&["export", "--json"]).expect_code(0).stdout, export);

    // Into the same repository again: the records are these tasks, so nothing changes (this
    // used to copy them under new IDs; test_reimport.rs covers re-imports).
    let before = a.coord_commits();
    let outcome = a.json(&["import", &file, "--from", "json"]);
    assert_eq!(outcome["unchanged"], 3);
    assert_eq!(outcome["imported"], 0);
    assert_eq!(a.coord_commits(), before);

    // Into a repository where one ID belongs to another task (created at another time): that
    // record is imported under a new ID, and the dependencies follow it.
    let mut c = env();
    c.now = Some("2026-11-21T12:30:00Z".to_owned());
    let other = c.add("Unrelated", &[]);
    let taken = export.replace(&limiter, &other);
    let file = fixture(&c, "tasks.jsonl", &taken);
    let outcome = c.json(&["import", &file, "--from", "json"]);
    let ids = id_map(&outcome);
    assert_eq!(ids.len(), 3);
    has(&messages(&outcome, "warnings"), "already on the branch");
    let copy = &ids[&other];
    assert_ne!(copy, &other);
    let tasks = exported(&c);
    assert_eq!(tasks.len(), 4);
    assert_eq!(tasks[&other]["title"], "Unrelated");
    assert_eq!(tasks[copy]["title"], "Rate limiter");
    assert_eq!(tasks[&docs]["depends_on"], serde_json::json!([copy, pool]));
    let text = c.show(&task_path(copy));
    assert!(
        text.contains(&format!("imported_from = \"json:{other}\"")),
        "{text}"
    );
    // Imported again, the record is recognised by `imported_from`: nothing is copied.
    let again = c.json(&["import", &file, "--from", "json"]);
    assert_eq!(again["unchanged"], 3);
    assert_eq!(id_map(&again)[&other], *copy);
}

#[test]
fn json_dependencies_may_name_tasks_already_on_the_branch() {
    let env = env();
    let existing = env.add("Existing", &[]);
    let file = fixture(
        &env,
        "t.jsonl",
        &format!(
            "{{\"title\": \"New\", \"depends_on\": [\"{existing}\", \"t-zzzzzz9\"], \"priority\": 7}}\n"
        ),
    );
    let outcome = env.json(&["import", &file, "--from", "json"]);
    let id = outcome["tasks"][0]["id"].as_str().unwrap();
    assert_eq!(outcome["tasks"][0]["source_id"], Value::Null);
    let task = env.json(&["task", "show", id]);
    assert_eq!(task["depends_on"], serde_json::json!([existing]));
    assert_eq!(task["priority"], 2);
    let warnings = messages(&outcome, "warnings");
    has(&warnings, "\"t-zzzzzz9\"");
    has(&warnings, "priority 7 is out of range");
    has(&warnings, "no creation time");
    assert_eq!(task["created"], NOW);
}

#[test]
fn a_cycle_is_refused_and_nothing_is_written() {
    let env = env();
    let file = fixture(
        &env,
        "cycle.jsonl",
        concat!(
            "{\"id\":\"bd-1\",\"title\":\"A\",\"dependencies\":[{\"issue_id\":\"bd-1\",\"depends_on_id\":\"bd-2\",\"type\":\"blocks\"}]}\n",
            "{\"id\":\"bd-2\",\"title\":\"B\",\"dependencies\":[{\"issue_id\":\"bd-2\",\"depends_on_id\":\"bd-3\",\"type\":\"blocks\"}]}\n",
            "{\"id\":\"bd-3\",\"title\":\"C\",\"dependencies\":[{\"issue_id\":\"bd-3\",\"depends_on_id\":\"bd-1\",\"type\":\"blocks\"}]}\n",
            "{\"id\":\"bd-4\",\"title\":\"D\"}\n",
        ),
    );
    let tip = env.git(&["rev-parse", "coord"]);
    let run = env
        .coord(&["import", &file, "--from", "beads"])
        .expect_code(2);
    assert!(run.stderr.contains("cycle"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("bd-1 (line 1) → bd-2 (line 2) → bd-3 (line 3) → bd-1 (line 1)"),
        "{}",
        run.stderr
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), tip, "nothing written");

    let run = env
        .coord(&["import", &file, "--from", "beads", "--json"])
        .expect_code(2);
    let err: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(
        err["error"]["details"]["cycles"],
        serde_json::json!([["bd-1", "bd-2", "bd-3"]])
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);
}

#[test]
fn an_imported_task_cannot_close_a_cycle_with_tasks_on_the_branch() {
    let env = env();
    // A hand-written record that depends on a task that does not exist yet.
    env.hand_edit(&[(
        &task_path("t-aaaaaa"),
        Some(&record(
            "t-aaaaaa",
            "Waits",
            "depends_on = [\"t-bbbbbb\"]\n",
        )),
    )]);
    let file = fixture(
        &env,
        "t.jsonl",
        "{\"id\": \"t-bbbbbb\", \"title\": \"Closes it\", \"depends_on\": [\"t-aaaaaa\"]}\n",
    );
    let tip = env.git(&["rev-parse", "coord"]);
    let run = env
        .coord(&["import", &file, "--from", "json"])
        .expect_code(2);
    assert!(
        run.stderr.contains("t-aaaaaa (on the branch)"),
        "{}",
        run.stderr
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);
}

#[test]
fn malformed_input_exits_2_naming_the_file_and_line() {
    let env = env();
    let tip = env.git(&["rev-parse", "coord"]);
    #[track_caller]
    fn refused(run: Run, needle: &str) {
        let run = run.expect_code(2);
        assert!(
            run.stderr.contains(needle),
            "{needle:?} not in:\n{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let lines = fixture(
        &env,
        "bad.jsonl",
        "{\"title\": \"fine\"}\n\n{\"title\": \"bad\",}\n{\"title\": \"fine too\"}\n",
    );
    refused(
        env.coord(&["import", &lines, "--from", "json"]),
        "bad.jsonl:3:",
    );
    let array = fixture(
        &env,
        "tw.json",
        "[\n{\"description\": \"a\", \"uuid\": \"x\"},\n{\"description\": \"b\" \"uuid\": \"y\"}\n]\n",
    );
    refused(
        env.coord(&["import", &array, "--from", "taskwarrior"]),
        "tw.json:3:",
    );
    let scalar = fixture(&env, "scalar.jsonl", "{\"title\": \"a\"}\n42\n");
    refused(
        env.coord(&["import", &scalar, "--from", "beads"]),
        "scalar.jsonl:2:1: expected a JSON object",
    );
    let binary = fixture(&env, "bin.jsonl", "{\"title\": \"a\"}\n");
    let mut bytes = std::fs::read(&binary).unwrap();
    bytes.extend_from_slice(b"\xff\xfe\n");
    std::fs::write(&binary, bytes).unwrap();
    refused(
        env.coord(&["import", &binary, "--from", "json"]),
        "bin.jsonl:2: the file is not UTF-8",
    );
    refused(
        env.coord(&["import", "/no/such/file", "--from", "json"]),
        "cannot read /no/such/file",
    );
    assert_eq!(env.git(&["rev-parse", "coord"]), tip, "nothing written");
}

#[test]
fn dry_run_shows_the_import_and_writes_nothing() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let tip = env.git(&["rev-parse", "coord"]);
    let outcome = env.json(&["import", &file, "--from", "beads", "--dry-run"]);
    assert_eq!(outcome["dry_run"], true);
    assert_eq!(outcome["commit"], Value::Null);
    assert_eq!(outcome["imported"], 4);
    has(&messages(&outcome, "warnings"), "\"bd-gone\"");
    let run = env
        .coord(&["import", &file, "--from", "beads", "--dry-run"])
        .expect_code(0);
    assert!(run.stdout.contains("bd-a2"), "{}", run.stdout);
    assert!(run.stdout.contains("REST API"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert_eq!(env.git(&["rev-parse", "coord"]), tip);
}

#[test]
fn a_wrong_format_is_pointed_out() {
    let env = env();
    let file = fixture(&env, "issues.jsonl", BEADS);
    let outcome = env.json(&["import", &file, "--from", "json", "--dry-run"]);
    has(
        &messages(&outcome, "warnings"),
        "did you mean --from beads?",
    );
}

#[test]
fn reads_standard_input() {
    let env = env();
    let mut child = env
        .coord_cmd(&env.repo)
        .args(["import", "-", "--from", "json", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": \"t-stdin1\", \"title\": \"From a pipe\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["tasks"][0]["id"], "t-stdin1");
    assert_eq!(
        env.json(&["task", "show", "t-stdin1"])["title"],
        "From a pipe"
    );
}

#[test]
fn an_empty_file_imports_nothing_and_makes_no_commit() {
    let env = env();
    let file = fixture(&env, "empty.jsonl", "\n");
    let before = env.coord_commits();
    let outcome = env.json(&["import", &file, "--from", "json"]);
    assert_eq!(outcome["imported"], 0);
    assert_eq!(outcome["commit"], Value::Null);
    assert_eq!(env.coord_commits(), before);
}

#[test]
fn export_skips_unreadable_records_and_can_write_a_file() {
    let env = env();
    let a = env.add("A", &[]);
    let b = env.add("B", &[]);
    env.hand_edit(&[(&task_path("t-broken1"), Some("+++\nid = \"t-broken1\"\n"))]);
    let run = env.coord(&["export", "--json"]).expect_code(0);
    assert!(
        run.stderr.contains(&task_path("t-broken1")),
        "{}",
        run.stderr
    );
    let ids: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(ids, expected);

    let out = env.root.join("out.jsonl");
    let summary = env.json(&["export", "--out", out.to_str().unwrap()]);
    assert_eq!(summary["exported"], 2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), run.stdout);
}
