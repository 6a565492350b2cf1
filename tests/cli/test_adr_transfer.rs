//! `adr import` and `adr export` with adr-tools and MADR directories written here: import keeps
//! numbers and supersede links in one commit, export of what was imported gives the same
//! bytes back, changes made since are in the exported text, and conversions between the
//! formats keep the fields.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::common::TestEnv;

const NOW: &str = "2026-11-21T10:00:00Z";

const ADR_TOOLS: &[(&str, &str)] = &[
    (
        "0001-record-architecture-decisions.md",
        "# 1. Record architecture decisions\n\nDate: 2026-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nWe need to record the architectural decisions made on this project.\n\n## Decision\n\nWe will use Architecture Decision Records, as described by Michael Nygard.\n\n## Consequences\n\nSee Michael Nygard's article, linked above.\n",
    ),
    (
        "0002-use-mysql.md",
        "# 2. Use MySQL\n\nDate: 2026-01-02\n\n## Status\n\nSuperseded by [3. Use PostgreSQL](0003-use-postgresql.md)\n\n## Context\n\nWe need a database.\n\n## Decision\n\nWe will use MySQL.\n\n## Consequences\n\nOperations know it.\n",
    ),
    (
        "0003-use-postgresql.md",
        "# 3. Use PostgreSQL\n\nDate: 2026-01-03\n\n## Status\n\nAccepted\n\nSupersedes [2. Use MySQL](0002-use-mysql.md)\n\nAmended by [4. Use pgbouncer](0004-use-pgbouncer.md)\n\n## Context\n\nMySQL lacks the JSON operators we need.\n\n```\n## not a heading\n```\n\n## Decision\n\nWe will use PostgreSQL.\n\n## Consequences\n\nMigrate the schema.\n",
    ),
    (
        "0004-use-pgbouncer.md",
        "# 4. Use pgbouncer\n\nDate: 2026-01-04\n\n## Status\n\nProposed\n\nAmends [3. Use PostgreSQL](0003-use-postgresql.md)\n\n## Context\n\nToo many connections.\n\n## Decision\n\nTo be decided.\n\n## Consequences\n\nOne more process.\n",
    ),
];

const MADR: &[(&str, &str)] = &[
    (
        "0001-use-markdown-architectural-decision-records.md",
        "---\n# These are optional metadata elements.\nstatus: accepted\ndate: 2026-01-05\ndecision-makers: alice, bob\nconsulted: [carol]\n---\n\n# Use Markdown Architectural Decision Records\n\n## Context and Problem Statement\n\nWhich format and structure should these records follow?\n\n## Considered Options\n\n* MADR 4.0.0\n* Michael Nygard's template\n* Formless\n\n## Decision Outcome\n\nChosen option: \"MADR 4.0.0\", because it is lean and structured.\n\n### Consequences\n\n* Good, because decisions are easy to find.\n\n## Pros and Cons of the Options\n\n### MADR 4.0.0\n\n* Good, because it has a clear structure\n* Bad, because it takes time to learn\n\n### Michael Nygard's template\n\n* Good, because it is well known\n\n### Formless\n\n* Bad, because it is hard to compare\n",
    ),
    (
        "0002-use-postgresql.md",
        "---\nstatus: \"superseded by [ADR-0003](0003-use-cockroachdb.md)\"\ndate: 2026-01-06\ndeciders: Jane Doe\n---\n\n# Use PostgreSQL\n\n## Context and Problem Statement\n\nWe need a database.\n\n## Decision Outcome\n\nChosen option: \"PostgreSQL\", because it is robust.\n",
    ),
    (
        "0003-use-cockroachdb.md",
        "---\nstatus: proposed\ndate: 2026-01-07\n---\n\n# Use CockroachDB\n\n## Context and Problem Statement\n\nWe need to scale writes.\n\n## Considered Options\n\n* CockroachDB\n* Sharded PostgreSQL\n\n## Decision Outcome\n\nTo be decided.\n",
    ),
];

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

