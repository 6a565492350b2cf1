//! Milestone gates through the binary: `gate` runs the criteria at the worktree root, shows
//! each before it runs, records GO or NO-GO with every criterion's result and the open tasks
//! on the milestone record in one commit, and nothing else ever runs the criteria.

use serde_json::{Value, json};

use crate::common::TestEnv;

const NOW: &str = "2026-11-21T10:00:00Z";

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

fn add_milestone(env: &TestEnv, criteria: &[&str]) -> String {
    let mut args = vec!["milestone", "add", "Beta", "--due", "2026-12-01"];
    for c in criteria {
        args.extend(["--criterion", c]);
    }
    env.json(&args)["id"].as_str().unwrap().to_owned()
}

/// A task in the milestone, and one more that is done.
fn add_tasks(env: &TestEnv, milestone: &str) -> (String, String) {
    let open = env.add("Open work", &["--milestone", milestone]);
    let done = env.add("Finished work", &["--milestone", milestone]);
    env.coord(&["done", &done]).expect_code(0);
    (open, done)
}

fn record(env: &TestEnv, id: &str) -> String {
    env.show(&format!("milestones/{id}.md"))
}

#[test]
fn go_when_every_criterion_passes_recorded_on_the_milestone() {
    let env = env_at_now();
    // The second criterion proves the criteria run at the worktree root.
    let id = add_milestone(&env, &["true", "test -f README.md"]);
    let (open, _) = add_tasks(&env, &id);
    let before = env.coord_commits();
    let run = env.coord(&["gate", &id[..5]]).expect_code(0);
    assert_eq!(env.coord_commits(), before + 1);
    assert!(
        run.stdout.starts_with(&format!("GO  {id}  Beta\n")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "gate {id}: running criterion 2/2: test -f README.md"
        )),
        "{}",
        run.stderr
    );

    let text = record(&env, &id);
    let gates = text.split("[[gates]]").count() - 1;
    assert_eq!(gates, 1, "{text}");
    assert!(
        text.contains(&format!(
            "[[gates]]\nat = {NOW}\nby = \"alice\"\nresult = \"go\"\nopen_tasks = [\"{open}\"]\n\n[[gates.criteria]]\ncommand = \"true\"\npassed = true\nexit_code = 0\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "[[gates.criteria]]\ncommand = \"test -f README.md\"\npassed = true\nexit_code = 0\n"
        ),
        "{text}"
    );
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!(
            "coord: gate {id}\n\nGO: 2 of 2 criteria passed, 1 open task(s)\n"
        )),
        "{message}"
    );
    assert!(message.contains("Coord-Op: gate\n") && message.contains("Coord-Gate: go\n"));

    // `milestone show` reads the decision back.
    let shown = env.json(&["milestone", "show", &id]);
    assert_eq!(shown["gates"].as_array().unwrap().len(), 1);
    assert_eq!(shown["gates"][0]["result"], "go");
    assert_eq!(shown["gates"][0]["by"], "alice");
    assert_eq!(shown["gates"][0]["open_tasks"], json!([open]));
    let human = env.coord(&["milestone", "show", &id]).expect_code(0);
    assert!(
        human.stdout.contains(&format!(
            "gates:      GO {NOW} by alice: 2 of 2 criteria passed, 1 open task"
        )),
        "{}",
        human.stdout
    );
}

