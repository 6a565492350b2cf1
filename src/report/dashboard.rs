/*!
The HTML dashboard (`dashboard --out DIR`): one self-contained page, inline CSS and SVG, no
script and no network, drawn from [`crate::ops::dashboard::Dashboard`]: the status screen's
content, the dependency graph in layers with the critical path highlighted, per-agent swim
lanes over time, and the metrics as small charts.

The page is `templates/dashboard.html` rendered with minijinja (HTML auto-escaping: record text
cannot inject markup); the SVG pictures are drawn here, every record string escaped by
[`esc`] on the way in.
*/

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use minijinja::Environment;
use serde::Serialize;

use super::status::{self, Input};
use crate::graph::TaskGraph;
use crate::model::text::escape_unsafe;
use crate::model::{Status, Task, TaskId, Timestamp};
use crate::ops::dashboard::Dashboard;
use crate::ops::metrics::{Lane, Metrics};
use crate::ops::status::GoNoGo;

/// The page template, compiled in.
pub const TEMPLATE: &str = include_str!("../../templates/dashboard.html");

/// At most this many tasks are drawn in the graph (open ones first), so a 10,000-task plan
/// still gives a page a browser opens.
pub const MAX_GRAPH_TASKS: usize = 300;

/// Text from records, safe inside SVG/HTML text and attributes: control and bidi characters
/// escaped ([`escape_unsafe`]), then the XML specials.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_unsafe(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[derive(Serialize)]
struct Page<'a> {
    generated: Timestamp,
    /// The day's go/no-go colour with its reasons, as `status` and `report` judge it.
    go_no_go: GoNoGo,
    /// `GREEN`, `YELLOW` or `RED`.
    colour_label: &'static str,
    report: status::Report,
    metrics: &'a Metrics,
    advice: &'a crate::ops::dispatch::Advice,
    slos_met: bool,
    breaches: usize,
    warnings: &'a [String],
    graph_note: Option<String>,
    cycle: String,
    lead: String,
    /// The critical path with titles and estimates, first to last.
    critical: Vec<PathStep>,
}

#[derive(Serialize)]
struct PathStep {
    id: String,
    title: String,
    hours: f64,
    status: &'static str,
    assignee: Option<String>,
}

#[derive(Serialize)]
struct Context<'a> {
    page: Page<'a>,
    graph: String,
    lanes: String,
    throughput: String,
    queue: String,
}

/// The dashboard page.
pub fn render(d: &Dashboard) -> Result<String, minijinja::Error> {
    let state = &d.state;
    let mut report = status::build(&Input::of(state));
    // The same judgement as `status` and `report` (pure on the state), and the milestones'
    // health from its forecast, so the page never says "on track" where they say "at risk".
    let day = crate::ops::status::assess_brief(state);
    status::apply_forecast(&mut report, &day);
    let (graph, graph_note) = graph_svg(state.work.tasks(), state.default_hours);
    let dist = |d: &crate::ops::metrics::Distribution| match (d.median_hours, d.p90_hours) {
        (Some(m), Some(p)) => format!("median {m}h · p90 {p}h · {} task(s)", d.count),
        _ => "no finished task yet".to_owned(),
    };
    let critical = report
        .critical_path
        .tasks
        .iter()
        .filter_map(|id| state.work.tasks().iter().find(|t| &t.id == id))
        .map(|t| PathStep {
            id: t.id.to_string(),
            title: t.title.clone(),
            hours: t.hours(state.default_hours),
            status: t.status.as_str(),
            assignee: t.assignee.as_ref().map(|a| a.to_string()),
        })
        .collect();
    let page = Page {
        colour_label: day.go_no_go.colour.label(),
        go_no_go: day.go_no_go,
        critical,
        generated: state.now,
        slos_met: d.metrics.slos.iter().all(|s| s.met),
        breaches: d.metrics.slos.iter().map(|s| s.breaches.len()).sum(),
        metrics: &d.metrics,
        advice: &d.advice,
        warnings: &d.warnings,
        graph_note,
        cycle: dist(&d.metrics.cycle_time),
        lead: dist(&d.metrics.lead_time),
        report,
    };
    let mut env = Environment::new();
    env.add_template("dashboard.html", TEMPLATE)?;
    // The pictures are SVG drawn here (record text escaped by `esc`), marked `| safe` in the
    // template; everything else is escaped by the template's HTML auto-escaping.
    let ctx = Context {
        page,
        graph,
        lanes: lanes_svg(&d.lanes, state.now),
        throughput: throughput_svg(&d.metrics),
        queue: queue_svg(&d.metrics),
    };
    env.get_template("dashboard.html")?
        .render(minijinja::value::Serde(&ctx))
}

