/*!
Scratchpads (`scratchpads/<agent>.md`): append-only notes, merged as the union of their entries,
ordered by time (then entry ID; entries one side wrote in the same second keep their order),
each entry once. The text before the first entry (a title, or
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

/// The entries of both sides, each once: the two lists are merged like sorted runs, taking
/// the earlier head (by time, then entry ID) at each step, so entries one side wrote within
/// the same second keep the order they were written in, and the result does not depend on
/// which side is which.
fn union(a: Vec<Entry>, b: Vec<Entry>) -> Vec<Entry> {
    let key = |e: &Entry| {
        (
            e.at,
            e.id.clone(),
            e.text.clone(),
            e.section.map(|s| s.as_str()),
        )
    };
    let mut out: Vec<Entry> = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x == y => {
                b.next();
                a.next()
            }
            (Some(x), Some(y)) if key(x) <= key(y) => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        if let Some(e) = next
            && !out.contains(&e)
        {
            out.push(e);
        }
    }
    out
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
    let entries = union(pp.entries, ps.entries);
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

    #[test]
    fn entries_one_side_wrote_in_the_same_second_keep_their_order() {
        // What `test_sync` saw: alice's two laptop notes in one second came out reversed,
        // because `n-uncppb` sorts after `n-fcuspi`.
        let head = "# Scratchpad: alice\n\n";
        let at = "2026-12-01T15:10:39Z";
        let a = format!(
            "{head}{}{}",
            entry(at, "n-uncppb", "from the laptop"),
            entry(at, "n-fcuspi", "laptop again")
        );
        let b = format!("{head}{}", entry(at, "n-j2aayp", "from the build box"));
        let mut created = Created::default();
        let out = merge(PATH, Some(head), &a, &b, &mut created);
        assert!(
            out.find("from the laptop") < out.find("laptop again"),
            "{out}"
        );
        assert_eq!(merge(PATH, Some(head), &b, &a, &mut created), out);
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
