//! ADRs among other writers, people and agents: parallel `adr new` from many processes gets
//! 1..N, hand edits and broken records are handled, the project's template override is used,
//! and the brief lists the decisions in force.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::{TestEnv, in_parallel};
use crate::test_adr::{env_at_now, new_adr};

#[test]
fn parallel_new_from_many_processes_numbers_one_to_n() {
    let env = Arc::new(TestEnv::initialised());
    let (writers, per_writer) = (8, 3);
    let numbers: Vec<u64> = in_parallel(&env, writers, per_writer, |env, w, i| {
        let agent = format!("w{w}");
        let title = format!("decision {w}-{i}");
        let run = env.coord(&["--agent", &agent, "adr", "new", &title, "--json"]);
        run.expect_code(0).json()["number"].as_u64().unwrap()
    });
    let unique: BTreeSet<u64> = numbers.iter().copied().collect();
    let n = (writers * per_writer) as u64;
    assert_eq!(
        unique.len(),
        numbers.len(),
        "duplicate numbers: {numbers:?}"
    );
    assert_eq!(
        unique,
        (1..=n).collect::<BTreeSet<u64>>(),
        "gaps: {numbers:?}"
    );
    let files = env.git(&["ls-tree", "--name-only", "coord", "adrs/"]);
    assert_eq!(files.lines().count() as u64, n);
    for (i, f) in files.lines().enumerate() {
        assert!(
            f.starts_with(&format!("adrs/{:04}-decision-", i + 1)),
            "{f}"
        );
    }
    assert_eq!(
        env.json(&["adr", "list"]).as_array().unwrap().len() as u64,
        n
    );
}

#[test]
fn hand_edits_survive_writes_and_broken_records_are_named() {
    let env = env_at_now();
    new_adr(&env, "Cache", &["--context", "Generated context."]);
    let path = "adrs/0001-cache.md";
    let edited = env
        .show(path)
        .replacen("+++\n", "+++\n# agreed in the design call\n", 1)
        .replace("created =", "ticket = \"OPS-12\"\ncreated =")
        .replace("Generated context.", "Hand-written context, with detail.")
        .replace("## Review date", "## Notes\n\nKeep this.\n\n## Review date");
    env.hand_edit(&[(path, Some(&edited))]);
    env.coord(&["adr", "option", "1", "Redis", "--pros", "fast"])
        .expect_code(0);
    env.coord(&[
        "adr",
        "decide",
        "1",
        "--option",
        "Redis",
        "--rationale",
        "fast",
    ])
    .expect_code(0);
    let after = env.show(path);
    for kept in [
        "# agreed in the design call\n",
        "ticket = \"OPS-12\"\n",
        "Hand-written context, with detail.",
        "## Notes\n\nKeep this.\n",
    ] {
        assert!(after.contains(kept), "{kept:?} lost:\n{after}");
    }
    assert!(
        after.contains("status = \"accepted\"") && after.contains("### Redis"),
        "{after}"
    );

    new_adr(&env, "Second", &[]);
    env.hand_edit(&[(
        "adrs/0002-second.md",
        Some("+++\nnumber = 2\ntitle = \"Second\"\nstatus = \"maybe\"\n+++\n"),
    )]);
    let run = env.coord(&["adr", "list", "--json"]).expect_code(0);
    assert!(
        run.stderr.contains("adrs/0002-second.md:4:"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    let run = env.coord(&["adr", "show", "2"]).expect_code(2);
    assert!(
        run.stderr.contains("adrs/0002-second.md:4"),
        "{}",
        run.stderr
    );
    // A broken record still holds its number.
    assert_eq!(new_adr(&env, "Third", &[])["number"], 3);
}

#[test]
fn a_template_override_in_the_worktree_is_used() {
    let env = env_at_now();
    let dir = env.repo.join(".coord/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("adr.md"),
        "# {{ id }} — {{ title }}\n\n## Status\n\n{{ status }}\n\n## Context\n\n{{ context }}\n",
    )
    .unwrap();
    let a = new_adr(&env, "Custom", &["--context", "Why."]);
    assert_eq!(
        a["body"],
        "# ADR-0001 — Custom\n\n## Status\n\nproposed\n\n## Context\n\nWhy.\n"
    );
    env.coord(&["adr", "accept", "1"]).expect_code(0);
    assert!(
        env.show("adrs/0001-custom.md")
            .ends_with("## Status\n\naccepted\n\n## Context\n\nWhy.\n")
    );
    std::fs::write(dir.join("adr.md"), "{% if %}").unwrap();
    let run = env.coord(&["adr", "new", "Broken"]).expect_code(2);
    assert!(
        run.stderr.contains(".coord/templates/adr.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_brief_lists_the_decisions_in_force() {
    let env = env_at_now();
    new_adr(&env, "Use Redis", &[]);
    env.coord(&["adr", "option", "1", "Redis"]).expect_code(0);
    env.coord(&[
        "adr",
        "decide",
        "1",
        "--option",
        "Redis",
        "--rationale",
        "shared across instances\nand fast",
    ])
    .expect_code(0);
    new_adr(&env, "Still open", &[]);
    new_adr(&env, "Accepted without options", &[]);
    env.coord(&["adr", "accept", "3"]).expect_code(0);
    let brief = env.coord(&["brief", "alice"]).expect_code(0).stdout;
    assert!(
        brief.contains("## Decisions in force\n\n- ADR-0001 Use Redis: Redis: shared across instances\n- ADR-0003 Accepted without options\n\n"),
        "{brief}"
    );
    assert!(!brief.contains("Still open"), "{brief}");
    let data = env.json(&["brief", "alice"]);
    assert_eq!(data["decisions"][0]["id"], "ADR-0001");
}
