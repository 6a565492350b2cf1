use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::ownership;
use crate::report::check as render;
use crate::ui::sanitize_text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people
    Text,
    /// One JSON object
    Json,
    /// A pull-request comment
    Markdown,
    /// GitHub Actions workflow commands
    Github,
}

/// Check changed files against the agents' claims
///
/// --staged checks what is staged (the index against HEAD) as the acting agent's change: a
/// path another agent holds exclusively is a violation (exit 1); a path nobody holds is
/// allowed, warned about or refused as git config coord.unowned says (allow|warn|deny).
/// Without a coordination branch or an agent it reports nothing and exits 0, so a hook never
/// blocks a repository that does not use git coord.
///
/// Examples:
///   git coord check --staged
///   git coord check --staged --format github
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Check the staged changes (what the next commit would contain)
    #[arg(long, required = true)]
    pub staged: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let format = if ctx.ui.json {
        Format::Json
    } else {
        args.format
    };
    let store = ctx.store()?;
    let Some((agent, _)) = ctx.agent()? else {
        ctx.ui
            .note("git coord check: no agent is set for this worktree; nothing checked");
        return Ok(());
    };
    if store.tip()?.is_none() {
        ctx.ui
            .note("git coord check: no coordination branch; nothing checked");
        return Ok(());
    }
    let (report, problems) = ownership::check_staged(store, &agent, ctx.now())?;
    for p in problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    match format {
        Format::Json => ctx.ui.json(&report)?,
        Format::Markdown => ctx.ui.line(render::markdown(&report).trim_end())?,
        Format::Github => {
            let text = render::github(&report);
            if !text.is_empty() {
                ctx.ui.line(text.trim_end())?;
            }
        }
        Format::Text => {
            let text = render::text(&report);
            let text = sanitize_text(&text);
            if report.ok {
                if !ctx.ui.quiet {
                    eprint!("{text}");
                }
            } else {
                eprint!("{text}");
            }
        }
    }
    if report.ok {
        Ok(())
    } else {
        Err(CommandError::negative(format!(
            "{} path(s) may not be changed by {}",
            report.violations.len(),
            report.agent
        ))
        .details(serde_json::json!({ "violations": report.violations.len() })))
    }
}
