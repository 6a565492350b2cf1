//! `log` through the binary: a record's history with unified diffs of each change, the whole
//! branch's activity newest first with the agent of each commit, `--since` and `--limit`,
//! the JSON shape, every kind of record ID, unknown IDs, and colour only on request or a
//! terminal.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{TestEnv, record, task_path};

const NOW: &str = "2026-11-21T10:00:00Z";

/// A repository whose every commit, `init` included, is made at a fixed time.
fn env_at(now: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.now = Some(now.into());
    env.git(&["config", "coord.agent", "alice"]);
    env.coord(&["init"]).expect_code(0);
    env
}

fn subjects(log: &Value) -> Vec<String> {
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_field_change_shows_as_minus_and_plus_lines() {
    let env = env_at(NOW);
    let id = env.add("Redis rate limiter", &[]);
    env.coord(&["task", "edit", &id, "--title", "Redis rate limiter v2"])
        .expect_code(0);
    env.add("Unrelated", &[]);

    let run = env.coord(&["log", &id[..5]]).expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&"-title = \"Redis rate limiter\""),
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&"+title = \"Redis rate limiter v2\""),
        "{}",
        run.stdout
    );
    // Newest first, and only the commits that changed this record.
    let headings: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("  alice  coord: "))
        .collect();
    assert_eq!(headings.len(), 2, "{}", run.stdout);
    assert!(
        headings[0].ends_with(&format!("coord: edit {id}")),
        "{}",
        run.stdout
    );
    assert!(
        headings[1].ends_with(&format!("coord: add {id}")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Unrelated"), "{}", run.stdout);

    let log = env.json(&["log", &id]);
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["op"], "edit");
    assert_eq!(entries[0]["changes"].as_array().unwrap().len(), 1);
    let change = &entries[0]["changes"][0];
    assert_eq!(change["path"], task_path(&id));
    assert_eq!(change["change"], "modified");
    let diff = change["diff"].as_str().unwrap();
    assert!(
        diff.starts_with(&format!("--- a/{p}\n+++ b/{p}\n@@ ", p = task_path(&id))),
        "{diff}"
    );
    assert!(
        diff.contains("\n-title = \"Redis rate limiter\"\n+title = \"Redis rate limiter v2\"\n")
    );
    assert_eq!(entries[1]["op"], "add");
    assert_eq!(entries[1]["changes"][0]["change"], "added");
    assert!(
        entries[1]["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- /dev/null\n")
    );
}

