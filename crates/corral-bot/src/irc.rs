//! The IRC connection: register (a `_` appended while the nick is taken), join the
//! channels, answer PING, hand `?eval` / `?play` lines to request tasks (at most
//! `max_running` calling corral at once), and send every outgoing line through one paced
//! writer (a burst of 4, then one a second), so the server never drops the bot for
//! flooding. When the connection drops or goes silent, it reconnects after 1 s, doubling
//! up to 60 s. A line the bot cannot read (bad UTF-8, overlong, not IRC) is logged and
//! skipped.

use crate::api::Api;
use crate::command::{self, Parsed};
use crate::ratelimit::{Limiter, Verdict};
use crate::{IrcConfig, reply};
use irc_proto::{Command, Message, Response};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{sleep, timeout};
use tracing::{debug, info, warn};

/// Longest line read (IRCv3 tags may take 8 KiB before the 512 bytes of the message).
const MAX_LINE: usize = 8 << 10 | 512;
/// Silence after which the bot sends a PING, and after which (twice that) it reconnects.
const QUIET: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Outgoing pacing: lines sent at once, then one per `PACE`.
const BURST: f64 = 4.0;
const PACE: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Outgoing lines waiting to be sent; beyond that, new ones are dropped (and logged).
const MAX_QUEUED: usize = 256;

/// What every connection shares: the server, the limits, the request slots.
struct Bot {
    config: IrcConfig,
    api: Arc<Api>,
    limiter: Mutex<Limiter>,
    running: Arc<Semaphore>,
}

/// How a session ended, when it did not fail.
enum End {
    /// SIGINT or SIGTERM: QUIT was sent.
    Stop,
}

pub async fn run(config: IrcConfig) -> io::Result<()> {
    let bot = Arc::new(Bot {
        api: Arc::new(Api::new(&config.api)),
        limiter: Mutex::new(Limiter::new(config.user_rate, config.channel_rate)),
        running: Arc::new(Semaphore::new(config.max_running)),
        config,
    });
    let mut stop = Box::pin(shutdown());
    let mut backoff = Duration::from_secs(1);
    loop {
        let mut registered = false;
        match session(&bot, &mut registered, &mut stop).await {
            Ok(End::Stop) => return Ok(()),
            Err(e) => warn!(
                "IRC connection to {}:{}: {e}",
                bot.config.host, bot.config.port
            ),
        }
        if registered {
            backoff = Duration::from_secs(1);
        }
        info!("reconnecting in {} s", backoff.as_secs());
        tokio::select! {
            _ = sleep(backoff) => {}
            _ = &mut stop => return Ok(()),
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// SIGINT or SIGTERM.
async fn shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

/// One connection, from connecting to its end.
async fn session(
    bot: &Arc<Bot>,
    registered: &mut bool,
    stop: &mut std::pin::Pin<Box<impl Future<Output = ()>>>,
) -> io::Result<End> {
    let c = &bot.config;
    info!(
        "connecting to {}:{}{}",
        c.host,
        c.port,
        if c.tls { " (TLS)" } else { "" }
    );
    let stream = connect(c).await?;
    let (reader, writer) = tokio::io::split(stream);
    let (urgent, urgent_rx) = mpsc::channel(16);
    let (out, out_rx) = mpsc::channel(MAX_QUEUED);
    let mut writer = AbortOnDrop(tokio::spawn(write_loop(writer, urgent_rx, out_rx)));
    let mut nick = c.nick.clone();
    let _ = urgent.send(format!("NICK {nick}")).await;
    let _ = urgent.send(format!("USER {nick} 0 * :corral bot")).await;
    let mut lines = Lines::new(reader);
    let mut pinged = false;
    loop {
        let line = tokio::select! {
            line = timeout(QUIET, lines.next()) => line,
            done = &mut writer.0 => return Err(match done {
                Ok(Err(e)) => e,
                _ => io::Error::other("the writer stopped"),
            }),
            _ = &mut *stop => {
                info!("stopping");
                let _ = urgent.send("QUIT :corral bot stopping".into()).await;
                sleep(Duration::from_millis(300)).await;
                return Ok(End::Stop);
            }
        };
        let bytes = match line {
            Err(_) if pinged => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the server went silent",
                ));
            }
            Err(_) => {
                pinged = true;
                let _ = urgent.send(format!("PING :{}", c.host)).await;
                continue;
            }
            Ok(line) => line?.ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                )
            })?,
        };
        pinged = false;
        let text = String::from_utf8_lossy(&bytes);
        let message = match text.parse::<Message>() {
            Ok(m) => m,
            Err(e) => {
                debug!("skipped a line that is not IRC ({e}): {text:?}");
                continue;
            }
        };
        match &message.command {
            Command::PING(token, _) => {
                let _ = urgent
                    .send(format!("PONG :{}", reply::sanitize(token)))
                    .await;
            }
            Command::Response(Response::RPL_WELCOME, args) => {
                *registered = true;
                if let Some(me) = args.first() {
                    nick = me.clone();
                }
                info!("registered as {nick}; joining {}", c.channels.join(" "));
                for channel in &c.channels {
                    send(&out, format!("JOIN {channel}"));
                }
            }
            Command::Response(Response::ERR_NICKNAMEINUSE, _) if !*registered => {
                nick.push('_');
                info!("nick in use, trying {nick}");
                let _ = urgent.send(format!("NICK {nick}")).await;
            }
            Command::Response(Response::ERR_ERRONEOUSNICKNAME, args) if !*registered => {
                return Err(io::Error::other(format!(
                    "the server refuses the nick {nick}: {}",
                    args.join(" ")
                )));
            }
            Command::PRIVMSG(target, text) => {
                if let Some(from) = message.source_nickname() {
                    on_privmsg(bot, &nick, from, target, text, &out);
                }
            }
            Command::ERROR(reason) => warn!("the server says: {reason}"),
            Command::KICK(channel, who, _) if who.eq_ignore_ascii_case(&nick) => {
                warn!("kicked from {channel}")
            }
            _ => {}
        }
    }
}

