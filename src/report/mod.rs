/*!
Renderings for people and CI, from what `ops` computed: the status screen's report
(`status`), agents' briefs (`brief`), ADR pages (`adr`), milestones and their gates (`milestone`),
dependency graphs as DOT and Mermaid and the Gantt chart (`graph`), and `check`'s text,
markdown and GitHub formats (`check`). Pure functions from data to text, no I/O; used by the
faces (`commands`, later MCP and the dashboard), never by `ops`. The JSON shapes are `view`'s.
*/

pub mod adr;
pub mod brief;
pub mod check;
pub mod graph;
pub mod milestone;
pub mod status;
