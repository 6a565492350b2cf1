/*!
What may happen to an ADR in each status. Options are weighed while it is proposed; a decision
accepts it; an accepted decision can be deprecated or superseded by a later ADR; rejected and
superseded ADRs are history: their status, options, decision and dates change no more (only
clerical fields — title, deciders, input — can be corrected, by `adr edit`). Each change says
whether it changed anything,
so that asking twice is a no-op rather than an error.
*/

use super::{Adr, AdrNumber, AdrOption, AdrStatus, Decision, validate_line, validate_text};
use crate::model::id::AgentId;
use crate::model::task::{InvalidField, validate_entries};
use crate::model::time::Timestamp;

/// Why a change to an ADR is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{number} is {status}: {why}")]
    NotAllowed {
        number: AdrNumber,
        status: AdrStatus,
        why: String,
    },
    #[error("{number} has no option named {given:?}; {}", describe_options(.options))]
    UnknownOption {
        number: AdrNumber,
        given: String,
        options: Vec<String>,
    },
    #[error(transparent)]
    Invalid(#[from] InvalidField),
}

fn describe_options(options: &[String]) -> String {
    if options.is_empty() {
        "it has no options yet".to_owned()
    } else {
        format!("its options are: {}", options.join(", "))
    }
}

/// Why an ADR in `status` cannot change any more, or `None` when it can.
fn closed_reason(status: AdrStatus) -> Option<&'static str> {
    match status {
        AdrStatus::Rejected => Some("a rejected ADR stays rejected; propose a new ADR instead"),
        AdrStatus::Superseded => {
            Some("it has been replaced; act on the ADR that supersedes it instead")
        }
        AdrStatus::Deprecated => Some("it is no longer in force; propose a new ADR instead"),
        AdrStatus::Proposed | AdrStatus::Accepted => None,
    }
}

impl Adr {
    pub(super) fn refuse(&self, why: impl Into<String>) -> Refusal {
        Refusal::NotAllowed {
            number: self.number,
            status: self.status,
            why: why.into(),
        }
    }

    /// Adds an option, or adds pros and cons to (and sets the effort of) the option with that
    /// name. Only a proposed ADR weighs options.
    pub fn add_option(
        &mut self,
        name: &str,
        pros: &[String],
        cons: &[String],
        effort: Option<&str>,
    ) -> Result<bool, Refusal> {
        if self.status != AdrStatus::Proposed {
            let why = closed_reason(self.status).unwrap_or(
                "options are weighed before the decision; to revisit it, write a new ADR and `adr supersede` this one",
            );
            return Err(self.refuse(why));
        }
        let name = validate_line("option", name, 120)?;
        let pros = validate_entries("pros", pros)?;
        let cons = validate_entries("cons", cons)?;
        let effort = effort.map(|e| validate_line("effort", e, 60)).transpose()?;
        let existing = self.find_option(&name);
        let i = existing.unwrap_or_else(|| {
            self.options.push(AdrOption {
                name,
                pros: Vec::new(),
                cons: Vec::new(),
                effort: None,
            });
            self.options.len() - 1
        });
        let before = self.options[i].clone();
        let o = &mut self.options[i];
        for p in pros {
            if !o.pros.contains(&p) {
                o.pros.push(p);
            }
        }
        for c in cons {
            if !o.cons.contains(&c) {
                o.cons.push(c);
            }
        }
        if effort.is_some() {
            o.effort = effort;
        }
        Ok(existing.is_none() || *o != before)
    }

    /// Accepts the ADR with `option` chosen for `rationale`. Every other option stays as an
    /// alternative considered.
    pub fn decide(
        &mut self,
        option: &str,
        rationale: &str,
        by: Option<AgentId>,
        at: Timestamp,
    ) -> Result<(), Refusal> {
        if let Some(why) = closed_reason(self.status) {
            return Err(self.refuse(why));
        }
        if let Some(d) = &self.decision {
            return Err(self.refuse(format!(
                "it is already decided ({:?}); to revisit it, write a new ADR and `adr supersede` this one",
                d.option
            )));
        }
        let Some(i) = self.find_option(option) else {
            return Err(Refusal::UnknownOption {
                number: self.number,
                given: option.trim().to_owned(),
                options: self.options.iter().map(|o| o.name.clone()).collect(),
            });
        };
        let rationale = validate_text("rationale", rationale)?;
        self.decision = Some(Decision {
            option: self.options[i].name.clone(),
            rationale,
            by,
            at,
        });
        self.status = AdrStatus::Accepted;
        Ok(())
    }

    /// Moves to `target` (accepted, rejected or deprecated) if the rules allow; `false` when
    /// it already is there.
    pub fn set_status(&mut self, target: AdrStatus) -> Result<bool, Refusal> {
        if self.status == target {
            return Ok(false);
        }
        let allowed_from = match target {
            AdrStatus::Accepted | AdrStatus::Rejected => AdrStatus::Proposed,
            AdrStatus::Deprecated => AdrStatus::Accepted,
            AdrStatus::Proposed | AdrStatus::Superseded => {
                return Err(self.refuse(format!(
                    "an ADR becomes {target} only {}",
                    if target == AdrStatus::Superseded {
                        "through `adr supersede`"
                    } else {
                        "when it is created"
                    }
                )));
            }
        };
        if self.status != allowed_from {
            let why = closed_reason(self.status)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("only a {allowed_from} ADR can become {target}"));
            return Err(self.refuse(why));
        }
        self.status = target;
        Ok(true)
    }

    /// Marks this ADR as superseded (by the ADR that will list it in `supersedes`).
    pub fn mark_superseded(&mut self) -> Result<bool, Refusal> {
        match self.status {
            AdrStatus::Superseded => Ok(false),
            AdrStatus::Accepted | AdrStatus::Deprecated => {
                self.status = AdrStatus::Superseded;
                Ok(true)
            }
            AdrStatus::Proposed => Err(self.refuse(
                "only a decision that was accepted can be superseded; reject a proposal instead",
            )),
            AdrStatus::Rejected => Err(self.refuse(closed_reason(self.status).unwrap_or_default())),
        }
    }

    /// Records that this ADR supersedes `old`.
    pub fn add_supersedes(&mut self, old: AdrNumber) -> Result<bool, Refusal> {
        if old == self.number {
            return Err(self.refuse("an ADR cannot supersede itself"));
        }
        if let Some(why) = closed_reason(self.status) {
            return Err(self.refuse(why));
        }
        if self.supersedes.contains(&old) {
            return Ok(false);
        }
        self.supersedes.push(old);
        self.supersedes.sort();
        Ok(true)
    }
}
