/*!
The one error type at the command edge: a kind that decides the exit code (DESIGN.md §4), the
message, its causes, and hints that say what to do next.

Library errors become [`CommandError`]s through `From` impls, which is where each failure is
classified: bad input (2), a negative answer (1), lost to another agent (3), or a bug.
*/

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

use crate::model::task::Refusal;
use crate::model::{IdError, RecordError};
use crate::ops::{OpError, describe_refusal};
use crate::store;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A negative answer: not ready, a failed check, nothing to do.
    Negative,
    /// Bad usage or bad input: unknown ID, malformed record, not initialised.
    Usage,
    /// Lost to another agent: the task or files are held by someone else.
    Lost,
    /// A bug or an environment failure.
    Internal,
    /// stdout was closed (`git coord task list | head`): stop quietly.
    BrokenPipe,
}

impl ErrorKind {
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Negative => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Lost => 3,
            ErrorKind::Internal => 70,
            ErrorKind::BrokenPipe => 0,
        }
    }
}

/// Said with every exit 70, which DESIGN §4 leaves as "anything else: an internal error".
pub const INTERNAL_NOTE: &str = "exit 70 is an internal error: a bug in git-coord, or the machine failing it (disk full, permissions, a damaged repository). If it is not the machine, please report it as a bug with the command you ran, this output and `git coord --version`.";

/// `word` quoted for a POSIX shell when it needs it, so a hint can be pasted as is.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub causes: Vec<String>,
    pub hints: Vec<String>,
    /// Machine-readable details for `--json` callers (holder, candidates…).
    pub details: serde_json::Value,
}

pub type CommandResult<T = ()> = Result<T, CommandError>;

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
            details: serde_json::Value::Null,
        }
    }

    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError::new(ErrorKind::Usage, message)
    }

    pub fn negative(message: impl Into<String>) -> CommandError {
        CommandError::new(ErrorKind::Negative, message)
    }

    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError::new(ErrorKind::Internal, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hints.push(hint.into());
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> CommandError {
        self.details = details;
        self
    }

    fn with_causes(mut self, err: &dyn std::error::Error) -> CommandError {
        let mut source = err.source();
        while let Some(s) = source {
            let text = s.to_string();
            if !self.message.contains(&text) && !self.causes.contains(&text) {
                self.causes.push(text);
            }
            source = s.source();
        }
        self
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.exit_code())
    }

    /// The text printed on stderr: `error: …`, `caused by: …`, `hint: …`.
    pub fn render_text(&self) -> String {
        let mut s = format!("error: {}\n", self.message);
        for c in &self.causes {
            let _ = writeln!(s, "  caused by: {c}");
        }
        for h in &self.hints {
            let _ = writeln!(s, "hint: {h}");
        }
        if self.kind == ErrorKind::Internal {
            let _ = writeln!(s, "note: {INTERNAL_NOTE}");
        }
        s
    }

    /// The JSON object printed on stderr under `--json`.
    pub fn render_json(&self) -> serde_json::Value {
        json!({ "error": {
            "kind": self.kind,
            "exit_code": self.kind.exit_code(),
            "message": self.message,
            "causes": self.causes,
            "hints": self.hints,
            "details": self.details,
            "internal": (self.kind == ErrorKind::Internal).then_some(INTERNAL_NOTE),
        }})
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> CommandError {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::new(ErrorKind::BrokenPipe, "broken pipe");
        }
        CommandError::internal(format!("I/O error: {e}"))
    }
}

