//! File ownership through the binary and through git itself: claims and exact overlaps,
//! `owners`, `check --staged`, and hooks that block a real `git commit`.

use std::path::Path;

use crate::common::TestEnv;

fn commit_files(env: &TestEnv, files: &[&str]) {
    for f in files {
        let p = env.repo.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "v1\n").unwrap();
        env.git(&["add", f]);
    }
    env.git(&["commit", "-q", "-m", "files"]);
}

#[test]
fn claims_refuse_exact_overlaps_and_name_the_holder() {
    let env = TestEnv::initialised();
    commit_files(&env, &["src/a.py", "src/b.py", "src/app.rs", "docs/x.md"]);
    env.coord(&[
        "--agent",
        "bob",
        "own",
        "src/*.py",
        "--reason",
        "python port",
    ])
    .expect_code(0);
    // `src/a*` overlaps `src/*.py` on src/a.py although neither pattern's text matches the other.
    let lost = env.coord(&["own", "src/a*", "--json"]).expect_code(3);
    let err: serde_json::Value = serde_json::from_str(lost.stderr.trim()).unwrap();
    let c = &err["error"]["details"]["collisions"][0];
    assert_eq!(c["holder"], "bob");
    assert_eq!(c["held_pattern"], "src/*.py");
    assert_eq!(c["examples"], serde_json::json!(["src/a.py"]));
    // Disjoint patterns are fine, and so are shared claims by others.
    env.coord(&["own", "src/*.rs"]).expect_code(0);
    env.coord(&["--agent", "carol", "own", "docs/**", "--shared"])
        .expect_code(0);
    env.coord(&["own", "docs/x.md"]).expect_code(0);

    let owners = env.json(&["owners", "src/a.py", "src/app.rs", "README.md"]);
    assert_eq!(owners[0]["holders"][0]["agent"], "bob");
    assert_eq!(owners[0]["holders"][0]["pattern"], "src/*.py");
    assert_eq!(owners[1]["holders"][0]["agent"], "alice");
    assert_eq!(owners[2]["holders"], serde_json::json!([]));
    let record = env.show("agents/bob.toml");
    assert!(
        record.contains("pattern = \"src/*.py\", mode = \"exclusive\""),
        "{record}"
    );

    // --force takes it and records a conflict naming both agents.
    let forced = env.json(&["own", "src/a*", "--force"]);
    let conflict_id = forced["conflicts"][0].as_str().unwrap();
    let conflict = env.show(&format!("conflicts/{conflict_id}.md"));
    assert!(
        conflict.contains("between = [\"alice\", \"bob\"]"),
        "{conflict}"
    );

    env.coord(&["--agent", "bob", "disown", "src/*.py"])
        .expect_code(0);
    assert_eq!(
        env.json(&["owners", "src/b.py"])[0]["holders"],
        serde_json::json!([])
    );
    env.coord(&["own", "../etc/**"]).expect_code(2);
}

#[test]
fn expired_claims_and_task_claims_come_and_go() {
    let mut env = TestEnv::initialised();
    env.now = Some("2026-11-21T10:00:00Z".to_owned());
    env.coord(&["--agent", "bob", "own", "lib/**", "--ttl", "1h"])
        .expect_code(0);
    env.coord(&["own", "lib/x.rs"]).expect_code(3);
    env.now = Some("2026-11-21T11:30:00Z".to_owned());
    env.coord(&["own", "lib/x.rs"]).expect_code(0);

    let t = env.add("Pool", &["--owns", "pool/**"]);
    env.coord(&["--agent", "bob", "claim", &t]).expect_code(0);
    let held = env.json(&["owners", "pool/mod.rs"]);
    assert_eq!(held[0]["holders"][0]["agent"], "bob");
    assert_eq!(held[0]["holders"][0]["source"]["id"], t.as_str());
    env.coord(&["own", "pool/**"]).expect_code(3);
    env.coord(&["--agent", "bob", "done", &t]).expect_code(0);
    env.coord(&["own", "pool/**"]).expect_code(0);
}

