//! Secrets at rest: the private halves of issuers' signing keys.
//!
//! They live in a second store label, [`LABEL`], that only the components which sign are
//! granted in `spin.toml`; the public halves stay in the `default` store every component reads.
//! Each secret is sealed with AES-256-GCM under the key-encryption key from the secret
//! variable [`VARIABLE`] (granted to the same components), with the record's own store key as
//! associated data: a sealed record copied under another key (another issuer's) does not open.
//! A copy of the `secrets` store alone, or of both stores, discloses no private key.
//!
//! Sealed record, `{v, alg: "A256GCM", kek, nonce, ct}`: `kek` names the key-encryption key
//! ([`Kek::id`], a hash, not the key) so a wrong `key_encryption_key` is a clear error rather
//! than a failed decryption; `nonce` is 96 random bits from the host (a fresh one per seal).
//!
//! Rotation: set the new key as [`VARIABLE`] and the old one as [`PREVIOUS_VARIABLE`]. A
//! record sealed under the old key still opens, and is sealed again under the new one the
//! first time it is used; once every key has been used (or after the operations guide's
//! re-seal step), the old key can be dropped.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::kv::{self, Kv, Update};
use emblem_badges::entropy::{self, Entropy};
use emblem_badges::error::{Error, Internal, Unavailable};
use emblem_badges::model::V1;

/// The store label that holds sealed secrets.
pub const LABEL: &str = "secrets";

/// The Spin variable holding the key-encryption key: 64 hex digits (32 bytes).
pub const VARIABLE: &str = "key_encryption_key";

/// The Spin variable holding the key-encryption key being rotated out (optional).
pub const PREVIOUS_VARIABLE: &str = "key_encryption_key_previous";

const ALG: &str = "A256GCM";

/// The key-encryption key.
#[derive(Clone)]
pub struct Kek {
    key: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("Kek")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Kek {
    /// From the variable's text: 64 hex digits (e.g. `openssl rand -hex 32`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let mut key = Zeroizing::new([0u8; 32]);
        if text.len() != 64 || hex::decode_to_slice(text, key.as_mut()).is_err() {
            return Err(format!(
                "{VARIABLE} must be 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`)"
            ));
        }
        let digest = Sha256::new()
            .chain_update(b"emblem key-encryption key id\0")
            .chain_update(key.as_ref())
            .finalize();
        Ok(Self {
            id: hex::encode(&digest[..8]),
            key,
        })
    }

    /// A name for this key that discloses nothing of it (16 hex digits of a hash).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The sealed secrets, as the component holding them sees them.
pub struct Vault<'a, K: ?Sized> {
    /// The [`LABEL`] store.
    pub kv: &'a K,
    /// The key-encryption key.
    pub kek: &'a Kek,
    /// The key-encryption key being rotated out, if any: records sealed under it still open,
    /// and are sealed again under [`Vault::kek`].
    pub previous: Option<&'a Kek>,
}

impl<K: ?Sized> Clone for Vault<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: ?Sized> Copy for Vault<'_, K> {}

impl<K: ?Sized> std::fmt::Debug for Vault<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("kek", &self.kek)
            .finish_non_exhaustive()
    }
}

/// The vault of a component that signs: 503 in one that holds no keys (not granted the
/// [`LABEL`] store, or [`VARIABLE`] unset).
pub fn required<'a, K: ?Sized>(vault: Option<Vault<'a, K>>) -> Result<Vault<'a, K>, Error> {
    vault.ok_or(Error::Unavailable(Unavailable::SecretsUnavailable))
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    v: V1,
    alg: String,
    kek: String,
    nonce: String,
    ct: String,
}

