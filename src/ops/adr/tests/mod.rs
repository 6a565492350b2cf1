//! In-process tests of the ADR operations against a temporary coordination branch: each runs
//! an operation, then reads the result back through a fresh snapshot, as the next command
//! would. Time is fixed, so rendered bodies are stable and snapshotted inline.

use super::*;
use crate::model::AgentId;
use crate::model::adr::AdrEdit;
use crate::model::adr::body::section_text;
use crate::ops::init;

mod import_export;

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

fn n(number: u32) -> AdrNumber {
    AdrNumber::new(number).expect("a valid ADR number")
}

/// A repository with an initialised coordination branch, as `git coord init` leaves it.
fn repo() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::init_repository(dir.path()).expect("a new repository");
    let lead = actor("lead");
    assert!(init::init(&store, &lead.author(), Some(&lead)).expect("init"));
    (dir, store)
}

/// The tip's commit, to show that a refused operation wrote nothing.
fn tip(store: &Store) -> String {
    let tip = store.tip().expect("the tip").expect("the branch exists");
    tip.commit.to_string()
}

/// ADR `number` as the next command reads it.
fn read_back(store: &Store, number: u32) -> Adr {
    let snap = store.snapshot().expect("a snapshot");
    read(&snap, n(number)).expect("the ADR reads back")
}

fn builtin() -> Template {
    template(None)
}

fn new_adr(store: &Store, who: &str, title: &str, deciders: &[&str]) -> Adr {
    let new = NewAdr {
        title: title.to_owned(),
        deciders: deciders.iter().map(|d| agent(d)).collect(),
        ..NewAdr::default()
    };
    create(store, &actor(who), &new, &builtin()).expect("the ADR is created")
}

/// Writes a file in its own commit, as a person editing the branch by hand would.
fn write_by_hand(store: &Store, path: &str, text: &str) {
    store
        .update(&actor("lead").author(), |_| {
            Ok::<_, store::Error>(Plan::Commit {
                message: format!("edit {path} by hand\n"),
                edits: vec![Edit::write(path, text)],
                value: (),
            })
        })
        .expect("the hand edit is committed");
}

fn accept(store: &Store, who: &str, number: u32) {
    let me = actor(who);
    set_status(
        store,
        &me,
        n(number),
        AdrStatus::Accepted,
        &builtin(),
        &Authority::unforced(&me.agent),
    )
    .expect("the ADR is accepted");
}

