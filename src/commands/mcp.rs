//! `git coord mcp`: serve this agent's coordination tools to an MCP client over stdio
//! (DESIGN §4 setup; the server is [`crate::mcp`]).

use crate::context::{Context, no_agent};
use crate::error::{CommandError, CommandResult};

/// Serve git-coord to an AI agent as an MCP server over stdio
///
/// Speaks the Model Context Protocol (JSON-RPC on stdin/stdout) as the agent named by --agent,
/// $COORD_AGENT or git config coord.agent; it refuses to start without one. Tools: ready, next,
/// claim, release, block, done, task_add, task_show, task_list, note, send, inbox, reply, brief,
/// owners, check_paths, own, status, wait; each returns the JSON of the command of the same
/// name with --json, and fails with its message, hints, kind and exit code. Resources: the
/// brief (coord://brief) and the status screen (coord://status) as markdown. Logs go to
/// stderr. `done` runs a task's check only when called with run_check.
///
/// Examples:
///   git coord --agent state mcp
///   claude mcp add coord -- git coord --agent state mcp
///   {"mcpServers": {"coord": {"command": "git", "args": ["coord", "mcp"], "env": {"COORD_AGENT": "state"}}}}
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    // Settled before serving: an agent that cannot act would fail every call.
    ctx.agent()?.ok_or_else(no_agent)?;
    ctx.store()?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    crate::mcp::serve(&ctx.session, stdin.lock(), stdout.lock(), std::io::stderr())
        .map_err(|e| CommandError::internal(format!("the MCP connection failed: {e}")))
}
