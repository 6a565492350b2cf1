//! What sync still lacked (issue 13, ADR 0017 "Round 3"): the warning when the coordination
//! branch is checked out in a worktree, `init --remote`, and progress that stays off a pipe.
//! A bare remote and clones, driving the real binary; results read back through git.

use std::path::{Path, PathBuf};

use crate::common::remote::{Remote, path};

/// A remote whose coordination branch alice created and pushed, with one task; alice's clone.
fn seeded() -> (Remote, PathBuf, String) {
    let r = Remote::new();
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let t = r.add(&a, "seed");
    r.sync(&a);
    (r, a, t)
}

/// How many times `needle` occurs in `hay`.
fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The worktree `git worktree list --porcelain` shows with `branch refs/heads/coord`.
fn checked_out_in(r: &Remote, dir: &Path) -> Vec<String> {
    let list = r.git(dir, &["worktree", "list", "--porcelain"]);
    list.split("\n\n")
        .filter(|block| block.lines().any(|l| l == "branch refs/heads/coord"))
        .filter_map(|block| block.lines().next()?.strip_prefix("worktree "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_write_warns_once_when_the_branch_is_checked_out_in_a_worktree() {
    let (r, a, _) = seeded();
    // No worktree of the branch: writes say nothing about worktrees.
    let quiet = r.coord(&a, &["task", "add", "before"]).expect_code(0);
    assert!(!quiet.stderr.contains("worktree"), "{}", quiet.stderr);

    let wt = r.env.root.join("coord-edit");
    r.git(&a, &["worktree", "add", "-q", path(&wt), "coord"]);
    let listed = checked_out_in(&r, &a);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let shown = &listed[0];
    let fix = format!("git worktree remove {shown}");

    // A write: warned once, with the path git shows and how to remove it.
    let add = r
        .coord(&a, &["task", "add", "while checked out"])
        .expect_code(0);
    assert_eq!(
        count(&add.stderr, "is checked out in the worktree"),
        1,
        "{}",
        add.stderr
    );
    assert!(add.stderr.contains(&fix), "{}", add.stderr);
    // The write happened and that worktree now lags behind the branch: it looks dirty.
    assert!(!r.git(&wt, &["status", "--porcelain"]).trim().is_empty());

    // Sync moves the branch too (fast-forward / merge), and warns the same way.
    let synced = r.coord(&a, &["sync"]).expect_code(0);
    assert_eq!(
        count(&synced.stderr, "is checked out in the worktree"),
        1,
        "{}",
        synced.stderr
    );

    // A write that changes several records in one process still warns once.
    let id = r.add(&a, "to claim");
    let claim = r.coord(&a, &["claim", &id]).expect_code(0);
    assert_eq!(
        count(&claim.stderr, "is checked out in the worktree"),
        1,
        "{}",
        claim.stderr
    );

    // -q silences it, as every other note.
    let q = r.coord(&a, &["-q", "task", "add", "quiet"]).expect_code(0);
    assert!(!q.stderr.contains("checked out"), "{}", q.stderr);

    // Reads do not warn (they move nothing).
    let list = r.coord(&a, &["task", "list"]).expect_code(0);
    assert!(!list.stderr.contains("checked out"), "{}", list.stderr);

    // doctor: a warning naming the worktree, with the same fix; warnings alone pass.
    let doctor = r.json(&a, &["doctor"]);
    let problems = doctor["problems"].as_array().expect("problems");
    let found: Vec<_> = problems
        .iter()
        .filter(|p| p["message"].as_str().is_some_and(|m| m.contains(&fix)))
        .collect();
    assert_eq!(found.len(), 1, "{doctor:#}");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["path"], shown.as_str());
    let text = r.coord(&a, &["doctor"]).expect_code(0);
    assert!(text.stdout.contains(&fix), "{}", text.stdout);

    // The fix works, and then nothing warns any more.
    r.git(&a, &["worktree", "remove", "--force", path(&wt)]);
    assert!(checked_out_in(&r, &a).is_empty());
    let after = r.coord(&a, &["task", "add", "after"]).expect_code(0);
    assert!(!after.stderr.contains("checked out"), "{}", after.stderr);
    let doctor = r.json(&a, &["doctor"]);
    assert!(
        !doctor.to_string().contains("git worktree remove"),
        "{doctor:#}"
    );
}

#[test]
fn the_main_worktree_on_the_coordination_branch_is_warned_about_too() {
    let (r, a, _) = seeded();
    // Someone ran `git switch coord` in the clone itself: git cannot remove that worktree,
    // so the fix is to switch it away.
    r.git(&a, &["switch", "-q", "coord"]);
    let listed = checked_out_in(&r, &a);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let add = r.coord(&a, &["task", "add", "on coord"]).expect_code(0);
    assert!(
        add.stderr.contains(&format!("git -C {} switch", listed[0])),
        "{}",
        add.stderr
    );
}
/// Whether `dir` has a local coordination branch.
fn has_local_branch(r: &Remote, dir: &Path) -> bool {
    !r.git(dir, &["for-each-ref", "refs/heads/coord"])
        .trim()
        .is_empty()
}

#[test]
fn init_in_a_clone_that_has_not_fetched_the_remote_branch_says_to_sync_not_a_second_root() {
    let r = Remote::new();
    // Bob cloned before alice pushed the branch: no origin/coord here yet.
    let b = r.clone_as("bob");
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let t = r.add(&a, "seed");
    r.sync(&a);
    assert!(
        r.git(&b, &["for-each-ref", "refs/remotes/origin/coord"])
            .is_empty()
    );

    let init = r.coord(&b, &["init"]).expect_code(2);
    assert!(init.stderr.contains("git coord sync"), "{}", init.stderr);
    assert!(
        init.stderr.contains("init --remote origin"),
        "{}",
        init.stderr
    );
    assert!(!has_local_branch(&r, &b), "init refused but wrote a branch");

    // Following the hint adopts the remote's branch: one root, alice's task.
    r.sync(&b);
    let roots = r.git(&b, &["rev-list", "--max-parents=0", "coord"]);
    assert_eq!(roots.lines().count(), 1, "{roots}");
    let list = r.coord(&b, &["task", "list"]).expect_code(0);
    assert!(list.stdout.contains(&t), "{}", list.stdout);
    // And init is now a no-op.
    assert_eq!(r.json(&b, &["init"])["created"], false);
}

#[test]
fn init_remote_fetches_adopts_and_adds_the_fetch_refspecs() {
    let r = Remote::new();
    let b = r.clone_as("bob");
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let t = r.add(&a, "seed");
    r.sync(&a);

    let init = r.json(&b, &["init", "--remote", "origin"]);
    assert_eq!(init["created"], false, "{init:#}");
    assert_eq!(init["adopted_from"], "origin/coord", "{init:#}");
    assert_eq!(init["remote"], "origin");
    assert_eq!(
        init["configured"].as_array().map(Vec::len),
        Some(2),
        "{init:#}"
    );
    assert_eq!(
        r.git(&b, &["rev-parse", "coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );
    let specs = r.git(&b, &["config", "--get-all", "remote.origin.fetch"]);
    assert!(
        specs.contains("+refs/heads/coord*:refs/remotes/origin/coord*")
            && specs.contains("+refs/notes/coord*:refs/notes/remotes/origin/coord*"),
        "{specs}"
    );
    let list = r.coord(&b, &["task", "list"]).expect_code(0);
    assert!(list.stdout.contains(&t), "{}", list.stdout);

    // A plain `git fetch` now keeps origin/coord current.
    r.add(&a, "later");
    r.sync(&a);
    r.git(&b, &["fetch", "-q"]);
    assert_eq!(
        r.git(&b, &["rev-parse", "origin/coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );

    // Again: nothing new to add, the branch exists.
    let again = r.json(&b, &["init", "--remote", "origin"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["configured"].as_array().map(Vec::len), Some(0));
}

#[test]
fn init_remote_names_a_remote_other_than_origin_and_makes_it_the_upstream() {
    let r = Remote::new();
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let t = r.add(&a, "seed");
    r.sync(&a);
    // Carol's clone has the shared remote as `upstream`; her origin is a fork without it.
    let c = r.env.root.join("carol");
    r.env
        .git_in(&r.env.root, &["init", "-q", "-b", "main", path(&c)]);
    r.git(&c, &["config", "coord.agent", "carol"]);
    r.git(&c, &["remote", "add", "upstream", path(&r.bare)]);

    let init = r.json(&c, &["init", "--remote", "upstream"]);
    assert_eq!(init["adopted_from"], "upstream/coord", "{init:#}");
    assert_eq!(
        r.git(&c, &["config", "branch.coord.remote"]).trim(),
        "upstream"
    );
    assert!(
        r.coord(&c, &["task", "list"])
            .expect_code(0)
            .stdout
            .contains(&t)
    );
    // `sync` with no remote named now uses it.
    assert_eq!(r.sync(&c)["remote"], "upstream");
}

#[test]
fn init_remote_with_an_unknown_remote_exits_2_naming_the_remotes_and_writes_nothing() {
    let r = Remote::new();
    let b = r.clone_as("bob");
    let before = r.git(&b, &["config", "--list", "--local"]);
    let init = r.coord(&b, &["init", "--remote", "nope"]).expect_code(2);
    assert!(init.stderr.contains("\"nope\""), "{}", init.stderr);
    assert!(init.stderr.contains("origin"), "{}", init.stderr);
    assert!(!has_local_branch(&r, &b));
    assert_eq!(r.git(&b, &["config", "--list", "--local"]), before);
}

#[test]
fn init_remote_with_a_remote_that_has_no_branch_yet_creates_the_root_and_configures() {
    let r = Remote::new();
    let a = r.clone_as("alice");
    let init = r.json(&a, &["init", "--remote", "origin"]);
    assert_eq!(init["created"], true, "{init:#}");
    assert_eq!(init["configured"].as_array().map(Vec::len), Some(2));
    // Then the first sync pushes it.
    assert_eq!(r.sync(&a)["pushed"], true);
    assert!(
        !r.remote_git(&["for-each-ref", "refs/heads/coord"])
            .is_empty()
    );
}

/// Runs `git coord <args>` in `dir` with stdout and stderr on a pseudo-terminal (through
/// `script`), git told to draw its progress at once; returns what the terminal showed.
fn on_a_terminal(r: &Remote, dir: &Path, args: &str) -> String {
    let mut cmd = std::process::Command::new("script");
    crate::common::isolate(&mut cmd, r.env.home());
    let out = cmd
        .args([
            "-qec",
            &format!("'{}' {args}", crate::common::BIN),
            "/dev/null",
        ])
        .env("GIT_PROGRESS_DELAY", "0")
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script (util-linux) for a pseudo-terminal");
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "git coord {args}: {shown}");
    shown
}

/// alice adds `n` tasks and syncs; bob adds one: bob's next sync fetches, merges and pushes.
fn both_moved(r: &Remote, a: &Path, b: &Path, n: usize) {
    for i in 0..n {
        r.add(a, &format!("alice {i}"));
    }
    r.sync(a);
    r.add(b, "bob's");
}

#[test]
fn sync_shows_git_progress_on_a_terminal_and_none_on_a_pipe_or_with_q() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);

    // Piped stderr (as in CI, or `2>log`): not a byte of progress, even with git told to
    // draw it at once.
    both_moved(&r, &a, &b, 5);
    let piped = r
        .env
        .coord_cmd(&b)
        .args(["sync"])
        .env("GIT_PROGRESS_DELAY", "0")
        .output()
        .expect("run sync");
    assert_eq!(piped.status.code(), Some(0));
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("objects") && !err.contains('\r'), "{err:?}");

    // On a terminal: git's own meters for the fetch and the push.
    both_moved(&r, &a, &b, 5);
    let shown = on_a_terminal(&r, &b, "sync");
    // The fetch: the remote counting what it sends; the push: writing what we send.
    assert!(shown.contains("remote: Counting objects"), "{shown:?}");
    assert!(shown.contains("Writing objects"), "{shown:?}");
    // git's chatter that is not a meter (a push's "To <url>") stays out.
    assert!(!shown.contains("To "), "{shown:?}");
    let pushed = r.git(&b, &["rev-parse", "coord"]);
    assert_eq!(r.remote_git(&["rev-parse", "coord"]), pushed);

    // On a terminal with -q: nothing.
    both_moved(&r, &a, &b, 5);
    let quiet = on_a_terminal(&r, &b, "-q sync");
    assert!(
        !quiet.contains("objects") && !quiet.contains('\r'),
        "{quiet:?}"
    );
}

#[test]
fn a_push_rejected_mid_sync_on_a_terminal_is_retried_without_git_s_error_text() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    r.add(&a, "alice's");
    r.add(&b, "bob's");
    // bob's sync lands between alice's fetch and alice's push, once (a pre-push hook).
    let mark = a.join(".git/push-first-once");
    std::fs::write(&mark, "").expect("marker");
    let hook = a.join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\nif [ -e '{mark}' ]; then\n  rm '{mark}'\n  '{bin}' -C '{bob}' sync >/dev/null 2>&1 || exit 1\nfi\nexit 0\n",
            mark = path(&mark),
            bin = crate::common::BIN,
            bob = path(&b),
        ),
    )
    .expect("write hook");
    let mut perms = std::fs::metadata(&hook).expect("hook").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).expect("chmod hook");

    let shown = on_a_terminal(&r, &a, "sync");
    assert!(!mark.exists(), "the hook did not run");
    assert!(shown.contains("after 2 attempts"), "{shown:?}");
    assert!(shown.contains("Writing objects"), "{shown:?}");
    // The lost race is ours to handle: none of git's "failed to push" or its hints.
    for noise in ["error:", "rejected", "hint:"] {
        assert!(!shown.contains(noise), "{noise}: {shown:?}");
    }
    assert_eq!(
        r.remote_git(&["rev-parse", "coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );
}

/// `wait --sync` (issue 15): a message sent on another machine reaches a waiting agent
/// through the remote; without --sync the same wait would never see it.
#[test]
fn wait_sync_is_woken_by_a_message_sent_from_another_clone() {
    use std::io::{BufRead, BufReader, Read};
    let r = Remote::new();
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    r.coord(&a, &["note", "hello"]).expect_code(0);
    r.sync(&a);
    let b = r.clone_as("bob");
    r.sync(&b);
    let mut waiter = r.spawn(
        &b,
        &[
            "wait",
            "--inbox",
            "--sync",
            "--sync-every",
            "1s",
            "--timeout",
            "60s",
            "--json",
        ],
    );
    let mut lines = BufReader::new(waiter.stderr.take().expect("piped stderr"));
    let mut line = String::new();
    lines.read_line(&mut line).expect("read stderr");
    assert!(line.starts_with("waiting for "), "{line:?}");
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = lines.read_to_string(&mut rest);
    });
    let sent = r.json(&a, &["send", "bob", "--subject", "From the other machine"]);
    r.sync(&a);
    let mut out = String::new();
    waiter
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("read stdout");
    let status = waiter.wait().expect("wait for git-coord");
    assert_eq!(status.code(), Some(0), "{out}");
    let woke: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(woke["event"], "inbox");
    assert_eq!(woke["messages"][0]["id"], sent["id"]);
    // Bob's clone now has the message on its own branch.
    assert_eq!(
        r.git(&b, &["rev-parse", "coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );
}

#[test]
fn wait_sync_every_below_a_second_is_refused_before_waiting() {
    let r = Remote::new();
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let run = r
        .coord(&a, &["wait", "--inbox", "--sync", "--sync-every", "100ms"])
        .expect_code(2);
    assert!(run.stderr.contains("--sync-every"), "{}", run.stderr);
}
