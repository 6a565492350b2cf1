/*!
`hooks install|uninstall`: git hooks that run `git coord check` before commits and pushes.

Each hook we install is a small sh script that is entirely ours. A hook the project already had
is never edited (splicing sh lines into a python or node hook breaks it): it is moved, as it is,
to `coord-chained/<hook>` beside ours, and our script runs it after our own step with the same
arguments and the same standard input (pre-push's ref list is kept in a temporary file so both
can read it), whatever its interpreter, and exits with its status. This is what husky and
git-branchless do. Uninstalling moves it back, so the project's hook returns byte for byte,
with its mode.

When `git-coord` cannot be found (not on PATH, and not at the path of the binary that installed
the hook) the checking hooks say so on stderr instead of passing silently, and refuse the
commit or push under `git config coord.hooks strict`.
*/

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::OpError;
use crate::store::Store;

const START: &str = "## START git-coord (managed by `git coord hooks install`; `git coord hooks uninstall` removes it)";
const END: &str = "## END git-coord";
/// Where a project's own hooks go while ours are installed, relative to the hooks directory.
pub const CHAINED_DIR: &str = "coord-chained";
/// The value `hooks install` adds to `notes.rewriteRef`.
const NOTES_REF: &str = "refs/notes/coord";
/// Remembers what install did to `notes.rewriteRef` (`added`, or `present` when the user had
/// set it already), so uninstall restores exactly the previous state.
const REWRITE_MARK: &str = "coord.hooksNotesRewriteRef";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookMode {
    /// Print violations, never stop the commit.
    Warn,
    /// Stop the commit when the check finds a violation (exit 1). Any other failure of
    /// git-coord itself means nothing was checked: the hook says so loudly, and blocks under
    /// `git config coord.hooks strict`.
    Block,
}

pub const HOOKS: [&str; 4] = ["pre-commit", "commit-msg", "post-commit", "pre-push"];

/// Quotes `s` for sh: single quotes, with each `'` closed, escaped and reopened.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What our hook runs when git-coord is found (`$coord_bin`), per hook and mode.
fn run_step(hook: &str, mode: HookMode) -> &'static str {
    match (hook, mode) {
        ("pre-commit", HookMode::Block) => concat!(
            "  \"$coord_bin\" check --staged\n  coord_status=$?\n",
            "  if [ \"$coord_status\" -eq 1 ]; then exit 1; fi\n",
            "  if [ \"$coord_status\" -ne 0 ]; then\n",
            "    echo \"git coord: WARNING: the ownership check failed to run (exit $coord_status, see above): this commit was NOT checked\" >&2\n",
            "    if [ \"$(git config --get coord.hooks)\" = strict ]; then\n",
            "      echo \"git coord: coord.hooks = strict: refusing the commit (fix the error above, or \\`git config --unset coord.hooks\\` to only warn)\" >&2\n",
            "      exit 1\n    fi\n  fi\n",
        ),
        ("pre-commit", HookMode::Warn) => "  \"$coord_bin\" check --staged || true\n",
        // Exit 1 is a violation; any other failure means the push was not checked at all,
        // which must never pass silently: a loud warning, and a refusal under strict.
        ("pre-push", HookMode::Block) => concat!(
            "  \"$coord_bin\" hook pre-push \"$@\" < \"$coord_in\"\n  coord_status=$?\n",
            "  if [ \"$coord_status\" -eq 1 ]; then rm -f \"$coord_in\"; exit 1; fi\n",
            "  if [ \"$coord_status\" -ne 0 ]; then\n",
            "    echo \"git coord: WARNING: the ownership check failed to run (exit $coord_status, see above): this push was NOT checked\" >&2\n",
            "    if [ \"$(git config --get coord.hooks)\" = strict ]; then\n",
            "      echo \"git coord: coord.hooks = strict: refusing the push (fix the error above, or \\`git config --unset coord.hooks\\` to only warn)\" >&2\n",
            "      rm -f \"$coord_in\"; exit 1\n    fi\n  fi\n",
        ),
        ("pre-push", HookMode::Warn) => {
            "  \"$coord_bin\" hook pre-push \"$@\" < \"$coord_in\" || true\n"
        }
        ("commit-msg", _) => "  \"$coord_bin\" hook commit-msg \"$1\" || true\n",
        ("post-commit", _) => "  \"$coord_bin\" hook post-commit || true\n",
        _ => "",
    }
}

