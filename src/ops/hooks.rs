/*!
`hooks install|uninstall`: git hooks that run `git coord check` before commits. Our lines live
between `## START git-coord` and `## END git-coord` markers, so a hook the project already had
keeps its own content and still runs, and uninstalling removes exactly what we added.
*/

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::OpError;
use crate::store::Store;

const START: &str =
    "## START git-coord (managed by `git coord hooks install`; edit outside these lines)";
const END: &str = "## END git-coord";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookMode {
    /// Print violations, never stop the commit.
    Warn,
    /// Stop the commit when the check finds a violation (exit 1); any other failure of
    /// git-coord itself never blocks.
    Block,
}

/// The hooks we manage and the block each gets.
fn block(hook: &str, mode: HookMode) -> String {
    let run = match (hook, mode) {
        ("pre-commit", HookMode::Block) => {
            "  git-coord check --staged\n  rc=$?\n  if [ \"$rc\" -eq 1 ]; then exit 1; fi\n"
        }
        ("pre-commit", HookMode::Warn) => "  git-coord check --staged || true\n",
        ("pre-push", HookMode::Block) => {
            "  coord_in=$(mktemp) && cat > \"$coord_in\"\n  git-coord hook pre-push \"$@\" < \"$coord_in\"\n  rc=$?\n  # The rest of this hook reads the same ref updates.\n  exec < \"$coord_in\"; rm -f \"$coord_in\"\n  if [ \"$rc\" -eq 1 ]; then exit 1; fi\n"
        }
        ("pre-push", HookMode::Warn) => {
            "  coord_in=$(mktemp) && cat > \"$coord_in\"\n  git-coord hook pre-push \"$@\" < \"$coord_in\" || true\n  exec < \"$coord_in\"; rm -f \"$coord_in\"\n"
        }
        ("commit-msg", _) => "  git-coord hook commit-msg \"$1\" || true\n",
        ("post-commit", _) => "  git-coord hook post-commit || true\n",
        _ => "",
    };
    format!("{START}\nif command -v git-coord >/dev/null 2>&1; then\n{run}fi\n{END}\n")
}

pub const HOOKS: [&str; 4] = ["pre-commit", "commit-msg", "post-commit", "pre-push"];

#[derive(Clone, Debug, Serialize)]
pub struct Installed {
    pub dir: PathBuf,
    pub hooks: Vec<String>,
    /// Hooks that existed already and keep their own content.
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

pub fn install(store: &Store, mode: HookMode) -> Result<Installed, OpError> {
    let dir = store.hooks_dir();
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let mut chained = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let existing = std::fs::read_to_string(&path).ok();
        let ours = block(hook, mode);
        let text = match existing {
            None => format!("#!/bin/sh\n{ours}"),
            Some(old) => {
                let rest = without_block(&old);
                if rest
                    .lines()
                    .any(|l| !l.trim().is_empty() && !l.starts_with("#!"))
                {
                    chained.push(hook.to_owned());
                }
                // Our block goes right after the shebang; the project's own lines follow
                // and still run.
                match rest.split_once('\n') {
                    Some((first, tail)) if first.starts_with("#!") => {
                        format!("{first}\n{ours}{tail}")
                    }
                    _ => format!("#!/bin/sh\n{ours}{rest}"),
                }
            }
        };
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        make_executable(&path)?;
    }
    store.set_config("notes.rewriteRef", "refs/notes/coord")?;
    Ok(Installed {
        dir,
        hooks: HOOKS.iter().map(|h| h.to_string()).collect(),
        chained,
        mode,
    })
}

/// Removes our blocks; a hook left with nothing but a shebang is deleted.
pub fn uninstall(store: &Store) -> Result<Vec<String>, OpError> {
    let dir = store.hooks_dir();
    let mut removed = Vec::new();
    for hook in HOOKS {
        let path = dir.join(hook);
        let Ok(old) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !old.contains("## START git-coord") {
            continue;
        }
        let rest = without_block(&old);
        if rest
            .lines()
            .all(|l| l.trim().is_empty() || l.starts_with("#!"))
        {
            std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
        } else {
            std::fs::write(&path, rest).map_err(|e| io(&path, e))?;
        }
        removed.push(hook.to_owned());
    }
    Ok(removed)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), OpError> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(path)
        .map_err(|e| io(path, e))?
        .permissions();
    perms.set_mode(perms.mode() | 0o755);
    std::fs::set_permissions(path, perms).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), OpError> {
    Ok(())
}
