//! Signing keys: generation, encryption at rest, the in-memory key ring that signs and
//! verifies JWTs, and the JWKS document. Key ids are RFC 7638 thumbprints. A retired key
//! keeps verifying and stays published until every token it signed has expired.

pub mod foreign;
pub mod jws;
pub mod kek;
pub mod thumbprint;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value, json};

use crate::clock::UnixTime;
use crate::crypto;
use crate::store::{SigningKeyRecord, Store, StoreError};
use jws::{Signer, Verifier};
use kek::Kek;

/// The JWS algorithms oneid signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    Es256,
    Rs256,
    EdDsa,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
            Alg::EdDsa => "EdDSA",
        }
    }

    pub fn parse(name: &str) -> Option<Alg> {
        match name {
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            "EdDSA" => Some(Alg::EdDsa),
            _ => None,
        }
    }

    /// OIDC Core §3.1.3.6: `at_hash` is the left half of the hash the signature uses.
    pub fn left_half_hash(self, data: &str) -> String {
        match self {
            Alg::Es256 | Alg::Rs256 => crypto::b64url(&crypto::sha256(data.as_bytes())[..16]),
            // Ed25519 signs with SHA-512, so its half hash is taken from SHA-512 too.
            Alg::EdDsa => {
                use sha2::Digest;
                crypto::b64url(&sha2::Sha512::digest(data.as_bytes())[..32])
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no active signing key for {0}")]
    NoKey(&'static str),
    #[error("token is not a valid JWT signed by this issuer")]
    Invalid,
    #[error("key material: {0}")]
    Material(String),
    #[error(transparent)]
    Kek(#[from] kek::KekError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn material(e: impl std::fmt::Display) -> KeyError {
    KeyError::Material(e.to_string())
}

/// A JWT whose signature checked out, not yet its claims.
pub struct VerifiedJwt {
    pub payload: Vec<u8>,
    pub alg: Alg,
    pub typ: Option<String>,
}

struct SigningKey {
    kid: String,
    signer: Signer,
}

struct VerifyingKey {
    alg: Alg,
    verifier: Verifier,
}

/// One consistent view of the keys: who signs, who verifies, what is published.
struct KeyRing {
    signers: HashMap<Alg, SigningKey>,
    verifiers: HashMap<String, VerifyingKey>,
    jwks: Arc<[u8]>,
    /// What the ring was built from, to skip rebuilding when nothing changed.
    version: Vec<(String, Option<UnixTime>, bool)>,
}

pub struct Keys {
    store: Store,
    kek: Kek,
    algs: Vec<Alg>,
    rsa_bits: u32,
    ring: RwLock<Arc<KeyRing>>,
}

impl Keys {
    /// Loads the key ring, first generating a key for every algorithm that has none.
    pub async fn load(store: Store, kek: Kek, algs: Vec<Alg>, rsa_bits: u32, now: UnixTime) -> Result<Keys, KeyError> {
        let active = store.signing_keys_published(now).await?;
        for &alg in &algs {
            if !active.iter().any(|k| k.alg == alg.name() && k.retired_at.is_none()) {
                let record = new_key(&kek, alg, rsa_bits, now).await?;
                store.insert_signing_key(&record).await?;
                tracing::info!(kid = %record.kid, alg = alg.name(), "generated signing key");
            }
        }
        let ring = build_ring(&kek, store.signing_keys_published(now).await?, now)?;
        Ok(Keys { store, kek, algs, rsa_bits, ring: RwLock::new(Arc::new(ring)) })
    }

    /// Re-reads the keys from the database so that rotations made elsewhere (CLI, other
    /// instances) take effect; cheap when nothing changed.
    pub async fn refresh(&self, now: UnixTime) -> Result<(), KeyError> {
        let records = self.store.signing_keys_published(now).await?;
        if version(&records, now) != self.ring().version {
            let ring = build_ring(&self.kek, records, now)?;
            *self.ring.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(ring);
        }
        Ok(())
    }

    /// Adds a new key for every algorithm and retires the current ones, which stay
    /// published for `publish_for` seconds.
    pub async fn rotate(&self, now: UnixTime, publish_for: i64) -> Result<Vec<String>, KeyError> {
        let mut kids = Vec::new();
        for &alg in &self.algs {
            let record = new_key(&self.kek, alg, self.rsa_bits, now).await?;
            self.store.rotate_signing_key(&record, now, now + publish_for).await?;
            kids.push(record.kid);
        }
        self.refresh(now).await?;
        Ok(kids)
    }

    pub fn sign(&self, alg: Alg, typ: &str, payload: &[u8]) -> Result<String, KeyError> {
        let ring = self.ring();
        let key = ring.signers.get(&alg).ok_or(KeyError::NoKey(alg.name()))?;
        jws::sign(&key.signer, typ, &key.kid, payload).map_err(material)
    }

    /// Checks the signature against a published key chosen by `kid`; claims are the
    /// caller's to check.
    pub fn verify(&self, jwt: &str) -> Result<VerifiedJwt, KeyError> {
        let parts = jws::parse(jwt).ok_or(KeyError::Invalid)?;
        let ring = self.ring();
        let key = parts.header.get("kid").and_then(Value::as_str).and_then(|kid| ring.verifiers.get(kid)).ok_or(KeyError::Invalid)?;
        if parts.alg() != Some(key.alg.name()) || !parts.verified_by(&key.verifier) {
            return Err(KeyError::Invalid);
        }
        let typ = parts.header.get("typ").and_then(Value::as_str).map(str::to_string);
        Ok(VerifiedJwt { payload: parts.payload, alg: key.alg, typ })
    }

    /// The JWKS document, serialised once per key change.
    pub fn jwks(&self) -> Arc<[u8]> {
        self.ring().jwks.clone()
    }

    pub fn algs(&self) -> &[Alg] {
        &self.algs
    }

    fn ring(&self) -> Arc<KeyRing> {
        self.ring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A new key is published at once but signs only this many seconds later, when every
/// instance has reloaded its keys (every 5 s) and publishes it too: no relying party or
/// instance meets a token signed by a key it cannot find in the JWKS it just fetched.
pub const SIGN_AFTER: i64 = 15;

/// Whether a key created at `created_at` may sign by now (see [`SIGN_AFTER`]).
pub fn seasoned(created_at: UnixTime, now: UnixTime) -> bool {
    created_at + SIGN_AFTER <= now
}

fn version(records: &[SigningKeyRecord], now: UnixTime) -> Vec<(String, Option<UnixTime>, bool)> {
    records.iter().map(|r| (r.kid.clone(), r.retired_at, seasoned(r.created_at, now))).collect()
}

/// Generates a key pair off the async runtime (RSA generation takes a while).
async fn new_key(kek: &Kek, alg: Alg, rsa_bits: u32, now: UnixTime) -> Result<SigningKeyRecord, KeyError> {
    let (signer, der) = tokio::task::spawn_blocking(move || Signer::generate(alg, rsa_bits)).await.map_err(material)?.map_err(material)?;
    let mut public = signer.public_jwk();
    let kid = thumbprint::of(&public).ok_or_else(|| material("generated JWK lacks required members"))?;
    public.insert("kid".into(), Value::String(kid.clone()));
    public.insert("use".into(), Value::String("sig".into()));
    public.insert("alg".into(), Value::String(alg.name().into()));
    Ok(SigningKeyRecord {
        private_key: kek.seal(&kid, &der),
        kid,
        alg: alg.name().to_string(),
        public_jwk: Value::Object(public).to_string(),
        created_at: now,
        retired_at: None,
        publish_until: None,
    })
}

/// The published keys; of each algorithm, the newest key published for [`SIGN_AFTER`]
/// signs (during a rotation, the key being replaced), or else the oldest (a first key;
/// a rotation right after the start; or, when the replaced key was withdrawn at once,
/// the new one).
fn build_ring(kek: &Kek, records: Vec<SigningKeyRecord>, now: UnixTime) -> Result<KeyRing, KeyError> {
    let version = version(&records, now);
    // Newest first; of keys made in the same second, a retired one is the older.
    let mut records = records;
    records.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.retired_at.is_some().cmp(&b.retired_at.is_some())).then_with(|| a.kid.cmp(&b.kid)));
    let mut chosen: HashMap<&str, &str> = HashMap::new();
    for record in records.iter().filter(|r| seasoned(r.created_at, now)).chain(records.iter().rev()) {
        chosen.entry(record.alg.as_str()).or_insert(record.kid.as_str());
    }
    let chosen: std::collections::HashSet<String> = chosen.into_values().map(str::to_string).collect();
    let mut signers: HashMap<Alg, SigningKey> = HashMap::new();
    let mut verifiers = HashMap::new();
    let mut published = Vec::new();
    for record in records {
        let Some(alg) = Alg::parse(&record.alg) else { continue };
        let map: Map<String, Value> = serde_json::from_str(&record.public_jwk).map_err(material)?;
        let verifier = Verifier::from_jwk(&map).ok_or_else(|| material(format!("key {} has an unusable public key", record.kid)))?;
        verifiers.insert(record.kid.clone(), VerifyingKey { alg, verifier });
        published.push(Value::Object(map));
        if chosen.contains(&record.kid) {
            let der = kek.open(&record.kid, &record.private_key)?;
            let signer = Signer::from_der(alg, &der).map_err(material)?;
            signers.insert(alg, SigningKey { kid: record.kid.clone(), signer });
        }
    }
    let jwks: Arc<[u8]> = json!({ "keys": published }).to_string().into_bytes().into();
    Ok(KeyRing { signers, verifiers, jwks, version })
}
