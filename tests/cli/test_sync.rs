//! Sync across clones (issue 13, DESIGN §7): a bare remote and two or three clones, each its
//! own agent, driving the real binary; results read back through git.

use std::path::Path;
use std::process::Stdio;

use crate::common::remote::{Remote, path};
use crate::common::{BIN, task_path};

/// A remote whose coordination branch alice created and pushed, with one task; alice's clone.
fn seeded() -> (Remote, std::path::PathBuf, String) {
    let r = Remote::new();
    let a = r.clone_as("alice");
    r.coord(&a, &["init"]).expect_code(0);
    let t = r.add(&a, "seed");
    r.sync(&a);
    (r, a, t)
}

fn task_json(r: &Remote, dir: &Path, id: &str) -> serde_json::Value {
    r.json(dir, &["task", "show", id])
}

fn ids(r: &Remote, dir: &Path) -> Vec<String> {
    let list = r.json(dir, &["task", "list", "--all"]);
    let mut out: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    out.sort();
    out
}

/// Installs a pre-push hook in `dir` that, on the first push only, runs `git coord <args>`
/// in `other` before letting the push go on: someone else's push lands between our fetch
/// and our push, every time, without relying on timing.
fn push_first_from(dir: &Path, other: &Path, args: &str) {
    let mark = dir.join(".git/push-first-once");
    std::fs::write(&mark, "").expect("marker");
    let hook = dir.join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\nif [ -e '{mark}' ]; then\n  rm '{mark}'\n  '{BIN}' -C '{other}' {args} >'{log}' 2>&1 || exit 1\nfi\nexit 0\n",
            mark = path(&mark),
            other = path(other),
            log = path(&dir.join(".git/push-first.log")),
        ),
    )
    .expect("write hook");
    let mut perms = std::fs::metadata(&hook).expect("hook").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).expect("chmod hook");
}

