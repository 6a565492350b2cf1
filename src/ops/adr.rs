/*!
ADR operations: create (numbers allocated on the tip the commit lands on), list, show, review,
edit ([`edit()`]), weigh options, decide, change status, supersede, and [`import()`] and
[`export()`] of adr-tools and MADR directories (each format is read and written by its file
under `adr/formats/`).

Every write re-reads every ADR on its snapshot, because what a body shows of an ADR depends on
the others: "superseded by" is derived from the ADRs that list it in `supersedes`, and links
show the linked ADR's title. After a change, only the parts of a body whose rendering changed
are regenerated ([`body::refresh`]); the rest stays as people wrote it.
*/

mod edit;
mod export;
mod formats;
mod import;
mod links;
mod template;
#[cfg(test)]
mod tests;

pub use edit::{edit, edit_as};
pub use export::{Exported, default_format, export};
pub use import::{ForeignFile, ImportOutcome, Imported, TransferError, import};
pub use links::{AdrSet, AdrView};
pub use template::{TEMPLATE_OVERRIDE, Template, template};

use super::authority::{Access, Authority, Holding};
use super::{Actor, OpError, commit_message, touch_agent};
use crate::model::adr::body;
use crate::model::adr::{
    ADRS_DIR, Adr, AdrNumber, AdrNumberError, AdrStatus, BodyFormat, NewAdr, Refusal,
};
use crate::model::task::InvalidField;
use crate::model::{RecordError, Timestamp};
use crate::store::{self, Edit, Plan, Snapshot, Store};

#[derive(Debug, thiserror::Error)]
pub enum AdrError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error(transparent)]
    Number(#[from] AdrNumberError),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("there is no {number}")]
    Unknown { number: AdrNumber },
    #[error("{number} has several records: {}", .paths.join(", "))]
    Duplicate {
        number: AdrNumber,
        paths: Vec<String>,
    },
    #[error("{number} is already superseded by {}", .by.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "))]
    AlreadySuperseded {
        number: AdrNumber,
        by: Vec<AdrNumber>,
    },
    #[error(transparent)]
    Transfer(#[from] TransferError),
}

impl From<store::Error> for AdrError {
    fn from(e: store::Error) -> AdrError {
        AdrError::Op(e.into())
    }
}

impl From<RecordError> for AdrError {
    fn from(e: RecordError) -> AdrError {
        AdrError::Op(e.into())
    }
}

/// Every ADR on the snapshot, by number, with a [`RecordError`] for each file that could not
/// be read. Two files with one number: the one that has been on the branch longest is the
/// ADR (see [`original`]); the other is skipped with a problem naming both paths. A file
/// below a subdirectory of `adrs/` is no ADR's record and is skipped the same way.
pub fn load_adrs(snap: &Snapshot<'_>) -> Result<(Vec<Adr>, Vec<RecordError>), OpError> {
    let mut adrs: Vec<Adr> = Vec::new();
    let mut problems = Vec::new();
    for (path, blob) in snap.walk(ADRS_DIR)? {
        if !path.ends_with(".md") {
            continue;
        }
        if path[ADRS_DIR.len() + 1..].contains('/') {
            let name = path.rsplit('/').next().unwrap_or_default();
            problems.push(RecordError {
                line: None,
                message: format!(
                    "ADRs live directly in {ADRS_DIR}/, so commands cannot find this file and it is ignored: move it to {ADRS_DIR}/{name} (with a free number) or remove it"
                ),
                path,
            });
            continue;
        }
        let parsed = match String::from_utf8(snap.read_blob(blob, &path)?) {
            Ok(text) => Adr::parse(&path, &text),
            Err(_) => Err(RecordError {
                path: path.clone(),
                line: None,
                message: "the file is not valid UTF-8".to_owned(),
            }),
        };
        match parsed {
            Ok(adr) => adrs.push(adr),
            Err(e) => problems.push(e),
        }
    }
    adrs.sort_by_key(|a| a.number);
    let mut kept: Vec<Adr> = Vec::with_capacity(adrs.len());
    let mut rest = adrs.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut same = vec![first];
        while let Some(next) = rest.next_if(|a| a.number == same[0].number) {
            same.push(next);
        }
        if same.len() > 1 {
            let paths: Vec<String> = same.iter().map(Adr::path).collect();
            let original = original(snap, &paths)?;
            for (i, path) in paths.iter().enumerate().filter(|(i, _)| *i != original) {
                problems.push(RecordError {
                    path: path.clone(),
                    line: None,
                    message: format!(
                        "{} is also at {}, which was on the branch first and is kept; this later file is ignored: give it a free number (`git mv` it to {ADRS_DIR}/NNNN-… with a number `git coord adr list` does not show) or remove it",
                        same[i].number, paths[original]
                    ),
                });
            }
            kept.push(same.swap_remove(original));
        } else {
            kept.extend(same);
        }
    }
    Ok((kept, problems))
}

