//! Input and output hygiene (issue 10): ownership patterns `own` refuses are refused at every
//! other entry point too (task add and edit, import, spawn) with the same error; control
//! characters and absurd estimates never enter a record; control and bidi characters from
//! records and paths never reach a terminal, a PR comment, a workflow annotation or a commit
//! message the tool writes.

use crate::common::TestEnv;

/// The patterns the issue lists, plus a newline.
const BAD_PATTERNS: &[&str] = &["../**", "[", "/", "!src/**", "\\", "a\nb"];

/// Runs `args`, expects exit 2 naming `flag` and the pattern (as `own` names it: quoted and
/// escaped), and checks that nothing was written to the coordination branch.
#[track_caller]
fn refused(env: &TestEnv, args: &[&str], flag: &str, pattern: &str) {
    let before = env.coord_commits();
    let run = env.coord(args).expect_code(2);
    assert!(
        run.stderr
            .contains(&format!("{flag}: invalid ownership pattern {pattern:?}")),
        "{args:?}: {}",
        run.stderr
    );
    assert_eq!(env.coord_commits(), before, "{args:?} wrote nothing");
}

#[test]
fn own_refuses_every_bad_pattern_including_a_newline() {
    let env = TestEnv::initialised();
    for bad in BAD_PATTERNS {
        refused(&env, &["own", bad], "--pattern", bad);
    }
}

#[test]
fn task_add_refuses_what_own_refuses() {
    let env = TestEnv::initialised();
    for bad in BAD_PATTERNS {
        refused(&env, &["task", "add", "T", "--owns", bad], "--owns", bad);
        // Also when a good pattern comes first.
        refused(
            &env,
            &["task", "add", "T", "--owns", "src/**", "--owns", bad],
            "--owns",
            bad,
        );
    }
}

#[test]
fn task_edit_refuses_what_own_refuses() {
    let env = TestEnv::initialised();
    let id = env.add("T", &["--owns", "src/**"]);
    for bad in BAD_PATTERNS {
        refused(&env, &["task", "edit", &id, "--owns", bad], "--owns", bad);
    }
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["owns"], serde_json::json!(["src/**"]));
}

#[test]
fn spawn_refuses_what_own_refuses_before_doing_anything() {
    let env = TestEnv::initialised();
    let wt = env.root.join("agent-state");
    let wt = wt.to_str().expect("utf-8 path");
    for bad in BAD_PATTERNS {
        for print in [false, true] {
            let mut args = vec!["spawn", "state", "--owns", bad, "--path", wt];
            if print {
                args.push("--print");
            }
            refused(&env, &args, "--owns", bad);
        }
        assert!(
            !std::path::Path::new(wt).exists(),
            "no worktree for {bad:?}"
        );
    }
    assert!(
        !env.git(&["branch", "--list", "agent/state"])
            .contains("agent/state"),
        "no branch was created"
    );
    assert_eq!(
        env.coord(&["agent", "show", "state"]).code,
        2,
        "no agent was registered"
    );
}

#[test]
fn import_refuses_what_own_refuses_naming_the_record() {
    let env = TestEnv::initialised();
    for bad in BAD_PATTERNS {
        let good = serde_json::json!({ "id": "x-1", "title": "Fine", "owns": ["src/**"] });
        let evil = serde_json::json!({ "id": "x-2", "title": "Evil", "owns": ["docs/**", bad] });
        let file = env.root.join("tasks.jsonl");
        std::fs::write(&file, format!("{good}\n{evil}\n")).expect("write fixture");
        let file = file.to_str().expect("utf-8 path");
        let before = env.coord_commits();
        let run = env
            .coord(&["import", file, "--from", "json"])
            .expect_code(2);
        assert!(
            run.stderr.contains(&format!(
                "tasks.jsonl:2: x-2: owns: invalid ownership pattern {bad:?}"
            )),
            "{bad:?}: {}",
            run.stderr
        );
        assert_eq!(env.coord_commits(), before, "nothing was imported");
        // A dry run says the same.
        env.coord(&["import", file, "--from", "json", "--dry-run"])
            .expect_code(2);
    }
}

/// `own $'a\nb'` used to be accepted; the pattern then printed a raw newline into the hint of
/// every collision with it.
#[test]
fn a_pattern_with_a_newline_never_reaches_a_hint() {
    let env = TestEnv::initialised();
    let run = env.coord(&["own", "a\nb"]).expect_code(2);
    assert!(!run.stderr.contains("a\nb"), "{}", run.stderr);
    assert!(run.stderr.contains("U+000A"), "{}", run.stderr);
    let agent = env.show("agents/alice.toml");
    assert!(!agent.contains("pattern"), "no claim was stored: {agent}");
}

