/*!
Renderings for people and CI, from what `ops` computed: the status screen's report
(`status`), milestones and their gates (`milestone`), dependency graphs as DOT and Mermaid and
the Gantt chart (`graph`), `check`'s text, markdown and GitHub formats (`check`), the daily
status report from its template (`daily`) and the stand-up (`standup`). Pure
functions from data to text, no I/O; used by the faces (`commands`, later MCP and the
dashboard), never by `ops`. The JSON shapes are `view`'s. What a write needs rendered is not
here: ADR bodies are the model's ([`crate::model::adr::render`]), briefs `ops`'
([`crate::ops::brief`]).
*/

pub mod check;
pub mod daily;
pub mod dashboard;
pub mod graph;
pub mod milestone;
pub mod standup;
pub mod status;