/// The path of ADR `number` on the snapshot, from the file names alone. When several files
/// carry the number, the one on the branch longest (see [`Snapshot::longest_present`]), as
/// [`load_adrs`] keeps it, so a hand-added duplicate never takes over the original.
fn locate(snap: &Snapshot<'_>, number: AdrNumber) -> Result<String, AdrError> {
    let mut paths: Vec<String> = snap
        .list(ADRS_DIR)?
        .into_iter()
        .filter(|e| !e.is_dir && AdrNumber::from_file_name(&e.name).map(|(n, _)| n) == Some(number))
        .map(|e| format!("{ADRS_DIR}/{}", e.name))
        .collect();
    paths.sort();
    match paths.len() {
        0 => Err(AdrError::Unknown { number }),
        1 => Ok(paths.remove(0)),
        _ => {
            let original = original(snap, &paths)?;
            Ok(paths.swap_remove(original))
        }
    }
}

/// Which of several files with one ADR number is the ADR: the one that has been on the
/// branch longest (the others came later, by hand or by a merge); among files added by one
/// commit, the first by path.
fn original(snap: &Snapshot<'_>, paths: &[String]) -> Result<usize, OpError> {
    Ok(snap.longest_present(paths)?)
}

/// Reads ADR `number`, failing when there is none or its record is malformed.
pub fn read(snap: &Snapshot<'_>, number: AdrNumber) -> Result<Adr, AdrError> {
    let path = locate(snap, number)?;
    let text = snap.read_text(&path)?.ok_or(AdrError::Unknown { number })?;
    Ok(Adr::parse(&path, &text)?)
}

/// The numbers taken on the snapshot, from the file names (malformed records included, so a
/// number is never given twice).
fn taken(snap: &Snapshot<'_>) -> Result<Vec<AdrNumber>, OpError> {
    Ok(snap
        .list(ADRS_DIR)?
        .into_iter()
        .filter(|e| !e.is_dir)
        .filter_map(|e| AdrNumber::from_file_name(&e.name).map(|(n, _)| n))
        .collect())
}

/// Creates a proposed ADR with the next free number on the tip, its body rendered from
/// `template`, in one commit. Parallel creators each get their own number: the plan runs
/// again on the new tip whenever another write got there first.
pub fn create(
    store: &Store,
    actor: &Actor,
    new: &NewAdr,
    template: &Template,
) -> Result<Adr, AdrError> {
    // Whoever creates it proposes it: with no deciders listed, a settled ADR is theirs.
    let new = &NewAdr {
        proposed_by: Some(actor.agent.clone()),
        ..new.clone()
    };
    // Validate and render once before touching the repository, so bad input never waits.
    let probe = Adr::new(AdrNumber::FIRST, new, actor.now)?;
    template.render(&AdrSet::default().data(&probe, new.context.as_deref()))?;
    let committed = store.update(&actor.author(), |snap| {
        let next = taken(snap)?
            .into_iter()
            .max()
            .map_or(Some(AdrNumber::FIRST), AdrNumber::next)
            .ok_or_else(|| InvalidField {
                field: "number",
                message: format!("every ADR number up to {} is taken", AdrNumber::MAX),
            })?;
        let mut adr = Adr::new(next, new, actor.now)?;
        adr.body = template.render(&AdrSet::default().data(&adr, new.context.as_deref()))?;
        let mut edits = vec![Edit::write(adr.path(), adr.to_text())];
        edits.extend(touch_agent(snap, actor)?);
        let message = commit_message(
            "adr-new",
            &adr.number.to_string(),
            Some(&adr.title),
            actor,
            &[],
        );
        Ok::<_, AdrError>(Plan::Commit {
            message,
            edits,
            value: adr,
        })
    })?;
    Ok(committed.value)
}

