//! Ways around file ownership (issue 10), each reproduced exactly: paths git quotes, trailers
//! naming another agent, claims made after the commit, and agent records that cannot be read.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{BIN, TestEnv, isolate};

/// Names git quotes or escapes in its default output: non-ASCII, `"`, `\`, newline, tab, space.
const HOSTILE: [&str; 6] = [
    "src/café.rs",
    "src/q\"uote.rs",
    "src/back\\slash.rs",
    "src/new\nline.rs",
    "src/tab\there.rs",
    "src/with space.rs",
];

fn write(env: &TestEnv, dir: &Path, files: &[&str], text: &str) {
    for f in files {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        // `--` and a literal pathspec: the names contain glob and quote characters.
        env.git_in(dir, &["--literal-pathspecs", "add", "--", f]);
    }
}

/// A repository whose `main` holds `files`, pushed to a bare `origin`.
fn with_origin(files: &[&str]) -> TestEnv {
    let env = TestEnv::initialised();
    write(&env, &env.repo, files, "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    let bare = env.root.join("remote.git");
    env.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    env.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    env.git(&["push", "-q", "origin", "main"]);
    env
}

/// Runs git with the git-coord binary on PATH, so installed hooks find it.
fn git_with_coord(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    #[allow(clippy::disallowed_methods)] // extends the real PATH so hooks find git-coord
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("git");
    isolate(&mut cmd, env.home());
    cmd.current_dir(&env.repo)
        .env("PATH", path)
        .args(args)
        .output()
        .unwrap()
}

fn paths(findings: &Value) -> BTreeSet<String> {
    findings
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {findings}"))
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The mixed commit: 13 paths, ordinary and hostile, of which 4 vanished on `main`.
fn thirteen() -> Vec<&'static str> {
    let mut all = vec![
        "src/a.rs",
        "src/b.rs",
        "src/mod.rs",
        "src/deep/c.rs",
        "src/deep/d.rs",
        "src/e.txt",
        "src/f-g.rs",
    ];
    all.extend(HOSTILE);
    all
}

#[test]
fn range_check_judges_every_path_of_a_mixed_commit_with_quoted_names() {
    let files = thirteen();
    let env = with_origin(&files);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    write(&env, &env.repo, &files, "alice\n");
    env.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "alice edits bob's files",
    ]);
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    let report = run.json();
    assert_eq!(paths(&report["violations"]), set(&files), "{report}");
    assert_eq!(report["checked"], 13, "{report}");
}

#[test]
fn pre_push_hook_blocks_a_change_to_another_agents_non_ascii_file() {
    let env = with_origin(&HOSTILE);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    env.coord(&["hooks", "install"]).expect_code(0);
    // Exactly the case: alice changes bob's src/café.rs and pushes.
    write(&env, &env.repo, &["src/café.rs"], "alice\n");
    env.git(&["commit", "-q", "--no-verify", "-m", "alice edits café"]);
    let pushed = git_with_coord(&env, &["push", "-q", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(!pushed.status.success(), "the push went through: {stderr}");
    assert!(stderr.contains("src/café.rs is held by bob"), "{stderr}");
    assert_eq!(
        env.git(&["rev-parse", "origin/main"]),
        env.git(&["rev-parse", "HEAD~1"]),
        "nothing reached the remote"
    );

    // Every other hostile name is caught by the hook too.
    write(&env, &env.repo, &HOSTILE[1..], "alice\n");
    env.git(&["commit", "-q", "--no-verify", "-m", "alice edits the rest"]);
    let pushed = git_with_coord(&env, &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success());
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(
        stderr.contains("6 violation(s)") || stderr.matches("is held by bob").count() >= 6,
        "{stderr}"
    );
}

#[test]
fn branches_check_reads_quoted_names_whatever_the_diff_config() {
    let env = TestEnv::initialised();
    let lines: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    write(&env, &env.repo, &HOSTILE, &lines);
    env.git(&["commit", "-q", "-m", "base"]);
    // The user's diff config that broke header parsing.
    for (key, value) in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("core.quotePath", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.relative", "true"),
        ("diff.interHunkContext", "30"),
        ("diff.external", "false"),
    ] {
        env.git(&["config", key, value]);
    }
    let edit = |branch: &str, agent: &str, line: usize| {
        env.git(&["checkout", "-q", "-b", branch, "main"]);
        let changed: String = (1..=20)
            .map(|i| {
                if i == line {
                    format!("{agent}'s line {i}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect();
        write(&env, &env.repo, &HOSTILE, &changed);
        env.git(&["commit", "-q", "--no-verify", "-m", agent]);
        env.git(&["checkout", "-q", "main"]);
        env.coord(&["agent", "add", agent, "--branch", branch])
            .expect_code(0);
    };
    edit("agent/a", "a", 5);
    edit("agent/b", "b", 5);
    edit("agent/c", "c", 15);
    let run = env.coord(&["check", "--branches", "--json"]).expect_code(1);
    let overlaps = run.json()["overlaps"].clone();
    for (x, y, conflict) in [("a", "b", true), ("a", "c", false), ("b", "c", false)] {
        let found: BTreeSet<String> = overlaps
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["agents"] == serde_json::json!([x, y]))
            .inspect(|o| assert_eq!(o["conflict"], conflict, "{x}/{y}: {o}"))
            .map(|o| o["path"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(found, set(&HOSTILE), "{x}/{y}: {overlaps}");
    }
}
