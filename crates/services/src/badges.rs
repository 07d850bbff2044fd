//! Badge classes.
//!
//! Create: 1. new random id; 2. store an uploaded image under `image/<id>`; 3. insert
//! `badge/<id>`; 4. append the id to the issuer's listing (`seq/badges/<issuer>` +
//! `idx/badges/<issuer>/<n>`). Read and list are scoped to the caller's issuer.

use crate::env::Env;
use crate::input::NewBadge;
use crate::kv::Kv;
use crate::paging::PageRequest;
use crate::store_keys;
use emblem_badges::error::{Error, ObjectKind};
use emblem_badges::ids;
use emblem_badges::model::V1;
use emblem_badges::model::badge::BadgeClass;

use crate::listing::{self, Listed};
use crate::store::{insert_new, load as load_record, store_image};

/// Create a badge class for `issuer_id`.
pub async fn create<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    input: NewBadge,
) -> Result<BadgeClass, Error> {
    let id = ids::new_id(env.entropy);
    let image = store_image(env.kv, &id, input.image).await?;
    let badge = BadgeClass {
        v: V1,
        id: id.clone(),
        issuer_id: issuer_id.to_owned(),
        name: input.name,
        description: input.description,
        image,
        criteria: input.criteria,
        tags: input.tags,
        alignment: input.alignment,
        expires_after_days: input.expires_after_days,
        duplicate_policy: input.duplicate_policy,
        created_at: env.now,
    };
    insert_new(env.kv, &store_keys::badge(&id), &badge).await?;
    listing::append(
        env.kv,
        &store_keys::badge_seq(issuer_id),
        |n| store_keys::badge_idx(issuer_id, n),
        &id,
    )
    .await?;
    Ok(badge)
}

/// Load a badge class, or 404.
pub async fn load<K: Kv + ?Sized>(kv: &K, id: &str) -> Result<BadgeClass, Error> {
    load_record(kv, ObjectKind::BadgeClass, id, store_keys::badge).await
}

/// Read the issuer's badge class `id` (another issuer's is 404).
pub async fn get<K: Kv + ?Sized>(kv: &K, issuer_id: &str, id: &str) -> Result<BadgeClass, Error> {
    let badge = load(kv, id).await?;
    if badge.issuer_id != issuer_id {
        return Err(Error::not_found(ObjectKind::BadgeClass, id));
    }
    Ok(badge)
}

/// One page of the issuer's badge classes, in creation order.
pub async fn list<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    page: PageRequest,
) -> Result<Listed<BadgeClass>, Error> {
    listing::page(
        kv,
        &store_keys::badge_seq(issuer_id),
        |n| store_keys::badge_idx(issuer_id, n),
        store_keys::badge,
        page,
    )
    .await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::{Bench, badge_input as input};
    use futures::executor::block_on;

    #[test]
    fn badge_classes_are_listed_per_issuer_in_creation_order() {
        let b = Bench::new();
        let env = b.env();
        let a1 = block_on(create(&env, "issuer-a", input())).expect("a1");
        let _b1 = block_on(create(&env, "issuer-b", input())).expect("b1");
        let a2 = block_on(create(&env, "issuer-a", input())).expect("a2");
        let page = block_on(list(&b.kv, "issuer-a", PageRequest::default())).expect("list");
        assert_eq!(page.total, 2);
        let ids: Vec<&str> = page.items.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, [a1.id.as_str(), a2.id.as_str()]);
    }

    #[test]
    fn another_issuers_badge_class_is_404() {
        let b = Bench::new();
        let badge = block_on(create(&b.env(), "issuer-a", input())).expect("create");
        assert!(block_on(get(&b.kv, "issuer-a", &badge.id)).is_ok());
        let e = block_on(get(&b.kv, "issuer-b", &badge.id)).expect_err("404");
        assert_eq!(
            e,
            Error::not_found(ObjectKind::BadgeClass, badge.id.as_str())
        );
    }
}
