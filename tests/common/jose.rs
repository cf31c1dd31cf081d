//! Keys as clients hold them: a DPoP key (RFC 9449) making proofs for a method and URL,
//! with the access token's hash and the server's nonce when needed; and a client's
//! signing key for `private_key_jwt` assertions (RFC 7523).

use josekit::jwk::KeyPair;
use josekit::jws::{ES256, JwsHeader, JwsSigner};
use serde_json::{Value, json};

pub struct DpopKey {
    signer: Box<dyn JwsSigner>,
    pub jwk: josekit::jwk::Jwk,
}

impl DpopKey {
    pub fn new() -> DpopKey {
        let pair = ES256.generate_key_pair().expect("key pair");
        let signer = Box::new(ES256.signer_from_der(pair.to_der_private_key()).expect("signer"));
        DpopKey { signer, jwk: pair.to_jwk_public_key() }
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
        let mut header = JwsHeader::new();
        header.set_token_type("dpop+jwt");
        header.set_jwk(self.jwk.clone());
        josekit::jws::serialize_compact(claims.to_string().as_bytes(), &header, self.signer.as_ref()).expect("signed proof")
    }
}

/// A client's key pair for private_key_jwt, with its key id.
pub struct ClientKey {
    signer: Box<dyn JwsSigner>,
    pub kid: String,
    pub public: josekit::jwk::Jwk,
}

impl ClientKey {
    pub fn new(kid: &str) -> ClientKey {
        let pair = ES256.generate_key_pair().expect("key pair");
        let signer = Box::new(ES256.signer_from_der(pair.to_der_private_key()).expect("signer"));
        let mut public = pair.to_jwk_public_key();
        public.set_key_id(kid);
        public.set_key_use("sig");
        ClientKey { signer, kid: kid.into(), public }
    }

    /// The JWK Set publishing this key (and `others`).
    pub fn jwks(keys: &[&ClientKey]) -> Value {
        json!({ "keys": keys.iter().map(|k| Value::Object(k.public.as_ref().clone())).collect::<Vec<_>>() })
    }

    /// A client assertion for `client_id` with audience `aud`, valid from `now` for a minute.
    pub fn assertion(&self, client_id: &str, aud: &str, now: i64) -> String {
        self.sign(&json!({ "iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60, "jti": oneid::crypto::random_token() }))
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = JwsHeader::new();
        header.set_key_id(&self.kid);
        josekit::jws::serialize_compact(claims.to_string().as_bytes(), &header, self.signer.as_ref()).expect("signed assertion")
    }
}
