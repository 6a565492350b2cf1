//! Bad input never panics: each case exits 2 (or 1/3 where DESIGN.md says so) with a message
//! that names the thing at fault and the fix.

use crate::common::{Run, TestEnv, record};

/// Runs a command that must fail with exit 2 naming `needle`, and checks it wrote nothing.
#[track_caller]
fn refused(env: &TestEnv, args: &[&str], needle: &str) {
    let run = env.refused(args, 2);
    usage_error(&run, needle);
}

#[track_caller]
fn usage_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "expected exit 2:\n{}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "stderr lacks {needle:?}:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn bad_task_fields() {
    let env = TestEnv::initialised();
    refused(&env, &["task", "add", ""], "non-empty title");
    refused(&env, &["task", "add", "   "], "non-empty title");
    refused(&env, &["task", "add", "two\nlines"], "one line");
    refused(
        &env,
        &["task", "add", "x", "--priority", "4"],
        "--priority: 4 is out of range",
    );
    refused(
        &env,
        &["task", "add", "x", "--priority", "-1"],
        "--priority: -1 is out of range",
    );
    refused(
        &env,
        &["task", "add", "x", "--priority", "high"],
        "invalid value",
    );
    refused(
        &env,
        &["task", "add", "x", "--estimate", "6x"],
        "--estimate",
    );
    refused(
        &env,
        &["task", "add", "x", "--estimate", "-2h"],
        "--estimate",
    );
    refused(&env, &["task", "add", "x", "--due", "someday"], "--due");
    refused(
        &env,
        &["task", "add", "x", "--after", "t-nothere"],
        "no task matches",
    );
    refused(&env, &["task", "add", "x", "--owns", ""], "--owns");
    refused(
        &env,
        &["task", "add", "x", "--body-file", "/no/such/file"],
        "--body-file",
    );
    refused(
        &env,
        &["task", "list", "--status", "doing"],
        "unknown status",
    );
    // Nothing was written by any of them.
    assert_eq!(env.coord_commits(), 1);
}

#[test]
fn unknown_and_path_like_ids() {
    let env = TestEnv::initialised();
    env.add("Real", &[]);
    refused(&env, &["task", "show", "t-zzzzzz"], "no task matches");
    refused(&env, &["claim", "t-zzzzzz"], "no task matches");
    for bad in [
        "../../etc/passwd",
        "t-../x",
        "tasks/ab",
        "T-ABCDEF",
        "t-ab cd",
    ] {
        refused(&env, &["task", "show", bad], "is not a task ID");
        refused(&env, &["claim", bad], "is not a task ID");
    }
    for bad in ["../evil", "a/b", "Alice", "-x", "a.b"] {
        let run = env.coord(&["--agent", bad, "task", "add", "x"]);
        usage_error(&run, "not a valid agent name");
    }
    let run = env
        .coord_cmd(&env.repo)
        .env("COORD_AGENT", "../x")
        .args(["task", "add", "x"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("$COORD_AGENT is invalid"));
    // Nothing escaped into the repository or the filesystem.
    assert!(!env.root.join("evil").exists());
    assert_eq!(env.coord_commits(), 2);
}

#[test]
fn no_coordination_branch_says_run_init() {
    let env = TestEnv::new();
    for args in [
        vec!["task", "list"],
        vec!["--agent", "a", "task", "add", "x"],
        vec!["task", "show", "t-abcdef"],
        vec!["--agent", "a", "claim", "t-abcdef"],
        vec!["doctor"],
    ] {
        let run = env.coord(&args);
        usage_error(&run, "no coordination branch");
        assert!(run.stderr.contains("git coord init"), "{}", run.stderr);
    }
}

#[test]
fn not_a_repository_and_missing_directory() {
    let env = TestEnv::new();
    let outside = env.root.join("plain");
    std::fs::create_dir_all(&outside).unwrap();
    usage_error(
        &env.coord_in(&outside, &["task", "list"]),
        "not inside a git repository",
    );
    refused(
        &env,
        &["-C", "/no/such/dir", "task", "list"],
        "cannot use -C /no/such/dir",
    );
}

#[test]
fn writes_need_an_agent() {
    let env = TestEnv::new();
    env.coord(&["init"]).expect_code(0);
    let run = env.coord(&["task", "add", "x"]);
    usage_error(&run, "no agent is set");
    assert!(run.stderr.contains("coord.agent"), "{}", run.stderr);
    refused(&env, &["whoami"], "no agent is set");
}

#[test]
fn broken_record_is_named_and_the_rest_still_work() {
    let env = TestEnv::initialised();
    let good = env.add("Good task", &[]);
    let bad_path = "tasks/zz/t-zzzzzz.md";
    let broken = record("t-zzzzzz", "Broken", "").replace("priority = 2", "priority = \"high\"");
    let no_fence = "id = \"t-yyyyyy\"\n";
    let bad_toml = "+++\nid = \"t-xxxxxx\"\ntitle = oops\n+++\n";
    let bad_status = record("t-wwwwww", "Odd", "").replace("\"todo\"", "\"doing\"");
    env.hand_edit(&[
        (bad_path, Some(&broken)),
        ("tasks/yy/t-yyyyyy.md", Some(no_fence)),
        ("tasks/xx/t-xxxxxx.md", Some(bad_toml)),
        ("tasks/ww/t-wwwwww.md", Some(&bad_status)),
    ]);

    let list = env.coord(&["task", "list", "--json"]).expect_code(0);
    let tasks = list.json();
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(tasks[0]["id"], good.as_str());
    assert!(
        list.stderr
            .contains("tasks/zz/t-zzzzzz.md:5: `priority` must be an integer"),
        "{}",
        list.stderr
    );
    assert!(
        list.stderr.contains("tasks/yy/t-yyyyyy.md:1:"),
        "{}",
        list.stderr
    );
    assert!(
        list.stderr.contains("tasks/xx/t-xxxxxx.md:3: invalid TOML"),
        "{}",
        list.stderr
    );
    assert!(
        list.stderr
            .contains("tasks/ww/t-wwwwww.md:4: unknown status \"doing\""),
        "{}",
        list.stderr
    );

    // Other records still work; the broken one fails naming file and line.
    assert_eq!(env.json(&["task", "show", &good])["title"], "Good task");
    env.coord(&["claim", &good]).expect_code(0);
    refused(
        &env,
        &["task", "show", "t-zzzzzz"],
        "tasks/zz/t-zzzzzz.md:5",
    );
    refused(&env, &["claim", "t-zzzzzz"], "tasks/zz/t-zzzzzz.md:5");

    // doctor lists every problem and exits 2.
    let doctor = env.coord(&["doctor", "--json"]).expect_code(2);
    let report = doctor.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["problems"].as_array().unwrap().len(), 4, "{report}");
}