#[test]
fn the_whole_branch_newest_first_with_agents() {
    let env = env_at(NOW);
    let task = env.add("Pool", &["--agent", "bob"]);
    env.coord(&["milestone", "add", "Beta", "--due", "2026-12-01"])
        .expect_code(0);
    // A person's commit on the branch has no trailers: its author is its agent.
    env.hand_edit(&[("notes.md", Some("by hand\n"))]);

    let log = env.json(&["log"]);
    let git_subjects: Vec<String> = env
        .git(&["log", "--first-parent", "--format=%s", "coord"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(subjects(&log), git_subjects);
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let agents: Vec<&str> = entries
        .iter()
        .map(|e| e["agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, ["Test User", "alice", "bob", "alice"]);
    assert_eq!(entries[0]["op"], "hand edit");
    assert_eq!(entries[2]["op"], "add");
    let paths: BTreeSet<&str> = entries[2]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    let expected = task_path(&task);
    assert_eq!(
        paths,
        BTreeSet::from(["agents/bob.toml", expected.as_str()])
    );
    // The whole branch lists files; -p adds the diffs.
    assert!(entries[2]["changes"][0]["diff"].is_null());
    let patched = env.json(&["log", "-p"]);
    assert!(
        patched[2]["changes"][1]["diff"]
            .as_str()
            .unwrap()
            .contains("+title = \"Pool\"\n")
    );

    let text = env.coord(&["log"]).expect_code(0).stdout;
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .collect();
    assert_eq!(heads.len(), 4, "{text}");
    assert!(heads[0].ends_with("Test User  hand edit"), "{text}");
    assert!(
        heads[2].contains(&format!("  bob  coord: add {task}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("  added     {}\n", task_path(&task))),
        "{text}"
    );
    assert!(!text.contains("@@"), "no diffs without -p: {text}");

    let limited = env.json(&["log", "-n", "2"]);
    assert_eq!(subjects(&limited), git_subjects[..2]);
}

#[test]
fn since_keeps_only_recent_commits() {
    let mut env = env_at("2026-11-19T10:00:00Z");
    let old = env.add("Old work", &[]);
    env.now = Some(NOW.into());
    let new = env.add("New work", &[]);
    env.now = Some("2026-11-21T12:00:00Z".into());

    let recent = env.json(&["log", "--since", "1d"]);
    assert_eq!(subjects(&recent), [format!("coord: add {new}")]);
    let all = env.json(&["log", "--since", "5d"]);
    assert_eq!(
        subjects(&all),
        [
            format!("coord: add {new}"),
            format!("coord: add {old}"),
            "coord: init coord".to_owned()
        ]
    );
    assert_eq!(
        env.json(&["log", &old, "--since", "1d"]),
        serde_json::json!([])
    );
    let none = env.coord(&["log", &old, "--since", "1d"]).expect_code(0);
    assert!(
        none.stdout
            .starts_with(&format!("No changes to task {old} since ")),
        "{}",
        none.stdout
    );
    let bad = env.coord(&["log", "--since", "yesterday"]).expect_code(2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn json_shape() {
    let env = env_at(NOW);
    env.add("Pool", &[]);
    let log = env.json(&["log", "-p"]);
    for e in log.as_array().unwrap() {
        let keys: BTreeSet<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "commit",
                "at",
                "agent",
                "author",
                "op",
                "forced_by",
                "subject",
                "changes"
            ])
        );
        let commit = e["commit"].as_str().unwrap();
        assert!(commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(e["at"], NOW);
        assert_eq!(e["author"], "alice");
        for c in e["changes"].as_array().unwrap() {
            let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, BTreeSet::from(["path", "change", "diff"]));
            assert!(["added", "modified", "deleted"].contains(&c["change"].as_str().unwrap()));
            assert!(c["diff"].is_string());
        }
    }
}

#[test]
fn every_kind_of_record_resolves() {
    let env = env_at(NOW);
    let milestone = env.json(&["milestone", "add", "Beta", "--due", "2026-12-01"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = env.json(&["send", "bob", "--subject", "Pool timeout?"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.coord(&["note", "remember the pool"]).expect_code(0);
    env.hand_edit(&[
        (
            "adrs/0007-use-redis.md",
            Some("+++\ntitle = \"Use Redis\"\n+++\n"),
        ),
        (
            "conflicts/c-abcdef.md",
            Some("+++\nid = \"c-abcdef\"\n+++\n"),
        ),
        ("risks/r-abcdef.md", Some("+++\nid = \"r-abcdef\"\n+++\n")),
    ]);
    let only_path = |given: &str| -> BTreeSet<String> {
        env.json(&["log", given])
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["changes"].as_array().unwrap().clone())
            .map(|c| c["path"].as_str().unwrap().to_owned())
            .collect()
    };
    let one = |p: &str| BTreeSet::from([p.to_owned()]);
    assert_eq!(
        only_path(&milestone[..4]),
        one(&format!("milestones/{milestone}.md"))
    );
    assert_eq!(
        only_path(&message),
        one(&format!("messages/{}/{message}.md", &message[2..4]))
    );
    assert_eq!(only_path("7"), one("adrs/0007-use-redis.md"));
    assert_eq!(only_path("ADR-0007"), one("adrs/0007-use-redis.md"));
    assert_eq!(only_path("c-abc"), one("conflicts/c-abcdef.md"));
    assert_eq!(only_path("r-abcdef"), one("risks/r-abcdef.md"));
    assert_eq!(
        only_path("alice"),
        BTreeSet::from([
            "agents/alice.toml".to_owned(),
            "scratchpads/alice.md".to_owned()
        ])
    );

    // A record deleted since is still found by its whole ID.
    let task = env.add("Doomed", &[]);
    env.hand_edit(&[(&task_path(&task), None)]);
    let log = env.json(&["log", &task]);
    assert_eq!(log[0]["changes"][0]["change"], "deleted");
    assert_eq!(log[1]["changes"][0]["change"], "added");
}

#[test]
fn unknown_and_ambiguous_ids_are_exit_2() {
    let env = env_at(NOW);
    for given in [
        "t-zzzzzz", "zzz", "42", "ADR-0042", "c-zzzzzz", "m-zzzzzz", "nobody", "a/b",
    ] {
        let run = env.coord(&["log", given]).expect_code(2);
        assert!(run.stderr.contains("error: "), "{given}: {}", run.stderr);
    }
    let run = env.coord(&["log", "t-zzzzzz"]).expect_code(2);
    assert!(
        run.stderr.contains("no record matches \"t-zzzzzz\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: log takes a task"),
        "{}",
        run.stderr
    );
    // Two tasks share every one-character prefix of one of them only by chance; make sure.
    let ids: Vec<String> = (0..40).map(|i| env.add(&format!("t{i}"), &[])).collect();
    let shared = ids
        .iter()
        .find(|a| ids.iter().filter(|b| b[2..3] == a[2..3]).count() > 1)
        .expect("40 IDs share a first character");
    let run = env.coord(&["log", &shared[..3]]).expect_code(2);
    assert!(run.stderr.contains("matches"), "{}", run.stderr);
    // --code keeps its own behaviour.
    let code = env.json(&["log", "--code", &ids[0]]);
    assert_eq!(code["task"], ids[0].as_str());
    assert_eq!(code["commits"], serde_json::json!([]));
}

#[test]
fn colour_only_on_request_never_when_piped() {
    let env = env_at(NOW);
    let id = env.add("Old", &[]);
    env.coord(&["task", "edit", &id, "--title", "New"])
        .expect_code(0);
    // Piped, without NO_COLOR: plain.
    let out = env
        .coord_cmd(&env.repo)
        .args(["log", &id])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n-title = \"Old\"\n+title = \"New\"\n"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "{text:?}");
    let coloured = env
        .coord(&["log", &id, "--color", "always"])
        .expect_code(0)
        .stdout;
    assert!(
        coloured.contains("\x1b[31m-title = \"Old\"\x1b[0m\n\x1b[32m+title = \"New\"\x1b[0m"),
        "{coloured:?}"
    );
}

/// `(commit, A|M|D, path)` for each change `log --json` reports, in order.
fn log_changes(log: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in log.as_array().unwrap() {
        for change in entry["changes"].as_array().unwrap() {
            let kind = match change["change"].as_str().unwrap() {
                "added" => "A",
                "modified" => "M",
                "deleted" => "D",
                other => panic!("unknown change {other}"),
            };
            out.push((
                entry["commit"].as_str().unwrap().to_owned(),
                kind.to_owned(),
                change["path"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// The same, as git itself sees the coordination branch along first parents.
fn git_changes(env: &TestEnv, paths: &[&str]) -> Vec<(String, String, String)> {
    let mut args = vec![
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--no-renames",
        "--name-status",
        "--format=%H",
        "coord",
        "--",
    ];
    args.extend_from_slice(paths);
    let mut out = Vec::new();
    let mut commit = String::new();
    for line in env.git(&args).lines().filter(|l| !l.is_empty()) {
        match line.split_once('\t') {
            Some((kind, path)) => out.push((commit.clone(), kind.to_owned(), path.to_owned())),
            None => commit = line.to_owned(),
        }
    }
    out
}

#[test]
fn a_record_is_followed_like_git_through_deletion_siblings_and_merges() {
    let env = env_at(NOW);
    let (id, other) = ("t-aaaaaa", "t-aabbbb");
    let (path, sibling) = (task_path(id), task_path(other));
    let v = |n: u32| record(id, &format!("Version {n}"), "");
    env.hand_edit(&[(&path, Some(&v(1)))]);
    // Another record in the same fan-out directory, and a directory whose name extends the
    // record's fan-out directory (`aa-notes/` sorts before `aa/`).
    env.hand_edit(&[(&sibling, Some(&record(other, "Sibling", "")))]);
    env.hand_edit(&[("tasks/aa-notes/x.md", Some("note\n"))]);
    env.hand_edit(&[(&path, Some(&v(2)))]);
    env.hand_edit(&[(&sibling, Some(&record(other, "Sibling 2", "")))]);
    env.hand_edit(&[(&path, None)]);
    env.hand_edit(&[(&sibling, None)]);
    env.hand_edit(&[(&path, Some(&v(3)))]);
    // A side line merged into the branch: its own commit is off the first-parent line, the
    // merge changes the record against its first parent.
    let wt = env.home().join("side");
    let wt_str = wt.to_str().unwrap();
    env.git(&["worktree", "add", "-q", "-b", "side", wt_str, "coord"]);
    std::fs::write(wt.join(&path), v(4)).unwrap();
    env.git_in(&wt, &["commit", "-q", "-am", "side edit"]);
    env.hand_edit(&[("notes.md", Some("main line\n"))]);
    // A worktree on the branch to merge in (`hand_edit` removes its own).
    let main_wt = env.home().join("coord-merge");
    env.git(&["worktree", "add", "-q", main_wt.to_str().unwrap(), "coord"]);
    env.git_in(
        &main_wt,
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    env.git(&["worktree", "remove", main_wt.to_str().unwrap()]);
    let side = env.git(&["rev-parse", "side"]).trim().to_owned();

    let log = env.json(&["log", id]);
    let ours = log_changes(&log);
    assert_eq!(ours, git_changes(&env, &[&path]));
    let kinds: Vec<&str> = ours.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(kinds, ["M", "A", "D", "M", "A"], "{log:#}");
    assert!(ours.iter().all(|c| c.0 != side), "{log:#}");
    let diff = log[0]["changes"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-title = \"Version 3\"\n+title = \"Version 4\"\n"),
        "{diff}"
    );
    assert!(
        log[2]["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("+++ /dev/null")
    );

    // The whole branch too, every file of every commit.
    assert_eq!(log_changes(&env.json(&["log"])), git_changes(&env, &[]));
    // A deleted record is still followed by its whole ID.
    env.hand_edit(&[(&path, None)]);
    let after = env.json(&["log", id]);
    assert_eq!(log_changes(&after), git_changes(&env, &[&path]));
    assert_eq!(after[0]["changes"][0]["change"], "deleted");
}
