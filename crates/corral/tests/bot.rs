//! `corral bot irc` end to end: a real IRC server (ngircd), a real `corral serve`, the
//! bot between them, and this test as a plain TCP IRC client in the channel. It checks
//! `?eval` and `?play`, nightly, that program output cannot inject an IRC command, the
//! rate limit, private messages, garbage lines, a taken nick, a corral server that goes
//! away and comes back, and an IRC server that restarts. Every wait is bounded; every
//! process is killed on drop.

mod common;

use common::server::{Server, free_port};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NGIRCD: &str = "/usr/sbin/ngircd";
const BOT: &str = "corralbot";

/// A child process killed (and its temp dir removed) on drop.
struct Proc {
    child: Child,
    dir: Option<PathBuf>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The test's own dir (config, the bot's log): the log is printed if the test fails.
struct RunDir(PathBuf);

impl Drop for RunDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.0.join("bot.log")).unwrap_or_default();
            eprintln!("the bot's log:\n{log}");
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corral-bot-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// ngircd on loopback `port` with the channel #corral.
fn ngircd(port: u16) -> Proc {
    let dir = temp_dir("ngircd");
    // SAFETY: getuid and getgid have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let conf = format!(
        "[Global]\nName = irc.corral.test\nInfo = corral test\nListen = 127.0.0.1\n\
         Ports = {port}\nPidFile = {pid}\nServerUID = {uid}\nServerGID = {gid}\n\
         MotdPhrase = hello\n[Limits]\nMaxNickLength = 30\n\
         [Options]\nPAM = no\nIdent = no\nDNS = no\n[Channel]\nName = #corral\n",
        pid = dir.join("ngircd.pid").display()
    );
    let conf_file = dir.join("ngircd.conf");
    std::fs::write(&conf_file, conf).unwrap();
    let log = std::fs::File::create(dir.join("ngircd.log")).unwrap();
    let child = Command::new(NGIRCD)
        .arg("-n")
        .arg("-f")
        .arg(&conf_file)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start ngircd");
    let proc = Proc {
        child,
        dir: Some(dir),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "ngircd did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    proc
}

/// `corral bot irc` with `config`, its log in `dir`.
fn bot(irc_port: u16, api: &str, config: &Path, dir: &Path) -> Proc {
    let log = std::fs::File::create(dir.join("bot.log")).unwrap();
    let child = Command::new(common::CORRAL)
        .args(["bot", "irc", "--server", &format!("127.0.0.1:{irc_port}")])
        .args(["--api", api, "--config"])
        .arg(config)
        .env_remove("CORRAL_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start corral bot irc");
    Proc { child, dir: None }
}

/// One line as the test client reads it: `:nick!user@host COMMAND target :text`.
#[derive(Debug, Clone)]
struct Line {
    raw: String,
    from: String,
    command: String,
    target: String,
    text: String,
}

fn parse(raw: &str) -> Line {
    let (prefix, rest) = match raw.strip_prefix(':') {
        Some(r) => r.split_once(' ').unwrap_or((r, "")),
        None => ("", raw),
    };
    let (head, text) = rest.split_once(" :").unwrap_or((rest, ""));
    let mut words = head.split(' ');
    Line {
        raw: raw.to_string(),
        from: prefix.split('!').next().unwrap_or("").to_string(),
        command: words.next().unwrap_or("").to_string(),
        target: words.next().unwrap_or("").to_string(),
        text: text.to_string(),
    }
}

/// The test's IRC client.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// Every line read, in order.
    seen: Vec<Line>,
    nick: String,
    bot: String,
}

