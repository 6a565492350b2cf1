//! `git coord own`: claims files by glob, refused when another agent holds an overlapping
//! exclusive claim (DESIGN §6).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::claim::Mode;
use crate::model::time::parse_wall_duration;
use crate::ops::ownership::{self, OwnRequest};
use crate::ownership::pattern::Pattern;

/// How the patterns argument is shown in usage and named in errors.
pub const PATTERNS_ARG: &str = "GLOB";

/// Claim files: only I may change them (or, with --shared, I work there too)
///
/// Patterns use CODEOWNERS/gitignore glob syntax (`src/**`, `*.rs`, `/docs/`). A pattern that
/// could match any file another agent holds exclusively is refused (exit 3) with the holder
/// and example files — decided exactly on the patterns, not on their text — unless a
/// coordinator's --force, which takes it anyway and records a conflict. Claims from a task's `owns` come and go with
/// the task; claims made here stay until `disown` or their --ttl.
///
/// With --sync the claim holds across clones: it syncs with the remote first, claims, and
/// exits 0 only once the push carrying the claim landed; when another clone's overlapping
/// claim reached the remote first, the local claim is undone and it exits 3 naming the holder.
///
/// Examples:
///   git coord own 'src/ratelimit/**' --reason "token bucket rewrite"
///   git coord own docs/api.md --shared --ttl 4h
///   git coord own 'src/api/**' --sync
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Glob patterns to claim
    #[arg(required = true, value_name = PATTERNS_ARG)]
    pub patterns: Vec<String>,
    /// Others may work there too (never refused, never enforced)
    #[arg(long)]
    pub shared: bool,
    /// The claim expires after this long (30m, 4h, 2d)
    #[arg(long, value_name = "DURATION")]
    pub ttl: Option<String>,
    /// Why (shown to whoever collides with it)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Take it even where another agent holds the files, and record a conflict (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By).
    #[arg(long)]
    pub force: bool,
    /// Confirm the claim through the remote (`git coord sync`): exit 0 only once it is pushed
    #[arg(long)]
    pub sync: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    // Refused here, where the argument's name is known: the library only knows "a pattern".
    for given in &args.patterns {
        Pattern::parse_given(given).map_err(|e| {
            CommandError::usage(format!("<{PATTERNS_ARG}>: {e}")).details(
                serde_json::json!({ "argument": format!("<{PATTERNS_ARG}>"), "given": given }),
            )
        })?;
    }
    let ttl_secs = args
        .ttl
        .as_deref()
        .map(parse_wall_duration)
        .transpose()
        .map_err(|e| CommandError::usage(format!("--ttl: {e}")))?;
    let req = OwnRequest {
        patterns: args.patterns,
        mode: if args.shared {
            Mode::Shared
        } else {
            Mode::Exclusive
        },
        ttl_secs,
        reason: args.reason,
        force: args.force,
    };
    let actor = ctx.actor()?;
    let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
    let mut warnings = Vec::new();
    let store = ctx.store()?;
    let owned = if args.sync {
        super::sync::confirmed(ctx, |_| {
            warnings.clear();
            ownership::own(store, &actor, &req, &authority, &mut warnings)
        })
    } else {
        ownership::own(store, &actor, &req, &authority, &mut warnings).map_err(CommandError::from)
    };
    for w in warnings {
        ctx.ui.warn(w);
    }
    let owned = owned?;
    for f in &owned.forced {
        ctx.ui.warn(format!(
            "{} overlaps {}'s {} (e.g. {}): taken anyway with --force",
            f.pattern,
            f.holder,
            f.held_pattern,
            f.examples.join(", ")
        ));
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&owned)?);
    }
    for c in &owned.claims {
        let until = c.until.map(|u| format!(" until {u}")).unwrap_or_default();
        ctx.ui.info(format!(
            "{} now holds {} ({}){until}",
            owned.agent,
            c.pattern,
            c.mode.as_str()
        ))?;
    }
    for id in &owned.conflicts {
        ctx.ui.info(format!("recorded conflict {id}"))?;
    }
    Ok(())
}
