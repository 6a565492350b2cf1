/*!
`init`: creates the coordination branch with a README that says what it is, or, in a clone
whose remote already has one, creates the local branch from the remote's (adopt, never fork:
a second root could never be pushed or merged).
*/

use super::notes::NOTES_REF;
use super::sync::SyncError;
use super::{Actor, OpError};
use crate::model::{Agent, layout};
use crate::store::{self, Author, Edit, Store};

const BRANCH_README: &str = include_str!("../../templates/branch-readme.md");

/// What `init` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Initialised {
    /// A new root commit.
    Created,
    /// The local branch now points where the remote's does (`origin/coord`).
    Adopted { from: String },
    /// The local branch existed: nothing was written.
    Existed,
}

/// Why `init` (plain or `--remote`) wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Op(#[from] OpError),
    /// `--remote` names no configured remote.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The remote has the branch, but this clone has not fetched it: a new root here could
    /// never be pushed or merged.
    #[error(
        "{remote} has a coordination branch {branch}, not fetched here: a new one would be a second, unrelated root that could never be pushed"
    )]
    NotFetched { remote: String, branch: String },
}

impl From<store::Error> for InitError {
    fn from(e: store::Error) -> InitError {
        InitError::Op(OpError::Store(e))
    }
}

/// Like [`init`], but first adopts the remote's branch when there is no local one
/// (`refs/remotes/<upstream or origin>/<branch>`), so a clone never starts a second root.
/// When that remote-tracking reference is missing but the remote has the branch (a clone
/// that has not fetched it), refuses: the caller says to sync, which fetches and adopts.
pub fn init_or_adopt(
    store: &Store,
    author: &Author,
    actor: Option<&Actor>,
) -> Result<Initialised, InitError> {
    if let Some(from) = store.adopt(author)? {
        return Ok(Initialised::Adopted { from });
    }
    if store.tip()?.is_none() {
        let remote = store.default_remote();
        // Asked only before a root would be made, and only of a configured remote; one that
        // cannot be reached (offline) cannot be known to have it, and the root is made as
        // before: `sync` later refuses unrelated histories and says how to keep one.
        if store.has_remote(&remote) && store.remote_has_branch(&remote).unwrap_or(false) {
            return Err(InitError::NotFetched {
                remote,
                branch: store.branch_short().to_owned(),
            });
        }
    }
    Ok(if init(store, author, actor)? {
        Initialised::Created
    } else {
        Initialised::Existed
    })
}

/// What `init --remote <remote>` did besides [`Initialised`].
#[derive(Clone, Debug)]
pub struct FromRemote {
    pub done: Initialised,
    pub remote: String,
    /// Fetch refspecs added to the remote's config (as `sync --configure-remote`).
    pub configured: Vec<String>,
    /// Whether `branch.<branch>.remote` was set to the remote (it was another one).
    pub upstream_set: bool,
}

/// `init --remote <remote>`: fetch the remote's branch and notes, adopt its branch (or make
/// the root when it has none yet), make it the branch's upstream, and add the fetch refspecs
/// so a plain `git fetch` keeps them current. An unknown remote writes nothing.
pub fn init_from_remote(
    store: &Store,
    author: &Author,
    actor: Option<&Actor>,
    remote: &str,
) -> Result<FromRemote, InitError> {
    let remote = super::sync::resolve_remote(store, Some(remote))?;
    let fetched = store.fetch_coord(&remote, NOTES_REF)?;
    let done = if let Some(from) = store.adopt_from(&remote, author)? {
        Initialised::Adopted { from }
    } else if fetched.branch.is_some() || store.local_tip()?.is_some() {
        // The local branch exists (maybe made by a racing process just now): `sync` joins it
        // with the remote's.
        Initialised::Existed
    } else if init(store, author, actor)? {
        Initialised::Created
    } else {
        Initialised::Existed
    };
    let upstream_set = store.set_upstream_remote(&remote)?;
    let configured = store.configure_remote_fetch(&remote, NOTES_REF)?;
    Ok(FromRemote {
        done,
        remote,
        configured,
        upstream_set,
    })
}

/// Creates the branch in one root commit, registering `actor` when there is one. Returns
/// `false`, writing nothing, when the branch already existed.
pub fn init(store: &Store, author: &Author, actor: Option<&Actor>) -> Result<bool, OpError> {
    let branch = store.branch_short();
    let mut edits = vec![Edit::write(
        layout::README,
        BRANCH_README.replace("{{branch}}", branch),
    )];
    // A branch name may hold bidi marks (git allows them); the message shows them escaped.
    let shown = crate::model::text::escape_unsafe(branch);
    let mut message = format!("coord: init {shown}\n\nCreate the coordination branch\n\n");
    if let Some(actor) = actor {
        let agent = Agent::new(actor.agent.clone(), actor.now);
        edits.push(Edit::write(
            layout::agent_path(&actor.agent),
            agent.to_text(),
        ));
        message.push_str(&format!("Coord-Agent: {}\n", actor.agent));
    }
    message.push_str(&format!("Coord-Op: init\nCoord-Record: {shown}\n"));
    Ok(store.create_branch(author, &message, &edits)?)
}

/// The agent protocol (`templates/AGENTS.md`): the loop every agent follows. `init
/// --agents-md` puts it into the project's AGENTS.md/CLAUDE.md and every brief includes it.
pub const AGENTS_MD: &str = include_str!("../../templates/AGENTS.md");

/// The lines around the protocol in a project's file: what is between them is ours, and is
/// replaced when it changes; everything else in the file is the project's and never touched.
pub const PROTOCOL_BEGIN: &str = "<!-- git-coord protocol: begin (written by `git coord init --agents-md`; edits here are replaced) -->";
pub const PROTOCOL_END: &str = "<!-- git-coord protocol: end -->";

