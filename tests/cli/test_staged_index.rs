//! `check --staged` reads the index file itself (issue 16): whatever the index looks like —
//! versions 2, 3 and 4, a split index, optional extensions, paths longer than the 12-bit
//! length field, paths that are not UTF-8, unmerged entries, a cache-tree fresh, partly
//! invalidated or absent — the paths it judges are exactly what `git diff --cached` lists.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::common::TestEnv;

/// The paths `check --staged` judges: with `coord.unowned = deny` every one is a violation.
fn coord_staged(env: &TestEnv) -> Vec<String> {
    let run = env.coord(&["check", "--staged", "--json"]);
    let v = run.json();
    let mut paths: Vec<String> = v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|f| f["path"].as_str().expect("a path").to_owned())
        .collect();
    paths.sort();
    paths
}

/// What git itself lists, NUL-separated and decoded as `check` decodes paths.
fn git_staged(env: &TestEnv) -> Vec<String> {
    let out = env
        .git_cmd(&env.repo)
        .args(["diff", "--cached", "--name-only", "--no-renames", "-z"])
        .output()
        .expect("run git diff");
    assert!(out.status.success());
    let mut paths: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    paths.sort();
    paths
}

#[track_caller]
fn agree(env: &TestEnv, what: &str) -> Vec<String> {
    let git = git_staged(env);
    assert_eq!(coord_staged(env), git, "{what}");
    git
}

/// A file in the worktree, directories made, `name` as raw bytes.
fn write(env: &TestEnv, name: &[u8], text: &str) {
    let path = env.repo.join(std::ffi::OsStr::from_bytes(name));
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A path longer than the 12 bits an index entry keeps its length in (4,095 bytes), staged
/// straight into the index (no file system holds it), holding `text`.
fn stage_long(env: &TestEnv, text: &str) -> String {
    let long: Vec<String> = (0..25)
        .map(|i| format!("{i:02}{}", "l".repeat(198)))
        .collect();
    let path = format!("{}/long.txt", long.join("/"));
    assert!(path.len() > 4095);
    let blob = stdin_git(env, &["hash-object", "-w", "--stdin"], text);
    env.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{},{path}", blob.trim()),
    ]);
    path
}

fn stdin_git(env: &TestEnv, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = env
        .git_cmd(&env.repo)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run git");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for git");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The same history in an index set up by `setup` (run on the committed index): a committed
/// tree with nested directories, names that sort around `/`, a symlink, an executable, a
/// long path and non-ASCII and non-UTF-8 names; then every kind of staged change; then the
/// cache-tree rebuilt; then committed.
fn scenario(setup: &[&[&str]], version: Option<&str>) {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    for d in 0..5 {
        for s in 0..3 {
            for f in 0..3 {
                write(&env, format!("d{d}/s{s}/f{f}.txt").as_bytes(), "v1\n");
            }
        }
        write(&env, format!("d{d}/top.txt").as_bytes(), "v1\n");
    }
    for name in ["a-b", "a.txt", "a/x", "a/y/z", "a0", "b/c\u{e9}.txt"] {
        write(&env, name.as_bytes(), "v1\n");
    }
    write(&env, b"raw/caf\xff.txt", "v1\n");
    write(&env, b"raw/other.txt", "v1\n");
    write(&env, b"exec.sh", "#!/bin/sh\n");
    std::os::unix::fs::symlink("a.txt", env.repo.join("link")).expect("symlink");
    env.git(&["add", "-A"]);
    let long = stage_long(&env, "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    for args in setup {
        env.git(args);
    }
    if let Some(v) = version {
        let head = std::fs::read(env.repo.join(".git/index")).expect("read the index");
        assert_eq!(
            &head[4..8],
            &[0, 0, 0, v.parse::<u8>().expect("a version")],
            "{setup:?}"
        );
    }
    assert_eq!(agree(&env, "fresh after a commit"), Vec::<String>::new());

    // Every kind of change, in directories at every depth.
    write(&env, b"d1/s0/f0.txt", "changed\n");
    write(&env, b"d2/s2/new.txt", "new\n");
    write(&env, b"new/deep/n.txt", "new\n");
    write(&env, b"raw/other.txt", "changed\n");
    std::fs::remove_file(env.repo.join("a0")).expect("remove a0");
    write(&env, b"a0/inner.txt", "a file became a directory\n");
    env.git(&["add", "d1", "d2", "new", "raw", "a0"]);
    env.git(&["rm", "-q", "d3/s1/f1.txt"]);
    env.git(&["rm", "-q", "-r", "d4"]);
    env.git(&["update-index", "--chmod=+x", "a.txt"]);
    stage_long(&env, "v2\n");
    let staged = agree(&env, "after changes");
    assert_eq!(staged.len(), 19, "{}", staged.len());
    assert!(staged.contains(&long), "{staged:?}");
    assert!(
        !staged.iter().any(|p| p.starts_with("raw/caf")),
        "{staged:?}"
    );

    // `git write-tree` makes the cache-tree valid again, with the changes still staged.
    env.git(&["write-tree"]);
    agree(&env, "after write-tree");
    env.git(&["commit", "-q", "-m", "changes"]);
    assert_eq!(agree(&env, "committed"), Vec::<String>::new());
}

#[test]
fn index_version_2() {
    scenario(&[&["update-index", "--index-version", "2"]], Some("2"));
}

/// Version 3 is what git writes once an entry has an extended flag (here skip-worktree).
#[test]
fn index_version_3() {
    scenario(
        &[&["update-index", "--skip-worktree", "d0/top.txt"]],
        Some("3"),
    );
}

