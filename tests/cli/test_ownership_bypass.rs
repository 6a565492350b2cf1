//! Ways around file ownership (issue 10), each reproduced exactly: paths git quotes, trailers
//! naming another agent, claims made after the commit, and agent records that cannot be read.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::TestEnv;

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
    env.add_origin("main");
    env
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
    env.commit_unverified("alice edits bob's files");
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
    env.install_hooks();
    // Exactly the case: alice changes bob's src/café.rs and pushes.
    write(&env, &env.repo, &["src/café.rs"], "alice\n");
    env.commit_unverified("alice edits café");
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
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
    env.commit_unverified("alice edits the rest");
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
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
        env.commit_unverified(agent);
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

/// Commits as the user would, with the committer date given (`None`: now).
fn commit_at(env: &TestEnv, message: &str, date: Option<&str>) -> String {
    let mut cmd = env.git_cmd(&env.repo);
    cmd.args(["commit", "-q", "--no-verify", "-m", message]);
    if let Some(date) = date {
        cmd.env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_DATE", date);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.git(&["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn a_trailer_naming_another_agent_grants_none_of_its_rights() {
    let env = with_origin(&["src/pool.rs"]);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    env.install_hooks();
    // alice (this worktree's agent) writes bob's name into her commit.
    write(&env, &env.repo, &["src/pool.rs"], "alice\n");
    let spoof = commit_at(&env, "harmless\n\nCoord-Agent: bob", None);
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    let report = run.json();
    let v = &report["violations"][0];
    assert_eq!(v["commit"], spoof.as_str(), "{report}");
    assert_eq!(v["holder"], "bob");
    assert_eq!(v["by"], "alice");
    assert_eq!(v["via"], "acting");
    assert_eq!(v["named"], "bob");
    assert_eq!(
        report["commits"][0]["judged_as"],
        serde_json::json!([
            {"agent": "alice", "via": "acting"},
            {"agent": "bob", "via": "trailer"}
        ])
    );
    let text = env
        .coord(&["check", "--range", "origin/main..HEAD"])
        .expect_code(1);
    assert!(
        text.stderr
            .contains("alice may not change it (the commit names bob, which grants no rights"),
        "{}",
        text.stderr
    );
    // The pre-push hook (alice pushing) blocks it.
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success(), "the spoofed commit was pushed");
    assert!(String::from_utf8_lossy(&pushed.stderr).contains("src/pool.rs is held by bob"));

    // A note naming bob (written by hand) is no better than a trailer.
    env.git(&["reset", "-q", "--hard", "origin/main"]);
    write(&env, &env.repo, &["src/pool.rs"], "alice again\n");
    commit_at(&env, "no trailer", None);
    env.git(&[
        "notes",
        "--ref",
        "coord",
        "add",
        "-f",
        "-m",
        "agent: bob",
        "HEAD",
    ]);
    let report = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(report["violations"][0]["by"], "alice", "{report}");
    assert_eq!(report["commits"][0]["judged_as"][1]["via"], "note");

    // A PR bot has no acting agent: the name stands, and the output says it was only claimed.
    env.git(&["config", "--unset", "coord.agent"]);
    let bot = env
        .coord(&["check", "--range", "origin/main..HEAD"])
        .expect_code(0);
    assert!(
        bot.stderr.contains(
            "judged as bob (claimed by its refs/notes/coord note); unverified: no acting agent"
        ),
        "{}",
        bot.stderr
    );
    let md = env
        .coord(&[
            "check",
            "--range",
            "origin/main..HEAD",
            "--format",
            "markdown",
        ])
        .expect_code(0);
    assert!(
        md.stdout.contains("unverified: no acting agent"),
        "{}",
        md.stdout
    );
    let gh = env
        .coord(&[
            "check",
            "--range",
            "origin/main..HEAD",
            "--format",
            "github",
        ])
        .expect_code(0);
    assert!(
        gh.stdout
            .starts_with("::notice title=git coord ownership::commit "),
        "{}",
        gh.stdout
    );
    // ... unless the commit sits on another agent's registered branch: judged as that agent too.
    env.coord(&[
        "--agent",
        "alice",
        "agent",
        "add",
        "alice",
        "--branch",
        "agent/alice",
    ])
    .expect_code(0);
    env.git(&["branch", "agent/alice", "HEAD"]);
    let bot = env
        .coord(&["check", "--range", "origin/main..agent/alice", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(bot["violations"][0]["by"], "alice", "{bot}");
    assert_eq!(bot["violations"][0]["via"], "branch", "{bot}");
}

#[test]
fn a_commit_made_before_the_claim_passes_with_a_warning_and_one_made_after_is_blocked() {
    let mut env = TestEnv::new();
    env.git(&["config", "coord.agent", "alice"]);
    env.now = Some("2025-06-01T10:00:00Z".to_owned());
    env.coord(&["init"]).expect_code(0);
    write(&env, &env.repo, &["src/pool.rs"], "v1\n");
    commit_at(&env, "files", Some("2025-06-01T10:30:00+00:00"));
    env.add_origin("main");
    env.install_hooks();

    // alice changes src/pool.rs at 11:00; bob claims src/** at 12:00; alice pushes later.
    write(&env, &env.repo, &["src/pool.rs"], "alice\n");
    let before = commit_at(&env, "alice's work", Some("2025-06-01T11:00:00+00:00"));
    env.now = Some("2025-06-01T12:00:00Z".to_owned());
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    let report = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(report["warnings"][0]["kind"], "claimed_later", "{report}");
    assert_eq!(report["warnings"][0]["holder"], "bob");
    assert_eq!(report["warnings"][0]["commit"], before.as_str());
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(pushed.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "src/pool.rs is held by bob (src/**) since 2025-06-01T12:00:00Z, claimed after commit"
        ),
        "{stderr}"
    );
    assert_eq!(
        env.git(&["rev-parse", "origin/main"]).trim(),
        before,
        "the push went through"
    );

    // The same change made after the claim is blocked.
    write(&env, &env.repo, &["src/pool.rs"], "alice, later\n");
    commit_at(
        &env,
        "more of alice's work",
        Some("2025-06-01T13:00:00+00:00"),
    );
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(!pushed.status.success(), "{stderr}");
    assert!(stderr.contains("src/pool.rs is held by bob"), "{stderr}");
    assert_eq!(env.git(&["rev-parse", "origin/main"]).trim(), before);

    // A user's first push of older history, to a new branch: judged the same way.
    env.git(&["reset", "-q", "--hard", &before]);
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main:old-work"]);
    assert!(
        pushed.status.success(),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );
}

/// bob's record after a hand edit gone wrong: invalid TOML on line `line`.
fn break_record(env: &TestEnv, agent: &str) -> usize {
    let path = format!("agents/{agent}.toml");
    let text = env.show(&path);
    let (n, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("status"))
        .expect("a status line");
    let broken: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == n {
                "status = \"active\n".to_owned()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    env.hand_edit(&[(&path, Some(&broken))]);
    n + 1
}

#[test]
fn claims_of_an_unreadable_agent_record_stay_in_force_with_a_warning() {
    let env = TestEnv::initialised();
    write(&env, &env.repo, &["src/pool.rs", "lib/x.rs"], "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    env.coord(&["--agent", "a7", "own", "src/**", "lib/**"])
        .expect_code(0);
    let line = break_record(&env, "a7");
    let at = format!("agents/a7.toml:{line}");

    // owners: still a7's, marked as read from an unreadable record.
    let run = env
        .coord(&["owners", "src/pool.rs", "--json"])
        .expect_code(0);
    let owners = run.json();
    assert_eq!(owners[0]["holders"][0]["agent"], "a7", "{owners}");
    assert_eq!(owners[0]["holders"][0]["unreadable"], "agents/a7.toml");
    assert!(run.stderr.contains(&at), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("its claims stay in force: src/**, lib/**"),
        "{}",
        run.stderr
    );
    let text = env.coord(&["owners", "src/pool.rs"]).expect_code(0);
    assert!(
        text.stdout.contains("agents/a7.toml (unreadable)"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("unowned"), "{}", text.stdout);

    // check --staged blocks alice's change to a7's file.
    write(&env, &env.repo, &["src/pool.rs"], "alice\n");
    let check = env.coord(&["check", "--staged"]).expect_code(1);
    assert!(
        check.stderr.contains("src/pool.rs is held by a7"),
        "{}",
        check.stderr
    );
    assert!(check.stderr.contains(&at), "{}", check.stderr);
    // ... and a second run, from the claims cache, still warns.
    let again = env.coord(&["check", "--staged"]).expect_code(1);
    assert!(again.stderr.contains(&at), "{}", again.stderr);

    // alice cannot own an overlapping pattern; nothing is written.
    let commits = env.coord_commits();
    let own = env.coord(&["own", "lib/x.rs"]).expect_code(3);
    assert!(own.stderr.contains("held by a7"), "{}", own.stderr);
    assert!(own.stderr.contains(&at), "{}", own.stderr);
    assert_eq!(env.coord_commits(), commits);
    // A disjoint pattern still works, with the warning.
    let ok = env.coord(&["own", "docs/**"]).expect_code(0);
    assert!(ok.stderr.contains(&at), "{}", ok.stderr);

    // check --range too.
    env.commit_unverified("alice edits a7's file");
    let range = env
        .coord(&["check", "--range", "HEAD~1..HEAD"])
        .expect_code(1);
    assert!(range.stderr.contains(&at), "{}", range.stderr);

    // doctor reports the file.
    let doctor = env.coord(&["doctor"]).expect_code(2);
    assert!(
        format!("{}{}", doctor.stdout, doctor.stderr).contains("agents/a7.toml"),
        "{doctor:?}"
    );
}

#[test]
fn an_agent_record_with_nothing_readable_is_reported_on_every_claim_check() {
    let env = TestEnv::initialised();
    write(&env, &env.repo, &["src/pool.rs"], "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    env.coord(&["--agent", "a7", "own", "src/**"])
        .expect_code(0);
    env.hand_edit(&[("agents/a7.toml", Some("\u{1}\u{2} not a record at all\n"))]);
    write(&env, &env.repo, &["src/pool.rs"], "alice\n");
    for args in [
        &["owners", "src/pool.rs"][..],
        &["check", "--staged"][..],
        &["own", "docs/**"][..],
    ] {
        let run = env.coord(args);
        assert!(
            run.stderr.contains("agents/a7.toml:1")
                && run.stderr.contains("files a7 holds are NOT protected"),
            "{args:?}: {}",
            run.stderr
        );
    }
    env.coord(&["doctor"]).expect_code(2);
}

#[test]
fn a_pr_bot_judges_a_commit_without_any_name_as_holding_nothing() {
    let env = with_origin(&["src/pool.rs"]);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    // No trailer, no note, no registered branch, and (as in CI) no acting agent.
    env.git(&["config", "--unset", "coord.agent"]);
    write(&env, &env.repo, &["src/pool.rs"], "someone\n");
    commit_at(&env, "trailer removed", None);
    let report = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(report["violations"][0]["holder"], "bob", "{report}");
    assert_eq!(report["violations"][0]["via"], "unattributed", "{report}");
}
