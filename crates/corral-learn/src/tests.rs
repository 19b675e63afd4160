use super::*;
use corral_rust::diagnostics::Diagnostic;
use corral_rust::result::{CompileResult, RunResult, Step};
use serde_json::json;

fn compiled() -> CompileResult {
    CompileResult {
        success: true,
        stderr: String::new(),
        diagnostics: vec![],
        wall_ms: 1,
        cpu_ms: 1,
        memory_bytes: 1,
    }
}

fn ran(status: Status, exit: i32, stdout: &str, stderr: &str, harness: Value) -> RustResult {
    RustResult {
        status,
        step: Step::Run,
        limit: None,
        compile: compiled(),
        run: Some(RunResult {
            exit_code: Some(exit),
            signal: None,
            stdout: stdout.into(),
            stderr: stderr.into(),
            stdout_truncated: false,
            stderr_truncated: false,
            events: vec![],
            harness,
            wall_ms: 1,
            cpu_ms: 1,
            memory_bytes: 1,
        }),
        error: None,
    }
}

fn ok(stdout: &str) -> RustResult {
    ran(Status::Success, 0, stdout, "", json!({}))
}

fn response(status: u16, body: &str, ct: &str) -> RustResult {
    ran(
        Status::Success,
        0,
        "",
        "",
        json!({"status": status, "headers": {"content-type": ct}, "body": body}),
    )
}

fn check(toml: &str) -> Check {
    toml::from_str(toml).unwrap()
}

#[test]
fn every_tutorial_loads() {
    let all = match tutorials() {
        Ok(all) => all,
        Err(e) => panic!("{e}"),
    };
    assert!(all.len() >= 2);
    for t in all {
        for l in &t.lessons {
            assert!(!l.html.is_empty(), "{}/{}", t.id, l.id);
            assert_ne!(
                l.files, l.solution,
                "{}/{}: the solution differs",
                t.id, l.id
            );
        }
    }
    let rocket = tutorial("rocket").expect("the Rocket tutorial");
    assert!(rocket.lessons.len() >= 10);
    let basics = tutorial("rust-basics").expect("the Rust basics tutorial");
    assert!(basics.lessons.len() >= 8);
}

#[test]
fn exit_code_and_stdout() {
    let c = check("exit_code = 0\nstdout = \"hi\\n\"");
    assert_eq!(
        c.evaluate(&ok("hi\n")),
        Verdict {
            passed: true,
            verdict: "Passed: exit code 0; stdout \"hi\\n\".".into()
        }
    );
    let v = c.evaluate(&ran(Status::RuntimeError, 3, "ho\n", "", json!({})));
    assert!(!v.passed);
    assert_eq!(
        v.verdict,
        "Not passed: expected exit code 0, got 3; expected stdout to be \"hi\\n\", got \"ho\\n\"."
    );
}

#[test]
fn stdout_contains_one_or_many() {
    let c = check("stdout_contains = \"Hello\"");
    assert!(c.evaluate(&ok("Hello, world\n")).passed);
    assert_eq!(
        c.evaluate(&ok("Bye\n")).verdict,
        "Not passed: expected stdout to contain \"Hello\", got \"Bye\\n\"."
    );
    let c = check("stdout_contains = [\"a\", \"b\"]");
    assert_eq!(
        c.evaluate(&ok("a\n")).verdict,
        "Not passed: expected stdout to contain \"b\", got \"a\\n\"."
    );
    assert_eq!(
        c.evaluate(&ok("ab")).verdict,
        "Passed: stdout contains \"a\"; stdout contains \"b\"."
    );
}

#[test]
fn long_output_is_cut() {
    let c = check("stdout = \"x\"");
    let v = c.evaluate(&ok(&"y".repeat(500)));
    assert!(v.verdict.ends_with("…."), "{}", v.verdict);
    assert!(v.verdict.len() < 260, "{}", v.verdict);
}

