/*!
The set of live file claims at one commit: every agent's own claims (`own`, `spawn --owns`)
and the `owns` of every open task, held by its assignee. Patterns are compiled once; questions
are pure functions: who holds a path, and which claims a new pattern would collide with.

Claims fail closed: an agent record that cannot be read as a whole (invalid TOML, a bad field)
still holds every claim that can be read out of it ([`salvage`]), marked as coming from an
unreadable record, so a hand edit gone wrong never frees the files its agent holds.
*/

use serde::Serialize;

use super::pattern::Pattern;
use crate::model::claim::Mode;
use crate::model::{Agent, AgentId, Task, TaskId, Timestamp};

/// Where a claim comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Source {
    /// The agent's own claim (`own`).
    Agent,
    /// The `owns` of a task the agent holds.
    Task(TaskId),
}

/// One live claim.
#[derive(Clone, Debug, Serialize)]
pub struct Held {
    pub agent: AgentId,
    #[serde(serialize_with = "pattern_text")]
    pub pattern: Pattern,
    pub mode: Mode,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub source: Source,
    /// The record this claim was salvaged from, when that record cannot be read as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

fn pattern_text<S: serde::Serializer>(p: &Pattern, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

/// A claim before its pattern is compiled: what a cache keeps.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RawClaim {
    pub agent: AgentId,
    pub pattern: String,
    pub mode: Mode,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    /// Kept as an optional task ID: the adjacently tagged form `Source` has in JSON needs a
    /// self-describing format, and the binary cache is not one (every read missed it).
    #[serde(with = "source_as_task")]
    pub source: Source,
    /// The record this claim was salvaged from, when that record cannot be read as a whole.
    pub unreadable: Option<String>,
}

mod source_as_task {
    use super::{Source, TaskId};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(source: &Source, s: S) -> Result<S::Ok, S::Error> {
        match source {
            Source::Agent => None::<&TaskId>.serialize(s),
            Source::Task(id) => Some(id).serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        Ok(Option::<TaskId>::deserialize(d)?.map_or(Source::Agent, Source::Task))
    }
}

/// Every claim the records make: agents' own claims and open tasks' `owns` (expired ones
/// included; [`ClaimSet::from_raw`] drops them for a given time).
pub fn raw_claims(agents: &[Agent], tasks: &[Task]) -> Vec<RawClaim> {
    let mut out = Vec::new();
    for a in agents {
        for c in &a.claims {
            out.push(RawClaim {
                agent: a.id.clone(),
                pattern: c.pattern.clone(),
                mode: c.mode,
                since: c.since,
                until: c.until,
                source: Source::Agent,
                unreadable: None,
            });
        }
    }
    for t in tasks.iter().filter(|t| !t.status.is_closed()) {
        let Some(agent) = &t.assignee else { continue };
        for p in &t.owns {
            out.push(RawClaim {
                agent: agent.clone(),
                pattern: p.clone(),
                mode: Mode::Exclusive,
                since: t.claimed.unwrap_or(t.updated),
                until: None,
                source: Source::Task(t.id.clone()),
                unreadable: None,
            });
        }
    }
    out
}

/// A claim read out of a record that cannot be read as a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Salvaged {
    pub pattern: String,
    /// `exclusive` unless the record clearly says `shared`: failing closed.
    pub mode: Mode,
    pub since: Option<Timestamp>,
    /// `None` (no expiry) unless the record gives a readable one.
    pub until: Option<Timestamp>,
}

/// Every claim that can be read out of an agent record's `text`, however broken the rest is.
///
/// In order: the whole file as TOML (a field is wrong, not the syntax): its `claims`, whether
/// an inline array or `[[claims]]` tables; else each `{ … }` on a line that reads as an inline
/// table with a `pattern`; else each `pattern = "…"` whose string reads. Whatever is unclear
/// about a claim is taken the strict way: exclusive, never expiring.
pub fn salvage(text: &str) -> Vec<Salvaged> {
    use toml_edit::{DocumentMut, Item, Value};
    let from_table = |get: &dyn Fn(&str) -> Option<Value>| -> Option<Salvaged> {
        let pattern = get("pattern")?.as_str()?.trim().to_owned();
        if pattern.is_empty() {
            return None;
        }
        let time = |k: &str| {
            get(k).and_then(|v| {
                let text = v
                    .as_datetime()
                    .map(|d| d.to_string())
                    .or_else(|| v.as_str().map(str::to_owned))?;
                Timestamp::parse_rfc3339(&text)
            })
        };
        Some(Salvaged {
            pattern,
            mode: match get("mode").as_ref().and_then(Value::as_str) {
                Some("shared") => Mode::Shared,
                _ => Mode::Exclusive,
            },
            since: time("since"),
            until: time("until"),
        })
    };
    if let Ok(doc) = text.parse::<DocumentMut>() {
        let mut out = Vec::new();
        match doc.get("claims") {
            Some(Item::Value(Value::Array(array))) => {
                for v in array.iter() {
                    if let Some(t) = v.as_inline_table() {
                        out.extend(from_table(&|k| t.get(k).cloned()));
                    }
                }
            }
            Some(Item::ArrayOfTables(tables)) => {
                for t in tables.iter() {
                    out.extend(from_table(&|k| t.get(k).and_then(Item::as_value).cloned()));
                }
            }
            _ => {}
        }
        return out;
    }
    let mut out = Vec::new();
    for line in text.lines() {
        let mut found = false;
        for (open, _) in line.match_indices('{') {
            // The shortest `{ … }` from here that reads as an inline table.
            let table = line[open..].match_indices('}').find_map(|(close, _)| {
                let candidate = &line[open..open + close + 1];
                format!("x = {candidate}")
                    .parse::<DocumentMut>()
                    .ok()
                    .and_then(|d| d.get("x")?.as_inline_table().cloned())
            });
            if let Some(t) = table
                && let Some(c) = from_table(&|k| t.get(k).cloned())
            {
                out.push(c);
                found = true;
            }
        }
        if found {
            continue;
        }
        // Last resort: the pattern strings themselves.
        for (at, _) in line.match_indices("pattern") {
            let rest = line[at + "pattern".len()..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let quote = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => continue,
            };
            let value = rest[1..].match_indices(quote).find_map(|(end, _)| {
                format!("x = {}", &rest[..end + 2])
                    .parse::<DocumentMut>()
                    .ok()
                    .and_then(|d| d.get("x")?.as_str().map(str::to_owned))
            });
            if let Some(pattern) = value.filter(|p| !p.trim().is_empty()) {
                out.push(Salvaged {
                    pattern: pattern.trim().to_owned(),
                    mode: Mode::Exclusive,
                    since: None,
                    until: None,
                });
            }
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct ClaimSet {
    pub held: Vec<Held>,
    /// Claims whose pattern could not be parsed, as messages naming the agent or task.
    pub problems: Vec<String>,
}

impl ClaimSet {
    pub fn build(agents: &[Agent], tasks: &[Task], now: Timestamp) -> ClaimSet {
        ClaimSet::from_raw(raw_claims(agents, tasks), now)
    }

    /// Compiles raw claims (as [`raw_claims`] lists them, or a cache kept them), leaving
    /// out those expired at `now`.
    pub fn from_raw(raw: Vec<RawClaim>, now: Timestamp) -> ClaimSet {
        let mut set = ClaimSet::default();
        for r in raw.into_iter().filter(|r| r.until.is_none_or(|u| u > now)) {
            match Pattern::parse(&r.pattern) {
                Ok(pattern) => set.held.push(Held {
                    agent: r.agent,
                    pattern,
                    mode: r.mode,
                    since: r.since,
                    until: r.until,
                    source: r.source,
                    unreadable: r.unreadable,
                }),
                Err(e) => {
                    let whose = match &r.source {
                        Source::Agent => r.agent.to_string(),
                        Source::Task(t) => t.to_string(),
                    };
                    set.problems
                        .push(format!("skipped {whose}: claim {:?}: {e}", r.pattern));
                }
            }
        }
        set
    }

    /// Every claim on `path`.
    pub fn holders(&self, path: &str) -> Vec<&Held> {
        self.held
            .iter()
            .filter(|h| h.pattern.matches(path))
            .collect()
    }

    /// Another agent's exclusive claim on `path`, if any (the first, in claim order).
    pub fn exclusive_holder_other_than(&self, path: &str, agent: &AgentId) -> Option<&Held> {
        self.held
            .iter()
            .find(|h| h.mode == Mode::Exclusive && &h.agent != agent && h.pattern.matches(path))
    }

    /// Other agents' exclusive claims that some path could match together with `pattern`.
    pub fn collisions(&self, agent: &AgentId, pattern: &Pattern) -> Vec<&Held> {
        self.held
            .iter()
            .filter(|h| {
                h.mode == Mode::Exclusive && &h.agent != agent && h.pattern.overlaps(pattern)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The claims cache is postcard: a representation that needs a self-describing format
    /// fails to decode there, and then every read silently rebuilds the cache.
    #[test]
    fn raw_claims_survive_the_binary_cache_format() {
        let at = Timestamp::from_unix(1_795_000_000).expect("time");
        let claim = |source| RawClaim {
            agent: AgentId::parse("api").expect("agent"),
            pattern: "src/**".to_owned(),
            mode: Mode::Exclusive,
            since: at,
            until: Some(at),
            source,
            unreadable: Some("agents/api.toml".to_owned()),
        };
        let task = TaskId::parse("t-4kz9w2").expect("task");
        let claims = vec![claim(Source::Agent), claim(Source::Task(task.clone()))];
        let bytes = postcard::to_stdvec(&claims).expect("encode");
        let back: Vec<RawClaim> = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].source, Source::Agent);
        assert_eq!(back[1].source, Source::Task(task));
        assert_eq!(back[1].until, Some(at));
        assert_eq!(back[1].unreadable.as_deref(), Some("agents/api.toml"));
    }

    fn patterns(text: &str) -> Vec<(String, Mode, Option<Timestamp>)> {
        salvage(text)
            .into_iter()
            .map(|c| (c.pattern, c.mode, c.until))
            .collect()
    }

    #[test]
    fn claims_are_salvaged_from_records_broken_in_any_way() {
        let until = Timestamp::parse_rfc3339("2026-11-22T10:00:00Z");
        let good = "claims = [{ pattern = \"src/**\", mode = \"exclusive\", since = 2026-11-21T10:00:00Z }, { pattern = \"docs/*.md\", mode = \"shared\", since = 2026-11-21T10:00:00Z, until = 2026-11-22T10:00:00Z }]\n";
        let expect = vec![
            ("src/**".to_owned(), Mode::Exclusive, None),
            ("docs/*.md".to_owned(), Mode::Shared, until),
        ];
        // Valid TOML, a field broken.
        assert_eq!(patterns(&format!("id = 7\n{good}")), expect);
        // Invalid TOML elsewhere in the file.
        assert_eq!(patterns(&format!("id = \"a7\nrole = [\n{good}")), expect);
        // The claims line itself broken: each table still reads on its own.
        let cut = good.replace("}]", "},");
        assert_eq!(patterns(&format!("id = = 1\n{cut}")), expect);
        // A table broken too: its pattern still holds, exclusively and without expiry.
        let worse =
            "claims = [{ pattern = \"lib/**\", mode = \"exclu\n{ pattern = \"a\\\"b\" since = ]";
        assert_eq!(
            patterns(worse),
            vec![
                ("lib/**".to_owned(), Mode::Exclusive, None),
                ("a\"b".to_owned(), Mode::Exclusive, None),
            ]
        );
        // Claims as an array of tables, hand written.
        assert_eq!(
            patterns("[[claims]]\npattern = \"x/**\"\nmode = \"nonsense\"\n"),
            vec![("x/**".to_owned(), Mode::Exclusive, None)]
        );
        assert!(patterns("id = \"a7\"\nlast_seen = nonsense\n").is_empty());
        assert!(patterns("\u{0}\u{1}garbage").is_empty());
    }
}
