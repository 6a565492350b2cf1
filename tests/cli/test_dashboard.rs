//! `dashboard --out DIR`: one self-contained HTML page, rendered in headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs) and checked through the DOM; a screenshot is saved
//! under the test's output directory (`target/tmp/dashboard/screenshot.png`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{TestEnv, isolate};

#[track_caller]
fn at(env: &mut TestEnv, hhmm: &str, agent: &str, args: &[&str]) -> Value {
    env.now = Some(format!("2026-11-20T{hhmm}:00Z"));
    let mut all = vec!["--agent", agent];
    all.extend_from_slice(args);
    all.push("--json");
    env.coord(&all).expect_code(0).json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// A small remediation plan half a day in: Redis infrastructure (done) on the critical path
/// before state management and a rate limiter, a caching layer that was blocked, an API track,
/// integration tests at the end; a decision, a conflict and a question pending.
fn project() -> (TestEnv, Vec<String>) {
    let mut env = TestEnv::new();
    env.now = Some("2026-11-20T08:00:00Z".into());
    env.coord(&["--agent", "lead", "init"]).expect_code(0);
    for (who, expertise) in [
        ("state", "backend"),
        ("cache", "backend"),
        ("resil", "backend"),
        ("api", "api"),
    ] {
        at(
            &mut env,
            "08:00",
            "lead",
            &[
                "agent",
                "add",
                who,
                "--role",
                &format!("{who} owner"),
                "--expertise",
                expertise,
            ],
        );
    }
    let add = |env: &mut TestEnv, title: &str, extra: &[&str]| {
        let mut args = vec!["task", "add", title];
        args.extend_from_slice(extra);
        id(&at(env, "08:00", "lead", &args))
    };
    let redis = add(
        &mut env,
        "Redis infrastructure",
        &[
            "--estimate",
            "4h",
            "--expertise",
            "backend",
            "--priority",
            "0",
        ],
    );
    let state = add(
        &mut env,
        "State management",
        &[
            "--estimate",
            "6h",
            "--expertise",
            "backend",
            "--after",
            &redis,
        ],
    );
    let cache = add(
        &mut env,
        "Response caching",
        &[
            "--estimate",
            "5h",
            "--expertise",
            "backend",
            "--after",
            &redis,
        ],
    );
    let limiter = add(
        &mut env,
        "Rate limiter <script>alert(1)</script>",
        &[
            "--estimate",
            "3h",
            "--expertise",
            "backend",
            "--after",
            &state,
        ],
    );
    let gateway = add(
        &mut env,
        "API gateway",
        &["--estimate", "4h", "--expertise", "api"],
    );
    let tests = add(
        &mut env,
        "Integration tests",
        &[
            "--estimate",
            "3h",
            "--after",
            &limiter,
            "--after",
            &cache,
            "--after",
            &gateway,
        ],
    );
    // Work nobody available can take: the advice is to spawn an agent for it.
    add(&mut env, "Model tuning", &["--expertise", "ml"]);
    at(&mut env, "09:00", "state", &["claim", &redis]);
    at(&mut env, "09:00", "api", &["claim", &gateway]);
    at(&mut env, "12:00", "state", &["done", &redis]);
    at(&mut env, "12:30", "state", &["claim", &state]);
    at(&mut env, "12:30", "cache", &["claim", &cache]);
    at(
        &mut env,
        "13:00",
        "cache",
        &["block", &cache, "--reason", "waiting for the pool config"],
    );
    at(
        &mut env,
        "10:00",
        "lead",
        &["adr", "new", "Use Redis for shared state"],
    );
    at(
        &mut env,
        "10:00",
        "state",
        &[
            "send",
            "cache",
            "--subject",
            "which pool size?",
            "--needs-reply",
        ],
    );
    at(
        &mut env,
        "14:00",
        "lead",
        &[
            "conflict",
            "new",
            "Both edit src/pool.rs",
            "--between",
            "state,cache",
        ],
    );
    // cache will take the rate limiter, which waits on state's task.
    at(
        &mut env,
        "15:00",
        "lead",
        &["assign", &limiter, "--to", "cache"],
    );
    for who in ["state", "cache", "api"] {
        at(&mut env, "15:30", who, &["checkin"]);
    }
    env.now = Some("2026-11-20T16:00:00Z".into());
    (env, vec![redis, state, cache, limiter, gateway, tests])
}

/// Debian's `chromium` (or `chromium-browser`); a test that needs it fails without it.
fn chromium() -> &'static str {
    for name in ["chromium", "chromium-browser"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return name;
        }
    }
    panic!(
        "headless Chromium is needed for the dashboard test: `apt-get install chromium` (.ci/run installs it)"
    );
}

fn headless(env: &TestEnv, extra: &[String], page: &Path) -> std::process::Output {
    let mut cmd = Command::new(chromium());
    isolate(&mut cmd, env.home());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--hide-scrollbars",
    ])
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .output()
    .expect("run chromium")
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&dir).expect("the test's output directory");
    dir
}

