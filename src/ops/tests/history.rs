//! `ops::history`: `log` of the whole branch or of one record.

use crate::model::Action;
use crate::ops::OpError;
use crate::ops::history::{LogQuery, log, resolve};
use crate::ops::task;
use crate::ops::testing::{Repo, actor, actor_at, at};

#[test]
fn the_whole_branch_newest_first_with_agent_and_op() {
    let repo = Repo::init();
    let t = repo.add(&actor("lead"), "Logged", &[]);
    let alice = actor_at("alice", at(60));
    task::transition(&repo.store, &alice, t.id.as_str(), &Action::Claim, &[]).unwrap();
    let (target, entries) = log(&repo.store, &LogQuery::default()).unwrap();
    assert_eq!(target, None);
    let ops: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.agent.as_str(), e.op.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![("alice", "claim"), ("lead", "add"), ("lead", "init")]
    );
    assert_eq!(entries[0].at, at(60));
    assert_eq!(entries[0].subject, format!("coord: claim {}", t.id));
    let paths: Vec<(&str, &str)> = entries[0]
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.change))
        .collect();
    assert!(
        paths.contains(&(crate::model::layout::task_path(&t.id).as_str(), "modified")),
        "{paths:?}"
    );
    assert!(paths.contains(&("agents/alice.toml", "added")), "{paths:?}");
    assert!(
        entries[0].changes.iter().all(|c| c.diff.is_none()),
        "no patch asked"
    );

    let limited = LogQuery {
        limit: Some(1),
        ..LogQuery::default()
    };
    assert_eq!(log(&repo.store, &limited).unwrap().1.len(), 1);
    let since = LogQuery {
        since: Some(at(30)),
        ..LogQuery::default()
    };
    assert_eq!(log(&repo.store, &since).unwrap().1.len(), 1);
}

#[test]
fn one_record_by_prefix_with_its_diffs() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Before", &[]);
    repo.add(&lead, "Unrelated", &[]);
    let patch = task::TaskPatch {
        title: Some("After".to_owned()),
        ..task::TaskPatch::default()
    };
    task::edit(&repo.store, &lead, t.id.as_str(), &patch).unwrap();
    let query = LogQuery {
        // With its kind prefix: a bare all-digit prefix (`6788`) reads as an ADR number.
        target: Some(t.id.as_str()[..6].to_owned()),
        ..LogQuery::default()
    };
    let (target, entries) = log(&repo.store, &query).unwrap();
    assert_eq!(target.unwrap().name, format!("task {}", t.id));
    let ops: Vec<&str> = entries.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(ops, vec!["edit", "add"], "only this task's commits");
    let diff = entries[0].changes[0]
        .diff
        .as_deref()
        .expect("one record: diffs");
    assert!(
        diff.contains("-title = \"Before\"\n+title = \"After\"\n"),
        "{diff}"
    );
}

#[test]
fn agents_resolve_to_their_entry_and_unknown_names_are_errors() {
    let repo = Repo::init();
    let targets = resolve(&repo.snapshot(), "lead").unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].paths, vec!["agents/lead.toml"]);
    let err = log(
        &repo.store,
        &LogQuery {
            target: Some("t-zzzzzz".to_owned()),
            ..LogQuery::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, OpError::UnknownRecord { kind: "record", .. }),
        "{err}"
    );
}
