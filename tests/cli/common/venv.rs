//! The Python tools some tests drive — the reference MCP client (`mcp` from PyPI), the
//! `pre-commit` framework and PyYAML — live in one virtual environment: `$GIT_COORD_VENV`, else
//! `target/ci-venv`. `.ci/run` makes it. Outside CI a missing one is made here, once per test
//! run, so `cargo test` works on a fresh machine (PyPI reachable); under `CI=true` a missing one
//! fails the test: it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// What the venv must hold (also in `.ci/run`).
pub const PACKAGES: [&str; 3] = ["pre-commit", "pyyaml", "mcp==2.3.0"];

fn venv_dir() -> PathBuf {
    #[allow(clippy::disallowed_methods)] // the test's own environment, not the product's
    std::env::var_os("GIT_COORD_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv"))
}

fn complete(venv: &Path) -> bool {
    venv.join("bin/pre-commit").is_file()
        && Command::new(venv.join("bin/python"))
            .args(["-c", "import yaml, mcp"])
            .status()
            .is_ok_and(|s| s.success())
}

/// A program of the venv (`python`, `pre-commit`), making the venv first when it is missing
/// outside CI.
#[track_caller]
pub fn venv_bin(name: &str) -> PathBuf {
    static MAKE: Mutex<()> = Mutex::new(());
    let venv = venv_dir();
    let _once = MAKE.lock().unwrap_or_else(|e| e.into_inner());
    if !complete(&venv) {
        #[allow(clippy::disallowed_methods)]
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "{} lacks the test tools: .ci/run makes it (python3 -m venv {0} && {0}/bin/pip install {})",
            venv.display(),
            PACKAGES.join(" ")
        );
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check"])
                .args(PACKAGES)
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            made && complete(&venv),
            "could not make {} with {}",
            venv.display(),
            PACKAGES.join(" ")
        );
    }
    venv.join("bin").join(name)
}
