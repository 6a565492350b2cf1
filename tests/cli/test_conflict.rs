//! The conflict log through the binary: `conflict new`, `propose` and `resolve` each write one
//! commit with a readable record; a resolution's action items become tasks in that same
//! commit; IDs resolve by prefix; bad input and bad records are named; `own --force` and
//! `brief` go through the same records.

use serde_json::{Value, json};

use crate::common::{TestEnv, in_parallel};

const NOW: &str = "2026-11-21T10:00:00Z";

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

fn open(env: &TestEnv, title: &str, between: &str) -> String {
    env.json(&["conflict", "new", title, "--between", between])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A conflict record written by hand.
fn conflict_record(id: &str, title: &str, status: &str, created: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"{status}\"\nbetween = [\"api\", \"web\"]\nopened_by = \"api\"\ncreated = {created}\nupdated = {created}\n+++\n"
    )
}

/// The records the last commit on the branch wrote, but for the acting agent's heartbeat
/// (which depends on when the test runs: `init` ran on the real clock).
fn records_of_last_commit(env: &TestEnv) -> Vec<String> {
    let mut files: Vec<String> = env
        .git(&["show", "--name-only", "--format=", "coord"])
        .lines()
        .filter(|f| !f.starts_with("agents/"))
        .map(str::to_owned)
        .collect();
    files.sort();
    files
}

