//! `git coord mcp`: the MCP server, driven by a real client from outside the project (the
//! reference Python SDK, `mcp` from PyPI, in the virtual environment `.ci/run` makes) and by
//! raw JSON-RPC lines; results are read back through the CLI and git.
//!
//! The Python client is `$COORD_MCP_PYTHON`, else the tests' virtual environment
//! (`common/venv.rs`: made when missing outside CI; in CI a missing one fails, never skips).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{BIN, TestEnv, isolate};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python interpreter with the MCP SDK: `$COORD_MCP_PYTHON`, else the tests' venv.
fn python() -> PathBuf {
    #[allow(clippy::disallowed_methods)] // the test's own environment, not the product's
    match std::env::var_os("COORD_MCP_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => crate::common::venv::venv_bin("python"),
    }
}

/// Runs the Python driver's `scenario` against `env`'s repository; returns what it printed.
fn drive(env: &TestEnv, scenario: &str, extra: &[&str]) -> Value {
    let mut cmd = Command::new(python());
    isolate(&mut cmd, env.home());
    let out = cmd
        .arg(manifest_dir().join("tests/mcp/drive.py"))
        .args([scenario, BIN])
        .arg(&env.repo)
        .args(extra)
        .current_dir(&env.repo)
        .output()
        .expect("run the Python MCP client");
    assert!(
        out.status.success(),
        "drive.py {scenario} failed:\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "drive.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn the_reference_python_client_runs_an_agent_loop() {
    let env = TestEnv::initialised();
    let id = env.add("Rate limiter", &["--check", "echo check-ran"]);
    let saw = drive(&env, "loop", &[]);

    assert_eq!(saw["server"], "git-coord");
    assert_eq!(saw["tools"].as_array().unwrap().len(), 19, "{saw}");
    assert_eq!(saw["claim_required"], json!(["id"]));
    assert_eq!(saw["ready"], json!([id]));
    assert_eq!(
        saw["claimed"],
        json!({ "id": id, "status": "in_progress", "assignee": "alice" })
    );
    assert_eq!(saw["woke"]["event"], "inbox");
    assert_eq!(saw["woke"]["from"], "bob");
    assert_eq!(
        saw["bad"],
        json!({ "is_error": true, "kind": "usage", "exit_code": 2 })
    );
    assert_eq!(saw["done"]["status"], "done");
    assert_eq!(saw["done"]["check_run"]["output"], "check-ran\n");
    assert_eq!(saw["brief_starts"], "# Brief: alice");
    assert_eq!(saw["status_starts"], "# Status");
    // The server logged on stderr (stdout is the protocol), and said when it began waiting.
    let log = saw["stderr"].as_str().unwrap();
    assert!(log.contains("waiting for inbox"), "{log}");

    // Read back through the CLI and git.
    let task = env.json(&["task", "show", &id]);
    assert_eq!(task["status"], "done");
    assert_eq!(task["assignee"], "alice");
    let pad = env.json(&["scratchpad", "alice"]);
    assert_eq!(pad["entries"][0]["text"], "Rate limiter uses get_conn()");
    assert_eq!(pad["entries"][0]["section"], "integration");
    let inbox = env.json(&["inbox"]);
    assert_eq!(inbox[0]["subject"], "Pool API is ready");
    let log = env.git(&["log", "refs/heads/coord", "--format=%s|%(trailers:key=Coord-Agent,valueonly,separator=)|%(trailers:key=Coord-Check,valueonly)"]);
    assert!(
        log.contains(&format!("coord: done {id}|alice|passed")),
        "{log}"
    );
    assert!(log.contains(&format!("coord: claim {id}|alice|")), "{log}");
}

#[test]
fn two_servers_racing_claim_one_winner_and_a_tool_error_naming_it() {
    let env = TestEnv::initialised();
    let id = env.add("Contested", &[]);
    let saw = drive(&env, "race", &[&id]);
    let (alice, bob) = (&saw["alice"], &saw["bob"]);
    let (winner, loser) = match (alice["is_error"].as_bool(), bob["is_error"].as_bool()) {
        (Some(false), Some(true)) => ("alice", bob),
        (Some(true), Some(false)) => ("bob", alice),
        _ => panic!("expected exactly one winner: {saw}"),
    };
    assert_eq!(saw[winner]["assignee"], winner);
    assert_eq!(loser["kind"], "lost");
    assert_eq!(loser["exit_code"], 3);
    let message = loser["message"].as_str().unwrap();
    assert!(message.contains(&format!("held by {winner}")), "{message}");
    // Exactly one claim commit, by the winner.
    let task = env.json(&["task", "show", &id]);
    assert_eq!(task["assignee"], winner);
    let claims = env.git(&[
        "log",
        "refs/heads/coord",
        "--format=%(trailers:key=Coord-Agent,valueonly,separator=)",
        "--grep",
        &format!("coord: claim {id}"),
    ]);
    assert_eq!(claims.trim(), winner);
}

/// Sends `lines` to `git coord mcp` in `env`'s repository and returns its exit code, the
/// parsed answers, and stderr.
fn raw(env: &TestEnv, agent: Option<&str>, lines: &[Value]) -> (i32, Vec<Value>, String) {
    let mut cmd = env.coord_cmd(&env.repo);
    if let Some(a) = agent {
        cmd.args(["--agent", a]);
    }
    let mut child = cmd
        .arg("mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn git-coord mcp");
    {
        let mut stdin = child.stdin.take().expect("piped stdin");
        for l in lines {
            // A server that refused to start has closed its end: nothing more to send.
            if writeln!(stdin, "{l}").is_err() {
                break;
            }
        }
        let _ = writeln!(stdin, "{{not json");
    }
    let out = child.wait_with_output().expect("wait for git-coord mcp");
    let answers = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        answers,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

#[test]
fn mcp_refuses_to_start_without_an_agent() {
    let env = TestEnv::initialised();
    env.git(&["config", "--unset", "coord.agent"]);
    let (code, answers, stderr) = raw(&env, None, &[request(1, "ping", json!({}))]);
    assert_eq!(code, 2, "{stderr}");
    assert!(answers.is_empty(), "{answers:?}");
    assert!(stderr.contains("no agent is set"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
}

#[test]
fn mcp_speaks_json_rpc_on_stdout_only() {
    let env = TestEnv::initialised();
    let id = env.add("Held", &[]);
    env.coord(&["--agent", "bob", "claim", &id]).expect_code(0);
    let (code, answers, stderr) = raw(
        &env,
        Some("alice"),
        &[
            request(
                1,
                "initialize",
                json!({ "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "t", "version": "1" } }),
            ),
            json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            request(2, "tools/list", json!({})),
            request(
                3,
                "tools/call",
                json!({ "name": "claim", "arguments": { "id": id } }),
            ),
            request(
                4,
                "tools/call",
                json!({ "name": "claim", "arguments": { "id": id, "bogus": 1 } }),
            ),
            request(5, "tools/call", json!({ "name": "nope", "arguments": {} })),
            request(6, "no/such/method", json!({})),
            request(7, "resources/list", json!({})),
            request(
                8,
                "tools/call",
                json!({ "name": "task_show", "arguments": { "id": id } }),
            ),
            request(
                9,
                "tools/call",
                json!({ "name": "ready", "arguments": { "shared": true } }),
            ),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // One answer per request (not the notification), and one for the unreadable line.
    assert_eq!(answers.len(), 10, "{answers:?}");
    assert_eq!(answers[0]["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(answers[0]["result"]["serverInfo"]["name"], "git-coord");
    let tools = answers[1]["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 19);
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert!(t["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Held by another agent: a tool error with the CLI's message, kind and exit code.
    let held = &answers[2]["result"];
    assert_eq!(held["isError"], true);
    assert_eq!(held["structuredContent"]["error"]["kind"], "lost");
    assert_eq!(held["structuredContent"]["error"]["exit_code"], 3);
    assert!(
        held["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("held by bob"),
        "{held}"
    );
    // Arguments outside the schema: a usage error (exit 2), nothing written.
    assert_eq!(
        answers[3]["result"]["structuredContent"]["error"]["exit_code"],
        2
    );
    assert_eq!(answers[4]["error"]["code"], -32602);
    assert_eq!(answers[5]["error"]["code"], -32601);
    assert_eq!(
        answers[6]["result"]["resources"].as_array().unwrap().len(),
        2
    );
    // The same JSON as the command of the same name with --json.
    assert_eq!(
        answers[7]["result"]["structuredContent"],
        env.json(&["task", "show", &id])
    );
    let text = answers[8]["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        env.json(&["ready"])
    );
    assert_eq!(answers[9]["error"]["code"], -32700);
    assert!(stderr.contains("serving as agent alice"), "{stderr}");
    let task = env.json(&["task", "show", &id]);
    assert_eq!(task["assignee"], "bob");
}

#[test]
fn mcp_check_paths_answers_as_me_and_resources_escape_record_text() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "own", "src/pool/**"])
        .expect_code(0);
    env.add("**Bold** @everyone [x](https://evil.example)", &[]);
    let init = request(
        1,
        "initialize",
        json!({ "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": { "name": "t", "version": "1" } }),
    );
    let call = |id, paths: &[&str]| {
        request(
            id,
            "tools/call",
            json!({ "name": "check_paths", "arguments": { "paths": paths } }),
        )
    };
    let (code, answers, stderr) = raw(
        &env,
        Some("alice"),
        &[
            init,
            call(2, &["src/pool/mod.rs", "README.md"]),
            call(3, &["docs/notes.md"]),
            request(4, "resources/read", json!({ "uri": "coord://status" })),
            request(5, "resources/read", json!({ "uri": "coord://nope" })),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let held = &answers[1]["result"]["structuredContent"];
    assert_eq!(held["ok"], false, "{held}");
    assert_eq!(held["agent"], "alice");
    let violation = held["violations"][0].to_string();
    assert!(
        violation.contains("src/pool/mod.rs") && violation.contains("bob"),
        "{violation}"
    );
    assert_eq!(answers[2]["result"]["structuredContent"]["ok"], true);
    let status = answers[3]["result"]["contents"][0]["text"]
        .as_str()
        .unwrap();
    assert!(status.starts_with("# Status\n"), "{status}");
    assert!(status.contains("Priorities"), "{status}");
    for raw_markup in ["**Bold**", "@everyone", "[x](", "](https"] {
        assert!(!status.contains(raw_markup), "{raw_markup} in {status}");
    }
    assert_eq!(answers[4]["error"]["code"], -32602);
    // A read-only check writes nothing.
    assert_eq!(env.coord_commits(), 3);
}
