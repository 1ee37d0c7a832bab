//! `GET /v1/backup`: the whole registry in the transfer format, streamed from the
//! snapshot `Registry::backup` wrote to a temporary file under the writer lock.

use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use http_body::{Frame, SizeHint};

use super::{ApiResult, AppState, Who};
use crate::registry::Backup;

/// The answer's media type: one JSON record a line.
pub const NDJSON: &str = "application/x-ndjson";
/// Bytes read from the snapshot per frame.
const CHUNK: usize = 64 * 1024;

/// `GET /v1/backup`.
pub async fn backup(State(state): State<AppState>, who: Who, headers: HeaderMap) -> ApiResult {
    let source = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let backup = state
        .registry
        .blocking(move |r| r.backup(who.caller(), source))
        .await?;
    let len = backup.len;
    let mut response = Response::new(axum::body::Body::new(FileBody::start(backup)));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(NDJSON));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    Ok(response)
}

/// A body read from a file by a blocking task, a few chunks ahead of the client.
struct FileBody {
    chunks: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    remaining: u64,
}

impl FileBody {
    fn start(backup: Backup) -> FileBody {
        let (tx, chunks) = tokio::sync::mpsc::channel(4);
        let Backup { mut file, len, .. } = backup;
        tokio::task::spawn_blocking(move || {
            let mut buf = vec![0; CHUNK];
            loop {
                let chunk = match file.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
                    Err(e) => Err(e),
                };
                let failed = chunk.is_err();
                // The client went away: stop reading.
                if tx.blocking_send(chunk).is_err() || failed {
                    return;
                }
            }
        });
        FileBody {
            chunks,
            remaining: len,
        }
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.chunks.poll_recv(cx).map(|chunk| {
            chunk.map(|chunk| {
                chunk.map(|bytes| {
                    self.remaining = self.remaining.saturating_sub(bytes.len() as u64);
                    Frame::data(bytes)
                })
            })
        })
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