#[test]
fn a_panic_is_named() {
    let c = check("stdout_contains = \"done\"");
    let r = ran(
        Status::RuntimeError,
        101,
        "",
        "\nthread 'main' panicked at src/main.rs:2:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1`\n",
        json!({}),
    );
    assert_eq!(
        c.evaluate(&r).verdict,
        "Not passed: expected stdout to contain \"done\", got \"\". The program panicked: \"not yet implemented\""
    );
}

#[test]
fn response_status_body_and_type() {
    let c = check("status = 200\nbody = \"Hello\"\ncontent_type = \"text/plain\"");
    assert_eq!(
        c.evaluate(&response(200, "Hello", "text/plain; charset=utf-8"))
            .verdict,
        "Passed: status 200; body \"Hello\"; content type text/plain."
    );
    let v = c.evaluate(&response(404, "<h1>404</h1>", "text/html; charset=utf-8"));
    assert!(!v.passed);
    assert_eq!(
        v.verdict, "Not passed: expected status 200, got 404.",
        "the status first: the body of another status is another page"
    );
    let v = c.evaluate(&response(200, "<h1>Hi</h1>", "text/html; charset=utf-8"));
    assert_eq!(
        v.verdict,
        "Not passed: expected the body to be \"Hello\", got \"<h1>Hi</h1>\"; \
         expected content type text/plain, got text/html; charset=utf-8."
    );
    let c = check("body_contains = [\"id\", \"name\"]");
    assert_eq!(
        c.evaluate(&response(200, "{\"id\":1}", "application/json"))
            .verdict,
        "Not passed: expected the body to contain \"name\", got \"{\\\"id\\\":1}\"."
    );
}

#[test]
fn response_headers() {
    let c = check("[headers]\nX-Served-By = \"corral\"");
    let mut r = response(200, "", "text/plain");
    assert_eq!(
        c.evaluate(&r).verdict,
        "Not passed: expected a header X-Served-By, got none."
    );
    r.run.as_mut().unwrap().harness["headers"]["x-served-by"] = json!("me");
    assert_eq!(
        c.evaluate(&r).verdict,
        "Not passed: expected header X-Served-By to be \"corral\", got \"me\"."
    );
    r.run.as_mut().unwrap().harness["headers"]["x-served-by"] = json!("corral");
    assert_eq!(
        c.evaluate(&r).verdict,
        "Passed: header X-Served-By: corral."
    );
}

#[test]
fn no_response() {
    let c = check("status = 200");
    let r = ran(
        Status::RuntimeError,
        1,
        "",
        "",
        json!({"error": "the app failed to launch"}),
    );
    assert_eq!(
        c.evaluate(&r).verdict,
        "Not passed: expected a response, got none: the app failed to launch."
    );
}

#[test]
fn tests_passed() {
    let c = check("tests_passed = 2");
    let h = |passed: u32, tests: Value| json!({"passed": passed, "failed": 0, "tests": tests});
    let two = h(
        2,
        json!([{"name": "a", "outcome": "passed"}, {"name": "b", "outcome": "passed"}]),
    );
    assert_eq!(
        c.evaluate(&ran(Status::Success, 0, "", "", two)).verdict,
        "Passed: 2 tests passed."
    );
    let one = h(1, json!([{"name": "a", "outcome": "passed"}]));
    assert_eq!(
        c.evaluate(&ran(Status::Success, 0, "", "", one)).verdict,
        "Not passed: expected at least 2 passing tests, got 1."
    );
    let failing = json!({"passed": 1, "failed": 1, "tests": [
        {"name": "a", "outcome": "passed"},
        {"name": "tests::b", "outcome": "failed", "output": "assertion failed"}]});
    assert_eq!(
        c.evaluate(&ran(Status::RuntimeError, 101, "", "", failing))
            .verdict,
        "Not passed: expected every test to pass, but 1 failed: tests::b."
    );
}

