//! Spin variables. An empty (or blank) value means "unset", as in spin.toml's defaults.

/// The variable `name`, or None when it is unset, blank or not granted to this component.
pub async fn get(name: &str) -> Option<String> {
    match spin_sdk::variables::get(name).await {
        Ok(value) if value.trim().is_empty() => None,
        Ok(value) => Some(value),
        Err(spin_sdk::variables::Error::Undefined(_)) => None,
        Err(e) => {
            eprintln!("emblem: reading variable {name}: {e:?}");
            None
        }
    }
}

thread_local! {
    /// `trusted_proxies`, read and parsed once per component instance, as `public_base_url`
    /// is (Spin resolves variables when the app starts).
    static TRUSTED_PROXIES: std::cell::OnceCell<
        Result<emblem_web::auth::client::TrustedProxies, String>,
    > = const { std::cell::OnceCell::new() };
}

/// `trusted_proxies`: the reverse proxies whose `X-Forwarded-For` names the client (none when
/// unset). A value that does not parse is a configuration error: the request fails (500,
/// logged) rather than attributing every client to the proxy.
pub async fn trusted_proxies() -> Result<emblem_web::auth::client::TrustedProxies, emblem_web::Error>
{
    let parsed = match TRUSTED_PROXIES.with(|c| c.get().cloned()) {
        Some(parsed) => parsed,
        None => {
            let list = get("trusted_proxies").await.unwrap_or_default();
            let parsed = emblem_web::auth::client::TrustedProxies::parse(&list);
            TRUSTED_PROXIES.with(|c| c.get_or_init(|| parsed).clone())
        }
    };
    parsed.map_err(|e| emblem_web::Error::Internal(emblem_web::error::Internal::Config(e)))
}

thread_local! {
    /// The mail transport from `smtp_url`, `mail_from` and `smtp_ca`, built once per
    /// component instance.
    static MAILER: std::cell::OnceCell<Result<crate::SmtpMailer, String>> =
        const { std::cell::OnceCell::new() };
}

/// The mail transport (off when `smtp_url` or `mail_from` is unset). A value that does not
/// parse is a configuration error: the request fails (500, logged) rather than losing email.
pub async fn mailer() -> Result<crate::SmtpMailer, emblem_web::Error> {
    let built = match MAILER.with(|c| c.get().cloned()) {
        Some(built) => built,
        None => {
            let url = get("smtp_url").await;
            let from = get("mail_from").await;
            let ca = get("smtp_ca").await;
            let built =
                crate::SmtpMailer::configure(url.as_deref(), from.as_deref(), ca.as_deref());
            MAILER.with(|c| c.get_or_init(|| built).clone())
        }
    };
    built.map_err(|e| emblem_web::Error::Internal(emblem_web::error::Internal::Config(e)))
}

/// The key-encryption keys: `key_encryption_key`, and `key_encryption_key_previous` while
/// rotating (`emblem_web::vault`).
#[derive(Debug, Clone)]
pub struct Keks {
    /// The key every secret is sealed under.
    pub current: emblem_web::vault::Kek,
    /// The key being rotated out: secrets sealed under it still open.
    pub previous: Option<emblem_web::vault::Kek>,
}

thread_local! {
    /// The key-encryption keys, read and parsed once per component instance.
    static KEKS: std::cell::OnceCell<Result<Option<Keks>, String>> =
        const { std::cell::OnceCell::new() };
}

/// The key-encryption keys of the sealed signing keys: None in a component not granted
/// `key_encryption_key` (or where it is unset). A value that does not parse is a
/// configuration error: the request fails (500, logged) rather than signing nothing quietly.
pub async fn kek() -> Result<Option<Keks>, emblem_web::Error> {
    use emblem_web::vault::{Kek, PREVIOUS_VARIABLE, VARIABLE};
    let parsed = match KEKS.with(|c| c.get().cloned()) {
        Some(parsed) => parsed,
        None => {
            let parsed = match get(VARIABLE).await {
                Some(text) => match (Kek::parse(&text), get(PREVIOUS_VARIABLE).await) {
                    (Ok(current), None) => Ok(Some(Keks {
                        current,
                        previous: None,
                    })),
                    (Ok(current), Some(old)) => Kek::parse(&old)
                        .map(|p| {
                            Some(Keks {
                                current,
                                previous: Some(p),
                            })
                        })
                        .map_err(|e| format!("{PREVIOUS_VARIABLE}: {e}")),
                    (Err(e), _) => Err(e),
                },
                None => Ok(None),
            };
            KEKS.with(|c| c.get_or_init(|| parsed).clone())
        }
    };
    parsed.map_err(|e| emblem_web::Error::Internal(emblem_web::error::Internal::Config(e)))
}
