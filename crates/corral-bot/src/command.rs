//! What a chat line asks for: `?eval` (an expression, the `expr` harness) or `?play` (a
//! program, the `bin` harness), the switches before the code, then the code.

use serde::Serialize;

/// One run to ask corral for: the body of `POST /api/v1/run` (docs/contracts.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRequest {
    pub harness: &'static str,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
}

/// What a chat line is.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Not a command: the bot stays silent.
    Ignore,
    /// A command with a mistake in it: the bot answers this one line.
    Usage(String),
    Run(RunRequest),
}

pub const USAGE: &str = "usage: ?eval EXPR or ?play PROGRAM, after optional switches: \
                         -n (nightly), -b (beta), --release, --edition 2015|2018|2021|2024";

const EDITIONS: [&str; 4] = ["2015", "2018", "2021", "2024"];

/// Parses a chat line. Switches come first, each a word of its own; `--` ends them (for
/// code that starts with a dash). Anything else starts the code, which is kept as sent.
pub fn parse(line: &str) -> Parsed {
    let line = line.trim();
    let (harness, mut rest) = match split_word(line) {
        ("?eval", rest) => ("expr", rest),
        ("?play", rest) => ("bin", rest),
        _ => return Parsed::Ignore,
    };
    let mut req = RunRequest {
        harness,
        code: String::new(),
        channel: None,
        edition: None,
        mode: None,
    };
    loop {
        let (word, after) = split_word(rest);
        match word {
            "-n" | "--nightly" => req.channel = Some("nightly"),
            "-b" | "--beta" => req.channel = Some("beta"),
            "--release" => req.mode = Some("release"),
            "--edition" => {
                let (value, after) = split_word(after);
                match EDITIONS.iter().find(|e| **e == value) {
                    Some(e) => req.edition = Some(e),
                    None => return Parsed::Usage(bad_edition(value)),
                }
                rest = after;
                continue;
            }
            w if w.starts_with("--edition=") => {
                let value = &w["--edition=".len()..];
                match EDITIONS.iter().find(|e| **e == value) {
                    Some(e) => req.edition = Some(e),
                    None => return Parsed::Usage(bad_edition(value)),
                }
            }
            "--" => {
                rest = after;
                break;
            }
            _ => break,
        }
        rest = after;
    }
    if rest.trim().is_empty() {
        return Parsed::Usage(USAGE.to_string());
    }
    req.code = rest.trim().to_string();
    Parsed::Run(req)
}

/// The program a request runs, as a person would write it: the code behind a share link.
pub fn full_program(request: &RunRequest) -> String {
    match request.harness {
        "expr" => format!(
            "fn main() {{\n    println!(\"{{:?}}\", {{\n{}\n    }});\n}}\n",
            request.code
        ),
        _ => request.code.clone(),
    }
}

fn bad_edition(value: &str) -> String {
    format!("--edition takes 2015, 2018, 2021 or 2024, not {value:?}")
}

/// The first whitespace-separated word of `s` and what follows it (leading blanks gone).
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> RunRequest {
        match parse(line) {
            Parsed::Run(r) => r,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    #[test]
    fn eval_and_play_choose_their_harness() {
        let r = run("?eval 6 * 7");
        assert_eq!(
            (r.harness, r.code.as_str(), r.channel),
            ("expr", "6 * 7", None)
        );
        let r = run("  ?play fn main() {}  ");
        assert_eq!((r.harness, r.code.as_str()), ("bin", "fn main() {}"));
    }

    #[test]
    fn switches_come_before_the_code() {
        let r = run("?eval -n --edition 2018 --release 1 + 1");
        assert_eq!(
            (r.channel, r.edition, r.mode, r.code.as_str()),
            (Some("nightly"), Some("2018"), Some("release"), "1 + 1")
        );
        let r = run("?play -b --edition=2015 fn main() {}");
        assert_eq!((r.channel, r.edition), (Some("beta"), Some("2015")));
        // A dash that is no switch is code; `--` ends the switches.
        assert_eq!(run("?eval -5 + 3").code, "-5 + 3");
        assert_eq!(run("?eval -- -n").code, "-n");
        // Switches after the code are code.
        assert_eq!(run("?eval 1 -n").code, "1 -n");
    }

    #[test]
    fn mistakes_answer_a_usage_line() {
        assert_eq!(parse("?eval"), Parsed::Usage(USAGE.into()));
        assert_eq!(parse("?play -n   "), Parsed::Usage(USAGE.into()));
        let Parsed::Usage(u) = parse("?eval --edition 2019 1") else {
            panic!()
        };
        assert!(u.contains("2019"), "{u}");
        assert!(matches!(parse("?eval --edition"), Parsed::Usage(_)));
    }

    #[test]
    fn other_lines_are_ignored() {
        for line in [
            "hello",
            "?evaluate 1",
            "? eval 1",
            "",
            "?play-n x",
            "eval 1",
        ] {
            assert_eq!(parse(line), Parsed::Ignore, "{line:?}");
        }
    }

    #[test]
    fn the_request_serializes_as_the_native_api_wants() {
        let json = serde_json::to_value(run("?eval -n 1")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"harness": "expr", "code": "1", "channel": "nightly"})
        );
    }
}
