//! What crosses the cluster: a job's envelope on the stream, its answer on the API
//! node's result subject, and a live job's input and progress on core NATS subjects.

use corral_rust::plan::Plan;
use corral_server::queue::JobResult;
use serde::{Deserialize, Serialize};

/// A job on the stream.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub id: String,
    /// Where the answer goes.
    pub reply: String,
    /// A live job (the WebSocket): its input arrives on [`input`], its progress goes
    /// to [`progress`].
    pub live: bool,
    pub plan: Plan,
}

/// A job's answer: its result and the worker that produced it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Answer {
    pub id: String,
    pub worker: String,
    pub result: JobResult,
}

/// What an API node sends to a live job while it runs.
#[derive(Debug, Serialize, Deserialize)]
pub enum LiveIn {
    Stdin(Vec<u8>),
    /// End of the program's input.
    Close,
    Kill,
}

/// The subject a live job's input arrives on.
pub fn input(id: &str) -> String {
    format!("corral.live.{id}.in")
}

/// The subject a live job's progress events (`Progress` as JSON) go to.
pub fn progress(id: &str) -> String {
    format!("corral.live.{id}.out")
}

/// The subject an API node receives its answers on.
pub fn results(node: &str) -> String {
    format!("corral.results.{node}")
}
