/*!
The daily status report as text: [`crate::ops::report::DailyReport`] rendered with minijinja
from `templates/report.md` or the project's `.coord/templates/report.md`. Two filters are
there for templates: `hours` (`6h`, `1.5h`, `45m`) and `date` (`2026-11-21 10:00 UTC`).
*/

use minijinja::Environment;

use crate::model::Timestamp;
use crate::model::time::format_hours;
use crate::ops::report::DailyReport;

/// Renders `data` with `template`; a template that does not parse or render is an error
/// (the caller names the file).
pub fn render(template: &str, data: &DailyReport) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .build()?,
    );
    env.add_filter("hours", |h: f64| format_hours(h));
    env.add_filter("date", |s: String| {
        Timestamp::parse_rfc3339(&s)
            .map(|t| t.datetime().format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or(s)
    });
    env.add_template("report.md", template)?;
    let text = env
        .get_template("report.md")?
        .render(minijinja::value::Serde(data))?;
    // Record text is markdown here, but never a terminal escape (a title could hold one).
    Ok(text
        .lines()
        .map(|l| crate::ui::sanitize_line(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n"))
}
