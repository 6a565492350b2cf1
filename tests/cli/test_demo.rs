//! `demo` builds a real repository that git and git-coord can both read afterwards.

use crate::common::TestEnv;

#[test]
fn demo_builds_a_sample_project_without_any_git_identity() {
    let env = TestEnv::new();
    let dir = env.root.join("demo");
    let run = env
        .coord_in(&env.root, &["demo", "--dir", dir.to_str().unwrap()])
        .expect_code(0);
    assert!(run.stdout.contains("Redis rate limiter"), "{}", run.stdout);
    assert!(run.stdout.contains("refused (exit 3)"), "{}", run.stdout);
    // The status screen shows the records beyond tasks that the session made.
    for section in [
        "Milestones\n  m-",
        "Pending decisions\n  ADR-0001  Where rate-limit counters live  (2 option(s), decide by",
        "Open conflicts\n  c-",
        "High risks\n  r-",
    ] {
        assert!(
            run.stdout.contains(section),
            "{section:?} in {}",
            run.stdout
        );
    }

    let log = env.git_in(&dir, &["log", "--format=%an %s", "coord"]);
    // init, 5 tasks, 3 agents, 5 task steps; a milestone and 2 tasks moved into it, an ADR
    // and its 2 options, a risk and a conflict.
    assert_eq!(log.lines().count(), 22, "{log}");
    assert!(log.contains("alice coord: open c-"), "{log}");
    assert!(
        log.lines().last().unwrap().starts_with("lead coord: init"),
        "{log}"
    );
    let tasks = env
        .coord_in(&dir, &["task", "list", "--all", "--json"])
        .expect_code(0)
        .json();
    let mut statuses: Vec<&str> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        vec!["blocked", "done", "in_progress", "todo", "todo"]
    );
    env.coord_in(&dir, &["doctor"]).expect_code(0);

    // It refuses to overwrite an existing directory.
    env.coord_in(&env.root, &["demo", "--dir", dir.to_str().unwrap()])
        .expect_code(2);
}
