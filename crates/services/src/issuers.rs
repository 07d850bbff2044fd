//! Issuer profiles.
//!
//! Create: 1. new random id; 2. store an uploaded logo under `image/<id>`; 3. insert
//! `issuer/<id>`. Read: the admin sees every issuer; an issuer key sees only its own (others
//! are 404).

use crate::auth::Principal;
use crate::env::Env;
use crate::input::{IssuerUpdate, NewIssuer};
use crate::kv::{Kv, Update, update_json};
use crate::store_keys;
use emblem_badges::error::{Error, ObjectKind};
use emblem_badges::ids;
use emblem_badges::model::V1;
use emblem_badges::model::apikey::ApiKeyIndex;
use emblem_badges::model::issuer::Issuer;
use emblem_badges::model::revocations::RevocationList;

use crate::store::{insert_new, load as load_record, store_image};

/// Create an issuer.
pub async fn create<K: Kv + ?Sized>(env: &Env<'_, K>, input: NewIssuer) -> Result<Issuer, Error> {
    let id = ids::new_id(env.entropy);
    let image = match input.image {
        Some(image) => Some(store_image(env.kv, &id, image).await?),
        None => None,
    };
    let issuer = Issuer {
        v: V1,
        id: id.clone(),
        name: input.name,
        url: input.url,
        email: input.email,
        description: input.description,
        image,
        linkedin_organization_id: input.linkedin_organization_id,
        webhook_url: None,
        webhook_secret: None,
        status_method: input.status_method,
        created_at: env.now,
    };
    // The issuer's shared lists exist from the start, so concurrent first revocations or
    // first keys update an existing record instead of racing to create it.
    crate::kv::put_json(
        env.kv,
        &store_keys::revocations(&id),
        &RevocationList::default(),
    )
    .await?;
    crate::kv::put_json(env.kv, &store_keys::apikeys(&id), &ApiKeyIndex::default()).await?;
    insert_new(env.kv, &store_keys::issuer(&id), &issuer).await?;
    Ok(issuer)
}

/// Load an issuer, or 404.
pub async fn load<K: Kv + ?Sized>(kv: &K, id: &str) -> Result<Issuer, Error> {
    load_record(kv, ObjectKind::Issuer, id, store_keys::issuer).await
}

/// Read an issuer as `principal` (issuers see only themselves).
pub async fn get<K: Kv + ?Sized>(kv: &K, principal: &Principal, id: &str) -> Result<Issuer, Error> {
    if principal.issuer_id().is_some_and(|own| own != id) {
        return Err(Error::not_found(ObjectKind::Issuer, id));
    }
    load(kv, id).await
}

/// A fresh webhook signing secret.
pub fn new_webhook_secret(entropy: &(impl emblem_badges::entropy::Entropy + ?Sized)) -> String {
    format!("whsec_{}", emblem_badges::entropy::token(entropy))
}

/// Change an issuer's settings as `principal` (issuers change only themselves), by CAS.
/// Setting a webhook for the first time also sets its signing secret to `fresh_secret`
/// (check `webhook_secret == fresh_secret` on the result to know whether to show it).
pub async fn update<K: Kv + ?Sized>(
    kv: &K,
    principal: &Principal,
    id: &str,
    change: IssuerUpdate,
    fresh_secret: &str,
) -> Result<Issuer, Error> {
    // A new logo's bytes are stored first (under the issuer's own image key, once the
    // principal may change this issuer), then the record points at them.
    let image = match change.image.clone() {
        None => None,
        Some(None) => Some(None),
        Some(Some(input)) => {
            get(kv, principal, id).await?;
            Some(Some(store_image(kv, id, input).await?))
        }
    };
    let updated = edit(kv, principal, id, |issuer| {
        if let Some(image) = &image {
            issuer.image.clone_from(image);
        }
        if let Some(url) = &change.webhook_url
            && issuer.webhook_url != *url
        {
            issuer.webhook_url.clone_from(url);
            if url.is_some() && issuer.webhook_secret.is_none() {
                issuer.webhook_secret = Some(fresh_secret.to_owned());
            }
        }
        if let Some(name) = &change.name {
            issuer.name.clone_from(name);
        }
        if let Some(url) = &change.url {
            issuer.url.clone_from(url);
        }
        if let Some(email) = &change.email {
            issuer.email.clone_from(email);
        }
        if let Some(description) = &change.description {
            issuer.description.clone_from(description);
        }
        if let Some(id) = &change.linkedin_organization_id {
            issuer.linkedin_organization_id.clone_from(id);
        }
        if let Some(method) = change.status_method {
            issuer.status_method = method;
        }
        Ok(())
    })
    .await?;
    if updated.image.is_none() && image == Some(None) {
        kv.delete(&store_keys::image(id)).await?;
    }
    Ok(updated)
}

