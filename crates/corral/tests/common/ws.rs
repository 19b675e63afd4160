//! A client of the Rust Playground's WebSocket protocol (`GET /websocket`), for the
//! tests that drive it (a server of its own, or a cluster's API node).

use serde_json::{Value, json};
use std::net::TcpStream;
use std::time::Duration;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The exit detail of a killed run, as the playground words it.
pub const KILLED: &str = "Exited with signal 9 (SIGKILL): kill program";

pub struct Client {
    pub socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Connects to the server at `base` (`http://…`) and does the handshake:
    /// `websocket/connected` echoed, then `featureFlags`.
    pub fn connect(base: &str) -> Client {
        let url = format!("{}/websocket", base.replacen("http://", "ws://", 1));
        let (socket, response) = tungstenite::connect(url).expect("WebSocket upgrade");
        assert_eq!(response.status(), 101);
        if let MaybeTlsStream::Plain(tcp) = socket.get_ref() {
            tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        let mut c = Client { socket };
        let hello = json!({"type": "websocket/connected",
            "payload": {"iAcceptThisIsAnUnsupportedApi": true},
            "meta": {"websocket": true, "sequenceNumber": 0}});
        c.send(&hello);
        assert_eq!(c.recv(), hello, "the handshake is echoed");
        let flags = c.recv();
        assert_eq!(flags["type"], "featureFlags", "{flags}");
        // Every client may edit several files (the frontend compares its own threshold,
        // in [0, 1], with this one).
        assert_eq!(
            flags["payload"],
            json!({"multifileThreshold": 1.0}),
            "{flags}"
        );
        assert_eq!(flags["meta"]["sequenceNumber"], -1);
        c
    }

    pub fn send(&mut self, v: &Value) {
        self.send_text(&v.to_string());
    }

    pub fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.to_string()))
            .expect("send");
    }

    pub fn recv(&mut self) -> Value {
        loop {
            match self.socket.read().expect("read a message in time") {
                Message::Text(t) => {
                    eprintln!("received: {t}");
                    return serde_json::from_str(&t).expect("JSON");
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Messages until one of type `kind` (included).
    pub fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut seen = vec![];
        loop {
            let m = self.recv();
            let done = m["type"] == kind;
            seen.push(m);
            if done {
                return seen;
            }
        }
    }

    /// Messages until the run's end (included).
    pub fn until_end(&mut self) -> Vec<Value> {
        self.until("output/execute/wsExecuteEnd")
    }

    /// Messages until the program's stdout so far contains `wanted`; panics if the
    /// run ends first.
    pub fn until_stdout(&mut self, wanted: &str) -> Vec<Value> {
        let mut seen = vec![];
        while !text(&seen, "wsExecuteStdout").contains(wanted) {
            let m = self.recv();
            assert_ne!(m["type"], "output/execute/wsExecuteEnd", "ended early: {m}");
            seen.push(m);
        }
        seen
    }

    pub fn execute(&mut self, sequence: i64, code: &str) {
        self.send(&json!({
            "type": "output/execute/wsExecuteRequest",
            "payload": {"channel": "stable", "mode": "debug", "edition": "2021",
                        "crateType": "bin", "tests": false, "code": code, "backtrace": false},
            "meta": {"websocket": true, "sequenceNumber": sequence},
        }));
    }

    pub fn control(&mut self, kind: &str, payload: Option<&str>, sequence: i64) {
        let mut m = json!({"type": format!("output/execute/{kind}"),
                           "meta": {"websocket": true, "sequenceNumber": sequence}});
        if let Some(p) = payload {
            m["payload"] = json!(p);
        }
        self.send(&m);
    }
}

/// The text of every message of `kind` among `messages`.
pub fn text(messages: &[Value], kind: &str) -> String {
    messages
        .iter()
        .filter(|m| m["type"] == format!("output/execute/{kind}"))
        .filter_map(|m| m["payload"].as_str())
        .collect()
}

/// The payload of the run's end (the last message).
pub fn end(messages: &[Value]) -> &Value {
    let last = messages.last().unwrap();
    assert_eq!(last["type"], "output/execute/wsExecuteEnd", "{last}");
    &last["payload"]
}
