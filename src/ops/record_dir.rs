/*!
The operations every kind of record shares, written once against [`Record`]: reading one by
its ID, resolving what a user typed (a whole ID or a unique prefix) to one, loading them all
with a problem for each file that cannot be read, listing and showing, a fresh ID, and the
plan that commits one.

Also the one rule for stray records of every kind (ADR 0012): a record counts only at the path
its kind's layout gives it, the only path any command reads it by. A copy elsewhere (a
subdirectory, another message bucket) is skipped with a problem naming both paths, so lists
never offer a record that the commands acting on it cannot find, or find twice.
*/

use std::collections::HashSet;
use std::fmt::Display;

use super::{
    Actor, Candidate, Candidates, OpError, commit_message, fanned_out_candidates, touch_agent,
};
use crate::model::RecordError;
use crate::model::record::{Record, RecordId};
use crate::store::{Edit, Plan, Snapshot, Store};

/// Reads one record by its full ID; `None` when there is no such file.
pub fn read<R: Record>(snap: &Snapshot<'_>, id: &R::Id) -> Result<Option<R>, OpError> {
    let path = R::path(id);
    match snap.read_text(&path)? {
        None => Ok(None),
        Some(text) => Ok(Some(R::parse_at(&path, &text)?)),
    }
}

/// The IDs of the records whose random part starts with `typed`, sorted.
fn matching<R: Record>(snap: &Snapshot<'_>, typed: &str) -> Result<Vec<R::Id>, OpError> {
    let mut found: Vec<R::Id> = if R::FANNED_OUT {
        fanned_out_candidates(snap, R::DIR, R::Id::PREFIX, typed)?
            .iter()
            .filter_map(|name| R::Id::parse(name).ok())
            .collect()
    } else {
        snap.list(R::DIR)?
            .into_iter()
            .filter(|e| !e.is_dir)
            .filter_map(|e| R::id_from_path(&e.name))
            .filter(|id| id.random_part().starts_with(typed))
            .collect()
    };
    found.sort();
    Ok(found)
}

/// Resolves what a user typed (a whole ID, or a unique prefix with or without the kind
/// prefix) to a record's full ID: the whole ID when that file exists, else the one ID the
/// prefix matches. None is an unknown record; several are ambiguous, and the error lists
/// them with their titles.
pub fn resolve<R: Record>(snap: &Snapshot<'_>, given: &str) -> Result<R::Id, OpError> {
    let typed = R::Id::typed_part(given)?;
    if let Ok(full) = R::Id::parse(&format!("{}{typed}", R::Id::PREFIX))
        && snap.exists(&R::path(&full))?
    {
        return Ok(full);
    }
    let mut found = matching::<R>(snap, &typed)?;
    match found.len() {
        0 => Err(unknown::<R>(given)),
        1 => Ok(found.remove(0)),
        _ => Err(OpError::AmbiguousRecord {
            kind: R::NOUN,
            given: given.to_owned(),
            candidates: found
                .iter()
                .map(|id| Candidate {
                    id: id.to_string(),
                    // Only for the message: a candidate that cannot be read has no title.
                    title: read::<R>(snap, id)
                        .ok()
                        .flatten()
                        .map(|r| r.title().to_owned()),
                })
                .collect::<Candidates>(),
        }),
    }
}

/// The error for a record of kind `R` that `given` does not name.
pub fn unknown<R: Record>(given: &str) -> OpError {
    OpError::UnknownRecord {
        kind: R::NOUN,
        given: given.to_owned(),
    }
}

/// Resolves and reads a record, failing when it does not exist or cannot be read.
pub fn find<R: Record>(snap: &Snapshot<'_>, given: &str) -> Result<R, OpError> {
    let id = resolve::<R>(snap, given)?;
    read::<R>(snap, &id)?.ok_or_else(|| unknown::<R>(given))
}

/// Every record of kind `R` (in list order, [`Record::list_order`]), with a [`RecordError`]
/// for each `.md` file that could not be read. A record anywhere but its own path (in a
/// subdirectory, or under another ID's name) is left out with a problem naming both paths
/// (see [`skip_strays`]).
pub fn load<R: Record>(snap: &Snapshot<'_>) -> Result<(Vec<R>, Vec<RecordError>), OpError> {
    let mut records: Vec<R> = Vec::new();
    let mut problems = Vec::new();
    let mut strays = Vec::new();
    for (path, blob) in snap.walk(R::DIR)? {
        if !path.ends_with(".md") {
            continue;
        }
        let parsed = match String::from_utf8(snap.read_blob(blob, &path)?) {
            Ok(text) => R::parse(&path, &text),
            Err(_) => Err(RecordError {
                path: path.clone(),
                line: None,
                message: "the file is not valid UTF-8".to_owned(),
            }),
        };
        match parsed {
            Ok(r) if R::path(r.id()) == path => records.push(r),
            Ok(r) => strays.push((path, R::path(r.id()), r.id().to_string())),
            Err(e) => problems.push(e),
        }
    }
    let kept: HashSet<String> = records.iter().map(|r| R::path(r.id())).collect();
    skip_strays(&kept, strays, &mut problems);
    records.sort_by(R::list_order);
    Ok((records, problems))
}

/// The records `keep` accepts, in list order, and the files skipped.
pub fn list<R: Record>(
    store: &Store,
    keep: impl Fn(&R) -> bool,
) -> Result<(Vec<R>, Vec<RecordError>), OpError> {
    let (mut records, problems) = load::<R>(&store.snapshot()?)?;
    records.retain(|r| keep(r));
    Ok((records, problems))
}

/// One record by full ID or unique prefix.
pub fn show<R: Record>(store: &Store, given: &str) -> Result<R, OpError> {
    find::<R>(&store.snapshot()?, given)
}

/// A fresh ID of kind `R` that no record on `snap` has: [`Record::ID_LEN`] random
/// characters, one more after each collision.
pub fn fresh_id<R: Record>(snap: &Snapshot<'_>) -> Result<R::Id, OpError> {
    let mut len = R::ID_LEN;
    loop {
        let id = R::Id::random(len);
        if !snap.exists(&R::path(&id))? {
            return Ok(id);
        }
        len += 1;
    }
}

/// The edit that writes `record` at its path.
pub fn write<R: Record>(record: &R) -> Edit {
    Edit::write(R::path(record.id()), record.to_text())
}

/// The plan of a commit `message` of `edits` and the acting agent's heartbeat.
pub fn plan<V>(
    snap: &Snapshot<'_>,
    actor: &Actor,
    message: String,
    mut edits: Vec<Edit>,
    value: V,
) -> Result<Plan<V>, OpError> {
    edits.extend(touch_agent(snap, actor)?);
    Ok(Plan::Commit {
        message,
        edits,
        value,
    })
}

/// The plan that writes `record` and then `more` edits, in a commit `coord: <op> <id>` with
/// the record's title and `trailers` (a forced change's signature).
pub fn commit<R: Record, V>(
    snap: &Snapshot<'_>,
    actor: &Actor,
    op: &str,
    record: &R,
    more: Vec<Edit>,
    trailers: &[(&str, &str)],
    value: V,
) -> Result<Plan<V>, OpError> {
    let message = commit_message(
        op,
        record.id().as_str(),
        Some(record.title()),
        actor,
        trailers,
    );
    let mut edits = vec![write(record)];
    edits.extend(more);
    plan(snap, actor, message, edits, value)
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

#[cfg(test)]
mod tests;
