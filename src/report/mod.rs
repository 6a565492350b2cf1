/*!
Renderings for people and CI, from what `ops` computed: dependency graphs (DOT, Mermaid),
Gantt charts, the status screen, milestone health, and `check`'s text, markdown and GitHub
formats. Pure functions from data to text; no I/O. What a write needs rendered is not here
(`report` may use `ops` and the model, never the reverse): ADR bodies are the model's
([`crate::model::adr::render`]), briefs `ops`' ([`crate::ops::brief`]).
*/

pub mod check;
pub mod graph;
pub mod milestone;
pub mod status;
