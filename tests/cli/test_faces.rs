//! The faces outside the binary (issue 15): manual pages that `man` renders and that
//! `git coord --help` opens, shell completions that bash loads, the markdown CLI reference
//! (docs/cli.md) kept current, and a snapshot of `git coord --help`.
//!
//! The tools these tests drive (`man`, `bash`, git's bash completion) are required: a missing
//! one fails the test with what to install (`.ci/run` installs them), it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;

use crate::common::*;

/// Every visible command's path (`["task", "add"]`), the root as `[]`.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() || sub.get_name() == "help" {
                continue;
            }
            let mut p = path.clone();
            p.push(sub.get_name().to_owned());
            walk(sub, p, out);
        }
    }
    let mut out = Vec::new();
    walk(&git_coord::cli::Cli::command(), Vec::new(), &mut out);
    out
}

#[track_caller]
fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .expect("run sh");
    assert!(
        found.status.success(),
        "`{name}` is not installed: this test needs it (apt-get install {name}; .ci/run installs it)"
    );
    Command::new(name)
}

/// `man -l` on a page, with groff's warnings on: (stdout, stderr).
fn render(page: &Path) -> (String, String) {
    let out = tool("man")
        .args(["--warnings", "-l"])
        .arg(page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run man");
    assert!(out.status.success(), "man -l {} failed", page.display());
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn man_out_writes_a_page_per_command_that_man_renders_without_warnings() {
    let env = TestEnv::new();
    let dir = env.root.join("man/man1");
    let out = env
        .coord(&["man", "--out", dir.to_str().expect("utf-8 path"), "--json"])
        .expect_code(0)
        .json();
    let paths = command_paths();
    assert!(paths.len() > 50, "the tree has its commands: {paths:?}");
    assert_eq!(
        out["pages"].as_array().map(Vec::len),
        Some(paths.len()),
        "one page per visible command: {out}"
    );
    // The checker sees warnings (so silence below means something).
    let bad = env.root.join("bad.1");
    std::fs::write(&bad, ".TH BAD 1\n.SH NAME\nbad \\- x\n.NOSUCHMACRO\n").expect("write");
    assert!(render(&bad).1.contains("warning"), "man reports warnings");
    for path in paths {
        let mut name = vec!["git-coord".to_owned()];
        name.extend(path.iter().cloned());
        let file = dir.join(format!("{}.1", name.join("-")));
        assert!(file.is_file(), "missing page {}", file.display());
        let (text, warnings) = render(&file);
        assert_eq!(warnings, "", "man warns about {}", file.display());
        // man justifies lines (`git  coord  hooks`): compare words.
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = format!("git coord {}", path.join(" "));
        assert!(
            words.contains(title.trim_end()),
            "{} renders its synopsis ({title}):\n{text}",
            file.display()
        );
    }
}

#[test]
fn man_prints_the_main_page_and_fails_cleanly_on_a_bad_out_dir() {
    let env = TestEnv::new();
    let run = env.coord(&["man"]).expect_code(0);
    assert!(run.stdout.starts_with(".ie") || run.stdout.contains(".TH git-coord 1"));
    // A file where the directory should be: exit 2, the path named, nothing written.
    let blocker = env.root.join("blocker");
    std::fs::write(&blocker, "").expect("write");
    let out = blocker.join("man1");
    let run = env
        .coord(&["man", "--out", out.to_str().expect("utf-8")])
        .expect_code(2);
    assert!(run.stderr.contains("blocker"), "{}", run.stderr);
    assert!(run.stderr.contains("hint"), "{}", run.stderr);
}

/// A directory with `git` (the real one, through PATH) and the binary under test, as an
/// installed `git-coord` would be.
fn path_with_binary() -> String {
    let bin_dir = PathBuf::from(BIN)
        .parent()
        .expect("binary dir")
        .to_path_buf();
    #[allow(clippy::disallowed_methods)]
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", bin_dir.display())
}

#[test]
fn git_coord_help_opens_the_installed_manual() {
    let env = TestEnv::new();
    let data = env.root.join("data");
    let run = env
        .coord_cmd(&env.repo)
        .args(["man", "--install"])
        .env("XDG_DATA_HOME", &data)
        .output()
        .expect("run");
    assert!(run.status.success(), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let man1 = data.join("man/man1");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains(man1.to_str().expect("utf-8")),
        "says where: {run:?}"
    );
    assert!(stderr.contains("MANPATH"), "{stderr}");
    assert!(man1.join("git-coord.1").is_file());
    assert!(man1.join("git-coord-task-add.1").is_file());
    tool("man");
    // git turns `git coord --help` into `man git-coord`; `git help coord` too.
    for args in [&["coord", "--help"][..], &["help", "coord"][..]] {
        let out = env
            .git_cmd(&env.repo)
            .args(args)
            .env("PATH", path_with_binary())
            .env("MANPATH", format!("{}:", data.join("man").display()))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .expect("run git");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("git-coord - Coordinate several coding agents"),
            "git {args:?} opens the manual: {out:?}"
        );
    }
}

#[test]
fn man_install_without_a_home_says_so_and_writes_nothing() {
    let env = TestEnv::new();
    let out = env
        .coord_cmd(&env.repo)
        .args(["man", "--install"])
        .env_remove("HOME")
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--out"), "{stderr}");
}

/// Runs `script` in bash after loading `git coord completions bash`; returns stdout.
fn bash_with_completions(env: &TestEnv, script: &str) -> String {
    let completions = env.coord(&["completions", "bash"]).expect_code(0).stdout;
    let file = env.root.join("git-coord.bash");
    std::fs::write(&file, completions).expect("write");
    let out = tool("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!("source {}\n{script}", file.display()))
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "bash said something"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_bash_loads_and_completes_subcommands() {
    let env = TestEnv::new();
    let out = bash_with_completions(
        &env,
        r#"complete -p git-coord
complete_words() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    local fn; fn=$(complete -p git-coord | sed 's/.*-F \([^ ]*\).*/\1/')
    "$fn" git-coord "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "[$*] ${COMPREPLY[*]}"
}
complete_words git-coord cl
complete_words git-coord task ''
complete_words git-coord task add --pri
complete_words git-coord completions ''
"#,
    );
    assert!(out.contains("-F "), "registered for git-coord: {out}");
    let line = |prefix: &str| {
        out.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in {out}"))
            .to_owned()
    };
    assert!(
        line("[git-coord cl]").ends_with("claim"),
        "top-level commands: {out}"
    );
    let task = line("[git-coord task ]");
    for sub in ["add", "list", "show", "dep"] {
        assert!(task.split(' ').any(|w| w == sub), "task {sub}: {task}");
    }
    assert!(
        line("[git-coord task add --pri]").contains("--priority"),
        "{out}"
    );
    let shells = line("[git-coord completions ]");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(shells.contains(shell), "{shells}");
    }
}

#[test]
fn completions_bash_completes_git_coord_through_gits_completion() {
    let env = TestEnv::new();
    let git_completion = ["/usr/share/bash-completion/completions/git"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .expect("git's bash completion is installed with git (/usr/share/bash-completion/completions/git)");
    let out = bash_with_completions(
        &env,
        &format!(
            r#"source {}
COMP_WORDS=(git coord task l); COMP_CWORD=3; COMP_LINE="git coord task l"; COMP_POINT=16
__git_wrap__git_main
echo "${{COMPREPLY[*]}}"
"#,
            git_completion.display()
        ),
    );
    assert_eq!(out.trim(), "list", "git coord task l<TAB>");
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.coord(&["completions", shell]).expect_code(0);
        assert!(
            run.stdout.contains("claim") && run.stdout.contains("git-coord"),
            "{shell}: {}",
            &run.stdout[..run.stdout.len().min(400)]
        );
    }
    let run = env.coord(&["completions", "tcsh"]).expect_code(2);
    assert!(
        run.stderr.contains("bash"),
        "lists the shells: {}",
        run.stderr
    );
}

/// docs/cli.md is `git coord man --markdown`; regenerate it with
/// `GIT_COORD_UPDATE_DOCS=1 cargo test --test cli test_faces::cli_reference`.
#[test]
fn cli_reference_is_current() {
    let env = TestEnv::new();
    let generated = env.coord(&["man", "--markdown"]).expect_code(0).stdout;
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    #[allow(clippy::disallowed_methods)]
    if std::env::var_os("GIT_COORD_UPDATE_DOCS").is_some() {
        std::fs::write(&file, &generated).expect("write docs/cli.md");
    }
    let checked_in = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/cli.md is stale: regenerate it with\n  GIT_COORD_UPDATE_DOCS=1 cargo test --test cli test_faces::cli_reference\n(or: git coord man --markdown > docs/cli.md)"
    );
    for path in command_paths().iter().skip(1) {
        let heading = format!("## `git coord {}`", path.join(" "));
        assert!(generated.contains(&heading), "{heading} in docs/cli.md");
    }
}

