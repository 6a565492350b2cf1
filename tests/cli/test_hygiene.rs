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
        refused(&env, &["own", bad], "<GLOB>", bad);
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

/// The path from the issue: an escape sequence and a right-to-left override.
const HOSTILE: &str = "src/\u{1b}[31mx\u{202e}.rs";

/// Raw characters that must not appear in any output made for people or CI.
#[track_caller]
fn no_raw_control_or_bidi(what: &str, out: &str) {
    for c in ['\u{1b}', '\u{202e}', '\r', '\u{7}'] {
        assert!(!out.contains(c), "{what}: raw {c:?} in {out:?}");
    }
}

/// `check --staged` in `format`, which must find the one violation (exit 1).
fn staged_check(env: &TestEnv, format: &str) -> crate::common::Run {
    env.coord(&["check", "--staged", "--format", format])
        .expect_code(1)
}

/// bob holds `src/**`; alice stages `path`.
fn env_with_staged(path: &str) -> TestEnv {
    let env = TestEnv::initialised();
    env.coord(&["own", "src/**", "--agent", "bob"])
        .expect_code(0);
    let file = env.repo.join(path);
    std::fs::create_dir_all(file.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&file, "x\n").expect("write the file");
    env.git(&["add", "--", path]);
    env
}

#[test]
fn check_output_escapes_a_hostile_path_in_every_format() {
    let env = env_with_staged(HOSTILE);
    let text = staged_check(&env, "text");
    no_raw_control_or_bidi("text", &text.stderr);
    no_raw_control_or_bidi("text", &text.stdout);
    assert!(
        text.stderr
            .contains("src/\\u{1b}[31mx\\u{202e}.rs is held by bob"),
        "{}",
        text.stderr
    );

    let gh = staged_check(&env, "github");
    no_raw_control_or_bidi("github", &gh.stdout);
    let annotations: Vec<&str> = gh.stdout.lines().collect();
    assert_eq!(annotations.len(), 1, "{}", gh.stdout);
    assert!(
        annotations[0].starts_with("::error file=src/\\u{1b}[31mx\\u{202e}.rs,title="),
        "{}",
        gh.stdout
    );

    let md = staged_check(&env, "markdown");
    no_raw_control_or_bidi("markdown", &md.stdout);
    assert!(md.stdout.contains("&#92;u{202e}"), "{}", md.stdout);

    // JSON carries the exact path (control characters JSON-escaped): it is data.
    let json = env.coord(&["check", "--staged", "--json"]).expect_code(1);
    assert!(!json.stdout.contains('\u{1b}'), "{}", json.stdout);
    assert_eq!(json.json()["violations"][0]["path"], HOSTILE);
}

#[test]
fn a_file_name_with_a_newline_cannot_start_a_workflow_command() {
    let path = "src/x.rs\n::error::pwned";
    let env = env_with_staged(path);
    for format in ["text", "github", "markdown"] {
        let run = staged_check(&env, format);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            ["x.rs\\n", "x.rs%0A", "x.rs&#92;n"]
                .iter()
                .any(|e| all.contains(e)),
            "{format}: {all}"
        );
        for out in [&run.stdout, &run.stderr] {
            for line in out.lines() {
                assert!(
                    !line.starts_with("::error::"),
                    "{format}: {line:?} in {out:?}"
                );
            }
        }
    }
}

/// The issue: `git log coord` showed text reversed by a U+202E in a title. Every message the
/// tool writes carries it escaped; the record keeps the title as given, and lists show it
/// escaped too.
#[test]
fn titles_with_bidi_marks_are_escaped_in_commit_messages_and_lists() {
    let env = TestEnv::initialised();
    let title = "Fix login \u{202e}nimda\u{202c} flow";
    let id = env.add(title, &[]);
    env.coord(&["task", "edit", &id, "--priority", "0"])
        .expect_code(0);
    env.coord(&["claim", &id]).expect_code(0);
    let log = env.git(&["log", "coord", "--format=%B%x00"]);
    no_raw_control_or_bidi("git log coord", &log);
    assert!(
        log.contains("Fix login \\u{202e}nimda\\u{202c} flow"),
        "{log}"
    );
    // The record itself keeps the title exactly; JSON output carries it exactly.
    assert_eq!(env.json(&["task", "show", &id])["title"], title);
    for args in [&["task", "list"][..], &["task", "show", &id], &["ready"]] {
        let run = env.coord(args);
        no_raw_control_or_bidi(&format!("{args:?}"), &run.stdout);
    }
}

/// A claim stored before patterns were checked (`a\nb`, by hand or by an old version) still
/// holds, and the collision error shows it escaped instead of printing a raw newline.
#[test]
fn a_stored_pattern_with_a_newline_is_escaped_in_collision_errors() {
    let env = TestEnv::initialised();
    env.coord(&["own", "docs/**", "--agent", "bob"])
        .expect_code(0);
    let bob = env.show("agents/bob.toml");
    let edited = bob.replace(
        "pattern = \"docs/**\"",
        "pattern = \"src/a\\n::error::x/**\"",
    );
    assert_ne!(bob, edited, "the claim was rewritten: {bob}");
    env.hand_edit(&[("agents/bob.toml", Some(&edited))]);
    let run = env.coord(&["own", "src/**"]).expect_code(3);
    assert!(
        run.stderr.contains("src/a\\n::error::x/**"),
        "the pattern is shown escaped: {}",
        run.stderr
    );
    for line in run.stderr.lines() {
        assert!(!line.starts_with("::error::"), "{}", run.stderr);
    }
}