/// Version 4 compresses each path against the one before it (`feature.manyFiles` sets it).
#[test]
fn index_version_4() {
    scenario(&[&["update-index", "--index-version", "4"]], Some("4"));
}

/// A split index keeps most entries in a shared file: left to gix, same answers.
#[test]
fn split_index() {
    scenario(
        &[
            &["config", "core.splitIndex", "true"],
            &["update-index", "--split-index"],
        ],
        None,
    );
}

/// Optional extensions the reader skips: the end-of-index marker and offset table written for
/// threaded reads, and the untracked cache.
#[test]
fn optional_extensions() {
    scenario(
        &[
            &["config", "index.recordEndOfIndexEntries", "true"],
            &["config", "index.recordOffsetTable", "true"],
            &["config", "index.threads", "2"],
            &["config", "core.untrackedCache", "true"],
            &["update-index", "--untracked-cache"],
            &["status", "--porcelain"],
            &[
                "update-index",
                "--force-write-index",
                "--index-version",
                "2",
            ],
        ],
        Some("2"),
    );
}

/// No cache-tree at all (`git read-tree` drops it): every directory is compared.
#[test]
fn an_index_without_a_cache_tree() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    write(&env, b"a/b/c.txt", "v1\n");
    write(&env, b"a/d.txt", "v1\n");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "files"]);
    env.git(&["read-tree", "HEAD"]);
    assert_eq!(agree(&env, "unchanged"), Vec::<String>::new());
    write(&env, b"a/b/c.txt", "v2\n");
    env.git(&["add", "a"]);
    assert_eq!(agree(&env, "changed"), vec!["a/b/c.txt".to_owned()]);
}

/// An unborn `HEAD` (no commit yet): everything in the index is staged.
#[test]
fn before_the_first_commit_everything_is_staged() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    env.git(&["checkout", "-q", "--orphan", "fresh"]);
    env.git(&["rm", "-q", "-r", "--cached", "."]);
    write(&env, b"x/y.txt", "v1\n");
    env.git(&["add", "x"]);
    assert_eq!(agree(&env, "unborn"), vec!["x/y.txt".to_owned()]);
}

/// A merge conflict leaves three entries (stages 1-3) for one path: it is judged once.
#[test]
fn an_unmerged_path_is_judged_once() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    write(&env, b"src/c.txt", "base\n");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "base"]);
    env.git(&["checkout", "-q", "-b", "side"]);
    write(&env, b"src/c.txt", "side\n");
    env.git(&["commit", "-q", "-a", "-m", "side"]);
    env.git(&["checkout", "-q", "main"]);
    write(&env, b"src/c.txt", "main\n");
    env.git(&["commit", "-q", "-a", "-m", "main"]);
    let merge = env
        .git_cmd(&env.repo)
        .args(["merge", "-q", "side"])
        .output()
        .expect("run git merge");
    assert!(!merge.status.success(), "the merge conflicts");
    assert_eq!(agree(&env, "unmerged"), vec!["src/c.txt".to_owned()]);
}

/// A committed file whose name is not UTF-8 is not staged when it did not change, though a
/// file beside it did (it used to be: the index's raw name was compared with HEAD's name
/// decoded lossily).
#[test]
fn an_unchanged_file_named_in_raw_bytes_is_not_staged() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    write(&env, b"raw/caf\xe9.txt", "v1\n");
    write(&env, b"raw/b.txt", "v1\n");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "files"]);
    write(&env, b"raw/b.txt", "v2\n");
    env.git(&["add", "raw/b.txt"]);
    assert_eq!(agree(&env, "raw bytes"), vec!["raw/b.txt".to_owned()]);
}

/// `git add -N` records an intent to add: the entry is in the index, but the next commit does
/// not contain it and `git diff --cached` does not list it, so neither does the check (it used
/// to judge it as an added file).
#[test]
fn an_intent_to_add_is_not_staged() {
    let env = TestEnv::initialised();
    env.coord(&["own", "src/**", "--agent", "bob"])
        .expect_code(0);
    write(&env, b"src/new.rs", "fn main() {}\n");
    env.git(&["add", "-N", "src/new.rs"]);
    let run = env.coord(&["check", "--staged", "--json"]).expect_code(0);
    assert_eq!(run.json()["checked"], 0, "{}", run.stdout);
    // Staged for real, it is bob's file.
    env.git(&["add", "src/new.rs"]);
    env.coord(&["check", "--staged"]).expect_code(1);
}

/// The index git uses for `git commit -a` and `git commit <paths>` (`GIT_INDEX_FILE`), and a
/// missing index, are read like the default one.
#[test]
fn a_temporary_or_missing_index() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    write(&env, b"src/a.txt", "v1\n");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "files"]);
    let temp: PathBuf = env.root.join("temp-index");
    std::fs::copy(env.repo.join(".git/index"), &temp).expect("copy the index");
    write(&env, b"src/a.txt", "v2\n");
    let added = env
        .git_cmd(&env.repo)
        .env("GIT_INDEX_FILE", &temp)
        .args(["add", "src/a.txt"])
        .output()
        .expect("run git add");
    assert!(added.status.success());
    let run = env
        .coord_cmd(&env.repo)
        .env("GIT_INDEX_FILE", &temp)
        .args(["check", "--staged", "--json"])
        .output()
        .expect("run check");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(v["violations"][0]["path"], "src/a.txt", "{v}");
    assert_eq!(coord_staged(&env), Vec::<String>::new());
    std::fs::remove_file(env.repo.join(".git/index")).expect("remove the index");
    // No index at all: nothing is staged (git itself would list every file as deleted; a
    // repository without an index is not one anybody commits from).
    let run = env.coord(&["check", "--staged", "--json"]).expect_code(0);
    assert_eq!(run.json()["checked"], 0);
}
