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
