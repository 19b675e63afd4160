//! Reading a harnessed program's outcome: libtest's summary lines, and the machine-readable
//! line a harness prints (removed from what the user sees).

use serde_json::{Map, Value, json};

/// Starts the one line a harness prints for corral: `__CORRAL_HARNESS__ {json}`.
pub(crate) const MARKER: &str = "__CORRAL_HARNESS__";

/// libtest's output read back: the `test result: ok. 3 passed; 0 failed; 1 ignored; …`
/// lines, summed (a binary may print several), and each test (`test NAME ... ok`) with
/// its outcome and the output it printed (libtest captures it and, with
/// `--show-output`, prints it in `---- NAME stdout ----` sections). Without a summary
/// line, a note says so.
pub(crate) fn libtest(stdout: &str) -> Value {
    let (mut passed, mut failed, mut ignored, mut seen) = (0u64, 0u64, 0u64, false);
    let mut tests: Vec<Map<String, Value>> = vec![];
    // The test whose captured output is being read, and that output.
    let mut section: Option<(String, String)> = None;
    let end_section = |section: &mut Option<(String, String)>,
                       tests: &mut Vec<Map<String, Value>>| {
        if let Some((name, output)) = section.take() {
            let output = output.trim_end_matches('\n').to_string() + "\n";
            if let Some(t) = tests.iter_mut().find(|t| t["name"] == name.as_str()) {
                t.insert(
                    "output".into(),
                    Value::from(output.trim_start_matches('\n')),
                );
            }
        }
    };
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            end_section(&mut section, &mut tests);
            section = Some((name.to_string(), String::new()));
            continue;
        }
        if line == "successes:" || line == "failures:" {
            end_section(&mut section, &mut tests);
            continue;
        }
        if let Some((_, output)) = &mut section {
            output.push_str(line);
            output.push('\n');
            continue;
        }
        if let Some(t) = test_line(line) {
            tests.push(t);
            continue;
        }
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
    end_section(&mut section, &mut tests);
    let mut out = json!({"passed": passed, "failed": failed, "ignored": ignored, "tests": tests});
    if !seen {
        out["note"] = json!("no libtest summary line: the test binary did not finish");
    }
    out
}

/// `test NAME ... ok` (or `FAILED`, `ignored`, `ignored, REASON`; NAME may end with
/// ` - should panic`) as `{"name", "outcome": "passed"|"failed"|"ignored", "reason"?}`.
fn test_line(line: &str) -> Option<Map<String, Value>> {
    let (name, result) = line.strip_prefix("test ")?.rsplit_once(" ... ")?;
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    let (outcome, reason) = match result {
        "ok" => ("passed", None),
        "FAILED" => ("failed", None),
        "ignored" => ("ignored", None),
        r => ("ignored", Some(r.strip_prefix("ignored, ")?)),
    };
    let mut t = Map::new();
    t.insert("name".into(), Value::from(name));
    t.insert("outcome".into(), Value::from(outcome));
    if let Some(r) = reason {
        t.insert("reason".into(), Value::from(r));
    }
    Some(t)
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
            headers_as_map(&mut o);
            // The first request's line is said only in `responses`.
            o.remove("request");
            if let Some(Value::Array(all)) = o.get_mut("responses") {
                for r in all.iter_mut().filter_map(Value::as_object_mut) {
                    headers_as_map(r);
                }
            }
            Value::Object(o)
        }
        _ => json!({"error": "the harness printed an unreadable response"}),
    };
    (value, shown)
}

/// A response's `headers`, `[[name, value], …]` as the harness prints them, as an object:
/// names in lower case, repeated headers joined with ", ".
fn headers_as_map(response: &mut Map<String, Value>) {
    let Some(Value::Array(pairs)) = response.get("headers") else {
        return;
    };
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
    response.insert("headers".into(), Value::Object(headers));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_summaries_are_summed() {
        let out = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\ntest result: FAILED. 1 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
        let v = libtest(out);
        assert_eq!(
            (&v["passed"], &v["failed"], &v["ignored"]),
            (&json!(4), &json!(1), &json!(2))
        );
        assert_eq!(
            v["tests"],
            json!([{"name": "a", "outcome": "passed"}, {"name": "b", "outcome": "failed"}])
        );
        let none = libtest("thread 'main' panicked\n");
        assert_eq!(none["passed"], 0);
        assert_eq!(none["failed"], 0);
        assert_eq!(none["tests"], json!([]));
        assert!(none["note"].is_string());
    }

    #[test]
    fn each_test_has_its_outcome_and_output() {
        // libtest's output with --test-threads=1 --show-output (backtraces cut).
        let out = "\nrunning 5 tests\ntest a ... ok\ntest b ... FAILED\ntest c ... ignored, slow\ntest d - should panic ... ok\ntest m::f ... ok\n\nsuccesses:\n\n---- a stdout ----\nout of a\n\n---- d stdout ----\n\nthread 'd' panicked at src/lib.rs:4:53:\nboom\n\n\nsuccesses:\n    a\n    d\n    m::f\n\nfailures:\n\n---- b stdout ----\nout of b\n\nthread 'b' panicked at src/lib.rs:2:40:\nassertion `left == right` failed: one is not two\n  left: 1\n right: 2\n\n\nfailures:\n    b\n\ntest result: FAILED. 3 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.11s\n\n";
        assert_eq!(
            libtest(out)["tests"],
            json!([
                {"name": "a", "outcome": "passed", "output": "out of a\n"},
                {"name": "b", "outcome": "failed", "output": "out of b\n\nthread 'b' panicked at src/lib.rs:2:40:\nassertion `left == right` failed: one is not two\n  left: 1\n right: 2\n"},
                {"name": "c", "outcome": "ignored", "reason": "slow"},
                {"name": "d", "outcome": "passed", "output": "thread 'd' panicked at src/lib.rs:4:53:\nboom\n"},
                {"name": "m::f", "outcome": "passed"},
            ])
        );
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
    fn several_responses_are_listed_with_their_requests() {
        let stdout = format!(
            "{MARKER} {{\"request\":\"GET /\",\"status\":200,\"headers\":[[\"X-A\",\"1\"]],\"body\":\"a\",\"responses\":[{{\"request\":\"GET /\",\"status\":200,\"headers\":[[\"X-A\",\"1\"]],\"body\":\"a\"}},{{\"request\":\"POST /b\",\"status\":303,\"headers\":[[\"Location\",\"/\"]],\"body\":\"\"}}]}}\n"
        );
        let (v, _) = response(&stdout, Some(0));
        assert_eq!(
            v,
            json!({"status": 200, "headers": {"x-a": "1"}, "body": "a", "responses": [
                {"request": "GET /", "status": 200, "headers": {"x-a": "1"}, "body": "a"},
                {"request": "POST /b", "status": 303, "headers": {"location": "/"}, "body": ""},
            ]})
        );
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
