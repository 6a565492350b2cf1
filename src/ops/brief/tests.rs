//! In-process tests of the brief against a temporary coordination branch: records are written
//! with the ops that write them, then the brief is gathered from the snapshot and rendered.
//! Time is fixed; the IDs drawn at random (tasks, messages, the commit) are replaced by names
//! before the brief is snapshotted inline.

use super::*;
use crate::model::adr::{AdrNumber, AdrStatus, NewAdr};
use crate::model::message::{Kind, Recipient};
use crate::model::task::{Action, NewTask};
use crate::ops::authority::Authority;
use crate::ops::memory::Outgoing;
use crate::ops::task::AddTask;
use crate::ops::{Actor, init, task};

const NOW: &str = "2026-11-21T10:00:00Z";

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).expect("a valid test time")
}

fn agent(name: &str) -> AgentId {
    AgentId::parse(name).expect("a valid test agent")
}

fn actor(name: &str) -> Actor {
    Actor {
        agent: agent(name),
        email: format!("{name}@coord.invalid"),
        now: at(NOW),
    }
}

/// A repository with an initialised coordination branch, as `git coord init` leaves it.
fn repo() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::init_repository(dir.path()).expect("a new repository");
    let lead = actor("lead");
    assert!(init::init(&store, &lead.author(), Some(&lead)).expect("init"));
    (dir, store)
}

fn add_task(store: &Store, title: &str, owns: &[&str], body: &str, after: &[&Task]) -> Task {
    let input = AddTask {
        task: NewTask {
            title: title.to_owned(),
            priority: Some(2),
            estimate_hours: Some(4.0),
            owns: owns.iter().map(|s| s.to_string()).collect(),
            body: body.to_owned(),
            ..NewTask::default()
        },
        after: after.iter().map(|t| t.id.to_string()).collect(),
    };
    task::add(store, &actor("lead"), input).expect("the task is added")
}

/// `text` with each of `ids` (drawn at random) replaced by its name.
fn named(text: &str, ids: &[(String, &str)]) -> String {
    ids.iter()
        .fold(text.to_owned(), |t, (id, name)| t.replace(id, name))
}

