/*!
The MCP tools: each one's JSON Schema, and the call that runs it on the library (the same
[`ops`](crate::ops) function and view type as the command of the same name, so a tool returns
what `git coord <command> --json` prints). Arguments are checked against the schema's shape by
serde (unknown fields refused); every failure is a [`CommandError`] with the CLI's kind.

Nothing runs a command stored on the branch unless the call asks: `done` runs the task's check
only with `run_check: true` (DESIGN §6, §11).
*/

use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{CommandError, CommandResult};
use crate::model::claim::Mode;
use crate::model::message::{Kind, Recipient};
use crate::model::scratchpad::Section;
use crate::model::task::{Status, validate_priority};
use crate::model::time::{parse_estimate, parse_wall_duration};
use crate::model::{Action, AgentId, NewTask, Timestamp};
use crate::ops::authority::Authority;
use crate::ops::memory::{self, Outgoing};
use crate::ops::ownership::{self, OwnRequest};
use crate::ops::schedule::{self, Next, ReadyOptions};
use crate::ops::task::{self, AddTask, Filter};
use crate::ops::wait::{self, Condition};
use crate::ops::{Actor, OpError, brief, check};
use crate::session::Session;
use crate::view::task::TaskJson;

/// How long `wait` waits when the call gives no timeout.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(300);

