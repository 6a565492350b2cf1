//! Work handed to an agent (issue 11): `next` takes the tasks assigned to me and not started
//! (by `assign` or a conflict's action item) before the shared pool, `ready --agent me` lists
//! the same candidates, marked; `-q` on the commands that create or claim prints exactly the
//! ID; and errors name arguments the way the user typed them.

use std::sync::Arc;
use std::thread;

use crate::common::{TestEnv, ids};

/// The issue's case: a task assigned to me waits, nothing else is ready, and `next` said
/// "nothing is ready". It claims the assigned task, in one commit, read back through git.
#[test]
fn next_claims_the_task_assigned_to_me() {
    let env = TestEnv::initialised();
    let t = env.add("Move the session cache", &[]);
    env.json(&["assign", &t, "--to", "bob"]);
    // Assigned but not started: todo, with an assignee.
    let before = env.json(&["task", "show", &t]);
    assert_eq!(before["status"], "todo");
    assert_eq!(before["assignee"], "bob");
    // Not in the shared ready list, nor in another agent's view.
    assert!(ids(&env.json(&["ready"])).is_empty());
    assert!(ids(&env.json(&["--agent", "carol", "ready"])).is_empty());

    let commits = env.coord_commits();
    let claimed = env.json(&["--agent", "bob", "next"]);
    assert_eq!(claimed["id"], t.as_str());
    assert_eq!(env.coord_commits(), commits + 1, "one commit");
    let record = env.show(&crate::common::task_path(&t));
    assert!(record.contains("status = \"in_progress\""), "{record}");
    assert!(record.contains("assignee = \"bob\""), "{record}");
    let message = env.git(&["log", "-1", "--format=%B", "coord"]);
    assert!(
        message.starts_with(&format!("coord: claim {t}")),
        "{message}"
    );
    // Nothing is left for bob now.
    let none = env.refused(&["--agent", "bob", "next"], 1);
    assert!(none.stderr.contains("nothing is ready"), "{}", none.stderr);
}

/// A conflict's action item with `--assign` is assigned work too.
#[test]
fn next_claims_a_conflicts_action_item_assigned_to_me() {
    let env = TestEnv::initialised();
    let c = env.json(&[
        "conflict",
        "new",
        "Who owns the cache",
        "--between",
        "alice,state",
        "--about",
        "src/cache/**",
    ]);
    let c = c["id"].as_str().unwrap();
    let resolved = env.json(&[
        "conflict",
        "resolve",
        c,
        "--resolution",
        "state owns it",
        "--action",
        "Move the cache to state",
        "--assign",
        "state",
    ]);
    let action = resolved["actions"][0]["task"].as_str().unwrap().to_owned();
    let view = env.json(&["--agent", "state", "ready"]);
    assert_eq!(ids(&view), vec![action.clone()]);
    assert_eq!(view[0]["assigned"], true);
    let claimed = env.json(&["--agent", "state", "next"]);
    assert_eq!(claimed["id"], action.as_str());
    assert_eq!(claimed["status"], "in_progress");
}

