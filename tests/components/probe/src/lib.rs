//! A probe component for the host's end-to-end tests. It asks the host for
//! things a guest may or may not be granted and reports what happened:
//!
//! - `/probe/boom`: panics (a wasm trap); the host must answer a bare 500
//!   and go on serving this and every other component;
//! - `/probe/headers`: the Spin request headers it received, as JSON;
//! - `/probe/variable/<name>`: a variable lookup (`ok:<value>` or `err:<kind>`);
//! - `/probe/kv`: opens the `default` store, which it is NOT granted;
//! - `/probe/fetch?url=…`: an outbound GET (only `http://127.0.0.1:1` is allowed);
//! - `/probe/file?path=…`: reads a file by path; this component has no files mount.

use spin_sdk::http::{IntoResponse, Request};
use spin_sdk::http_service;

#[http_service]
async fn probe(req: Request) -> impl IntoResponse {
    let path = req.uri().path().to_string();
    let rest = path.strip_prefix("/probe").unwrap_or(&path);
    match rest {
        "/boom" => panic!("secret detail that must not reach the client"),
        "/headers" => {
            let mut out = String::from("{");
            let mut first = true;
            for (name, value) in req.headers() {
                if name.as_str().starts_with("spin-") {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&format!(
                        "{:?}:{:?}",
                        name.as_str(),
                        value.to_str().unwrap_or("")
                    ));
                }
            }
            out.push('}');
            out
        }
        "/kv" => match spin_sdk::key_value::Store::open_default().await {
            Ok(_) => "opened".to_string(),
            Err(e) => format!("err:{e:?}"),
        },
        "/file" => {
            let query = req.uri().query().unwrap_or("");
            let path = query.strip_prefix("path=").unwrap_or("/");
            match std::fs::read_to_string(path) {
                Ok(text) => format!("read:{text}"),
                Err(e) => format!("err:{:?}", e.kind()),
            }
        }
        "/fetch" => {
            let query = req.uri().query().unwrap_or("");
            let url = query.strip_prefix("url=").unwrap_or("");
            match spin_sdk::http::get(url).await {
                Ok(resp) => format!("status:{}", resp.status().as_u16()),
                Err(e) => format!("err:{e:?}"),
            }
        }
        other => match other.strip_prefix("/variable/") {
            Some(name) => match spin_sdk::variables::get(name).await {
                Ok(v) => format!("ok:{v}"),
                Err(e) => format!("err:{e:?}"),
            },
            None => "still here".to_string(),
        },
    }
}