impl<K: Kv + ?Sized> Vault<'_, K> {
    /// Seal `secret` under `key` (a key no one else writes: named by a fresh random id).
    pub async fn put(&self, entropy: &dyn Entropy, key: &str, secret: &[u8]) -> Result<(), Error> {
        let nonce = entropy::bytes::<12>(entropy);
        let ct = cipher(self.kek)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: key.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal(Internal::Config("sealing a secret failed".into())))?;
        let sealed = Sealed {
            v: V1,
            alg: ALG.into(),
            kek: self.kek.id.clone(),
            nonce: hex::encode(nonce),
            ct: hex::encode(ct),
        };
        Ok(kv::put_json(self.kv, key, &sealed).await?)
    }

    /// The secret sealed under `key`, if there is one. A record sealed under the previous
    /// key-encryption key is sealed again under the current one.
    pub async fn get(
        &self,
        entropy: &dyn Entropy,
        key: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let Some(sealed) = kv::get_json::<_, Sealed>(self.kv, key).await? else {
            return Ok(None);
        };
        let kek = if sealed.kek == self.kek.id {
            self.kek
        } else if let Some(previous) = self.previous.filter(|p| p.id == sealed.kek) {
            previous
        } else {
            return Err(Error::Internal(Internal::Config(format!(
                "{key} is sealed under the key-encryption key {}, but {VARIABLE} is {}{}",
                sealed.kek,
                self.kek.id,
                self.previous
                    .map(|p| format!(" and {PREVIOUS_VARIABLE} is {}", p.id))
                    .unwrap_or_default()
            ))));
        };
        let corrupt = |detail: &str| {
            Error::Internal(Internal::Corrupt {
                key: key.to_owned(),
                detail: detail.to_owned(),
            })
        };
        if sealed.alg != ALG {
            return Err(corrupt("unknown sealing algorithm"));
        }
        let nonce: [u8; 12] = hex::decode(&sealed.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| corrupt("the nonce is not 12 bytes of hex"))?;
        let ct = hex::decode(&sealed.ct).map_err(|_| corrupt("the ciphertext is not hex"))?;
        let plain = Zeroizing::new(
            cipher(kek)
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ct,
                        aad: key.as_bytes(),
                    },
                )
                .map_err(|_| corrupt("the sealed secret does not open (altered or moved)"))?,
        );
        if !std::ptr::eq(kek, self.kek) {
            self.put(entropy, key, &plain).await?;
        }
        Ok(Some(plain))
    }

    /// Remove the secret under `key`.
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        Ok(self.kv.delete(key).await?)
    }

    /// The secret of a key record written before secrets were sealed (`legacy`, still in the
    /// public record under `record_key`): sealed under `sealed_key`, then removed from the
    /// public record by `strip` (which answers whether it removed anything). Sealing comes
    /// first, so a failure between the two steps loses nothing; two requests migrating at
    /// once seal the same secret twice, harmlessly.
    pub async fn migrate<T, F>(
        &self,
        public: &K,
        entropy: &dyn Entropy,
        record_key: &str,
        sealed_key: &str,
        legacy: &[u8],
        mut strip: F,
    ) -> Result<(), Error>
    where
        T: Serialize + serde::de::DeserializeOwned,
        F: FnMut(&mut T) -> bool,
    {
        self.put(entropy, sealed_key, legacy).await?;
        kv::update_json::<_, T, Error, _>(public, record_key, |current| {
            Ok(match current {
                Some(mut record) => {
                    if strip(&mut record) {
                        Update::Put(record)
                    } else {
                        Update::Keep(None)
                    }
                }
                None => Update::Keep(None),
            })
        })
        .await?;
        Ok(())
    }
}

