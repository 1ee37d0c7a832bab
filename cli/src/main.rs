//! `schemagate`: the command-line gate. This file only wires arguments, the printer
//! and the exit code; the commands live in `commands/`.

// A located note is the error of loading one schema: built once per failed file, never
// on a hot path, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod accept;
mod cli;
mod commands;
mod contract;
mod exit;
mod git;
mod glob;
mod locate;
mod output;
mod pretty;
mod project;
mod proto;
mod registry;
mod report;
mod rules;
mod semver;
mod transfer;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;
use crate::output::Printer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = cli.command.global();
    let printer = Printer::new(global.format, cli.color);
    let result = match &cli.command {
        Command::Check(args) => commands::check::run(&global, args).await,
        Command::Diff(args) => commands::diff::run(&global, args),
        Command::Register(args) => commands::register::run(&global, args).await,
        Command::Pull(args) => commands::pull::run(&global, args).await,
        Command::Validate(args) => commands::validate::run(&global, args),
        Command::Init(args) => commands::init::run(args),
        Command::Explain(args) => return commands::explain::run(&global, args, &printer),
        Command::Export(args) => return exit(commands::transfer::export(args).await, &printer),
        Command::Import(args) => return exit(commands::transfer::import(args).await, &printer),
        Command::Migrate(args) => return exit(commands::transfer::migrate(args).await, &printer),
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

/// The exit of a command that prints its own summary: its status, or the error.
fn exit(result: anyhow::Result<ExitStatus>, printer: &Printer) -> ExitCode {
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            printer.fatal(&error);
            ExitStatus::Error.into()
        }
    }
}
