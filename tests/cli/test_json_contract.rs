//! The `--json` contract (DESIGN §4), pinned before issue 12 moves the view types: one
//! scenario drives every command that prints JSON through the real binary, and each output is
//! an insta snapshot in `tests/cli/snapshots/`. A refactoring that renames, retypes, reorders
//! or drops a field, or changes what a list holds or its order, fails here.
//!
//! Only what differs between runs is normalised ([`Normaliser`]): random record IDs become
//! placeholders numbered by first appearance (the same ID is the same placeholder everywhere,
//! so references keep pointing at their record), commit IDs likewise, the temporary directory
//! becomes `[ROOT]`, and the seconds a gate criterion took become `<f64>`. Field names, value
//! types, nulls and the order of fields and of array items are kept as printed. Tasks are
//! seeded through `import` with fixed IDs (`t-000001`…) so that the many lists ordered by ID
//! are stable; only one task gets a random ID, and it sorts after every fixed one.
//!
//! Missing snapshots fail under `CI=true` (insta then neither writes nor accepts); write them
//! with `INSTA_UPDATE=always cargo test --test cli test_json_contract` and review the files.

use std::collections::HashMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::TestEnv;

const NOW: &str = "2026-11-21T10:00:00Z";

/// Rewrites what varies between runs into stable placeholders, consistently for the whole
/// scenario, and nothing else.
struct Normaliser {
    /// Literal text to replace (temporary directories), longest first.
    paths: Vec<(String, String)>,
    /// IDs chosen by the test, left as they are.
    keep: HashSet<String>,
    ids: HashMap<String, String>,
    next_id: HashMap<char, usize>,
    /// Full commit ID → its placeholder number.
    shas: HashMap<String, usize>,
    /// Repositories whose commits short commit IDs may abbreviate.
    repos: Vec<PathBuf>,
    known_commits: Vec<String>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_lowercase()
}

impl Normaliser {
    fn new(root: &Path) -> Normaliser {
        let mut paths = vec![(root.display().to_string(), "[ROOT]".to_owned())];
        if let Ok(real) = root.canonicalize() {
            paths.push((real.display().to_string(), "[ROOT]".to_owned()));
        }
        paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Normaliser {
            paths,
            keep: HashSet::new(),
            ids: HashMap::new(),
            next_id: HashMap::new(),
            shas: HashMap::new(),
            repos: Vec::new(),
            known_commits: Vec::new(),
        }
    }

    /// The length of a record ID (`t-`, `m-`, `c-`, `r-`, `n-` and 6 to 32 of 0-9a-z) at `i`.
    fn id_at(b: &[u8], i: usize) -> Option<usize> {
        if !matches!(b.get(i), Some(b't' | b'm' | b'c' | b'r' | b'n'))
            || b.get(i + 1) != Some(&b'-')
        {
            return None;
        }
        let run = b[i + 2..].iter().take_while(|&&c| is_id_byte(c)).count();
        let next = b.get(i + 2 + run).copied();
        if (6..=32).contains(&run) && !next.is_some_and(|c| is_word(c) || c == b'-') {
            Some(2 + run)
        } else {
            None
        }
    }

    /// The length of a run of 7 to 40 lowercase hex digits at `i` that ends a word.
    fn hex_at(b: &[u8], i: usize) -> Option<usize> {
        let run = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count();
        let next = b.get(i + run).copied();
        ((7..=40).contains(&run) && !next.is_some_and(is_word)).then_some(run)
    }

    fn refresh_commits(&mut self) {
        self.known_commits.clear();
        for repo in &self.repos {
            let out = std::process::Command::new("git")
                .args(["rev-list", "--all", "--reflog"])
                .current_dir(repo)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .expect("run git rev-list");
            let text = String::from_utf8_lossy(&out.stdout);
            self.known_commits
                .extend(text.lines().map(|l| l.trim().to_owned()));
        }
    }

    fn sha(&mut self, full: &str) -> usize {
        let n = self.shas.len() + 1;
        *self.shas.entry(full.to_owned()).or_insert(n)
    }

