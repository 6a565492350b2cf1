//! `git coord config`: the settings git-coord reads, their effective values and where each
//! came from (DESIGN §4 overview).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::config::{self, KEYS, PROJECT_KEYS, Setting};
use crate::session::AgentSource;
use crate::ui::{Style, sanitize_line, table};

/// Show the settings git-coord reads, their effective values and where each came from
///
/// The coord.* keys are git config keys; set one with `git config <key> <value>` (for the
/// whole repository) or `git config --worktree <key> <value>` (one worktree, that is one
/// agent). `coordinators` is project policy in .coord/config.toml, read from the commit at
/// HEAD (commit it to main to change it).
/// With a KEY, prints only its effective value (exit 1 when it has none).
///
/// Examples:
///   git coord config --list
///   git coord config coord.staleAfter
///   git coord config --list --json | jq '.[] | select(.origin != "default")'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// List every setting (the default when no KEY is given)
    #[arg(long, short = 'l')]
    pub list: bool,
    /// One setting to show, such as coord.staleAfter
    #[arg(value_name = "KEY", conflicts_with = "list")]
    pub key: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let mut settings = config::effective(ctx.store()?);
    // The agent can also come from --agent or $COORD_AGENT, which win over git config.
    if let Some((agent, source)) = ctx.agent()?
        && source != AgentSource::Config
        && let Some(s) = settings.iter_mut().find(|s| s.key == "coord.agent")
    {
        s.value = Some(agent.to_string());
        s.origin = match source {
            AgentSource::Flag => "command line",
            _ => "environment",
        }
        .to_owned();
        s.file = None;
    }
    if let Some(key) = args.key {
        let Some(s) = settings.iter().find(|s| s.key.eq_ignore_ascii_case(&key)) else {
            let known: Vec<&str> = KEYS.iter().chain(PROJECT_KEYS).map(|k| k.key).collect();
            return Err(
                CommandError::usage(format!("{key} is not a git-coord setting"))
                    .hint(format!("the settings are: {}", known.join(", "))),
            );
        };
        if ctx.ui.json {
            return Ok(ctx.ui.json(s)?);
        }
        return match &s.value {
            Some(v) => Ok(ctx.ui.line(sanitize_line(v))?),
            None => Err(CommandError::negative(format!("{} is not set", s.key))),
        };
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&settings)?);
    }
    let mut rows = vec![
        ["KEY", "VALUE", "FROM", "SCOPE", "MEANING"]
            .map(String::from)
            .to_vec(),
    ];
    for s in &settings {
        rows.push(row(ctx, s));
    }
    ctx.ui.line(table(&rows).trim_end())?;
    Ok(())
}

fn row(ctx: &Context, s: &Setting) -> Vec<String> {
    let from = match &s.file {
        Some(f) => format!("{} ({})", s.origin, f),
        None => s.origin.clone(),
    };
    vec![
        ctx.ui.paint(Style::Bold, s.key).into_owned(),
        sanitize_line(s.value.as_deref().unwrap_or("-")).into_owned(),
        sanitize_line(&from).into_owned(),
        s.scope.describe().to_owned(),
        s.about.to_owned(),
    ]
}
