//! Records where the layout does not put them (issue 10, "Jams"): a task file in the wrong
//! bucket, a stray copy of a task beside the real one, files in directories no command reads.
//! Lists and scheduling skip them with a warning naming both paths, `next` never jams on
//! them, and `doctor` reports each one with exit 2. Every branch is edited by hand through
//! git, as a person (or a confused agent) would.

use std::collections::HashSet;

use crate::common::{TestEnv, ids, record, task_path};

/// The first reproduction: `tasks/aa/t-wr0ngd.md`, where `t-wr0ngd` belongs in
/// `tasks/wr/`. It is older than every real task and has priority 0, so it heads the ready
/// list; `next` used to pick it and fail with exit 2 "no task matches" for every agent.
#[test]
fn a_misplaced_task_is_skipped_and_next_claims_real_work() {
    let env = TestEnv::initialised();
    let real = env.add("Real work", &["--priority", "0"]);
    env.hand_edit(&[(
        "tasks/aa/t-wr0ngd.md",
        Some(&record("t-wr0ngd", "Misplaced", "")),
    )]);

    let ready = env.coord(&["ready", "--json"]).expect_code(0);
    assert_eq!(ids(&ready.json()), vec![real.clone()]);
    for run in [
        &ready,
        &env.coord(&["task", "list", "--json"]).expect_code(0),
    ] {
        assert!(
            run.stderr.contains("tasks/aa/t-wr0ngd.md")
                && run.stderr.contains("tasks/wr/t-wr0ngd.md"),
            "the warning names both paths: {}",
            run.stderr
        );
    }

    let next = env
        .coord(&["next", "--agent", "bob", "--json"])
        .expect_code(0);
    assert_eq!(next.json()["id"], real.as_str());
    assert!(
        next.stderr.contains("tasks/aa/t-wr0ngd.md"),
        "{}",
        next.stderr
    );
    // The claim is on the real record, read back through git.
    assert!(env.show(&task_path(&real)).contains("assignee = \"bob\""));
    // The stray file was not touched.
    assert_eq!(
        env.show("tasks/aa/t-wr0ngd.md"),
        record("t-wr0ngd", "Misplaced", "")
    );
}

