//! The Rust Playground's streaming `/websocket` protocol (docs/playground-api.md, WebSocket): Redux-style
//! messages `{type, payload, meta: {sequenceNumber}}`; a run streams its output live,
//! takes stdin, stdin close and kill while it runs. Runs go through the same rate
//! limit, readiness check and queue as the HTTP routes, in real time, never cached.

use crate::queue::{JobResult, Live, RunError};
use crate::routes::native::{Client, admit};
use crate::routes::playground::lower;
use crate::routes::playground::shape::{KILLED, limit_note};
use crate::routes::playground::wire::ExecuteIn;
use crate::state::App;
use corral_rust::pipeline::Stop;
use corral_rust::request::TimeMode;
use corral_rust::result::{Output, Progress, Status, Stream};
use corral_rust::tools::exit_detail;
use futures::{SinkExt, StreamExt};
use rocket::tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use rocket::{State, get};
use rocket_ws::{Channel, Message, WebSocket, stream::DuplexStream};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

// The message types, exactly as the playground spells them
// (ui/src/server_axum/websocket.rs, ui/frontend/reducers/output/execute.ts).
pub const CONNECTED: &str = "websocket/connected";
pub const ERROR: &str = "websocket/error";
pub const FEATURE_FLAGS: &str = "featureFlags";
pub const EXECUTE_REQUEST: &str = "output/execute/wsExecuteRequest";
pub const EXECUTE_STDIN: &str = "output/execute/wsExecuteStdin";
pub const EXECUTE_STDIN_CLOSE: &str = "output/execute/wsExecuteStdinClose";
pub const EXECUTE_KILL: &str = "output/execute/wsExecuteKill";
pub const EXECUTE_BEGIN: &str = "output/execute/wsExecuteBegin";
pub const EXECUTE_STDOUT: &str = "output/execute/wsExecuteStdout";
pub const EXECUTE_STDERR: &str = "output/execute/wsExecuteStderr";
pub const EXECUTE_STATUS: &str = "output/execute/wsExecuteStatus";
pub const EXECUTE_END: &str = "output/execute/wsExecuteEnd";

/// The sequence number of messages the server starts (as the playground).
const SERVER_SEQUENCE: i64 = -1;
/// The largest message a client may send.
const MAX_MESSAGE: usize = 1 << 20;
/// Stdin chunks that may wait for a program that does not read them.
const STDIN_BACKLOG: usize = 64;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    sequence_number: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connected {
    i_accept_this_is_an_unsupported_api: bool,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Handshake {
    #[serde(rename = "websocket/connected")]
    Connected {
        payload: Connected,
        #[allow(dead_code)]
        meta: Meta,
    },
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Incoming {
    #[serde(rename = "output/execute/wsExecuteRequest")]
    Request { payload: Box<ExecuteIn>, meta: Meta },
    #[serde(rename = "output/execute/wsExecuteStdin")]
    Stdin { payload: String, meta: Meta },
    #[serde(rename = "output/execute/wsExecuteStdinClose")]
    StdinClose { meta: Meta },
    #[serde(rename = "output/execute/wsExecuteKill")]
    Kill { meta: Meta },
}

/// One message to the client.
fn message(kind: &str, payload: Option<Value>, sequence: i64) -> Value {
    let mut m = json!({"type": kind, "meta": {"sequenceNumber": sequence}});
    if let Some(p) = payload {
        m["payload"] = p;
    }
    m
}

/// The `featureFlags` message sent after the handshake. The frontend lets a client
/// edit several files when the client's threshold (a random number in [0, 1] it keeps
/// in local storage) is at most `multifileThreshold` (ui/frontend/selectors/index.ts,
/// `allowMultipleFiles`); without it, a link to a gist of several files opens as an
/// empty editor. Every route that takes `code` takes a list of files, so it is 1.0:
/// every client (as the playground's own integration tests run it,
/// PLAYGROUND_MULTIFILE_THRESHOLD=1).
pub fn feature_flags() -> Value {
    message(
        FEATURE_FLAGS,
        Some(json!({"multifileThreshold": 1.0})),
        SERVER_SEQUENCE,
    )
}

fn error(reason: impl Into<String>, sequence: i64) -> Value {
    message(ERROR, Some(json!({"error": reason.into()})), sequence)
}

/// What the session loop receives from runs.
enum Out {
    Send(Value),
    /// The last messages of the run with this sequence number. The run is over before
    /// they are sent, so a client that has seen its end may start the next at once.
    End(i64, Vec<Value>),
}

/// The run of this socket, while it runs.
struct Running {
    sequence: i64,
    /// Dropped on stdin close: the program then reads end-of-file.
    stdin: Option<SyncSender<Vec<u8>>>,
    stop: Stop,
}

#[get("/websocket")]
pub fn websocket<'r>(ws: WebSocket, app: &'r State<App>, client: Client) -> Channel<'r> {
    let config = rocket_ws::Config {
        max_message_size: Some(MAX_MESSAGE),
        max_frame_size: Some(MAX_MESSAGE),
        ..Default::default()
    };
    ws.config(config).channel(move |stream| {
        Box::pin(async move {
            session(stream, app, client).await;
            Ok(())
        })
    })
}

