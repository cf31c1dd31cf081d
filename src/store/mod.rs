//! Storage: the only module that talks to the database. It hands out plain row structs
//! and runs the few multi-statement changes (code redemption, refresh rotation, key
//! rotation) as transactions. SQLite runs in WAL mode with one writer connection and a
//! small reader pool; PostgreSQL uses one pool for both (`db`: pools of our own, which
//! sea-orm's queries run on).

mod audit;
mod auth_requests;
mod brands;
mod checkpoints;
mod clients;
mod codes;
mod consents;
mod db;
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

use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, SqlErr};

use db::Db;

pub use audit::{AuditEvent, AuditFilter};
pub use codes::Redemption;
pub use pins::PinAttempt;
pub use export::UserData;
pub use second_factors::CodeAttempt;
pub use throttles::Attempt;
pub use users::SignInName;
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
    read: Db,
    /// Writes: on SQLite a single connection, so writers queue in the pool instead of
    /// spinning on the database lock.
    write: Db,
    /// Writes of short-lived state whose loss in a database crash costs a person one more
    /// sign-in at most: pending authorization requests (stored and taken), attempt and
    /// request counters, new browser sessions, codes before their redemption. On
    /// PostgreSQL their commits do not wait for the disk, which spares a sign-in six of its
    /// seven flushes; on SQLite this is `write`, whose commits never wait for
    /// the disk (synchronous = NORMAL). What ends or revokes a credential (a logout, a
    /// session's new cookie, a code's redemption, a refresh token's rotation) and every
    /// other write stays on `write`, whose commit also makes every earlier one durable.
    transient: Db,
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
            // database to itself; the readers then find WAL already set (seen as
            // "database is locked" on first starts when the readers came first).
            let (write, writes) = Db::sqlite_writer(url, checkpoints::BACKSTOP)?;
            write.open(1).await?;
            checkpoints::start(Db::sqlite(url, 1)?, writes);
            let read = Db::sqlite(url, max_connections)?;
            read.open(1).await?;
            let audit = audit::AuditWriter::start(write.clone());
            let rotations = rotations::RotationWriter::start(write.clone());
            Ok(Store { read, transient: write.clone(), write, audit, rotations, revocations: Default::default() })
        } else {
            let pool = Db::postgres(url, max_connections)?;
            // The start's queries, the background tasks' first rounds and the first
            // requests then find a connection ready.
            pool.open(max_connections.min(WARM_CONNECTIONS)).await?;
            let audit = audit::AuditWriter::start(pool.clone());
            let rotations = rotations::RotationWriter::start(pool.clone());
            // Opened as needed; short statements, so a quarter of the pool's size.
            let transient = Db::postgres_unsynced(url, (max_connections / 4).max(TRANSIENT_CONNECTIONS))?;
            Ok(Store { read: pool.clone(), write: pool, transient, audit, rotations, revocations: Default::default() })
        }
    }

    /// On a connection of its own: the migrator needs sea-orm's. At a usual start every
    /// migration is applied already, which one query tells; the migrator's machinery
    /// (its own connection pool, the schema checks) then stays out of the process.
    pub async fn migrate(&self) -> StoreResult<()> {
        if self.is_migrated().await {
            return Ok(());
        }
        let db = self.write.standalone().await?;
        let migrated = Migrator::up(&db, None).await;
        db.close().await?;
        Ok(migrated?)
    }

    /// Whether the applied migrations are exactly this version's (an unknown one, from a
    /// newer version, is for the migrator to refuse).
    async fn is_migrated(&self) -> bool {
        let sql = sea_orm::Statement::from_string(self.read.get_database_backend(), "SELECT version FROM seaql_migrations");
        let Ok(rows) = self.read.query_all_raw(sql).await else { return false };
        let applied: std::collections::HashSet<String> = rows.iter().filter_map(|row| row.try_get::<String>("", "version").ok()).collect();
        let known: std::collections::HashSet<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
        applied == known
    }

    /// For `/readyz`: the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        self.read.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.write.get_database_backend() == DbBackend::Sqlite
    }
}

/// Where a hot-path query keeps its SQL, one slot per kind of database.
type BuiltOnce = [std::sync::OnceLock<String>; 2];

impl Store {
    /// The row a hot-path query finds for its one parameter `key`. Its SQL is built by
    /// `build` on first use for each kind of database and kept in `slots`: sea-orm would
    /// otherwise build it again on every call.
    async fn one_by_key(&self, slots: &'static BuiltOnce, build: impl FnOnce(DbBackend) -> String, key: &str) -> StoreResult<Option<sea_orm::QueryResult>> {
        let backend = self.read.get_database_backend();
        let sql = slots[usize::from(backend == DbBackend::Postgres)].get_or_init(|| build(backend));
        let statement = sea_orm::Statement::from_sql_and_values(backend, sql.as_str(), [key.into()]);
        Ok(self.read.query_one_raw(statement).await?)
    }
}

/// Selects every column of `E` from the table aliased `alias`, named `{alias}_{column}`
/// so that `FromQueryResult` can read each entity back with its prefix.
fn select_prefixed<E: sea_orm::EntityTrait>(query: &mut SelectStatement, alias: &'static str) {
    use sea_orm::{IdenStatic, Iterable};
    for column in E::Column::iter() {
        query.expr_as(Expr::col((alias, column)), Alias::new(format!("{alias}_{}", column.as_str())));
    }
}

/// PostgreSQL connections opened at start.
const WARM_CONNECTIONS: u32 = 3;

/// The fewest PostgreSQL connections for transient writes (`Store::transient`).
const TRANSIENT_CONNECTIONS: u32 = 2;

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}