#[test]
fn compile_errors_and_limits_fail() {
    let c = check("exit_code = 0");
    let mut r = ok("");
    r.status = Status::CompileError;
    r.step = Step::Compile;
    r.run = None;
    r.compile.success = false;
    assert_eq!(
        c.evaluate(&r).verdict,
        "The code did not compile: see the compiler's messages."
    );
    r.compile.diagnostics.push(Diagnostic {
        level: "error".into(),
        code: Some("E0308".into()),
        message: "mismatched types".into(),
        file: Some("src/main.rs".into()),
        line_start: Some(3),
        column_start: Some(1),
        line_end: Some(3),
        column_end: Some(2),
        byte_start: None,
        byte_end: None,
        in_harness: false,
        rendered: String::new(),
    });
    let v = c.evaluate(&r);
    assert!(!v.passed);
    assert_eq!(
        v.verdict,
        "The code did not compile: error[E0308]: mismatched types (src/main.rs, line 3). Fix it and check again."
    );
    let mut r = ok("");
    r.status = Status::Timeout;
    assert_eq!(
        c.evaluate(&r).verdict,
        "Not passed: the run took too long and was stopped (time limit)."
    );
}

#[test]
fn broken_lessons_are_named() {
    let good_lesson = [
        ("t/a/lesson.toml", "title = \"A\"\n[check]\nexit_code = 0\n"),
        ("t/a/text.md", "Do *this*."),
        ("t/a/start/src/main.rs", "fn main() {}"),
        ("t/a/solution/src/main.rs", "fn main() { }"),
    ];
    let manifest = (
        "t/tutorial.toml",
        "title = \"T\"\ndescription = \"d\"\nlessons = [\"a\"]\n",
    );
    let mut files = vec![manifest];
    files.extend(good_lesson);
    let all = load(&files).unwrap();
    assert_eq!(all[0].lessons[0].html, "<p>Do <em>this</em>.</p>\n");

    let broken = |replace: (&'static str, &'static str)| {
        let mut files: Vec<(&str, &str)> = files
            .iter()
            .copied()
            .filter(|(p, _)| *p != replace.0)
            .collect();
        if !replace.1.is_empty() {
            files.push(replace);
        }
        load(&files).unwrap_err().0
    };
    assert_eq!(
        broken((
            "t/a/lesson.toml",
            "title = \"A\"\nharness = \"nope\"\n[check]\nexit_code = 0\n"
        )),
        "tutorial t, lesson a: unknown harness \"nope\""
    );
    assert_eq!(
        broken(("t/a/lesson.toml", "title = \"A\"\n[check]\n")),
        "tutorial t, lesson a: [check] is empty: say what must hold"
    );
    assert_eq!(
        broken(("t/a/lesson.toml", "title = \"A\"\n[check]\nstatus = 200\n")),
        "tutorial t, lesson a: status, body, body_contains, content_type and headers need the rocket-request harness"
    );
    let unknown = broken((
        "t/a/lesson.toml",
        "title = \"A\"\n[check]\nstdout_has = \"x\"\n",
    ));
    assert!(
        unknown.starts_with("tutorial t, lesson a: lesson.toml:")
            && unknown.contains("unknown field `stdout_has`"),
        "{unknown}"
    );
    assert!(
        broken((
            "t/a/lesson.toml",
            "title = \"A\"\nharness = \"rocket-request\"\n[args]\nmethod = \"FETCH\"\n[check]\nstatus = 200\n"
        ))
        .starts_with("tutorial t, lesson a: args:"),
    );
    assert_eq!(
        broken(("t/a/solution/src/main.rs", "")),
        "tutorial t, lesson a: solution/ has no src/main.rs"
    );
    assert_eq!(
        broken(("t/b/text.md", "stray")),
        "tutorial t: tutorials/t/b/ is not listed in tutorial.toml's lessons"
    );
}

#[test]
fn raw_html_in_a_lesson_is_text() {
    assert_eq!(
        markdown_html("a <script>x</script> `b`"),
        "<p>a &lt;script&gt;x&lt;/script&gt; <code>b</code></p>\n"
    );
}