async fn send(stream: &mut DuplexStream, message: &Value) -> bool {
    stream
        .send(Message::Text(message.to_string()))
        .await
        .is_ok()
}

async fn session(mut stream: DuplexStream, app: &App, client: Client) {
    // The handshake: the client's `websocket/connected`, echoed.
    let first = loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => break text,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            _ => return,
        }
    };
    match serde_json::from_str::<Handshake>(&first) {
        Ok(Handshake::Connected { payload, .. }) if payload.i_accept_this_is_an_unsupported_api => {
            if stream.send(Message::Text(first)).await.is_err() {
                return;
            }
        }
        other => {
            let reason = match other {
                Ok(_) => "the handshake must accept the unsupported API".to_string(),
                Err(e) => format!("expected the {CONNECTED} handshake first: {e}"),
            };
            let _ = send(&mut stream, &error(reason, SERVER_SEQUENCE)).await;
            let _ = stream.close(None).await;
            return;
        }
    }
    if !send(&mut stream, &feature_flags()).await {
        return;
    }

    let (out_tx, mut out_rx) = unbounded_channel::<Out>();
    let mut running: Option<Running> = None;
    loop {
        rocket::tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let mut sent = true;
                    for reply in handle(&text, app, &client, &out_tx, &mut running) {
                        sent = sent && send(&mut stream, &reply).await;
                    }
                    if !sent {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let reply = error("binary messages are not understood; send JSON text", SERVER_SEQUENCE);
                    if !send(&mut stream, &reply).await {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(out) = out_rx.recv() => match out {
                Out::Send(m) => {
                    if !send(&mut stream, &m).await {
                        break;
                    }
                }
                Out::End(sequence, messages) => {
                    if running.as_ref().is_some_and(|r| r.sequence == sequence) {
                        running = None;
                    }
                    let mut sent = true;
                    for m in &messages {
                        sent = sent && send(&mut stream, m).await;
                    }
                    if !sent {
                        break;
                    }
                }
            },
        }
    }
    // The client has gone: its run would only hold a slot.
    if let Some(run) = running {
        run.stop.kill();
    }
}

/// A run request that did not start, or a run corral failed: the error, then the
/// run's end, unsuccessful, so that the client stops waiting for it. The end's exit
/// detail is the error too: the playground's frontend shows a failed run's exit detail
/// as its error (ui/frontend/reducers/output/execute.ts, `wsExecuteEnd`), replacing
/// what `websocket/error` said; an empty one would leave nothing to show.
fn refused(reason: impl Into<String>, sequence: i64) -> Vec<Value> {
    let reason = reason.into();
    vec![
        error(reason.clone(), sequence),
        message(
            EXECUTE_END,
            Some(json!({"success": false, "exitDetail": reason})),
            sequence,
        ),
    ]
}

