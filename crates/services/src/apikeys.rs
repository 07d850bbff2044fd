//! Issuer API keys.
//!
//! Create: 1. the issuer must exist (404); 2. it must hold fewer than [`MAX_KEYS`] keys (409);
//! 3. generate `emb_<key_id>_<secret>`; insert `apikeyid/<key_id>` (insert-if-absent, so key
//! ids never collide) and `apikey/<sha256(key)>`; 4. add the key to the `apikeys/<issuer>`
//! index by CAS (if a racing request filled the last slot, the records of step 3 are removed
//! and the answer is 409). The key is returned once and never stored.
//!
//! Delete: 1. `apikeyid/<key_id>` must exist and belong to the issuer (404 otherwise);
//! 2. delete `apikey/<hash>` first, which is what stops the key from working; 3. remove it
//! from the index by CAS; 4. delete `apikeyid/<key_id>`. Re-running a half-done delete
//! finishes it.

use crate::auth::token;
use crate::env::Env;
use crate::input::NewKey;
use crate::kv::{self, Kv, Update, update_json};
use crate::store_keys;
use emblem_badges::clock::ts;
use emblem_badges::error::{Conflict, Error, Internal, ObjectKind};
use emblem_badges::model::V1;
use emblem_badges::model::apikey::{ApiKey, ApiKeyId, ApiKeyIndex, ApiKeySummary};
use serde::Serialize;
use time::OffsetDateTime;

use crate::issuers;

/// Most live keys per issuer.
pub const MAX_KEYS: usize = 100;

/// Create a key for `issuer_id`.
pub async fn create<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    input: NewKey,
) -> Result<KeyCreatedView, Error> {
    issuers::load(env.kv, issuer_id).await?;
    let index: Option<ApiKeyIndex> = kv::get_json(env.kv, &store_keys::apikeys(issuer_id)).await?;
    if index.is_some_and(|i| i.items.len() >= MAX_KEYS) {
        return Err(Error::Conflict(Conflict::TooManyKeys { max: MAX_KEYS }));
    }
    let mut created = None;
    for _ in 0..8 {
        let new = token::generate(env.entropy);
        let by_id = ApiKeyId {
            v: V1,
            hash: new.hash.clone(),
            issuer_id: issuer_id.to_owned(),
            label: input.label.clone(),
            created_at: env.now,
        };
        // A fresh random key id: a plain write after checking it is free (a taken id would
        // mean a broken random source; try another).
        if env
            .kv
            .get(&store_keys::apikey_id(&new.key_id))
            .await?
            .is_none()
        {
            kv::put_json(env.kv, &store_keys::apikey_id(&new.key_id), &by_id).await?;
            created = Some((new, by_id));
            break;
        }
    }
    let (new, by_id) = created.ok_or_else(|| {
        Error::Internal(Internal::Corrupt {
            key: "apikeyid/*".into(),
            detail: "eight fresh key ids in a row already existed; check the random source".into(),
        })
    })?;
    let record = ApiKey {
        v: V1,
        key_id: new.key_id.clone(),
        issuer_id: issuer_id.to_owned(),
        label: by_id.label.clone(),
        created_at: env.now,
    };
    kv::put_json(env.kv, &store_keys::apikey(&new.hash), &record).await?;
    let summary = ApiKeySummary {
        key_id: new.key_id.clone(),
        label: by_id.label.clone(),
        created_at: env.now,
    };
    let indexed = update_json(
        env.kv,
        &store_keys::apikeys(issuer_id),
        |index: Option<ApiKeyIndex>| {
            let mut index = index.unwrap_or_default();
            if index.items.len() >= MAX_KEYS {
                return Err(Error::Conflict(Conflict::TooManyKeys { max: MAX_KEYS }));
            }
            index.items.push(summary.clone());
            Ok(Update::Put(index))
        },
    )
    .await;
    if let Err(e) = indexed {
        env.kv.delete(&store_keys::apikey(&new.hash)).await?;
        env.kv.delete(&store_keys::apikey_id(&new.key_id)).await?;
        return Err(e);
    }
    Ok(KeyCreatedView {
        key_id: new.key_id,
        key: new.key,
        issuer_id: issuer_id.to_owned(),
        label: record.label,
        created_at: env.now,
    })
}

/// The issuer's live keys.
pub async fn list<K: Kv + ?Sized>(kv: &K, issuer_id: &str) -> Result<Items<KeyView>, Error> {
    issuers::load(kv, issuer_id).await?;
    let index: ApiKeyIndex = kv::get_json(kv, &store_keys::apikeys(issuer_id))
        .await?
        .unwrap_or_default();
    Ok(Items {
        items: index.items.iter().map(KeyView::from).collect(),
    })
}

/// Delete the issuer's key `key_id`.
pub async fn delete<K: Kv + ?Sized>(kv: &K, issuer_id: &str, key_id: &str) -> Result<(), Error> {
    let not_found = || Error::not_found(ObjectKind::ApiKey, key_id);
    if !token::is_key_id(key_id) {
        return Err(not_found());
    }
    let by_id: ApiKeyId = kv::get_json(kv, &store_keys::apikey_id(key_id))
        .await?
        .filter(|k: &ApiKeyId| k.issuer_id == issuer_id)
        .ok_or_else(not_found)?;
    kv.delete(&store_keys::apikey(&by_id.hash)).await?;
    update_json(
        kv,
        &store_keys::apikeys(issuer_id),
        |index: Option<ApiKeyIndex>| {
            let Some(mut index) = index else {
                return Ok::<_, Error>(Update::Keep(None));
            };
            let before = index.items.len();
            index.items.retain(|k| k.key_id != key_id);
            Ok(if index.items.len() == before {
                Update::Keep(Some(index))
            } else {
                Update::Put(index)
            })
        },
    )
    .await?;
    kv.delete(&store_keys::apikey_id(key_id)).await?;
    Ok(())
}

