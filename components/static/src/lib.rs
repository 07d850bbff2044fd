//! The static component: files from the mounted `static/` directory under `/static/...`,
//! and the app's catch-all route `/...`, where every path outside `/static/` is a 404 problem
//! document.
//!
//! 1. GET and HEAD only (405 with `Allow`).
//! 2. Resolve the path safely (`emblem_web::files::resolve`: no `..`, no hidden files, known
//!    extensions only) to a file under the guest root, where spin.toml mounts `static/`.
//! 3. Serve regular files with their content type, `X-Content-Type-Options: nosniff` and
//!    `Cache-Control: public, max-age=3600`; missing files and directories are 404.
//!
//! Files are read once per component instance and kept in memory ([`CACHE`], at most
//! [`CACHE_MAX_BYTES`]): the mounted directory belongs to the deployed app and does not change
//! under it, and a runtime recycles an instance after a bounded number of requests (Spin:
//! 128, or 1 s idle), so an edited file in a development checkout shows within that bound.

use std::cell::RefCell;
use std::collections::HashMap;

use emblem_edge::{Response, respond};
use emblem_web::error::{Error, ObjectKind};
use emblem_web::present::{self, Surface};
use emblem_web::{Reply, files};
use spin_sdk::http::{Method, Request};

/// Methods this component answers.
const ALLOW: &[&str] = &["GET", "HEAD"];

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let head = req.method() == Method::HEAD;
    let result = serve(req.method(), req.uri().path());
    respond::send(present::respond(Surface::Document, head, result, |_| None))
}

fn serve(method: &Method, path: &str) -> Result<Reply, Error> {
    let file = files::resolve(path)?;
    if method != Method::GET && method != Method::HEAD {
        return Err(Error::MethodNotAllowed { allow: ALLOW });
    }
    let not_found = || Error::not_found(ObjectKind::File, path);
    let bytes = read(&file.path).ok_or_else(not_found)?;
    let reply = Reply::bytes(200, file.content_type, bytes)
        .with_header("cache-control", "public, max-age=3600");
    // Stylesheets and the app's own images: served as images are (nosniff; an SVG sandboxed).
    Ok(present::secure(reply, Surface::Image))
}

/// The most file bytes an instance keeps in memory; files beyond it are read each time.
const CACHE_MAX_BYTES: usize = 4 << 20;

thread_local! {
    /// Files read by this instance (path → bytes), up to [`CACHE_MAX_BYTES`] in all.
    static CACHE: RefCell<HashMap<String, Vec<u8>>> = RefCell::new(HashMap::new());
}

/// The bytes of the regular file at `path`, from this instance's cache or the filesystem.
fn read(path: &str) -> Option<Vec<u8>> {
    if let Some(bytes) = CACHE.with_borrow(|c| c.get(path).cloned()) {
        return Some(bytes);
    }
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    CACHE.with_borrow_mut(|c| {
        let held: usize = c.values().map(Vec::len).sum();
        if held + bytes.len() <= CACHE_MAX_BYTES {
            c.insert(path.to_owned(), bytes.clone());
        }
    });
    Some(bytes)
}
