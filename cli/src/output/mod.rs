//! The one printer: every command hands it an [`Outcome`], and only this module
//! writes results to stdout, so `--format json` is never mixed with prose.

mod example;
mod github;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::io::{IsTerminal, Write};

use crate::report::Outcome;

/// Output format of results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: coloured on a terminal, with file:line, rule, path, message, hint.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML, for CI test-report views (GitLab, Jenkins).
    Junit,
    /// GitHub Actions workflow commands: annotations on the changed lines.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub-flavoured Markdown, for a pull-request comment: a summary table, each
    /// breaking change with its counterexample, compatible findings collapsed.
    Markdown,
    /// `diff --example`: only the counterexamples, one JSON object per line.
    #[value(skip)]
    Examples,
}

/// When text output is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Renders outcomes and fatal errors in the chosen format.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    format: Format,
    color: bool,
}

impl Printer {
    /// A printer for `format`; colour is decided once, from the choice and stdout.
    pub fn new(format: Format, color: ColorChoice) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Printer { format, color }
    }

    /// Renders `outcome` to stdout.
    pub fn print(&self, outcome: &Outcome) {
        if self.format == Format::Examples {
            for line in example::unproven(outcome) {
                eprintln!("{line}");
            }
        }
        let rendered = self.render(outcome);
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not worth a panic or a second error.
        let _ = out.write_all(rendered.as_bytes());
        let _ = out.flush();
    }

    /// `outcome` in the chosen format.
    pub fn render(&self, outcome: &Outcome) -> String {
        match self.format {
            Format::Text => text::render(outcome, self.color),
            Format::Json => json::render(outcome),
            Format::Junit => junit::render(outcome),
            Format::Github => github::render(outcome),
            Format::Sarif => sarif::render(outcome),
            Format::Markdown => markdown::render(outcome),
            Format::Examples => example::render(outcome),
        }
    }

    /// Reports an error that stopped the command (config, usage, git) on stderr, and
    /// as an annotation too with `--format github` so it shows on the run's page.
    pub fn fatal(&self, error: &anyhow::Error) {
        let message = format!("{error:#}");
        eprintln!("error: {message}");
        if self.format == Format::Github {
            println!(
                "::error title=schemagate::{}",
                github::escape_data(&message)
            );
        }
    }
}
