//! In-process tests of the record operations (conflict, risk, milestone and gate) and of
//! what they share ([`super`]), against a temporary repository: each runs the operation and
//! reads the outcome back from the branch.

use crate::model::conflict::{Conflict, ConflictStatus, NewAction, NewConflict};
use crate::model::milestone::{Milestone, MilestoneId, NewMilestone};
use crate::model::record::Record;
use crate::model::risk::{Level, NewRisk, Risk, RiskPatch, RiskStatus};
use crate::model::{AgentId, ConflictId, NewTask, RecordError, Task, Timestamp};
use crate::ops::authority::{Authority, AuthorityError, Coordinators};
use crate::ops::{Actor, Candidate, OpError, conflict, gate, milestone, risk, task};
use crate::store::{Edit, Plan, Store};

use super::{find, load, resolve};

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).expect("time")
}

fn agent(name: &str) -> AgentId {
    AgentId::parse(name).expect("agent")
}

fn actor(name: &str) -> Actor {
    Actor {
        agent: agent(name),
        email: format!("{name}@example.com"),
        now: at("2026-11-21T10:00:00Z"),
    }
}

/// A repository whose coordination branch `lead` created; the directory lives as long as it.
struct Repo {
    _dir: tempfile::TempDir,
    store: Store,
}

fn repo() -> Repo {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::init_repository(dir.path()).expect("repository");
    let lead = actor("lead");
    assert!(crate::ops::init::init(&store, &lead.author(), Some(&lead)).expect("init"));
    Repo { _dir: dir, store }
}

impl Repo {
    /// The tip commit, to show that a refused operation wrote nothing.
    fn tip(&self) -> String {
        let tip = self.store.tip().expect("tip").expect("branch");
        tip.commit.to_string()
    }

    /// Writes `text` at `path` in a commit of its own, as a hand edit would.
    fn write(&self, path: &str, text: String) {
        self.store
            .update(&actor("lead").author(), |_| {
                Ok::<_, OpError>(Plan::Commit {
                    message: format!("by hand: {path}"),
                    edits: vec![Edit::write(path, text.clone())],
                    value: (),
                })
            })
            .expect("hand edit");
    }

    /// Writes `record` at its path.
    fn put<R: Record>(&self, record: &R) {
        self.write(&R::path(record.id()), record.to_text());
    }

    fn read<R: Record>(&self, id: &R::Id) -> R {
        super::read::<R>(&self.store.snapshot().expect("snapshot"), id)
            .expect("read")
            .expect("record exists")
    }
}

fn new_conflict(title: &str) -> NewConflict {
    NewConflict {
        title: title.into(),
        between: vec![agent("api"), agent("state")],
        about: vec!["src/cache/**".into()],
        body: "Both edit it.\n".into(),
    }
}

fn conflict_with_id(id: &str, title: &str) -> Conflict {
    Conflict::new(
        ConflictId::parse(id).expect("id"),
        new_conflict(title),
        agent("lead"),
        at("2026-11-21T09:00:00Z"),
    )
    .expect("conflict")
}

fn new_risk(title: &str, impact: Level, probability: Level) -> NewRisk {
    NewRisk {
        title: title.into(),
        impact,
        probability,
        mitigation: None,
        owner: Some(agent("state")),
        body: String::new(),
    }
}

fn new_milestone(title: &str, due: &str) -> NewMilestone {
    NewMilestone {
        title: title.into(),
        due: at(due),
        criteria: vec!["true".into()],
        body: String::new(),
    }
}

fn coordinator(name: &str) -> Authority {
    Authority::with_policy(&agent(name), &Coordinators::Listed(vec![agent(name)]))
}

