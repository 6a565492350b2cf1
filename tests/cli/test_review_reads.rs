//! Holes a hostile review found in how pushed and checked commits are read (issue 10, review
//! findings 1, 2, 3, 7, 8, 10, 13, 14, 16, 17), each reproduced exactly as reported.

use std::path::Path;

use crate::common::TestEnv;

/// The review's setup: `main` holds src/alice.rs, src/bob.rs and src/common.rs, pushed to a
/// bare `origin`; bob owns src/bob.rs, alice owns src/alice.rs, hooks installed, the acting
/// agent is alice.
fn setup() -> TestEnv {
    let env = TestEnv::initialised();
    env.stage("src/alice.rs", "a\n");
    env.stage("src/bob.rs", "b1\nb2\nb3\n");
    env.stage("src/common.rs", "c\n");
    env.git(&["commit", "-q", "-m", "files"]);
    env.add_origin("main");
    env.coord(&["--agent", "bob", "own", "src/bob.rs"])
        .expect_code(0);
    env.coord(&["--agent", "alice", "own", "src/alice.rs"])
        .expect_code(0);
    env.install_hooks();
    env
}

fn push(env: &TestEnv, args: &[&str]) -> (bool, String) {
    let mut all = vec!["push", "-q"];
    all.extend_from_slice(args);
    let out = env.git_hooked(&env.repo, &all);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The remote's `main`, read with git itself.
fn remote_main(env: &TestEnv) -> String {
    env.git(&["ls-remote", "origin", "refs/heads/main"])
}

/// Pushes with `args` through the pre-push hook, which must refuse, naming `needle`, and
/// leave the remote's `main` as it was.
#[track_caller]
fn push_refused(env: &TestEnv, args: &[&str], needle: &str) {
    let before = remote_main(env);
    let (ok, stderr) = push(env, args);
    assert!(!ok, "the push went through: {stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert_eq!(remote_main(env), before);
}

/// alice commits `text` as bob's src/bob.rs, past her pre-commit hook (`--no-verify`).
fn alice_commits_to_bobs_file(env: &TestEnv, text: &str) {
    env.stage("src/bob.rs", text);
    env.commit_unverified("alice edits bob's file");
}

/// Bob, in his own clone of the remote, pushes an edit of src/bob.rs.
fn bob_pushes_an_edit(env: &TestEnv) {
    let bob = env.root.join("bob");
    let bare = env.root.join("remote.git");
    env.git(&["clone", "-q", bare.to_str().unwrap(), bob.to_str().unwrap()]);
    env.git_in(&bob, &["config", "user.name", "Bob"]);
    env.git_in(&bob, &["config", "user.email", "bob@example.com"]);
    std::fs::write(bob.join("src/bob.rs"), "b1\nbob's new line\nb2\nb3\n").unwrap();
    env.git_in(&bob, &["commit", "-q", "-am", "bob edits his file"]);
    env.git_in(&bob, &["push", "-q", "origin", "main"]);
}

/// Finding 1: `git merge -s ours origin/main` throws bob's pushed change away; the merge
/// changes nothing against its first parent, but the push takes bob's line off the remote.
#[test]
fn a_merge_that_drops_another_agents_change_is_blocked() {
    let env = setup();
    bob_pushes_an_edit(&env);
    env.stage("src/alice.rs", "a2\n");
    env.git(&["commit", "-q", "-m", "alice edits her file"]);
    env.git(&["fetch", "-q", "origin"]);
    env.git(&["merge", "-q", "-s", "ours", "-m", "merge", "origin/main"]);
    let before = remote_main(&env);

    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    let report = run.json();
    let violations = report["violations"].as_array().unwrap();
    assert!(
        violations.iter().any(|v| v["path"] == "src/bob.rs"),
        "{report}"
    );

    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(!ok, "the push went through: {stderr}");
    assert!(stderr.contains("src/bob.rs"), "{stderr}");
    assert_eq!(
        remote_main(&env),
        before,
        "bob's line is still on the remote"
    );
}

/// Finding 1, the other side: merging bob's pushed work (a plain `git pull`) is not alice
/// changing bob's file, so her push goes through.
#[test]
fn merging_another_agents_pushed_work_is_not_the_mergers_change() {
    let env = setup();
    bob_pushes_an_edit(&env);
    env.stage("src/alice.rs", "a2\n");
    env.git(&["commit", "-q", "-m", "alice edits her file"]);
    env.git(&["fetch", "-q", "origin"]);
    env.git(&["merge", "-q", "--no-edit", "origin/main"]);
    let report = env.json(&["check", "--range", "origin/main..HEAD"]);
    assert_eq!(
        report["violations"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(ok, "{stderr}");

    // An "evil merge" that also rewrites bob's file while merging is alice's own change.
    bob_pushes_again(&env);
    env.git(&["fetch", "-q", "origin"]);
    env.git(&["merge", "-q", "--no-commit", "origin/main"]);
    env.stage("src/bob.rs", "alice rewrote it\n");
    env.commit_unverified("merge");
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    assert!(run.stdout.contains("src/bob.rs"), "{}", run.stdout);
}

fn bob_pushes_again(env: &TestEnv) {
    let bob = env.root.join("bob");
    env.git_in(&bob, &["pull", "-q", "--no-rebase", "origin", "main"]);
    std::fs::write(bob.join("src/bob.rs"), "b1\nbob again\n").unwrap();
    env.git_in(&bob, &["commit", "-q", "-am", "bob again"]);
    env.git_in(&bob, &["push", "-q", "origin", "main"]);
}

/// Finding 2a: a forced push over a remote tip this clone has not fetched is still checked.
#[test]
fn a_forced_push_over_an_unfetched_remote_tip_is_checked() {
    let env = setup();
    bob_pushes_an_edit(&env);
    alice_commits_to_bobs_file(&env, "alice\n");
    push_refused(
        &env,
        &["--force", "origin", "main"],
        "src/bob.rs is held by bob",
    );
}

/// Finding 2b: a configuration that breaks our parsing (UTF-16 log output) must not let the
/// push through: i18n.logOutputEncoding is pinned, so the violation is found.
#[test]
fn log_output_encoding_cannot_hide_a_violation() {
    let env = setup();
    env.git(&["config", "coord.hooks", "strict"]);
    env.git(&["config", "i18n.logOutputEncoding", "UTF-16"]);
    alice_commits_to_bobs_file(&env, "alice\n");
    push_refused(&env, &["origin", "main"], "src/bob.rs is held by bob");
}

/// Finding 2, the fallback: when the check itself fails (not a violation), the pre-push hook
/// says so loudly, and blocks under coord.hooks=strict.
#[test]
fn pre_push_hook_does_not_fail_open() {
    let env = setup();
    env.stage("src/alice.rs", "a2\n");
    env.git(&["commit", "-q", "-m", "alice edits her file"]);
    // A coordination branch name git cannot take makes the check itself fail (exit 2).
    env.git(&["config", "coord.branch", "bad..name"]);
    env.git(&["config", "coord.hooks", "strict"]);
    push_refused(&env, &["origin", "main"], "was NOT checked");

    // Without strict the push goes through, with the same loud warning.
    env.git(&["config", "--unset", "coord.hooks"]);
    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("was NOT checked"), "{stderr}");
}

/// Finding 3: a submodule (gitlink) under bob's vendor/** with `.gitmodules` `ignore = all`,
/// and a user's diff.ignoreSubmodules=all, hide nothing from `check --range` or pre-push.
#[test]
fn submodule_changes_are_judged() {
    let env = setup();
    env.coord(&["--agent", "bob", "own", "vendor/**"])
        .expect_code(0);
    let sha = env.git(&["rev-parse", "HEAD"]);
    env.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},vendor/lib", sha.trim()),
    ]);
    env.stage(
        ".gitmodules",
        "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = ./lib\n\tignore = all\n",
    );
    env.commit_unverified("vendor a library");
    env.git(&["config", "diff.ignoreSubmodules", "all"]);
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    assert!(run.stdout.contains("vendor/lib"), "{}", run.stdout);
    push_refused(&env, &["origin", "main"], "vendor/lib is held by bob");
}

