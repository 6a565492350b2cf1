/*!
Records kept flat in one directory (`conflicts/<id>.md`, `risks/<id>.md`): resolving what a
user typed (a whole ID or a unique prefix) to one of them, reading one, and loading them all
with a problem for each file that cannot be read.

Also the one rule for stray records of every kind (ADR 0012): a record counts only at the path
its kind's layout gives it, the only path any command reads it by. A copy elsewhere (a
subdirectory, another message bucket) is skipped with a problem naming both paths, so lists
never offer a record that the commands acting on it cannot find, or find twice.
*/

use std::collections::HashSet;
use std::fmt::Display;

use super::OpError;
use crate::model::RecordError;
use crate::store::Snapshot;

/// How one kind of flat record is named and stored.
pub struct RecordKind<Id, T> {
    /// The noun in messages: `conflict`, `risk`.
    pub noun: &'static str,
    pub dir: &'static str,
    pub path: fn(&Id) -> String,
    pub id_from_path: fn(&str) -> Option<Id>,
    pub parse: fn(&str, &str) -> Result<T, RecordError>,
    pub id_of: fn(&T) -> &Id,
}

impl<Id: Ord + Clone + std::fmt::Display, T> RecordKind<Id, T> {
    /// Parses a record file and checks that its `id` matches its file name.
    pub fn parse_at(&self, path: &str, text: &str) -> Result<T, RecordError> {
        let record = (self.parse)(path, text)?;
        let id = (self.id_of)(&record);
        if (self.id_from_path)(path).as_ref() != Some(id) {
            return Err(RecordError {
                path: path.to_owned(),
                line: None,
                message: format!(
                    "its id {id} does not match its file name; the record for {id} belongs at {}",
                    (self.path)(id)
                ),
            });
        }
        Ok(record)
    }

    /// Reads one record by its full ID; `None` when there is no such file.
    pub fn read(&self, snap: &Snapshot<'_>, id: &Id) -> Result<Option<T>, OpError> {
        let path = (self.path)(id);
        match snap.read_text(&path)? {
            None => Ok(None),
            Some(text) => Ok(Some(self.parse_at(&path, &text)?)),
        }
    }

    /// Resolves a typed ID to a record's full ID: `full` when that file exists, else the one
    /// ID in the directory `matches` accepts. None is an unknown record, several are
    /// ambiguous (the error lists them).
    pub fn resolve(
        &self,
        snap: &Snapshot<'_>,
        given: &str,
        full: Option<Id>,
        matches: impl Fn(&Id) -> bool,
    ) -> Result<Id, OpError> {
        if let Some(full) = full
            && snap.exists(&(self.path)(&full))?
        {
            return Ok(full);
        }
        let mut found: Vec<Id> = snap
            .list(self.dir)?
            .into_iter()
            .filter(|e| !e.is_dir)
            .filter_map(|e| (self.id_from_path)(&e.name))
            .filter(|id| matches(id))
            .collect();
        found.sort();
        match found.len() {
            0 => Err(OpError::UnknownRecord {
                kind: self.noun,
                given: given.to_owned(),
            }),
            1 => Ok(found.remove(0)),
            _ => Err(OpError::AmbiguousRecord {
                kind: self.noun,
                given: given.to_owned(),
                candidates: found.iter().map(ToString::to_string).collect(),
            }),
        }
    }

    /// Resolves and reads a record, failing when it does not exist or cannot be read.
    pub fn find(
        &self,
        snap: &Snapshot<'_>,
        given: &str,
        full: Option<Id>,
        matches: impl Fn(&Id) -> bool,
    ) -> Result<T, OpError> {
        let id = self.resolve(snap, given, full, matches)?;
        self.read(snap, &id)?.ok_or_else(|| OpError::UnknownRecord {
            kind: self.noun,
            given: given.to_owned(),
        })
    }

    /// Every record in the directory, with a [`RecordError`] for each `.md` file that could
    /// not be read; in file-name order. A record anywhere but its own path (in a
    /// subdirectory, or under another ID's name) is left out with a problem naming both
    /// paths (see [`skip_strays`]).
    pub fn load(&self, snap: &Snapshot<'_>) -> Result<(Vec<T>, Vec<RecordError>), OpError> {
        let mut records = Vec::new();
        let mut problems = Vec::new();
        let mut strays = Vec::new();
        for (path, blob) in snap.walk(self.dir)? {
            if !path.ends_with(".md") {
                continue;
            }
            let parsed = match String::from_utf8(snap.read_blob(blob, &path)?) {
                Ok(text) => (self.parse)(&path, &text),
                Err(_) => Err(RecordError {
                    path: path.clone(),
                    line: None,
                    message: "the file is not valid UTF-8".to_owned(),
                }),
            };
            match parsed {
                Ok(r) if (self.path)((self.id_of)(&r)) == path => records.push(r),
                Ok(r) => strays.push((path, (self.path)((self.id_of)(&r)), r)),
                Err(e) => problems.push(e),
            }
        }
        let kept: HashSet<String> = records
            .iter()
            .map(|r| (self.path)((self.id_of)(r)))
            .collect();
        skip_strays(
            &kept,
            strays
                .into_iter()
                .map(|(path, canonical, r)| (path, canonical, (self.id_of)(&r).to_string())),
            &mut problems,
        );
        Ok((records, problems))
    }
}

/// Turns each record read from somewhere other than its own path into a problem naming both
/// paths. `strays` are `(path, canonical path, id)`; `kept` holds the canonical paths of the
/// records that were read where they belong. A stray whose canonical path is kept, or holds
/// a file that could not be read (already in `problems`), is a second copy; otherwise it is
/// misplaced, and moving it is the fix.
pub fn skip_strays(
    kept: &HashSet<String>,
    strays: impl IntoIterator<Item = (String, String, String)>,
    problems: &mut Vec<RecordError>,
) {
    let unreadable: HashSet<String> = problems.iter().map(|p| p.path.clone()).collect();
    for (path, canonical, id) in strays {
        let message = if kept.contains(&canonical) || unreadable.contains(&canonical) {
            stray_copy(&id, &canonical, &path)
        } else {
            format!(
                "the record of {id} belongs at {canonical}, so commands cannot find it here and it is ignored: move it there (`git mv {path} {canonical}` in a worktree of the coordination branch)"
            )
        };
        problems.push(RecordError {
            path,
            line: None,
            message,
        });
    }
}

/// The words for a second record of `id` at `path` while the one at `kept` counts.
pub fn stray_copy(id: &dyn Display, kept: &str, path: &str) -> String {
    format!(
        "a second record of {id}; the one at {kept} is kept and this copy is ignored: remove {path} from the coordination branch"
    )
}