fn git_commit(env: &TestEnv, dir: &Path, msg: &str) -> std::process::Output {
    env.git_hooked(dir, &["commit", "-q", "-m", msg])
}

#[test]
fn check_staged_and_the_pre_commit_hook_block_edits_to_others_files() {
    let env = TestEnv::initialised();
    commit_files(&env, &["src/pool.rs", "docs/guide.md"]);
    // A hook the project already had keeps running.
    let hooks = env.repo.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(
        hooks.join("pre-commit"),
        "#!/bin/sh\necho project hook ran >&2\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-commit"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    env.install_hooks();
    assert_eq!(
        env.git(&["config", "notes.rewriteRef"]).trim(),
        "refs/notes/coord"
    );
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);

    std::fs::write(env.repo.join("src/pool.rs"), "alice's change\n").unwrap();
    env.git(&["add", "src/pool.rs"]);
    let check = env.coord(&["check", "--staged"]).expect_code(1);
    assert!(
        check.stderr.contains("src/pool.rs is held by bob"),
        "{}",
        check.stderr
    );
    assert!(
        check.stderr.contains("git coord send bob"),
        "{}",
        check.stderr
    );
    let json = env
        .coord(&["check", "--staged", "--json"])
        .expect_code(1)
        .json();
    assert_eq!(json["violations"][0]["path"], "src/pool.rs");

    let blocked = git_commit(&env, &env.repo, "alice edits bob's file");
    assert!(!blocked.status.success(), "the commit went through");
    let stderr = String::from_utf8_lossy(&blocked.stderr);
    assert!(stderr.contains("held by bob"), "{stderr}");
    assert_eq!(env.git(&["log", "--format=%s", "-1"]).trim(), "files");

    // bob's own commit of the same change passes, and the project's hook still runs.
    env.git(&["config", "coord.agent", "bob"]);
    let ok = git_commit(&env, &env.repo, "bob edits his file");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("project hook ran"));

    // Unowned paths follow coord.unowned.
    std::fs::write(env.repo.join("docs/guide.md"), "v2\n").unwrap();
    env.git(&["add", "docs/guide.md"]);
    env.coord(&["check", "--staged"]).expect_code(0);
    env.git(&["config", "coord.unowned", "warn"]);
    let warned = env.coord(&["check", "--staged"]).expect_code(0);
    assert!(
        warned
            .stderr
            .contains("docs/guide.md is not owned by anyone"),
        "{}",
        warned.stderr
    );
    env.git(&["config", "coord.unowned", "deny"]);
    env.coord(&["check", "--staged"]).expect_code(1);

    // Uninstalling leaves the project's hook as it was.
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\necho project hook ran >&2\n"
    );
}