/// Finding 7: registering the default branch as one's own is refused (it would make every
/// commit on it count as that agent's), and an already registered one is ignored.
#[test]
fn the_default_branch_cannot_be_an_agents_own() {
    let env = setup();
    let run = env.refused(
        &[
            "--agent", "mallory", "agent", "add", "mallory", "--branch", "main",
        ],
        2,
    );
    assert!(run.stderr.contains("default branch"), "{}", run.stderr);

    // A record written by hand (or before this check) is ignored by attribution.
    let text = env.show("agents/alice.toml");
    env.hand_edit(&[(
        "agents/mallory.toml",
        Some(
            &text
                .replace("alice", "mallory")
                .replace("src/mallory.rs", "x/**"),
        ),
    )]);
    let text = env.show("agents/mallory.toml");
    let text = if text.contains("branch =") {
        text
    } else {
        text.replacen("\n", "\nbranch = \"main\"\n", 1)
    };
    env.hand_edit(&[("agents/mallory.toml", Some(&text))]);
    assert!(
        env.show("agents/mallory.toml")
            .contains("branch = \"main\"")
    );
    env.stage("src/alice.rs", "a2\n");
    env.git(&["commit", "-q", "-m", "alice edits her file"]);
    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(ok, "alice's push of her own file was blocked: {stderr}");
}

/// Finding 7, the summary: the hook's last line counts the paths it refused.
#[test]
fn pre_push_summary_counts_the_violations() {
    let env = setup();
    alice_commits_to_bobs_file(&env, "alice\n");
    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(!ok);
    assert!(!stderr.contains("0 path(s) may not"), "{stderr}");
    assert!(stderr.contains("1 path(s) may not"), "{stderr}");
}

