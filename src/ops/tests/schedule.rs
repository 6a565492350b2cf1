//! `ops::schedule`: the ready list, `next`, and the critical path.

use crate::model::{Action, NewTask, TaskId};
use crate::ops::agent::{self, AgentSpec};
use crate::ops::schedule::{self, Next, ReadyOptions};
use crate::ops::task;
use crate::ops::testing::{Repo, actor, agent, now};

fn new(title: &str, priority: u8, hours: f64) -> NewTask {
    NewTask {
        title: title.to_owned(),
        priority: Some(priority),
        estimate_hours: Some(hours),
        ..NewTask::default()
    }
}

fn ready_ids(repo: &Repo, opts: &ReadyOptions) -> Vec<TaskId> {
    let (items, warnings) = schedule::ready(&repo.store, opts, now()).unwrap();
    assert!(warnings.messages().is_empty(), "{:?}", warnings.messages());
    items.into_iter().map(|i| i.task.id).collect()
}

fn finish(repo: &Repo, who: &str, id: &TaskId) {
    let who = actor(who);
    task::transition(&repo.store, &who, id.as_str(), &Action::Claim, &[]).unwrap();
    task::transition(
        &repo.store,
        &who,
        id.as_str(),
        &Action::Done { force: false },
        &[],
    )
    .unwrap();
}

#[test]
fn ready_lists_unblocked_open_tasks_best_first() {
    let repo = Repo::init();
    let lead = actor("lead");
    let low = repo.add_with(&lead, new("Low", 3, 1.0), &[]);
    let high = repo.add_with(&lead, new("High", 1, 1.0), &[]);
    let after = repo.add_with(&lead, new("After high", 0, 1.0), &[&high.id]);
    assert_eq!(
        ready_ids(&repo, &ReadyOptions::default()),
        vec![high.id.clone(), low.id.clone()]
    );
    let limited = ReadyOptions {
        limit: Some(1),
        ..ReadyOptions::default()
    };
    assert_eq!(ready_ids(&repo, &limited), vec![high.id.clone()]);

    finish(&repo, "alice", &high.id);
    assert_eq!(
        ready_ids(&repo, &ReadyOptions::default()),
        vec![after.id, low.id]
    );
}

#[test]
fn ready_for_an_expertise_keeps_the_tasks_that_fit() {
    let repo = Repo::init();
    let lead = actor("lead");
    let rust = repo.add_with(
        &lead,
        NewTask {
            expertise: vec!["rust".to_owned()],
            ..new("Rust work", 1, 1.0)
        },
        &[],
    );
    let any = repo.add_with(&lead, new("Anyone", 2, 1.0), &[]);
    let css = ReadyOptions {
        expertise: Some(vec!["css".to_owned()]),
        ..ReadyOptions::default()
    };
    assert_eq!(ready_ids(&repo, &css), vec![any.id.clone()]);
    let rustacean = ReadyOptions {
        expertise: Some(vec!["rust".to_owned()]),
        ..ReadyOptions::default()
    };
    assert_eq!(ready_ids(&repo, &rustacean), vec![rust.id, any.id]);
}

#[test]
fn next_claims_the_best_fitting_task_and_then_the_next_one() {
    let repo = Repo::init();
    let lead = actor("lead");
    agent::add(
        &repo.store,
        &lead,
        &agent("alice"),
        &AgentSpec {
            expertise: Some(vec!["rust".to_owned()]),
            ..AgentSpec::default()
        },
    )
    .unwrap();
    let rust = repo.add_with(
        &lead,
        NewTask {
            expertise: vec!["rust".to_owned()],
            ..new("Rust work", 2, 1.0)
        },
        &[],
    );
    let css = repo.add_with(
        &lead,
        NewTask {
            expertise: vec!["css".to_owned()],
            ..new("Styles", 1, 1.0)
        },
        &[],
    );
    let plain = repo.add_with(&lead, new("Plain", 3, 1.0), &[]);

    let (first, _) = schedule::next(&repo.store, &actor("alice")).unwrap();
    let Next::Claimed(first) = first else {
        panic!("alice got nothing")
    };
    assert_eq!(first.id, rust.id, "the css task does not fit her");
    assert_eq!(repo.task(&rust.id).assignee, Some(agent("alice")));
    assert!(repo.last_message().contains("Coord-Via: next\n"));

    let (second, _) = schedule::next(&repo.store, &actor("alice")).unwrap();
    assert!(matches!(second, Next::Claimed(t) if t.id == plain.id));

    let tip = repo.tip();
    let (third, _) = schedule::next(&repo.store, &actor("alice")).unwrap();
    assert!(
        matches!(
            third,
            Next::Nothing {
                ready: 1,
                skipped: 0
            }
        ),
        "only the css task is left, and it does not fit"
    );
    assert_eq!(repo.tip(), tip, "nothing claimed, nothing written");
    assert_eq!(repo.task(&css.id).assignee, None);
}

#[test]
fn critical_path_is_the_longest_chain_of_open_work() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add_with(&lead, new("A", 1, 2.0), &[]);
    let b = repo.add_with(&lead, new("B", 1, 3.0), &[&a.id]);
    let c = repo.add_with(&lead, new("C", 1, 4.0), &[]);
    let report = schedule::critical_path(&repo.store, now()).unwrap();
    assert_eq!(report.tasks, vec![a.id.clone(), b.id.clone()]);
    assert_eq!(report.total_hours, 5.0);
    assert_eq!(report.slack[&c.id], 1.0);
    assert_eq!(report.slack[&a.id], 0.0);
    assert!(report.unscheduled.is_empty() && report.overdue.is_empty());

    finish(&repo, "alice", &a.id);
    let report = schedule::critical_path(&repo.store, now()).unwrap();
    assert_eq!(report.tasks, vec![c.id], "4h of C now outlast 3h of B");
    assert_eq!(report.total_hours, 4.0);
}

#[test]
fn critical_path_names_overdue_tasks() {
    let repo = Repo::init();
    let lead = actor("lead");
    let late = repo.add_with(
        &lead,
        NewTask {
            due: Some(crate::ops::testing::at(-3600)),
            ..new("Late", 1, 1.0)
        },
        &[],
    );
    repo.add_with(
        &lead,
        NewTask {
            due: Some(crate::ops::testing::at(3600)),
            ..new("On time", 1, 1.0)
        },
        &[],
    );
    let report = schedule::critical_path(&repo.store, now()).unwrap();
    assert_eq!(report.overdue, vec![late.id]);
}
