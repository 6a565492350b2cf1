//! `git coord dashboard`: writes the self-contained HTML dashboard, and with `--watch`
//! rewrites it whenever the coordination branch moves (DESIGN §8).

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::dashboard;
use crate::report::dashboard::render;

/// Write the HTML dashboard: status, dependency graph, swim lanes, metrics
///
/// Writes DIR/index.html: one self-contained page (inline CSS and SVG, no script, nothing
/// fetched from the network) that opens from disk and can be published by CI. It shows what
/// `status` shows (progress, one row per agent, critical path, priorities, blocked and
/// overdue work, conflicts, pending decisions, high risks, milestones), the dependency graph
/// in layers with the critical path in red, each agent's work over the last two days as swim
/// lanes, and the metrics (`git coord metrics`) as small charts with the SLOs.
/// --watch keeps running and rewrites the page whenever the coordination branch moves
/// (checked every second); stop it with Ctrl-C.
///
/// JSON: {"path": "DIR/index.html", "tasks": n, "agents": n}
///
/// Examples:
///   git coord dashboard --out site
///   git coord dashboard --out /tmp/coord --watch
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The directory to write index.html into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Rewrite the page whenever the coordination branch moves
    #[arg(long)]
    pub watch: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    if args.out.exists() && !args.out.is_dir() {
        return Err(
            CommandError::usage(format!("--out {}: not a directory", args.out.display()))
                .hint("name a directory; the page is written to DIR/index.html"),
        );
    }
    let file = args.out.join("index.html");
    let mut last = write(ctx, &args.out, &file)?;
    if !args.watch {
        return Ok(());
    }
    ctx.ui
        .note("watching the coordination branch; Ctrl-C to stop");
    loop {
        // Polling the ref once a second costs one ref read; the page is rebuilt only when
        // the tip actually moved.
        std::thread::sleep(std::time::Duration::from_secs(1));
        let tip = ctx.store()?.tip()?.map(|t| t.commit.to_string());
        if tip != last {
            last = write(ctx, &args.out, &file)?;
        }
    }
}

/// Renders and writes the page, and says where; returns the tip it was drawn from.
fn write(ctx: &Context, dir: &Path, file: &Path) -> CommandResult<Option<String>> {
    let tip = ctx.store()?.tip()?.map(|t| t.commit.to_string());
    let d = dashboard::load(&ctx.session)?;
    for p in &d.state.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    for w in &d.warnings {
        ctx.ui.warn(w);
    }
    let html = render(&d)
        .map_err(|e| CommandError::internal(format!("cannot render the dashboard: {e:#}")))?;
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(file, html))
        .map_err(|e| {
            CommandError::usage(format!("cannot write {}: {e}", file.display()))
                .hint("check that --out names a directory you can write to")
        })?;
    if ctx.ui.json {
        ctx.ui.json(&serde_json::json!({
            "path": file.display().to_string(),
            "tasks": d.state.work.sheet.len(),
            "agents": d.state.agents.len(),
        }))?;
    } else {
        ctx.ui.info(format!("Wrote {}", file.display()))?;
    }
    Ok(tip)
}
