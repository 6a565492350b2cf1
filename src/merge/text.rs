/*!
Three-way merge of text by lines (record bodies, plain files), on `similar`'s diffs.

Each side's changes against the base are hunks (a range of base lines and what replaces them).
Hunks of one side that touch nothing the other side changed apply as they are. Where the two
sides changed the same base lines (or inserted at the same place), the region is settled:
identical text is taken once; where one side's change includes the other's (it deleted every
line the other deleted and inserted every line the other inserted, as a merged text does when
it meets one of its sides again) that side's text is taken; two other insertions keep both,
the later edit's first; anything else is an overlap, where the later edit wins and the
other side's text for that region is handed back to be kept in a conflict record.

"Later" is asked of the caller for each region, with both texts of the region: the decision
then depends on the region's text, not on which side is "ours", so the merge is symmetric, and
meeting the same two texts again inside a merged result decides the same way.

No deadline is given to the diff: a deadline reads the clock, and the merge must decide the same
way on every clone. Very long texts skip the line diff instead (see [`MAX_LINES`]).
*/

use std::ops::Range;

use similar::DiffOp;
use similar::algorithms::{Algorithm, Capture, diff_slices};

/// Above this many lines on any side the texts are not diffed: the primary's text wins whole
/// and the other is set aside. Bounds the merge's time on hostile input (a 10 MB body).
pub const MAX_LINES: usize = 20_000;

/// One region both sides changed differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// The base text of the region.
    pub base: String,
    /// What the primary (kept) wrote there.
    pub kept: String,
    /// What the other side wrote there (set aside).
    pub set_aside: String,
}

/// The merged text and the regions where the primary's text won over the other side's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMerge {
    pub text: String,
    pub overlaps: Vec<Overlap>,
}

/// A change of one side: base lines `base` replaced by that side's lines `new`.
#[derive(Clone, Debug)]
struct Hunk {
    base: Range<usize>,
    new: Range<usize>,
}

fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

/// The hunks turning `base` into `side`, in base order, adjacent ops joined.
fn hunks(base: &[&str], side: &[&str]) -> Vec<Hunk> {
    let mut out: Vec<Hunk> = Vec::new();
    // Plain Myers, without `similar`'s `Compact` pass: `capture_diff_slices` compacts, and the
    // compacted ops can run backwards in the base (seen on "b b a" → "a a a").
    let mut capture = Capture::new();
    let Ok(()) = diff_slices(Algorithm::Myers, &mut capture, base, side);
    for op in capture.into_ops() {
        let (b, n) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        match out.last_mut() {
            Some(last) if last.base.end == b.start && last.new.end == n.start => {
                last.base.end = b.end;
                last.new.end = n.end;
            }
            _ => out.push(Hunk { base: b, new: n }),
        }
    }
    out
}

/// Whether two hunks of different sides interfere: their base ranges overlap, or one inserts
/// inside or at the edge of the other's range.
fn touches(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() || b.is_empty() {
        let (point, range) = if a.is_empty() {
            (a.start, b)
        } else {
            (b.start, a)
        };
        return range.start <= point && point <= range.end;
    }
    a.start < b.end && b.start < a.end
}

/// The side's text for base region `region`: base lines with the side's hunks inside it applied.
fn side_text(base: &[&str], side: &[&str], hunks: &[Hunk], region: &Range<usize>) -> String {
    let mut out = String::new();
    let mut at = region.start;
    for h in hunks {
        out.extend(base[at..h.base.start].iter().copied());
        out.extend(side[h.new.clone()].iter().copied());
        at = h.base.end;
    }
    out.extend(base[at..region.end].iter().copied());
    out
}

/// Whether one side's change of a region includes all of the other's: every base line the
/// `small` side deleted, the `big` side deleted too, and every line `small` inserted, `big`
/// inserted too. Then `big`'s text carries both changes (this is how a merged text meets one
/// of its own sides again).
fn includes(big: (&[Hunk], &[&str]), small: (&[Hunk], &[&str])) -> bool {
    let deleted = |hs: &[Hunk]| -> Vec<usize> { hs.iter().flat_map(|h| h.base.clone()).collect() };
    let inserted = |(hs, side): (&[Hunk], &[&str])| -> Vec<String> {
        let mut v: Vec<String> = hs
            .iter()
            .flat_map(|h| {
                side[h.new.clone()]
                    .iter()
                    .map(|l| l.trim_end_matches('\n').to_owned())
            })
            .collect();
        v.sort();
        v
    };
    let (db, ds) = (deleted(big.0), deleted(small.0));
    if !ds.iter().all(|d| db.contains(d)) {
        return false;
    }
    let mut ib = inserted(big);
    for line in inserted(small) {
        match ib.iter().position(|l| *l == line) {
            Some(i) => {
                ib.remove(i);
            }
            None => return false,
        }
    }
    true
}

