/*!
The JSON views of `report`, `standup` and the capacity forecast: the shapes `--json`, the MCP
server and the dashboard serialise. They are the operations' own data types
([`crate::ops::report::DailyReport`], [`crate::ops::standup::Standup`],
[`crate::ops::forecast::Forecast`]), named here so every face serialises the same thing; like
every view, their keys are only ever added to (DESIGN §4 "JSON").
*/

pub use crate::ops::forecast::Forecast as ForecastJson;
pub use crate::ops::report::DailyReport as ReportJson;
pub use crate::ops::standup::Standup as StandupJson;
