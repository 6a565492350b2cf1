//! Review findings 9 and 12 of issue 10: a stale `packed-refs.lock` (after `git pack-refs
//! --all`) must not wedge every write for 60 s, and a stray record of any kind (a duplicate
//! ADR number, a copy of a message in another bucket, a conflict, risk or milestone outside
//! its directory's top level) is skipped by every loader and reported by `doctor`.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{TestEnv, task_path};

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
    std::fs::write(&path, "").unwrap();
    let now = SystemTime::now();
    let when = if offset_secs >= 0 {
        now + Duration::from_secs(offset_secs.unsigned_abs())
    } else {
        now - Duration::from_secs(offset_secs.unsigned_abs())
    };
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(when)
        .unwrap();
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
    let err: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(err["error"]["details"]["lock"], lock.display().to_string());
    assert!(
        err["error"]["hints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == &serde_json::json!(format!("rm {}", lock.display()))),
        "{err}"
    );
    assert!(lock.exists(), "a live-looking lock was removed");
    assert_eq!(
        env.coord_commits(),
        before,
        "a failed write wrote something"
    );
}