/// A chat line: a command is rate-limited, then answered by a task of its own.
fn on_privmsg(bot: &Arc<Bot>, me: &str, from: &str, target: &str, text: &str, out: &Out) {
    if from.eq_ignore_ascii_case(me) {
        return;
    }
    let parsed = command::parse(text);
    if parsed == Parsed::Ignore {
        return;
    }
    // A channel's line is answered in the channel, a private message to its sender.
    let channel = target.starts_with(['#', '&', '+', '!']).then_some(target);
    let to = channel.unwrap_or(from).to_string();
    let verdict = bot
        .limiter
        .lock()
        .unwrap()
        .check(from, channel, Instant::now());
    match verdict {
        Verdict::Go => {}
        Verdict::Notice(wait) => {
            info!("{from} in {to}: over the rate limit");
            let secs = wait.as_secs_f64().ceil() as u64;
            return say(
                out,
                &to,
                &format!("{from}: slow down, try again in {secs} s"),
            );
        }
        Verdict::Silent => return debug!("{from} in {to}: over the rate limit, silent"),
    }
    let request = match parsed {
        Parsed::Run(r) => r,
        Parsed::Usage(usage) => return say(out, &to, &format!("{from}: {usage}")),
        Parsed::Ignore => return,
    };
    info!("{from} in {to}: {} {:?}", request.harness, request.code);
    let (bot, out, from) = (bot.clone(), out.clone(), from.to_string());
    tokio::spawn(async move {
        let Ok(_slot) = bot.running.clone().acquire_owned().await else {
            return;
        };
        let api = bot.api.clone();
        let who = from.clone();
        let lines = tokio::task::spawn_blocking(move || crate::answer(&api, &request, &who))
            .await
            .unwrap_or_else(|e| vec![format!("{from}: the bot failed: {e}")]);
        for line in lines {
            say(&out, &to, &line);
        }
    });
}

type Out = mpsc::Sender<String>;

/// Queues `PRIVMSG to :text` (text made one clean line of at most 400 bytes).
fn say(out: &Out, to: &str, text: &str) {
    if to.is_empty() || to.contains(|c: char| c.is_control() || c == ' ') {
        return warn!("not answering to {to:?}");
    }
    send(out, format!("PRIVMSG {to} :{}", reply::one_line(text)));
}