#[test]
fn a_clone_reads_the_remote_branch_and_init_adopts_it_never_a_second_root() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    // Only origin/coord here: reads use it, and say so.
    let list = r.coord(&b, &["task", "list"]).expect_code(0);
    assert!(list.stdout.contains(&t), "{}", list.stdout);
    assert!(
        list.stderr.contains("origin/coord") && list.stderr.contains("remote's view"),
        "{}",
        list.stderr
    );
    // What the issue's new user did: follow the old hint and run init.
    let init = r.json(&b, &["init"]);
    assert_eq!(init["created"], false);
    assert_eq!(init["adopted_from"], "origin/coord");
    let roots = r.git(&b, &["rev-list", "--max-parents=0", "coord"]);
    assert_eq!(roots.lines().count(), 1, "{roots}");
    assert_eq!(
        r.git(&b, &["rev-parse", "coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );
    // And bob's first write goes on it and can be pushed.
    r.add(&b, "bob's");
    let report = r.sync(&b);
    assert_eq!(report["pushed"], true);
    let remote_roots = r.remote_git(&["rev-list", "--max-parents=0", "coord"]);
    assert_eq!(remote_roots.lines().count(), 1, "{remote_roots}");
}

#[test]
fn a_write_in_a_clone_with_only_the_remote_branch_adopts_it() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.add(&b, "written before any init or sync");
    assert_eq!(
        r.git(&b, &["rev-list", "--max-parents=0", "coord"]),
        r.git(&a, &["rev-list", "--max-parents=0", "coord"])
    );
    assert_eq!(r.sync(&b)["integrated"], "ahead");
    assert_eq!(r.sync(&a)["integrated"], "fast_forward");
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn ci_clone_with_only_origin_coord_checks_a_range_against_it() {
    let (r, a, _) = seeded();
    r.coord(&a, &["own", "src/**"]).expect_code(0);
    r.sync(&a);
    // bob, in his clone, commits to alice's files on a branch and pushes it.
    let b = r.clone_as("bob");
    r.git(&b, &["checkout", "-q", "-b", "feature"]);
    std::fs::create_dir_all(b.join("src")).expect("mkdir");
    std::fs::write(b.join("src/pool.rs"), "bob\n").expect("write");
    r.git(&b, &["add", "src/pool.rs"]);
    r.git(&b, &["commit", "-q", "-m", "pool\n\nCoord-Agent: bob"]);
    r.git(&b, &["push", "-q", "origin", "feature"]);
    // The CI job: a fresh clone, the two lines of the README.
    let ci = r.clone_as("ci");
    r.git(
        &ci,
        &["fetch", "-q", "origin", "coord:refs/remotes/origin/coord"],
    );
    r.git(&ci, &["fetch", "-q", "origin", "feature"]);
    let run = r
        .coord(
            &ci,
            &["check", "--range", "origin/main..origin/feature", "--json"],
        )
        .expect_code(1);
    let report = run.json();
    assert_eq!(report["violations"][0]["holder"], "alice", "{}", run.stdout);
    assert!(r.git(&ci, &["branch", "--list", "coord"]).is_empty());
}

#[test]
fn records_added_in_two_clones_are_unioned_and_the_trees_converge() {
    let (r, a, seed) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let ta = r.add(&a, "alice's");
    let tb = r.add(&b, "bob's");
    r.sync(&a);
    let merged = r.sync(&b);
    assert_eq!(merged["integrated"], "merged", "{merged}");
    assert_eq!(merged["conflicts"].as_array().map(Vec::len), Some(0));
    r.sync(&a);
    let mut want = vec![seed, ta, tb];
    want.sort();
    assert_eq!(ids(&r, &a), want);
    assert_eq!(ids(&r, &b), want);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    assert_eq!(
        r.tree(&a, "coord"),
        r.remote_git(&["rev-parse", "coord^{tree}"]).trim()
    );
    // The merge commit has both parents and says what it merged.
    let parents = r.git(&b, &["rev-list", "--parents", "-n", "1", "coord"]);
    assert_eq!(parents.split_whitespace().count(), 3, "{parents}");
    let message = r.git(&b, &["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.contains("merge origin/coord") && message.contains("Coord-Op: sync"),
        "{message}"
    );
}

#[test]
fn a_change_on_one_side_is_taken() {
    let (r, a, seed) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    r.coord(&a, &["claim", &seed]).expect_code(0);
    let tb = r.add(&b, "bob's");
    r.sync(&a);
    r.sync(&b);
    r.sync(&a);
    for dir in [&a, &b] {
        assert_eq!(task_json(&r, dir, &seed)["assignee"], "alice");
        assert_eq!(task_json(&r, dir, &tb)["title"], "bob's");
    }
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn delete_on_one_side_and_edit_on_the_other_keeps_the_record() {
    let (r, a, seed) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let file = task_path(&seed);
    r.hand_edit(&a, &[(&file, None)]);
    r.coord(&b, &["claim", &seed]).expect_code(0);
    r.sync(&a);
    let report = r.sync(&b);
    assert!(
        !report["conflicts"]
            .as_array()
            .expect("conflicts")
            .is_empty(),
        "{report}"
    );
    r.sync(&a);
    for dir in [&a, &b] {
        assert!(r.files(dir, "coord").contains(&file));
        assert_eq!(task_json(&r, dir, &seed)["assignee"], "bob");
    }
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn notes_from_both_clones_are_unioned() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let head = r.git(&a, &["rev-parse", "HEAD"]).trim().to_owned();
    // Both annotate the same code commit differently, and each annotates one of its own.
    r.git(
        &a,
        &[
            "notes",
            "--ref",
            "coord",
            "add",
            "-m",
            "agent: alice\ntask: t-aaaaaa",
            &head,
        ],
    );
    r.git(
        &b,
        &[
            "notes",
            "--ref",
            "coord",
            "add",
            "-m",
            "agent: bob\ntask: t-aaaaaa",
            &head,
        ],
    );
    r.git(&a, &["commit", "-q", "--allow-empty", "-m", "a's"]);
    r.git(
        &a,
        &[
            "notes",
            "--ref",
            "coord",
            "add",
            "-m",
            "agent: alice",
            "HEAD",
        ],
    );
    let a_commit = r.git(&a, &["rev-parse", "HEAD"]).trim().to_owned();
    r.git(&a, &["push", "-q", "origin", "HEAD:refs/heads/a"]);
    r.sync(&a);
    assert_eq!(r.sync(&b)["notes"], "merged");
    r.sync(&a);
    for dir in [&a, &b] {
        let note = r.git(dir, &["notes", "--ref", "coord", "show", &head]);
        assert_eq!(
            note,
            "agent: alice\nagent: bob\ntask: t-aaaaaa\n",
            "{}",
            path(dir)
        );
    }
    r.git(&b, &["fetch", "-q", "origin", "a"]);
    assert_eq!(
        r.git(&b, &["notes", "--ref", "coord", "show", &a_commit]),
        "agent: alice\n"
    );
    assert_eq!(
        r.git(&a, &["rev-parse", "refs/notes/coord"]),
        r.remote_git(&["rev-parse", "refs/notes/coord"])
    );
}

#[test]
fn unrelated_histories_are_refused_with_exit_2_and_how_to_keep_one() {
    let r = Remote::new();
    let a = r.clone_as("alice");
    let b = r.clone_as("bob");
    r.coord(&a, &["init"]).expect_code(0);
    r.coord(&b, &["init"]).expect_code(0);
    r.add(&a, "alice's");
    r.sync(&a);
    let before = r.git(&b, &["rev-parse", "coord"]);
    let run = r.coord(&b, &["sync"]).expect_code(2);
    assert!(run.stderr.contains("no common history"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git branch -m coord coord-local"),
        "{}",
        run.stderr
    );
    assert_eq!(r.git(&b, &["rev-parse", "coord"]), before);
    // Following the hint keeps the remote's.
    r.git(&b, &["branch", "-m", "coord", "coord-local"]);
    assert_eq!(r.sync(&b)["integrated"], "adopted");
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn no_remote_is_exit_2_with_a_hint() {
    let env = crate::common::TestEnv::initialised();
    let run = env.coord(&["sync"]).expect_code(2);
    assert!(
        run.stderr.contains("no remote \"origin\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git remote add origin"),
        "{}",
        run.stderr
    );
    let (r, a, _) = seeded();
    let run = r.coord(&a, &["sync", "nope"]).expect_code(2);
    assert!(run.stderr.contains("origin"), "{}", run.stderr);
}

#[test]
fn configure_remote_lets_plain_git_fetch_keep_the_branch_current() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    // A single-branch clone: the default refspec does not bring coord along.
    r.git(
        &b,
        &[
            "config",
            "--replace-all",
            "remote.origin.fetch",
            "+refs/heads/main:refs/remotes/origin/main",
        ],
    );
    let report = r.json(&b, &["sync", "--configure-remote"]);
    assert_eq!(
        report["configured"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    r.git(
        &a,
        &[
            "notes",
            "--ref",
            "coord",
            "add",
            "-m",
            "agent: alice",
            "HEAD",
        ],
    );
    r.add(&a, "later");
    r.sync(&a);
    r.git(&b, &["fetch", "-q"]);
    assert_eq!(
        r.git(&b, &["rev-parse", "refs/remotes/origin/coord"]),
        r.git(&a, &["rev-parse", "coord"])
    );
    assert_eq!(
        r.git(&b, &["rev-parse", "refs/notes/remotes/origin/coord"]),
        r.git(&a, &["rev-parse", "refs/notes/coord"])
    );
    // Again: nothing added twice.
    assert_eq!(
        r.json(&b, &["sync", "--configure-remote"])["configured"],
        serde_json::json!([])
    );
}

#[test]
fn a_push_rejected_mid_sync_is_fetched_merged_and_retried() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let ta = r.add(&a, "alice's");
    let tb = r.add(&b, "bob's");
    // bob's sync lands while alice's push is on its way.
    push_first_from(&a, &b, "sync");
    let report = r.sync(&a);
    assert_eq!(report["attempts"], 2, "{report}");
    assert_eq!(report["pushed"], true);
    assert!(!a.join(".git/push-first-once").exists());
    r.sync(&b);
    let remote: Vec<String> = r
        .remote_git(&["ls-tree", "-r", "--name-only", "coord"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        remote.contains(&task_path(&ta)) && remote.contains(&task_path(&tb)),
        "{remote:?}"
    );
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn two_clones_syncing_in_parallel_both_land() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    let c = r.clone_as("carol");
    r.sync(&b);
    r.sync(&c);
    let mut want = ids(&r, &a);
    for round in 0..3 {
        for dir in [&a, &b, &c] {
            want.push(r.add(dir, &format!("round {round}")));
        }
        let children: Vec<_> = [&a, &b, &c]
            .into_iter()
            .map(|dir| r.spawn(dir, &["sync", "--json"]))
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    for dir in [&a, &b, &c] {
        r.sync(dir);
    }
    r.sync(&a);
    r.sync(&b);
    want.sort();
    for dir in [&a, &b, &c] {
        assert_eq!(ids(&r, dir), want, "{}", path(dir));
    }
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    assert_eq!(r.tree(&b, "coord"), r.tree(&c, "coord"));
}

#[test]
fn claim_sync_raced_by_two_clones_has_exactly_one_winner() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    for i in 0..3 {
        let t = r.add(&a, &format!("contested {i}"));
        r.sync(&a);
        r.sync(&b);
        let racers: Vec<_> = [&a, &b]
            .into_iter()
            .map(|dir| r.spawn(dir, &["claim", &t, "--sync"]))
            .collect();
        let outs: Vec<_> = racers
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect();
        let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
        let winners: Vec<usize> = (0..2).filter(|&i| codes[i] == 0).collect();
        assert_eq!(winners.len(), 1, "codes {codes:?}: {outs:?}");
        let (winner, loser) = if winners[0] == 0 {
            ("alice", 1)
        } else {
            ("bob", 0)
        };
        assert_eq!(codes[loser], 3, "{outs:?}");
        let stderr = String::from_utf8_lossy(&outs[loser].stderr);
        assert!(stderr.contains(winner), "{stderr}");
        // The remote says the same.
        let remote_task = r.remote_git(&["show", &format!("coord:{}", task_path(&t))]);
        assert!(
            remote_task.contains(&format!("assignee = \"{winner}\"")),
            "{remote_task}"
        );
    }
}

#[test]
fn claim_sync_that_lost_the_push_race_is_undone_and_names_the_winner() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    // alice's claim lands between bob's fetch and bob's push.
    push_first_from(&b, &a, &format!("claim {t} --sync"));
    let run = r.coord(&b, &["claim", &t, "--sync"]).expect_code(3);
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    let log = std::fs::read_to_string(b.join(".git/push-first.log")).expect("hook log");
    assert!(log.contains(&t), "alice's claim: {log}");
    // bob's clone holds the remote's state: alice's claim, and no claim of bob's left over.
    assert_eq!(task_json(&r, &b, &t)["assignee"], "alice");
    assert_eq!(task_json(&r, &a, &t)["assignee"], "alice");
    let remote_task = r.remote_git(&["show", &format!("coord:{}", task_path(&t))]);
    assert!(
        remote_task.contains("assignee = \"alice\""),
        "{remote_task}"
    );
}

#[test]
fn claim_sync_without_a_race_is_on_the_remote_when_it_exits_0() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    let run = r.coord(&b, &["-q", "claim", &t, "--sync"]).expect_code(0);
    assert_eq!(run.stdout.trim(), t);
    let remote_task = r.remote_git(&["show", &format!("coord:{}", task_path(&t))]);
    assert!(remote_task.contains("assignee = \"bob\""), "{remote_task}");
    // alice, offline since, is told by the remote when she claims with --sync.
    let run = r.coord(&a, &["claim", &t, "--sync"]).expect_code(3);
    assert!(run.stderr.contains("bob"), "{}", run.stderr);
}

#[test]
fn next_and_own_with_sync_respect_what_the_remote_gives_to_others() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    // alice takes the only task and some files, confirmed by the remote.
    let next = r.json(&a, &["next", "--sync"]);
    assert_eq!(next["id"], t.as_str());
    r.coord(&a, &["own", "src/**", "--sync"]).expect_code(0);
    // bob, not synced since: next finds nothing, own collides with alice.
    r.coord(&b, &["next", "--sync"]).expect_code(1);
    let own = r.coord(&b, &["own", "src/api/**", "--sync"]).expect_code(3);
    assert!(own.stderr.contains("alice"), "{}", own.stderr);
    let remote = r.remote_git(&["ls-tree", "-r", "--name-only", "coord"]);
    assert_eq!(
        r.tree(&b, "coord"),
        r.remote_git(&["rev-parse", "coord^{tree}"]).trim(),
        "{remote}"
    );
}

#[test]
fn sigkill_during_sync_leaves_refs_consistent_and_the_next_sync_completes() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let mut acknowledged = ids(&r, &a);
    // Random instants (ms after the start), shown when a round fails.
    let mut instants = Vec::new();
    for round in 0..6u64 {
        acknowledged.push(r.add(&a, &format!("alice {round}")));
        acknowledged.push(r.add(&b, &format!("bob {round}")));
        r.sync(&b);
        // alice's sync has a merge to make and a push to do; kill it (and its git children)
        // somewhere on the way.
        let mut cmd = r.env.coord_cmd(&a);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .args(["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sync");
        let instant = fastrand::u64(0..150);
        instants.push(instant);
        std::thread::sleep(std::time::Duration::from_millis(instant));
        let group = format!("-{}", child.id());
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status();
        let _ = child.wait();
        let fsck = r
            .git_cmd(&a)
            .args(["fsck", "--no-progress", "--no-dangling"])
            .output()
            .expect("fsck");
        assert!(fsck.status.success(), "killed at {instants:?} ms: {fsck:?}");
        r.git(&a, &["rev-parse", "--verify", "coord^{commit}"]);
        age_locks(&a.join(".git"));
        // The remote is a local path, so its `receive-pack` ran in alice's process group and
        // may have been killed holding the remote's reference lock, which git never removes
        // (every later push is then refused). A server's `receive-pack` does not die with its
        // client: it finishes or aborts and unlocks. That is the server's state, not alice's.
        remove_locks(&r.bare);
    }
    eprintln!("sync killed at {instants:?} ms");
    r.sync(&a);
    r.sync(&b);
    acknowledged.sort();
    assert_eq!(ids(&r, &a), acknowledged);
    assert_eq!(ids(&r, &b), acknowledged);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    r.remote_git(&["fsck", "--no-progress", "--no-dangling"]);
}

/// Removes every lock file under `git_dir` (a bare remote's, see the test above).
fn remove_locks(git_dir: &Path) {
    each_lock(git_dir, |p| std::fs::remove_file(p).expect("remove a lock"));
}

/// Dates every lock file under `git_dir` an hour back: a killed process's lock, seen as it is
/// once `coord.staleLock` has passed (the rule every write applies to remove it).
fn age_locks(git_dir: &Path) {
    each_lock(git_dir, |p| {
        let status = std::process::Command::new("touch")
            .args(["-d", "1 hour ago", path(p)])
            .status()
            .expect("touch");
        assert!(status.success());
    });
}

/// Calls `f` on every lock file under `dir`.
fn each_lock(dir: &Path, mut f: impl FnMut(&Path)) {
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|x| x == "lock") {
                f(&p);
            }
        }
    }
}

#[test]
fn sync_passes_the_pre_push_hook_even_where_someone_owns_the_record_files() {
    let (r, a, _) = seeded();
    // alice holds every markdown file: task records match the pattern too.
    r.coord(&a, &["own", "*.md"]).expect_code(0);
    r.sync(&a);
    let b = r.clone_as("bob");
    let bin_dir = std::path::Path::new(BIN).parent().expect("bin dir");
    #[allow(clippy::disallowed_methods)] // extends the real PATH so the hooks find git-coord
    let path_var = format!(
        "{}:{}",
        path(bin_dir),
        std::env::var("PATH").unwrap_or_default()
    );
    let hooks = r
        .env
        .coord_cmd(&b)
        .env("PATH", &path_var)
        .args(["hooks", "install"])
        .output()
        .expect("hooks install");
    assert!(hooks.status.success(), "{hooks:?}");
    r.add(&b, "bob's");
    let out = r
        .env
        .coord_cmd(&b)
        .env("PATH", &path_var)
        .args(["sync", "--json"])
        .output()
        .expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The hook still judges code: bob's commit to a markdown file is refused.
    std::fs::write(b.join("notes.md"), "bob\n").expect("write");
    r.git(&b, &["add", "notes.md"]);
    r.git(
        &b,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-m",
            "notes\n\nCoord-Agent: bob",
        ],
    );
    let push = r
        .git_cmd(&b)
        .env("PATH", &path_var)
        .args(["push", "-q", "origin", "HEAD:refs/heads/notes"])
        .output()
        .expect("push");
    assert!(
        !push.status.success(),
        "{}",
        String::from_utf8_lossy(&push.stderr)
    );
}

