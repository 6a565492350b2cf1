//! Review findings 11 and 15 on issue 10's authority model (ADR 0010 and its amendment): a
//! settled ADR, a conflict and an owned risk change only by their owners or a coordinator's
//! `--force` (refused with exit 3 before anything is written, the force signed in the commit),
//! and `brief` shows record text escaped by the one rule. Each test reproduces the finding as
//! the review describes it.

use crate::common::{Run, TestEnv, record, task_path};

/// Runs `args` as `agent`, expects exit 3, and checks that it wrote nothing.
#[track_caller]
fn refused(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    env.refused_as(agent, args, 3)
}

/// The trailers of the last commit on the coordination branch, read by git.
fn last_trailers(env: &TestEnv) -> String {
    env.git(&["log", "coord", "-1", "--format=%(trailers)"])
}

/// The review's authority setup (/tmp/review-auth.sh): coordinators = ["lead"] committed on
/// main; lead, alice and mallory registered.
fn review_auth() -> TestEnv {
    let mut env = TestEnv::new();
    env.now = Some("2026-11-21T08:00:00Z".to_owned());
    env.git(&["config", "coord.agent", "alice"]);
    env.commit_config("coordinators = [\"lead\"]\n");
    env.coord(&["init"]).expect_code(0);
    for (who, role) in [
        ("lead", "coordinator"),
        ("alice", "dev"),
        ("mallory", "dev"),
    ] {
        env.as_agent(who, &["agent", "add", who, "--role", role])
            .expect_code(0);
    }
    env
}

/// ADR `n`'s JSON, read back.
fn adr(env: &TestEnv, n: &str) -> serde_json::Value {
    env.json(&["adr", "show", n])
}

// Finding 11: mallory accepts her own ADR-0002 (no deciders), then `adr supersede ADR-0001
// --by ADR-0002` superseded alice's accepted ADR-0001, no --force.
#[test]
fn superseding_another_agents_accepted_adr_is_refused() {
    let env = review_auth();
    env.as_agent("alice", &["adr", "new", "Use Redis", "--deciders", "alice"])
        .expect_code(0);
    env.as_agent("alice", &["adr", "accept", "ADR-0001"])
        .expect_code(0);
    env.as_agent("mallory", &["adr", "new", "Use Mongo"])
        .expect_code(0);
    // Her own ADR with no deciders is hers to accept.
    env.as_agent("mallory", &["adr", "accept", "ADR-0002"])
        .expect_code(0);

    let run = refused(
        &env,
        "mallory",
        &["adr", "supersede", "ADR-0001", "--by", "ADR-0002"],
    );
    assert!(
        run.stderr
            .contains("ADR-0001 (Use Redis) is decided by alice"),
        "{}",
        run.stderr
    );
    let run = refused(
        &env,
        "mallory",
        &[
            "adr",
            "supersede",
            "ADR-0001",
            "--by",
            "ADR-0002",
            "--force",
        ],
    );
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    assert_eq!(adr(&env, "1")["status"], "accepted");
    assert_eq!(adr(&env, "2")["supersedes"], serde_json::json!([]));

    // The coordinator's force is honoured and signed.
    env.as_agent(
        "lead",
        &[
            "adr",
            "supersede",
            "ADR-0001",
            "--by",
            "ADR-0002",
            "--force",
        ],
    )
    .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead"));
    assert_eq!(adr(&env, "1")["status"], "superseded");
}

// Finding 11, an ADR that lists no deciders: once settled it is its proposer's (the record's
// `proposed_by`), not anyone's.
#[test]
fn a_settled_adr_without_deciders_is_its_proposers() {
    let env = review_auth();
    env.as_agent("alice", &["adr", "new", "Use Redis"])
        .expect_code(0);
    env.as_agent("alice", &["adr", "accept", "1"])
        .expect_code(0);
    assert!(
        env.show("adrs/0001-use-redis.md")
            .contains("proposed_by = \"alice\"")
    );
    env.as_agent("mallory", &["adr", "new", "Use Mongo"])
        .expect_code(0);
    env.as_agent("mallory", &["adr", "accept", "2"])
        .expect_code(0);

    let run = refused(&env, "mallory", &["adr", "supersede", "1", "--by", "2"]);
    assert!(
        run.stderr
            .contains("ADR-0001 (Use Redis) is proposed by alice"),
        "{}",
        run.stderr
    );
    refused(&env, "mallory", &["adr", "deprecate", "1"]);
    refused(
        &env,
        "mallory",
        &["adr", "edit", "1", "--title", "Use Mongo"],
    );
    assert_eq!(adr(&env, "1")["status"], "accepted");

    // Its proposer retires it herself, no force, nothing signed.
    env.as_agent("alice", &["adr", "supersede", "1", "--by", "2"])
        .expect_code(0);
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
    assert_eq!(adr(&env, "1")["status"], "superseded");
}

