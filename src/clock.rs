/*!
The only reader of the time. `GIT_COORD_NOW` (RFC 3339) fixes the clock for tests, demos and
reproducible benchmarks; otherwise it is the system clock.
*/

use crate::model::Timestamp;

/// The environment variable that fixes the clock.
pub const NOW_VAR: &str = "GIT_COORD_NOW";

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    fixed: Option<Timestamp>,
}

impl Clock {
    /// The system clock, unless `GIT_COORD_NOW` is set; a malformed value is an error naming it.
    pub fn from_env() -> Result<Clock, String> {
        #[allow(clippy::disallowed_methods)]
        match std::env::var(NOW_VAR) {
            Ok(v) if !v.trim().is_empty() => Timestamp::parse_rfc3339(&v)
                .map(Clock::fixed)
                .ok_or_else(|| {
                    format!("{NOW_VAR}={v:?} is not an RFC 3339 time such as 2026-11-21T10:00:00Z")
                }),
            _ => Ok(Clock { fixed: None }),
        }
    }

    pub fn fixed(at: Timestamp) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn now(&self) -> Timestamp {
        #[allow(clippy::disallowed_methods)]
        self.fixed
            .unwrap_or_else(|| Timestamp::from_datetime(chrono::Utc::now()))
    }
}