fn cipher(kek: &Kek) -> Aes256Gcm {
    Aes256Gcm::new(kek.key.as_ref().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use futures::executor::block_on;

    struct Counter(std::cell::Cell<u8>);
    impl Entropy for Counter {
        fn fill(&self, buf: &mut [u8]) {
            for b in buf {
                self.0.set(self.0.get().wrapping_add(1));
                *b = self.0.get();
            }
        }
    }

    fn kek(byte: &str) -> Kek {
        Kek::parse(&byte.repeat(32)).expect("kek")
    }

    #[test]
    fn the_key_encryption_key_is_64_hex_digits() {
        assert!(Kek::parse(&"ab".repeat(32)).is_ok());
        for bad in [
            "",
            "abc",
            &"ab".repeat(31),
            &"zz".repeat(32),
            &"ab".repeat(33),
        ] {
            assert!(Kek::parse(bad).is_err(), "{bad:?}");
        }
        assert_ne!(kek("01").id(), kek("02").id());
        assert!(!format!("{:?}", kek("01")).contains("0101"));
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_its_kek() {
        let (kv, entropy, k1, k2) = (MemoryKv::new(), Counter(0.into()), kek("01"), kek("02"));
        let vault = Vault {
            kv: &kv,
            kek: &k1,
            previous: None,
        };
        block_on(vault.put(&entropy, "sealed/a", b"secret seed")).expect("put");
        let stored = kv.snapshot()["sealed/a"].clone();
        assert!(!String::from_utf8_lossy(&stored).contains("secret seed"));
        let opened = block_on(vault.get(&entropy, "sealed/a"))
            .expect("get")
            .expect("present");
        assert_eq!(opened.as_slice(), b"secret seed");
        assert!(
            block_on(vault.get(&entropy, "sealed/none"))
                .expect("get")
                .is_none()
        );

        // Moved under another record's key: refused.
        block_on(kv.set("sealed/b", &stored)).expect("copy");
        assert!(matches!(
            block_on(vault.get(&entropy, "sealed/b")),
            Err(Error::Internal(Internal::Corrupt { .. }))
        ));
        // Another key-encryption key: a clear configuration error.
        let other = Vault {
            kv: &kv,
            kek: &k2,
            previous: None,
        };
        assert!(matches!(
            block_on(other.get(&entropy, "sealed/a")),
            Err(Error::Internal(Internal::Config(_)))
        ));
        // One altered byte of ciphertext: refused.
        let mut record: serde_json::Value = serde_json::from_slice(&stored).expect("json");
        let ct = record["ct"].as_str().expect("ct").to_owned();
        let flipped = format!(
            "{}{}",
            if ct.starts_with('0') { "1" } else { "0" },
            &ct[1..]
        );
        record["ct"] = flipped.into();
        block_on(kv.set("sealed/a", &serde_json::to_vec(&record).expect("json"))).expect("set");
        assert!(block_on(vault.get(&entropy, "sealed/a")).is_err());
    }

    #[test]
    fn a_secret_sealed_under_the_previous_key_opens_and_is_sealed_again_under_the_new_one() {
        let (kv, entropy, old, new) = (MemoryKv::new(), Counter(0.into()), kek("01"), kek("02"));
        let before = Vault {
            kv: &kv,
            kek: &old,
            previous: None,
        };
        block_on(before.put(&entropy, "sealed/a", b"seed")).expect("put");
        let rotating = Vault {
            kv: &kv,
            kek: &new,
            previous: Some(&old),
        };
        let opened = block_on(rotating.get(&entropy, "sealed/a")).expect("get");
        assert_eq!(opened.as_deref().map(Vec::as_slice), Some(&b"seed"[..]));
        // Now sealed under the new key alone: it opens without the old one.
        let after = Vault {
            kv: &kv,
            kek: &new,
            previous: None,
        };
        let opened = block_on(after.get(&entropy, "sealed/a")).expect("get");
        assert_eq!(opened.as_deref().map(Vec::as_slice), Some(&b"seed"[..]));
        assert!(block_on(before.get(&entropy, "sealed/a")).is_err());
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let (kv, entropy, k1) = (MemoryKv::new(), Counter(0.into()), kek("01"));
        let vault = Vault {
            kv: &kv,
            kek: &k1,
            previous: None,
        };
        block_on(vault.put(&entropy, "sealed/a", b"x")).expect("put");
        block_on(vault.put(&entropy, "sealed/b", b"x")).expect("put");
        let nonce = |k: &str| -> String {
            let v: serde_json::Value = serde_json::from_slice(&kv.snapshot()[k]).expect("json");
            v["nonce"].as_str().expect("nonce").to_owned()
        };
        assert_ne!(nonce("sealed/a"), nonce("sealed/b"));
    }
}