    /// A commit ID, full or abbreviated, as `<sha-N>` or `<sha-N:LEN>`; `None` for hex that
    /// names no commit (a short number, a word).
    fn commit(&mut self, hex: &str) -> Option<String> {
        if hex.len() == 40 {
            return Some(format!("<sha-{}>", self.sha(hex)));
        }
        let find = |known: &[String]| known.iter().find(|c| c.starts_with(hex)).cloned();
        let full = match find(&self.known_commits) {
            Some(full) => full,
            None => {
                self.refresh_commits();
                find(&self.known_commits)?
            }
        };
        Some(format!("<sha-{}:{}>", self.sha(&full), hex.len()))
    }

    fn id(&mut self, id: &str) -> String {
        if self.keep.contains(id) {
            return id.to_owned();
        }
        if let Some(p) = self.ids.get(id) {
            return p.clone();
        }
        let kind = id.chars().next().unwrap_or('?');
        let n = self.next_id.entry(kind).or_insert(0);
        *n += 1;
        let placeholder = format!("{kind}-<{n}>");
        self.ids.insert(id.to_owned(), placeholder.clone());
        placeholder
    }

    fn text(&mut self, input: &str) -> String {
        let mut s = input.to_owned();
        for (path, with) in &self.paths {
            s = s.replace(path.as_str(), with);
        }
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        // Right after an escape such as `\n` a word starts, although the byte before is `n`;
        // and the escaped character itself never starts an ID (`\n-status` in a diff).
        let mut after_escape = false;
        while i < s.len() {
            if b[i] == b'\\' && i + 1 < s.len() && b[i + 1].is_ascii() {
                out.push_str(&s[i..i + 2]);
                i += 2;
                after_escape = true;
                continue;
            }
            let boundary = i == 0 || after_escape || !is_word(b[i - 1]);
            after_escape = false;
            if boundary {
                if let Some(len) = Self::id_at(b, i) {
                    let id = &s[i..i + len];
                    let placeholder = self.id(id);
                    // A fan-out directory is the ID's first two characters: it varies with it.
                    let fan = format!("/{}/", &id[2..4]);
                    if placeholder != id && out.ends_with(&fan) {
                        out.truncate(out.len() - fan.len());
                        out.push_str("/<fan>/");
                    }
                    out.push_str(&placeholder);
                    i += len;
                    continue;
                }
                if let Some(len) = Self::hex_at(b, i)
                    && let Some(placeholder) = self.commit(&s[i..i + len])
                {
                    out.push_str(&placeholder);
                    i += len;
                    continue;
                }
            }
            let c = s[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
        out
    }
}

/// The scenario: one repository, a fixed clock, and the normaliser every snapshot goes through.
struct Contract {
    env: TestEnv,
    norm: Normaliser,
}

/// Replaces the number after each `"seconds": ` (how long a gate criterion ran) with `<f64>`,
/// checking it is a number so the type stays pinned.
fn mask_seconds(text: &str) -> String {
    let key = "\"seconds\": ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        out.push_str(&rest[..at + key.len()]);
        rest = &rest[at + key.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
            .unwrap_or(rest.len());
        assert!(
            rest[..end].parse::<f64>().is_ok(),
            "seconds is a number: {rest}"
        );
        out.push_str("<f64>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl Contract {
    fn new(env: TestEnv) -> Contract {
        let mut norm = Normaliser::new(&env.root);
        norm.repos.push(env.repo.clone());
        Contract { env, norm }
    }

    /// Runs `git coord ARGS --json`, expects `code`, checks stdout is exactly one JSON value
    /// and stderr holds no JSON error, snapshots the normalised stdout as `name`, and returns
    /// the parsed value (with real IDs, to drive the next steps).
    #[track_caller]
    fn snap(&mut self, name: &str, args: &[&str], code: i32) -> Value {
        self.snap_in(name, &self.env.repo.clone(), args, code)
    }

    #[track_caller]
    fn snap_in(&mut self, name: &str, dir: &Path, args: &[&str], code: i32) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let run = self.env.coord_in(dir, &all).expect_code(code);
        let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: stdout is not one JSON value ({e}):\n{}\nstderr:\n{}",
                run.stdout, run.stderr
            )
        });
        let text = self.render(&all, code, &run.stdout);
        insta::assert_snapshot!(name, text);
        value
    }