/// Handles one client message; returns the immediate answers, if any.
fn handle(
    text: &str,
    app: &App,
    client: &Client,
    out: &UnboundedSender<Out>,
    running: &mut Option<Running>,
) -> Vec<Value> {
    let raw: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![error(format!("invalid JSON: {e}"), SERVER_SEQUENCE)],
    };
    let sequence = raw["meta"]["sequenceNumber"]
        .as_i64()
        .unwrap_or(SERVER_SEQUENCE);
    let msg = match Incoming::deserialize(&raw) {
        Ok(m) => m,
        // A run request with a malformed payload (but a sequence number, and not that
        // of the run in progress) is a run that did not start.
        Err(e)
            if raw["type"] == EXECUTE_REQUEST
                && sequence != SERVER_SEQUENCE
                && running.as_ref().is_none_or(|r| r.sequence != sequence) =>
        {
            return refused(format!("invalid message: {e}"), sequence);
        }
        Err(e) => return vec![error(format!("invalid message: {e}"), sequence)],
    };
    // Stdin, close and kill for a run that has ended are ignored, as the playground does.
    match msg {
        Incoming::Request { payload, meta } => {
            if let Some(r) = running {
                let reason = format!(
                    "a run (sequence number {}) is still running on this socket; kill it or wait for its end",
                    r.sequence
                );
                // The end would be the running run's if they share a number.
                return if r.sequence == meta.sequence_number {
                    vec![error(reason, meta.sequence_number)]
                } else {
                    refused(reason, meta.sequence_number)
                };
            }
            match start(*payload, meta.sequence_number, app, client, out) {
                Ok(run) => {
                    *running = Some(run);
                    vec![]
                }
                Err(reason) => refused(reason, meta.sequence_number),
            }
        }
        Incoming::Stdin { payload, meta } => {
            let Some(tx) = running
                .as_ref()
                .filter(|r| r.sequence == meta.sequence_number)
                .and_then(|r| r.stdin.as_ref())
            else {
                return vec![];
            };
            match tx.try_send(payload.into_bytes()) {
                Err(TrySendError::Full(_)) => vec![error(
                    "stdin is full: the program is not reading its input",
                    meta.sequence_number,
                )],
                Err(TrySendError::Disconnected(_)) | Ok(()) => vec![],
            }
        }
        Incoming::StdinClose { meta } => {
            if let Some(r) = running
                .as_mut()
                .filter(|r| r.sequence == meta.sequence_number)
            {
                r.stdin = None;
            }
            vec![]
        }
        Incoming::Kill { meta } => {
            if let Some(r) = running
                .as_ref()
                .filter(|r| r.sequence == meta.sequence_number)
            {
                r.stop.kill();
            }
            vec![]
        }
    }
}

/// Admits, lowers (as /execute does, with real time) and queues a run; its messages
/// arrive on `out`, the last in `Out::End`.
fn start(
    payload: ExecuteIn,
    sequence: i64,
    app: &App,
    client: &Client,
    out: &UnboundedSender<Out>,
) -> Result<Running, String> {
    admit(app, client).map_err(|e| e.message)?;
    let req = lower::execute(payload, TimeMode::Real).map_err(|e| e.message)?;
    let plan = app.pipeline.plan(&req).map_err(|e| e.to_string())?;
    let stop = Stop::default();
    let (stdin_tx, stdin_rx) = sync_channel(STDIN_BACKLOG);
    let (progress_tx, progress_rx) = unbounded_channel();
    let live = Live {
        stdin: stdin_rx,
        stop: stop.clone(),
        progress: progress_tx,
    };
    let job = app.runner.run_live(plan, live);
    rocket::tokio::spawn(relay(job, progress_rx, sequence, out.clone()));
    Ok(Running {
        sequence,
        stdin: Some(stdin_tx),
        stop,
    })
}

/// Passes a live job's progress to the client as it happens, then its end.
async fn relay(
    job: futures::future::BoxFuture<'static, JobResult>,
    mut progress: UnboundedReceiver<Progress>,
    sequence: i64,
    out: UnboundedSender<Out>,
) {
    let mut text = Utf8Streams::default();
    let mut forward = |p: Progress| {
        let (stream, s) = match p {
            Progress::Started => {
                let _ = out.send(Out::Send(message(EXECUTE_BEGIN, None, sequence)));
                return;
            }
            Progress::Compiled { stderr, .. } => (Stream::Stderr, stderr),
            Progress::Output { stream, data } => (stream, text.push(stream, &data)),
        };
        send_text(&out, stream, s, sequence);
    };
    let mut job = std::pin::pin!(job);
    let result = loop {
        rocket::tokio::select! {
            Some(p) = progress.recv() => forward(p),
            result = &mut job => break result,
        }
    };
    // The job is over: what it reported is all queued here.
    while let Ok(p) = progress.try_recv() {
        forward(p);
    }
    for stream in [Stream::Stdout, Stream::Stderr] {
        send_text(&out, stream, text.finish(stream), sequence);
    }
    let _ = out.send(Out::End(sequence, end_messages(&result, sequence)));
}

fn send_text(out: &UnboundedSender<Out>, stream: Stream, s: String, sequence: i64) {
    if !s.is_empty() {
        let kind = match stream {
            Stream::Stdout => EXECUTE_STDOUT,
            Stream::Stderr => EXECUTE_STDERR,
        };
        let _ = out.send(Out::Send(message(kind, Some(json!(s)), sequence)));
    }
}