/// What a change did: the ADRs as they are now, and whether anything was written.
#[derive(Debug)]
pub struct Changed<T> {
    pub value: T,
    pub changed: bool,
}

/// Who owns an ADR as a record (ADR 0010 and its amendment): its `deciders`, always. With
/// none listed, a proposed ADR is anyone's to decide, but a settled one (accepted, rejected,
/// deprecated, superseded) is its proposer's: superseding, deprecating or rewording a decision
/// already taken is a decision about it, and an open door there would let any agent retire
/// what others work within. An ADR with neither (imported, or older than `proposed_by`) is
/// anyone's.
pub fn holding(adr: &Adr) -> Holding {
    let settled = adr.status != AdrStatus::Proposed;
    let (owners, relation) = if !adr.deciders.is_empty() {
        let relation = if settled {
            "decided by"
        } else {
            "to be decided by"
        };
        (adr.deciders.clone(), relation)
    } else if settled {
        (adr.proposed_by.iter().cloned().collect(), "proposed by")
    } else {
        (Vec::new(), "to be decided by")
    };
    Holding {
        relation,
        ..Holding::new(format!("{} ({})", adr.number, adr.title), owners, None)
    }
}

/// When [`update`] asks whether the first ADR is the acting agent's to change.
#[derive(Clone, Copy, Debug)]
enum Guard<'a> {
    /// Never: what anyone may do (add an option to a proposed ADR).
    Open,
    /// Always: a decision, or naming who decides.
    Always(&'a Authority),
    /// Once the ADR is settled: a proposed ADR's wording is anyone's to improve, a settled
    /// one's is its owners' ([`holding`]).
    Settled(&'a Authority),
}

/// Loads every ADR and `numbers` (which must exist and parse), applies `change`, and when it
/// changed anything writes each changed ADR with its body refreshed, in one commit. As
/// `guard` says, the first ADR must be the acting agent's to change ([`holding`]), or forced
/// by a coordinator — decided on the tip the commit lands on, before `change`.
fn update(
    store: &Store,
    actor: &Actor,
    op: &str,
    numbers: &[AdrNumber],
    template: &Template,
    guard: Guard<'_>,
    mut change: impl FnMut(&mut [Adr], &AdrSet) -> Result<Vec<bool>, AdrError>,
) -> Result<Changed<Vec<AdrView>>, AdrError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut targets = numbers
            .iter()
            .map(|&n| read(snap, n))
            .collect::<Result<Vec<_>, _>>()?;
        let access = match (guard, targets.first()) {
            (Guard::Always(authority), Some(first)) => {
                authority.check(&holding(first)).map_err(OpError::from)?
            }
            (Guard::Settled(authority), Some(first)) if first.status != AdrStatus::Proposed => {
                authority.check(&holding(first)).map_err(OpError::from)?
            }
            _ => Access::Own,
        };
        let (all, _) = load_adrs(snap)?;
        let before = AdrSet::new(all);
        let changed = change(&mut targets, &before)?;
        let mut after = before.clone();
        for (adr, &c) in targets.iter_mut().zip(&changed) {
            if c {
                adr.updated = actor.now;
            }
            after.put(adr.clone());
        }
        let mut edits = Vec::new();
        for (adr, &c) in targets.iter_mut().zip(&changed) {
            let old = before
                .get(adr.number)
                .cloned()
                .unwrap_or_else(|| adr.clone());
            let old_parts = before.parts(&old, template)?;
            let new_parts = after.parts(adr, template)?;
            let refreshed = body::refresh(&adr.body, &old_parts, &new_parts);
            // A target whose own fields did not change can still show new links (another
            // ADR now supersedes it): its generated parts are written all the same.
            if !c && refreshed == adr.body {
                continue;
            }
            adr.body = refreshed;
            after.put(adr.clone());
            edits.push(Edit::write(adr.path(), adr.to_text()));
        }
        let linked = refresh_links(&before, &after, &targets, template)?;
        edits.extend(linked.iter().map(|a| Edit::write(a.path(), a.to_text())));
        let views: Vec<AdrView> = targets.iter().map(|a| after.view(a)).collect();
        if edits.is_empty() {
            return Ok(Plan::Skip(Changed {
                value: views,
                changed: false,
            }));
        }
        let Some((first, rest)) = targets.split_first() else {
            return Ok(Plan::Skip(Changed {
                value: views,
                changed: false,
            }));
        };
        edits.extend(touch_agent(snap, actor)?);
        let mut extra: Vec<(&str, String)> = rest
            .iter()
            .chain(&linked)
            .map(|a| ("Coord-Record", a.number.to_string()))
            .collect();
        extra.extend(access.trailer().map(|(k, v)| (k, v.to_owned())));
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let message = commit_message(
            op,
            &first.number.to_string(),
            Some(&first.title),
            actor,
            &extra,
        );
        Ok::<_, AdrError>(Plan::Commit {
            message,
            edits,
            value: Changed {
                value: views,
                changed: true,
            },
        })
    })?;
    Ok(committed.value)
}

