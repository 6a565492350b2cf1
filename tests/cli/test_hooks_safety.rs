//! Hooks that fail safe: a project's own hook in any language keeps running (and keeps its
//! veto) beside ours and comes back byte for byte on uninstall; a missing `git-coord` is
//! reported, and refused under `coord.hooks = strict`, never silently passed; uninstall puts
//! `notes.rewriteRef` back as it was.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{BIN, TestEnv, isolate, path_with_coord};

/// The real PATH, and (below) the real PATH without any directory holding a `git-coord`; the
/// PATH with the git-coord under test is the shared `path_with_coord`.
#[allow(clippy::disallowed_methods)] // tests build the PATH the hooks see
fn real_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

fn path_without_coord() -> String {
    let all = real_path();
    let kept: Vec<&str> = all
        .split(':')
        .filter(|d| !d.is_empty() && !Path::new(d).join("git-coord").exists())
        .collect();
    kept.join(":")
}

fn git_with_path(env: &TestEnv, path: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    isolate(&mut cmd, env.home());
    cmd.current_dir(&env.repo)
        .env("PATH", path)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_hook(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file under `dir` with its bytes and mode, to compare a hooks directory before/after.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777;
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    (std::fs::read(&p).unwrap(), mode),
                );
            }
        }
    }
    out
}

fn require_python3() {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "python3 is required by this test (a project hook written in python); install it"
    );
}

fn stage(env: &TestEnv, file: &str, content: &str) {
    let p = env.repo.join(file);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    env.git(&["add", file]);
}

