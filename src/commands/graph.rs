//! `git coord graph`: the dependency graph as DOT or Mermaid, critical path highlighted
//! (DESIGN §4 scheduling, §5).

use crate::context::Context;
use crate::error::CommandResult;
use crate::model::time::format_hours;
use crate::ops::plan::{self, WorkPlan};
use crate::report::graph::{self as render, GraphView};
use crate::ui::Ui;

/// Draw the task dependency graph with the critical path
///
/// Prints the graph as Graphviz DOT (default) or a Mermaid flowchart. An arrow goes from a
/// task to the tasks that wait for it ("must be done before"). Each node shows the task's
/// ID, title, status and estimate (open tasks without one count as 1h, or as git config
/// coord.defaultEstimate). The critical path of the remaining work is highlighted: red and
/// bold in DOT; class `critical` and red links in Mermaid. Done and cancelled tasks are
/// grey, tasks on a dependency cycle orange; cycles are drawn and reported on stderr.
///
/// By default the graph holds the open tasks and the done or cancelled tasks they directly
/// depend on; --all shows every task.
///
/// With --json: {"nodes": [{id, title, status, hours, critical}], "edges": [{from, to,
/// critical}], "critical_path": [ids], "cycles": [[ids]]}, where hours are the remaining
/// hours the schedule counts (0 for done tasks).
///
/// Examples:
///   git coord graph | dot -Tsvg > plan.svg
///   git coord graph --format mermaid --all
///   git coord graph --json | jq -r '.critical_path[]'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output syntax
    #[arg(long, value_enum, default_value_t = Format::Dot, value_name = "FORMAT")]
    pub format: Format,
    /// Show every task, done and cancelled ones included
    #[arg(long)]
    pub all: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphviz DOT (render with `dot -Tsvg`)
    Dot,
    /// A Mermaid flowchart (renders in GitHub markdown)
    Mermaid,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let plan = plan::load(ctx.store()?)?;
    warn_about_plan(&ctx.ui, &plan);
    let view: GraphView = render::build(
        &plan.tasks,
        &plan.schedule,
        &plan.cycles,
        plan.default_hours,
        args.all,
    );
    if ctx.ui.json {
        ctx.ui.json(&view)?;
        return Ok(());
    }
    if view.nodes.is_empty() {
        ctx.ui.note(if args.all {
            "No tasks yet. Add one with `git coord task add <title>`."
        } else {
            "No open tasks; `--all` shows the done ones."
        });
    }
    let text = match args.format {
        Format::Dot => render::to_dot(&view),
        Format::Mermaid => render::to_mermaid(&view),
    };
    ctx.ui.line(text.trim_end())?;
    Ok(())
}

/// Warns on stderr about what the plan was made without: unreadable records, a malformed
/// `coord.defaultEstimate`, cycles. Shared with `gantt`.
pub(crate) fn warn_about_plan(ui: &Ui, plan: &WorkPlan) {
    for p in &plan.problems {
        ui.warn(format!("skipped {p}"));
    }
    if let Some(w) = &plan.config_warning {
        ui.warn(format!("{w}; using {}", format_hours(plan.default_hours)));
    }
    for cycle in &plan.cycles {
        let ids: Vec<&str> = cycle.iter().map(|id| id.as_str()).collect();
        ui.warn(format!(
            "dependency cycle between {}: these tasks and those after them cannot be scheduled; break it with `git coord task dep rm <id> <needs>`",
            ids.join(", ")
        ));
    }
}
