//! `ops::doctor`: what a clean branch looks like, and the problems hand edits leave.

use crate::ops::doctor::{Severity, run};
use crate::ops::testing::{Repo, actor};
use crate::store::Edit;

#[test]
fn a_branch_made_by_commands_is_clean() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add(&lead, "A", &[]);
    repo.add(&lead, "B", &[&a.id]);
    let report = run(&repo.store).unwrap();
    assert!(report.ok);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!((report.tasks, report.agents), (2, 1));
    assert_eq!(report.commit, repo.tip());
}

#[test]
fn hand_edits_are_named_by_path() {
    let repo = Repo::init();
    let lead = actor("lead");
    let a = repo.add(&lead, "A", &[]);
    let mut task = repo.task(&a.id);
    task.depends_on = vec![crate::model::TaskId::parse("t-zzzzzz").unwrap()];
    task.assignee = Some(crate::ops::testing::agent("ghost"));
    let path = crate::model::layout::task_path(&a.id);
    repo.hand_edit(&[
        Edit::write(path.clone(), task.to_text()),
        Edit::write("junk/x.md", "stray\n"),
        Edit::write("scratchpads/Not An Agent.md", "x\n"),
    ]);
    let report = run(&repo.store).unwrap();
    assert!(!report.ok);
    let found: Vec<(Severity, &str)> = report
        .problems
        .iter()
        .map(|p| (p.severity, p.path.as_str()))
        .collect();
    for expected in [
        (Severity::Error, path.as_str()),
        (Severity::Warning, path.as_str()),
        (Severity::Error, "junk/x.md"),
        (Severity::Error, "scratchpads/Not An Agent.md"),
    ] {
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    let messages: Vec<&str> = report.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("depends on t-zzzzzz, which does not exist")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("is assigned to ghost, who is not in the registry")),
        "{messages:?}"
    );
}

#[test]
fn an_agent_registered_by_someone_else_that_never_acted_is_a_warning() {
    let repo = Repo::init();
    crate::ops::agent::add(
        &repo.store,
        &actor("lead"),
        &crate::ops::testing::agent("typo"),
        &Default::default(),
    )
    .unwrap();
    let report = run(&repo.store).unwrap();
    assert!(report.ok, "a warning only");
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].severity, Severity::Warning);
    assert_eq!(report.problems[0].path, "agents/typo.toml");
}
