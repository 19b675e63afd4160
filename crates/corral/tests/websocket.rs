//! `GET /websocket` on a real `corral serve`: the Rust Playground's streaming protocol
//! (handshake, live output, stdin, stdin close, kill, compile errors, bad messages).

mod common;

use common::server::Server;
use common::ws::{Client, KILLED, end, text};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tungstenite::Message;

fn start() -> Option<Server> {
    if !common::sandbox_available() {
        return None;
    }
    Server::start("", &[])
}

#[test]
fn output_streams_before_stdin_and_stdin_goes_through() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    let code = r#"use std::io::{BufRead, Write};
fn main() {
    println!("what is your name?");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
    println!("hello, {}!", line.trim());
    eprintln!("done");
}
"#;
    c.execute(1, code);
    // The question arrives while the program waits for its input.
    let mut seen = c.until("output/execute/wsExecuteBegin");
    assert_eq!(seen.last().unwrap()["meta"]["sequenceNumber"], 1);
    loop {
        let m = c.recv();
        assert_ne!(m["type"], "output/execute/wsExecuteEnd", "ended early: {m}");
        seen.push(m);
        if text(&seen, "wsExecuteStdout").contains("what is your name?\n") {
            break;
        }
    }
    assert!(seen.iter().all(|m| m["meta"]["sequenceNumber"] == 1));
    c.control("wsExecuteStdin", Some("corral\n"), 1);
    let rest = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&rest, "wsExecuteStdout"), "hello, corral!\n");
    assert_eq!(text(&rest, "wsExecuteStderr"), "done\n");
    let status = rest
        .iter()
        .find(|m| m["type"] == "output/execute/wsExecuteStatus")
        .expect("a status before the end");
    assert!(status["payload"]["residentSetSizeBytes"].as_u64().unwrap() > 0);
    assert!(status["payload"]["totalTimeSecs"].is_number());
    assert_eq!(
        end(&rest),
        &json!({"success": true, "exitDetail": "Exited with status 0"})
    );

    // The same socket runs again, and a run is never cached: it waits for stdin anew.
    c.execute(2, code);
    let mut seen = vec![];
    while !text(&seen, "wsExecuteStdout").contains("name?") {
        seen.push(c.recv());
    }
    c.control("wsExecuteStdin", Some("again\n"), 2);
    let rest = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&rest, "wsExecuteStdout"), "hello, again!\n");
}

#[test]
fn stdin_close_gives_end_of_file() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    let code = r#"use std::io::Read;
fn main() {
    println!("reading");
    let mut all = String::new();
    std::io::stdin().read_to_string(&mut all).unwrap();
    println!("{} lines, {} bytes", all.lines().count(), all.len());
}
"#;
    c.execute(5, code);
    let mut seen = vec![];
    while !text(&seen, "wsExecuteStdout").contains("reading") {
        seen.push(c.recv());
    }
    c.control("wsExecuteStdin", Some("one\n"), 5);
    c.control("wsExecuteStdin", Some("two\n"), 5);
    c.control("wsExecuteStdinClose", None, 5);
    let rest = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&rest, "wsExecuteStdout"), "2 lines, 8 bytes\n");
    assert_eq!(end(&rest)["success"], true);
}

