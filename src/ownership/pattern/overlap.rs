/*!
Overlap of two patterns, decided exactly on their automata: a breadth-first search of the
product of the two segment lists (and, inside one segment, of the two globs) finds a path both
patterns match, or proves there is none. The path found is the witness error messages show.
*/

use std::collections::VecDeque;

use super::{Glob, Segment, Token};

/// A path (as its segments) matched by both segment lists, if any: a breadth-first search of
/// the product of the two lists, whose states are positions `(i, j)` in each.
pub(super) fn common_path(a: &[Segment], b: &[Segment]) -> Option<Vec<String>> {
    let width = b.len() + 1;
    let goal = a.len() * width + b.len();
    // For each state reached: the state it was reached from and the segment taken on the way.
    let mut came_from: Vec<Option<(usize, Option<String>)>> = vec![None; (a.len() + 1) * width];
    let mut queue = VecDeque::from([(0, 0)]);
    let mut reached = vec![false; (a.len() + 1) * width];
    reached[0] = true;
    while let Some((i, j)) = queue.pop_front() {
        let here = i * width + j;
        if here == goal {
            let mut path = Vec::new();
            let mut at = here;
            while let Some((from, segment)) = came_from[at].take() {
                path.extend(segment);
                at = from;
            }
            path.reverse();
            return Some(path);
        }
        let (sa, sb) = (a.get(i), b.get(j));
        let a_any = matches!(sa, Some(Segment::AnyDepth));
        let b_any = matches!(sb, Some(Segment::AnyDepth));
        let mut steps: Vec<(usize, usize, Option<String>)> = Vec::new();
        // A `**` may take no segment.
        if a_any {
            steps.push((i + 1, j, None));
        }
        if b_any {
            steps.push((i, j + 1, None));
        }
        // Or one side's `**` takes a segment the other side's step matches.
        match (sa, sb) {
            (Some(x), Some(y)) if !a_any && !b_any => {
                if let Some(name) = common_segment(x, y) {
                    steps.push((i + 1, j + 1, Some(name)));
                }
            }
            (Some(_), Some(y)) if a_any && !b_any => {
                if let Some(name) = some_segment(y) {
                    steps.push((i, j + 1, Some(name)));
                }
            }
            (Some(x), Some(_)) if !a_any && b_any => {
                if let Some(name) = some_segment(x) {
                    steps.push((i + 1, j, Some(name)));
                }
            }
            _ => {}
        }
        for (ni, nj, segment) in steps {
            let next = ni * width + nj;
            if !reached[next] {
                reached[next] = true;
                came_from[next] = Some((here, segment));
                queue.push_back((ni, nj));
            }
        }
    }
    None
}

/// A segment name matched by both single-segment steps, if any.
fn common_segment(a: &Segment, b: &Segment) -> Option<String> {
    match (a, b) {
        (Segment::Literal(x), Segment::Literal(y)) => (x == y).then(|| x.to_string()),
        (Segment::Literal(name), Segment::Glob(glob))
        | (Segment::Glob(glob), Segment::Literal(name)) => {
            glob.matches(name).then(|| name.to_string())
        }
        (Segment::Glob(x), Segment::Glob(y)) => x.common_name(y),
        _ => None,
    }
}

/// A segment name the single-segment step matches, if any.
fn some_segment(step: &Segment) -> Option<String> {
    match step {
        Segment::Literal(name) => Some(name.to_string()),
        Segment::Glob(glob) => glob.common_name(&Glob::star()),
        Segment::AnyDepth => None,
    }
}

