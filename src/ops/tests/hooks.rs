//! `ops::hooks`: install and uninstall, keeping the project's own hooks byte for byte.

use crate::ops::hooks::{CHAINED_DIR, HOOKS, HookMode, install, uninstall};
use crate::ops::testing::Repo;

/// A repository whose hooks directory is its own, whatever `core.hooksPath` the machine's
/// global config sets: the tests must never write into a directory outside it.
fn repo() -> Repo {
    let mut repo = Repo::init();
    let hooks = repo.path().join(".git").join("hooks");
    repo.with_config("core.hooksPath", &hooks.to_string_lossy());
    assert_eq!(repo.store.hooks_dir(), hooks);
    repo
}

#[test]
fn install_writes_our_four_hooks_and_uninstall_removes_them() {
    let repo = repo();
    let installed = install(
        &repo.store,
        HookMode::Block,
        Some("/opt/git-coord".as_ref()),
    )
    .unwrap();
    assert_eq!(installed.hooks, HOOKS);
    assert!(installed.chained.is_empty());
    let dir = repo.store.hooks_dir();
    for hook in HOOKS {
        let text = std::fs::read_to_string(dir.join(hook)).unwrap();
        assert!(
            text.starts_with("#!/bin/sh\n## START git-coord"),
            "{hook}: {text}"
        );
        assert!(text.contains("coord_fallback='/opt/git-coord'"), "{hook}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(hook))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{hook} is executable");
        }
    }
    let pre_commit = std::fs::read_to_string(dir.join("pre-commit")).unwrap();
    assert!(
        pre_commit.contains("check --staged\n  coord_status=$?"),
        "block mode stops commits"
    );
    let store = repo.reopen();
    assert_eq!(
        store.config_strings("notes.rewriteRef"),
        vec!["refs/notes/coord"]
    );

    let removed = uninstall(&store).unwrap();
    assert_eq!(removed, HOOKS);
    for hook in HOOKS {
        assert!(!dir.join(hook).exists(), "{hook}");
    }
    assert!(repo.reopen().config_strings("notes.rewriteRef").is_empty());
}

#[test]
fn the_projects_own_hook_is_chained_and_given_back_untouched() {
    let repo = repo();
    let dir = repo.store.hooks_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let own = "#!/usr/bin/env python3\nprint('lint')\n";
    std::fs::write(dir.join("pre-commit"), own).unwrap();
    let installed = install(&repo.store, HookMode::Warn, None).unwrap();
    assert_eq!(installed.chained, vec!["pre-commit"]);
    assert_eq!(
        std::fs::read_to_string(dir.join(CHAINED_DIR).join("pre-commit")).unwrap(),
        own
    );
    let ours = std::fs::read_to_string(dir.join("pre-commit")).unwrap();
    assert!(
        ours.contains("check --staged || true\n"),
        "warn mode never stops a commit"
    );

    uninstall(&repo.reopen()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("pre-commit")).unwrap(),
        own
    );
    assert!(!dir.join(CHAINED_DIR).exists());
}

#[test]
fn a_user_set_rewrite_ref_survives_uninstall() {
    let mut repo = repo();
    repo.with_config("notes.rewriteRef", "refs/notes/coord");
    install(&repo.store, HookMode::Block, None).unwrap();
    uninstall(&repo.reopen()).unwrap();
    assert_eq!(
        repo.reopen().config_strings("notes.rewriteRef"),
        vec!["refs/notes/coord"]
    );
}
