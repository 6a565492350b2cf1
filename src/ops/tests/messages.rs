//! `ops::memory`, the messages half: `send`, `inbox`, `ack` and `reply`.

use crate::model::message::{Kind, Recipient};
use crate::ops::OpError;
use crate::ops::memory::{self, Outgoing, ack, inbox, reply, send};
use crate::ops::testing::{Repo, actor, actor_at, agent, at};

const FOUR_HOURS: i64 = 4 * 3600;

fn question(to: Recipient, subject: &str) -> Outgoing {
    Outgoing {
        to,
        subject: subject.to_owned(),
        body: "Details.\n".to_owned(),
        task: None,
        files: vec!["src/db.rs".to_owned()],
        needs_reply: true,
        kind: Kind::Question,
    }
}

fn subjects(repo: &Repo, who: &str, all: bool, secs: i64) -> Vec<(String, bool, bool)> {
    let (items, problems) =
        inbox(&repo.snapshot(), &agent(who), all, at(secs), FOUR_HOURS).unwrap();
    assert!(problems.is_empty());
    items
        .into_iter()
        .map(|i| (i.message.subject, i.read, i.reply_overdue))
        .collect()
}

#[test]
fn a_message_reaches_its_recipient_only_until_acknowledged() {
    let repo = Repo::init();
    let lead = actor("lead");
    let sent = send(
        &repo.store,
        &lead,
        &question(Recipient::Agent(agent("alice")), "May I change db.rs?"),
    )
    .unwrap();
    let stored = memory::read_message(&repo.snapshot(), &sent.id).unwrap();
    assert_eq!(stored.from, agent("lead"));
    assert_eq!(stored.files, vec!["src/db.rs"]);
    assert!(stored.needs_reply);
    assert!(
        repo.last_message()
            .contains("to alice: May I change db.rs?")
    );

    let unread = ("May I change db.rs?".to_owned(), false, false);
    assert_eq!(subjects(&repo, "alice", false, 0), vec![unread.clone()]);
    assert!(subjects(&repo, "bob", true, 0).is_empty(), "not bob's");
    assert!(
        subjects(&repo, "lead", true, 0).is_empty(),
        "not the sender's"
    );

    let prefix = &sent.id.as_str()[..5];
    let (_, changed) = ack(&repo.store, &actor("alice"), prefix).unwrap();
    assert!(changed);
    assert!(subjects(&repo, "alice", false, 0).is_empty());
    assert_eq!(
        subjects(&repo, "alice", true, 0),
        vec![("May I change db.rs?".to_owned(), true, false)]
    );
    let tip = repo.tip();
    let (_, changed) = ack(&repo.store, &actor("alice"), prefix).unwrap();
    assert!(!changed);
    assert_eq!(repo.tip(), tip, "a second ack writes nothing");
}

#[test]
fn a_broadcast_reaches_everyone_but_its_sender() {
    let repo = Repo::init();
    send(
        &repo.store,
        &actor("lead"),
        &question(Recipient::All, "Standup"),
    )
    .unwrap();
    for who in ["alice", "bob"] {
        assert_eq!(subjects(&repo, who, false, 0).len(), 1, "{who}");
    }
    assert!(subjects(&repo, "lead", true, 0).is_empty());
}

#[test]
fn a_reply_is_threaded_marks_the_question_read_and_ends_the_wait() {
    let repo = Repo::init();
    let q = send(
        &repo.store,
        &actor("lead"),
        &question(Recipient::Agent(agent("alice")), "Schema?"),
    )
    .unwrap();
    // Five hours later the question is overdue.
    assert_eq!(
        subjects(&repo, "alice", false, 5 * 3600),
        vec![("Schema?".to_owned(), false, true)]
    );
    let answer = reply(
        &repo.store,
        &actor_at("alice", at(5 * 3600)),
        q.id.as_str(),
        "Version 2.",
    )
    .unwrap();
    assert_eq!(answer.subject, "Re: Schema?");
    assert_eq!(answer.to, Recipient::Agent(agent("lead")));
    assert_eq!(answer.reply_to.as_ref(), Some(&q.id));
    assert_eq!(answer.body, "Version 2.\n");
    assert_eq!(
        subjects(&repo, "alice", true, 5 * 3600),
        vec![("Schema?".to_owned(), true, false)],
        "read, and answered"
    );
    assert_eq!(
        subjects(&repo, "lead", false, 5 * 3600),
        vec![("Re: Schema?".to_owned(), false, false)]
    );
}

#[test]
fn bad_messages_are_refused_before_anything_is_written() {
    let repo = Repo::init();
    let tip = repo.tip();
    let lead = actor("lead");
    let mut two_lines = question(Recipient::All, "one\ntwo");
    let err = send(&repo.store, &lead, &two_lines).unwrap_err();
    assert!(
        matches!(&err, OpError::Invalid(f) if f.field == "subject"),
        "{err}"
    );
    two_lines.subject = "About a task".to_owned();
    two_lines.task = Some("t-zzzzzz".to_owned());
    assert!(matches!(
        send(&repo.store, &lead, &two_lines),
        Err(OpError::UnknownRecord { kind: "task", .. })
    ));
    assert!(matches!(
        ack(&repo.store, &lead, "m-zzzzzz"),
        Err(OpError::UnknownRecord {
            kind: "message",
            ..
        })
    ));
    assert_eq!(repo.tip(), tip);
}
