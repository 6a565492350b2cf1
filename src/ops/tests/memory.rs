//! `ops::memory`, the scratchpad half: `note` appends to the acting agent's scratchpad.

use crate::model::scratchpad::Section;
use crate::ops::OpError;
use crate::ops::memory::{note, scratchpad};
use crate::ops::testing::{Repo, actor, actor_at, agent, at, now};

#[test]
fn notes_append_timestamped_entries_to_the_agents_own_scratchpad() {
    let repo = Repo::init();
    let alice = actor("alice");
    let first = note(&repo.store, &alice, "Pool size is 8\n", None).unwrap();
    let second = note(
        &repo.store,
        &actor_at("alice", at(60)),
        "Use sqlx, not diesel",
        Some(Section::Decision),
    )
    .unwrap();
    assert_ne!(first.id, second.id);
    assert!(first.id.starts_with("n-"), "{}", first.id);

    let pad = scratchpad(&repo.snapshot(), &alice.agent).unwrap();
    let entries: Vec<_> = pad
        .entries
        .iter()
        .map(|e| (e.at, e.section, e.text.as_str()))
        .collect();
    assert_eq!(
        entries,
        vec![
            (now(), None, "Pool size is 8"),
            (at(60), Some(Section::Decision), "Use sqlx, not diesel"),
        ]
    );
    assert!(repo.file("scratchpads/alice.md").is_some());
    assert!(repo.last_message().starts_with(&format!(
        "coord: note {}\n\nUse sqlx, not diesel\n",
        second.id
    )));
    // Bob's scratchpad is his own, and empty.
    assert!(
        scratchpad(&repo.snapshot(), &agent("bob"))
            .unwrap()
            .entries
            .is_empty()
    );
}

#[test]
fn an_empty_note_is_refused_and_writes_nothing() {
    let repo = Repo::init();
    let tip = repo.tip();
    let err = note(&repo.store, &actor("alice"), " \n\t", None).unwrap_err();
    assert!(
        matches!(&err, OpError::Invalid(f) if f.field == "text"),
        "{err}"
    );
    assert_eq!(repo.tip(), tip);
}
