//! `ops::task`: add, edit, claim, done, block, and dependencies with the cycle refusal.

use crate::model::task::Refusal;
use crate::model::{Action, NewTask, Status, TaskId};
use crate::ops::OpError;
use crate::ops::authority::Authority;
use crate::ops::task::{self, AddTask, TaskPatch};
use crate::ops::testing::{Repo, actor, agent, now};

fn act(repo: &Repo, who: &str, id: &TaskId, action: Action) -> Result<task::Transitioned, OpError> {
    task::transition(&repo.store, &actor(who), id.as_str(), &action, &[])
}

fn dep(repo: &Repo, who: &str, id: &TaskId, needs: &TaskId, add: bool) -> Result<bool, OpError> {
    let who = actor(who);
    let authority = Authority::unforced(&who.agent);
    task::set_dependency(
        &repo.store,
        &who,
        id.as_str(),
        needs.as_str(),
        add,
        &authority,
    )
    .map(|(_, changed)| changed)
}

#[test]
fn add_commits_the_task_as_given() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add_with(
        &lead,
        NewTask {
            title: "Pool connections".to_owned(),
            priority: Some(1),
            estimate_hours: Some(3.0),
            expertise: vec!["rust".to_owned()],
            ..NewTask::default()
        },
        &[],
    );
    let stored = repo.task(&t.id);
    assert_eq!(stored.title, "Pool connections");
    assert_eq!(stored.status, Status::Todo);
    assert_eq!(stored.priority, 1);
    assert_eq!(stored.estimate_hours, Some(3.0));
    assert_eq!(stored.expertise, vec!["rust"]);
    assert_eq!(stored.created, now());
    assert_eq!(stored.assignee, None);
    let message = repo.last_message();
    assert!(
        message.starts_with(&format!("coord: add {}\n\nPool connections\n", t.id)),
        "{message}"
    );
    assert!(
        message.contains("Coord-Agent: lead\nCoord-Op: add\n"),
        "{message}"
    );
}

#[test]
fn add_resolves_dependencies_by_prefix_and_refuses_unknown_ones() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add(&lead, "Schema", &[]);
    let b = task::add(
        &repo.store,
        &lead,
        AddTask {
            task: NewTask {
                title: "API".to_owned(),
                ..NewTask::default()
            },
            after: vec![a.id.as_str()[..5].to_owned()],
        },
    )
    .unwrap();
    assert_eq!(repo.task(&b.id).depends_on, vec![a.id.clone()]);

    let tip = repo.tip();
    let err = task::add(
        &repo.store,
        &lead,
        AddTask {
            task: NewTask {
                title: "Orphan".to_owned(),
                ..NewTask::default()
            },
            after: vec!["t-zzzzzz".to_owned()],
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, OpError::UnknownRecord { kind: "task", ref given } if given == "t-zzzzzz"),
        "{err}"
    );
    assert_eq!(repo.tip(), tip, "a refused add writes nothing");
}

#[test]
fn edit_changes_only_the_patched_fields_and_skips_a_no_op() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Draft", &[]);
    let patch = TaskPatch {
        title: Some("Final".to_owned()),
        priority: Some(0),
        check: Some(Some("cargo test".to_owned())),
        ..TaskPatch::default()
    };
    task::edit(&repo.store, &lead, t.id.as_str(), &patch).unwrap();
    let stored = repo.task(&t.id);
    assert_eq!(stored.title, "Final");
    assert_eq!(stored.priority, 0);
    assert_eq!(stored.check.as_deref(), Some("cargo test"));
    assert_eq!(stored.created, t.created, "untouched fields stay");
    assert!(repo.last_message().contains("Coord-Op: edit\n"));

    let tip = repo.tip();
    task::edit(&repo.store, &lead, t.id.as_str(), &patch).unwrap();
    assert_eq!(
        repo.tip(),
        tip,
        "an edit that changes nothing commits nothing"
    );

    let bad = TaskPatch {
        title: Some("  ".to_owned()),
        ..TaskPatch::default()
    };
    assert!(matches!(
        task::edit(&repo.store, &lead, t.id.as_str(), &bad),
        Err(OpError::Invalid(_))
    ));
    assert_eq!(repo.tip(), tip);
}

#[test]
fn edit_of_a_task_another_agent_holds_is_refused() {
    let repo = Repo::init();
    let t = repo.add(&actor("lead"), "Held", &[]);
    act(&repo, "alice", &t.id, Action::Claim).unwrap();
    let tip = repo.tip();
    let patch = TaskPatch {
        check: Some(Some("rm -rf /".to_owned())),
        ..TaskPatch::default()
    };
    let err = task::edit(&repo.store, &actor("bob"), t.id.as_str(), &patch).unwrap_err();
    assert!(
        matches!(&err, OpError::Refused { refusal: Refusal::HeldBy { agent: a, .. }, .. } if *a == agent("alice")),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);
    assert_eq!(repo.task(&t.id).check, None);
}

