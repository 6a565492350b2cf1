/*!
Three-way merge of the coordination branch (DESIGN §7): what `sync` does when both the local
and the remote branch moved since their merge base.

The merge is pure: it sees the three versions of every record file that changed on either
side and decides the content of each, plus the records the merge itself creates (a conflict
record for every value it had to set aside, a message to the loser of a double claim). It
knows nothing of git; `ops::sync` reads the versions from the store and commits the outcome
as a merge commit with both parents.

Two promises hold whichever side is "ours":
- **Determinism.** `merge(base, a, b)` and `merge(base, b, a)` give the same files, so clones
  that merge each other converge. Nothing here reads the clock or a random source: times and
  IDs of the records the merge creates derive from the inputs.
- **Nothing is dropped.** A value that loses is written into a conflict record naming both
  values, both agents and the record.
*/

use std::collections::BTreeMap;

/// The three versions of one file (`None`: absent on that side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileVersions {
    /// The path on the coordination branch (`tasks/4k/t-4kz9w2.md`).
    pub path: String,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

/// One value the merge set aside, or one record it could not merge field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeConflict {
    /// The record file it is about.
    pub path: String,
    /// The field, or `None` for the whole record (delete vs edit, unparsable, body text).
    pub field: Option<String>,
    /// The value kept in the merged record, as written in the file (`None`: absent/deleted).
    pub kept: Option<String>,
    /// The value set aside (kept in the conflict record).
    pub set_aside: Option<String>,
    /// The conflict record the merge wrote for it (`conflicts/<id>.md`).
    pub record: String,
}

/// What the merge decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The content of every path the merge decides: each input path, plus the records the
    /// merge creates. `None` removes the path. Paths not listed keep the (identical) content
    /// they have on both sides.
    pub files: BTreeMap<String, Option<String>>,
    /// The paths merged field by field (changed on both sides), for the commit message.
    pub merged: Vec<String>,
    /// Every conflict recorded, for the commit message and the command's report.
    pub conflicts: Vec<MergeConflict>,
}

/// Merges every file changed on either side.
///
/// `changes` holds one entry per path that differs between the base and either side; a path
/// changed on one side only takes that side, a path changed identically takes it, and a path
/// changed differently on both sides is merged record by record.
pub fn merge(changes: &[FileVersions]) -> MergeOutcome {
    let mut outcome = MergeOutcome::default();
    for change in changes {
        let decided = if change.ours == change.theirs || change.theirs == change.base {
            change.ours.clone()
        } else if change.ours == change.base {
            change.theirs.clone()
        } else {
            outcome.merged.push(change.path.clone());
            both_changed(change, &mut outcome)
        };
        outcome.files.insert(change.path.clone(), decided);
    }
    outcome
}

/// A file changed differently on both sides. This first version keeps the greater content
/// (byte order, so the choice is symmetric) and records the other in a conflict; the field-level
/// merge replaces it.
fn both_changed(change: &FileVersions, outcome: &mut MergeOutcome) -> Option<String> {
    let (kept, set_aside) = if change.ours >= change.theirs {
        (change.ours.clone(), change.theirs.clone())
    } else {
        (change.theirs.clone(), change.ours.clone())
    };
    outcome.conflicts.push(MergeConflict {
        path: change.path.clone(),
        field: None,
        kept: kept.clone(),
        set_aside,
        record: String::new(),
    });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> FileVersions {
        FileVersions {
            path: "tasks/t-1.md".to_owned(),
            base: base.map(str::to_owned),
            ours: ours.map(str::to_owned),
            theirs: theirs.map(str::to_owned),
        }
    }

    #[test]
    fn one_side_changed_takes_that_side() {
        let out = merge(&[change(Some("a"), Some("a"), Some("b"))]);
        assert_eq!(out.files["tasks/t-1.md"].as_deref(), Some("b"));
        let out = merge(&[change(Some("a"), None, Some("a"))]);
        assert_eq!(out.files["tasks/t-1.md"], None);
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn both_changed_is_symmetric() {
        let ab = merge(&[change(Some("a"), Some("b"), Some("c"))]);
        let ba = merge(&[change(Some("a"), Some("c"), Some("b"))]);
        assert_eq!(ab.files, ba.files);
        assert_eq!(ab.conflicts.len(), 1);
    }
}