    /// Runs a command that must fail with `code` under `--json`: nothing on stdout, one JSON
    /// error object on stderr, which is snapshotted.
    #[track_caller]
    fn snap_error(&mut self, name: &str, args: &[&str], code: i32) {
        let mut all = args.to_vec();
        all.push("--json");
        let run = self.env.coord(&all).expect_code(code);
        assert_eq!(
            run.stdout, "",
            "{name}: a failed command prints nothing on stdout"
        );
        let value: Value = serde_json::from_str(&run.stderr).unwrap_or_else(|e| {
            panic!(
                "{name}: stderr is not one JSON value ({e}):\n{}",
                run.stderr
            )
        });
        assert_eq!(value["error"]["exit_code"], code, "{name}: {value}");
        let text = self.render(&all, code, &run.stderr);
        insta::assert_snapshot!(name, text);
    }

    /// The snapshot text: the command line, the exit code, then the output as printed.
    fn render(&mut self, args: &[&str], code: i32, output: &str) -> String {
        let quoted: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains([' ', '*', '?', ',']) {
                    format!("'{a}'")
                } else {
                    (*a).to_owned()
                }
            })
            .collect();
        let line = self.norm.text(&quoted.join(" "));
        let body = mask_seconds(&self.norm.text(output));
        format!("$ git coord {line}\nexit {code}\n{body}")
    }

    fn id(value: &Value) -> String {
        value["id"].as_str().expect("an id").to_owned()
    }
}

/// The tasks every later step works on, imported with fixed IDs so lists ordered by ID are
/// stable. `Pool` is alice's (it owns `src/pool/**`), `Api` needs it, `Docs` needs `Api`.
fn seed_file(milestone: &str) -> String {
    let lines = [
        format!(
            r#"{{"id":"t-000001","title":"Pool","status":"todo","priority":1,"expertise":["rust"],"estimate_hours":4.0,"milestone":"{milestone}","owns":["src/pool/**"],"created":"2026-11-20T09:00:00Z","updated":"2026-11-20T09:00:00Z","body":"The connection pool."}}"#
        ),
        format!(
            r#"{{"id":"t-000002","title":"Api","status":"todo","priority":1,"depends_on":["t-000001"],"expertise":["rust"],"estimate_hours":2.0,"milestone":"{milestone}","deliverables":["src/api.rs"],"created":"2026-11-20T09:01:00Z","updated":"2026-11-20T09:01:00Z"}}"#
        ),
        r#"{"id":"t-000003","title":"Docs","status":"todo","priority":2,"depends_on":["t-000002"],"expertise":["docs"],"estimate_hours":1.5,"due":"2026-11-22T18:00:00Z","created":"2026-11-20T09:02:00Z","updated":"2026-11-20T09:02:00Z"}"#.to_owned(),
        r#"{"id":"t-000004","title":"Spike","status":"todo","priority":3,"estimate_hours":1.0,"created":"2026-11-20T09:03:00Z","updated":"2026-11-20T09:03:00Z"}"#.to_owned(),
    ];
    lines.join("\n") + "\n"
}

