/*!
`dashboard`: everything the HTML dashboard shows, loaded once: the status screen's state
([`super::status::load`]), the metrics and the per-agent swim lanes from the history
([`super::metrics`]), and the dispatch advice with the communication matrix
([`super::dispatch::advice`]). Plain data; `report::dashboard` draws it.
*/

use super::OpError;
use super::dispatch::{self, Advice};
use super::metrics::{self, Lane, Metrics};
use super::status::{self, State};
use crate::session::Session;

/// How far back the swim lanes reach: two days, enough for "yesterday and today".
pub const LANES_SECS: i64 = 48 * 3600;

pub struct Dashboard {
    pub state: State,
    pub metrics: Metrics,
    pub lanes: Vec<Lane>,
    /// Dispatch advice and the communication matrix.
    pub advice: Advice,
    /// The SLO settings that could not be read, to show and to warn about.
    pub warnings: Vec<String>,
}

/// Loads the dashboard's data at the session's time.
pub fn load(session: &Session) -> Result<Dashboard, OpError> {
    let state = status::load(session)?;
    let store = session.store()?;
    let (slos, warnings) = metrics::slos(store);
    let replay = metrics::replay(store)?;
    let now = session.now();
    let advice = dispatch::advice(store, now, slos.messages)?;
    Ok(Dashboard {
        advice,
        metrics: metrics::compute(&replay, now, None, slos),
        lanes: metrics::lanes(&replay, now, Some(now.unix() - LANES_SECS)),
        state,
        warnings,
    })
}