/// My assigned ready work comes first, in the usual order (priority, slack, age), whatever
/// its expertise; then unassigned work that fits me. Assigned work still waiting for its
/// dependencies is not ready.
#[test]
fn next_takes_assigned_work_first_then_unassigned_that_fits() {
    let mut env = TestEnv::initialised();
    env.coord(&["agent", "add", "bob", "--expertise", "backend"])
        .expect_code(0);
    env.now = Some("2026-11-21T10:00:00Z".into());
    let shared_urgent = env.add("Shared and urgent", &["--priority", "0"]);
    let not_mine = env.add("Frontend work", &["--priority", "0", "--expertise", "web"]);
    let blocker = env.add("Blocker", &["--priority", "3"]);
    env.now = Some("2026-11-21T10:01:00Z".into());
    let low = env.add("Mine, low priority", &["--priority", "3"]);
    let high = env.add(
        "Mine, high priority",
        &["--priority", "1", "--expertise", "web"],
    );
    let waiting = env.add("Mine, waiting", &["--priority", "0", "--after", &blocker]);
    for t in [&low, &high, &waiting] {
        env.json(&["assign", t, "--to", "bob"]);
    }

    let view = env.json(&["--agent", "bob", "ready"]);
    assert_eq!(
        ids(&view),
        vec![
            high.clone(),
            low.clone(),
            shared_urgent.clone(),
            blocker.clone()
        ],
        "assigned first (by priority, whatever the expertise), then unassigned that fit"
    );
    let flags: Vec<bool> = view
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["assigned"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![true, true, false, false]);
    // The text view marks them too.
    let text = env.coord(&["--agent", "bob", "ready"]).expect_code(0);
    let marked: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.contains("(assigned)"))
        .collect();
    assert_eq!(marked.len(), 2, "{}", text.stdout);
    assert!(marked[0].contains(&high) && marked[1].contains(&low));

    // `ready` without --agent is as it was: unassigned work only, unmarked.
    let shared = env.json(&["ready"]);
    let mut listed = ids(&shared);
    listed.sort();
    let mut unassigned = vec![shared_urgent.clone(), not_mine.clone(), blocker.clone()];
    unassigned.sort();
    assert_eq!(listed, unassigned);
    assert!(
        shared
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["assigned"] == false)
    );

    let order: Vec<String> = (0..4)
        .map(|_| {
            env.json(&["--agent", "bob", "next"])["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(order, vec![high, low, shared_urgent, blocker]);
    // The waiting task is mine, but its dependency is only claimed, not done; web work
    // does not fit bob.
    env.refused(&["--agent", "bob", "next"], 1);
    assert_eq!(env.json(&["task", "show", &waiting])["status"], "todo");
}

/// Two agents, each with assigned work, racing `next` with the shared pool too: nobody gets
/// a task twice, nobody takes another agent's assigned task, and each gets its own first.
#[test]
fn concurrent_next_never_hands_assigned_work_to_another_agent() {
    let env = TestEnv::initialised();
    let mut assigned = Vec::new();
    for agent in ["bob", "carol"] {
        for n in 0..3 {
            let t = env.add(&format!("{agent} {n}"), &[]);
            env.json(&["assign", &t, "--to", agent]);
            assigned.push((t, agent));
        }
    }
    let shared: Vec<String> = (0..4)
        .map(|n| env.add(&format!("shared {n}"), &[]))
        .collect();
    let env = Arc::new(env);
    let handles: Vec<_> = ["bob", "carol"]
        .into_iter()
        .map(|agent| {
            let env = Arc::clone(&env);
            thread::spawn(move || {
                (0..5)
                    .map(|_| {
                        let run = env.coord(&["--agent", agent, "--json", "next"]);
                        assert_eq!(run.code, 0, "{}", run.stderr);
                        run.json()["id"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let got: Vec<(Vec<String>, &str)> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .zip(["bob", "carol"])
        .collect();
    let mut all: Vec<&String> = got.iter().flat_map(|(v, _)| v).collect();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(all.len(), before, "a task was handed out twice: {got:?}");
    for (claimed, agent) in &got {
        let mine: Vec<&String> = assigned
            .iter()
            .filter(|(_, a)| a == agent)
            .map(|(t, _)| t)
            .collect();
        // Its own three first, then two from the shared pool.
        for t in &claimed[..3] {
            assert!(
                mine.contains(&t),
                "{agent} got {t} out of turn: {claimed:?}"
            );
        }
        for t in &claimed[3..] {
            assert!(shared.contains(t), "{agent} took {t}: {claimed:?}");
        }
    }
    for (t, agent) in &assigned {
        assert_eq!(env.json(&["task", "show", t])["assignee"], *agent);
    }
}

/// `-q` on commands that create or claim: exactly the ID and a newline on stdout.
#[test]
fn quiet_task_add_claim_and_next_print_exactly_the_id() {
    let env = TestEnv::initialised();
    let added = env
        .coord(&["-q", "task", "add", "Write docs"])
        .expect_code(0);
    let id = added.stdout.trim_end_matches('\n').to_owned();
    assert_eq!(added.stdout, format!("{id}\n"));
    assert_eq!(env.json(&["task", "show", &id])["title"], "Write docs");

    // claim by a prefix prints the full ID; again (already mine) too.
    let claimed = env.coord(&["-q", "claim", &id[..5]]).expect_code(0);
    assert_eq!(claimed.stdout, format!("{id}\n"));
    let again = env.coord(&["-q", "claim", &id]).expect_code(0);
    assert_eq!(again.stdout, format!("{id}\n"));

    let other = env.add("Another", &[]);
    let next = env.coord(&["-q", "next"]).expect_code(0);
    assert_eq!(next.stdout, format!("{other}\n"));

    // Nothing ready: nothing on stdout, exit 1, and nothing written.
    let none = env.refused(&["-q", "next"], 1);
    assert_eq!(none.stdout, "");
}

/// Errors name the argument as it was typed: positional ones by their placeholder, flags by
/// the flag that exists. Each refused command writes nothing.
#[test]
fn errors_name_arguments_as_typed() {
    let env = TestEnv::initialised();
    let t = env.add("A task", &[]);
    let c = env.json(&[
        "conflict",
        "new",
        "c",
        "--between",
        "alice,bob",
        "--about",
        "x",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = env.json(&[
        "risk",
        "add",
        "r",
        "--impact",
        "high",
        "--probability",
        "low",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.coord(&["adr", "new", "Use Redis"]).expect_code(0);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["task", "dep", "add", &t, &t], "error: <NEEDS>: "),
        (vec!["task", "add", ""], "error: <TITLE>: "),
        (vec!["own", "["], "error: <GLOB>: "),
        (vec!["note", " "], "error: <TEXT>: "),
        (
            vec!["send", "bob", "--subject", "s", "--file", ""],
            "error: --file: ",
        ),
        (
            vec![
                "conflict",
                "new",
                "",
                "--between",
                "alice,bob",
                "--about",
                "x",
            ],
            "error: <TITLE>: ",
        ),
        (vec!["conflict", "propose", &c, ""], "error: <TEXT>: "),
        (
            vec![
                "risk",
                "add",
                "",
                "--impact",
                "high",
                "--probability",
                "low",
            ],
            "error: <TITLE>: ",
        ),
        (vec!["risk", "edit", &r, "--title", ""], "error: --title: "),
        (
            vec!["milestone", "add", "", "--due", "2099-01-01"],
            "error: <TITLE>: ",
        ),
        (vec!["adr", "new", " "], "error: <TITLE>: "),
        (vec!["adr", "edit", "1", "--title", ""], "error: --title: "),
        (vec!["adr", "option", "1", ""], "error: <NAME>: "),
    ];
    for (args, starts) in cases {
        let run = env.refused(&args, 2);
        assert!(
            run.stderr.starts_with(starts),
            "{args:?} should start with {starts:?}:\n{}",
            run.stderr
        );
    }
    // Under --json the argument is named in the details too.
    let run = env.refused(&["--json", "task", "dep", "add", &t, &t], 2);
    let err: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(err["error"]["details"]["argument"], "<NEEDS>", "{err}");
}

/// Help wording (issue 11): every command's one-line help is one line, its own (siblings
/// such as `task dep add` and `task dep rm` once shared "Add or remove a dependency"), and
/// reads like the others (imperative, no final period).
#[test]
fn every_command_has_its_own_one_line_help() {
    use clap::CommandFactory;

    fn walk(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
        let mut seen: Vec<(String, String)> = Vec::new();
        // Hidden commands (the hooks' `hook`) are not shown to people.
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{path} {}", sub.get_name());
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            if about.trim().is_empty() {
                problems.push(format!("{name}: no help"));
            }
            if about.contains('\n') {
                problems.push(format!("{name}: one-line help spans lines: {about:?}"));
            }
            if about.ends_with('.') {
                problems.push(format!("{name}: one-line help ends with a period"));
            }
            if let Some((other, _)) = seen.iter().find(|(_, a)| *a == about) {
                problems.push(format!("{name} and {other} share the help {about:?}"));
            }
            seen.push((name.clone(), about));
            walk(sub, &name, problems);
        }
    }
    let mut problems = Vec::new();
    walk(&git_coord::cli::Cli::command(), "git coord", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
