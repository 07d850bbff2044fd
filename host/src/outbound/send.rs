//! Sending an outbound request to addresses that were already checked.
//!
//! This is wasmtime-wasi-http 48's `default_send_request` with two changes:
//! the TCP connection goes to the given socket addresses (the checked DNS
//! answer, tried in order) instead of resolving the URL's authority again;
//! and connections are kept for reuse ([`super::pool`]), as Spin's outbound
//! HTTP does. Everything else is kept: the request's `Host` header, TLS to the URL's
//! host name with the webpki roots (ring provider, TLS 1.2 and 1.3), HTTP/1.1
//! via hyper, the origin-form request target, and the three timeouts of the
//! request options. The connect timeout bounds resolution, TCP connect and
//! the TLS handshake together.

use bytes::Bytes;
use http::uri::Scheme;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use super::pool::{Key, Pool};
use hyper::client::conn::http1::SendRequest;

/// A timeout the guest leaves unset (wasmtime-wasi-http's default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The timeouts of one request, defaulted.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    connect: Duration,
    first_byte: Duration,
    between_bytes: Duration,
}

impl From<Option<RequestOptions>> for Timeouts {
    fn from(options: Option<RequestOptions>) -> Timeouts {
        let options = options.unwrap_or_default();
        Timeouts {
            connect: options.connect_timeout.unwrap_or(DEFAULT_TIMEOUT),
            first_byte: options.first_byte_timeout.unwrap_or(DEFAULT_TIMEOUT),
            between_bytes: options.between_bytes_timeout.unwrap_or(DEFAULT_TIMEOUT),
        }
    }
}

