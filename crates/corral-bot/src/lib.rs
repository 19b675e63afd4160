//! corral's chat bots. `corral bot irc` is an IRC client that answers `?eval` and
//! `?play` by asking a corral server over its HTTP API, any server, local or remote
//! (docs/bot.md). It runs nothing itself and shares no code with the server's side:
//! `command` parses a chat line, `api` calls the server, `reply` turns a result into
//! safe IRC messages, `ratelimit` keeps a flood from making the bot flood, and `irc`
//! is the connection (registration, pacing, PING, reconnects).

pub mod api;
pub mod command;
pub mod irc;
pub mod ratelimit;
pub mod reply;

use ratelimit::Rate;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls;

/// The `[bot.irc]` table of the configuration file, and the flags of `corral bot irc`,
/// which override it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IrcSettings {
    /// The IRC server, `HOST:PORT`.
    pub server: Option<String>,
    /// Connect with TLS.
    pub tls: bool,
    pub nick: String,
    /// Channels to join (private messages are answered too).
    pub channels: Vec<String>,
    /// The corral server's base URL.
    pub api: String,
    /// Requests a user may make per `user_window` seconds (0: no limit).
    pub user_requests: u32,
    pub user_window: u64,
    /// Requests a channel may make per `channel_window` seconds (0: no limit).
    pub channel_requests: u32,
    pub channel_window: u64,
    /// Requests to corral in flight at once; more wait their turn.
    pub max_running: usize,
}

impl Default for IrcSettings {
    fn default() -> Self {
        IrcSettings {
            server: None,
            tls: false,
            nick: "corralbot".into(),
            channels: Vec::new(),
            api: "http://127.0.0.1:8000".into(),
            user_requests: 3,
            user_window: 30,
            channel_requests: 10,
            channel_window: 60,
            max_running: 4,
        }
    }
}

/// [`IrcSettings`] checked: what the bot runs with.
#[derive(Debug, Clone)]
pub struct IrcConfig {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub nick: String,
    pub channels: Vec<String>,
    pub api: String,
    pub user_rate: Rate,
    pub channel_rate: Rate,
    pub max_running: usize,
}

impl IrcSettings {
    pub fn check(self) -> Result<IrcConfig, String> {
        let server = self
            .server
            .ok_or("no IRC server: give --server HOST:PORT or `server` in [bot.irc]")?;
        let (host, port) = server
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.trim_matches(['[', ']']), p.parse::<u16>().ok()?)))
            .filter(|(h, _)| !h.is_empty())
            .ok_or_else(|| format!("server {server:?}: expected HOST:PORT"))?;
        let nick_ok = |n: &str| {
            n.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || "[]\\`_^{|}".contains(c))
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "[]\\`_^{|}-".contains(c))
        };
        if !nick_ok(&self.nick) {
            return Err(format!(
                "nick {:?}: letters, digits and []\\`_^{{|}}- only, not starting with a digit or -",
                self.nick
            ));
        }
        for c in &self.channels {
            let ok = c.starts_with(['#', '&'])
                && c.len() <= 50
                && !c.contains(|ch: char| ch.is_control() || ch == ' ' || ch == ',');
            if !ok {
                return Err(format!(
                    "channel {c:?}: a name starting with # or &, without spaces or commas (quote it in a shell: '#chan')"
                ));
            }
        }
        let api = self.api.trim_end_matches('/').to_string();
        let scheme_ok = api.starts_with("http://") || api.starts_with("https://");
        if !scheme_ok || api.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "api {:?}: expected http(s)://HOST[:PORT][/PREFIX]",
                self.api
            ));
        }
        Ok(IrcConfig {
            host: host.to_string(),
            port,
            tls: self.tls,
            nick: self.nick,
            channels: self.channels,
            api,
            user_rate: Rate {
                requests: self.user_requests,
                window: Duration::from_secs(self.user_window.max(1)),
            },
            channel_rate: Rate {
                requests: self.channel_requests,
                window: Duration::from_secs(self.channel_window.max(1)),
            },
            max_running: self.max_running.max(1),
        })
    }
}

/// TLS for both connections, IRC and HTTPS: the system's root certificates, with ring
/// (the provider the workspace already builds for NATS).
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    #[allow(deprecated)] // no post-quantum key exchange: not needed for a chat bot
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// Runs the IRC bot until SIGINT or SIGTERM (reconnecting whenever the connection
/// drops).
pub fn run_irc(config: IrcConfig) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.max_running + 2)
        .enable_all()
        .build()?
        .block_on(irc::run(config))
}

/// The answer to one request, as the messages to send (`nick` is whom to address an
/// error to). Blocking: it calls the server.
pub fn answer(api: &api::Api, request: &command::RunRequest, nick: &str) -> Vec<String> {
    let result = match api.run(request) {
        Ok(r) => r,
        Err(e) => return vec![reply::one_line(&format!("{nick}: {e}"))],
    };
    let answer = reply::Answer::of(&result);
    let link = if answer.is_cut() {
        api.share(&command::full_program(request))
            .inspect_err(|e| tracing::warn!("no share link: {e}"))
            .ok()
    } else {
        None
    };
    answer.messages(link.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<IrcSettings, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn settings_are_checked_and_unknown_keys_named() {
        let c = settings("server = \"irc.example.org:6697\"\ntls = true\nchannels = [\"#rust\"]")
            .unwrap()
            .check()
            .unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.tls),
            ("irc.example.org", 6697, true)
        );
        assert_eq!(
            (c.nick.as_str(), c.api.as_str()),
            ("corralbot", "http://127.0.0.1:8000")
        );
        assert_eq!(
            c.user_rate,
            Rate {
                requests: 3,
                window: Duration::from_secs(30)
            }
        );
        let e = settings("server = \"h:1\"\nspeed = 3").unwrap_err();
        assert!(e.contains("unknown field `speed`"), "{e}");
        let bad = |s: &str| settings(s).unwrap().check().unwrap_err();
        assert!(bad("tls = false").contains("--server"));
        assert!(bad("server = \"nohost\"").contains("HOST:PORT"));
        assert!(bad("server = \"h:1\"\nnick = \"a b\"").contains("nick"));
        assert!(bad("server = \"h:1\"\nchannels = [\"rust\"]").contains("channel"));
        assert!(bad("server = \"h:1\"\napi = \"ftp://x\"").contains("api"));
    }
}
