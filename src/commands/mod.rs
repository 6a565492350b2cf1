/*!
One module per command (a folder per group): an `Args` struct whose doc comment is the help
text, and a `run(ctx, args)` that parses, calls one operation and renders the result (DESIGN §4, §9).
*/

pub mod ack;
pub mod adr;
pub mod agent;
pub mod assign;
pub mod brief;
pub mod check;
pub mod checkin;
pub mod config;
pub mod conflict;
pub mod dashboard;
pub mod demo;
pub mod disown;
pub mod dispatch;
pub mod doctor;
pub mod done;
pub mod export;
pub mod gantt;
pub mod gate;
pub mod graph;
pub mod hook;
pub mod hooks;
pub mod import;
pub mod inbox;
pub mod init;
pub mod lifecycle;
pub mod log;
pub mod mcp;
pub mod metrics;
pub mod milestone;
pub mod next;
pub mod note;
pub mod own;
pub mod owners;
pub mod path;
pub mod ready;
pub mod reap;
pub mod rebalance;
pub mod reply;
pub mod report;
pub mod risk;
pub mod scratchpad;
pub mod send;
pub mod spawn;
pub mod standup;
pub mod status;
pub mod sync;
pub mod task;
pub mod wait;
pub mod whoami;
// Faces: manual pages, completions.
pub mod completions;
pub mod man;

use clap::Subcommand;

use crate::context::Context;
use crate::error::CommandResult;

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
pub enum Command {
    // Set-up, in the order a newcomer meets them.
    Init(init::Args),
    Demo(demo::Args),
    Whoami(whoami::Args),
    Doctor(doctor::Args),
    Config(config::Args),
    #[command(subcommand)]
    Hooks(hooks::HooksCommand),
    // Tasks and their lifecycle.
    #[command(subcommand)]
    Task(task::TaskCommand),
    Claim(lifecycle::ClaimArgs),
    Start(lifecycle::StartArgs),
    Review(lifecycle::ReviewArgs),
    Block(lifecycle::BlockArgs),
    Unblock(lifecycle::UnblockArgs),
    Release(lifecycle::ReleaseArgs),
    Cancel(lifecycle::CancelArgs),
    Done(done::Args),
    // Scheduling.
    Ready(ready::Args),
    Next(next::Args),
    Assign(assign::Args),
    Path(path::Args),
    Graph(graph::Args),
    Gantt(gantt::Args),
    #[command(subcommand)]
    Milestone(milestone::MilestoneCommand),
    Gate(gate::Args),
    Import(import::Args),
    Export(export::Args),
    // Agents.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    Spawn(spawn::Args),
    Brief(brief::Args),
    Checkin(checkin::Args),
    Reap(reap::Args),
    // Files.
    Own(own::Args),
    Disown(disown::Args),
    Owners(owners::Args),
    Check(check::Args),
    // Memory.
    Note(note::Args),
    Scratchpad(scratchpad::Args),
    Send(send::Args),
    Inbox(inbox::Args),
    Reply(reply::Args),
    Ack(ack::Args),
    // Records.
    #[command(subcommand)]
    Adr(adr::AdrCommand),
    #[command(subcommand)]
    Conflict(conflict::ConflictCommand),
    #[command(subcommand)]
    Risk(risk::RiskCommand),
    // Overview.
    Status(status::Args),
    Log(log::Args),
    // Across clones.
    Sync(sync::Args),
    #[command(subcommand, hide = true)]
    Hook(hook::HookCommand),
    Wait(wait::Args),
    Mcp(mcp::Args),
    // Faces.
    Man(man::Args),
    Completions(completions::Args),
    Report(report::Args),
    Standup(standup::Args),
    Metrics(metrics::Args),
    Dispatch(dispatch::Args),
    Rebalance(rebalance::Args),
    Dashboard(dashboard::Args),
}

pub fn run(ctx: &Context, command: Command) -> CommandResult {
    match command {
        Command::Init(a) => init::run(ctx, a),
        Command::Task(c) => task::run(ctx, c),
        Command::Claim(a) if a.sync => lifecycle::run_synced_claim(ctx, a),
        Command::Claim(a) => lifecycle::run(ctx, a.into()),
        Command::Start(a) => lifecycle::run(ctx, a.into()),
        Command::Review(a) => lifecycle::run(ctx, a.into()),
        Command::Block(a) => lifecycle::run(ctx, a.into()),
        Command::Unblock(a) => lifecycle::run(ctx, a.into()),
        Command::Release(a) => lifecycle::run(ctx, a.into()),
        Command::Cancel(a) => lifecycle::run(ctx, a.into()),
        Command::Done(a) => done::run(ctx, a),
        Command::Ready(a) => ready::run(ctx, a),
        Command::Next(a) => next::run(ctx, a),
        Command::Assign(a) => assign::run(ctx, a),
        Command::Path(a) => path::run(ctx, a),
        Command::Graph(a) => graph::run(ctx, a),
        Command::Gantt(a) => gantt::run(ctx, a),
        Command::Milestone(c) => milestone::run(ctx, c),
        Command::Gate(a) => gate::run(ctx, a),
        Command::Import(a) => import::run(ctx, a),
        Command::Export(a) => export::run(ctx, a),
        Command::Agent(c) => agent::run(ctx, c),
        Command::Spawn(a) => spawn::run(ctx, a),
        Command::Brief(a) => brief::run(ctx, a),
        Command::Checkin(a) => checkin::run(ctx, a),
        Command::Reap(a) => reap::run(ctx, a),
        Command::Adr(c) => adr::run(ctx, c),
        Command::Status(a) => status::run(ctx, a),
        Command::Hooks(c) => hooks::run(ctx, c),
        Command::Hook(c) => hook::run(ctx, c),
        Command::Log(a) => log::run(ctx, a),
        Command::Own(a) => own::run(ctx, a),
        Command::Disown(a) => disown::run(ctx, a),
        Command::Owners(a) => owners::run(ctx, a),
        Command::Check(a) => check::run(ctx, a),
        Command::Note(a) => note::run(ctx, a),
        Command::Scratchpad(a) => scratchpad::run(ctx, a),
        Command::Send(a) => send::run(ctx, a),
        Command::Inbox(a) => inbox::run(ctx, a),
        Command::Reply(a) => reply::run(ctx, a),
        Command::Ack(a) => ack::run(ctx, a),
        Command::Whoami(a) => whoami::run(ctx, a),
        Command::Doctor(a) => doctor::run(ctx, a),
        Command::Config(a) => config::run(ctx, a),
        Command::Demo(a) => demo::run(ctx, a),
        Command::Conflict(c) => conflict::run(ctx, c),
        Command::Risk(c) => risk::run(ctx, c),
        Command::Sync(a) => sync::run(ctx, a),
        Command::Wait(a) => wait::run(ctx, a),
        Command::Mcp(a) => mcp::run(ctx, a),
        Command::Man(a) => man::run(ctx, a),
        Command::Completions(a) => completions::run(ctx, a),
        Command::Report(a) => report::run(ctx, a),
        Command::Standup(a) => standup::run(ctx, a),
        Command::Metrics(a) => metrics::run(ctx, a),
        Command::Dispatch(a) => dispatch::run(ctx, a),
        Command::Rebalance(a) => rebalance::run(ctx, a),
        Command::Dashboard(a) => dashboard::run(ctx, a),
    }
}
