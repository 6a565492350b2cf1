//! Regressions found by the fuzz targets in `fuzz/` (see `fuzz/README.md`): each test holds
//! the minimised input the fuzzer found, checked at the level it was found, and where the
//! finding shows through the CLI, the same case through the real binary.

use git_coord::model::Timestamp;
use git_coord::model::record;
use git_coord::model::task::Task;
use git_coord::model::time::{format_hours, parse_estimate};
use git_coord::ownership::pattern::Pattern;

use crate::common::{TestEnv, record as task_record, task_path};

/// fuzz target `ids_and_times`, inputs `0.1m`, `.3m` and `.993`: an estimate under half a
/// minute was shown as `0m`, which reads back as 0 and is then shown as `0h`; one just under
/// an hour was shown as `60m` or `0.99h` (59 minutes) rather than `1h`. What is shown must
/// read back as itself.
#[test]
fn estimates_show_as_text_that_reads_back_the_same() {
    let inputs = [
        "0.1m", ".3m", ".993", "59.9m", "0.999h", "0.25h", "1.5h", "90m", "0", "1.005h",
    ];
    for input in inputs {
        let hours = parse_estimate(input).expect("a valid estimate");
        let shown = format_hours(hours);
        let again = parse_estimate(&shown).expect("what is shown parses");
        assert_eq!(format_hours(again), shown, "{input} is shown as {shown}");
    }
    assert_eq!(format_hours(parse_estimate("0.1m").unwrap()), "0h");
    assert_eq!(format_hours(parse_estimate("59.9m").unwrap()), "1h");
    assert_eq!(format_hours(parse_estimate(".993").unwrap()), "1h");
    assert_eq!(format_hours(parse_estimate("30m").unwrap()), "30m");
}

#[test]
fn a_task_estimated_just_under_an_hour_is_listed_as_one_hour() {
    let env = TestEnv::initialised();
    let id = env.add("Tiny", &["--estimate", "59.9m"]);
    let list = env.coord(&["task", "list"]).expect_code(0).stdout;
    let row = list
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{id} in\n{list}"));
    assert!(row.contains(" 1h "), "{row}");
    assert!(!row.contains("60m"), "{row}");
}

/// fuzz target `patterns`, input `[a-:]c.?md` on `ac.qmd` (differential against gix-glob,
/// confirmed with `git check-ignore`): git's wildmatch tests a range's first character on its
/// own before the range, so a reversed range `[z-a]` matches `z`. We matched nothing, so a
/// claim on `[z-a]x` did not cover `zx`, which git and CODEOWNERS give to its owner.
#[test]
fn a_reversed_range_matches_its_first_character_as_in_git() {
    let p = Pattern::parse("[a-:]c.?md").unwrap();
    assert!(p.matches("ac.qmd"));
    assert!(!p.matches(":c.qmd") && !p.matches("bc.qmd"));
    let z = Pattern::parse("[z-a]x").unwrap();
    assert!(z.matches("zx"));
    assert!(!z.matches("ax") && !z.matches("bx"));
    assert!(z.overlaps(&Pattern::parse("zx").unwrap()));
}

#[test]
fn a_claim_with_a_reversed_range_owns_its_first_character() {
    let env = TestEnv::initialised();
    env.coord(&["--agent", "bob", "own", "[z-a]x"])
        .expect_code(0);
    let owners = env.json(&["owners", "zx"]);
    assert_eq!(owners[0]["holders"][0]["agent"], "bob", "{owners}");
    // So alice cannot claim it beside him.
    env.coord(&["own", "zx"]).expect_code(3);
}

