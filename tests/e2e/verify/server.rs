//! A small HTTP/1.1 server on loopback inside the test process, serving fixture documents
//! that the tests put at paths (status, headers, body). One thread per connection;
//! `Connection: close` after every answer, or (started with
//! [`FixtureServer::start_keep_alive`]) persistent connections, as most real servers keep.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

type Routes = Arc<Mutex<HashMap<String, Answer>>>;

/// The fixture server.
#[derive(Debug, Clone)]
pub struct FixtureServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    routes: Routes,
    accepted: Arc<AtomicUsize>,
}

impl FixtureServer {
    pub fn start() -> FixtureServer {
        FixtureServer::start_on("127.0.0.1")
    }

    /// A server on another loopback address (`127.0.0.2`): another host to the verifier.
    pub fn start_on(ip: &str) -> FixtureServer {
        FixtureServer::bind(ip, false)
    }

    /// A server that keeps each connection open for the client's next request (GET only).
    pub fn start_keep_alive() -> FixtureServer {
        FixtureServer::bind("127.0.0.1", true)
    }

    fn bind(ip: &str, keep_alive: bool) -> FixtureServer {
        let listener = TcpListener::bind((ip, 0)).expect("bind fixture server");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let routes: Routes = Arc::default();
        let accepted = Arc::new(AtomicUsize::new(0));
        let (shared, counter) = (routes.clone(), accepted.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                counter.fetch_add(1, Ordering::SeqCst);
                let routes = shared.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    while serve(&mut stream, &routes, keep_alive) {}
                });
            }
        });
        FixtureServer {
            base,
            routes,
            accepted,
        }
    }

    /// The connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn put(&self, path: &str, status: u16, headers: &[(&str, &str)], body: Vec<u8>) {
        let answer = Answer {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body,
        };
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_owned(), answer);
    }

    pub fn json(&self, path: &str, status: u16, doc: &Value) {
        self.put(
            path,
            status,
            &[("content-type", "application/ld+json")],
            serde_json::to_vec(doc).expect("json"),
        );
    }
}

/// Answers one request on `stream`; whether the connection stays open for another.
fn serve(stream: &mut TcpStream, routes: &Routes, keep_alive: bool) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let keep_alive = keep_alive && !text.to_ascii_lowercase().contains("\r\nconnection: close");
    let path = text
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_owned();
    let answer = routes.lock().expect("routes").get(&path).cloned();
    let answer = answer.unwrap_or(Answer {
        status: 404,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"not found".to_vec(),
    });
    let mut out = format!("HTTP/1.1 {} Fixture\r\n", answer.status);
    for (k, v) in &answer.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    out.push_str(&format!(
        "content-length: {}\r\nconnection: {connection}\r\n\r\n",
        answer.body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer.body);
    stream.write_all(&bytes).is_ok() && stream.flush().is_ok() && keep_alive
}