// From here to the end: the record-level contract of the merge (DESIGN §7) seen through
// sync. They need the merge engine of src/merge/ (the whole-file first version keeps one side
// of a record changed on both sides, whole); they pass with it (branch h-merge).

#[test]
fn different_fields_of_one_record_changed_in_two_clones_both_apply() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    r.coord(&a, &["task", "edit", &t, "--title", "renamed by alice"])
        .expect_code(0);
    r.coord(&b, &["task", "edit", &t, "--priority", "0"])
        .expect_code(0);
    r.sync(&a);
    let report = r.sync(&b);
    assert_eq!(
        report["merged"],
        serde_json::json!([task_path(&t)]),
        "{report}"
    );
    assert_eq!(report["conflicts"], serde_json::json!([]), "{report}");
    r.sync(&a);
    for dir in [&a, &b] {
        let task = task_json(&r, dir, &t);
        assert_eq!(
            (&task["title"], &task["priority"]),
            (
                &serde_json::json!("renamed by alice"),
                &serde_json::json!(0)
            )
        );
    }
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn the_same_field_changed_in_two_clones_keeps_one_and_records_the_other() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    r.coord(&a, &["task", "edit", &t, "--title", "alice's title"])
        .expect_code(0);
    r.coord(&b, &["task", "edit", &t, "--title", "bob's title"])
        .expect_code(0);
    r.sync(&a);
    let report = r.sync(&b);
    let conflicts = report["conflicts"].as_array().expect("conflicts").clone();
    assert_eq!(conflicts.len(), 1, "{report}");
    let record = conflicts[0]["record"].as_str().expect("record").to_owned();
    assert!(record.starts_with("conflicts/"), "{report}");
    r.sync(&a);
    let kept = task_json(&r, &a, &t)["title"]
        .as_str()
        .expect("title")
        .to_owned();
    let other = if kept == "alice's title" {
        "bob's title"
    } else {
        "alice's title"
    };
    assert!(kept == "alice's title" || kept == "bob's title");
    let text = r.git(&a, &["show", &format!("coord:{record}")]);
    assert!(
        text.contains(other) && text.contains(&task_path(&t)),
        "{text}"
    );
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
}

