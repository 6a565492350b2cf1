/*!
Commit notes (`refs/notes/coord`): adding the post-commit note through `git notes` (which
locks the notes ref like git does), and finding the commits that served a task.
*/

use super::git::At;
use super::{Result, Store};

impl Store {
    /// Adds (or replaces) the note on `HEAD` in `notes_ref`.
    ///
    /// Writes through the system `git notes`, which takes git's own lock on the notes ref; the
    /// post-commit hook calls this once per commit.
    pub fn note_head(&self, notes_ref: &str, text: &str) -> Result<()> {
        // git gives up at once on a held ref lock; one left by a killed process (or dated in
        // the future) would lose every note from then on.
        self.reap_stale_ref_lock(notes_ref);
        self.git_write(
            At::Repo,
            &[
                "notes",
                "--ref",
                notes_ref,
                "add",
                "-f",
                "-m",
                text.trim_end(),
                "HEAD",
            ],
        )
    }

    /// Commits reachable from any branch whose `Coord-Task` trailer or `notes_ref` note names
    /// `task`, newest first, as (commit, author, subject).
    ///
    /// Reads through `git log`, which walks history and notes together in one pass.
    pub fn commits_for_task(
        &self,
        notes_ref: &str,
        task: &str,
    ) -> Result<Vec<(String, String, String)>> {
        let notes = format!("--notes={notes_ref}");
        let Ok(text) = self.git_read(&[
            "log",
            "--branches",
            &notes,
            "--format=%H%x1f%an%x1f%s%x1f%(trailers:key=Coord-Task,valueonly,separator=%x20)%x1f%N%x1e",
        ]) else {
            // No commits yet: nothing served the task.
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for record in text.split('\x1e') {
            let fields: Vec<&str> = record.trim_start_matches('\n').split('\x1f').collect();
            if fields.len() < 5 {
                continue;
            }
            let in_trailer = fields[3].split_whitespace().any(|t| t == task);
            let in_note = fields[4]
                .lines()
                .any(|l| l.trim() == format!("task: {task}"));
            if in_trailer || in_note {
                found.push((
                    fields[0].to_owned(),
                    fields[1].to_owned(),
                    fields[2].to_owned(),
                ));
            }
        }
        Ok(found)
    }
}
