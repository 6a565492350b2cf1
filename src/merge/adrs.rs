/*!
ADR numbers that collide through a sync (DESIGN §3): each side allocated the next number on its
own clone, so both added a different `adrs/NNNN-*.md` with one number. Before anything merges,
the later of the two (by `created`, then by a hash of its text) moves to the next free number:
its file is renamed, its `number` field rewritten, and every `ADR-NNNN` reference (and
`supersedes` entry) in the records its side changed is pointed at the new number, since on that
side the number could only mean its own ADR. The other side's references keep meaning the ADR
that stayed. Each move is noted for the commit message.

"Next free" is one above every number the merge knows of: the numbers in the changed files
and, when the caller passes them, every ADR number of the base and both sides.
*/

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::Value;

use super::FileVersions;
use super::hlc;
use super::record::{self, Format};
use crate::model::Timestamp;
use crate::model::adr::{ADRS_DIR, AdrNumber, adr_path};
use crate::model::record::render_markdown;

/// Which side added a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Ours,
    Theirs,
}

fn side_text(c: &FileVersions, side: Side) -> Option<&str> {
    match side {
        Side::Ours => c.ours.as_deref(),
        Side::Theirs => c.theirs.as_deref(),
    }
}

fn adr_file(path: &str) -> Option<(AdrNumber, &str)> {
    let rest = path.strip_prefix(ADRS_DIR)?.strip_prefix('/')?;
    if rest.contains('/') {
        return None;
    }
    AdrNumber::from_file_name(rest)
}

/// One ADR added by one side only.
struct Added {
    index: usize,
    side: Side,
    number: AdrNumber,
    slug: String,
    created: Option<Timestamp>,
    hash: u64,
}

/// Renumbers colliding ADRs in `changes`; returns the changes to merge and a note per move.
pub fn renumber(
    mut changes: Vec<FileVersions>,
    known: &BTreeSet<u32>,
) -> (Vec<FileVersions>, Vec<String>) {
    let mut added: Vec<Added> = Vec::new();
    let mut numbers: BTreeSet<u32> = known.clone();
    for (index, c) in changes.iter().enumerate() {
        let Some((number, slug)) = adr_file(&c.path) else {
            continue;
        };
        numbers.insert(number.get());
        let side = match (&c.base, &c.ours, &c.theirs) {
            (None, Some(_), None) => Side::Ours,
            (None, None, Some(_)) => Side::Theirs,
            _ => continue,
        };
        let text = side_text(c, side).unwrap_or_default();
        added.push(Added {
            index,
            side,
            number,
            slug: slug.to_owned(),
            created: record::parse(&c.path, text, Format::Markdown)
                .and_then(|p| p.clock(&["created"])),
            hash: hlc::hash(&[text]),
        });
    }
    let mut by_number: BTreeMap<AdrNumber, Vec<&Added>> = BTreeMap::new();
    for a in &added {
        by_number.entry(a.number).or_default().push(a);
    }
    let mut moves: Vec<(&Added, u32)> = Vec::new();
    for (_, mut group) in by_number {
        if !(group.iter().any(|a| a.side == Side::Ours)
            && group.iter().any(|a| a.side == Side::Theirs))
        {
            continue;
        }
        // The earliest keeps the number; the other side's files with it move.
        group.sort_by_key(|a| (a.created.is_none(), a.created, a.hash, a.slug.clone()));
        let stays = group[0].side;
        for a in group.into_iter().filter(|a| a.side != stays) {
            let next = numbers.last().map_or(1, |n| n + 1);
            numbers.insert(next);
            moves.push((a, next));
        }
    }
    let mut notes = Vec::new();
    let mut new_entries = Vec::new();
    for (a, to) in moves {
        let Some(to_number) = AdrNumber::new(to) else {
            continue;
        };
        let from = a.number;
        let old_path = changes[a.index].path.clone();
        let new_path = adr_path(to_number, &a.slug);
        // References on the moving side's changed records now mean the new number.
        for c in changes.iter_mut() {
            let text = match a.side {
                Side::Ours => &mut c.ours,
                Side::Theirs => &mut c.theirs,
            };
            if let Some(t) = text.as_mut()
                && Some(&*t) != c.base.as_ref()
            {
                *t = rewrite_refs(&c.path, t, from, to_number);
            }
        }
        let c = &mut changes[a.index];
        let moved = match a.side {
            Side::Ours => c.ours.take(),
            Side::Theirs => c.theirs.take(),
        };
        let mut entry = FileVersions {
            path: new_path.clone(),
            base: None,
            ours: None,
            theirs: None,
        };
        match a.side {
            Side::Ours => entry.ours = moved,
            Side::Theirs => entry.theirs = moved,
        }
        new_entries.push(entry);
        notes.push(format!(
            "{from} ({old_path}) renumbered to {to_number} ({new_path}): both sides added an {from}"
        ));
    }
    changes.extend(new_entries);
    changes.sort_by(|x, y| x.path.cmp(&y.path));
    (changes, notes)
}

