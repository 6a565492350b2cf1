//! `git coord man`: manual pages (roff, through clap_mangen) and the markdown CLI reference
//! (`docs/cli.md`), both generated from the clap command tree so they cannot drift from
//! `--help` (DESIGN §4).
//!
//! git answers `git coord --help` and `git help coord` by running `man git-coord`, so a page
//! named `git-coord.1` where `man` looks is what makes them work.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use serde_json::json;

use crate::cli::Cli;
use crate::context::{Context, user_man_dir};
use crate::error::{CommandError, CommandResult};

/// Write the manual pages, or print the markdown CLI reference
///
/// Without options, prints the main page (git-coord.1) as roff on stdout. --out DIR writes one
/// page per command: git-coord.1, git-coord-<command>.1, git-coord-<group>-<command>.1.
/// --install writes them where `man` finds them for you: $XDG_DATA_HOME/man/man1, else
/// ~/.local/share/man/man1 (man-db searches it when ~/.local/bin is on your PATH; otherwise
/// add ~/.local/share/man to MANPATH). Then `git coord --help` and `git help coord` open the
/// manual, because git runs `man git-coord` for them. --markdown prints the reference that is
/// checked in as docs/cli.md.
///
/// Examples:
///   git coord man --install
///   git coord man --out target/man && MANPATH=target/man: man git-coord-claim
///   git coord man | man -l -
///   git coord man --markdown > docs/cli.md
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Write every page into this directory (created if missing)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["install", "markdown"])]
    pub out: Option<PathBuf>,
    /// Write every page into your own manual directory (see above)
    #[arg(long, conflicts_with = "markdown")]
    pub install: bool,
    /// Print the markdown CLI reference (docs/cli.md) instead of roff
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    if args.markdown {
        let text = markdown();
        if ctx.ui.json {
            ctx.ui.json(&json!({ "markdown": text }))?;
        } else {
            ctx.ui.write_out(|w| w.write_all(text.as_bytes()))?;
        }
        return Ok(());
    }
    // Every page is rendered before anything is written: a failure writes nothing.
    let pages = pages()?;
    let dir = match (args.out, args.install) {
        (Some(dir), _) => dir,
        (None, true) => user_man_dir().ok_or_else(|| {
            CommandError::usage(
                "cannot tell where your manual pages go: neither XDG_DATA_HOME nor HOME is set",
            )
            .hint("say where: git coord man --out <DIR>, then add <DIR>/.. to MANPATH")
        })?,
        (None, false) => {
            let (_, main) = &pages[0];
            if ctx.ui.json {
                ctx.ui.json(
                    &json!({ "page": "git-coord.1", "roff": String::from_utf8_lossy(main) }),
                )?;
            } else {
                ctx.ui.write_out(|w| w.write_all(main))?;
            }
            return Ok(());
        }
    };
    write_pages(&dir, &pages)?;
    let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
    if ctx.ui.json {
        ctx.ui
            .json(&json!({ "dir": dir.display().to_string(), "pages": names }))?;
        return Ok(());
    }
    ctx.ui.info(format!(
        "Wrote {} manual pages to {}.",
        names.len(),
        dir.display()
    ))?;
    // The directory `man` needs on MANPATH is the one above man1/.
    let root = dir.parent().unwrap_or(&dir);
    ctx.ui.note(format!(
        "read them with `man git-coord` (or `git coord --help`); if man does not find them: export MANPATH=\"{}:$MANPATH\"",
        root.display()
    ));
    Ok(())
}

fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> CommandResult {
    std::fs::create_dir_all(dir).map_err(|e| {
        CommandError::usage(format!("cannot create {}: {e}", dir.display()))
            .hint("give a directory you can write to: git coord man --out <DIR>")
    })?;
    for (name, roff) in pages {
        let path = dir.join(name);
        std::fs::write(&path, roff).map_err(|e| {
            CommandError::usage(format!("cannot write {}: {e}", path.display()))
                .hint("give a directory you can write to: git coord man --out <DIR>")
        })?;
    }
    Ok(())
}

/// The command tree as the manual and the reference show it: built, without the `help`
/// pseudo-command.
fn tree() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every visible command's page, `git-coord.1` first, as (file name, roff).
pub fn pages() -> CommandResult<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> CommandResult {
        let man = clap_mangen::Man::new(cmd.clone())
            .manual("git-coord Manual")
            .source(format!("git-coord {}", env!("CARGO_PKG_VERSION")));
        let mut roff = Vec::new();
        man.render(&mut roff)
            .map_err(|e| CommandError::internal(format!("cannot render a manual page: {e}")))?;
        out.push((man.get_filename(), roff));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&tree(), &mut out)?;
    Ok(out)
}

/// The markdown CLI reference: every visible command's long help, in tree order, each under
/// its own heading, with a table of contents. Checked in as docs/cli.md.
pub fn markdown() -> String {
    fn walk(cmd: &mut clap::Command, path: &str, toc: &mut String, body: &mut String) {
        let name = if path.is_empty() {
            "git coord".to_owned()
        } else {
            format!("git coord {path}")
        };
        let anchor = name.replace(' ', "-");
        let depth = path.split_whitespace().count();
        toc.push_str(&format!("{}- [`{name}`](#{anchor})\n", "  ".repeat(depth)));
        let help = cmd.render_long_help().to_string();
        body.push_str(&format!(
            "## `{name}`\n\n```text\n{}\n```\n\n",
            help.trim_end()
        ));
        let subs: Vec<String> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_owned())
            .collect();
        for sub in subs {
            if let Some(child) = cmd.find_subcommand_mut(&sub) {
                let child_path = if path.is_empty() {
                    sub.clone()
                } else {
                    format!("{path} {sub}")
                };
                walk(child, &child_path, toc, body);
            }
        }
    }
    // A fixed width, so the file is the same on every terminal and machine.
    let mut cmd = tree().term_width(100);
    let mut toc = String::new();
    let mut body = String::new();
    walk(&mut cmd, "", &mut toc, &mut body);
    format!(
        "# git coord: command-line reference\n\n<!-- Generated from the command tree by `git coord man --markdown`; do not edit.\n     Regenerate: GIT_COORD_UPDATE_DOCS=1 cargo test --test cli test_faces::cli_reference -->\n\n{toc}\n{body}"
    )
    .trim_end()
    .to_owned()
        + "\n"
}
