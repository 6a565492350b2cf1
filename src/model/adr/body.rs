/*!
An ADR's markdown body, edited by parts: its `# ` title line, a `## ` section, a paragraph that starts with a given
prefix inside a section, or a key of the metadata block (MADR's leading YAML front matter, or
`* Key: value` lines before the first section).

A write regenerates only the parts whose rendering changed ([`refresh`]): everything else in
the body, including text people wrote by hand and the exact bytes of an imported file, stays
as it was. `## ` lines inside fenced code blocks are not headings.
*/

/// A `## ` section of a body, as byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    /// Where its heading line starts.
    pub start: usize,
    /// Where its content starts (after the heading line).
    pub content_start: usize,
    /// Where the next section starts, or the end of the body.
    pub end: usize,
}

/// Every `## ` section of `body`, in order.
pub fn sections(body: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                match fence {
                    None => fence = Some(marker),
                    Some(m) if m == marker => fence = None,
                    Some(_) => {}
                }
            }
        }
        if fence.is_none()
            && let Some(heading) = line.strip_prefix("## ")
        {
            if let Some(last) = out.last_mut() {
                last.end = offset;
            }
            out.push(Section {
                heading: heading.trim().to_owned(),
                start: offset,
                content_start: offset + line.len(),
                end: body.len(),
            });
        }
        offset += line.len();
    }
    out
}

fn find(body: &str, heading: &str) -> Option<Section> {
    sections(body)
        .into_iter()
        .find(|s| s.heading.eq_ignore_ascii_case(heading))
}

/// The content of the `## heading` section (any case), trimmed; `None` when there is none.
pub fn section_text<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    find(body, heading).map(|s| body[s.content_start..s.end].trim())
}

/// The text before the first `## ` section.
pub fn preamble(body: &str) -> &str {
    let end = sections(body).first().map_or(body.len(), |s| s.start);
    &body[..end]
}

/// One regenerated part of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// The content of the `## heading` section, added at the end when missing. With `owned`,
    /// only the lines that start with one of those prefixes (any case) are replaced; the
    /// section's other lines are kept after the new text.
    Section {
        heading: String,
        text: String,
        owned: Option<&'static [&'static str]>,
    },
    /// The paragraph of the `## heading` section that starts with `prefix`, or a new first
    /// paragraph of that section.
    Paragraph {
        heading: String,
        prefix: String,
        text: String,
    },
    /// `key: value` in the metadata block.
    Meta { key: String, value: String },
    /// The text of the document's `# ` title line (the first one before any section), or a
    /// new first line after the metadata block when it has none.
    Title { text: String },
}

/// `body` with every part of `new` that is not identical in `old` written in.
pub fn refresh(body: &str, old: &[Part], new: &[Part]) -> String {
    let mut out = body.to_owned();
    for part in new {
        if !old.contains(part) {
            out = apply(&out, part);
        }
    }
    out
}

/// `body` with `part` written in.
pub fn apply(body: &str, part: &Part) -> String {
    match part {
        Part::Section {
            heading,
            text,
            owned,
        } => set_section(body, heading, text, *owned),
        Part::Paragraph {
            heading,
            prefix,
            text,
        } => set_paragraph(body, heading, prefix, text),
        Part::Meta { key, value } => set_meta(body, key, value),
        Part::Title { text } => set_title(body, text),
    }
}

fn starts_with_any(line: &str, prefixes: &[&str]) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    prefixes.iter().any(|p| lower.starts_with(p))
}

/// Replaces the content range of `s` with `text`, spaced like a hand-written document: a blank
/// line after the heading and before the next one.
fn replace_content(body: &str, s: &Section, text: &str) -> String {
    let last = s.end == body.len();
    let text = text.trim();
    let mut content = String::from("\n");
    if !text.is_empty() {
        content.push_str(text);
        content.push('\n');
    }
    if !last {
        content.push('\n');
    }
    format!("{}{}{}", &body[..s.content_start], content, &body[s.end..])
}

