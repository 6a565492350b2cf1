//! What a new user hit (issue 11): output scripts capture, errors for every wrong step, and
//! wording computed from what happened; and the README's tour, replayed as written.

use std::collections::HashMap;

use crate::common::{BIN, TestEnv, isolate};

#[test]
fn whoami_prints_only_the_name_on_stdout() {
    let env = TestEnv::initialised();
    let run = env.coord(&["whoami"]).expect_code(0);
    // `agent=$(git coord whoami)` must capture exactly the name.
    assert_eq!(run.stdout, "alice\n");
    assert!(
        run.stderr.contains("git config coord.agent"),
        "the source goes to stderr:\n{}",
        run.stderr
    );
    let quiet = env.coord(&["-q", "whoami"]).expect_code(0);
    assert_eq!(quiet.stdout, "alice\n");
    assert_eq!(quiet.stderr, "");
}

#[track_caller]
fn json_usage_error(env: &TestEnv, args: &[&str], message: &str, hint: Option<&str>) {
    let run = env.coord(args).expect_code(2);
    assert_eq!(run.stdout, "", "nothing on stdout for {args:?}");
    let v: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stderr is not one JSON object ({e}):\n{}",
            run.stderr
        )
    });
    let err = &v["error"];
    assert_eq!(err["kind"], "usage", "{v}");
    assert_eq!(err["exit_code"], 2, "{v}");
    let text = err["message"].as_str().unwrap_or_default();
    assert!(text.contains(message), "{args:?}: message {text:?}");
    assert!(err["causes"].is_array() && err["details"].is_null(), "{v}");
    let hints: Vec<&str> = err["hints"]
        .as_array()
        .map(|a| a.iter().filter_map(|h| h.as_str()).collect())
        .unwrap_or_default();
    if let Some(h) = hint {
        assert!(
            hints.iter().any(|x| x.contains(h)),
            "{args:?}: hints {hints:?}"
        );
    }
}

#[test]
fn json_usage_errors_are_json_objects_on_stderr() {
    let env = TestEnv::initialised();
    json_usage_error(
        &env,
        &["--json", "clam"],
        "unrecognized subcommand 'clam'",
        Some("claim"),
    );
    json_usage_error(&env, &["task", "add", "--json"], "<TITLE>", None);
    json_usage_error(
        &env,
        &["--json", "--color", "bogus", "status"],
        "invalid value 'bogus'",
        Some("auto, always, never"),
    );
    json_usage_error(
        &env,
        &["task", "list", "--json", "--stauts", "todo"],
        "--stauts",
        Some("--status"),
    );
    // Without --json the text stays clap's, and help is still help.
    let text = env.coord(&["clam"]).expect_code(2);
    assert!(text.stderr.starts_with("error: unrecognized subcommand"));
    let help = env.coord(&["--json", "task", "--help"]).expect_code(0);
    assert!(help.stdout.contains("Usage:"), "{}", help.stdout);
}

#[test]
fn replying_to_my_own_message_goes_to_the_other_party() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "checkin"]).expect_code(0);
    let sent = env.json(&["send", "bob", "--subject", "Timeout?", "--needs-reply"]);
    let id = sent["id"].as_str().expect("message id").to_owned();
    // alice follows up on her own question before bob answers.
    let run = env
        .coord(&["reply", &id, "2s would do, I think"])
        .expect_code(0);
    assert!(run.stdout.contains("to bob"), "{}", run.stdout);
    let inbox = env.json(&["--agent", "bob", "inbox"]);
    let subjects: Vec<&str> = inbox
        .as_array()
        .expect("inbox is a list")
        .iter()
        .filter_map(|m| m["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"Re: Timeout?"), "{inbox}");
    // And bob's answer to alice's message still goes to alice.
    let bob = env
        .coord(&["--agent", "bob", "reply", &id, "2s"])
        .expect_code(0);
    assert!(bob.stdout.contains("to alice"), "{}", bob.stdout);
}

#[test]
fn status_shows_a_stale_agent_as_stale() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T08:00:00Z".to_owned());
    let t = env.add("Pool", &[]);
    env.coord(&["--agent", "ghost", "claim", &t]).expect_code(0);
    env.now = Some("2026-11-21T12:00:00Z".to_owned());
    let run = env.coord(&["status"]).expect_code(0);
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("ghost"))
        .unwrap_or_else(|| panic!("no row for ghost:\n{}", run.stdout));
    let cells: Vec<&str> = row.split_whitespace().collect();
    // AGENT ROLE STATUS …: the status column says stale, not the "active" it last reported.
    assert_eq!(cells.get(2), Some(&"stale"), "{row}");
    assert!(!row.contains("active") && !row.contains("STALE"), "{row}");
}