struct Tool {
    name: &'static str,
    description: &'static str,
    properties: fn() -> Value,
    required: &'static [&'static str],
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn strings(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

fn boolean(description: &str) -> Value {
    json!({ "type": "boolean", "description": description })
}

fn force() -> Value {
    boolean("Act on a task another agent holds (coordinators only)")
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "ready",
        description: "Tasks that can be started now, best first. By default as I see them: tasks assigned to me and not started, then unassigned ready tasks fitting my expertise (`shared: true` lists the whole pool). Same JSON as `git coord ready --json`.",
        properties: || {
            json!({
                "expertise": strings("Only tasks an agent with this expertise can take"),
                "limit": { "type": "integer", "minimum": 1, "description": "At most this many tasks" },
                "shared": boolean("List every ready task, not only those for me"),
            })
        },
        required: &[],
    },
    Tool {
        name: "next",
        description: "Claim my best ready task atomically (assigned work first, then what fits my expertise); its `owns` paths are held with it. A tool error of kind `negative` (exit 1) when nothing is ready for me.",
        properties: || json!({}),
        required: &[],
    },
    Tool {
        name: "claim",
        description: "Claim a ready task (ID or unique prefix). Kind `lost` (exit 3) names the holder when another agent has it; `negative` (exit 1) when it is not ready.",
        properties: || json!({ "id": string("Task ID or unique prefix") }),
        required: &["id"],
    },
    Tool {
        name: "release",
        description: "Give a task I hold back to the pool.",
        properties: || json!({ "id": string("Task ID or unique prefix"), "force": force() }),
        required: &["id"],
    },
    Tool {
        name: "block",
        description: "Mark a task I hold as blocked, with the reason.",
        properties: || {
            json!({
                "id": string("Task ID or unique prefix"),
                "reason": string("What it waits for"),
                "force": force(),
            })
        },
        required: &["id", "reason"],
    },
    Tool {
        name: "done",
        description: "Close a task I hold and list what it unblocked. The task's `check` command runs only with `run_check: true` (its output is returned in `check_run`); otherwise it is recorded as skipped.",
        properties: || {
            json!({
                "id": string("Task ID or unique prefix"),
                "run_check": boolean("Run the task's check in this worktree first; a failing check leaves the task unchanged"),
                "force": force(),
            })
        },
        required: &["id"],
    },
    Tool {
        name: "task_add",
        description: "Add a task. Same JSON as `git coord task add --json`.",
        properties: || {
            json!({
                "title": string("A one-line title"),
                "after": strings("Tasks that must be done first (IDs or prefixes)"),
                "priority": { "type": "integer", "minimum": 0, "maximum": 3, "description": "0 (highest) to 3" },
                "expertise": strings("Expertise the task needs"),
                "estimate": string("Estimate, such as 90m, 6h or 2d"),
                "milestone": string("Milestone ID"),
                "owns": strings("Globs of the files the task will touch"),
                "deliverables": strings("Files the task delivers"),
                "check": string("A shell command that validates the work (run by `done` when asked)"),
                "due": string("Deadline: YYYY-MM-DD or RFC 3339"),
                "body": string("Description (markdown)"),
            })
        },
        required: &["title"],
    },
    Tool {
        name: "task_show",
        description: "One task by ID or unique prefix. Same JSON as `git coord task show --json`.",
        properties: || json!({ "id": string("Task ID or unique prefix") }),
        required: &["id"],
    },
    Tool {
        name: "task_list",
        description: "Tasks, by priority then age: open ones unless `all` or `status` says otherwise. Same JSON as `git coord task list --json`.",
        properties: || {
            json!({
                "status": { "type": "array", "items": { "type": "string", "enum": Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>() }, "description": "Only these statuses" },
                "assignee": string("Only tasks assigned to this agent"),
                "all": boolean("Include done and cancelled tasks"),
            })
        },
        required: &[],
    },
    Tool {
        name: "note",
        description: "Append a timestamped entry to my scratchpad. Integration notes show in the briefs of agents who depend on my tasks.",
        properties: || {
            json!({
                "text": string("The note (markdown)"),
                "section": { "type": "string", "enum": ["integration", "blocker", "decision"], "description": "What the note is about" },
            })
        },
        required: &["text"],
    },
    Tool {
        name: "send",
        description: "Send a message to an agent or to `all`. With `needs_reply`, `wait` with `reply` blocks until the answer comes.",
        properties: || {
            json!({
                "to": string("An agent ID, or all"),
                "subject": string("A one-line subject"),
                "body": string("The message (markdown)"),
                "task": string("The task it is about (ID or prefix)"),
                "files": strings("Files it is about"),
                "needs_reply": boolean("The sender expects an answer"),
                "kind": { "type": "string", "enum": ["question", "answer", "handoff", "fyi"], "description": "Default: question with needs_reply, else fyi" },
            })
        },
        required: &["to", "subject"],
    },
    Tool {
        name: "inbox",
        description: "Messages for me: unread ones addressed to me or to all (with `all`, read ones too). Same JSON as `git coord inbox --json`.",
        properties: || json!({ "all": boolean("Include messages already read") }),
        required: &[],
    },
    Tool {
        name: "reply",
        description: "Answer a message: a new message to the other party, threaded, and the original marked read.",
        properties: || {
            json!({
                "id": string("Message ID or unique prefix"),
                "text": string("The answer (markdown)"),
            })
        },
        required: &["id", "text"],
    },
    Tool {
        name: "brief",
        description: "An agent's whole context (mine by default): role, tasks, files held, messages, what others said that concerns it. Same JSON as `git coord brief --json`; the `coord://brief` resource is the markdown.",
        properties: || json!({ "agent": string("Another agent's ID") }),
        required: &[],
    },
    Tool {
        name: "owners",
        description: "Who holds files: every live claim, or with `paths` the claims and baseline rule for each path. Same JSON as `git coord owners --json`.",
        properties: || json!({ "paths": strings("Repository-relative paths") }),
        required: &[],
    },
    Tool {
        name: "check_paths",
        description: "Would I be allowed to change these paths? The ownership check `git coord check` runs on a commit, for paths I name, as me. `ok: false` lists the violations (who holds each path).",
        properties: || json!({ "paths": strings("Repository-relative paths") }),
        required: &["paths"],
    },
    Tool {
        name: "own",
        description: "Claim files by glob (exclusive unless `shared`). Kind `lost` (exit 3) when another agent holds an overlapping exclusive claim.",
        properties: || {
            json!({
                "patterns": strings("Globs (gitignore syntax)"),
                "shared": boolean("A shared claim: others may hold it too"),
                "ttl": string("Expire after this long, such as 4h"),
                "reason": string("Why"),
                "force": boolean("Take it even when another agent holds it (coordinators only; records a conflict)"),
            })
        },
        required: &["patterns"],
    },
    Tool {
        name: "status",
        description: "The coordinator's screen as JSON: progress, agents, critical path, blocked tasks, priorities, overdue items, conflicts, decisions, risks, milestones. The `coord://status` resource is the markdown.",
        properties: || json!({}),
        required: &[],
    },
    Tool {
        name: "wait",
        description: "Block until something happens, without polling: exactly one of `reply` (a reply to a message), `task` (a change to a task, or with `status` the task reaching it), `ready` (work that fits me), `inbox` (an unread message for me). A condition that already holds answers at once. On timeout (default 5m): a tool error of kind `negative` (exit 1).",
        properties: || {
            json!({
                "reply": string("Message ID or prefix to wait for a reply to"),
                "task": string("Task ID or prefix to watch"),
                "status": { "type": "string", "enum": Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "description": "With task: the status to wait for" },
                "ready": boolean("Wait for work that fits me"),
                "inbox": boolean("Wait for a message for me"),
                "timeout": string("Give up after this long: 500ms, 30s, 10m (default 5m)"),
            })
        },
        required: &[],
    },
];

