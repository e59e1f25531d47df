//! Plain HTTP/1.1 `GET`s to loopback addresses only: how the doctor asks a local
//! codex-runtime for `/healthz` (the `runtime.proxy` check) and for `/status` and `/metrics`
//! (the bundle). A host that is not `localhost` or a loopback address is refused before any
//! connection, so nothing here can leave the machine. Bodies are read up to a limit and may
//! be `Content-Length`-delimited, chunked, or end with the connection.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// The loopback addresses of `host`, or none when it is not a loopback name or address.
pub(crate) fn loopback_addrs(host: &str, port: u16) -> Vec<SocketAddr> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ];
    }
    match h.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => vec![SocketAddr::new(ip, port)],
        _ => Vec::new(),
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The status code.
    pub status: u16,
    /// The status line (`HTTP/1.1 200 OK`).
    pub status_line: String,
    /// The body (decoded when chunked).
    pub body: Vec<u8>,
}

/// Why there is no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GetError {
    /// The host is not a loopback address.
    NotLoopback,
    /// Nothing listens there.
    Refused,
    /// Another failure (time-out, reset, not HTTP).
    Failed(String),
}

impl std::fmt::Display for GetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetError::NotLoopback => f.write_str("not a loopback address"),
            GetError::Refused => f.write_str("nothing listens there"),
            GetError::Failed(e) => f.write_str(e),
        }
    }
}

/// `GET http://<host>:<port><path>` with an optional bearer key; at most `limit` bytes read.
pub(crate) fn get(
    host: &str,
    port: u16,
    path: &str,
    bearer: Option<&str>,
    limit: usize,
) -> Result<Answer, GetError> {
    let addrs = loopback_addrs(host, port);
    if addrs.is_empty() {
        return Err(GetError::NotLoopback);
    }
    let mut last = GetError::Failed("no address".into());
    for addr in addrs {
        let mut stream = match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = GetError::Refused;
                continue;
            }
            // `localhost` without IPv6: ::1 fails otherwise; a refusal on any address is
            // the answer that matters.
            Err(e) => {
                if last != GetError::Refused {
                    last = GetError::Failed(e.to_string());
                }
                continue;
            }
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        let auth = bearer
            .map(|k| format!("Authorization: Bearer {k}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nUser-Agent: codex-doctor\r\n{auth}\r\n"
        );
        stream
            .write_all(req.as_bytes())
            .map_err(|e| GetError::Failed(e.to_string()))?;
        let mut raw = Vec::new();
        // Headers are small; the limit is for the body.
        let _ = stream.take(limit as u64 + 16 * 1024).read_to_end(&mut raw);
        return parse(&raw, limit);
    }
    Err(last)
}

/// Parses a whole HTTP/1.1 response.
pub(crate) fn parse(raw: &[u8], limit: usize) -> Result<Answer, GetError> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| GetError::Failed("the connection closed without an answer".into()))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("").trim().to_string();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|_| status_line.starts_with("HTTP/"))
        .ok_or_else(|| GetError::Failed("the answer is not HTTP".into()))?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "transfer-encoding" && value.to_ascii_lowercase().contains("chunked") {
            chunked = true;
        } else if name == "content-length" {
            length = value.parse().ok();
        }
    }
    let rest = &raw[split + 4..];
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest[..length.unwrap_or(rest.len()).min(rest.len())].to_vec()
    };
    if body.len() > limit {
        return Err(GetError::Failed(format!(
            "the answer is larger than {limit} bytes"
        )));
    }
    Ok(Answer {
        status,
        status_line: status_line.chars().take(80).collect(),
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, GetError> {
    let bad = || GetError::Failed("a malformed chunked body".into());
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad())?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err(bad());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts() {
        assert_eq!(loopback_addrs("localhost", 1).len(), 2);
        assert_eq!(loopback_addrs("127.0.0.9", 1).len(), 1);
        assert_eq!(loopback_addrs("[::1]", 1).len(), 1);
        assert!(loopback_addrs("10.0.0.1", 1).is_empty());
        assert!(loopback_addrs("example.com", 1).is_empty());
        assert_eq!(
            get("example.com", 80, "/", None, 10),
            Err(GetError::NotLoopback)
        );
    }

    #[test]
    fn bodies_by_length_chunks_or_close() {
        let a = parse(
            b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\nignored",
            100,
        )
        .expect("answer");
        assert_eq!((a.status, a.body.as_slice()), (200, &b"ok\n"[..]));
        let a = parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
            100,
        )
        .expect("answer");
        assert_eq!(a.body, b"abcde");
        let a = parse(b"HTTP/1.0 404 Not Found\r\n\r\nnope", 100).expect("answer");
        assert_eq!(
            (a.status, a.status_line.as_str()),
            (404, "HTTP/1.0 404 Not Found")
        );
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n", 100).is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\n", 100).is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\n\r\n0123456789", 5).is_err());
        assert!(parse(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            100
        )
        .is_err());
    }
}