impl Timeouts {
    /// When the connection must be up, counted from now.
    pub(super) fn connect_deadline(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(self.connect)
            .unwrap_or_else(|| now + DEFAULT_TIMEOUT)
    }
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T> Stream for T where T: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

/// Sends `req` to the first of `addrs` that takes it, by `deadline` (TCP and TLS): over an
/// idle connection to one of them if the pool has one ([`Pool`]), else over a new one.
/// Returns the response and a future for the connection's end, as `default_send_request`
/// does; here the connection is driven by its own task (it may outlive the request, kept for
/// the next), so that future is already done.
pub(super) async fn send_to(
    mut req: http::Request<WasiBody>,
    addrs: &[SocketAddr],
    timeouts: Timeouts,
    deadline: Instant,
) -> Result<
    (
        http::Response<WasiBody>,
        impl Future<Output = Result<(), Error>> + Send + use<>,
    ),
    Error,
> {
    let uri = req.uri();
    let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_owned();
    let tls = uri.scheme() == Some(&Scheme::HTTPS);
    // The request carries scheme and authority, but on the wire (not to a
    // proxy) the target is origin-form; the Host header names the host.
    *req.uri_mut() = http::Uri::builder()
        .path_and_query(
            req.uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/"),
        )
        .build()
        .map_err(|e| Error::InternalError(Some(e.to_string())))?;

    let pool = Pool::shared();
    while let Some((key, sender)) = pool.take(tls, &host, addrs) {
        match send_on(pool, key, sender, req, timeouts).await {
            Sent::Answer(res) => return Ok((res, std::future::ready(Ok(())))),
            // The idle connection closed before the request left: it can go on another.
            Sent::Unsent(back) => req = back,
            Sent::Failed(e) => return Err(e),
        }
    }
    let (key, sender) = connect_new(tls, &host, addrs, timeouts, deadline).await?;
    match send_on(pool, key, sender, req, timeouts).await {
        Sent::Answer(res) => Ok((res, std::future::ready(Ok(())))),
        Sent::Unsent(_) => Err(Error::HttpProtocolError),
        Sent::Failed(e) => Err(e),
    }
}

/// A new connection to the first of `addrs` that accepts, by `deadline`; its driving task
/// is spawned.
async fn connect_new(
    tls: bool,
    host: &str,
    addrs: &[SocketAddr],
    timeouts: Timeouts,
    deadline: Instant,
) -> Result<(Key, SendRequest<WasiBody>), Error> {
    let server_name = if tls { Some(server_name(host)?) } else { None };
    let (addr, stream) = tokio::time::timeout_at(deadline, async {
        let (addr, tcp) = connect(addrs).await?;
        let stream: Box<dyn Stream> = match server_name {
            Some(name) => {
                let connector = tokio_rustls::TlsConnector::from(tls_config()?);
                Box::new(connector.connect(name, tcp).await.map_err(Error::Tls)?)
            }
            None => Box::new(tcp),
        };
        Ok::<_, Error>((addr, stream))
    })
    .await
    .map_err(|_| Error::ConnectionTimeout)??;

    let (sender, conn) = tokio::time::timeout(
        timeouts.connect,
        hyper::client::conn::http1::Builder::new().handshake(TokioIo::new(stream)),
    )
    .await
    .map_err(|_| Error::ConnectionTimeout)??;
    // Failures while the answer is read reach the reader through the body.
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let key = Key {
        tls,
        host: host.to_owned(),
        addr,
    };
    Ok((key, sender))
}

/// What became of a request on one connection.
enum Sent {
    /// The answer's head; the connection goes back to the pool once the body is read.
    Answer(http::Response<WasiBody>),
    /// The connection was closed before the request was sent: the request, untouched.
    Unsent(http::Request<WasiBody>),
    /// It failed after it was sent (or timed out waiting for the first byte).
    Failed(Error),
}

async fn send_on(
    pool: &'static Pool,
    key: Key,
    mut sender: SendRequest<WasiBody>,
    req: http::Request<WasiBody>,
    timeouts: Timeouts,
) -> Sent {
    // A kept connection may still be finishing its last answer; one that closed meanwhile
    // takes no request.
    match tokio::time::timeout(timeouts.first_byte, sender.ready()).await {
        Err(_) => return Sent::Failed(Error::ConnectionReadTimeout),
        Ok(Err(_)) => return Sent::Unsent(req),
        Ok(Ok(())) => {}
    }
    // Tokio panics on an interval of zero: clamp it to 1 ns.
    let between_bytes = timeouts.between_bytes.max(Duration::from_nanos(1));
    let sent = tokio::time::timeout(timeouts.first_byte, sender.try_send_request(req)).await;
    match sent {
        Err(_) => Sent::Failed(Error::ConnectionReadTimeout),
        Ok(Err(mut e)) => match e.take_message() {
            Some(req) => Sent::Unsent(req),
            None => Sent::Failed(Error::from(e.into_error())),
        },
        Ok(Ok(res)) => {
            let mut timeout = tokio::time::interval(between_bytes);
            timeout.reset();
            let keep = Some((pool, key, sender));
            Sent::Answer(
                res.map(|incoming| IncomingResponseBody {
                    incoming,
                    timeout,
                    keep,
                })
                .map(BodyExt::boxed_unsync),
            )
        }
    }
}

/// Connects to the first address that accepts; the error is the last one's.
async fn connect(addrs: &[SocketAddr]) -> Result<(SocketAddr, TcpStream), Error> {
    let mut last = None;
    for &addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok((addr, stream)),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Connect(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            "no address to connect to",
        )
    })))
}

/// The name TLS verifies the certificate against: the URL's host.
fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    let host = super::unbracket(host);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ServerName::from(ip));
    }
    Ok(ServerName::try_from(host)?.to_owned())
}

/// One client configuration for every request: webpki roots, ring.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, Error> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
        .map_err(|e| Error::InternalError(Some(format!("TLS configuration: {e}"))))
}

/// The response body, with the between-bytes timeout; read to its end, it gives its
/// connection back to the pool (dropped before that, the connection closes with it).
struct IncomingResponseBody {
    incoming: hyper::body::Incoming,
    timeout: tokio::time::Interval,
    keep: Option<(&'static Pool, Key, SendRequest<WasiBody>)>,
}

impl Body for IncomingResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.incoming).poll_frame(cx) {
            Poll::Ready(None) => {
                if let Some((pool, key, sender)) = self.keep.take() {
                    pool.put(key, sender);
                }
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(if err.is_timeout() {
                Error::HttpResponseTimeout
            } else {
                Error::from(err)
            }))),
            Poll::Ready(Some(Ok(frame))) => {
                self.timeout.reset();
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(self.timeout.poll_tick(cx));
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
