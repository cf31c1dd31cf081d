//! Password hashing: argon2id, computed off the async runtime on a bounded number of
//! blocking threads. Waiting callers are bounded too: past the queue limit the caller is
//! told to come back later instead of the server growing memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use tokio::sync::Semaphore;

use crate::config::HashingConfig;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password checks in progress")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

pub struct Verification {
    pub ok: bool,
    /// The stored hash was made with other parameters; store a fresh one.
    pub rehash: Option<String>,
}

/// Argon2 working memory kept for the next hash or check: one block vector per hash
/// running at once, so at most `concurrency` of them. Allocating and faulting in 19 MiB
/// afresh for every check cost about a fifth of a sign-in's CPU.
type Memory = Arc<std::sync::Mutex<Vec<Vec<argon2::Block>>>>;

pub struct Hasher {
    params: Params,
    memory: Memory,
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Verified against when the account does not exist, so that unknown and known
    /// users take the same time (see [`unmatchable`]).
    dummy: String,
}

impl Hasher {
    pub fn new(config: &HashingConfig, concurrency: usize) -> Result<Hasher, HashError> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
            .map_err(|e| HashError::Failed(e.to_string()))?;
        let dummy = unmatchable(&params);
        Ok(Hasher {
            params,
            memory: Memory::default(),
            running: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting: config.queue,
            dummy,
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let (params, memory) = (self.params.clone(), self.memory.clone());
        self.run(move || hash_in(&memory, &params, password.as_bytes())).await?
    }

    /// Checks `password` against `hash`, or against a dummy hash when there is none.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<Verification, HashError> {
        let params = self.params.clone();
        let memory = self.memory.clone();
        let (hash, real) = match hash {
            Some(hash) => (hash, true),
            None => (self.dummy.clone(), false),
        };
        self.run(move || {
            let ok = verify_in(&memory, password.as_bytes(), &hash) && real;
            let rehash = if ok && !same_params(&hash, &params) { hash_in(&memory, &params, password.as_bytes()).ok() } else { None };
            Verification { ok, rehash }
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            metrics::counter!("oneid_hashing_rejected_total").increment(1);
            return Err(HashError::Busy);
        }
        metrics::gauge!("oneid_hashing_queue").increment(1.0);
        let permit = self.running.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        metrics::gauge!("oneid_hashing_queue").decrement(1.0);
        let permit = permit.map_err(|e| HashError::Failed(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))
    }
}

/// What `oneid argon2-tune` found: the passes that take about the target time at the
/// given memory and lanes, and the time one hash took with them.
pub struct Tuning {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub millis: f64,
    /// (passes, milliseconds) as measured on the way.
    pub measured: Vec<(u32, f64)>,
}

/// Finds the number of passes at which one argon2id hash with `memory_kib` and
/// `parallelism` lanes takes about `target_ms` on this machine (median of three runs;
/// never fewer than 2 passes, OWASP's minimum at 19 MiB). Memory stays as given: it
/// is what bounds the server's RSS per concurrent hash.
pub fn tune(target_ms: f64, memory_kib: u32, parallelism: u32) -> Result<Tuning, HashError> {
    let time = |iterations: u32| -> Result<f64, HashError> {
        let params = Params::new(memory_kib, iterations, parallelism, None).map_err(|e| HashError::Failed(e.to_string()))?;
        // Memory kept between runs, as the server keeps it.
        let memory = Memory::default();
        let mut runs = Vec::new();
        for _ in 0..3 {
            let started = std::time::Instant::now();
            hash_in(&memory, &params, b"a benchmark password")?;
            runs.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        runs.sort_by(f64::total_cmp);
        Ok(runs[1])
    };
    let mut measured = Vec::new();
    let one = time(1)?;
    measured.push((1, one));
    // Time grows linearly with passes: estimate, then measure around the estimate.
    let mut iterations = ((target_ms / one).round() as u32).clamp(2, 64);
    loop {
        let millis = time(iterations)?;
        measured.push((iterations, millis));
        let better = if millis > target_ms * 1.1 && iterations > 2 { Some(iterations - 1) } else if millis < target_ms * 0.9 && iterations < 64 { Some(iterations + 1) } else { None };
        match better {
            Some(next) if !measured.iter().any(|(t, _)| *t == next) => iterations = next,
            _ => {
                // Of what was measured, the closest to the target (at least 2 passes).
                let (iterations, millis) = measured.iter().filter(|(t, _)| *t >= 2).min_by(|a, b| (a.1 - target_ms).abs().total_cmp(&(b.1 - target_ms).abs())).copied().unwrap_or((iterations, millis));
                return Ok(Tuning { memory_kib, iterations, parallelism, millis, measured });
            }
        }
    }
}

/// Whether `password` matches the argon2id PHC string `hash`, computed in memory taken
/// from (and given back to) `memory`; the comparison takes constant time.
fn verify_in(memory: &Memory, password: &[u8], hash: &str) -> bool {
    use subtle::ConstantTimeEq;
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let version = parsed.version.map_or(Ok(Version::V0x13), Version::try_from);
    let (Ok(params), Ok(version), Some(salt), Some(expected)) = (Params::try_from(&parsed), version, parsed.salt, parsed.hash) else { return false };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    let mut out = vec![0u8; expected.as_bytes().len()];
    let computed = with_memory(memory, params.block_count(), |blocks| Argon2::new(Algorithm::Argon2id, version, params).hash_password_into_with_memory(password, salt.as_ref(), &mut out, blocks));
    computed.is_ok() && bool::from(out.ct_eq(expected.as_bytes()))
}

/// An argon2id hash of `password` with a new random salt, in the PHC string format.
fn hash_in(memory: &Memory, params: &Params, password: &[u8]) -> Result<String, HashError> {
    let salt: [u8; 16] = rand::random();
    let mut output = [0u8; 32];
    with_memory(memory, params.block_count(), |blocks| Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(password, &salt, &mut output, blocks))
        .map_err(|e| HashError::Failed(e.to_string()))?;
    Ok(phc(params, &salt, &output))
}

/// Runs `work` on `blocks` blocks of working memory taken from (and given back to) `memory`.
fn with_memory<T>(memory: &Memory, blocks: usize, work: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    let mut buffer = memory.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default();
    if buffer.len() < blocks {
        buffer.resize(blocks, argon2::Block::default());
    }
    let result = work(&mut buffer[..blocks]);
    memory.lock().unwrap_or_else(|p| p.into_inner()).push(buffer);
    result
}

/// The PHC string format (standard base64 without padding), as argon2 implementations read it.
fn phc(params: &Params, salt: &[u8], output: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!("$argon2id$v=19$m={},t={},p={}${}${}", params.m_cost(), params.t_cost(), params.p_cost(), b64.encode(salt), b64.encode(output))
}

/// A hash of no password: a random salt and a random output under `params`. Checking a
/// password against it costs what checking a real hash does, and never succeeds; and
/// making it costs nothing (hashing a dummy password at start took a whole argon2 run
/// and 19 MiB).
fn unmatchable(params: &Params) -> String {
    let (salt, output): ([u8; 16], [u8; 32]) = (rand::random(), rand::random());
    phc(params, &salt, &output)
}

fn same_params(hash: &str, params: &Params) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let Ok(stored) = Params::try_from(&parsed) else { return false };
    parsed.algorithm.as_str() == "argon2id"
        && stored.m_cost() == params.m_cost()
        && stored.t_cost() == params.t_cost()
        && stored.p_cost() == params.p_cost()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(memory_kib: u32) -> Hasher {
        let config = HashingConfig { memory_kib, ..HashingConfig::default() };
        Hasher::new(&config, 2).unwrap()
    }

    #[tokio::test]
    async fn verifies_and_rehashes_when_parameters_change() {
        let old = hasher(8 * 1024);
        let hash = old.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        // Readable by the argon2 crate's own verifier, as by any other PHC reader.
        use argon2::PasswordVerifier;
        assert!(Argon2::default().verify_password(b"correct horse", &PasswordHash::new(&hash).unwrap()).is_ok());
        assert!(Argon2::default().verify_password(b"correct horsE", &PasswordHash::new(&hash).unwrap()).is_err());
        let same = old.verify(Some(hash.clone()), "correct horse".into()).await.unwrap();
        assert!(same.ok && same.rehash.is_none());
        assert!(!old.verify(Some(hash.clone()), "wrong".into()).await.unwrap().ok);

        let new = hasher(9 * 1024);
        let checked = new.verify(Some(hash), "correct horse".into()).await.unwrap();
        assert!(checked.ok);
        let rehash = checked.rehash.expect("a new hash with the new parameters");
        assert!(new.verify(Some(rehash), "correct horse".into()).await.unwrap().ok);
    }

    #[tokio::test]
    async fn working_memory_is_reused_and_bounded_by_the_concurrency() {
        let h = Arc::new(hasher(8 * 1024));
        let hash = h.hash("correct horse".into()).await.unwrap();
        let checks: Vec<_> = (0..6).map(|_| { let (h, hash) = (h.clone(), hash.clone()); tokio::spawn(async move { h.verify(Some(hash), "correct horse".into()).await }) }).collect();
        for check in checks {
            assert!(check.await.unwrap().unwrap().ok);
        }
        let kept = h.memory.lock().unwrap().len();
        assert!((1..=2).contains(&kept), "{kept} buffers for 2 hashes at once");
        // Another algorithm's or a damaged hash never matches.
        assert!(!verify_in(&h.memory, b"correct horse", &hash.replace("argon2id", "argon2i")));
        assert!(!verify_in(&h.memory, b"correct horse", "$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ$"));
    }

    #[tokio::test]
    async fn no_hash_never_verifies_yet_costs_a_full_check() {
        let h = hasher(8 * 1024);
        assert!(!h.verify(None, "oneid-dummy-password".into()).await.unwrap().ok);
        assert!(!h.verify(None, String::new()).await.unwrap().ok);
        // A well-formed argon2id hash with the configured cost, so checking against it
        // runs the whole computation.
        assert!(same_params(&h.dummy, &h.params), "{}", h.dummy);
        let parsed = PasswordHash::new(&h.dummy).unwrap();
        assert_eq!((parsed.salt.unwrap().len(), parsed.hash.unwrap().len()), (16, 32));
        assert_ne!(h.dummy, hasher(8 * 1024).dummy, "a salt of its own");
    }

    #[tokio::test]
    async fn queue_limit_answers_busy() {
        let config = HashingConfig { memory_kib: 8 * 1024, queue: 1, ..HashingConfig::default() };
        let h = Arc::new(Hasher::new(&config, 1).unwrap());
        let calls: Vec<_> = (0..8).map(|_| { let h = h.clone(); tokio::spawn(async move { h.hash("x".into()).await }) }).collect();
        let mut busy = 0;
        for call in calls {
            if matches!(call.await.unwrap(), Err(HashError::Busy)) {
                busy += 1;
            }
        }
        assert!(busy > 0, "some of 8 simultaneous hashes must be refused with a queue of 1");
    }
}
