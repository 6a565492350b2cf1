//! The README's tour, replayed in a fresh repository exactly as written there: the commands
//! are read from README.md, each `<…-id>` is replaced by the ID the command that made it
//! printed, and every command must succeed. The README cannot drift from the tool again.

use std::collections::HashMap;

use crate::common::{BIN, TestEnv, isolate};

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
