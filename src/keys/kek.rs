//! The key-encryption key: protects private signing keys (and, later, other secrets
//! at rest) with AES-256-GCM. It comes from `keys.master_key` or from a file that the
//! first start creates with mode 0600; every instance of a deployment needs the same one.

use std::io::Write;
use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce, Payload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::crypto;

const FORMAT: &str = "v1:";

#[derive(Clone)]
pub struct Kek([u8; 32]);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KekError {
    #[error("the master key must be 32 bytes in base64")]
    Malformed,
    #[error("cannot read or create the master key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("a secret could not be decrypted: is the master key the one it was encrypted with?")]
    Decrypt,
}

pub fn parse_master_key(text: &str) -> Result<Kek, KekError> {
    let bytes = STANDARD.decode(text.trim()).map_err(|_| KekError::Malformed)?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| KekError::Malformed)?;
    Ok(Kek(key))
}

impl Kek {
    /// The configured key, else the key file, which is created when `create` is set.
    pub fn load(configured: Option<&str>, file: &Path, create: bool) -> Result<Kek, KekError> {
        if let Some(text) = configured {
            return parse_master_key(text);
        }
        let io = |source| KekError::Io { path: file.display().to_string(), source };
        match std::fs::read_to_string(file) {
            Ok(text) => parse_master_key(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let key: [u8; 32] = rand::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(file) {
                    Ok(mut f) => {
                        f.write_all(format!("{}\n", STANDARD.encode(key)).as_bytes()).map_err(io)?;
                        Ok(Kek(key))
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Kek::load(None, file, false),
                    Err(e) => Err(io(e)),
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Encrypts `plaintext`, bound to `context` (for example a key id) so that a
    /// ciphertext cannot be moved to another row.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> String {
        let cipher = self.cipher();
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::<Aes256Gcm>::from(nonce_bytes);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .unwrap_or_else(|_| unreachable!("AES-GCM encryption cannot fail for small inputs"));
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        format!("{FORMAT}{}", STANDARD.encode(out))
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, KekError> {
        let bytes = sealed.strip_prefix(FORMAT).and_then(|b| STANDARD.decode(b).ok()).ok_or(KekError::Decrypt)?;
        if bytes.len() < 12 + 16 {
            return Err(KekError::Decrypt);
        }
        let (nonce_bytes, ciphertext) = bytes.split_at(12);
        let nonce_bytes: [u8; 12] = nonce_bytes.try_into().map_err(|_| KekError::Decrypt)?;
        let nonce = Nonce::<Aes256Gcm>::from(nonce_bytes);
        self.cipher().decrypt(&nonce, Payload { msg: ciphertext, aad: context.as_bytes() }).map_err(|_| KekError::Decrypt)
    }

    /// A key for another purpose, derived so that it never equals the master key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        crypto::hmac_sha256(&self.0, format!("oneid/{purpose}/v1").as_bytes())
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("the key is 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_bound_to_context() {
        let kek = Kek([7; 32]);
        let sealed = kek.seal("kid-1", b"private key");
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), b"private key");
        assert!(kek.open("kid-2", &sealed).is_err());
        assert!(Kek([8; 32]).open("kid-1", &sealed).is_err());
    }

    #[test]
    fn key_file_is_created_once_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys/master.key");
        let a = Kek::load(None, &file, true).unwrap();
        let b = Kek::load(None, &file, true).unwrap();
        assert_eq!(a.0, b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(Kek::load(None, &dir.path().join("missing.key"), false).is_err());
    }
}