/// What our hook does when git-coord is nowhere to be found. The checking hooks say so (a
/// missing binary must never look like a passed check) and refuse under `coord.hooks=strict`;
/// commit-msg refuses under strict too (the commit would carry no attribution); post-commit
/// runs after the fact and cannot refuse anything.
fn missing_step(hook: &str) -> String {
    let what = match hook {
        "pre-commit" => "commit",
        "pre-push" => "push",
        "commit-msg" => "commit",
        _ => return "  :\n".to_owned(),
    };
    let warn = if hook == "commit-msg" {
        String::new()
    } else {
        format!(
            "  echo \"git coord: warning: git-coord was not found (not on PATH${{coord_fallback:+, nor at $coord_fallback}}): this {hook} hook did NOT check file ownership\" >&2\n  echo \"git coord: put git-coord on PATH (or run \\`git coord hooks install\\` again) so the check runs\" >&2\n"
        )
    };
    let cleanup = if hook == "pre-push" {
        "    rm -f \"$coord_in\"\n"
    } else {
        ""
    };
    format!(
        "{warn}  if [ \"$(git config --get coord.hooks)\" = strict ]; then\n    echo \"git coord: git-coord was not found and coord.hooks = strict: refusing the {what} (\\`git config --unset coord.hooks\\` to only warn)\" >&2\n{cleanup}    exit 1\n  fi\n"
    )
}

/// The whole text of our hook. Everything is between the markers, so a hook file holding
/// nothing else outside them is recognisably ours.
fn script(hook: &str, mode: HookMode, fallback: Option<&str>) -> String {
    let fallback = fallback.map(sh_quote).unwrap_or_else(|| "''".to_owned());
    let stdin = if hook == "pre-push" {
        // git passes the ref updates on stdin; ours and the chained hook both read them.
        "coord_in=$(mktemp \"${TMPDIR:-/tmp}/git-coord-pre-push.XXXXXX\") || exit 1\ncat > \"$coord_in\"\n"
    } else {
        ""
    };
    let chain = if hook == "pre-push" {
        "exec < \"$coord_in\"\nrm -f \"$coord_in\"\n"
    } else {
        ""
    };
    format!(
        "#!/bin/sh\n{START}\n\
# The project's own {hook} hook, if it had one, is {CHAINED_DIR}/{hook}: it runs after this\n\
# step with the same arguments and input, and its exit status is the hook's.\n\
coord_fallback={fallback}\n\
coord_bin=\n\
if command -v git-coord >/dev/null 2>&1; then\n  coord_bin=git-coord\n\
elif [ -n \"$coord_fallback\" ] && [ -x \"$coord_fallback\" ]; then\n  coord_bin=$coord_fallback\n\
fi\n\
{stdin}\
if [ -n \"$coord_bin\" ]; then\n{run}else\n{missing}fi\n\
{chain}\
coord_chained=\"$(dirname \"$0\")/{CHAINED_DIR}/{hook}\"\n\
if [ -x \"$coord_chained\" ]; then\n  exec \"$coord_chained\" \"$@\"\n\
fi\n\
{END}\n",
        run = run_step(hook, mode),
        missing = missing_step(hook),
    )
}

#[derive(Clone, Debug, Serialize)]
pub struct Installed {
    pub dir: PathBuf,
    pub hooks: Vec<String>,
    /// Hooks the project already had: moved to `coord-chained/` and run by ours.
    pub chained: Vec<String>,
    pub mode: HookMode,
}

fn io(path: &Path, e: std::io::Error) -> OpError {
    OpError::Store(crate::store::Error::GitCommand {
        command: format!("write {}", path.display()),
        message: e.to_string(),
    })
}