/// fuzz target `ids_and_times`, input `-02-2-11`: a deadline in year -2 (or 12345, or one an
/// offset moves out of 0000..=9999) was accepted, printed as `-0002-02-11T23:59:59Z`, which is
/// neither RFC 3339 nor a TOML datetime, and the record writer silently dropped the field.
#[test]
fn instants_outside_four_digit_years_are_refused() {
    for input in [
        "-02-2-11",
        "+12345-01-01",
        "0000-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ] {
        assert!(
            Timestamp::parse_deadline(input).is_err(),
            "{input} was accepted"
        );
    }
    for input in ["0000-01-01T00:00:00Z", "9999-12-31", "2026-11-22"] {
        let t = Timestamp::parse_deadline(input).expect("a four-digit year");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_string()), Some(t));
        assert!(record::timestamp(t).is_some(), "{input}");
    }
    // A record holding such an instant is refused when read, not half-dropped when rewritten.
    let text = "+++\nid = \"t-abcdef\"\ntitle = \"x\"\nstatus = \"todo\"\ncreated = 0000-01-01T00:00:00+01:00\nupdated = 2026-01-01T00:00:00Z\n+++\n";
    let e = Task::parse("tasks/ab/t-abcdef.md", text).expect_err("year -1 is refused");
    assert_eq!(e.line, Some(5), "{e}");
}

#[test]
fn a_due_date_the_record_cannot_hold_is_refused_before_anything_is_written() {
    let env = TestEnv::initialised();
    let before = env.coord_commits();
    let run = env
        .coord(&["task", "add", "Old", "--due=-02-2-11"])
        .expect_code(2);
    assert!(run.stderr.contains("--due"), "{}", run.stderr);
    assert_eq!(env.coord_commits(), before);
}

/// fuzz target `patterns`, input `****/b` on `b`: git's wildmatch reads any run of two or more
/// `*` filling a whole segment as `**`, so `****/b` owns `b` at any depth; we read it as one
/// `*` segment, and the claim missed `b` and `x/y/b`.
#[test]
fn a_segment_of_three_or_more_stars_is_any_depth_as_in_git() {
    let p = Pattern::parse("****/b").unwrap();
    for path in ["b", "x/b", "x/y/b"] {
        assert!(p.matches(path), "{path}");
    }
    let q = Pattern::parse("a/***/c").unwrap();
    assert!(q.matches("a/c") && q.matches("a/x/y/c"));
    assert!(Pattern::parse("a/***").unwrap().matches("a/x/y"));
    assert!(p.overlaps(&Pattern::parse("/b").unwrap()));
}

/// fuzz target `front_matter`: a task whose file has `# deps come later` above
/// `depends_on = []` lost both lines on any rewrite (an empty list reads as no field, and the
/// writer removed the field it had not changed, with the comment before it).
#[test]
fn a_rewrite_keeps_an_empty_field_and_the_comment_before_it() {
    let text = "+++\nid = \"t-abcdef\"\ntitle = \"Fix the cache\" # short\nstatus = \"todo\"\ncreated = 2026-01-01T10:00:00Z\nupdated = 2026-01-01T10:00:00Z\n# deps come later\ndepends_on = []\n+++\n";
    let mut task = Task::parse("tasks/ab/t-abcdef.md", text).unwrap();
    task.title = "new title".to_owned();
    let out = task.to_text();
    assert!(
        out.contains("# deps come later\ndepends_on = []\n"),
        "{out}"
    );
    assert!(out.contains("title = \"new title\" # short\n"), "{out}");
}

#[test]
fn editing_a_task_keeps_the_comment_on_its_empty_list() {
    let env = TestEnv::initialised();
    let id = "t-abcdef";
    let hand = task_record(id, "Fix the cache", "# deps come later\ndepends_on = []\n");
    env.hand_edit(&[(&task_path(id), Some(&hand))]);
    env.coord(&["task", "edit", id, "--title", "Fix the cache, really"])
        .expect_code(0);
    let stored = env.show(&task_path(id));
    assert!(
        stored.contains("title = \"Fix the cache, really\""),
        "{stored}"
    );
    assert!(
        stored.contains("# deps come later\ndepends_on = []\n"),
        "{stored}"
    );
}