/// The other ADRs linked to a target (before or after the change) whose generated parts
/// changed with it (a link's title, a superseded-by line), with those parts regenerated; only
/// those whose body changed.
fn refresh_links(
    before: &AdrSet,
    after: &AdrSet,
    targets: &[Adr],
    template: &Template,
) -> Result<Vec<Adr>, OpError> {
    let links = |set: &AdrSet, a: AdrNumber, b: AdrNumber| {
        set.get(a).is_some_and(|x| x.supersedes.contains(&b))
            || set.get(b).is_some_and(|y| y.supersedes.contains(&a))
    };
    let mut out = Vec::new();
    for other in after.iter() {
        let linked = targets
            .iter()
            .any(|t| links(before, t.number, other.number) || links(after, t.number, other.number));
        if !linked || targets.iter().any(|t| t.number == other.number) {
            continue;
        }
        let old = before.get(other.number).unwrap_or(other);
        let refreshed = body::refresh(
            &other.body,
            &before.parts(old, template)?,
            &after.parts(other, template)?,
        );
        if refreshed != other.body {
            let mut a = other.clone();
            a.body = refreshed;
            out.push(a);
        }
    }
    Ok(out)
}

/// The one ADR a single-record change returns.
fn one(number: AdrNumber, c: Changed<Vec<AdrView>>) -> Result<Changed<AdrView>, AdrError> {
    let view = c
        .value
        .into_iter()
        .next()
        .ok_or(AdrError::Unknown { number })?;
    Ok(Changed {
        value: view,
        changed: c.changed,
    })
}

/// An option as `adr option` gives it.
#[derive(Clone, Debug, Default)]
pub struct NewOption {
    pub name: String,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub effort: Option<String>,
}

/// Adds an option to a proposed ADR (or pros, cons and effort to one it has).
pub fn add_option(
    store: &Store,
    actor: &Actor,
    number: AdrNumber,
    option: &NewOption,
    template: &Template,
) -> Result<Changed<AdrView>, AdrError> {
    update(
        store,
        actor,
        "adr-option",
        &[number],
        template,
        Guard::Open,
        |adrs, _| {
            Ok(vec![adrs[0].add_option(
                &option.name,
                &option.pros,
                &option.cons,
                option.effort.as_deref(),
            )?])
        },
    )
    .and_then(|c| one(number, c))
}

/// Accepts an ADR with one of its options chosen. Only its deciders decide (anyone, when it
/// lists none), unless a coordinator forces.
pub fn decide(
    store: &Store,
    actor: &Actor,
    number: AdrNumber,
    option: &str,
    rationale: &str,
    template: &Template,
    authority: &Authority,
) -> Result<Changed<AdrView>, AdrError> {
    update(
        store,
        actor,
        "adr-decide",
        &[number],
        template,
        Guard::Always(authority),
        |adrs, _| {
            adrs[0].decide(option, rationale, Some(actor.agent.clone()), actor.now)?;
            Ok(vec![true])
        },
    )
    .and_then(|c| one(number, c))
}

/// Accepts, rejects or deprecates an ADR: a decision, so only its deciders make it (anyone,
/// when it lists none), unless a coordinator forces.
pub fn set_status(
    store: &Store,
    actor: &Actor,
    number: AdrNumber,
    target: AdrStatus,
    template: &Template,
    authority: &Authority,
) -> Result<Changed<AdrView>, AdrError> {
    let op = match target {
        AdrStatus::Accepted => "adr-accept",
        AdrStatus::Rejected => "adr-reject",
        _ => "adr-deprecate",
    };
    update(
        store,
        actor,
        op,
        &[number],
        template,
        Guard::Always(authority),
        |adrs, _| Ok(vec![adrs[0].set_status(target)?]),
    )
    .and_then(|c| one(number, c))
}