#[test]
fn hooks_never_block_without_a_branch_or_an_agent() {
    let env = TestEnv::new();
    env.install_hooks();
    std::fs::write(env.repo.join("x.txt"), "x\n").unwrap();
    env.git(&["add", "x.txt"]);
    let out = git_commit(&env, &env.repo, "no coord branch");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.coord(&["--agent", "a", "init"]).expect_code(0);
    std::fs::write(env.repo.join("y.txt"), "y\n").unwrap();
    env.git(&["add", "y.txt"]);
    let out = git_commit(&env, &env.repo, "no agent");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hooks_honour_core_hooks_path() {
    let env = TestEnv::initialised();
    env.git(&["config", "core.hooksPath", ".githooks"]);
    env.coord(&["hooks", "install", "--mode", "warn"])
        .expect_code(0);
    let hook = std::fs::read_to_string(env.repo.join(".githooks/pre-commit")).unwrap();
    assert!(hook.contains("check --staged || true"), "{hook}");
}

#[test]
fn commit_all_is_checked_through_the_temporary_index() {
    let env = TestEnv::initialised();
    commit_files(&env, &["src/pool.rs"]);
    env.install_hooks();
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    // Not staged: `git commit -a` stages it into a temporary index (GIT_INDEX_FILE).
    std::fs::write(env.repo.join("src/pool.rs"), "alice's change\n").unwrap();
    let res = env.git_hooked(&env.repo, &["commit", "-q", "-a", "-m", "sneaky"]);
    assert!(!res.status.success(), "git commit -a went through");
    assert!(String::from_utf8_lossy(&res.stderr).contains("held by bob"));
}

#[test]
fn baseline_ownership_from_codeowners_and_owners_toml() {
    let env = TestEnv::initialised();
    std::fs::create_dir_all(env.repo.join(".github")).unwrap();
    std::fs::write(
        env.repo.join(".github/CODEOWNERS"),
        "*.md @docs-team\n/src/ @state\n",
    )
    .unwrap();
    env.git(&["add", ".github/CODEOWNERS"]);
    commit_files(&env, &["src/pool.rs", "notes.md"]);
    let owners = env.json(&["owners", "src/pool.rs", "notes.md", "other.txt"]);
    assert_eq!(
        owners[0]["baseline"]["owners"],
        serde_json::json!(["@state"])
    );
    assert_eq!(owners[0]["baseline"]["source"], ".github/CODEOWNERS");
    assert_eq!(owners[0]["baseline"]["line"], 2);
    assert_eq!(owners[0]["baseline"]["enforced"], false);
    assert!(owners[2]["baseline"].is_null());
    // CODEOWNERS informs but never blocks; it does make a path "owned" for coord.unowned.
    env.git(&["config", "coord.unowned", "deny"]);
    std::fs::write(env.repo.join("src/pool.rs"), "v2\n").unwrap();
    env.git(&["add", "src/pool.rs"]);
    env.coord(&["check", "--staged"]).expect_code(0);

    // .coord/owners.toml names agents and is enforced.
    std::fs::create_dir_all(env.repo.join(".coord")).unwrap();
    std::fs::write(
        env.repo.join(".coord/owners.toml"),
        "[[rule]]\npattern = \"src/**\"\nowners = [\"state\"]\n",
    )
    .unwrap();
    env.git(&["add", ".coord/owners.toml"]);
    env.git(&["commit", "-q", "-m", "policy"]);
    std::fs::write(env.repo.join("src/pool.rs"), "v3\n").unwrap();
    env.git(&["add", "src/pool.rs"]);
    let run = env.coord(&["check", "--staged"]).expect_code(1);
    assert!(
        run.stderr
            .contains("src/pool.rs is held by state (src/**, by .coord/owners.toml:1)"),
        "{}",
        run.stderr
    );
    env.coord(&["--agent", "state", "check", "--staged"])
        .expect_code(0);
    let text = env.coord(&["owners", "src/pool.rs"]).expect_code(0).stdout;
    assert!(
        text.contains("baseline .coord/owners.toml:1 src/** → state (enforced)"),
        "{text}"
    );
}

#[test]
fn commits_are_linked_to_the_task_in_progress_by_trailer_and_note() {
    let env = TestEnv::initialised();
    env.install_hooks();
    let t = env.add("Pool", &[]);
    env.coord(&["claim", &t]).expect_code(0);
    std::fs::write(env.repo.join("pool.rs"), "fn pool() {}\n").unwrap();
    env.git(&["add", "pool.rs"]);
    let out = git_commit(&env, &env.repo, "Add the pool");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trailers = env.git(&["log", "-1", "--format=%(trailers)"]);
    assert!(trailers.contains(&format!("Coord-Task: {t}")), "{trailers}");
    assert!(trailers.contains("Coord-Agent: alice"), "{trailers}");
    let note = env.git(&["notes", "--ref", "coord", "show", "HEAD"]);
    assert_eq!(note, format!("agent: alice\ntask: {t}\n"));
    let log = env.json(&["log", "--code", &t]);
    assert_eq!(log["commits"].as_array().unwrap().len(), 1);
    assert_eq!(log["commits"][0]["subject"], "Add the pool");
    // A commit with no task in progress gets only the agent.
    env.coord(&["done", &t]).expect_code(0);
    std::fs::write(env.repo.join("other.rs"), "\n").unwrap();
    env.git(&["add", "other.rs"]);
    assert!(git_commit(&env, &env.repo, "Unrelated").status.success());
    assert_eq!(
        env.git(&["notes", "--ref", "coord", "show", "HEAD"]),
        "agent: alice\n"
    );
    assert_eq!(
        env.json(&["log", "--code", &t])["commits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn range_checks_each_commit_as_its_agent_and_pre_push_blocks() {
    let env = TestEnv::initialised();
    commit_files(&env, &["src/pool.rs", "docs/a.md"]);
    env.add_origin("main");
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    env.install_hooks();

    // alice's commit names her by trailer (the commit-msg hook adds it); it touches bob's file.
    std::fs::write(env.repo.join("src/pool.rs"), "alice\n").unwrap();
    env.git(&["add", "src/pool.rs"]);
    env.commit_unverified("sneak past the pre-commit hook\n\nCoord-Agent: alice");
    let sneaky = env.git(&["rev-parse", "HEAD"]);
    let run = env
        .coord(&["check", "--range", "origin/main..HEAD", "--json"])
        .expect_code(1);
    let report = run.json();
    assert_eq!(report["violations"][0]["commit"], sneaky.trim());
    assert_eq!(report["violations"][0]["holder"], "bob");
    let gh = env
        .coord(&[
            "check",
            "--range",
            "origin/main..HEAD",
            "--format",
            "github",
        ])
        .expect_code(1);
    assert!(
        gh.stdout
            .starts_with("::error file=src/pool.rs,title=git coord ownership::"),
        "{}",
        gh.stdout
    );
    let md = env
        .coord(&[
            "check",
            "--range",
            "origin/main..HEAD",
            "--format",
            "markdown",
        ])
        .expect_code(1);
    assert!(
        md.stdout.contains("| error | src/pool.rs | bob |"),
        "{}",
        md.stdout
    );

    let pushed = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success(), "the push went through");
    assert!(String::from_utf8_lossy(&pushed.stderr).contains("held by bob"));

    // bob's commit of his own file goes through when bob pushes it (pushed by alice, it would
    // be judged as hers too: a trailer grants no rights, DESIGN §6).
    env.git(&["config", "coord.agent", "bob"]);
    env.git(&["reset", "-q", "--hard", "origin/main"]);
    std::fs::write(env.repo.join("src/pool.rs"), "bob\n").unwrap();
    env.git(&["add", "src/pool.rs"]);
    env.commit_unverified("bob's change\n\nCoord-Agent: bob");
    let ok = env.git_hooked(&env.repo, &["push", "-q", "origin", "main"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn branches_report_shared_files_and_coming_conflicts() {
    let env = TestEnv::initialised();
    let lines: String = (1..=40).map(|i| format!("line {i}\n")).collect();
    std::fs::write(env.repo.join("lib.rs"), &lines).unwrap();
    env.git(&["add", "lib.rs"]);
    env.git(&["commit", "-q", "-m", "base"]);
    let edit = |branch: &str, agent: &str, line: usize, text: &str| {
        env.git(&["checkout", "-q", "-b", branch, "main"]);
        let changed: String = (1..=40)
            .map(|i| {
                if i == line {
                    format!("{text}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect();
        std::fs::write(env.repo.join("lib.rs"), changed).unwrap();
        env.git(&["commit", "-q", "-am", &format!("{agent} edits line {line}")]);
        env.git(&["checkout", "-q", "main"]);
        env.coord(&["agent", "add", agent, "--branch", branch])
            .expect_code(0);
    };
    edit("agent/a", "a", 10, "A's line 10");
    edit("agent/b", "b", 10, "B's line 10");
    edit("agent/c", "c", 30, "C's line 30");
    let run = env.coord(&["check", "--branches", "--json"]).expect_code(1);
    let overlaps = run.json()["overlaps"].clone();
    let find = |x: &str, y: &str| {
        overlaps
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["agents"] == serde_json::json!([x, y]))
            .cloned()
            .unwrap_or_else(|| panic!("no overlap {x}/{y}: {overlaps}"))
    };
    assert_eq!(find("a", "b")["conflict"], true);
    assert_eq!(find("a", "c")["conflict"], false);
    assert_eq!(find("b", "c")["conflict"], false);
    assert_eq!(find("a", "b")["path"], "lib.rs");
    // git agrees: a and b conflict, a and c merge cleanly.
    env.git(&["checkout", "-q", "-b", "try", "agent/a"]);
    let clean = env
        .git_cmd(&env.repo)
        .args(["merge", "-q", "--no-edit", "agent/c"])
        .output()
        .unwrap();
    assert!(clean.status.success());
    let conflict = env
        .git_cmd(&env.repo)
        .args(["merge", "-q", "--no-edit", "agent/b"])
        .output()
        .unwrap();
    assert!(!conflict.status.success());
}

/// The staged paths `check --staged` sees are exactly what git itself reports, whatever state
/// the index's cache-tree is in (fresh after a commit, partly invalidated by `git add`).
#[test]
fn staged_paths_agree_with_git() {
    let env = TestEnv::initialised();
    env.git(&["config", "coord.unowned", "deny"]);
    let files: Vec<String> = (0..6)
        .flat_map(|d| (0..4).map(move |f| format!("d{d}/sub{}/f{f}.txt", f % 2)))
        .chain(["top.txt".to_owned(), "d0.txt".to_owned()])
        .collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    commit_files(&env, &refs);
    let staged = |env: &TestEnv| -> Vec<String> {
        let run = env.coord(&["check", "--staged", "--json"]);
        let v = run.json();
        let mut paths: Vec<String> = v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect();
        paths.sort();
        paths
    };
    let git_says = |env: &TestEnv| -> Vec<String> {
        let mut v: Vec<String> = env
            .git(&["diff", "--cached", "--name-only", "--no-renames"])
            .lines()
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    };
    assert_eq!(staged(&env), Vec::<String>::new());
    // Modify, add in a new and an existing directory, delete a file and a whole directory,
    // change a mode.
    std::fs::write(env.repo.join("d1/sub0/f0.txt"), "changed\n").unwrap();
    std::fs::create_dir_all(env.repo.join("new/deep")).unwrap();
    std::fs::write(env.repo.join("new/deep/n.txt"), "n\n").unwrap();
    std::fs::write(env.repo.join("d2/added.txt"), "a\n").unwrap();
    env.git(&["rm", "-q", "d3/sub1/f1.txt"]);
    env.git(&["rm", "-q", "-r", "d4"]);
    env.git(&["add", "-A"]);
    env.git(&["update-index", "--chmod=+x", "top.txt"]);
    assert_eq!(staged(&env), git_says(&env));
    assert_eq!(staged(&env).len(), 9, "{:?}", staged(&env));
    // After `git write-tree` the cache-tree is valid again in the index, with staged changes.
    env.git(&["write-tree"]);
    assert_eq!(staged(&env), git_says(&env));
}

#[test]
fn a_commit_without_trailer_or_note_is_attributed_to_the_agent_whose_branch_holds_it() {
    let env = TestEnv::initialised();
    commit_files(&env, &["src/pool.rs"]);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    env.coord(&["agent", "add", "carol", "--branch", "agent/carol"])
        .expect_code(0);
    env.git(&["checkout", "-q", "-b", "agent/carol"]);
    std::fs::write(env.repo.join("src/pool.rs"), "carol\n").unwrap();
    env.git(&["commit", "-q", "--no-verify", "-am", "no trailer"]);
    env.git(&["checkout", "-q", "main"]);
    // Run as bob: without the branch rule the commit would be bob's own (allowed).
    let run = env
        .coord(&[
            "--agent",
            "bob",
            "check",
            "--range",
            "main..agent/carol",
            "--json",
        ])
        .expect_code(1);
    assert_eq!(run.json()["violations"][0]["holder"], "bob");
    let text = env
        .coord(&["--agent", "bob", "check", "--range", "main..agent/carol"])
        .expect_code(1);
    assert!(
        text.stderr.contains("carol may not change it"),
        "{}",
        text.stderr
    );
}
