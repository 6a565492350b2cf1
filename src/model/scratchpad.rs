/*!
Scratchpads (`scratchpads/<agent>.md`): one agent's append-only notes, newest last, in plain
markdown. Each entry is a `## <time> · <id>[ · <section>]` heading followed by its text, so
the file reads well anywhere and two clones' entries can be merged as a union by entry ID.
*/

use std::fmt::Write as _;

use serde::Serialize;

use super::id::AgentId;
use super::time::Timestamp;

/// What an entry is about; plain notes have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// An interface or contract other agents build on.
    Integration,
    /// Something that stops this agent.
    Blocker,
    /// A choice made, with its reason.
    Decision,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Integration => "integration",
            Section::Blocker => "blocker",
            Section::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        [Section::Integration, Section::Blocker, Section::Decision]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub at: Timestamp,
    pub section: Option<Section>,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scratchpad {
    /// Text before the first entry (a title, or anything written by hand), kept as is.
    #[serde(skip)]
    pub preamble: String,
    pub entries: Vec<Entry>,
}

const MARK: &str = "## ";
const SEP: &str = " · ";

impl Scratchpad {
    pub fn new(agent: &AgentId) -> Scratchpad {
        Scratchpad {
            preamble: format!("# Scratchpad: {agent}\n\n"),
            entries: Vec::new(),
        }
    }

    /// Parses a scratchpad. Never fails: text that is not an entry heading belongs to the
    /// entry above it (or to the preamble).
    pub fn parse(text: &str) -> Scratchpad {
        let mut pad = Scratchpad::default();
        let mut current: Option<(Entry, Vec<&str>)> = None;
        for line in text.lines() {
            if let Some(entry) = parse_heading(line) {
                if let Some((e, lines)) = current.take() {
                    pad.entries.push(finish(e, &lines));
                }
                current = Some((entry, Vec::new()));
            } else if let Some((_, lines)) = current.as_mut() {
                lines.push(line);
            } else {
                pad.preamble.push_str(line);
                pad.preamble.push('\n');
            }
        }
        if let Some((e, lines)) = current {
            pad.entries.push(finish(e, &lines));
        }
        pad
    }

    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub fn render(&self) -> String {
        let mut out = self.preamble.clone();
        for e in &self.entries {
            let _ = write!(out, "{MARK}{}{SEP}{}", e.at, e.id);
            if let Some(s) = e.section {
                let _ = write!(out, "{SEP}{}", s.as_str());
            }
            out.push('\n');
            for line in e.text.lines() {
                // A line that looks like a heading would start a new entry: escape it.
                if line.starts_with(MARK) || line.starts_with("\\## ") {
                    out.push('\\');
                }
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

fn parse_heading(line: &str) -> Option<Entry> {
    let rest = line.strip_prefix(MARK)?;
    let mut parts = rest.split(SEP);
    let at = Timestamp::parse_rfc3339(parts.next()?)?;
    let id = parts.next()?.trim();
    if !id.starts_with("n-") || id.len() < 4 || !id[2..].bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let section = match parts.next() {
        Some(s) => Some(Section::parse(s.trim())?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Entry {
        id: id.to_owned(),
        at,
        section,
        text: String::new(),
    })
}

fn finish(mut entry: Entry, lines: &[&str]) -> Entry {
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let text: Vec<&str> = lines[..end]
        .iter()
        .map(|l| {
            l.strip_prefix('\\')
                .filter(|r| r.starts_with(MARK) || r.starts_with("\\## "))
                .unwrap_or(l)
        })
        .collect();
    entry.text = text.join("\n");
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn round_trip_with_hostile_text() {
        let mut pad = Scratchpad::new(&AgentId::parse("alice").unwrap());
        pad.push(Entry {
            id: "n-aaaaaa".into(),
            at: at("2026-11-21T10:00:00Z"),
            section: None,
            text: "first line\n## 2026-11-21T10:00:00Z · n-bbbbbb\n\\## escaped already".into(),
        });
        pad.push(Entry {
            id: "n-cccccc".into(),
            at: at("2026-11-21T11:00:00Z"),
            section: Some(Section::Integration),
            text: "The API is /v1/limits".into(),
        });
        let text = pad.render();
        let back = Scratchpad::parse(&text);
        assert_eq!(back, pad);
        assert_eq!(back.render(), text);
        assert!(text.starts_with("# Scratchpad: alice\n\n## 2026-11-21T10:00:00Z · n-aaaaaa\n"));
    }

    #[test]
    fn hand_written_text_is_kept() {
        let text = "# Notes\nhand text\n## 2026-11-21T10:00:00Z · n-aaaaaa · blocker\nstuck\n\n## not a heading\n";
        let pad = Scratchpad::parse(text);
        assert_eq!(pad.preamble, "# Notes\nhand text\n");
        assert_eq!(pad.entries.len(), 1);
        assert_eq!(pad.entries[0].section, Some(Section::Blocker));
        assert_eq!(pad.entries[0].text, "stuck\n\n## not a heading");
    }
}