/// A freshly created API key: the only time `key` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyCreatedView {
    /// Key id.
    pub key_id: String,
    /// The whole key; store it now, it is never shown again.
    pub key: String,
    /// Issuer.
    pub issuer_id: String,
    /// Label or null.
    pub label: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// One key in a listing (never the secret or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyView {
    /// Key id.
    pub key_id: String,
    /// Label or null.
    pub label: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

impl From<&ApiKeySummary> for KeyView {
    fn from(k: &ApiKeySummary) -> Self {
        Self {
            key_id: k.key_id.clone(),
            label: k.label.clone(),
            created_at: k.created_at,
        }
    }
}

/// `{items: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Items<T> {
    /// The items.
    pub items: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Access, Attempt, authenticate};
    use crate::issuers;
    use crate::testing::Bench;
    use futures::executor::block_on;

    fn issuer(b: &Bench) -> String {
        let input = crate::input::NewIssuer {
            name: "A".into(),
            url: "https://a.example".into(),
            email: "a@a.example".into(),
            description: None,
            image: None,
            linkedin_organization_id: None,
            status_method: Default::default(),
        };
        block_on(issuers::create(&b.env(), input))
            .expect("issuer")
            .id
    }

    fn auth(b: &Bench, key: &str) -> Result<crate::auth::Principal, Error> {
        let header = format!("Bearer {key}");
        let attempt = Attempt {
            authorization: Some(&header),
            client_addr: None,
        };
        block_on(authenticate(&b.env(), None, attempt, Access::Issuer))
    }

    #[test]
    fn a_created_key_authenticates_and_is_listed_without_its_secret() {
        let b = Bench::new();
        let id = issuer(&b);
        let created = block_on(create(
            &b.env(),
            &id,
            NewKey {
                label: Some("CI".into()),
            },
        ))
        .expect("key");
        assert!(created.key.starts_with("emb_"));
        assert_eq!(
            auth(&b, &created.key).expect("auth").issuer_id(),
            Some(id.as_str())
        );
        let listed = block_on(list(&b.kv, &id)).expect("list");
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].key_id, created.key_id);
        let json = serde_json::to_string(&listed).expect("json");
        assert!(!json.contains(&created.key));
        for (_, v) in b.kv.snapshot() {
            assert!(
                !String::from_utf8_lossy(&v).contains(&created.key),
                "secret stored"
            );
        }
    }

    #[test]
    fn a_deleted_key_no_longer_authenticates_or_lists() {
        let b = Bench::new();
        let id = issuer(&b);
        let k = block_on(create(&b.env(), &id, NewKey { label: None })).expect("key");
        block_on(delete(&b.kv, &id, &k.key_id)).expect("delete");
        assert_eq!(auth(&b, &k.key).expect_err("401").status(), 401);
        assert!(block_on(list(&b.kv, &id)).expect("list").items.is_empty());
        assert_eq!(
            block_on(delete(&b.kv, &id, &k.key_id))
                .expect_err("gone")
                .status(),
            404
        );
    }

    #[test]
    fn another_issuers_key_cannot_be_deleted_through_this_issuer() {
        let b = Bench::new();
        let a = issuer(&b);
        let other = issuer(&b);
        let k = block_on(create(&b.env(), &a, NewKey { label: None })).expect("key");
        let e = block_on(delete(&b.kv, &other, &k.key_id)).expect_err("404");
        assert_eq!(e.status(), 404);
        assert!(auth(&b, &k.key).is_ok());
    }

    #[test]
    fn keys_for_unknown_issuers_are_404() {
        let b = Bench::new();
        let e = block_on(create(
            &b.env(),
            "0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d",
            NewKey { label: None },
        ))
        .expect_err("404");
        assert_eq!(e.status(), 404);
        assert!(b.kv.keys().is_empty(), "nothing written");
    }

    #[test]
    fn an_issuer_holds_at_most_a_hundred_keys() {
        let b = Bench::new();
        let id = issuer(&b);
        for _ in 0..MAX_KEYS {
            block_on(create(&b.env(), &id, NewKey { label: None })).expect("key");
        }
        let before = b.kv.snapshot();
        let e = block_on(create(&b.env(), &id, NewKey { label: None })).expect_err("409");
        assert_eq!(e.status(), 409);
        assert_eq!(b.kv.snapshot(), before);
    }

    #[test]
    fn concurrent_key_creations_all_land_in_the_index() {
        let b = Bench::contended();
        let id = issuer(&b);
        let env = b.env();
        let creations = (0..20).map(|_| create(&env, &id, NewKey { label: None }));
        let results = block_on(futures::future::join_all(creations));
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(block_on(list(&b.kv, &id)).expect("list").items.len(), 20);
    }
}
