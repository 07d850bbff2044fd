//! The HTTP listener: every route of the app on one socket.
//!
//! For each request:
//! 1. find the most specific route (`router.rs`); none → 404;
//! 2. drop any `spin-*` headers the client sent (they would let a client
//!    forge its address or route) and add Spin's own;
//! 3. hand the request to the component's `ProxyHandler`;
//! 4. a guest that traps or fails gets the client a bare 500 problem body:
//!    the detail goes to the host's log, never to the client.

use crate::router::{RouteMatch, Router};
use crate::runtime::{ComponentHandler, Runtime};
use anyhow::Result;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use wasmtime_wasi_http::WasiBody;
use wasmtime_wasi_http::handler::ProxyHandler;

/// The app as the listener sees it.
pub struct Server {
    router: Router<String>,
    handlers: BTreeMap<String, ProxyHandler<ComponentHandler>>,
}

impl Server {
    pub fn new(runtime: Runtime, routes: Vec<(String, String)>) -> Result<Server> {
        Ok(Server {
            router: Router::new(routes)?,
            handlers: runtime.handlers,
        })
    }

    /// Serves connections from `listener` until the process ends.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> Result<()> {
        loop {
            let (stream, client) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("emblem-host: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let server = self.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let server = server.clone();
                    async move { Ok::<_, Infallible>(server.handle(req, client).await) }
                });
                if let Err(e) = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                    && !e.is_incomplete_message()
                {
                    eprintln!("emblem-host: connection from {client}: {e}");
                }
            });
        }
    }

    /// A request chained from another component (`outbound/chain.rs`): the component's
    /// handler under a synthetic route, as Spin runs it (`spin-full-url` under `localhost`,
    /// the client `0.0.0.0:0`).
    pub async fn handle_chained(
        &self,
        component: &str,
        mut req: Request<WasiBody>,
    ) -> crate::outbound::chain::Answer {
        let Some(handler) = self.handlers.get(component) else {
            eprintln!("emblem-host: service chaining to unknown component `{component}`");
            return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
        };
        let path = req.uri().path().to_string();
        let matched = RouteMatch {
            matched_route: "/...".into(),
            component_route: String::new(),
            path_info: path.clone(),
            params: Vec::new(),
        };
        let client = SocketAddr::from(([0, 0, 0, 0], 0));
        add_spin_headers(&mut req, &matched, "localhost", client);
        handler.handle((), req).await.map_err(|e| {
            eprintln!("emblem-host: component `{component}` failed on chained {path}: {e:?}");
            wasmtime_wasi_http::Error::InternalError(Some(format!(
                "component `{component}` failed"
            )))
        })
    }

    async fn handle(&self, mut req: Request<Incoming>, client: SocketAddr) -> Response<WasiBody> {
        let path = req.uri().path().to_string();
        let Some((component, matched)) = self.router.route(&path) else {
            return problem(StatusCode::NOT_FOUND, "No route matches this path.");
        };
        let Some(handler) = self.handlers.get(&component) else {
            return problem(StatusCode::NOT_FOUND, "No route matches this path.");
        };
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string();
        add_spin_headers(&mut req, &matched, &host, client);
        let req = req.map(|body| body.map_err(wasmtime_wasi_http::Error::from).boxed_unsync());
        match handler.handle((), req).await {
            Ok(response) => response,
            Err(e) => {
                eprintln!("emblem-host: component `{component}` failed on {path}: {e:?}");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The component handling this request failed.",
                )
            }
        }
    }
}

/// Replaces any `spin-*` headers of `req` with Spin's own for this route match, client and
/// host (the `Host` of the request; for a chained request, `<component>.spin.internal`).
fn add_spin_headers<B>(req: &mut Request<B>, matched: &RouteMatch, host: &str, client: SocketAddr) {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let headers = req.headers_mut();
    let forged: Vec<HeaderName> = headers
        .keys()
        .filter(|k| k.as_str().starts_with("spin-"))
        .cloned()
        .collect();
    for name in forged {
        headers.remove(name);
    }
    let mut set = |name: &str, value: &str| {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    };
    set("spin-full-url", &format!("http://{host}{path_and_query}"));
    set("spin-path-info", &matched.path_info);
    set("spin-matched-route", &matched.matched_route);
    set("spin-raw-component-route", &matched.matched_route);
    set("spin-component-route", &matched.component_route);
    set("spin-base-path", "/");
    set("spin-client-addr", &client.to_string());
    for (name, value) in &matched.params {
        set(
            &format!("spin-path-match-{}", name.to_ascii_lowercase()),
            value,
        );
    }
}

/// A problem+json response made by the host itself.
fn problem(status: StatusCode, detail: &str) -> Response<WasiBody> {
    let body = format!(
        r#"{{"type":"about:blank","title":"{}","status":{},"detail":"{}"}}"#,
        status.canonical_reason().unwrap_or(""),
        status.as_u16(),
        detail
    );
    let mut response = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never: Infallible| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