const NODE_W: i64 = 200;
const NODE_H: i64 = 46;
const GAP_X: i64 = 56;
const GAP_Y: i64 = 14;

/// The layer of each task: 0 without open dependencies drawn, else one more than its deepest
/// dependency. A cycle is cut where it is met (the graph commands report it).
fn layers(tasks: &[&Task]) -> HashMap<TaskId, usize> {
    let index: HashMap<&TaskId, &Task> = tasks.iter().map(|t| (&t.id, *t)).collect();
    let mut layer: HashMap<TaskId, usize> = HashMap::new();
    let mut visiting: Vec<TaskId> = Vec::new();
    fn visit(
        id: &TaskId,
        index: &HashMap<&TaskId, &Task>,
        layer: &mut HashMap<TaskId, usize>,
        visiting: &mut Vec<TaskId>,
    ) -> usize {
        if let Some(l) = layer.get(id) {
            return *l;
        }
        if visiting.contains(id) {
            return 0;
        }
        visiting.push(id.clone());
        let l = index.get(id).map_or(0, |t| {
            t.depends_on
                .iter()
                .filter(|d| index.contains_key(d))
                .map(|d| visit(d, index, layer, visiting) + 1)
                .max()
                .unwrap_or(0)
        });
        visiting.pop();
        layer.insert(id.clone(), l);
        l
    }
    for t in tasks {
        visit(&t.id, &index, &mut layer, &mut visiting);
    }
    layer
}

/// The dependency graph as SVG: layers left to right, the critical path in red.
pub fn graph_svg(all: &[Task], default_hours: f64) -> (String, Option<String>) {
    let g = TaskGraph::new(all);
    let critical = g.schedule(default_hours).critical_path;
    let mut shown: Vec<&Task> = all
        .iter()
        .filter(|t| t.status != Status::Cancelled)
        .collect();
    let mut note = None;
    if shown.len() > MAX_GRAPH_TASKS {
        // Open work first (what the graph is for), then the most recently finished.
        shown.sort_by(|a, b| {
            (a.status == Status::Done)
                .cmp(&(b.status == Status::Done))
                .then(b.updated.cmp(&a.updated))
        });
        note = Some(format!(
            "{} of {} tasks drawn (open work first); `git coord graph` has them all",
            MAX_GRAPH_TASKS,
            shown.len()
        ));
        shown.truncate(MAX_GRAPH_TASKS);
    }
    let layer = layers(&shown);
    let on_path = |id: &TaskId| critical.contains(id);
    let mut columns: BTreeMap<usize, Vec<&Task>> = BTreeMap::new();
    for t in &shown {
        columns.entry(layer[&t.id]).or_default().push(t);
    }
    let mut pos: HashMap<&TaskId, (i64, i64)> = HashMap::new();
    let mut height = 0;
    for (l, col) in columns.iter_mut() {
        col.sort_by(|a, b| {
            (!on_path(&a.id))
                .cmp(&!on_path(&b.id))
                .then(a.priority.cmp(&b.priority))
                .then(a.id.cmp(&b.id))
        });
        for (i, t) in col.iter().enumerate() {
            let (x, y) = (
                16 + *l as i64 * (NODE_W + GAP_X),
                16 + i as i64 * (NODE_H + GAP_Y),
            );
            pos.insert(&t.id, (x, y));
            height = height.max(y + NODE_H + 16);
        }
    }
    let width = 16 + columns.len() as i64 * (NODE_W + GAP_X);
    let mut svg = format!(
        r##"<svg class="graph" id="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="Task dependency graph">"##
    );
    svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a94a6"/></marker><marker id="arrow-critical" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#d1343f"/></marker></defs>"##);
    for t in &shown {
        let Some(&(x2, y2)) = pos.get(&t.id) else {
            continue;
        };
        for d in &t.depends_on {
            let Some(&(x1, y1)) = pos.get(d) else {
                continue;
            };
            let crit = critical.windows(2).any(|w| &w[0] == d && w[1] == t.id);
            let (sx, sy, ex, ey) = (x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2);
            let mid = (sx + ex) / 2;
            let class = if crit { "edge critical" } else { "edge" };
            let marker = if crit { "arrow-critical" } else { "arrow" };
            let _ = write!(
                svg,
                r##"<path class="{class}" d="M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}" marker-end="url(#{marker})"/>"##
            );
        }
    }
    for t in &shown {
        let Some(&(x, y)) = pos.get(&t.id) else {
            continue;
        };
        let mut class = format!("node status-{}", t.status.as_str());
        if on_path(&t.id) {
            class.push_str(" critical");
        }
        let who = t
            .assignee
            .as_ref()
            .map(|a| format!(" · {a}"))
            .unwrap_or_default();
        let _ = write!(
            svg,
            r##"<g class="{class}" data-task="{id}"><title>{id} {title} ({status}{who})</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{tx}" y="{ty1}" class="node-id">{id}{who_e}</text><text x="{tx}" y="{ty2}" class="node-title">{short}</text></g>"##,
            id = esc(t.id.as_str()),
            title = esc(&t.title),
            status = t.status.as_str(),
            who = esc(&who),
            who_e = esc(&who),
            tx = x + 8,
            ty1 = y + 17,
            ty2 = y + 35,
            short = esc(&truncate(&t.title, 26)),
        );
    }
    svg.push_str("</svg>");
    (svg, note)
}