fn append_section(body: &str, heading: &str, text: &str) -> String {
    let mut out = body.to_owned();
    if !out.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out.push_str(&format!("## {heading}\n\n{}\n", text.trim()));
    out
}

fn set_section(body: &str, heading: &str, text: &str, owned: Option<&[&str]>) -> String {
    let Some(s) = find(body, heading) else {
        return append_section(body, heading, text);
    };
    let mut full = text.trim().to_owned();
    if let Some(prefixes) = owned {
        for line in body[s.content_start..s.end].lines() {
            if !line.trim().is_empty() && !starts_with_any(line, prefixes) {
                full.push_str("\n\n");
                full.push_str(line.trim_end());
            }
        }
    }
    replace_content(body, &s, &full)
}

fn set_paragraph(body: &str, heading: &str, prefix: &str, text: &str) -> String {
    let Some(s) = find(body, heading) else {
        return append_section(body, heading, text);
    };
    let content = &body[s.content_start..s.end];
    let mut offset = s.content_start;
    let mut start = None;
    let mut end = s.end;
    for line in content.split_inclusive('\n') {
        if start.is_none() {
            if line.trim_start().starts_with(prefix) {
                start = Some(offset);
            }
        } else if line.trim().is_empty() || line.starts_with('#') {
            end = offset;
            break;
        }
        offset += line.len();
    }
    match start {
        Some(start) => format!("{}{}\n{}", &body[..start], text.trim(), &body[end..]),
        None => {
            let rest = content.trim_start_matches('\n');
            let joined = if rest.trim().is_empty() {
                text.trim().to_owned()
            } else {
                format!("{}\n\n{}", text.trim(), rest.trim_end())
            };
            replace_content(body, &s, &joined)
        }
    }
}

/// The first `# ` line of the preamble (after any YAML block), as the range of that line
/// without its newline.
pub fn title_line(body: &str) -> Option<(usize, usize)> {
    let start = yaml_block(body).map_or(0, |(_, end)| {
        body[end..].find('\n').map_or(body.len(), |i| end + i + 1)
    });
    let pre_end = preamble(body).len().max(start);
    let mut offset = start;
    for line in body[start..pre_end].split_inclusive('\n') {
        if line.starts_with("# ") {
            return Some((offset, offset + line.trim_end_matches(['\n', '\r']).len()));
        }
        offset += line.len();
    }
    None
}

fn set_title(body: &str, text: &str) -> String {
    let line = format!("# {}", text.trim());
    match title_line(body) {
        Some((start, end)) => format!("{}{line}{}", &body[..start], &body[end..]),
        None => {
            let (_, rest) = split_yaml(body);
            let at = body.len() - rest.len();
            format!("{}{line}\n\n{}", &body[..at], rest.trim_start_matches('\n'))
        }
    }
}

/// The YAML front matter of `body` (between `---` lines at its very start), as the range of
/// its inner lines.
fn yaml_block(body: &str) -> Option<(usize, usize)> {
    let first = body.split_inclusive('\n').next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut offset = first.len();
    for line in body[first.len()..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((first.len(), offset));
        }
        offset += line.len();
    }
    None
}

/// Splits a body into its YAML front matter (inner text) and the rest.
pub fn split_yaml(body: &str) -> (Option<&str>, &str) {
    match yaml_block(body) {
        Some((start, end)) => {
            let close = body[end..].find('\n').map_or(body.len(), |i| end + i + 1);
            (Some(&body[start..end]), &body[close..])
        }
        None => (None, body),
    }
}

