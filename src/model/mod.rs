/*!
The records kept on the coordination branch, as types: parsing, validation and round-trip
rendering. Nothing here does I/O; the store hands bytes in and takes text out.
*/

pub mod adr;
pub mod agent;
pub mod claim;
pub mod conflict;
pub mod gate;
pub mod id;
pub mod keyword;
pub mod layout;
pub mod message;
pub mod milestone;
pub mod record;
pub mod risk;
pub mod scratchpad;
#[cfg(test)]
pub mod strategies;
pub mod task;
pub mod text;
pub mod time;

pub use agent::Agent;
pub use id::{AgentId, ConflictId, IdError, RiskId, TaskId, TaskPrefix};
pub use record::RecordError;
pub use task::{Action, Applied, DepState, NewTask, Refusal, Status, Task};
pub use time::Timestamp;