/// Writes `files` into `dir` under the repository's parent, with a README and a template
/// that import must leave alone.
fn fixture(env: &TestEnv, dir: &str, files: &[(&str, &str)]) -> String {
    let path = env.root.join(dir);
    std::fs::create_dir_all(&path).unwrap();
    for (name, text) in files {
        std::fs::write(path.join(name), text).unwrap();
    }
    std::fs::write(path.join("README.md"), "# Decisions\n").unwrap();
    std::fs::write(path.join("adr-template.md"), "# {title}\n").unwrap();
    path.to_str().unwrap().to_owned()
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn expected(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

fn by_number(env: &TestEnv) -> BTreeMap<u64, Value> {
    env.json(&["adr", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["number"].as_u64().unwrap(), a.clone()))
        .collect()
}

#[test]
fn adr_tools_directory_round_trips_byte_for_byte() {
    let env = env_at_now();
    let dir = fixture(&env, "doc/adr", ADR_TOOLS);
    let before = env.coord_commits();
    let out = env.json(&["adr", "import", &dir]);
    assert_eq!(
        env.coord_commits(),
        before + 1,
        "one commit for the whole import"
    );
    assert_eq!(out["imported"].as_array().unwrap().len(), 4);
    assert_eq!(out["warnings"], json!([]));
    let adrs = by_number(&env);
    assert_eq!(adrs.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(adrs[&1]["title"], "Record architecture decisions");
    assert_eq!(adrs[&1]["created"], "2026-01-01T00:00:00Z");
    assert_eq!(adrs[&1]["format"], "adr-tools");
    assert_eq!(adrs[&2]["status"], "superseded");
    assert_eq!(adrs[&2]["superseded_by"], json!([3]));
    assert_eq!(adrs[&3]["supersedes"], json!([2]));
    assert_eq!(adrs[&4]["status"], "proposed");
    assert_eq!(adrs[&3]["path"], "adrs/0003-use-postgresql.md");
    // The record keeps the original text whole, after the front matter.
    let record = env.show("adrs/0003-use-postgresql.md");
    assert!(
        record.ends_with(&format!("+++\n{}", ADR_TOOLS[2].1)),
        "{record}"
    );

    let out_dir = env.root.join("exported");
    let run = env.json(&["adr", "export", out_dir.to_str().unwrap()]);
    assert_eq!(run["format"], "adr-tools");
    assert_eq!(read_dir(&out_dir), expected(ADR_TOOLS));

    // Importing again: every number is taken, nothing is written.
    let commits = env.coord_commits();
    let run = env.coord(&["adr", "import", &dir]).expect_code(2);
    assert!(
        run.stderr
            .contains("ADR-0001 (0001-record-architecture-decisions.md) already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(env.coord_commits(), commits);
}

#[test]
fn madr_directory_round_trips_byte_for_byte() {
    let env = env_at_now();
    let dir = fixture(&env, "docs/decisions", MADR);
    let out = env.json(&["adr", "import", &dir]);
    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("0002-use-postgresql.md: decider \\\"Jane Doe\\\" is not an agent name"),
        "{warnings}"
    );
    let adrs = by_number(&env);
    let first = &adrs[&1];
    assert_eq!(first["format"], "madr");
    assert_eq!(first["status"], "accepted");
    assert_eq!(first["deciders"], json!(["alice", "bob"]));
    assert_eq!(first["input_from"], json!(["carol"]));
    assert_eq!(first["created"], "2026-01-05T00:00:00Z");
    assert_eq!(first["decision"]["option"], "MADR 4.0.0");
    assert_eq!(first["decision"]["rationale"], "it is lean and structured.");
    assert_eq!(first["decision"]["by"], Value::Null);
    let names: Vec<&Value> = first["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["name"])
        .collect();
    assert_eq!(
        names,
        [
            &json!("MADR 4.0.0"),
            &json!("Michael Nygard's template"),
            &json!("Formless")
        ]
    );
    assert_eq!(
        first["options"][0]["pros"],
        json!(["it has a clear structure"])
    );
    assert_eq!(
        first["options"][0]["cons"],
        json!(["it takes time to learn"])
    );
    assert_eq!(adrs[&2]["status"], "superseded");
    assert_eq!(adrs[&2]["superseded_by"], json!([3]));
    assert_eq!(adrs[&2]["deciders"], json!([]));
    assert_eq!(adrs[&3]["supersedes"], json!([2]));
    assert_eq!(adrs[&3]["status"], "proposed");

    let out_dir = env.root.join("exported");
    env.json(&["adr", "export", out_dir.to_str().unwrap()]);
    assert_eq!(
        read_dir(&out_dir),
        expected(MADR),
        "default format: the one imported from"
    );
}

#[test]
fn changes_after_import_are_in_the_exported_text() {
    let env = env_at_now();
    let dir = fixture(&env, "docs/decisions", MADR);
    env.json(&["adr", "import", &dir]);
    env.coord(&[
        "adr",
        "option",
        "3",
        "CockroachDB",
        "--pros",
        "scales writes",
    ])
    .expect_code(0);
    env.coord(&[
        "adr",
        "decide",
        "3",
        "--option",
        "cockroachdb",
        "--rationale",
        "it scales writes",
    ])
    .expect_code(0);
    let madr_dir = env.root.join("madr");
    env.json(&["adr", "export", madr_dir.to_str().unwrap()]);
    let third = &read_dir(&madr_dir)["0003-use-cockroachdb.md"];
    assert_eq!(
        third,
        "---\nstatus: accepted\ndate: 2026-01-07\n---\n\n# Use CockroachDB\n\n## Context and Problem Statement\n\nWe need to scale writes.\n\n## Considered Options\n\n* CockroachDB\n* Sharded PostgreSQL\n\n## Decision Outcome\n\nChosen option: \"CockroachDB\", because it scales writes.\n\nTo be decided.\n\n## Pros and Cons of the Options\n\n### CockroachDB\n\n* Good, because scales writes\n\n### Sharded PostgreSQL\n"
    );

    let env = env_at_now();
    let dir = fixture(&env, "doc/adr", ADR_TOOLS);
    env.json(&["adr", "import", &dir]);
    env.coord(&["adr", "accept", "4"]).expect_code(0);
    env.coord(&["adr", "supersede", "3", "--by", "4"])
        .expect_code(0);
    let tools_dir = env.root.join("tools");
    env.json(&["adr", "export", tools_dir.to_str().unwrap()]);
    let files = read_dir(&tools_dir);
    // ADR 3's status lines are rewritten; its link to ADR 2 and adr-tools' other link stay.
    assert!(files["0003-use-postgresql.md"].contains("## Status\n\nSuperseded by [4. Use pgbouncer](0004-use-pgbouncer.md)\n\nSupersedes [2. Use MySQL](0002-use-mysql.md)\n\nAmended by [4. Use pgbouncer](0004-use-pgbouncer.md)\n\n## Context\n"), "{}", files["0003-use-postgresql.md"]);
    assert!(files["0004-use-pgbouncer.md"].contains("## Status\n\nAccepted\n\nSupersedes [3. Use PostgreSQL](0003-use-postgresql.md)\n\nAmends [3. Use PostgreSQL](0003-use-postgresql.md)\n\n## Context\n"), "{}", files["0004-use-pgbouncer.md"]);
    // Nothing else moved.
    for name in ["0001-record-architecture-decisions.md", "0002-use-mysql.md"] {
        assert_eq!(files[name], expected(ADR_TOOLS)[name]);
    }
}

#[test]
fn conversions_keep_the_fields() {
    let env = env_at_now();
    env.json(&[
        "adr",
        "new",
        "Use Redis",
        "--context",
        "Limits must hold.",
        "--deciders",
        "lead",
    ]);
    env.coord(&[
        "adr", "option", "1", "Redis", "--pros", "shared", "--cons", "ops",
    ])
    .expect_code(0);
    env.coord(&["adr", "option", "1", "LRU"]).expect_code(0);
    // lead is its decider (DESIGN §3 "Authority").
    env.coord(&[
        "--agent",
        "lead",
        "adr",
        "decide",
        "1",
        "--option",
        "Redis",
        "--rationale",
        "shared",
    ])
    .expect_code(0);
    env.json(&["adr", "new", "Use Valkey"]);
    env.coord(&["adr", "accept", "2"]).expect_code(0);
    // ADR-0001's decider is lead (ADR 0010's amendment: retiring it is theirs).
    env.coord(&["--agent", "lead", "adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    let original = by_number(&env);

    for format in ["adr-tools", "madr"] {
        let dir = env.root.join(format);
        let out = env.json(&["adr", "export", dir.to_str().unwrap(), "--format", format]);
        assert_eq!(out["files"].as_array().unwrap().len(), 2);
        let text = &read_dir(&dir)["0001-use-redis.md"];
        assert!(text.contains("Limits must hold."), "{text}");
        let other = env_at_now();
        let imported = other.json(&["adr", "import", dir.to_str().unwrap()]);
        assert_eq!(imported["warnings"], json!([]), "{format}");
        let back = by_number(&other);
        for n in [1, 2] {
            for field in ["title", "status", "supersedes", "superseded_by", "options"] {
                assert_eq!(
                    back[&n][field], original[&n][field],
                    "{format} ADR {n} {field}"
                );
            }
        }
        assert_eq!(back[&1]["decision"]["option"], "Redis", "{format}");
        assert_eq!(back[&1]["decision"]["rationale"], "shared.", "{format}");
    }
    let madr = &read_dir(&env.root.join("madr"))["0001-use-redis.md"];
    assert!(madr.starts_with("---\nstatus: superseded by [ADR-0002](0002-use-valkey.md)\ndate: 2026-11-21\ndecision-makers: lead\n---\n\n# Use Redis\n"), "{madr}");
}

#[test]
fn import_refuses_bad_directories_writing_nothing() {
    let env = env_at_now();
    let commits = env.coord_commits();
    let run = env
        .coord(&["adr", "import", "/nonexistent/doc/adr"])
        .expect_code(2);
    assert!(
        run.stderr.contains("/nonexistent/doc/adr"),
        "{}",
        run.stderr
    );
    let empty = fixture(&env, "empty", &[]);
    let run = env.coord(&["adr", "import", &empty]).expect_code(2);
    assert!(run.stderr.contains("has no ADR files"), "{}", run.stderr);
    let twice = fixture(
        &env,
        "twice",
        &[ADR_TOOLS[0], ("01-again.md", ADR_TOOLS[1].1)],
    );
    let run = env.coord(&["adr", "import", &twice]).expect_code(2);
    assert!(run.stderr.contains("ADR-0001 is both"), "{}", run.stderr);
    let odd = fixture(
        &env,
        "odd",
        &[ADR_TOOLS[0], ("0002-notes.md", "just some notes\n")],
    );
    let run = env.coord(&["adr", "import", &odd]).expect_code(2);
    assert!(
        run.stderr.contains("cannot import 0002-notes.md"),
        "{}",
        run.stderr
    );
    assert_eq!(env.coord_commits(), commits);

    // A number already on the branch stops the import, naming it.
    env.json(&["adr", "new", "Ours"]);
    let dir = fixture(&env, "doc/adr", ADR_TOOLS);
    let run = env.coord(&["adr", "import", &dir]).expect_code(2);
    assert!(
        run.stderr.contains("at adrs/0001-ours.md"),
        "{}",
        run.stderr
    );
}