/// Replace the issuer's webhook signing secret with `secret` (the old one stops verifying at
/// once); 422 while the issuer has no webhook.
pub async fn rotate_webhook_secret<K: Kv + ?Sized>(
    kv: &K,
    principal: &Principal,
    id: &str,
    secret: &str,
) -> Result<Issuer, Error> {
    edit(kv, principal, id, |issuer| {
        if issuer.webhook_url.is_none() {
            return Err(Error::invalid(
                "webhook_url",
                "this issuer has no webhook; set webhook_url first (its secret comes with it)",
            ));
        }
        issuer.webhook_secret = Some(secret.to_owned());
        Ok(())
    })
    .await
}

/// Apply `change` to issuer `id` as `principal` (issuers edit only themselves; another's is
/// 404), by compare-and-swap; nothing is written when nothing changed.
async fn edit<K: Kv + ?Sized>(
    kv: &K,
    principal: &Principal,
    id: &str,
    mut change: impl FnMut(&mut Issuer) -> Result<(), Error>,
) -> Result<Issuer, Error> {
    let not_found = || Error::not_found(ObjectKind::Issuer, id);
    if principal.issuer_id().is_some_and(|own| own != id) || !ids::is_valid(id) {
        return Err(not_found());
    }
    let updated = update_json(kv, &store_keys::issuer(id), |issuer: Option<Issuer>| {
        let mut issuer = issuer.ok_or_else(not_found)?;
        let before = issuer.clone();
        change(&mut issuer)?;
        Ok::<_, Error>(if issuer == before {
            Update::Keep(Some(issuer))
        } else {
            Update::Put(issuer)
        })
    })
    .await?;
    updated.value.ok_or_else(not_found)
}

#[cfg(test)]
mod profile_edit_tests {
    use super::*;
    use crate::testing::Bench;
    use futures::executor::block_on;
    use serde_json::json;

