//! Static files: mapping `/static/<path>` to a file under the component's mount, safely.
//!
//! 1. Take the path after `/static/` and percent-decode it (so `%2e%2e` is seen as `..`).
//! 2. Refuse anything that could leave the mount or reach hidden files: empty paths, empty
//!    segments (`//`), `.` and `..`, segments starting with `.`, backslashes, NUL and other
//!    control characters, and absurdly long paths.
//! 3. Only known extensions are served, each with a fixed content type; anything else is 404.
//!    The static component then refuses directories and missing files with 404 as well.

use crate::error::{Error, NotFound, ObjectKind};

/// Longest static path accepted.
pub const MAX_PATH_LEN: usize = 512;

/// A resolved static file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Absolute path inside the guest filesystem (the mount root is `/`).
    pub path: String,
    /// The `Content-Type` to send.
    pub content_type: &'static str,
}

/// The content type for a file extension we serve.
pub fn content_type(extension: &str) -> Option<&'static str> {
    Some(match extension.to_ascii_lowercase().as_str() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        _ => return None,
    })
}

/// Resolve the request path (e.g. `/static/emblem.css`) to a file (see the module docs).
pub fn resolve(request_path: &str) -> Result<StaticFile, Error> {
    let not_found = || Error::not_found(ObjectKind::File, request_path);
    let rest = request_path.strip_prefix("/static/").ok_or_else(|| {
        Error::NotFound(NotFound::Route {
            path: request_path.to_owned(),
        })
    })?;
    if rest.is_empty() || rest.len() > MAX_PATH_LEN {
        return Err(not_found());
    }
    let decoded = percent_decode(rest).ok_or_else(not_found)?;
    let safe = decoded.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains('\\')
            && !segment.chars().any(char::is_control)
    });
    if !safe {
        return Err(not_found());
    }
    let extension = decoded
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.contains('/'))
        .ok_or_else(not_found)?;
    let content_type = content_type(extension).ok_or_else(not_found)?;
    Ok(StaticFile {
        path: format!("/{decoded}"),
        content_type,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    String::from_utf8(crate::validate::url::percent_decode(s)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_files_map_to_the_mount_with_their_type() {
        assert_eq!(
            resolve("/static/emblem.css"),
            Ok(StaticFile {
                path: "/emblem.css".into(),
                content_type: "text/css; charset=utf-8"
            })
        );
        assert_eq!(
            resolve("/static/img/logo%20v2.SVG").map(|f| f.path),
            Ok("/img/logo v2.SVG".to_owned())
        );
    }

    #[test]
    fn traversal_and_hidden_files_are_not_found() {
        for bad in [
            "/static/../Cargo.toml",
            "/static/%2e%2e/secret.txt",
            "/static/a/../../b.css",
            "/static/./emblem.css",
            "/static//etc/passwd.txt",
            "/static/.env.txt",
            "/static/a\\..\\b.css",
            "/static/a%00.css",
            "/static/a%2",
            "/static/%ff.css",
            "/static/",
        ] {
            let e = resolve(bad).expect_err(bad);
            assert_eq!(e.status(), 404, "{bad}");
        }
    }

    #[test]
    fn unknown_extensions_and_directories_without_one_are_not_found() {
        for bad in ["/static/emblem", "/static/run.sh", "/static/dir.d/file"] {
            assert!(resolve(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_outside_static_are_not_static_routes() {
        assert!(matches!(
            resolve("/other/emblem.css"),
            Err(Error::NotFound(NotFound::Route { .. }))
        ));
    }
}
