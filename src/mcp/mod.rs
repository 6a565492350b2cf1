/*!
The MCP face: a Model Context Protocol server over stdio (`git coord mcp`), acting as one agent.

Newline-delimited JSON-RPC 2.0 on stdin/stdout, as the MCP stdio transport specifies; stdout
carries protocol messages only and every log line goes to stderr. The server answers
`initialize`, `ping`, `tools/list`, `tools/call`, `resources/list`, `resources/templates/list`
and `resources/read`; notifications need no answer and other methods are "method not found".
Why this is hand-written rather than built on the `rmcp` SDK: ADR 0022.

Tools ([`tools`]) call the same [`ops`](crate::ops) functions as the command line and return
the same JSON as its `--json`; a failure is a tool error (`isError`) carrying the message,
hints, kind and exit code the command line would have printed ([`CommandError`]). Resources
([`resources`]) are the agent's brief and the status screen as markdown. Requests are served
one at a time, in order: a `wait` call blocks the server until it answers, as a shell's would.
*/

pub mod resources;
pub mod tools;

use std::io::{self, BufRead, Write};

use serde_json::{Value, json};

use crate::error::CommandError;
use crate::session::Session;

/// Protocol versions this server speaks, newest first. A client asking for one of these gets
/// it; any other gets the newest, and decides itself whether to go on (MCP "Lifecycle").
pub const PROTOCOL_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// What the server says about itself in `initialize`.
const INSTRUCTIONS: &str = "git-coord coordinates several agents on one repository. You act as the agent this server was started for. Read the `brief` resource (or call `brief`) first; then loop: `next` (or `ready` + `claim`), `own` the files you will touch (`check_paths` first), `note` integration points, `send` with needs_reply and `wait` for the reply when blocked, `done` when finished (with run_check to run the task's check). Tool errors carry `kind` and `exit_code` as the CLI's: 1 a negative answer, 2 bad input, 3 held by another agent.";

/// Serves MCP requests from `input` until it ends, writing answers to `output` and logs to
/// `log`.
pub fn serve(
    session: &Session,
    input: impl BufRead,
    mut output: impl Write,
    mut log: impl Write,
) -> io::Result<()> {
    let agent = session
        .agent()
        .ok()
        .flatten()
        .map(|(a, _)| a.to_string())
        .unwrap_or_default();
    let _ = writeln!(log, "git-coord mcp: serving as agent {agent} on stdio");
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(answer) = handle_line(session, &line, &mut log) {
            let text = serde_json::to_string(&answer).map_err(io::Error::other)?;
            writeln!(output, "{text}")?;
            output.flush()?;
        }
    }
    Ok(())
}

/// The answer to one line of input, if it needs one.
pub fn handle_line(session: &Session, line: &str, log: &mut dyn Write) -> Option<Value> {
    let message: Value = match serde_json::from_str(line) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(log, "git-coord mcp: unreadable message: {e}");
            return Some(error(
                Value::Null,
                PARSE_ERROR,
                &format!("parse error: {e}"),
            ));
        }
    };
    let Some(object) = message.as_object() else {
        return Some(error(
            Value::Null,
            INVALID_REQUEST,
            "a message must be a JSON object",
        ));
    };
    let id = object.get("id").cloned();
    let Some(method) = object.get("method").and_then(Value::as_str) else {
        // A response to a request of ours (we send none) or garbage: nothing to answer.
        if id.is_some() && !object.contains_key("result") && !object.contains_key("error") {
            return Some(error(
                id.unwrap_or(Value::Null),
                INVALID_REQUEST,
                "no method",
            ));
        }
        return None;
    };
    let params = object.get("params").cloned().unwrap_or(Value::Null);
    // A notification (no id) is never answered (`notifications/initialized`, cancellations).
    let id = id?;
    let result = match method {
        "initialize" => Ok(initialize(&params)),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({ "tools": tools::definitions() })),
        "tools/call" => call_tool(session, &params, log),
        "resources/list" => Ok(json!({ "resources": resources::list() })),
        "resources/templates/list" => Ok(json!({ "resourceTemplates": [] })),
        "resources/read" => match params.get("uri").and_then(Value::as_str) {
            Some(uri) => resources::read(session, uri)
                .map_err(|e| (INVALID_PARAMS, e.message.clone(), Some(e.render_json()))),
            None => Err((
                INVALID_PARAMS,
                "resources/read needs a uri".to_owned(),
                None,
            )),
        },
        _ => Err((
            METHOD_NOT_FOUND,
            format!("method not found: {method}"),
            None,
        )),
    };
    Some(match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err((code, message, data)) => {
            let mut e = error(id, code, &message);
            if let Some(data) = data {
                e["error"]["data"] = data;
            }
            e
        }
    })
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn initialize(params: &Value) -> Value {
    let asked = params.get("protocolVersion").and_then(Value::as_str);
    let version = asked
        .filter(|v| PROTOCOL_VERSIONS.contains(v))
        .unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {
            "tools": { "listChanged": false },
            "resources": { "listChanged": false, "subscribe": false },
        },
        "serverInfo": {
            "name": "git-coord",
            "title": "git-coord",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "instructions": INSTRUCTIONS,
    })
}

type RpcError = (i64, String, Option<Value>);

fn call_tool(session: &Session, params: &Value, log: &mut dyn Write) -> Result<Value, RpcError> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err((
            INVALID_PARAMS,
            "tools/call needs a tool name".to_owned(),
            None,
        ));
    };
    if !tools::exists(name) {
        return Err((INVALID_PARAMS, format!("unknown tool: {name}"), None));
    }
    let args = params.get("arguments").cloned().unwrap_or(json!({}));
    let mut warnings = Vec::new();
    let outcome = tools::call(session, name, args, &mut warnings, log);
    for w in &warnings {
        let _ = writeln!(
            log,
            "git-coord mcp: {name}: warning: {}",
            crate::ui::sanitize_line(w)
        );
    }
    Ok(match outcome {
        Ok(value) => tool_result(value, false),
        Err(e) => {
            let _ = writeln!(log, "git-coord mcp: {name}: {}", e.message);
            tool_error(&e)
        }
    })
}

/// A successful result: the JSON as text (what a client shows the model), and as structured
/// content when it is an object (the protocol's structured content must be one).
fn tool_result(value: Value, is_error: bool) -> Value {
    let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
    let mut result = json!({
        "content": [{ "type": "text", "text": text }],
        "isError": is_error,
    });
    if value.is_object() {
        result["structuredContent"] = value;
    }
    result
}

/// A tool error: the command line's `error: …` / `hint: …` text, and its JSON error object
/// (`kind`, `exit_code`, `hints`, `details`) as structured content.
fn tool_error(e: &CommandError) -> Value {
    let mut result = json!({
        "content": [{ "type": "text", "text": e.render_text().trim_end() }],
        "isError": true,
    });
    result["structuredContent"] = e.render_json();
    result
}
