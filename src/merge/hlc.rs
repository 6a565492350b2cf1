/*!
The order the merge uses to say which of two edits is the later one, and the stable hash it
derives IDs from.

Each record carries its own clock: `updated` (or `last_seen` for an agent's registry entry) is
the wall time of a hybrid logical clock, written by every edit and never moved backwards by the
writer. When both sides changed a value, the later stamp wins; equal wall times fall to the
editing agent where the merge knows it, then to a hash of the value itself. The last step is a
hash of the *value* rather than of the whole file so that a decision never flips when the same
two values meet again inside an already merged record (merging the result with either side is
stable). Byte order settles the astronomically unlikely equal hashes, so the order is total and
the same on every clone.

The hash is FNV-1a (64 bit), written out here rather than taken from `std`, whose hasher is
free to change between Rust releases: two clones built by different compilers must derive the
same conflict and message IDs from the same inputs.
*/

use std::cmp::Ordering;

use crate::model::Timestamp;

/// FNV-1a over `parts`, each prefixed with its length so that `("ab", "c")` and `("a", "bc")`
/// differ.
pub fn hash(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for part in parts {
        eat(&(part.len() as u64).to_le_bytes());
        eat(part.as_bytes());
    }
    h
}

/// The random-looking part of an ID the merge creates: 12 base-36 characters of a hash of
/// `parts` (valid for every record ID kind, which takes 6 to 32 of `[0-9a-z]`).
pub fn id_part(parts: &[&str]) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    // Two hashes (the second salted) give 12 characters that are not a function of 64 bits.
    let mut out = String::with_capacity(12);
    for salt in ["", "\u{1}"] {
        let mut salted: Vec<&str> = parts.to_vec();
        salted.push(salt);
        let mut h = hash(&salted);
        for _ in 0..6 {
            out.push(char::from(ALPHABET[(h % 36) as usize]));
            h /= 36;
        }
    }
    out
}

/// The time a write stamps a record's clock with: now, but never behind what the record (or
/// anything else this clone has seen) already says. A clone whose clock runs slow would
/// otherwise write an edit that sorts before the one it replaces and lose every tie it should
/// win; this is the wall part of the hybrid logical clock (records keep whole seconds, so
/// equal stamps fall to the tiebreaks of [`Stamp::cmp_values`]).
pub fn tick(now: Timestamp, seen: Option<Timestamp>) -> Timestamp {
    seen.map_or(now, |s| s.max(now))
}

/// When and by whom one side's version of a value was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The record's clock on that side (`None`: the record has none, or it is unreadable).
    pub wall: Option<Timestamp>,
    /// The agent that made the edit, where the merge knows it.
    pub agent: Option<String>,
}

impl Stamp {
    /// Compares two sides' versions of one value: `Greater` when `self` with `mine` is the
    /// later edit than `other` with `theirs`. Equal only when everything, values included, is.
    pub fn cmp_values(&self, mine: &str, other: &Stamp, theirs: &str) -> Ordering {
        self.wall
            .cmp(&other.wall)
            .then_with(|| self.agent.cmp(&other.agent))
            .then_with(|| hash(&[mine]).cmp(&hash(&[theirs])))
            .then_with(|| mine.cmp(theirs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339(s)
    }

    #[test]
    fn the_hash_is_stable_across_builds() {
        // Pinned: a change here changes the IDs every clone derives, so clones would diverge.
        assert_eq!(hash(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(&["a"]), hash(&["a"]));
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_eq!(
            id_part(&["tasks/aa/t-aaaaaa.md", "priority"]),
            "jb8az3xn3pk3"
        );
        assert!(crate::model::ConflictId::parse(&format!("c-{}", id_part(&["x"]))).is_ok());
    }

    #[test]
    fn the_clock_never_runs_behind_what_was_seen() {
        let (t10, t11) = (at("2026-11-21T10:00:00Z"), at("2026-11-21T11:00:00Z"));
        let (t10, t11) = (t10.unwrap(), t11.unwrap());
        assert_eq!(tick(t11, Some(t10)), t11);
        assert_eq!(tick(t10, Some(t11)), t11);
        assert_eq!(tick(t10, None), t10);
    }

    #[test]
    fn later_wall_time_wins_then_agent_then_value() {
        let early = Stamp {
            wall: at("2026-11-21T10:00:00Z"),
            agent: Some("zed".into()),
        };
        let late = Stamp {
            wall: at("2026-11-21T11:00:00Z"),
            agent: Some("amy".into()),
        };
        assert_eq!(late.cmp_values("a", &early, "b"), Ordering::Greater);
        assert_eq!(early.cmp_values("b", &late, "a"), Ordering::Less);
        let amy = Stamp {
            wall: early.wall,
            agent: Some("amy".into()),
        };
        assert_eq!(early.cmp_values("a", &amy, "b"), Ordering::Greater);
        // Same wall, same agent: the value decides, the same way from both sides.
        let x = early.cmp_values("a", &early, "b");
        assert_eq!(early.cmp_values("b", &early, "a"), x.reverse());
        assert_ne!(x, Ordering::Equal);
        // No clock at all is earlier than any clock.
        let none = Stamp {
            wall: None,
            agent: None,
        };
        assert_eq!(none.cmp_values("z", &early, "a"), Ordering::Less);
    }
}