impl Client {
    fn connect(port: u16, nick: &str) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut c = Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            seen: Vec::new(),
            nick: nick.into(),
            bot: BOT.into(),
        };
        c.send(&format!("NICK {nick}"));
        c.send(&format!("USER {nick} 0 * :test"));
        c.wait(10, "registration", |l| l.command == "001");
        c
    }

    fn send(&mut self, line: &str) {
        self.send_bytes(line.as_bytes());
    }

    fn send_bytes(&mut self, line: &[u8]) {
        self.writer.write_all(line).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
    }

    fn rename(&mut self, nick: &str) {
        self.send(&format!("NICK {nick}"));
        let old = self.nick.clone();
        self.wait(10, "the nick change", |l| {
            l.command == "NICK" && l.from == old
        });
        self.nick = nick.into();
    }

    /// Reads lines (answering PING) for at most `secs`; the first one `pred` accepts.
    fn next_matching(&mut self, secs: u64, pred: impl Fn(&Line) -> bool) -> Option<Line> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut buf = Vec::new();
        while Instant::now() < deadline {
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => panic!("the IRC server closed the connection"),
                Ok(_) if buf.ends_with(b"\n") => {
                    let raw = String::from_utf8_lossy(&buf).trim_end().to_string();
                    buf.clear();
                    let line = parse(&raw);
                    if line.command == "PING" {
                        self.send(&format!("PONG :{}", line.text));
                    }
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return Some(line);
                    }
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading from the IRC server: {e}"),
            }
        }
        None
    }

    fn wait(&mut self, secs: u64, what: &str, pred: impl Fn(&Line) -> bool) -> Line {
        self.next_matching(secs, pred)
            .unwrap_or_else(|| panic!("no {what} within {secs} s; lines seen: {:#?}", self.tail()))
    }

    /// The bot's next message to `target`.
    fn bot_says(&mut self, target: &str, secs: u64) -> String {
        let (bot, target) = (self.bot.clone(), target.to_string());
        self.wait(secs, &format!("message from the bot to {target}"), |l| {
            l.from == bot && l.command == "PRIVMSG" && l.target == target
        })
        .text
    }

    /// Says `text` in #corral and returns the bot's first message there.
    fn ask(&mut self, text: &str) -> String {
        self.send(&format!("PRIVMSG #corral :{text}"));
        self.bot_says("#corral", 60)
    }

    /// The bot's lines read from `seen[start]` on: until there are `expect`
    /// (reading for at most `secs`), then any more that come within `then` seconds.
    fn bot_lines(&mut self, start: usize, expect: usize, secs: u64, then: u64) -> Vec<Line> {
        let bot = self.bot.clone();
        let count = |c: &Client| c.seen[start..].iter().filter(|l| l.from == bot).count();
        let missing = std::cell::Cell::new(expect.saturating_sub(count(self)));
        if missing.get() > 0 {
            let _ = self.next_matching(secs, |l| {
                missing.set(missing.get() - usize::from(l.from == bot));
                missing.get() == 0
            });
        }
        let _ = self.next_matching(then, |_| false);
        self.seen[start..]
            .iter()
            .filter(|l| l.from == bot)
            .cloned()
            .collect()
    }

    fn tail(&self) -> Vec<&str> {
        let n = self.seen.len();
        self.seen[n.saturating_sub(15)..]
            .iter()
            .map(|l| l.raw.as_str())
            .collect()
    }
}

fn nightly_installed() -> bool {
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    corral_rust::toolchain::resolve(&toolchains, "nightly").is_ok()
}

/// One configuration file for both: `corral serve` reads `[limits.*]` and `[server]`,
/// the bot `[bot.irc]` (the flags give it the addresses).
const CONFIG: &str = "[limits.run]\nwall = \"5s\"\n[server]\nrate_per_minute = 0\n\
                      [bot.irc]\nnick = \"corralbot\"\nchannels = [\"#corral\"]\n\
                      user_requests = 3\nuser_window = 60\nchannel_requests = 100\n";

