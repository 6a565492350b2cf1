/*!
git-coord: several coding agents, one repository, no server.

The state the agents share (tasks, the agent registry, file claims, messages, decisions,
conflicts, risks and milestones) is a set of plain records committed to a coordination branch;
git is the database and remotes are the distributed engine.

The crate is layered; each layer only calls downwards:

| module | responsibility |
| --- | --- |
| [`cli`], [`commands`] | clap definitions, one module per command: parse → call an operation → render |
| [`context`], [`ui`], [`error`] | flags and environment, all printing, exit codes and hints |
| [`ops`] | the operations behind the commands, planned on a snapshot and committed atomically |
| [`report`] | renderings for people and CI: status, brief, graphs, Gantt, check formats |
| [`graph`] | the task dependency graph (petgraph): cycles, schedule, critical path, ready set |
| [`ownership`] | claims, patterns and their exact overlap, CODEOWNERS/owners.toml, checks |
| [`model`] | records as types: parsing, validation, the task state machine; no I/O |
| [`store`] | the only module that touches git (gix): snapshots, compare-and-swap commits |
| [`clock`] | the only reader of the time (`GIT_COORD_NOW` fixes it) |

Nothing below `commands` knows clap, colours or stdout, and only `store` imports gix.
*/

pub mod cli;
pub mod clock;
pub mod commands;
pub mod context;
pub mod error;
pub mod graph;
pub mod model;
pub mod ops;
pub mod ownership;
pub mod report;
pub mod session;
pub mod store;
pub mod ui;
pub mod view;
