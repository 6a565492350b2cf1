/*!
The project's policy as the checks read it from the default branch: the baseline ownership
(`.coord/owners.toml` or CODEOWNERS), the coordinators who alone may change `.coord/`, and
`coord.unowned`.
*/

use crate::model::AgentId;
use crate::ops::OpError;
use crate::ownership::baseline::Baseline;
use crate::store::Store;
use crate::store::policy::PolicyAt;

/// The project's baseline ownership: the first of `.coord/owners.toml`, `.github/CODEOWNERS`,
/// `CODEOWNERS`, `docs/CODEOWNERS` found on the default branch (see [`Store::policy_at`]),
/// never in the acting agent's `HEAD`: a commit of one's own naming oneself the owner must
/// not count before it is reviewed and merged.
pub fn baseline(store: &Store) -> Result<Baseline, OpError> {
    baseline_at(store, &store.policy_at())
}

/// [`baseline`] as committed at `at`; an unknown default branch gives no baseline and a
/// problem saying how to name one.
pub fn baseline_at(store: &Store, at: &PolicyAt) -> Result<Baseline, OpError> {
    let rev = match at {
        PolicyAt::Rev(rev) => rev,
        PolicyAt::Unknown(warning) => {
            return Ok(Baseline {
                problems: vec![warning.clone()],
                ..Baseline::default()
            });
        }
    };
    let texts = store.files_at(rev, &crate::ownership::baseline::SOURCES)?;
    Ok(baseline_of(texts))
}

/// The baseline the first of [`SOURCES`] found gives, from their texts in that order.
///
/// [`SOURCES`]: crate::ownership::baseline::SOURCES
fn baseline_of(texts: impl IntoIterator<Item = Option<String>>) -> Baseline {
    for (source, text) in crate::ownership::baseline::SOURCES.iter().zip(texts) {
        if let Some(text) = text {
            return if source.ends_with(".toml") {
                crate::ownership::baseline::parse_owners_toml(source, &text)
            } else {
                crate::ownership::baseline::parse_codeowners(source, &text)
            };
        }
    }
    Baseline::default()
}

/// The baseline ([`baseline_at`]) and the coordinators ([`policy_coordinators`]) at `at`,
/// with the commit and its tree read once: what `check --staged` needs.
pub(super) fn baseline_and_coordinators(
    store: &Store,
    at: &PolicyAt,
    problems: &mut Vec<String>,
) -> Result<(Baseline, Option<Vec<AgentId>>), OpError> {
    let PolicyAt::Rev(rev) = at else {
        return Ok((baseline_at(store, at)?, None));
    };
    let sources = crate::ownership::baseline::SOURCES;
    let mut paths: Vec<&str> = sources.to_vec();
    paths.push(crate::ops::authority::CONFIG_PATH);
    let mut texts = store.files_at(rev, &paths)?;
    let config = texts.pop().flatten();
    let coordinators = coordinators_of(rev, config, problems);
    Ok((baseline_of(texts), coordinators))
}

/// The coordinators listed in `.coord/config.toml` at `at`, who alone may change the
/// project's policy files (`.coord/*`); `None` with no list (or an unreadable one, reported
/// in `problems`).
pub(super) fn policy_coordinators(
    store: &Store,
    at: &PolicyAt,
    problems: &mut Vec<String>,
) -> Result<Option<Vec<AgentId>>, OpError> {
    let PolicyAt::Rev(rev) = at else {
        return Ok(None);
    };
    let text = store.file_at(rev, crate::ops::authority::CONFIG_PATH)?;
    Ok(coordinators_of(rev, text, problems))
}

/// The coordinators `text` (`.coord/config.toml` at `rev`) lists; a problem when it cannot
/// be read.
fn coordinators_of(
    rev: &str,
    text: Option<String>,
    problems: &mut Vec<String>,
) -> Option<Vec<AgentId>> {
    let text = text?;
    match crate::ops::authority::parse_coordinators(&text) {
        Ok(crate::ops::authority::Coordinators::Listed(list)) => Some(list),
        Ok(crate::ops::authority::Coordinators::Unset) => None,
        Err(e) => {
            problems.push(format!(
                "{} at {rev}: {e}; changes to .coord/ are not limited to coordinators",
                crate::ops::authority::CONFIG_PATH
            ));
            None
        }
    }
}

/// The policy directory: its files decide who may force and who owns what, so with a
/// coordinator list only a coordinator may change them, whatever any claim says.
const POLICY_DIR: &str = ".coord/";

/// Adds a violation for every path of `report` under `.coord/` when `agent` is not one of
/// `coordinators` (a claim on `.coord/**` grants nothing there).
pub(super) fn enforce_policy_dir(
    report: &mut crate::ownership::check::Report,
    coordinators: Option<&[AgentId]>,
    agent: &AgentId,
    paths: &[String],
) {
    use crate::ownership::check::{Finding, Kind};
    let Some(list) = coordinators else {
        return;
    };
    if list.contains(agent) {
        return;
    }
    for path in paths.iter().filter(|p| p.starts_with(POLICY_DIR)) {
        report.violations.retain(|v| &v.path != path);
        report.warnings.retain(|w| &w.path != path);
        report.violations.push(Finding {
            commit: None,
            by: None,
            via: None,
            named: None,
            path: path.clone(),
            kind: Kind::HeldByOther,
            holder: list.first().cloned(),
            pattern: Some(format!("{POLICY_DIR}**")),
            since: None,
            task: Some(format!(
                "`coordinators` in {}",
                crate::ops::authority::CONFIG_PATH
            )),
            unreadable: None,
        });
    }
    report.ok = report.violations.is_empty();
}

/// `coord.unowned`: what to do with paths nobody holds (default allow).
pub fn unowned_policy(store: &Store) -> crate::ownership::check::Unowned {
    store
        .config_string("coord.unowned")
        .and_then(|v| crate::ownership::check::Unowned::parse(&v))
        .unwrap_or_default()
}
