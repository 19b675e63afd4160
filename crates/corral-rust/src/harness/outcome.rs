//! Reading a harnessed program's outcome: libtest's summary lines, and the machine-readable
//! line a harness prints (removed from what the user sees).

use serde_json::{Map, Value, json};

/// Starts the one line a harness prints for corral: `__CORRAL_HARNESS__ {json}`.
pub(crate) const MARKER: &str = "__CORRAL_HARNESS__";

/// libtest's `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`
/// lines, summed (a binary may print several); without one, zeros and a note.
pub(crate) fn libtest(stdout: &str) -> Value {
    let (mut passed, mut failed, mut ignored, mut seen) = (0u64, 0u64, 0u64, false);
    for line in stdout.lines() {
        let Some(rest) = line.trim_start().strip_prefix("test result: ") else {
            continue;
        };
        seen = true;
        // "ok. 3 passed" or "FAILED. 1 passed", then "; "-separated "N word" parts.
        let rest = rest.split_once(". ").map_or(rest, |(_, r)| r);
        for part in rest.split(';') {
            let mut words = part.split_whitespace();
            let (Some(n), Some(word)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match word {
                "passed" => passed += n,
                "failed" => failed += n,
                "ignored" => ignored += n,
                _ => {}
            }
        }
    }
    let mut out = json!({"passed": passed, "failed": failed, "ignored": ignored});
    if !seen {
        out["note"] = json!("no libtest summary line: the test binary did not finish");
    }
    out
}

/// Takes the last marker line out of `stdout` (the harness prints it last, after anything
/// the user's code printed) and turns it into the response JSON:
/// `{"status": 200, "headers": {"content-type": "…"}, "body": "…"}` (header names in lower
/// case, repeated headers joined with ", "), or `{"error": "…"}`.
pub(crate) fn response(stdout: &str, exit_code: Option<i32>) -> (Value, String) {
    let prefix = format!("{MARKER} ");
    let mut found: Option<(usize, usize)> = None;
    let mut at = 0;
    for line in stdout.split_inclusive('\n') {
        if line.starts_with(&prefix) {
            found = Some((at, at + line.len()));
        }
        at += line.len();
    }
    let Some((start, end)) = found else {
        let why = match exit_code {
            Some(0) => "the program ended without dispatching the request".to_string(),
            Some(code) => format!("the program exited with code {code} before a response"),
            None => "the program was killed before a response".to_string(),
        };
        return (json!({ "error": why }), stdout.to_string());
    };
    let line = stdout[start..end].trim_end_matches('\n');
    let shown = format!("{}{}", &stdout[..start], &stdout[end..]);
    let parsed: Option<Value> = serde_json::from_str(&line[prefix.len()..]).ok();
    let value = match parsed {
        Some(Value::Object(mut o)) => {
            if let Some(Value::Array(pairs)) = o.get("headers") {
                let mut headers = Map::new();
                for pair in pairs {
                    let (Some(n), Some(v)) = (pair[0].as_str(), pair[1].as_str()) else {
                        continue;
                    };
                    let n = n.to_ascii_lowercase();
                    let joined = match headers.get(&n).and_then(Value::as_str) {
                        Some(prev) => format!("{prev}, {v}"),
                        None => v.to_string(),
                    };
                    headers.insert(n, Value::from(joined));
                }
                o.insert("headers".into(), Value::Object(headers));
            }
            Value::Object(o)
        }
        _ => json!({"error": "the harness printed an unreadable response"}),
    };
    (value, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_summaries_are_summed() {
        let out = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\ntest result: FAILED. 1 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
        assert_eq!(
            libtest(out),
            json!({"passed": 4, "failed": 1, "ignored": 2})
        );
        let none = libtest("thread 'main' panicked\n");
        assert_eq!(none["passed"], 0);
        assert_eq!(none["failed"], 0);
        assert!(none["note"].is_string());
    }

    #[test]
    fn the_last_marker_line_is_the_response() {
        let stdout = format!(
            "hello\n{MARKER} {{\"status\":1}}\nmore\n{MARKER} {{\"status\":200,\"headers\":[[\"Content-Type\",\"text/plain\"],[\"X-A\",\"1\"],[\"x-a\",\"2\"]],\"body\":\"hi\\n\"}}\n"
        );
        let (v, shown) = response(&stdout, Some(0));
        assert_eq!(
            v,
            json!({"status": 200, "headers": {"content-type": "text/plain", "x-a": "1, 2"}, "body": "hi\n"})
        );
        assert_eq!(shown, format!("hello\n{MARKER} {{\"status\":1}}\nmore\n"));
    }

    #[test]
    fn a_missing_or_broken_response_is_an_error() {
        let (v, shown) = response("partial", Some(101));
        assert_eq!(
            v,
            json!({"error": "the program exited with code 101 before a response"})
        );
        assert_eq!(shown, "partial");
        let (v, shown) = response(&format!("{MARKER} {{oops\n"), Some(0));
        assert!(v["error"].is_string());
        assert_eq!(shown, "");
        let (v, _) = response(&format!("{MARKER} {{\"error\":\"no launch\"}}"), Some(1));
        assert_eq!(v, json!({"error": "no launch"}));
    }
}
