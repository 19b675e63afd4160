//! The JSON error answers the front writes itself (414, 431, 400, 503).

use rocket::tokio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

/// A JSON error answer written by the front itself, then the connection is closed.
fn error_response(status: u16, reason: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({ "error": message }).to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub(super) async fn respond(
    client_wr: &tokio::sync::Mutex<OwnedWriteHalf>,
    status: u16,
    reason: &str,
    message: &str,
) {
    let bytes = error_response(status, reason, message);
    let mut w = client_wr.lock().await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = w.write_all(&bytes).await;
        let _ = w.shutdown().await;
    })
    .await;
}

pub(super) async fn refuse(mut socket: TcpStream) {
    let bytes = error_response(
        503,
        "Service Unavailable",
        "the server has too many connections; try again shortly",
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = socket.write_all(&bytes).await;
        let _ = socket.shutdown().await;
    })
    .await;
}
