//! The key families of Emblem's key-value store. This is the authoritative list.
//!
//! Ids (`<id>`) are random UUIDv4 strings ([`emblem_badges::ids`]); hashes are lowercase hex SHA-256.
//! Records are JSON with `"v": 1`; counters are 8 little-endian bytes (Spin's `increment`).
//!
//! | key | value | written by |
//! |---|---|---|
//! | `issuer/<id>` | issuer profile record | create (insert-if-absent) |
//! | `badge/<id>` | badge class record | create (insert-if-absent) |
//! | `award/<id>` | award (assertion) record with its lifecycle | create; transitions by CAS |
//! | `image/<owner-id>` | uploaded image `{v, content_type, data}` (base64 bytes; owner = issuer or badge class) | create |
//! | `apikey/<sha256(key)>` | API key record: key id, issuer id, label | create; delete |
//! | `apikeyid/<key-id>` | the key's hash and issuer, so DELETE by key id is O(1) | create (insert-if-absent); delete |
//! | `apikeys/<issuer-id>` | index of the issuer's keys (id, label, created) | CAS |
//! | `seq/badges/<issuer-id>` | counter: badge classes created by the issuer | increment |
//! | `idx/badges/<issuer-id>/<n>` | the id (a JSON string) of the issuer's n-th badge class, n from 1 | create |
//! | `seq/awards/<badge-id>` | counter: awards of the badge class | increment |
//! | `idx/awards/<badge-id>/<n>` | the id (a JSON string) of the class's n-th award | create |
//! | `revocations/<issuer-id>` | the issuer's revocation list `{v, entries: [{assertion_id, reason, revoked_at, status_index?}]}` | CAS |
//! | `claim/<sha256(token)>` | claim token record `{v, award_id, expires_at}` | create; delete when a resend replaces it |
//! | `fail/<scope>/<subject>/<bucket>` | counter: failed authentications in one 5-minute bucket | increment |
//! | `lock/<scope>/<subject>` | lockout record `{v, until}` | set; deleted by the sweep once long lapsed |
//! | `seq/failsweep/<bucket>`, `idx/failsweep/<bucket>/<n>` | the subjects that failed in a bucket (`<scope>/<subject>`), for the sweep that deletes their records once out of the window | increment; set; delete |
//! | `failsweep/low` | the first bucket the sweep has not finished (a hint) | set |
//! | `seq/expiry/<hour>`, `idx/expiry/<hour>/<n>` | the awards that expire in a Unix hour, for the sweep that queues their `assertion.expired` events | increment; set; delete |
//! | `expiry/low` | the first hour the expiry sweep has not finished (a hint) | set |
//! | `expired/<award>/<expires>#created` | the award's `assertion.expired` event for that expiry is queued (a creation claim) | increment |
//! | `shares/<assertion-id>/<target>` | counter: share clicks (`linkedin_profile`, `linkedin_post`, `x`, `facebook`, `email`) | increment |
//! | `keys/<issuer-id>/<kid>` | RS256 signing key, public half `{v, kid, issuer_id, public_pem, created_at}` | create |
//! | `signing/<issuer-id>` | the issuer's active signing key `{v, kid}` | create (insert-if-absent) |
//! | `vckey/<issuer-id>` | the issuer's Ed25519 key for Open Badges 3.0 credentials, public half `{v, kid, issuer_id, public_multibase, public_p256, created_at}` | create (insert-if-absent) |
//! | `seq/status/<issuer-id>` | counter: Bitstring status indexes given out by the issuer (the award's `status_index` is the value before its increment) | increment |
//! | `awardee/<badge-id>/<sha256(email)>` | the latest award of the class to that address (a JSON string), for the duplicate policy | set on every award; CAS under `deny` and `replace` |
//! | `seq/mail/<award-id>` | counter: emails queued for the award | increment |
//! | `mail/<award-id>.<n>` | outbox record of the award's n-th email (status, attempts, the message until final) | create; written by the attempt's owner |
//! | `mail/<award-id>.<n>#turn` | counter: attempts started (who owns an attempt) | increment |
//! | `seq/mailq/<queue>`, `idx/mailq/<queue>/<n>` | the outbox queues (`now`, `later`) the flush walks | increment; create |
//! | `mailq/<queue>/low` | where the flush starts (a hint) | set |
//! | `idem/<issuer-id or admin>/<sha256(key)>` | an `Idempotency-Key`: the request's fingerprint and its first answer (`idem/…#turn` decides who acts) | increment; set |
//! | `suppress/<issuer-id>/<sha256(email)>` | suppressed address `{v, reason, at}` | set; delete |
//! | `unsub/<sha256(token)>` | unsubscribe token `{v, issuer_id, email_hash}` | create |
//!
//! The `secrets` store (a second label, granted only to the components that sign; sealed
//! records `{v, alg, kek, nonce, ct}`, [`crate::vault`]):
//!
//! | key | value | written by |
//! |---|---|---|
//! | `sealed/keys/<issuer-id>/<kid>` | the PKCS#8 PEM of the RS256 key `keys/<issuer-id>/<kid>` | create, before its public half |
//! | `sealed/vckey/<issuer-id>/<kid>` | the 32-byte Ed25519 seed of the issuer's key `kid` | create, before `vckey/<issuer-id>`; deleted by the loser of a creation race |
//!
//! `<scope>` is `addr` (client IPv4 address, or IPv6 /64 prefix) or `key` (API key id) for
//! the issuer API, and `claimaddr` (client address) for unknown claim links.
//! `<bucket>` is the Unix time divided by the bucket length. Signing keys live under
//! `keys/<issuer-id>/<kid>`, which is why API keys use `apikey*` names.

