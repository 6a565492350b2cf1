/*!
The risk record (`risks/<id>.md`): what could go wrong, how bad and how likely it is, how it
is mitigated and who watches it. Risks rank by impact × probability (each scored low 1,
medium 2, high 3). A rewrite keeps fields this version does not know and every comment
written by hand.
*/

use std::cmp::{Ordering, Reverse};

use serde::Serialize;

use super::conflict::{body_text, validate_text};
use super::id::{AgentId, RiskId};
use super::layout::{RISKS_DIR, risk_path};
use super::record::kind::{plain_origin, record_accessors};
use super::record::{self, FieldSpec, FieldValue, Fields, Origin, Record, RecordError};
use super::task::{InvalidField, validate_record_title};
use super::time::Timestamp;

/// How many random characters a new risk ID gets.
pub const RISK_ID_LEN: usize = 6;

crate::keyword_enum! {
    /// An impact or a probability.
    pub enum Level("level") { Low = "low", Medium = "medium", High = "high" }
}

impl Level {
    /// low 1, medium 2, high 3.
    pub fn score(self) -> u8 {
        match self {
            Level::Low => 1,
            Level::Medium => 2,
            Level::High => 3,
        }
    }
}

crate::keyword_enum! {
    /// Whether a risk is still open.
    pub enum RiskStatus("risk status") { Open = "open", Closed = "closed" }
}

/// One risk, as stored in its record file.
#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    pub id: RiskId,
    pub title: String,
    pub impact: Level,
    pub probability: Level,
    pub mitigation: Option<String>,
    pub owner: Option<AgentId>,
    pub status: RiskStatus,
    pub closed_reason: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub body: String,
    #[serde(skip)]
    source: Option<Origin>,
}

/// What a new risk is made of.
#[derive(Clone, Debug)]
pub struct NewRisk {
    pub title: String,
    pub impact: Level,
    pub probability: Level,
    pub mitigation: Option<String>,
    pub owner: Option<AgentId>,
    pub body: String,
}

/// Field changes for `risk edit`; `None` leaves a field as it is, `Some(None)` removes it.
#[derive(Clone, Debug, Default)]
pub struct RiskPatch {
    pub title: Option<String>,
    pub impact: Option<Level>,
    pub probability: Option<Level>,
    pub mitigation: Option<Option<String>>,
    pub owner: Option<Option<AgentId>>,
    pub body: Option<String>,
}

impl RiskPatch {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.impact.is_none()
            && self.probability.is_none()
            && self.mitigation.is_none()
            && self.owner.is_none()
            && self.body.is_none()
    }

    /// Validates the patch on its own, before any repository access.
    pub fn validate(&self) -> Result<(), InvalidField> {
        if let Some(t) = &self.title {
            validate_record_title("risk", t)?;
        }
        if let Some(Some(m)) = &self.mitigation {
            validate_text("mitigation", m)?;
        }
        Ok(())
    }
}

fn opt_text(field: &'static str, text: Option<&str>) -> Result<Option<String>, InvalidField> {
    text.map(|t| validate_text(field, t)).transpose()
}

impl Risk {
    /// Builds a new open risk from user input, validating it.
    pub fn new(id: RiskId, new: NewRisk, now: Timestamp) -> Result<Risk, InvalidField> {
        Ok(Risk {
            id,
            title: validate_record_title("risk", &new.title)?,
            impact: new.impact,
            probability: new.probability,
            mitigation: opt_text("mitigation", new.mitigation.as_deref())?,
            owner: new.owner,
            status: RiskStatus::Open,
            closed_reason: None,
            created: now,
            updated: now,
            body: body_text(new.body),
            source: None,
        })
    }

    /// impact × probability, from 1 (low, low) to 9 (high, high).
    pub fn score(&self) -> u8 {
        self.impact.score() * self.probability.score()
    }

    /// Applies `patch`; returns whether anything changed (and then bumps `updated`).
    pub fn apply(&mut self, patch: &RiskPatch, now: Timestamp) -> Result<bool, InvalidField> {
        let before = self.to_text();
        if let Some(t) = &patch.title {
            self.title = validate_record_title("risk", t)?;
        }
        if let Some(l) = patch.impact {
            self.impact = l;
        }
        if let Some(l) = patch.probability {
            self.probability = l;
        }
        if let Some(m) = &patch.mitigation {
            self.mitigation = opt_text("mitigation", m.as_deref())?;
        }
        if let Some(o) = &patch.owner {
            self.owner = o.clone();
        }
        if let Some(b) = &patch.body {
            self.body = body_text(b.clone());
        }
        let changed = self.to_text() != before;
        if changed {
            self.updated = self.updated.max(now);
        }
        Ok(changed)
    }

