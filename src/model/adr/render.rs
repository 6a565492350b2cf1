/*!
An ADR's body, rendered with minijinja from `templates/adr.md` (or the project's
`.coord/templates/adr.md`) in the Nygard/playbook layout: Status, Context, Decision,
Consequences, Alternatives, Review date. The caller gathers the data, including the titles of
the ADRs it links to; this module only renders.

It lives in the model, not in `report/`, because the rendered body is part of the record:
`adr new` writes it, and every later write regenerates the parts of it listed in
[`GENERATED`] ([`super::body::refresh`]). A pure function of the data and the template text;
reading the project's override is `ops`' job.
*/

use minijinja::Environment;
use serde::Serialize;

use crate::model::Timestamp;
use crate::model::adr::{Adr, AdrNumber};

/// The template compiled into the binary.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/adr.md");

/// The sections of the template that writes regenerate from the record's fields when what
/// they show changes. The others (Context, Consequences…) are written once and then belong
/// to people.
pub const GENERATED: [&str; 4] = ["Status", "Decision", "Alternatives", "Review date"];

#[derive(Debug, Serialize)]
pub struct AdrData {
    /// `ADR-0007`.
    pub id: String,
    pub number: u32,
    pub title: String,
    pub status: String,
    /// Only when the ADR is created (`--context`); later renderings leave Context alone.
    pub context: Option<String>,
    pub deciders: Vec<String>,
    pub input_from: Vec<String>,
    pub deadline: Option<String>,
    pub review_date: Option<String>,
    pub options: Vec<OptionData>,
    pub decision: Option<DecisionData>,
    pub supersedes: Vec<LinkData>,
    pub superseded_by: Vec<LinkData>,
    /// The day it was created, `YYYY-MM-DD`.
    pub created: String,
}

#[derive(Debug, Serialize)]
pub struct OptionData {
    pub name: String,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub effort: Option<String>,
    pub chosen: bool,
}

#[derive(Debug, Serialize)]
pub struct DecisionData {
    pub option: String,
    pub rationale: String,
    pub by: Option<String>,
    pub at: String,
}

/// Another ADR this one links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkData {
    pub id: String,
    pub number: u32,
    pub title: String,
    /// Its file name, a relative link from this ADR's file.
    pub file: String,
}

impl LinkData {
    pub fn new(number: AdrNumber, title: &str, file: &str) -> LinkData {
        LinkData {
            id: number.to_string(),
            number: number.get(),
            title: clean(title),
            file: file.to_owned(),
        }
    }
}

/// Control characters out (a record edited by hand could hold them); newlines and tabs stay.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A date when the instant is the end of a day (how `YYYY-MM-DD` deadlines are stored),
/// RFC 3339 otherwise.
pub fn day_or_time(t: Timestamp) -> String {
    let s = t.to_string();
    match s.strip_suffix("T23:59:59Z") {
        Some(day) => day.to_owned(),
        None => s,
    }
}

/// Ends free text as a sentence, so "because it is simple" reads as one.
pub fn sentence(s: &str) -> String {
    let t = clean(s.trim());
    match t.chars().last() {
        Some(c) if c.is_alphanumeric() || c == ')' || c == '`' => format!("{t}."),
        _ => t,
    }
}

impl AdrData {
    /// The data of `adr`, with the ADRs it supersedes and those that supersede it.
    pub fn new(
        adr: &Adr,
        context: Option<&str>,
        supersedes: Vec<LinkData>,
        superseded_by: Vec<LinkData>,
    ) -> AdrData {
        let chosen = adr.decision.as_ref().map(|d| d.option.as_str());
        AdrData {
            id: adr.number.to_string(),
            number: adr.number.get(),
            title: clean(&adr.title),
            status: adr.status.to_string(),
            context: context.map(|c| clean(c.trim())),
            deciders: adr.deciders.iter().map(|a| a.to_string()).collect(),
            input_from: adr.input_from.iter().map(|a| a.to_string()).collect(),
            deadline: adr.deadline.map(day_or_time),
            review_date: adr.review_date.map(day_or_time),
            options: adr
                .options
                .iter()
                .map(|o| OptionData {
                    name: clean(&o.name),
                    pros: o.pros.iter().map(|p| clean(p)).collect(),
                    cons: o.cons.iter().map(|c| clean(c)).collect(),
                    effort: o.effort.as_deref().map(clean),
                    chosen: chosen == Some(o.name.as_str()),
                })
                .collect(),
            decision: adr.decision.as_ref().map(|d| DecisionData {
                option: clean(&d.option),
                rationale: sentence(&d.rationale),
                by: d.by.as_ref().map(|b| b.to_string()),
                at: d.at.to_string(),
            }),
            supersedes,
            superseded_by,
            created: adr.created.to_string()[..10].to_owned(),
        }
    }
}

/// Renders `data` with `template`, with runs of blank lines squeezed to one and one final
/// newline. A broken override template is an error naming it.
pub fn render(template: &str, data: &AdrData) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .build()?,
    );
    env.add_template("adr.md", template)?;
    let text = env
        .get_template("adr.md")?
        .render(minijinja::value::Serde(data))?;
    Ok(tidy(&text))
}

fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AgentId;
    use crate::model::adr::NewAdr;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("a valid test time")
    }

    fn agent(s: &str) -> AgentId {
        AgentId::parse(s).expect("a valid test agent")
    }

    /// ADR-0007 as `adr new` creates it at a fixed time, with a deadline, deciders and
    /// context.
    fn proposed() -> Adr {
        Adr::new(
            AdrNumber::new(7).expect("7 is an ADR number"),
            &NewAdr {
                title: "Use Redis for the rate limiter".into(),
                context: Some("The limiter needs state shared by every instance.".into()),
                deciders: vec![agent("alice")],
                input_from: vec![agent("bob")],
                deadline: Some(at("2026-11-30T23:59:59Z")),
                ..NewAdr::default()
            },
            at("2026-11-21T10:00:00Z"),
        )
        .expect("a valid ADR")
    }

    /// Context as `--context` gives it: the body shows it trimmed, its control characters out.
    fn adr_context() -> Option<&'static str> {
        Some("  The limiter needs state shared by every instance.\u{7}\n")
    }

    fn rendered(adr: &Adr, context: Option<&str>, supersedes: Vec<LinkData>) -> String {
        let data = AdrData::new(adr, context, supersedes, Vec::new());
        render(DEFAULT_TEMPLATE, &data).expect("the built-in template renders")
    }

    #[test]
    fn a_new_adr_renders_from_the_built_in_template() {
        let adr = proposed();
        insta::assert_snapshot!(rendered(&adr, adr_context(), Vec::new()), @r#"
            # ADR-0007: Use Redis for the rate limiter

            Date: 2026-11-21

            ## Status

            Proposed

            To be decided by 2026-11-30.

            Deciders: alice

            Input from: bob

            ## Context

            The limiter needs state shared by every instance.

            ## Decision

            Not decided yet. Add the options with `git coord adr option 7 <name> --pros <text> --cons <text>`.

            ## Consequences

            What becomes easier or more difficult to do because of this change?

            ## Alternatives

            None recorded yet.

            ## Review date

            None set.
            "#);
    }

    #[test]
    fn a_decided_adr_renders_its_options_decision_and_links() {
        let mut adr = proposed();
        adr.add_option(
            "Redis",
            &["shared".into()],
            &["one more service".into()],
            Some("2d"),
        )
        .expect("a valid option");
        adr.add_option("In memory", &["simple".into()], &[], None)
            .expect("a valid option");
        adr.decide(
            "Redis",
            "it is shared by every instance",
            Some(agent("alice")),
            at("2026-11-25T09:30:00Z"),
        )
        .expect("a proposed ADR can be decided");
        adr.review_date = Some(at("2027-05-01T23:59:59Z"));
        let old = AdrNumber::new(3).expect("3 is an ADR number");
        let links = vec![LinkData::new(
            old,
            "Use a \u{1b}[31mtoken bucket",
            "0003-token-bucket.md",
        )];
        adr.supersedes = vec![old];
        insta::assert_snapshot!(rendered(&adr, None, links), @r#"
            # ADR-0007: Use Redis for the rate limiter

            Date: 2026-11-21

            ## Status

            Accepted

            Supersedes [ADR-0003: Use a [31mtoken bucket](0003-token-bucket.md)

            Deciders: alice

            Input from: bob

            ## Context

            What is the issue that motivates this decision or change?

            ## Decision

            Chosen option: "Redis", because it is shared by every instance.

            Decided by alice on 2026-11-25T09:30:00Z.

            ## Consequences

            What becomes easier or more difficult to do because of this change?

            ## Alternatives

            ### Redis

            * Good, because shared
            * Bad, because one more service
            * Effort: 2d

            ### In memory

            * Good, because simple

            ## Review date

            2027-05-01
            "#);
    }

    #[test]
    fn a_superseded_adr_links_to_what_replaced_it() {
        let mut adr = proposed();
        adr.status = crate::model::adr::AdrStatus::Superseded;
        let by = vec![LinkData::new(
            AdrNumber::new(9).expect("9 is an ADR number"),
            "Use the gateway's limiter",
            "0009-use-the-gateways-limiter.md",
        )];
        let text = render(DEFAULT_TEMPLATE, &AdrData::new(&adr, None, Vec::new(), by))
            .expect("the built-in template renders");
        let status = crate::model::adr::body::section_text(&text, "Status").map(str::trim);
        insta::assert_snapshot!(status.unwrap_or_default(), @r#"
            Superseded by [ADR-0009: Use the gateway's limiter](0009-use-the-gateways-limiter.md)

            Deciders: alice

            Input from: bob
            "#);
    }

    #[test]
    fn a_broken_template_is_an_error_and_blank_runs_are_squeezed() {
        let data = AdrData::new(&proposed(), None, Vec::new(), Vec::new());
        assert!(render("# {{ title", &data).is_err());
        assert_eq!(
            render("\n\n# {{ id }}\n\n\n\nText   \n\n", &data).expect("renders"),
            "# ADR-0007\n\nText\n"
        );
    }

    #[test]
    fn days_and_sentences() {
        assert_eq!(day_or_time(at("2026-11-30T23:59:59Z")), "2026-11-30");
        assert_eq!(
            day_or_time(at("2026-11-30T12:00:00Z")),
            "2026-11-30T12:00:00Z"
        );
        assert_eq!(sentence(" it is simple "), "it is simple.");
        assert_eq!(sentence("see `x`"), "see `x`.");
        assert_eq!(sentence("done!"), "done!");
        assert_eq!(sentence("a\u{1b}b"), "ab.");
    }
}
