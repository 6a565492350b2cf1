/*!
Running a task's validation command (`check`) for `done`.

The command comes from the coordination branch, so it runs only when an agent or person asks
for it (`done`), is shown before it runs, and runs in the caller's own worktree.
*/

use std::path::Path;
use std::process::{Command, Stdio};

/// The result of running a check.
#[derive(Debug)]
pub struct CheckRun {
    pub command: String,
    pub success: bool,
    /// The exit code, when the command exited (not killed by a signal).
    pub code: Option<i32>,
}

/// Runs `command` with `sh -c` in `dir`. Its output goes to this process's stderr, so that
/// stdout stays clean for `--json`.
pub fn run(command: &str, dir: &Path) -> std::io::Result<CheckRun> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()?;
    Ok(CheckRun {
        command: command.to_owned(),
        success: status.success(),
        code: status.code(),
    })
}

/// A check run whose output was captured rather than passed through.
#[derive(Debug)]
pub struct CapturedRun {
    pub success: bool,
    pub code: Option<i32>,
    /// stdout then stderr, lossily decoded.
    pub output: String,
}

/// Runs `command` like [`run`], capturing its output: for a face whose caller cannot read
/// this process's stderr (the MCP server, where stdout is the protocol).
pub fn run_captured(command: &str, dir: &Path) -> std::io::Result<CapturedRun> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(CapturedRun {
        success: out.status.success(),
        code: out.status.code(),
        output,
    })
}
