/*!
The JSON view of `status` (and of the status part of `report`): every key the status screen
had before (the [`Report`]) and, added after them, the day's judgement ([`Day`]: `go_no_go`,
`blockers`, `overrunning`, `today`, `slo_breaches`, `stale_agents`, `forecast`), then the
dispatch advice (`advice`: `dispatchable`, `spawn`, `idle`, `moves`, `waits`, `traffic`,
`unanswered`; the same object as `ops::dispatch::advice`). Keys are only
ever added here, never renamed (DESIGN §4 "JSON").
*/

use serde::Serialize;

use crate::ops::dispatch::Advice;
use crate::ops::status::Day;
use crate::report::status::Report;

/// `status --json`: the report's keys, then the day's.
#[derive(Serialize)]
pub struct StatusJson<'a> {
    #[serde(flatten)]
    pub report: &'a Report,
    #[serde(flatten)]
    pub day: &'a Day,
    /// What the queues say to do; `null` only for a state not read from a repository.
    pub advice: Option<&'a Advice>,
}
