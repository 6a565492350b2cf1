/*!
Records kept flat in one directory (`conflicts/<id>.md`, `risks/<id>.md`): resolving what a
user typed (a whole ID or a unique prefix) to one of them, reading one, and loading them all
with a problem for each file that cannot be read.
*/

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
    /// not be read; in file-name order.
    pub fn load(&self, snap: &Snapshot<'_>) -> Result<(Vec<T>, Vec<RecordError>), OpError> {
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for (path, blob) in snap.walk(self.dir)? {
            if !path.ends_with(".md") {
                continue;
            }
            let parsed = match String::from_utf8(snap.read_blob(blob, &path)?) {
                Ok(text) => self.parse_at(&path, &text),
                Err(_) => Err(RecordError {
                    path: path.clone(),
                    line: None,
                    message: "the file is not valid UTF-8".to_owned(),
                }),
            };
            match parsed {
                Ok(r) => records.push(r),
                Err(e) => problems.push(e),
            }
        }
        Ok((records, problems))
    }
}