    #[test]
    fn an_issuer_edits_its_profile_and_absent_fields_stay() {
        let b = Bench::new();
        let issuer = block_on(create(
            &b.env(),
            crate::input::NewIssuer::parse(
                &json!({"name": "Old", "url": "https://old.example.org",
                "email": "a@old.example.org", "description": "d"}),
            )
            .expect("input"),
        ))
        .expect("issuer");
        let change = IssuerUpdate::parse(
            &json!({"name": "New Name", "description": null, "linkedin_organization_id": "42"}),
            false,
        )
        .expect("valid");
        let after =
            block_on(update(&b.kv, &Principal::Admin, &issuer.id, change, "s")).expect("ok");
        assert_eq!(after.name, "New Name");
        assert_eq!(after.url, "https://old.example.org");
        assert_eq!(after.description, None);
        assert_eq!(after.linkedin_organization_id.as_deref(), Some("42"));
        for bad in [
            json!({"name": ""}),
            json!({"url": "ftp://x"}),
            json!({"email": "nope"}),
        ] {
            assert_eq!(
                IssuerUpdate::parse(&bad, false).map_err(|e| e.status()),
                Err(422),
                "{bad}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Bench, NOW};
    use emblem_badges::image::ImageInput;
    use emblem_badges::image::ImageType;
    use emblem_badges::image::fixtures::png_1x1;
    use emblem_badges::model::ImageRef;
    use futures::executor::block_on;

    pub(crate) fn input() -> NewIssuer {
        NewIssuer {
            name: "Example Academy".into(),
            url: "https://academy.example.org".into(),
            email: "badges@example.org".into(),
            description: None,
            image: None,
            linkedin_organization_id: None,
            status_method: Default::default(),
        }
    }

    #[test]
    fn a_created_issuer_can_be_read_back() {
        let b = Bench::new();
        let issuer = block_on(create(&b.env(), input())).expect("create");
        assert!(ids::is_valid(&issuer.id));
        assert_eq!(issuer.created_at, NOW);
        assert_eq!(block_on(load(&b.kv, &issuer.id)), Ok(issuer));
    }

    #[test]
    fn an_uploaded_logo_is_stored_beside_the_issuer() {
        let b = Bench::new();
        let mut i = input();
        i.image = Some(ImageInput::Upload {
            kind: ImageType::Png,
            bytes: png_1x1(),
        });
        let issuer = block_on(create(&b.env(), i)).expect("create");
        assert_eq!(
            issuer.image,
            Some(ImageRef::Hosted {
                content_type: ImageType::Png
            })
        );
        assert!(b.kv.keys().contains(&store_keys::image(&issuer.id)));
    }

    #[test]
    fn issuers_see_only_themselves_and_the_admin_sees_all() {
        let b = Bench::new();
        let issuer = block_on(create(&b.env(), input())).expect("create");
        let own = Principal::Issuer {
            issuer_id: issuer.id.clone(),
            key_id: "k".into(),
        };
        let other = Principal::Issuer {
            issuer_id: "someone-else".into(),
            key_id: "k".into(),
        };
        assert!(block_on(get(&b.kv, &own, &issuer.id)).is_ok());
        assert!(block_on(get(&b.kv, &Principal::Admin, &issuer.id)).is_ok());
        let e = block_on(get(&b.kv, &other, &issuer.id)).expect_err("404");
        assert_eq!(e.status(), 404);
    }

    #[test]
    fn an_issuer_sets_and_removes_its_own_webhook_only() {
        let b = Bench::new();
        let issuer = block_on(create(&b.env(), input())).expect("create");
        let own = Principal::Issuer {
            issuer_id: issuer.id.clone(),
            key_id: "k".into(),
        };
        let set = IssuerUpdate {
            webhook_url: Some(Some("https://hooks.example.org/e".into())),
            ..IssuerUpdate::default()
        };
        let after =
            block_on(update(&b.kv, &own, &issuer.id, set.clone(), "whsec_test")).expect("update");
        assert_eq!(
            after.webhook_url.as_deref(),
            Some("https://hooks.example.org/e")
        );
        let other = Principal::Issuer {
            issuer_id: "someone-else".into(),
            key_id: "k".into(),
        };
        let before = b.kv.snapshot();
        let e = block_on(update(&b.kv, &other, &issuer.id, set, "whsec_test")).expect_err("404");
        assert_eq!(e.status(), 404);
        assert_eq!(b.kv.snapshot(), before);
        let clear = IssuerUpdate {
            webhook_url: Some(None),
            ..IssuerUpdate::default()
        };
        let after = block_on(update(
            &b.kv,
            &Principal::Admin,
            &issuer.id,
            clear,
            "whsec_test",
        ))
        .expect("clear");
        assert_eq!(after.webhook_url, None);
    }

    #[test]
    fn unknown_and_malformed_ids_are_404() {
        let b = Bench::new();
        for id in ["0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d", "../x", ""] {
            assert_eq!(block_on(load(&b.kv, id)).expect_err(id).status(), 404);
        }
    }
}