impl Glob {
    /// A non-empty name matched by both globs, if any: a breadth-first search of the product
    /// automaton, whose states are token positions `(p, q)` in each glob and whether a
    /// character has been taken yet (segments are never empty). A `*` is a state that loops
    /// on any character and may be left without one.
    fn common_name(&self, other: &Glob) -> Option<String> {
        let (a, b) = (&*self.tokens, &*other.tokens);
        let width = b.len() + 1;
        let state = |p: usize, q: usize, taken: bool| (p * width + q) * 2 + usize::from(taken);
        let goal = state(a.len(), b.len(), true);
        let size = (a.len() + 1) * width * 2;
        let mut came_from: Vec<Option<(usize, Option<char>)>> = vec![None; size];
        let mut reached = vec![false; size];
        reached[0] = true;
        let mut queue = VecDeque::from([(0, 0, false)]);
        while let Some((p, q, taken)) = queue.pop_front() {
            let here = state(p, q, taken);
            if here == goal {
                let mut name = Vec::new();
                let mut at = here;
                while let Some((from, c)) = came_from[at].take() {
                    name.extend(c);
                    at = from;
                }
                name.reverse();
                return Some(name.into_iter().collect());
            }
            let (ta, tb) = (a.get(p), b.get(q));
            let mut steps: Vec<(usize, usize, bool, Option<char>)> = Vec::new();
            if matches!(ta, Some(Token::Star)) {
                steps.push((p + 1, q, taken, None));
            }
            if matches!(tb, Some(Token::Star)) {
                steps.push((p, q + 1, taken, None));
            }
            if let (Some(x), Some(y)) = (ta, tb)
                && let Some(c) = common_char(x, y)
            {
                let np = if matches!(x, Token::Star) { p } else { p + 1 };
                let nq = if matches!(y, Token::Star) { q } else { q + 1 };
                steps.push((np, nq, true, Some(c)));
            }
            for (np, nq, now_taken, c) in steps {
                let next = state(np, nq, now_taken);
                if !reached[next] {
                    reached[next] = true;
                    came_from[next] = Some((here, c));
                    queue.push_back((np, nq, now_taken));
                }
            }
        }
        None
    }
}

/// A character both tokens accept, if any, preferring a readable one.
fn common_char(a: &Token, b: &Token) -> Option<char> {
    use Token::*;
    match (a, b) {
        (Char(c), other) | (other, Char(c)) => other.accepts(*c).then_some(*c),
        (AnyChar | Star, AnyChar | Star) => Some('a'),
        (Class(set), AnyChar | Star) | (AnyChar | Star, Class(set)) => set.pick(),
        (Class(x), Class(y)) => x.intersection(y).pick(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::pattern;

    #[test]
    fn overlaps_are_exact() {
        let cases: &[(&str, &str, bool)] = &[
            ("src/*.py", "src/a*", true),
            ("src/*.py", "src/*.rs", false),
            ("src/**", "**/*.rs", true),
            ("docs/", "docs/a.md", true),
            ("/a/b", "/a/c", false),
            ("a/**/b", "a/x/**", true),
            ("[a-c]*.rs", "d*.rs", false),
            ("*.rs", "lib/**", true),
            ("*", "anything/at/all", true),
            ("docs/*", "docs/x/y.md", false),
            ("docs/*", "docs/x/", false),
            ("docs/*", "docs/x", true),
            ("/docs/", "docs", true),
            ("/docs/", "/docs", true),
            ("/docs/", "/docs.md", false),
            // A directory `docs` below a directory `docs.md`.
            ("docs/", "/docs.md", true),
            ("src/a.rs", "src/a.rs/", true),
            ("/a/", "/b/", false),
            ("a/", "b/", true),
            ("*.md", "*.rs", false),
            ("[!a]*", "a*", false),
            ("[!a]*", "?*", true),
            ("a*b", "*ab", true),
            ("a*b", "b*", false),
            ("a?", "?b", true),
            ("?", "??", false),
            ("[[:digit:]]", "[a-z]", false),
            ("[[:alnum:]]", "[a-z]", true),
            ("a/*/c", "a/b/*", true),
            ("a/*", "a/b/c", false),
            ("a/**/c/d", "a/c/**", true),
            ("**/x/y", "/x/**", true),
            ("src/", "src", true),
            ("/src/a", "src", true),
            ("tests/*.rs", "src/", false),
        ];
        for &(x, y, expected) in cases {
            let (a, b) = (pattern(x), pattern(y));
            assert_eq!(a.overlaps(&b), expected, "{x:?} vs {y:?}");
            assert_eq!(b.overlaps(&a), expected, "{y:?} vs {x:?}");
            match a.witness(&b) {
                Some(w) => {
                    assert!(expected, "{x:?} vs {y:?}: witness {w:?}");
                    assert!(
                        a.matches(&w) && b.matches(&w),
                        "{x:?} vs {y:?}: witness {w:?}"
                    );
                }
                None => assert!(!expected, "{x:?} vs {y:?}: no witness"),
            }
        }
    }

    #[test]
    fn witnesses_read_well() {
        let w = |x: &str, y: &str| pattern(x).witness(&pattern(y));
        assert_eq!(w("src/*.py", "src/a*").as_deref(), Some("src/a.py"));
        assert_eq!(w("*.rs", "lib/**").as_deref(), Some("lib/a.rs"));
        assert_eq!(w("[!a]x", "?x").as_deref(), Some("bx"));
        assert_eq!(w(".github/", "*").as_deref(), Some(".github/a"));
    }
}