/// Records that `new` supersedes `old`: `old` becomes superseded and `new` lists it, in one
/// commit. Returns both, `old` first. Retiring `old` is a decision about it, so only its
/// owners ([`holding`]: its deciders, else its proposer) make it, unless a coordinator forces.
pub fn supersede(
    store: &Store,
    actor: &Actor,
    old: AdrNumber,
    new: AdrNumber,
    template: &Template,
    authority: &Authority,
) -> Result<Changed<Vec<AdrView>>, AdrError> {
    if old == new {
        return Err(AdrError::Invalid(InvalidField {
            field: "by",
            message: format!("{old} cannot supersede itself"),
        }));
    }
    update(
        store,
        actor,
        "adr-supersede",
        &[old, new],
        template,
        Guard::Always(authority),
        |adrs, set| {
            let (o, n) = adrs.split_at_mut(1);
            let (o, n) = (&mut o[0], &mut n[0]);
            let by = set.superseded_by(o.number);
            if o.status == AdrStatus::Superseded && !by.is_empty() && !by.contains(&n.number) {
                return Err(AdrError::AlreadySuperseded {
                    number: o.number,
                    by,
                });
            }
            if n.status != AdrStatus::Accepted {
                return Err(AdrError::Invalid(InvalidField {
                    field: "by",
                    message: format!(
                        "{} is {}: only an accepted ADR can supersede another; accept it first (git coord adr accept {}, or adr decide {} --option …)",
                        n.number,
                        n.status,
                        n.number.get(),
                        n.number.get()
                    ),
                }));
            }
            // Check both before changing either, so a refusal names the first problem.
            let mut probe = n.clone();
            probe.add_supersedes(o.number)?;
            let a = o.mark_superseded()?;
            let b = n.add_supersedes(o.number)?;
            Ok(vec![a, b])
        },
    )
}

/// Every ADR (with `status` only, when given), by number, and the records skipped.
pub fn list(
    store: &Store,
    status: Option<AdrStatus>,
) -> Result<(Vec<AdrView>, Vec<RecordError>), AdrError> {
    let snap = store.snapshot()?;
    let (all, problems) = load_adrs(&snap)?;
    let set = AdrSet::new(all);
    let views = set
        .iter()
        .filter(|a| status.is_none_or(|s| a.status == s))
        .map(|a| set.view(a))
        .collect();
    Ok((views, problems))
}

/// One ADR with what is derived about it.
pub fn show(store: &Store, number: AdrNumber) -> Result<AdrView, AdrError> {
    let snap = store.snapshot()?;
    let adr = read(&snap, number)?;
    let (all, _) = load_adrs(&snap)?;
    Ok(AdrSet::new(all).view(&adr))
}

/// Accepted ADRs whose review date has come, earliest first.
pub fn due_for_review(
    store: &Store,
    now: Timestamp,
) -> Result<(Vec<AdrView>, Vec<RecordError>), AdrError> {
    let (mut views, problems) = list(store, Some(AdrStatus::Accepted))?;
    views.retain(|v| v.adr.review_date.is_some_and(|r| r <= now));
    views.sort_by_key(|v| (v.adr.review_date, v.adr.number));
    Ok((views, problems))
}

/// One line saying what was decided: the chosen option and the first line of the rationale,
/// or for a decision made outside git coord the first line of the body's Decision section.
pub fn decision_summary(adr: &Adr) -> Option<String> {
    if let Some(d) = &adr.decision {
        let first = d.rationale.lines().next().unwrap_or("").trim();
        return Some(if first.is_empty() {
            d.option.clone()
        } else {
            format!("{}: {first}", d.option)
        });
    }
    let heading = match adr.format {
        // Without a decision, git coord's own Decision section has nothing to add.
        BodyFormat::Coord => return None,
        BodyFormat::Madr => "Decision Outcome",
        BodyFormat::AdrTools => "Decision",
    };
    body::section_text(&adr.body, heading)?
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
}
