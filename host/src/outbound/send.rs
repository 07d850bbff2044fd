//! Sending an outbound request to addresses that were already checked.
//!
//! This is wasmtime-wasi-http 48's `default_send_request` with one change:
//! the TCP connection goes to the given socket addresses (the checked DNS
//! answer, tried in order) instead of resolving the URL's authority again.
//! Everything else is kept: the request's `Host` header, TLS to the URL's
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
use std::future::{Future, poll_fn};
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

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

/// Sends `req` over a connection to the first of `addrs` that accepts, by
/// `deadline` (TCP and TLS). Returns the response and the future that drives
/// the connection to its end, as `default_send_request` does.
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
    let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?;
    let use_tls = uri.scheme() == Some(&Scheme::HTTPS);
    let server_name = if use_tls {
        Some(server_name(host)?)
    } else {
        None
    };

    let stream = tokio::time::timeout_at(deadline, async {
        let tcp = connect(addrs).await?;
        let stream: Box<dyn Stream> = match server_name {
            Some(name) => {
                let connector = tokio_rustls::TlsConnector::from(tls_config()?);
                Box::new(connector.connect(name, tcp).await.map_err(Error::Tls)?)
            }
            None => Box::new(tcp),
        };
        Ok::<_, Error>(stream)
    })
    .await
    .map_err(|_| Error::ConnectionTimeout)??;

    let (mut sender, conn) = tokio::time::timeout(
        timeouts.connect,
        hyper::client::conn::http1::Builder::new().handshake(TokioIo::new(stream)),
    )
    .await
    .map_err(|_| Error::ConnectionTimeout)??;

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

    let first_byte = timeouts.first_byte;
    // Tokio panics on an interval of zero: clamp it to 1 ns.
    let between_bytes = timeouts.between_bytes.max(Duration::from_nanos(1));
    let send = async move {
        let res = tokio::time::timeout(first_byte, sender.send_request(req))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(Error::from)?;
        let mut timeout = tokio::time::interval(between_bytes);
        timeout.reset();
        Ok::<_, Error>(res.map(|incoming| IncomingResponseBody { incoming, timeout }))
    };
    let mut send = pin!(send);
    let mut conn = Some(conn);
    // Wait for the response while driving the connection's I/O.
    let res = poll_fn(|cx| match send.as_mut().poll(cx) {
        Poll::Ready(res) => Poll::Ready(res),
        Poll::Pending => {
            let Some(fut) = conn.as_mut() else {
                return Poll::Pending;
            };
            let res = ready!(Pin::new(fut).poll(cx));
            conn = None;
            match res {
                Ok(()) => send.as_mut().poll(cx),
                Err(err) => Poll::Ready(Err(Error::from(err))),
            }
        }
    })
    .await?;
    let io = async move {
        let Some(conn) = conn.take() else {
            return Ok(());
        };
        if let Err(err) = conn.await {
            if err.is_timeout() {
                return Err(Error::HttpResponseTimeout);
            }
            return Err(err.into());
        }
        Ok(())
    };
    Ok((res.map(BodyExt::boxed_unsync), io))
}

/// Connects to the first address that accepts; the error is the last one's.
async fn connect(addrs: &[SocketAddr]) -> Result<TcpStream, Error> {
    let mut last = None;
    for &addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok(stream),
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

/// The response body, with the between-bytes timeout.
struct IncomingResponseBody {
    incoming: hyper::body::Incoming,
    timeout: tokio::time::Interval,
}

impl Body for IncomingResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.incoming).poll_frame(cx) {
            Poll::Ready(None) => Poll::Ready(None),
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
