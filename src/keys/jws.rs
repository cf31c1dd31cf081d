//! Compact JWS (RFC 7515) on ring: the key pairs oneid signs with (ES256, RS256, EdDSA),
//! the public keys it verifies with, given as JWKs (those and PS256), and the compact
//! form's encoding. Only what oneid needs: no `crit` extensions, no unencoded payloads.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value, json};

use super::Alg;
use crate::crypto::{b64url, b64url_decode};

/// A private key that signs; it knows its public half as a JWK.
pub enum Signer {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
    EdDsa(Ed25519KeyPair),
}

/// Why a key could not be made or read; says nothing about the key itself.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MaterialError(&'static str);

impl Signer {
    /// A new key pair and its PKCS#8 encoding, to be stored.
    pub fn generate(alg: Alg, rsa_bits: u32) -> Result<(Signer, Vec<u8>), MaterialError> {
        let rng = SystemRandom::new();
        let pkcs8 = match alg {
            Alg::Es256 => EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| MaterialError("cannot generate a P-256 key"))?
                .as_ref()
                .to_vec(),
            Alg::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| MaterialError("cannot generate an Ed25519 key"))?.as_ref().to_vec(),
            // ring signs with RSA keys but does not make them.
            Alg::Rs256 => {
                use rsa::pkcs8::EncodePrivateKey;
                let key = rsa::RsaPrivateKey::new(&mut rand::rng(), rsa_bits as usize).map_err(|_| MaterialError("cannot generate an RSA key"))?;
                key.to_pkcs8_der().map_err(|_| MaterialError("cannot encode the RSA key"))?.as_bytes().to_vec()
            }
        };
        Ok((Signer::from_der(alg, &pkcs8)?, pkcs8))
    }

    /// Reads a stored private key: PKCS#8, or for P-256 also SEC1 (`ECPrivateKey`),
    /// the form keys made by earlier versions (through OpenSSL) were stored in.
    pub fn from_der(alg: Alg, der: &[u8]) -> Result<Signer, MaterialError> {
        let unreadable = |_| MaterialError("unreadable private key");
        match alg {
            Alg::Es256 => {
                let rng = SystemRandom::new();
                let p256 = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
                let pair = EcdsaKeyPair::from_pkcs8(p256, der, &rng).or_else(|_| EcdsaKeyPair::from_pkcs8(p256, &sec1_to_pkcs8(der), &rng));
                Ok(Signer::Es256(pair.map_err(unreadable)?))
            }
            Alg::Rs256 => Ok(Signer::Rs256(RsaKeyPair::from_pkcs8(der).map_err(unreadable)?)),
            Alg::EdDsa => Ok(Signer::EdDsa(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(unreadable)?)),
        }
    }

    pub fn alg(&self) -> Alg {
        match self {
            Signer::Es256(_) => Alg::Es256,
            Signer::Rs256(_) => Alg::Rs256,
            Signer::EdDsa(_) => Alg::EdDsa,
        }
    }

    /// The public key as a JWK: only the members RFC 7638 thumbprints cover.
    pub fn public_jwk(&self) -> Map<String, Value> {
        let members = match self {
            Signer::Es256(pair) => {
                // An uncompressed point: 0x04, then x and y.
                let point = pair.public_key().as_ref();
                vec![("kty", "EC".into()), ("crv", "P-256".into()), ("x", b64url(&point[1..33])), ("y", b64url(&point[33..65]))]
            }
            Signer::Rs256(pair) => {
                let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                vec![("kty", "RSA".into()), ("n", b64url(&public.n)), ("e", b64url(&public.e))]
            }
            Signer::EdDsa(pair) => vec![("kty", "OKP".into()), ("crv", "Ed25519".into()), ("x", b64url(pair.public_key().as_ref()))],
        };
        members.into_iter().map(|(name, value)| (name.to_string(), Value::String(value))).collect()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, MaterialError> {
        let failed = |_| MaterialError("signing failed");
        match self {
            Signer::Es256(pair) => Ok(pair.sign(&SystemRandom::new(), message).map_err(failed)?.as_ref().to_vec()),
            Signer::Rs256(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).map_err(failed)?;
                Ok(signature)
            }
            Signer::EdDsa(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// A public key that verifies signatures.
pub enum Verifier {
    /// P-256, as an uncompressed point.
    Ec(Vec<u8>),
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ed25519(Vec<u8>),
}

impl Verifier {
    /// The key a public JWK describes (its other members are the caller's to check).
    pub fn from_jwk(jwk: &Map<String, Value>) -> Option<Verifier> {
        let member = |name: &str| jwk.get(name).and_then(Value::as_str).and_then(b64url_decode);
        match (jwk.get("kty")?.as_str()?, jwk.get("crv").and_then(Value::as_str)) {
            ("EC", Some("P-256")) => {
                let (x, y) = (member("x")?, member("y")?);
                (x.len() == 32 && y.len() == 32).then(|| Verifier::Ec([&[4u8][..], &x, &y].concat()))
            }
            ("RSA", _) => Some(Verifier::Rsa { n: member("n")?, e: member("e")? }),
            ("OKP", Some("Ed25519")) => member("x").filter(|x| x.len() == 32).map(Verifier::Ed25519),
            _ => None,
        }
    }

    /// Whether `signature` is this key's, under JWS algorithm `alg`, over `message`.
    /// `Ed25519` (RFC 9864's fully specified name) is EdDSA with an Ed25519 key.
    pub fn verify(&self, alg: &str, message: &[u8], signature: &[u8]) -> bool {
        match (self, alg) {
            (Verifier::Ec(point), "ES256") => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(message, signature).is_ok(),
            (Verifier::Rsa { n, e }, "RS256" | "PS256") => {
                let params = if alg == "RS256" { &signature::RSA_PKCS1_2048_8192_SHA256 } else { &signature::RSA_PSS_2048_8192_SHA256 };
                RsaPublicKeyComponents { n, e }.verify(params, message, signature).is_ok()
            }
            (Verifier::Ed25519(x), "EdDSA" | "Ed25519") => UnparsedPublicKey::new(&signature::ED25519, x).verify(message, signature).is_ok(),
            _ => false,
        }
    }
}

/// `payload` signed by `signer` in the compact form, under a header of its algorithm,
/// `typ` and `kid`.
pub fn sign(signer: &Signer, typ: &str, kid: &str, payload: &[u8]) -> Result<String, MaterialError> {
    let header = json!({ "alg": signer.alg().name(), "typ": typ, "kid": kid }).to_string();
    let mut jwt = format!("{}.{}", b64url(header.as_bytes()), b64url(payload));
    let signature = signer.sign(jwt.as_bytes())?;
    jwt.push('.');
    jwt.push_str(&b64url(&signature));
    Ok(jwt)
}

/// A compact JWS taken apart, its signature not yet checked.
pub struct Parts<'a> {
    pub header: Map<String, Value>,
    /// The signing input: the encoded header and payload.
    pub signed: &'a str,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Parts<'_> {
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// Whether `verifier` made the signature, under the header's algorithm.
    pub fn verified_by(&self, verifier: &Verifier) -> bool {
        self.alg().is_some_and(|alg| verifier.verify(alg, self.signed.as_bytes(), &self.signature))
    }
}

/// Splits a compact JWS. `None` unless it has three base64url parts and a JSON object
/// header without `crit` (extensions oneid does not understand must not be ignored,
/// RFC 7515 §4.1.11).
pub fn parse(jwt: &str) -> Option<Parts<'_>> {
    let (signed, signature) = jwt.rsplit_once('.')?;
    let (header, payload) = signed.split_once('.')?;
    let header: Map<String, Value> = serde_json::from_slice(&b64url_decode(header)?).ok()?;
    if header.contains_key("crit") {
        return None;
    }
    Some(Parts { header, signed, payload: b64url_decode(payload)?, signature: b64url_decode(signature)? })
}

/// Wraps a SEC1 P-256 private key in PKCS#8 (RFC 5208): version 0, the EC public key
/// algorithm on curve P-256, and the key as an octet string.
fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    const ALGORITHM: &[u8] = &[
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    let key = der(0x04, sec1);
    der(0x30, &[&[0x02, 0x01, 0x00][..], ALGORITHM, &key].concat())
}

/// One DER element: tag, definite length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use josekit::jwk::{Jwk, KeyPair};
    use josekit::jws::{EdDSA, ES256, JwsVerifier, RS256};

    /// Keys made through OpenSSL and stored as earlier versions stored them still
    /// sign, and an independent library verifies the result with the published JWK.
    #[test]
    fn keys_stored_by_earlier_versions_sign_tokens_others_verify() {
        let made: Vec<(Alg, Box<dyn KeyPair>)> = vec![
            (Alg::Es256, Box::new(ES256.generate_key_pair().unwrap())),
            (Alg::Rs256, Box::new(RS256.generate_key_pair(2048).unwrap())),
            (Alg::EdDsa, Box::new(EdDSA.generate_key_pair(josekit::jwk::alg::ed::EdCurve::Ed25519).unwrap())),
        ];
        for (alg, pair) in made {
            if alg == Alg::Es256 {
                let pkcs8 = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pair.to_der_private_key(), &SystemRandom::new());
                assert!(pkcs8.is_err(), "earlier versions stored P-256 keys as SEC1, not PKCS#8");
            }
            let signer = Signer::from_der(alg, &pair.to_der_private_key()).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            let jwk = signer.public_jwk();
            let thumbprint = super::super::thumbprint::of;
            assert_eq!(thumbprint(&jwk), thumbprint(pair.to_jwk_public_key().as_ref()), "{alg:?}: the same public key");
            let jwt = sign(&signer, "JWT", "k1", b"{\"sub\":\"a\"}").unwrap();
            let theirs = Jwk::from_map(jwk.clone()).unwrap();
            let verifier: Box<dyn JwsVerifier> = match alg {
                Alg::Es256 => Box::new(ES256.verifier_from_jwk(&theirs).unwrap()),
                Alg::Rs256 => Box::new(RS256.verifier_from_jwk(&theirs).unwrap()),
                Alg::EdDsa => Box::new(EdDSA.verifier_from_jwk(&theirs).unwrap()),
            };
            let (payload, header) = josekit::jws::deserialize_compact(&jwt, verifier.as_ref()).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_eq!(payload, b"{\"sub\":\"a\"}");
            assert_eq!(header.key_id(), Some("k1"));
            // And ours verifies it, and nothing else.
            let parts = parse(&jwt).unwrap();
            let ours = Verifier::from_jwk(&jwk).unwrap();
            assert!(parts.verified_by(&ours), "{alg:?}");
            let mut tampered = jwt.clone();
            tampered.insert(jwt.find('.').unwrap() + 1, 'e');
            assert!(!parse(&tampered).is_some_and(|p| p.verified_by(&ours)), "{alg:?}: tampered payload");
        }
    }

    #[test]
    fn new_keys_round_trip_through_their_stored_form() {
        for alg in [Alg::Es256, Alg::Rs256, Alg::EdDsa] {
            let (signer, pkcs8) = Signer::generate(alg, 2048).unwrap();
            let again = Signer::from_der(alg, &pkcs8).unwrap();
            assert_eq!(signer.public_jwk(), again.public_jwk(), "{alg:?}");
            let jwt = sign(&again, "JWT", "k", b"{}").unwrap();
            assert!(parse(&jwt).unwrap().verified_by(&Verifier::from_jwk(&signer.public_jwk()).unwrap()), "{alg:?}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        let (signer, _) = Signer::generate(Alg::Es256, 2048).unwrap();
        let verifier = Verifier::from_jwk(&signer.public_jwk()).unwrap();
        let jwt = sign(&signer, "JWT", "k", b"{}").unwrap();
        let parts = parse(&jwt).unwrap();
        // The algorithm is the key's: an RSA or HMAC name does not apply to it.
        for alg in ["RS256", "HS256", "none", "EdDSA"] {
            assert!(!verifier.verify(alg, parts.signed.as_bytes(), &parts.signature), "{alg}");
        }
        let crit = format!("{}.e30.{}", b64url(br#"{"alg":"ES256","crit":["exp"],"exp":1}"#), jwt.rsplit('.').next().unwrap());
        assert!(parse(&crit).is_none());
        assert!(parse("a.b").is_none() && parse("!.e30.x").is_none());
        let short = json!({ "kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA" });
        assert!(Verifier::from_jwk(short.as_object().unwrap()).is_none());
    }
}
