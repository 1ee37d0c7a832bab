//! `schemagate`: the command-line gate. This file only wires arguments, the printer
//! and the exit code; the commands live in `commands/`.

// A located note is the error of loading one schema: built once per failed file, never
// on a hot path, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod cli;
mod commands;
mod exit;
mod git;
mod glob;
mod locate;
mod output;
mod project;
mod registry;
mod report;
mod rules;
mod semver;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;
use crate::output::Printer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.format, cli.global.color);
    let result = match &cli.command {
        Command::Check(args) => commands::check::run(&cli.global, args).await,
        Command::Diff(args) => commands::diff::run(args),
        Command::Register(args) => commands::register::run(&cli.global, args).await,
        Command::Pull(args) => commands::pull::run(&cli.global, args).await,
        Command::Validate(args) => commands::validate::run(&cli.global, args),
        Command::Init(args) => commands::init::run(args),
        Command::Explain(args) => return commands::explain::run(&cli.global, args, &printer),
    };
    match result {
        Ok(outcome) => {
            printer.print(&outcome);
            outcome.exit_status().into()
        }
        Err(error) => {
            printer.fatal(&error);
            ExitStatus::Error.into()
        }
    }
}
