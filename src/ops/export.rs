/*!
`export`: every task on the branch, in ID order, for `export --json` and for moving tasks to
another repository with `import --from json`.
*/

use super::{OpError, index};
use crate::model::{RecordError, Task};
use crate::store::Store;

/// Every task on the branch tip sorted by ID, and the records that could not be read (which
/// the caller reports and skips).
pub fn tasks(store: &Store) -> Result<(Vec<Task>, Vec<RecordError>), OpError> {
    let snap = store.snapshot()?;
    let (mut tasks, problems) = index::load(store, &snap)?;
    tasks.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Ok((tasks, problems))
}