#[test]
fn the_demo_tells_what_it_did() {
    let env = TestEnv::new();
    let dir = env.root.join("demo");
    let run = env
        .coord(&["demo", "--dir", dir.to_str().expect("utf-8")])
        .expect_code(0);
    let agents = env
        .coord_in(&dir, &["agent", "list", "--json"])
        .expect_code(0)
        .json();
    let ids: Vec<&str> = agents
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    let others: Vec<&str> = ids.iter().copied().filter(|id| *id != "lead").collect();
    let said = format!(
        "registered {} agents ({}; {} with the lead)",
        others.len(),
        others.join(", "),
        ids.len()
    );
    assert!(
        run.stdout.contains(&said),
        "the story should say {said:?}:\n{}",
        run.stdout
    );
    let tasks = env
        .coord_in(&dir, &["task", "list", "--all", "--json"])
        .expect_code(0)
        .json();
    let n = tasks.as_array().map(Vec::len).unwrap_or(0);
    assert!(
        run.stdout.contains(&format!("planned {n} tasks")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_first_write_that_registers_an_agent_says_so() {
    let env = TestEnv::initialised();
    let t = env.add("Pool", &[]);
    env.coord(&["--agent", "bob", "checkin"]).expect_code(0);
    // A typo of bob: the claim works (first-write registration), with a warning.
    let run = env.coord(&["--agent", "bbo", "claim", &t]).expect_code(0);
    assert!(
        run.stderr
            .contains("registered new agent bbo; agents known: alice, bob"),
        "{}",
        run.stderr
    );
    assert!(env.show("agents/bbo.toml").contains("id = \"bbo\""));
    // Known agents write quietly, and a refused write registers nobody and says nothing.
    let again = env.coord(&["--agent", "bbo", "release", &t]).expect_code(0);
    assert!(!again.stderr.contains("registered"), "{}", again.stderr);
    let refused = env.coord(&["--agent", "ghost", "claim", "t-zzzzzz"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        !refused.stderr.contains("registered new agent"),
        "{}",
        refused.stderr
    );
    assert!(
        env.git(&["ls-tree", "--name-only", "coord", "agents/"])
            .lines()
            .all(|l| l != "agents/ghost.toml")
    );
}

#[test]
fn sending_to_an_unregistered_agent_warns() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "checkin"]).expect_code(0);
    let run = env
        .coord(&["send", "nobody", "--subject", "Hello?"])
        .expect_code(0);
    assert!(
        run.stderr.contains("nobody is not a registered agent")
            && run.stderr.contains("agents known: alice, bob"),
        "{}",
        run.stderr
    );
    let ok = env
        .coord(&["send", "bob", "--subject", "Hi"])
        .expect_code(0);
    assert!(
        !ok.stderr.contains("not a registered agent"),
        "{}",
        ok.stderr
    );
}

#[test]
fn a_reap_message_has_an_id_like_every_other_message() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T08:00:00Z".to_owned());
    let t = env.add("Pool", &[]);
    env.coord(&["--agent", "ghost", "claim", &t]).expect_code(0);
    let sent = env.json(&["send", "all", "--subject", "Hello"]);
    env.now = Some("2026-11-21T12:00:00Z".to_owned());
    env.coord(&["--agent", "lead", "reap"]).expect_code(0);
    let inbox = env.json(&["inbox", "--all"]);
    let ids: Vec<&str> = inbox
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    let reap = inbox
        .as_array()
        .expect("a list")
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Reaped"))
        })
        .unwrap_or_else(|| panic!("no reap message in {ids:?}"));
    let len = |id: &str| id.len();
    assert_eq!(
        len(reap["id"].as_str().unwrap_or_default()),
        len(sent["id"].as_str().unwrap_or_default()),
        "{ids:?}"
    );
}

