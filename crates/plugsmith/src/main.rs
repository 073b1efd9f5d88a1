//! `plugsmith`: the command-line front end. Parses the command line, wires the checker, the
//! disk and the language server together, prints, and picks the exit status.

mod check_command;
mod cli;
mod init;
mod position;
mod render;
mod rule_command;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use annotate_snippets::renderer::{AnsiColor, Effects, Style};
use clap::Parser;

use crate::cli::{Cli, Command};

/// How `plugsmith` exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing at error level.
    Success,
    /// 1: at least one diagnostic at error level.
    Failure,
    /// 2: usage error, invalid configuration, unreadable path or file.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// The style of `error:` labels on standard error.
pub const ERROR_STYLE: Style = AnsiColor::BrightRed.on_default().effects(Effects::BOLD);
/// The style of `warning:` labels on standard error.
pub const WARNING_STYLE: Style = AnsiColor::BrightYellow.on_default().effects(Effects::BOLD);

/// Writes `error: MESSAGE` (the label styled) to `err`; a failing stderr is ignored, there is
/// nowhere left to report it.
pub fn report_error(err: &mut dyn Write, message: &str) {
    let _ = writeln!(err, "{}: {message}", styled_label("error", ERROR_STYLE));
}

/// `label` in `style`; the stream strips the style when it is not a colour terminal.
pub fn styled_label(label: &str, style: Style) -> String {
    format!("{style}{label}{style:#}")
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` exit 0, usage errors 2. A closed pipe is not worth a panic.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    if cli.no_color {
        anstream::ColorChoice::Never.write_global();
    }
    let mut err = anstream::stderr();
    let status = match cli.command {
        // The runner prints its own report and picks its own exit code (0 when the run is
        // `ok`, 1 otherwise); it ignores a closed standard output.
        Command::Run(args) => return plugsmith_runner::run_command(*args),
        Command::Check(args) => {
            let color = stdout_color(cli.no_color);
            let mut out = io::stdout().lock();
            let result = check_command::run(&args, color, &mut out, &mut err);
            finish(result, &mut err)
        }
        Command::Init(args) => {
            let mut out = io::stdout().lock();
            let result = init::run(&args, &mut out, &mut err);
            finish(result, &mut err)
        }
        Command::Rule(args) => {
            let rules = plugsmith_check::all_rules();
            let mut out = io::stdout().lock();
            let result = match (&args.code, args.all) {
                (_, true) => out
                    .write_all(rule_command::list(&rules).as_bytes())
                    .map(|()| ExitStatus::Success),
                (Some(code), false) => match plugsmith_check::find_rule(code.trim()) {
                    Some(rule) => out
                        .write_all(rule_command::describe(rule).as_bytes())
                        .map(|()| ExitStatus::Success),
                    None => {
                        let _ = writeln!(
                            err,
                            "{}: {}",
                            styled_label("error", ERROR_STYLE),
                            rule_command::unknown(code, &rules)
                        );
                        Ok(ExitStatus::Error)
                    }
                },
                // clap requires one of the two.
                (None, false) => Ok(ExitStatus::Error),
            };
            finish(
                result.and_then(|status| out.flush().map(|()| status)),
                &mut err,
            )
        }
        Command::Server(_) => match plugsmith_server::run_stdio() {
            Ok(()) => ExitStatus::Success,
            Err(error) => {
                let _ = writeln!(
                    err,
                    "{}: language server: {error}",
                    styled_label("error", ERROR_STYLE)
                );
                ExitStatus::Error
            }
        },
    };
    status.into()
}

/// Whether the `full` output is coloured: standard output is a terminal and neither
/// `--no-color` nor `NO_COLOR` (or `CLICOLOR=0`, `TERM=dumb`) says otherwise; `CLICOLOR_FORCE`
/// forces it.
fn stdout_color(no_color: bool) -> bool {
    if no_color {
        return false;
    }
    let stdout = io::stdout();
    match anstream::AutoStream::choice(&stdout) {
        anstream::ColorChoice::Never => false,
        anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi => true,
        anstream::ColorChoice::Auto => stdout.is_terminal(),
    }
}

/// The status of a command whose output could not be written: a closed pipe (`| head`) ends it
/// quietly, any other write error is reported as an IO error.
fn finish(result: io::Result<ExitStatus>, err: &mut dyn Write) -> ExitStatus {
    match result {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(error) => {
            let _ = writeln!(
                err,
                "{}: cannot write the output: {error}",
                styled_label("error", ERROR_STYLE)
            );
            ExitStatus::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(ExitCode::from(ExitStatus::Success), ExitCode::from(0));
        assert_eq!(ExitCode::from(ExitStatus::Failure), ExitCode::from(1));
        assert_eq!(ExitCode::from(ExitStatus::Error), ExitCode::from(2));
    }

    #[test]
    fn broken_pipes_are_quiet() {
        let mut err = Vec::new();
        assert_eq!(
            finish(Ok(ExitStatus::Failure), &mut err),
            ExitStatus::Failure
        );
        let broken = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(finish(Err(broken), &mut err), ExitStatus::Success);
        assert!(err.is_empty());
        let other = io::Error::other("disk full");
        assert_eq!(finish(Err(other), &mut err), ExitStatus::Error);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            format!(
                "{}: cannot write the output: disk full\n",
                styled_label("error", ERROR_STYLE)
            )
        );
    }
}