#[test]
fn the_irc_bot_answers_through_a_real_corral_and_cannot_be_made_to_flood_or_inject() {
    if !Path::new(NGIRCD).exists() {
        eprintln!("SKIP: ngircd is not installed (apt-get install ngircd)");
        return;
    }
    if !common::sandbox_available() {
        return;
    }
    let Some(server) = Server::start(CONFIG, &[]) else {
        return;
    };
    let api = server.base.clone();
    let api_port: u16 = api.rsplit(':').next().unwrap().parse().unwrap();
    let irc_port = free_port();
    let ircd = ngircd(irc_port);
    let dir = RunDir(temp_dir("run"));
    let config = dir.0.join("corral.toml");
    std::fs::write(&config, CONFIG).unwrap();

    // The bot's nick is taken: it becomes corralbot_.
    let mut c = Client::connect(irc_port, BOT);
    c.send("JOIN #corral");
    c.wait(10, "joining #corral", |l| {
        l.command == "JOIN" && l.from == BOT
    });
    let _bot = bot(irc_port, &api, &config, &dir.0);
    let joined = c.wait(20, "the bot joining #corral", |l| {
        l.command == "JOIN" && l.from.starts_with(BOT) && l.from != BOT
    });
    assert_eq!(joined.from, "corralbot_", "a taken nick gets a `_`");
    c.bot = joined.from.clone();
    c.rename("alice");

    // 1. An expression.
    assert_eq!(c.ask("?eval 6 * 7"), "42");
    // 2. A compile error answers its first error, where the user wrote it.
    let error = c.ask("?play fn main() { let x: i32 = \"a\"; }");
    assert_eq!(error, "error[E0308]: mismatched types at 1:26");
    // 3. -n runs on nightly: a feature gate compiles there, and not on stable.
    let gated = "#![feature(never_type)] 6 * 7";
    if nightly_installed() {
        assert_eq!(c.ask(&format!("?eval -n {gated}")), "42");
    } else {
        eprintln!("SKIP (one step): nightly is not installed");
    }
    c.rename("bob");
    assert!(
        c.ask(&format!("?eval {gated}")).starts_with("error[E0554]"),
        "stable refuses #![feature]"
    );

    // 4. Output cannot end the bot's message and start another IRC command.
    let start = c.seen.len();
    c.send(
        r#"PRIVMSG #corral :?play fn main() { print!("a\r\nPRIVMSG #corral :INJECTED\r\n\x01ACTION x\x01\0"); }"#,
    );
    let lines = c.bot_lines(start, 3, 60, 2);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts[..2],
        [
            "a",
            "[a line that reads as an IRC command is not shown here]"
        ],
        "each output line is its own message, controls removed, an IRC command withheld: {lines:#?}"
    );
    assert!(
        texts[2].starts_with("(1 more line; full program: http://"),
        "{lines:#?}"
    );
    for l in &lines {
        assert_eq!(
            (l.command.as_str(), l.target.as_str()),
            ("PRIVMSG", "#corral")
        );
        assert!(!l.text.starts_with("INJECTED"), "{l:?}");
        assert!(!l.text.contains("PRIVMSG #corral :INJECTED"), "{l:?}");
    }

    // A private message is answered to its sender.
    let bot_nick = c.bot.clone();
    c.send(&format!("PRIVMSG {bot_nick} :?eval 1 + 1"));
    assert_eq!(c.bot_says("bob", 60), "2");

    // 5. A flood from one user: three answers, one notice, then silence.
    c.rename("carol");
    let start = c.seen.len();
    for _ in 0..10 {
        c.send("PRIVMSG #corral :?eval 1");
    }
    // The server relays in order (pacing a flood): once it confirms the next nick, the
    // bot has been sent all ten.
    c.rename("dave");
    let lines = c.bot_lines(start, 4, 60, 2);
    let answers = lines.iter().filter(|l| l.text == "1").count();
    let notices: Vec<_> = lines
        .iter()
        .filter(|l| l.text.starts_with("carol: slow down, try again in "))
        .collect();
    assert_eq!(
        (answers, notices.len(), lines.len()),
        (3, 1, 4),
        "3 answers and one notice: {lines:#?}"
    );

    // Garbage the bot sees: invalid UTF-8 (as a chat line and as code), controls, a
    // long line, CTCP, a bad switch. It answers what is a command and keeps working.
    c.send_bytes(b"PRIVMSG #corral :\xff\xfe\xfd not UTF-8 \x01\x7f");
    c.send_bytes(b"PRIVMSG #corral :?eval \xff\xfe");
    let garbled = c.bot_says("#corral", 60);
    assert!(
        garbled.starts_with("error: unknown start of token"),
        "{garbled}"
    );
    c.send(&format!("PRIVMSG #corral :{}", "x".repeat(400)));
    c.send(&format!("PRIVMSG {bot_nick} :\x01VERSION\x01"));
    let usage = c.ask("?eval --edition 2019 1");
    assert!(usage.starts_with("dave: --edition takes"), "{usage}");
    assert_eq!(c.ask("?eval 2 + 2"), "4");

    // 6. The corral server goes away: a clear answer; it comes back: answers again.
    c.rename("erin");
    drop(server);
    let down = c.ask("?eval 3 * 3");
    assert_eq!(
        down,
        format!("erin: corral at {api} is not answering (connection refused); try again later")
    );
    let Some(_server) = Server::launch_on(api_port, CONFIG, &[], None, true) else {
        panic!("corral serve did not start again on port {api_port}");
    };
    assert_eq!(c.ask("?eval 3 * 3"), "9");
    // Output that does not fit: its first lines, then a link to the whole program.
    let start = c.seen.len();
    let program = "fn main() { for i in 0..10 { println!(\"{i}\"); } }";
    c.send(&format!("PRIVMSG #corral :?play {program}"));
    let lines = c.bot_lines(start, 3, 60, 0);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let link = format!("(8 more lines; full program: {api}/p/");
    assert_eq!(texts[..2], ["0", "1"]);
    assert!(texts[2].starts_with(&link), "{texts:?}");
    let id = texts[2][link.len()..].trim_end_matches(')');
    let gist: serde_json::Value = ureq::get(&format!("{api}/meta/gist/{id}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(gist["code"], program);

    // The IRC server restarts: the bot reconnects (after 1 s), with its own nick now
    // free, and joins again.
    drop(c);
    drop(ircd);
    let _ircd = ngircd(irc_port);
    let mut c = Client::connect(irc_port, "frank");
    c.send("JOIN #corral");
    c.wait(20, "the bot joining #corral again", |l| {
        l.command == "JOIN" && l.from == BOT
    });
    assert_eq!(c.ask("?eval 5 * 5"), "25");
}
