/*!
In-process tests of the operations, one file per operations module, each against a temporary
repository ([`super::testing::Repo`]): an operation runs, and the test reads what it committed
back from the branch tip (or checks that a refusal committed nothing).
*/

mod agent;
mod check;
mod doctor;
mod export;
mod history;
mod hooks;
mod memory;
mod messages;
mod notes;
mod schedule;
mod spawn;
mod task;
