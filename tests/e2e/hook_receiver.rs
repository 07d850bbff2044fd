//! A webhook receiver on loopback, inside the test process: a plain TCP listener that reads
//! each HTTP request (Content-Length or chunked body), answers with a chosen status and hands
//! the request to the test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A listener on `127.0.0.1:<port>` answering every request with `status`.
#[derive(Debug)]
pub struct Receiver {
    pub url: String,
    rx: mpsc::Receiver<Received>,
}

impl Receiver {
    pub fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let url = format!(
            "http://{}/hooks/emblem",
            listener.local_addr().expect("addr")
        );
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let Some(received) = read_request(&mut stream) else {
                    continue;
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Whatever\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                if tx.send(received).is_err() {
                    return;
                }
            }
        });
        Receiver { url, rx }
    }

    /// A listener that accepts connections and reads requests but never answers (holding each
    /// connection open until the test process ends).
    pub fn silent() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let url = format!(
            "http://{}/hooks/silent",
            listener.local_addr().expect("addr")
        );
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                if let Some(received) = read_request(&mut stream) {
                    let _ = tx.send(received);
                }
                held.push(stream);
            }
        });
        Receiver { url, rx }
    }

    /// The next request, waiting up to 20 s.
    pub fn next(&self) -> Received {
        self.rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the webhook was not called")
    }

    /// Whether a request arrived (without waiting).
    pub fn try_next(&self) -> Option<Received> {
        self.rx.try_recv().ok()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).ok()?;
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(Received {
        request_line: request_line.trim_end().to_string(),
        headers,
        body,
    })
}
