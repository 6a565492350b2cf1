/*!
The JSON view of an agent: its registry fields, `stale` and `path`, keys in alphabetical order
(as the contract has always printed them).
*/

use serde::{Serialize, Serializer};

use crate::model::{Agent, layout};

/// The JSON object of an agent: its registry fields plus `stale` and `path`.
pub struct AgentJson<'a> {
    pub agent: &'a Agent,
    /// Whether it has not been seen for longer than `coord.staleAfter`.
    pub stale: bool,
}

impl<'a> AgentJson<'a> {
    pub fn new(agent: &'a Agent, stale: bool) -> AgentJson<'a> {
        AgentJson { agent, stale }
    }
}

impl Serialize for AgentJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Built as a JSON map (sorted keys) rather than a flattened struct: the printed order
        // is part of the contract, and it has been alphabetical since `agent list --json` began.
        let mut value = serde_json::to_value(self.agent).map_err(serde::ser::Error::custom)?;
        if let Some(o) = value.as_object_mut() {
            o.insert("stale".into(), self.stale.into());
            o.insert("path".into(), layout::agent_path(&self.agent.id).into());
        }
        value.serialize(serializer)
    }
}
