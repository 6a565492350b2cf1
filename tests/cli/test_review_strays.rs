//! Review findings 9 and 12 of issue 10: a stale `packed-refs.lock` (after `git pack-refs
//! --all`) must not wedge every write for 60 s, and a stray record of any kind (a duplicate
//! ADR number, a copy of a message in another bucket, a conflict, risk or milestone outside
//! its directory's top level) is skipped by every loader and reported by `doctor`.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{TestEnv, assert_refused_on_lock, dated_file, task_path};

fn packed_refs_lock(env: &TestEnv) -> PathBuf {
    env.repo.join(".git/packed-refs.lock")
}

/// `git pack-refs --all` (the coordination branch is then only in `packed-refs`), then a
/// `packed-refs.lock` dated `offset_secs` from now (negative: in the past), as a killed
/// `git pack-refs` or a restored `.git` leaves it.
fn stale_packed_refs_lock(env: &TestEnv, offset_secs: i64) -> PathBuf {
    env.git(&["pack-refs", "--all"]);
    assert!(
        !env.repo.join(".git/refs/heads/coord").exists(),
        "pack-refs left the branch loose"
    );
    let path = packed_refs_lock(env);
    dated_file(&path, offset_secs);
    path
}

/// Finding 9, exactly: an hour-old `packed-refs.lock` after `git pack-refs --all` made every
/// write retry for 60 s and exit 70, and `doctor` said nothing.
#[test]
fn an_hour_old_packed_refs_lock_is_reported_and_reclaimed_at_once() {
    let env = TestEnv::initialised();
    let lock = stale_packed_refs_lock(&env, -3600);
    let doctor = env.coord(&["doctor"]).expect_code(0);
    assert!(
        doctor.stdout.contains("packed-refs.lock") && doctor.stdout.contains("stale lock"),
        "{doctor:?}"
    );
    let started = Instant::now();
    let id = env.add("written past an old packed-refs lock", &[]);
    let took = started.elapsed();
    eprintln!("fault figures: old packed-refs.lock recovered in {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(!lock.exists(), "the stale lock was left");
    assert!(
        env.show(&task_path(&id))
            .contains("past an old packed-refs")
    );
}

/// Finding 9, the other case: a `packed-refs.lock` dated 2099.
#[test]
fn a_packed_refs_lock_dated_in_the_future_is_reported_and_reclaimed_at_once() {
    let env = TestEnv::initialised();
    // 2099-01-01, as `touch -d 2099-01-01` made it in the review.
    let ahead = 4_070_908_800
        - SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    let lock = stale_packed_refs_lock(&env, ahead);
    let doctor = env.coord(&["doctor"]).expect_code(0);
    assert!(
        doctor.stdout.contains("packed-refs.lock") && doctor.stdout.contains("in the future"),
        "{doctor:?}"
    );
    let started = Instant::now();
    let id = env.add("written past a future packed-refs lock", &[]);
    let took = started.elapsed();
    eprintln!("fault figures: future-dated packed-refs.lock recovered in {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(!lock.exists(), "the stale lock was left");
    assert!(env.show(&task_path(&id)).contains("future packed-refs"));
}

/// A `packed-refs.lock` younger than `coord.staleLock` is a live `git pack-refs`'s: it is
/// left alone and the write gives up within `coord.lockTimeout` with exit 2, naming the file
/// and the `rm` that removes it, having written nothing.
#[test]
fn a_live_looking_packed_refs_lock_fails_within_seconds_naming_the_file() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.staleLock", "1h"]);
    env.git(&["config", "coord.lockTimeout", "1s"]);
    let lock = stale_packed_refs_lock(&env, -60);
    let before = env.coord_commits();
    let started = Instant::now();
    let run = env
        .coord(&["task", "add", "blocked", "--json"])
        .expect_code(2);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}: {run:?}");
    assert_refused_on_lock(&env, &run.stderr, &lock, before);
}

/// Runs `doctor --json`, expects exit 2 (errors found), and returns the problems' paths and
/// messages as one string per problem.
fn doctor_errors(env: &TestEnv) -> Vec<String> {
    let run = env.coord(&["doctor", "--json"]).expect_code(2);
    run.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| format!("{}: {}", p["path"].as_str().unwrap(), p["message"]))
        .collect()
}

/// Finding 12, exactly: a hand-added `adrs/0001-dup.md` beside the real ADR-0001 made the
/// real one the one skipped (`adr list` and `adr show` showed the duplicate, because it sorts
/// first by name). The ADR that was on the branch first is kept; the later file is skipped
/// with a warning naming both paths, and doctor reports it.
#[test]
fn a_hand_added_duplicate_adr_number_never_takes_over_the_original() {
    let env = TestEnv::initialised();
    env.json(&["adr", "new", "Use Redis"]);
    let real = "adrs/0001-use-redis.md";
    let text = env.show(real);
    let dup = text.replace("Use Redis", "Use Memcached instead");
    assert_ne!(dup, text);
    env.hand_edit(&[("adrs/0001-dup.md", Some(&dup))]);

    let list = env.coord(&["adr", "list", "--json"]).expect_code(0);
    let listed = list.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["title"], "Use Redis");
    assert!(
        list.stderr.contains("adrs/0001-dup.md") && list.stderr.contains(real),
        "the warning names both paths: {}",
        list.stderr
    );
    let show = env.json(&["adr", "show", "1"]);
    assert_eq!(show["title"], "Use Redis");

    let errors = doctor_errors(&env);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("adrs/0001-dup.md:") && e.contains(real)),
        "{errors:?}"
    );
    assert!(!errors.iter().any(|e| e.starts_with(real)), "{errors:?}");
}

