//! Scratchpads and messages through the binary: append-only notes (raced by parallel
//! processes), messages flowing between agents, read state, replies, overdue replies.

use std::sync::Arc;

use crate::common::{TestEnv, in_parallel};

#[test]
fn notes_append_and_parallel_notes_lose_nothing() {
    let env = Arc::new(TestEnv::initialised());
    env.coord(&["note", "first thought"]).expect_code(0);
    env.coord(&[
        "note",
        "Pool API: get_conn()\n## not a heading",
        "--section",
        "integration",
    ])
    .expect_code(0);
    in_parallel(&env, 6, 5, |env, w, i| {
        env.coord(&["note", &format!("parallel {w}-{i}")])
            .expect_code(0);
    });
    let pad = env.json(&["scratchpad"]);
    let entries = pad["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 32);
    assert_eq!(entries[0]["text"], "first thought");
    assert_eq!(entries[1]["section"], "integration");
    assert_eq!(entries[1]["text"], "Pool API: get_conn()\n## not a heading");
    for w in 0..6 {
        for i in 0..5 {
            let text = format!("parallel {w}-{i}");
            assert!(
                entries.iter().any(|e| e["text"] == text.as_str()),
                "{text} lost"
            );
        }
    }
    // The file reads as plain markdown in git.
    let file = env.show("scratchpads/alice.md");
    assert!(file.starts_with("# Scratchpad: alice\n\n## "), "{file}");
    assert!(file.contains("\\## not a heading"), "{file}");
    // Someone else's scratchpad, by name.
    env.coord(&["--agent", "bob", "note", "bob here"])
        .expect_code(0);
    assert_eq!(
        env.json(&["scratchpad", "bob"])["entries"][0]["text"],
        "bob here"
    );
    env.coord(&["note", "   "]).expect_code(2);
}

#[test]
fn messages_flow_between_agents() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    let task = env.add("Pool", &[]);
    let q = env.json(&[
        "send",
        "bob",
        "--subject",
        "Pool timeout?",
        "--needs-reply",
        "--task",
        &task[..5],
        "--file",
        "src/pool.rs",
        "--body",
        "2s or 5s?",
    ]);
    assert_eq!(q["kind"], "question");
    assert_eq!(q["task"], task.as_str());
    let q_id = q["id"].as_str().unwrap().to_owned();
    env.now = Some("2026-11-21T10:01:00Z".to_owned());
    env.json(&["send", "all", "--subject", "Schema frozen"]);

    // The sender never sees its own messages.
    assert_eq!(env.json(&["inbox"]).as_array().unwrap().len(), 0);
    let bob = env.json(&["--agent", "bob", "inbox"]);
    let subjects: Vec<&str> = bob
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, vec!["Pool timeout?", "Schema frozen"]);
    assert_eq!(bob[0]["reply_overdue"], false);
    // carol gets only the broadcast.
    assert_eq!(
        env.json(&["--agent", "carol", "inbox"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Five hours later the question is flagged.
    env.now = Some("2026-11-21T15:00:00Z".to_owned());
    let bob = env.json(&["--agent", "bob", "inbox"]);
    assert_eq!(bob[0]["reply_overdue"], true);
    let text = env
        .coord(&["--agent", "bob", "inbox"])
        .expect_code(0)
        .stdout;
    assert!(text.contains("reply overdue"), "{text}");

    // bob answers by prefix: one commit holds the answer and the read mark.
    let before = env.coord_commits();
    let answer = env.json(&["--agent", "bob", "reply", &q_id[..5], "2s, and retry once"]);
    assert_eq!(env.coord_commits(), before + 1);
    assert_eq!(answer["to"], "alice");
    assert_eq!(answer["reply_to"], q_id.as_str());
    assert_eq!(answer["subject"], "Re: Pool timeout?");
    let bob = env.json(&["--agent", "bob", "inbox"]);
    assert_eq!(bob.as_array().unwrap().len(), 1, "the question is read now");
    let all = env.json(&["--agent", "bob", "inbox", "--all"]);
    assert_eq!(all[0]["read"], true);
    assert_eq!(all[0]["replies"].as_array().unwrap().len(), 1);
    assert_eq!(all[0]["reply_overdue"], false);

    // alice sees the answer, acks it; acking twice changes nothing.
    let mine = env.json(&["inbox"]);
    assert_eq!(mine[0]["body"], "2s, and retry once\n");
    let a_id = mine[0]["id"].as_str().unwrap().to_owned();
    env.coord(&["ack", &a_id]).expect_code(0);
    let commits = env.coord_commits();
    env.coord(&["ack", &a_id]).expect_code(0);
    assert_eq!(env.coord_commits(), commits);
    assert_eq!(env.json(&["inbox"]).as_array().unwrap().len(), 0);
}

#[test]
fn bad_messages_are_refused() {
    let env = TestEnv::initialised();
    env.coord(&["send", "../bob", "--subject", "x"])
        .expect_code(2);
    env.coord(&["send", "bob", "--subject", ""]).expect_code(2);
    env.coord(&["send", "bob", "--subject", "x", "--kind", "rant"])
        .expect_code(2);
    env.coord(&["send", "bob", "--subject", "x", "--task", "t-nothere"])
        .expect_code(2);
    env.coord(&["reply", "m-zzzzzz", "hi"]).expect_code(2);
    env.coord(&["ack", "../x"]).expect_code(2);
    assert_eq!(env.coord_commits(), 1);
}
