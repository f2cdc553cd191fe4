//! The `schemac` binary: parse arguments, run the command, turn its status
//! into an exit code. Everything else lives in `schemac::cli`.

use schemac::cli;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Usage errors exit 1 (2 means "changes" for plan
            // --detailed-exitcode); --help and --version exit 0.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let code = match cli::run(cli) {
        Ok(status) => status.into(),
        Err(report) => {
            let _ = writeln!(std::io::stderr(), "{report:?}");
            ExitCode::FAILURE
        }
    };
    for line in schemac::timings::report() {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    code
}
