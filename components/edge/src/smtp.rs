//! [`SmtpMailer`]: the services' [`Mailer`] over SMTP submission, through `wasi:sockets`.
//!
//! Configuration (Spin variables, read once per instance):
//! - `smtp_url` (secret): `smtp://user:password@host:587` (STARTTLS, required unless the
//!   server is on a loopback address) or `smtps://user:password@host:465` (TLS from the first
//!   byte). User and password are percent-encoded. `?connect=<ip>` names the address to
//!   connect to while TLS still checks the certificate against `host`: Spin grants
//!   `wasi:sockets` connections to the addresses `allowed_outbound_hosts` lists (`tcp://…`)
//!   but no name lookup, so on Spin either `host` is an IP address or `connect` is given.
//! - `mail_from`: the envelope and `From:` address. Both unset: email delivery is off.
//! - `smtp_ca` (optional, PEM): certificates trusted besides the WebPKI roots, for a relay
//!   with a private CA.
//!
//! The client speaks RFC 5321/6409: EHLO, STARTTLS (RFC 3207), AUTH PLAIN (RFC 4954, only
//! over TLS or to loopback), MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. Each read and
//! write has a time cap ([`IO_TIMEOUT`]). A 5xx answer to RCPT TO or to the message is a
//! permanent failure (the address is suppressed as bounced); everything else is retried.
//! TLS is rustls with the RustCrypto provider (pure Rust, builds for `wasm32-wasip2`).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use emblem_web::service::mail::{Envelope, Mailer, SendError};
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};

/// The cap on connecting and on each read or write.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest one SMTP session may take, however slowly a server drips its replies: past
/// it the send fails (and is retried by the outbox).
pub const SESSION_LIMIT: Duration = Duration::from_secs(300);
/// Longest reply line read (RFC 5321 allows 512; servers send longer EHLO lines).
const MAX_LINE: usize = 4096;

/// Security of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: STARTTLS, required unless the server is on loopback.
    StartTls,
}

/// A parsed `smtp_url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// TLS mode.
    pub security: Security,
    /// The server name (checked against its certificate).
    pub host: String,
    /// The port.
    pub port: u16,
    /// Where to connect, when not resolved from `host`.
    pub connect: Option<IpAddr>,
    /// AUTH PLAIN credentials.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("connect", &self.connect)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Parse `smtp_url`. The error never repeats the password.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url =
            url::Url::parse(raw.trim()).map_err(|e| format!("smtp_url does not parse: {e}"))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (Security::StartTls, 587),
            "smtps" => (Security::Implicit, 465),
            other => return Err(format!("smtp_url: scheme {other:?} is not smtp or smtps")),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err("smtp_url has no host".to_owned()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| "smtp_url: user or password is not UTF-8".to_owned())
        };
        let credentials = if url.username().is_empty() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or_default())?,
            ))
        };
        let mut connect = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "connect" => {
                    connect =
                        Some(v.parse::<IpAddr>().map_err(|_| {
                            format!("smtp_url: connect={v:?} is not an IP address")
                        })?);
                }
                other => return Err(format!("smtp_url: unknown parameter {other:?}")),
            }
        }
        Ok(Self {
            security,
            host,
            port: url.port().unwrap_or(default_port),
            connect,
            credentials,
        })
    }

    fn addresses(&self) -> Result<Vec<SocketAddr>, SendError> {
        if let Some(ip) = self.connect {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| {
                SendError::transient(format!(
                    "cannot resolve {} ({e}); on Spin, add ?connect=<ip> to smtp_url",
                    self.host
                ))
            })
    }
}

/// Email over SMTP, or off when not configured.
#[derive(Debug, Clone, Default)]
pub struct SmtpMailer {
    config: Option<(SmtpConfig, String)>,
    extra_roots: Vec<CertificateDer<'static>>,
}

impl SmtpMailer {
    /// From the values of `smtp_url`, `mail_from` and `smtp_ca`. Either of the first two
    /// unset: delivery is off. A value that does not parse is an error (the operator asked
    /// for email and would otherwise lose it silently).
    pub fn configure(
        smtp_url: Option<&str>,
        mail_from: Option<&str>,
        smtp_ca: Option<&str>,
    ) -> Result<Self, String> {
        let (Some(url), Some(from)) = (smtp_url, mail_from) else {
            return Ok(Self::default());
        };
        let config = SmtpConfig::parse(url)?;
        let from =
            emblem_web::recipient::normalize_email(from).map_err(|e| format!("mail_from: {e}"))?;
        let extra_roots = match smtp_ca {
            Some(pem) => CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("smtp_ca: {e:?}"))?,
            None => Vec::new(),
        };
        Ok(Self {
            config: Some((config, from)),
            extra_roots,
        })
    }

    fn tls(&self, host: &str) -> Result<rustls::ClientConnection, SendError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in &self.extra_roots {
            roots
                .add(cert.clone())
                .map_err(|e| SendError::transient(format!("smtp_ca: {e}")))?;
        }
        let config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls_rustcrypto::provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| SendError::transient(format!("TLS: {e}")))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| SendError::transient(format!("TLS: {host:?} is not a server name")))?;
        rustls::ClientConnection::new(Arc::new(config), name)
            .map_err(|e| SendError::transient(format!("TLS: {e}")))
    }
}