#[test]
fn no_go_when_one_fails_runs_them_all_and_keeps_the_history() {
    let env = env_at_now();
    let id = add_milestone(
        &env,
        &["exit 3", "echo criterion-stdout; echo criterion-stderr >&2"],
    );
    let (open, _) = add_tasks(&env, &id);
    let run = env.coord(&["gate", &id, "--json"]).expect_code(1);
    // The criteria's output never pollutes the JSON on stdout.
    let gate: Value = run.json();
    assert!(run.stderr.contains("criterion-stdout") && run.stderr.contains("criterion-stderr"));
    assert_eq!(gate["milestone"], id.as_str());
    assert_eq!(gate["path"], format!("milestones/{id}.md"));
    assert_eq!(gate["result"], "no-go");
    assert_eq!(gate["by"], "alice");
    assert_eq!(gate["at"], NOW);
    assert_eq!(gate["open_tasks"], json!([open]));
    let criteria = gate["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 2, "the second runs after the first failed");
    assert_eq!(
        (
            &criteria[0]["command"],
            &criteria[0]["passed"],
            &criteria[0]["exit_code"]
        ),
        (&json!("exit 3"), &json!(false), &json!(3))
    );
    assert_eq!(
        (&criteria[1]["passed"], &criteria[1]["exit_code"]),
        (&json!(true), &json!(0))
    );
    assert!(criteria[1]["seconds"].as_f64().unwrap() >= 0.0);
    let err: Value = serde_json::from_str(run.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(err["error"]["exit_code"], 1);

    let text = record(&env, &id);
    assert!(text.contains("result = \"no-go\""), "{text}");
    assert!(
        text.contains("command = \"exit 3\"\npassed = false\nexit_code = 3\n"),
        "{text}"
    );
    assert!(
        text.contains("passed = true\nexit_code = 0\n"),
        "both results are recorded: {text}"
    );
    assert!(
        text.contains(&format!("open_tasks = [\"{open}\"]")),
        "{text}"
    );

    // A second run appends; the first decision stays as it was.
    env.coord(&["done", &open]).expect_code(0);
    let run = env.coord(&["gate", &id]).expect_code(1);
    assert!(
        run.stdout.starts_with(&format!("NO-GO  {id}  Beta\n")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  open tasks: none\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("is NO-GO: 1 of 2 criteria failed"),
        "{}",
        run.stderr
    );
    let again = record(&env, &id);
    assert_eq!(again.split("[[gates]]").count() - 1, 2, "{again}");
    assert!(again.contains(&text[text.find("[[gates]]").unwrap()..text.rfind("+++").unwrap()]));
    let shown = env.json(&["milestone", "show", &id]);
    let gates = shown["gates"].as_array().unwrap();
    assert_eq!(gates.len(), 2);
    assert_eq!(gates[0]["open_tasks"], json!([open]));
    assert_eq!(gates[1]["open_tasks"], json!([]));
}

#[test]
fn a_milestone_without_criteria_is_no_go() {
    let env = env_at_now();
    let id = add_milestone(&env, &[]);
    let run = env.coord(&["gate", &id]).expect_code(1);
    assert!(run.stderr.contains("has no criteria"), "{}", run.stderr);
    assert!(run.stderr.contains("`criteria` list"), "{}", run.stderr);
    assert!(record(&env, &id).contains("result = \"no-go\""));
}

#[test]
fn unknown_milestone_is_exit_2_and_writes_nothing() {
    let env = env_at_now();
    add_milestone(&env, &["true"]);
    let before = env.coord_commits();
    let run = env.coord(&["gate", "m-zzzzzz"]).expect_code(2);
    assert!(
        run.stderr.contains("no milestone matches \"m-zzzzzz\""),
        "{}",
        run.stderr
    );
    env.coord(&["gate", "not/an/id"]).expect_code(2);
    assert_eq!(env.coord_commits(), before);
}

#[test]
fn criteria_run_only_when_gate_is_asked() {
    let env = env_at_now();
    let marker = env.repo.join("gate-ran");
    let id = add_milestone(&env, &["touch gate-ran"]);
    add_tasks(&env, &id);
    for args in [
        vec!["milestone", "list"],
        vec!["milestone", "show", &id],
        vec!["milestone", "show", &id, "--json"],
        vec!["status"],
        vec!["task", "list"],
        vec!["doctor"],
    ] {
        env.coord(&args);
        assert!(!marker.exists(), "{args:?} ran a criterion");
    }
    let before = env.coord_commits();
    let dry = env.json(&["gate", &id, "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["criteria"], json!(["touch gate-ran"]));
    assert_eq!(dry["open_tasks"].as_array().unwrap().len(), 1);
    let dry = env.coord(&["gate", &id, "--dry-run"]).expect_code(0);
    assert!(
        dry.stdout.contains("  1. touch gate-ran\n"),
        "{}",
        dry.stdout
    );
    assert!(!marker.exists(), "--dry-run ran a criterion");
    assert_eq!(env.coord_commits(), before);

    env.coord(&["gate", &id]).expect_code(0);
    assert!(marker.exists());
}

#[test]
fn status_shows_open_milestones_with_health_and_last_gate() {
    let env = env_at_now();
    let id = add_milestone(&env, &["false"]);
    // 300 hours of work cannot finish by a due date ten days away.
    env.add("Huge", &["--milestone", &id, "--estimate", "300h"]);
    let later = env.json(&["milestone", "add", "GA", "--due", "2027-06-01"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.coord(&["gate", &id]).expect_code(1);
    let status = env.json(&["status"]);
    let rows = status["milestones"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str(), later.as_str()], "by due date: {status}");
    assert_eq!(rows[0]["health"]["at_risk"], true, "{status}");
    assert_eq!(rows[0]["health"]["open_tasks"], 1);
    assert_eq!(rows[0]["last_gate"], "no-go");
    assert_eq!(rows[1]["health"]["at_risk"], false);
    assert_eq!(rows[1]["last_gate"], Value::Null);
    let text = env.coord(&["status"]).expect_code(0).stdout;
    assert!(
        text.contains(&format!(
            "{id}  Beta  due 2026-12-01  0/1 tasks done  AT RISK, last gate NO-GO"
        )),
        "{text}"
    );
}
