/*!
Three-way merge of text by lines (record bodies, plain files), on `similar`'s diffs.

Each side's changes against the base are hunks (a range of base lines and what replaces them).
Hunks of one side that touch nothing the other side changed apply as they are. Where the two
sides changed the same base lines (or inserted at the same place), the region is settled:
identical text is taken once; two pure insertions where one contains the other take the longer
(so merging a merged text with either side again changes nothing); two other insertions keep
both, the primary's first; anything else is an overlap, where the primary (the later edit)
wins and the other side's text for that region is handed back to be kept in a conflict record.

No deadline is given to the diff: a deadline reads the clock, and the merge must decide the same
way on every clone. Very long texts skip the line diff instead (see [`MAX_LINES`]).
*/

use std::ops::Range;

use similar::{Algorithm, DiffOp, capture_diff_slices};

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
    for op in capture_diff_slices(Algorithm::Myers, base, side) {
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
            } => (old_index..old_index + old_len, new_index..new_index + new_len),
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
        let (point, range) = if a.is_empty() { (a.start, b) } else { (b.start, a) };
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

/// Whether `small` occurs in `big` as a run of whole lines.
fn contains_lines(big: &str, small: &str) -> bool {
    if small.is_empty() {
        return true;
    }
    let big = lines(big);
    let small = lines(small);
    big.windows(small.len()).any(|w| w == small.as_slice())
}

/// Merges `primary` and `secondary`, both derived from `base`; the primary wins overlaps.
pub fn merge3(base: &str, primary: &str, secondary: &str) -> TextMerge {
    if primary == secondary || secondary == base {
        return TextMerge {
            text: primary.to_owned(),
            overlaps: Vec::new(),
        };
    }
    if primary == base {
        return TextMerge {
            text: secondary.to_owned(),
            overlaps: Vec::new(),
        };
    }
    let (b, p, s) = (lines(base), lines(primary), lines(secondary));
    if b.len().max(p.len()).max(s.len()) > MAX_LINES {
        return TextMerge {
            text: primary.to_owned(),
            overlaps: vec![Overlap {
                base: base.to_owned(),
                kept: primary.to_owned(),
                set_aside: secondary.to_owned(),
            }],
        };
    }
    let (hp, hs) = (hunks(&b, &p), hunks(&b, &s));
    let mut out = String::new();
    let mut overlaps = Vec::new();
    let mut at = 0;
    let (mut i, mut j) = (0, 0);
    while i < hp.len() || j < hs.len() {
        // Start a region with the hunk that begins first, then grow it while a hunk of
        // either side touches it.
        let first_p = match (hp.get(i), hs.get(j)) {
            (Some(x), Some(y)) => x.base.start <= y.base.start,
            (Some(_), None) => true,
            _ => false,
        };
        let mut region = if first_p {
            hp[i].base.clone()
        } else {
            hs[j].base.clone()
        };
        let (pi, sj) = (i, j);
        loop {
            let mut grew = false;
            while let Some(h) = hp.get(i).filter(|h| touches(&h.base, &region)) {
                region = region.start.min(h.base.start)..region.end.max(h.base.end);
                i += 1;
                grew = true;
            }
            while let Some(h) = hs.get(j).filter(|h| touches(&h.base, &region)) {
                region = region.start.min(h.base.start)..region.end.max(h.base.end);
                j += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        out.extend(b[at..region.start].iter().copied());
        at = region.end;
        let (ps, ss) = (&hp[pi..i], &hs[sj..j]);
        match (ps.is_empty(), ss.is_empty()) {
            (false, true) => out.push_str(&side_text(&b, &p, ps, &region)),
            (true, false) => out.push_str(&side_text(&b, &s, ss, &region)),
            _ => {
                let pt = side_text(&b, &p, ps, &region);
                let st = side_text(&b, &s, ss, &region);
                if pt == st {
                    out.push_str(&pt);
                } else if region.is_empty() {
                    // Two insertions at one place: nothing of the base is at stake.
                    if contains_lines(&pt, &st) {
                        out.push_str(&pt);
                    } else if contains_lines(&st, &pt) {
                        out.push_str(&st);
                    } else {
                        out.push_str(&pt);
                        if !pt.is_empty() && !pt.ends_with('\n') {
                            out.push('\n');
                        }
                        out.push_str(&st);
                    }
                } else {
                    out.push_str(&pt);
                    overlaps.push(Overlap {
                        base: b[region.clone()].concat(),
                        kept: pt,
                        set_aside: st,
                    });
                }
            }
        }
    }
    out.extend(b[at..].iter().copied());
    TextMerge {
        text: out,
        overlaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_to_different_lines_both_apply() {
        let base = "a\nb\nc\nd\ne\n";
        let m = merge3(base, "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n");
        assert_eq!(m.text, "A\nb\nc\nd\nE\n");
        assert!(m.overlaps.is_empty());
        // Symmetric when the roles swap (no overlap: the primary does not matter).
        assert_eq!(merge3(base, "a\nb\nc\nd\nE\n", "A\nb\nc\nd\ne\n").text, m.text);
    }

    #[test]
    fn overlapping_edits_keep_the_primary_and_hand_back_the_other() {
        let base = "a\nb\nc\n";
        let m = merge3(base, "a\nB1\nc\n", "a\nB2\nc\n");
        assert_eq!(m.text, "a\nB1\nc\n");
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
        let m = merge3(base, p, s);
        assert_eq!(m.text, "intro\nfrom p\nfrom s\n");
        assert!(m.overlaps.is_empty());
        assert_eq!(merge3(base, &m.text, p).text, m.text);
        assert_eq!(merge3(base, &m.text, s).text, m.text);
        assert_eq!(merge3(base, p, &m.text).text, m.text);
    }

    #[test]
    fn identical_changes_are_taken_once_and_missing_newlines_survive() {
        let m = merge3("a\nb", "a\nx\nb", "a\nx\nb");
        assert_eq!(m.text, "a\nx\nb");
        let m = merge3("a\n", "a\nend", "b\na\n");
        assert_eq!(m.text, "b\na\nend");
        let m = merge3("", "x", "y");
        assert_eq!(m.text, "x\ny");
    }

    #[test]
    fn huge_texts_are_not_diffed() {
        let base = "l\n".repeat(MAX_LINES + 1);
        let p = format!("{base}p\n");
        let s = format!("{base}s\n");
        let m = merge3(&base, &p, &s);
        assert_eq!(m.text, p);
        assert_eq!(m.overlaps.len(), 1);
        assert_eq!(m.overlaps[0].set_aside, s);
    }
}
