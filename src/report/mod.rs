/*!
Views computed from the records for people and CI: dependency graphs (DOT, Mermaid), Gantt
charts; later status, reports, stand-ups, metrics and the dashboard. Pure functions from
records to text; no I/O.
*/

pub mod adr;
pub mod brief;
pub mod check;
pub mod graph;
pub mod milestone;
pub mod status;
