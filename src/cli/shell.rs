//! `schemac completions SHELL` and `schemac man`: shell integration
//! generated from the command line's own definition (clap_complete,
//! clap_mangen), so they never drift from the flags.

use super::{Cli, CliError, ExitStatus};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::{self, Write};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for. Install, e.g.:
    /// bash: `schemac completions bash > ~/.local/share/bash-completion/completions/schemac`;
    /// zsh: `schemac completions zsh > ~/.zfunc/_schemac`;
    /// fish: `schemac completions fish > ~/.config/fish/completions/schemac.fish`.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: &CompletionsArgs) -> Result<ExitStatus, CliError> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "schemac", &mut out);
    io::stdout().lock().write_all(&out)?;
    Ok(ExitStatus::Success)
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`schemac man plan`); without it,
    /// the page of schemac itself.
    pub command: Option<String>,
}

/// Writes a man page (roff) to stdout: `schemac man plan | man -l -`.
pub fn man(args: &ManArgs) -> Result<ExitStatus, CliError> {
    let page = man_page(args.command.as_deref())?;
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    io::stdout().lock().write_all(&out)?;
    Ok(ExitStatus::Success)
}

/// The command a man page describes: schemac itself, or one command,
/// titled, versioned and synopsised as it is typed (`schemac plan`), not
/// as clap names it.
fn man_page(name: Option<&str>) -> Result<clap::Command, CliError> {
    let command = Cli::command();
    let Some(name) = name else {
        return Ok(command);
    };
    let sub = command
        .find_subcommand(name)
        .ok_or_else(|| CliError::UnknownCommand {
            name: name.to_string(),
            known: command
                .get_subcommands()
                .map(|sub| sub.get_name().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok(sub
        .clone()
        .display_name(format!("schemac-{name}"))
        .bin_name(format!("schemac {name}"))
        .version(env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn every_shell_gets_a_script_naming_the_commands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "schemac", &mut out);
            let script = String::from_utf8(out).expect("utf-8");
            for word in ["plan", "apply", "inspect", "citus", "detailed-exitcode"] {
                assert!(script.contains(word), "{shell}: {word}");
            }
        }
        assert!(Cli::try_parse_from(["schemac", "completions", "zsh"]).is_ok());
        assert!(Cli::try_parse_from(["schemac", "completions", "tcsh"]).is_err());
    }

    #[test]
    fn the_man_page_is_roff_with_every_command() {
        let mut out = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .expect("renders");
        let page = String::from_utf8(out).expect("utf-8");
        assert!(page.starts_with(".ie"), "{}", &page[..80.min(page.len())]);
        for word in ["schemac", "plan", "apply", "SUBCOMMANDS"] {
            assert!(page.contains(word), "{word}");
        }
        assert!(Cli::try_parse_from(["schemac", "man", "plan"]).is_ok());
    }

    #[test]
    fn a_command_page_is_titled_and_synopsised_as_typed() {
        let page = man_page(Some("plan")).expect("plan has a page");
        let mut out = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut out)
            .expect("renders");
        let page = String::from_utf8(out).expect("utf-8");
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            page.contains(&format!(".TH schemac-plan 1  \"plan {version}\"")),
            "{page}"
        );
        assert!(page.contains("\\fBschemac plan\\fR"), "{page}");
        assert!(man_page(Some("plna")).is_err());
    }
}
