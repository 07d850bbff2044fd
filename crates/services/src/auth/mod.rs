//! Authentication and authorisation for the issuer API.
//!
//! [`authenticate`] runs these steps, in order:
//!
//! 1. On an admin-only route with the `admin_token` variable unset, or shorter than
//!    [`MIN_ADMIN_TOKEN`] characters: 503, with a detail that says how to set it. A too-short
//!    token authenticates no one, on any route.
//! 2. If the client address is locked out: 429 with `Retry-After`, before any secret is read.
//! 3. Read `Authorization: Bearer <token>`. Missing: 401. Not a bearer token: 401, counted as
//!    a failure against the address.
//! 4. If the admin token is set and equals the token (constant-time, over SHA-256 digests):
//!    the caller is the administrator. A token without the API key shape is an admin token
//!    attempt: while the admin token's global failure budget is spent (100 wrong admin
//!    tokens from all addresses within 15 minutes), it is refused for everyone (429) for 15
//!    minutes, before it is compared; issuer API keys are not affected.
//! 5. Otherwise, if the token has the API key shape `emb_<key_id>_<secret>`: look up
//!    `apikey/<sha256(token)>`. Found (and naming the same key id): the caller is that key's
//!    issuer.
//! 6. Anything else: 401, counted as a failure against the address ([`lockout`]). When the
//!    token names a key id, the failure is also counted against that key id, but only to
//!    alert: past the threshold a line `emblem: alert: …` goes to the log. A key id is public
//!    (it is in every key), so locking it would let a stranger lock the owner's correct key
//!    out; the source is locked, never the key.
//! 7. Authorise: an issuer key on an admin-only route is 403; the admin token on an issuer
//!    route is 403 with a detail saying to use an issuer API key.
//!
//! Scoping of objects to the caller's issuer happens in the services: another issuer's object
//! answers 404, exactly as if it did not exist.

pub mod client;
pub mod lockout;
pub mod token;

use crate::env::Env;
use crate::kv::{self, Kv};
use crate::store_keys;
use emblem_badges::digest::secrets_equal;
use emblem_badges::error::{Error, Forbidden, Unauthenticated, Unavailable};
use emblem_badges::model::apikey::ApiKey;
use lockout::Scope;
use token::Bearer;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The holder of the admin token.
    Admin,
    /// An issuer, through one of its API keys.
    Issuer {
        /// The issuer.
        issuer_id: String,
        /// The key used.
        key_id: String,
    },
}

impl Principal {
    /// The issuer id, for issuer principals.
    pub fn issuer_id(&self) -> Option<&str> {
        match self {
            Self::Admin => None,
            Self::Issuer { issuer_id, .. } => Some(issuer_id),
        }
    }
}

/// The shortest `admin_token` accepted: 24 characters (`openssl rand -hex 12` and up). A
/// shorter one turns the admin API off rather than inviting guesses.
pub const MIN_ADMIN_TOKEN: usize = 24;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the administrator.
    Admin,
    /// Only issuers (API keys).
    Issuer,
    /// Either.
    AdminOrIssuer,
}

/// The credentials presented with a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attempt<'a> {
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The client address (`spin-client-addr`).
    pub client_addr: Option<&'a str>,
}

