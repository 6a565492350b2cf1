/*!
Milestone operations: add, list and show, and each milestone's health.

A milestone's tasks are the tasks whose `milestone` field is its full ID. Its health comes from
the schedule of *all* open work (a milestone task may wait for tasks outside the milestone):
the milestone is projected to finish when the last of its open tasks can finish at the
earliest, and it is at risk when that is after its due date.
*/

use serde::Serialize;

use super::plan::{self, WorkPlan};
use super::record_dir::RecordKind;
use super::{Actor, OpError, commit_message, touch_agent};
use crate::model::layout::{self, MILESTONES_DIR};
use crate::model::milestone::{
    MILESTONE_ID_LEN, Milestone, MilestoneId, MilestonePrefix, NewMilestone,
};
use crate::model::task::InvalidField;
use crate::model::{RecordError, Status, TaskId, Timestamp};
use crate::store::{self, Edit, Plan, Snapshot, Store};

#[derive(Debug, thiserror::Error)]
pub enum MilestoneError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error(transparent)]
    Id(#[from] crate::model::IdError),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error("no milestone matches {given:?}")]
    Unknown { given: String },
    #[error("{given:?} is ambiguous: it matches {}", .candidates.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        given: String,
        /// Matching IDs with their titles.
        candidates: Vec<(MilestoneId, String)>,
    },
}

impl From<store::Error> for MilestoneError {
    fn from(e: store::Error) -> MilestoneError {
        MilestoneError::Op(e.into())
    }
}

impl From<RecordError> for MilestoneError {
    fn from(e: RecordError) -> MilestoneError {
        MilestoneError::Op(e.into())
    }
}

/// Adds a milestone with a fresh ID that is unique on the branch, in one commit.
pub fn add(store: &Store, actor: &Actor, new: NewMilestone) -> Result<Milestone, MilestoneError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    Milestone::new(
        MilestoneId::random(MILESTONE_ID_LEN),
        new.clone(),
        actor.now,
    )?;
    let committed = store.update(&actor.author(), |snap| {
        let mut len = MILESTONE_ID_LEN;
        let id = loop {
            let id = MilestoneId::random(len);
            if !snap.exists(&layout::milestone_path(&id))? {
                break id;
            }
            len += 1;
        };
        let milestone = Milestone::new(id, new.clone(), actor.now)?;
        let message = commit_message(
            "add",
            milestone.id.as_str(),
            Some(&milestone.title),
            actor,
            &[],
        );
        let mut edits = vec![Edit::write(
            layout::milestone_path(&milestone.id),
            milestone.to_text(),
        )];
        edits.extend(touch_agent(snap, actor)?);
        Ok::<_, MilestoneError>(Plan::Commit {
            message,
            edits,
            value: milestone,
        })
    })?;
    Ok(committed.value)
}

fn id_of(m: &Milestone) -> &MilestoneId {
    &m.id
}

/// Where milestones live and how they are read.
pub const MILESTONES: RecordKind<MilestoneId, Milestone> = RecordKind {
    noun: "milestone",
    dir: MILESTONES_DIR,
    path: layout::milestone_path,
    id_from_path: MilestoneId::from_path,
    parse: Milestone::parse,
    id_of,
};

/// Parses a milestone file and checks that its `id` matches its file name.
pub fn parse_milestone_at(path: &str, text: &str) -> Result<Milestone, RecordError> {
    MILESTONES.parse_at(path, text)
}

/// Every milestone on the snapshot, ordered by due date then ID, with a [`RecordError`] for
/// each file that could not be read.
pub fn load_milestones(snap: &Snapshot<'_>) -> Result<(Vec<Milestone>, Vec<RecordError>), OpError> {
    let (mut milestones, problems) = MILESTONES.load(snap)?;
    milestones.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    Ok((milestones, problems))
}