// Finding 11: `adr edit ADR-0001 --title …` by mallory on alice's ADR, before and after its
// acceptance. Proposed: open for anyone to improve (as its options are). Settled: its deciders'.
#[test]
fn retitling_a_settled_adr_is_its_deciders() {
    let env = review_auth();
    env.as_agent("alice", &["adr", "new", "Use Redis", "--deciders", "alice"])
        .expect_code(0);
    env.as_agent(
        "mallory",
        &["adr", "edit", "ADR-0001", "--title", "Use Redis for limits"],
    )
    .expect_code(0);
    assert_eq!(adr(&env, "1")["title"], "Use Redis for limits");
    // Naming who decides stays the deciders' while proposed too.
    refused(
        &env,
        "mallory",
        &["adr", "edit", "ADR-0001", "--deciders", "mallory"],
    );

    env.as_agent("alice", &["adr", "accept", "ADR-0001"])
        .expect_code(0);
    let run = refused(
        &env,
        "mallory",
        &["adr", "edit", "ADR-0001", "--title", "Use Mongo"],
    );
    assert!(
        run.stderr
            .contains("ADR-0001 (Use Redis for limits) is decided by alice"),
        "{}",
        run.stderr
    );
    refused(
        &env,
        "mallory",
        &["adr", "edit", "ADR-0001", "--title", "Use Mongo", "--force"],
    );
    assert_eq!(adr(&env, "1")["title"], "Use Redis for limits");

    env.as_agent(
        "alice",
        &["adr", "edit", "ADR-0001", "--title", "Use Redis everywhere"],
    )
    .expect_code(0);
    env.as_agent(
        "lead",
        &["adr", "edit", "ADR-0001", "--title", "Use Redis", "--force"],
    )
    .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead"));
    assert_eq!(adr(&env, "1")["title"], "Use Redis");
}