/// Finding 12, messages: a copy of a message at `messages/zz/<id>.md` showed twice in the
/// inbox with no warning, `ack` left the copy unread, and doctor was silent.
#[test]
fn a_copy_of_a_message_in_another_bucket_shows_once_and_ack_clears_it() {
    let env = TestEnv::initialised();
    let sent = env.json(&["send", "bob", "--subject", "Pool timeout?"]);
    let id = sent["id"].as_str().unwrap().to_owned();
    let real = format!("messages/{}/{id}.md", &id[2..4]);
    let copy = format!("messages/zz/{id}.md");
    assert_ne!(real, copy);
    env.hand_edit(&[(&copy, Some(&env.show(&real)))]);

    let inbox = env
        .coord(&["--agent", "bob", "inbox", "--json"])
        .expect_code(0);
    let items = inbox.json();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["path"], real.as_str());
    assert!(
        inbox.stderr.contains(&copy) && inbox.stderr.contains(&real),
        "the warning names both paths: {}",
        inbox.stderr
    );
    env.coord(&["--agent", "bob", "ack", &id]).expect_code(0);
    let after = env.json(&["--agent", "bob", "inbox"]);
    assert_eq!(after.as_array().unwrap().len(), 0, "{after}");
    assert!(
        env.show(&real).contains("read_by = [\"bob\"]"),
        "ack marked the real record: {}",
        env.show(&real)
    );

    let errors = doctor_errors(&env);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("{copy}:")) && e.contains(&real)),
        "{errors:?}"
    );
}

/// Conflicts, risks and milestones live flat in their directory: a copy of one in a
/// subdirectory was listed as a second record of the same ID. Each list shows the record
/// once and warns naming both paths; a misplaced record with no original is named with where
/// it belongs; doctor reports every stray as an error.
#[test]
fn stray_conflicts_risks_and_milestones_are_skipped_and_reported() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    let conflict = env.json(&["conflict", "new", "Pool size", "--between", "alice,bob"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let risk = env.json(&[
        "risk",
        "add",
        "Redis down",
        "--impact",
        "high",
        "--probability",
        "low",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let milestone = env.json(&["milestone", "add", "Beta", "--due", "2026-12-01"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("conflict", "conflicts", conflict),
        ("risk", "risks", risk),
        ("milestone", "milestones", milestone),
    ];
    let mut copies = Vec::new();
    for (_, dir, id) in &cases {
        let real = format!("{dir}/{id}.md");
        copies.push((format!("{dir}/zz/{id}.md"), env.show(&real)));
    }
    let edits: Vec<(&str, Option<&str>)> = copies
        .iter()
        .map(|(p, t)| (p.as_str(), Some(t.as_str())))
        .collect();
    env.hand_edit(&edits);

    for (noun, dir, id) in &cases {
        let run = env.coord(&[noun, "list", "--json"]).expect_code(0);
        let listed = run.json();
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id.as_str()], "{noun} list: {listed}");
        let (real, copy) = (format!("{dir}/{id}.md"), format!("{dir}/zz/{id}.md"));
        assert!(
            run.stderr.contains(&copy) && run.stderr.contains(&real),
            "{noun} list names both paths: {}",
            run.stderr
        );
    }
    let errors = doctor_errors(&env);
    for (_, dir, id) in &cases {
        let (real, copy) = (format!("{dir}/{id}.md"), format!("{dir}/zz/{id}.md"));
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("{copy}:")) && e.contains(&real)),
            "{errors:?}"
        );
        assert!(!errors.iter().any(|e| e.starts_with(&real)), "{errors:?}");
    }

    // Only the misplaced file left: it is no record (commands read the layout's path), and
    // the problem says where it belongs.
    let (_, dir, id) = &cases[1];
    env.hand_edit(&[(&format!("{dir}/{id}.md"), None)]);
    let run = env.coord(&["risk", "list", "--json"]).expect_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 0);
    assert!(
        run.stderr.contains("belongs at") && run.stderr.contains(&format!("{dir}/{id}.md")),
        "{}",
        run.stderr
    );
}

/// Agents and scratchpads are read by name: a copy of an agent record in a subdirectory is
/// not a second agent, and a scratchpad whose name is no agent ID is read by nobody. Doctor
/// reports both.
#[test]
fn stray_agent_records_and_scratchpads_are_reported() {
    let env = TestEnv::initialised();
    env.coord(&["checkin"]).expect_code(0);
    env.coord(&["note", "a thought"]).expect_code(0);
    let agent = env.show("agents/alice.toml");
    let pad = env.show("scratchpads/alice.md");
    env.hand_edit(&[
        ("agents/zz/alice.toml", Some(&agent)),
        ("scratchpads/Not An Agent.md", Some(&pad)),
    ]);
    let agents = env.json(&["agent", "list"]);
    let names: Vec<&str> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice"], "{agents}");
    let errors = doctor_errors(&env);
    for stray in ["agents/zz/alice.toml", "scratchpads/Not An Agent.md"] {
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{stray}:"))),
            "{stray}: {errors:?}"
        );
    }
}