#[test]
fn conflict_open_list_show_propose_resolve() {
    let r = repo();
    let store = &r.store;
    let task = task::add(
        store,
        &actor("lead"),
        task::AddTask {
            task: NewTask {
                title: "Cache layer".into(),
                ..NewTask::default()
            },
            after: Vec::new(),
        },
    )
    .expect("task");
    let typed = &task.id.as_str()[..5];
    let mut new = new_conflict("Cache ownership");
    new.about.push(typed.to_owned());
    let opened = conflict::open(store, &actor("lead"), new).expect("open");
    // A `t-` prefix names the task it matches, stored as its full ID.
    assert_eq!(opened.about, vec!["src/cache/**", task.id.as_str()]);
    assert_eq!(r.read::<Conflict>(&opened.id).title, "Cache ownership");

    let (all, problems) = conflict::list(store, None).expect("list");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(all.iter().map(|c| &c.id).collect::<Vec<_>>(), [&opened.id]);
    let (resolved, _) = conflict::list(store, Some(ConflictStatus::Resolved)).expect("list");
    assert!(resolved.is_empty());
    let prefix = &opened.id.random_part()[..3];
    assert_eq!(conflict::show(store, prefix).expect("show").id, opened.id);

    conflict::propose(store, &actor("api"), prefix, "api owns it").expect("propose");
    let read = r.read::<Conflict>(&opened.id);
    assert_eq!(read.proposals.len(), 1);
    assert_eq!(read.proposals[0].by, agent("api"));

    // Only a party resolves: `web` is refused, and nothing is written.
    let before = r.tip();
    let action = NewAction {
        text: "Move the cache to state".into(),
        assignee: Some(agent("state")),
    };
    let e = conflict::resolve(
        store,
        &actor("web"),
        prefix,
        "state owns it",
        std::slice::from_ref(&action),
        &Authority::unforced(&agent("web")),
    )
    .expect_err("not a party");
    assert!(
        matches!(&e, OpError::Authority(a) if matches!(**a, AuthorityError::NotYours { .. })),
        "{e:?}"
    );
    assert_eq!(r.tip(), before);

    let done = conflict::resolve(
        store,
        &actor("api"),
        prefix,
        "state owns it",
        &[action],
        &Authority::unforced(&agent("api")),
    )
    .expect("resolve");
    let read = r.read::<Conflict>(&opened.id);
    assert_eq!(read.status, ConflictStatus::Resolved);
    assert_eq!(read.resolution.as_deref(), Some("state owns it"));
    assert_eq!(read.resolved_by, Some(agent("api")));
    // The action item became a task, assigned, in the same commit.
    let made = r.read::<Task>(&done.actions[0].task);
    assert_eq!(made.title, "Move the cache to state");
    assert_eq!(made.assignee, Some(agent("state")));

    let before = r.tip();
    let e = conflict::resolve(
        store,
        &actor("api"),
        prefix,
        "again",
        &[],
        &Authority::unforced(&agent("api")),
    )
    .expect_err("already resolved");
    assert!(
        matches!(&e, OpError::AlreadyClosed { kind: "conflict", state: "resolved", by: Some(b), .. } if *b == agent("api")),
        "{e:?}"
    );
    let e = conflict::propose(store, &actor("api"), prefix, "late").expect_err("closed");
    assert!(matches!(e, OpError::AlreadyClosed { .. }), "{e:?}");
    assert_eq!(r.tip(), before);
}

#[test]
fn conflict_about_an_unknown_task_and_bad_input_write_nothing() {
    let r = repo();
    let before = r.tip();
    let mut new = new_conflict("Cache ownership");
    new.about = vec!["t-zzzzzz".into()];
    let e = conflict::open(&r.store, &actor("lead"), new).expect_err("unknown task");
    assert!(
        matches!(&e, OpError::UnknownRecord { kind: "task", given } if given == "t-zzzzzz"),
        "{e:?}"
    );
    let mut new = new_conflict("Cache ownership");
    new.between = vec![agent("api")];
    let e = conflict::open(&r.store, &actor("lead"), new).expect_err("one party");
    assert!(
        matches!(&e, OpError::Invalid(f) if f.field == "between"),
        "{e:?}"
    );
    assert_eq!(r.tip(), before);
}

