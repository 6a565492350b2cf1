//! `graph` and `gantt` through the binary: the critical path highlighted and nothing else,
//! the default and `--all` views, escaping of hostile titles, cycles, the Gantt timeline and
//! `coord.defaultEstimate`.

use serde_json::{Value, json};

use crate::common::{TestEnv, record, task_path};

const NOW: &str = "2026-11-21T10:00:00Z";

fn env_at_now() -> TestEnv {
    let mut env = TestEnv::initialised();
    env.now = Some(NOW.into());
    env
}

fn mermaid_id(id: &str) -> String {
    id.replace('-', "_")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn graph_highlights_the_critical_path_and_nothing_else() {
    let env = env_at_now();
    let a = env.add("Pool", &["--estimate", "4h"]);
    let b = env.add("Limiter", &["--after", &a, "--estimate", "2h"]);
    let c = env.add("Docs", &["--estimate", "1h"]);
    let d = env.add("Side", &["--after", &c, "--estimate", "30m"]);

    let dot = env.coord(&["graph"]).expect_code(0).stdout;
    assert!(dot.starts_with("digraph coord {\n"), "{dot}");
    let red: Vec<&str> = dot.lines().filter(|l| l.contains("color=red")).collect();
    assert_eq!(
        red.len(),
        3,
        "two critical nodes and one critical edge:\n{dot}"
    );
    assert!(
        red.iter()
            .any(|l| l.starts_with(&format!("  \"{a}\" [label=")))
    );
    assert!(
        red.iter()
            .any(|l| l.starts_with(&format!("  \"{b}\" [label=")))
    );
    assert!(
        red.contains(
            &format!("  \"{a}\" -> \"{b}\" [color=red, penwidth=2, style=bold];").as_str()
        )
    );
    assert!(dot.contains(&format!("  \"{c}\" -> \"{d}\";\n")), "{dot}");
    assert!(
        dot.contains(&format!("\"{a}\" [label=\"{a}\\nPool\\ntodo · 4h\"")),
        "{dot}"
    );

    let mermaid = env
        .coord(&["graph", "--format", "mermaid"])
        .expect_code(0)
        .stdout;
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    let (ma, mb, mc, md) = (
        mermaid_id(&a),
        mermaid_id(&b),
        mermaid_id(&c),
        mermaid_id(&d),
    );
    // Edges are listed by (from, to); linkStyle numbers them in that order.
    let mut edges = vec![
        (a.clone(), format!("  {ma} --> {mb}")),
        (c.clone(), format!("  {mc} --> {md}")),
    ];
    edges.sort();
    let critical_index = edges.iter().position(|(from, _)| from == &a).unwrap();
    for (_, line) in &edges {
        assert!(mermaid.contains(&format!("{line}\n")), "{mermaid}");
    }
    let mut critical = [ma.clone(), mb.clone()];
    critical.sort();
    assert!(
        mermaid.contains(&format!("  class {} critical\n", critical.join(","))),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(&format!(
            "  linkStyle {critical_index} stroke:#d62728,stroke-width:3px\n"
        )),
        "{mermaid}"
    );
    assert_eq!(mermaid.matches("linkStyle").count(), 1);
    assert_eq!(mermaid.matches(" critical\n").count(), 1);

    let j = env.json(&["graph"]);
    assert_eq!(ids(&j["critical_path"]), vec![a.clone(), b.clone()]);
    for n in j["nodes"].as_array().unwrap() {
        let id = n["id"].as_str().unwrap();
        assert_eq!(n["critical"], json!(id == a || id == b), "{n}");
        for field in ["id", "title", "status", "hours", "critical"] {
            assert!(n.get(field).is_some(), "node lacks {field}: {n}");
        }
    }
    for e in j["edges"].as_array().unwrap() {
        assert_eq!(
            e["critical"],
            json!(e["from"] == a.as_str() && e["to"] == b.as_str()),
            "{e}"
        );
    }
    let pool = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == a.as_str())
        .unwrap();
    assert_eq!(pool["hours"], 4.0);
    assert_eq!(pool["title"], "Pool");
}

