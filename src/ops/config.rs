/*!
Every setting git-coord reads, in one place: its key, where it is meant to be set, its default,
and what it changes; and the effective value of each with where it came from
(`git coord config --list`). Commands read their settings through the functions named here,
so this list is the whole truth about configuration.
*/

use serde::Serialize;

use crate::store::Store;

/// Where a setting is meant to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `git config --worktree`: one value per worktree (each worktree is one agent).
    Worktree,
    /// `git config` in the repository (`.git/config`), shared by its worktrees.
    Repository,
    /// Reviewed project policy: `.coord/config.toml`, read from the commit at `HEAD`.
    Project,
}

impl Scope {
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Worktree => "worktree",
            Scope::Repository => "repository",
            Scope::Project => ".coord/config.toml",
        }
    }
}

/// One setting git-coord reads.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Key {
    pub key: &'static str,
    pub scope: Scope,
    /// The value used when it is not set, as it would be written (`None`: unset means off).
    pub default: Option<&'static str>,
    pub about: &'static str,
}

/// Every git config key git-coord reads.
pub const KEYS: &[Key] = &[
    Key {
        key: "coord.agent",
        scope: Scope::Worktree,
        default: None,
        about: "the agent this worktree acts as (--agent and $COORD_AGENT override it)",
    },
    Key {
        key: "coord.branch",
        scope: Scope::Repository,
        default: Some(crate::store::DEFAULT_BRANCH),
        about: "the coordination branch (refs/heads/<name>)",
    },
    Key {
        key: "coord.coordinator",
        scope: Scope::Repository,
        default: None,
        about: "the agent told when reap or retire returns work (unset: everyone)",
    },
    Key {
        key: "coord.staleAfter",
        scope: Scope::Repository,
        default: Some("2h"),
        about: "how long an agent may go unseen before it is stale (status, reap, assign)",
    },
    Key {
        key: "coord.replyWithin",
        scope: Scope::Repository,
        default: Some("4h"),
        about: "how long a message that needs a reply may wait before it is overdue",
    },
    Key {
        key: "coord.defaultEstimate",
        scope: Scope::Repository,
        default: Some("1h"),
        about: "the estimate of tasks that have none (critical path, progress)",
    },
    Key {
        key: "coord.staleLock",
        scope: Scope::Repository,
        default: Some("10s"),
        about: "a branch lock older than this was left by a dead writer and is removed (ADR 0009)",
    },
    Key {
        key: "coord.lockTimeout",
        scope: Scope::Repository,
        default: Some("5s"),
        about: "how long a write waits on a live lock that never moves before it fails",
    },
    Key {
        key: "coord.hooks",
        scope: Scope::Repository,
        default: Some("warn"),
        about: "strict: hooks refuse the commit or push when git-coord cannot be found",
    },
    Key {
        key: "coord.hooksNotesRewriteRef",
        scope: Scope::Repository,
        default: None,
        about: "set by hooks install to restore notes.rewriteRef on uninstall; not for editing",
    },
    Key {
        key: "coord.unowned",
        scope: Scope::Repository,
        default: Some("allow"),
        about: "what check does with paths nobody owns: allow, warn or deny",
    },
    Key {
        key: "coord.capacity",
        scope: Scope::Repository,
        default: Some("2"),
        about: "how many open tasks an agent may hold before dispatch gives it no more",
    },
    Key {
        key: "coord.autoDispatch",
        scope: Scope::Repository,
        default: Some("false"),
        about: "true: done dispatches the tasks it unblocked, as done --dispatch does",
    },
];

/// A setting's effective value and where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    pub key: &'static str,
    /// Where the setting is meant to live.
    pub scope: Scope,
    /// The value in effect (`None`: unset and without default).
    pub value: Option<String>,
    pub default: Option<&'static str>,
    /// `default`, or the scope it was set in (`worktree`, `repository`, `global`, `system`,
    /// `environment`, `command line`).
    pub origin: String,
    /// The config file that set it, if any.
    pub file: Option<String>,
    pub about: &'static str,
}