impl From<store::Error> for CommandError {
    fn from(e: store::Error) -> CommandError {
        use store::Error::*;
        let base = CommandError::new(ErrorKind::Internal, e.to_string());
        match &e {
            NotARepository { .. } => CommandError::usage(e.to_string())
                .hint("run git coord inside a git repository, or point at one with -C <path>"),
            NotInitialised { branch } => CommandError::usage(format!(
                "this repository has no coordination branch ({branch}) yet"
            ))
            .hint("run `git coord init` to create it"),
            BadBranch { .. } => CommandError::usage(e.to_string())
                .hint("set a plain branch name, e.g. `git config coord.branch coord`"),
            BadPath { .. } => CommandError::internal(e.to_string()),
            UnknownParent { .. } => CommandError::usage(e.to_string()).hint("fetch it first"),
            GitCommand { .. } => CommandError::usage(e.to_string()),
            NotUtf8 { .. } => CommandError::usage(e.to_string())
                .hint("records are UTF-8 text; `git coord doctor` lists every problem"),
            Contention { .. } => {
                base.hint("the branch is under very heavy write load; run the command again")
            }
            LockHeld { path, .. } => CommandError::usage(e.to_string())
                .hint(
                    "a git-coord or git process that was killed (or is stopped) left it; if none is writing to this repository now, remove it:",
                )
                .hint(format!("rm {}", shell_word(&path.display().to_string())))
                .hint(
                    "a lock older than coord.staleLock (10s unless set) is removed by the next write; `git coord doctor` reports stale locks",
                )
                .details(json!({ "lock": path })),
            BadDuration { key, .. } => CommandError::usage(e.to_string())
                .hint(format!("e.g. `git config {key} 10s`, or `git config --unset {key}` for the default")),
            Io { .. } => base.with_causes(&e),
            Git { .. } => base.with_causes(&e),
        }
    }
}

impl From<RecordError> for CommandError {
    fn from(e: RecordError) -> CommandError {
        CommandError::usage(format!("malformed record {e}"))
            .hint("fix the file by hand in a worktree of the coordination branch (`git worktree add ../coord-edit coord`), then `git coord doctor`")
            .details(json!({ "path": e.path, "line": e.line }))
    }
}

impl From<IdError> for CommandError {
    fn from(e: IdError) -> CommandError {
        let err = CommandError::usage(e.to_string());
        match &e {
            // As `milestone` commands said before milestones shared the one error.
            IdError::Record { noun, .. } | IdError::RecordPrefix { noun, .. }
                if *noun == "milestone" =>
            {
                err.hint(MILESTONE_LIST_HINT)
            }
            _ => err,
        }
    }
}

const MILESTONE_LIST_HINT: &str = "`git coord milestone list` lists every milestone";

/// The hint after an unknown task or milestone: the command that lists them all. Errors about
/// these two kinds name the candidates of an ambiguous prefix one per hint, with their
/// titles; the other kinds list the IDs in the message, and their commands add the hint
/// (`conflict`, `risk`), as each kind did before they shared one error.
fn list_hint(kind: &str) -> Option<&'static str> {
    match kind {
        "task" => Some("`git coord task list --all` lists every task"),
        "milestone" => Some(MILESTONE_LIST_HINT),
        _ => None,
    }
}

/// The command-line flag that sets a record field, for error messages.
fn flag_for(field: &str) -> String {
    match field {
        "depends_on" => "--after".to_owned(),
        "deliverables" => "--deliverable".to_owned(),
        // A message's `files` are given one `send --file` at a time.
        "files" => "--file".to_owned(),
        // Only `own <GLOB>…` validates patterns under this name; they are positional.
        "pattern" => "<GLOB>".to_owned(),
        "estimate_hours" => "--estimate".to_owned(),
        other => format!("--{other}"),
    }
}

/// An operation's error, for a command whose argument for the record field `field` is not
/// the flag [`flag_for`] would name (a positional `<NEEDS>`, `<TEXT>`…): the message names
/// `argument` as the user typed it.
pub fn name_argument(e: OpError, field: &str, argument: &str) -> CommandError {
    match e {
        OpError::Invalid(f) if f.field == field => {
            CommandError::usage(format!("{argument}: {}", f.message))
                .details(json!({ "field": f.field, "argument": argument }))
        }
        e => e.into(),
    }
}

