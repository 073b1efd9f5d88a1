//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Checks plugins for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub before the platform
/// rejects them.
#[derive(Debug, Parser)]
#[command(
    name = "plugsmith",
    version,
    long_about = "Checks plugins for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub before \
                  the platform rejects them: manifests, handlers, entry points and \
                  dependencies, with the exact place to fix.\n\n\
                  Exit status of `plugsmith check`: 0 when nothing is at error level, 1 when \
                  something is, 2 for usage errors, invalid configuration and unreadable files. \
                  `plugsmith init`: 0, or 2 when the folder exists and is not empty. \
                  `plugsmith run`: 0 when the run is ok, 1 otherwise.",
    propagate_version = true
)]
pub struct Cli {
    /// Never colour the output (the NO_COLOR environment variable is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the plugins found under the given files and folders.
    Check(CheckArgs),
    /// Explain a rule, or list every rule.
    Rule(RuleArgs),
    /// Run the language server (for editors).
    Server(ServerArgs),
    /// Create a new plugin from a skeleton that passes `plugsmith check`.
    Init(InitArgs),
    /// Run a plugin locally under its platform's production limits, with a fake platform
    /// client, and report what it did.
    Run(Box<plugsmith_runner::RunArgs>),
}

/// `plugsmith check`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    plugsmith check\n  \
    plugsmith check plugins/ --select KIL,PLG001 --ignore KIL010\n  \
    plugsmith check --output-format json > report.json\n  \
    plugsmith check --output-format sarif > plugsmith.sarif\n  \
    plugsmith check --output-format github    (in a GitHub Actions step)")]
pub struct CheckArgs {
    /// Files or folders to check (folders are walked, honouring .gitignore and `exclude`).
    /// [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full, value_name = "FORMAT")]
    pub output_format: OutputFormat,

    /// Only report these rules: comma-separated codes or prefixes (`KIL`, `PAN001`, `ALL`).
    /// Replaces the configuration's `select`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Never report these rules: comma-separated codes or prefixes. Added to the
    /// configuration's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Use this configuration file (`plugsmith.toml`, or a `pyproject.toml` with a
    /// `[tool.plugsmith]` table) instead of looking for the nearest one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Exit with status 0 even when diagnostics at error level are found (usage and IO
    /// errors still exit with 2).
    #[arg(long)]
    pub exit_zero: bool,
}

/// The output formats of `plugsmith check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippets with the range underlined, related locations and fixes (like rustc).
    Full,
    /// One `path:row:col: CODE message` line per diagnostic.
    Concise,
    /// A JSON array of diagnostics (rows and columns 1-based, columns in characters).
    Json,
    /// A SARIF 2.1.0 log (code scanning, IDE viewers); columns in Unicode code points.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`), one per diagnostic.
    Github,
}

/// `plugsmith rule`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The rule code, e.g. KIL001 (case-insensitive).
    #[arg(
        value_name = "CODE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub code: Option<String>,

    /// List every rule: code, severity, name and summary.
    #[arg(long)]
    pub all: bool,
}

/// `plugsmith server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Talk LSP over standard input and output (the only transport; accepted for editors that
    /// pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// `plugsmith init`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    plugsmith init --platform kili my_plugin\n  \
    plugsmith init --platform flowdapt plugins/weather-forecast")]
pub struct InitArgs {
    /// The platform the plugin is for.
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub platform: InitPlatform,

    /// The folder to create (it may exist if it is empty). Its last component names the
    /// plugin, its module and its package.
    #[arg(value_name = "NAME")]
    pub name: PathBuf,
}

/// The platforms `plugsmith init` has a skeleton for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitPlatform {
    /// A Kili folder plugin (`main.py` with `PluginHandler`, `requirements.txt`).
    Kili,
    /// A Panoptes polling plugin (`.panoptes-plugin` info file and its module).
    Panoptes,
    /// A Supervisely import plugin (`plugin_info.json`, `VERSION`, `Dockerfile`, `src/main.py`).
    Supervisely,
    /// A Flowdapt plugin package (`pyproject.toml` entry point, stages, a workflow).
    Flowdapt,
    /// An ArchiHub plugin (`__init__.py` from the backend template with a bulk task).
    Archihub,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn comma_lists_and_repeats_accumulate() {
        let cli = Cli::try_parse_from([
            "plugsmith",
            "check",
            "--select",
            "KIL,PLG001",
            "--select",
            "PAN",
            "--ignore",
            "KIL010",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            panic!("not check")
        };
        assert_eq!(
            args.select,
            Some(vec![
                "KIL".to_string(),
                "PLG001".to_string(),
                "PAN".to_string()
            ])
        );
        assert_eq!(args.ignore, vec!["KIL010".to_string()]);
        assert_eq!(args.output_format, OutputFormat::Full);
    }

    #[test]
    fn init_needs_a_platform_and_a_name() {
        let cli =
            Cli::try_parse_from(["plugsmith", "init", "--platform", "archihub", "x"]).unwrap();
        let Command::Init(args) = cli.command else {
            panic!("not init")
        };
        assert_eq!(args.platform, InitPlatform::Archihub);
        assert_eq!(args.name, PathBuf::from("x"));
        assert!(Cli::try_parse_from(["plugsmith", "init", "x"]).is_err());
        assert!(Cli::try_parse_from(["plugsmith", "init", "--platform", "kili"]).is_err());
        assert!(Cli::try_parse_from(["plugsmith", "init", "--platform", "nope", "x"]).is_err());
    }

    #[test]
    fn run_takes_the_runner_arguments() {
        let cli = Cli::try_parse_from(["plugsmith", "run", "p", "--timeout", "5s"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.path, PathBuf::from("p"));
        assert_eq!(args.timeout.as_deref(), Some("5s"));
    }

    #[test]
    fn rule_needs_a_code_or_all() {
        assert!(Cli::try_parse_from(["plugsmith", "rule"]).is_err());
        assert!(Cli::try_parse_from(["plugsmith", "rule", "X", "--all"]).is_err());
        assert!(Cli::try_parse_from(["plugsmith", "rule", "--all"]).is_ok());
    }
}