#[test]
fn every_json_output_keeps_its_shape() {
    let mut env = TestEnv::new();
    env.now = Some(NOW.into());
    env.git(&["config", "coord.agent", "lead"]);
    let mut c = Contract::new(env);
    for id in ["t-000001", "t-000002", "t-000003", "t-000004"] {
        c.norm.keep.insert(id.to_owned());
    }

    // Failures before there is anything: not initialised (exit 2).
    c.snap_error("error_not_initialised", &["task", "list"], 2);

    // Setup and agents.
    c.snap("init", &["init"], 0);
    c.snap("whoami", &["whoami"], 0);
    // Hooks in and out again, so later commits in the scenario run none.
    c.snap("hooks_install", &["hooks", "install"], 0);
    c.snap("hooks_uninstall", &["hooks", "uninstall"], 0);
    c.snap(
        "agent_add",
        &[
            "agent",
            "add",
            "alice",
            "--role",
            "backend",
            "--expertise",
            "rust,redis",
        ],
        0,
    );
    c.env
        .coord(&["agent", "add", "bob", "--expertise", "docs"])
        .expect_code(0);
    c.snap(
        "agent_edit",
        &["--agent", "bob", "agent", "edit", "bob", "--role", "writer"],
        0,
    );

    // Milestone, then the seeded tasks and one task with a random ID.
    let milestone = Contract::id(&c.snap(
        "milestone_add",
        &[
            "milestone",
            "add",
            "Beta",
            "--due",
            "2026-12-01",
            "--criterion",
            "test -f README.md",
        ],
        0,
    ));
    let seed = c.env.root.join("seed.jsonl");
    std::fs::write(&seed, seed_file(&milestone)).expect("write the seed file");
    let seed = seed.to_str().expect("utf-8 path").to_owned();
    c.snap(
        "import_dry_run",
        &["import", &seed, "--from", "json", "--dry-run"],
        0,
    );
    c.snap("import", &["import", &seed, "--from", "json"], 0);
    let spare = Contract::id(&c.snap(
        "task_add",
        &[
            "task",
            "add",
            "Cleanup",
            "--priority",
            "3",
            "--estimate",
            "30m",
            "--expertise",
            "rust",
            "--check",
            "true",
            "--body",
            "Remove dead code.",
        ],
        0,
    ));
    c.snap(
        "task_edit",
        &[
            "task",
            "edit",
            &spare,
            "--due",
            "2026-11-30",
            "--owns",
            "src/old/**",
        ],
        0,
    );
    c.snap(
        "task_dep_add",
        &["task", "dep", "add", &spare, "t-000004"],
        0,
    );
    c.snap("task_dep_rm", &["task", "dep", "rm", &spare, "t-000004"], 0);
    c.snap("task_list", &["task", "list"], 0);
    c.snap("task_show", &["task", "show", "t-000002"], 0);

    // Scheduling views.
    c.snap("ready", &["ready"], 0);
    c.snap("path", &["path"], 0);
    c.snap("graph", &["graph"], 0);
    c.snap("gantt", &["gantt"], 0);
    c.snap("milestone_list", &["milestone", "list"], 0);
    c.snap("milestone_show", &["milestone", "show", &milestone], 0);

    // The task lifecycle, acted by alice.
    c.snap("claim", &["--agent", "alice", "claim", "t-000001"], 0);
    c.snap("review", &["--agent", "alice", "review", "t-000001"], 0);
    c.snap("start", &["--agent", "alice", "start", "t-000001"], 0);
    c.snap(
        "block",
        &[
            "--agent",
            "alice",
            "block",
            "t-000001",
            "--reason",
            "waiting for Redis",
        ],
        0,
    );
    c.snap("unblock", &["--agent", "alice", "unblock", "t-000001"], 0);
    // Held by alice: bob loses (exit 3), with the JSON error on stderr.
    c.snap_error("error_held", &["--agent", "bob", "done", "t-000001"], 3);
    c.snap_error("error_unknown_id", &["task", "show", "t-zzzzzz"], 2);
    c.snap("release", &["--agent", "alice", "release", "t-000001"], 0);
    c.snap("next", &["--agent", "alice", "next"], 0);
    c.snap("done", &["--agent", "alice", "done", "t-000001"], 0);
    c.snap("assign", &["assign", "t-000003", "--to", "bob"], 0);
    c.snap("assign_auto", &["assign", "t-000002", "--to", "auto"], 0);
    // Not ready (it needs Api): a negative answer, exit 1.
    c.snap_error(
        "error_not_ready",
        &["--agent", "bob", "claim", "t-000003"],
        1,
    );

    // Gate: a dry run, then a real one (its criterion passes in any repository).
    c.snap("gate_dry_run", &["gate", &milestone, "--dry-run"], 0);
    c.snap("gate", &["gate", &milestone], 0);

    // `export --json` prints JSON lines (one task per line), not one value. It is ordered by
    // ID, so it runs while `Cleanup` is the only task with a random ID (it sorts last).
    let run = c.env.coord(&["export", "--json"]).expect_code(0);
    for line in run.stdout.lines() {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("export line is not JSON ({e}): {line}"));
    }
    let text = c.render(&["export", "--json"], 0, &run.stdout);
    insta::assert_snapshot!("export", text);

    // Files: claims, who holds what, and checks against them.
    c.snap(
        "own",
        &[
            "--agent",
            "alice",
            "own",
            "src/pool/**",
            "--reason",
            "pool rewrite",
        ],
        0,
    );
    c.snap(
        "own_shared",
        &[
            "--agent", "bob", "own", "docs/**", "--shared", "--ttl", "4h",
        ],
        0,
    );
    c.snap("owners", &["owners"], 0);
    c.snap("owners_path", &["owners", "src/pool/mod.rs"], 0);
    let pool = c.env.repo.join("src/pool");
    std::fs::create_dir_all(&pool).expect("mkdir src/pool");
    std::fs::write(pool.join("mod.rs"), "// pool\n").expect("write src/pool/mod.rs");
    c.env.git(&["add", "src/pool/mod.rs"]);
    c.snap("check_staged", &["check", "--staged"], 1);
    c.snap(
        "check_staged_format_json",
        &["check", "--staged", "--format", "json"],
        1,
    );
    c.env.git(&["commit", "-q", "-m", "pool by lead"]);
    c.snap("check_range", &["check", "--range", "HEAD~1..HEAD"], 1);
    c.snap(
        "check_range_format_json",
        &["check", "--range", "HEAD~1..HEAD", "--format", "json"],
        1,
    );
    c.snap("disown", &["--agent", "bob", "disown", "docs/**"], 0);

    // Spawning an agent: the plan, then the real thing (worktree under the temp root).
    c.snap(
        "spawn_print",
        &[
            "spawn",
            "carol",
            "--expertise",
            "docs",
            "--task",
            "t-000003",
            "--print",
        ],
        0,
    );
    let carol = c.env.root.join("carol");
    let carol = carol.to_str().expect("utf-8 path").to_owned();
    c.snap(
        "spawn",
        &[
            "spawn",
            "dave",
            "--role",
            "tester",
            "--expertise",
            "rust",
            "--owns",
            "tests/**",
            "--path",
            &carol,
        ],
        0,
    );
    // Two registered agents' branches change the same line: `check --branches` sees it.
    c.snap(
        "agent_edit_branch",
        &[
            "--agent",
            "alice",
            "agent",
            "edit",
            "alice",
            "--branch",
            "agent/alice",
        ],
        0,
    );
    let alice_wt = c.env.root.join("alice-wt");
    c.env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "agent/alice",
        alice_wt.to_str().expect("utf-8 path"),
        "main",
    ]);
    for (dir, text) in [
        (alice_wt.as_path(), "hello, alice\n"),
        (Path::new(&carol), "hello, dave\n"),
    ] {
        std::fs::write(dir.join("README.md"), text).expect("write README.md");
        c.env.git_in(dir, &["commit", "-q", "-am", "greet"]);
    }
    c.snap("check_branches", &["check", "--branches"], 1);
    c.snap(
        "check_branches_format_json",
        &["check", "--branches", "--format", "json"],
        1,
    );
    c.snap("brief", &["brief", "alice"], 0);
    c.snap(
        "checkin",
        &["checkin", "--status", "active", "--note", "planning"],
        0,
    );
    c.snap("agent_list", &["agent", "list"], 0);
    c.snap("agent_show", &["agent", "show", "alice"], 0);

    // Memory: scratchpad and messages.
    c.snap(
        "note",
        &["note", "Pool timeouts are 2s", "--section", "integration"],
        0,
    );
    c.snap("scratchpad", &["scratchpad"], 0);
    let question = Contract::id(&c.snap(
        "send",
        &[
            "send",
            "alice",
            "--subject",
            "Pool timeout?",
            "--body",
            "How long?",
            "--needs-reply",
            "--kind",
            "question",
            "--task",
            "t-000001",
        ],
        0,
    ));
    c.snap("inbox", &["--agent", "alice", "inbox"], 0);
    c.snap(
        "reply",
        &["--agent", "alice", "reply", &question, "2s, and retry once"],
        0,
    );
    c.snap("ack", &["--agent", "alice", "ack", &question], 0);
    c.snap("inbox_all", &["inbox", "--all"], 0);
    c.snap(
        "send_all",
        &["send", "all", "--subject", "Schema frozen", "--kind", "fyi"],
        0,
    );
    // Never answered: overdue once the clock moves on.
    c.env
        .coord(&["send", "bob", "--subject", "Docs?", "--needs-reply"])
        .expect_code(0);

    // Decisions.
    c.snap(
        "adr_new",
        &[
            "adr",
            "new",
            "Use Redis for rate limiting",
            "--context",
            "Limits must hold across instances",
        ],
        0,
    );
    c.snap(
        "adr_option",
        &[
            "adr",
            "option",
            "1",
            "Redis",
            "--pros",
            "shared",
            "--cons",
            "one more service",
        ],
        0,
    );
    c.env
        .coord(&["adr", "option", "1", "In-process LRU"])
        .expect_code(0);
    c.snap(
        "adr_edit",
        &[
            "adr",
            "edit",
            "1",
            "--deadline",
            "2026-12-15",
            "--deciders",
            "lead",
        ],
        0,
    );
    c.snap(
        "adr_decide",
        &[
            "adr",
            "decide",
            "1",
            "--option",
            "Redis",
            "--rationale",
            "limits must hold across instances",
        ],
        0,
    );
    c.env
        .coord(&["adr", "new", "Keep sessions in memory"])
        .expect_code(0);
    c.snap("adr_reject", &["adr", "reject", "2"], 0);
    c.env.coord(&["adr", "new", "Use Valkey"]).expect_code(0);
    c.snap("adr_accept", &["adr", "accept", "3"], 0);
    c.snap("adr_supersede", &["adr", "supersede", "1", "--by", "3"], 0);
    c.env.coord(&["adr", "new", "Log as JSON"]).expect_code(0);
    c.env.coord(&["adr", "accept", "4"]).expect_code(0);
    c.snap("adr_deprecate", &["adr", "deprecate", "4"], 0);
    c.snap(
        "adr_edit_review_date",
        &["adr", "edit", "3", "--review-date", "2026-11-01"],
        0,
    );
    c.snap("adr_review", &["adr", "review"], 0);
    c.snap("adr_list", &["adr", "list"], 0);
    c.snap("adr_show", &["adr", "show", "1"], 0);
    c.snap_error(
        "error_adr_supersede_proposed",
        &["adr", "supersede", "3", "--by", "2"],
        2,
    );
    let exported = c.env.root.join("adr-out");
    let exported = exported.to_str().expect("utf-8 path").to_owned();
    c.snap("adr_export", &["adr", "export", &exported], 0);
    let incoming = c.env.root.join("adr-in");
    std::fs::create_dir_all(&incoming).expect("mkdir adr-in");
    std::fs::write(
        incoming.join("0007-record-architecture-decisions.md"),
        "# 7. Record architecture decisions\n\nDate: 2026-01-02\n\n## Status\n\nAccepted\n\n\
         ## Context\n\nWe need to record decisions.\n\n## Decision\n\nWe will use ADRs.\n\n\
         ## Consequences\n\nSee Nygard.\n",
    )
    .expect("write an adr-tools ADR");
    let incoming = incoming.to_str().expect("utf-8 path").to_owned();
    c.snap("adr_import", &["adr", "import", &incoming], 0);

    // Conflicts and risks.
    let conflict = Contract::id(&c.snap(
        "conflict_new",
        &[
            "conflict",
            "new",
            "Who owns the pool",
            "--between",
            "alice,bob",
            "--about",
            "src/pool/**",
            "--about",
            "t-000001",
        ],
        0,
    ));
    c.snap(
        "conflict_propose",
        &[
            "--agent",
            "alice",
            "conflict",
            "propose",
            &conflict,
            "alice owns it",
        ],
        0,
    );
    c.snap(
        "conflict_resolve",
        &[
            "conflict",
            "resolve",
            &conflict,
            // lead is no party; with no coordinators listed, the force is honoured.
            "--force",
            "--resolution",
            "alice owns the pool",
            "--action",
            "Document the pool API",
            "--assign",
            "bob",
        ],
        0,
    );
    c.snap("conflict_list", &["conflict", "list", "--status", "all"], 0);
    c.snap("conflict_show", &["conflict", "show", &conflict], 0);
    let risk = Contract::id(&c.snap(
        "risk_add",
        &[
            "risk",
            "add",
            "Redis is a single point of failure",
            "--impact",
            "high",
            "--probability",
            "medium",
        ],
        0,
    ));
    c.env
        .coord(&[
            "risk",
            "add",
            "Vendor rate limits",
            "--impact",
            "low",
            "--probability",
            "low",
        ])
        .expect_code(0);
    c.snap(
        "risk_edit",
        &[
            "risk",
            "edit",
            &risk,
            "--owner",
            "alice",
            "--mitigation",
            "Sentinel",
        ],
        0,
    );
    c.snap("risk_list", &["risk", "list"], 0);
    c.snap("risk_show", &["risk", "show", &risk], 0);
    // The coordinator's screen with an open conflict, a pending decision and a high risk.
    c.env
        .coord(&["conflict", "new", "Retry policy", "--between", "alice,dave"])
        .expect_code(0);
    c.env
        .coord(&["adr", "new", "Cache TTL", "--deadline", "2026-11-28"])
        .expect_code(0);
    c.snap("status", &["status"], 0);
    c.snap(
        "risk_close",
        // alice owns it now; lead forces (no coordinators listed, so honoured).
        &["risk", "close", &risk, "--reason", "deployed", "--force"],
        0,
    );
    c.snap("risk_list_all", &["risk", "list", "--status", "all"], 0);

    // Overview, history and settings.
    c.snap("log", &["log", "-n", "3"], 0);
    c.snap("log_id", &["log", &risk], 0);
    c.snap("doctor", &["doctor"], 0);
    c.snap("config_list", &["config", "--list"], 0);
    c.snap("config_key", &["config", "coord.branch"], 0);
    c.snap("metrics", &["metrics"], 0);
    c.snap("dispatch_dry_run", &["dispatch", "--dry-run"], 0);
    c.snap("rebalance_dry_run", &["rebalance", "--dry-run"], 0);

    // A day later: the agents are stale and reap returns their tasks.
    c.env.now = Some("2026-11-23T10:00:00Z".into());
    c.snap("status_later", &["status"], 0);
    c.snap("reap_dry_run", &["reap", "--dry-run"], 0);
    c.snap("reap", &["reap"], 0);
    c.snap("cancel", &["cancel", &spare], 0);
    c.snap("task_list_all", &["task", "list", "--all"], 0);
    c.snap(
        "agent_retire",
        &["--agent", "dave", "agent", "retire", "dave"],
        0,
    );
}

