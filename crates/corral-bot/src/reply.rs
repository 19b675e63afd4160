//! What the bot says: a run's result as at most three IRC messages of at most 400
//! bytes each, with every control character removed, so that nothing a program prints
//! can end the bot's message and start another IRC command (a CR or LF would), colour
//! or format the channel's text (the C0 codes IRC clients read), or send nothing at all.
//! A line of output that is itself an IRC command (`PRIVMSG #chan :…`, `:nick!u@h
//! JOIN …`) is not relayed either: it is harmless inside the bot's message, but a
//! bridge, logger or client that splits text differently could take it for one, and
//! no honest program needs it shown in the channel (the share link has it).

use crate::api::{Compile, RunResult};

/// Messages per answer, and bytes per message (IRC allows 512 per line with the
/// command, the target and the sender's prefix that the server adds).
pub const MAX_LINES: usize = 3;
pub const MAX_BYTES: usize = 400;

/// `s` as one line of plain text: tabs become spaces, every other control character (C0
/// including CR, LF and NUL, DEL, C1) is removed.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// `s` cut to at most `max` bytes on a character boundary, ending in `…` when cut.
pub fn cut(s: &str, max: usize) -> (String, bool) {
    if s.len() <= max {
        return (s.to_string(), false);
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (format!("{}…", &s[..end]), true)
}

/// One message of text: sanitized, cut to [`MAX_BYTES`], never empty (leading blanks
/// are kept: they may be the output's indentation).
pub fn one_line(s: &str) -> String {
    let clean = sanitize(s);
    if clean.trim().is_empty() {
        return "(empty)".into();
    }
    cut(clean.trim_end(), MAX_BYTES).0
}

/// What a result shows, before it is fitted into messages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// The output's lines (blank ones left out) or the compiler's first error, clean.
    pub lines: Vec<String>,
    /// How the run ended when not well, in words ("exit status 101").
    pub note: Option<String>,
    /// The output was cut before the bot saw it (the run's output limit).
    pub truncated: bool,
}

impl Answer {
    pub fn of(result: &RunResult) -> Answer {
        if result.status == "compile_error" {
            return Answer {
                lines: vec![first_error(&result.compile)],
                ..Answer::default()
            };
        }
        let (text, truncated) = match &result.run {
            Some(run) if !run.events.is_empty() => (
                run.events.iter().map(|e| e.message.as_str()).collect(),
                run.stdout_truncated || run.stderr_truncated,
            ),
            Some(run) => (
                format!("{}{}", run.stdout, run.stderr),
                run.stdout_truncated || run.stderr_truncated,
            ),
            None => (String::new(), false),
        };
        // A lone CR ends a line for IRC servers too.
        let mut withheld = false;
        let lines = text
            .split(['\n', '\r'])
            .map(sanitize)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                if is_irc_command(&l) {
                    withheld = true;
                    WITHHELD.to_string()
                } else {
                    l
                }
            })
            .collect();
        Answer {
            lines,
            note: note(result),
            truncated: truncated || withheld,
        }
    }

    /// Whether some output does not fit, so that a link to the full program helps.
    pub fn is_cut(&self) -> bool {
        let room = MAX_LINES - usize::from(self.note.is_some());
        self.truncated || self.lines.len() > room || self.lines.iter().any(|l| l.len() > MAX_BYTES)
    }

    /// The messages to send: the first lines, then a last one saying how the run
    /// ended, what was left out and where the full program is (`link`, when cut).
    pub fn messages(&self, link: Option<&str>) -> Vec<String> {
        let cut_output = self.is_cut();
        let room = if cut_output || self.note.is_some() {
            MAX_LINES - 1
        } else {
            MAX_LINES
        };
        let mut out: Vec<String> = self
            .lines
            .iter()
            .take(room)
            .map(|l| cut(l, MAX_BYTES).0)
            .collect();
        let mut tail = Vec::new();
        if self.lines.is_empty() {
            tail.push("no output".to_string());
        }
        tail.extend(self.note.clone());
        let hidden = self.lines.len().saturating_sub(room);
        if hidden > 0 {
            tail.push(format!(
                "{hidden} more line{}",
                if hidden == 1 { "" } else { "s" }
            ));
        } else if cut_output {
            tail.push("output cut".into());
        }
        if let (true, Some(link)) = (cut_output, link) {
            tail.push(format!("full program: {}", sanitize(link)));
        }
        if !tail.is_empty() {
            out.push(cut(&format!("({})", tail.join("; ")), MAX_BYTES).0);
        }
        out
    }
}

/// What stands in for a line of output that is an IRC command.
pub const WITHHELD: &str = "[a line that reads as an IRC command is not shown here]";

