/*!
`adr import`: an ADR directory of adr-tools (`doc/adr`) or MADR (`docs/decisions`) onto the
coordination branch, in one commit.

An imported file keeps its whole original text as the record's body and its file name (when
it is NNNN-slug.md with a lowercase slug), with its fields read into the front matter
([`super::formats`]) and `format` set to where it came from, so [`super::export`] can give
the same bytes back.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use super::formats::{self, Parsed};
use super::{AdrError, locate};
use crate::model::adr::{Adr, AdrNumber, AdrStatus, BodyFormat, Decision, NewAdr};
use crate::ops::{Actor, commit_message, touch_agent};
use crate::store::{Edit, Plan, Store};

/// One file of the directory being imported.
#[derive(Clone, Debug)]
pub struct ForeignFile {
    pub name: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{dir} has no ADR files (NNNN-title.md)")]
    Empty { dir: String },
    #[error("cannot import {file}: {message}")]
    Unreadable { file: String, message: String },
    #[error("{number} is both {first} and {second}")]
    DuplicateInDir {
        number: AdrNumber,
        first: String,
        second: String,
    },
    #[error("{number} ({file}) already exists on the coordination branch at {existing}")]
    Exists {
        number: AdrNumber,
        file: String,
        existing: String,
    },
}

/// One ADR written by an import.
#[derive(Clone, Debug, Serialize)]
pub struct Imported {
    pub number: AdrNumber,
    pub title: String,
    pub status: AdrStatus,
    pub format: BodyFormat,
    pub path: String,
    /// The file it came from.
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportOutcome {
    pub imported: Vec<Imported>,
    /// What could not be mapped to a field (it stays in the text).
    pub warnings: Vec<String>,
    pub commit: Option<String>,
}

/// Reads every file, links supersedes both ways within the directory, and writes them all in
/// one commit. Fails, writing nothing, when a number is taken on the branch or twice in the
/// directory, or when a file cannot be read as either format.
pub fn import(
    store: &Store,
    actor: &Actor,
    dir: &str,
    files: &[ForeignFile],
) -> Result<ImportOutcome, AdrError> {
    let mut batch: BTreeMap<AdrNumber, Parsed> = BTreeMap::new();
    for f in files {
        let p = formats::parse(&f.name, &f.text).map_err(|message| TransferError::Unreadable {
            file: f.name.clone(),
            message,
        })?;
        if let Some(first) = batch.get(&p.number) {
            return Err(TransferError::DuplicateInDir {
                number: p.number,
                first: first.file.clone(),
                second: p.file,
            }
            .into());
        }
        batch.insert(p.number, p);
    }
    if batch.is_empty() {
        return Err(TransferError::Empty {
            dir: dir.to_owned(),
        }
        .into());
    }
    let mut warnings: Vec<String> = Vec::new();
    // "Superseded by N" on one file is "supersedes" on N's record.
    let links: Vec<(AdrNumber, AdrNumber, String)> = batch
        .values()
        .flat_map(|p| {
            p.superseded_by
                .iter()
                .map(|&by| (by, p.number, p.file.clone()))
        })
        .collect();
    for (by, old, file) in links {
        match batch.get_mut(&by) {
            Some(newer) if !newer.supersedes.contains(&old) => newer.supersedes.push(old),
            Some(_) => {}
            None => warnings.push(format!(
                "{file}: it is superseded by {by}, which is not in {dir}; the link stays in the text only"
            )),
        }
    }
    for p in batch.values_mut() {
        p.supersedes.sort();
        p.supersedes.dedup();
        warnings.append(&mut p.warnings);
    }
    let committed = store.update(&actor.author(), |snap| {
        let mut edits = Vec::new();
        let mut imported = Vec::new();
        let mut dropped = Vec::new();
        for p in batch.values() {
            match locate(snap, p.number) {
                Err(AdrError::Unknown { .. }) => {}
                Ok(existing) => {
                    return Err(TransferError::Exists {
                        number: p.number,
                        file: p.file.clone(),
                        existing,
                    }
                    .into());
                }
                Err(AdrError::Duplicate { paths, .. }) => {
                    return Err(TransferError::Exists {
                        number: p.number,
                        file: p.file.clone(),
                        existing: paths.join(", "),
                    }
                    .into());
                }
                Err(e) => return Err(e),
            }
            let mut adr = to_adr(p, actor)?;
            let mut kept = Vec::new();
            for &n in &adr.supersedes {
                if batch.contains_key(&n) || locate(snap, n).is_ok() {
                    kept.push(n);
                } else {
                    dropped.push(format!(
                        "{}: it supersedes {n}, which is neither in {dir} nor on the branch; the link stays in the text only",
                        p.file
                    ));
                }
            }
            adr.supersedes = kept;
            edits.push(Edit::write(adr.path(), adr.to_text()));
            imported.push(Imported {
                number: adr.number,
                title: adr.title.clone(),
                status: adr.status,
                format: adr.format,
                path: adr.path(),
                source: p.file.clone(),
            });
        }
        edits.extend(touch_agent(snap, actor)?);
        let context = format!("{} ADRs from {dir}", imported.len());
        let message = commit_message("adr-import", dir, Some(&context), actor, &[]);
        Ok::<_, AdrError>(Plan::Commit {
            message,
            edits,
            value: (imported, dropped),
        })
    })?;
    let (imported, dropped) = committed.value;
    warnings.extend(dropped);
    Ok(ImportOutcome {
        imported,
        warnings,
        commit: committed.commit.map(|c| c.to_string()),
    })
}

fn to_adr(p: &Parsed, actor: &Actor) -> Result<Adr, AdrError> {
    let created = p.date.unwrap_or(actor.now);
    let new = NewAdr {
        title: p.title.clone(),
        deciders: p.deciders.clone(),
        input_from: p.input_from.clone(),
        ..NewAdr::default()
    };
    let mut adr = Adr::new(p.number, &new, created).map_err(|e| TransferError::Unreadable {
        file: p.file.clone(),
        message: e.message,
    })?;
    adr.status = p.status;
    adr.options = p.options.clone();
    adr.decision = p.decision.as_ref().map(|(option, rationale)| Decision {
        option: option.clone(),
        rationale: rationale.clone(),
        by: None,
        at: created,
    });
    adr.supersedes = p.supersedes.clone();
    adr.format = p.format;
    if let Some(slug) = &p.slug {
        adr.slug = slug.clone();
    }
    adr.body = p.text.clone();
    adr.updated = actor.now;
    Ok(adr)
}
