//! `demo` plays the nine-instance remediation plan through a simulated day with the clock
//! stepped, and leaves a real repository that git and git-coord can both read afterwards,
//! with the status screen, the daily report and the dashboard of that day.

use std::collections::BTreeSet;

use crate::common::TestEnv;

/// The demo's clock: the simulated day runs 09:00 – 18:00 of this date.
const END: &str = "2026-11-20T18:00:00Z";

#[test]
fn demo_plays_a_nine_instance_day_and_shows_status_report_and_dashboard() {
    let mut env = TestEnv::new();
    env.now = Some(END.into());
    let dir = env.root.join("demo");
    let run = env
        .coord_in(&env.root, &["demo", "--dir", dir.to_str().unwrap()])
        .expect_code(0);
    let out = &run.stdout;
    // The story, from what the session recorded.
    for told in [
        "lead planned 14 tasks in two milestones and\n       registered 9 agents (api, cache, db, \
         devops, obs, resil, review, state, test; 10 with the lead).",
        "refused (not ready)",
        "lead accepted Sentinel at 11:30",
        "the Redis milestone's gate: GO",
        "resolved at 14:30",
        "waiting for the DBA's sign-off on the index plan",
    ] {
        assert!(out.contains(told), "{told:?} in {out}");
    }
    // The status screen: the day's colour and why, the advice, the records beyond tasks.
    for section in [
        "YELLOW: 2 reasons\n",
        "blocked for 4h, past its 2h SLO (blockers)",
        "unanswered for 4.5h",
        "\nDispatch advice\n  idle, nothing ready fits: api, lead, obs, review, test",
        "\nMilestones\n  m-",
        "last gate GO",
        "\nHigh risks\n  r-",
    ] {
        assert!(out.contains(section), "{section:?} in {out}");
    }
    // The daily report, then where the dashboard is.
    assert!(
        out.contains("# Status report 2026-11-20 18:00 UTC"),
        "{out}"
    );
    assert!(out.contains("\n## Status: YELLOW\n"), "{out}");
    let page = dir.join("dashboard").join("index.html");
    assert!(
        out.contains(&format!(
            "The dashboard is in {}: open {} in a browser.",
            dir.join("dashboard").display(),
            page.display()
        )),
        "{out}"
    );
    let html = std::fs::read_to_string(&page).expect("the dashboard was written");
    assert!(html.contains("id=\"go-no-go\" data-colour=\"yellow\""));
    let agents = [
        "state", "resil", "cache", "obs", "review", "test", "db", "devops", "api",
    ];
    for a in agents {
        assert!(
            html.contains(&format!("data-agent=\"{a}\"")),
            "{a} on the dashboard"
        );
    }

    // The Redis infrastructure is on the critical path the screen shows.
    let tasks = env
        .coord_in(&dir, &["task", "list", "--all", "--json"])
        .expect_code(0)
        .json();
    let tasks = tasks.as_array().unwrap();
    let failover = tasks
        .iter()
        .find(|t| t["title"] == "Redis infrastructure: Sentinel failover")
        .expect("the failover task");
    let path = out
        .lines()
        .find(|l| l.starts_with("Critical path"))
        .expect("a critical path line");
    assert!(
        path.contains(&format!(
            "18h remaining: {} →",
            failover["id"].as_str().unwrap()
        )),
        "{path}"
    );
    let mut statuses: Vec<&str> = tasks
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    statuses.dedup_by(|a, b| a == b);
    assert_eq!(statuses, ["blocked", "done", "in_progress", "todo"]);

    // The clock stepped: the history runs from 09:00 to 17:30, every instance acted, and
    // the day's events are commits.
    let log = env.git_in(
        &dir,
        &["log", "--format=%ad %an %s", "--date=format:%H:%M", "coord"],
    );
    assert!(
        log.lines()
            .last()
            .unwrap()
            .starts_with("09:00 lead coord: init"),
        "{log}"
    );
    assert!(log.lines().next().unwrap().starts_with("17:30 "), "{log}");
    let times: BTreeSet<&str> = log.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(times.len() >= 15, "the clock stepped: {times:?}");
    for a in agents {
        assert!(log.contains(&format!(" {a} coord: ")), "{a} acted: {log}");
    }
    for event in [
        "10:30 devops coord: adr-new ADR-0001",
        "11:30 lead coord: adr-decide ADR-0001",
        "13:15 lead coord: gate m-",
        "13:30 cache coord: open c-",
        "14:30 lead coord: resolve c-",
        "14:00 db coord: block t-",
        "09:40 devops coord: reply m-",
    ] {
        assert!(log.contains(event), "{event:?} in {log}");
    }
    env.coord_in(&dir, &["doctor"]).expect_code(0);

    // It refuses to overwrite an existing directory, and writes nothing there.
    let before = env.git_in(&dir, &["rev-parse", "coord"]);
    env.coord_in(&env.root, &["demo", "--dir", dir.to_str().unwrap()])
        .expect_code(2);
    assert_eq!(env.git_in(&dir, &["rev-parse", "coord"]), before);
}

#[test]
fn demo_json_names_the_repository_the_tasks_and_the_dashboard() {
    let mut env = TestEnv::new();
    env.now = Some(END.into());
    let dir = env.root.join("demo");
    let v = env
        .coord_in(
            &env.root,
            &["demo", "--dir", dir.to_str().unwrap(), "--json"],
        )
        .expect_code(0)
        .json();
    assert_eq!(v["repository"], dir.display().to_string());
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(14));
    let page = dir.join("dashboard").join("index.html");
    assert_eq!(v["dashboard"], page.display().to_string());
    assert!(page.is_file());
}
