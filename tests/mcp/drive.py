"""Drives `git coord mcp` with the reference MCP client (the `mcp` package from PyPI).

Run by tests/cli/test_mcp.rs, which prepares the repository and reads the results back
through the CLI and git. Usage:

    drive.py loop BIN REPO   # alice: initialise, list tools, ready, claim, note, wait for a
                             # message (sent by bob from another process), done
    drive.py race BIN REPO   # alice and bob, two servers, claim one task at once

Prints one JSON object on stdout with what the client saw; exits non-zero on any surprise.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

EXPECTED_TOOLS = {
    "ready", "next", "claim", "release", "block", "done", "task_add", "task_show",
    "task_list", "note", "send", "inbox", "reply", "brief", "owners", "check_paths",
    "own", "status", "wait",
}


def server(bin_path, repo, agent):
    # The test's isolation (no user git config) carried over to the server process.
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "PATH", "GIT_CONFIG_GLOBAL",
                                                        "GIT_CONFIG_NOSYSTEM", "NO_COLOR")}
    return StdioServerParameters(command=bin_path, args=["--agent", agent, "mcp"], env=env,
                                 cwd=repo)


def data(result):
    """The JSON a tool returned: its structured content, else its text."""
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def expect_ok(name, result):
    if result.is_error:
        raise SystemExit(f"{name} failed: {result.content[0].text}")
    return data(result)


def send_when_waiting(bin_path, repo, log_path, done):
    """Runs `send` as bob from its own process once the server says its wait has begun."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not done.is_set():
        with open(log_path, encoding="utf-8", errors="replace") as f:
            if "wait: waiting for" in f.read():
                break
        time.sleep(0.02)
    env = dict(os.environ)
    env.pop("COORD_AGENT", None)
    subprocess.run([bin_path, "--agent", "bob", "send", "alice", "--subject",
                    "Pool API is ready", "--body", "get_conn() -> Conn", "-q"],
                   cwd=repo, env=env, check=True, capture_output=True)


async def loop(bin_path, repo):
    out = {}
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        log_path = log.name
        async with stdio_client(server(bin_path, repo, "alice"), errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                out["server"] = init.server_info.name
                out["protocol"] = init.protocol_version
                tools = await session.list_tools()
                names = {t.name for t in tools.tools}
                missing = EXPECTED_TOOLS - names
                if missing:
                    raise SystemExit(f"tools missing: {sorted(missing)}")
                out["tools"] = sorted(names)
                schemas = {t.name: t.input_schema for t in tools.tools}
                out["claim_required"] = schemas["claim"].get("required")

                ready = expect_ok("ready", await session.call_tool("ready", {}))
                out["ready"] = [t["id"] for t in ready]
                task = ready[0]["id"]
                claimed = expect_ok("claim", await session.call_tool("claim", {"id": task}))
                out["claimed"] = {"id": claimed["id"], "status": claimed["status"],
                                  "assignee": claimed["assignee"]}
                note = expect_ok("note", await session.call_tool(
                    "note", {"text": "Rate limiter uses get_conn()", "section": "integration"}))
                out["note"] = note["id"]

                done = threading.Event()
                sender = threading.Thread(target=send_when_waiting,
                                          args=(bin_path, repo, log_path, done))
                sender.start()
                try:
                    woke = await session.call_tool("wait", {"inbox": True, "timeout": "60s"})
                finally:
                    done.set()
                    sender.join()
                woke = expect_ok("wait", woke)
                out["woke"] = {"event": woke["event"],
                               "from": woke["messages"][0]["from"],
                               "subject": woke["messages"][0]["subject"]}

                # A bad call is a tool error carrying the CLI's kind and exit code.
                bad = await session.call_tool("task_show", {"id": "t-zzzzzz"})
                out["bad"] = {"is_error": bad.is_error,
                              "kind": data(bad)["error"]["kind"],
                              "exit_code": data(bad)["error"]["exit_code"]}

                finished = expect_ok("done", await session.call_tool(
                    "done", {"id": task, "run_check": True}))
                out["done"] = {"status": finished["status"],
                               "check_run": finished.get("check_run")}

                brief = await session.read_resource("coord://brief")
                out["brief_starts"] = brief.contents[0].text.splitlines()[0]
                status = await session.read_resource("coord://status")
                out["status_starts"] = status.contents[0].text.splitlines()[0]
    with open(log_path, encoding="utf-8", errors="replace") as f:
        out["stderr"] = f.read()
    os.unlink(log_path)
    return out


async def race(bin_path, repo):
    task = sys.argv[4]

    barrier = asyncio.Semaphore(0)
    ready = asyncio.Semaphore(0)

    async def gated(agent):
        async with stdio_client(server(bin_path, repo, agent), errlog=sys.stderr) as (r, w):
            async with ClientSession(r, w) as session:
                await session.initialize()
                ready.release()
                await barrier.acquire()
                return agent, await session.call_tool("claim", {"id": task})

    async def open_gate():
        await ready.acquire()
        await ready.acquire()
        barrier.release()
        barrier.release()

    results = await asyncio.gather(gated("alice"), gated("bob"), open_gate())
    out = {}
    for agent, result in results[:2]:
        if result.is_error:
            err = data(result)["error"]
            out[agent] = {"is_error": True, "kind": err["kind"], "exit_code": err["exit_code"],
                          "message": err["message"]}
        else:
            out[agent] = {"is_error": False, "assignee": data(result)["assignee"]}
    return out


def main():
    scenario, bin_path, repo = sys.argv[1], sys.argv[2], sys.argv[3]
    result = asyncio.run({"loop": loop, "race": race}[scenario](bin_path, repo))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
