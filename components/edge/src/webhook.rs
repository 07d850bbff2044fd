//! [`HttpWebhooks`]: the services' [`Webhooks`] over the one outbound client
//! ([`crate::outbound`]).
//!
//! 1. The request is a POST of the JSON body with `Content-Type: application/json` and a
//!    `User-Agent` naming Emblem.
//! 2. Time is capped twice: per-phase request options (connect, first byte, between bytes)
//!    and an overall deadline on the monotonic clock ([`LIMITS`]), whichever comes first.
//! 3. Any failure (denied by `allowed_outbound_hosts`, refused, timed out, non-2xx) becomes a
//!    `Delivery` with `delivered: false` and a reason; nothing here can fail the caller.

use std::time::Duration;

use bytes::Bytes;
use emblem_web::webhook::{Delivery, Webhooks};
use spin_sdk::http::FullBody;

use crate::outbound::{self, Failure, Limits};

/// The budget of one delivery: connect within 3 s, the first byte within 5 s, all within 8 s.
pub const LIMITS: Limits = Limits {
    connect: Duration::from_secs(3),
    first_byte: Duration::from_secs(5),
    between_bytes: Duration::from_secs(5),
    total: Duration::from_secs(8),
};

/// Outbound webhook deliveries from a component.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpWebhooks;

impl Webhooks for HttpWebhooks {
    async fn post_json(&self, url: &str, body: Vec<u8>, signature: Option<String>) -> Delivery {
        let answer = outbound::within(&LIMITS, async {
            let mut builder = http::Request::post(url).header("content-type", "application/json");
            if let Some(signature) = signature {
                builder = builder.header("emblem-signature", signature);
            }
            let request = outbound::request(
                builder,
                "Emblem-Webhook/1",
                &LIMITS,
                FullBody::new(Bytes::from(body)),
            )?;
            spin_sdk::http::send(request).await.map_err(Failure::Code)
        })
        .await;
        match answer {
            Ok(response) => Delivery::answered(url, response.status().as_u16()),
            Err(failure) => Delivery::failed(url, failure.describe(&LIMITS)),
        }
    }
}

/// What leaves the issuing component: webhook deliveries, email (handed to the mail
/// component, which speaks SMTP), and signing requests to the credentials component (which
/// holds the keys).
#[derive(Debug, Clone)]
pub struct Network {
    /// Webhooks.
    pub webhooks: HttpWebhooks,
    /// Email.
    pub mailer: crate::chain::MailRelay,
    /// The component that signs.
    pub keys: crate::chain::KeyHolder,
}

impl emblem_web::signed::Signer for Network {
    async fn enable_signing<K: emblem_web::kv::Kv + ?Sized>(
        &self,
        env: &emblem_web::Env<'_, K>,
        issuer_id: &str,
    ) -> Result<emblem_web::Reply, emblem_web::Error> {
        self.keys.enable_signing(env, issuer_id).await
    }
    async fn sign_award<K: emblem_web::kv::Kv + ?Sized>(
        &self,
        env: &emblem_web::Env<'_, K>,
        issuer_id: &str,
        award_id: &str,
    ) -> Result<emblem_web::Reply, emblem_web::Error> {
        self.keys.sign_award(env, issuer_id, award_id).await
    }
}

impl emblem_web::api::handler::Transports for Network {
    type W = HttpWebhooks;
    type M = crate::chain::MailRelay;
    fn webhooks(&self) -> &HttpWebhooks {
        &self.webhooks
    }
    fn mailer(&self) -> &crate::chain::MailRelay {
        &self.mailer
    }
}
