/*!
Messages (`messages/<bb>/<id>.md`): written once by their sender; what changes afterwards is who
has read them (`read_by`), which merges as a set, so acknowledgements from both sides are all
kept. Anything else edited on both sides merges like any record, by the later `updated` (else
`sent`), with the sender named in a conflict record.
*/

use super::record::{Format, Policy};

/// How messages merge.
pub const MESSAGES: Policy = Policy {
    format: Format::Markdown,
    clock: &["updated", "sent"],
    agent_fields: &["from"],
    writer: None,
    record_conflicts: true,
};
