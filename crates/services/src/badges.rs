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

/// The outcome of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edited {
    /// Changed in place (tags, default validity, duplicate policy).
    InPlace(BadgeClass),
    /// What was earned changed (name, description, image, criteria, alignment): a new
    /// version with a new id; the old one stays, marked `superseded_by`.
    NewVersion(BadgeClass),
}

/// Edit the issuer's class `id` with the JSON patch `patch` (fields of a new class; absent
/// ones stay). Validated as a whole class. Editing a superseded version is 422.
pub async fn edit<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
    patch: &serde_json::Value,
) -> Result<Edited, Error> {
    let current = get(env.kv, issuer_id, id).await?;
    if let Some(latest) = &current.superseded_by {
        return Err(Error::invalid(
            "id",
            format!("this version was superseded by {latest}; edit that one"),
        ));
    }
    let patch = patch
        .as_object()
        .ok_or_else(|| Error::invalid("body", "must be a JSON object"))?;
    // The class as a creation body, the patch laid over it, checked by the creation rules.
    let mut merged = serde_json::json!({
        "name": current.name,
        "description": current.description,
        "criteria": current.criteria,
        "tags": current.tags,
        "alignment": current.alignment,
        "expires_after_days": current.expires_after_days,
        "duplicate_policy": current.duplicate_policy,
        // Stands in for the current image while the patch has none (not stored).
        "image": "https://emblem.invalid/unchanged.png",
    });
    if let Some(obj) = merged.as_object_mut() {
        for (k, v) in patch {
            obj.insert(k.clone(), v.clone());
        }
        if obj
            .get("expires_after_days")
            .is_some_and(serde_json::Value::is_null)
        {
            obj.remove("expires_after_days");
        }
    }
    let input = NewBadge::parse(&merged)?;
    let image_changed = patch.contains_key("image");
    let earned_changed = image_changed
        || input.name != current.name
        || input.description != current.description
        || input.criteria != current.criteria
        || input.alignment != current.alignment;
    if !earned_changed {
        let changed =
            crate::kv::update_json(env.kv, &store_keys::badge(id), |b: Option<BadgeClass>| {
                let mut b = b.ok_or_else(|| Error::not_found(ObjectKind::BadgeClass, id))?;
                b.tags.clone_from(&input.tags);
                b.expires_after_days = input.expires_after_days;
                b.duplicate_policy = input.duplicate_policy;
                Ok::<_, Error>(crate::kv::Update::Put(b))
            })
            .await?;
        return Ok(Edited::InPlace(changed.value.unwrap_or(current)));
    }
    let new_id = ids::new_id(env.entropy);
    let mut input = input;
    let image = if image_changed {
        store_image(env.kv, &new_id, take_image(&mut input)).await?
    } else {
        if let emblem_badges::model::ImageRef::Hosted { .. } = current.image
            && let Some(bytes) = env.kv.get(&store_keys::image(&current.id)).await?
        {
            env.kv.set(&store_keys::image(&new_id), &bytes).await?;
        }
        current.image.clone()
    };
    let version = publish(
        env,
        issuer_id,
        new_id.clone(),
        input,
        image,
        Some(current.id),
    )
    .await?;
    update_badge(env.kv, id, |b| {
        b.superseded_by = Some(new_id.clone());
    })
    .await?;
    Ok(Edited::NewVersion(version))
}

/// Create a badge class for `issuer_id`.
pub async fn create<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    mut input: NewBadge,
) -> Result<BadgeClass, Error> {
    let id = ids::new_id(env.entropy);
    let image = store_image(env.kv, &id, take_image(&mut input)).await?;
    publish(env, issuer_id, id, input, image, None).await
}

/// The input's image, taken out of it (the rest of the input is used after).
fn take_image(input: &mut NewBadge) -> emblem_badges::image::ImageInput {
    std::mem::replace(
        &mut input.image,
        emblem_badges::image::ImageInput::Remote(String::new()),
    )
}

/// Store the class `id` made of `input` (its image already stored as `image`) and list it
/// under its issuer.
async fn publish<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: String,
    input: NewBadge,
    image: emblem_badges::model::ImageRef,
    supersedes: Option<String>,
) -> Result<BadgeClass, Error> {
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
        supersedes,
        superseded_by: None,
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

/// Apply `change` to the stored class `id` by compare-and-swap.
async fn update_badge<K: Kv + ?Sized>(
    kv: &K,
    id: &str,
    mut change: impl FnMut(&mut BadgeClass),
) -> Result<BadgeClass, Error> {
    let not_found = || Error::not_found(ObjectKind::BadgeClass, id);
    let updated = crate::kv::update_json(kv, &store_keys::badge(id), |b: Option<BadgeClass>| {
        let mut b = b.ok_or_else(not_found)?;
        change(&mut b);
        Ok::<_, Error>(crate::kv::Update::Put(b))
    })
    .await?;
    updated.value.ok_or_else(not_found)
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
