/*!
The state machine of a task: claims and transitions ([`Task::apply`]) as a pure function, and
the refusals it answers with. The store calls it on the current tip inside a compare-and-swap,
so a decision is always made on the state it commits onto.
*/

use super::{InvalidField, Status, Task, invalid};
use crate::model::id::{AgentId, TaskId};
use crate::model::time::Timestamp;

impl Task {
    /// Applies `action` as `agent`; `deps_done` says whether every dependency is done
    /// (the caller reads them from the same tip).
    pub fn apply(
        &mut self,
        action: &Action,
        agent: &AgentId,
        now: Timestamp,
        deps: &DepState,
    ) -> Result<Applied, Refusal> {
        let holder = self.assignee.clone().filter(|a| a != agent);
        let mine = self.assignee.as_ref() == Some(agent);
        let held_by_other = |task: &Task| Refusal::HeldBy {
            agent: holder.clone().unwrap_or_else(|| agent.clone()),
            since: task.claimed,
            status: task.status,
        };
        let not_allowed = |task: &Task, why: &str| Refusal::NotAllowed {
            status: task.status,
            action: action.name(),
            why: why.to_owned(),
        };
        let force = action.force();
        if holder.is_some() && !self.status.is_closed() && !force {
            return Err(held_by_other(self));
        }
        let before = (
            self.status,
            self.assignee.clone(),
            self.blocked_reason.clone(),
        );
        match action {
            Action::Claim => {
                if mine && !self.status.is_closed() && self.status != Status::Todo {
                    return Ok(Applied::Unchanged);
                }
                self.take(agent, now, deps, action)?;
            }
            Action::Start { .. } => {
                match self.status {
                    Status::Done | Status::Cancelled => {
                        return Err(not_allowed(self, "it is closed"));
                    }
                    Status::InProgress if mine => return Ok(Applied::Unchanged),
                    _ => {}
                }
                if self.assignee.is_none() || holder.is_some() {
                    if self.status == Status::Todo {
                        self.take(agent, now, deps, action)?;
                    } else {
                        self.assignee = Some(agent.clone());
                        self.claimed = Some(now);
                    }
                }
                self.status = Status::InProgress;
                self.blocked_reason = None;
            }
            Action::Release { .. } => {
                if self.status.is_closed() {
                    return Err(not_allowed(self, "it is closed"));
                }
                if self.assignee.is_none() {
                    return Ok(Applied::Unchanged);
                }
                self.assignee = None;
                self.claimed = None;
                if self.status != Status::Blocked {
                    self.status = Status::Todo;
                }
            }
            Action::Review { .. } => match self.status {
                Status::Review => return Ok(Applied::Unchanged),
                Status::InProgress => {
                    if holder.is_some() {
                        self.assignee = Some(agent.clone());
                    }
                    self.status = Status::Review;
                }
                _ => {
                    return Err(not_allowed(
                        self,
                        "only a task in progress can go to review",
                    ));
                }
            },
            Action::Block { reason, .. } => {
                // The reason is what others read to unblock it: every face must give one.
                if reason.trim().is_empty() {
                    return Err(Refusal::Invalid(invalid(
                        "reason",
                        "say what the task waits for",
                    )));
                }
                if self.status.is_closed() {
                    return Err(not_allowed(self, "it is closed"));
                }
                self.status = Status::Blocked;
                self.blocked_reason = Some(reason.trim().to_owned());
            }
            Action::Unblock { .. } => {
                if self.status != Status::Blocked {
                    return Ok(Applied::Unchanged);
                }
                self.status = if self.assignee.is_some() {
                    Status::InProgress
                } else {
                    Status::Todo
                };
                self.blocked_reason = None;
            }
            Action::Cancel { .. } => match self.status {
                Status::Cancelled => return Ok(Applied::Unchanged),
                Status::Done => return Err(not_allowed(self, "it is already done")),
                _ => {
                    self.status = Status::Cancelled;
                    self.blocked_reason = None;
                    self.completed = Some(now);
                }
            },
            Action::Done { .. } => match self.status {
                Status::Done => return Ok(Applied::Unchanged),
                Status::Cancelled => return Err(not_allowed(self, "it was cancelled")),
                _ => {
                    if self.assignee.is_none() || holder.is_some() {
                        self.assignee = Some(agent.clone());
                    }
                    self.status = Status::Done;
                    self.blocked_reason = None;
                    self.completed = Some(now);
                }
            },
        }
        let after = (
            self.status,
            self.assignee.clone(),
            self.blocked_reason.clone(),
        );
        if before == after {
            return Ok(Applied::Unchanged);
        }
        self.updated = now;
        Ok(Applied::Changed)
    }

    /// Makes `agent` the assignee of a ready `todo` task and starts it.
    fn take(
        &mut self,
        agent: &AgentId,
        now: Timestamp,
        deps: &DepState,
        action: &Action,
    ) -> Result<(), Refusal> {
        if self.status != Status::Todo {
            return Err(Refusal::NotAllowed {
                status: self.status,
                action: action.name(),
                why: match self.status {
                    Status::Blocked => "it is blocked; unblock it first".to_owned(),
                    Status::Done | Status::Cancelled => "it is closed".to_owned(),
                    _ => "only a todo task can be claimed".to_owned(),
                },
            });
        }
        if !deps.waiting.is_empty() {
            return Err(Refusal::NotReady {
                waiting: deps.waiting.clone(),
            });
        }
        self.assignee = Some(agent.clone());
        self.claimed = Some(now);
        self.status = Status::InProgress;
        Ok(())
    }
}

/// The state of a task's dependencies, read from the same tip as the task.
#[derive(Clone, Debug, Default)]
pub struct DepState {
    /// Dependencies that are not done (or cancelled) yet, or that do not exist.
    pub waiting: Vec<TaskId>,
}

/// A change of state requested by an agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Claim,
    Start { force: bool },
    Release { force: bool },
    Review { force: bool },
    Block { reason: String, force: bool },
    Unblock { force: bool },
    Cancel { force: bool },
    Done { force: bool },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Claim => "claim",
            Action::Start { .. } => "start",
            Action::Release { .. } => "release",
            Action::Review { .. } => "review",
            Action::Block { .. } => "block",
            Action::Unblock { .. } => "unblock",
            Action::Cancel { .. } => "cancel",
            Action::Done { .. } => "done",
        }
    }

    /// Whether `--force` was asked for; whether it is honoured is `ops::authority`'s call.
    pub fn force(&self) -> bool {
        match self {
            Action::Claim => false,
            Action::Start { force }
            | Action::Release { force }
            | Action::Review { force }
            | Action::Block { force, .. }
            | Action::Unblock { force }
            | Action::Cancel { force }
            | Action::Done { force } => *force,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Changed,
    /// The task was already in the requested state; nothing is written.
    Unchanged,
}

/// Why an action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Another agent holds the task.
    HeldBy {
        agent: AgentId,
        since: Option<Timestamp>,
        status: Status,
    },
    /// The task waits for dependencies that are not done.
    NotReady { waiting: Vec<TaskId> },
    /// The task's status does not allow the action.
    NotAllowed {
        status: Status,
        action: &'static str,
        why: String,
    },
    /// The action itself is malformed (a block without a reason).
    Invalid(InvalidField),
}
