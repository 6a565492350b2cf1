//! The regression guard of issue 16, not a timed test: with `GIT_COORD_COUNTS=1` the binary
//! says how many task records it decoded and how many objects it read from the coordination
//! branch. Reads served from the task view decode only the records they print, and writes do
//! not read more objects as the plan grows.

use std::io::Write;

use crate::common::TestEnv;

/// `(records decoded, objects read)` of one command, which must succeed.
fn counts(env: &TestEnv, args: &[&str]) -> (u64, u64) {
    let out = env
        .coord_cmd(&env.repo)
        .env("GIT_COORD_COUNTS", "1")
        .args(args)
        .output()
        .expect("run git-coord");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("git-coord counts: "))
        .unwrap_or_else(|| panic!("no counts line in:\n{stderr}"));
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    (field("records-decoded"), field("objects-read"))
}

/// Imports the JSON-lines plan `file` into `env`'s repository.
fn import(env: &TestEnv, file: &std::path::Path) {
    env.coord(&[
        "import",
        "--from",
        "json",
        file.to_str().expect("UTF-8 path"),
    ])
    .expect_code(0);
}

/// A repository with `n` tasks in chains of three (a third of them ready), imported in one go,
/// with one agent that fits every task.
fn plan(n: usize) -> TestEnv {
    let env = TestEnv::initialised();
    let file = env.root.join("plan.jsonl");
    let mut out = std::fs::File::create(&file).expect("create the plan");
    for i in 0..n {
        let deps = if i % 3 == 0 {
            String::new()
        } else {
            format!("\"t-{:08}\"", i - 1)
        };
        writeln!(
            out,
            r#"{{"id": "t-{i:08}", "title": "Task {i}", "priority": {p}, "estimate_hours": 2, "depends_on": [{deps}]}}"#,
            p = i % 4
        )
        .expect("write the plan");
    }
    drop(out);
    import(&env, &file);
    env
}