#[test]
fn new_propose_and_resolve_each_write_one_commit() {
    let mut env = env_at_now();
    let task = env.add("Session cache", &[]);
    let before = env.coord_commits();
    let c = env.json(&[
        "conflict",
        "new",
        "Who owns the session cache",
        "--between",
        "api,state",
        "--about",
        "src/cache/**",
        "--about",
        &task[..5],
        "--body",
        "Both edit it.",
    ]);
    assert_eq!(env.coord_commits(), before + 1);
    let id = c["id"].as_str().unwrap().to_owned();
    let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "about",
            "actions",
            "between",
            "body",
            "created",
            "id",
            "opened_by",
            "path",
            "proposals",
            "resolution",
            "resolution_hours",
            "resolved_at",
            "resolved_by",
            "status",
            "title",
            "updated"
        ]
    );
    assert!(id.starts_with("c-") && id.len() == 8, "{id}");
    assert_eq!(c["status"], "open");
    assert_eq!(c["between"], json!(["api", "state"]));
    // The task prefix is stored as the task's full ID; the glob as given.
    assert_eq!(c["about"], json!(["src/cache/**", task]));
    assert_eq!(c["opened_by"], "alice");
    assert_eq!(c["proposals"], json!([]));
    assert_eq!(c["actions"], json!([]));
    assert!(c["resolution"].is_null() && c["resolved_at"].is_null());
    assert!(c["resolution_hours"].is_null());
    assert_eq!(c["path"], format!("conflicts/{id}.md"));
    assert_eq!(
        env.show(&format!("conflicts/{id}.md")),
        format!(
            "+++\nid = \"{id}\"\ntitle = \"Who owns the session cache\"\nstatus = \"open\"\nbetween = [\"api\", \"state\"]\nabout = [\"src/cache/**\", \"{task}\"]\nopened_by = \"alice\"\ncreated = {NOW}\nupdated = {NOW}\n+++\nBoth edit it.\n"
        )
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: open {id}\n\nWho owns the session cache\n")),
        "{message}"
    );

    // A proposal, as the acting agent, by unique prefix.
    env.now = Some("2026-11-21T11:00:00Z".into());
    let c = env.json(&[
        "--agent",
        "api",
        "conflict",
        "propose",
        &id[2..5],
        "api owns it; state reads through get()",
    ]);
    assert_eq!(env.coord_commits(), before + 2);
    assert_eq!(
        c["proposals"],
        json!([{"by": "api", "at": "2026-11-21T11:00:00Z", "text": "api owns it; state reads through get()"}])
    );
    assert!(
        env.show(&format!("conflicts/{id}.md")).contains(
            "[[proposals]]\nby = \"api\"\nat = 2026-11-21T11:00:00Z\ntext = \"api owns it; state reads through get()\"\n"
        )
    );

    // The resolution and its action items: one commit with the record and both tasks.
    env.now = Some("2026-11-21T12:30:00Z".into());
    // alice is no party: she resolves with --force (no coordinators listed, so honoured).
    let c = env.json(&[
        "conflict",
        "resolve",
        "--force",
        &id,
        "--resolution",
        "state owns the cache",
        "--action",
        "Move the session cache to state",
        "--assign",
        "state",
        "--action",
        "Document the cache API",
    ]);
    assert_eq!(env.coord_commits(), before + 3);
    assert_eq!(c["status"], "resolved");
    assert_eq!(c["resolution"], "state owns the cache");
    assert_eq!(c["resolved_by"], "alice");
    assert_eq!(c["resolved_at"], "2026-11-21T12:30:00Z");
    assert_eq!(c["resolution_hours"], 2.5);
    let actions = c["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["text"], "Move the session cache to state");
    assert_eq!(actions[0]["assignee"], "state");
    assert_eq!(actions[1]["text"], "Document the cache API");
    assert!(actions[1]["assignee"].is_null());
    let moved = actions[0]["task"].as_str().unwrap();
    let documented = actions[1]["task"].as_str().unwrap();
    let mut expected = vec![
        format!("conflicts/{id}.md"),
        format!("tasks/{}/{moved}.md", &moved[2..4]),
        format!("tasks/{}/{documented}.md", &documented[2..4]),
    ];
    expected.sort();
    assert_eq!(records_of_last_commit(&env), expected);
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: resolve {id}\n")),
        "{message}"
    );

    // The tasks are ordinary tasks, seen by task show and task list.
    let t = env.json(&["task", "show", moved]);
    assert_eq!(t["title"], "Move the session cache to state");
    assert_eq!(t["status"], "todo");
    assert_eq!(t["assignee"], "state");
    assert!(t["body"].as_str().unwrap().contains(&id), "{t}");
    let listed = env.json(&["task", "list"]);
    let find = |tid: &str| -> Value {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == tid)
            .cloned()
            .unwrap_or_else(|| panic!("{tid} not in {listed}"))
    };
    assert_eq!(find(moved)["assignee"], "state");
    assert!(find(documented)["assignee"].is_null());
    assert_eq!(
        env.json(&["task", "list", "--assignee", "state"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The record as git has it, and show reading it back.
    let text = env.show(&format!("conflicts/{id}.md"));
    for line in [
        "status = \"resolved\"\n",
        "resolution = \"state owns the cache\"\n",
        "resolved_by = \"alice\"\n",
        "resolved_at = 2026-11-21T12:30:00Z\n",
        &format!(
            "[[actions]]\ntext = \"Move the session cache to state\"\nassignee = \"state\"\ntask = \"{moved}\"\n"
        ),
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    assert_eq!(env.json(&["conflict", "show", &id]), c);
    let human = env.coord(&["conflict", "show", &id]).expect_code(0).stdout;
    for part in [
        "resolved:  2026-11-21T12:30:00Z by alice, after 2.5h",
        "api at 2026-11-21T11:00:00Z:",
        &format!("{moved}  Move the session cache to state → state"),
        "Both edit it.",
    ] {
        assert!(human.contains(part), "{part:?} not in\n{human}");
    }
}

#[test]
fn resolve_refuses_bad_input_and_writes_nothing() {
    let env = env_at_now();
    let id = open(&env, "Retry policy", "api,web");
    let before = env.coord_commits();
    let cases: [&[&str]; 6] = [
        // --assign before any --action.
        &["--resolution", "r", "--assign", "bob", "--action", "x"],
        // Two assignees for one action.
        &[
            "--resolution",
            "r",
            "--action",
            "x",
            "--assign",
            "bob",
            "--assign",
            "carol",
        ],
        // --assign with no --action at all (clap).
        &["--resolution", "r", "--assign", "bob"],
        &["--resolution", "r", "--action", "x", "--assign", "Bob!"],
        &["--resolution", " "],
        &["--resolution", "r", "--action", "two\nlines"],
    ];
    for args in cases {
        let mut all = vec!["conflict", "resolve", &id];
        all.extend_from_slice(args);
        let run = env.coord(&all).expect_code(2);
        assert!(!run.stderr.is_empty());
    }
    let run = env
        .coord(&[
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "r",
            "--assign",
            "bob",
            "--action",
            "x",
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("--assign bob comes before any --action"),
        "{}",
        run.stderr
    );
    let run = env
        .coord(&[
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "r",
            "--action",
            "x",
            "--assign",
            "Bob!",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--assign"), "{}", run.stderr);
    let run = env
        .coord(&[
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "r",
            "--action",
            "a\nb",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--action"), "{}", run.stderr);
    assert_eq!(env.coord_commits(), before);
    assert!(env.json(&["task", "list"]).as_array().unwrap().is_empty());

    // Resolved once; a second time is refused and changes nothing.
    env.json(&[
        "conflict",
        "resolve",
        &id,
        "--resolution",
        "web retries",
        "--force",
    ]);
    let after = env.coord_commits();
    let run = env
        .coord(&[
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "again",
            "--action",
            "x",
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains(&format!("{id} is already resolved by alice")),
        "{}",
        run.stderr
    );
    let run = env
        .coord(&["conflict", "propose", &id, "late idea"])
        .expect_code(2);
    assert!(run.stderr.contains("already resolved"), "{}", run.stderr);
    let run = env
        .coord(&[
            "--json",
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "again",
        ])
        .expect_code(2);
    let err: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["details"]["id"], id.as_str());
    assert_eq!(env.coord_commits(), after);
    assert!(env.json(&["task", "list"]).as_array().unwrap().is_empty());
    assert_eq!(
        env.json(&["conflict", "show", &id])["resolution"],
        "web retries"
    );
}

#[test]
fn new_and_propose_refuse_bad_input() {
    let env = env_at_now();
    let before = env.coord_commits();
    let run = env
        .coord(&["conflict", "new", "x", "--between", "api"])
        .expect_code(2);
    assert!(run.stderr.contains("--between"), "{}", run.stderr);
    let run = env
        .coord(&["conflict", "new", "x", "--between", "api,api"])
        .expect_code(2);
    assert!(
        run.stderr.contains("at least two different agents"),
        "{}",
        run.stderr
    );
    let run = env
        .coord(&["conflict", "new", "x", "--between", "api,Web"])
        .expect_code(2);
    assert!(run.stderr.contains("--between: \"Web\""), "{}", run.stderr);
    let run = env
        .coord(&["conflict", "new", " ", "--between", "api,web"])
        .expect_code(2);
    assert!(run.stderr.contains("non-empty title"), "{}", run.stderr);
    let run = env
        .coord(&[
            "conflict",
            "new",
            "x",
            "--between",
            "api,web",
            "--about",
            "t-zzzzzz",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("--about t-zzzzzz: no task matches"),
        "{}",
        run.stderr
    );
    env.coord(&["conflict", "new", "x"]).expect_code(2);
    assert_eq!(env.coord_commits(), before);

    let id = open(&env, "x", "api,web");
    let run = env
        .coord(&["conflict", "propose", &id, "  "])
        .expect_code(2);
    assert!(run.stderr.contains("<TEXT>: "), "{}", run.stderr);
    // Paths that merely start with t but are not task IDs are kept as given.
    let c = env.json(&[
        "conflict",
        "new",
        "y",
        "--between",
        "api,web",
        "--about",
        "t-shirt/size.rs",
        "--about",
        "tests/**",
    ]);
    assert_eq!(c["about"], json!(["t-shirt/size.rs", "tests/**"]));
}

#[test]
fn ids_resolve_by_unique_prefix() {
    let env = env_at_now();
    env.hand_edit(&[
        (
            "conflicts/c-abc111.md",
            Some(&conflict_record("c-abc111", "First", "open", NOW)),
        ),
        (
            "conflicts/c-abc222.md",
            Some(&conflict_record("c-abc222", "Second", "open", NOW)),
        ),
    ]);
    assert_eq!(env.json(&["conflict", "show", "abc1"])["title"], "First");
    assert_eq!(
        env.json(&["conflict", "show", "c-abc222"])["title"],
        "Second"
    );
    let run = env.coord(&["conflict", "show", "c-abc"]).expect_code(2);
    assert!(run.stderr.contains("c-abc111, c-abc222"), "{}", run.stderr);
    let before = env.coord_commits();
    let run = env
        .coord(&["conflict", "propose", "abc", "x"])
        .expect_code(2);
    assert!(run.stderr.contains("c-abc111, c-abc222"), "{}", run.stderr);
    let run = env.coord(&["conflict", "show", "c-zzz"]).expect_code(2);
    assert!(
        run.stderr.contains("no conflict matches \"c-zzz\""),
        "{}",
        run.stderr
    );
    env.coord(&["conflict", "resolve", "zzz", "--resolution", "r"])
        .expect_code(2);
    env.coord(&["conflict", "show", "../x"]).expect_code(2);
    assert_eq!(env.coord_commits(), before);
}

#[test]
fn list_filters_by_status_oldest_first_and_skips_bad_records() {
    let env = env_at_now();
    env.hand_edit(&[
        (
            "conflicts/c-bbbbbb.md",
            Some(&conflict_record(
                "c-bbbbbb",
                "Newer",
                "open",
                "2026-11-21T09:00:00Z",
            )),
        ),
        (
            "conflicts/c-cccccc.md",
            Some(&conflict_record(
                "c-cccccc",
                "Older",
                "open",
                "2026-11-20T09:00:00Z",
            )),
        ),
        (
            "conflicts/c-dddddd.md",
            Some(&conflict_record(
                "c-dddddd",
                "Done",
                "resolved",
                "2026-11-19T09:00:00Z",
            )),
        ),
        (
            "conflicts/c-eeeeee.md",
            Some(&conflict_record(
                "c-eeeeee",
                "Bad",
                "pending",
                "2026-11-19T09:00:00Z",
            )),
        ),
    ]);
    let ids = |list: Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(env.json(&["conflict", "list"])),
        ["c-cccccc", "c-bbbbbb"]
    );
    assert_eq!(
        ids(env.json(&["conflict", "list", "--status", "resolved"])),
        ["c-dddddd"]
    );
    assert_eq!(
        ids(env.json(&["conflict", "list", "--status", "all"])),
        ["c-dddddd", "c-cccccc", "c-bbbbbb"]
    );
    let run = env.coord(&["conflict", "list"]).expect_code(0);
    assert!(
        run.stderr
            .contains("skipped conflicts/c-eeeeee.md:4: unknown conflict status \"pending\""),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("c-cccccc  open"), "{}", run.stdout);
    let run = env.coord(&["conflict", "show", "c-eeeeee"]).expect_code(2);
    assert!(
        run.stderr.contains("conflicts/c-eeeeee.md:4"),
        "{}",
        run.stderr
    );
    env.coord(&["conflict", "list", "--status", "closed"])
        .expect_code(2);
}

#[test]
fn own_force_opens_a_conflict_the_log_and_the_brief_share() {
    let env = env_at_now();
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    let forced = env.json(&["own", "src/a.rs", "--force"]);
    let id = forced["conflicts"][0].as_str().unwrap();
    let c = env.json(&["conflict", "show", id]);
    assert_eq!(c["between"], json!(["alice", "bob"]));
    assert_eq!(c["about"], json!(["src/a.rs", "src/**"]));
    assert_eq!(c["opened_by"], "alice");
    assert_eq!(c["status"], "open");
    assert_eq!(c["created"], NOW);
    assert_eq!(
        env.json(&["conflict", "list"])[0]["id"],
        id,
        "the forced claim's conflict is listed"
    );
    assert!(
        env.coord(&["brief", "bob"])
            .expect_code(0)
            .stdout
            .contains(id)
    );
    env.json(&[
        "--agent",
        "bob",
        "conflict",
        "resolve",
        id,
        "--resolution",
        "alice keeps src/a.rs",
    ]);
    let brief = env.coord(&["brief", "bob"]).expect_code(0).stdout;
    assert!(!brief.contains(id), "{brief}");
}

#[test]
fn every_conflict_command_has_help_with_an_example() {
    let env = TestEnv::new();
    for c in ["new", "propose", "resolve", "list", "show"] {
        let run = env.coord(&["conflict", c, "--help"]).expect_code(0);
        assert!(
            run.stdout.contains("Examples:\n  git coord conflict "),
            "conflict {c} --help has no example:\n{}",
            run.stdout
        );
    }
}

/// Proposals are appended to one record by agents at the same time: every one survives.
#[test]
fn parallel_proposals_to_one_conflict_are_all_kept() {
    let env = std::sync::Arc::new(TestEnv::initialised());
    let id = env.json(&["conflict", "new", "Busy", "--between", "a0,a1"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (agents, each) = (6, 4);
    let record = id.clone();
    in_parallel(&env, agents, each, move |env, a, i| {
        let agent = format!("a{a}");
        let text = format!("proposal {a}-{i}");
        env.coord(&["--agent", &agent, "conflict", "propose", &record, &text])
            .expect_code(0);
    });
    let shown = env.json(&["conflict", "show", &id]);
    let mut texts: Vec<String> = shown["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["by"].as_str().unwrap(),
                p["text"].as_str().unwrap()
            )
        })
        .collect();
    texts.sort();
    let mut expected: Vec<String> = (0..agents)
        .flat_map(|a| (0..each).map(move |i| format!("a{a} proposal {a}-{i}")))
        .collect();
    expected.sort();
    assert_eq!(texts, expected);
    // One commit per proposal, read back through git.
    let subjects = env.git(&["log", "--format=%s", "coord"]);
    let proposals = subjects.lines().filter(|s| s.contains("propose")).count();
    assert_eq!(proposals, agents * each, "{subjects}");
}
