/*!
git-coord: several coding agents, one repository, no server.

The state the agents share (tasks, the agent registry, file claims, messages, decisions,
conflicts, risks and milestones) is a set of plain records committed to a coordination branch;
git is the database and remotes are the distributed engine.

The library is the product and the command line is one face of it; the MCP server and the
dashboard are others. Every face builds a [`session::Session`], calls [`ops`], and serialises
the [`view`] types or renders with [`report`]. The crate is layered; each layer only calls
downwards:

| module | responsibility |
| --- | --- |
| [`cli`], [`commands`] | the command-line face: clap definitions, one module per command: parse → call an operation → render |
| [`context`], [`ui`], [`error`] | the command line's flags and environment, all printing, exit codes and hints |
| [`mcp`] | the MCP face: a Model Context Protocol server over stdio whose tools call [`ops`] and return the [`view`] JSON |
| [`report`] | renderings for people and CI (the status screen, graphs, Gantt, check formats); used by faces, never by `ops` |
| [`view`] | the JSON views (DESIGN §4): what `--json`, MCP and the dashboard serialise |
| [`ops`] | the operations behind the commands, planned on a snapshot and committed atomically; `ops::status::load` and friends return plain data |
| [`session`] | what every face works in: the repository (opened lazily), the acting agent, the clock, the config |
| [`graph`] | the task dependency graph (petgraph): cycles, schedule, critical path, ready set; the sheet (every task as a compact row) that the overview runs on |
| [`ownership`] | claims, patterns and their exact overlap, CODEOWNERS/owners.toml, checks |
| [`merge`] | the three-way merge of two coordination branches that `sync` commits: deterministic, nothing dropped |
| [`model`] | records as types: parsing, validation, the task state machine; no I/O |
| [`store`] | the only module that touches git (gix, the `git` CLI): snapshots, compare-and-swap commits, notes, caches |
| [`clock`] | the only reader of the time (`GIT_COORD_NOW` fixes it) |

Dependencies run one way: commands → ops → (graph, ownership, merge, model) → store, with no cycles;
`ops` never imports `report`, and `commands` never imports `store`. Nothing below `commands`
knows clap, colours or stdout, only `context.rs` and `clock.rs` read the environment, and only
`store` imports gix.
*/

pub mod cli;
pub mod clock;
pub mod commands;
pub mod context;
pub mod error;
pub mod graph;
pub mod mcp;
pub mod merge;
pub mod model;
pub mod ops;
pub mod ownership;
pub mod report;
pub mod session;
pub mod store;
pub mod ui;
pub mod view;
