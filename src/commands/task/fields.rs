//! The task-record fields `task add` sets and `task edit` changes, as flags (DESIGN §3 Task
//! record).

use std::path::PathBuf;

/// The task-record fields that `task add` sets and `task edit` changes.
#[derive(clap::Args, Debug)]
pub struct FieldArgs {
    /// 0 (highest) to 3 (lowest) [add's default: 2]
    #[arg(short, long, value_name = "N", allow_negative_numbers = true)]
    pub priority: Option<i64>,
    /// Expertise the task needs; repeatable or comma-separated (edit: replaces the list)
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    pub expertise: Vec<String>,
    /// Estimated work: 90m, 6h, 1.5h, 2d (8-hour days), 1w
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub estimate: Option<String>,
    /// The milestone this task belongs to
    #[arg(long, value_name = "ID")]
    pub milestone: Option<String>,
    /// Files the task will touch (gitignore-style glob), held with the task; repeatable
    /// (edit: replaces the list)
    #[arg(long, value_name = "GLOB")]
    pub owns: Vec<String>,
    /// A file the task must deliver; repeatable (edit: replaces the list)
    #[arg(long, value_name = "PATH")]
    pub deliverable: Vec<String>,
    /// A shell command that validates the work, run by `done`
    #[arg(long, value_name = "CMD")]
    pub check: Option<String>,
    /// Deadline: YYYY-MM-DD (end of that day, UTC) or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// The markdown body: description, acceptance notes, links
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}
