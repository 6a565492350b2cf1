//! `ops::export`: every task in ID order, unreadable records set apart.

use crate::ops::export::tasks;
use crate::ops::testing::{Repo, actor};
use crate::store::Edit;

#[test]
fn every_task_sorted_by_id() {
    let repo = Repo::init();
    let lead = actor("lead");
    let mut added: Vec<_> = (0..5)
        .map(|i| repo.add(&lead, &format!("Task {i}"), &[]).id)
        .collect();
    added.sort();
    let (exported, problems) = tasks(&repo.store).unwrap();
    assert!(problems.is_empty());
    let ids: Vec<_> = exported.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, added);
}

#[test]
fn an_unreadable_task_is_reported_and_the_rest_exported() {
    let repo = Repo::init();
    let lead = actor("lead");
    let good = repo.add(&lead, "Good", &[]);
    repo.hand_edit(&[Edit::write("tasks/zz/t-zzzzzz.md", "not a record\n")]);
    let (exported, problems) = tasks(&repo.store).unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].id, good.id);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "tasks/zz/t-zzzzzz.md");
}
