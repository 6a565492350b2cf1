//! Milestones through the binary: `milestone add` writes one commit with a readable record,
//! `list` and `show` judge each milestone against its due date from the critical path of
//! all remaining work, prefixes resolve like task IDs, bad input and bad records are named.

use serde_json::{Value, json};

use crate::common::TestEnv;

const NOW: &str = "2026-11-21T10:00:00Z";

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

fn add_milestone(env: &TestEnv, title: &str, due: &str) -> String {
    env.json(&["milestone", "add", title, "--due", due])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

/// A milestone record written by hand.
fn milestone_record(id: &str, title: &str, due: &str, extra: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"open\"\ndue = {due}\ncreated = 2026-11-21T09:00:00Z\nupdated = 2026-11-21T09:00:00Z\n{extra}+++\nHand-written.\n"
    )
}

#[test]
fn add_writes_one_commit_with_a_readable_record() {
    let env = env_at_now();
    let before = env.coord_commits();
    let m = env.json(&[
        "milestone",
        "add",
        "Beta",
        "--due",
        "2026-12-01",
        "--criterion",
        "cargo test",
        "--criterion",
        "cargo clippy -- -D warnings",
        "--body",
        "Everything a user sees works.",
    ]);
    assert_eq!(env.coord_commits(), before + 1);
    let id = m["id"].as_str().unwrap();
    assert!(
        id.len() == 8
            && id.starts_with("m-")
            && id[2..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{id}"
    );
    assert_eq!(m["title"], "Beta");
    assert_eq!(m["status"], "open");
    assert_eq!(m["due"], "2026-12-01T23:59:59Z");
    assert_eq!(
        m["criteria"],
        json!(["cargo test", "cargo clippy -- -D warnings"])
    );
    assert_eq!(m["created"], NOW);
    assert_eq!(m["path"], format!("milestones/{id}.md"));

    let text = env.show(&format!("milestones/{id}.md"));
    assert_eq!(
        text,
        format!(
            "+++\nid = \"{id}\"\ntitle = \"Beta\"\nstatus = \"open\"\ndue = 2026-12-01T23:59:59Z\ncriteria = [\"cargo test\", \"cargo clippy -- -D warnings\"]\ncreated = {NOW}\nupdated = {NOW}\n+++\nEverything a user sees works.\n"
        )
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: add {id}\n\nBeta\n")),
        "{message}"
    );
    assert!(message.contains("Coord-Agent: alice\n"), "{message}");
    assert!(
        message.contains(&format!("Coord-Record: {id}\n")),
        "{message}"
    );
    // The acting agent is registered by the same commit.
    assert!(env.show("agents/alice.toml").contains("last_seen"));

    let human = env
        .coord(&["milestone", "add", "GA", "--due", "2027-01-15T12:00:00Z"])
        .expect_code(0);
    assert!(human.stdout.starts_with("Added m-"), "{}", human.stdout);
    assert!(
        human.stdout.contains("GA (due 2027-01-15T12:00:00Z)"),
        "{}",
        human.stdout
    );
}

#[test]
fn add_refuses_bad_input_naming_the_flag() {
    let env = env_at_now();
    let before = env.coord_commits();
    let run = env
        .coord(&["milestone", "add", "Beta", "--due", "next week"])
        .expect_code(2);
    assert!(run.stderr.contains("--due"), "{}", run.stderr);
    let run = env
        .coord(&["milestone", "add", "  ", "--due", "2026-12-01"])
        .expect_code(2);
    assert!(run.stderr.contains("non-empty title"), "{}", run.stderr);
    let run = env
        .coord(&[
            "milestone",
            "add",
            "Beta",
            "--due",
            "2026-12-01",
            "--criterion",
            "a\nb",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--criterion"), "{}", run.stderr);
    env.coord(&["milestone", "add", "Beta"]).expect_code(2);
    let run = env
        .coord(&[
            "--agent",
            "Not Valid",
            "milestone",
            "add",
            "Beta",
            "--due",
            "2026-12-01",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--agent"), "{}", run.stderr);
    assert_eq!(env.coord_commits(), before);

    let late = env
        .coord(&["milestone", "add", "Past", "--due", "2026-11-01"])
        .expect_code(0);
    assert!(late.stderr.contains("already passed"), "{}", late.stderr);
}

#[test]
fn at_risk_when_the_critical_path_overruns_the_due_date_not_with_slack() {
    let env = env_at_now();
    // Due in 5 h, but its task waits for 4 h of work outside it and takes 2 h: 6 h.
    let tight = add_milestone(&env, "Tight", "2026-11-21T15:00:00Z");
    // Due in 10 h, 3 h of work: 7 h of slack.
    let roomy = add_milestone(&env, "Roomy", "2026-11-21T20:00:00Z");
    // Due yesterday with work open.
    let past = add_milestone(&env, "Past", "2026-11-20T18:00:00Z");
    // Nothing open.
    let empty = add_milestone(&env, "Empty", "2026-11-20T18:00:00Z");

    let pool = env.add("Pool", &["--estimate", "4h"]);
    let limiter = env.add(
        "Limiter",
        &["--after", &pool, "--estimate", "2h", "--milestone", &tight],
    );
    env.add("Docs", &["--estimate", "3h", "--milestone", &roomy]);
    let done = env.add("Shipped", &["--estimate", "5h", "--milestone", &roomy]);
    env.coord(&["claim", &done]).expect_code(0);
    env.coord(&["done", &done, "--no-check"]).expect_code(0);
    env.add("Overdue", &["--estimate", "1h", "--milestone", &past]);
    // A task naming a milestone that does not exist (a free label) belongs to none.
    env.add("Loose", &["--estimate", "50h", "--milestone", "m-roomy"]);

    let list = env.json(&["milestone", "list"]);
    let order: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(order.len(), 4);
    assert_eq!(
        &order[2..],
        &[tight.as_str(), roomy.as_str()],
        "by due date"
    );

    let t = find(&list, &tight);
    assert_eq!(t["open_tasks"], 1);
    assert_eq!(t["done_tasks"], 0);
    assert_eq!(t["hours_remaining"], 2.0);
    assert_eq!(t["projected_finish"], "2026-11-21T16:00:00Z");
    assert_eq!(t["at_risk"], true);
    assert_eq!(t["late"], false);
    assert_eq!(t["path"], format!("milestones/{tight}.md"));

    let r = find(&list, &roomy);
    assert_eq!(
        (r["open_tasks"].clone(), r["done_tasks"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(r["hours_remaining"], 3.0);
    assert_eq!(r["projected_finish"], "2026-11-21T13:00:00Z");
    assert_eq!(r["at_risk"], false);
    assert_eq!(r["late"], false);

    let p = find(&list, &past);
    assert_eq!(
        (p["late"].clone(), p["at_risk"].clone()),
        (json!(true), json!(true))
    );
    let e = find(&list, &empty);
    assert_eq!(e["open_tasks"], 0);
    assert_eq!(e["projected_finish"], Value::Null);
    assert_eq!(
        (e["late"].clone(), e["at_risk"].clone()),
        (json!(false), json!(false))
    );

    let human = env.coord(&["milestone", "list"]).expect_code(0).stdout;
    let line = |id: &str| {
        human
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap()
            .to_owned()
    };
    assert!(line(&tight).contains("at risk"), "{human}");
    assert!(line(&roomy).contains("on track"), "{human}");
    assert!(line(&past).contains("late"), "{human}");
    assert!(line(&empty).contains("no open tasks"), "{human}");

    // Finishing the work outside the milestone brings it back within its due date.
    env.coord(&["claim", &pool]).expect_code(0);
    env.coord(&["done", &pool, "--no-check"]).expect_code(0);
    let t = env.json(&["milestone", "show", &tight]);
    assert_eq!(t["projected_finish"], "2026-11-21T12:00:00Z");
    assert_eq!(t["at_risk"], false);
    assert_eq!(t["tasks"][0]["id"], limiter.as_str());
    assert_eq!(
        t["tasks"][0]["critical"], false,
        "the 50 h task is the critical path"
    );
}

#[test]
fn show_resolves_prefixes_and_lists_the_tasks_that_name_it() {
    let env = env_at_now();
    let m = add_milestone(&env, "Beta", "2026-11-23T18:00:00Z");
    let a = env.add("First", &["--estimate", "2h", "--milestone", &m]);
    let b = env.add(
        "Second",
        &["--after", &a, "--estimate", "1h", "--milestone", &m],
    );
    let c = env.add("Closed", &["--milestone", &m]);
    env.coord(&["claim", &c]).expect_code(0);
    env.coord(&["done", &c, "--no-check"]).expect_code(0);
    env.add("Elsewhere", &[]);

    for given in [m.as_str(), &m[..4], &m[2..5]] {
        assert_eq!(
            env.json(&["milestone", "show", given])["id"],
            m.as_str(),
            "{given}"
        );
    }
    let j = env.json(&["milestone", "show", &m]);
    let tasks: Vec<(&str, &str, Value)> = j["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["status"].as_str().unwrap(),
                t["earliest_finish"].clone(),
            )
        })
        .collect();
    assert_eq!(
        tasks,
        vec![
            (a.as_str(), "todo", json!("2026-11-21T12:00:00Z")),
            (b.as_str(), "todo", json!("2026-11-21T13:00:00Z")),
            (c.as_str(), "done", Value::Null),
        ]
    );
    assert_eq!(j["tasks"][0]["critical"], true);
    assert_eq!(
        (j["open_tasks"].clone(), j["done_tasks"].clone()),
        (json!(2), json!(1))
    );

    let human = env
        .coord(&["milestone", "show", &m[2..5]])
        .expect_code(0)
        .stdout;
    assert!(human.starts_with(&format!("{m}  Beta\n")), "{human}");
    assert!(human.contains("health:     on track"), "{human}");
    assert!(
        human.contains("projected:  2026-11-21T13:00:00Z (in 3h)"),
        "{human}"
    );
    assert!(human.contains(&format!("*  {a}  todo")), "{human}");
    assert!(!human.contains("Elsewhere"));

    let run = env
        .coord(&["milestone", "show", "m-zzzzzzzz"])
        .expect_code(2);
    assert!(
        run.stderr.contains("no milestone matches \"m-zzzzzzzz\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git coord milestone list"),
        "{}",
        run.stderr
    );
    let run = env.coord(&["milestone", "show", "../x"]).expect_code(2);
    assert!(run.stderr.contains("not a milestone ID"), "{}", run.stderr);
}

#[test]
fn hand_written_records_ambiguity_and_breakage() {
    let env = env_at_now();
    let ok = add_milestone(&env, "Made by add", "2026-11-30");
    env.hand_edit(&[
        (
            "milestones/m-abcde1.md",
            Some(&milestone_record(
                "m-abcde1",
                "One",
                "2026-11-25T00:00:00Z",
                "owner = \"ops\"\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"no-go\"\n",
            )),
        ),
        (
            "milestones/m-abcde2.md",
            Some(&milestone_record(
                "m-abcde2",
                "Two",
                "2026-11-26T00:00:00Z",
                "",
            )),
        ),
        (
            "milestones/m-broken.md",
            Some(&milestone_record("m-broken", "Broken", "\"someday\"", "")),
        ),
    ]);

    // Unknown fields do not stop a record from being read.
    let one = env.json(&["milestone", "show", "abcde1"]);
    assert_eq!(one["title"], "One");
    assert_eq!(one["body"], "Hand-written.\n");

    let run = env
        .coord(&["milestone", "show", "m-abcde", "--json"])
        .expect_code(2);
    let err: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(
        err["error"]["details"]["candidates"],
        json!(["m-abcde1", "m-abcde2"])
    );
    let run = env.coord(&["milestone", "show", "abcde"]).expect_code(2);
    assert!(run.stderr.contains("m-abcde1  One"), "{}", run.stderr);

    // A list skips the broken record, naming its file and line, and shows the others.
    let run = env.coord(&["milestone", "list", "--json"]).expect_code(0);
    assert!(
        run.stderr.contains("milestones/m-broken.md:5"),
        "{}",
        run.stderr
    );
    let ids: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec!["m-abcde1".to_owned(), "m-abcde2".to_owned(), ok]);
    // Asking for it fails with the file and line.
    let run = env.coord(&["milestone", "show", "m-broken"]).expect_code(2);
    assert!(
        run.stderr.contains("milestones/m-broken.md:5"),
        "{}",
        run.stderr
    );

    // `gantt` skips it too, with the same warning.
    let run = env.coord(&["gantt"]).expect_code(0);
    assert!(
        run.stderr.contains("milestones/m-broken.md:5"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_is_empty_before_any_milestone() {
    let env = env_at_now();
    assert_eq!(env.json(&["milestone", "list"]), json!([]));
    let run = env.coord(&["milestone", "list"]).expect_code(0);
    assert!(run.stdout.contains("No milestones yet"), "{}", run.stdout);
}
