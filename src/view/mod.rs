/*!
The JSON views: what `--json`, the MCP server and the dashboard serialise, one file per record
kind. These shapes are a contract (DESIGN §4 "JSON"): field names, types and order stay as they
are, and `tests/cli/test_json_contract.rs` pins every one. Each view borrows its record, adds
what is derived (its `path`, a score, health…), and is built by a constructor from the record.
*/

pub mod adr;
pub mod agent;
pub mod conflict;
pub mod gate;
pub mod metrics;
pub mod milestone;
pub mod report;
pub mod risk;
pub mod status;
pub mod task;