/// `issuer/<id>`
pub fn issuer(id: &str) -> String {
    format!("issuer/{id}")
}

/// `badge/<id>`
pub fn badge(id: &str) -> String {
    format!("badge/{id}")
}

/// `award/<id>`
pub fn award(id: &str) -> String {
    format!("award/{id}")
}

/// `image/<owner-id>`
pub fn image(owner_id: &str) -> String {
    format!("image/{owner_id}")
}

/// `apikey/<sha256hex(key)>`
pub fn apikey(hash: &str) -> String {
    format!("apikey/{hash}")
}

/// `apikeyid/<key-id>`
pub fn apikey_id(key_id: &str) -> String {
    format!("apikeyid/{key_id}")
}

/// `apikeys/<issuer-id>`
pub fn apikeys(issuer_id: &str) -> String {
    format!("apikeys/{issuer_id}")
}

/// `seq/badges/<issuer-id>`
pub fn badge_seq(issuer_id: &str) -> String {
    format!("seq/badges/{issuer_id}")
}

/// `idx/badges/<issuer-id>/<n>`
pub fn badge_idx(issuer_id: &str, n: i64) -> String {
    format!("idx/badges/{issuer_id}/{n}")
}

/// `seq/awards/<badge-id>`
pub fn award_seq(badge_id: &str) -> String {
    format!("seq/awards/{badge_id}")
}

/// `idx/awards/<badge-id>/<n>`
pub fn award_idx(badge_id: &str, n: i64) -> String {
    format!("idx/awards/{badge_id}/{n}")
}

/// `revocations/<issuer-id>`
pub fn revocations(issuer_id: &str) -> String {
    format!("revocations/{issuer_id}")
}

/// `claim/<sha256hex(token)>`
pub fn claim(hash: &str) -> String {
    format!("claim/{hash}")
}

/// `fail/<scope>/<subject>/<bucket>`
pub fn fail(scope: &str, subject: &str, bucket: i64) -> String {
    format!("fail/{scope}/{subject}/{bucket}")
}

/// `lock/<scope>/<subject>`
pub fn lock(scope: &str, subject: &str) -> String {
    format!("lock/{scope}/{subject}")
}

/// `shares/<assertion-id>/<target>`
pub fn shares(assertion_id: &str, target: &str) -> String {
    format!("shares/{assertion_id}/{target}")
}

/// `keys/<issuer-id>/<kid>`
pub fn signing_key(issuer_id: &str, kid: &str) -> String {
    format!("keys/{issuer_id}/{kid}")
}

/// `vckey/<issuer-id>`
pub fn credential_key(issuer_id: &str) -> String {
    format!("vckey/{issuer_id}")
}

/// `sealed/keys/<issuer-id>/<kid>` (the `secrets` store)
pub fn sealed_signing_key(issuer_id: &str, kid: &str) -> String {
    format!("sealed/keys/{issuer_id}/{kid}")
}

/// `sealed/vckey/<issuer-id>/<kid>` (the `secrets` store)
pub fn sealed_credential_key(issuer_id: &str, kid: &str) -> String {
    format!("sealed/vckey/{issuer_id}/{kid}")
}

/// `seq/status/<issuer-id>`
pub fn status_seq(issuer_id: &str) -> String {
    format!("seq/status/{issuer_id}")
}

/// `signing/<issuer-id>`
pub fn signing(issuer_id: &str) -> String {
    format!("signing/{issuer_id}")
}

/// Counter of the emails queued for an award.
pub fn mail_seq(award_id: &str) -> String {
    format!("seq/mail/{award_id}")
}

/// An outbox record.
pub fn mail(message_id: &str) -> String {
    format!("mail/{message_id}")
}

/// Counter of an outbox queue.
pub fn mail_queue_seq(queue: &str) -> String {
    format!("seq/mailq/{queue}")
}

/// The n-th entry of an outbox queue.
pub fn mail_queue_idx(queue: &str, n: i64) -> String {
    format!("idx/mailq/{queue}/{n}")
}

/// Where the flush of a queue starts.
pub fn mail_queue_low(queue: &str) -> String {
    format!("mailq/{queue}/low")
}

/// The latest award of a class to an address.
pub fn awardee(badge_id: &str, email_hash: &str) -> String {
    format!("awardee/{badge_id}/{email_hash}")
}

/// Counter of the subjects that failed in `bucket` (the sweep's listing).
pub fn fail_sweep_seq(bucket: i64) -> String {
    format!("seq/failsweep/{bucket}")
}

/// The n-th subject that failed in `bucket`.
pub fn fail_sweep_idx(bucket: i64, n: i64) -> String {
    format!("idx/failsweep/{bucket}/{n}")
}

/// Where the failure sweep starts.
pub const FAIL_SWEEP_LOW: &str = "failsweep/low";

/// Counter of the awards listed for their expiry event in hour `bucket` (Unix hours).
pub fn expiry_seq(bucket: i64) -> String {
    format!("seq/expiry/{bucket}")
}

/// The n-th award listed for its expiry event in hour `bucket`.
pub fn expiry_idx(bucket: i64, n: i64) -> String {
    format!("idx/expiry/{bucket}/{n}")
}

/// Where the expiry sweep starts (an hour bucket).
pub const EXPIRY_LOW: &str = "expiry/low";

/// Claimed once the `assertion.expired` event of `award_id` expiring at `expires` (Unix
/// seconds) is queued.
pub fn expired_event(award_id: &str, expires: i64) -> String {
    format!("expired/{award_id}/{expires}")
}