#[test]
fn an_offline_double_claim_goes_to_one_agent_and_the_other_is_told() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    // Both claim while apart: each exits 0 locally.
    r.coord(&a, &["claim", &t]).expect_code(0);
    r.coord(&b, &["claim", &t]).expect_code(0);
    r.sync(&a);
    let report = r.sync(&b);
    assert!(
        !report["conflicts"]
            .as_array()
            .expect("conflicts")
            .is_empty(),
        "{report}"
    );
    r.sync(&a);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    let winner = task_json(&r, &a, &t)["assignee"]
        .as_str()
        .expect("assignee")
        .to_owned();
    let (loser, loser_dir) = match winner.as_str() {
        "alice" => ("bob", &b),
        "bob" => ("alice", &a),
        other => panic!("claimed by {other}"),
    };
    let inbox = r
        .coord(loser_dir, &["inbox", "--all", "--json"])
        .expect_code(0);
    assert!(
        inbox.stdout.contains(&t) && inbox.stdout.contains(&winner),
        "{loser}'s inbox: {}",
        inbox.stdout
    );
}

#[test]
fn adrs_numbered_alike_in_two_clones_are_renumbered_and_the_move_is_recorded() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    // Each clone allocates the next number, offline: both get ADR-0001.
    let first = r.json(&a, &["adr", "new", "Use Redis for rate limits"]);
    let second = r.json(&b, &["adr", "new", "Use Postgres for the queue"]);
    assert_eq!(first["number"], second["number"], "{first} {second}");
    r.sync(&a);
    let report = r.sync(&b);
    let settled = report["settled"].as_array().expect("settled");
    assert_eq!(settled.len(), 1, "{report}");
    r.sync(&a);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    let adrs: Vec<String> = r
        .files(&a, "coord")
        .into_iter()
        .filter(|f| f.starts_with("adrs/"))
        .collect();
    assert_eq!(adrs.len(), 2, "{adrs:?}");
    assert!(adrs[0].starts_with("adrs/0001-"), "{adrs:?}");
    assert!(adrs[1].starts_with("adrs/0002-"), "{adrs:?}");
    let list = r.json(&a, &["adr", "list"]);
    let titles: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["title"].as_str().expect("title"))
        .collect();
    assert!(titles.contains(&"Use Redis for rate limits"), "{list}");
    assert!(titles.contains(&"Use Postgres for the queue"), "{list}");
    // The merge commit says which one moved.
    let message = r.git(&b, &["log", "-1", "--format=%B", "coord"]);
    assert!(message.contains("0002"), "{message}");
}

