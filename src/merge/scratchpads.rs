/*!
Scratchpads (`scratchpads/<agent>.md`): append-only notes, merged as the union of their entries,
ordered by time (then entry ID), each entry once. The text before the first entry (a title, or
anything written by hand) merges as text; should both sides rewrite the same lines of it, the
later-sorting text wins and the other is kept in a conflict record.
*/

use super::conflict::{Created, Note, Value};
use super::text;
use crate::model::scratchpad::{Entry, Scratchpad};

fn agent_of(path: &str) -> Option<String> {
    path.rsplit('/')
        .next()?
        .strip_suffix(".md")
        .map(str::to_owned)
}

/// Merges two versions of a scratchpad (both changed from `base`).
pub fn merge(path: &str, base: Option<&str>, a: &str, b: &str, created: &mut Created) -> String {
    let pad_base = Scratchpad::parse(base.unwrap_or(""));
    // No clock in a scratchpad: byte order picks the primary, the same from both sides.
    let (p, s) = if a >= b { (a, b) } else { (b, a) };
    let (pp, ps) = (Scratchpad::parse(p), Scratchpad::parse(s));
    let preamble = text::merge3(
        &pad_base.preamble,
        &pp.preamble,
        &ps.preamble,
        &text::greater,
    );
    let mut entries: Vec<Entry> = Vec::with_capacity(pp.entries.len() + ps.entries.len());
    for e in pp.entries.into_iter().chain(ps.entries) {
        if !entries.contains(&e) {
            entries.push(e);
        }
    }
    entries.sort_by(|x, y| {
        (x.at, &x.id, &x.text, x.section.map(|s| s.as_str())).cmp(&(
            y.at,
            &y.id,
            &y.text,
            y.section.map(|s| s.as_str()),
        ))
    });
    if !preamble.overlaps.is_empty() {
        let agents: Vec<String> = agent_of(path).into_iter().collect();
        created.record(Note {
            path: path.to_owned(),
            title: format!("sync: the heading text of {path} changed on both sides"),
            agents,
            about: Vec::new(),
            at: entries.last().map(|e| e.at),
            explanation: format!(
                "Both sides of a sync rewrote the same lines before the first entry of {path}. \
                 One text is kept; the other is set aside here. Every entry of both sides is kept."
            ),
            values: preamble.overlaps.into_iter().map(Value::from).collect(),
        });
    }
    Scratchpad {
        preamble: preamble.text,
        entries,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "scratchpads/alice.md";

    fn entry(at: &str, id: &str, text: &str) -> String {
        format!("## {at} · {id}\n{text}\n\n")
    }

    #[test]
    fn entries_of_both_sides_are_kept_once_in_time_order() {
        let head = "# Scratchpad: alice\n\n";
        let shared = entry("2026-11-21T10:00:00Z", "n-aaaaaa", "shared");
        let base = format!("{head}{shared}");
        let a = format!(
            "{base}{}",
            entry("2026-11-21T12:00:00Z", "n-cccccc", "from a")
        );
        let b = format!(
            "{base}{}",
            entry("2026-11-21T11:00:00Z", "n-bbbbbb", "from b")
        );
        let mut created = Created::default();
        let out = merge(PATH, Some(&base), &a, &b, &mut created);
        assert_eq!(
            out,
            format!(
                "{head}{shared}{}{}",
                entry("2026-11-21T11:00:00Z", "n-bbbbbb", "from b"),
                entry("2026-11-21T12:00:00Z", "n-cccccc", "from a")
            )
        );
        assert_eq!(merge(PATH, Some(&base), &b, &a, &mut created), out);
        assert_eq!(merge(PATH, Some(&base), &out, &a, &mut created), out);
        assert!(created.files.is_empty());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn entries(tag: &'static str) -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec((0..4u32, 0..100u32), 0..4).prop_map(move |v| {
                v.into_iter()
                    .map(|(h, n)| {
                        entry(
                            &format!("2026-11-21T1{h}:00:00Z"),
                            &format!("n-{tag}{n:04}"),
                            tag,
                        )
                    })
                    .collect()
            })
        }

        proptest! {
            /// Notes added on two clones: every entry of both sides once, the same file from
            /// both sides, and merging the result again with either side changes nothing.
            #[test]
            fn scratchpads_take_the_union(
                base in entries("b"), x in entries("x"), y in entries("y"),
            ) {
                let head = "# Scratchpad: alice\n\n";
                let pad = |extra: &[String]| format!("{head}{}{}", base.concat(), extra.concat());
                let (b, a, c) = (pad(&[]), pad(&x), pad(&y));
                let mut created = Created::default();
                let m = merge(PATH, Some(&b), &a, &c, &mut created);
                prop_assert_eq!(&merge(PATH, Some(&b), &c, &a, &mut created), &m);
                for e in base.iter().chain(&x).chain(&y) {
                    prop_assert_eq!(m.matches(e.as_str()).count(), 1, "{} in\n{}", e, m);
                }
                for side in [&a, &c] {
                    prop_assert_eq!(&merge(PATH, Some(&b), &m, side, &mut created), &m);
                }
                prop_assert!(created.files.is_empty());
            }
        }
    }
}