/// The `tools/list` entries.
pub fn definitions() -> Vec<Value> {
    TOOLS
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "description": t.description,
                "inputSchema": {
                    "type": "object",
                    "properties": (t.properties)(),
                    "required": t.required,
                    "additionalProperties": false,
                },
            })
        })
        .collect()
}

pub fn exists(name: &str) -> bool {
    TOOLS.iter().any(|t| t.name == name)
}

/// Runs tool `name` with `args`; warnings the CLI would print on stderr go to `warnings`,
/// progress (a `wait` beginning) to `log`.
pub fn call(
    session: &Session,
    name: &str,
    args: Value,
    warnings: &mut Vec<String>,
    log: &mut dyn std::io::Write,
) -> CommandResult<Value> {
    let value = match name {
        "ready" => ready(session, parse(name, args)?, warnings)?,
        "next" => next(session, warnings)?,
        "claim" => {
            let a: IdArgs = parse(name, args)?;
            transition(session, &a.id, Action::Claim, warnings)?
        }
        "release" => {
            let a: IdArgs = parse(name, args)?;
            transition(session, &a.id, Action::Release { force: a.force }, warnings)?
        }
        "block" => {
            let a: BlockArgs = parse(name, args)?;
            let action = Action::Block {
                reason: a.reason,
                force: a.force,
            };
            transition(session, &a.id, action, warnings)?
        }
        "done" => done(session, parse(name, args)?, warnings)?,
        "task_add" => task_add(session, parse(name, args)?)?,
        "task_show" => {
            let a: IdArgs = parse(name, args)?;
            to_json(&TaskJson::new(&task::show(session.store()?, &a.id)?))?
        }
        "task_list" => task_list(session, parse(name, args)?, warnings)?,
        "note" => {
            let a: NoteArgs = parse(name, args)?;
            let section = a
                .section
                .as_deref()
                .map(|s| Section::parse(s).ok_or_else(|| bad(name, "section", s)))
                .transpose()?;
            to_json(&memory::note(
                session.store()?,
                &session.actor()?,
                &a.text,
                section,
            )?)?
        }
        "send" => send(session, parse(name, args)?)?,
        "inbox" => {
            let a: InboxArgs = parse(name, args)?;
            let me = session.actor()?.agent;
            let store = session.store()?;
            let snap = store.snapshot()?;
            let (items, problems) = memory::inbox(
                &snap,
                &me,
                a.all,
                session.now(),
                memory::reply_within(store),
            )?;
            warnings.extend(problems.iter().map(|p| format!("skipped {p}")));
            to_json(&items)?
        }
        "reply" => {
            let a: ReplyArgs = parse(name, args)?;
            to_json(&memory::reply(
                session.store()?,
                &session.actor()?,
                &a.id,
                &a.text,
            )?)?
        }
        "brief" => {
            let a: BriefArgs = parse(name, args)?;
            let who = match a.agent {
                Some(a) => AgentId::parse(&a)?,
                None => session.actor()?.agent,
            };
            to_json(&brief::gather(session.store()?, &who, session.now())?)?
        }
        "owners" => {
            let a: PathsArgs = parse(name, args)?;
            let (per_path, set) = ownership::owners(session.store()?, &a.paths, session.now())?;
            warnings.extend(set.problems.iter().map(|p| p.to_string()));
            if a.paths.is_empty() {
                to_json(&set.held)?
            } else {
                to_json(&per_path)?
            }
        }
        "check_paths" => check_paths(session, parse(name, args)?, warnings)?,
        "own" => own(session, parse(name, args)?, warnings)?,
        "status" => {
            let state = crate::ops::status::load_screen(session)?;
            warnings.extend(state.problems.iter().map(|p| format!("skipped {p}")));
            to_json(&super::resources::status_report(&state))?
        }
        "wait" => wait_for(session, parse(name, args)?, log)?,
        _ => return Err(CommandError::usage(format!("unknown tool: {name}"))),
    };
    Ok(value)
}

