//! Task records: every field of `task add`, show/list/edit, prefixes, round trips of hand
//! edits, dependencies.

use crate::common::{TestEnv, record, task_path};

#[test]
fn add_takes_every_field_and_json_carries_them() {
    let env = TestEnv::initialised();
    let dep = env.add("Pool", &[]);
    let body_file = env.root.join("body.md");
    std::fs::write(&body_file, "Use a token bucket.\n\n- per key\n").unwrap();
    let t = env.json(&[
        "task",
        "add",
        "Redis rate limiter",
        "--priority",
        "1",
        "--after",
        &dep,
        "--expertise",
        "backend,redis",
        "--estimate",
        "90m",
        "--milestone",
        "m-infra",
        "--owns",
        "src/ratelimit/**",
        "--owns",
        "tests/rl.rs",
        "--deliverable",
        "src/ratelimit/mod.rs",
        "--check",
        "cargo test ratelimit",
        "--due",
        "2026-11-30",
        "--body-file",
        body_file.to_str().unwrap(),
    ]);
    for field in [
        "id",
        "title",
        "status",
        "priority",
        "assignee",
        "depends_on",
        "expertise",
        "estimate_hours",
        "milestone",
        "owns",
        "check",
        "created",
        "updated",
        "path",
        "body",
        "deliverables",
        "due",
        "blocked_reason",
    ] {
        assert!(t.get(field).is_some(), "JSON lacks {field}: {t}");
    }
    assert_eq!(t["status"], "todo");
    assert_eq!(t["priority"], 1);
    assert_eq!(t["assignee"], serde_json::Value::Null);
    assert_eq!(t["depends_on"], serde_json::json!([dep]));
    assert_eq!(t["expertise"], serde_json::json!(["backend", "redis"]));
    assert_eq!(t["estimate_hours"], 1.5);
    assert_eq!(
        t["owns"],
        serde_json::json!(["src/ratelimit/**", "tests/rl.rs"])
    );
    assert_eq!(t["due"], "2026-11-30T23:59:59Z");
    assert_eq!(t["body"], "Use a token bucket.\n\n- per key\n");
    let id = t["id"].as_str().unwrap();
    assert_eq!(t["path"], task_path(id));

    // The record, read with git, is the documented format.
    let text = env.show(&task_path(id));
    assert!(
        text.starts_with(&format!(
            "+++\nid = \"{id}\"\ntitle = \"Redis rate limiter\"\nstatus = \"todo\"\npriority = 1\n"
        )),
        "{text}"
    );
    assert!(text.contains("estimate_hours = 1.5\n"), "{text}");
    assert!(text.contains("due = 2026-11-30T23:59:59Z\n"), "{text}");
    assert!(
        text.ends_with("+++\nUse a token bucket.\n\n- per key\n"),
        "{text}"
    );

    // show agrees with add.
    let shown = env.json(&["task", "show", id]);
    assert_eq!(shown, t);
}

#[test]
fn ids_are_unique_and_prefixes_resolve() {
    let env = TestEnv::initialised();
    let id = env.add("One", &[]);
    assert!(id.starts_with("t-") && id.len() == 8, "{id}");
    let by_prefix = env.json(&["task", "show", &id[..5]]);
    assert_eq!(by_prefix["id"], id.as_str());
    let without_t = env.json(&["task", "show", &id[2..6]]);
    assert_eq!(without_t["id"], id.as_str());
}

#[test]
fn ambiguous_prefix_lists_the_candidates() {
    let env = TestEnv::initialised();
    env.hand_edit(&[
        (
            "tasks/ab/t-abc111.md",
            Some(&record("t-abc111", "First", "")),
        ),
        (
            "tasks/ab/t-abc222.md",
            Some(&record("t-abc222", "Second", "")),
        ),
    ]);
    let run = env.coord(&["task", "show", "t-abc"]).expect_code(2);
    assert!(run.stderr.contains("matches 2 tasks"), "{}", run.stderr);
    assert!(run.stderr.contains("t-abc111  First"), "{}", run.stderr);
    assert!(run.stderr.contains("t-abc222  Second"), "{}", run.stderr);
    let json = env.coord(&["task", "show", "abc", "--json"]).expect_code(2);
    let err: serde_json::Value = serde_json::from_str(json.stderr.trim()).unwrap();
    assert_eq!(
        err["error"]["details"]["candidates"],
        serde_json::json!(["t-abc111", "t-abc222"])
    );
    // One more character settles it.
    assert_eq!(env.json(&["task", "show", "abc2"])["title"], "Second");
}