fn hhmm(t: i64) -> String {
    Timestamp::from_unix(t)
        .map(|t| t.datetime().format("%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Per-agent swim lanes over time as SVG: one row per agent, a bar per task from claim to done
/// (open ones reach the right edge, now).
pub fn lanes_svg(lanes: &[Lane], now: Timestamp) -> String {
    const LABEL: i64 = 120;
    const W: i64 = 860;
    const ROW: i64 = 30;
    let end = now.unix();
    let start = lanes
        .iter()
        .flat_map(|l| l.bars.iter().map(|b| b.start.unix()))
        .min()
        .unwrap_or(end - 3600)
        .max(end - crate::ops::dashboard::LANES_SECS)
        .min(end - 3600);
    let span = (end - start).max(1) as f64;
    let x = |t: i64| {
        LABEL + (((t.clamp(start, end) - start) as f64 / span) * (W - LABEL - 10) as f64) as i64
    };
    let height = 24 + ROW * lanes.len().max(1) as i64;
    let mut svg = format!(
        r##"<svg class="lanes" id="lanes" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" viewBox="0 0 {W} {height}" role="img" aria-label="Work per agent over time">"##
    );
    // A tick every few hours, so the axis reads at a glance whatever the span.
    let step = [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]
        .into_iter()
        .find(|s| (end - start) / s <= 8)
        .unwrap_or(24 * 3600);
    let mut t = start.div_euclid(step) * step + step;
    while t < end {
        let _ = write!(
            svg,
            r##"<line class="tick" x1="{0}" y1="14" x2="{0}" y2="{height}"/><text class="tick-label" x="{0}" y="11">{1}</text>"##,
            x(t),
            hhmm(t)
        );
        t += step;
    }
    if lanes.is_empty() {
        let _ = write!(
            svg,
            r##"<text class="empty" x="{LABEL}" y="42">No work claimed in the last two days.</text>"##
        );
    }
    for (i, lane) in lanes.iter().enumerate() {
        let y = 20 + i as i64 * ROW;
        let _ = write!(
            svg,
            r##"<g class="lane" data-agent="{a}"><text class="lane-label" x="4" y="{ty}">{a}</text><line class="lane-line" x1="{LABEL}" y1="{ly}" x2="{W}" y2="{ly}"/>"##,
            a = esc(&lane.agent),
            ty = y + 18,
            ly = y + ROW - 2,
        );
        for b in &lane.bars {
            let (x1, x2) = (x(b.start.unix()), x(b.end.unix()));
            let w = (x2 - x1).max(3);
            let label = if w > 60 {
                esc(&truncate(&b.title, (w / 7) as usize))
            } else {
                String::new()
            };
            let _ = write!(
                svg,
                r##"<g class="bar status-{s}{open}"><title>{id} {title}: {from} → {to}</title><rect x="{x1}" y="{y}" width="{w}" height="{h}" rx="4"/><text x="{tx}" y="{ty}">{label}</text></g>"##,
                s = esc(&b.status),
                open = if b.open { " open" } else { "" },
                id = esc(&b.task),
                title = esc(&b.title),
                from = b.start,
                to = if b.open {
                    "now".to_owned()
                } else {
                    b.end.to_string()
                },
                y = y + 4,
                h = ROW - 8,
                tx = x1 + 5,
                ty = y + 19,
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Tasks done per day, the last 14 days that had completions, as a small bar chart.
pub fn throughput_svg(m: &Metrics) -> String {
    const W: i64 = 320;
    const H: i64 = 120;
    let days: Vec<(&String, &usize)> = m.throughput.per_day.iter().rev().take(14).collect();
    let days: Vec<_> = days.into_iter().rev().collect();
    let max = days.iter().map(|(_, n)| **n).max().unwrap_or(0).max(1) as i64;
    let mut svg = format!(
        r##"<svg class="chart throughput" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="Tasks done per day">"##
    );
    if days.is_empty() {
        svg.push_str(r##"<text class="empty" x="10" y="60">No task finished yet.</text>"##);
    }
    let bw = ((W - 20) / days.len().max(1) as i64).min(40);
    for (i, (day, n)) in days.iter().enumerate() {
        let h = (**n as i64 * (H - 40)) / max;
        let x = 10 + i as i64 * bw;
        let y = H - 20 - h;
        let _ = write!(
            svg,
            r##"<g class="bar"><title>{day}: {n} done</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2"/><text class="value" x="{cx}" y="{vy}">{n}</text><text class="axis" x="{cx}" y="{ay}">{d}</text></g>"##,
            w = bw - 6,
            cx = x + (bw - 6) / 2,
            vy = y - 3,
            ay = H - 6,
            d = esc(day.get(5..).unwrap_or(day)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The ready queue over time as a small step chart.
pub fn queue_svg(m: &Metrics) -> String {
    const W: i64 = 320;
    const H: i64 = 120;
    let points = &m.queue_depth.over_time;
    let mut svg = format!(
        r##"<svg class="chart queue" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="Ready tasks over time">"##
    );
    if points.is_empty() {
        svg.push_str(r##"<text class="empty" x="10" y="60">No history yet.</text>"##);
        svg.push_str("</svg>");
        return svg;
    }
    let (t0, t1) = (
        points.first().map_or(0, |p| p.at.unix()),
        points.last().map_or(1, |p| p.at.unix()),
    );
    let span = (t1 - t0).max(1) as f64;
    let max = points.iter().map(|p| p.ready).max().unwrap_or(0).max(1) as f64;
    let x = |t: i64| 10.0 + ((t - t0) as f64 / span) * (W - 20) as f64;
    let y = |n: u32| (H - 20) as f64 - (n as f64 / max) * (H - 40) as f64;
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let (px, py) = (x(p.at.unix()), y(p.ready));
        if i == 0 {
            let _ = write!(d, "M{px:.1},{py:.1}");
        } else {
            let _ = write!(d, " H{px:.1} V{py:.1}");
        }
    }
    let _ = write!(
        svg,
        r##"<path class="line" d="{d}"/><text class="axis" x="10" y="{ay}">{from}</text><text class="axis end" x="{ex}" y="{ay}">{to}</text><text class="value" x="10" y="14">max {max}</text>"##,
        ay = H - 6,
        ex = W - 10,
        from = hhmm(t0),
        to = hhmm(t1),
        max = max as u32,
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_cannot_inject_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert!(!esc("a\u{202e}b").contains('\u{202e}'));
    }

    #[test]
    fn titles_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a long title here", 7), "a long…");
    }
}