/// `demo --json` builds its own repository with random task IDs, and two of its tasks share a
/// priority and a creation time, so their order (by ID) differs between runs. The snapshot
/// therefore orders tasks of equal priority by title, numbers task IDs in that order and sorts
/// each `depends_on` by placeholder; everything else is as printed. The printed text must be
/// exactly what serialising the parsed value gives, so the field order is still pinned.
#[test]
fn demo_json_keeps_its_shape() {
    let mut env = TestEnv::new();
    env.now = Some(NOW.into());
    let dir = env.root.join("demo");
    let dir_arg = dir.to_str().expect("utf-8 path").to_owned();
    let run = env
        .coord_in(&env.root, &["demo", "--dir", &dir_arg, "--json"])
        .expect_code(0);
    let mut value: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("demo: stdout is not one JSON value ({e}):\n{}", run.stdout));
    let reprinted = serde_json::to_string_pretty(&value).expect("serialise");
    assert_eq!(
        run.stdout.trim_end(),
        reprinted,
        "demo --json prints fields in the order of its JSON value"
    );

    let mut c = Contract::new(env);
    c.norm.repos.push(dir.clone());
    let tasks = value["tasks"].as_array_mut().expect("tasks is an array");
    let priorities: Vec<i64> = tasks
        .iter()
        .map(|t| t["priority"].as_i64().expect("priority"))
        .collect();
    assert!(
        priorities.windows(2).all(|w| w[0] <= w[1]),
        "demo tasks come by priority: {priorities:?}"
    );
    tasks.sort_by(|a, b| {
        let key = |t: &Value| {
            (
                t["priority"].as_i64(),
                t["title"].as_str().map(str::to_owned),
            )
        };
        key(a).cmp(&key(b))
    });
    for task in tasks.iter() {
        c.norm.id(task["id"].as_str().expect("id"));
    }
    for task in tasks.iter_mut() {
        let deps = task["depends_on"].as_array_mut().expect("depends_on");
        deps.sort_by_key(|d| c.norm.id(d.as_str().expect("a task ID")));
    }
    let text = serde_json::to_string_pretty(&value).expect("serialise");
    let text = c.render(&["demo", "--dir", &dir_arg, "--json"], 0, &text);
    insta::assert_snapshot!("demo", text);
}
