//! Keys as clients hold them: a DPoP key (RFC 9449) making proofs for a method and URL,
//! with the access token's hash and the server's nonce when needed; and a client's
//! signing key for `private_key_jwt` assertions (RFC 7523).

use josekit::jwk::KeyPair;
use josekit::jwk::alg::ed::EdCurve;
use josekit::jws::{EdDSA, ES256, JwsSigner};
use serde_json::{Value, json};

pub struct DpopKey {
    signer: Box<dyn JwsSigner>,
    pub jwk: josekit::jwk::Jwk,
    /// The `alg` the proofs' header names.
    alg: &'static str,
}

impl DpopKey {
    pub fn new() -> DpopKey {
        let pair = ES256.generate_key_pair().expect("key pair");
        let signer = Box::new(ES256.signer_from_der(pair.to_der_private_key()).expect("signer"));
        DpopKey { signer, jwk: pair.to_jwk_public_key(), alg: "ES256" }
    }

    /// An Ed25519 key whose proofs name the algorithm `alg`: `EdDSA`, or its fully
    /// specified name `Ed25519` (RFC 9864) that newer libraries send.
    pub fn ed25519(alg: &'static str) -> DpopKey {
        let pair = EdDSA.generate_key_pair(EdCurve::Ed25519).expect("key pair");
        let signer = Box::new(EdDSA.signer_from_der(pair.to_der_private_key()).expect("signer"));
        DpopKey { signer, jwk: pair.to_jwk_public_key(), alg }
    }

    /// RFC 7638 thumbprint, as `dpop_jkt` and `cnf.jkt` carry it.
    pub fn thumbprint(&self) -> String {
        oneid::keys::thumbprint::of(self.jwk.as_ref()).expect("thumbprint")
    }

    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>, nonce: Option<&str>, iat: i64) -> String {
        let mut claims = json!({ "jti": oneid::crypto::random_token(), "htm": method, "htu": url, "iat": iat });
        if let Some(token) = access_token {
            claims["ath"] = Value::from(oneid::crypto::b64url(&oneid::crypto::sha256(token.as_bytes())));
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = Value::from(nonce);
        }
        self.sign(&claims)
    }

    /// Signs any claims as a DPoP proof (for malformed ones).
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "typ": "dpop+jwt", "alg": self.alg, "jwk": Value::Object(self.jwk.as_ref().clone()) });
        compact(self.signer.as_ref(), &header, claims)
    }
}

/// A client's key pair for private_key_jwt, with its key id.
pub struct ClientKey {
    signer: Box<dyn JwsSigner>,
    pub kid: String,
    pub public: josekit::jwk::Jwk,
    alg: &'static str,
}

impl ClientKey {
    pub fn new(kid: &str) -> ClientKey {
        let pair = ES256.generate_key_pair().expect("key pair");
        let signer = Box::new(ES256.signer_from_der(pair.to_der_private_key()).expect("signer"));
        ClientKey::with(signer, pair.to_jwk_public_key(), kid, "ES256")
    }

    /// An Ed25519 key whose assertions name the algorithm `alg` (`EdDSA` or `Ed25519`).
    pub fn ed25519(kid: &str, alg: &'static str) -> ClientKey {
        let pair = EdDSA.generate_key_pair(EdCurve::Ed25519).expect("key pair");
        let signer = Box::new(EdDSA.signer_from_der(pair.to_der_private_key()).expect("signer"));
        ClientKey::with(signer, pair.to_jwk_public_key(), kid, alg)
    }

    fn with(signer: Box<dyn JwsSigner>, mut public: josekit::jwk::Jwk, kid: &str, alg: &'static str) -> ClientKey {
        public.set_key_id(kid);
        public.set_key_use("sig");
        ClientKey { signer, kid: kid.into(), public, alg }
    }

    /// The JWK Set publishing these keys.
    pub fn jwks(keys: &[&ClientKey]) -> Value {
        json!({ "keys": keys.iter().map(|k| Value::Object(k.public.as_ref().clone())).collect::<Vec<_>>() })
    }

    /// A client assertion for `client_id` with audience `aud`, valid from `now` for a minute.
    pub fn assertion(&self, client_id: &str, aud: &str, now: i64) -> String {
        self.sign(&json!({ "iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60, "jti": oneid::crypto::random_token() }))
    }

    pub fn sign(&self, claims: &Value) -> String {
        compact(self.signer.as_ref(), &json!({ "alg": self.alg, "kid": self.kid }), claims)
    }
}

/// A compact JWS, signed by hand so that the header can name any algorithm.
fn compact(signer: &dyn JwsSigner, header: &Value, claims: &Value) -> String {
    let signing_input = format!("{}.{}", oneid::crypto::b64url(header.to_string().as_bytes()), oneid::crypto::b64url(claims.to_string().as_bytes()));
    let signature = signer.sign(signing_input.as_bytes()).expect("signature");
    format!("{signing_input}.{}", oneid::crypto::b64url(&signature))
}