// Finding 11: `conflict resolve` by mallory on a conflict between alice and lead, with action
// items, went through; `conflict propose` stays open to anyone.
#[test]
fn resolving_a_conflict_is_for_its_parties_or_a_coordinators_force() {
    let env = review_auth();
    let id = env
        .as_agent(
            "alice",
            &[
                "conflict",
                "new",
                "Who owns the cache",
                "--between",
                "alice,lead",
                "--json",
            ],
        )
        .expect_code(0)
        .json()["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let tasks_before = env.json(&["task", "list", "--all"]);
    let resolve = [
        "conflict",
        "resolve",
        &id,
        "--resolution",
        "mallory owns it",
        "--action",
        "Give the cache to mallory",
        "--assign",
        "mallory",
    ];
    let run = refused(&env, "mallory", &resolve);
    assert!(
        run.stderr.contains(&format!(
            "conflict {id} (Who owns the cache) is to be resolved by alice, lead"
        )),
        "{}",
        run.stderr
    );
    let mut forced = resolve.to_vec();
    forced.push("--force");
    let run = refused(&env, "mallory", &forced);
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    assert_eq!(env.json(&["task", "list", "--all"]), tasks_before);
    assert_eq!(env.json(&["conflict", "show", &id])["status"], "open");

    // Anyone may propose: that only appends.
    env.as_agent("mallory", &["conflict", "propose", &id, "split it"])
        .expect_code(0);

    // A party resolves without force.
    env.as_agent(
        "lead",
        &[
            "conflict",
            "resolve",
            &id,
            "--resolution",
            "alice owns it",
            "--action",
            "Document the cache",
        ],
    )
    .expect_code(0);
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
    let c = env.json(&["conflict", "show", &id]);
    assert_eq!(
        (c["status"].as_str(), c["resolved_by"].as_str()),
        (Some("resolved"), Some("lead"))
    );

    // A coordinator who is no party resolves with a signed force.
    let other = env
        .as_agent(
            "alice",
            &[
                "conflict",
                "new",
                "Naming",
                "--between",
                "alice,mallory",
                "--json",
            ],
        )
        .expect_code(0)
        .json()["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    refused(
        &env,
        "lead",
        &["conflict", "resolve", &other, "--resolution", "x"],
    );
    env.as_agent(
        "lead",
        &[
            "conflict",
            "resolve",
            &other,
            "--resolution",
            "alice names it",
            "--force",
        ],
    )
    .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead"));
}

// Finding 11: `risk edit --owner mallory` and `risk close` by mallory on alice's risk went
// through. An owned risk is its owner's; an unowned one is anyone's.
#[test]
fn an_owned_risk_is_its_owners_to_edit_and_close() {
    let env = review_auth();
    let add = |title: &str, extra: &[&str]| -> String {
        let mut args = vec![
            "risk",
            "add",
            title,
            "--impact",
            "high",
            "--probability",
            "medium",
            "--json",
        ];
        args.extend_from_slice(extra);
        env.as_agent("alice", &args).expect_code(0).json()["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    };
    let id = add("Redis down", &["--owner", "alice"]);

    let run = refused(
        &env,
        "mallory",
        &["risk", "edit", &id, "--owner", "mallory"],
    );
    assert!(
        run.stderr
            .contains(&format!("risk {id} (Redis down) is owned by alice")),
        "{}",
        run.stderr
    );
    refused(&env, "mallory", &["risk", "close", &id]);
    let run = refused(&env, "mallory", &["risk", "close", &id, "--force"]);
    assert!(run.stderr.contains("mallory is not one"), "{}", run.stderr);
    let r = env.json(&["risk", "show", &id]);
    assert_eq!(
        (r["owner"].as_str(), r["status"].as_str()),
        (Some("alice"), Some("open"))
    );

    // The owner edits freely; a coordinator closes with a signed force.
    env.as_agent("alice", &["risk", "edit", &id, "--probability", "low"])
        .expect_code(0);
    env.as_agent("lead", &["risk", "close", &id, "--force"])
        .expect_code(0);
    assert!(last_trailers(&env).contains("Coord-Forced-By: lead"));
    assert_eq!(env.json(&["risk", "show", &id])["status"], "closed");

    // An unowned risk is anyone's.
    let open = add("Vendor limits", &[]);
    env.as_agent("mallory", &["risk", "edit", &open, "--owner", "mallory"])
        .expect_code(0);
    assert!(!last_trailers(&env).contains("Coord-Forced-By"));
    // ...and now mallory's.
    refused(&env, "alice", &["risk", "close", &open]);
}

// Finding 15: `brief` printed U+202E raw (it stripped ESC but not bidi marks). Every field it
// renders from records is escaped by the one rule, in the printed brief and in the
// COORD_BRIEF.md that spawn writes.
#[test]
fn the_brief_escapes_control_and_bidi_characters_from_records() {
    let env = review_auth();
    let alice = env
        .show("agents/alice.toml")
        .replace("role = \"dev\"", "role = \"dev \\u001b[2J\\u202eevil\"");
    let id = "t-brf123";
    let task = record(
        id,
        "Fix \\u202elimiter\\u001b[31m",
        "assignee = \"alice\"\n",
    );
    let newguy_task = record(
        "t-brf456",
        "Cache \\u202ereversed",
        "assignee = \"newguy\"\n",
    );
    env.hand_edit(&[
        ("agents/alice.toml", Some(&alice)),
        (&task_path(id), Some(&task)),
        (&task_path("t-brf456"), Some(&newguy_task)),
    ]);

    let out = env.as_agent("alice", &["brief"]).expect_code(0).stdout;
    for raw in ['\u{1b}', '\u{202e}'] {
        assert!(!out.contains(raw), "{raw:?} printed raw:\n{out}");
    }
    assert!(out.contains("dev \\u{1b}[2J\\u{202e}evil"), "{out}");
    assert!(out.contains("Fix \\u{202e}limiter\\u{1b}[31m"), "{out}");

    let path = env.root.join("newguy-wt");
    env.as_agent(
        "lead",
        &["spawn", "newguy", "--path", path.to_str().expect("utf-8")],
    )
    .expect_code(0);
    let written = std::fs::read_to_string(path.join("COORD_BRIEF.md")).expect("COORD_BRIEF.md");
    assert!(!written.contains('\u{202e}'), "{written}");
    assert!(written.contains("Cache \\u{202e}reversed"), "{written}");
}