#[test]
fn claim_takes_a_ready_task_once() {
    let repo = Repo::init();
    let t = repo.add(&actor("lead"), "Claim me", &[]);
    let done = act(&repo, "alice", &t.id, Action::Claim).unwrap();
    assert_eq!(done.applied, crate::model::Applied::Changed);
    let stored = repo.task(&t.id);
    assert_eq!(stored.assignee, Some(agent("alice")));
    assert_eq!(stored.status, Status::InProgress);
    assert_eq!(stored.claimed, Some(now()));
    // Her first write registered her.
    assert!(repo.file("agents/alice.toml").is_some());

    let tip = repo.tip();
    let again = act(&repo, "alice", &t.id, Action::Claim).unwrap();
    assert_eq!(again.applied, crate::model::Applied::Unchanged);
    let err = act(&repo, "bob", &t.id, Action::Claim).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} (Claim me): held by alice since {} (status in_progress)",
            t.id,
            now()
        )
    );
    assert_eq!(
        repo.tip(),
        tip,
        "neither a repeated nor a refused claim writes"
    );
}

#[test]
fn claim_waits_for_dependencies() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add(&lead, "First", &[]);
    let b = repo.add(&lead, "Second", &[&a.id]);
    let err = act(&repo, "alice", &b.id, Action::Claim).unwrap_err();
    assert!(
        matches!(&err, OpError::Refused { refusal: Refusal::NotReady { waiting }, .. } if *waiting == vec![a.id.clone()]),
        "{err}"
    );
    act(&repo, "alice", &a.id, Action::Claim).unwrap();
    act(&repo, "alice", &a.id, Action::Done { force: false }).unwrap();
    act(&repo, "bob", &b.id, Action::Claim).unwrap();
    assert_eq!(repo.task(&b.id).assignee, Some(agent("bob")));
}

#[test]
fn done_closes_the_task_and_names_the_op() {
    let repo = Repo::init();
    let t = repo.add(&actor("lead"), "Finish", &[]);
    act(&repo, "alice", &t.id, Action::Claim).unwrap();
    act(&repo, "alice", &t.id, Action::Done { force: false }).unwrap();
    let stored = repo.task(&t.id);
    assert_eq!(stored.status, Status::Done);
    assert_eq!(stored.completed, Some(now()));
    assert!(repo.last_message().contains("Coord-Op: done\n"));
    // Closed: another agent may not reopen it by claiming.
    let err = act(&repo, "bob", &t.id, Action::Claim).unwrap_err();
    assert!(matches!(err, OpError::Refused { .. }), "{err}");
}

#[test]
fn block_needs_a_reason_and_records_it() {
    let repo = Repo::init();
    let t = repo.add(&actor("lead"), "Wait", &[]);
    act(&repo, "alice", &t.id, Action::Claim).unwrap();
    let tip = repo.tip();
    let err = act(
        &repo,
        "alice",
        &t.id,
        Action::Block {
            reason: " ".to_owned(),
            force: false,
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, OpError::Refused { refusal: Refusal::Invalid(f), .. } if f.field == "reason"),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);

    act(
        &repo,
        "alice",
        &t.id,
        Action::Block {
            reason: "the schema review".to_owned(),
            force: false,
        },
    )
    .unwrap();
    let stored = repo.task(&t.id);
    assert_eq!(stored.status, Status::Blocked);
    assert_eq!(stored.blocked_reason.as_deref(), Some("the schema review"));
    assert!(
        repo.last_message()
            .contains("\n\nWait (blocked: the schema review)\n\n"),
        "{}",
        repo.last_message()
    );
    act(&repo, "alice", &t.id, Action::Unblock { force: false }).unwrap();
    let stored = repo.task(&t.id);
    assert_eq!(stored.status, Status::InProgress);
    assert_eq!(stored.blocked_reason, None);
}

#[test]
fn dependencies_are_added_once_removed_and_never_close_a_cycle() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add(&lead, "A", &[]);
    let b = repo.add(&lead, "B", &[]);
    let c = repo.add(&lead, "C", &[]);
    assert!(dep(&repo, "lead", &b.id, &a.id, true).unwrap());
    assert!(dep(&repo, "lead", &c.id, &b.id, true).unwrap());
    assert_eq!(repo.task(&b.id).depends_on, vec![a.id.clone()]);
    assert!(repo.last_message().contains("Coord-Op: dep-add\n"));

    let tip = repo.tip();
    assert!(
        !dep(&repo, "lead", &b.id, &a.id, true).unwrap(),
        "already there"
    );
    let err = dep(&repo, "lead", &a.id, &c.id, true).unwrap_err();
    match &err {
        OpError::Cycle { cycle } => {
            let ids: Vec<&TaskId> = cycle.iter().map(|(id, _)| id).collect();
            assert_eq!(ids.first(), ids.last(), "{err}");
            for id in [&a.id, &b.id, &c.id] {
                assert!(ids.contains(&id), "{err}");
            }
        }
        other => panic!("expected a cycle, got {other}"),
    }
    let err = dep(&repo, "lead", &a.id, &a.id, true).unwrap_err();
    assert!(matches!(err, OpError::Invalid(_)), "{err}");
    assert_eq!(repo.tip(), tip, "refusals write nothing");
    assert!(repo.task(&a.id).depends_on.is_empty());

    assert!(dep(&repo, "lead", &b.id, &a.id, false).unwrap());
    assert!(repo.task(&b.id).depends_on.is_empty());
    assert!(repo.last_message().contains("Coord-Op: dep-rm\n"));
    // With b no longer waiting for a, nothing that c waits for leads back to a.
    assert!(dep(&repo, "lead", &a.id, &c.id, true).unwrap());
}