#[test]
fn hand_added_fields_and_comments_survive_edit() {
    let mut env = TestEnv::initialised();
    let id = env.add("Limiter", &["--priority", "1", "--expertise", "redis"]);
    let path = task_path(&id);
    let original = env.show(&path);
    let hand = original
        .replacen(
            "+++\n",
            "+++\n# Reviewed by the lead; keep the scope small.\nsize = \"L\"\n",
            1,
        )
        .replace("priority = 1\n", "priority = 1 # agreed in stand-up\n");
    let hand = format!("{hand}\nExtra notes written by hand.\n\n[links]\n");
    env.hand_edit(&[(&path, Some(&hand))]);

    env.now = Some("2030-01-01T00:00:00Z".to_owned());
    env.coord(&[
        "task",
        "edit",
        &id,
        "--title",
        "Token-bucket limiter",
        "--estimate",
        "4h",
    ])
    .expect_code(0);
    let after = env.show(&path);
    assert!(
        after.contains("# Reviewed by the lead; keep the scope small.\nsize = \"L\"\n"),
        "{after}"
    );
    assert!(
        after.contains("priority = 1 # agreed in stand-up\n"),
        "{after}"
    );
    assert!(
        after.contains("title = \"Token-bucket limiter\"\n"),
        "{after}"
    );
    assert!(after.contains("estimate_hours = 4.0\n"), "{after}");
    assert!(
        after.ends_with("Extra notes written by hand.\n\n[links]\n"),
        "{after}"
    );
    // Only the title and updated lines changed, and the estimate was added.
    let diff = env.git(&["diff", "coord~1", "coord", "--", &path]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(changed.len(), 5, "{diff}");

    // And through a claim, which rewrites other fields.
    env.coord(&["claim", &id]).expect_code(0);
    assert!(env.show(&path).contains("size = \"L\""));
}

#[test]
fn edit_lists_clear_and_no_op() {
    let env = TestEnv::initialised();
    let id = env.add(
        "T",
        &["--owns", "a/**", "--due", "2026-12-01", "--check", "true"],
    );
    let t = env.json(&[
        "task", "edit", &id, "--owns", "b/**", "--owns", "c/*.rs", "--clear", "due", "--clear",
        "check",
    ]);
    assert_eq!(t["owns"], serde_json::json!(["b/**", "c/*.rs"]));
    assert_eq!(t["due"], serde_json::Value::Null);
    assert_eq!(t["check"], serde_json::Value::Null);
    let record = env.show(&task_path(&id));
    assert!(!record.contains("due ="), "{record}");
    // Editing to the same values writes nothing.
    let before = env.coord_commits();
    env.coord(&["task", "edit", &id, "--owns", "b/**", "--owns", "c/*.rs"])
        .expect_code(0);
    assert_eq!(env.coord_commits(), before);
    // No field at all is a usage error.
    env.coord(&["task", "edit", &id]).expect_code(2);
}

#[test]
fn list_filters_and_orders() {
    let env = TestEnv::initialised();
    let low = env.add("Low", &["--priority", "3"]);
    let high = env.add("High", &["--priority", "0"]);
    let mid = env.add("Mid", &[]);
    env.coord(&["claim", &mid]).expect_code(0);
    env.coord(&["--agent", "bob", "claim", &low]).expect_code(0);
    env.coord(&["--agent", "bob", "done", &low]).expect_code(0);

    let ids = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(env.json(&["task", "list"])),
        vec![high.clone(), mid.clone()]
    );
    assert_eq!(
        ids(env.json(&["task", "list", "--all"])),
        vec![high.clone(), mid.clone(), low.clone()]
    );
    assert_eq!(
        ids(env.json(&["task", "list", "--status", "done"])),
        vec![low.clone()]
    );
    assert_eq!(
        ids(env.json(&["task", "list", "--status", "todo,in_progress"])),
        vec![high.clone(), mid.clone()]
    );
    assert_eq!(
        ids(env.json(&["task", "list", "--assignee", "alice"])),
        vec![mid.clone()]
    );

    let text = env.coord(&["task", "list"]).expect_code(0).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID"), "{text}");
    assert!(
        lines[1].starts_with(&high) && lines[1].contains("todo") && lines[1].ends_with("High"),
        "{text}"
    );
    assert!(
        lines[2].contains("in_progress") && lines[2].contains("alice"),
        "{text}"
    );
}

#[test]
fn dependencies_add_remove_and_refuse_self() {
    let env = TestEnv::initialised();
    let a = env.add("A", &[]);
    let b = env.add("B", &[]);
    let t = env.json(&["task", "dep", "add", &b, &a]);
    assert_eq!(t["depends_on"], serde_json::json!([a]));
    let commits = env.coord_commits();
    env.coord(&["task", "dep", "add", &b, &a]).expect_code(0);
    assert_eq!(
        env.coord_commits(),
        commits,
        "adding an existing edge writes nothing"
    );
    let err = env.coord(&["task", "dep", "add", &a, &a]).expect_code(2);
    assert!(
        err.stderr.contains("cannot depend on itself"),
        "{}",
        err.stderr
    );
    env.coord(&["task", "dep", "add", &a, "t-zzzzzz"])
        .expect_code(2);
    let t = env.json(&["task", "dep", "rm", &b, &a]);
    assert_eq!(t["depends_on"], serde_json::json!([]));
    assert!(!env.show(&task_path(&b)).contains("depends_on"));
}

#[test]
fn terminal_output_escapes_record_text() {
    let env = TestEnv::initialised();
    let id = env.add("Innocent", &[]);
    let path = task_path(&id);
    let text = env.show(&path).replace(
        "title = \"Innocent\"",
        "title = \"evil \\u001b[2J\\u001b]0;pwned\\u0007 title\"",
    );
    env.hand_edit(&[(&path, Some(&text))]);
    let out = env.coord(&["task", "list"]).expect_code(0).stdout;
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("evil \\u{1b}[2J"), "{out}");
    let shown = env.coord(&["task", "show", &id]).expect_code(0).stdout;
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    // JSON carries the real value, escaped by JSON itself.
    assert_eq!(
        env.json(&["task", "show", &id])["title"],
        "evil \u{1b}[2J\u{1b}]0;pwned\u{7} title"
    );
}