impl Mailer for SmtpMailer {
    async fn sender(&self) -> Result<Option<String>, emblem_web::Error> {
        Ok(self.config.as_ref().map(|(_, from)| from.clone()))
    }

    async fn send(&self, envelope: &Envelope) -> Result<(), SendError> {
        let Some((config, _)) = &self.config else {
            return Err(SendError::transient("email delivery is not configured"));
        };
        let mut session = Session::open(self, config)?;
        let result = session.deliver(envelope);
        session.quit();
        result
    }
}

/// The byte stream, before or after TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    Closed,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
            Self::Closed => Ok(0),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
            Self::Closed => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
            Self::Closed => Ok(()),
        }
    }
}

/// One SMTP conversation.
struct Session {
    stream: Stream,
    /// When the session must be over ([`SESSION_LIMIT`] after it opened).
    deadline: std::time::Instant,
    buffer: Vec<u8>,
    loopback: bool,
    tls: bool,
}

/// A server reply: the code and its text lines.
struct Reply {
    code: u16,
    text: String,
}

fn io(what: &str) -> impl Fn(std::io::Error) -> SendError + '_ {
    move |e| SendError::transient(format!("{what}: {e}"))
}

impl Session {
    fn open(mailer: &SmtpMailer, config: &SmtpConfig) -> Result<Self, SendError> {
        let addrs = config.addresses()?;
        let mut last = None;
        let mut tcp = None;
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, IO_TIMEOUT) {
                Ok(s) => {
                    tcp = Some((s, *addr));
                    break;
                }
                Err(e) => last = Some(format!("connecting to {addr}: {e}")),
            }
        }
        let Some((tcp, addr)) = tcp else {
            return Err(SendError::transient(
                last.unwrap_or_else(|| format!("{} has no address", config.host)),
            ));
        };
        // Time caps where the platform has them (a refusal is not an error: the lease in the
        // outbox bounds a stuck attempt).
        let _ = tcp.set_read_timeout(Some(IO_TIMEOUT));
        let _ = tcp.set_write_timeout(Some(IO_TIMEOUT));
        let mut session = Self {
            stream: Stream::Plain(tcp),
            deadline: std::time::Instant::now() + SESSION_LIMIT,
            buffer: Vec::new(),
            loopback: addr.ip().is_loopback(),
            tls: false,
        };
        if config.security == Security::Implicit {
            session.start_tls(mailer, &config.host)?;
        }
        session.expect(&[220], "greeting")?;
        let mut ehlo = session.ehlo()?;
        if config.security == Security::StartTls {
            if has_extension(&ehlo, "STARTTLS") {
                session.command("STARTTLS", &[220], "STARTTLS")?;
                if !session.buffer.is_empty() {
                    return Err(SendError::transient("server sent data before TLS started"));
                }
                session.start_tls(mailer, &config.host)?;
                ehlo = session.ehlo()?;
            } else if !session.loopback {
                return Err(SendError::transient(format!(
                    "{} does not offer STARTTLS; refusing to send credentials and mail in clear",
                    config.host
                )));
            }
        }
        if let Some((user, password)) = &config.credentials {
            if !session.tls && !session.loopback {
                return Err(SendError::transient("refusing AUTH without TLS"));
            }
            if !has_extension(&ehlo, "AUTH") {
                return Err(SendError::transient(format!(
                    "{} offers no AUTH after EHLO",
                    config.host
                )));
            }
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
            session.command(&format!("AUTH PLAIN {token}"), &[235], "AUTH")?;
        }
        Ok(session)
    }

    fn start_tls(&mut self, mailer: &SmtpMailer, host: &str) -> Result<(), SendError> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Closed) else {
            return Err(SendError::transient("TLS started twice"));
        };
        let mut tls = rustls::StreamOwned::new(mailer.tls(host)?, tcp);
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(io("TLS handshake"))?;
        }
        self.stream = Stream::Tls(Box::new(tls));
        self.tls = true;
        Ok(())
    }

    fn ehlo(&mut self) -> Result<Reply, SendError> {
        self.command("EHLO emblem", &[250], "EHLO")
    }

    fn line(&mut self) -> Result<String, SendError> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line).trim_end().to_owned());
            }
            if self.buffer.len() > MAX_LINE {
                return Err(SendError::transient("server reply line too long"));
            }
            if std::time::Instant::now() > self.deadline {
                return Err(SendError::transient(format!(
                    "the SMTP session took longer than {} s",
                    SESSION_LIMIT.as_secs()
                )));
            }
            let mut chunk = [0u8; 1024];
            let n = self.stream.read(&mut chunk).map_err(io("reading"))?;
            if n == 0 {
                return Err(SendError::transient("the server closed the connection"));
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    fn reply(&mut self) -> Result<Reply, SendError> {
        let mut text = Vec::new();
        loop {
            let line = self.line()?;
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| SendError::transient(format!("not an SMTP reply: {line:.80}")))?;
            let more = line.as_bytes().get(3) == Some(&b'-');
            text.push(line.get(4..).unwrap_or_default().to_owned());
            if !more {
                return Ok(Reply {
                    code,
                    text: text.join("\n"),
                });
            }
            if text.len() > 100 {
                return Err(SendError::transient("server reply too long"));
            }
        }
    }

    fn expect(&mut self, ok: &[u16], what: &str) -> Result<Reply, SendError> {
        let reply = self.reply()?;
        if ok.contains(&reply.code) {
            return Ok(reply);
        }
        let first = reply.text.lines().next().unwrap_or_default();
        let reason = format!("{what}: {} {first}", reply.code);
        Err(
            if reply.code >= 500 && matches!(what, "RCPT TO" | "message") {
                SendError::permanent(reason)
            } else {
                SendError::transient(reason)
            },
        )
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SendError> {
        self.stream.write_all(bytes).map_err(io("writing"))?;
        self.stream.flush().map_err(io("writing"))
    }

    fn command(&mut self, line: &str, ok: &[u16], what: &str) -> Result<Reply, SendError> {
        self.write(format!("{line}\r\n").as_bytes())?;
        self.expect(ok, what)
    }

    fn deliver(&mut self, envelope: &Envelope) -> Result<(), SendError> {
        for address in [&envelope.from, &envelope.to] {
            if address
                .bytes()
                .any(|b| b.is_ascii_control() || b == b'<' || b == b'>' || b == b' ')
            {
                return Err(SendError::permanent(format!("bad address {address:?}")));
            }
        }
        self.command(
            &format!("MAIL FROM:<{}>", envelope.from),
            &[250],
            "MAIL FROM",
        )?;
        self.command(
            &format!("RCPT TO:<{}>", envelope.to),
            &[250, 251],
            "RCPT TO",
        )?;
        self.command("DATA", &[354], "DATA")?;
        self.write(&dot_stuffed(&envelope.data))?;
        self.expect(&[250], "message")?;
        Ok(())
    }

    fn quit(&mut self) {
        let _ = self.command("QUIT", &[221], "QUIT");
        if let Stream::Tls(tls) = &mut self.stream {
            tls.conn.send_close_notify();
            let _ = tls.conn.complete_io(&mut tls.sock);
        }
    }
}