/// The IRC commands a client sends that act (send, join, leave, change state), as a line
/// of output may not begin with them. Written in capitals, as protocol lines are:
/// "join the club" is prose.
const IRC_COMMANDS: &[&str] = &[
    "AUTHENTICATE",
    "AWAY",
    "CAP",
    "INVITE",
    "JOIN",
    "KICK",
    "KILL",
    "KNOCK",
    "MODE",
    "NICK",
    "NOTICE",
    "OPER",
    "PART",
    "PASS",
    "PING",
    "PONG",
    "PRIVMSG",
    "QUIT",
    "SQUIT",
    "TAGMSG",
    "TOPIC",
    "USER",
    "WALLOPS",
    "WHO",
    "WHOIS",
];

/// Whether `line` reads as an IRC protocol message: optional `@tags` and `:prefix`,
/// then one of [`IRC_COMMANDS`] (or, after a prefix, a three-digit numeric) and a
/// parameter.
pub fn is_irc_command(line: &str) -> bool {
    let mut words = line.split(' ').filter(|w| !w.is_empty()).peekable();
    if words.peek().is_some_and(|w| w.starts_with('@')) {
        words.next();
    }
    let prefixed = words.next_if(|w| w.starts_with(':')).is_some();
    let Some(command) = words.next() else {
        return false;
    };
    let numeric = command.len() == 3 && command.bytes().all(|b| b.is_ascii_digit());
    (IRC_COMMANDS.contains(&command) || prefixed && numeric) && words.next().is_some()
}

/// The compiler's first error, with the user's line and column when it points there.
fn first_error(compile: &Compile) -> String {
    let errors: Vec<_> = compile
        .diagnostics
        .iter()
        .filter(|d| d.level == "error" && !d.message.starts_with("aborting due to"))
        .collect();
    let Some(d) = errors.first() else {
        // No diagnostic: the compiler's first line (a limit stopped it, for example).
        return compile
            .stderr
            .lines()
            .map(sanitize)
            .find(|l| !l.trim().is_empty())
            .unwrap_or_else(|| "compilation failed".into());
    };
    let mut line = match &d.code {
        Some(code) => format!("error[{code}]: {}", d.message),
        None => format!("error: {}", d.message),
    };
    if let (false, Some(l), Some(c)) = (d.in_harness, d.line_start, d.column_start) {
        line += &format!(" at {l}:{c}");
    }
    if errors.len() > 1 {
        let more = errors.len() - 1;
        line += &format!(
            " (and {more} more error{})",
            if more == 1 { "" } else { "s" }
        );
    }
    cut(&sanitize(&line), MAX_BYTES).0
}