#[test]
fn one_kind_of_warning_is_singular() {
    let env = TestEnv::initialised();
    let file = env.root.join("tasks.json");
    std::fs::write(
        &file,
        r#"[{"title": "A", "color": "blue", "created": "2026-11-21T10:00:00Z"}]"#,
    )
    .expect("write import file");
    let run = env
        .coord(&["import", file.to_str().expect("utf-8"), "--from", "json"])
        .expect_code(0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("(1 kind of warning;"), "{all}");
}

#[test]
fn config_list_shows_every_setting_and_where_it_came_from() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.staleAfter", "3h"]);
    let list = env.json(&["config", "--list"]);
    let get = |key: &str| {
        list.as_array()
            .expect("a list")
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("{key} is not listed: {list}"))
            .clone()
    };
    let stale = get("coord.staleAfter");
    assert_eq!(stale["value"], "3h");
    assert_eq!(stale["origin"], "repository");
    assert!(
        stale["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("config"))
    );
    let reply = get("coord.replyWithin");
    assert_eq!(
        (reply["value"].as_str(), reply["origin"].as_str()),
        (Some("4h"), Some("default"))
    );
    let agent = get("coord.agent");
    assert_eq!(agent["value"], "alice");
    let flagged = env.json(&["--agent", "bob", "config", "coord.agent"]);
    assert_eq!(
        (flagged["value"].as_str(), flagged["origin"].as_str()),
        (Some("bob"), Some("command line"))
    );
    // One key prints just its value; an unknown key names the known ones.
    assert_eq!(
        env.coord(&["config", "coord.staleAfter"])
            .expect_code(0)
            .stdout,
        "3h\n"
    );
    let bad = env.coord(&["config", "coord.stale"]).expect_code(2);
    assert!(bad.stderr.contains("coord.staleAfter"), "{}", bad.stderr);
    // Project policy is listed too, from the committed .coord/config.toml.
    assert_eq!(get("coordinators")["origin"], "default");
    std::fs::create_dir_all(env.repo.join(".coord")).expect("mkdir .coord");
    std::fs::write(
        env.repo.join(".coord/config.toml"),
        "coordinators = [\"lead\", \"alice\"]\n",
    )
    .expect("write policy");
    env.git(&["add", ".coord/config.toml"]);
    env.git(&["commit", "-q", "-m", "policy"]);
    let policy = env.json(&["config", "coordinators"]);
    assert_eq!(
        (policy["value"].as_str(), policy["origin"].as_str()),
        (Some("lead, alice"), Some("HEAD"))
    );
    assert_eq!(policy["scope"], "project");
    // The README's table lists every key config --list knows.
    let readme = include_str!("../../README.md");
    for s in list.as_array().expect("a list") {
        let key = s["key"].as_str().unwrap_or_default();
        assert!(
            readme.contains(&format!("| `{key}` |")),
            "README lacks {key}"
        );
    }
}