/// Authenticate and authorise a request (see the module docs).
pub async fn authenticate<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    admin_token: Option<&str>,
    attempt: Attempt<'_>,
    access: Access,
) -> Result<Principal, Error> {
    let admin_token = admin_token.filter(|t| !t.is_empty());
    let too_short = admin_token.is_some_and(|t| t.chars().count() < MIN_ADMIN_TOKEN);
    if access == Access::Admin && too_short {
        return Err(Error::Unavailable(Unavailable::AdminTokenTooShort {
            min: MIN_ADMIN_TOKEN,
        }));
    }
    if access == Access::Admin && admin_token.is_none() {
        return Err(Error::Unavailable(Unavailable::AdminTokenUnset));
    }
    // A token too short to be a secret never authenticates anyone.
    let admin_token = admin_token.filter(|_| !too_short);
    let address = attempt.client_addr.and_then(client::client_subject);
    if let Some(address) = &address {
        lockout::check(env.kv, env.now, Scope::Address, address).await?;
    }
    let presented = match token::parse_bearer(attempt.authorization) {
        Bearer::Missing => return Err(Error::Unauthenticated(Unauthenticated::Missing)),
        Bearer::Malformed => {
            fail(env, address.as_deref(), None).await?;
            return Err(Error::Unauthenticated(Unauthenticated::NotBearer));
        }
        Bearer::Token(t) => t,
    };
    let admin_attempt = admin_token.is_some() && token::key_id_of(presented).is_none();
    if admin_attempt {
        lockout::check(env.kv, env.now, Scope::AdminToken, ADMIN_SUBJECT).await?;
    }
    let principal = if admin_token
        .is_some_and(|t| secrets_equal(presented.as_bytes(), t.as_bytes()))
    {
        Principal::Admin
    } else {
        let key_id = token::key_id_of(presented);
        let record: Option<ApiKey> = match key_id {
            Some(_) => kv::get_json(env.kv, &store_keys::apikey(&token::hash(presented))).await?,
            None => None,
        };
        match record {
            Some(record) if Some(record.key_id.as_str()) == key_id => Principal::Issuer {
                issuer_id: record.issuer_id,
                key_id: record.key_id,
            },
            _ => {
                fail(env, address.as_deref(), key_id).await?;
                if admin_attempt {
                    spend_admin_budget(env).await?;
                }
                return Err(Error::Unauthenticated(Unauthenticated::UnknownToken));
            }
        }
    };
    authorize(&principal, access)?;
    Ok(principal)
}

/// 403 when the principal's kind may not use a route of `access`.
pub fn authorize(principal: &Principal, access: Access) -> Result<(), Error> {
    match (principal, access) {
        (Principal::Issuer { .. }, Access::Admin) => {
            Err(Error::Forbidden(Forbidden::IssuerKeyOnAdminRoute))
        }
        (Principal::Admin, Access::Issuer) => Err(Error::Forbidden(Forbidden::AdminOnIssuerRoute)),
        _ => Ok(()),
    }
}

/// The subject of the admin token's global failure budget.
const ADMIN_SUBJECT: &str = "global";

/// Count a wrong admin token against the global budget; spent, the admin token is refused
/// for everyone for the lockout duration.
async fn spend_admin_budget<K: Kv + ?Sized>(env: &Env<'_, K>) -> Result<(), Error> {
    let budget = crate::env::Policy {
        lockout_threshold: env.policy.admin_failure_budget,
        ..env.policy.clone()
    };
    if lockout::record_failure(env.kv, &budget, env.now, Scope::AdminToken, ADMIN_SUBJECT).await? {
        eprintln!(
            "emblem: alert: {} or more wrong admin tokens within the lockout window; the admin \
             token is refused for everyone until the lock lifts",
            env.policy.admin_failure_budget
        );
    }
    Ok(())
}

