//! `ops::notes`: which task an agent's commits are linked to.

use crate::model::Action;
use crate::ops::notes::current_task;
use crate::ops::task;
use crate::ops::testing::{Repo, actor, agent};
use crate::store::Store;

#[test]
fn the_current_task_is_the_only_one_in_progress() {
    let repo = Repo::init();
    let lead = actor("lead");
    let alice = actor("alice");
    let a = repo.add(&lead, "A", &[]);
    let b = repo.add(&lead, "B", &[]);
    assert!(current_task(&repo.store, &alice.agent).unwrap().is_none());

    task::transition(&repo.store, &alice, a.id.as_str(), &Action::Claim, &[]).unwrap();
    let current = current_task(&repo.store, &alice.agent)
        .unwrap()
        .expect("one task");
    assert_eq!(current.id, a.id);
    assert!(
        current_task(&repo.store, &agent("bob")).unwrap().is_none(),
        "not bob's"
    );

    // Two at once: which one a commit belongs to cannot be told.
    task::transition(&repo.store, &alice, b.id.as_str(), &Action::Claim, &[]).unwrap();
    assert!(current_task(&repo.store, &alice.agent).unwrap().is_none());

    // Blocked is not in progress: the other one is current again.
    let block = Action::Block {
        reason: "review".to_owned(),
        force: false,
    };
    task::transition(&repo.store, &alice, b.id.as_str(), &block, &[]).unwrap();
    assert_eq!(
        current_task(&repo.store, &alice.agent)
            .unwrap()
            .map(|t| t.id),
        Some(a.id)
    );
}

#[test]
fn before_init_there_is_no_current_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_repository(dir.path()).unwrap();
    assert!(current_task(&store, &agent("alice")).unwrap().is_none());
}
