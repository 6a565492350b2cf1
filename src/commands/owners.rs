//! `git coord owners`: who holds files, by which claim, since and until when (DESIGN §6).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::ownership;
use crate::ownership::claims::Source;
use crate::ui::{Style, sanitize_line, table};

/// Show who holds files: by which claim, since and until when
///
/// With paths, lists every claim on each path (an agent's own claims, and the `owns` of open
/// tasks, held by their assignee) and the baseline rule that decides it: .coord/owners.toml
/// (agents, enforced by `check`) or else CODEOWNERS (.github/, root, docs/; GitHub's
/// semantics, the last matching rule wins; informational). Without paths, lists every live
/// claim.
///
/// Examples:
///   git coord owners src/ratelimit/mod.rs
///   git coord owners --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Repository-relative paths
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let (per_path, set) = ownership::owners(ctx.store()?, &args.paths, ctx.now())?;
    for p in &set.problems {
        ctx.ui.warn(p);
    }
    if ctx.ui.json {
        if args.paths.is_empty() {
            return Ok(ctx.ui.json(&set.held)?);
        }
        return Ok(ctx.ui.json(&per_path)?);
    }
    let row = |h: &crate::ownership::claims::Held| {
        vec![
            ctx.ui.paint(Style::Bold, h.agent.as_str()).into_owned(),
            sanitize_line(h.pattern.as_str()).into_owned(),
            h.mode.as_str().to_owned(),
            match (&h.source, &h.unreadable) {
                (Source::Agent, Some(file)) => format!("{file} (unreadable)"),
                (Source::Agent, None) => "own".to_owned(),
                (Source::Task(t), _) => t.to_string(),
            },
            h.since.to_string(),
            h.until
                .map(|u| u.to_string())
                .unwrap_or_else(|| "-".to_owned()),
        ]
    };
    let header = ["AGENT", "PATTERN", "MODE", "FROM", "SINCE", "UNTIL"]
        .map(String::from)
        .to_vec();
    if args.paths.is_empty() {
        if set.held.is_empty() {
            ctx.ui.info("Nobody holds any files.")?;
            return Ok(());
        }
        let mut rows = vec![header];
        rows.extend(set.held.iter().map(row));
        return Ok(ctx.ui.line(table(&rows).trim_end())?);
    }
    for p in &per_path {
        let base = p.baseline.as_ref().filter(|b| !b.owners.is_empty());
        if p.holders.is_empty() && base.is_none() {
            ctx.ui
                .line(format!("{}: unowned", sanitize_line(&p.path)))?;
            continue;
        }
        ctx.ui.line(format!("{}:", sanitize_line(&p.path)))?;
        if !p.holders.is_empty() {
            let mut rows = vec![header.clone()];
            rows.extend(p.holders.iter().map(row));
            for line in table(&rows).lines() {
                ctx.ui.line(format!("  {line}"))?;
            }
        }
        if let Some(b) = &p.baseline {
            let owners = if b.owners.is_empty() {
                "nobody".to_owned()
            } else {
                b.owners.join(" ")
            };
            let kind = if b.enforced {
                "enforced"
            } else {
                "informational"
            };
            ctx.ui.line(format!(
                "  baseline {}:{} {} → {} ({kind})",
                b.source,
                b.line,
                sanitize_line(&b.pattern),
                sanitize_line(&owners)
            ))?;
        }
    }
    Ok(())
}