#[test]
fn default_view_is_open_work_and_its_done_dependencies() {
    let env = env_at_now();
    let old = env.add("Old", &[]);
    let older = env.add("Older", &[]);
    env.coord(&["task", "dep", "add", &old, &older])
        .expect_code(0);
    for id in [&older, &old] {
        env.coord(&["claim", id]).expect_code(0);
        env.coord(&["done", id, "--no-check"]).expect_code(0);
    }
    let next = env.add("Next", &["--after", &old]);
    let alone = env.add("Gone", &[]);
    env.coord(&["claim", &alone]).expect_code(0);
    env.coord(&["done", &alone, "--no-check"]).expect_code(0);

    let shown = |args: &[&str]| -> Vec<String> {
        let j = env.json(args);
        j["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut expected = vec![old.clone(), next.clone()];
    expected.sort();
    assert_eq!(shown(&["graph"]), expected);
    let mut everything = vec![old.clone(), older.clone(), next.clone(), alone.clone()];
    everything.sort();
    assert_eq!(shown(&["graph", "--all"]), everything);

    let dot = env.coord(&["graph"]).expect_code(0).stdout;
    assert!(
        dot.contains(&format!(
            "\"{old}\" [label=\"{old}\\nOld\\ndone\", color=gray50"
        )),
        "{dot}"
    );
    assert!(!dot.contains(&older) && !dot.contains(&alone), "{dot}");
    let all = env
        .coord(&["graph", "--all", "--format", "mermaid"])
        .expect_code(0)
        .stdout;
    assert!(
        all.contains(&format!(
            "  {} --> {}\n",
            mermaid_id(&older),
            mermaid_id(&old)
        )),
        "{all}"
    );
}

/// Titles that try to break out of every format: quotes, brackets, markup, backticks,
/// Mermaid directives and comments, mentions, entity codes, DOT escapes, semicolons and
/// colons (gantt syntax), and, written by hand, a newline and a terminal escape sequence.
const HOSTILE: &str = "a\"b\"] --> x[\"evil\"] <script>alert(1)</script> `md` %%{init: {'theme':'dark'}}%% @alice #quot; &amp; \\N ; :";

#[test]
fn hostile_titles_are_escaped_in_every_format() {
    let env = env_at_now();
    let a = env.add(HOSTILE, &["--estimate", "2h"]);
    let b = env.add("Plain", &["--after", &a]);
    // A record written by hand can hold what `task add` refuses: a newline, an escape.
    let hand = "t-zzzzzz";
    env.hand_edit(&[(
        &task_path(hand),
        Some(&record(
            hand,
            "line one\\nline two \\u001b[2J\\u202eend",
            "",
        )),
    )]);

    let dot = env.coord(&["graph"]).expect_code(0).stdout;
    let plain_lines = 4 + 3 + 1 + 1; // header, 3 nodes, 1 edge, closing brace
    assert_eq!(dot.lines().count(), plain_lines, "{dot}");
    assert!(!dot.contains('\x1b') && !dot.contains('\u{202e}'));
    let node = dot
        .lines()
        .find(|l| l.starts_with(&format!("  \"{a}\"")))
        .unwrap();
    assert!(
        node.contains(r#"\na\"b\"] --> x[\"evil\"] <script>alert(1)</script> `md` %%{init: {'theme':'dark'}}%% @alice #quot; &amp;amp; \\N ; :\n"#),
        "{node}"
    );
    let hand_node = dot
        .lines()
        .find(|l| l.starts_with(&format!("  \"{hand}\"")))
        .unwrap();
    assert!(
        hand_node.contains(r"line one\\nline two \\u{1b}[2J\\u{202e}end"),
        "{hand_node}"
    );

    let mermaid = env
        .coord(&["graph", "--format", "mermaid"])
        .expect_code(0)
        .stdout;
    for line in mermaid.lines().filter(|l| l.contains("[\"")) {
        assert_eq!(
            line.matches('"').count(),
            2,
            "a label must open and close once: {line}"
        );
        assert!(line.ends_with("\"]"), "{line}");
    }
    for raw in [
        "<script", "`", "%%", "@alice", "#quot; &", "\x1b", "\u{202e}", "[\"evil", "{init",
    ] {
        assert!(!mermaid.contains(raw), "{raw:?} left raw:\n{mermaid}");
    }
    assert!(mermaid.contains(
        "a#quot;b#quot;#93; --#gt; x#91;#quot;evil#quot;#93; #lt;script#gt;alert(1)#lt;/script#gt; #96;md#96; #37;#37;#123;init#58; #123;'theme'#58;'dark'#125;#125;#37;#37; #64;alice #35;quot#59; #amp;amp#59; #92;N #59; #58;<br/>"
    ), "{mermaid}");
    assert!(
        mermaid.contains("line one line two #65533;#91;2J#65533;end"),
        "{mermaid}"
    );

    let gantt = env.coord(&["gantt"]).expect_code(0).stdout;
    for line in gantt.lines().filter(|l| l.starts_with("    ")) {
        // Everything before the task data is text: no `:`, `;` or `#` other than entity codes.
        let (text, data) = line.split_once(" :").unwrap();
        assert!(!text.contains(':'), "{line}");
        assert!(!data.contains('#') && !data.contains(';'), "{line}");
    }
    assert!(!gantt.contains("<script") && !gantt.contains("%%") && !gantt.contains('@'));
    assert!(
        gantt.contains(&format!("    {b} Plain :crit, {b}, 2026-11-21T12:00, 1h\n")),
        "{gantt}"
    );

    // JSON carries the title as it is; serde escapes it.
    let j = env.json(&["graph"]);
    let node = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == a.as_str())
        .unwrap();
    assert_eq!(node["title"], HOSTILE);
}

#[test]
fn cycles_are_drawn_and_reported() {
    let env = env_at_now();
    let (x, y) = ("t-xxxxxx", "t-yyyyyy");
    env.hand_edit(&[
        (
            &task_path(x),
            Some(&record(x, "X", "depends_on = [\"t-yyyyyy\"]\n")),
        ),
        (
            &task_path(y),
            Some(&record(y, "Y", "depends_on = [\"t-xxxxxx\"]\n")),
        ),
    ]);
    let behind = env.add("Behind", &["--after", x]);
    let free = env.add("Free", &["--estimate", "3h"]);

    let run = env.coord(&["graph"]).expect_code(0);
    assert!(
        run.stderr
            .contains(&format!("dependency cycle between {x}, {y}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("  \"{x}\" -> \"{y}\";\n")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("  \"{y}\" -> \"{x}\";\n")),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("color=darkorange").count(), 2);

    let mermaid = env.coord(&["graph", "--format", "mermaid"]).expect_code(0);
    assert!(mermaid.stdout.contains(&format!(
        "  class {},{} cycle\n",
        mermaid_id(x),
        mermaid_id(y)
    )));

    let j = env.json(&["graph"]);
    assert_eq!(j["cycles"], json!([[x, y]]));
    assert_eq!(ids(&j["critical_path"]), vec![free.clone()]);

    let gantt = env.coord(&["gantt"]).expect_code(0);
    assert!(gantt.stdout.contains(&format!(
        "    {free} Free :crit, {free}, 2026-11-21T10:00, 3h\n"
    )));
    assert!(!gantt.stdout.contains(x) && !gantt.stdout.contains(&behind));
    assert!(
        gantt.stderr.contains("dependency cycle"),
        "{}",
        gantt.stderr
    );
    assert!(
        gantt
            .stderr
            .contains(&format!("left out of the chart: {behind}")),
        "{}",
        gantt.stderr
    );
}

#[test]
fn gantt_bars_start_at_their_earliest_start_by_milestone() {
    let env = env_at_now();
    let m = env.json(&["milestone", "add", "Beta", "--due", "2026-11-22T18:00:00Z"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = env.add("Pool", &["--estimate", "2h"]);
    let b = env.add(
        "Limiter",
        &["--after", &a, "--estimate", "90m", "--milestone", &m],
    );
    let c = env.add(
        "Review",
        &["--after", &b, "--estimate", "1h", "--milestone", &m],
    );
    let side = env.add("Side", &["--estimate", "1h", "--milestone", "m-nosuch"]);
    let done = env.add("Done already", &["--milestone", &m]);
    env.coord(&["claim", &done]).expect_code(0);
    env.coord(&["done", &done, "--no-check"]).expect_code(0);
    env.coord(&["start", &side]).expect_code(0);

    let out = env.coord(&["gantt"]).expect_code(0).stdout;
    let expected = format!(
        "gantt
  title Remaining work from 2026-11-21 10:00 UTC
  dateFormat YYYY-MM-DDTHH:mm
  axisFormat %m-%d %H:%M
  section Beta ({m}, due 2026-11-22 18#58;00 UTC)
    {b} Limiter :crit, {b}, 2026-11-21T12:00, 90m
    {c} Review :crit, {c}, 2026-11-21T13:30, 1h
    Due {m} :milestone, {m}-due, 2026-11-22T18:00, 0m
  section m-nosuch
    {side} Side :active, {side}, 2026-11-21T10:00, 1h
  section No milestone
    {a} Pool :crit, {a}, 2026-11-21T10:00, 2h
"
    );
    assert_eq!(out, expected);

    let j = env.json(&["gantt"]);
    assert_eq!(j["start"], NOW);
    assert_eq!(j["sections"][0]["milestone"], m.as_str());
    assert_eq!(j["sections"][0]["due"], "2026-11-22T18:00:00Z");
    assert_eq!(
        j["sections"][0]["tasks"][0]["start"],
        "2026-11-21T12:00:00Z"
    );
    assert_eq!(j["sections"][0]["tasks"][0]["end"], "2026-11-21T13:30:00Z");
    assert_eq!(j["sections"][2]["milestone"], Value::Null);
    assert_eq!(j["left_out"], json!([]));
}

#[test]
fn default_estimate_comes_from_git_config() {
    let env = env_at_now();
    let a = env.add("No estimate", &[]);
    let b = env.add("After it", &["--after", &a, "--estimate", "1h"]);
    env.git(&["config", "coord.defaultEstimate", "2h"]);
    let j = env.json(&["graph"]);
    let hours = |id: &str| {
        j["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()["hours"]
            .clone()
    };
    assert_eq!(hours(&a), 2.0);
    let gantt = env.coord(&["gantt"]).expect_code(0).stdout;
    assert!(
        gantt.contains(&format!(
            "    {b} After it :crit, {b}, 2026-11-21T12:00, 1h\n"
        )),
        "{gantt}"
    );
    let dot = env.coord(&["graph"]).expect_code(0).stdout;
    assert!(dot.contains("\\ntodo · 2h (default)\""), "{dot}");

    env.git(&["config", "coord.defaultEstimate", "soon"]);
    let run = env.coord(&["graph", "--json"]).expect_code(0);
    assert!(
        run.stderr.contains("coord.defaultEstimate"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git config coord.defaultEstimate 2h"),
        "{}",
        run.stderr
    );
    let j = run.json();
    let a_node = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == a.as_str())
        .unwrap()
        .clone();
    assert_eq!(a_node["hours"], 1.0);
}

#[test]
fn bad_usage_and_empty_branches() {
    let env = env_at_now();
    env.coord(&["graph", "--format", "svg"]).expect_code(2);
    let run = env.coord(&["graph"]).expect_code(0);
    assert_eq!(
        run.stdout,
        "digraph coord {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [color=gray30];\n}\n"
    );
    assert!(run.stderr.contains("No open tasks"), "{}", run.stderr);
    let run = env.coord(&["gantt"]).expect_code(0);
    assert!(run.stdout.starts_with("gantt\n"));
    let uninit = TestEnv::new();
    uninit.coord(&["graph"]).expect_code(2);
    uninit.coord(&["gantt"]).expect_code(2);
}

#[test]
fn a_broken_record_is_skipped_with_a_warning() {
    let env = env_at_now();
    let ok = env.add("Fine", &[]);
    let bad = "t-bbbbbb";
    let text = record(bad, "x", "").replace("title = \"x\"", "title = 3");
    env.hand_edit(&[(&task_path(bad), Some(&text))]);
    let run = env.coord(&["graph"]).expect_code(0);
    assert!(
        run.stderr.contains(&format!("{}:3", task_path(bad))),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains(&ok));
}
