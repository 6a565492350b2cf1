/*!
The agent registry entry (`agents/<id>.toml`): who an agent is and when it was last seen.

An agent's own entry has one writer, the agent itself, so it merges trivially; every write the
agent makes refreshes `last_seen` in the same commit.
*/

use serde::Serialize;

use super::claim::{self, Claim};
use super::id::AgentId;
use super::record::{self, FieldValue, Fields, Origin, RecordError};
use super::time::Timestamp;

#[derive(Clone, Debug, Serialize)]
pub struct Agent {
    pub id: AgentId,
    pub role: Option<String>,
    pub expertise: Vec<String>,
    /// `active`, `idle`, `blocked` or `offline`.
    pub status: String,
    pub branch: Option<String>,
    /// Files the agent owns beyond those of its tasks (`own`, `spawn --owns`).
    pub claims: Vec<Claim>,
    /// What the agent said it is doing at its last `checkin`.
    pub note: Option<String>,
    pub registered: Timestamp,
    /// When the agent last acted (a write of its own); `None` while an agent registered by
    /// someone else (`agent add`, `spawn`) has not acted yet.
    pub last_seen: Option<Timestamp>,
    #[serde(skip)]
    source: Option<Origin>,
}

impl Agent {
    /// The entry of an agent registering itself by acting: seen now.
    pub fn new(id: AgentId, now: Timestamp) -> Agent {
        Agent {
            last_seen: Some(now),
            ..Agent::added(id, now)
        }
    }

    /// The entry of an agent someone else registers: never seen yet.
    pub fn added(id: AgentId, now: Timestamp) -> Agent {
        Agent {
            id,
            role: None,
            expertise: Vec::new(),
            status: "active".to_owned(),
            branch: None,
            claims: Vec::new(),
            note: None,
            registered: now,
            last_seen: None,
            source: None,
        }
    }

    pub fn parse(path: &str, text: &str) -> Result<Agent, RecordError> {
        let (mut agent, doc) = record::parse_toml(path, text, Agent::from_fields)?;
        agent.source = Some(Origin {
            fields: agent.fields(),
            record: doc,
        });
        Ok(agent)
    }

    fn from_fields(f: &Fields<'_>) -> Result<Agent, RecordError> {
        let id = f.str("id")?;
        let id = AgentId::parse(&id).map_err(|e| f.invalid("id", e.to_string()))?;
        let registered = f.opt_timestamp("registered")?;
        let last_seen = f.opt_timestamp("last_seen")?;
        let (registered, last_seen) = match (registered, last_seen) {
            (Some(r), l) => (r, l),
            (None, Some(l)) => (l, Some(l)),
            (None, None) => {
                return Err(f.invalid(
                    "registered",
                    "the fields `registered` and `last_seen` are missing",
                ));
            }
        };
        Ok(Agent {
            id,
            role: f.opt_str("role")?,
            expertise: f.str_list("expertise")?,
            status: f.opt_str("status")?.unwrap_or_else(|| "active".to_owned()),
            branch: f.opt_str("branch")?,
            claims: claim::parse_claims(f, "claims")?,
            note: f.opt_str("note")?,
            registered,
            last_seen,
            source: None,
        })
    }

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("role", opt_string(self.role.as_deref())),
            ("expertise", list(&self.expertise)),
            ("status", string(&self.status)),
            ("branch", opt_string(self.branch.as_deref())),
            ("claims", claim::claims_value(&self.claims)),
            ("note", opt_string(self.note.as_deref())),
            ("registered", timestamp(self.registered)),
            ("last_seen", opt_timestamp(self.last_seen)),
        ]
    }

    /// Records that the agent acted at `now` (never moving `last_seen` back).
    pub fn saw(&mut self, now: Timestamp) {
        self.last_seen = Some(self.last_seen.map_or(now, |l| l.max(now)));
    }

    /// When the agent was last active: last seen, else registered (what staleness counts from).
    pub fn last_active(&self) -> Timestamp {
        self.last_seen.unwrap_or(self.registered)
    }

    pub fn to_text(&self) -> String {
        record::rewrite(self.source.as_ref(), &self.fields()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let now = Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let a = Agent::new(AgentId::parse("state").unwrap(), now);
        let text = format!("# hand comment\n{}favourite = 7\n", a.to_text());
        let mut b = Agent::parse("agents/state.toml", &text).unwrap();
        b.last_seen = Some(Timestamp::parse_rfc3339("2026-11-21T11:00:00Z").unwrap());
        let out = b.to_text();
        assert!(out.starts_with("# hand comment\n"));
        assert!(out.contains("favourite = 7"));
        assert!(out.contains("last_seen = 2026-11-21T11:00:00Z"));
    }
}
