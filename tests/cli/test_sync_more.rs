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