/// `git coord --help` exactly as a user sees it from the binary (at a fixed width).
#[test]
fn help_snapshot() {
    let env = TestEnv::new();
    let run = env
        .coord_cmd(&env.repo)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("run");
    assert!(run.status.success());
    insta::assert_snapshot!("git_coord_help", String::from_utf8_lossy(&run.stdout));
}

// ---- the agent protocol: templates/AGENTS.md, `init --agents-md`, the brief ----

const PROTOCOL: &str = include_str!("../../templates/AGENTS.md");
const BEGIN: &str = "<!-- git-coord protocol: begin (written by `git coord init --agents-md`; edits here are replaced) -->";
const END: &str = "<!-- git-coord protocol: end -->";

fn section() -> String {
    format!("{BEGIN}\n{PROTOCOL}{END}\n")
}

#[test]
fn the_protocol_is_short_and_names_the_loop() {
    assert!(PROTOCOL.lines().count() <= 30, "short enough to paste");
    for step in [
        "git coord brief",
        "git coord next",
        "git coord own",
        "--section integration",
        "--needs-reply",
        "git coord wait --reply",
        "git coord done",
        "git coord checkin",
    ] {
        assert!(PROTOCOL.contains(step), "the protocol names {step}");
    }
}

#[test]
fn init_agents_md_writes_a_new_agents_md() {
    let env = TestEnv::new();
    env.git(&["config", "coord.agent", "alice"]);
    let out = env.json(&["init", "--agents-md"]);
    assert_eq!(out["created"], true);
    assert_eq!(
        out["agents_md"],
        serde_json::json!([{ "file": "AGENTS.md", "action": "created" }])
    );
    let text = std::fs::read_to_string(env.repo.join("AGENTS.md")).expect("AGENTS.md");
    assert_eq!(text, section());
    assert!(!env.repo.join("CLAUDE.md").exists());
    // The branch exists as with a plain init; HEAD and the index are not touched.
    env.git(&["rev-parse", "--verify", "-q", "refs/heads/coord"]);
    assert_eq!(env.git(&["status", "--porcelain"]), "?? AGENTS.md\n");
}