#[test]
fn doctor_finds_dangling_dependencies_and_cycles() {
    let env = TestEnv::initialised();
    env.coord(&["doctor"]).expect_code(0);
    env.hand_edit(&[
        (
            "tasks/aa/t-aaaaaa.md",
            Some(&record("t-aaaaaa", "A", "depends_on = [\"t-bbbbbb\"]\n")),
        ),
        (
            "tasks/bb/t-bbbbbb.md",
            Some(&record("t-bbbbbb", "B", "depends_on = [\"t-aaaaaa\"]\n")),
        ),
        (
            "tasks/cc/t-cccccc.md",
            Some(&record("t-cccccc", "C", "depends_on = [\"t-gone00\"]\n")),
        ),
        (
            "tasks/dd/t-dddddd.md",
            Some(&record("t-eeeeee", "Misplaced", "")),
        ),
    ]);
    let run = env.coord(&["doctor"]).expect_code(2);
    assert!(
        run.stdout.contains("dependency cycle: t-aaaaaa → t-bbbbbb"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("t-cccccc depends on t-gone00, which does not exist"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("does not match its file name"),
        "{}",
        run.stdout
    );
    // A cycle never hangs a claim: the tasks are simply not ready.
    env.coord(&["claim", "t-aaaaaa"]).expect_code(1);
}

#[test]
fn unknown_command_and_missing_arguments_are_usage_errors() {
    let env = TestEnv::initialised();
    env.coord(&["frobnicate"]).expect_code(2);
    env.coord(&["task", "add"]).expect_code(2);
    env.coord(&["block", "t-abcdef"]).expect_code(2);
    let help = env.coord(&[]);
    assert_eq!(help.code, 2);
    assert!(help.stderr.contains("Usage"), "{}", help.stderr);
}

#[test]
fn malformed_clock_override_is_refused() {
    let mut env = TestEnv::initialised();
    env.now = Some("yesterday".to_owned());
    refused(&env, &["task", "list"], "GIT_COORD_NOW");
}

#[test]
fn every_command_has_help_with_an_example() {
    let env = TestEnv::new();
    let commands: &[&[&str]] = &[
        &["init"],
        &["task", "add"],
        &["task", "list"],
        &["task", "show"],
        &["task", "edit"],
        &["task", "dep", "add"],
        &["claim"],
        &["release"],
        &["start"],
        &["review"],
        &["block"],
        &["unblock"],
        &["cancel"],
        &["done"],
        &["whoami"],
        &["doctor"],
        &["demo"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let run = env.coord(&args).expect_code(0);
        assert!(
            run.stdout.contains("Example"),
            "{c:?} --help has no example:\n{}",
            run.stdout
        );
    }
}
