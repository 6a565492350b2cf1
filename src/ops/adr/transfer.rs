/*!
`adr import` and `adr export`: the ADR directories of adr-tools (`doc/adr`) and MADR
(`docs/decisions`).

An imported file keeps its whole original text as the record's body and its file name (when
it is NNNN-slug.md with a lowercase slug), with its fields read into the front matter and
`format` set to where it came from. Exporting an ADR in the format its body is written in
writes that body unchanged, so importing a well-formed directory and exporting it gives the
same bytes back. An ADR exported in another format is rebuilt from its fields and the
sections of its body.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use super::foreign::{self, Parsed, chosen_line};
use super::{AdrError, AdrSet, adr_tools, load_adrs, locate, madr};
use crate::model::RecordError;
use crate::model::adr::body::sections;
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
        let p = foreign::parse(&f.name, &f.text).map_err(|message| TransferError::Unreadable {
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

/// The sections of a body by what they hold, whatever its format calls them.
#[derive(Clone, Debug, Default)]
pub struct Content {
    pub context: Option<String>,
    /// The decision as the body words it (none for git coord's own bodies, whose Decision
    /// section is rendered from the fields).
    pub decision_text: Option<String>,
    pub consequences: Option<String>,
    /// Every other section, in order, except those rebuilt from the fields.
    pub others: Vec<(String, String)>,
}

impl Content {
    pub fn of(adr: &Adr) -> Content {
        let mut c = Content::default();
        let text = &adr.body;
        for s in sections(text) {
            let body = text[s.content_start..s.end].trim().to_owned();
            let h = s.heading.to_ascii_lowercase();
            match (adr.format, h.as_str()) {
                (_, "status") => {}
                (BodyFormat::Madr, "context and problem statement") | (_, "context") => {
                    c.context = Some(body)
                }
                (BodyFormat::Madr, "decision outcome") | (BodyFormat::AdrTools, "decision") => {
                    c.decision_text = Some(body)
                }
                (BodyFormat::Coord, "decision") => {}
                (_, "consequences") => c.consequences = Some(body),
                (_, "considered options" | "pros and cons of the options" | "alternatives")
                    if !adr.options.is_empty() || adr.format == BodyFormat::Coord => {}
                _ => c.others.push((s.heading.clone(), body)),
            }
        }
        c
    }

    /// The decision's text: as the body words it, else the chosen option, else undecided.
    pub fn decision(&self, adr: &Adr) -> String {
        match (&self.decision_text, &adr.decision) {
            (Some(t), _) if !t.trim().is_empty() => t.clone(),
            (_, Some(d)) => chosen_line(d),
            _ if adr.status == AdrStatus::Proposed => "Not decided yet.".to_owned(),
            _ => format!(
                "{} without a recorded choice of option.",
                capitalized(adr.status.as_str())
            ),
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// One file `adr export` writes.
#[derive(Clone, Debug, Serialize)]
pub struct Exported {
    pub number: AdrNumber,
    pub file: String,
    pub format: BodyFormat,
    #[serde(skip)]
    pub text: String,
}

/// The format `export` writes when none is asked for: the one the imported ADRs came from
/// when they all agree, else adr-tools.
pub fn default_format<'a>(adrs: impl Iterator<Item = &'a Adr>) -> BodyFormat {
    let mut found = None;
    for a in adrs.filter(|a| a.format != BodyFormat::Coord) {
        match found {
            None => found = Some(a.format),
            Some(f) if f != a.format => return BodyFormat::AdrTools,
            Some(_) => {}
        }
    }
    found.unwrap_or(BodyFormat::AdrTools)
}

/// Every ADR as a file of `format` (default: [`default_format`]), and the records skipped.
pub fn export(
    store: &Store,
    format: Option<BodyFormat>,
) -> Result<(BodyFormat, Vec<Exported>, Vec<RecordError>), AdrError> {
    let snap = store.snapshot()?;
    let (all, problems) = load_adrs(&snap)?;
    let set = AdrSet::new(all);
    let format = format.unwrap_or_else(|| default_format(set.iter()));
    let files = set
        .iter()
        .map(|adr| {
            let text = if adr.format == format {
                adr.body.clone()
            } else {
                let content = Content::of(adr);
                let supersedes = set.links(&adr.supersedes);
                let superseded_by = set.links(&set.superseded_by(adr.number));
                match format {
                    BodyFormat::Madr => madr::convert(adr, &content, &superseded_by),
                    _ => adr_tools::convert(adr, &content, &supersedes, &superseded_by),
                }
            };
            Exported {
                number: adr.number,
                file: adr.file_name(),
                format,
                text,
            }
        })
        .collect();
    Ok((format, files, problems))
}
