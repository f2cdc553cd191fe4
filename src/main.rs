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

/// jemalloc's options, read once when it starts (`malloc_conf`, which
/// tikv-jemalloc-sys prefixes): freed pages go back to the system after
/// 100 ms instead of jemalloc's 10 s. A command frees the parse's tokens
/// and trees, the introspection's rows and the shadow's Models before it
/// plans; kept resident, they added 20 to 70 MB to the peak RSS of the
/// 10,000-table commands (offline `plan` 502-510 MB, then 448-450 MB;
/// 0.1 s more system time). `_RJEM_MALLOC_CONF` in the environment still
/// overrides it.
#[used]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: MallocConf = MallocConf(c"dirty_decay_ms:100,muzzy_decay_ms:0".as_ptr());

/// A C string jemalloc reads at start-up (a `const char *`).
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a `'static` C string literal, never written.
unsafe impl Sync for MallocConf {}

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