#[test]
fn spawn_without_a_commit_refuses_before_writing_anything() {
    let env = TestEnv::initialised();
    let empty = env.root.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    env.git_in(&empty, &["init", "-q", "-b", "main"]);
    env.git_in(&empty, &["config", "coord.agent", "lead"]);
    env.coord_in(&empty, &["init"]).expect_code(0);
    let refs = || {
        env.git_in(
            &empty,
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    };
    let before = refs();
    let run = env
        .coord_in(&empty, &["spawn", "state", "--owns", "src/state/**"])
        .expect_code(2);
    assert!(run.stderr.contains("no commit yet"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git commit --allow-empty"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("fatal:"), "{}", run.stderr);
    assert_eq!(refs(), before, "nothing was written");
    let names = env.git_in(&empty, &["ls-tree", "-r", "--name-only", "coord"]);
    assert!(!names.contains("agents/state.toml"), "{names}");

    // An existing branch is refused the same way, before anything is registered.
    env.git(&["branch", "agent/state"]);
    let run = env.refused(&["spawn", "state"], 2);
    assert!(
        run.stderr.contains("branch agent/state exists"),
        "{}",
        run.stderr
    );
    assert!(
        !env.git(&["ls-tree", "-r", "--name-only", "coord"])
            .contains("agents/state.toml")
    );
}

#[test]
fn superseding_needs_an_accepted_successor() {
    let env = TestEnv::initialised();
    env.coord(&["adr", "new", "Use Redis"]).expect_code(0);
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    env.coord(&["adr", "new", "Use Redis Cluster"])
        .expect_code(0);
    let run = env.refused(&["adr", "supersede", "1", "--by", "2"], 2);
    assert!(
        run.stderr
            .contains("ADR-0002 is proposed: only an accepted ADR can supersede another"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git coord adr accept 2"),
        "{}",
        run.stderr
    );
    env.coord(&["adr", "accept", "2"]).expect_code(0);
    env.coord(&["adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    assert_eq!(env.json(&["adr", "show", "1"])["status"], "superseded");
}

#[test]
fn an_adr_whose_links_change_is_regenerated_even_when_its_fields_do_not() {
    let env = TestEnv::initialised();
    env.coord(&["adr", "new", "Use Redis"]).expect_code(0);
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    env.coord(&["adr", "new", "Use Redis Cluster"])
        .expect_code(0);
    env.coord(&["adr", "accept", "2"]).expect_code(0);
    // A person marks ADR 1 superseded by hand, naming no successor.
    let path = "adrs/0001-use-redis.md";
    let record = env
        .show(path)
        .replace("status = \"accepted\"", "status = \"superseded\"");
    env.hand_edit(&[(path, Some(&record))]);
    env.coord(&["adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    let text = env.show(path);
    assert!(
        text.contains("Superseded by [ADR-0002: Use Redis Cluster](0002-use-redis-cluster.md)"),
        "ADR 1's generated status shows its successor:\n{text}"
    );
    let files = env.git(&["show", "--name-only", "--format=", "coord"]);
    assert!(
        files.contains(path),
        "the supersede commit rewrote ADR 1: {files}"
    );
}

#[test]
fn past_deadlines_are_taken_with_a_warning() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-12-01T09:00:00Z".to_owned());
    let run = env
        .coord(&["task", "add", "Late", "--due", "2026-11-30"])
        .expect_code(0);
    assert!(
        run.stderr.contains("--due 2026-11-30 has already passed"),
        "{}",
        run.stderr
    );
    let id = env.add("On time", &["--due", "2026-12-31"]);
    let edit = env
        .coord(&["task", "edit", &id, "--due", "2026-01-01"])
        .expect_code(0);
    assert!(
        edit.stderr.contains("--due 2026-01-01 has already passed"),
        "{}",
        edit.stderr
    );
    let adr = env
        .coord(&["adr", "new", "Cache", "--deadline", "2026-11-01"])
        .expect_code(0);
    assert!(
        adr.stderr
            .contains("--deadline 2026-11-01 has already passed"),
        "{}",
        adr.stderr
    );
    let adr_edit = env
        .coord(&["adr", "edit", "1", "--deadline", "2025-01-01"])
        .expect_code(0);
    assert!(
        adr_edit
            .stderr
            .contains("--deadline 2025-01-01 has already passed"),
        "{}",
        adr_edit.stderr
    );
    let ms = env
        .coord(&["milestone", "add", "Beta", "--due", "2026-11-02"])
        .expect_code(0);
    assert!(
        ms.stderr.contains("--due 2026-11-02 has already passed"),
        "{}",
        ms.stderr
    );
    let fine = env
        .coord(&["task", "add", "Fine", "--due", "2026-12-02"])
        .expect_code(0);
    assert!(!fine.stderr.contains("passed"), "{}", fine.stderr);
}

#[test]
fn quiet_creations_print_exactly_the_id() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "checkin"]).expect_code(0);
    let id_like = |out: &str, prefix: &str| {
        let line = out.strip_suffix('\n').unwrap_or(out);
        assert!(
            line.starts_with(prefix) && !line.contains(char::is_whitespace),
            "{prefix}: stdout is {out:?}"
        );
        line.to_owned()
    };
    let m = env
        .coord(&[
            "-q",
            "send",
            "bob",
            "--subject",
            "Timeout?",
            "--needs-reply",
        ])
        .expect_code(0)
        .stdout;
    let m = id_like(&m, "m-");
    // The ID printed is the one that works in the next command.
    let r = env
        .coord(&["-q", "--agent", "bob", "reply", &m, "2s"])
        .expect_code(0)
        .stdout;
    id_like(&r, "m-");
    let c = env
        .coord(&[
            "-q",
            "conflict",
            "new",
            "Pool",
            "--between",
            "alice,bob",
            "--about",
            "src/pool/**",
        ])
        .expect_code(0)
        .stdout;
    let c = id_like(&c, "c-");
    let tasks = env
        .coord(&[
            "-q",
            "conflict",
            "resolve",
            &c,
            "--resolution",
            "split",
            "--action",
            "Move it",
        ])
        .expect_code(0)
        .stdout;
    id_like(&tasks, "t-");
    let r = env
        .coord(&[
            "-q",
            "risk",
            "add",
            "SPOF",
            "--impact",
            "high",
            "--probability",
            "low",
        ])
        .expect_code(0)
        .stdout;
    id_like(&r, "r-");
    let ms = env
        .coord(&["-q", "milestone", "add", "Beta", "--due", "2030-01-01"])
        .expect_code(0)
        .stdout;
    id_like(&ms, "m-");
    let adr = env
        .coord(&["-q", "adr", "new", "Cache"])
        .expect_code(0)
        .stdout;
    assert_eq!(adr, "ADR-0001\n");
    let note = env.coord(&["-q", "note", "Pool API"]).expect_code(0).stdout;
    assert!(
        !note.trim().is_empty() && note.lines().count() == 1 && !note.contains(' '),
        "{note:?}"
    );
}

#[test]
fn an_agent_that_never_acted_shows_never() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T08:00:00Z".to_owned());
    env.coord(&["agent", "add", "bob", "--expertise", "redis"])
        .expect_code(0);
    env.now = Some("2026-11-21T08:30:00Z".to_owned());
    // The registry says so: no last_seen until bob acts.
    let record = env.show("agents/bob.toml");
    assert!(!record.contains("last_seen"), "{record}");
    let status = env.coord(&["status"]).expect_code(0).stdout;
    let row = status
        .lines()
        .find(|l| l.starts_with("bob"))
        .unwrap_or_else(|| panic!("no row for bob:\n{status}"));
    assert!(row.trim_end().ends_with("never"), "{row}");
    let json = env.json(&["status"]);
    let bob = json["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "bob"))
        .expect("bob in status");
    assert!(bob["last_seen"].is_null(), "{bob}");
    assert_eq!(bob["stale"], false);
    let doctor = env.coord(&["doctor"]).expect_code(0);
    assert!(
        doctor.stdout.contains("agent bob has never acted")
            || doctor.stderr.contains("agent bob has never acted"),
        "{}{}",
        doctor.stdout,
        doctor.stderr
    );
    // Once bob acts, he is seen, and doctor is quiet about him.
    env.coord(&["--agent", "bob", "checkin"]).expect_code(0);
    let shown = env.json(&["agent", "show", "bob"]);
    assert_eq!(shown["last_seen"], "2026-11-21T08:30:00Z");
    let doctor = env.coord(&["doctor"]).expect_code(0);
    assert!(!format!("{}{}", doctor.stdout, doctor.stderr).contains("never acted"));
    // An agent never seen still goes stale, counted from its registration.
    env.coord(&["agent", "add", "carol"]).expect_code(0);
    env.now = Some("2026-11-21T12:00:00Z".to_owned());
    let json = env.json(&["status"]);
    let carol = json["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "carol"))
        .expect("carol in status");
    assert_eq!(carol["stale"], true, "{carol}");
}

// ---- The README's tour ----
//
// The README's tour, replayed in a fresh repository exactly as written there: the commands
// are read from README.md, each `<…-id>` is replaced by the ID the command that made it
// printed, and every command must succeed. The README cannot drift from the tool again.

/// The commands of the `sh` blocks of the README's "A short tour" section, one per entry,
/// with continuation lines joined, comments dropped and `;` splitting a line into commands.
fn tour_commands(readme: &str) -> Vec<String> {
    let start = readme.find("## A short tour").expect("README has a tour");
    let rest = &readme[start + 1..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in section.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let code = strip_comment(line);
        if let Some(head) = code.trim_end().strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(&code);
        for command in split_outside_quotes(&pending, ';') {
            if !command.trim().is_empty() {
                commands.push(command.trim().to_owned());
            }
        }
        pending.clear();
    }
    commands
}

/// The line without a `#` comment (a `#` after whitespace, outside quotes).
fn strip_comment(line: &str) -> String {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return line[..i].to_owned(),
            _ => {}
        }
        prev = c;
    }
    line.to_owned()
}

fn split_outside_quotes(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c == sep => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// Shell words: whitespace-separated, with '…' and "…" quoting (all the tour uses).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            _ => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// The first record ID (`t-…`, `m-…`, `c-…`, `r-…`) in `text`.
fn first_id(text: &str, prefix: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| {
            w.strip_prefix(prefix)
                .is_some_and(|r| r.len() >= 6 && r.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .map(str::to_owned)
}

/// Which placeholder the output of a command defines, and the kind of ID to look for.
fn defines(command: &str) -> Option<(&'static str, &'static str)> {
    [
        ("task add \"Redis connection pool\"", "<pool-id>", "t-"),
        ("task add \"Redis rate limiter\"", "<limiter-id>", "t-"),
        ("task add \"Load test the limiter\"", "<load-id>", "t-"),
        ("coord send ", "<msg-id>", "m-"),
        ("coord conflict new ", "<conflict-id>", "c-"),
        ("coord milestone add ", "<milestone-id>", "m-"),
    ]
    .into_iter()
    .find(|(needle, _, _)| command.contains(needle))
    .map(|(_, placeholder, prefix)| (placeholder, prefix))
}

#[test]
fn the_readme_tour_runs_as_written() {
    let mut env = TestEnv::new();
    env.now = Some("2026-12-01T09:00:00Z".to_owned());
    // What the tour's prose says the project already has: a Beads export and an origin.
    std::fs::create_dir_all(env.repo.join(".beads")).expect("mkdir .beads");
    std::fs::write(
        env.repo.join(".beads/issues.jsonl"),
        "{\"id\":\"bd-1\",\"title\":\"Write the runbook\",\"status\":\"open\",\"priority\":2,\"issue_type\":\"task\",\"created_at\":\"2026-11-20T10:00:00Z\"}\n",
    )
    .expect("write the Beads export");
    let origin = env.root.join("origin.git");
    env.git(&[
        "clone",
        "-q",
        "--bare",
        ".",
        origin.to_str().expect("utf-8"),
    ]);
    env.git(&["remote", "add", "origin", origin.to_str().expect("utf-8")]);
    env.git(&["fetch", "-q", "origin"]);

    let commands = tour_commands(include_str!("../../README.md"));
    assert!(
        commands.len() >= 40,
        "the tour has {} commands",
        commands.len()
    );
    let mut ids: HashMap<&str, String> = HashMap::new();
    for command in &commands {
        let mut argv = words(command);
        for w in argv.iter_mut() {
            if w.contains("<pool-path>") {
                let pool = ids.get("<pool-id>").expect("the pool is added first");
                let shown = env.json(&["task", "show", pool]);
                let path = shown["path"].as_str().expect("a path").to_owned();
                *w = w.replace("<pool-path>", &path);
            }
            for (placeholder, id) in &ids {
                *w = w.replace(placeholder, id);
            }
            assert!(
                !(w.contains("<") && w.contains("-id>")),
                "{command}: nothing printed {w} before it is used"
            );
        }
        let (program, args) = match argv.as_slice() {
            [git, coord, rest @ ..] if git == "git" && coord == "coord" => (BIN, rest),
            [git, rest @ ..] if git == "git" => ("git", rest),
            _ => panic!("the tour should only run git and git coord: {command}"),
        };
        let mut cmd = std::process::Command::new(program);
        isolate(&mut cmd, env.home());
        if let Some(now) = &env.now {
            cmd.env("GIT_COORD_NOW", now);
        }
        let out = cmd
            .args(args)
            .current_dir(&env.repo)
            .output()
            .expect("run a tour command");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "the README's `{command}` failed ({:?}):\n{stdout}\n{stderr}",
            out.status.code()
        );
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        if let Some((placeholder, prefix)) = defines(command) {
            let id = first_id(&stdout, prefix)
                .unwrap_or_else(|| panic!("`{command}` printed no {prefix} ID:\n{stdout}"));
            ids.insert(placeholder, id);
        }
    }
    // The tour did what it says: the pool is done, the limiter is alice's, the ADRs link.
    let pool = env.json(&["task", "show", &ids["<pool-id>"]]);
    assert_eq!(pool["status"], "done");
    let limiter = env.json(&["task", "show", &ids["<limiter-id>"]]);
    assert_eq!(limiter["assignee"], "alice");
    let adr = env.json(&["adr", "show", "1"]);
    assert_eq!(adr["status"], "superseded", "{adr}");
}

#[test]
fn tour_parsing_splits_joins_and_strips() {
    let readme = "## A short tour\n```sh\ngit coord a 'x # y' # comment\ngit coord b \\\n    --c \"d;e\";  git coord f\n```\n## Next\n```sh\ngit coord no\n```\n";
    assert_eq!(
        tour_commands(readme),
        vec![
            "git coord a 'x # y'",
            "git coord b     --c \"d;e\"",
            "git coord f"
        ]
    );
    assert_eq!(
        words("git coord a 'x # y' \"b c\""),
        vec!["git", "coord", "a", "x # y", "b c"]
    );
    assert_eq!(
        first_id("Added t-4kz9w2 (x)", "t-").as_deref(),
        Some("t-4kz9w2")
    );
    assert_eq!(first_id("see t-1", "t-"), None);
}

#[test]
fn a_block_without_a_reason_is_refused_by_the_model() {
    let env = TestEnv::initialised();
    let t = env.add("Pool", &[]);
    env.coord(&["claim", &t]).expect_code(0);
    let run = env.refused(&["block", &t, "--reason", "   "], 2);
    assert!(
        run.stderr.contains("--reason: say what the task waits for"),
        "{}",
        run.stderr
    );
    assert_eq!(env.json(&["task", "show", &t])["status"], "in_progress");
}

#[test]
fn clicolor_force_colours_a_pipe_and_no_color_wins() {
    let env = TestEnv::initialised();
    env.add("Pool", &["--priority", "0"]);
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = env.coord_cmd(&env.repo);
        cmd.env_remove("NO_COLOR").args(["task", "list"]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().expect("run").stdout).into_owned()
    };
    assert!(!run(&[]).contains('\u{1b}'), "a pipe gets no colour");
    assert!(
        run(&[("CLICOLOR_FORCE", "1")]).contains("\u{1b}["),
        "CLICOLOR_FORCE colours"
    );
    assert!(!run(&[("CLICOLOR_FORCE", "0")]).contains('\u{1b}'));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
}

#[test]
fn next_says_when_it_skipped_work_it_could_not_claim() {
    let env = TestEnv::initialised();
    env.coord(&["own", "src/b.rs"]).expect_code(0);
    env.add("Grab b", &["--owns", "src/b.rs"]);
    let run = env.refused(&["--agent", "bob", "next"], 1);
    assert!(
        run.stderr
            .contains("1 task(s) are ready; the 1 that would be mine could not be claimed"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("none fits the expertise"),
        "{}",
        run.stderr
    );
    let json = env.refused(&["--agent", "bob", "next", "--json"], 1);
    let err: serde_json::Value =
        serde_json::from_str(json.stderr.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {}", json.stderr));
    assert_eq!(err["error"]["details"]["skipped"], 1, "{err}");
}

#[test]
fn the_new_agent_warning_names_at_most_ten_agents() {
    let env = TestEnv::initialised();
    for i in 0..12 {
        env.coord(&["--agent", &format!("a{i:02}"), "checkin"])
            .expect_code(0);
    }
    let run = env.coord(&["--agent", "newbie", "checkin"]).expect_code(0);
    assert!(
        run.stderr.contains("agents known: a00, a01, a02, a03, a04, a05, a06, a07, a08, a09 and 3 more (`git coord agent list`)"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_escape_the_paths_they_name() {
    let env = TestEnv::initialised();
    let id = env.add("Real", &[]);
    let stray = "tasks/zz/t-\u{1b}[31mRED\u{202e}.md";
    env.hand_edit(&[(stray, Some(&crate::common::record("t-zzzzzz", "Stray", "")))]);
    for args in [
        &["task", "list"][..],
        &["ready"][..],
        &["status"][..],
        &["export", "--json"][..],
    ] {
        let run = env.coord(args);
        assert!(run.stderr.contains("warning:"), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{202e}'),
            "{args:?} printed a raw escape: {:?}",
            run.stderr
        );
        assert!(
            run.stderr.contains("\\u{1b}[31mRED\\u{202e}"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(env.json(&["task", "show", &id])["title"], "Real");
}