/// The files an agent reads its instructions from, in the order they are looked for.
pub const PROTOCOL_FILES: [&str; 2] = ["AGENTS.md", "CLAUDE.md"];

/// What `init --agents-md` does (or would do) to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolAction {
    /// The file did not exist.
    Created,
    /// The file existed without the protocol: the section was added at its end.
    Appended,
    /// The file had an older protocol section: it was replaced.
    Updated,
    /// The file has the current protocol already.
    Unchanged,
}

/// One file's new text, planned before anything is written.
#[derive(Clone, Debug)]
pub struct ProtocolFile {
    /// The file name, relative to the worktree root.
    pub name: &'static str,
    pub action: ProtocolAction,
    pub text: String,
}

/// Why the protocol cannot be written; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("there is no working tree to write {0} into (a bare repository)")]
    NoWorktree(&'static str),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error(
        "{path} has a git-coord protocol section that is not closed (`{PROTOCOL_BEGIN}` without `{PROTOCOL_END}`)"
    )]
    Unclosed { path: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

/// `existing` with the current protocol section in it: added at the end, or put in place of
/// the old section; `None` for a new file. Pure, so every case is a unit test.
/// `None` when the file has a begin marker and no end marker.
pub fn with_protocol(existing: Option<&str>) -> Option<(ProtocolAction, String)> {
    let section = format!("{PROTOCOL_BEGIN}\n{}{PROTOCOL_END}\n", AGENTS_MD);
    let Some(text) = existing else {
        return Some((ProtocolAction::Created, section));
    };
    if let Some(begin) = text.find(PROTOCOL_BEGIN) {
        let after = &text[begin..];
        let end = after.find(PROTOCOL_END)? + begin + PROTOCOL_END.len();
        // The end marker's own line break belongs to the section.
        let end = if text[end..].starts_with("\r\n") {
            end + 2
        } else if text[end..].starts_with('\n') {
            end + 1
        } else {
            end
        };
        let new = format!("{}{section}{}", &text[..begin], &text[end..]);
        let action = if new == text {
            ProtocolAction::Unchanged
        } else {
            ProtocolAction::Updated
        };
        return Some((action, new));
    }
    // Appended after a blank line, so it never joins the file's last paragraph.
    let sep = match text {
        "" => "",
        t if t.ends_with("\n\n") => "",
        t if t.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    Some((ProtocolAction::Appended, format!("{text}{sep}{section}")))
}

/// Plans the protocol into each of AGENTS.md and CLAUDE.md that exists at the root of
/// `worktree`, or into a new AGENTS.md when neither does. Reads only.
pub fn plan_protocol(
    worktree: Option<&std::path::Path>,
) -> Result<Vec<ProtocolFile>, ProtocolError> {
    let root = worktree.ok_or(ProtocolError::NoWorktree(PROTOCOL_FILES[0]))?;
    let mut planned = Vec::new();
    for name in PROTOCOL_FILES {
        let path = root.join(name);
        let existing = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| ProtocolError::Read {
                path: name.to_owned(),
                message: "it is not UTF-8 text".to_owned(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(ProtocolError::Read {
                    path: name.to_owned(),
                    message: e.to_string(),
                });
            }
        };
        let (action, text) =
            with_protocol(Some(&existing)).ok_or_else(|| ProtocolError::Unclosed {
                path: name.to_owned(),
            })?;
        planned.push(ProtocolFile { name, action, text });
    }
    if planned.is_empty() {
        let (action, text) = with_protocol(None).ok_or_else(|| ProtocolError::Unclosed {
            path: PROTOCOL_FILES[0].to_owned(),
        })?;
        planned.push(ProtocolFile {
            name: PROTOCOL_FILES[0],
            action,
            text,
        });
    }
    Ok(planned)
}

/// Writes what [`plan_protocol`] planned (files already current are left alone).
pub fn write_protocol(
    worktree: &std::path::Path,
    planned: &[ProtocolFile],
) -> Result<(), ProtocolError> {
    for file in planned
        .iter()
        .filter(|f| f.action != ProtocolAction::Unchanged)
    {
        std::fs::write(worktree.join(file.name), &file.text).map_err(|e| ProtocolError::Write {
            path: file.name.to_owned(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> String {
        format!("{PROTOCOL_BEGIN}\n{AGENTS_MD}{PROTOCOL_END}\n")
    }

    #[test]
    fn the_section_goes_after_a_blank_line_and_replaces_only_itself() {
        assert_eq!(
            with_protocol(None),
            Some((ProtocolAction::Created, section()))
        );
        assert_eq!(
            with_protocol(Some("")),
            Some((ProtocolAction::Appended, section()))
        );
        assert_eq!(
            with_protocol(Some("a\n\n")).map(|(_, t)| t),
            Some(format!("a\n\n{}", section()))
        );
        // A CRLF file: the old section's own line break goes with it, the rest is untouched.
        let old = format!("x\r\n{PROTOCOL_BEGIN}\r\nold\r\n{PROTOCOL_END}\r\ny\r\n");
        assert_eq!(
            with_protocol(Some(&old)),
            Some((ProtocolAction::Updated, format!("x\r\n{}y\r\n", section())))
        );
        let current = format!("x\n{}", section());
        assert_eq!(
            with_protocol(Some(&current)),
            Some((ProtocolAction::Unchanged, current.clone()))
        );
        assert_eq!(
            with_protocol(Some(&format!("{PROTOCOL_BEGIN}\nhalf"))),
            None
        );
    }
}
