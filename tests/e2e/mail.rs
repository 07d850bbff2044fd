//! Email delivery end to end: the real issuing component sends over SMTP (through
//! `wasi:sockets`, granted by `tcp://127.0.0.1:*` in `tests/apps/claim/spin.toml`) to a real
//! SMTP server on loopback (PyPI aiosmtpd, `tests/e2e/smtp_server.py`, installed by
//! `tests/interop/setup.sh`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{badge_class, issuer, path_of};
use emblem_tests::{ADMIN_TOKEN, App, AppConfig};
use serde_json::{Value, json};

/// A message the server accepted.
#[derive(Debug, Clone)]
struct Mail {
    rcpt_tos: Vec<String>,
    data: String,
}

/// aiosmtpd on 127.0.0.1, stopped when dropped.
struct SmtpServer {
    port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Mail>,
}

impl SmtpServer {
    /// On `port`, or on a free port when it is 0 (aiosmtpd cannot pick one itself).
    fn start(port: u16, flags: &[&str]) -> SmtpServer {
        let port = if port == 0 { free_port() } else { port };
        let root = emblem_tests::root();
        let lib = std::env::var_os("EMBLEM_INTEROP_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("target").join("interop"))
            .join("smtp");
        assert!(
            lib.is_dir(),
            "aiosmtpd is not installed in {}: run tests/interop/setup.sh (cargo xtask test runs it)",
            lib.display()
        );
        let mut child = Command::new("python3")
            .arg(root.join("tests/e2e/smtp_server.py"))
            .arg(port.to_string())
            .args(flags)
            .env("PYTHONPATH", &lib)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_server.py");
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("a line").expect("read");
        let port: u16 = first
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp_server.py said {first:?}"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).expect("json line");
                let mail = Mail {
                    rcpt_tos: serde_json::from_value(v["rcpt_tos"].clone()).expect("rcpts"),
                    data: v["data"].as_str().expect("data").to_owned(),
                };
                if tx.send(mail).is_err() {
                    break;
                }
            }
        });
        SmtpServer {
            port,
            child,
            stdin,
            rx,
        }
    }

    /// The next message, waiting up to `wait`.
    fn next(&self, wait: Duration) -> Option<Mail> {
        self.rx.recv_timeout(wait).ok()
    }

    /// Every message that arrives within `wait`.
    fn drain(&self, wait: Duration) -> Vec<Mail> {
        let end = Instant::now() + wait;
        let mut out = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(m) => out.push(m),
                Err(_) => break,
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

fn app_sending_to(port: u16, name: &str) -> App {
    AppConfig::fixture("claim", name)
        .variable("admin_token", ADMIN_TOKEN)
        .variable("smtp_url", &format!("smtp://127.0.0.1:{port}"))
        .variable("mail_from", "badges@emblem.test")
        .start()
}

fn award(app: &App, key: &str, class: &Value, email: &str) -> Value {
    let resp = app
        .request("POST", "/api/v1/assertions")
        .bearer(key)
        .json(&json!({"badgeclass": class["id"], "recipient": {"email": email}}))
        .send();
    resp.expect(201);
    resp.json()
}

fn flush(app: &App, query: &str) -> Value {
    let resp = app
        .request("POST", &format!("/api/v1/mail/flush{query}"))
        .bearer(ADMIN_TOKEN)
        .send();
    resp.expect(200);
    resp.json()
}

/// The header `name` of a raw message (first occurrence, unfolded).
fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.split("\r\n\r\n").next()?.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn an_award_email_arrives_with_the_claim_link_both_parts_and_the_list_headers() {
    let smtp = SmtpServer::start(0, &[]);
    let app = app_sending_to(smtp.port, "mail-arrives");
    let iss = issuer(&app, "Mail Academy");
    let class = badge_class(&app, &iss, json!({}));
    let body = award(&app, &iss.key, &class, "earner@example.org");
    assert_eq!(body["email_delivery"]["status"], "sent", "{body:#}");
    assert_eq!(body["email_delivery"]["attempts"], 1);

    let mail = smtp
        .next(Duration::from_secs(10))
        .expect("the email arrives");
    assert_eq!(mail.rcpt_tos, vec!["earner@example.org".to_owned()]);
    let data = &mail.data;
    let claim_url = body["claim_url"].as_str().expect("claim url");
    assert!(
        data.contains(claim_url),
        "claim link in the message:\n{data}"
    );
    assert!(
        data.contains("Content-Type: multipart/alternative"),
        "{data}"
    );
    assert!(
        data.contains("text/plain") && data.contains("text/html"),
        "{data}"
    );
    assert_eq!(
        header(data, "Reply-To"),
        Some("<badges@academy.example.org>")
    );
    assert!(
        header(data, "From").is_some_and(|f| f.contains("badges@emblem.test")),
        "{data}"
    );
    let unsubscribe = header(data, "List-Unsubscribe").expect("List-Unsubscribe");
    assert!(unsubscribe.contains("/unsubscribe/"), "{unsubscribe}");
    assert_eq!(
        header(data, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let id = body["id"].as_str().expect("id");
    assert_eq!(
        header(data, "Message-ID"),
        Some(format!("<{id}.1@127.0.0.1>").as_str())
    );

    // The award shows its delivery afterwards too.
    let got = app.get_auth(&format!("/api/v1/assertions/{id}"), &iss.key);
    got.expect(200);
    assert_eq!(got.json()["email_delivery"]["status"], "sent");
    assert!(
        smtp.drain(Duration::from_millis(500)).is_empty(),
        "one message per award"
    );
}

#[test]
fn with_the_server_down_the_award_succeeds_and_the_email_is_sent_once_it_returns() {
    let port = free_port();
    let app = app_sending_to(port, "mail-down");
    let iss = issuer(&app, "Down Academy");
    let class = badge_class(&app, &iss, json!({}));
    let body = award(&app, &iss.key, &class, "patient@example.org");
    let delivery = &body["email_delivery"];
    assert_eq!(delivery["status"], "failed", "{body:#}");
    assert!(
        delivery["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{delivery}"
    );
    assert!(
        delivery["next_attempt_at"].is_string(),
        "a retry is scheduled: {delivery}"
    );
    let id = body["id"].as_str().expect("id").to_owned();

    // Not due yet: a scheduled flush leaves it alone.
    let smtp = SmtpServer::start(port, &[]);
    let report = flush(&app, "");
    assert_eq!(report["sent"], 0, "{report}");
    assert!(smtp.drain(Duration::from_millis(300)).is_empty());

    // The operator retries now, from eight schedulers at once: exactly one message.
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| flush(&app, "?retry=now"));
        }
    });
    let arrived = smtp.drain(Duration::from_secs(3));
    assert_eq!(arrived.len(), 1, "exactly one message: {arrived:?}");
    assert!(
        arrived[0]
            .data
            .contains(body["claim_url"].as_str().expect("url"))
    );
    let got = app
        .get_auth(&format!("/api/v1/assertions/{id}"), &iss.key)
        .json();
    assert_eq!(got["email_delivery"]["status"], "sent", "{got:#}");
    assert_eq!(got["email_delivery"]["attempts"], 2, "{got:#}");

    // Nothing more to do: another flush sends nothing.
    flush(&app, "?retry=now");
    assert!(smtp.drain(Duration::from_millis(500)).is_empty());
}

