/*!
`init`: creates the coordination branch with a README that says what it is, or, in a clone
whose remote already has one, creates the local branch from the remote's (adopt, never fork:
a second root could never be pushed or merged).
*/

use super::{Actor, OpError};
use crate::model::{Agent, layout};
use crate::store::{Author, Edit, Store};

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

/// Like [`init`], but first adopts the remote's branch when there is no local one
/// (`refs/remotes/<upstream or origin>/<branch>`), so a clone never starts a second root.
pub fn init_or_adopt(
    store: &Store,
    author: &Author,
    actor: Option<&Actor>,
) -> Result<Initialised, OpError> {
    if let Some(from) = store.adopt(author)? {
        return Ok(Initialised::Adopted { from });
    }
    Ok(if init(store, author, actor)? {
        Initialised::Created
    } else {
        Initialised::Existed
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
