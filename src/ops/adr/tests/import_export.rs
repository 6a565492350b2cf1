//! In-process tests of `adr import` and `adr export` against a temporary coordination branch:
//! adr-tools and MADR files in, records read back, the same files out, and changes to an
//! imported ADR written in its own format.

use super::*;

const RECORD: &str = "# 1. Record architecture decisions

Date: 2026-01-05

## Status

Superseded by [2. Use MADR](0002-use-madr.md)

## Context

We need to record decisions.

## Decision

We will use Architecture Decision Records.

## Consequences

See Michael Nygard's article.
";

const USE_MADR: &str = "# 2. Use MADR

Date: 2026-02-01

## Status

Accepted

Supersedes [1. Record architecture decisions](0001-record-architecture-decisions.md)

## Context

Options need pros and cons.

## Decision

Chosen option: \"MADR\", because it lists the options.

## Consequences

Older records stay as they are.
";

fn foreign(name: &str, text: &str) -> ForeignFile {
    ForeignFile {
        name: name.to_owned(),
        text: text.to_owned(),
    }
}

#[test]
fn import_then_export_gives_the_same_files_back() {
    let (_dir, store) = repo();
    let files = [
        foreign("0001-record-architecture-decisions.md", RECORD),
        foreign("0002-use-madr.md", USE_MADR),
    ];
    let outcome = import(&store, &actor("lead"), "doc/adr", &files).expect("imported");
    assert!(outcome.commit.is_some());
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let first = read_back(&store, 1);
    assert_eq!(
        (first.status, first.format, first.created),
        (
            AdrStatus::Superseded,
            BodyFormat::AdrTools,
            at("2026-01-05T00:00:00Z")
        )
    );
    let second = read_back(&store, 2);
    assert_eq!(second.supersedes, [n(1)]);
    assert_eq!(
        decision_summary(&second).as_deref(),
        Some("MADR: it lists the options.")
    );
    assert_eq!(
        decision_summary(&first).as_deref(),
        Some("We will use Architecture Decision Records.")
    );
    let (format, exported, problems) = export(&store, None).expect("exported");
    assert!(problems.is_empty());
    assert_eq!(format, BodyFormat::AdrTools);
    let back: Vec<(&str, &str)> = exported
        .iter()
        .map(|e| (e.file.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        back,
        [
            ("0001-record-architecture-decisions.md", RECORD),
            ("0002-use-madr.md", USE_MADR)
        ]
    );
    let (_, as_madr, _) = export(&store, Some(BodyFormat::Madr)).expect("exported as MADR");
    insta::assert_snapshot!(as_madr[1].text, @r#"
        ---
        status: accepted
        date: 2026-02-01
        ---

        # Use MADR

        ## Context and Problem Statement

        Options need pros and cons.

        ## Considered Options

        * MADR

        ## Decision Outcome

        Chosen option: "MADR", because it lists the options.

        ### Consequences

        Older records stay as they are.
        "#);
}

#[test]
fn a_refused_import_writes_nothing() {
    let (_dir, store) = repo();
    new_adr(&store, "lead", "Use MySQL", &[]);
    let before = tip(&store);
    let lead = actor("lead");
    let exists = import(&store, &lead, "doc/adr", &[foreign("0001-a.md", RECORD)]);
    assert!(
        matches!(exists, Err(AdrError::Transfer(TransferError::Exists { ref existing, .. })) if existing == "adrs/0001-use-mysql.md"),
        "{exists:?}"
    );
    let twice = import(
        &store,
        &lead,
        "doc/adr",
        &[
            foreign("0002-a.md", USE_MADR),
            foreign("0002-b.md", USE_MADR),
        ],
    );
    assert!(matches!(
        twice,
        Err(AdrError::Transfer(TransferError::DuplicateInDir { .. }))
    ));
    let unreadable = import(
        &store,
        &lead,
        "doc/adr",
        &[foreign("0003-a.md", "Just text.\n")],
    );
    assert!(matches!(
        unreadable,
        Err(AdrError::Transfer(TransferError::Unreadable { .. }))
    ));
    let empty = import(&store, &lead, "doc/adr", &[]);
    assert!(matches!(
        empty,
        Err(AdrError::Transfer(TransferError::Empty { .. }))
    ));
    assert_eq!(tip(&store), before);
}

const MADR_FILE: &str = "---
status: accepted
date: 2026-03-01
decision-makers: lead
---

# Cache sessions

## Context and Problem Statement

Sessions are slow to load.

## Considered Options

* LRU

## Decision Outcome

Chosen option: \"LRU\", because it is simple.
";

#[test]
fn a_change_to_an_imported_adr_regenerates_its_parts_in_its_own_format() {
    let (_dir, store) = repo();
    let lead = actor("lead");
    let files = [
        foreign("0001-record-architecture-decisions.md", RECORD),
        foreign("0002-use-madr.md", USE_MADR),
        foreign("0003-cache-sessions.md", MADR_FILE),
    ];
    import(&store, &lead, "doc/adr", &files).expect("imported");
    let authority = Authority::unforced(&lead.agent);
    for number in [2, 3] {
        let done = set_status(
            &store,
            &lead,
            n(number),
            AdrStatus::Deprecated,
            &builtin(),
            &authority,
        )
        .expect("deprecated");
        assert!(done.changed);
    }
    let adr_tools = read_back(&store, 2);
    assert_eq!(adr_tools.format, BodyFormat::AdrTools);
    insta::assert_snapshot!(adr_tools.body, @r#"
        # 2. Use MADR

        Date: 2026-02-01

        ## Status

        Deprecated

        Supersedes [1. Record architecture decisions](0001-record-architecture-decisions.md)

        ## Context

        Options need pros and cons.

        ## Decision

        Chosen option: "MADR", because it lists the options.

        ## Consequences

        Older records stay as they are.
        "#);
    let madr = read_back(&store, 3);
    assert_eq!(madr.format, BodyFormat::Madr);
    insta::assert_snapshot!(madr.body, @r#"
        ---
        status: deprecated
        date: 2026-03-01
        decision-makers: lead
        ---

        # Cache sessions

        ## Context and Problem Statement

        Sessions are slow to load.

        ## Considered Options

        * LRU

        ## Decision Outcome

        Chosen option: "LRU", because it is simple.
        "#);
}
