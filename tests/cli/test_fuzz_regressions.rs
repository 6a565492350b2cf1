//! Regressions found by the fuzz targets in `fuzz/` (see `fuzz/README.md`): each test holds
//! the minimised input the fuzzer found, checked at the level it was found, and where the
//! finding shows through the CLI, the same case through the real binary.

use git_coord::model::time::{format_hours, parse_estimate};
use git_coord::ownership::pattern::Pattern;

use crate::common::TestEnv;

/// fuzz target `ids_and_times`, input `0.1m`: an estimate under half a minute was shown as
/// `0m`, which reads back as 0 and is then shown as `0h`; one just under an hour was shown as
/// `60m` rather than `1h`. What is shown must read back as itself.
#[test]
fn estimates_show_as_text_that_reads_back_the_same() {
    for input in ["0.1m", "59.9m", "0.999h", "0.25h", "1.5h", "90m", "0"] {
        let hours = parse_estimate(input).expect("a valid estimate");
        let shown = format_hours(hours);
        let again = parse_estimate(&shown).expect("what is shown parses");
        assert_eq!(format_hours(again), shown, "{input} is shown as {shown}");
    }
    assert_eq!(format_hours(parse_estimate("0.1m").unwrap()), "0h");
    assert_eq!(format_hours(parse_estimate("59.9m").unwrap()), "1h");
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