#[test]
fn the_brief_gathers_what_the_agent_needs_from_the_snapshot() {
    let (_dir, store) = repo();
    let schema = add_task(&store, "Design the schema", &["db/**"], "", &[]);
    let limiter = add_task(
        &store,
        "Write the rate limiter",
        &["src/limiter/**"],
        "Keep it \u{1b}[2Jsmall.",
        &[&schema],
    );
    let docs = add_task(&store, "Document the limiter", &["docs/**"], "", &[]);
    let lead = actor("lead");
    let alice = actor("alice");
    let bob = actor("bob");
    for action in [
        Action::Claim,
        Action::Start { force: false },
        Action::Done { force: false },
    ] {
        task::transition(&store, &bob, &schema.id.to_string(), &action, &[])
            .expect("bob finishes the schema");
    }
    task::transition(&store, &alice, &limiter.id.to_string(), &Action::Claim, &[])
        .expect("alice claims the limiter");
    crate::ops::memory::note(
        &store,
        &bob,
        "The schema is in db/schema.sql.",
        Some(Section::Integration),
    )
    .expect("bob notes how to integrate");
    let message = crate::ops::memory::send(
        &store,
        &lead,
        &Outgoing {
            to: Recipient::Agent(agent("alice")),
            subject: "Limits per tenant?".into(),
            body: String::new(),
            task: None,
            files: Vec::new(),
            needs_reply: true,
            kind: Kind::Question,
        },
    )
    .expect("the message is sent");
    let template = adr::template(None);
    let decision = adr::create(
        &store,
        &lead,
        &NewAdr {
            title: "Use Redis".into(),
            ..NewAdr::default()
        },
        &template,
    )
    .expect("the ADR is created");
    adr::add_option(
        &store,
        &lead,
        decision.number,
        &adr::NewOption {
            name: "Redis".into(),
            ..adr::NewOption::default()
        },
        &template,
    )
    .expect("an option");
    adr::decide(
        &store,
        &lead,
        decision.number,
        "Redis",
        "it is shared",
        &template,
        &Authority::unforced(&lead.agent),
    )
    .expect("decided");
    adr::create(
        &store,
        &lead,
        &NewAdr {
            title: "Undecided".into(),
            ..NewAdr::default()
        },
        &template,
    )
    .expect("a proposed ADR, not in force");

    let data = gather(&store, &agent("alice"), at(NOW)).expect("gathered");
    assert_eq!(data.tasks.len(), 1);
    assert_eq!(data.tasks[0].depends_on[0].assignee.as_deref(), Some("bob"));
    assert_eq!(data.ready.len(), 1, "only the unclaimed task is ready");
    assert_eq!(data.decisions.len(), 1);
    assert_eq!(data.decisions[0].id, AdrNumber::FIRST.to_string());
    let text = render_brief(&data, None).expect("rendered");
    let ids = [
        (data.commit.clone(), "COMMIT"),
        (schema.id.to_string(), "T-SCHEMA"),
        (limiter.id.to_string(), "T-LIMITER"),
        (docs.id.to_string(), "T-DOCS"),
        (message.id.to_string(), "M-QUESTION"),
    ];
    insta::assert_snapshot!(named(&text, &ids), @r#"
        # Brief: alice

        You are **alice**.
        Generated 2026-11-21T10:00:00Z from coordination commit `COMMIT`.

        ## Files you own

        - `src/limiter/**` (with T-LIMITER)

        Only you edit these. Never edit files another agent owns: ask them (`git coord send`).

        ## Your tasks

        ### T-LIMITER: Write the rate limiter

        - status: in_progress, priority 2, estimate 4h
        - depends on T-SCHEMA Design the schema (done, bob)

        Keep it \u{1b}[2Jsmall.

        ## Ready for you next

        - T-DOCS (P2, 4h): Document the limiter

        ## Unread messages

        - M-QUESTION from lead (needs a reply): Limits per tenant?

        ## Decisions in force

        - ADR-0001 Use Redis: Redis: it is shared

        ## Integration points from the agents you depend on

        - bob (2026-11-21T10:00:00Z): The schema is in db/schema.sql.

        ## Working with other agents (git coord)

        Several agents work on this repository at once. `git coord` holds the shared state: tasks,
        who owns which files, messages, notes. Add `--json` to any command to read its result.

        1. **Start**: `git coord brief` (who you are, your files, your tasks), then `git coord inbox`.
        2. **Take work**: `git coord next` claims the best ready task for you (or
           `git coord claim <id>`). Exit 3 means another agent won it: take the next one.
        3. **Own before you edit**: `git coord own '<glob>' --reason "<task id>"` for the files you
           will touch (a task's own files come with the claim). Never edit files another agent
           owns (`git coord owners <path>` says who): ask them.
        4. **Leave notes others build on**: `git coord note "<interface>" --section integration`
           for what others call or read; decisions with `--section decision`.
        5. **Blocked?** `git coord block <id> --reason "…"`, ask the owner with
           `git coord send <agent> --subject "…" --needs-reply`, then `git coord wait --reply <msg>`
           (don't poll). Answer others with `git coord reply <msg> "…"`.
        6. **Finish**: `git coord done <id>` runs the task's check and closes it only if it passes;
           fix and retry on failure. Then back to step 2.
        7. **Heartbeat**: every write says you are alive; while you think or wait, run
           `git coord checkin --status active --note "…"` (`--status idle` when you stop). An agent
           silent for 2h is stale and `git coord reap` may hand its tasks to others.
        "#);
    // The ADR that is still proposed is no decision in force.
    assert_eq!(
        adr::show(&store, AdrNumber::new(2).expect("2"))
            .expect("shown")
            .adr
            .status,
        AdrStatus::Proposed
    );
}

#[test]
fn an_agent_with_nothing_gets_the_empty_brief() {
    let (_dir, store) = repo();
    let data = gather(&store, &agent("carol"), at(NOW)).expect("gathered");
    let text = render_brief(&data, None).expect("rendered");
    insta::assert_snapshot!(named(&text, &[(data.commit.clone(), "COMMIT")]), @r#"
        # Brief: carol

        You are **carol**.
        Generated 2026-11-21T10:00:00Z from coordination commit `COMMIT`.

        ## Files you own

        None yet: claiming a task (`git coord next`) gives you its files.

        ## Your tasks

        Nothing is assigned to you.

        ## Ready for you next

        Nothing ready fits your expertise right now.

        ## Unread messages

        None.

        ## Working with other agents (git coord)

        Several agents work on this repository at once. `git coord` holds the shared state: tasks,
        who owns which files, messages, notes. Add `--json` to any command to read its result.

        1. **Start**: `git coord brief` (who you are, your files, your tasks), then `git coord inbox`.
        2. **Take work**: `git coord next` claims the best ready task for you (or
           `git coord claim <id>`). Exit 3 means another agent won it: take the next one.
        3. **Own before you edit**: `git coord own '<glob>' --reason "<task id>"` for the files you
           will touch (a task's own files come with the claim). Never edit files another agent
           owns (`git coord owners <path>` says who): ask them.
        4. **Leave notes others build on**: `git coord note "<interface>" --section integration`
           for what others call or read; decisions with `--section decision`.
        5. **Blocked?** `git coord block <id> --reason "…"`, ask the owner with
           `git coord send <agent> --subject "…" --needs-reply`, then `git coord wait --reply <msg>`
           (don't poll). Answer others with `git coord reply <msg> "…"`.
        6. **Finish**: `git coord done <id>` runs the task's check and closes it only if it passes;
           fix and retry on failure. Then back to step 2.
        7. **Heartbeat**: every write says you are alive; while you think or wait, run
           `git coord checkin --status active --note "…"` (`--status idle` when you stop). An agent
           silent for 2h is stale and `git coord reap` may hand its tasks to others.
        "#);
}

#[test]
fn the_projects_template_overrides_the_built_in_one_and_a_broken_one_is_named() {
    let (dir, store) = repo();
    let data = gather(&store, &agent("carol"), at(NOW)).expect("gathered");
    let override_path = dir.path().join(TEMPLATE_OVERRIDE);
    let parent = override_path
        .parent()
        .expect("the override has a directory");
    std::fs::create_dir_all(parent).expect("the template directory");
    std::fs::write(&override_path, "Brief for {{ agent.id }} at {{ now }}\n").expect("written");
    assert_eq!(
        render_brief(&data, Some(dir.path())).expect("rendered"),
        "Brief for carol at 2026-11-21T10:00:00Z"
    );
    std::fs::write(&override_path, "{{ agent.id").expect("written");
    let e = render_brief(&data, Some(dir.path())).expect_err("a broken template");
    assert!(
        matches!(e, OpError::Template { ref path, .. } if path == TEMPLATE_OVERRIDE),
        "{e:?}"
    );
}
