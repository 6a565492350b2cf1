//! `git coord completions`: shell completion scripts (clap_complete), generated from the clap
//! command tree (DESIGN §4).
//!
//! The scripts complete the `git-coord` binary. For bash there is one addition: git's own
//! completion (git-completion.bash) completes `git coord …` by calling a function named
//! `_git_coord`, so the bash script defines it too, handing the words after `coord` to the
//! generated completer.

use clap::CommandFactory;
use clap_complete::Shell;
use serde_json::json;

use crate::cli::Cli;
use crate::context::Context;
use crate::error::CommandResult;

/// Print a shell completion script
///
/// Completes commands, options and fixed values for `git-coord`, and for bash also
/// `git coord …` (through git's own completion, which calls `_git_coord`). Load it in your
/// shell's start-up file, or save it where your shell looks for completions.
///
/// Examples:
///   source <(git coord completions bash)          # in ~/.bashrc
///   git coord completions zsh > ~/.zfunc/_git-coord   # with fpath+=(~/.zfunc) in ~/.zshrc
///   git coord completions fish > ~/.config/fish/completions/git-coord.fish
///   git coord completions powershell >> $PROFILE
///   eval (git coord completions elvish | slurp)   # in ~/.config/elvish/rc.elv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Bash: git-completion.bash calls `_git_coord` for `git coord …` with COMP_WORDS starting at
/// `git`; the generated completer expects them to start at `git-coord`.
const GIT_BASH_BRIDGE: &str = r#"
# `git coord <TAB>`: git's completion calls _git_coord; complete the words after `coord`.
_git_coord() {
    local i=1
    while [[ $i -lt ${#COMP_WORDS[@]} && ${COMP_WORDS[i]} != coord ]]; do
        i=$((i + 1))
    done
    local COMP_WORDS=("git-coord" "${COMP_WORDS[@]:i+1}")
    local COMP_CWORD=$((COMP_CWORD - i))
    local COMP_LINE="${COMP_WORDS[*]}"
    local COMP_POINT=${#COMP_LINE}
    COMPLETER git-coord "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let script = script(args.shell);
    if ctx.ui.json {
        ctx.ui
            .json(&json!({ "shell": args.shell.to_string(), "script": script }))?;
    } else {
        ctx.ui.write_out(|w| w.write_all(script.as_bytes()))?;
    }
    Ok(())
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    if shell != Shell::Bash {
        clap_complete::generate(shell, &mut cmd, "git-coord", &mut out);
        return String::from_utf8_lossy(&out).into_owned();
    }
    // clap_complete's bash script mangles a `-` in the binary's name in some places and not
    // others (`git-coord task` is never recognised), so it is generated for a name without
    // one and registered for the real name. `$1`, which bash passes, is the real name.
    clap_complete::generate(shell, &mut cmd, BASH_NAME, &mut out);
    let mut text = String::new();
    for line in String::from_utf8_lossy(&out).lines() {
        match line.strip_suffix(&format!(" {BASH_NAME}")) {
            Some(head) if line.trim_start().starts_with("complete ") => {
                text.push_str(head);
                text.push_str(" git-coord");
            }
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    text.push_str(&GIT_BASH_BRIDGE.replace("COMPLETER", &format!("_{BASH_NAME}")));
    text
}

/// The name the bash completer is generated for (its function is `_gitcoord`).
const BASH_NAME: &str = "gitcoord";
