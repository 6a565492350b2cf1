//! `git coord export`: every task as JSON lines (DESIGN §4 scheduling).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde_json::json;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Task;
use crate::ops::export;
use crate::view::task::TaskJson;

/// Export every task as JSON lines
///
/// Prints one compact JSON object per task and per line, sorted by ID: the same object as
/// `git coord task show --json` (every record field, plus `path`). This is the format
/// `git coord import --from json` reads, so an export moves tasks to another repository.
/// Without --json the output is the same JSON lines (there is no other human form); with
/// --json and --out, stdout gets a summary object instead. A record that cannot be read is
/// named on stderr and skipped. Fields added to records by hand are not part of the export.
///
/// Examples:
///   git coord export --json > tasks.jsonl
///   git coord export --json --out tasks.jsonl
///   git coord export --json | jq -c 'select(.status == "todo")'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Write the JSON lines to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let (tasks, problems) = export::tasks(ctx.store()?)?;
    for p in &problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let Some(out) = args.out else {
        return write_lines(std::io::stdout().lock(), &tasks).map_err(CommandError::from);
    };
    let file = std::fs::File::create(&out).map_err(|e| {
        CommandError::usage(format!("--out {}: {e}", out.display()))
            .hint("give a path in a directory that exists and that you can write to")
    })?;
    write_lines(file, &tasks)
        .map_err(|e| CommandError::internal(format!("cannot write {}: {e}", out.display())))?;
    if ctx.ui.json {
        ctx.ui.json(&json!({
            "exported": tasks.len(),
            "out": out.display().to_string(),
            "skipped": problems,
        }))?;
    } else {
        ctx.ui.info(format!(
            "Exported {} tasks to {}.",
            tasks.len(),
            out.display()
        ))?;
    }
    Ok(())
}

fn write_lines(out: impl Write, tasks: &[Task]) -> std::io::Result<()> {
    let mut out = BufWriter::new(out);
    for task in tasks {
        serde_json::to_writer(&mut out, &TaskJson::new(task))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
