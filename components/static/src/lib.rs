//! The static component: files from the mounted `static/` directory under `/static/...`.
//!
//! 1. GET and HEAD only (405 with `Allow`).
//! 2. Resolve the path safely (`emblem_core::files::resolve`: no `..`, no hidden files, known
//!    extensions only) to a file under the guest root, where spin.toml mounts `static/`.
//! 3. Serve regular files with their content type, `X-Content-Type-Options: nosniff` and
//!    `Cache-Control: public, max-age=3600`; missing files and directories are 404.

use emblem_core::error::{Error, ObjectKind};
use emblem_core::{Reply, files};
use emblem_edge::{Response, respond};
use spin_sdk::http::{Method, Request};

/// Methods this component answers.
const ALLOW: &[&str] = &["GET", "HEAD"];

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let head = req.method() == Method::HEAD;
    let mut reply = match serve(req.method(), req.uri().path()) {
        Ok(reply) => reply,
        Err(e) => Reply::problem(&e),
    };
    if head {
        reply.body.clear();
    }
    respond::send(reply)
}

fn serve(method: &Method, path: &str) -> Result<Reply, Error> {
    let file = files::resolve(path)?;
    if method != Method::GET && method != Method::HEAD {
        return Err(Error::MethodNotAllowed { allow: ALLOW });
    }
    let not_found = || Error::not_found(ObjectKind::File, path);
    let metadata = std::fs::metadata(&file.path).map_err(|_| not_found())?;
    if !metadata.is_file() {
        return Err(not_found());
    }
    let bytes = std::fs::read(&file.path).map_err(|_| not_found())?;
    let mut reply = Reply::bytes(200, file.content_type, bytes)
        .with_header("x-content-type-options", "nosniff")
        .with_header("cache-control", "public, max-age=3600");
    if file.content_type == "image/svg+xml" {
        reply = reply.with_header("content-security-policy", emblem_core::hosting::SVG_CSP);
    }
    Ok(reply)
}