impl From<OpError> for CommandError {
    fn from(e: OpError) -> CommandError {
        match e {
            OpError::Store(e) => e.into(),
            OpError::Record(e) => e.into(),
            OpError::Id(e) => e.into(),
            OpError::Invalid(f) => {
                CommandError::usage(format!("{}: {}", flag_for(f.field), f.message))
                    .details(json!({ "field": f.field }))
            }
            OpError::Collision { collisions } => {
                let Some(first) = collisions.first() else {
                    return CommandError::internal("a collision was reported without details");
                };
                // Patterns (stored ones may predate validation) and file names reach the
                // terminal: escape control and bidi characters.
                let shown = |s: &str| crate::model::text::escape_unsafe(s).into_owned();
                let examples = |c: &crate::ops::ownership::Collision| {
                    c.examples
                        .iter()
                        .map(|e| shown(e))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut err = CommandError::new(
                    ErrorKind::Lost,
                    format!(
                        "{} is held by {} ({}, since {}): e.g. {}",
                        shown(&first.pattern),
                        first.holder,
                        shown(&first.held_pattern),
                        first.since,
                        examples(first)
                    ),
                );
                for c in collisions.iter().skip(1) {
                    err = err.hint(format!(
                        "{} also overlaps {}'s {} (e.g. {})",
                        shown(&c.pattern),
                        c.holder,
                        shown(&c.held_pattern),
                        examples(c)
                    ));
                }
                err.hint(format!(
                    "ask {} (`git coord send {} --subject …`), claim something narrower, or take it anyway with --force (records a conflict)",
                    first.holder, first.holder
                ))
                .details(json!({ "collisions": collisions }))
            }
            OpError::Template { path, message } => {
                CommandError::usage(format!("cannot render the template {path}: {message}")).hint(
                    format!("fix {path}, or delete it to use the built-in template"),
                )
            }
            OpError::UnknownRecord { kind, given } => {
                let err = CommandError::usage(format!("no {kind} matches {given:?}"));
                match list_hint(kind) {
                    Some(hint) => err.hint(hint).details(json!({ "given": given })),
                    None => err.details(json!({ "given": given, "kind": kind })),
                }
            }
            OpError::AmbiguousRecord {
                kind,
                given,
                candidates,
            } => {
                let ids = candidates.ids();
                if list_hint(kind).is_none() {
                    return CommandError::usage(format!(
                        "{given:?} matches {} {kind}s: {}; type more of the ID",
                        candidates.len(),
                        ids.join(", ")
                    ))
                    .details(json!({ "given": given, "candidates": ids }));
                }
                let mut err = CommandError::usage(format!(
                    "{given:?} matches {} {kind}s; type more of the ID",
                    candidates.len()
                ));
                for c in &candidates.0 {
                    let title = c.title.as_deref().unwrap_or_default();
                    err = err.hint(format!("{}  {}", c.id, crate::ui::sanitize_line(title)));
                }
                err.details(json!({ "given": given, "candidates": ids }))
            }
            OpError::AlreadyClosed {
                id, state, by, at, ..
            } => {
                let mut message = format!("{id} is already {state}");
                if let Some(by) = &by {
                    message.push_str(&format!(" by {by}"));
                }
                if let Some(at) = at {
                    message.push_str(&format!(" at {at}"));
                }
                CommandError::usage(message).details(json!({ "id": id }))
            }
            OpError::Cycle { cycle } => {
                let ids: Vec<&str> = cycle.iter().map(|(id, _)| id.as_str()).collect();
                let mut err = CommandError::usage(format!(
                    "that dependency would close a cycle: {}",
                    ids.join(" → ")
                ));
                for (id, title) in cycle.iter().take(cycle.len().saturating_sub(1)) {
                    err = err.hint(format!("{id}  {}", crate::ui::sanitize_line(title)));
                }
                err.hint("nothing was changed; a task graph must have no cycles")
                    .details(json!({ "cycle": ids }))
            }
            OpError::NoAgentFits { id, expertise } => CommandError::negative(format!(
                "no fresh agent has the expertise {id} needs ({})",
                expertise.join(", ")
            ))
            .hint(
                "register one with `git coord agent add <id> --expertise …`, or assign it by name",
            )
            .details(json!({ "id": id, "expertise": expertise })),
            OpError::Authority(e) => authority_error(*e),
            OpError::Refused { id, title, refusal } => {
                let message = format!(
                    "{id} ({}): {}",
                    crate::ui::sanitize_line(&title),
                    describe_refusal(&refusal)
                );
                match refusal {
                    Refusal::HeldBy { agent, since, status } => {
                        CommandError::new(ErrorKind::Lost, message)
                            .hint(format!(
                                "ask {agent} to release it, or pick another task (`git coord task list --status todo`)"
                            ))
                            .hint(format!("a coordinator (`coordinators` in {}) can act on it anyway with --force (not for claim)", crate::ops::authority::CONFIG_PATH))
                            .details(json!({
                                "id": id, "holder": agent, "since": since, "status": status,
                            }))
                    }
                    Refusal::NotReady { waiting } => CommandError::negative(message)
                        .hint(format!(
                            "finish or cancel its dependencies first: git coord task show {}",
                            waiting.first().map(|w| w.as_str()).unwrap_or_default()
                        ))
                        .details(json!({ "id": id, "waiting": waiting })),
                    Refusal::NotAllowed { status, .. } => CommandError::negative(message)
                        .details(json!({ "id": id, "status": status })),
                    Refusal::Invalid(f) => CommandError::usage(format!(
                        "{}: {}",
                        flag_for(f.field),
                        f.message
                    ))
                    .details(json!({ "id": id })),
                }
            }
        }
    }
}

/// A refusal by the authority model (exit 3), or a policy file that cannot be read (exit 2).
fn authority_error(e: crate::ops::authority::AuthorityError) -> CommandError {
    use crate::ops::authority::{AuthorityError, CONFIG_PATH};
    let message = crate::ui::sanitize_line(&e.to_string()).into_owned();
    match e {
        AuthorityError::NotYours { held, agent } => {
            let owners = held.owner_names();
            CommandError::new(ErrorKind::Lost, message)
                .hint(format!(
                    "only {owners} may change it; ask (`git coord send {} --subject …`)",
                    held.owners.first().map(|a| a.as_str()).unwrap_or_default()
                ))
                .hint(format!(
                    "a coordinator (`coordinators` in {CONFIG_PATH} on the main branch) can change it anyway with --force"
                ))
                .details(json!({
                    "record": held.record, "holders": held.owners, "since": held.since,
                    "agent": agent,
                }))
        }
        AuthorityError::NotCoordinator {
            held,
            agent,
            coordinators,
        } => {
            let list = coordinators
                .iter()
                .map(|c| format!("{:?}", c.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            let who = if coordinators.is_empty() {
                "nobody is on it".to_owned()
            } else {
                format!("ask one of them ({}) to do it", held_names(&coordinators))
            };
            CommandError::new(ErrorKind::Lost, message)
                .hint(format!(
                    "--force is honoured only for the agents in `coordinators = [{list}]` in {CONFIG_PATH} on the main branch; {who}"
                ))
                .hint(format!(
                    "or ask {} (`git coord send {} --subject …`); nothing was changed",
                    held.owner_names(),
                    held.owners.first().map(|a| a.as_str()).unwrap_or_default()
                ))
                .details(json!({
                    "record": held.record, "holders": held.owners, "since": held.since,
                    "agent": agent, "coordinators": coordinators,
                }))
        }
        AuthorityError::BadConfig(e) => CommandError::usage(message)
            .hint(format!(
                "fix {CONFIG_PATH} on the main branch: `coordinators = [\"lead\"]` lists the agents whose --force counts"
            ))
            .details(json!({ "path": e.path, "line": e.line })),
        AuthorityError::Store(e) => e.into(),
    }
}

fn held_names(agents: &[crate::model::AgentId]) -> String {
    agents
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