#[test]
fn kill_ends_an_endless_loop_as_killed() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    let code = "fn main() {\n    println!(\"spinning\");\n    let mut n = 0u64;\n    loop {\n        n = std::hint::black_box(n.wrapping_add(1));\n    }\n}\n";
    c.execute(9, code);
    let mut seen = vec![];
    while !text(&seen, "wsExecuteStdout").contains("spinning") {
        seen.push(c.recv());
    }
    // A second request while this one runs is refused, and names the running one.
    c.execute(10, "fn main() {}");
    let refused = c.recv();
    assert_eq!(refused["type"], "websocket/error", "{refused}");
    assert_eq!(refused["meta"]["sequenceNumber"], 10);
    assert!(
        refused["payload"]["error"]
            .as_str()
            .unwrap()
            .contains("still running"),
        "{refused}"
    );
    // ... and ended, so that the client stops waiting for it; the running one runs on.
    expect_refused_end(&c.recv(), 10, refused["payload"]["error"].as_str().unwrap());
    let killed_at = Instant::now();
    c.control("wsExecuteKill", None, 9);
    let rest = c.until("output/execute/wsExecuteEnd");
    assert!(
        killed_at.elapsed() < Duration::from_secs(3),
        "the kill took {:?}",
        killed_at.elapsed()
    );
    assert_eq!(end(&rest), &json!({"success": false, "exitDetail": KILLED}));
    // Late controls for the ended run are ignored; the socket runs the next request.
    c.control("wsExecuteKill", None, 9);
    c.execute(11, "fn main() { println!(\"after\"); }");
    let next = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&next, "wsExecuteStdout"), "after\n");
    assert!(
        next.iter().all(|m| m["type"] != "websocket/error"),
        "{next:?}"
    );
}

#[test]
fn a_compile_error_streams_its_diagnostics() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    c.execute(3, "fn main() {\n    let x: u32 = \"text\";\n}\n");
    let seen = c.until("output/execute/wsExecuteEnd");
    let stderr = text(&seen, "wsExecuteStderr");
    assert!(
        stderr.contains("error[E0308]") && stderr.contains("mismatched types"),
        "{stderr}"
    );
    assert!(text(&seen, "wsExecuteStdout").is_empty());
    assert_eq!(end(&seen)["success"], false);
}

/// The end of a run request that did not start: unsuccessful, its exit detail the
/// error (the playground's frontend shows a failed run's exit detail as its error).
fn expect_refused_end(m: &Value, sequence: i64, error: &str) {
    assert_eq!(m["type"], "output/execute/wsExecuteEnd", "{m}");
    assert_eq!(m["meta"]["sequenceNumber"], sequence, "{m}");
    assert_eq!(
        m["payload"],
        json!({"success": false, "exitDetail": error}),
        "{m}"
    );
}

#[test]
fn bad_messages_get_an_error_and_the_socket_stays_usable() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    // A run request that does not start is answered with the error and then its
    // end; other bad messages with the error alone.
    let expect_error = |c: &mut Client, sent: &str, says: &str| {
        c.send_text(sent);
        let m = c.recv();
        assert_eq!(m["type"], "websocket/error", "{sent} -> {m}");
        let error = m["payload"]["error"].as_str().unwrap();
        assert!(error.contains(says), "{sent} -> {error}");
        if sent.contains("wsExecuteRequest") {
            expect_refused_end(&c.recv(), 4, error);
        }
    };
    expect_error(&mut c, "{not json", "invalid JSON");
    expect_error(&mut c, "[1, 2, 3]", "invalid message");
    expect_error(
        &mut c,
        r#"{"type": "output/execute/wsExecuteFly", "meta": {"sequenceNumber": 4}}"#,
        "unknown variant",
    );
    expect_error(
        &mut c,
        r#"{"type": "output/execute/wsExecuteRequest", "payload": {"channel": "stable"}, "meta": {"sequenceNumber": 4}}"#,
        "missing field",
    );
    let bad_edition = json!({"type": "output/execute/wsExecuteRequest",
        "payload": {"channel": "stable", "mode": "debug", "edition": "1999", "crateType": "bin",
                    "tests": false, "code": "fn main() {}", "backtrace": false},
        "meta": {"sequenceNumber": 4}});
    expect_error(&mut c, &bad_edition.to_string(), "edition");
    let bad_channel = bad_edition
        .to_string()
        .replace("\"1999\"", "\"2021\"")
        .replace("stable", "sideways");
    expect_error(&mut c, &bad_channel, "sideways");
    c.socket
        .send(Message::Binary(vec![0, 1, 2]))
        .expect("send binary");
    assert_eq!(c.recv()["type"], "websocket/error");
    // Still usable.
    c.execute(6, "fn main() { println!(\"still here\"); }");
    let seen = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&seen, "wsExecuteStdout"), "still here\n");
    assert_eq!(end(&seen)["exitDetail"], "Exited with status 0");
}

