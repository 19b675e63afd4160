//! `corral serve` against hostile clients: forged forwarded addresses, idle, slow and
//! oversized requests, 1,000 idle connections, and SIGTERM with a run in flight.

mod common;

use common::server::Server;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn start(config: &str) -> Option<Server> {
    if !common::sandbox_available() {
        return None;
    }
    Server::start(config, &[])
}

/// A server that need not be ready (for what is answered before any run).
fn start_unready(config: &str) -> Option<Server> {
    Server::launch(config, &[], None, false)
}

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

/// Sends `request` on a fresh connection and reads until the server closes it (at most
/// 30 s); returns the status and the body.
fn raw(s: &Server, request: &[u8]) -> (u16, String) {
    let mut c = TcpStream::connect(addr(s)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = c.write_all(request);
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn error_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error field: {body}"))
        .to_string()
}

/// Raises this process's RLIMIT_NOFILE soft limit to at least `want`.
fn raise_nofile(want: u64) -> bool {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        if l.rlim_cur >= want {
            return true;
        }
        if l.rlim_max < want && !common::is_root() {
            eprintln!(
                "SKIP: RLIMIT_NOFILE hard limit {} < {want} and not root",
                l.rlim_max
            );
            return false;
        }
        l.rlim_cur = want;
        l.rlim_max = l.rlim_max.max(want);
        libc::setrlimit(libc::RLIMIT_NOFILE, &l) == 0
    }
}

#[test]
fn a_new_forwarded_address_per_request_is_still_rate_limited() {
    let Some(s) = start_unready("[server]\nrate_per_minute = 60\nrate_burst = 5\n") else {
        return;
    };
    let mut limited_at = None;
    for i in 0..20u32 {
        let res = ureq::post(&s.url("/api/v1/run"))
            .set("Content-Type", "application/json")
            .set("X-Real-IP", &format!("10.{}.{}.{}", i % 200, i / 7, i + 1))
            .set("X-Forwarded-For", &format!("172.16.0.{i}"))
            .send_string("not json");
        if let Err(ureq::Error::Status(429, r)) = res {
            let body = r.into_string().unwrap();
            assert!(error_of(&body).contains("too many requests"), "{body}");
            limited_at = Some(i);
            break;
        }
    }
    let n = limited_at.expect("a client forging X-Real-IP was never limited");
    assert!(n <= 6, "limited only at request {n}");
    eprintln!("limited at request {}", n + 1);

    // With `ip_header` configured (behind a trusted proxy), the header is the client.
    let Some(s) = start_unready(
        "[server]\nrate_per_minute = 60\nrate_burst = 2\nip_header = \"X-Real-IP\"\n",
    ) else {
        return;
    };
    for i in 0..10u32 {
        let (status, body, _) = Server::read_result(
            ureq::post(&s.url("/api/v1/run"))
                .set("X-Real-IP", &format!("10.0.0.{}", i + 1))
                .send_string("not json"),
        );
        assert_ne!(status, 429, "{body}");
    }
}

#[test]
fn a_thousand_idle_connections_do_not_stop_a_run() {
    if !raise_nofile(4096) || !common::sandbox_available() {
        return;
    }
    // The acceptance check: a server whose soft limit is 512.
    let Some(s) = Server::start_with_nofile("", &[], Some(512)) else {
        return;
    };
    let t0 = Instant::now();
    let mut held = Vec::new();
    for _ in 0..1000 {
        match TcpStream::connect(addr(&s)) {
            Ok(c) => held.push(c),
            Err(e) => panic!("connect {}: {e}", held.len()),
        }
    }
    eprintln!("1000 idle connections opened in {:?}", t0.elapsed());
    let code = json!({"code": "fn main() { println!(\"{}\", 6 * 7); }"});
    let t = Instant::now();
    let (status, v, _) = s.post("/api/v1/run", &code);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["run"]["stdout"], "42\n", "{v}");
    eprintln!("a run with 1000 connections just opened: {:?}", t.elapsed());
    std::thread::sleep(Duration::from_secs(12).saturating_sub(t0.elapsed()));
    let t = Instant::now();
    let fresh = json!({"code": "fn main() { println!(\"{}\", 6 * 9); }"});
    let (status, v, _) = s.post("/api/v1/run", &fresh);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["run"]["stdout"], "54\n", "{v}");
    eprintln!("a run 12 s later: {:?}", t.elapsed());
    let (status, _, _) = s.get("/healthz");
    assert_eq!(status, 200);
    // The idle ones were closed by the server (timeout or eviction).
    let mut closed = 0;
    for c in &mut held {
        c.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut b = [0u8; 1];
        if matches!(c.read(&mut b), Ok(0)) || c.write_all(b"x").is_err() {
            closed += 1;
        }
    }
    eprintln!("{closed} of 1000 idle connections closed by the server");
    assert!(closed >= 900, "only {closed} closed");
    let metrics = ureq::get(&s.url("/metrics"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let count = |reason: &str| -> u64 {
        let prefix = format!("corral_connections_closed_total{{reason=\"{reason}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&prefix)?.parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in {metrics}"))
    };
    let (evicted, timed_out) = (count("evicted"), count("timeout"));
    eprintln!("closed by the server: {evicted} evicted over the cap, {timed_out} idle");
    assert!(evicted + timed_out >= 900, "{metrics}");
}