/// What the CLI does with control characters in a title: a line break is refused as "one
/// line", any other control character is refused by name; nothing is written.
#[test]
fn task_add_refuses_control_characters_in_titles() {
    let env = TestEnv::initialised();
    let before = env.coord_commits();
    let run = env.coord(&["task", "add", "a\rb"]).expect_code(2);
    assert!(
        run.stderr.contains("--title: a title is one line"),
        "{}",
        run.stderr
    );
    let run = env
        .coord(&["task", "add", "red \u{1b}[31m title"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("--title: a title cannot hold the control character U+001B"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert_eq!(env.coord_commits(), before);
}

fn import_json(env: &TestEnv, records: &[serde_json::Value]) -> serde_json::Value {
    let file = env.root.join("import.jsonl");
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&file, text).expect("write fixture");
    env.json(&[
        "import",
        file.to_str().expect("utf-8 path"),
        "--from",
        "json",
    ])
}

/// The issue: `estimate_hours: 1e308` was imported, shown as `infh` and dropped by `gantt`.
/// It is now refused with the CLI's bound, and the task imported without it.
#[test]
fn import_refuses_an_absurd_estimate_like_the_cli() {
    let env = TestEnv::initialised();
    let cli = env
        .coord(&["task", "add", "T", "--estimate", "1e308"])
        .expect_code(2);
    assert!(cli.stderr.contains("--estimate"), "{}", cli.stderr);

    let outcome = import_json(
        &env,
        &[
            serde_json::json!({ "id": "x-1", "title": "Huge", "estimate_hours": 1e308 }),
            serde_json::json!({ "id": "x-2", "title": "Sane", "estimate_hours": 3.5 }),
        ],
    );
    assert_eq!(outcome["imported"], 2);
    let warnings = outcome["warnings"].to_string();
    assert!(
        warnings.contains("estimate_hours") && warnings.contains("out of range"),
        "{warnings}"
    );
    let tasks = env.json(&["task", "list"]);
    let huge = tasks
        .as_array()
        .expect("an array")
        .iter()
        .find(|t| t["title"] == "Huge")
        .expect("Huge was imported");
    assert_eq!(huge["estimate_hours"], serde_json::Value::Null);
    let path = huge["path"].as_str().expect("a path");
    assert!(!env.show(path).contains("estimate_hours"));
    let gantt = env.coord(&["gantt"]).expect_code(0).stdout;
    assert!(gantt.contains("Huge") && gantt.contains("Sane"), "{gantt}");
    assert!(!gantt.contains("inf"), "{gantt}");
}

/// A record edited by hand to `estimate_hours = 1e308` is malformed (named with its line),
/// like one with a negative estimate.
#[test]
fn a_hand_edited_absurd_estimate_is_a_malformed_record() {
    let env = TestEnv::initialised();
    let id = env.add("T", &[]);
    let path = crate::common::task_path(&id);
    let text = env
        .show(&path)
        .replacen("+++\n", "+++\nestimate_hours = 1e308\n", 1);
    env.hand_edit(&[(&path, Some(&text))]);
    let doctor = env.coord(&["doctor"]).expect_code(2);
    assert!(
        doctor.stdout.contains(&format!("{path}:2:")) && doctor.stdout.contains("estimate_hours"),
        "{}",
        doctor.stdout
    );
}

/// The issue: a title with `\r` was skipped as "no title". It is a line break, as the CLI
/// says; import keeps the first line as the title and the whole text in the body (as it does
/// for `\n`), and a title with any other control character is skipped saying why, in the
/// CLI's words.
#[test]
fn import_treats_titles_as_the_cli_does() {
    let env = TestEnv::initialised();
    let outcome = import_json(
        &env,
        &[
            serde_json::json!({ "id": "x-1", "title": "First\rsecond" }),
            serde_json::json!({ "id": "x-2", "title": "red \u{1b}[31m title" }),
        ],
    );
    assert_eq!(outcome["imported"], 1);
    let skipped = outcome["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{outcome}");
    assert_eq!(skipped[0]["source_id"], "x-2");
    let reason = skipped[0]["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("a title cannot hold the control character U+001B"),
        "{reason}"
    );
    let tasks = env.json(&["task", "list"]);
    assert_eq!(tasks[0]["title"], "First");
    assert!(
        tasks[0]["body"]
            .as_str()
            .expect("a body")
            .contains("First\rsecond")
    );
}
