/*!
The coordination SLOs (`[slo]` in `.coord/config.toml` on the default branch): how long a
blocker, a proposed ADR, an open conflict and a question may wait. `status`, `report` and
`standup` turn the day YELLOW past them; `metrics` lists every breach.
*/

use serde::Serialize;

use super::authority::CONFIG_PATH;
use crate::model::time::parse_wall_duration;
use crate::store::Store;

/// The coordination SLOs, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Slos {
    /// A blocked task is unblocked within this.
    pub blockers: i64,
    /// A proposed ADR is decided within this.
    pub decisions: i64,
    /// A conflict is resolved within this.
    pub conflicts: i64,
    /// A message that needs a reply gets one within this.
    pub messages: i64,
}

/// The playbooks' SLOs: blockers 2 h, decisions 24 h, conflicts 4 h, messages 4 h.
pub const DEFAULT_SLOS: Slos = Slos {
    blockers: 2 * 3600,
    decisions: 24 * 3600,
    conflicts: 4 * 3600,
    messages: 4 * 3600,
};

/// The keys of the `[slo]` table of `.coord/config.toml`, each with its default as written.
pub const SLO_KEYS: [(&str, &str); 4] = [
    ("blockers", "2h"),
    ("decisions", "24h"),
    ("conflicts", "4h"),
    ("messages", "4h"),
];

impl Slos {
    fn set(&mut self, key: &str, secs: i64) {
        match key {
            "blockers" => self.blockers = secs,
            "decisions" => self.decisions = secs,
            "conflicts" => self.conflicts = secs,
            _ => self.messages = secs,
        }
    }
}

/// The SLOs in force: `[slo]` in `.coord/config.toml` on the default branch (project policy,
/// like `coordinators`), over [`DEFAULT_SLOS`]. A value that does not parse keeps its default
/// and is named in the warnings returned.
pub fn slos(store: &Store) -> (Slos, Vec<String>) {
    let text = match store.policy_file(CONFIG_PATH) {
        Ok(Some(text)) => text,
        Ok(None) => return (DEFAULT_SLOS, Vec::new()),
        Err(e) => return (DEFAULT_SLOS, vec![format!("{CONFIG_PATH}: {e}")]),
    };
    parse_slos(&text)
}

/// [`slos`] from the text of a `.coord/config.toml`.
pub fn parse_slos(text: &str) -> (Slos, Vec<String>) {
    let mut slos = DEFAULT_SLOS;
    let mut warnings = Vec::new();
    let doc = match text.parse::<toml_edit::DocumentMut>() {
        Ok(doc) => doc,
        Err(e) => {
            warnings.push(format!(
                "{CONFIG_PATH} does not parse ({}); the default SLOs apply",
                e.message()
            ));
            return (slos, warnings);
        }
    };
    let Some(table) = doc.get("slo").and_then(|t| t.as_table_like()) else {
        return (slos, warnings);
    };
    for (key, value) in table.iter() {
        if !SLO_KEYS.iter().any(|(k, _)| *k == key) {
            warnings.push(format!(
                "{CONFIG_PATH}: [slo] {key} is not an SLO git-coord knows (blockers, decisions, conflicts, messages)"
            ));
            continue;
        }
        match value.as_str().map(parse_wall_duration) {
            Some(Ok(secs)) if secs > 0 => slos.set(key, secs),
            _ => warnings.push(format!(
                "{CONFIG_PATH}: [slo] {key} must be a duration such as \"2h\"; the default applies"
            )),
        }
    }
    (slos, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slos_come_from_the_slo_table_with_defaults_and_warnings() {
        let (s, w) =
            parse_slos("coordinators = [\"lead\"]\n[slo]\nblockers = \"30m\"\nmessages = \"1d\"\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            s,
            Slos {
                blockers: 1800,
                messages: 86_400,
                ..DEFAULT_SLOS
            }
        );
        let (s, w) = parse_slos("[slo]\ndecisions = 3\nbogus = \"1h\"\n");
        assert_eq!(s, DEFAULT_SLOS);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("decisions") && w[1].contains("bogus"),
            "{w:?}"
        );
        let (s, w) = parse_slos("[slo\n");
        assert_eq!((s, w.len()), (DEFAULT_SLOS, 1));
    }

    /// The listed defaults are the defaults in force.
    #[test]
    fn listed_slo_defaults_are_the_defaults() {
        let mut s = DEFAULT_SLOS;
        for (key, default) in SLO_KEYS {
            s.set(key, parse_wall_duration(default).expect("a duration"));
        }
        assert_eq!(s, DEFAULT_SLOS);
    }
}
