//! The Open Badges 3.0 benchmark, one run on one host (`tests/apps/mixed`, the real
//! components):
//!
//! 1. Natively (emblem-vc in this process): credentials signed per second (`eddsa-rdfc-2022`:
//!    two JSON-LD expansions for the undefined-term probe, two canonicalisations, Ed25519) and
//!    verified per second, for the credential the app serves.
//! 2. Through the real components (wrk): `GET /credentials/:id` (rendered and signed on every
//!    request) and `POST /verify` of that credential, against `GET /assertions/:id` of the same
//!    award as the floor.
//! 3. The peer, in the same run: digitalbazaar's `@digitalbazaar/vc` with the eddsa-rdfc-2022
//!    cryptosuite (installed by tests/interop/setup.sh) verifying the same credential, warm,
//!    in one Node process, against Emblem's `POST /verify`.
//!
//! 4. The VC-JWT proof kind: natively, the same credential signed and verified per second in
//!    each algorithm (`ES256`, `EdDSA`, `RS256`); through the components, `GET
//!    /credentials/:id?alg=ES256` (signed per request) and `POST /verify` of that VC-JWT.
//!
//! Run with `cargo xtask bench-credentials [seconds]` (builds first). Needs `wrk` and Node.

use emblem_tests::{App, AppConfig};
use emblem_vc::contexts::PINNED;
use emblem_vc::{di, multikey};
use serde_json::{Value, json};

#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{best, post_json_script, seconds_or_exit, wrk};

/// Calls of `f` per second over `seconds` (at least 20 calls).
fn per_second(seconds: u32, f: impl FnMut()) -> f64 {
    let (n, elapsed) = support_wrk::timed(seconds, f);
    f64::from(n) / elapsed.as_secs_f64()
}

fn get_json(app: &App, url: &str) -> Value {
    let path = &url[app.base.len()..];
    app.get(path).json()
}

