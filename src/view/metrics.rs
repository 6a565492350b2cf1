/*!
The JSON view of `metrics` (DESIGN §4 "JSON", §8): the metrics `ops::metrics` computed, and
what a script checks first, whether every SLO was met and how many records breached one.
*/

use serde::Serialize;

use crate::ops::metrics::Metrics;

#[derive(Serialize)]
pub struct MetricsJson<'a> {
    #[serde(flatten)]
    pub metrics: &'a Metrics,
    /// Every SLO met: no record took, or has been waiting, longer than its SLO.
    pub slos_met: bool,
    /// Records that breached an SLO, over all of them.
    pub breaches: usize,
}

impl<'a> MetricsJson<'a> {
    pub fn new(metrics: &'a Metrics) -> MetricsJson<'a> {
        MetricsJson {
            slos_met: metrics.slos.iter().all(|s| s.met),
            breaches: metrics.slos.iter().map(|s| s.breaches.len()).sum(),
            metrics,
        }
    }
}
