//! What every benchmark shares: processes isolated from the user's git config and the
//! environment, and timing that fails loudly when a measured process fails.

#![allow(dead_code)] // each bench uses its own subset

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The agent every benchmark acts as.
pub const AGENT: &str = "bench";
pub const EMAIL: &str = "bench@coord.invalid";

/// Environment variables that would point git or git-coord elsewhere than the bench repository,
/// or change who acts and when.
pub const SCRUBBED_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CEILING_DIRECTORIES",
    "COORD_AGENT",
    "GIT_COORD_NOW",
];

/// A command in `dir` with the user's git config and the variables above kept out.
pub fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for var in SCRUBBED_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd`, panicking unless it succeeded.
pub fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("spawn a benchmark process");
    assert_success(cmd, &output);
    output
}

/// Runs `cmd` and returns how long it took, panicking unless it succeeded.
pub fn timed(cmd: &mut Command) -> Duration {
    let started = Instant::now();
    let output = cmd.output().expect("spawn a benchmark process");
    let elapsed = started.elapsed();
    assert_success(cmd, &output);
    elapsed
}

pub fn assert_success(cmd: &Command, output: &Output) {
    assert!(
        output.status.success(),
        "{cmd:?} failed with {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}
