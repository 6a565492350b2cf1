/*!
`conflict resolve`'s arguments. Each `--assign` belongs to the `--action` right before it, so
the arguments keep where each value stood on the command line (clap's derive API drops that),
and [`ResolveArgs::actions`] pairs them (DESIGN §4 records).
*/

use clap::{ArgMatches, FromArgMatches};

/// Resolve a conflict; each action item becomes a task
///
/// Records the resolution, who resolved it and when (the time from opening to resolution
/// goes into the metrics), and creates one task per --action in the same commit. An --assign
/// right after an --action assigns that action's task. A resolved conflict cannot be
/// resolved again.
///
/// Only the agents the conflict is between resolve it; anyone else is refused (exit 3)
/// unless a coordinator passes --force. Anyone may `conflict propose`.
///
/// Examples:
///   git coord conflict resolve c-4kz9w2 --resolution "state owns the cache"
///   git coord conflict resolve 4kz --resolution "split it" \
///       --action "Move the session cache to state" --assign state \
///       --action "Document the cache API"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ResolveFlags {
    /// Conflict ID or unique prefix
    pub id: String,
    /// What was decided
    #[arg(long, value_name = "TEXT")]
    pub resolution: String,
    /// An action item: becomes a task (its title); repeatable
    #[arg(long, value_name = "TEXT")]
    pub action: Vec<String>,
    /// Assign the task of the --action just before this flag to AGENT
    #[arg(long, value_name = "AGENT", requires = "action")]
    pub assign: Vec<String>,
    /// Resolve a conflict you are not a party to (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// `conflict resolve`'s flags, with the positions of `--action` and `--assign` on the
/// command line, which pair each assignee with its action.
#[derive(Debug)]
pub struct ResolveArgs {
    pub flags: ResolveFlags,
    action_at: Vec<usize>,
    assign_at: Vec<usize>,
}

impl ResolveArgs {
    /// Each action item's text with the agent its `--assign` names, in command-line order.
    pub fn actions(&self) -> Result<Vec<(String, Option<String>)>, String> {
        let with_at = |at: &[usize], values: &[String]| -> Vec<(usize, String)> {
            at.iter().copied().zip(values.iter().cloned()).collect()
        };
        pair_actions(
            &with_at(&self.action_at, &self.flags.action),
            &with_at(&self.assign_at, &self.flags.assign),
        )
    }
}

impl FromArgMatches for ResolveArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<ResolveArgs, clap::Error> {
        let at =
            |id: &str| -> Vec<usize> { m.indices_of(id).map(|i| i.collect()).unwrap_or_default() };
        Ok(ResolveArgs {
            flags: ResolveFlags::from_arg_matches(m)?,
            action_at: at("action"),
            assign_at: at("assign"),
        })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = ResolveArgs::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for ResolveArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ResolveFlags::augment_args(cmd)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ResolveFlags::augment_args_for_update(cmd)
    }
}

/// Pairs each `--assign` with the `--action` right before it on the command line, from the
/// positions of their values.
fn pair_actions(
    actions: &[(usize, String)],
    assigns: &[(usize, String)],
) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out: Vec<(usize, String, Option<String>)> = actions
        .iter()
        .map(|(i, text)| (*i, text.clone(), None))
        .collect();
    out.sort_by_key(|(i, _, _)| *i);
    for (at, agent) in assigns {
        let Some(action) = out.iter_mut().rev().find(|(i, _, _)| i < at) else {
            return Err(format!(
                "--assign {agent} comes before any --action: put it right after the --action it assigns"
            ));
        };
        if let Some(first) = &action.2 {
            return Err(format!(
                "--action {:?} has two assignees ({first} and {agent}): give one --assign per --action",
                action.1
            ));
        }
        action.2 = Some(agent.clone());
    }
    Ok(out.into_iter().map(|(_, t, a)| (t, a)).collect())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::Cli;
    use crate::commands::Command;
    use crate::commands::conflict::ConflictCommand;

    fn pairs(args: &[&str]) -> Result<Vec<(String, Option<String>)>, String> {
        let mut argv = vec!["git-coord", "conflict", "resolve", "c-4kz9w2"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let Command::Conflict(ConflictCommand::Resolve(a)) = cli.command else {
            panic!("parsed as another command");
        };
        a.actions()
    }

    fn owned(p: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        p.iter()
            .map(|(t, a)| (t.to_string(), a.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn each_assign_goes_to_the_action_before_it() {
        assert_eq!(
            pairs(&[
                "--action",
                "one",
                "--resolution",
                "r",
                "--action=two",
                "--assign",
                "bob",
                "--action",
                "three",
                "--assign=carol",
                "--action",
                "four",
            ]),
            Ok(owned(&[
                ("one", None),
                ("two", Some("bob")),
                ("three", Some("carol")),
                ("four", None),
            ]))
        );
        assert_eq!(
            pairs(&["--resolution", "r", "--action", "x", "--assign", "a"]),
            Ok(owned(&[("x", Some("a"))]))
        );
        assert_eq!(pairs(&["--resolution", "r"]), Ok(vec![]));
    }

    #[test]
    fn an_assign_without_its_own_action_is_refused() {
        let e = pairs(&["--resolution", "r", "--assign", "bob", "--action", "x"]).unwrap_err();
        assert!(e.contains("--assign bob comes before any --action"), "{e}");
        let e = pairs(&[
            "--resolution",
            "r",
            "--action",
            "x",
            "--assign",
            "bob",
            "--assign",
            "carol",
        ])
        .unwrap_err();
        assert!(e.contains("two assignees (bob and carol)"), "{e}");
        // No --action at all is a clap usage error.
        let e = pairs(&["--resolution", "r", "--assign", "bob"]).unwrap_err();
        assert!(e.contains("--action"), "{e}");
    }
}
