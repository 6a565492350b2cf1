/*!
Agents' registry entries (`agents/<agent>.toml`): one writer, the agent itself, so nothing in
them is a conflict between agents. Lists (expertise, file claims) merge as sets, so a claim
added on one clone and another released on the other both apply; any other field changed on
both sides takes the side with the later `last_seen`, with no conflict record.
*/

use super::record::{Format, Policy};

/// How an agent's registry entry at `path` merges.
pub fn policy(path: &str) -> Policy {
    let writer = path
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".toml"))
        .map(str::to_owned);
    Policy {
        format: Format::Toml,
        // `registered` is no clock: the same agent registered on two clones keeps one of the
        // two times, like any other field, rather than the later.
        clock: &["last_seen"],
        agent_fields: &["id"],
        writer,
        record_conflicts: false,
    }
}
