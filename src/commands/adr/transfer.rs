//! `adr import DIR` and `adr export DIR`: adr-tools and MADR directories (DESIGN §4 records).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::warn_skipped;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::adr::{AdrNumber, BodyFormat};
use crate::ops::adr::{self as transfer, ForeignFile};
use crate::ui::sanitize_line;

/// Import an adr-tools or MADR directory of ADRs
///
/// Reads every NNNN-title.md file of DIR (other files, such as README.md or a template, are
/// left alone) and writes them all as ADRs in one commit, keeping their numbers and their
/// supersede links. The format is detected per file:
///   adr-tools  (doc/adr) `# 1. Title`, `Date: 2026-01-01`, `## Status` with `Accepted`,
///              `Superseded by [3. Foo](0003-foo.md)`, `Supersedes [1. …](0001-….md)`,
///              `## Context`, `## Decision`, `## Consequences`
///   MADR       (docs/decisions) YAML front matter (status, date, deciders or
///              decision-makers, consulted) or `* Status:` lines, `# Title`,
///              `## Considered Options`, `## Decision Outcome` with
///              `Chosen option: "X", because …`, `## Pros and Cons of the Options` with
///              `### Option` and `* Good, because …` / `* Bad, because …`
/// The whole file becomes the record's body, so nothing is lost; what could be read into
/// fields (status, date, deciders that are valid agent names, options, the chosen option,
/// supersede links) is. A number that already exists on the branch, or twice in DIR,
/// fails the whole import (exit 2) naming it: nothing is renumbered. `adr export` writes
/// the files back; its --help says what round-trips byte for byte.
///
/// Examples:
///   git coord adr import doc/adr
///   git coord adr import docs/decisions --json | jq '.imported[].number'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The directory holding the ADR files
    pub dir: PathBuf,
}

pub fn import(ctx: &Context, args: ImportArgs) -> CommandResult {
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let files = read_dir(&args.dir)?;
    let label = args.dir.display().to_string();
    let outcome = transfer::import(store, &actor, &label, &files)?;
    for w in &outcome.warnings {
        ctx.ui.warn(sanitize_line(w));
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&outcome)?);
    }
    ctx.ui.info(format!(
        "Imported {} ADRs from {label} in one commit",
        outcome.imported.len()
    ))?;
    for i in &outcome.imported {
        ctx.ui.line(format!(
            "  {}  {:<10}  {}  ({})",
            i.number,
            i.status.as_str(),
            sanitize_line(&i.title),
            i.format.as_str()
        ))?;
    }
    Ok(())
}

/// The NNNN-title.md files of `dir`, by name.
fn read_dir(dir: &Path) -> CommandResult<Vec<ForeignFile>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CommandError::usage(format!("cannot read the directory {}: {e}", dir.display()))
            .hint("point at the directory holding the ADR files, e.g. doc/adr or docs/decisions")
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CommandError::usage(format!("{}: {e}", dir.display())))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let path = entry.path();
        if AdrNumber::from_file_name(&name).is_none() || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CommandError::usage(format!("cannot read {}: {e}", path.display()))
                .hint("ADR files are UTF-8 text")
        })?;
        files.push(ForeignFile { name, text });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    AdrTools,
    Madr,
}

/// Write every ADR to a directory as adr-tools or MADR files
///
/// Writes DIR/NNNN-slug.md for each ADR (creating DIR; other files in it are left alone),
/// so a project can keep its ADRs in its main tree. The default format is the one the
/// ADRs were imported from when they all came from one, else adr-tools.
///
/// An ADR whose body is already in that format (it was imported from it) is written back
/// exactly as stored, so `adr import DIR` then `adr export DIR` rewrites the same bytes;
/// the only normalisations are a final newline added to a file without one, and file names
/// whose number has fewer than four digits or whose title part is not lowercase a-z, 0-9
/// and - (such a file is named after its title instead). Status changes made since the
/// import are in that text, because every write refreshes the status (and a new decision
/// or options) in the body. Other ADRs are converted: their fields make the status,
/// metadata, options and decision, and their sections carry over (Context, Decision,
/// Consequences, then the rest).
///
/// Examples:
///   git coord adr export doc/adr
///   git coord adr export docs/decisions --format madr
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// The directory to write to
    pub dir: PathBuf,
    /// adr-tools or madr (default: the format the ADRs were imported from, else adr-tools)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormat>,
}

pub fn export(ctx: &Context, args: ExportArgs) -> CommandResult {
    let format = args.format.map(|f| match f {
        ExportFormat::AdrTools => BodyFormat::AdrTools,
        ExportFormat::Madr => BodyFormat::Madr,
    });
    let (format, files, problems) = transfer::export(ctx.store()?, format)?;
    warn_skipped(&ctx.ui, &problems);
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| {
        CommandError::usage(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    for f in &files {
        let path = dir.join(&f.file);
        std::fs::write(&path, &f.text)
            .map_err(|e| CommandError::usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&json!({
            "dir": dir.display().to_string(),
            "format": format,
            "files": files,
        }))?);
    }
    Ok(ctx.ui.info(format!(
        "Wrote {} ADRs to {} ({})",
        files.len(),
        dir.display(),
        format.as_str()
    ))?)
}
