/*!
Correcting an ADR's descriptive fields after `adr new`: its title, deadline, review date,
deciders and the agents whose input is sought (`adr edit`). Only the fields given change, and
giving a field the value it has changes nothing.

The rules: the title, deciders and input from describe the record and may be corrected in any
status. A deadline is for a decision still to be taken, so one is set only while the ADR is
proposed (clearing one is allowed in any status). A review date is set or cleared in any
status but rejected and superseded, which are history.
*/

use super::rules::Refusal;
use super::{Adr, AdrStatus, dedup, validate_line};
use crate::model::id::AgentId;
use crate::model::time::Timestamp;

/// The fields `adr edit` changes; `None` leaves a field as it is. For the dates,
/// `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdrEdit {
    pub title: Option<String>,
    pub deadline: Option<Option<Timestamp>>,
    pub review_date: Option<Option<Timestamp>>,
    pub deciders: Option<Vec<AgentId>>,
    pub input_from: Option<Vec<AgentId>>,
}

impl AdrEdit {
    /// Whether it names no field at all.
    pub fn is_empty(&self) -> bool {
        *self == AdrEdit::default()
    }
}

impl Adr {
    /// Applies `edit`, checking every field before changing any. Returns the names of the
    /// fields whose value changed (empty when none did).
    pub fn edit(&mut self, edit: &AdrEdit) -> Result<Vec<&'static str>, Refusal> {
        let title = edit
            .title
            .as_deref()
            .map(|t| validate_line("title", t, 200))
            .transpose()?;
        let deadline = edit.deadline.filter(|d| *d != self.deadline);
        let review_date = edit.review_date.filter(|r| *r != self.review_date);
        if let Some(Some(_)) = deadline
            && self.status != AdrStatus::Proposed
        {
            return Err(self.refuse(
                "a deadline is for a decision still to be taken, so only a proposed ADR gets one \
                 (`--no-deadline` clears a stale one)",
            ));
        }
        if review_date.is_some()
            && matches!(self.status, AdrStatus::Rejected | AdrStatus::Superseded)
        {
            return Err(self.refuse(
                "it is history, so it has no review to plan; review the ADR in force instead",
            ));
        }
        let mut changed = Vec::new();
        if let Some(t) = title
            && t != self.title
        {
            self.title = t;
            changed.push("title");
        }
        if let Some(d) = deadline {
            self.deadline = d;
            changed.push("deadline");
        }
        if let Some(r) = review_date {
            self.review_date = r;
            changed.push("review_date");
        }
        if let Some(d) = &edit.deciders {
            let d = dedup(d);
            if d != self.deciders {
                self.deciders = d;
                changed.push("deciders");
            }
        }
        if let Some(i) = &edit.input_from {
            let i = dedup(i);
            if i != self.input_from {
                self.input_from = i;
                changed.push("input_from");
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::adr::{AdrNumber, NewAdr};

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn adr(status: AdrStatus) -> Adr {
        let new = NewAdr {
            title: "Use Redis".into(),
            deadline: Some(at("2026-12-01T23:59:59Z")),
            ..NewAdr::default()
        };
        let mut a = Adr::new(AdrNumber::FIRST, &new, at("2026-11-01T00:00:00Z")).unwrap();
        a.status = status;
        a
    }

    #[test]
    fn only_given_fields_change_and_equal_values_are_no_change() {
        let mut a = adr(AdrStatus::Proposed);
        let edit = AdrEdit {
            title: Some(" Use Redis ".into()),
            deadline: Some(Some(at("2026-12-01T23:59:59Z"))),
            deciders: Some(vec![]),
            ..AdrEdit::default()
        };
        assert!(!edit.is_empty());
        assert_eq!(a.edit(&edit).unwrap(), Vec::<&str>::new());
        let lead = AgentId::parse("lead").unwrap();
        let edit = AdrEdit {
            title: Some("Use Valkey".into()),
            deadline: Some(None),
            input_from: Some(vec![lead.clone(), lead.clone()]),
            ..AdrEdit::default()
        };
        assert_eq!(a.edit(&edit).unwrap(), ["title", "deadline", "input_from"]);
        assert_eq!((a.title.as_str(), a.deadline), ("Use Valkey", None));
        assert_eq!(a.input_from, [lead]);
        assert_eq!(a.slug, "use-redis", "the file keeps its name");
    }

    #[test]
    fn deadlines_while_proposed_review_dates_until_history() {
        let set_deadline = AdrEdit {
            deadline: Some(Some(at("2027-01-01T23:59:59Z"))),
            ..AdrEdit::default()
        };
        let review = AdrEdit {
            review_date: Some(Some(at("2027-06-01T23:59:59Z"))),
            title: Some("Renamed".into()),
            ..AdrEdit::default()
        };
        let mut accepted = adr(AdrStatus::Accepted);
        assert!(matches!(
            accepted.edit(&set_deadline),
            Err(Refusal::NotAllowed { .. })
        ));
        let clear = AdrEdit {
            deadline: Some(None),
            ..AdrEdit::default()
        };
        assert_eq!(accepted.edit(&clear).unwrap(), ["deadline"]);
        assert_eq!(
            adr(AdrStatus::Deprecated).edit(&review).unwrap(),
            ["title", "review_date"]
        );
        for status in [AdrStatus::Rejected, AdrStatus::Superseded] {
            let mut a = adr(status);
            assert!(a.edit(&review).is_err(), "{status}");
            assert_eq!(a.title, "Use Redis", "nothing changes when refused");
        }
        let bad = AdrEdit {
            title: Some("a\nb".into()),
            ..AdrEdit::default()
        };
        assert!(matches!(
            adr(AdrStatus::Proposed).edit(&bad),
            Err(Refusal::Invalid(_))
        ));
    }
}