#[test]
fn one_agents_notes_from_two_machines_are_all_kept_in_time_order() {
    let (r, a, _) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    // alice works on two machines: a note on each, offline.
    r.coord(&a, &["note", "from the laptop"]).expect_code(0);
    r.coord(&b, &["--agent", "alice", "note", "from the build box"])
        .expect_code(0);
    r.coord(&a, &["note", "laptop again"]).expect_code(0);
    r.sync(&a);
    let report = r.sync(&b);
    assert!(
        report["conflicts"]
            .as_array()
            .expect("conflicts")
            .is_empty(),
        "{report}"
    );
    r.sync(&a);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    let pad = r.git(&a, &["show", "coord:scratchpads/alice.md"]);
    for note in ["from the laptop", "from the build box", "laptop again"] {
        assert_eq!(pad.matches(note).count(), 1, "{note:?} in\n{pad}");
    }
    assert!(
        pad.find("from the laptop") < pad.find("laptop again"),
        "time order:\n{pad}"
    );
}

#[test]
fn a_record_unparsable_on_one_side_is_kept_whole_with_the_other_in_a_conflict_record() {
    let (r, a, t) = seeded();
    let b = r.clone_as("bob");
    r.sync(&b);
    let file = task_path(&t);
    // alice edits the task through the tool; bob breaks it by hand.
    r.coord(&a, &["task", "edit", &t, "--title", "Renamed by alice"])
        .expect_code(0);
    r.hand_edit(&b, &[(&file, Some("+++\nthis is = = not toml\n+++\n"))]);
    r.sync(&a);
    let report = r.sync(&b);
    let conflicts = report["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{report}");
    let record = conflicts[0]["record"].as_str().expect("record path");
    r.sync(&a);
    assert_eq!(r.tree(&a, "coord"), r.tree(&b, "coord"));
    // The version that parses is the record; the broken text is in the conflict record.
    assert_eq!(task_json(&r, &a, &t)["title"], "Renamed by alice");
    let kept = r.git(&a, &["show", &format!("coord:{record}")]);
    assert!(kept.contains("this is = = not toml"), "{kept}");
}