#[test]
fn a_socket_without_the_handshake_is_refused() {
    let Some(s) = start() else { return };
    let url = format!("{}/websocket", s.base.replacen("http://", "ws://", 1));
    let (mut socket, _) = tungstenite::connect(url).unwrap();
    socket
        .send(Message::Text(
            r#"{"type": "output/execute/wsExecuteKill", "meta": {"sequenceNumber": 1}}"#.into(),
        ))
        .unwrap();
    match socket.read().unwrap() {
        Message::Text(t) => {
            let m: Value = serde_json::from_str(&t).unwrap();
            assert_eq!(m["type"], "websocket/error", "{m}");
            assert!(
                m["payload"]["error"]
                    .as_str()
                    .unwrap()
                    .contains("websocket/connected")
            );
        }
        other => panic!("{other:?}"),
    }
    // Then the server closes the socket.
    loop {
        match socket.read() {
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

#[test]
fn a_client_that_goes_away_frees_its_slot() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    c.execute(1, "fn main() {\n    println!(\"spinning\");\n    loop {\n        std::hint::black_box(0);\n    }\n}\n");
    let mut seen = vec![];
    while !text(&seen, "wsExecuteStdout").contains("spinning") {
        seen.push(c.recv());
    }
    assert_eq!(s.get("/healthz").1["queue"]["running"], 1);
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(3);
    while s.get("/healthz").1["queue"]["running"] != 0 {
        assert!(Instant::now() < deadline, "the run outlived its socket");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `/execute` and `/websocket` lower one payload the same way: the same bad request gets
/// the same error from both, and the same good one (several files, bare names, the
/// frontend's `id` field) runs on both.
#[test]
fn execute_and_the_websocket_agree() {
    let Some(s) = start() else { return };
    let mut c = Client::connect(&s.base);
    let payload = |edition: &str, channel: &str, code: Value| {
        json!({"channel": channel, "mode": "debug", "edition": edition, "crateType": "bin",
               "tests": false, "code": code, "backtrace": false})
    };
    let files = |root: &str| {
        json!([{"id": 0, "name": root, "content": "mod utils;\nfn main() { utils::hi() }"},
               {"id": 1, "name": "utils.rs", "content": "pub fn hi() { println!(\"hi from utils\") }"}])
    };
    let bad = [
        payload("1999", "stable", json!("fn main() {}")),
        payload("2021", "sideways", json!("fn main() {}")),
        payload("2021", "stable", files("src/other.rs")),
        payload(
            "2021",
            "stable",
            json!([{"name": "src/main.rs", "content": ""}, {"name": "main.rs", "content": ""}]),
        ),
    ];
    for (i, body) in bad.iter().enumerate() {
        let (status, http, _) = s.post("/execute", body);
        assert_eq!(status, 400, "{body} -> {http}");
        let sequence = 10 + i as i64;
        c.send(
            &json!({"type": "output/execute/wsExecuteRequest", "payload": body,
                       "meta": {"websocket": true, "sequenceNumber": sequence}}),
        );
        let m = c.recv();
        assert_eq!(m["type"], "websocket/error", "{m}");
        assert_eq!(m["meta"]["sequenceNumber"], sequence);
        assert_eq!(m["payload"]["error"], http["error"], "{body}");
        expect_refused_end(&c.recv(), sequence, m["payload"]["error"].as_str().unwrap());
    }
    // A bare `main.rs` is the crate root on both.
    let good = payload("2021", "stable", files("main.rs"));
    let (status, http, _) = s.post("/execute", &good);
    assert_eq!(
        (status, http["stdout"].as_str()),
        (200, Some("hi from utils\n")),
        "{http}"
    );
    c.send(
        &json!({"type": "output/execute/wsExecuteRequest", "payload": good,
                   "meta": {"websocket": true, "sequenceNumber": 20}}),
    );
    let seen = c.until("output/execute/wsExecuteEnd");
    assert_eq!(text(&seen, "wsExecuteStdout"), "hi from utils\n");
    assert_eq!(end(&seen)["success"], true);
}