/// Removes our block from a hook's text.
fn without_block(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("## START git-coord") {
            inside = true;
            continue;
        }
        if inside {
            if line.starts_with(END) {
                inside = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Nothing but a shebang and blank lines.
fn is_empty_script(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.starts_with("#!"))
}

/// What is at a hook's path before install.
enum Existing {
    None,
    /// Our own hook (installed before): rewritten in place.
    Ours,
    /// An older git-coord spliced its block into the project's hook: the project's part is
    /// restored (mode kept) and chained.
    Spliced {
        own: String,
        mode: Option<u32>,
    },
    /// The project's own hook: moved aside untouched and chained.
    Foreign,
}

fn existing(path: &Path) -> Result<Existing, OpError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::None),
        Err(e) => return Err(io(path, e)),
    };
    if meta.is_dir() {
        return Err(OpError::Store(crate::store::Error::GitCommand {
            command: "git coord hooks install".to_owned(),
            message: format!("{} is a directory, not a hook", path.display()),
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let marked = bytes
        .windows(b"## START git-coord".len())
        .any(|w| w == b"## START git-coord");
    let text = match String::from_utf8(bytes) {
        Ok(t) if marked => t,
        _ => return Ok(Existing::Foreign),
    };
    let own = without_block(&text);
    if is_empty_script(&own) {
        Ok(Existing::Ours)
    } else {
        Ok(Existing::Spliced {
            own,
            mode: file_mode(&meta),
        })
    }
}

/// Installs our hooks in the hooks directory (`core.hooksPath` honoured). `fallback` is the
/// path of the running binary, written into each hook for when git-coord is not on PATH.
///
/// Checks every hook before changing any, so a refusal leaves everything as it was.
pub fn install(
    store: &Store,
    mode: HookMode,
    fallback: Option<&Path>,
) -> Result<Installed, OpError> {
    let dir = store.hooks_dir();
    refuse_tracked_dir(store, &dir)?;
    let chained_dir = dir.join(CHAINED_DIR);
    let mut plan = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let state = existing(&path)?;
        let aside = chained_dir.join(hook);
        if matches!(state, Existing::Foreign | Existing::Spliced { .. })
            && std::fs::symlink_metadata(&aside).is_ok()
        {
            return Err(OpError::Store(crate::store::Error::GitCommand {
                command: "git coord hooks install".to_owned(),
                message: format!(
                    "{} would be moved to {}, which already holds a hook; nothing was changed. \
                     Merge the two by hand (or delete the one you no longer want) and run install again",
                    path.display(),
                    aside.display()
                ),
            }));
        }
        plan.push((hook, path, aside, state));
    }

    let fallback = fallback.and_then(|p| p.to_str());
    let mut chained = Vec::new();
    for (hook, path, aside, state) in plan {
        match state {
            Existing::None | Existing::Ours => {}
            Existing::Foreign => {
                std::fs::create_dir_all(&chained_dir).map_err(|e| io(&chained_dir, e))?;
                move_hook(&path, &aside, Depth::Deeper)?;
            }
            Existing::Spliced { own, mode } => {
                std::fs::create_dir_all(&chained_dir).map_err(|e| io(&chained_dir, e))?;
                std::fs::write(&aside, own).map_err(|e| io(&aside, e))?;
                set_mode(&aside, mode.unwrap_or(0o755))?;
            }
        }
        if std::fs::symlink_metadata(&aside).is_ok() {
            chained.push(hook.to_owned());
        }
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        std::fs::write(&path, script(hook, mode, fallback)).map_err(|e| io(&path, e))?;
        set_mode(&path, 0o755)?;
    }

    // notes.rewriteRef can hold several values: add ours beside the user's, once.
    if store.config_string(REWRITE_MARK).is_none() {
        let present = store
            .config_strings("notes.rewriteRef")
            .iter()
            .any(|v| v == NOTES_REF);
        if !present {
            store.git_config(&["--add", "notes.rewriteRef", NOTES_REF])?;
        }
        store.set_config(REWRITE_MARK, if present { "present" } else { "added" })?;
    }
    Ok(Installed {
        dir,
        hooks: HOOKS.iter().map(|h| h.to_string()).collect(),
        chained,
        mode,
    })
}

/// Removes our hooks, moves the project's own hooks back from `coord-chained/`, and undoes
/// what install did to `notes.rewriteRef`. Returns the hooks we removed.
pub fn uninstall(store: &Store) -> Result<Vec<String>, OpError> {
    let dir = store.hooks_dir();
    let chained_dir = dir.join(CHAINED_DIR);
    let mut removed = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let aside = chained_dir.join(hook);
        match existing(&path)? {
            Existing::Ours => {
                std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
                removed.push(hook.to_owned());
            }
            Existing::Spliced { own, .. } => {
                // Installed by an older git-coord: take our lines out, keep the rest.
                std::fs::write(&path, own).map_err(|e| io(&path, e))?;
                removed.push(hook.to_owned());
                continue;
            }
            Existing::None => {}
            // Not ours: someone replaced our hook; theirs stays, and so does the chained one.
            Existing::Foreign => continue,
        }
        if std::fs::symlink_metadata(&aside).is_ok() {
            move_hook(&aside, &path, Depth::Shallower)?;
        }
    }
    // Only removes the directory when it is empty: anything else in it is the user's.
    let _ = std::fs::remove_dir(&chained_dir);

    let mark = store.config_string(REWRITE_MARK);
    // Before the mark existed, install always set the value: an uninstall that removed our
    // hooks takes it back out.
    let ours = match mark.as_deref() {
        Some("present") => false,
        Some(_) => true,
        None => !removed.is_empty(),
    };
    if ours
        && store
            .config_strings("notes.rewriteRef")
            .iter()
            .any(|v| v == NOTES_REF)
    {
        store.git_config(&["--unset-all", "notes.rewriteRef", "^refs/notes/coord$"])?;
    }
    if mark.is_some() {
        store.git_config(&["--unset", REWRITE_MARK])?;
    }
    Ok(removed)
}

/// Which way a hook moves between the hooks directory and `coord-chained/` (one level down).
#[derive(Clone, Copy, PartialEq)]
enum Depth {
    Deeper,
    Shallower,
}

/// Moves a hook as it is: a rename keeps bytes, mode, even a symlink. A symlink with a
/// relative target (`-> ../../scripts/pc`) is resolved from its own directory, so moving it
/// one directory down (or back up) would make it point elsewhere: it is recreated with one
/// `../` more (or less), which still names the same file, and uninstall gives back the
/// original link exactly.
fn move_hook(from: &Path, to: &Path, depth: Depth) -> Result<(), OpError> {
    #[cfg(unix)]
    if let Ok(target) = std::fs::read_link(from)
        && target.is_relative()
    {
        let moved = match depth {
            Depth::Deeper => Some(Path::new("..").join(&target)),
            Depth::Shallower => target.strip_prefix("..").ok().map(Path::to_path_buf),
        };
        if let Some(moved) = moved {
            std::os::unix::fs::symlink(&moved, to).map_err(|e| io(to, e))?;
            return std::fs::remove_file(from).map_err(|e| io(from, e));
        }
    }
    std::fs::rename(from, to).map_err(|e| io(to, e))
}

/// Refuses to install into a hooks directory (`core.hooksPath`) that holds files tracked in
/// this worktree's `HEAD`: writing our hooks there would change (or add to) the project's
/// committed files, for everyone who pulls them.
fn refuse_tracked_dir(store: &Store, dir: &Path) -> Result<(), OpError> {
    let Some(workdir) = store.workdir() else {
        return Ok(());
    };
    let Ok(inside) = resolve(dir)
        .strip_prefix(resolve(workdir))
        .map(Path::to_path_buf)
    else {
        return Ok(());
    };
    let prefix = inside.to_string_lossy().replace('\\', "/");
    let tracked = store.head_paths()?;
    let is_tracked = |p: &String| {
        prefix.is_empty()
            || p.strip_prefix(prefix.as_str())
                .is_some_and(|r| r.starts_with('/'))
    };
    if let Some(file) = tracked.iter().find(|p| is_tracked(p)) {
        return Err(OpError::Invalid(crate::model::task::InvalidField {
            field: "core.hooksPath",
            message: format!(
                "the hooks directory {prefix} is tracked in this repository ({file} is committed): installing would change the project's committed hooks for everyone; nothing was changed. Call `git coord hook <name>` from the project's own hooks instead, or point core.hooksPath at an untracked directory"
            ),
        }));
    }
    Ok(())
}

/// `path` as the file system will resolve it once install creates what is missing: the
/// longest existing ancestor canonicalised (symbolic links followed), the rest normalised
/// lexically. `sub/../.githooks` with no `sub` yet names `.githooks`, since install creates
/// `sub` first; canonicalising only an existing path would miss it.
fn resolve(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // Resolve what exists so far first: `..` of a symbolic link is its target's
                // parent.
                out = std::fs::canonicalize(&out).unwrap_or(out);
                out.pop();
            }
            other => out.push(other),
        }
    }
    std::fs::canonicalize(&out).unwrap_or(out)
}

#[cfg(unix)]
fn file_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn file_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), OpError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), OpError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_script_is_recognised_as_ours_and_quotes_the_fallback() {
        for hook in HOOKS {
            let text = script(hook, HookMode::Block, Some("/opt/it's here/git-coord"));
            assert!(is_empty_script(&without_block(&text)), "{text}");
            assert!(text.contains(r"coord_fallback='/opt/it'\''s here/git-coord'"));
        }
    }
}