#[test]
fn a_warm_ready_decodes_only_the_tasks_it_lists() {
    let env = plan(300);
    // Without its cache, a read builds the view from the branch: every record is parsed.
    std::fs::remove_dir_all(env.repo.join(".git/coord")).expect("remove the cache");
    let (first, _) = counts(&env, &["ready", "--json", "--limit", "5"]);
    assert!(first >= 300, "the cold read parsed {first} records");
    // Warm: five listed, five decoded, nothing read from the branch.
    let (records, objects) = counts(&env, &["ready", "--json", "--limit", "5"]);
    assert_eq!((records, objects), (5, 0));
    let listed = env.json(&["ready", "--limit", "7"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(7));
    assert_eq!(counts(&env, &["ready", "--json", "--limit", "7"]).0, 7);
    // Filtering by expertise is decided from the view too: no task asks for any.
    assert_eq!(
        counts(
            &env,
            &["ready", "--json", "--limit", "3", "--expertise", "rust"]
        )
        .0,
        3
    );
}

#[test]
fn next_and_path_decode_no_more_than_they_use() {
    let env = plan(90);
    counts(&env, &["ready", "--json"]);
    // `path` decodes the tasks on the critical path (a chain of three) and nothing else.
    let path = env.json(&["path"]);
    let on_path = path["tasks"].as_array().map_or(0, Vec::len) as u64;
    assert!(on_path > 0, "{path}");
    assert_eq!(counts(&env, &["path", "--json"]).0, on_path);
    // `next` re-reads the one record it claims from the branch, and decodes none.
    let (records, objects) = counts(&env, &["--agent", "ana", "next", "--json"]);
    assert_eq!(records, 0);
    assert!(objects < 20, "next read {objects} objects");
}

#[test]
fn an_import_leaves_the_view_warm() {
    let env = plan(300);
    assert_eq!(counts(&env, &["ready", "--json", "--limit", "4"]), (4, 0));
}

#[test]
fn a_write_reads_as_many_objects_at_300_tasks_as_at_30() {
    let small = plan(30);
    let large = plan(300);
    for env in [&small, &large] {
        counts(env, &["ready", "--json"]);
    }
    let add = |env: &TestEnv| counts(env, &["task", "add", "one more", "--json"]);
    let (small_records, small_objects) = add(&small);
    let (large_records, large_objects) = add(&large);
    assert_eq!((small_records, large_records), (0, 0));
    assert_eq!(
        small_objects, large_objects,
        "task add reads grow with the plan"
    );
    let claim = |env: &TestEnv| counts(env, &["--agent", "ana", "claim", "t-00000003", "--json"]);
    let (small_records, small_objects) = claim(&small);
    let (large_records, large_objects) = claim(&large);
    assert_eq!((small_records, large_records), (0, 0));
    assert_eq!(
        small_objects, large_objects,
        "claim reads grow with the plan"
    );
}

#[test]
fn after_a_write_the_view_is_refreshed_from_the_changed_bucket_only() {
    let env = plan(300);
    counts(&env, &["ready", "--json"]);
    env.add("a new task", &[]);
    // The refresh reads the tasks tree and the one bucket that changed, not 300 blobs.
    let (_, objects) = counts(&env, &["ready", "--json", "--limit", "3"]);
    assert!(objects < 10, "the refresh read {objects} objects");
    // And the new task is in the view.
    let ready = env.json(&["ready"]);
    let titles: Vec<&str> = ready
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert!(titles.contains(&"a new task"), "{titles:?}");
}

/// A claim changes one task in a way that leaves the schedule as it was: the view is patched
/// (a handful of records decoded), not computed again from all 300.
#[test]
fn a_claim_patches_the_view_instead_of_decoding_every_record() {
    let env = plan(300);
    counts(&env, &["ready", "--json"]);
    let run = env.coord(&["--agent", "ana", "claim", "t-00000003", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (records, _) = counts(&env, &["ready", "--json", "--limit", "2"]);
    assert!(
        records < 10,
        "the read after a claim decoded {records} records"
    );
    // A new estimate changes the schedule: computed again from every record.
    let run = env.coord(&["task", "edit", "t-00000006", "--estimate", "5h", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (records, _) = counts(&env, &["ready", "--json", "--limit", "2"]);
    assert!(
        records >= 300,
        "the read after an estimate edit decoded {records} records"
    );
}

/// What `ready` (shared and per agent) and `path` say after random writes, read through the
/// cached view (patched or computed again, whichever the write allowed), equals what a view
/// computed from scratch says: a copy of the repository without the cache answers each time.
#[test]
fn a_patched_view_answers_as_one_computed_from_scratch() {
    let env = TestEnv::initialised();
    let file = env.root.join("plan.jsonl");
    let mut rng = fastrand::Rng::with_seed(16);
    let mut out = std::fs::File::create(&file).expect("create the plan");
    let n = 40;
    for i in 0..n {
        let deps: Vec<String> = (0..rng.usize(0..3).min(i))
            .map(|_| format!("\"t-{:08}\"", rng.usize(0..i)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let expertise = ["", "\"rust\"", "\"docs\""][rng.usize(0..3)];
        writeln!(
            out,
            r#"{{"id": "t-{i:08}", "title": "Task {i}", "priority": {p}, "estimate_hours": {h}, "expertise": [{expertise}], "depends_on": [{deps}]}}"#,
            p = rng.u8(0..4),
            h = rng.usize(1..6),
            deps = deps.join(", ")
        )
        .expect("write the plan");
    }
    drop(out);
    import(&env, &file);
    for (agent, expertise) in [("ana", "rust"), ("bo", "docs"), ("cy", "rust,docs")] {
        env.coord(&["agent", "add", agent, "--expertise", expertise])
            .expect_code(0);
    }
    let reads: [&[&str]; 5] = [
        &["ready", "--json"],
        &["--agent", "ana", "ready", "--json"],
        &["--agent", "bo", "ready", "--json"],
        &["--agent", "cy", "ready", "--json", "--limit", "3"],
        &["path", "--json"],
    ];
    let answers = |dir: &std::path::Path| -> Vec<String> {
        reads
            .iter()
            .map(|args| {
                let run = env.coord_in(dir, args);
                assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
                run.stdout
            })
            .collect()
    };
    let agents = ["ana", "bo", "cy"];
    for step in 0..60 {
        let task = format!("t-{:08}", rng.usize(0..n));
        let agent = agents[rng.usize(0..agents.len())];
        let other = agents[rng.usize(0..agents.len())];
        let title = format!("Task retitled at step {step}");
        let op: Vec<&str> = match rng.usize(0..10) {
            0 | 1 => vec!["claim", &task],
            2 => vec!["start", &task],
            3 => vec!["block", &task, "--reason", "waiting"],
            4 => vec!["unblock", &task],
            5 => vec!["release", &task],
            6 => vec!["assign", &task, "--to", other, "--steal"],
            7 => vec!["task", "edit", &task, "--title", &title],
            8 => vec!["review", &task],
            _ => vec!["done", &task, "--no-check"],
        };
        let mut args = vec!["--agent", agent];
        // Holders differ: a coordinator's --force lets most of the writes through.
        let forced = !matches!(op[0], "claim" | "assign" | "task");
        args.extend(op.iter().copied());
        if forced {
            args.push("--force");
        }
        // Refused writes (exit 1 to 3) are part of the walk; they change nothing.
        let _ = env.coord(&args);
        let cached = answers(&env.repo);
        let scratch = env.root.join(format!("scratch-{step}"));
        let copied = std::process::Command::new("cp")
            .args(["-a"])
            .arg(&env.repo)
            .arg(&scratch)
            .status()
            .expect("copy the repository");
        assert!(copied.success());
        std::fs::remove_dir_all(scratch.join(".git/coord")).expect("remove the copy's cache");
        let fresh = answers(&scratch);
        for ((args, a), b) in reads.iter().zip(&cached).zip(&fresh) {
            assert_eq!(a, b, "step {step} after {op:?}: {args:?} differs");
        }
        std::fs::remove_dir_all(&scratch).expect("remove the copy");
    }
}

/// `status` decodes the records it prints and no more: at 300 tasks with nothing started,
/// today's five priorities; then a claimed task and a blocked one, each printed, one record
/// more each. The counts and the forecast come from the view's rows.
#[test]
fn status_decodes_only_the_tasks_it_prints() {
    let env = plan(300);
    env.coord(&["agent", "add", "ana"]).expect_code(0);
    counts(&env, &["ready", "--json"]);
    let (records, _) = counts(&env, &["status"]);
    assert_eq!(records, 5, "today's priorities are five tasks");
    let json = env.json(&["status"]);
    assert_eq!(json["progress"]["tasks_total"], 300);
    assert_eq!(
        json["forecast"]["slots"].as_array().map(Vec::len),
        Some(300)
    );
    env.coord(&["--agent", "ana", "claim", "t-00000000"])
        .expect_code(0);
    env.coord(&["block", "t-00000003", "--reason", "waits on the vendor"])
        .expect_code(0);
    // The view catches up with the two writes (a patch), then status reads it as it is.
    counts(&env, &["ready", "--json"]);
    let (records, _) = counts(&env, &["status"]);
    assert_eq!(
        records, 7,
        "five priorities, the claimed task and the blocked one"
    );
    let json = env.json(&["status"]);
    assert_eq!(json["blocked"][0]["reason"], "waits on the vendor");
    let ana = json["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["id"] == "ana"));
    assert_eq!(
        ana.map(|a| a["current"][0]["id"].clone()),
        Some("t-00000000".into()),
        "{json}"
    );
    // The JSON lists the forecast's slots, which the screen does not print: still no record
    // beyond what it prints.
    assert_eq!(counts(&env, &["status", "--json"]).0, 7);
}
