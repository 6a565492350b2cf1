//! `ops::check`: a task's validation command, run with `sh -c` in the caller's directory.

use crate::ops::check::run;

#[test]
fn the_exit_status_is_reported_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let ok = run("true", dir.path()).unwrap();
    assert!(ok.success);
    assert_eq!(ok.code, Some(0));
    assert_eq!(ok.command, "true");
    let failed = run("exit 3", dir.path()).unwrap();
    assert!(!failed.success);
    assert_eq!(failed.code, Some(3));
}

#[test]
fn the_command_runs_in_the_directory_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("marker"), "").unwrap();
    assert!(run("test -f marker", dir.path()).unwrap().success);
    let elsewhere = tempfile::tempdir().unwrap();
    assert!(!run("test -f marker", elsewhere.path()).unwrap().success);
    // A shell pipeline and quoting work as typed.
    assert!(
        run("printf 'a b' | grep -q 'a b'", dir.path())
            .unwrap()
            .success
    );
}

#[test]
fn a_missing_directory_is_an_error_not_a_failed_check() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    assert!(run("true", &gone).is_err());
}
