//! Stdio between the client and tower-lsp-server, with a guard in front.
//!
//! tower-lsp-server's reader stops serving after the first message it cannot decode (the
//! `FramedRead` stream ends after a decode error), so one malformed body would leave the
//! server deaf. The [`Input`] side therefore frames the messages itself on a thread, checks
//! that every body is a JSON-RPC request, notification or response, answers the ones that
//! are not with a JSON-RPC error (`-32700` parse error, `-32600` invalid request; the
//! request's `id` when one can be read, else `null`), and forwards only well-formed
//! messages. Both tower-lsp-server and the guard write whole frames through one [`Output`].

use std::io::{self, BufRead, BufReader, Read, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest message body accepted (a 10 MB document is ~10 MB of JSON string plus
/// escapes). Larger bodies are skipped and answered with an error.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Longest header line read; longer ones are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// The shared writer: every write is a whole number of frames, written under one lock.
#[derive(Clone)]
pub struct Output {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Output {
    /// An output over any writer (stdout in production, a buffer in tests).
    pub fn new(sink: impl Write + Send + 'static) -> Self {
        Output {
            sink: Arc::new(Mutex::new(Box::new(sink))),
        }
    }

    fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        sink.write_all(bytes)?;
        sink.flush()
    }

    /// Writes one JSON-RPC message with its `Content-Length` header.
    pub fn send(&self, message: &Value) -> io::Result<()> {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.write_all(frame.as_bytes())
    }
}

/// tower-lsp-server's codec writes whole frames per call; writing them in one locked
/// `write_all` keeps them from interleaving with the guard's error responses. Writing to a
/// pipe blocks briefly at most (the client reads continuously).
impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.write_all(buf).map(|()| buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The message stream tower-lsp-server reads: re-framed, well-formed messages only.
pub struct Input {
    frames: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl AsyncRead for Input {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while this.at >= this.current.len() {
            match this.frames.poll_recv(cx) {
                Poll::Ready(Some(frame)) => {
                    this.current = frame;
                    this.at = 0;
                }
                // The reader thread is done: end of input.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(this.current.len() - this.at);
        buf.put_slice(&this.current[this.at..this.at + n]);
        this.at += n;
        Poll::Ready(Ok(()))
    }
}

/// Starts the guard thread over `reader` (stdin) and returns the stream for tower-lsp-server.
pub fn spawn_input(reader: impl Read + Send + 'static, output: Output) -> io::Result<Input> {
    let (sender, frames) = mpsc::channel(16);
    std::thread::Builder::new()
        .name("plugsmith-stdin".into())
        .spawn(move || {
            let mut reader = BufReader::with_capacity(64 * 1024, reader);
            while let Some(outcome) = read_message(&mut reader) {
                match outcome {
                    Ok(body) => {
                        let mut frame =
                            format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
                        frame.extend_from_slice(&body);
                        if sender.blocking_send(frame).is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        eprintln!("plugsmith: rejected a message: {}", error.message);
                        let response = json!({
                            "jsonrpc": "2.0",
                            "id": error.id,
                            "error": {"code": error.code, "message": error.message},
                        });
                        if output.send(&response).is_err() {
                            return;
                        }
                    }
                }
            }
        })?;
    Ok(Input {
        frames,
        current: Vec::new(),
        at: 0,
    })
}

/// Why a message was rejected, and what to answer.
#[derive(Debug)]
pub struct Rejected {
    /// The request's id when it could be read, else `null`.
    pub id: Value,
    /// `-32700` (parse error) or `-32600` (invalid request).
    pub code: i64,
    /// What was wrong with it.
    pub message: String,
}

fn rejected(code: i64, message: impl Into<String>) -> Rejected {
    Rejected {
        id: Value::Null,
        code,
        message: message.into(),
    }
}

/// Reads the next message: `None` at the end of input, `Some(Ok(body))` for a well-formed
/// JSON-RPC message, `Some(Err(_))` for anything else (which has been consumed).
pub fn read_message(reader: &mut impl BufRead) -> Option<Result<Vec<u8>, Rejected>> {
    let mut content_length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut saw_header = false;
    loop {
        let line = match read_line(reader) {
            Ok(Some(line)) => line,
            Ok(None) | Err(_) => return None,
        };
        let trimmed = line.strip_suffix(b"\n").unwrap_or(&line);
        let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
        if trimmed.is_empty() {
            if !saw_header {
                // Stray blank line between messages.
                continue;
            }
            break;
        }
        saw_header = true;
        let Ok(text) = std::str::from_utf8(trimmed) else {
            bad_header = Some("header is not UTF-8".into());
            continue;
        };
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(length) => content_length = Some(length),
                    Err(_) => {
                        bad_header = Some(format!("invalid Content-Length `{}`", value.trim()))
                    }
                }
            }
        } else {
            bad_header = Some("malformed header line".into());
        }
    }
    let Some(length) = content_length else {
        return Some(Err(rejected(
            -32700,
            bad_header.unwrap_or_else(|| "missing Content-Length header".into()),
        )));
    };
    if length > MAX_BODY_BYTES {
        if io::copy(&mut reader.take(length as u64), &mut io::sink()).is_err() {
            return None;
        }
        return Some(Err(rejected(
            -32700,
            format!("message of {length} bytes is larger than {MAX_BODY_BYTES}"),
        )));
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return None;
    }
    Some(validate(body))
}

/// Reads one header line (up to `\n`), refusing absurdly long ones. `None` at end of input.
fn read_line(reader: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = reader
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") && n == MAX_HEADER_LINE {
        // Skip the rest of the overlong line.
        let mut rest = Vec::new();
        reader.read_until(b'\n', &mut rest)?;
        return Ok(Some(b"\xff".to_vec()));
    }
    Ok(Some(line))
}

/// Accepts exactly what tower-lsp-server's decoder accepts (a response, or a request or
/// notification), so that it never meets a body it cannot decode.
fn validate(body: Vec<u8>) -> Result<Vec<u8>, Rejected> {
    if serde_json::from_slice::<Response>(&body).is_ok()
        || serde_json::from_slice::<Request>(&body).is_ok()
    {
        return Ok(body);
    }
    match serde_json::from_slice::<Value>(&body) {
        Err(error) => Err(rejected(-32700, format!("parse error: {error}"))),
        Ok(value) => {
            let id = match value.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
                _ => Value::Null,
            };
            Err(Rejected {
                id,
                code: -32600,
                message: "invalid request: not a JSON-RPC 2.0 message".into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &[u8]) -> Vec<Result<String, (Value, i64)>> {
        let mut reader = io::Cursor::new(input.to_vec());
        let mut out = Vec::new();
        while let Some(message) = read_message(&mut reader) {
            out.push(
                message
                    .map(|body| String::from_utf8(body).unwrap())
                    .map_err(|e| (e.id, e.code)),
            );
        }
        out
    }

    #[test]
    fn good_messages_pass_and_bad_ones_are_answered() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let note = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = String::new();
        input += &frame("{not json");
        input += &frame(ok);
        input += &frame(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#);
        input += &frame("[1,2");
        input += "Garbage: yes\r\n\r\n";
        input += &frame(note);
        input += "Content-Length: abc\r\n\r\n";
        input += &frame(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
        let mut bytes = input.into_bytes();
        bytes.extend_from_slice(b"Content-Length: 3\r\n\r\n\xff\xfe\"");
        bytes.extend_from_slice(frame(ok).as_bytes());
        let got = read_all(&bytes);
        assert_eq!(
            got,
            vec![
                Err((Value::Null, -32700)),
                Ok(ok.to_string()),
                Err((json!(7), -32600)),
                Err((Value::Null, -32700)),
                Err((Value::Null, -32700)),
                Ok(note.to_string()),
                Err((Value::Null, -32700)),
                Err((Value::Null, -32700)),
                Err((Value::Null, -32700)),
                Ok(ok.to_string()),
            ]
        );
    }

    #[test]
    fn truncated_input_ends_the_stream() {
        assert!(read_all(b"Content-Length: 100\r\n\r\n{}").is_empty());
        assert!(read_all(b"").is_empty());
    }
}