#[test]
fn a_refused_address_is_suppressed_and_an_unsubscribed_one_gets_no_more_mail() {
    let smtp = SmtpServer::start(0, &["--reject", "nobody@example.org"]);
    let app = app_sending_to(smtp.port, "mail-suppress");
    let iss = issuer(&app, "Careful Academy");
    let class = badge_class(&app, &iss, json!({}));

    // 550 to RCPT TO: failed for good, and the address is suppressed as bounced.
    let bounced = award(&app, &iss.key, &class, "nobody@example.org");
    let d = &bounced["email_delivery"];
    assert_eq!(d["status"], "failed", "{d}");
    assert!(
        d["next_attempt_at"].is_null(),
        "no retry of a permanent refusal: {d}"
    );
    assert!(
        d["last_error"].as_str().is_some_and(|e| e.contains("550")),
        "{d}"
    );
    let again = award(&app, &iss.key, &class, "nobody@example.org");
    assert_eq!(again["email_delivery"]["status"], "suppressed", "{again:#}");

    // The earner unsubscribes through the link in the email.
    award(&app, &iss.key, &class, "leaver@example.org");
    let mail = smtp.next(Duration::from_secs(10)).expect("first email");
    let link = header(&mail.data, "List-Unsubscribe")
        .expect("header")
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    let path = path_of(&link);
    // GET changes nothing (mail scanners fetch links): it offers a button.
    let page = app
        .request("GET", &path)
        .header("Accept", "text/html")
        .send();
    page.expect(200);
    assert!(page.text().contains("Careful Academy"), "{}", page.text());
    // The one-click POST of RFC 8058, as a mail provider sends it.
    app.request("POST", &path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"List-Unsubscribe=One-Click".to_vec())
        .send()
        .expect(200);
    let after = award(&app, &iss.key, &class, "leaver@example.org");
    assert_eq!(after["email_delivery"]["status"], "suppressed", "{after:#}");
    assert!(
        smtp.drain(Duration::from_millis(500)).is_empty(),
        "no mail after unsubscribing"
    );

    // Other issuers may still write to the address; the issuer can lift its suppression.
    app.request("POST", "/api/v1/suppressions/remove")
        .bearer(&iss.key)
        .json(&json!({"email": "leaver@example.org"}))
        .send()
        .expect(200);
    let lifted = award(&app, &iss.key, &class, "leaver@example.org");
    assert_eq!(lifted["email_delivery"]["status"], "sent", "{lifted:#}");

    // An unknown token is a 404 page and changes nothing.
    app.request("GET", "/unsubscribe/not-a-token")
        .send()
        .expect(404);
}

