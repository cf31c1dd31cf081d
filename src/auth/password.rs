//! Password hashing: argon2id, computed off the async runtime on a fixed set of hashing
//! threads, one per hash that may run at once. Waiting callers are bounded too: past the
//! queue limit the caller is told to come back later instead of the server growing memory.
//!
//! The threads take the next check straight from the queue when they finish one. Handing
//! each check to a blocking task through a semaphore instead left a core idle at every
//! hand-over (the permit's waiter must be woken, polled and its task started): 3 to 5 %
//! of the CPU under a stream of sign-ins.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

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

/// Argon2 working memory, one per hashing thread and kept for its next hash: allocating
/// and faulting in 19 MiB afresh for every check cost about a fifth of a sign-in's CPU.
type Memory = Vec<Block>;

/// A hash or check, run on a hashing thread with that thread's working memory.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

pub struct Hasher {
    params: Params,
    /// The queue the hashing threads take from; they end when the `Hasher` is dropped.
    jobs: SyncSender<Job>,
    /// Verified against when the account does not exist, so that unknown and known
    /// users take the same time (see [`unmatchable`]).
    dummy: String,
}

impl Hasher {
    pub fn new(config: &HashingConfig, concurrency: usize) -> Result<Hasher, HashError> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
            .map_err(|e| HashError::Failed(e.to_string()))?;
        let dummy = unmatchable(&params);
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(config.queue);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("oneid-hash-{i}")).spawn(move || hashing_thread(&queue)).map_err(|e| HashError::Failed(e.to_string()))?;
        }
        Ok(Hasher { params, jobs, dummy })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.run(move |memory| hash_in(memory, &params, password.as_bytes())).await?
    }

    /// Checks `password` against `hash`, or against a dummy hash when there is none.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<Verification, HashError> {
        let params = self.params.clone();
        let (hash, real) = match hash {
            Some(hash) => (hash, true),
            None => (self.dummy.clone(), false),
        };
        self.run(move |memory| {
            let ok = verify_in(memory, password.as_bytes(), &hash) && real;
            let rehash = if ok && !same_params(&hash, &params) { hash_in(memory, &params, password.as_bytes()).ok() } else { None };
            Verification { ok, rehash }
        })
        .await
    }

    /// Queues `work` for a hashing thread and waits for its answer; `Busy` when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Memory) -> T + Send + 'static) -> Result<T, HashError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // A caller that went away (its client hung up) needs no answer: skip the work.
            if !answer.is_closed() {
                let _ = answer.send(work(memory));
            }
        });
        metrics::gauge!("oneid_hashing_queue").increment(1.0);
        if let Err(e) = self.jobs.try_send(job) {
            metrics::gauge!("oneid_hashing_queue").decrement(1.0);
            return Err(match e {
                TrySendError::Full(_) => {
                    metrics::counter!("oneid_hashing_rejected_total").increment(1);
                    HashError::Busy
                }
                TrySendError::Disconnected(_) => HashError::Failed("no hashing thread is running".into()),
            });
        }
        answered.await.map_err(|_| HashError::Failed("the hashing thread gave no answer".into()))
    }
}

/// One hashing thread: takes the queue's next job as soon as it is free, until the
/// [`Hasher`] is dropped. A job that panics loses its answer (its caller is told the
/// hashing failed), not the thread.
fn hashing_thread(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Memory::new();
    loop {
        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(job) = next else { return };
        metrics::gauge!("oneid_hashing_queue").decrement(1.0);
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
            memory = Memory::new();
        }
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
        let mut memory = Memory::new();
        let mut runs = Vec::new();
        for _ in 0..3 {
            let started = std::time::Instant::now();
            hash_in(&mut memory, &params, b"a benchmark password")?;
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

/// Whether `password` matches the argon2id PHC string `hash`, computed in `memory`; the
/// comparison takes constant time.
fn verify_in(memory: &mut Memory, password: &[u8], hash: &str) -> bool {
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
fn hash_in(memory: &mut Memory, params: &Params, password: &[u8]) -> Result<String, HashError> {
    let salt: [u8; 16] = rand::random();
    let mut output = [0u8; 32];
    with_memory(memory, params.block_count(), |blocks| Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(password, &salt, &mut output, blocks))
        .map_err(|e| HashError::Failed(e.to_string()))?;
    Ok(phc(params, &salt, &output))
}

/// Runs `work` on the first `blocks` blocks of `memory`, grown to that size if needed.
fn with_memory<T>(memory: &mut Memory, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    work(&mut memory[..blocks])
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
    async fn checks_run_on_the_hashing_threads_and_damaged_hashes_never_match() {
        let h = Arc::new(hasher(8 * 1024));
        let hash = h.hash("correct horse".into()).await.unwrap();
        let checks: Vec<_> = (0..6).map(|_| { let (h, hash) = (h.clone(), hash.clone()); tokio::spawn(async move { h.verify(Some(hash), "correct horse".into()).await }) }).collect();
        for check in checks {
            assert!(check.await.unwrap().unwrap().ok);
        }
        let thread = h.run(|_| std::thread::current().name().map(str::to_string)).await.unwrap();
        assert!(thread.is_some_and(|name| name.starts_with("oneid-hash-")), "not on a hashing thread");
        // Another algorithm's or a damaged hash never matches.
        let mut memory = Memory::new();
        assert!(!verify_in(&mut memory, b"correct horse", &hash.replace("argon2id", "argon2i")));
        assert!(!verify_in(&mut memory, b"correct horse", "$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ$"));
        assert!(verify_in(&mut memory, b"correct horse", &hash));
    }

    #[tokio::test]
    async fn work_whose_caller_went_away_is_skipped_and_a_panic_spares_the_thread() {
        let config = HashingConfig { memory_kib: 8 * 1024, queue: 8, ..HashingConfig::default() };
        let h = Arc::new(Hasher::new(&config, 1).unwrap());
        // Hold the only thread until the abandoned jobs are queued behind it.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, holds) = tokio::sync::oneshot::channel();
        let holding = { let h = h.clone(); tokio::spawn(async move { h.run(move |_| started.send(()).is_ok() && held.recv().is_ok()).await }) };
        holds.await.unwrap();
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..3 {
            let ran = ran.clone();
            // The first poll queues the job; the zero timeout then drops the caller.
            let abandoned = tokio::time::timeout(std::time::Duration::ZERO, h.run(move |_| ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst))).await;
            assert!(abandoned.is_err());
        }
        release.send(()).unwrap();
        assert!(holding.await.unwrap().unwrap());
        assert!(matches!(h.run(|_| panic!("a job that panics")).await, Err(HashError::Failed(_))));
        assert!(h.verify(None, "x".into()).await.is_ok(), "the thread outlives a panicking job");
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 0, "abandoned jobs ran");
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