#[test]
fn create_numbers_each_adr_on_the_tip_and_writes_the_rendered_record() {
    let (_dir, store) = repo();
    let lead = actor("lead");
    let new = NewAdr {
        title: "Use Redis for the rate limiter".into(),
        context: Some("The limiter needs state shared by every instance.".into()),
        deciders: vec![agent("alice")],
        deadline: Some(at("2026-11-30T23:59:59Z")),
        ..NewAdr::default()
    };
    let first = create(&store, &lead, &new, &builtin()).expect("created");
    let second = new_adr(&store, "bob", "Keep sessions in cookies", &[]);
    assert_eq!((first.number, second.number), (n(1), n(2)));
    let back = read_back(&store, 1);
    assert_eq!(back.path(), "adrs/0001-use-redis-for-the-rate-limiter.md");
    assert_eq!(back.proposed_by, Some(agent("lead")));
    assert_eq!(read_back(&store, 2).proposed_by, Some(agent("bob")));
    insta::assert_snapshot!(back.to_text(), @r#"
        +++
        number = 1
        title = "Use Redis for the rate limiter"
        status = "proposed"
        deciders = ["alice"]
        deadline = 2026-11-30T23:59:59Z
        proposed_by = "lead"
        created = 2026-11-21T10:00:00Z
        updated = 2026-11-21T10:00:00Z
        +++
        # ADR-0001: Use Redis for the rate limiter

        Date: 2026-11-21

        ## Status

        Proposed

        To be decided by 2026-11-30.

        Deciders: alice

        ## Context

        The limiter needs state shared by every instance.

        ## Decision

        Not decided yet. Add the options with `git coord adr option 1 <name> --pros <text> --cons <text>`.

        ## Consequences

        What becomes easier or more difficult to do because of this change?

        ## Alternatives

        None recorded yet.

        ## Review date

        None set.
        "#);
}

#[test]
fn a_refused_create_writes_nothing() {
    let (_dir, store) = repo();
    let before = tip(&store);
    let lead = actor("lead");
    let blank = NewAdr {
        title: "  ".into(),
        ..NewAdr::default()
    };
    let e = create(&store, &lead, &blank, &builtin()).expect_err("a blank title is refused");
    assert!(
        matches!(e, AdrError::Invalid(ref f) if f.field == "title"),
        "{e:?}"
    );
    let broken = Template {
        text: "# {{ title".into(),
        path: TEMPLATE_OVERRIDE,
    };
    let titled = NewAdr {
        title: "A title".into(),
        ..NewAdr::default()
    };
    let e = create(&store, &lead, &titled, &broken).expect_err("a broken template");
    assert!(
        matches!(e, AdrError::Op(OpError::Template { ref path, .. }) if path == TEMPLATE_OVERRIDE),
        "{e:?}"
    );
    assert_eq!(tip(&store), before);
    let (adrs, problems) = load_adrs(&store.snapshot().expect("snapshot")).expect("loads");
    assert!(adrs.is_empty() && problems.is_empty());
}

#[test]
fn option_and_decide_regenerate_only_the_generated_parts() {
    let (_dir, store) = repo();
    let adr = new_adr(&store, "lead", "Pick a queue", &["alice"]);
    // A person writes the Consequences section, which belongs to them from then on.
    let mut edited = read_back(&store, 1);
    edited.body = edited.body.replace(
        "What becomes easier or more difficult to do because of this change?",
        "Operations learns one more system.",
    );
    write_by_hand(&store, &adr.path(), &edited.to_text());
    let alice = actor("alice");
    let option = NewOption {
        name: "NATS".into(),
        pros: vec!["small".into()],
        cons: vec!["new to us".into()],
        effort: Some("3d".into()),
    };
    let added = add_option(&store, &alice, n(1), &option, &builtin()).expect("option added");
    assert!(added.changed);
    let again = add_option(&store, &alice, n(1), &option, &builtin()).expect("same option");
    assert!(!again.changed, "the same option again changes nothing");
    let decided = decide(
        &store,
        &alice,
        n(1),
        "NATS",
        "it is small",
        &builtin(),
        &Authority::unforced(&alice.agent),
    )
    .expect("alice decides");
    assert_eq!(decided.value.adr.status, AdrStatus::Accepted);
    let back = read_back(&store, 1);
    assert_eq!(back.status, AdrStatus::Accepted);
    assert_eq!(
        decision_summary(&back).as_deref(),
        Some("NATS: it is small")
    );
    insta::assert_snapshot!(back.body, @r#"
        # ADR-0001: Pick a queue

        Date: 2026-11-21

        ## Status

        Accepted

        Deciders: alice

        ## Context

        What is the issue that motivates this decision or change?

        ## Decision

        Chosen option: "NATS", because it is small.

        Decided by alice on 2026-11-21T10:00:00Z.

        ## Consequences

        Operations learns one more system.

        ## Alternatives

        ### NATS

        * Good, because small
        * Bad, because new to us
        * Effort: 3d

        ## Review date

        None set.
        "#);
}

#[test]
fn only_the_deciders_decide_and_a_refusal_writes_nothing() {
    let (_dir, store) = repo();
    new_adr(&store, "lead", "Pick a queue", &["alice"]);
    let bob = actor("bob");
    add_option(
        &store,
        &bob,
        n(1),
        &NewOption {
            name: "NATS".into(),
            ..NewOption::default()
        },
        &builtin(),
    )
    .expect("anyone adds an option to a proposed ADR");
    let before = tip(&store);
    let e = decide(
        &store,
        &bob,
        n(1),
        "NATS",
        "",
        &builtin(),
        &Authority::unforced(&bob.agent),
    )
    .expect_err("bob is not a decider");
    assert!(matches!(e, AdrError::Op(OpError::Authority(_))), "{e:?}");
    let e = set_status(
        &store,
        &bob,
        n(1),
        AdrStatus::Rejected,
        &builtin(),
        &Authority::unforced(&bob.agent),
    )
    .expect_err("nor does he reject it");
    assert!(matches!(e, AdrError::Op(OpError::Authority(_))), "{e:?}");
    let e = show(&store, n(9)).expect_err("there is no ADR-0009");
    assert!(matches!(e, AdrError::Unknown { number } if number == n(9)));
    assert_eq!(tip(&store), before);
    assert_eq!(read_back(&store, 1).status, AdrStatus::Proposed);
}

#[test]
fn supersede_links_both_and_a_new_title_reaches_the_links() {
    let (_dir, store) = repo();
    new_adr(&store, "lead", "Use MySQL", &[]);
    new_adr(&store, "lead", "Use Postgres", &[]);
    accept(&store, "lead", 1);
    accept(&store, "lead", 2);
    let lead = actor("lead");
    let authority = Authority::unforced(&lead.agent);
    let done = supersede(&store, &lead, n(1), n(2), &builtin(), &authority).expect("supersede");
    assert!(done.changed);
    let views: Vec<(AdrStatus, Vec<AdrNumber>)> = done
        .value
        .iter()
        .map(|v| (v.adr.status, v.superseded_by.clone()))
        .collect();
    assert_eq!(
        views,
        [
            (AdrStatus::Superseded, vec![n(2)]),
            (AdrStatus::Accepted, vec![])
        ]
    );
    assert_eq!(read_back(&store, 2).supersedes, [n(1)]);
    let status = |number| {
        let adr = read_back(&store, number);
        section_text(&adr.body, "Status")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    insta::assert_snapshot!(status(1), @r#"Superseded by [ADR-0002: Use Postgres](0002-use-postgres.md)"#);
    insta::assert_snapshot!(status(2), @r#"
        Accepted

        Supersedes [ADR-0001: Use MySQL](0001-use-mysql.md)
        "#);
    // The superseded ADR shows the new title of the one that replaced it.
    let retitle = AdrEdit {
        title: Some("Use PostgreSQL".into()),
        ..AdrEdit::default()
    };
    let (edited, fields) = edit(&store, &lead, n(2), &retitle, &builtin()).expect("edit");
    assert!(edited.changed);
    assert_eq!(fields, ["title"]);
    insta::assert_snapshot!(status(1), @r#"Superseded by [ADR-0002: Use PostgreSQL](0002-use-postgres.md)"#);
    // Superseding again by the same ADR changes nothing.
    let again = supersede(&store, &lead, n(1), n(2), &builtin(), &authority).expect("again");
    assert!(!again.changed);
}

#[test]
fn supersede_refusals_write_nothing() {
    let (_dir, store) = repo();
    new_adr(&store, "lead", "Use MySQL", &[]);
    new_adr(&store, "lead", "Use Postgres", &[]);
    new_adr(&store, "lead", "Use SQLite", &[]);
    accept(&store, "lead", 1);
    accept(&store, "lead", 2);
    accept(&store, "lead", 3);
    let lead = actor("lead");
    let authority = Authority::unforced(&lead.agent);
    supersede(&store, &lead, n(1), n(2), &builtin(), &authority).expect("supersede");
    new_adr(&store, "lead", "Use files", &[]);
    let before = tip(&store);
    let itself = supersede(&store, &lead, n(3), n(3), &builtin(), &authority);
    assert!(matches!(itself, Err(AdrError::Invalid(ref f)) if f.field == "by"));
    let proposed = supersede(&store, &lead, n(3), n(4), &builtin(), &authority);
    assert!(matches!(proposed, Err(AdrError::Invalid(ref f)) if f.field == "by"));
    let twice = supersede(&store, &lead, n(1), n(3), &builtin(), &authority);
    assert!(
        matches!(twice, Err(AdrError::AlreadySuperseded { number, ref by }) if number == n(1) && by == &[n(2)])
    );
    let other = actor("bob");
    let foreign = supersede(
        &store,
        &other,
        n(2),
        n(3),
        &builtin(),
        &Authority::unforced(&other.agent),
    );
    assert!(
        matches!(foreign, Err(AdrError::Op(OpError::Authority(_)))),
        "a settled ADR is its proposer's to retire: {foreign:?}"
    );
    assert_eq!(tip(&store), before);
}

#[test]
fn list_show_and_review_read_the_snapshot() {
    let (_dir, store) = repo();
    new_adr(&store, "lead", "Use MySQL", &[]);
    new_adr(&store, "lead", "Use Postgres", &[]);
    accept(&store, "lead", 2);
    let lead = actor("lead");
    let review = AdrEdit {
        review_date: Some(Some(at("2026-11-01T23:59:59Z"))),
        ..AdrEdit::default()
    };
    edit(&store, &lead, n(2), &review, &builtin()).expect("review date set");
    let (all, problems) = list(&store, None).expect("list");
    assert!(problems.is_empty());
    let numbers: Vec<AdrNumber> = all.iter().map(|v| v.adr.number).collect();
    assert_eq!(numbers, [n(1), n(2)]);
    let (accepted, _) = list(&store, Some(AdrStatus::Accepted)).expect("list accepted");
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].adr.number, n(2));
    assert_eq!(show(&store, n(1)).expect("show").adr.title, "Use MySQL");
    let (due, _) = due_for_review(&store, at(NOW)).expect("due");
    assert_eq!(due.len(), 1);
    let (due, _) = due_for_review(&store, at("2026-10-01T00:00:00Z")).expect("not yet due");
    assert!(due.is_empty());
    assert_eq!(
        section_text(&read_back(&store, 2).body, "Review date").map(str::trim),
        Some("2026-11-01")
    );
}

#[test]
fn load_adrs_keeps_the_first_of_two_files_with_one_number() {
    let (_dir, store) = repo();
    let original = new_adr(&store, "lead", "Use MySQL", &[]);
    let mut copy = read_back(&store, 1);
    copy.slug = "a-later-copy".into();
    write_by_hand(&store, &copy.path(), &copy.to_text());
    write_by_hand(&store, "adrs/old/0009-x.md", "not an ADR's place");
    let snap = store.snapshot().expect("snapshot");
    let (adrs, problems) = load_adrs(&snap).expect("loads");
    assert_eq!(adrs.len(), 1);
    assert_eq!(adrs[0].path(), original.path());
    let mut paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["adrs/0001-a-later-copy.md", "adrs/old/0009-x.md"]);
    assert_eq!(read(&snap, n(1)).expect("read").path(), original.path());
}