/// The messages that end a run: a note when a limit stopped it, its status, its end.
fn end_messages(result: &JobResult, sequence: i64) -> Vec<Value> {
    let end = |success: bool, detail: &str| {
        message(
            EXECUTE_END,
            Some(json!({"success": success, "exitDetail": detail})),
            sequence,
        )
    };
    let result = match result {
        Ok(Output::Run(result)) => result,
        Ok(Output::Tool(_)) => return refused("a run answered with a tool's output", sequence),
        Err(RunError::Cancelled) => return vec![end(false, KILLED)],
        Err(e) => return refused(e.to_string(), sequence),
    };
    let status = result.status;
    if status == Status::InternalError {
        let reason = result.error.as_deref().unwrap_or("unknown error");
        return refused(
            format!("corral failed to run the program: {reason}"),
            sequence,
        );
    }
    let mut messages = vec![];
    let stopped = matches!(
        status,
        Status::Timeout | Status::MemoryLimit | Status::OutputLimit
    );
    if stopped && let Some(note) = limit_note(result) {
        messages.push(message(
            EXECUTE_STDERR,
            Some(json!(format!("\n{note}\n"))),
            sequence,
        ));
    }
    let (cpu_ms, memory_bytes) = result.last_step_usage();
    messages.push(message(
        EXECUTE_STATUS,
        Some(json!({
            "residentSetSizeBytes": memory_bytes,
            "totalTimeSecs": cpu_ms as f64 / 1000.0,
        })),
        sequence,
    ));
    let detail = match (&result.run, status) {
        (_, Status::Killed) => KILLED.to_string(),
        (Some(run), _) => match exit_detail(run.exit_code, run.signal) {
            d if d.is_empty() && stopped => KILLED.to_string(),
            d => d,
        },
        (None, Status::Success) => "Exited with status 0".to_string(),
        (None, _) if stopped => KILLED.to_string(),
        (None, _) => "Exited with status 1".to_string(),
    };
    messages.push(end(status == Status::Success, &detail));
    messages
}

/// Output chunks as text, never splitting a UTF-8 character between two messages.
#[derive(Default)]
struct Utf8Streams {
    pending: [Vec<u8>; 2],
}

impl Utf8Streams {
    fn buffer(&mut self, stream: Stream) -> &mut Vec<u8> {
        &mut self.pending[usize::from(stream == Stream::Stderr)]
    }

