//! `schemac lsp`: the language server, for editors (docs/editors.md). It
//! talks LSP over stdin and stdout until the editor says `exit` (exit code
//! 0 after a `shutdown` request, 1 without one, as LSP asks); the work
//! is [`crate::lsp::serve_stdio`]. Settings are read from the workspace's
//! schemac.toml by the server itself (the workspace root arrives with the
//! editor's first message), so `--config` is passed on unresolved.

use super::{CliError, ExitStatus};
use crate::lsp::{self, Ending, LspError, Settings};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LspArgs {
    /// The current schema hovers show the plan from (repeat for several
    /// paths; relative to the workspace root) [default: `[lsp] from` in
    /// schemac.toml].
    #[arg(long, value_name = "PATH", conflicts_with = "db")]
    pub from: Vec<PathBuf>,

    /// A database hovers show the plan against, read only [default:
    /// `[lsp] db` in schemac.toml].
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,

    /// Accepted for editors that pass it (VS Code's language clients);
    /// stdio is the only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

pub fn run(config: Option<PathBuf>, args: &LspArgs) -> Result<ExitStatus, CliError> {
    let settings = Settings {
        config,
        from: args.from.clone(),
        db: args.db.clone(),
    };
    match lsp::serve_stdio(settings)? {
        Ending::AfterShutdown => Ok(ExitStatus::Success),
        // LSP: "exit" without a prior "shutdown" ends with code 1.
        Ending::WithoutShutdown => {
            eprintln!("schemac lsp: the editor left without a shutdown request; exit code 1");
            Ok(ExitStatus::Failure)
        }
    }
}

impl From<LspError> for CliError {
    fn from(err: LspError) -> CliError {
        CliError::Lsp(Box::new(err))
    }
}
