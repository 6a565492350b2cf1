/*!
`git coord adr …`: architecture decision records. Numbered ADRs with options, a decision,
a status and supersede links, kept on the coordination branch (`adrs/NNNN-slug.md`), and
imported from or exported to adr-tools and MADR directories (DESIGN §3 IDs, §4 records).
*/

mod changes;
mod edit;
mod records;
mod transfer;

use clap::Subcommand;
use serde_json::json;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::adr::{AdrNumber, Refusal};
use crate::model::{AgentId, RecordError, Timestamp};
use crate::ops::adr::{AdrError, TransferError};
use crate::ui::{Ui, sanitize_line};

/// Record architecture decisions (ADRs): options, decisions, supersede links
#[derive(Subcommand, Debug)]
pub enum AdrCommand {
    New(records::NewArgs),
    List(records::ListArgs),
    Show(records::ShowArgs),
    Edit(edit::EditArgs),
    #[command(name = "option")]
    AddOption(changes::OptionArgs),
    Decide(changes::DecideArgs),
    #[command(
        about = "Accept a proposed ADR (without choosing an option; see `adr decide`)",
        long_about = concat!("Accept a proposed ADR (without choosing an option; see `adr decide`)\n\n", crate::adr_status_help!())
    )]
    Accept(changes::StatusArgs),
    #[command(
        about = "Reject a proposed ADR",
        long_about = concat!("Reject a proposed ADR\n\n", crate::adr_status_help!())
    )]
    Reject(changes::StatusArgs),
    #[command(
        about = "Deprecate an accepted ADR that nothing replaces",
        long_about = concat!("Deprecate an accepted ADR that nothing replaces\n\n", crate::adr_status_help!())
    )]
    Deprecate(changes::StatusArgs),
    Supersede(changes::SupersedeArgs),
    Review(records::ReviewArgs),
    Import(transfer::ImportArgs),
    Export(transfer::ExportArgs),
}

pub fn run(ctx: &Context, command: AdrCommand) -> CommandResult {
    use crate::model::adr::AdrStatus::*;
    match command {
        AdrCommand::New(a) => records::new(ctx, a),
        AdrCommand::List(a) => records::list(ctx, a),
        AdrCommand::Show(a) => records::show(ctx, a),
        AdrCommand::Edit(a) => edit::edit(ctx, a),
        AdrCommand::Review(a) => records::review(ctx, a),
        AdrCommand::AddOption(a) => changes::option(ctx, a),
        AdrCommand::Decide(a) => changes::decide(ctx, a),
        AdrCommand::Accept(a) => changes::status(ctx, a, Accepted),
        AdrCommand::Reject(a) => changes::status(ctx, a, Rejected),
        AdrCommand::Deprecate(a) => changes::status(ctx, a, Deprecated),
        AdrCommand::Supersede(a) => changes::supersede(ctx, a),
        AdrCommand::Import(a) => transfer::import(ctx, a),
        AdrCommand::Export(a) => transfer::export(ctx, a),
    }
}

/// An ADR number as typed: `7`, `0007`, `ADR-7`, `ADR-0007`.
fn number(given: &str) -> CommandResult<AdrNumber> {
    Ok(AdrNumber::parse(given).map_err(AdrError::from)?)
}

/// `--deadline`/`--review-date`: `YYYY-MM-DD` (end of that day, UTC) or RFC 3339.
fn date_flag(flag: &str, value: Option<&str>) -> CommandResult<Option<Timestamp>> {
    value
        .map(|v| {
            Timestamp::parse_deadline(v).map_err(|e| CommandError::usage(format!("{flag}: {e}")))
        })
        .transpose()
}

/// Agent names from a comma-separated flag.
fn agents_flag(flag: &str, values: &[String]) -> CommandResult<Vec<AgentId>> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| AgentId::parse(v).map_err(|e| CommandError::usage(format!("{flag}: {e}"))))
        .collect()
}

fn warn_skipped(ui: &Ui, problems: &[RecordError]) {
    for p in problems {
        ui.warn(format!("skipped {p}"));
    }
}

const LIST_HINT: &str = "`git coord adr list` lists every ADR";

impl From<AdrError> for CommandError {
    fn from(e: AdrError) -> CommandError {
        match e {
            AdrError::Op(e) => e.into(),
            AdrError::Number(e) => CommandError::usage(e.to_string()).hint(LIST_HINT),
            AdrError::Invalid(f) => invalid(f),
            AdrError::Refused(Refusal::Invalid(f)) => invalid(f),
            AdrError::Refused(r @ Refusal::NotAllowed { number, status, .. }) => {
                CommandError::usage(r.to_string())
                    .details(json!({ "number": number, "status": status }))
            }
            AdrError::Refused(r @ Refusal::UnknownOption { number, .. }) => {
                let Refusal::UnknownOption { given, options, .. } = &r else {
                    return CommandError::usage(r.to_string());
                };
                let details = json!({ "number": number, "given": given, "options": options });
                CommandError::usage(sanitize_line(&r.to_string()).into_owned())
                    .hint(format!(
                        "add it first: git coord adr option {} <name> --pros … --cons …",
                        number.get()
                    ))
                    .details(details)
            }
            AdrError::Unknown { number } => CommandError::usage(format!("there is no {number}"))
                .hint(LIST_HINT)
                .details(json!({ "number": number })),
            e @ AdrError::Duplicate { .. } => CommandError::usage(e.to_string())
                .hint("give one of them a free number by hand, then run `git coord doctor`"),
            e @ AdrError::AlreadySuperseded { .. } => CommandError::usage(e.to_string())
                .hint("supersede the ADR that replaced it instead"),
            AdrError::Transfer(e) => {
                let hint = match &e {
                    TransferError::Exists { .. } => {
                        "ADR numbers are kept on import: rename the file to a free number, or leave it out"
                    }
                    TransferError::DuplicateInDir { .. } => "give one of the files a free number",
                    TransferError::Empty { .. } => {
                        "point at the directory holding the ADR files, e.g. doc/adr or docs/decisions"
                    }
                    TransferError::Unreadable { .. } => {
                        "fix the file, or move it out of the directory for the import"
                    }
                };
                CommandError::usage(sanitize_line(&e.to_string()).into_owned()).hint(hint)
            }
        }
    }
}

/// A field error named as `adr new <TITLE>` and `adr option <NUMBER> <NAME>` take the
/// field (`adr edit` names its `--title` itself); other fields by their flag.
fn invalid(f: crate::model::task::InvalidField) -> CommandError {
    let flag = match f.field {
        "title" => "<TITLE>",
        "option" => "<NAME>",
        other => {
            return CommandError::usage(format!("--{}: {}", other.replace('_', "-"), f.message))
                .details(json!({ "field": f.field }));
        }
    };
    CommandError::usage(format!("{flag}: {}", f.message)).details(json!({ "field": f.field }))
}