fn main() {
    let seconds = seconds_or_exit("credentials_load");
    let app = AppConfig::fixture("mixed", "bench-credentials")
        .variable("admin_token", emblem_tests::ADMIN_TOKEN)
        .start();
    let award = support_award::award(&app, "https://bench.example.org/b.png");
    let credential_url = award.assertion_url.replace("/assertions/", "/credentials/");
    let credential = get_json(&app, &credential_url);
    let profile_url = credential["issuer"]["id"]
        .as_str()
        .expect("issuer")
        .to_owned();
    let profile = get_json(&app, &profile_url);
    let key = multikey::decode_public(
        profile["verificationMethod"][0]["publicKeyMultibase"]
            .as_str()
            .expect("key"),
    )
    .expect("Ed25519");
    di::verify(&credential, &key, PINNED).expect("the served credential verifies");

    // 1. Native.
    let mut unsigned = credential.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let options = di::ProofOptions {
        created: "2026-01-01T00:00:00Z".into(),
        verification_method: format!("{profile_url}#bench"),
        proof_purpose: "assertionMethod".into(),
    };
    let per = seconds.div_ceil(2).max(1);
    let signs = per_second(per, || {
        di::sign(&unsigned, &options, &signer, PINNED).expect("sign");
    });
    let verifies = per_second(per, || {
        di::verify(&credential, &key, PINNED).expect("verify");
    });

    // 2. Through the components.
    let body = json!({"credential": credential});
    let script = post_json_script("bench-credentials-wrk", &body);
    let verify_url = format!("{}/verify", app.base);
    let (mut floor, mut hosted, mut verified) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..2 {
        eprintln!(
            "round {}: GET /assertions/:id, GET /credentials/:id, POST /verify ({seconds}s each)",
            round + 1
        );
        floor.push(wrk(&award.assertion_url, None, seconds));
        hosted.push(wrk(&credential_url, None, seconds));
        verified.push(wrk(&verify_url, Some(&script), seconds));
    }
    let (f, h, v) = (best(&floor), best(&hosted), best(&verified));

    // 4. VC-JWT.
    let ec = emblem_vc::jwk::p256_from_seed(&[7; 32]);
    let pem = std::fs::read_to_string(emblem_tests::root().join("tests/fixtures/verify/key-a.pem"))
        .expect("the test RSA key");
    let rsa_key = emblem_badges::verify::jws::private_key(&pem).expect("RSA");
    let jwt_kinds: [JwtKind; 3] = [
        (
            "ES256",
            Box::new(|| emblem_vc::jwt::sign_es256(&unsigned, "k", &ec).expect("ES256")),
            emblem_vc::jwk::p256(ec.verifying_key(), "k"),
        ),
        (
            "EdDSA",
            Box::new(|| emblem_vc::jwt::sign_eddsa(&unsigned, "k", &signer).expect("EdDSA")),
            emblem_vc::jwk::ed25519(&signer.verifying_key(), "k"),
        ),
        (
            "RS256",
            Box::new(|| {
                emblem_vc::jwt::sign_rs256(&unsigned, "k", &rsa_key, &mut BlindingRng(1))
                    .expect("RS256")
            }),
            emblem_vc::jwk::rsa(&rsa_key.to_public_key(), "k"),
        ),
    ];
    let mut jwt_rows = Vec::new();
    for (alg, sign, jwk) in &jwt_kinds {
        let token = sign();
        let (input, sig) = jwt_parts(&token);
        emblem_vc::jwt::verify(alg, input.as_bytes(), &sig, jwk).expect("verifies");
        let signed = per_second(per, || {
            sign();
        });
        let checked = per_second(per, || {
            emblem_vc::jwt::verify(alg, input.as_bytes(), &sig, jwk).expect("verify");
        });
        jwt_rows.push((*alg, signed, checked));
    }
    let jwt_url = format!("{credential_url}?alg=ES256");
    let es256 = app.get(&jwt_url[app.base.len()..]).text();
    let jwt_script = post_json_script("bench-credentials-jwt-wrk", &json!({"jws": es256}));
    let (mut jwt_hosted, mut jwt_verified) = (Vec::new(), Vec::new());
    for round in 0..2 {
        eprintln!(
            "round {}: GET /credentials/:id?alg=ES256, POST /verify of the VC-JWT ({seconds}s each)",
            round + 1
        );
        jwt_hosted.push(wrk(&jwt_url, None, seconds));
        jwt_verified.push(wrk(&verify_url, Some(&jwt_script), seconds));
    }
    let (jh, jv) = (best(&jwt_hosted), best(&jwt_verified));

    // 3. The peers.
    let peer = digitalbazaar_per_second(&credential, &profile, &app);
    let dcc = node_per_second("dcc_verify.mjs", &credential);

    println!();
    println!("| what | per second | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    println!("| native: sign a credential (eddsa-rdfc-2022) | {signs:.0} | | |");
    println!("| native: verify a credential (eddsa-rdfc-2022) | {verifies:.0} | | |");
    println!(
        "| GET /assertions/:id (floor) | {:.0} | {:.2} | {:.2} |",
        f.rps, f.p50_ms, f.p99_ms
    );
    println!(
        "| GET /credentials/:id (signed per request) | {:.0} | {:.2} | {:.2} |",
        h.rps, h.p50_ms, h.p99_ms
    );
    println!(
        "| POST /verify of the credential | {:.0} | {:.2} | {:.2} |",
        v.rps, v.p50_ms, v.p99_ms
    );
    for (alg, signed, checked) in &jwt_rows {
        println!("| native: sign the VC-JWT ({alg}) | {signed:.0} | | |");
        println!("| native: verify the VC-JWT ({alg}) | {checked:.0} | | |");
    }
    println!(
        "| GET /credentials/:id?alg=ES256 (VC-JWT signed per request) | {:.0} | {:.2} | {:.2} |",
        jh.rps, jh.p50_ms, jh.p99_ms
    );
    println!(
        "| POST /verify of the VC-JWT (ES256) | {:.0} | {:.2} | {:.2} |",
        jv.rps, jv.p50_ms, jv.p99_ms
    );
    match peer {
        Some(p) => println!("| @digitalbazaar/vc verify, warm, one process | {p:.0} | | |"),
        None => println!("| @digitalbazaar/vc | not installed (tests/interop/setup.sh) | | |"),
    }
    match dcc {
        Some(d) => println!(
            "| DCC verifier-core verifyCredential, warm, one process (fetches key and profile each time) | {d:.0} | | |"
        ),
        None => println!("| DCC verifier-core | not installed (tests/interop/setup.sh) | | |"),
    }
    println!();
    println!("floor / credential hosting ratio: {:.2}x", f.rps / h.rps);
    println!("floor / credential verify ratio: {:.2}x", f.rps / v.rps);
    if let Some(d) = dcc {
        println!(
            "Emblem POST /verify / DCC verifier-core: {:.1}x (target >= 50x)",
            v.rps / d
        );
    }
    if let Some(p) = peer {
        println!(
            "Emblem POST /verify / digitalbazaar verify: {:.1}x; native verify / digitalbazaar: {:.1}x",
            v.rps / p,
            verifies / p
        );
    }
}

/// A VC-JWT algorithm: its name, a signer of the benchmark credential, its public JWK.
type JwtKind<'a> = (&'static str, Box<dyn Fn() -> String + 'a>, Value);

/// `header.payload` and the signature bytes of a compact JWS.
fn jwt_parts(token: &str) -> (String, Vec<u8>) {
    use base64::Engine as _;
    let (input, sig) = token.rsplit_once('.').expect("a compact JWS");
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .expect("base64url");
    (input.to_owned(), sig)
}

/// Randomness for RSA blinding in the benchmark (any bytes give the same signature).
struct BlindingRng(u64);

impl rsa::rand_core::RngCore for BlindingRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for BlindingRng {}

/// Verifications per second by `@digitalbazaar/vc`, warm, of the same credential.
fn digitalbazaar_per_second(credential: &Value, profile: &Value, app: &App) -> Option<f64> {
    if !emblem_tests::vcjs_dir()
        .join("node_modules/@digitalbazaar/vc")
        .exists()
    {
        return None;
    }
    let list_url = credential["credentialStatus"]["id"].as_str()?;
    let key_url = credential["proof"]["verificationMethod"].as_str()?;
    let documents = json!({
        profile["id"].as_str()?: profile,
        key_url: get_json(app, key_url),
        list_url: get_json(app, list_url),
    });
    let input = json!({"credential": credential, "documents": documents});
    emblem_tests::node_verifier("vc_verify.mjs", &input, Some(200))["per_second"].as_f64()
}

/// Verifications per second by a Node verifier script reading the credential on stdin.
fn node_per_second(script: &str, credential: &Value) -> Option<f64> {
    if !emblem_tests::vcjs_dir().join("node_modules").exists() {
        return None;
    }
    emblem_tests::node_verifier(script, credential, Some(100))["per_second"].as_f64()
}