/// The metadata of a body as `(lowercase key, value)`: the keys of its YAML front matter
/// (block lists joined with `, `), or else `* Key: value` lines before its first section.
/// Values lose their quotes and list brackets.
pub fn metadata(body: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let (Some(yaml), _) = split_yaml(body) {
        for line in yaml.lines() {
            let item = line.trim_start().strip_prefix("- ");
            match (line.starts_with([' ', '\t', '-']), item, out.last_mut()) {
                (true, Some(item), Some((_, value))) => {
                    if !value.is_empty() {
                        value.push_str(", ");
                    }
                    value.push_str(unquote(item));
                }
                (false, _, _) => {
                    if let Some((k, v)) = line.split_once(':')
                        && !k.trim_start().starts_with('#')
                    {
                        out.push((k.trim().to_ascii_lowercase(), clean_value(v)));
                    }
                }
                _ => {}
            }
        }
        return out;
    }
    for line in preamble(body).lines() {
        let Some(rest) = line.strip_prefix("* ").or_else(|| line.strip_prefix("- ")) else {
            continue;
        };
        if let Some((k, v)) = rest.split_once(':')
            && !k.trim().is_empty()
            && !k.contains(' ')
        {
            out.push((k.trim().to_ascii_lowercase(), clean_value(v)));
        }
    }
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn clean_value(v: &str) -> String {
    let v = v.trim();
    // A comment after a plain value.
    let v = match v.find(" #") {
        Some(i) if !v.starts_with(['"', '\'']) => v[..i].trim_end(),
        _ => v,
    };
    let v = unquote(v);
    match v.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => inner
            .split(',')
            .map(unquote)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        None => v.to_owned(),
    }
}

/// A comma-separated metadata value as a list.
pub fn meta_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| unquote(s).to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn yaml_scalar(value: &str, quoted: bool) -> String {
    let needs_quotes = value.contains(": ")
        || value.contains(" #")
        || value.starts_with([
            '[', '{', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#',
        ]);
    if quoted || needs_quotes {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_owned()
    }
}

