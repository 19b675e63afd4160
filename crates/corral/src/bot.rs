//! `corral bot irc`: the IRC evaluator (crates/corral-bot), a client of a corral
//! server's HTTP API, local or remote (docs/bot.md). Its settings come from the
//! `[bot.irc]` table of the configuration file, then the flags.

use anyhow::Context;
use clap::{Args, Subcommand};
use corral_bot::IrcSettings;
use serde::Deserialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum BotCommand {
    /// Answer ?eval and ?play on IRC with a corral server's results.
    Irc(IrcArgs),
}

#[derive(Args, Debug)]
pub struct IrcArgs {
    /// The IRC server.
    #[arg(long, value_name = "HOST:PORT")]
    server: Option<String>,
    /// Connect to the IRC server with TLS.
    #[arg(long)]
    tls: bool,
    /// The bot's nick (default: corralbot); `_` is appended while it is taken.
    #[arg(long)]
    nick: Option<String>,
    /// A channel to join; repeat for more (quote it in a shell: '#chan').
    #[arg(long = "channel", value_name = "CHANNEL")]
    channels: Vec<String>,
    /// The corral server's base URL (default: http://127.0.0.1:8000).
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// Configuration file (TOML): its [bot.irc] table; flags override it.
    #[arg(long, env = "CORRAL_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The configuration file as the bot reads it: other tables (`[limits.*]`,
/// `[server]`) belong to `corral serve`, but an unknown key under `[bot]` is an error.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    bot: BotTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BotTable {
    #[serde(default)]
    irc: IrcSettings,
}

fn read(path: &Path) -> anyhow::Result<IrcSettings> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: File = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
    Ok(file.bot.irc)
}

pub fn run(command: BotCommand) -> anyhow::Result<u8> {
    let BotCommand::Irc(args) = command;
    let mut settings = match &args.config {
        Some(path) => read(path)?,
        None => IrcSettings::default(),
    };
    settings.server = args.server.or(settings.server);
    settings.tls |= args.tls;
    settings.nick = args.nick.unwrap_or(settings.nick);
    settings.api = args.api.unwrap_or(settings.api);
    if !args.channels.is_empty() {
        settings.channels = args.channels;
    }
    let config = settings.check().map_err(anyhow::Error::msg)?;
    // A service logs what it does: at info unless CORRAL_LOG chose (then `main` did).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("corral_bot=info"))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    corral_bot::run_irc(config).context("the IRC bot")?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<IrcSettings, String> {
        toml::from_str::<File>(text)
            .map(|f| f.bot.irc)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_bot_reads_its_table_of_a_shared_file() {
        let shared = "[limits.run]\nwall = \"5s\"\n[server]\nworkers = 2\n\
                      [bot.irc]\nserver = \"irc.example.org:6697\"\nchannels = [\"#rust\"]\n";
        let s = parse(shared).unwrap();
        assert_eq!(
            (s.server.as_deref(), s.channels.as_slice()),
            (
                Some("irc.example.org:6697"),
                ["#rust".to_string()].as_slice()
            )
        );
        assert!(parse("[server]\nworkers = 2\n").unwrap().server.is_none());
        let e = parse("[bot.irc]\nserver = \"h:1\"\ncolour = true\n").unwrap_err();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = parse("[bot.discord]\ntoken = \"x\"\n").unwrap_err();
        assert!(e.contains("unknown field `discord`"), "{e}");
    }
}