/// `text` (a record at `path`) with `ADR-<from>` references, an ADR's own `number` and
/// `supersedes` entries pointing at `to`.
fn rewrite_refs(path: &str, text: &str, from: AdrNumber, to: AdrNumber) -> String {
    let mut out = replace_refs(text, from, to);
    if adr_file(path).is_none() {
        return out;
    }
    if let Some(mut p) = record::parse(path, &out, Format::Markdown) {
        let mut changed = false;
        if p.doc.get("number").and_then(|i| i.as_integer()) == Some(i64::from(from.get()))
            && adr_file(path).map(|(n, _)| n) == Some(from)
            && let Some(v) = p.doc.get_mut("number").and_then(|i| i.as_value_mut())
        {
            let decor = v.decor().clone();
            *v = Value::from(i64::from(to.get()));
            *v.decor_mut() = decor;
            changed = true;
        }
        if let Some(list) = p
            .doc
            .get_mut("supersedes")
            .and_then(|i| i.as_value_mut())
            .and_then(Value::as_array_mut)
        {
            for v in list.iter_mut() {
                if v.as_integer() == Some(i64::from(from.get())) {
                    let decor = v.decor().clone();
                    *v = Value::from(i64::from(to.get()));
                    *v.decor_mut() = decor;
                    changed = true;
                }
            }
        }
        if changed {
            out = render_markdown(&p.doc, &p.body);
        }
    }
    out
}

/// Replaces `ADR-<digits>` naming `from` (with any zero padding) by `to`'s `ADR-NNNN`.
fn replace_refs(text: &str, from: AdrNumber, to: AdrNumber) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("ADR-") {
        let after = &rest[i + 4..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let word_start = !rest[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        out.push_str(&rest[..i]);
        if digits > 0 && word_start && after[..digits].parse::<u32>().ok() == Some(from.get()) {
            out.push_str(&to.to_string());
        } else {
            out.push_str(&rest[i..i + 4 + digits]);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adr(number: u32, title: &str, created: &str, body: &str) -> String {
        format!(
            "+++\nnumber = {number}\ntitle = \"{title}\"\nstatus = \"proposed\"\ncreated = {created}\nupdated = {created}\n+++\n{body}"
        )
    }

    fn added(path: &str, ours: Option<String>, theirs: Option<String>) -> FileVersions {
        FileVersions {
            path: path.into(),
            base: None,
            ours,
            theirs,
        }
    }

    #[test]
    fn the_later_of_two_adrs_with_one_number_moves_and_its_side_follows() {
        let early = adr(
            7,
            "Use Redis",
            "2026-11-21T10:00:00Z",
            "# ADR-0007: Use Redis\n",
        );
        let late = adr(
            7,
            "Use Kafka",
            "2026-11-21T11:00:00Z",
            "# ADR-0007: Use Kafka\n",
        );
        let task_base = "+++\nid = \"t-aaaaaa\"\n+++\nsee ADR-0001\n".to_owned();
        let task_theirs =
            "+++\nid = \"t-aaaaaa\"\n+++\nsee ADR-0001 and ADR-0007, not ADR-00070\n".to_owned();
        let changes = vec![
            added("adrs/0007-use-redis.md", Some(early.clone()), None),
            added("adrs/0007-use-kafka.md", None, Some(late)),
            FileVersions {
                path: "tasks/aa/t-aaaaaa.md".into(),
                base: Some(task_base.clone()),
                ours: Some(task_base),
                theirs: Some(task_theirs),
            },
        ];
        let known: BTreeSet<u32> = [1, 2, 7].into();
        let (out, notes) = renumber(changes, &known);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("ADR-0007 (adrs/0007-use-kafka.md) renumbered to ADR-0008"));
        let find = |p: &str| out.iter().find(|c| c.path == p).unwrap();
        let moved = find("adrs/0008-use-kafka.md");
        let text = moved.theirs.as_deref().unwrap();
        assert!(
            text.contains("number = 8\n") && text.contains("# ADR-0008: Use Kafka"),
            "{text}"
        );
        let old = find("adrs/0007-use-kafka.md");
        assert_eq!((old.ours.as_ref(), old.theirs.as_ref()), (None, None));
        assert_eq!(
            find("adrs/0007-use-redis.md").ours.as_deref(),
            Some(early.as_str())
        );
        let task = find("tasks/aa/t-aaaaaa.md").theirs.as_deref().unwrap();
        assert!(
            task.contains("see ADR-0001 and ADR-0008, not ADR-00070"),
            "{task}"
        );
        crate::model::adr::Adr::parse("adrs/0008-use-kafka.md", text).unwrap();
    }

    #[test]
    fn adrs_added_on_one_side_only_keep_their_numbers() {
        let a = adr(3, "A", "2026-11-21T10:00:00Z", "");
        let b = adr(4, "B", "2026-11-21T10:00:00Z", "");
        let changes = vec![
            added("adrs/0003-a.md", Some(a), None),
            added("adrs/0004-b.md", None, Some(b)),
        ];
        let (out, notes) = renumber(changes.clone(), &BTreeSet::new());
        assert!(notes.is_empty());
        assert_eq!(out, changes);
    }
}