    /// The text of `data` after what was held back, holding back an unfinished character.
    fn push(&mut self, stream: Stream, data: &[u8]) -> String {
        let buf = self.buffer(stream);
        buf.extend_from_slice(data);
        let mut cut = buf.len();
        for back in 1..=buf.len().min(3) {
            let b = buf[buf.len() - back];
            if b & 0xC0 == 0x80 {
                continue;
            }
            let needs = match b {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if needs > back {
                cut = buf.len() - back;
            }
            break;
        }
        let text = String::from_utf8_lossy(&buf[..cut]).into_owned();
        buf.drain(..cut);
        text
    }

    /// Whatever was held back (invalid bytes become U+FFFD).
    fn finish(&mut self, stream: Stream) -> String {
        let buf = std::mem::take(self.buffer(stream));
        String::from_utf8_lossy(&buf).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_never_split() {
        let mut u = Utf8Streams::default();
        let smile = "é🙂".as_bytes();
        assert_eq!(u.push(Stream::Stdout, &smile[..1]), "");
        assert_eq!(u.push(Stream::Stdout, &smile[1..4]), "é");
        assert_eq!(u.push(Stream::Stderr, b"err"), "err");
        assert_eq!(u.push(Stream::Stdout, &smile[4..]), "🙂");
        assert_eq!(u.push(Stream::Stdout, &[b'a', 0xF0, 0x9F]), "a");
        assert_eq!(u.finish(Stream::Stdout), "\u{fffd}");
        assert_eq!(u.push(Stream::Stdout, &[0xFF, b'b']), "\u{fffd}b");
    }

    #[test]
    fn messages_parse_as_the_playground_sends_them() {
        let req = r#"{"type":"output/execute/wsExecuteRequest","payload":{"channel":"stable","mode":"debug","edition":"2021","crateType":"bin","tests":false,"code":"fn main(){}","backtrace":false},"meta":{"websocket":true,"sequenceNumber":3}}"#;
        let Incoming::Request { payload, meta } = serde_json::from_str(req).unwrap() else {
            panic!("not an execute request")
        };
        assert_eq!(meta.sequence_number, 3);
        let r = lower::execute(*payload, TimeMode::Real).unwrap();
        assert_eq!(
            (r.harness.as_str(), r.code.as_str(), r.time),
            ("bin", "fn main(){}", TimeMode::Real)
        );
        let close = r#"{"type":"output/execute/wsExecuteStdinClose","meta":{"websocket":true,"sequenceNumber":3}}"#;
        assert!(matches!(
            serde_json::from_str(close).unwrap(),
            Incoming::StdinClose { .. }
        ));
        let missing = r#"{"type":"output/execute/wsExecuteRequest","payload":{"channel":"stable"},"meta":{"sequenceNumber":1}}"#;
        let e = serde_json::from_str::<Incoming>(missing).err().unwrap();
        assert!(e.to_string().contains("missing field"), "{e}");
        let unknown = r#"{"type":"output/execute/wsExecuteFly","meta":{"sequenceNumber":1}}"#;
        assert!(serde_json::from_str::<Incoming>(unknown).is_err());
    }

    /// The WebSocket lowers a payload exactly as /execute does, but with real time
    /// (a live run is never memoized): same files, same checks, same errors.
    #[test]
    fn the_websocket_lowers_like_execute() {
        let payload = |body: &str| -> ExecuteIn { serde_json::from_str(body).unwrap() };
        let body = r#"{"channel":"stable","mode":"debug","edition":"2021","crateType":"bin","tests":false,"backtrace":false,
            "code":[{"id":0,"name":"main.rs","content":"mod u; fn main(){}"},{"id":1,"name":"src/u.rs","content":""}]}"#;
        let live =
            crate::testing::plan(&lower::execute(payload(body), TimeMode::Real).unwrap()).unwrap();
        let http = crate::testing::plan(&lower::execute(payload(body), TimeMode::Virtual).unwrap())
            .unwrap();
        assert_eq!(live.files, http.files);
        assert_eq!(live.files[0].0, "src/main.rs");
        assert!(!live.memoizable() && http.memoizable());
        assert_ne!(live.key, http.key);
        let bad = r#"{"channel":"stable","mode":"debug","edition":"2027","crateType":"bin","tests":false,"code":""}"#;
        assert_eq!(
            lower::execute(payload(bad), TimeMode::Real)
                .unwrap_err()
                .message,
            "'2027' is not a valid edition"
        );
    }

    fn run(status: Status, run: Option<serde_json::Value>) -> JobResult {
        let v = json!({"status": status, "step": if run.is_some() {"run"} else {"compile"}, "limit": null,
            "compile": {"success": true, "stderr": "", "diagnostics": [], "wall_ms": 1, "cpu_ms": 1, "memory_bytes": 1},
            "run": run});
        Ok(Output::Run(serde_json::from_value(v).unwrap()))
    }

    fn program(exit_code: Option<i32>, signal: Option<i32>) -> serde_json::Value {
        json!({"exit_code": exit_code, "signal": signal, "stdout": "", "stderr": "",
            "stdout_truncated": false, "stderr_truncated": false, "events": [], "harness": {},
            "wall_ms": 1, "cpu_ms": 1500, "memory_bytes": 2048})
    }

    #[test]
    fn end_messages_say_how_the_run_ended() {
        let ok = run(Status::Success, Some(program(Some(0), None)));
        let m = end_messages(&ok, 7);
        assert_eq!(m[0]["type"], EXECUTE_STATUS);
        assert_eq!(m[0]["payload"]["residentSetSizeBytes"], 2048);
        assert_eq!(m[0]["payload"]["totalTimeSecs"], 1.5);
        assert_eq!(
            m[1]["payload"],
            json!({"success": true, "exitDetail": "Exited with status 0"})
        );
        assert_eq!(m[1]["meta"]["sequenceNumber"], 7);
        let killed = run(Status::Killed, Some(program(None, Some(9))));
        let m = end_messages(&killed, 7);
        assert_eq!(m.last().unwrap()["payload"]["exitDetail"], KILLED);
        let compile_error = run(Status::CompileError, None);
        let m = end_messages(&compile_error, 7);
        assert_eq!(m.last().unwrap()["payload"]["success"], false);
        let m = end_messages(&Err(RunError::Cancelled), 7);
        assert_eq!(m.last().unwrap()["payload"]["exitDetail"], KILLED);
        let m = end_messages(&Err(RunError::Busy { waiting: 4 }), 7);
        let error = m[0]["payload"]["error"].as_str().unwrap();
        assert!(error.contains("busy"));
        // The end says why too: the playground's frontend shows its exit detail.
        assert_eq!(
            m[1]["payload"],
            json!({"success": false, "exitDetail": error})
        );
    }
}