fn head(env: &TestEnv) -> String {
    env.git(&["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn foreign_python_and_bash_hooks_are_chained_keep_their_veto_and_come_back_on_uninstall() {
    require_python3();
    let env = TestEnv::initialised();
    let hooks = env.repo.join(".git/hooks");
    let root = env.root.display().to_string();
    // The reproduction: a python pre-commit hook (our old splice made it a
    // SyntaxError), plus a bash commit-msg hook and a python pre-push hook that reads stdin.
    let py_pre_commit = format!(
        "#!/usr/bin/env python3\nimport os, sys\nopen('{root}/py-ran', 'a').write('pre-commit\\n')\nsys.exit(1 if os.path.exists('{root}/py-fail') else 0)\n"
    );
    let bash_commit_msg = format!(
        "#!/usr/bin/env bash\nprintf 'commit-msg %s\\n' \"$1\" >> {root}/bash-ran\nif [[ -e {root}/bash-fail ]]; then exit 3; fi\n"
    );
    let py_pre_push = format!(
        "#!/usr/bin/env python3\nimport sys\nopen('{root}/push-stdin', 'w').write(sys.argv[1] + '\\n' + sys.stdin.read())\n"
    );
    write_hook(&hooks.join("pre-commit"), &py_pre_commit, 0o755);
    write_hook(&hooks.join("commit-msg"), &bash_commit_msg, 0o750);
    write_hook(&hooks.join("pre-push"), &py_pre_push, 0o700);
    let before = snapshot(&hooks);

    let run = env.install_hooks();
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("coord-chained/pre-commit"), "{said}");
    let once = snapshot(&hooks);
    env.install_hooks();
    assert_eq!(snapshot(&hooks), once, "a second install changed the hooks");
    // The project's hooks were moved, not edited.
    for name in ["pre-commit", "commit-msg", "pre-push"] {
        let (bytes, mode) = &before[Path::new(name)];
        let moved = &once[&Path::new("coord-chained").join(name)];
        assert_eq!(&moved.0, bytes, "{name} changed");
        assert_eq!(moved.1, *mode, "{name} lost its mode");
    }

    let path = path_with_coord();
    stage(&env, "a.txt", "a\n");
    let ok = git_with_path(&env, &path, &["commit", "-q", "-m", "both hooks run"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(
        std::fs::read_to_string(env.root.join("py-ran")).unwrap(),
        "pre-commit\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.root.join("bash-ran")).unwrap(),
        "commit-msg .git/COMMIT_EDITMSG\n"
    );
    // Our commit-msg step ran before theirs.
    let trailers = env.git(&["log", "-1", "--format=%(trailers)"]);
    assert!(trailers.contains("Coord-Agent: alice"), "{trailers}");

    // A failing foreign hook still blocks the commit, in either language.
    let tip = head(&env);
    std::fs::write(env.root.join("py-fail"), "").unwrap();
    stage(&env, "b.txt", "b\n");
    let refused = git_with_path(&env, &path, &["commit", "-q", "-m", "python says no"]);
    assert!(!refused.status.success(), "the python hook's veto was lost");
    assert_eq!(head(&env), tip);
    std::fs::remove_file(env.root.join("py-fail")).unwrap();
    std::fs::write(env.root.join("bash-fail"), "").unwrap();
    let refused = git_with_path(&env, &path, &["commit", "-q", "-m", "bash says no"]);
    assert!(!refused.status.success(), "the bash hook's veto was lost");
    assert_eq!(head(&env), tip);
    std::fs::remove_file(env.root.join("bash-fail")).unwrap();

    // Ours still decides first: another agent's file is refused.
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);
    stage(&env, "src/pool.rs", "alice\n");
    let blocked = git_with_path(&env, &path, &["commit", "-q", "-m", "bob's file"]);
    assert!(!blocked.status.success());
    assert!(
        stderr(&blocked).contains("held by bob"),
        "{}",
        stderr(&blocked)
    );
    env.git(&["reset", "-q", "HEAD", "src/pool.rs"]);
    let ok = git_with_path(&env, &path, &["commit", "-q", "-m", "b"]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    // pre-push: the foreign hook gets git's arguments and the same ref list on stdin as ours.
    env.add_empty_origin();
    let pushed = git_with_path(&env, &path, &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "{}", stderr(&pushed));
    let seen = std::fs::read_to_string(env.root.join("push-stdin")).unwrap();
    assert_eq!(
        seen,
        format!(
            "origin\nrefs/heads/main {} refs/heads/main {}\n",
            head(&env),
            "0".repeat(40)
        )
    );

    // Uninstall puts every project hook back exactly, and removes ours.
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(snapshot(&hooks), before);
    assert!(!hooks.join("coord-chained").exists());
}

#[test]
fn a_hook_spliced_by_an_older_install_is_repaired_into_a_chained_one() {
    let env = TestEnv::initialised();
    let hook = env.repo.join(".git/hooks/pre-commit");
    let own = format!(
        "#!/usr/bin/env python3\nopen('{}/py-ran', 'w').write('yes')\n",
        env.root.display()
    );
    // What the splicing install used to leave behind.
    let spliced = own.replacen(
        '\n',
        "\n## START git-coord (managed by `git coord hooks install`; edit outside these lines)\nif command -v git-coord >/dev/null 2>&1; then\n  git-coord check --staged\nfi\n## END git-coord\n",
        1,
    );
    write_hook(&hook, &spliced, 0o755);
    env.install_hooks();
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/hooks/coord-chained/pre-commit")).unwrap(),
        own
    );
    require_python3();
    stage(&env, "a.txt", "a\n");
    let ok = git_with_path(&env, &path_with_coord(), &["commit", "-q", "-m", "a"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(env.root.join("py-ran").exists());
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), own);
}

#[test]
fn without_git_coord_the_hooks_warn_by_name_and_strict_refuses() {
    let env = TestEnv::initialised();
    stage(&env, "src/pool.rs", "v1\n");
    env.git(&["commit", "-q", "-m", "files"]);
    env.coord(&["--agent", "bob", "own", "src/**"])
        .expect_code(0);

    // Installed by a binary that is gone afterwards: neither PATH nor the recorded path finds
    // git-coord.
    let gone = env.root.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    let copy = gone.join("git-coord");
    std::fs::copy(BIN, &copy).unwrap();
    // A test thread that forks while the copy is still open for writing holds the file open
    // in its child until that child execs: exec then fails with ETXTBSY for a moment.
    let out = (0..100)
        .find_map(|_| {
            let mut install = Command::new(&copy);
            isolate(&mut install, env.home());
            match install
                .current_dir(&env.repo)
                .args(["hooks", "install"])
                .output()
            {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                other => Some(other.unwrap()),
            }
        })
        .expect("the copied binary could be run within 2 s");
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_dir_all(&gone).unwrap();

    let path = path_without_coord();
    stage(&env, "src/pool.rs", "alice's change\n");
    let tip = head(&env);
    let through = git_with_path(&env, &path, &["commit", "-q", "-m", "unchecked"]);
    let err = stderr(&through);
    assert!(through.status.success(), "{err}");
    assert!(err.contains("git-coord was not found"), "{err}");
    assert!(err.contains("did NOT check file ownership"), "{err}");
    assert_ne!(head(&env), tip);

    // Under coord.hooks = strict the same commit is refused.
    env.git(&["config", "coord.hooks", "strict"]);
    stage(&env, "src/pool.rs", "alice again\n");
    let tip = head(&env);
    let refused = git_with_path(&env, &path, &["commit", "-q", "-m", "strict"]);
    let err = stderr(&refused);
    assert!(!refused.status.success(), "strict let it through: {err}");
    assert!(
        err.contains("git-coord was not found and coord.hooks = strict"),
        "{err}"
    );
    assert_eq!(head(&env), tip);

    // Installed by a binary that still exists: the recorded path is used when PATH lacks it,
    // so the check runs and bob's file is refused.
    env.git(&["config", "--unset", "coord.hooks"]);
    env.install_hooks();
    let blocked = git_with_path(&env, &path, &["commit", "-q", "-m", "fallback"]);
    let err = stderr(&blocked);
    assert!(!blocked.status.success(), "{err}");
    assert!(err.contains("held by bob"), "{err}");
    assert!(!err.contains("not found"), "{err}");
}

/// `git config --get-all notes.rewriteRef`, or `None` when it is unset.
fn rewrite_refs(env: &TestEnv) -> Option<String> {
    let out = env
        .git_cmd(&env.repo)
        .args(["config", "--get-all", "notes.rewriteRef"])
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Some(1) => None,
        other => panic!("git config failed with {other:?}"),
    }
}

#[test]
fn uninstall_puts_notes_rewrite_ref_back_as_it_was() {
    // Unset before: set by install, unset again by uninstall.
    let env = TestEnv::initialised();
    env.install_hooks();
    env.install_hooks();
    assert_eq!(rewrite_refs(&env).as_deref(), Some("refs/notes/coord\n"));
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(rewrite_refs(&env), None);
    let mark = env
        .git_cmd(&env.repo)
        .args(["config", "--get", "coord.hooksNotesRewriteRef"])
        .output()
        .unwrap();
    assert_eq!(
        mark.status.code(),
        Some(1),
        "install's mark was left behind"
    );

    // The user's own value is kept beside ours, and alone after uninstall.
    let env = TestEnv::initialised();
    env.git(&["config", "notes.rewriteRef", "refs/notes/commits"]);
    env.install_hooks();
    assert_eq!(
        rewrite_refs(&env).as_deref(),
        Some("refs/notes/commits\nrefs/notes/coord\n")
    );
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(rewrite_refs(&env).as_deref(), Some("refs/notes/commits\n"));

    // Already set by the user to our ref: install adds nothing and uninstall keeps it.
    let env = TestEnv::initialised();
    env.git(&["config", "notes.rewriteRef", "refs/notes/coord"]);
    env.install_hooks();
    env.coord(&["hooks", "uninstall"]).expect_code(0);
    assert_eq!(rewrite_refs(&env).as_deref(), Some("refs/notes/coord\n"));
}