/// Resolves a full ID or unique prefix (`m-4kz`, `4kz`) to a milestone ID on this snapshot;
/// an ambiguous prefix lists the candidates with their titles.
pub fn resolve(snap: &Snapshot<'_>, given: &str) -> Result<MilestoneId, MilestoneError> {
    let prefix = MilestonePrefix::parse(given)?;
    match MILESTONES.resolve(snap, given, prefix.as_full_id(), |id| prefix.matches(id)) {
        Ok(id) => Ok(id),
        Err(OpError::UnknownRecord { .. }) => Err(MilestoneError::Unknown {
            given: given.to_owned(),
        }),
        Err(OpError::AmbiguousRecord { candidates, .. }) => {
            let candidates = candidates
                .iter()
                .filter_map(|c| MilestoneId::parse(c).ok())
                .map(|id| {
                    let title = read(snap, &id)
                        .ok()
                        .flatten()
                        .map(|m| m.title)
                        .unwrap_or_default();
                    (id, title)
                })
                .collect();
            Err(MilestoneError::Ambiguous {
                given: given.to_owned(),
                candidates,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads and parses one milestone by its full ID; `None` when there is no such record.
pub fn read(snap: &Snapshot<'_>, id: &MilestoneId) -> Result<Option<Milestone>, OpError> {
    MILESTONES.read(snap, id)
}

pub use crate::report::milestone::{Health, after_hours, belongs};

/// The health of `milestone` in `plan`, at `now`.
pub fn health(milestone: &Milestone, plan: &WorkPlan, now: Timestamp) -> Health {
    crate::report::milestone::health(
        milestone,
        &plan.tasks,
        &plan.schedule,
        plan.default_hours,
        now,
    )
}

/// A milestone with its health.
#[derive(Debug)]
pub struct MilestoneReport {
    pub milestone: Milestone,
    pub health: Health,
}

/// One task of a milestone, placed in the schedule.
#[derive(Clone, Debug, Serialize)]
pub struct MilestoneTask {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
    /// Remaining hours (0 for closed tasks).
    pub hours: f64,
    /// When it can finish at the earliest; `None` for closed or unscheduled tasks.
    pub earliest_finish: Option<Timestamp>,
    /// On the critical path of all remaining work.
    pub critical: bool,
}

/// What `milestone list` and `milestone show` read: the milestones, and what went wrong on
/// the way (records skipped, a malformed `coord.defaultEstimate`).
#[derive(Debug)]
pub struct Listing<T> {
    pub items: T,
    pub problems: Vec<RecordError>,
    pub config_warning: Option<String>,
}

/// Every milestone with its health at `now`, by due date.
pub fn list(
    store: &Store,
    now: Timestamp,
) -> Result<Listing<Vec<MilestoneReport>>, MilestoneError> {
    let snap = store.snapshot()?;
    let plan = plan::load_at(store, &snap)?;
    let (milestones, mut problems) = load_milestones(&snap)?;
    let items = milestones
        .into_iter()
        .map(|milestone| MilestoneReport {
            health: health(&milestone, &plan, now),
            milestone,
        })
        .collect();
    problems.extend(plan.problems);
    Ok(Listing {
        items,
        problems,
        config_warning: plan.config_warning,
    })
}

/// One milestone (full ID or unique prefix) with its health and its tasks: open ones first
/// by earliest finish, then closed ones, each by ID.
pub fn show(
    store: &Store,
    given: &str,
    now: Timestamp,
) -> Result<Listing<(MilestoneReport, Vec<MilestoneTask>)>, MilestoneError> {
    let snap = store.snapshot()?;
    let id = resolve(&snap, given)?;
    let milestone = read(&snap, &id)?.ok_or_else(|| MilestoneError::Unknown {
        given: given.to_owned(),
    })?;
    let plan = plan::load_at(store, &snap)?;
    let health = health(&milestone, &plan, now);
    let mut tasks: Vec<MilestoneTask> = plan
        .tasks
        .iter()
        .filter(|t| belongs(t, &id))
        .map(|t| {
            let timing = plan.schedule.timing.get(&t.id);
            MilestoneTask {
                id: t.id.clone(),
                title: t.title.clone(),
                status: t.status,
                hours: if t.status.is_closed() {
                    0.0
                } else {
                    t.hours(plan.default_hours)
                },
                earliest_finish: timing.and_then(|x| after_hours(now, x.earliest_finish)),
                critical: plan.schedule.critical_path.contains(&t.id),
            }
        })
        .collect();
    tasks.sort_by(|a, b| {
        (
            a.status.is_closed(),
            a.earliest_finish.is_none(),
            a.earliest_finish,
            &a.id,
        )
            .cmp(&(
                b.status.is_closed(),
                b.earliest_finish.is_none(),
                b.earliest_finish,
                &b.id,
            ))
    });
    Ok(Listing {
        items: (MilestoneReport { milestone, health }, tasks),
        problems: plan.problems,
        config_warning: plan.config_warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::milestone::MilestoneStatus;
    use crate::model::{NewTask, Task};

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn now() -> Timestamp {
        at("2026-11-21T10:00:00Z")
    }

    fn task(id: &str, hours: f64, deps: &[&str], milestone: Option<&str>) -> Task {
        let mut t = Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: id.into(),
                estimate_hours: Some(hours),
                milestone: milestone.map(str::to_owned),
                ..NewTask::default()
            },
            now(),
        )
        .unwrap();
        t.depends_on = deps.iter().map(|d| TaskId::parse(d).unwrap()).collect();
        t
    }

    fn milestone(id: &str, due: &str) -> Milestone {
        Milestone::new(
            MilestoneId::parse(id).unwrap(),
            NewMilestone {
                title: id.into(),
                due: at(due),
                criteria: Vec::new(),
                body: String::new(),
            },
            now(),
        )
        .unwrap()
    }

    /// `a`(4h) → `b`(2h, in m-aaaaaa) and `c`(1h, in m-bbbbbb); `b` waits on work outside
    /// its milestone, so its milestone finishes 6 h from now.
    fn plan() -> WorkPlan {
        let mut done = task("t-dddddd", 3.0, &[], Some("m-aaaaaa"));
        done.status = Status::Done;
        let mut cancelled = task("t-eeeeee", 3.0, &[], Some("m-aaaaaa"));
        cancelled.status = Status::Cancelled;
        WorkPlan::new(
            vec![
                task("t-aaaaaa", 4.0, &[], None),
                task("t-bbbbbb", 2.0, &["t-aaaaaa"], Some("m-aaaaaa")),
                task("t-cccccc", 1.0, &[], Some("m-bbbbbb")),
                done,
                cancelled,
            ],
            1.0,
        )
    }

    #[test]
    fn at_risk_when_the_critical_path_overruns_the_due_date() {
        let plan = plan();
        // Due in 5 h, projected in 6 h (4 h of a dependency outside the milestone, then 2 h).
        let h = health(&milestone("m-aaaaaa", "2026-11-21T15:00:00Z"), &plan, now());
        assert_eq!((h.open_tasks, h.done_tasks, h.cancelled_tasks), (1, 1, 1));
        assert_eq!(h.hours_remaining, 2.0);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T16:00:00Z")));
        assert!(h.at_risk && !h.late);

        // Exactly on time is not at risk; slack is not either.
        let h = health(&milestone("m-aaaaaa", "2026-11-21T16:00:00Z"), &plan, now());
        assert!(!h.at_risk);
        let h = health(&milestone("m-bbbbbb", "2026-11-21T12:00:00Z"), &plan, now());
        assert_eq!(h.projected_finish, Some(at("2026-11-21T11:00:00Z")));
        assert!(!h.at_risk && !h.late);
    }

    #[test]
    fn late_when_due_has_passed_with_open_tasks() {
        let plan = plan();
        let h = health(&milestone("m-bbbbbb", "2026-11-20T12:00:00Z"), &plan, now());
        assert!(h.late && h.at_risk);
        // A milestone with nothing open, or marked done, is neither.
        let h = health(&milestone("m-cccccc", "2026-11-20T12:00:00Z"), &plan, now());
        assert_eq!(h.open_tasks, 0);
        assert_eq!(h.projected_finish, None);
        assert!(!h.late && !h.at_risk);
        let mut done = milestone("m-bbbbbb", "2026-11-20T12:00:00Z");
        done.status = MilestoneStatus::Done;
        let h = health(&done, &plan, now());
        assert!(!h.late && !h.at_risk);
    }

    #[test]
    fn a_cycle_puts_a_milestone_at_risk() {
        let plan = WorkPlan::new(
            vec![
                task("t-aaaaaa", 1.0, &["t-bbbbbb"], Some("m-aaaaaa")),
                task("t-bbbbbb", 1.0, &["t-aaaaaa"], None),
                task("t-cccccc", 1.0, &[], Some("m-aaaaaa")),
            ],
            1.0,
        );
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.unscheduled, vec![TaskId::parse("t-aaaaaa").unwrap()]);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T11:00:00Z")));
        assert!(h.at_risk);
    }

    #[test]
    fn default_estimate_and_absurd_estimates() {
        let mut t = task("t-aaaaaa", 0.0, &[], Some("m-aaaaaa"));
        t.estimate_hours = None;
        let plan = WorkPlan::new(vec![t.clone()], 2.5);
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.hours_remaining, 2.5);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T12:30:00Z")));

        t.estimate_hours = Some(1e300);
        let plan = WorkPlan::new(vec![t], 1.0);
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.projected_finish, None);
        assert!(h.at_risk);
    }
}
