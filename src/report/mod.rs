/*!
Renderings for people and CI, from what `ops` computed: dependency graphs (DOT, Mermaid),
Gantt charts, the status screen, briefs, ADR bodies from their templates, milestone health,
and `check`'s text, markdown and GitHub formats. Pure functions from data to text; no I/O.
*/

pub mod adr;
pub mod brief;
pub mod check;
pub mod graph;
pub mod milestone;
pub mod status;
