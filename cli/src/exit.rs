//! The process's exit status: the three codes `--help` and the README document, so
//! no command, printer or test spells them as bare integers.

use std::process::ExitCode;

/// How a run ended, as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: everything compatible (or valid, registered, written).
    Ok,
    /// 1: breaking changes, invalid sample events or a refused registration.
    Failed,
    /// 2: usage, parse, config, git or network error; clap uses it for usage errors.
    Error,
}

impl ExitStatus {
    /// The documented number.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Error => 2,
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
    fn the_documented_codes() {
        let codes = [ExitStatus::Ok, ExitStatus::Failed, ExitStatus::Error].map(ExitStatus::code);
        assert_eq!(codes, [0, 1, 2]);
    }
}