#[test]
fn a_cohorts_emails_are_sent_by_the_flush_and_each_arrives_once() {
    let smtp = SmtpServer::start(0, &[]);
    let app = app_sending_to(smtp.port, "mail-cohort");
    let iss = issuer(&app, "Cohort Mail Academy");
    let class = badge_class(&app, &iss, json!({}));
    let recipients: Vec<Value> = (1..=200)
        .map(|i| json!({"email": format!("grad{i}@example.org"), "name": format!("Graduate {i}")}))
        .collect();
    let resp = app
        .request(
            "POST",
            &format!(
                "/api/v1/badgeclasses/{}/awards",
                class["id"].as_str().expect("id")
            ),
        )
        .bearer(&iss.key)
        .json(&json!({"recipients": recipients}))
        .send();
    resp.expect(200);
    let body = resp.json();
    assert_eq!(body["created"], 200, "{body:#}");
    let rows = body["rows"].as_array().expect("rows");
    // The first ten went out within the request; the rest wait in the outbox.
    assert!(
        rows[..10]
            .iter()
            .all(|r| r["email_delivery"]["status"] == "sent"),
        "{:#}",
        rows[0]
    );
    assert!(
        rows[10..]
            .iter()
            .all(|r| r["email_delivery"]["status"] == "queued"),
        "{:#}",
        rows[10]
    );

    // A scheduler's flush sends the rest; the time it takes is the send rate.
    let started = Instant::now();
    let report = flush(&app, "?limit=500");
    let took = started.elapsed();
    assert_eq!(report["sent"], 190, "{report}");
    let arrived = smtp.drain(Duration::from_secs(5));
    assert_eq!(arrived.len(), 200, "each email once");
    let mut to: Vec<&str> = arrived.iter().map(|m| m.rcpt_tos[0].as_str()).collect();
    to.sort_unstable();
    to.dedup();
    assert_eq!(to.len(), 200, "no address twice");
    eprintln!(
        "mail: 190 emails sent by one flush in {took:?} ({:.0} emails/s to a loopback SMTP server)",
        190.0 / took.as_secs_f64()
    );
}

/// A test CA and a server certificate for `localhost` it signed (openssl CLI):
/// `(ca.pem, cert.pem, key.pem)` paths.
fn localhost_certificate(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let path = |name: &str| dir.join(name);
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?} failed");
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Emblem test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "key.pem",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat());
    std::fs::write(
        path("leaf.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    (path("ca.pem"), path("cert.pem"), path("key.pem"))
}

#[test]
fn starttls_and_auth_reach_a_server_whose_certificate_is_checked() {
    let dir = emblem_tests::scratch_dir("mail-tls-cert");
    let (ca, cert, key) = localhost_certificate(&dir);
    let (cert_s, key_s) = (cert.to_str().expect("path"), key.to_str().expect("path"));
    let smtp = SmtpServer::start(
        0,
        &["--starttls", cert_s, key_s, "--auth", "mailer:s3cret pass"],
    );
    let url = format!(
        "smtp://mailer:s3cret%20pass@localhost:{}?connect=127.0.0.1",
        smtp.port
    );
    let pem = std::fs::read_to_string(&ca).expect("pem");
    let app = AppConfig::fixture("claim", "mail-tls")
        .variable("admin_token", ADMIN_TOKEN)
        .variable("smtp_url", &url)
        .variable("mail_from", "badges@emblem.test")
        .variable("smtp_ca", &pem)
        .start();
    let iss = issuer(&app, "TLS Academy");
    let class = badge_class(&app, &iss, json!({}));
    let body = award(&app, &iss.key, &class, "secure@example.org");
    assert_eq!(body["email_delivery"]["status"], "sent", "{body:#}");
    let mail = smtp
        .next(Duration::from_secs(10))
        .expect("arrives over TLS");
    assert_eq!(mail.rcpt_tos, vec!["secure@example.org".to_owned()]);

    // Without the CA the certificate is refused, and nothing is sent.
    let untrusting = AppConfig::fixture("claim", "mail-tls-untrusted")
        .variable("admin_token", ADMIN_TOKEN)
        .variable("smtp_url", &url)
        .variable("mail_from", "badges@emblem.test")
        .start();
    let iss = issuer(&untrusting, "Careful Academy");
    let class = badge_class(&untrusting, &iss, json!({}));
    let body = award(&untrusting, &iss.key, &class, "secure@example.org");
    let d = &body["email_delivery"];
    assert_eq!(d["status"], "failed", "{d}");
    assert!(
        d["last_error"].as_str().is_some_and(|e| e.contains("TLS")),
        "{d}"
    );
    assert!(smtp.drain(Duration::from_millis(500)).is_empty());
}