#[test]
fn slow_and_idle_connections_are_closed() {
    let Some(s) =
        start_unready("[server]\nheader_timeout = 2\nidle_timeout = 1\nbody_timeout = 2\n")
    else {
        return;
    };
    // Headers trickling in, never complete: no answer may come.
    let closed_after = trickle(
        &s,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
        b"X-Slow: 1\r\n",
        false,
    );
    eprintln!("slow-header connection closed after {closed_after:?}");
    assert!(
        closed_after >= Duration::from_millis(1500) && closed_after < Duration::from_secs(5),
        "{closed_after:?}"
    );

    // A body trickling in.
    let closed_after = trickle(
        &s,
        b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        b" ",
        true,
    );
    eprintln!("slow-body connection closed after {closed_after:?}");
    assert!(closed_after < Duration::from_secs(5), "{closed_after:?}");

    // An idle keep-alive connection after an answer.
    let mut c = TcpStream::connect(addr(&s)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let t = Instant::now();
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.starts_with("HTTP/1.1 200") || text.starts_with("HTTP/1.1 503"),
        "{text}"
    );
    eprintln!("idle keep-alive connection closed after {:?}", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}

/// Sends `start`, then `each` every 300 ms until the server closes the connection;
/// returns how long that took. An answer before the close fails unless `answer_allowed`.
fn trickle(s: &Server, start: &[u8], each: &[u8], answer_allowed: bool) -> Duration {
    let mut c = TcpStream::connect(addr(s)).unwrap();
    c.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let t = Instant::now();
    c.write_all(start).unwrap();
    loop {
        assert!(t.elapsed() < Duration::from_secs(10), "never closed");
        std::thread::sleep(Duration::from_millis(300));
        let mut b = [0u8; 256];
        match c.read(&mut b) {
            Ok(0) => return t.elapsed(),
            Ok(_) if !answer_allowed => panic!("an answer to an incomplete head"),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return t.elapsed(),
        }
        if c.write_all(each).is_err() {
            return t.elapsed();
        }
    }
}

#[test]
fn oversized_bodies_answer_413_with_json() {
    let Some(s) = start("") else { return };
    let big = "x".repeat(2 << 20);
    for (path, ct) in [
        ("/run/expr", "text/plain"),
        ("/api/v1/format", "application/json"),
        ("/api/v1/clippy", "application/json"),
        ("/api/v1/run", "application/json"),
        ("/execute", "application/json"),
    ] {
        let (status, body, _) = s.post_raw(path, ct, &big);
        assert_eq!(status, 413, "{path}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains("large")),
            "{path}: {body}"
        );
    }
}

#[test]
fn long_uris_and_headers_answer_414_and_431_with_json() {
    let Some(s) = start_unready("") else { return };
    let uri = format!("/{}", "a".repeat(10_000));
    let (status, body) = raw(
        &s,
        format!("GET {uri} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 414, "{body}");
    assert!(error_of(&body).contains("request line"), "{body}");
    // One huge header, then many small ones.
    let (status, body) = raw(
        &s,
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "b".repeat(40_000)
        )
        .as_bytes(),
    );
    assert_eq!(status, 431, "{body}");
    assert!(!error_of(&body).is_empty());
    let (status, body) = raw(
        &s,
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
            (0..150)
                .map(|i| format!("X-H{i}: v\r\n"))
                .collect::<String>()
        )
        .as_bytes(),
    );
    assert_eq!(status, 431, "{body}");
    assert!(!error_of(&body).is_empty());
    // The server is fine afterwards.
    assert!(matches!(s.get("/healthz").0, 200 | 503));
}

#[test]
fn runs_total_counts_runs_not_requests() {
    let Some(s) = start("") else { return };
    let metric = |name: &str| -> u64 {
        let text = ureq::get(&s.url("/metrics"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    let code = json!({"code": "fn main() { println!(\"counted\"); }"});
    for _ in 0..3 {
        assert_eq!(s.post("/api/v1/run", &code).0, 200);
    }
    assert_eq!(s.post_raw("/api/v1/run", "application/json", "{").0, 400);
    assert_eq!(metric("corral_runs_total"), 1, "two memo hits, one refusal");
    assert_eq!(metric("corral_requests_total"), 4);
}

fn signal(s: &Server, sig: i32) {
    // SAFETY: kill with a pid we started.
    unsafe { libc::kill(s.pid() as i32, sig) };
}

fn sigterm(s: &Server) {
    signal(s, libc::SIGTERM);
}

const SLEEPER: &str = "fn main() {\n    println!(\"start\");\n    std::thread::sleep(std::time::Duration::from_secs(3));\n    println!(\"done\");\n}\n";

#[test]
fn sigterm_lets_a_run_in_flight_finish_and_exits_0() {
    // One worker: the second run waits in the queue.
    let Some(mut s) = start("[server]\nworkers = 1\n") else {
        return;
    };
    let post = |code: String| {
        let url = s.url("/api/v1/run");
        std::thread::spawn(move || {
            let t = Instant::now();
            let res = ureq::post(&url)
                .set("Content-Type", "application/json")
                .send_string(&json!({"code": code, "time": "real"}).to_string());
            (Server::read_result(res), t.elapsed())
        })
    };
    let client = post(SLEEPER.to_string());
    std::thread::sleep(Duration::from_millis(500));
    let waiting = post(SLEEPER.replace("done", "second"));
    // In flight: compiling or sleeping.
    std::thread::sleep(Duration::from_millis(1000));
    let signalled = Instant::now();
    sigterm(&s);
    // New connections are refused at once.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(addr(&s)).is_err() || s.wait_exit(Duration::ZERO).is_some(),
        "still accepting after SIGTERM"
    );
    let ((status, v, _), _) = waiting.join().unwrap();
    let took = signalled.elapsed();
    eprintln!("the waiting run answered {status} {v} {took:?} after SIGTERM");
    assert_eq!(status, 503, "{v}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let ((status, v, _), took) = client.join().unwrap();
    eprintln!("the run in flight answered {status} after {took:?}");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["run"]["stdout"], "start\ndone\n", "{v}");
    let exit = s.wait_exit(Duration::from_secs(15)).expect("still running");
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}

#[test]
fn sigint_after_the_grace_period_answers_503() {
    let Some(mut s) = start("[server]\nshutdown_grace = 1\n") else {
        return;
    };
    let url = s.url("/api/v1/run");
    let slow = SLEEPER.replace("from_secs(3)", "from_secs(8)");
    let client = std::thread::spawn(move || {
        Server::read_result(
            ureq::post(&url)
                .set("Content-Type", "application/json")
                .send_string(&json!({"code": slow, "time": "real"}).to_string()),
        )
    });
    std::thread::sleep(Duration::from_millis(1500));
    let t = Instant::now();
    signal(&s, libc::SIGINT);
    let (status, v, _) = client.join().unwrap();
    eprintln!(
        "the stopped run answered {status} {v} after {:?}",
        t.elapsed()
    );
    assert_eq!(status, 503, "{v}");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("shutting down")),
        "{v}"
    );
    let exit = s.wait_exit(Duration::from_secs(15)).expect("still running");
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}

#[test]
fn a_websocket_is_not_closed_by_the_idle_timer() {
    let Some(s) = start_unready("[server]\nidle_timeout = 1\n") else {
        return;
    };
    let url = format!("{}/websocket", s.base.replacen("http://", "ws://", 1));
    let (mut ws, response) = tungstenite::connect(url).expect("WebSocket upgrade");
    assert_eq!(response.status(), 101);
    if let tungstenite::stream::MaybeTlsStream::Plain(tcp) = ws.get_ref() {
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    let hello = json!({"type": "websocket/connected",
        "payload": {"iAcceptThisIsAnUnsupportedApi": true},
        "meta": {"websocket": true, "sequenceNumber": 0}});
    // Three times the idle timeout without a byte, then the socket still answers.
    std::thread::sleep(Duration::from_secs(3));
    ws.send(tungstenite::Message::Text(hello.to_string()))
        .expect("send after idling");
    let echoed = loop {
        match ws.read().expect("an answer after idling") {
            tungstenite::Message::Text(t) => break serde_json::from_str::<Value>(&t).unwrap(),
            _ => continue,
        }
    };
    assert_eq!(echoed, hello);
}

#[test]
fn one_address_cannot_take_every_forwarded_slot() {
    // 48 connections: 16 forwarded at once, 4 per client address.
    let Some(s) = start_unready("[server]\nmax_connections = 48\nbody_timeout = 3\n") else {
        return;
    };
    let slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = TcpStream::connect(addr(&s)).unwrap();
            c.write_all(b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
                .unwrap();
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, body) = raw(&s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status, 503, "{body}");
    assert!(error_of(&body).contains("too many connections"), "{body}");
    // Once the slow bodies time out, the address is served again.
    std::thread::sleep(Duration::from_secs(3));
    let (_, v, _) = s.get("/healthz");
    assert!(v.get("error").is_none(), "{v}");
    drop(slow);
}
