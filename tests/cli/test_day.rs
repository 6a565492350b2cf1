//! The coordinator's day through the binary (issue 14): `status` with its go/no-go colour,
//! blocker ages, overrunning tasks, today's priorities and the capacity forecast; `report`
//! and `standup`. One small plan is played with the clock fixed (`GIT_COORD_NOW`) at each
//! step, so the history `standup` reads is real commits at known times.

use serde_json::Value;

use crate::common::{Run, TestEnv};

/// When the coordinator reads the screens: 27 h after alice took her 6 h task.
const NOW: &str = "2026-11-21T12:00:00Z";

/// Runs `git coord` at `at` with an 100-column screen.
fn at(env: &TestEnv, at: &str, args: &[&str]) -> Run {
    let out = env
        .coord_cmd(&env.repo)
        .env("GIT_COORD_NOW", at)
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("run git-coord");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn ok(env: &TestEnv, when: &str, args: &[&str]) -> String {
    at(env, when, args).expect_code(0).stdout
}

/// The small plan: milestone Beta due today 17:00, six tasks with fixed IDs.
///
/// - t-000001 Pool (4h, rust): bob finished it yesterday at 15:00.
/// - t-000002 Api (6h, rust, after Pool, Beta): ready.
/// - t-000003 Docs (2h, docs, after Api): only carol has docs, and she is stale.
/// - t-000004 Cache (3h, rust, Beta): ready.
/// - t-000005 Login (1.5h): bob blocked it at 09:30 waiting for OAuth keys (2.5 h ago).
/// - t-000006 Migrations (6h, rust, Beta): alice in progress since yesterday 09:00 (27 h).
///
/// Agents: lead (coordinator), alice and bob (rust, fresh), carol (docs, last seen yesterday).
/// Nobody ran `gate`.
fn plan() -> (TestEnv, String) {
    let env = TestEnv::new();
    env.git(&["config", "coord.agent", "lead"]);
    let t0 = "2026-11-20T08:00:00Z";
    ok(&env, t0, &["init"]);
    let beta = serde_json::from_str::<Value>(&ok(
        &env,
        t0,
        &[
            "milestone",
            "add",
            "Beta",
            "--due",
            "2026-11-21T17:00:00Z",
            "--json",
        ],
    ))
    .expect("milestone JSON")["id"]
        .as_str()
        .expect("milestone id")
        .to_owned();
    let task = |id: &str, title: &str, hours: f64, expertise: &str, after: &str, m: bool| {
        let deps = if after.is_empty() {
            String::new()
        } else {
            format!(r#","depends_on":["{after}"]"#)
        };
        let exp = if expertise.is_empty() {
            String::new()
        } else {
            format!(r#","expertise":["{expertise}"]"#)
        };
        let milestone = if m {
            format!(r#","milestone":"{beta}""#)
        } else {
            String::new()
        };
        format!(
            r#"{{"id":"{id}","title":"{title}","status":"todo","priority":2,"estimate_hours":{hours}{deps}{exp}{milestone},"created":"{t0}","updated":"{t0}"}}"#
        )
    };
    let lines = [
        task("t-000001", "Pool", 4.0, "rust", "", false),
        task("t-000002", "Api", 6.0, "rust", "t-000001", true),
        task("t-000003", "Docs", 2.0, "docs", "t-000002", false),
        task("t-000004", "Cache", 3.0, "rust", "", true),
        task("t-000005", "Login", 1.5, "", "", false),
        task("t-000006", "Migrations", 6.0, "rust", "", true),
    ];
    let file = env.root.join("plan.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write the plan");
    ok(
        &env,
        t0,
        &["import", file.to_str().expect("utf-8"), "--from", "json"],
    );
    for (name, expertise) in [("alice", "rust"), ("bob", "rust"), ("carol", "docs")] {
        ok(&env, t0, &["agent", "add", name, "--expertise", expertise]);
    }
    let by = |who: &str, when: &str, args: &[&str]| {
        let mut all = vec!["--agent", who];
        all.extend_from_slice(args);
        ok(&env, when, &all);
    };
    by("carol", t0, &["checkin", "--status", "active"]);
    by("bob", "2026-11-20T08:30:00Z", &["claim", "t-000001"]);
    by("alice", "2026-11-20T09:00:00Z", &["claim", "t-000006"]);
    by("alice", "2026-11-20T09:00:00Z", &["start", "t-000006"]);
    by("bob", "2026-11-20T09:00:00Z", &["start", "t-000001"]);
    by(
        "bob",
        "2026-11-20T15:00:00Z",
        &["done", "t-000001", "--no-check"],
    );
    by("bob", "2026-11-21T09:00:00Z", &["claim", "t-000005"]);
    by("bob", "2026-11-21T09:00:00Z", &["start", "t-000005"]);
    by(
        "bob",
        "2026-11-21T09:30:00Z",
        &["block", "t-000005", "--reason", "waiting for OAuth keys"],
    );
    by(
        "alice",
        "2026-11-21T11:00:00Z",
        &["checkin", "--note", "migrations"],
    );
    by(
        "bob",
        "2026-11-21T11:15:00Z",
        &["checkin", "--status", "blocked"],
    );
    by("lead", "2026-11-21T11:30:00Z", &["checkin"]);
    (env, beta)
}

/// The snapshot text, with the random milestone ID named.
fn norm(text: &str, beta: &str) -> String {
    text.replace(beta, "m-BETA")
}

#[test]
fn status_shows_the_go_no_go_colour_blocker_ages_overruns_priorities_and_the_forecast() {
    let (env, beta) = plan();
    insta::assert_snapshot!(norm(&ok(&env, NOW, &["status"]), &beta), @r#"
    YELLOW: 3 reasons
      - milestone m-BETA "Beta" is at risk: 9h of work on 3 available agents finishes 2026-11-21 18:00
          UTC, after its due date 2026-11-21 17:00 UTC
      - t-000005 "Login" blocked for 2.5h, past its 2h SLO (blockers)
      - 1 agent(s) stale (unseen for more than 2h): carol

    Progress  1/6 tasks, 4h of 22.5h (17.8%)

    AGENT  ROLE  STATUS   CURRENT   BLOCKED   LAST SEEN
    alice  -     active   t-000006  -         1h ago
    bob    -     blocked  -         t-000005  45m ago
    carol  -     stale    -         -         1d ago
    lead   -     active   -         -         30m ago

    Critical path  8h remaining: t-000002 → t-000003

    Forecast
      on 3 available agents: all staffed work done 2026-11-21 18:00 UTC (6h), critical path done never
          (unstaffed)
      t-000003  unstaffed: no available agent has the expertise docs

    Blocked
      t-000005  Login  (bob): waiting for OAuth keys; blocked 2.5h (SLO 2h, past it)

    Running past their estimate
      t-000006  Migrations  (alice): 27h of 6h estimated

    Today's priorities
      t-000002  Api  (fits bob, alice)
      t-000004  Cache  (fits bob, alice)

    Dispatch advice
      2 ready tasks can go out now: git coord dispatch
      idle, nothing ready fits: lead (add work for their expertise or retire them)

    Milestones
      m-BETA  Beta  due 2026-11-21  0/3 tasks done  AT RISK: 9h of work on 3 available agents finishes
          2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC
    "#);
}

#[test]
fn status_as_markdown_carries_the_same_content() {
    let (env, beta) = plan();
    insta::assert_snapshot!(norm(&ok(&env, NOW, &["status", "--format", "markdown"]), &beta), @r#"
    # Status: YELLOW

    _2026-11-21 12:00 UTC_

    - milestone m-BETA "Beta" is at risk: 9h of work on 3 available agents finishes 2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC
    - t-000005 "Login" blocked for 2.5h, past its 2h SLO (blockers)
    - 1 agent(s) stale (unseen for more than 2h): carol

    **Progress:** 1/6 tasks, 4h of 22.5h (17.8%)

    | agent | role | status | current | blocked | last seen |
    |---|---|---|---|---|---|
    | alice | - | active | t-000006 | - | 1h ago |
    | bob | - | blocked | - | t-000005 | 45m ago |
    | carol | - | **stale** | - | - | 1d ago |
    | lead | - | active | - | - | 30m ago |

    **Critical path:** 8h remaining: t-000002 → t-000003

    ## Forecast

    - on 3 available agents: all staffed work done 2026-11-21 18:00 UTC (6h), critical path done never (unstaffed)
    - t-000003  unstaffed: no available agent has the expertise docs

    ## Blocked

    - t-000005  Login  (bob): waiting for OAuth keys; blocked 2.5h (SLO 2h, past it)

    ## Running past their estimate

    - t-000006  Migrations  (alice): 27h of 6h estimated

    ## Today's priorities

    - t-000002  Api  (fits bob, alice)
    - t-000004  Cache  (fits bob, alice)

    ## Dispatch advice

    - 2 ready tasks can go out now: git coord dispatch
    - idle, nothing ready fits: lead (add work for their expertise or retire them)

    ## Milestones

    - m-BETA  Beta  due 2026-11-21  0/3 tasks done  AT RISK: 9h of work on 3 available agents finishes 2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC
    "#);
}

#[test]
fn status_json_adds_the_day_and_keeps_every_key_it_had() {
    let (env, beta) = plan();
    let s: Value = serde_json::from_str(&ok(&env, NOW, &["status", "--json"])).expect("JSON");
    // The keys status --json always had are all still there.
    for key in [
        "progress",
        "agents",
        "critical_path",
        "blocked",
        "priorities",
        "overdue_tasks",
        "overdue_messages",
        "open_conflicts",
        "pending_decisions",
        "high_risks",
        "milestones",
    ] {
        assert!(s.get(key).is_some(), "status --json lost {key}: {s}");
    }
    assert_eq!(s["go_no_go"]["colour"], "yellow");
    let reasons: Vec<&str> = s["go_no_go"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        reasons,
        [
            format!(
                "milestone {beta} \"Beta\" is at risk: 9h of work on 3 available agents finishes 2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC"
            )
            .as_str(),
            "t-000005 \"Login\" blocked for 2.5h, past its 2h SLO (blockers)",
            "1 agent(s) stale (unseen for more than 2h): carol",
        ]
    );
    // The blocker, with its age against the SLO.
    let b = &s["blockers"][0];
    assert_eq!(
        (&b["id"], &b["age_hours"], &b["slo_hours"], &b["past_slo"]),
        (
            &Value::from("t-000005"),
            &Value::from(2.5),
            &Value::from(2.0),
            &Value::from(true)
        )
    );
    // The 6 h task in progress for 27 h.
    let o = &s["overrunning"][0];
    assert_eq!(
        (&o["id"], &o["estimate_hours"], &o["running_hours"]),
        (
            &Value::from("t-000006"),
            &Value::from(6.0),
            &Value::from(27.0)
        )
    );
    // Today's priorities in scheduling order, with who they fit (carol is stale).
    let today: Vec<(String, Vec<String>)> = s["today"]
        .as_array()
        .expect("today")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or_default().to_owned(),
                p["fits"]
                    .as_array()
                    .expect("fits")
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        today,
        [
            (
                "t-000002".to_owned(),
                vec!["bob".to_owned(), "alice".to_owned()]
            ),
            (
                "t-000004".to_owned(),
                vec!["bob".to_owned(), "alice".to_owned()]
            ),
        ]
    );
    // The forecast: on the fresh agents, docs work has nobody.
    assert_eq!(
        s["forecast"]["available"],
        serde_json::json!(["alice", "bob", "lead"])
    );
    assert_eq!(s["forecast"]["unstaffed"][0]["id"], "t-000003");
    assert_eq!(
        s["forecast"]["unstaffed"][0]["reason"],
        "no available agent has the expertise docs"
    );
    // Milestone health in the old key follows the forecast.
    assert_eq!(s["milestones"][0]["health"]["at_risk"], true);
    assert_eq!(s["forecast"]["milestones"][0]["at_risk"], true);
}

#[test]
fn a_gate_no_go_turns_the_day_red() {
    let (env, beta) = plan();
    // Beta has no criteria, so its gate is NO-GO (exit 1), recorded on the milestone.
    at(&env, "2026-11-21T11:45:00Z", &["gate", &beta]).expect_code(1);
    let s: Value = serde_json::from_str(&ok(&env, NOW, &["status", "--json"])).expect("JSON");
    assert_eq!(s["go_no_go"]["colour"], "red");
    assert_eq!(
        s["go_no_go"]["reasons"][0],
        format!("milestone {beta} \"Beta\": its last gate was NO-GO (2026-11-21 11:45 UTC)")
    );
    // The at-risk reason stays, after the reason for RED.
    assert!(
        s["go_no_go"]["reasons"][1]
            .as_str()
            .is_some_and(|r| r.contains("is at risk")),
        "{s}"
    );
}

#[test]
fn report_ends_with_the_colour_and_its_reasons() {
    let (env, beta) = plan();
    insta::assert_snapshot!(norm(&ok(&env, NOW, &["report"]), &beta), @r#"
    # Status report 2026-11-21 12:00 UTC

    **YELLOW** · phase: Beta (m-BETA), due 2026-11-21 17:00 UTC
    - Tasks: 1/6 done
    - Hours: 4h spent of 22.5h estimated
    - Phase forecast: finishes 2026-11-21 18:00 UTC (9h of work on 3 available agents finishes 2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC)

    ## Completed since 2026-11-20 12:00 UTC

    - t-000001 Pool (bob)

    ## In progress

    - t-000006 Migrations (alice)

    ## Planned next

    - t-000002 Api: fits bob, alice
    - t-000004 Cache: fits bob, alice

    ## Blockers

    - t-000005 Login (bob): waiting for OAuth keys; blocked 2.5h (SLO 2h, past it)

    ## Risks and issues

    - task t-000006 "Migrations" has run 27h against an estimate of 6h

    ## Coordination SLOs

    | SLO | target | waiting | breaches |
    |---|---|---|---|
    | blockers | 2h | 1 | 1 |
    | decisions | 24h | 0 | 0 |
    | conflicts | 4h | 0 | 0 |
    | messages | 4h | 0 | 0 |

    Past their SLO:

    - t-000005 Login: 2.5h, past the blockers SLO of 2h

    ## Status: YELLOW

    - milestone m-BETA "Beta" is at risk: 9h of work on 3 available agents finishes 2026-11-21 18:00 UTC, after its due date 2026-11-21 17:00 UTC
    - t-000005 "Login" blocked for 2.5h, past its 2h SLO (blockers)
    - 1 agent(s) stale (unseen for more than 2h): carol
    "#);
}

#[test]
fn report_json_carries_the_data_of_the_template() {
    let (env, beta) = plan();
    let r: Value =
        serde_json::from_str(&ok(&env, NOW, &["report", "--format", "json"])).expect("JSON");
    assert_eq!(r["phase"]["id"], beta.as_str());
    assert_eq!(
        (r["tasks_done"].as_u64(), r["tasks_total"].as_u64()),
        (Some(1), Some(6))
    );
    assert_eq!(
        (r["hours_spent"].as_f64(), r["hours_estimated"].as_f64()),
        (Some(4.0), Some(22.5))
    );
    assert_eq!(r["completed"][0]["id"], "t-000001");
    assert_eq!(r["go_no_go"]["colour"], "yellow");
    // --since 1h: Pool was finished yesterday, outside the window.
    let r: Value =
        serde_json::from_str(&ok(&env, NOW, &["report", "--since", "1h", "--json"])).expect("JSON");
    assert_eq!(r["completed"], serde_json::json!([]));
    // A bad window is bad usage and names the flag.
    let bad = at(&env, NOW, &["report", "--since", "soon"]).expect_code(2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

/// The phase is the current milestone: an earlier one whose work is all done (but that nobody
/// closed) is behind the team, not its phase.
#[test]
fn report_phase_is_the_first_milestone_with_open_work() {
    let (env, beta) = plan();
    let when = "2026-11-21T11:45:00Z";
    let alpha = serde_json::from_str::<Value>(&ok(
        &env,
        when,
        &[
            "milestone",
            "add",
            "Alpha",
            "--due",
            "2026-11-21T12:00:00Z",
            "--json",
        ],
    ))
    .expect("milestone JSON")["id"]
        .as_str()
        .expect("milestone id")
        .to_owned();
    // Pool (done yesterday) is Alpha's only task.
    ok(
        &env,
        when,
        &["task", "edit", "t-000001", "--milestone", &alpha],
    );
    let r: Value = serde_json::from_str(&ok(&env, NOW, &["report", "--json"])).expect("JSON");
    assert_eq!(r["phase"]["id"], beta.as_str(), "{}", r["phase"]);
    // Once Alpha holds open work again (Beta's tasks moved to it), Alpha is the phase.
    for (who, t) in [
        ("lead", "t-000002"),
        ("lead", "t-000004"),
        ("alice", "t-000006"),
    ] {
        let args = ["--agent", who, "task", "edit", t, "--milestone", &alpha];
        ok(&env, when, &args);
    }
    let r: Value = serde_json::from_str(&ok(&env, NOW, &["report", "--json"])).expect("JSON");
    assert_eq!(r["phase"]["id"], alpha.as_str(), "{}", r["phase"]);
}

#[test]
fn report_template_is_the_projects_when_it_commits_one() {
    let (env, _) = plan();
    std::fs::create_dir_all(env.repo.join(".coord/templates")).expect("mkdir");
    std::fs::write(
        env.repo.join(".coord/templates/report.md"),
        "{{ go_no_go.colour | upper }} with {{ tasks_done }}/{{ tasks_total }} done\n",
    )
    .expect("write template");
    env.git(&["add", ".coord/templates/report.md"]);
    env.git(&["commit", "-q", "-m", "our report"]);
    assert_eq!(ok(&env, NOW, &["report"]), "YELLOW with 1/6 done\n");
    // A broken template is named, with the fix.
    std::fs::write(env.repo.join(".coord/templates/report.md"), "{% if %}\n")
        .expect("write template");
    env.git(&["commit", "-q", "-am", "broken"]);
    let bad = at(&env, NOW, &["report"]).expect_code(2);
    assert!(
        bad.stderr.contains(".coord/templates/report.md"),
        "{}",
        bad.stderr
    );
}

#[test]
fn standup_lists_critical_issues_then_each_agents_yesterday_today_and_blockers() {
    let (env, beta) = plan();
    insta::assert_snapshot!(norm(&ok(&env, NOW, &["standup"]), &beta), @r#"
    Stand-up 2026-11-21 12:00 UTC: YELLOW

    Critical issues
      - milestone m-BETA "Beta" is at risk: 9h of work on 3 available agents finishes 2026-11-21 18:00
          UTC, after its due date 2026-11-21 17:00 UTC
      - t-000005 "Login" blocked for 2.5h, past its 2h SLO (blockers)
      - 1 agent(s) stale (unseen for more than 2h): carol

    alice
      yesterday: finished nothing
      today: holds t-000006 Migrations (in_progress); next fits: t-000002 Api
      blockers: none

    bob
      yesterday: finished t-000001 Pool
      today: holds t-000005 Login (blocked); next fits: t-000002 Api
      blockers: t-000005 Login: waiting for OAuth keys (2.5h, past its SLO)

    carol  [stale]
      yesterday: finished nothing
      today: holds nothing
      blockers: none

    lead
      yesterday: finished nothing
      today: holds nothing
      blockers: none
    "#);
}

#[test]
fn the_project_sets_the_blocker_slo() {
    let (env, _) = plan();
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir");
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "[slo]\nblockers = \"3h\"\n",
    )
    .expect("write config");
    env.git(&["add", ".coord/config.toml"]);
    env.git(&["commit", "-q", "-m", "SLOs"]);
    let s: Value = serde_json::from_str(&ok(&env, NOW, &["status", "--json"])).expect("JSON");
    assert_eq!(s["blockers"][0]["slo_hours"], 3.0);
    assert_eq!(s["blockers"][0]["past_slo"], false);
    let c: Value =
        serde_json::from_str(&ok(&env, NOW, &["config", "slo.blockers", "--json"])).expect("JSON");
    assert_eq!(
        (c["value"].as_str(), c["origin"].as_str()),
        (Some("3h"), Some("HEAD"))
    );
}

#[test]
fn a_narrow_terminal_gets_a_narrow_screen() {
    let (env, _) = plan();
    let out = env
        .coord_cmd(&env.repo)
        .env("GIT_COORD_NOW", NOW)
        .env("COLUMNS", "60")
        .args(["status"])
        .output()
        .expect("run git-coord");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(line.chars().count() <= 60, "{line:?} is wider than 60");
    }
    assert!(text.contains("YELLOW"), "{text}");
}

/// The queues' advice on the screen (DESIGN §8): two ready `infra` tasks and nobody available
/// with `infra` (the `spawn` to run), an agent nothing ready fits (idle), and a task assigned
/// to an agent gone quiet that `rebalance` would move to the fresh one (the `assign` to run).
fn advice_plan() -> TestEnv {
    let env = TestEnv::new();
    env.git(&["config", "coord.agent", "lead"]);
    let t0 = "2026-11-20T08:00:00Z";
    ok(&env, t0, &["init"]);
    let task = |id: &str, title: &str, expertise: &str| {
        format!(
            r#"{{"id":"{id}","title":"{title}","status":"todo","priority":1,"estimate_hours":2.0,"expertise":["{expertise}"],"created":"{t0}","updated":"{t0}"}}"#
        )
    };
    let lines = [
        task("t-000001", "Schema", "rust"),
        task("t-000002", "Redis cluster", "infra"),
        task("t-000003", "Redis failover", "infra"),
    ];
    let file = env.root.join("plan.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write the plan");
    ok(
        &env,
        t0,
        &["import", file.to_str().expect("utf-8"), "--from", "json"],
    );
    for (name, expertise) in [("ana", "rust"), ("sam", "rust"), ("ivy", "css")] {
        ok(&env, t0, &["agent", "add", name, "--expertise", expertise]);
    }
    // The schema is sam's, who went quiet; ana and ivy check in this morning.
    ok(&env, t0, &["assign", "t-000001", "--to", "sam"]);
    for who in ["ana", "ivy", "lead"] {
        ok(&env, "2026-11-21T11:30:00Z", &["--agent", who, "checkin"]);
    }
    env
}

#[test]
fn status_advises_the_spawn_the_idle_agents_and_the_rebalance_moves() {
    let env = advice_plan();
    let text = ok(&env, NOW, &["status"]);
    let advice = text
        .split("\nDispatch advice\n")
        .nth(1)
        .expect("a dispatch advice section")
        .split("\n\n")
        .next()
        .unwrap_or_default();
    insta::assert_snapshot!(advice, @r"
      2 ready tasks for infra, and no available agent has it: git coord spawn <name> --expertise infra
      idle, nothing ready fits: ivy, lead (add work for their expertise or retire them)
      move t-000001 from sam (stale) to ana: git coord assign t-000001 --to ana --steal
      or all of them at once: git coord rebalance
    ");
    let json: Value = serde_json::from_str(&ok(&env, NOW, &["status", "--json"])).expect("JSON");
    let a = &json["advice"];
    assert_eq!(
        a["spawn"][0]["expertise"],
        serde_json::json!(["infra"]),
        "{a}"
    );
    assert_eq!(a["spawn"][0]["ready"], 2, "{a}");
    assert_eq!(
        a["spawn"][0]["command"], "git coord spawn <name> --expertise infra",
        "{a}"
    );
    assert_eq!(a["moves"][0]["task"], "t-000001", "{a}");
    assert_eq!(a["moves"][0]["from"], "sam", "{a}");
    assert_eq!(a["moves"][0]["to"], "ana", "{a}");
    assert_eq!(a["moves"][0]["reason"], "stale", "{a}");
    assert!(
        a["idle"]
            .as_array()
            .is_some_and(|i| i.contains(&Value::from("ivy"))),
        "{a}"
    );
    let md = ok(&env, NOW, &["status", "--format", "markdown"]);
    assert!(
        md.contains("\n## Dispatch advice\n\n- 2 ready tasks for infra"),
        "{md}"
    );
    assert!(
        md.contains(
            &a["moves"][0]["command"]
                .as_str()
                .expect("command")
                .to_owned()
        ),
        "{md}"
    );
}
