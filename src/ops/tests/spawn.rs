//! `ops::spawn`: an agent's registry entry, branch, worktree, claims and brief, in one step;
//! or, refused, none of them.

use crate::model::Status;
use crate::ops::OpError;
use crate::ops::authority::Authority;
use crate::ops::spawn::{BRIEF_FILE, SpawnSpec, plan, spawn};
use crate::ops::testing::{Repo, actor, agent};
use crate::store::Store;

fn spec(repo: &Repo, worktree: &std::path::Path, tasks: Vec<String>) -> SpawnSpec {
    SpawnSpec {
        id: agent("bob"),
        role: Some("storage".to_owned()),
        expertise: vec!["sql".to_owned()],
        owns: vec!["src/db/**".to_owned()],
        tasks,
        // HEAD is unborn in a fresh repository: start from the coordination branch.
        base: repo.store.branch().to_owned(),
        path: Some(worktree.to_path_buf()),
        branch: None,
    }
}

#[test]
fn the_plan_names_a_branch_and_a_worktree_beside_the_repository() {
    let repo = Repo::init();
    let mut s = spec(&repo, repo.path(), Vec::new());
    s.path = None;
    let p = plan(&repo.store, &s).unwrap();
    assert_eq!(p.branch, "agent/bob");
    let name = repo.path().file_name().unwrap().to_string_lossy();
    assert_eq!(
        p.worktree,
        repo.path().with_file_name(format!("{name}-bob"))
    );
    assert_eq!(p.brief, p.worktree.join(BRIEF_FILE));
    s.owns = vec!["../outside".to_owned()];
    assert!(matches!(plan(&repo.store, &s), Err(OpError::Invalid(_))));
}

#[test]
fn spawn_registers_claims_and_creates_the_worktree_with_its_brief() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Migrations", &[]);
    let place = tempfile::tempdir().unwrap();
    let worktree = place.path().join("bob");
    let authority = Authority::unforced(&lead.agent);
    let done = spawn(
        &repo.store,
        &lead,
        &spec(&repo, &worktree, vec![t.id.to_string()]),
        &authority,
    )
    .unwrap();
    assert_eq!(done.worktree, worktree);

    let bob = crate::ops::agent::read(&repo.snapshot(), &agent("bob"))
        .unwrap()
        .expect("registered");
    assert_eq!(bob.role.as_deref(), Some("storage"));
    assert_eq!(bob.branch.as_deref(), Some("refs/heads/agent/bob"));
    let claims: Vec<&str> = bob.claims.iter().map(|c| c.pattern.as_str()).collect();
    assert_eq!(claims, vec!["src/db/**"]);
    let task = repo.task(&t.id);
    assert_eq!(task.assignee, Some(agent("bob")));
    assert_eq!(task.status, Status::InProgress);
    assert!(repo.last_message().contains("Coord-Via: spawn\n"));

    let brief = std::fs::read_to_string(worktree.join(BRIEF_FILE)).unwrap();
    assert!(brief.contains("Migrations"), "{brief}");
    let in_worktree = Store::discover(&worktree).unwrap();
    assert_eq!(
        in_worktree.config_string("coord.agent").as_deref(),
        Some("bob")
    );
    let exclude = std::fs::read_to_string(repo.path().join(".git/info/exclude")).unwrap();
    assert!(
        exclude.lines().any(|l| l == format!("/{BRIEF_FILE}")),
        "{exclude}"
    );
}

#[test]
fn a_refused_spawn_leaves_no_agent_no_branch_and_no_worktree() {
    let repo = Repo::init();
    let lead = actor("lead");
    let t = repo.add(&lead, "Held", &[]);
    crate::ops::task::transition(
        &repo.store,
        &actor("alice"),
        t.id.as_str(),
        &crate::model::Action::Claim,
        &[],
    )
    .unwrap();
    let place = tempfile::tempdir().unwrap();
    let worktree = place.path().join("bob");
    let tip = repo.tip();
    let authority = Authority::unforced(&lead.agent);

    // The task is alice's: bob cannot claim it, so nothing happens at all.
    let err = spawn(
        &repo.store,
        &lead,
        &spec(&repo, &worktree, vec![t.id.to_string()]),
        &authority,
    )
    .unwrap_err();
    assert!(matches!(err, OpError::Refused { .. }), "{err}");
    // HEAD names no commit yet.
    let mut from_head = spec(&repo, &worktree, Vec::new());
    from_head.base = "HEAD".to_owned();
    let err = spawn(&repo.store, &lead, &from_head, &authority).unwrap_err();
    assert!(
        matches!(&err, OpError::Invalid(f) if f.field == "base"),
        "{err}"
    );

    assert_eq!(repo.tip(), tip);
    assert!(
        crate::ops::agent::read(&repo.snapshot(), &agent("bob"))
            .unwrap()
            .is_none()
    );
    assert!(!worktree.exists());
    assert!(!repo.store.rev_exists("refs/heads/agent/bob"));
}
