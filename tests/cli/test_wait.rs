//! `wait` through the binary, with real parallel processes: a waiting process is woken by a
//! write from another process (a message, a reply, a task's `done`, new ready work), a
//! timeout exits 1 with JSON saying so, and bad input fails before any wait.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::common::TestEnv;

/// Starts `git-coord wait …` as its own process and returns once it says it is waiting
/// (its "waiting for …" line on stderr: the real signal, no sleep).
fn start_wait(env: &TestEnv, args: &[&str]) -> Child {
    let mut child = env
        .coord_cmd(&env.repo)
        .arg("wait")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn git-coord wait");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr);
    let mut line = String::new();
    lines.read_line(&mut line).expect("read stderr");
    assert!(
        line.starts_with("waiting for "),
        "expected the wait to begin, got {line:?}"
    );
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = lines.read_to_string(&mut rest);
    });
    child
}

/// Waits for the child and returns its exit code and parsed stdout.
fn finish(mut child: Child) -> (i32, Value) {
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("read stdout");
    let status = child.wait().expect("wait for git-coord");
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    (status.code().unwrap_or(-1), json)
}

#[test]
fn wait_inbox_is_woken_by_a_send_from_another_process() {
    let env = TestEnv::initialised();
    let waiter = start_wait(&env, &["--inbox", "--timeout", "60s", "--json"]);
    let sent = env.json(&["--agent", "bob", "send", "alice", "--subject", "Pool size?"]);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["event"], "inbox");
    assert_eq!(woke["messages"][0]["id"], sent["id"]);
    assert_eq!(woke["messages"][0]["from"], "bob");
    // The answer was read from the commit that carried the message.
    let tip = env.git(&["rev-parse", "refs/heads/coord"]);
    assert_eq!(woke["tip"], tip.trim());
}

#[test]
fn wait_inbox_answers_at_once_when_a_message_is_already_unread() {
    let env = TestEnv::initialised();
    env.json(&["--agent", "bob", "send", "alice", "--subject", "Earlier"]);
    let run = env
        .coord(&["wait", "--inbox", "--timeout", "30s", "--json"])
        .expect_code(0);
    let woke = run.json();
    assert_eq!(woke["messages"][0]["subject"], "Earlier");
    assert!(!run.stderr.contains("waiting for"), "{}", run.stderr);
}

#[test]
fn wait_times_out_with_exit_1_and_json_saying_so() {
    let env = TestEnv::initialised();
    let run = env
        .coord(&["wait", "--inbox", "--timeout", "300ms", "--json"])
        .expect_code(1);
    let out = run.json();
    assert_eq!(out["event"], "timeout");
    assert!(out["waited_secs"].as_f64().unwrap() >= 0.3, "{out}");
    assert!(run.stderr.contains("\"exit_code\":1"), "{}", run.stderr);
    // Without --json: exit 1 and a message on stderr, nothing on stdout.
    let run = env
        .coord(&["wait", "--ready", "--timeout", "200ms"])
        .expect_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("within 200ms"), "{}", run.stderr);
}

#[test]
fn wait_reply_is_woken_by_a_reply_from_another_process() {
    let env = TestEnv::initialised();
    let asked = env.json(&["send", "bob", "--subject", "Timeout?", "--needs-reply"]);
    let id = asked["id"].as_str().unwrap().to_owned();
    let waiter = start_wait(&env, &["--reply", &id, "--timeout", "60s", "--json"]);
    // Unrelated writes move the tip without waking it.
    env.coord(&["note", "still waiting"]).expect_code(0);
    let answer = env.json(&["--agent", "bob", "reply", &id, "2s, retry once"]);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["event"], "reply");
    assert_eq!(woke["message"], id.as_str());
    assert_eq!(woke["replies"][0]["id"], answer["id"]);
    assert_eq!(woke["replies"][0]["body"], "2s, retry once\n");
}

#[test]
fn wait_task_status_is_woken_when_another_agent_finishes_it() {
    let env = TestEnv::initialised();
    let id = env.add("Pool", &[]);
    env.coord(&["--agent", "bob", "claim", &id]).expect_code(0);
    let waiter = start_wait(
        &env,
        &[
            "--task",
            &id,
            "--status",
            "done",
            "--timeout",
            "60s",
            "--json",
        ],
    );
    // A change that is not the awaited status does not wake it.
    env.coord(&["--agent", "bob", "review", &id]).expect_code(0);
    env.coord(&["--agent", "bob", "done", &id, "--no-check"])
        .expect_code(0);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["event"], "task");
    assert_eq!(woke["task"]["id"], id.as_str());
    assert_eq!(woke["task"]["status"], "done");
    assert_eq!(woke["task"]["path"], crate::common::task_path(&id));
}

#[test]
fn wait_task_without_status_wakes_on_the_next_change() {
    let env = TestEnv::initialised();
    let id = env.add("Pool", &[]);
    let waiter = start_wait(&env, &["--task", &id, "--timeout", "60s", "--json"]);
    env.coord(&["--agent", "bob", "claim", &id]).expect_code(0);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["task"]["assignee"], "bob");
}

#[test]
fn wait_ready_is_woken_by_work_that_fits() {
    let env = TestEnv::initialised();
    env.coord(&["agent", "add", "alice", "--expertise", "backend"])
        .expect_code(0);
    let waiter = start_wait(&env, &["--ready", "--timeout", "60s", "--json"]);
    // Work for another expertise does not wake it; work that fits does.
    env.add("CSS", &["--expertise", "frontend"]);
    let id = env.add("Redis", &["--expertise", "backend"]);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["event"], "ready");
    let ids: Vec<&str> = woke["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
}

#[test]
fn wait_refuses_bad_input_before_waiting() {
    let env = TestEnv::initialised();
    let run = env
        .coord(&["wait", "--task", "t-zzzzzz", "--timeout", "60s"])
        .expect_code(2);
    assert!(run.stderr.contains("no task matches"), "{}", run.stderr);
    let run = env
        .coord(&["wait", "--reply", "m-zzzzzz", "--timeout", "60s"])
        .expect_code(2);
    assert!(run.stderr.contains("no message matches"), "{}", run.stderr);
    env.coord(&["wait", "--inbox", "--timeout", "soon"])
        .expect_code(2);
    env.coord(&["wait", "--inbox", "--ready"]).expect_code(2);
    env.coord(&["wait", "--timeout", "1s"]).expect_code(2);
    // --inbox and --ready need an agent.
    env.git(&["config", "--unset", "coord.agent"]);
    let run = env
        .coord(&["wait", "--inbox", "--timeout", "60s"])
        .expect_code(2);
    assert!(run.stderr.contains("no agent is set"), "{}", run.stderr);
}

#[test]
fn wait_still_wakes_after_the_ref_is_packed() {
    let env = TestEnv::initialised();
    let waiter = start_wait(&env, &["--inbox", "--timeout", "60s", "--json"]);
    // The loose ref file disappears into packed-refs: the watch sees the files change, finds
    // the tip where it was, and goes on waiting.
    env.git(&["pack-refs", "--all", "--prune"]);
    assert!(
        !env.repo.join(".git/refs/heads/coord").exists(),
        "the ref is packed"
    );
    let sent = env.json(&["--agent", "bob", "send", "alice", "--subject", "After gc"]);
    let (code, woke) = finish(waiter);
    assert_eq!(code, 0, "{woke}");
    assert_eq!(woke["messages"][0]["id"], sent["id"]);
}
