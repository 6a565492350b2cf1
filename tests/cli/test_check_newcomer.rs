//! What a new user hit with `check` and `own` (issue 11): an unknown `--range` reference
//! reported as such (never as an internal git command line), `check --branches` in a
//! repository whose default branch is not `main`, `own` warning about baseline owners, and
//! errors that name the argument as the user typed it.

use serde_json::Value;

use crate::common::TestEnv;

/// Text that only an internal git command line contains.
const INTERNAL: [&str; 5] = ["git log", "--format", "%x1e", "--reverse", "--no-abbrev"];

#[track_caller]
fn assert_no_command_line(text: &str) {
    for fragment in INTERNAL {
        assert!(
            !text.contains(fragment),
            "an internal git command line leaked ({fragment:?}):\n{text}"
        );
    }
}

fn error_json(stderr: &str) -> Value {
    serde_json::from_str(stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not one JSON object ({e}):\n{stderr}"))
}

fn write(env: &TestEnv, files: &[&str], text: &str) {
    for f in files {
        let p = env.repo.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        env.git(&["add", "--", f]);
    }
}

#[test]
fn range_with_an_unknown_ref_names_the_ref_not_a_git_command_line() {
    let env = TestEnv::initialised();
    // Exactly the case: the README's range in a repository with no origin.
    let run = env.refused(&["check", "--range", "origin/main..HEAD"], 2);
    assert_no_command_line(&run.stderr);
    assert!(
        run.stderr.contains(
            "error: --range \"origin/main..HEAD\": \"origin/main\" is not a branch, tag or commit here"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("no remote named \"origin\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git branch -a"), "{}", run.stderr);

    // With an origin that was never fetched, the fix is to fetch it.
    env.add_empty_origin();
    let run = env.refused(&["--json", "check", "--range", "origin/main..HEAD"], 2);
    assert_no_command_line(&run.stderr);
    let err = error_json(&run.stderr);
    assert_eq!(err["error"]["details"]["unknown"], "origin/main", "{err}");
    assert_eq!(
        err["error"]["details"]["range"], "origin/main..HEAD",
        "{err}"
    );
    let hints = err["error"]["hints"].to_string();
    assert!(hints.contains("git fetch origin"), "{hints}");

    // Either side of a range, and a single revision, are named as typed.
    let run = env.refused(&["check", "--range", "HEAD..agent/nobody"], 2);
    assert_no_command_line(&run.stderr);
    assert!(
        run.stderr.contains("\"agent/nobody\" is not a branch"),
        "{}",
        run.stderr
    );
    let run = env.refused(&["check", "--range", "v9.9"], 2);
    assert!(
        run.stderr
            .contains("\"v9.9\" is not a branch, tag or commit"),
        "{}",
        run.stderr
    );

    // Once fetched, the same range is checked.
    env.git(&["push", "-q", "origin", "main"]);
    env.coord(&["check", "--range", "origin/main..HEAD"])
        .expect_code(0);
    env.coord(&["check", "--range", "HEAD^!"]).expect_code(0);
}

#[test]
fn pre_push_over_a_remote_tip_not_fetched_yet_checks_instead_of_failing() {
    let env = TestEnv::initialised();
    write(&env, &["src/a.rs", "lib/b.rs"], "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    let bare = env.add_origin("main");
    // Someone else pushes to origin/main; this repository does not fetch it.
    let other = env.root.join("other");
    env.git(&[
        "clone",
        "-q",
        "-b",
        "main",
        bare.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    env.git_in(&other, &["config", "user.name", "Other"]);
    env.git_in(&other, &["config", "user.email", "other@example.com"]);
    std::fs::write(other.join("theirs.txt"), "x\n").unwrap();
    env.git_in(&other, &["add", "theirs.txt"]);
    env.git_in(&other, &["commit", "-q", "-m", "theirs"]);
    env.git_in(&other, &["push", "-q", "origin", "main"]);
    let theirs = env.git_in(&other, &["rev-parse", "HEAD"]);

    env.coord(&["--agent", "bob", "own", "lib/**"])
        .expect_code(0);
    env.install_hooks();
    write(&env, &["src/a.rs"], "alice\n");
    env.commit_unverified("alice's own change");
    // git hands the hook the remote's tip, which is not here: the push is judged, not broken.
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "--force", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert_no_command_line(&stderr);
    assert!(
        pushed.status.success(),
        "a clean push was refused: {stderr}"
    );
    assert_eq!(
        env.git(&["rev-parse", "HEAD"]),
        env.git_in(&bare, &["rev-parse", "main"])
    );

    // And what the unfetched tip hides is still checked: bob's files stay bob's.
    env.git_in(
        &other,
        &[
            "push",
            "-q",
            "--force",
            "origin",
            &format!("{}:main", theirs.trim()),
        ],
    );
    write(&env, &["lib/b.rs"], "alice\n");
    env.commit_unverified("alice edits bob's file");
    let pushed = env.git_hooked(&env.repo, &["push", "-q", "--force", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert_no_command_line(&stderr);
    assert!(!pushed.status.success(), "the push went through: {stderr}");
    assert!(stderr.contains("lib/b.rs is held by bob"), "{stderr}");
    assert_eq!(env.git_in(&bare, &["rev-parse", "main"]), theirs);
}

/// Two registered agents whose branches (from `base`) change the same line of `shared.txt`.
fn colliding_agents(env: &TestEnv, base: &str) {
    let lines: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    for agent in ["a", "b"] {
        let branch = format!("agent/{agent}");
        env.git(&["checkout", "-q", "-b", &branch, base]);
        write(
            env,
            &["shared.txt"],
            &lines.replace("line 5\n", &format!("{agent}\n")),
        );
        env.commit_unverified(agent);
        env.git(&["checkout", "-q", base]);
        env.coord(&["agent", "add", agent, "--branch", &branch])
            .expect_code(0);
    }
}

/// A repository whose only branch is `name` (renamed from `main`), with `shared.txt`.
fn on_branch(name: &str) -> TestEnv {
    let env = TestEnv::initialised();
    env.git(&["branch", "-m", "main", name]);
    let lines: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    write(&env, &["shared.txt"], &lines);
    env.git(&["commit", "-q", "-m", "shared"]);
    env
}

#[test]
fn branches_in_a_master_repository_compare_against_master() {
    let env = on_branch("master");
    colliding_agents(&env, "master");
    // Exactly the case: no --target, default branch master.
    let run = env.coord(&["check", "--branches", "--json"]).expect_code(1);
    let report = run.json();
    assert_eq!(report["target"], "master", "{report}");
    assert_eq!(report["overlaps"][0]["path"], "shared.txt", "{report}");
    assert_eq!(report["overlaps"][0]["conflict"], true, "{report}");
    assert!(!run.stderr.contains("is not a branch"), "{}", run.stderr);
    // --target still overrides, and a wrong one is still named.
    let run = env.refused(&["check", "--branches", "--target", "main"], 2);
    assert!(
        run.stderr.contains("--target \"main\" is not a branch"),
        "{}",
        run.stderr
    );
}

#[test]
fn branches_follow_the_remote_head_then_init_default_branch() {
    let env = on_branch("trunk");
    // A stale local `main` that is not where work is merged.
    env.git(&["branch", "main", "HEAD~1"]);
    env.add_origin("trunk");
    env.git(&["remote", "set-head", "origin", "trunk"]);
    colliding_agents(&env, "trunk");
    let report = env
        .coord(&["check", "--branches", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(report["target"], "trunk", "{report}");

    // Without a local trunk, origin's.
    env.git(&["checkout", "-q", "--detach"]);
    env.git(&["branch", "-D", "trunk"]);
    let report = env
        .coord(&["check", "--branches", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(report["target"], "origin/trunk", "{report}");

    // init.defaultBranch comes first, and --target overrides everything.
    env.git(&["config", "init.defaultBranch", "main"]);
    let report = env
        .coord(&["check", "--branches", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(report["target"], "main", "{report}");
    let report = env
        .coord(&["check", "--branches", "--json", "--target", "origin/trunk"])
        .expect_code(1)
        .json();
    assert_eq!(report["target"], "origin/trunk", "{report}");
}

#[test]
fn branches_with_no_default_branch_ask_for_target() {
    let env = on_branch("dev");
    let run = env.refused(&["check", "--branches"], 2);
    assert!(run.stderr.contains("--target <BRANCH>"), "{}", run.stderr);
    assert!(run.stderr.contains("init.defaultBranch"), "{}", run.stderr);
    env.coord(&["check", "--branches", "--target", "dev"])
        .expect_code(0);
}

#[test]
fn own_warns_when_codeowners_gives_the_files_to_someone_else() {
    let env = TestEnv::initialised();
    write(
        &env,
        &[".github/CODEOWNERS"],
        "# owners\n* @org/everyone\n/src/ @alice\n/src/api/ @org/api-team\n",
    );
    write(
        &env,
        &["src/main.rs", "src/api/mod.rs", "docs/a.md"],
        "v1\n",
    );
    env.git(&["commit", "-q", "-m", "files"]);

    // The team owns src/api/ (line 4); the catch-all on line 2 is overridden everywhere in src/.
    let run = env.coord(&["own", "src/**"]).expect_code(0);
    assert!(
        run.stderr.contains(
            "warning: src/** covers files the baseline gives to @org/api-team: .github/CODEOWNERS:4 `/src/api/` (e.g. src/api/mod.rs)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    // The claim is taken all the same (a lease, not a refusal).
    assert!(
        env.show("agents/alice.toml")
            .contains("pattern = \"src/**\"")
    );

    // Where the baseline owner is the claiming agent (`@alice`), nothing to warn about.
    let run = env.coord(&["own", "src/main.rs"]).expect_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // JSON callers get the rule too.
    let run = env.coord(&["--json", "own", "docs/**"]).expect_code(0);
    let owned = run.json();
    let rule = &owned["baseline"][0];
    assert_eq!(rule["source"], ".github/CODEOWNERS", "{owned}");
    assert_eq!(rule["line"], 2, "{owned}");
    assert_eq!(rule["pattern"], "*", "{owned}");
    assert_eq!(
        rule["owners"],
        serde_json::json!(["@org/everyone"]),
        "{owned}"
    );
    assert_eq!(
        rule["examples"],
        serde_json::json!(["docs/a.md"]),
        "{owned}"
    );
    assert!(
        run.stderr.contains(".github/CODEOWNERS:2"),
        "{}",
        run.stderr
    );
}

#[test]
fn own_warns_when_owners_toml_gives_the_files_to_another_agent() {
    let env = TestEnv::initialised();
    write(
        &env,
        &[".coord/owners.toml"],
        "# who owns what\n\n[[rule]]\npattern = \"src/**\"\nowners = [\"state\"]\n\n[[rule]]\npattern = \"docs/**\"\nowners = [\"alice\"]\n",
    );
    write(&env, &["src/pool.rs", "docs/guide.md"], "v1\n");
    env.git(&["commit", "-q", "-m", "policy"]);

    // Claiming state's files: taken, with a warning naming the rule, its file and line.
    let run = env.coord(&["own", "src/pool.rs"]).expect_code(0);
    assert!(
        run.stderr.contains(
            "warning: src/pool.rs covers files the baseline gives to state: .coord/owners.toml:3 `src/**` (e.g. src/pool.rs)"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("temporary lease"), "{}", run.stderr);
    // A pattern that only could match state's files warns too (decided on the patterns).
    let run = env.coord(&["own", "src/new/*.rs"]).expect_code(0);
    assert!(
        run.stderr
            .contains(".coord/owners.toml:3 `src/**` (e.g. src/new/"),
        "{}",
        run.stderr
    );
    // No warning for the agent the baseline names, nor for files it gives nobody.
    let run = env.coord(&["own", "docs/**", "/README.md"]).expect_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let run = env
        .coord(&["--agent", "state", "own", "src/**"])
        .expect_code(3);
    assert!(!run.stderr.contains("baseline"), "{}", run.stderr);
    // `owners` names the same line.
    let owners = env.json(&["owners", "src/pool.rs"]);
    assert_eq!(owners[0]["baseline"]["line"], 3, "{owners}");
}

#[test]
fn own_and_disown_errors_name_the_argument_as_typed() {
    let env = TestEnv::initialised();
    // Exactly the case: `own '['` named `--pattern`, a flag that does not exist.
    let run = env.refused(&["own", "["], 2);
    assert!(!run.stderr.contains("--pattern"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: <GLOB>: invalid ownership pattern \"[\""),
        "{}",
        run.stderr
    );
    // The placeholder is the one usage shows.
    let usage = env.coord(&["own"]).expect_code(2).stderr;
    assert!(usage.contains("<GLOB>"), "{usage}");
    let run = env.refused(&["--json", "own", "src/ok.rs", "!neg"], 2);
    let err = error_json(&run.stderr);
    assert_eq!(err["error"]["details"]["argument"], "<GLOB>", "{err}");
    assert_eq!(err["error"]["details"]["given"], "!neg", "{err}");
    assert!(!run.stderr.contains("--pattern"), "{}", run.stderr);

    let run = env.refused(&["disown"], 2);
    assert!(run.stderr.contains("<GLOB>"), "{}", run.stderr);
    assert!(run.stderr.contains("--all"), "{}", run.stderr);
    // check names its flags as typed too.
    let run = env.refused(&["check", "--range=-x"], 2);
    assert!(run.stderr.contains("--range \"-x\""), "{}", run.stderr);
}
