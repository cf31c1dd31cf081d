//! Reference handlers for the load benchmark: bare axum endpoints that do only the named
//! work, so oneid's figures can be stated as ratios measured on the same machine in the
//! same run (shared/design.md, performance budgets).
//!
//! `cargo bench --bench reference -- ADDRESS DATA_DIR` serves:
//!   GET  /empty   nothing at all
//!   GET  /bytes?n=N  N precomputed bytes (what discovery and JWKS do)
//!   POST /sign    parse a token-request form, sign one ES256 JWT (with the JWS code
//!                 oneid signs with: ring under a thin compact-form layer)
//!   POST /verify  parse a form, verify one ES256 JWT
//!   POST /insert  parse a form, insert one row into SQLite (WAL, synchronous=NORMAL,
//!                 one writer connection), as oneid stores its rows
//!   POST /argon2  parse a form, verify one password against an argon2id hash with
//!                 oneid's default parameters, on blocking threads, one per core, in
//!                 working memory each thread keeps

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use oneid::keys::Alg;
use oneid::keys::jws::{self, Signer, Verifier};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

struct Reference {
    hash: String,
    hashing: tokio::sync::Semaphore,
    signer: Signer,
    verifier: Verifier,
    token: String,
    db: DatabaseConnection,
}

fn form_fields(body: &[u8]) -> usize {
    form_urlencoded::parse(body).count()
}

async fn empty() -> &'static str {
    ""
}

static BYTES: [u8; 65536] = [b'x'; 65536];

async fn bytes(axum::extract::RawQuery(query): axum::extract::RawQuery) -> &'static [u8] {
    let n = query.as_deref().and_then(|q| q.strip_prefix("n=")).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    &BYTES[..n.min(BYTES.len())]
}

async fn sign(State(r): State<Arc<Reference>>, body: Bytes) -> String {
    let fields = form_fields(&body);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let payload = serde_json::json!({
        "iss": "http://localhost", "sub": "client", "aud": "http://localhost", "exp": now + 600, "iat": now,
        "jti": oneid::crypto::random_token(), "client_id": "client", "scope": "api", "fields": fields,
    });
    let jwt = jws::sign(&r.signer, "at+jwt", "reference", payload.to_string().as_bytes()).unwrap_or_default();
    format!("{{\"access_token\":\"{jwt}\",\"token_type\":\"Bearer\",\"expires_in\":600}}")
}

async fn verify(State(r): State<Arc<Reference>>, body: Bytes) -> String {
    form_fields(&body);
    let ok = jws::parse(&r.token).is_some_and(|parts| parts.verified_by(&r.verifier));
    format!("{{\"active\":{ok}}}")
}

async fn insert(State(r): State<Arc<Reference>>, body: Bytes) -> String {
    form_fields(&body);
    let statement = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO rows (id, value, created_at) VALUES (?, ?, ?)",
        [oneid::crypto::random_token().into(), "reference".into(), 0i64.into()],
    );
    match r.db.execute_raw(statement).await {
        Ok(_) => "{}".to_string(),
        Err(e) => format!("{{\"error\":\"{e}\"}}"),
    }
}

async fn argon2(State(r): State<Arc<Reference>>, body: Bytes) -> String {
    form_fields(&body);
    let Ok(_permit) = r.hashing.acquire().await else { return "{}".into() };
    let hash = r.hash.clone();
    let ok = tokio::task::spawn_blocking(move || verify_argon2(&hash)).await.unwrap_or(false);
    format!("{{\"ok\":{ok}}}")
}

thread_local! {
    /// Working memory kept per thread: what all cores can do, without allocating.
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn verify_argon2(hash: &str) -> bool {
    let parsed = argon2::PasswordHash::new(hash).expect("hash");
    let params = argon2::Params::try_from(&parsed).expect("params");
    let (salt, expected) = (parsed.salt.expect("salt"), parsed.hash.expect("output"));
    let mut out = vec![0u8; expected.as_bytes().len()];
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), argon2::Block::default());
        let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        hasher.hash_password_into_with_memory(b"reference password", salt.as_ref(), &mut out, &mut memory[..]).is_ok() && out == expected.as_bytes()
    })
}

/// An argon2id hash with oneid's defaults (19 MiB, 2 passes, 1 lane).
fn reference_hash() -> String {
    use argon2::PasswordHasher;
    let config = oneid::config::Config::default().hashing;
    let params = argon2::Params::new(config.memory_kib, config.iterations, config.parallelism, None).expect("params");
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    hasher.hash_password(b"reference password").expect("hash").to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let (Some(address), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: cargo bench --bench reference -- ADDRESS DATA_DIR   (run by benches/load.sh)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let (signer, _) = Signer::generate(Alg::Es256, 2048).expect("key pair");
        let verifier = Verifier::from_jwk(&signer.public_jwk()).expect("verifier");
        let token = jws::sign(&signer, "JWT", "reference", br#"{"sub":"reference","exp":9999999999}"#).expect("token");
        let url = format!("sqlite://{dir}/reference.db");
        let mut options = ConnectOptions::new(url);
        options.max_connections(1).min_connections(1).sqlx_logging(false).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
        let db = Database::connect(options).await.expect("sqlite");
        db.execute_unprepared("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, value TEXT NOT NULL, created_at BIGINT NOT NULL)")
            .await
            .expect("table");
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let state = Arc::new(Reference { hash: reference_hash(), hashing: tokio::sync::Semaphore::new(cores), signer, verifier, token, db });
        let app = Router::new()
            .route("/empty", get(empty))
            .route("/bytes", get(bytes))
            .route("/sign", post(sign))
            .route("/verify", post(verify))
            .route("/insert", post(insert))
            .route("/argon2", post(argon2))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind(address.as_str()).await.expect("bind");
        eprintln!("reference server on {address}");
        axum::serve(listener, app).await.expect("serve");
    });
}