/// The project policy keys (`.coord/config.toml` at `HEAD`).
pub const PROJECT_KEYS: &[Key] = &[
    Key {
        key: "coordinators",
        scope: Scope::Project,
        default: None,
        about: "the agents whose --force is honoured (unset: anyone's, with a warning)",
    },
    Key {
        key: "slo.blockers",
        scope: Scope::Project,
        default: Some("2h"),
        about: "how long a task may stay blocked: past it `status`, `report` and `standup` turn YELLOW and `metrics` lists a breach",
    },
    Key {
        key: "slo.decisions",
        scope: Scope::Project,
        default: Some("24h"),
        about: "how long an ADR may stay proposed: past it the day turns YELLOW and `metrics` lists a breach",
    },
    Key {
        key: "slo.conflicts",
        scope: Scope::Project,
        default: Some("4h"),
        about: "how long a conflict may stay open: past it the day turns YELLOW and `metrics` lists a breach",
    },
    Key {
        key: "slo.messages",
        scope: Scope::Project,
        default: Some("4h"),
        about: "a message that needs a reply should get one within this (metrics)",
    },
];

/// The effective value of every key in [`KEYS`] and [`PROJECT_KEYS`]. A policy file that does
/// not parse shows its error as the value's origin rather than failing the listing.
pub fn effective(store: &Store) -> Vec<Setting> {
    let mut settings = git_settings(store);
    let coordinators = &PROJECT_KEYS[0];
    let (value, origin) = match super::authority::coordinators(store) {
        Ok(super::authority::Coordinators::Listed(names)) => (
            Some(
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            "HEAD".to_owned(),
        ),
        Ok(super::authority::Coordinators::Unset) => (None, "default".to_owned()),
        Err(e) => (None, format!("unreadable: {e}")),
    };
    settings.push(Setting {
        key: coordinators.key,
        scope: coordinators.scope,
        file: (origin != "default").then(|| super::authority::CONFIG_PATH.to_owned()),
        value,
        default: coordinators.default,
        origin,
        about: coordinators.about,
    });
    settings.extend(slo_settings(store));
    settings
}

/// The `[slo]` table of `.coord/config.toml` (see [`super::metrics::slos`]), one setting per
/// key of [`PROJECT_KEYS`] named `slo.*`.
fn slo_settings(store: &Store) -> Vec<Setting> {
    let text = store
        .policy_file(super::authority::CONFIG_PATH)
        .ok()
        .flatten();
    let table = text
        .as_deref()
        .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok());
    PROJECT_KEYS
        .iter()
        .filter_map(|k| k.key.strip_prefix("slo.").map(|name| (k, name)))
        .map(|(k, name)| {
            let set = table
                .as_ref()
                .and_then(|d| d.get("slo"))
                .and_then(|t| t.get(name))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            Setting {
                key: k.key,
                scope: k.scope,
                origin: if set.is_some() { "HEAD" } else { "default" }.to_owned(),
                file: set
                    .is_some()
                    .then(|| super::authority::CONFIG_PATH.to_owned()),
                value: set.or_else(|| k.default.map(str::to_owned)),
                default: k.default,
                about: k.about,
            }
        })
        .collect()
}

fn git_settings(store: &Store) -> Vec<Setting> {
    KEYS.iter()
        .map(|k| match store.config_origin(k.key) {
            Some(o) => Setting {
                key: k.key,
                scope: k.scope,
                value: Some(o.value),
                default: k.default,
                origin: o.scope.to_owned(),
                file: o.file.map(|p| p.display().to_string()),
                about: k.about,
            },
            None => Setting {
                key: k.key,
                scope: k.scope,
                value: k.default.map(str::to_owned),
                default: k.default,
                origin: "default".to_owned(),
                file: None,
                about: k.about,
            },
        })
        .collect()
}

/// The key of the default estimate (read here, where every setting is described, so the
/// task index can read it without depending on the plan).
pub const DEFAULT_ESTIMATE_KEY: &str = "coord.defaultEstimate";

/// The estimate, in hours, of open tasks that have none: `coord.defaultEstimate` (such as
/// `2h`), else [`crate::graph::DEFAULT_ESTIMATE_HOURS`]. A value that is not a duration is ignored here;
/// [`default_estimate_setting`] says what is wrong with it.
pub fn default_estimate(store: &Store) -> f64 {
    default_estimate_setting(store).unwrap_or(crate::graph::DEFAULT_ESTIMATE_HOURS)
}

