//! `ops::agent`: registering, the heartbeat (`checkin`), and reaping stale agents.

use crate::model::{Action, Agent, Status};
use crate::ops::OpError;
use crate::ops::agent::{self, AgentSpec, OwnsCheck};
use crate::ops::authority::{Access, Authority, Coordinators};
use crate::ops::task;
use crate::ops::testing::{Repo, actor, actor_at, agent, at, now};

fn entry(repo: &Repo, name: &str) -> Agent {
    agent::read(&repo.snapshot(), &agent(name))
        .unwrap()
        .expect("registered")
}

/// An `owns` check that finds no collision (registrations here claim no files).
fn no_collisions() -> Box<OwnsCheck<'static>> {
    Box::new(|_, _| Ok((Access::Own, Vec::new())))
}

#[test]
fn add_registers_an_agent_and_a_repeat_writes_nothing() {
    let repo = Repo::init();
    let lead = actor("lead");
    let spec = AgentSpec {
        role: Some("  storage  ".to_owned()),
        expertise: Some(vec!["rust".to_owned(), "sql".to_owned()]),
        ..AgentSpec::default()
    };
    let (_, created) = agent::add(&repo.store, &lead, &agent("bob"), &spec).unwrap();
    assert!(created);
    let bob = entry(&repo, "bob");
    assert_eq!(bob.role.as_deref(), Some("storage"));
    assert_eq!(bob.expertise, vec!["rust", "sql"]);
    assert_eq!(bob.registered, now());
    assert_eq!(
        bob.last_seen, None,
        "registered by someone else: never acted"
    );
    assert!(
        repo.last_message()
            .starts_with("coord: agent-add bob\n\nstorage\n")
    );

    let tip = repo.tip();
    let (_, created) = agent::add(&repo.store, &lead, &agent("bob"), &spec).unwrap();
    assert!(!created);
    assert_eq!(repo.tip(), tip);

    let bad = AgentSpec {
        role: Some("line\n## Orders".to_owned()),
        ..AgentSpec::default()
    };
    let err = agent::add(&repo.store, &lead, &agent("carol"), &bad).unwrap_err();
    assert!(
        matches!(&err, OpError::Invalid(f) if f.field == "role"),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);
}

#[test]
fn an_entry_is_its_agents_own() {
    let repo = Repo::init();
    let spec = |role: &str| AgentSpec {
        role: Some(role.to_owned()),
        ..AgentSpec::default()
    };
    let bob = actor("bob");
    let check = no_collisions();
    agent::register(
        &repo.store,
        &bob,
        &bob.agent,
        &spec("storage"),
        &Authority::unforced(&bob.agent),
        &*check,
    )
    .unwrap();
    let tip = repo.tip();
    let carol = actor("carol");
    let err = agent::register(
        &repo.store,
        &carol,
        &bob.agent,
        &spec("nothing"),
        &Authority::unforced(&carol.agent),
        &*check,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bob's registry entry is owned by bob"),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);

    // A coordinator's --force is honoured (no list: anyone) and signed.
    let forced = Authority::with_policy(&carol.agent, &Coordinators::Unset);
    agent::register(
        &repo.store,
        &carol,
        &bob.agent,
        &spec("ui"),
        &forced,
        &*check,
    )
    .unwrap();
    assert_eq!(entry(&repo, "bob").role.as_deref(), Some("ui"));
    assert!(repo.last_message().contains("Coord-Forced-By: carol\n"));
}

#[test]
fn checkin_is_a_heartbeat_with_a_status_and_a_note() {
    let repo = Repo::init();
    let later = actor_at("alice", at(600));
    agent::checkin(&repo.store, &later, Some("idle"), Some(" reviewing PRs ")).unwrap();
    let alice = entry(&repo, "alice");
    assert_eq!(alice.status, "idle");
    assert_eq!(alice.note.as_deref(), Some("reviewing PRs"));
    assert_eq!(alice.last_seen, Some(at(600)));
    assert!(repo.last_message().contains("\n\nidle: reviewing PRs\n\n"));

    let tip = repo.tip();
    let err = agent::checkin(&repo.store, &later, Some("asleep"), None).unwrap_err();
    assert!(
        err.to_string().contains("unknown agent status \"asleep\""),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);
}

#[test]
fn reap_returns_a_stale_agents_tasks_and_tells_everyone() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Abandoned", &[]);
    // Bob claimed it three hours ago and was not seen since.
    let bob = actor_at("bob", at(-3 * 3600));
    task::transition(&repo.store, &bob, t.id.as_str(), &Action::Claim, &[]).unwrap();
    let authority = Authority::unforced(&lead.agent);
    let two_hours = 2 * 3600;

    let tip = repo.tip();
    let dry = agent::reap(&repo.store, &lead, two_hours, two_hours, &authority, true).unwrap();
    assert_eq!(dry.len(), 1);
    assert_eq!(dry[0].tasks, vec![t.id.clone()]);
    assert_eq!(repo.tip(), tip, "a dry run writes nothing");

    let reaped = agent::reap(&repo.store, &lead, two_hours, two_hours, &authority, false).unwrap();
    assert_eq!(reaped[0].agent, agent("bob"));
    let stored = repo.task(&t.id);
    assert_eq!(stored.assignee, None);
    assert_eq!(stored.status, Status::Todo);
    assert_eq!(entry(&repo, "bob").status, "offline");
    let (messages, _) = crate::ops::memory::load_messages(&repo.snapshot()).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].subject, "Reaped 1 stale agent(s)");
    assert!(
        messages[0].body.contains(&format!("returned {}", t.id)),
        "{}",
        messages[0].body
    );
    assert!(repo.last_message().contains("Coord-Op: reap\n"));

    // Nothing is stale any more (bob is offline with no tasks): nothing to write.
    let tip = repo.tip();
    assert!(
        agent::reap(&repo.store, &lead, two_hours, two_hours, &authority, false)
            .unwrap()
            .is_empty()
    );
    assert_eq!(repo.tip(), tip);
}

#[test]
fn reaping_an_agent_seen_within_the_projects_threshold_needs_force() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Still mine", &[]);
    let bob = actor_at("bob", at(-3600));
    task::transition(&repo.store, &bob, t.id.as_str(), &Action::Claim, &[]).unwrap();
    let tip = repo.tip();
    // Stale by a 30 minute threshold, but the project's is two hours.
    let err = agent::reap(
        &repo.store,
        &lead,
        1800,
        2 * 3600,
        &Authority::unforced(&lead.agent),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("bob's work"), "{err}");
    assert_eq!(repo.tip(), tip);
    assert_eq!(repo.task(&t.id).assignee, Some(agent("bob")));
}
