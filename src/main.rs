//! The `schemac` binary: parse arguments, run the command, turn its status
//! into an exit code. Everything else lives in `schemac::cli`.

use schemac::cli;
use std::io::Write;
use std::process::ExitCode;

/// jemalloc instead of the system allocator: a plan or an introspection of
/// a large schema makes millions of small allocations, and glibc's malloc
/// and free were about a fifth of the samples of a 10,000-table plan.
/// Measured on the same build, `plan` of the 10,000-table `.schema`
/// file: 2.9-3.5 s with jemalloc, 4.1-5.8 s with mimalloc (and more
/// memory); glibc's was 4.1-4.7 s (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