fn set_meta(body: &str, key: &str, value: &str) -> String {
    if let Some((start, end)) = yaml_block(body) {
        let mut offset = start;
        for line in body[start..end].split_inclusive('\n') {
            if let Some((k, v)) = line.split_once(':')
                && !line.starts_with([' ', '\t', '#'])
                && k.trim().eq_ignore_ascii_case(key)
            {
                let quoted = v.trim_start().starts_with('"');
                let newline = if line.ends_with('\n') { "\n" } else { "" };
                let new = format!("{}: {}{newline}", k.trim_end(), yaml_scalar(value, quoted));
                return format!("{}{new}{}", &body[..offset], &body[offset + line.len()..]);
            }
            offset += line.len();
        }
        let new = format!("{key}: {}\n", yaml_scalar(value, false));
        return format!("{}{new}{}", &body[..start], &body[start..]);
    }
    let pre_end = preamble(body).len();
    let mut offset = 0;
    for line in body[..pre_end].split_inclusive('\n') {
        let rest = line.strip_prefix("* ").or_else(|| line.strip_prefix("- "));
        if let Some((k, _)) = rest.and_then(|r| r.split_once(':'))
            && k.trim().eq_ignore_ascii_case(key)
        {
            let head = &line[..2 + k.len() + 1];
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            let new = format!("{head} {value}{newline}");
            return format!("{}{new}{}", &body[..offset], &body[offset + line.len()..]);
        }
        offset += line.len();
    }
    format!("---\n{key}: {}\n---\n\n{body}", yaml_scalar(value, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# T\n\n## Status\n\nAccepted\n\nAmended by [2. X](0002-x.md)\n\n## Context\n\n```\n## not a heading\n```\n\n## Decision\n\nWe will.\n";

    #[test]
    fn sections_skip_fenced_code() {
        let s = sections(DOC);
        let names: Vec<&str> = s.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(names, ["Status", "Context", "Decision"]);
        assert_eq!(
            section_text(DOC, "context"),
            Some("```\n## not a heading\n```")
        );
        assert_eq!(preamble(DOC), "# T\n\n");
    }

    #[test]
    fn sections_are_replaced_keeping_unowned_lines() {
        let part = Part::Section {
            heading: "Status".into(),
            text: "Superseded by [3. Y](0003-y.md)".into(),
            owned: Some(&["accepted", "superseded"]),
        };
        let out = apply(DOC, &part);
        assert!(out.starts_with(
            "# T\n\n## Status\n\nSuperseded by [3. Y](0003-y.md)\n\nAmended by [2. X](0002-x.md)\n\n## Context\n"
        ), "{out}");
        let part = Part::Section {
            heading: "Decision".into(),
            text: "Chosen.".into(),
            owned: None,
        };
        assert!(apply(DOC, &part).ends_with("## Decision\n\nChosen.\n"));
        let part = Part::Section {
            heading: "Review date".into(),
            text: "2027-01-01".into(),
            owned: None,
        };
        assert!(apply(DOC, &part).ends_with("We will.\n\n## Review date\n\n2027-01-01\n"));
    }

    #[test]
    fn refresh_writes_only_changed_parts() {
        let part = |t: &str| Part::Section {
            heading: "Decision".into(),
            text: t.into(),
            owned: None,
        };
        assert_eq!(refresh(DOC, &[part("a")], &[part("a")]), DOC);
        assert!(refresh(DOC, &[part("a")], &[part("b")]).ends_with("## Decision\n\nb\n"));
    }

    #[test]
    fn title_lines_are_replaced_or_inserted() {
        let part = Part::Title {
            text: "1. New".into(),
        };
        assert_eq!(apply(DOC, &part), DOC.replacen("# T\n", "# 1. New\n", 1));
        let madr = "---\nstatus: accepted\n---\n\n# Old\n\n## Context\n\n# not this\n";
        assert_eq!(
            apply(madr, &part),
            "---\nstatus: accepted\n---\n\n# 1. New\n\n## Context\n\n# not this\n"
        );
        assert_eq!(
            apply("---\na: b\n---\n\n## Context\n", &part),
            "---\na: b\n---\n# 1. New\n\n## Context\n"
        );
        assert_eq!(
            apply("## Context\n\n# x\n", &part),
            "# 1. New\n\n## Context\n\n# x\n"
        );
    }

    #[test]
    fn paragraphs_are_replaced_or_inserted() {
        let doc = "## Decision Outcome\n\nChosen option: \"A\", because x\nand y.\n\n### Consequences\n\n* Good\n";
        let part = Part::Paragraph {
            heading: "Decision Outcome".into(),
            prefix: "Chosen option:".into(),
            text: "Chosen option: \"B\", because z.".into(),
        };
        assert_eq!(
            apply(doc, &part),
            "## Decision Outcome\n\nChosen option: \"B\", because z.\n\n### Consequences\n\n* Good\n"
        );
        let doc = "## Decision Outcome\n\n### Consequences\n\n* Good\n";
        assert_eq!(
            apply(doc, &part),
            "## Decision Outcome\n\nChosen option: \"B\", because z.\n\n### Consequences\n\n* Good\n"
        );
    }

    #[test]
    fn metadata_from_yaml_or_bullets() {
        let doc = "---\nstatus: \"accepted\" \ndate: 2026-01-01\ndeciders: [alice, 'bob']\nconsulted:\n  - carol\n  - dave\n# comment: x\n---\n# T\n";
        assert_eq!(
            metadata(doc),
            [
                ("status".to_owned(), "accepted".to_owned()),
                ("date".into(), "2026-01-01".into()),
                ("deciders".into(), "alice, bob".into()),
                ("consulted".into(), "carol, dave".into()),
            ]
        );
        assert_eq!(split_yaml(doc).1, "# T\n");
        let out = set_meta(doc, "status", "superseded by [ADR-0003](0003-x.md)");
        assert!(
            out.starts_with("---\nstatus: \"superseded by [ADR-0003](0003-x.md)\"\ndate:"),
            "{out}"
        );
        let doc = "# T\n\n* Status: proposed\n* Deciders: a, b\n\n## Context\n";
        assert_eq!(
            metadata(doc)[0],
            ("status".to_owned(), "proposed".to_owned())
        );
        assert!(set_meta(doc, "status", "accepted").contains("* Status: accepted\n* Deciders"));
        assert_eq!(
            set_meta("# T\n", "status", "accepted"),
            "---\nstatus: accepted\n---\n\n# T\n"
        );
    }
}