fn has_extension(ehlo: &Reply, name: &str) -> bool {
    ehlo.text.lines().any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(name))
    })
}

/// The message for DATA: CRLF line endings, a leading `.` doubled, ending `CRLF.CRLF`.
pub fn dot_stuffed(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_parse_and_never_echo_the_password() {
        let c =
            SmtpConfig::parse("smtp://me%40x.org:s%3Acret@mail.example.org?connect=203.0.113.7")
                .expect("parse");
        assert_eq!(c.security, Security::StartTls);
        assert_eq!((c.host.as_str(), c.port), ("mail.example.org", 587));
        assert_eq!(c.connect, Some("203.0.113.7".parse().expect("ip")));
        assert_eq!(
            c.credentials,
            Some(("me@x.org".to_owned(), "s:cret".to_owned()))
        );
        assert!(!format!("{c:?}").contains("s:cret"));
        let c = SmtpConfig::parse("smtps://127.0.0.1").expect("parse");
        assert_eq!((c.security, c.port), (Security::Implicit, 465));
        for bad in [
            "http://x",
            "smtp://",
            "smtp://h?connect=name",
            "smtp://u:hunter2@h?x=1",
        ] {
            let e = SmtpConfig::parse(bad).expect_err(bad);
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn data_is_dot_stuffed_and_terminated() {
        assert_eq!(dot_stuffed(b"a\r\n.b\r\n..c"), b"a\r\n..b\r\n...c\r\n.\r\n");
        assert_eq!(dot_stuffed(b".x\ny\n"), b"..x\r\ny\r\n.\r\n");
    }
}
