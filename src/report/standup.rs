/*!
The stand-up as text lines ([`crate::ops::standup::Standup`]): critical issues first, then
one block per agent. Record text is escaped; the faces fit the lines to the screen.
*/

use crate::model::time::format_hours;
use crate::ops::standup::Standup;
use crate::ui::sanitize_line;

/// The stand-up's lines, without colour.
pub fn lines(s: &Standup) -> Vec<String> {
    let mut out = vec![format!(
        "Stand-up {}: {}",
        s.generated.datetime().format("%Y-%m-%d %H:%M UTC"),
        s.colour.label()
    )];
    out.push(String::new());
    out.push("Critical issues".to_owned());
    if s.critical.is_empty() {
        out.push("  none".to_owned());
    }
    for c in &s.critical {
        out.push(format!("  - {}", sanitize_line(c)));
    }
    for a in &s.agents {
        out.push(String::new());
        let role = a
            .role
            .as_deref()
            .map(|r| format!(" ({})", sanitize_line(r)))
            .unwrap_or_default();
        let stale = if a.stale { "  [stale]" } else { "" };
        out.push(format!("{}{role}{stale}", a.id));
        let yesterday: Vec<String> = a
            .yesterday
            .iter()
            .map(|f| format!("{} {}", f.id, sanitize_line(&f.title)))
            .collect();
        out.push(format!(
            "  yesterday: {}",
            if yesterday.is_empty() {
                "finished nothing".to_owned()
            } else {
                format!("finished {}", yesterday.join("; "))
            }
        ));
        let today: Vec<String> = a
            .today
            .iter()
            .map(|h| format!("{} {} ({})", h.id, sanitize_line(&h.title), h.status))
            .collect();
        let next = a
            .next
            .as_ref()
            .map(|n| format!("; next fits: {} {}", n.id, sanitize_line(&n.title)))
            .unwrap_or_default();
        out.push(format!(
            "  today: {}{next}",
            if today.is_empty() {
                "holds nothing".to_owned()
            } else {
                format!("holds {}", today.join("; "))
            }
        ));
        let blockers: Vec<String> = a
            .blockers
            .iter()
            .map(|b| {
                format!(
                    "{} {}: {} ({}{})",
                    b.id,
                    sanitize_line(&b.title),
                    sanitize_line(b.reason.as_deref().unwrap_or("no reason given")),
                    format_hours(b.age_hours),
                    if b.past_slo { ", past its SLO" } else { "" }
                )
            })
            .collect();
        out.push(format!(
            "  blockers: {}",
            if blockers.is_empty() {
                "none".to_owned()
            } else {
                blockers.join("; ")
            }
        ));
    }
    out
}
