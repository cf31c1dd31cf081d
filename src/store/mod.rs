//! Storage: the only module that talks to the database. It hands out plain row structs
//! and runs the few multi-statement changes (code redemption, refresh rotation, key
//! rotation) as transactions. SQLite runs in WAL mode with one writer connection and a
//! small reader pool; PostgreSQL uses one pool for both.

mod audit;
mod auth_requests;
mod brands;
mod clients;
mod codes;
mod consents;
mod device_codes;
mod entities;
mod export;
mod grants;
mod logout_deliveries;
mod maintenance;
mod one_time_tokens;
mod passkeys;
mod pictures;
mod pins;
mod request_counts;
mod revocations;
mod rotations;
mod second_factors;
mod sessions;
mod settings;
mod throttles;
mod totp;
mod trusted_devices;
mod signing_keys;
mod users;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use audit::{AuditEvent, AuditFilter};
pub use codes::Redemption;
pub use pins::PinAttempt;
pub use export::UserData;
pub use second_factors::CodeAttempt;
pub use throttles::Attempt;
pub use entities::audit_events::Model as AuditRecord;
pub use entities::brands::Model as BrandRecord;
pub use entities::authorization_codes::Model as CodeRecord;
pub use entities::authorization_requests::Model as AuthRequestRecord;
pub use entities::browser_sessions::Model as SessionRecord;
pub use entities::clients::Model as ClientRecord;
pub use entities::device_codes::Model as DeviceCodeRecord;
pub use device_codes::Approval;
pub use entities::consents::Model as ConsentRecord;
pub use entities::grants::Model as GrantRecord;
pub use entities::logout_deliveries::Model as LogoutDeliveryRecord;
pub use entities::one_time_tokens::Model as OneTimeTokenRecord;
pub use entities::passkeys::Model as PasskeyRecord;
pub use entities::pictures::Model as PictureRecord;
pub use entities::ceremonies::Model as CeremonyRecord;
pub use entities::pending_logins::Model as PendingLoginRecord;
pub use entities::recovery_codes::Model as RecoveryCodeRecord;
pub use entities::totp_credentials::Model as TotpRecord;
pub use entities::trusted_devices::Model as TrustedDeviceRecord;
pub use entities::refresh_tokens::Model as RefreshTokenRecord;
pub use entities::signing_keys::Model as SigningKeyRecord;
pub use entities::users::Model as User;
pub use grants::{RefreshLookup, Rotation};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing row ({constraint})")]
    Conflict { constraint: String },
    #[error("database: {0}")]
    Db(String),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(c)) => StoreError::Conflict { constraint: c },
            Some(SqlErr::ForeignKeyConstraintViolation(c)) => StoreError::Conflict { constraint: c },
            _ => match e {
                DbErr::RecordNotFound(_) | DbErr::RecordNotUpdated => StoreError::NotFound,
                other => StoreError::Db(other.to_string()),
            },
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone)]
pub struct Store {
    /// Reads, and on PostgreSQL also writes.
    read: DatabaseConnection,
    /// Writes: on SQLite a single connection, so writers queue in the pool instead of
    /// spinning on the database lock.
    write: DatabaseConnection,
    audit: audit::AuditWriter,
    rotations: rotations::RotationWriter,
    revocations: std::sync::Arc<revocations::Mirror>,
}

impl Store {
    /// Connects (creating a SQLite file and its folder when needed), without migrating.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Store> {
        if let Some(path) = sqlite_path(url) {
            if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Db(format!("cannot create {}: {e}", dir.display())))?;
            }
            // The writer first: it creates the file and switches it to WAL, which needs the
            // database to itself; the readers' pool then finds WAL already set (seen as
            // "database is locked" on first starts when the pool came first).
            let write = Database::connect(sqlite_options(url, 1)).await?;
            let read = Database::connect(sqlite_options(url, max_connections)).await?;
            let audit = audit::AuditWriter::start(write.clone());
            let rotations = rotations::RotationWriter::start(write.clone());
            Ok(Store { read, write, audit, rotations, revocations: Default::default() })
        } else {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(max_connections)
                .min_connections(1)
                // Connections are opened below, several at once.
                .connect_lazy(true)
                .acquire_timeout(Duration::from_secs(10))
                // A connection is checked (a round trip) only after it sat idle a while,
                // when the server or a firewall may have dropped it; not before every query.
                .test_before_acquire_if_idle_for(Duration::from_secs(30))
                .sqlx_logging(false);
            let pool = Database::connect(options).await?;
            open_at_once(pool.get_postgres_connection_pool(), max_connections.min(WARM_CONNECTIONS)).await?;
            let audit = audit::AuditWriter::start(pool.clone());
            let rotations = rotations::RotationWriter::start(pool.clone());
            Ok(Store { read: pool.clone(), write: pool, audit, rotations, revocations: Default::default() })
        }
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        Migrator::up(&self.write, None).await?;
        Ok(())
    }

    /// For `/readyz`: the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        self.read.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.write.get_database_backend() == DbBackend::Sqlite
    }

    /// A read-then-write transaction: `BEGIN IMMEDIATE` on SQLite so that it holds the
    /// write lock from the start and cannot fail half-way with a busy snapshot.
    async fn begin_write(&self) -> StoreResult<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.write.begin_with_options(options).await?)
    }
}

/// The SQL of a statement on a hot path, built by `build` on first use for each kind of
/// database and kept in `slots`: sea-orm would otherwise build it again on every call.
fn built_once(slots: &'static [std::sync::OnceLock<String>; 2], backend: sea_orm::DbBackend, build: impl FnOnce(sea_orm::DbBackend) -> String) -> &'static str {
    slots[usize::from(backend == sea_orm::DbBackend::Postgres)].get_or_init(|| build(backend))
}

/// PostgreSQL connections opened at start: the start's queries, the background tasks'
/// first rounds and the first requests then find one ready.
const WARM_CONNECTIONS: u32 = 3;

/// Opens `n` connections at the same time (each costs a TLS handshake and a server
/// process start: one after another, as the first queries would open them, they made
/// the start several times slower), and leaves them in the pool.
async fn open_at_once(pool: &sea_orm::sqlx::PgPool, n: u32) -> StoreResult<()> {
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..n {
        let pool = pool.clone();
        opening.spawn(async move { pool.acquire().await });
    }
    // Held until all are open, so that each acquire opens a connection of its own.
    let mut open = Vec::new();
    while let Some(done) = opening.join_next().await {
        let connection = done.map_err(|e| StoreError::Db(e.to_string()))?.map_err(|e| StoreError::Db(e.to_string()))?;
        open.push(connection);
    }
    Ok(())
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

fn sqlite_options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // Connections are never closed for idleness: reopening costs more than keeping.
        .idle_timeout(None)
        // A file does not drop connections: no ping (a round trip to the connection's
        // thread) before every query.
        .test_before_acquire(false)
        .max_lifetime(None)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                // 2 MiB of page cache per connection; the OS caches the file too.
                .pragma("cache_size", "-2000")
                .pragma("temp_store", "memory")
        });
    options
}