fn send(out: &Out, line: String) {
    if let Err(e) = out.try_send(line) {
        warn!("an outgoing line was dropped: {e}");
    }
}

/// Writes lines: urgent ones (registration, PONG, QUIT) first and at once, the others
/// paced by a token bucket.
async fn write_loop(
    mut w: impl AsyncWrite + Unpin,
    mut urgent: mpsc::Receiver<String>,
    mut out: mpsc::Receiver<String>,
) -> io::Result<()> {
    let (mut tokens, mut at) = (BURST, Instant::now());
    loop {
        let line = tokio::select! {
            biased;
            Some(line) = urgent.recv() => line,
            Some(line) = out.recv() => {
                tokens = (tokens + at.elapsed().as_secs_f64() / PACE.as_secs_f64()).min(BURST);
                at = Instant::now();
                if tokens < 1.0 {
                    sleep(PACE.mul_f64(1.0 - tokens)).await;
                    tokens = 1.0;
                    at = Instant::now();
                }
                tokens -= 1.0;
                line
            }
            else => return Ok(()),
        };
        debug!("> {line}");
        w.write_all(format!("{line}\r\n").as_bytes()).await?;
        w.flush().await?;
    }
}

/// Lines of at most [`MAX_LINE`] bytes, without their CR LF; longer ones are skipped.
struct Lines<R> {
    r: R,
    buf: Vec<u8>,
    skipping: bool,
}

impl<R: AsyncRead + Unpin> Lines<R> {
    fn new(r: R) -> Self {
        Lines {
            r,
            buf: Vec::new(),
            skipping: false,
        }
    }

    /// The next line; `None` at the end of the stream. Cancel-safe.
    async fn next(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if std::mem::take(&mut self.skipping) || line.is_empty() {
                    continue;
                }
                return Ok(Some(line));
            }
            if self.buf.len() > MAX_LINE {
                warn!("skipped a line longer than {MAX_LINE} bytes");
                self.buf.clear();
                self.skipping = true;
            }
            let mut chunk = [0u8; 4096];
            let n = self.r.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn connect(c: &IrcConfig) -> io::Result<Box<dyn Stream>> {
    let tcp = timeout(
        CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((c.host.as_str(), c.port)),
    )
    .await
    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connecting timed out"))??;
    tcp.set_nodelay(true)?;
    if !c.tls {
        return Ok(Box::new(tcp));
    }
    use tokio_rustls::rustls::pki_types::ServerName;
    let config = crate::tls_config().map_err(io::Error::other)?;
    let name = ServerName::try_from(c.host.clone())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let tls = timeout(
        CONNECT_TIMEOUT,
        tokio_rustls::TlsConnector::from(config).connect(name, tcp),
    )
    .await
    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the TLS handshake timed out"))??;
    Ok(Box::new(tls))
}

/// The writer task ends with its session.
struct AbortOnDrop(tokio::task::JoinHandle<io::Result<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_survive_garbage_and_overlong_input() {
        let mut input = b":a PRIVMSG #c :\xff\xfe bad utf-8\r\n".to_vec();
        input.extend(vec![b'x'; MAX_LINE * 2]);
        input.extend(b"\r\n\r\nPING :ok\n");
        let mut lines = Lines::new(&input[..]);
        let first = lines.next().await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&first).ends_with("\u{fffd}\u{fffd} bad utf-8"));
        assert_eq!(lines.next().await.unwrap().unwrap(), b"PING :ok");
        assert_eq!(lines.next().await.unwrap(), None);
    }

    #[test]
    fn any_line_parses_or_is_refused_without_panicking() {
        // Lines made of IRC's delimiters and a few words, as a server might send them
        // broken (CR and LF are never in a line the reader gives).
        let pieces = [
            "", " ", ":", "@", "!", "=", ";", ",", "PRIVMSG", "PING", "001", "433", "#c", "a", "é",
            "\u{fffd}", " :", "::",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..(seed % 9) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                line.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let _ = line.parse::<Message>();
        }
    }
}
