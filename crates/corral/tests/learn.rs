//! The tutorials through a real `corral serve`: every lesson's solution passes its own
//! check, and every lesson's starting files fail it (with a verdict saying why).

mod common;

use common::server::Server;
use serde_json::{Value, json};
use std::time::Instant;

fn start() -> Option<Server> {
    if !common::sandbox_available() {
        return None;
    }
    Server::start("[server]\nrate_per_minute = 0\n", &[])
}

#[test]
fn every_solution_passes_and_every_start_fails() {
    let Some(s) = start() else { return };
    let (status, list, _) = s.get("/api/v1/tutorials");
    assert_eq!(status, 200, "{list}");
    let tutorials = list["tutorials"].as_array().unwrap();
    assert!(tutorials.len() >= 2, "{list}");
    let mut checked = 0;
    for t in tutorials {
        let tid = t["id"].as_str().unwrap();
        let lessons = t["lessons"].as_array().unwrap();
        for (i, l) in lessons.iter().enumerate() {
            let lid = l["id"].as_str().unwrap();
            let name = format!("{tid}/{lid}");
            let base = format!("/api/v1/tutorials/{tid}/{lid}");
            let (status, lesson, _) = s.get(&base);
            assert_eq!(status, 200, "{name}: {lesson}");
            assert_eq!(lesson["number"], i + 1, "{name}");
            assert_eq!(
                lesson["previous"]["id"],
                i.checked_sub(1)
                    .map_or(Value::Null, |p| lessons[p]["id"].clone()),
                "{name}"
            );
            assert_eq!(
                lesson["next"]["id"],
                lessons.get(i + 1).map_or(Value::Null, |n| n["id"].clone()),
                "{name}"
            );
            assert!(lesson["html"].as_str().unwrap().contains("<p>"), "{name}");
            let (status, solution, _) = s.get(&format!("{base}/solution"));
            assert_eq!(status, 200, "{name}: {solution}");

            let started = Instant::now();
            let (status, pass, _) = s.post(
                &format!("{base}/check"),
                &json!({"files": solution["files"]}),
            );
            assert_eq!(status, 200, "{name}: {pass}");
            assert_eq!(
                pass["passed"], true,
                "{name}: the solution fails its check: {}\n{}",
                pass["verdict"], pass["result"]
            );
            assert!(pass["verdict"].as_str().unwrap().starts_with("Passed: "));
            let (status, fail, _) =
                s.post(&format!("{base}/check"), &json!({"files": lesson["files"]}));
            assert_eq!(status, 200, "{name}: {fail}");
            assert_eq!(
                fail["passed"], false,
                "{name}: the starting files pass the check: {}",
                fail["verdict"]
            );
            let verdict = fail["verdict"].as_str().unwrap();
            assert!(
                verdict.starts_with("Not passed: ")
                    || verdict.starts_with("The code did not compile: "),
                "{name}: {verdict}"
            );
            eprintln!(
                "{name}: {:.1} s; start: {verdict}",
                started.elapsed().as_secs_f64()
            );
            checked += 1;
        }
    }
    assert!(checked >= 18, "only {checked} lessons");
}

#[test]
fn a_check_refuses_what_a_run_refuses() {
    let Some(s) = start() else { return };
    let check = "/api/v1/tutorials/rust-basics/variables/check";
    // The check's answer carries the run's result, compile errors included.
    let (status, r, _) = s.post(
        check,
        &json!({"code": "fn main() { let x: i32 = \"no\"; }"}),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["passed"], false);
    assert_eq!(r["result"]["status"], "compile_error");
    assert!(
        r["verdict"].as_str().unwrap().starts_with(
            "The code did not compile: error[E0308]: mismatched types (src/main.rs, line 1)"
        ),
        "{r}"
    );
    // The same validation as POST /api/v1/run.
    let (status, r, _) = s.post(
        check,
        &json!({"files": [{"name": "src/other.rs", "content": ""}]}),
    );
    assert_eq!(status, 400, "{r}");
    assert!(r["error"].as_str().unwrap().contains("src/main.rs"), "{r}");
    let (status, r, _) = s.post(check, &json!({"code": "fn main() {}", "harness": "expr"}));
    assert_eq!(status, 400, "the lesson chooses the harness: {r}");
    let (status, r, _) = s.post(
        "/api/v1/tutorials/rust-basics/nope/check",
        &json!({"code": "fn main() {}"}),
    );
    assert_eq!(status, 404, "{r}");
    let (status, r, _) = s.get("/api/v1/tutorials/nope");
    assert_eq!(status, 404, "{r}");
}
