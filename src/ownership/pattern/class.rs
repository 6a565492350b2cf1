/*!
Character classes of ownership patterns (`[abc]`, `[!a-z]`, `[[:digit:]]`) as sets of
code-point ranges, with the set operations matching and overlap need: membership, complement,
intersection, and picking a readable member for a witness path.
*/

use std::cmp::Ordering;

/// A set of characters as sorted, disjoint, non-adjacent inclusive ranges of code points. It
/// never holds `/` (no wildcard crosses a segment) nor surrogates (which are not `char`s), so
/// any non-empty set has a character to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CharSet {
    ranges: Vec<(u32, u32)>,
}

/// The ASCII ranges of a POSIX character class name, as git's wildmatch knows them.
pub(super) fn posix_class(name: &str) -> Option<&'static [(u32, u32)]> {
    const DIGIT: (u32, u32) = (0x30, 0x39);
    const UPPER: (u32, u32) = (0x41, 0x5A);
    const LOWER: (u32, u32) = (0x61, 0x7A);
    Some(match name {
        "alnum" => &[DIGIT, UPPER, LOWER],
        "alpha" => &[UPPER, LOWER],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
        "digit" => &[DIGIT],
        "graph" => &[(0x21, 0x7E)],
        "lower" => &[LOWER],
        "print" => &[(0x20, 0x7E)],
        "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space" => &[(0x09, 0x0D), (0x20, 0x20)],
        "upper" => &[UPPER],
        "xdigit" => &[DIGIT, (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

impl CharSet {
    /// Every character a wildcard may stand for: all but `/` (and the surrogates).
    const UNIVERSE: [(u32, u32); 3] = [(0, 0x2E), (0x30, 0xD7FF), (0xE000, 0x10FFFF)];

    /// The set of the given ranges (in any order, overlapping or not), within the universe.
    pub(super) fn from_ranges(mut ranges: Vec<(u32, u32)>) -> CharSet {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        CharSet { ranges: merged }.intersection(&CharSet {
            ranges: Self::UNIVERSE.to_vec(),
        })
    }

    /// The characters of the universe not in this set.
    pub(super) fn complement(&self) -> CharSet {
        let mut gaps = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(lo, hi) in &self.ranges {
            if lo > next {
                gaps.push((next, lo - 1));
            }
            next = hi.saturating_add(1);
        }
        if next <= 0x10FFFF {
            gaps.push((next, 0x10FFFF));
        }
        CharSet::from_ranges(gaps)
    }

    pub(super) fn intersection(&self, other: &CharSet) -> CharSet {
        let (mut x, mut y) = (0, 0);
        let mut ranges = Vec::new();
        while let (Some(&(a_lo, a_hi)), Some(&(b_lo, b_hi))) =
            (self.ranges.get(x), other.ranges.get(y))
        {
            let (lo, hi) = (a_lo.max(b_lo), a_hi.min(b_hi));
            if lo <= hi {
                ranges.push((lo, hi));
            }
            if a_hi < b_hi {
                x += 1;
            } else {
                y += 1;
            }
        }
        CharSet { ranges }
    }

    pub(super) fn contains(&self, c: char) -> bool {
        let c = u32::from(c);
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    Ordering::Less
                } else if lo > c {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            })
            .is_ok()
    }

    /// A member of the set, if any: a letter, digit or punctuation when the set has one.
    pub(super) fn pick(&self) -> Option<char> {
        ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain(['_', '-', '.'])
            .chain('!'..='~')
            .find(|&c| self.contains(c))
            .or_else(|| self.ranges.first().and_then(|&(lo, _)| char::from_u32(lo)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_sets() {
        let set = CharSet::from_ranges(vec![(u32::from('a'), u32::from('z')), (0x2F, 0x2F)]);
        assert!(set.contains('q') && !set.contains('/'));
        let not = set.complement();
        assert!(!not.contains('q') && not.contains('A') && !not.contains('/'));
        assert!(not.contains('\u{10FFFF}') && not.contains('\0'));
        assert_eq!(set.intersection(&not).pick(), None);
        assert_eq!(not.pick(), Some('A'));
        assert_eq!(CharSet::from_ranges(vec![(0xD800, 0xDFFF)]).pick(), None);
    }
}
