//! Exit statuses, shared by every subcommand.
//!
//! Invariant: 0 success, 1 failure (errors found, or the operation failed),
//! 2 only for `plan --detailed-exitcode` when the plan has changes (as
//! Terraform does).

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Clean: no errors (check), nothing to change (detailed plan), done.
    Success,
    /// Errors were found or the operation failed.
    Failure,
    /// `plan --detailed-exitcode`: the plan has steps.
    Changes,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Failure.code(), 1);
        assert_eq!(ExitStatus::Changes.code(), 2);
    }
}