/// The second reproduction: alice holds a task, and a stale copy of its record from before the
/// claim sits in `tasks/zz/`. The copy says `todo`, so it looked ready, and `next` failed for
/// every other agent with exit 3 (held by alice).
#[test]
fn a_stale_duplicate_is_skipped_and_next_moves_on() {
    let env = TestEnv::initialised();
    let held = env.add("Held by alice", &["--priority", "0"]);
    let stale = env.show(&task_path(&held));
    let free = env.add("Free work", &["--priority", "1"]);
    env.coord(&["claim", &held]).expect_code(0);
    let stray = format!("tasks/zz/{held}.md");
    env.hand_edit(&[(&stray, Some(&stale))]);

    let ready = env.coord(&["ready", "--json"]).expect_code(0);
    assert_eq!(ids(&ready.json()), vec![free.clone()]);
    assert!(
        ready.stderr.contains(&stray) && ready.stderr.contains(&task_path(&held)),
        "the warning names the stray and the kept record: {}",
        ready.stderr
    );

    let next = env
        .coord(&["next", "--agent", "bob", "--json"])
        .expect_code(0);
    assert_eq!(next.json()["id"], free.as_str());
    // The task list shows the real record, held by alice, once.
    let listed = env.json(&["task", "list", "--all"]);
    let mine: Vec<&serde_json::Value> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter(|t| t["id"] == held.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{listed}");
    assert_eq!(mine[0]["assignee"], "alice");
    assert_eq!(mine[0]["path"], task_path(&held));
}

/// Two ready tasks, `first` before `second`, and a stray copy of `first` under `tasks/zz/`.
fn two_tasks_and_a_stray_copy() -> (TestEnv, String, String) {
    let env = TestEnv::initialised();
    let first = env.add("First", &["--priority", "0"]);
    let second = env.add("Second", &["--priority", "1"]);
    let copy = env.show(&task_path(&first));
    env.hand_edit(&[(&format!("tasks/zz/{first}.md"), Some(&copy))]);
    (env, first, second)
}

/// The tasks `next --json` handed out, each run having succeeded.
fn handed_out(outputs: Vec<std::process::Output>) -> HashSet<String> {
    let mut got = HashSet::new();
    for out in outputs {
        assert!(
            out.status.success(),
            "next failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        got.insert(v["id"].as_str().expect("an id").to_owned());
    }
    got
}

/// Two agents run `next` one after the other while a stray copy of a ready task exists: both
/// succeed, with different real tasks.
#[test]
fn two_agents_one_after_another_past_a_stray_copy_get_different_tasks() {
    let (env, first, second) = two_tasks_and_a_stray_copy();

    let children: Vec<_> = ["bob", "carol"]
        .iter()
        .map(|agent| {
            env.coord_cmd(&env.repo)
                .args(["next", "--agent", agent, "--json"])
                .output()
                .expect("run git-coord")
        })
        .collect();
    assert_eq!(handed_out(children), HashSet::from([first, second]));
}

/// The same with both processes started before either finishes (a real race on the branch).
#[test]
fn two_concurrent_next_calls_with_a_stray_copy_both_succeed() {
    let (env, first, second) = two_tasks_and_a_stray_copy();

    let children: Vec<_> = ["bob", "carol"]
        .iter()
        .map(|agent| {
            env.coord_cmd(&env.repo)
                .args(["next", "--agent", agent, "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn git-coord")
        })
        .collect();
    let outputs = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("wait for git-coord"))
        .collect();
    assert_eq!(handed_out(outputs), HashSet::from([first, second]));
}

/// Every command that loads all tasks leaves the strays out.
#[test]
fn every_listing_leaves_strays_out() {
    let env = TestEnv::initialised();
    let real = env.add("Real work", &["--estimate", "2h"]);
    let copy = env
        .show(&task_path(&real))
        .replace("Real work", "Stray copy");
    env.hand_edit(&[
        (&format!("tasks/zz/{real}.md"), Some(&copy)),
        (
            "tasks/aa/t-wr0ngd.md",
            Some(&record("t-wr0ngd", "Misplaced", "")),
        ),
    ]);
    assert_eq!(
        ids(&env.json(&["task", "list", "--all"])),
        vec![real.clone()]
    );
    assert_eq!(ids(&env.json(&["ready"])), vec![real.clone()]);
    let path = env.json(&["path"]);
    assert_eq!(path["tasks"], serde_json::json!([real]));
    let export = env.coord(&["export", "--json"]).expect_code(0);
    assert!(!export.stdout.contains("t-wr0ngd"), "{}", export.stdout);
    assert!(!export.stdout.contains("Stray copy"), "{}", export.stdout);
    for args in [
        &["graph"][..],
        &["gantt"],
        &["status"],
        &["graph", "--format", "mermaid"],
    ] {
        let run = env.coord(args).expect_code(0);
        assert!(
            !run.stdout.contains("t-wr0ngd") && !run.stdout.contains("Stray copy"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(run.stderr.contains("tasks/zz/"), "{args:?}: {}", run.stderr);
    }
}

/// The index under `.git/coord/` is built while the stray exists; the stray must not become
/// the task there, and when the files move the index follows.
#[test]
fn the_cached_index_agrees_with_the_tree() {
    let env = TestEnv::initialised();
    let real = env.add("Real", &[]);
    let original = env.show(&task_path(&real));
    let copy = original.replace("title = \"Real\"", "title = \"Copy\"");
    let stray = format!("tasks/zz/{real}.md");
    env.hand_edit(&[(&stray, Some(&copy))]);
    // Twice: once building the cache, once reading it.
    for _ in 0..2 {
        let listed = env.json(&["task", "list"]);
        assert_eq!(ids(&listed), vec![real.clone()]);
        assert_eq!(listed[0]["title"], "Real");
    }
    let cache = std::fs::read_dir(env.repo.join(".git/coord"))
        .expect("the index directory")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("tasks-"));
    assert!(cache, "the index was written");
    // The real record goes: the stray is still not that task (it is in the wrong place).
    env.hand_edit(&[(&task_path(&real), None)]);
    assert!(ids(&env.json(&["task", "list"])).is_empty());
    // Moved where it belongs, the copy is the task.
    env.hand_edit(&[(&stray, None), (&task_path(&real), Some(&copy))]);
    let listed = env.json(&["task", "list"]);
    assert_eq!(ids(&listed), vec![real]);
    assert_eq!(listed[0]["title"], "Copy");
    // And the uncached reader (doctor) sees the same tasks.
    let doctor = env.coord(&["doctor", "--json"]).expect_code(0).json();
    assert_eq!(doctor["tasks"], 1);
}

/// `doctor` used to say "0 error(s)" for all of these.
#[test]
fn doctor_reports_misplaced_duplicated_and_unknown_files() {
    let env = TestEnv::initialised();
    let real = env.add("Real", &[]);
    let copy = env.show(&task_path(&real));
    let stray = format!("tasks/zz/{real}.md");
    env.hand_edit(&[
        (&stray, Some(&copy)),
        (
            "tasks/aa/t-wr0ngd.md",
            Some(&record("t-wr0ngd", "Misplaced", "")),
        ),
        ("junk/x.md", Some("what is this\n")),
        ("tasks/readme.txt", Some("notes\n")),
    ]);

    let text = env.coord(&["doctor"]).expect_code(2);
    let line = |path: &str| -> String {
        text.stdout
            .lines()
            .find(|l| l.starts_with(&format!("error: {path}:")))
            .unwrap_or_else(|| panic!("no error for {path}:\n{}", text.stdout))
            .to_owned()
    };
    assert!(line("tasks/aa/t-wr0ngd.md").contains("tasks/wr/t-wr0ngd.md"));
    assert!(line(&stray).contains(&task_path(&real)));
    line("junk/x.md");
    line("tasks/readme.txt");

    let json = env.coord(&["doctor", "--json"]).expect_code(2).json();
    assert_eq!(json["ok"], false);
    let paths: HashSet<&str> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| p["path"].as_str().expect("a path"))
        .collect();
    assert_eq!(
        paths,
        HashSet::from([
            "tasks/aa/t-wr0ngd.md",
            stray.as_str(),
            "junk/x.md",
            "tasks/readme.txt"
        ])
    );
    assert_eq!(json["tasks"], 1);
}

/// A branch the tool wrote itself has nothing for doctor to report.
#[test]
fn doctor_is_quiet_on_a_branch_the_tool_wrote() {
    let env = TestEnv::initialised();
    let a = env.add("A", &["--owns", "src/a/**"]);
    env.add("B", &["--after", &a]);
    env.coord(&["note", "hello"]).expect_code(0);
    env.coord(&["send", "bob", "--subject", "hi"])
        .expect_code(0);
    env.coord(&[
        "risk",
        "add",
        "Might fail",
        "--impact",
        "high",
        "--probability",
        "low",
    ])
    .expect_code(0);
    env.coord(&["conflict", "new", "Cache", "--between", "alice,bob"])
        .expect_code(0);
    env.coord(&["milestone", "add", "Beta", "--due", "2030-01-01"])
        .expect_code(0);
    env.coord(&["adr", "new", "Use postgres"]).expect_code(0);
    env.coord(&["own", "docs/**"]).expect_code(0);
    let json = env.coord(&["doctor", "--json"]).expect_code(0).json();
    assert_eq!(json["problems"], serde_json::json!([]), "{json}");
}