fn parse<T: DeserializeOwned>(tool: &str, args: Value) -> CommandResult<T> {
    let args = if args.is_null() { json!({}) } else { args };
    serde_json::from_value(args).map_err(|e| {
        CommandError::usage(format!("{tool}: invalid arguments: {e}"))
            .hint("`tools/list` gives each tool's input schema")
    })
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> CommandResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| CommandError::internal(format!("cannot render JSON: {e}")))
}

fn bad(tool: &str, field: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::usage(format!("{tool}: {field}: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdArgs {
    id: String,
    #[serde(default)]
    force: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockArgs {
    id: String,
    reason: String,
    #[serde(default)]
    force: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadyArgs {
    #[serde(default)]
    expertise: Vec<String>,
    limit: Option<usize>,
    #[serde(default)]
    shared: bool,
}

fn ready(session: &Session, a: ReadyArgs, warnings: &mut Vec<String>) -> CommandResult<Value> {
    let agent = if a.shared {
        None
    } else {
        Some(session.actor()?.agent)
    };
    let opts = ReadyOptions {
        expertise: (!a.expertise.is_empty()).then_some(a.expertise),
        agent,
        limit: a.limit,
    };
    let (items, w) = schedule::ready(session.store()?, &opts, session.now())?;
    warnings.extend(w.messages());
    to_json(&items)
}

fn next(session: &Session, warnings: &mut Vec<String>) -> CommandResult<Value> {
    let actor = session.actor()?;
    let (next, w) = schedule::next(session.store()?, &actor)?;
    warnings.extend(w.messages());
    match next {
        Next::Claimed(task) => to_json(&TaskJson::new(&task)),
        Next::Nothing { ready, skipped } => Err(CommandError::negative(format!(
            "no task for {}: {ready} task(s) ready, none for me",
            actor.agent
        ))
        .hint("`ready` with `shared: true` lists the whole pool; `wait` with `ready: true` blocks until work fits me")
        .details(json!({ "ready": ready, "skipped": skipped }))),
    }
}

fn authority(
    session: &Session,
    actor: &Actor,
    force: bool,
    warnings: &mut Vec<String>,
) -> CommandResult<Authority> {
    let authority = Authority::new(session.store()?, &actor.agent, force).map_err(OpError::from)?;
    warnings.extend(authority.warning());
    Ok(authority)
}

fn transition(
    session: &Session,
    id: &str,
    action: Action,
    warnings: &mut Vec<String>,
) -> CommandResult<Value> {
    let actor = session.actor()?;
    let authority = authority(session, &actor, action.force(), warnings)?;
    let outcome = task::transition_as(session.store()?, &actor, id, &action, &[], &authority)?;
    to_json(&TaskJson::new(&outcome.task))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DoneArgs {
    id: String,
    #[serde(default)]
    run_check: bool,
    #[serde(default)]
    force: bool,
}

/// What a check run printed, for the caller (the model cannot read the server's stderr).
#[derive(serde::Serialize)]
struct CheckOutput {
    command: String,
    success: bool,
    exit_code: Option<i32>,
    output: String,
}

/// The most of a check's output returned: the end, where test runners put their verdict.
const CHECK_OUTPUT_MAX: usize = 16 * 1024;

fn done(session: &Session, a: DoneArgs, warnings: &mut Vec<String>) -> CommandResult<Value> {
    let actor = session.actor()?;
    let store = session.store()?;
    let authority = authority(session, &actor, a.force, warnings)?;
    let action = Action::Done { force: a.force };
    // As `git coord done`: who holds it and whether it can be done are settled before the
    // check runs, so a refused call runs nothing.
    let current = task::preflight(store, &actor, &a.id, &action, &authority)?;
    let mut trailers: Vec<(&str, &str)> = Vec::new();
    let mut ran = None;
    if let Some(command) = current
        .check
        .as_deref()
        .filter(|_| !current.status.is_closed())
    {
        if a.run_check {
            let dir = store.workdir().ok_or_else(|| {
                CommandError::usage("this repository has no working tree to run the check in")
                    .hint("start the server in a worktree, or call done without run_check")
            })?;
            let run = check::run_captured(command, dir).map_err(|e| {
                CommandError::internal(format!("could not run the check with sh: {e}"))
            })?;
            let out = CheckOutput {
                command: command.to_owned(),
                success: run.success,
                exit_code: run.code,
                output: tail(&run.output, CHECK_OUTPUT_MAX),
            };
            if !run.success {
                return Err(CommandError::negative(format!(
                    "the check of {} failed (exit {}); the task is unchanged",
                    current.id,
                    run.code
                        .map_or_else(|| "a signal".to_owned(), |c| c.to_string())
                ))
                .hint("fix the work and call done again, or without run_check to skip it")
                .details(json!({ "id": current.id, "check_run": out })));
            }
            trailers.push(("Coord-Check", "passed"));
            ran = Some(out);
        } else {
            trailers.push(("Coord-Check", "skipped"));
        }
    }
    let outcome = task::transition_as(
        store,
        &actor,
        current.id.as_str(),
        &action,
        &trailers,
        &authority,
    )?;
    let unblocked = schedule::unblocked_by(store, &outcome.task.id)?;
    let mut value = to_json(&TaskJson::new(&outcome.task))?;
    if let Some(o) = value.as_object_mut() {
        let ids: Vec<&str> = unblocked.iter().map(|t| t.id.as_str()).collect();
        o.insert("unblocked".into(), json!(ids));
        if let Some(ran) = ran {
            o.insert("check_run".into(), to_json(&ran)?);
        }
    }
    Ok(value)
}

/// The last `max` bytes of `s`, cut at a character boundary.
fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &s[start..])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskAddArgs {
    title: String,
    #[serde(default)]
    after: Vec<String>,
    priority: Option<i64>,
    #[serde(default)]
    expertise: Vec<String>,
    estimate: Option<String>,
    milestone: Option<String>,
    #[serde(default)]
    owns: Vec<String>,
    #[serde(default)]
    deliverables: Vec<String>,
    check: Option<String>,
    due: Option<String>,
    #[serde(default)]
    body: String,
}

fn task_add(session: &Session, a: TaskAddArgs) -> CommandResult<Value> {
    let tool = "task_add";
    let new = NewTask {
        title: a.title,
        priority: a
            .priority
            .map(validate_priority)
            .transpose()
            .map_err(|e| bad(tool, "priority", e.message))?,
        depends_on: Vec::new(),
        expertise: a.expertise,
        estimate_hours: a
            .estimate
            .as_deref()
            .map(parse_estimate)
            .transpose()
            .map_err(|e| bad(tool, "estimate", e))?,
        milestone: a.milestone,
        owns: a.owns,
        deliverables: a.deliverables,
        check: a.check,
        due: a
            .due
            .as_deref()
            .map(Timestamp::parse_deadline)
            .transpose()
            .map_err(|e| bad(tool, "due", e))?,
        body: a.body,
    };
    let task = task::add(
        session.store()?,
        &session.actor()?,
        AddTask {
            task: new,
            after: a.after,
        },
    )?;
    to_json(&TaskJson::new(&task))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskListArgs {
    #[serde(default)]
    status: Vec<String>,
    assignee: Option<String>,
    #[serde(default)]
    all: bool,
}

fn task_list(
    session: &Session,
    a: TaskListArgs,
    warnings: &mut Vec<String>,
) -> CommandResult<Value> {
    let statuses = a
        .status
        .iter()
        .map(|s| s.trim().parse::<Status>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("task_list", "status", e))?;
    let assignee = a
        .assignee
        .as_deref()
        .map(AgentId::parse)
        .transpose()
        .map_err(|e| bad("task_list", "assignee", e))?;
    let filter = Filter {
        statuses,
        assignee,
        all: a.all,
    };
    let (tasks, problems) = task::list(session.store()?, &filter)?;
    warnings.extend(problems.iter().map(|p| format!("skipped {p}")));
    let now = session.now();
    let items: Vec<TaskJson<'_>> = tasks.iter().map(|t| TaskJson::listed(t, now)).collect();
    to_json(&items)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteArgs {
    text: String,
    section: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendArgs {
    to: String,
    subject: String,
    #[serde(default)]
    body: String,
    task: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    needs_reply: bool,
    kind: Option<String>,
}

fn send(session: &Session, a: SendArgs) -> CommandResult<Value> {
    let to = Recipient::from_str(&a.to).map_err(|e| bad("send", "to", e))?;
    let kind = match &a.kind {
        Some(k) => k.parse::<Kind>().map_err(|e| bad("send", "kind", e))?,
        None if a.needs_reply => Kind::Question,
        None => Kind::Fyi,
    };
    let out = Outgoing {
        to,
        subject: a.subject,
        body: a.body,
        task: a.task,
        files: a.files,
        needs_reply: a.needs_reply,
        kind,
    };
    to_json(&memory::send(session.store()?, &session.actor()?, &out)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboxArgs {
    #[serde(default)]
    all: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyArgs {
    id: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BriefArgs {
    agent: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathsArgs {
    #[serde(default)]
    paths: Vec<String>,
}

fn check_paths(
    session: &Session,
    a: PathsArgs,
    warnings: &mut Vec<String>,
) -> CommandResult<Value> {
    if a.paths.is_empty() {
        return Err(bad("check_paths", "paths", "name at least one path"));
    }
    let me = session.actor()?.agent;
    let (report, problems) =
        ownership::check_paths(session.store()?, &me, &a.paths, session.now())?;
    warnings.extend(problems);
    to_json(&report)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnArgs {
    patterns: Vec<String>,
    #[serde(default)]
    shared: bool,
    ttl: Option<String>,
    reason: Option<String>,
    #[serde(default)]
    force: bool,
}

fn own(session: &Session, a: OwnArgs, warnings: &mut Vec<String>) -> CommandResult<Value> {
    for given in &a.patterns {
        crate::ownership::pattern::Pattern::parse_given(given)
            .map_err(|e| bad("own", "patterns", e))?;
    }
    let ttl_secs = a
        .ttl
        .as_deref()
        .map(parse_wall_duration)
        .transpose()
        .map_err(|e| bad("own", "ttl", e))?;
    let req = OwnRequest {
        patterns: a.patterns,
        mode: if a.shared {
            Mode::Shared
        } else {
            Mode::Exclusive
        },
        ttl_secs,
        reason: a.reason,
        force: a.force,
    };
    let actor = session.actor()?;
    let authority = authority(session, &actor, a.force, warnings)?;
    let owned = ownership::own(session.store()?, &actor, &req, &authority, warnings)?;
    to_json(&owned)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitArgs {
    reply: Option<String>,
    task: Option<String>,
    status: Option<String>,
    #[serde(default)]
    ready: bool,
    #[serde(default)]
    inbox: bool,
    timeout: Option<String>,
}

fn wait_for(session: &Session, a: WaitArgs, log: &mut dyn std::io::Write) -> CommandResult<Value> {
    let given = [a.reply.is_some(), a.task.is_some(), a.ready, a.inbox];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(CommandError::usage(
            "wait: give exactly one of reply, task, ready or inbox",
        ));
    }
    if a.status.is_some() && a.task.is_none() {
        return Err(bad("wait", "status", "needs task"));
    }
    let condition = if let Some(m) = a.reply {
        Condition::Reply(m)
    } else if let Some(t) = a.task {
        let status = a
            .status
            .as_deref()
            .map(|s| s.parse::<Status>().map_err(|e| bad("wait", "status", e)))
            .transpose()?;
        Condition::Task { task: t, status }
    } else if a.ready {
        Condition::Ready
    } else {
        Condition::Inbox
    };
    let timeout = match &a.timeout {
        Some(t) => wait::parse_timeout(t).map_err(|e| bad("wait", "timeout", e))?,
        None => DEFAULT_WAIT,
    };
    let watching = || {
        // The same line `git coord wait` prints: a client (and the tests) can see that the
        // wait has begun.
        let _ = writeln!(
            log,
            "git-coord mcp: wait: waiting for {}…",
            condition.name()
        );
        let _ = log.flush();
    };
    let waited = wait::wait(session, &condition, Some(timeout), None, watching)
        .map_err(crate::commands::wait::into_command_error)?;
    if waited.timed_out() {
        return Err(CommandError::negative(format!(
            "nothing to wake for ({}) within {}",
            condition.name(),
            a.timeout.as_deref().unwrap_or("5m")
        ))
        .hint("wait again, or longer with timeout")
        .details(to_json(&waited)?));
    }
    to_json(&waited)
}
