/*!
The command line: global flags, the command tree, and the one place where errors become
exit codes and text on stderr.
*/

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::commands::{self, Command};
use crate::context::{Context, GlobalOptions};
use crate::error::{CommandError, ErrorKind};
use crate::ui::ColorChoice;

/// Coordinate several coding agents working on one repository
///
/// Tasks with dependencies, atomic claims, an agent registry, file ownership, and the
/// project's memory (messages, decisions, conflicts, risks, milestone gates), stored as
/// markdown/TOML records on a coordination branch (refs/heads/coord) that no command ever
/// checks out. Every change is one commit; `git coord log` shows them with diffs. Run
/// `git coord demo` for a tour.
#[derive(Parser, Debug)]
#[command(
    name = "git-coord",
    bin_name = "git coord",
    version,
    arg_required_else_help = true,
    after_help = "Start here:\n  git coord init\n  git config coord.agent <name>      # who this worktree is\n  git coord task add \"Redis rate limiter\" --estimate 6h\n  git coord task list\n  git coord claim <id>   …   git coord done <id>\n\nExit codes: 0 success, 1 a negative answer (not ready, check failed), 2 bad usage or input,\n3 held by another agent."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug)]
pub struct GlobalArgs {
    /// Run as if git coord was started in PATH
    #[arg(short = 'C', global = true, value_name = "PATH")]
    pub directory: Option<PathBuf>,
    /// Act as this agent (default: $COORD_AGENT, then git config coord.agent)
    #[arg(long, global = true, value_name = "ID", allow_hyphen_values = true)]
    pub agent: Option<String>,
    /// Print one JSON value on stdout (errors as JSON on stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour output (NO_COLOR is honoured under auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let asked_json = std::env::args_os()
                .take_while(|a| a != "--")
                .any(|a| a == "--json");
            if asked_json && e.use_stderr() {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{}",
                    usage_error(&e).render_json()
                );
            } else {
                let _ = e.print();
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    run(cli)
}

/// A command line clap could not parse, as the same error every other usage mistake is, so
/// `--json` callers read one shape: clap's suggestions become hints.
fn usage_error(e: &clap::Error) -> CommandError {
    use clap::error::{ContextKind, ContextValue};
    let rendered = e.render().to_string();
    // clap's first paragraph (a message may continue on indented lines: the missing
    // arguments); its tips and usage become hints below.
    let message = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_owned();
    let mut err = CommandError::usage(message);
    for (kind, value) in e.context() {
        let values = match value {
            ContextValue::String(s) => vec![s.clone()],
            ContextValue::Strings(v) => v.clone(),
            _ => continue,
        };
        let hint = match kind {
            ContextKind::SuggestedSubcommand => "did you mean the command",
            ContextKind::SuggestedArg => "did you mean",
            ContextKind::SuggestedValue | ContextKind::ValidValue => "allowed values:",
            ContextKind::Usage => "usage:",
            _ => continue,
        };
        if values.iter().all(|v| v.is_empty()) {
            continue;
        }
        err = err.hint(format!("{hint} {}", values.join(", ")));
    }
    err.hint("see `git coord -h`, or `git coord <command> --help`")
}

pub fn run(cli: Cli) -> ExitCode {
    let json = cli.global.json;
    let opts = GlobalOptions {
        directory: cli.global.directory,
        agent: cli.global.agent,
        json,
        color: cli.global.color,
        quiet: cli.global.quiet,
    };
    let result = Context::new(opts).and_then(|ctx| {
        announce_remote_view(&ctx);
        let ran = commands::run(&ctx, cli.command).and_then(|()| ctx.report_new_agent());
        if ctx.print_counts {
            // One line a test or a benchmark greps for, whatever the command printed.
            let (records, objects) = crate::ops::read_counts();
            let _ = writeln!(
                std::io::stderr().lock(),
                "git-coord counts: records-decoded={records} objects-read={objects}"
            );
        }
        ran
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let _ = if json {
                writeln!(err, "{}", e.render_json())
            } else {
                write!(err, "{}", e.render_text())
            };
            e.exit_code()
        }
    }
}

/// Has the repository say on stderr (once, silent under -q) when a read falls back to the
/// remote's view of the coordination branch because there is no local one. Outside a
/// repository nothing is registered; the command reports that itself if it needs one. Also
/// turns on git's progress for fetches and pushes when stderr is a terminal.
fn announce_remote_view(ctx: &Context) {
    if let Ok(store) = ctx.store() {
        // Written here like the error text below: the store may keep the hook past any
        // borrow of the terminal, so it owns only the flag.
        let quiet = ctx.ui.quiet;
        // Fetches and pushes show git's progress only to a person watching (ADR 0017).
        store.set_progress(!quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()));
        store.set_notice(move |text| {
            if !quiet {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_valid() {
        super::Cli::command().debug_assert();
    }

    /// Every command's `--help`, in one snapshot, so a change of wording is reviewed in the
    /// diff like code (and a help without an example fails below).
    #[test]
    fn every_help_text() {
        fn walk(cmd: &mut clap::Command, path: &str, out: &mut String, missing: &mut Vec<String>) {
            let name = if path.is_empty() {
                "git coord".to_owned()
            } else {
                format!("git coord {path}")
            };
            let help = cmd.render_long_help().to_string();
            let is_group = cmd.has_subcommands();
            if !is_group && !path.is_empty() && !help.contains("Example") {
                missing.push(name.clone());
            }
            out.push_str(&format!("===== {name} --help\n{}\n", help.trim_end()));
            let subs: Vec<String> = cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .map(|s| s.get_name().to_owned())
                .collect();
            for sub in subs {
                if let Some(child) = cmd.find_subcommand_mut(&sub) {
                    let child_path = if path.is_empty() {
                        sub.clone()
                    } else {
                        format!("{path} {sub}")
                    };
                    walk(child, &child_path, out, missing);
                }
            }
        }
        let mut cmd = super::Cli::command().term_width(100);
        cmd.build();
        let mut out = String::new();
        let mut missing = Vec::new();
        walk(&mut cmd, "", &mut out, &mut missing);
        assert!(
            missing.is_empty(),
            "commands whose --help has no example: {missing:?}"
        );
        insta::assert_snapshot!("help", out);
    }
}