#[test]
fn init_agents_md_appends_to_existing_files_without_touching_the_rest_and_is_idempotent() {
    let env = TestEnv::initialised();
    let agents = "# Agents\n\nUse tabs.\r\nNo trailing newline here";
    let claude = "# Claude\n\nBe brief.\n";
    std::fs::write(env.repo.join("AGENTS.md"), agents).expect("write");
    std::fs::write(env.repo.join("CLAUDE.md"), claude).expect("write");
    let out = env.json(&["init", "--agents-md"]);
    assert_eq!(
        out["agents_md"],
        serde_json::json!([
            { "file": "AGENTS.md", "action": "appended" },
            { "file": "CLAUDE.md", "action": "appended" },
        ])
    );
    let read = |name: &str| std::fs::read_to_string(env.repo.join(name)).expect("read");
    assert_eq!(read("AGENTS.md"), format!("{agents}\n\n{}", section()));
    assert_eq!(read("CLAUDE.md"), format!("{claude}\n{}", section()));
    // Again: nothing changes, byte for byte.
    let (a, c) = (read("AGENTS.md"), read("CLAUDE.md"));
    let out = env.json(&["init", "--agents-md"]);
    assert_eq!(out["agents_md"][0]["action"], "unchanged");
    assert_eq!(out["agents_md"][1]["action"], "unchanged");
    assert_eq!((read("AGENTS.md"), read("CLAUDE.md")), (a, c));
    // An older section is replaced in place; what follows it stays.
    std::fs::write(
        env.repo.join("CLAUDE.md"),
        format!("{claude}\n{BEGIN}\nold protocol\n{END}\n\n## Ours, after\n"),
    )
    .expect("write");
    let out = env.json(&["init", "--agents-md"]);
    assert_eq!(out["agents_md"][1]["action"], "updated");
    assert_eq!(
        read("CLAUDE.md"),
        format!("{claude}\n{}\n## Ours, after\n", section())
    );
}

#[test]
fn init_agents_md_refuses_an_unclosed_section_and_writes_nothing() {
    let env = TestEnv::new();
    let broken = format!("# Agents\n\n{BEGIN}\nhalf a section\n");
    std::fs::write(env.repo.join("AGENTS.md"), &broken).expect("write");
    let run = env.coord(&["init", "--agents-md"]).expect_code(2);
    assert!(run.stderr.contains("AGENTS.md"), "{}", run.stderr);
    assert!(run.stderr.contains("hint"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(env.repo.join("AGENTS.md")).expect("read"),
        broken
    );
    // Not even the branch: the file is checked before anything is written.
    let branch = env
        .git_cmd(&env.repo)
        .args(["rev-parse", "--verify", "-q", "refs/heads/coord"])
        .output()
        .expect("git");
    assert!(
        !branch.status.success(),
        "no coordination branch was created"
    );
}

#[test]
fn spawn_puts_the_protocol_into_the_brief() {
    let env = TestEnv::initialised();
    let path = env.root.join("bob-wt");
    env.coord(&["spawn", "bob", "--path", path.to_str().expect("utf-8")])
        .expect_code(0);
    let brief = std::fs::read_to_string(path.join("COORD_BRIEF.md")).expect("brief");
    assert!(
        brief.contains(PROTOCOL.trim_end()),
        "the brief has the protocol:\n{brief}"
    );
    let shown = env.coord(&["brief", "bob"]).expect_code(0).stdout;
    assert!(
        shown.contains(PROTOCOL.trim_end()),
        "and so does `git coord brief`"
    );
}