/// How a run that did not succeed ended, in words.
fn note(r: &RunResult) -> Option<String> {
    let compiling = if r.step == "compile" {
        "compiling "
    } else {
        ""
    };
    let limit = r.limit.as_deref();
    Some(match r.status.as_str() {
        "success" | "compile_error" => return None,
        "runtime_error" => match r.run.as_ref().map(|run| (run.exit_code, run.signal)) {
            Some((_, Some(sig))) => format!("killed by signal {sig}{}", signal_name(sig)),
            Some((Some(code), None)) => format!("exit status {code}"),
            _ => "failed".into(),
        },
        "timeout" if limit == Some("cpu") => format!("{compiling}ran out of CPU time"),
        "timeout" => format!("{compiling}ran out of time"),
        "memory_limit" => format!("{compiling}ran out of memory"),
        "output_limit" => "stopped: too much output".into(),
        "killed" => "killed".into(),
        "internal_error" => format!(
            "corral failed: {}",
            r.error.as_deref().unwrap_or("no detail")
        ),
        other => format!("status {}", sanitize(other)),
    })
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        4 => " (SIGILL)",
        5 => " (SIGTRAP)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Diagnostic, Event, Run};

    fn ran(status: &str, out: &str, exit: Option<i32>, signal: Option<i32>) -> RunResult {
        RunResult {
            status: status.into(),
            step: "run".into(),
            run: Some(Run {
                exit_code: exit,
                signal,
                events: vec![Event {
                    message: out.into(),
                }],
                ..Run::default()
            }),
            ..RunResult::default()
        }
    }

    #[test]
    fn an_injected_command_stays_inside_one_message() {
        let line = sanitize("a\r\nPRIVMSG #c :x");
        assert_eq!(line, "aPRIVMSG #c :x");
        let all_controls: String = (0u32..0x20)
            .chain(0x7f..0xa0)
            .filter_map(char::from_u32)
            .collect();
        assert_eq!(
            sanitize(&format!("x{all_controls}y")),
            "x y",
            "only the tab stays, as a space"
        );
        // Split into lines, each its own message, none with a line break; a line that
        // is an IRC command is withheld, and the link to the whole program offered.
        let answer = Answer::of(&ran("success", "a\r\nPRIVMSG #c :x\r\n\0", Some(0), None));
        assert_eq!(
            answer.messages(Some("http://h/p/1")),
            ["a", WITHHELD, "(output cut; full program: http://h/p/1)"]
        );
        let lone_cr = Answer::of(&ran("success", "b\rJOIN #other\n", Some(0), None));
        assert_eq!(lone_cr.lines, ["b", WITHHELD]);
        for m in answer.messages(Some("http://h/p/\r\nQUIT")) {
            assert!(!m.contains(['\r', '\n', '\0']), "{m:?}");
        }
    }

    #[test]
    fn irc_commands_are_recognised_and_prose_is_not() {
        for line in [
            "PRIVMSG #corral :INJECTED",
            ":evil!u@h NOTICE #c :hi",
            "@time=1 :srv 001 nick :welcome",
            "QUIT :bye",
            "  JOIN #x",
        ] {
            assert!(is_irc_command(line), "{line}");
        }
        for line in [
            "Hello, world!",
            "QUIT",
            "join the club",
            "42",
            "the PRIVMSG command",
            "",
            "1234 items",
            "200 OK",
            "ERROR: file not found",
            "privmsg in lower case",
        ] {
            assert!(!is_irc_command(line), "{line}");
        }
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let s = "é".repeat(300); // 600 bytes
        let (c, was_cut) = cut(&s, MAX_BYTES);
        assert!(
            was_cut && c.len() <= MAX_BYTES && c.ends_with('…'),
            "{}",
            c.len()
        );
        assert_eq!(
            c.len(),
            399,
            "198 two-byte characters and the three-byte ellipsis"
        );
        let crab = "🦀".repeat(101); // 404 bytes
        let (c, _) = cut(&crab, MAX_BYTES);
        assert_eq!((c.len(), c.chars().count()), (399, 100));
        assert_eq!(cut("short", MAX_BYTES), ("short".into(), false));
        assert!(!cut(&"x".repeat(400), MAX_BYTES).1);
    }

    #[test]
    fn three_messages_at_most_with_a_link_when_output_is_cut() {
        let out: String = (1..=10).map(|i| format!("line {i}\n")).collect();
        let answer = Answer::of(&ran("success", &out, Some(0), None));
        assert!(answer.is_cut());
        assert_eq!(
            answer.messages(Some("http://c/p/ID")),
            [
                "line 1",
                "line 2",
                "(8 more lines; full program: http://c/p/ID)"
            ]
        );
        // Three lines fit; one long line is cut and linked.
        let three = Answer::of(&ran("success", "1\n  2\n\n3\n", Some(0), None));
        assert!(!three.is_cut());
        assert_eq!(three.messages(None), ["1", "  2", "3"]);
        assert_eq!(one_line("  2 \r\n"), "  2", "indentation is kept");
        assert_eq!(one_line(" \t\r\n"), "(empty)");
        let long = Answer::of(&ran("success", &"ü".repeat(1000), Some(0), None));
        let m = long.messages(Some("L"));
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|l| l.len() <= MAX_BYTES));
        assert_eq!(m[1], "(output cut; full program: L)");
    }

    #[test]
    fn empty_output_and_failures_say_so_in_words() {
        let quiet = Answer::of(&ran("success", "", Some(0), None));
        assert_eq!(quiet.messages(None), ["(no output)"]);
        let panic = Answer::of(&ran("runtime_error", "boom\n", Some(101), None));
        assert_eq!(panic.messages(None), ["boom", "(exit status 101)"]);
        let segv = Answer::of(&ran("runtime_error", "", None, Some(11)));
        assert_eq!(
            segv.messages(None),
            ["(no output; killed by signal 11 (SIGSEGV))"]
        );
        let mut slow = ran("timeout", "", None, Some(9));
        slow.limit = Some("wall".into());
        assert_eq!(
            Answer::of(&slow).messages(None),
            ["(no output; ran out of time)"]
        );
    }

    #[test]
    fn a_compile_error_answers_its_first_error_and_where() {
        let d = |code: Option<&str>, message: &str, line| Diagnostic {
            level: "error".into(),
            code: code.map(String::from),
            message: message.into(),
            line_start: line,
            column_start: line.map(|_| 26),
            in_harness: false,
        };
        let result = RunResult {
            status: "compile_error".into(),
            step: "compile".into(),
            compile: Compile {
                stderr: "error[E0308]: mismatched types\n".into(),
                diagnostics: vec![
                    d(Some("E0308"), "mismatched types", Some(1)),
                    d(None, "aborting due to 1 previous error", None),
                ],
            },
            ..RunResult::default()
        };
        assert_eq!(
            Answer::of(&result).messages(None),
            ["error[E0308]: mismatched types at 1:26"]
        );
    }
}
