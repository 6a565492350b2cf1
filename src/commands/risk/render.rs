/*!
How a risk looks to people: the full view of `risk show` (the JSON object is `view::risk`)
(DESIGN §4 records).
*/

use crate::model::risk::Risk;
use crate::model::{Timestamp, layout};
use crate::ui::{Style, Ui, body_block, indented, sanitize_line, table};

pub fn score_label(ui: &Ui, r: &Risk) -> String {
    let style = match r.score() {
        6.. => Style::Red,
        3..=5 => Style::Yellow,
        _ => Style::Dim,
    };
    ui.paint(style, &r.score().to_string()).into_owned()
}

/// The full view of one risk.
pub fn detail(ui: &Ui, r: &Risk, now: Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |k: &str, v: String| rows.push(vec![format!("{k}:"), v]);
    row("status", r.status.to_string());
    if let Some(reason) = &r.closed_reason {
        row("closed", sanitize_line(reason).into_owned());
    }
    row(
        "score",
        format!(
            "{} (impact {} × probability {})",
            score_label(ui, r),
            r.impact,
            r.probability
        ),
    );
    if let Some(m) = &r.mitigation {
        row("mitigation", sanitize_line(m).into_owned());
    }
    if let Some(o) = &r.owner {
        row("owner", o.to_string());
    }
    row("created", format!("{} ({})", r.created, r.created.ago(now)));
    row("updated", r.updated.to_string());
    row("path", layout::risk_path(&r.id));
    let mut out = format!(
        "{}  {}\n",
        ui.paint(Style::Bold, r.id.as_str()),
        ui.paint(Style::Bold, &sanitize_line(&r.title))
    );
    out.push_str(&indented(&table(&rows), 2));
    out.push_str(&body_block(&r.body));
    out
}