/// Finding 8: `log.showRoot=false` does not hide what an orphan branch's root commit adds.
#[test]
fn a_root_commit_is_judged_whatever_log_show_root_says() {
    let env = setup();
    env.git(&["config", "log.showRoot", "false"]);
    env.git(&["checkout", "-q", "--orphan", "evil"]);
    env.stage("src/bob.rs", "alice\n");
    env.commit_unverified("root");
    let run = env
        .coord(&["check", "--range", "origin/main..evil", "--json"])
        .expect_code(1);
    assert!(run.stdout.contains("src/bob.rs"), "{}", run.stdout);
    let (ok, stderr) = push(&env, &["origin", "evil"]);
    assert!(!ok, "the push went through: {stderr}");
}

/// Finding 13: `git replace` cannot show the check an innocent commit in place of the one
/// pushed.
#[test]
fn replace_refs_do_not_hide_pushed_content() {
    let env = setup();
    env.stage("src/common.rs", "innocent\n");
    env.git(&["commit", "-q", "-m", "innocent"]);
    let innocent = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.stage("src/bob.rs", "evil\n");
    env.commit_unverified("evil");
    let evil = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    env.git(&["replace", &evil, &innocent]);
    push_refused(&env, &["origin", "main"], "src/bob.rs");
}

/// Finding 14: a project hook that is a relative symlink still runs once chained, and comes
/// back as the same symlink on uninstall.
#[cfg(unix)]
#[test]
fn a_relative_symlink_hook_is_chained_and_restored() {
    let env = TestEnv::initialised();
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    let scripts = env.repo.join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    let marker = env.root.join("ran");
    std::fs::write(
        scripts.join("pc"),
        format!("#!/bin/sh\necho ran > '{}'\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(scripts.join("pc"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let hook = env.repo.join(".git/hooks/pre-commit");
    std::os::unix::fs::symlink("../../scripts/pc", &hook).unwrap();
    env.install_hooks();
    env.stage("x.txt", "x\n");
    let out = env.git_hooked(&env.repo, &["commit", "-q", "-m", "x"]);
    assert!(out.status.success(), "{out:?}");
    assert!(marker.exists(), "the project's hook did not run");
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(
        std::fs::read_link(&hook).unwrap(),
        Path::new("../../scripts/pc")
    );
}

/// Finding 16: `git -c coord.agent=bob coord …` acts as bob.
#[test]
fn git_dash_c_sets_the_agent() {
    let env = TestEnv::initialised();
    let out = env.git_hooked(&env.repo, &["-c", "coord.agent=bob", "coord", "whoami"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("bob"), "{stdout}");
    assert!(!stdout.contains("alice"), "{stdout}");
}

/// Finding 17a: installing into a tracked core.hooksPath would change tracked files: refused.
#[test]
fn hooks_install_refuses_a_tracked_hooks_path() {
    let env = TestEnv::initialised();
    env.stage(".githooks/pre-commit", "#!/bin/sh\nexit 0\n");
    env.commit_unverified("project hooks");
    env.git(&["config", "core.hooksPath", ".githooks"]);
    let run = env.coord(&["hooks", "install"]).expect_code(2);
    assert!(run.stderr.contains(".githooks"), "{}", run.stderr);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    assert!(!env.repo.join(".githooks/pre-push").exists());
}

/// Finding 17b: a stale or future-dated notes lock does not lose the post-commit note.
#[test]
fn a_future_dated_notes_lock_is_reclaimed() {
    let env = TestEnv::initialised();
    env.install_hooks();
    let lock = env.repo.join(".git/refs/notes/coord.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(&lock, "").unwrap();
    let f = std::fs::File::options().write(true).open(&lock).unwrap();
    f.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(4_070_908_800),
    )
    .unwrap();
    env.stage("x.txt", "x\n");
    let out = env.git_hooked(&env.repo, &["commit", "-q", "-m", "x"]);
    assert!(out.status.success(), "{out:?}");
    let note = env.git(&["notes", "--ref", "refs/notes/coord", "show", "HEAD"]);
    assert!(note.contains("agent: alice"), "{note}");
}

/// Finding 10: a committer date before the commit's parent (GIT_COMMITTER_DATE=2001) cannot
/// move the claims it is judged against back to before bob claimed his file.
#[test]
fn a_backdated_commit_is_judged_against_current_claims() {
    let env = setup();
    env.stage("src/bob.rs", "alice\n");
    let out = env
        .git_cmd(&env.repo)
        .env("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")
        .env("GIT_AUTHOR_DATE", "2001-01-01T00:00:00Z")
        .args(["commit", "-q", "--no-verify", "-m", "old"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    assert!(run.stdout.contains("src/bob.rs"), "{}", run.stdout);
    let before = remote_main(&env);
    let (ok, stderr) = push(&env, &["origin", "main"]);
    assert!(!ok, "the push went through: {stderr}");
    assert_eq!(remote_main(&env), before);
}