/// Like [`default_estimate`], but a malformed `coord.defaultEstimate` is an error whose message
/// names the key, the value and the fix.
pub fn default_estimate_setting(store: &Store) -> Result<f64, String> {
    match store.config_string(DEFAULT_ESTIMATE_KEY) {
        None => Ok(crate::graph::DEFAULT_ESTIMATE_HOURS),
        Some(value) => crate::model::time::parse_estimate(&value).map_err(|e| {
            format!(
                "git config {DEFAULT_ESTIMATE_KEY}: {e}; fix it with `git config {DEFAULT_ESTIMATE_KEY} 2h`"
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::KEYS;
    use crate::model::time::{parse_estimate, parse_wall_duration};

    fn default_of(key: &str) -> &'static str {
        KEYS.iter()
            .find(|k| k.key == key)
            .and_then(|k| k.default)
            .unwrap_or_else(|| panic!("{key} has no listed default"))
    }

    /// The listed defaults are the ones the code uses, so the list cannot drift.
    #[test]
    fn listed_defaults_are_the_defaults_in_force() {
        assert_eq!(
            parse_wall_duration(default_of("coord.staleAfter")),
            Ok(crate::ops::agent::DEFAULT_STALE_AFTER_SECS)
        );
        assert_eq!(
            parse_wall_duration(default_of("coord.replyWithin")),
            Ok(crate::ops::memory::DEFAULT_REPLY_WITHIN_SECS)
        );
        assert_eq!(
            parse_estimate(default_of("coord.defaultEstimate")),
            Ok(crate::graph::DEFAULT_ESTIMATE_HOURS)
        );
        assert_eq!(
            crate::ownership::check::Unowned::parse(default_of("coord.unowned")),
            Some(crate::ownership::check::Unowned::default())
        );
        assert_eq!(default_of("coord.branch"), crate::store::DEFAULT_BRANCH);
        assert_eq!(
            parse_wall_duration(default_of("coord.staleLock")),
            Ok(crate::store::STALE_LOCK.as_secs() as i64)
        );
        assert_eq!(
            parse_wall_duration(default_of("coord.lockTimeout")),
            Ok(crate::store::LOCK_TIMEOUT.as_secs() as i64)
        );
    }

    /// Every setting is in the README's configuration table, so the table stays the whole
    /// truth (a key added to the code without a row there fails here).
    #[test]
    fn every_key_is_in_the_readme_table() {
        let readme = include_str!("../../README.md");
        for k in KEYS.iter().chain(super::PROJECT_KEYS) {
            assert!(
                readme.contains(&format!("| `{}` |", k.key)),
                "README.md's configuration table has no row for `{}`",
                k.key
            );
        }
    }

    /// The `slo.*` keys are the `[slo]` keys metrics reads, with the same defaults.
    #[test]
    fn slo_keys_are_the_ones_metrics_reads() {
        let listed: Vec<(&str, &str)> = super::PROJECT_KEYS
            .iter()
            .filter_map(|k| Some((k.key.strip_prefix("slo.")?, k.default?)))
            .collect();
        assert_eq!(listed, crate::ops::metrics::SLO_KEYS);
    }

    #[test]
    fn every_key_is_listed_once() {
        let mut keys: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), KEYS.len());
    }

    /// A `"coord.<key>"` git config key read anywhere in the source must be listed, so
    /// `config --list` and the README table stay the whole truth.
    #[test]
    fn every_key_the_source_reads_is_listed() {
        fn visit(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    visit(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for (i, _) in text.match_indices("\"coord.") {
                        let rest = &text[i + 7..];
                        let end = rest
                            .find(|c: char| !c.is_ascii_alphanumeric())
                            .unwrap_or(rest.len());
                        if rest[end..].starts_with('"') && end > 0 {
                            out.push((
                                path.display().to_string(),
                                format!("coord.{}", &rest[..end]),
                            ));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.iter().any(|(_, k)| k == "coord.agent"),
            "the scan finds keys"
        );
        for (file, key) in found {
            assert!(
                KEYS.iter().any(|k| k.key == key),
                "{file} reads {key}, which ops::config::KEYS does not list"
            );
        }
    }
}
