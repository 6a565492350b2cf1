/*!
Ownership operations: `own` (claim files, refusing what another agent holds exclusively),
`disown`, and `owners` (who holds a path, by which claim, since and until when), and the
ownership checks (`check --staged`, a commit range, agents' branches).

One file per job, re-exported here: `claims` (the claim set of a commit, cached), `collision`
(one path, one exclusive holder, on every road to a claim), `own` (`own`, `disown`), `owners`,
`policy` (baseline ownership, coordinators, `coord.unowned`, read from the default branch) and
`check`.
*/

mod check;
mod claims;
mod collision;
mod own;
mod owners;
mod policy;

pub use check::{check_branches, check_paths, check_range, check_staged};
pub use claims::claim_set;
pub use collision::{
    Collision, collision_conflicts, exclusive_collisions, exclusive_collisions_except, register,
};
pub use own::{BaselineOverlap, OwnRequest, Owned, disown, own};
pub use owners::{BaselineOwner, PathOwners, owners};
pub use policy::{baseline, baseline_at, unowned_policy};