/// Merges `a` and `b`, both derived from `base`. `a_later(x, y)` says whether `a`'s text `x`
/// of a region is a later edit than `b`'s text `y` of it; it must answer the opposite when the
/// roles swap.
pub fn merge3(base: &str, a: &str, b: &str, a_later: &dyn Fn(&str, &str) -> bool) -> TextMerge {
    let whole = |text: &str| TextMerge {
        text: text.to_owned(),
        overlaps: Vec::new(),
    };
    if a == b || b == base {
        return whole(a);
    }
    if a == base {
        return whole(b);
    }
    let (lb, la, lbb) = (lines(base), lines(a), lines(b));
    if lb.len().max(la.len()).max(lbb.len()) > MAX_LINES {
        let (kept, set_aside) = if a_later(a, b) { (a, b) } else { (b, a) };
        return TextMerge {
            text: kept.to_owned(),
            overlaps: vec![Overlap {
                base: base.to_owned(),
                kept: kept.to_owned(),
                set_aside: set_aside.to_owned(),
            }],
        };
    }
    let (ha, hb) = (hunks(&lb, &la), hunks(&lb, &lbb));
    let mut out = String::new();
    let mut overlaps = Vec::new();
    let mut at = 0;
    let (mut i, mut j) = (0, 0);
    while i < ha.len() || j < hb.len() {
        // Start a region with the hunk that begins first, then grow it while a hunk of
        // either side touches it.
        let first_a = match (ha.get(i), hb.get(j)) {
            (Some(x), Some(y)) => x.base.start <= y.base.start,
            (Some(_), None) => true,
            _ => false,
        };
        let mut region = if first_a {
            ha[i].base.clone()
        } else {
            hb[j].base.clone()
        };
        let (ai, bj) = (i, j);
        loop {
            let mut grew = false;
            while let Some(h) = ha.get(i).filter(|h| touches(&h.base, &region)) {
                region = region.start.min(h.base.start)..region.end.max(h.base.end);
                i += 1;
                grew = true;
            }
            while let Some(h) = hb.get(j).filter(|h| touches(&h.base, &region)) {
                region = region.start.min(h.base.start)..region.end.max(h.base.end);
                j += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        out.extend(lb[at..region.start].iter().copied());
        at = region.end;
        let (hs_a, hs_b) = (&ha[ai..i], &hb[bj..j]);
        match (hs_a.is_empty(), hs_b.is_empty()) {
            (false, true) => out.push_str(&side_text(&lb, &la, hs_a, &region)),
            (true, false) => out.push_str(&side_text(&lb, &lbb, hs_b, &region)),
            _ => {
                let ta = side_text(&lb, &la, hs_a, &region);
                let tb = side_text(&lb, &lbb, hs_b, &region);
                let a_later = a_later(&ta, &tb);
                let (later, earlier) = if a_later { (&ta, &tb) } else { (&tb, &ta) };
                let (a_side, b_side) = ((hs_a, &la[..]), (hs_b, &lbb[..]));
                let a_has_b = includes(a_side, b_side);
                let b_has_a = includes(b_side, a_side);
                if later == earlier {
                    out.push_str(later);
                } else if a_has_b != b_has_a {
                    // One side's change already holds the other's.
                    out.push_str(if a_has_b { &ta } else { &tb });
                } else if region.is_empty() {
                    // Two insertions at one place: nothing of the base is at stake.
                    out.push_str(later);
                    if !later.is_empty() && !later.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(earlier);
                } else {
                    out.push_str(later);
                    overlaps.push(Overlap {
                        base: lb[region.clone()].concat(),
                        kept: later.clone(),
                        set_aside: earlier.clone(),
                    });
                }
            }
        }
    }
    out.extend(lb[at..].iter().copied());
    TextMerge {
        text: out,
        overlaps,
    }
}

/// The order tests and plain files use: the byte-greater text is the later.
pub fn greater(x: &str, y: &str) -> bool {
    x > y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_to_different_lines_both_apply() {
        let base = "a\nb\nc\nd\ne\n";
        let m = merge3(base, "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n", &greater);
        assert_eq!(m.text, "A\nb\nc\nd\nE\n");
        assert!(m.overlaps.is_empty());
        // Symmetric when the roles swap (no overlap: the primary does not matter).
        assert_eq!(
            merge3(base, "a\nb\nc\nd\nE\n", "A\nb\nc\nd\ne\n", &greater).text,
            m.text
        );
    }

    #[test]
    fn overlapping_edits_keep_the_primary_and_hand_back_the_other() {
        let base = "a\nb\nc\n";
        let m = merge3(base, "a\nB1\nc\n", "a\nB2\nc\n", &|x, _| x == "B1\n");
        assert_eq!(m.text, "a\nB1\nc\n");
        let swapped = merge3(base, "a\nB2\nc\n", "a\nB1\nc\n", &|x, _| x == "B1\n");
        assert_eq!(swapped, m);
        assert_eq!(
            m.overlaps,
            vec![Overlap {
                base: "b\n".into(),
                kept: "B1\n".into(),
                set_aside: "B2\n".into()
            }]
        );
    }

    #[test]
    fn appends_from_both_sides_are_both_kept_and_merging_again_is_stable() {
        let base = "intro\n";
        let p = "intro\nfrom p\n";
        let s = "intro\nfrom s\n";
        let m = merge3(base, p, s, &greater);
        assert_eq!(m.text, "intro\nfrom s\nfrom p\n");
        assert!(m.overlaps.is_empty());
        assert_eq!(merge3(base, s, p, &greater), m);
        for side in [p, s] {
            assert_eq!(merge3(base, &m.text, side, &greater).text, m.text);
            assert_eq!(merge3(base, side, &m.text, &greater).text, m.text);
        }
    }

    #[test]
    fn identical_changes_are_taken_once_and_missing_newlines_survive() {
        let m = merge3("a\nb", "a\nx\nb", "a\nx\nb", &greater);
        assert_eq!(m.text, "a\nx\nb");
        let m = merge3("a\n", "a\nend", "b\na\n", &greater);
        assert_eq!(m.text, "b\na\nend");
        let m = merge3("", "x", "y", &greater);
        assert_eq!(m.text, "y\nx");
    }

    #[test]
    fn huge_texts_are_not_diffed() {
        let base = "l\n".repeat(MAX_LINES + 1);
        let p = format!("{base}p\n");
        let s = format!("{base}s\n");
        let m = merge3(&base, &s, &p, &|x, _| x.ends_with("p\n"));
        assert_eq!(m.text, p);
        assert_eq!(m.overlaps.len(), 1);
        assert_eq!(m.overlaps[0].set_aside, s);
    }
}
#[cfg(test)]
mod exhaustive {
    use super::*;

    /// Every base and two sides of up to four lines over two letters: no panic, hunks in base
    /// order, and the same result whichever side comes first.
    #[test]
    fn small_texts_merge_symmetrically_and_stably() {
        let alphabet = ["a\n", "b\n"];
        let mut all = vec![String::new()];
        for len in 1..=4 {
            let mut n = 1;
            for _ in 0..len {
                n *= 2;
            }
            for code in 0..n {
                let mut s = String::new();
                let mut c = code;
                for _ in 0..len {
                    s.push_str(alphabet[c % 2]);
                    c /= 2;
                }
                all.push(s);
            }
        }
        for b in &all {
            for x in &all {
                for y in &all {
                    for side in [x, y] {
                        let h = hunks(&lines(b), &lines(side));
                        assert!(
                            h.windows(2).all(|w| w[0].base.end <= w[1].base.start),
                            "{b:?} {side:?} {h:?}"
                        );
                    }
                    let m = merge3(b, x, y, &greater);
                    assert_eq!(m, merge3(b, y, x, &greater), "{b:?} {x:?} {y:?}");
                }
            }
        }
    }

    /// Texts whose lines are distinct (every arrangement of up to three of four lines), edited
    /// without moving lines: merging the result with either side again changes nothing. (With repeated lines a
    /// line diff can align a line with either copy, so a second merge may see an insertion
    /// the first did not; this is line-based three-way merging's known limit.)
    #[test]
    fn merging_again_with_either_side_is_stable_for_distinct_lines() {
        fn arrangements(
            pool: &[&str],
            len: usize,
            prefix: &mut Vec<String>,
            out: &mut Vec<String>,
        ) {
            out.push(prefix.concat());
            if len == 0 {
                return;
            }
            for l in pool {
                if !prefix.iter().any(|p| p == l) {
                    prefix.push((*l).to_owned());
                    arrangements(pool, len - 1, prefix, out);
                    prefix.pop();
                }
            }
        }
        let mut all = Vec::new();
        arrangements(&["a\n", "b\n", "c\n", "d\n"], 3, &mut Vec::new(), &mut all);
        // Edits delete and insert lines; they do not move the base's lines around.
        let keeps_order = |b: &str, side: &str| {
            let kept: Vec<&str> = lines(side).into_iter().filter(|l| b.contains(l)).collect();
            let order: Vec<&str> = lines(b).into_iter().filter(|l| kept.contains(l)).collect();
            kept == order
        };
        for b in &all {
            for x in all.iter().filter(|x| keeps_order(b, x)) {
                for y in all.iter().filter(|y| keeps_order(b, y)) {
                    let m = merge3(b, x, y, &greater);
                    for side in [x, y] {
                        assert_eq!(
                            merge3(b, &m.text, side, &greater).text,
                            m.text,
                            "{b:?} {x:?} {y:?}, again with {side:?}"
                        );
                    }
                }
            }
        }
    }
}
