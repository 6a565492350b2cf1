/*!
`owners`: who holds a path, by which claim, since and until when, and which baseline rule
decides it.
*/

use serde::Serialize;

use super::claims::claim_set;
use super::policy::baseline;
use crate::model::Timestamp;
use crate::ops::OpError;
use crate::ownership::claims::{ClaimSet, Held};
use crate::store::Store;

/// Who holds each of `paths`.
#[derive(Clone, Debug, Serialize)]
pub struct PathOwners {
    pub path: String,
    pub holders: Vec<Held>,
    /// The baseline rule that decides the path (the last matching one), if any.
    pub baseline: Option<BaselineOwner>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineOwner {
    pub source: String,
    pub line: usize,
    pub pattern: String,
    pub owners: Vec<String>,
    pub enforced: bool,
}

pub fn owners(
    store: &Store,
    paths: &[String],
    now: Timestamp,
) -> Result<(Vec<PathOwners>, ClaimSet), OpError> {
    let snap = store.snapshot()?;
    let mut set = claim_set(store, &snap, now)?;
    let base = baseline(store)?;
    let out = paths
        .iter()
        .map(|p| PathOwners {
            path: p.clone(),
            holders: set.holders(p).into_iter().cloned().collect(),
            baseline: base.decide(p).map(|r| BaselineOwner {
                source: base.source.clone().unwrap_or_default(),
                line: r.line,
                pattern: r.pattern.as_str().to_owned(),
                owners: r.owners.clone(),
                enforced: base.enforced,
            }),
        })
        .collect();
    set.problems.extend(base.problems);
    Ok((out, set))
}