async fn fail<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    address: Option<&str>,
    key_id: Option<&str>,
) -> Result<(), Error> {
    if let Some(address) = address {
        lockout::record_failure(env.kv, env.policy, env.now, Scope::Address, address).await?;
    }
    if let Some(key_id) = key_id
        && lockout::count_failure(env.kv, env.policy, env.now, Scope::KeyId, key_id).await?
    {
        // Counted to alert only: the key itself is never locked (see the module docs).
        eprintln!(
            "emblem: alert: {} or more failed attempts with API key id {key_id} within the lockout window",
            env.policy.lockout_threshold
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Policy;
    use crate::kv::MemoryKv;
    use emblem_badges::base_url::BaseUrl;
    use emblem_badges::entropy::Seeded;
    use emblem_badges::model::V1;
    use futures::executor::block_on;
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);
    const ADMIN: &str = "admin-secret-for-unit-tests";

    struct Fixture {
        kv: MemoryKv,
        entropy: Seeded,
        base: BaseUrl,
        policy: Policy,
        key: String,
    }

    impl Fixture {
        fn new() -> Self {
            let kv = MemoryKv::new();
            let entropy = Seeded::new(9);
            let k = token::generate(&entropy);
            let record = ApiKey {
                v: V1,
                key_id: k.key_id.clone(),
                issuer_id: "issuer-1".into(),
                label: None,
                created_at: NOW,
            };
            block_on(kv::put_json(&kv, &store_keys::apikey(&k.hash), &record)).expect("put");
            Self {
                kv,
                entropy,
                base: BaseUrl::parse("https://badges.example.org").expect("base"),
                policy: Policy::default(),
                key: k.key,
            }
        }

        fn env(&self, now: OffsetDateTime) -> Env<'_, MemoryKv> {
            Env {
                kv: &self.kv,
                now,
                entropy: &self.entropy,
                base: &self.base,
                policy: &self.policy,
                vault: None,
            }
        }

        fn auth(&self, header: Option<&str>, access: Access) -> Result<Principal, Error> {
            self.auth_at(NOW, header, "192.0.2.1:5000", access)
        }

        fn auth_at(
            &self,
            now: OffsetDateTime,
            header: Option<&str>,
            addr: &str,
            access: Access,
        ) -> Result<Principal, Error> {
            let attempt = Attempt {
                authorization: header,
                client_addr: Some(addr),
            };
            block_on(authenticate(&self.env(now), Some(ADMIN), attempt, access))
        }
    }

    #[test]
    fn the_admin_token_authenticates_the_administrator() {
        let f = Fixture::new();
        let header = format!("Bearer {ADMIN}");
        assert_eq!(f.auth(Some(&header), Access::Admin), Ok(Principal::Admin));
    }

    #[test]
    fn an_api_key_authenticates_its_issuer() {
        let f = Fixture::new();
        let header = format!("Bearer {}", f.key);
        let p = f.auth(Some(&header), Access::Issuer).expect("issuer");
        assert_eq!(p.issuer_id(), Some("issuer-1"));
    }

    #[test]
    fn a_short_admin_token_disables_the_admin_api_and_authenticates_no_one() {
        let f = Fixture::new();
        let short = "too-short-a-secret";
        let header = format!("Bearer {short}");
        for access in [Access::Admin, Access::AdminOrIssuer] {
            let attempt = Attempt {
                authorization: Some(&header),
                client_addr: None,
            };
            let r = block_on(authenticate(&f.env(NOW), Some(short), attempt, access));
            assert!(r.is_err(), "{access:?}");
        }
        let attempt = Attempt {
            authorization: Some(&header),
            client_addr: None,
        };
        let e = block_on(authenticate(
            &f.env(NOW),
            Some(short),
            attempt,
            Access::Admin,
        ))
        .expect_err("503");
        assert_eq!(e.status(), 503);
        assert!(e.problem().detail.contains("24 characters"), "{e}");
    }

    #[test]
    fn an_unset_admin_token_disables_admin_routes() {
        let f = Fixture::new();
        let attempt = Attempt {
            authorization: Some("Bearer anything"),
            client_addr: None,
        };
        let r = block_on(authenticate(&f.env(NOW), Some(""), attempt, Access::Admin));
        assert!(matches!(
            r,
            Err(Error::Unavailable(Unavailable::AdminTokenUnset))
        ));
        let header = format!("Bearer {}", f.key);
        let attempt = Attempt {
            authorization: Some(&header),
            client_addr: None,
        };
        let r = block_on(authenticate(&f.env(NOW), None, attempt, Access::Issuer));
        assert!(r.is_ok(), "issuer routes work without an admin token");
    }

    #[test]
    fn missing_and_unknown_credentials_are_401() {
        let f = Fixture::new();
        assert!(matches!(
            f.auth(None, Access::Issuer),
            Err(Error::Unauthenticated(Unauthenticated::Missing))
        ));
        assert!(matches!(
            f.auth(Some("Basic abc"), Access::Issuer),
            Err(Error::Unauthenticated(Unauthenticated::NotBearer))
        ));
        assert!(matches!(
            f.auth(Some("Bearer emb_abcdefghijkl_wrong"), Access::Issuer),
            Err(Error::Unauthenticated(Unauthenticated::UnknownToken))
        ));
        assert!(matches!(
            f.auth(Some("Bearer not-the-admin-token"), Access::Admin),
            Err(Error::Unauthenticated(Unauthenticated::UnknownToken))
        ));
    }

    #[test]
    fn keys_and_tokens_on_the_wrong_routes_are_403() {
        let f = Fixture::new();
        let key = format!("Bearer {}", f.key);
        let admin = format!("Bearer {ADMIN}");
        assert!(matches!(
            f.auth(Some(&key), Access::Admin),
            Err(Error::Forbidden(Forbidden::IssuerKeyOnAdminRoute))
        ));
        let e = f.auth(Some(&admin), Access::Issuer).expect_err("403");
        assert!(matches!(e, Error::Forbidden(Forbidden::AdminOnIssuerRoute)));
        assert!(e.problem().detail.contains("issuer API key"));
        assert!(f.auth(Some(&key), Access::AdminOrIssuer).is_ok());
        assert!(f.auth(Some(&admin), Access::AdminOrIssuer).is_ok());
    }

    #[test]
    fn ten_bad_tokens_from_one_address_lock_it_even_for_the_right_key() {
        let f = Fixture::new();
        for _ in 0..10 {
            let r = f.auth(Some("Bearer wrong"), Access::Issuer);
            assert_eq!(r.expect_err("401").status(), 401);
        }
        let good = format!("Bearer {}", f.key);
        let e = f.auth(Some(&good), Access::Issuer).expect_err("locked");
        assert_eq!(e.status(), 429);
        let elsewhere = f.auth_at(NOW, Some(&good), "198.51.100.7:1", Access::Issuer);
        assert!(elsewhere.is_ok(), "another address is unaffected");
        let later = f.auth_at(
            NOW + Duration::minutes(15),
            Some(&good),
            "192.0.2.1:5000",
            Access::Issuer,
        );
        assert!(later.is_ok(), "the lock lifts after 15 minutes");
    }

    #[test]
    fn wrong_admin_tokens_from_many_addresses_spend_the_admin_tokens_own_budget() {
        let f = Fixture::new();
        let admin = format!("Bearer {ADMIN}");
        // 100 guesses, each from its own address: no address is locked...
        for i in 0..100u32 {
            let addr = format!("203.0.{}.{}:4000", i / 250, i % 250 + 1);
            let r = f.auth_at(
                NOW,
                Some("Bearer a-wrong-admin-guess-0000000"),
                &addr,
                Access::Admin,
            );
            assert_eq!(r.expect_err("401").status(), 401, "guess {i}");
        }
        // ...but the admin token is refused for everyone now, even the right one,
        let e = f
            .auth_at(NOW, Some(&admin), "198.51.100.9:1", Access::Admin)
            .expect_err("budget spent");
        assert_eq!(e.status(), 429);
        assert!(
            e.problem().detail.contains("admin token"),
            "{:?}",
            e.problem()
        );
        // issuer keys still work,
        let key = format!("Bearer {}", f.key);
        assert!(
            f.auth_at(NOW, Some(&key), "198.51.100.9:1", Access::Issuer)
                .is_ok()
        );
        // and the admin token works again once the lock lifts.
        let later = NOW + Duration::minutes(15);
        assert!(
            f.auth_at(later, Some(&admin), "198.51.100.9:1", Access::Admin)
                .is_ok()
        );
    }

    #[test]
    fn a_strangers_wrong_keys_never_lock_the_owner_out() {
        let f = Fixture::new();
        let key_id = token::key_id_of(&f.key).expect("id").to_owned();
        // Ten wrong secrets for the owner's (public) key id, from ten addresses, and more.
        for i in 0..30 {
            let bad = format!("Bearer emb_{key_id}_guess{i}");
            let addr = format!("203.0.113.{i}:1");
            let e = f
                .auth_at(NOW, Some(&bad), &addr, Access::Issuer)
                .expect_err("401");
            assert_eq!(e.status(), 401);
        }
        // The owner's correct key still works, from the owner's address.
        let good = format!("Bearer {}", f.key);
        assert!(
            f.auth_at(NOW, Some(&good), "198.51.100.7:1", Access::Issuer)
                .is_ok()
        );
        // The failures were counted against the key id (for the alert), not locked.
        assert!(
            f.kv.keys()
                .iter()
                .any(|k| k.starts_with(&format!("fail/key/{key_id}/")))
        );
        assert!(!f.kv.keys().iter().any(|k| k.starts_with("lock/key/")));
    }

    #[test]
    fn missing_credentials_are_not_counted_as_failures() {
        let f = Fixture::new();
        for _ in 0..20 {
            let _ = f.auth(None, Access::Issuer);
        }
        let good = format!("Bearer {}", f.key);
        assert!(f.auth(Some(&good), Access::Issuer).is_ok());
    }

    #[test]
    fn no_secret_is_ever_stored_by_a_failure() {
        let f = Fixture::new();
        let _ = f.auth(
            Some("Bearer emb_abcdefghijkl_topsecretguess"),
            Access::Issuer,
        );
        for (k, v) in f.kv.snapshot() {
            assert!(!k.contains("topsecretguess"), "{k}");
            assert!(!String::from_utf8_lossy(&v).contains("topsecretguess"));
        }
    }
}