    /// Closes the risk, with an optional reason. The caller refuses a risk already closed.
    pub fn close(&mut self, reason: Option<&str>, now: Timestamp) -> Result<(), InvalidField> {
        self.closed_reason = opt_text("reason", reason)?;
        self.status = RiskStatus::Closed;
        self.updated = self.updated.max(now);
        Ok(())
    }

    /// Parses a risk record file.
    pub fn parse(path: &str, text: &str) -> Result<Risk, RecordError> {
        <Risk as Record>::parse(path, text)
    }

    /// The record file's text: the original file with only the changed fields rewritten.
    pub fn to_text(&self) -> String {
        <Risk as Record>::to_text(self)
    }
}

impl Record for Risk {
    type Id = RiskId;
    const NOUN: &'static str = "risk";
    const DIR: &'static str = RISKS_DIR;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::scalar("id"),
        FieldSpec::scalar("title"),
        FieldSpec::scalar("impact"),
        FieldSpec::scalar("probability"),
        FieldSpec::scalar("mitigation"),
        FieldSpec::scalar("owner"),
        FieldSpec::scalar("status"),
        FieldSpec::scalar("closed_reason"),
        FieldSpec::scalar("created"),
        FieldSpec::scalar("updated"),
    ];

    fn path(id: &RiskId) -> String {
        risk_path(id)
    }

    fn id_from_path(path: &str) -> Option<RiskId> {
        RiskId::from_path(path)
    }

    record_accessors!();

    fn from_fields(f: &Fields<'_>) -> Result<Risk, RecordError> {
        let id = f.str("id")?;
        let id = RiskId::parse(&id).map_err(|e| f.invalid("id", e.to_string()))?;
        let level = |key: &str| -> Result<Level, RecordError> {
            f.str(key)?
                .parse()
                .map_err(|e: String| f.invalid(key, format!("`{key}`: {e}")))
        };
        let status = match f.opt_str("status")? {
            None => RiskStatus::Open,
            Some(s) => s.parse().map_err(|e: String| f.invalid("status", e))?,
        };
        Ok(Risk {
            id,
            title: f.str("title")?,
            impact: level("impact")?,
            probability: level("probability")?,
            mitigation: f.opt_str("mitigation")?,
            owner: f.opt_agent("owner")?,
            status,
            closed_reason: f.opt_str("closed_reason")?,
            created: f.timestamp("created")?,
            updated: f.timestamp("updated")?,
            body: String::new(),
            source: None,
        })
    }

    plain_origin!();

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("title", string(&self.title)),
            ("impact", string(self.impact.as_str())),
            ("probability", string(self.probability.as_str())),
            ("mitigation", opt_string(self.mitigation.as_deref())),
            (
                "owner",
                opt_string(self.owner.as_ref().map(AgentId::as_str)),
            ),
            ("status", string(self.status.as_str())),
            ("closed_reason", opt_string(self.closed_reason.as_deref())),
            ("created", timestamp(self.created)),
            ("updated", timestamp(self.updated)),
        ]
    }

    fn validate(&self) -> Result<(), InvalidField> {
        validate_record_title(Self::NOUN, &self.title)?;
        for (field, text) in [
            ("mitigation", &self.mitigation),
            ("closed_reason", &self.closed_reason),
        ] {
            if let Some(t) = text {
                validate_text(field, t)?;
            }
        }
        Ok(())
    }

    /// Highest impact × probability first, then the oldest, then by ID.
    fn list_order(&self, other: &Risk) -> Ordering {
        (Reverse(self.score()), self.created, &self.id).cmp(&(
            Reverse(other.score()),
            other.created,
            &other.id,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    const PATH: &str = "risks/r-aaaaaa.md";

    fn risk() -> Risk {
        Risk::new(
            RiskId::parse("r-aaaaaa").unwrap(),
            NewRisk {
                title: "Redis is a single point of failure".into(),
                impact: Level::High,
                probability: Level::Medium,
                mitigation: Some(" Sentinel ".into()),
                owner: Some(AgentId::parse("state").unwrap()),
                body: "Seen in staging.\n".into(),
            },
            at("2026-11-21T10:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn levels_and_scores() {
        assert_eq!(risk().score(), 6);
        assert_eq!("low".parse::<Level>(), Ok(Level::Low));
        let e = "huge".parse::<Level>().unwrap_err();
        assert!(e.contains("use low, medium or high"), "{e}");
        let scores: Vec<u8> = Level::ALL.iter().map(|l| l.score()).collect();
        assert_eq!(scores, vec![1, 2, 3]);
    }

    #[test]
    fn renders_the_documented_format_and_reads_it_back() {
        let text = risk().to_text();
        assert_eq!(
            text,
            "+++\nid = \"r-aaaaaa\"\ntitle = \"Redis is a single point of failure\"\nimpact = \"high\"\nprobability = \"medium\"\nmitigation = \"Sentinel\"\nowner = \"state\"\nstatus = \"open\"\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n+++\nSeen in staging.\n"
        );
        let back = Risk::parse(PATH, &text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.score(), 6);
    }

    #[test]
    fn edits_touch_only_changed_fields_and_keep_hand_edits() {
        let hand = risk()
            .to_text()
            .replacen("+++\n", "+++\n# from the pre-mortem\n", 1)
            .replace(
                "impact = \"high\"\n",
                "impact = \"high\" # outage\ncost = 3\n",
            );
        let mut r = Risk::parse(PATH, &hand).unwrap();
        let unchanged = RiskPatch {
            impact: Some(Level::High),
            ..RiskPatch::default()
        };
        assert!(!r.apply(&unchanged, at("2026-11-22T10:00:00Z")).unwrap());
        assert_eq!(r.to_text(), hand);
        let patch = RiskPatch {
            probability: Some(Level::Low),
            owner: Some(None),
            ..RiskPatch::default()
        };
        assert!(r.apply(&patch, at("2026-11-22T10:00:00Z")).unwrap());
        let out = r.to_text();
        assert_eq!(
            out,
            hand.replace("\"medium\"", "\"low\"")
                .replace("owner = \"state\"\n", "")
                .replace(
                    "updated = 2026-11-21T10:00:00Z",
                    "updated = 2026-11-22T10:00:00Z"
                )
        );
        r.close(Some("Sentinel deployed"), at("2026-11-23T10:00:00Z"))
            .unwrap();
        let back = Risk::parse(PATH, &r.to_text()).unwrap();
        assert_eq!(back.status, RiskStatus::Closed);
        assert_eq!(back.closed_reason.as_deref(), Some("Sentinel deployed"));
        assert!(back.to_text().contains("cost = 3\n"));

        let bad = RiskPatch {
            title: Some("a\nb".into()),
            ..RiskPatch::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "title");
        let bad = RiskPatch {
            mitigation: Some(Some(" ".into())),
            ..RiskPatch::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "mitigation");
    }

    #[test]
    fn bad_records_name_the_line() {
        let good = risk().to_text();
        let e = Risk::parse(PATH, &good.replace("\"medium\"", "\"likely\"")).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("`probability`"), "{e}");
        assert!(e.message.contains("low, medium or high"), "{e}");
        let e = Risk::parse(PATH, &good.replace("impact = \"high\"\n", "")).unwrap_err();
        assert!(e.message.contains("`impact`"), "{e}");
        let e = Risk::parse(PATH, &good.replace("\"open\"", "\"gone\"")).unwrap_err();
        assert_eq!(e.line, Some(8));
        let e = Risk::parse(PATH, &good.replace("\"state\"", "\"St ate\"")).unwrap_err();
        assert_eq!(e.line, Some(7));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::model::strategies::{body, text};

        fn level() -> impl Strategy<Value = Level> {
            prop::sample::select(Level::ALL.to_vec())
        }

        proptest! {
            /// Any sequence of edits: what each accepted edit set reads back exactly, the
            /// hand-added field and comment survive, and a rewrite of what was read is
            /// byte-identical.
            #[test]
            fn edits_read_back_and_keep_hand_additions(
                edits in prop::collection::vec(
                    (prop::option::of(text()), prop::option::of(level()),
                     prop::option::of(prop::option::of(text())), prop::option::of(body())),
                    1..5,
                ),
            ) {
                let mut file = risk()
                    .to_text()
                    .replacen("+++\n", "+++\n# by hand\nreviewed_in = \"q3\"\n", 1);
                for (i, (title, impact, mitigation, body)) in edits.into_iter().enumerate() {
                    let mut r = Risk::parse(PATH, &file).expect("own output parses");
                    let patch = RiskPatch {
                        title,
                        impact,
                        probability: None,
                        mitigation,
                        owner: None,
                        body,
                    };
                    let now = Timestamp::from_unix(1_795_000_000 + i as i64 * 60).expect("time");
                    if r.apply(&patch, now).is_err() {
                        continue;
                    }
                    file = r.to_text();
                    let back = Risk::parse(PATH, &file).expect("own output parses");
                    prop_assert_eq!(&back.title, &r.title);
                    prop_assert_eq!(back.impact, r.impact);
                    prop_assert_eq!(&back.mitigation, &r.mitigation);
                    prop_assert_eq!(&back.body, &r.body);
                    prop_assert_eq!(back.to_text(), file.clone());
                    prop_assert!(file.contains("# by hand\nreviewed_in = \"q3\"\n"), "{}", file);
                }
            }
        }
    }
}