#[test]
fn the_dashboard_renders_in_headless_chromium_with_agents_tasks_and_the_graph() {
    let (env, ids) = project();
    let site = env.root.join("site");
    let out = env.json(&["dashboard", "--out", site.to_str().expect("utf-8 path")]);
    let page = site.join("index.html");
    assert_eq!(out["path"], page.display().to_string());
    let html = std::fs::read_to_string(&page).expect("index.html");

    // Self-contained: no script, no stylesheet or image fetched, nothing but the SVG
    // namespace that looks like a URL.
    assert!(
        !html.contains("<script"),
        "record text became markup or a script was added"
    );
    assert!(html.contains("Rate limiter &lt;script&gt;alert(1)&lt;/script&gt;"));
    for bad in ["<link", " src=", "@import", "url(http"] {
        assert!(!html.contains(bad), "the page fetches something: {bad}");
    }
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count(),
        "a URL other than the SVG namespace"
    );

    let dom = headless(&env, &["--dump-dom".to_owned()], &page);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for agent in ["state", "cache", "resil", "api"] {
        assert!(
            dom.contains(&format!("data-agent=\"{agent}\"")),
            "agent {agent} missing"
        );
    }
    for title in [
        "Redis infrastructure",
        "State management",
        "Response caching",
        "API gateway",
        "Integration tests",
    ] {
        assert!(dom.contains(title), "task {title} missing");
    }
    // The graph: one node per task, the critical path (state management → rate limiter →
    // integration tests, the longest open chain) highlighted.
    assert!(dom.contains("<svg class=\"graph\""), "no dependency graph");
    for t in &ids {
        assert!(
            dom.contains(&format!("data-task=\"{t}\"")),
            "no node for {t}"
        );
    }
    let critical_nodes = dom.matches(" critical\" data-task=").count();
    assert_eq!(critical_nodes, 3, "three tasks on the critical path");
    for t in [&ids[1], &ids[3], &ids[5]] {
        assert!(
            dom.contains(&format!("critical\" data-task=\"{t}\"")),
            "{t} not highlighted"
        );
    }
    assert_eq!(dom.matches("class=\"edge critical\"").count(), 2);
    // Swim lanes for the agents who worked, metrics charts, the blocker.
    assert!(dom.contains("<svg class=\"lanes\""));
    assert!(dom.contains("<svg class=\"chart throughput\""));
    assert!(dom.contains("<svg class=\"chart queue\""));
    assert!(dom.contains("waiting for the pool config"));
    // Dispatch advice and the communication matrix: spawn for ml, the question unanswered
    // for 6h (past the 4h SLO), state → cache traffic.
    assert!(
        dom.contains("git coord spawn &lt;name&gt; --expertise ml"),
        "no spawn advice"
    );
    let advice = dom.find("id=\"advice\"").map_or("", |at| &dom[at..]);
    assert!(
        dom.contains("unanswered 6.0h"),
        "no unanswered consultation: {}",
        &advice[..advice.len().min(2500)]
    );
    assert!(dom.contains("which pool size?"));
    assert!(dom.contains("state → cache: 1"), "no traffic");
    assert!(
        dom.contains(&format!(
            "<td>cache <span class=\"id\">{}</span></td><td>state</td><td class=\"id\">{}</td>",
            ids[3], ids[1]
        )),
        "cache waits on state: {}",
        &advice[..advice.len().min(2500)]
    );
    assert!(dom.contains("lead is idle with nothing that fits"));
    // The day's go/no-go colour with its reasons, in the header, the same as `status`'s.
    let day = env.json(&["status"]);
    let colour = day["go_no_go"]["colour"].as_str().expect("a colour");
    let header = dom
        .split("<header>")
        .nth(1)
        .and_then(|h| h.split("</header>").next())
        .expect("a header");
    assert!(
        header.contains(&format!(
            "class=\"verdict {colour}\" id=\"go-no-go\" data-colour=\"{colour}\""
        )),
        "no {colour} verdict in the header: {header}"
    );
    assert!(
        header.contains(&format!(
            "<div class=\"colour\">{}</div>",
            colour.to_uppercase()
        )),
        "{header}"
    );
    let reasons = day["go_no_go"]["reasons"].as_array().expect("reasons");
    assert!(
        !reasons.is_empty(),
        "the project has a blocker past its SLO: {day}"
    );
    for r in reasons {
        let r = r.as_str().expect("a reason");
        let r = r
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            header.contains(&format!("<li>{r}</li>")),
            "reason {r} missing: {header}"
        );
    }

    let shot = out_dir().join("screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let run = headless(
        &env,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,1700".to_owned(),
        ],
        &page,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
}

#[test]
fn watch_rewrites_the_page_when_the_branch_moves() {
    let (env, _) = project();
    let site = env.root.join("watched");
    let page = site.join("index.html");
    let mut child = env
        .coord_cmd(&env.repo)
        .args([
            "dashboard",
            "--watch",
            "--out",
            site.to_str().expect("utf-8 path"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start dashboard --watch");
    // The page appearing, then changing, are the signals waited for (with a deadline).
    let wait_for = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if std::fs::read_to_string(&page).is_ok_and(|h| h.contains(what)) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let first = wait_for("Integration tests");
    env.coord(&["--agent", "lead", "task", "add", "Watched task"])
        .expect_code(0);
    let second = wait_for("Watched task");
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "the page was not written");
    assert!(second, "the page was not rewritten after the branch moved");
}

#[test]
fn out_must_be_a_directory() {
    let (env, _) = project();
    let file = env.root.join("a-file");
    std::fs::write(&file, "x").expect("write");
    let run = env.refused(
        &["dashboard", "--out", file.to_str().expect("utf-8 path")],
        2,
    );
    assert!(run.stderr.contains("not a directory"), "{}", run.stderr);
}