#[test]
fn prefixes_resolve_to_one_record_or_name_the_candidates() {
    let r = repo();
    r.put(&conflict_with_id("c-aaaa11", "First"));
    r.put(&conflict_with_id("c-aaaa22", "Second"));
    let snap = r.store.snapshot().expect("snapshot");
    let id = |s: &str| ConflictId::parse(s).expect("id");
    assert_eq!(resolve::<Conflict>(&snap, "aaaa1").unwrap(), id("c-aaaa11"));
    assert_eq!(
        resolve::<Conflict>(&snap, "c-aaaa22").unwrap(),
        id("c-aaaa22")
    );
    match resolve::<Conflict>(&snap, "c-aaaa") {
        Err(OpError::AmbiguousRecord {
            kind: "conflict",
            given,
            candidates,
        }) => {
            assert_eq!(given, "c-aaaa");
            assert_eq!(
                candidates.0,
                vec![
                    Candidate {
                        id: "c-aaaa11".into(),
                        title: Some("First".into())
                    },
                    Candidate {
                        id: "c-aaaa22".into(),
                        title: Some("Second".into())
                    },
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        find::<Conflict>(&snap, "c-zzz"),
        Err(OpError::UnknownRecord {
            kind: "conflict",
            ..
        })
    ));
    assert!(matches!(
        find::<Conflict>(&snap, "../x"),
        Err(OpError::Id(_))
    ));
    // A task prefix resolves through the buckets the same way.
    assert!(matches!(
        resolve::<Task>(&snap, "zz"),
        Err(OpError::UnknownRecord { kind: "task", .. })
    ));
}

#[test]
fn load_skips_unreadable_and_stray_records_naming_them() {
    let r = repo();
    let good = conflict_with_id("c-aaaa11", "Kept");
    r.put(&good);
    // A copy in a subdirectory, a record under another ID's name, and a broken file.
    r.write("conflicts/old/c-aaaa11.md", good.to_text());
    r.write(
        "conflicts/c-bbbb22.md",
        conflict_with_id("c-cccc33", "Misnamed").to_text(),
    );
    r.write("conflicts/c-dddd44.md", "no front matter\n".into());
    let (conflicts, problems) = load::<Conflict>(&r.store.snapshot().expect("snapshot")).unwrap();
    assert_eq!(
        conflicts
            .iter()
            .map(|c| c.title.as_str())
            .collect::<Vec<_>>(),
        ["Kept"]
    );
    let paths: Vec<&str> = problems
        .iter()
        .map(|p: &RecordError| p.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "conflicts/c-dddd44.md",
            "conflicts/c-bbbb22.md",
            "conflicts/old/c-aaaa11.md"
        ],
        "{problems:?}"
    );
    assert!(
        problems[1]
            .message
            .contains("belongs at conflicts/c-cccc33.md"),
        "{problems:?}"
    );
    assert!(
        problems[2].message.contains("a second record of c-aaaa11"),
        "{problems:?}"
    );
    // Read by its ID, a misnamed record is refused naming where it belongs.
    let e = super::read::<Conflict>(
        &r.store.snapshot().expect("snapshot"),
        &ConflictId::parse("c-bbbb22").unwrap(),
    )
    .expect_err("misnamed");
    assert!(
        matches!(&e, OpError::Record(p) if p.message.contains("does not match its file name")),
        "{e:?}"
    );
}

#[test]
fn risk_add_list_show_edit_close() {
    let r = repo();
    let store = &r.store;
    let low = risk::add(
        store,
        &actor("lead"),
        new_risk("Low", Level::Low, Level::Low),
    )
    .unwrap();
    let high = risk::add(
        store,
        &actor("lead"),
        new_risk("High", Level::High, Level::Medium),
    )
    .expect("add");
    assert_eq!(r.read::<Risk>(&high.id).score(), 6);
    // Ranked by impact × probability.
    let (risks, _) = risk::list(store, None).expect("list");
    assert_eq!(
        risks.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&high.id, &low.id]
    );
    assert_eq!(
        risk::show(store, &high.id.as_str()[..5])
            .expect("show")
            .title,
        "High"
    );

    // Its owner edits it; an edit that changes nothing commits nothing.
    let patch = RiskPatch {
        probability: Some(Level::High),
        ..RiskPatch::default()
    };
    let owner = Authority::unforced(&agent("state"));
    let (edited, changed) =
        risk::edit(store, &actor("state"), high.id.as_str(), &patch, &owner).expect("edit");
    assert!(changed);
    assert_eq!(edited.score(), 9);
    assert_eq!(r.read::<Risk>(&high.id).probability, Level::High);
    let before = r.tip();
    let (_, changed) =
        risk::edit(store, &actor("state"), high.id.as_str(), &patch, &owner).expect("edit");
    assert!(!changed);
    assert_eq!(r.tip(), before);

    // Someone else needs a coordinator's --force.
    let other = Authority::unforced(&agent("web"));
    let e = risk::edit(
        store,
        &actor("web"),
        high.id.as_str(),
        &RiskPatch {
            impact: Some(Level::Low),
            ..RiskPatch::default()
        },
        &other,
    )
    .expect_err("not the owner");
    assert!(matches!(e, OpError::Authority(_)), "{e:?}");
    assert_eq!(r.tip(), before);

    let closed = risk::close(
        store,
        &actor("web"),
        high.id.as_str(),
        Some("done"),
        &coordinator("web"),
    )
    .expect("forced close");
    assert_eq!(closed.status, RiskStatus::Closed);
    assert_eq!(
        r.read::<Risk>(&high.id).closed_reason.as_deref(),
        Some("done")
    );
    let (open, _) = risk::list(store, Some(RiskStatus::Open)).expect("list");
    assert_eq!(open.iter().map(|r| &r.id).collect::<Vec<_>>(), [&low.id]);
    let before = r.tip();
    let e =
        risk::close(store, &actor("state"), high.id.as_str(), None, &owner).expect_err("closed");
    assert!(
        matches!(
            e,
            OpError::AlreadyClosed {
                kind: "risk",
                state: "closed",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(r.tip(), before);
}

#[test]
fn milestone_add_list_show_and_gate() {
    let r = repo();
    let store = &r.store;
    let lead = actor("lead");
    let beta =
        milestone::add(store, &lead, new_milestone("Beta", "2026-11-21T12:00:00Z")).expect("add");
    let ga =
        milestone::add(store, &lead, new_milestone("GA", "2026-12-21T12:00:00Z")).expect("add");
    assert_eq!(r.read::<Milestone>(&beta.id).criteria, ["true"]);
    // A task joins by a prefix of the milestone's ID, stored as the full ID.
    let t = task::add(
        store,
        &lead,
        task::AddTask {
            task: NewTask {
                title: "Ship".into(),
                estimate_hours: Some(3.0),
                milestone: Some(beta.id.as_str()[..5].to_owned()),
                ..NewTask::default()
            },
            after: Vec::new(),
        },
    )
    .expect("task");
    assert_eq!(t.milestone.as_deref(), Some(beta.id.as_str()));

    // By due date; Beta is due in 2 h and projected in 3 h, so it is at risk.
    let listing = milestone::list(store, lead.now).expect("list");
    let ids: Vec<&MilestoneId> = listing.items.iter().map(|m| &m.milestone.id).collect();
    assert_eq!(ids, [&beta.id, &ga.id]);
    let h = &listing.items[0].health;
    assert_eq!((h.open_tasks, h.hours_remaining), (1, 3.0));
    assert_eq!(h.projected_finish, Some(at("2026-11-21T13:00:00Z")));
    assert!(h.at_risk && !h.late);
    assert!(!listing.items[1].health.at_risk);

    let shown = milestone::show(store, &beta.id.as_str()[..5], lead.now).expect("show");
    let (report, tasks) = shown.items;
    assert_eq!(report.milestone.id, beta.id);
    assert_eq!(tasks.iter().map(|t| &t.id).collect::<Vec<_>>(), [&t.id]);
    assert!(matches!(
        milestone::show(store, "m-zzzzzz", lead.now),
        Err(OpError::UnknownRecord {
            kind: "milestone",
            ..
        })
    ));

    // A gate records its decision and the open tasks on the milestone.
    let subject = gate::subject(store, beta.id.as_str()).expect("subject");
    assert_eq!(subject.open_tasks, std::slice::from_ref(&t.id));
    let results = gate::run_criteria(
        &subject.milestone.criteria,
        r._dir.path(),
        |_, _| {},
        |_| {},
    )
    .expect("criteria run");
    let recorded = gate::record(store, &lead, &beta.id, results).expect("record");
    let read = r.read::<Milestone>(&beta.id);
    assert_eq!(read.gates, std::slice::from_ref(&recorded.gate));
    assert_eq!(read.gates[0].open_tasks, [t.id]);
    assert!(matches!(
        gate::subject(store, "m-zzzzzz"),
        Err(OpError::UnknownRecord {
            kind: "milestone",
            ..
        })
    ));
}

#[test]
fn milestone_prefixes_name_candidates_with_titles_and_bad_input_writes_nothing() {
    let r = repo();
    let at9 = at("2026-11-21T09:00:00Z");
    for (id, title) in [("m-aaaa11", "Alpha"), ("m-aaaa22", "Beta")] {
        r.put(
            &Milestone::new(
                MilestoneId::parse(id).unwrap(),
                new_milestone(title, "2026-12-01T00:00:00Z"),
                at9,
            )
            .unwrap(),
        );
    }
    let snap = r.store.snapshot().expect("snapshot");
    match milestone::resolve(&snap, "aaaa") {
        Err(OpError::AmbiguousRecord { candidates, .. }) => {
            let titles: Vec<_> = candidates.0.iter().map(|c| c.title.as_deref()).collect();
            assert_eq!(titles, [Some("Alpha"), Some("Beta")]);
        }
        other => panic!("{other:?}"),
    }
    let before = r.tip();
    let e = milestone::add(
        &r.store,
        &actor("lead"),
        new_milestone(" ", "2026-12-01T00:00:00Z"),
    )
    .expect_err("no title");
    assert!(
        matches!(&e, OpError::Invalid(f) if f.field == "title"),
        "{e:?}"
    );
    assert_eq!(r.tip(), before);
}

/// Each kind lists its fields as its schema says, so a merge written against the schema
/// sees every field, and knows which are lists.
#[test]
fn record_fields_follow_each_kinds_schema() {
    use crate::model::record::kind::assert_fields_follow_schema;
    let mut c = conflict_with_id("c-aaaa11", "x");
    c.resolution = Some("r".into());
    assert_fields_follow_schema(&c);
    assert_fields_follow_schema(
        &Risk::new(
            crate::model::RiskId::parse("r-aaaa11").unwrap(),
            new_risk("x", Level::Low, Level::High),
            at("2026-11-21T09:00:00Z"),
        )
        .unwrap(),
    );
    assert_fields_follow_schema(
        &Milestone::new(
            MilestoneId::parse("m-aaaa11").unwrap(),
            new_milestone("x", "2026-12-01T00:00:00Z"),
            at("2026-11-21T09:00:00Z"),
        )
        .unwrap(),
    );
    let mut t = Task::new(
        crate::model::TaskId::parse("t-aaaa11").unwrap(),
        NewTask {
            title: "x".into(),
            owns: vec!["src/**".into()],
            ..NewTask::default()
        },
        at("2026-11-21T09:00:00Z"),
    )
    .unwrap();
    assert_fields_follow_schema(&t);
    assert!(t.validate().is_ok());
    t.depends_on = vec![t.id.clone()];
    assert_eq!(t.validate().unwrap_err().field, "depends_on");
    c.between = vec![agent("api"), agent("api")];
    assert_eq!(c.validate().unwrap_err().field, "between");
}
